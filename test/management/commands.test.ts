/**
 * The manage.ts commands a project uses besides runserver and check: showurls, diffsettings,
 * shell, collectstatic, serve, and a custom command found in an installed app. Each runs as a
 * user runs it: `node manage.ts ...` in a project made by startproject.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, linkTsgi, manage, tempDir, tsgi } from './helpers.ts';

describe('manage.ts commands', () => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;

  before(async () => {
    tmp = tempDir('tsgi-commands-');
    const created = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    linkTsgi(project);
    const app = await manage(project, ['startapp', 'greetings']);
    assert.equal(app.code, 0, app.stderr);
    const settingsFile = path.join(project, 'mysite', 'settings.ts');
    writeFileSync(
      settingsFile,
      readFileSync(settingsFile, 'utf8').replace(
        "  'tsgi.staticfiles',\n];",
        "  'tsgi.staticfiles',\n  'greetings',\n];\n\nexport const GREETING = 'Hello';",
      ),
    );
    const urlsFile = path.join(project, 'mysite', 'urls.ts');
    writeFileSync(
      urlsFile,
      readFileSync(urlsFile, 'utf8')
        .replace(
          "import { path, type UrlNamesOf } from 'tsgi/urls';",
          "import { include, path, type UrlNamesOf } from 'tsgi/urls';",
        )
        .replace(
          "  path('', home, { name: 'home' }),",
          "  path('', home, { name: 'home' }),\n  path('greetings/', include('greetings.urls')),",
        ),
    );
    writeFileSync(path.join(project, 'greetings', 'static', 'greetings', 'app.css'), 'body { color: teal; }\n');
    mkdirSync(path.join(project, 'greetings', 'management', 'commands'), { recursive: true });
    writeFileSync(
      path.join(project, 'greetings', 'management', 'commands', 'greet.ts'),
      `import { CommandError, defineCommand } from 'tsgi/core/management';
import { settings } from 'tsgi/conf';

export default defineCommand({
  help: 'Greets someone, a number of times.',
  requiresSystemChecks: false,
  positionals: [{ name: 'who', help: 'Whom to greet.' }],
  options: {
    times: { type: 'number', default: 1, help: 'How many greetings.' },
    shout: { type: 'boolean', default: false, help: 'In capitals.' },
  },
  handle({ args, times, shout }, io) {
    if (args.who === 'nobody') throw new CommandError('There is nobody to greet.');
    const line = \`\${String(settings.GREETING)}, \${String(args.who)}!\`;
    for (let i = 0; i < times; i++) io.stdout.write((shout ? line.toUpperCase() : line) + '\\n');
  },
});
`,
    );
  });
  after(() => tmp.remove());

  test('a command in an installed app is found, listed, typed and documented', async () => {
    const help = await manage(project, ['help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /\[greetings\]\n {4}greet\n/);

    const run = await manage(project, ['greet', 'Ada', '--times', '2', '--shout']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'HELLO, ADA!\nHELLO, ADA!\n');

    const usage = await manage(project, ['greet', '--help']);
    assert.match(usage.stdout, /usage: manage\.ts greet \[options\] who/);
    assert.match(usage.stdout, /--times TIMES\s+How many greetings\./);

    const badNumber = await manage(project, ['greet', 'Ada', '--times', 'many']);
    assert.equal(badNumber.code, 1);
    assert.match(badNumber.stderr, /many/);

    const missing = await manage(project, ['greet']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /who/);

    const failed = await manage(project, ['greet', 'nobody']);
    assert.equal(failed.code, 1);
    assert.equal(failed.stderr, 'CommandError: There is nobody to greet.\n');
  });

  test('showurls lists every pattern with its view and name, as a table and as JSON', async () => {
    const table = await manage(project, ['showurls']);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(
      table.stdout,
      'Pattern      View   Name\n/            home   home\n/greetings/  index  greetings:index\n',
    );
    const json = await manage(project, ['showurls', '--format', 'json']);
    const rows = JSON.parse(json.stdout) as Array<{ pattern: string; view: string; name: string }>;
    assert.deepEqual(
      rows.find((r) => r.name === 'greetings:index'),
      { pattern: '/greetings/', view: 'index', name: 'greetings:index' },
    );
  });

  test('diffsettings shows what the project changed, and marks its own settings', async () => {
    const result = await manage(project, ['diffsettings']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^DEBUG = true$/m);
    assert.match(result.stdout, /^GREETING = 'Hello' {2}###$/m);
    assert.doesNotMatch(result.stdout, /^APPEND_SLASH/m);
    const all = await manage(project, ['diffsettings', '--all']);
    assert.match(all.stdout, /^### APPEND_SLASH = true$/m);
  });

  test('shell has the settings and the URL functions in scope', async () => {
    const result = await manage(project, [
      'shell',
      '-c',
      "console.log(settings.GREETING, reverse('greetings:index'), apps.isInstalled('greetings'))",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Hello /greetings/ true\n');
  });

  test('collectstatic copies the static files, and --dry-run writes nothing', async () => {
    const dry = await manage(project, ['collectstatic', '--noinput', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^1 static file would be copied to '.*staticfiles'\.$/m);
    assert.equal(existsSync(path.join(project, 'staticfiles')), false);
    const real = await manage(project, ['collectstatic', '--noinput']);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /^1 static file copied to '.*staticfiles'\.$/m);
    assert.equal(
      readFileSync(path.join(project, 'staticfiles', 'greetings', 'app.css'), 'utf8'),
      'body { color: teal; }\n',
    );
  });

  test('serve says the migrations are unapplied (as runserver), runs the production server anyway, stops on TERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['manage.ts', 'serve', '--', '--bind', `127.0.0.1:${port}`], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1', TSGI_SETTINGS_MODULE: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let body = '';
    for (let attempt = 0; attempt < 200 && body === ''; attempt++) {
      try {
        body = await (await fetch(`http://127.0.0.1:${port}/greetings/`)).text();
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.notEqual(body, '', `the server never answered:\n${output}`);
    assert.match(output, /Starting tsgi/);
    assert.match(
      output,
      /^You have 3 unapplied migration\(s\)\. Your project may not work properly until you apply the migrations for app\(s\): auth, contenttypes, sessions\.\nRun 'node manage\.ts migrate' to apply them\.\n[^]*Starting tsgi/,
    );
    assert.match(output, /Shutdown complete\./);
  });

  test('runserver serves static files from the finders in DEBUG, not with --nostatic, and with --insecure', async () => {
    const css = async (args: string[], env: NodeJS.ProcessEnv) => {
      const port = await freePort();
      const child = spawn(
        process.execPath,
        ['manage.ts', 'runserver', '--settings', 'mysite.bare', '--noreload', ...args, `127.0.0.1:${port}`],
        {
          cwd: project,
          env: { ...process.env, NO_COLOR: '1', TSGI_SETTINGS_MODULE: undefined, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d));
      child.stderr.on('data', (d: Buffer) => (output += d));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        for (let attempt = 0; attempt < 200; attempt++) {
          try {
            const response = await fetch(`http://127.0.0.1:${port}/static/greetings/app.css`);
            return { status: response.status, body: await response.text(), output };
          } catch {
            if (child.exitCode !== null) break;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        assert.fail(`runserver never answered:\n${output}`);
      } finally {
        child.kill('SIGINT');
        await exited;
      }
    };
    // Without the project's StaticFilesMiddleware, only runserver's own handler serves them.
    writeFileSync(
      path.join(project, 'mysite', 'bare.ts'),
      "export * from './settings.ts';\nimport { MIDDLEWARE as ALL } from './settings.ts';\nexport const MIDDLEWARE = ALL.filter((m) => !m.includes('StaticFiles'));\n",
    );
    const debug = await css([], {});
    assert.equal(debug.status, 200, debug.output);
    assert.equal(debug.body, 'body { color: teal; }\n');
    assert.equal((await css(['--nostatic'], {})).status, 404);
    const production = { TSGI_DEBUG: 'false', TSGI_ALLOWED_HOSTS: '127.0.0.1' };
    assert.equal((await css([], production)).status, 404);
    const insecure = await css(['--insecure'], production);
    assert.equal(insecure.status, 200, insecure.output);
  });
});
