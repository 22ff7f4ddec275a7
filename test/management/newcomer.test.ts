/**
 * What a new user does in their first minutes, end to end with real processes and sockets:
 * startproject, install against this checkout, runserver, edit a view, break it, fix it; then
 * `check --deploy` on the fresh project and on hardened settings; startapp, a model, makemigrations,
 * migrate and `npm test` on the test database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, manage, runCommand, tempDir, tsgi } from './helpers.ts';

// A newcomer's project runs tsgi as installed: its compiled build (npm test builds it first), not
// the .ts sources the rest of the suite runs through NODE_OPTIONS=--conditions=tsgi-source.
process.env.NODE_OPTIONS = '';

/** GETs a URL; connection errors come back as status 0. */
async function get(url: string): Promise<{ status: number; text: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, text: await response.text() };
  } catch {
    return { status: 0, text: '' };
  }
}

/** Whether a process is still running (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `ok` holds (a bounded guard against a hang, not a timing assertion). */
async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  limitMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last: T;
  do {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  } while (Date.now() < deadline);
  assert.fail(`Gave up waiting for ${what}; last value: ${JSON.stringify(last).slice(0, 500)}`);
}

describe('a newcomer', () => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;
  let server: ChildProcess | undefined;
  let serverOutput = '';

  before(async () => {
    tmp = tempDir('tsgi-newcomer-');
    const created = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    // npm installs the file: dependency on this checkout as a link, as it would for a user.
    // TypeScript and Node's types too (the project's devDependencies), from npm's cache when it has them.
    const installed = await runCommand(
      'npm',
      ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'],
      { cwd: project, timeoutMs: 180_000 },
    );
    assert.equal(installed.code, 0, installed.stderr);
  });

  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
      await new Promise((r) => server!.once('exit', r));
    }
    tmp.remove();
  });

  test('runs the project, sees an edit after the reload, sees a broken file, and recovers', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['manage.ts', 'runserver', `127.0.0.1:${port}`], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d: Buffer) => (serverOutput += d));
    server.stderr!.on('data', (d: Buffer) => (serverOutput += d));

    const first = await until(
      'the fresh project to answer',
      () => get(`${base}/`),
      (r) => r.status === 200,
    );
    assert.match(first.text, /The install worked successfully!/);
    assert.match(serverOutput, /System check identified no issues \(0 silenced\)\./);
    // Django's notice: the contrib apps' tables are not made yet; the page is served all the same.
    assert.match(
      serverOutput,
      /You have 3 unapplied migration\(s\)\. Your project may not work properly until you apply the migrations for app\(s\): auth, contenttypes, sessions\.\nRun 'node manage\.ts migrate' to apply them\./,
    );
    assert.match(serverOutput, new RegExp(`Starting development server at http://127\\.0\\.0\\.1:${port}/`));

    const views = path.join(project, 'mysite', 'views.ts');
    const original = readFileSync(views, 'utf8');
    writeFileSync(views, original.replace('The install worked successfully!', 'Edited while running.'));
    await until(
      'the edited text',
      () => get(`${base}/`),
      (r) => r.status === 200 && r.text.includes('Edited while running.'),
    );

    writeFileSync(views, original.replace('export function home', 'export function home(((('));
    const broken = await until(
      'the error page',
      () => get(`${base}/`),
      (r) => r.status === 500,
    );
    assert.match(broken.text, /The project failed to start/);
    assert.match(broken.text, /views\.ts/);
    await until(
      'the error in the terminal',
      async () => serverOutput,
      (out) => /SyntaxError|views\.ts/.test(out),
    );

    writeFileSync(views, original.replace('The install worked successfully!', 'Fixed again.'));
    await until(
      'the recovery',
      () => get(`${base}/`),
      (r) => r.status === 200 && r.text.includes('Fixed again.'),
    );

    server.kill('SIGINT');
    const code = await new Promise((r) => server!.once('exit', (c) => r(c)));
    assert.equal(code, 0, serverOutput);
  });

  test('check --deploy on the fresh project lists the deployment warnings', async () => {
    const result = await manage(project, ['check', '--deploy']);
    assert.equal(result.code, 0, result.stderr);
    const ids = [...result.stderr.matchAll(/\((security\.\w+)\)/g)].map((m) => m[1]);
    assert.deepEqual(ids, [
      'security.W004',
      'security.W008',
      'security.W009',
      'security.W012',
      'security.W016',
      'security.W018',
      'security.W020',
    ]);
    assert.match(
      result.stderr,
      /^System check identified some issues:\n\nWARNINGS:\n\?: \(security\.W004\) You have not set a value for the SECURE_HSTS_SECONDS setting\./,
    );
    // The contrib apps' tables are not made yet: Django's notice, as a deployment warning.
    assert.match(
      result.stderr,
      /\?: \(migrations\.W001\) The database has 3 unapplied migration\(s\) \(contenttypes\.0001_initial, auth\.0001_initial, sessions\.0001_initial\), for app\(s\): auth, contenttypes, sessions\.\n\tHINT: Run 'node manage\.ts migrate' to apply them before serving\.\n/,
    );
    assert.match(result.stderr, /\nSystem check identified 8 issues \(0 silenced\)\.\n$/);

    const strict = await manage(project, ['check', '--deploy', '--fail-level', 'WARNING']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /^SystemCheckError: System check identified some issues:/);
  });

  test('check --deploy on hardened settings finds nothing', async () => {
    writeFileSync(
      path.join(project, 'mysite', 'production.ts'),
      `export * from './settings.ts';
export const DEBUG = false;
export const SECRET_KEY = 'k8Vt3pQz9Lr2Xw7Yh5Nc1Bm4Gf6Dj0Sa8Ue3Io7Py2Tq5Wr9Zx';
export const ALLOWED_HOSTS = ['example.com'];
export const SECURE_HSTS_SECONDS = 31536000;
export const SECURE_HSTS_INCLUDE_SUBDOMAINS = true;
export const SECURE_HSTS_PRELOAD = true;
export const SECURE_SSL_REDIRECT = true;
export const CSRF_COOKIE_SECURE = true;
export const SESSION_COOKIE_SECURE = true;
`,
    );
    const migrated = await manage(project, ['migrate', '--settings', 'mysite.production']);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /Applying contenttypes\.0001_initial\.\.\. OK\n/);
    const result = await manage(project, ['check', '--deploy', '--settings', 'mysite.production']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'System check identified no issues (0 silenced).\n');
    assert.equal(result.stderr, '');
  });

  test('the fresh project type-checks with npm run typecheck', async () => {
    const checked = await runCommand('npm', ['run', 'typecheck', '--silent'], { cwd: project, timeoutMs: 180_000 });
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  });

  test('startapp makes an app whose test passes under npm test; a failing test fails the run', async () => {
    const created = await manage(project, ['startapp', 'blog']);
    assert.equal(created.code, 0, created.stderr);
    const passed = await runCommand('npm', ['test', '--silent'], { cwd: project, timeoutMs: 120_000 });
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /✔ the index page answers/);

    // As the user goes on: the view renders a template that links to the project's home page and
    // to itself, the app is installed; the app's test passes before and after urls.ts includes it.
    writeFileSync(
      path.join(project, 'blog', 'views.ts'),
      `import type { HttpRequest, HttpResponse } from 'tsgi/http';
import { render } from 'tsgi/template';
import { reverse } from 'tsgi/urls';

export function index(request: HttpRequest): Promise<HttpResponse> {
  return render(request, 'blog/index.html');
}

/** The project's URL names are registered (mysite/urls.ts): the compiler checks them. */
export function links(): string[] {
  // @ts-expect-error -- a misspelt name is a type error, not a NoReverseMatch in production
  reverse('blog:indx');
  return [reverse('home'), reverse('blog:index')];
}
`,
    );
    writeFileSync(
      path.join(project, 'blog', 'templates', 'blog', 'index.html'),
      `<a href="{% url 'home' %}">Home</a> <a href="{% url 'blog:index' %}">Blog</a>\n`,
    );
    const settingsFile = path.join(project, 'mysite', 'settings.ts');
    const settings = readFileSync(settingsFile, 'utf8');
    writeFileSync(settingsFile, settings.replace("  'tsgi.staticfiles',\n", "  'tsgi.staticfiles',\n  'blog',\n"));
    assert.match(readFileSync(settingsFile, 'utf8'), /'blog',/);
    const linked = await runCommand('npm', ['test', '--silent'], { cwd: project, timeoutMs: 120_000 });
    assert.equal(linked.code, 0, linked.stdout + linked.stderr);
    assert.match(linked.stdout, /✔ the index page answers/);
    const urlsFile = path.join(project, 'mysite', 'urls.ts');
    // As startapp says: the app's URLconf included as a module, so that its names are typed.
    assert.match(
      created.stdout,
      /path\('blog\/', include\(blog\)\), with blog\/urls\.ts imported as a module \(import \* as blog\)/,
    );
    writeFileSync(
      urlsFile,
      readFileSync(urlsFile, 'utf8')
        .replace(
          "import { path, type UrlNamesOf } from 'tsgi/urls';\n",
          "import { include, path, type UrlNamesOf } from 'tsgi/urls';\nimport * as blog from '../blog/urls.ts';\n",
        )
        .replace(
          "  path('', home, { name: 'home' }),\n",
          "  path('', home, { name: 'home' }),\n  path('blog/', include(blog)),\n",
        ),
    );
    assert.match(readFileSync(urlsFile, 'utf8'), /include\(blog\)/);
    assert.match(readFileSync(urlsFile, 'utf8'), /import \* as blog/);
    const included = await runCommand('npm', ['test', '--silent'], { cwd: project, timeoutMs: 120_000 });
    assert.equal(included.code, 0, included.stdout + included.stderr);
    assert.match(included.stdout, /✔ the index page answers/);
    const typed = await runCommand('npm', ['run', 'typecheck', '--silent'], { cwd: project, timeoutMs: 180_000 });
    assert.equal(typed.code, 0, typed.stdout + typed.stderr);

    writeFileSync(
      path.join(project, 'blog', 'broken.test.ts'),
      "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('fails on purpose', () => assert.equal(1, 2));\n",
    );
    const failed = await manage(project, ['test', 'blog/broken.test.ts']);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /✖ fails on purpose/);
  });

  test('startapp --crud scaffolds a model, its form and its CRUD views; their test passes and they type-check', async () => {
    const created = await manage(project, ['startapp', 'shop', '--crud', 'Product']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Then create the table of Product \(shop\/models\.ts\)/);
    const settingsFile = path.join(project, 'mysite', 'settings.ts');
    writeFileSync(
      settingsFile,
      readFileSync(settingsFile, 'utf8').replace("  'tsgi.staticfiles',\n", "  'tsgi.staticfiles',\n  'shop',\n"),
    );
    const urlsFile = path.join(project, 'mysite', 'urls.ts');
    const urls = readFileSync(urlsFile, 'utf8');
    writeFileSync(
      urlsFile,
      urls
        .replace(
          /import \{ (include, )?path, type UrlNamesOf \} from 'tsgi\/urls';\n/,
          (line) => line.replace('{ path', '{ include, path') + "import * as shop from '../shop/urls.ts';\n",
        )
        .replace(
          "  path('', home, { name: 'home' }),\n",
          "  path('', home, { name: 'home' }),\n  path('shop/', include(shop)),\n",
        ),
    );
    // As startapp says: the model's migration, before its test runs on the test database.
    const made = await manage(project, ['makemigrations', 'shop']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /shop\/migrations\/0001_initial\.ts\n {4}- Create model Product\n/);
    // The app's own test (the previous test left a failing one in blog/ on purpose).
    const tested = await manage(project, ['test', 'shop/views.test.ts']);
    assert.equal(tested.code, 0, tested.stdout + tested.stderr);
    assert.match(tested.stdout, /✔ a product is created \(after an invalid form\), listed, shown, edited and deleted/);
    const typed = await runCommand('npm', ['run', 'typecheck', '--silent'], { cwd: project, timeoutMs: 180_000 });
    assert.equal(typed.code, 0, typed.stdout + typed.stderr);
  });

  test('a model in blog: makemigrations, migrate, and npm test passes on the test database', async () => {
    writeFileSync(
      path.join(project, 'blog', 'models.ts'),
      `import { CharField, Model } from 'tsgi/db/models';

export class Entry extends Model.define({ headline: new CharField({ maxLength: 200 }) }) {}
`,
    );
    const made = await manage(project, ['makemigrations', 'blog']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /blog\/migrations\/0001_initial\.ts\n {4}- Create model Entry\n/);
    const migrated = await manage(project, ['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /Applying blog\.0001_initial\.\.\. OK/);
    writeFileSync(
      path.join(project, 'blog', 'models.test.ts'),
      `import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestCase } from 'tsgi/test';
import { Entry } from './models.ts';

describe('entries', () => {
  const tc = TestCase.setUp({ setUpTestData: async () => ({ first: await Entry.objects.create({ headline: 'First' }) }) });

  test('an entry is saved in the test database', async () => {
    await Entry.objects.create({ headline: 'Second' });
    assert.equal(await Entry.objects.count(), 2);
  });

  test('and rolled back after the test', async () => {
    assert.deepEqual(await Entry.objects.valuesList('headline', { flat: true }), [tc.data.first.headline]);
  });
});
`,
    );
    // The failing test an earlier step left on purpose goes; the rows migrate put nowhere.
    rmSync(path.join(project, 'blog', 'broken.test.ts'), { force: true });
    const tested = await runCommand('npm', ['test', '--silent'], { cwd: project, timeoutMs: 180_000 });
    const output = tested.stdout + tested.stderr;
    assert.equal(tested.code, 0, output);
    assert.match(tested.stdout, /✔ an entry is saved in the test database/);
    assert.match(tested.stdout, /✔ and rolled back after the test/);
    assert.match(tested.stdout, /✔ a product is created \(after an invalid form\), listed, shown, edited and deleted/);
    assert.match(tested.stderr, /Creating test database for alias 'default'\.\.\./);
    assert.match(tested.stderr, /Destroying test database for alias 'default'\.\.\./);
    const typed = await runCommand('npm', ['run', 'typecheck', '--silent'], { cwd: project, timeoutMs: 180_000 });
    assert.equal(typed.code, 0, typed.stdout + typed.stderr);
  });

  test('npm start binds PORT, TSGI_BIND or TSGI_CMD_ARGS (each above the last), and stops whole on TERM to npm', async () => {
    const [port, bindPort, argsPort] = [await freePort(), await freePort(), await freePort()];
    // PORT alone: every interface on that port, as gunicorn does (platforms set PORT).
    await npmStart({ PORT: String(port) }, `http://0.0.0.0:${port}`, port);
    // TSGI_BIND over PORT.
    await npmStart(
      { PORT: String(port), TSGI_BIND: `127.0.0.1:${bindPort}` },
      `http://127.0.0.1:${bindPort}`,
      bindPort,
    );
    // TSGI_CMD_ARGS over both.
    await npmStart(
      {
        PORT: String(port),
        TSGI_BIND: `127.0.0.1:${bindPort}`,
        TSGI_CMD_ARGS: `--bind 127.0.0.1:${argsPort} --workers 2`,
      },
      `http://127.0.0.1:${argsPort}`,
      argsPort,
      2,
    );
  });

  /**
   * `npm start` with `env`: the master says it listens at `listening`, the page answers on `port`,
   * then TERM to npm (what a supervisor sends) stops npm, the master and every worker.
   */
  async function npmStart(env: NodeJS.ProcessEnv, listening: string, port: number, workers = 1): Promise<void> {
    const npm = spawn('npm', ['start'], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1', TSGI_BIND: undefined, PORT: undefined, TSGI_CMD_ARGS: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout!.on('data', (d: Buffer) => (output += d));
    npm.stderr!.on('data', (d: Buffer) => (output += d));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    try {
      await until(
        'the workers to boot',
        async () => output,
        (out) => (out.match(/Worker \d+ is ready/g) ?? []).length === workers,
      );
      assert.match(output, new RegExp(`Listening at: ${listening.replace(/\./g, '\\.')} `));
      const page = await get(`http://127.0.0.1:${port}/`);
      assert.equal(page.status, 200, output);
    } finally {
      npm.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output);
    const pids = [...output.matchAll(/\[(\d+)\] \[INFO\] Starting tsgi|Booting worker with pid: (\d+)/g)].map((m) =>
      Number(m[1] ?? m[2]),
    );
    assert.equal(pids.length, 1 + workers, output);
    await until(
      'the master and its workers to exit',
      async () => pids.filter(alive),
      (left) => left.length === 0,
    );
    assert.match(output, /Shutdown complete\./);
  }

  test('runserver refuses DEBUG off without ALLOWED_HOSTS, as Django does', async () => {
    const result = await manage(project, ['runserver', '--noreload', '127.0.0.1:0'], { TSGI_DEBUG: 'false' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /CommandError: You must set settings\.ALLOWED_HOSTS if DEBUG is false\.\n/);
  });
});
