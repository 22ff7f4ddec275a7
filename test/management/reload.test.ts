/**
 * What restarts `manage.ts runserver`: source files, templates and settings, never a database,
 * its journals, a log, node_modules, a dotfile or what --exclude names. The rules as a table, then
 * a real runserver with its reloader, given real file writes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ReloadRules } from '../../src/core/management/autoreload.ts';
import { freePort, linkTsgi, REPO_ROOT, run, tempDir } from './helpers.ts';

describe('ReloadRules', () => {
  const root = '/srv/mysite';
  const rules = new ReloadRules({
    root,
    exclude: ['data', 'fixtures/**', '*.generated.ts'],
    ignoreFolders: ['/srv/mysite/staticfiles', '/srv/mysite/uploads'],
    templateDirs: ['/srv/shared-templates'],
  });

  const reloads = [
    'manage.ts',
    'mysite/settings.ts',
    'mysite/views.ts',
    'blog/urls.mts',
    'blog/legacy.cjs',
    'blog/helpers.js',
    'blog/data.json',
    'templates/home.html',
    'blog/templates/blog/index.html',
    'blog/templates/blog/email.txt',
    '/srv/shared-templates/base.html',
  ];
  const never = [
    'db.sqlite3',
    'db.sqlite3-journal',
    'db.sqlite3-wal',
    'db.sqlite3-shm',
    'data.db',
    'debug.log',
    'logs/app.log',
    'logs/app.log.1',
    'node_modules/liquidjs/dist/index.js',
    'blog/node_modules/x/index.ts',
    '.env',
    '.git/HEAD',
    '.vscode/settings.json',
    'mysite/.views.ts.swp',
    'mysite/views.ts~',
    'README.md',
    'static/site.css',
    'staticfiles/site.3f2a9c1b0d4e.css',
    'uploads/photo.js',
    'coverage/lcov-report/index.js',
    'data/import.ts',
    'blog/data/seed.ts',
    'fixtures/a/b.ts',
    'mysite/schema.generated.ts',
    '/elsewhere/x.ts',
  ];
  for (const file of reloads)
    test(`a change to ${file} restarts the server`, () => assert.equal(rules.reloads(file), true));
  for (const file of never) test(`a change to ${file} does not`, () => assert.equal(rules.reloads(file), false));

  test('the watcher does not descend into node_modules, dot-folders, output folders or excluded folders', () => {
    for (const folder of ['node_modules', '.git', 'staticfiles', 'uploads', 'data', 'blog/data', 'fixtures'])
      assert.equal(rules.ignored(path.join(root, folder)), true, folder);
    for (const folder of ['', 'mysite', 'templates', 'blog/templates/blog', 'static'])
      assert.equal(rules.ignored(path.join(root, folder)), false, folder);
  });
});

describe('runserver with its reloader, given real file writes', { timeout: 120_000 }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;
  let server: ChildProcess | undefined;
  let output = '';

  before(async () => {
    tmp = tempDir('tsgi-reload-');
    const created = await run([path.join(REPO_ROOT, 'bin/tsgi.ts'), 'startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    linkTsgi(project);
  });

  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
      await new Promise((resolve) => server!.once('exit', resolve));
    }
    tmp?.remove();
  });

  /** Polls until `ok` holds (a bounded guard against a hang, not a timing assertion). */
  async function until(what: string, ok: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!(await ok())) {
      if (Date.now() > deadline) assert.fail(`Gave up waiting for ${what}. The server's output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const starts = () => output.match(/Starting development server at/g)?.length ?? 0;
  const reloadLines = () => output.match(/^.* changed, reloading\.$/gm) ?? [];

  test('a database, journals, logs, node_modules, dotfiles and excluded files do not restart it; a template and a .ts do', async () => {
    const port = await freePort();
    server = spawn(process.execPath, ['manage.ts', 'runserver', '--exclude', 'data', `127.0.0.1:${port}`], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1', TSGI_SETTINGS_MODULE: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d: Buffer) => (output += d));
    server.stderr!.on('data', (d: Buffer) => (output += d));
    await until('the first start', () => starts() === 1);
    assert.match(output, /Watching for file changes in /);

    // What a running project writes by itself: none of it may restart the server.
    mkdirSync(path.join(project, 'node_modules', 'some-package'), { recursive: true });
    mkdirSync(path.join(project, 'logs'));
    mkdirSync(path.join(project, '.cache'));
    mkdirSync(path.join(project, 'data'));
    for (const [file, content] of [
      ['db.sqlite3', 'SQLite format 3\0'],
      ['db.sqlite3-journal', 'journal'],
      ['db.sqlite3-wal', 'wal'],
      ['db.sqlite3-shm', 'shm'],
      ['logs/debug.log', 'a log line\n'],
      ['node_modules/some-package/index.js', 'export {};\n'],
      ['.env', 'TSGI_DEBUG=true\n'],
      ['.cache/state.json', '{}\n'],
      ['mysite/.views.ts.swp', 'swap'],
      ['data/import.ts', 'export {};\n'],
      ['static/site.css', 'body {}\n'],
    ] as const)
      writeFileSync(path.join(project, file), content);

    // Then a template: it restarts the server, and the restart names it alone.
    writeFileSync(path.join(project, 'templates', 'home.html'), '<h1>Home</h1>\n');
    await until('the restart for the template', () => starts() === 2);
    assert.deepEqual(reloadLines(), [`${path.join('templates', 'home.html')} changed, reloading.`]);

    // And a view.
    const views = path.join(project, 'mysite', 'views.ts');
    writeFileSync(views, readFileSync(views, 'utf8').replace('The install worked successfully!', 'Edited.'));
    await until('the restart for the view', () => starts() === 3);
    assert.deepEqual(reloadLines().slice(1), [`${path.join('mysite', 'views.ts')} changed, reloading.`]);
    await until('the edited page', async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
        return (await response.text()).includes('Edited.');
      } catch {
        return false;
      }
    });

    server.kill('SIGINT');
    const code = await new Promise((resolve) => server!.once('exit', resolve));
    assert.equal(code, 0, output);
    assert.equal(starts(), 3, output);
  });
});
