/**
 * What a new user does in their first minutes, end to end with real processes and sockets:
 * startproject, install against this checkout, runserver, edit a view, break it, fix it; then
 * `check --deploy` on the fresh project and on hardened settings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
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
    const installed = await runCommand('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: project,
      timeoutMs: 120_000,
    });
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
      'security.W016',
      'security.W018',
      'security.W020',
    ]);
    assert.match(
      result.stderr,
      /^System check identified some issues:\n\nWARNINGS:\n\?: \(security\.W004\) You have not set a value for the SECURE_HSTS_SECONDS setting\./,
    );
    assert.match(result.stderr, /\nSystem check identified 6 issues \(0 silenced\)\.\n$/);

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
`,
    );
    const result = await manage(project, ['check', '--deploy', '--settings', 'mysite.production']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'System check identified no issues (0 silenced).\n');
    assert.equal(result.stderr, '');
  });

  test('startapp makes an app whose test passes under npm test; a failing test fails the run', async () => {
    const created = await manage(project, ['startapp', 'blog']);
    assert.equal(created.code, 0, created.stderr);
    const passed = await runCommand('npm', ['test', '--silent'], { cwd: project, timeoutMs: 120_000 });
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /✔ the index page answers/);

    writeFileSync(
      path.join(project, 'blog', 'broken.test.ts'),
      "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('fails on purpose', () => assert.equal(1, 2));\n",
    );
    const failed = await manage(project, ['test', 'blog/broken.test.ts']);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /✖ fails on purpose/);
  });

  test('runserver refuses DEBUG off without ALLOWED_HOSTS, as Django does', async () => {
    const result = await manage(project, ['runserver', '--noreload', '127.0.0.1:0'], { TSGI_DEBUG: 'false' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /CommandError: You must set settings\.ALLOWED_HOSTS if DEBUG is false\.\n/);
  });
});
