/**
 * Deploy safety with a framework project: `--check-config`, `--preload` and the workers load
 * the whole project as its first request would (its URLconfs and views), and find a missing
 * static files manifest; a reload whose new workers cannot load it keeps the old ones serving.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  bootedPids,
  loadLoop,
  makeProject,
  request,
  runTsgi,
  serve,
  until,
  viewsSource,
  type Project,
  type Served,
} from './helpers.ts';

const projects: Project[] = [];
const started: Served[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
  for (const p of projects) p.remove();
});

function project(options: Parameters<typeof makeProject>[0] = {}): Project {
  const p = makeProject(options);
  projects.push(p);
  return p;
}

/** A view module with a syntax error on line 3. */
const BROKEN_VIEWS = `import { HttpResponse } from 'tsgi/http';\n\nexport function home(((( {\n  return new HttpResponse('never');\n}\n`;

/** `node manage.ts ARGS` in a project. */
function manage(dir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['manage.ts', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the whole project loads before a worker serves', () => {
  test('--check-config of a project whose view has a syntax error exits 4, naming the file and line', async () => {
    const p = project();
    assert.equal((await runTsgi(['serve', 'site.wsgi', '--check-config'], { cwd: p.dir })).code, 0);
    p.write('site/views.ts', BROKEN_VIEWS);
    const r = await runTsgi(['serve', 'site.wsgi', '--check-config'], { cwd: p.dir });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /site\.wsgi:application failed to get ready/);
    assert.match(r.stderr, new RegExp(`${path.join(p.dir, 'site/views.ts').replaceAll('.', '\\.')}:3`));
    assert.equal(r.stdout, '');
  });

  test('--preload of that project stops at once with 4, before any worker starts', async () => {
    const p = project();
    p.write('site/views.ts', BROKEN_VIEWS);
    const r = await runTsgi(['serve', 'site.wsgi', '--preload', '--bind', '127.0.0.1:0'], { cwd: p.dir });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /views\.ts:3/);
    assert.doesNotMatch(r.stderr, /Booting worker/);
  });

  test('without --preload, the workers cannot boot either: the server stops with 4 instead of answering 500', async () => {
    const p = project();
    p.write('site/views.ts', BROKEN_VIEWS);
    const r = await runTsgi(['serve', 'site.wsgi', '--bind', '127.0.0.1:0'], { cwd: p.dir });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /views\.ts:3/);
    assert.match(r.stderr, /App failed to load; shutting down\./);
  });

  test('a view module included from an app URLconf is loaded at boot too', async () => {
    const p = project({
      files: {
        'site/urls.ts': `import { include, path } from 'tsgi/urls';\nimport { home } from './views.ts';\n\nexport const urlpatterns = [path('', home), path('blog/', include('blog.urls'))];\n`,
        'blog/urls.ts': `import { path } from 'tsgi/urls';\nimport { index } from './views.ts';\n\nexport const urlpatterns = [path('', index)];\n`,
        'blog/views.ts': `import { HttpResponse } from 'tsgi/http';\n\nexport const index = () => new HttpResponse('blog');\nconst x: number = ;\n`,
      },
    });
    const r = await runTsgi(['serve', 'site.wsgi', '--check-config'], { cwd: p.dir });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /blog[/\\]views\.ts:4/);
  });
});

describe('a missing static files manifest', () => {
  const settings =
    `import path from 'node:path';\n` +
    `export const INSTALLED_APPS = ['tsgi.staticfiles'];\n` +
    `export const STATIC_URL = 'static/';\n` +
    `export const STATIC_ROOT = path.join(import.meta.dirname, '..', 'staticfiles');\n` +
    `export const STORAGES = { staticfiles: { BACKEND: 'tsgi.staticfiles.storage.ManifestStaticFilesStorage' } };\n`;

  test('is found by check --deploy (staticfiles.E008) and by --check-config, until collectstatic writes it', async () => {
    const p = project({ settings, files: { 'static/site.css': 'body { color: black }\n' } });
    const manifest = path.join(p.dir, 'staticfiles/staticfiles.json');
    const check = await manage(p.dir, ['check', '--deploy']);
    assert.equal(check.code, 1, check.stderr);
    assert.match(
      check.stderr,
      new RegExp(
        `\\?: \\(staticfiles\\.E008\\) The static files manifest ${manifest.replaceAll('.', '\\.')} does not exist: the staticfiles storage is ManifestStaticFilesStorage`,
      ),
    );
    assert.match(
      check.stderr,
      /HINT: Run 'node manage\.ts collectstatic --noinput' after each deploy, or check STATIC_ROOT\./,
    );
    const r = await runTsgi(['serve', 'site.wsgi', '--check-config'], { cwd: p.dir });
    assert.equal(r.code, 4, r.stderr);
    assert.match(
      r.stderr,
      /ImproperlyConfigured: The static files manifest .* does not exist[^]*\(staticfiles\.E008\)/,
    );

    const collected = await manage(p.dir, ['collectstatic', '--noinput', '-v', '0']);
    assert.equal(collected.code, 0, collected.stderr);
    assert.equal((await runTsgi(['serve', 'site.wsgi', '--check-config'], { cwd: p.dir })).code, 0);
    const again = await manage(p.dir, ['check', '--deploy']);
    assert.doesNotMatch(again.stderr, /staticfiles\.E008/);
  });

  test('with DEBUG on, the manifest is not used: the server starts', async () => {
    const p = project({ settings });
    const file = path.join(p.dir, 'site/settings.ts');
    p.write(
      'site/settings.ts',
      readFileSync(file, 'utf8').replace('export const DEBUG = false;', 'export const DEBUG = true;'),
    );
    const r = await runTsgi(['serve', 'site.wsgi', '--check-config'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
  });
});

describe('a reload whose new workers cannot load the project', () => {
  test('under load: no request fails, the old code is served, the log names the file and line; fixed, the next HUP serves the new code', async () => {
    const p = project({ body: 'v1' });
    const s = await serve(['site.wsgi', '--workers', '2'], { cwd: p.dir });
    started.push(s);
    assert.equal((await request(`${s.url}/`)).body, 'v1');
    const load = loadLoop(`${s.url}/`, 4, 200000);
    await until(() => load.ok > 50, 20000, 'traffic');

    p.write('site/views.ts', BROKEN_VIEWS);
    let from = s.stderr().length;
    s.child.kill('SIGHUP');
    const failed = await s.waitFor(
      /\[ERROR\] Reload failed: the new workers could not load the application \((.*)\); the old workers keep serving\./,
      30000,
      from,
    );
    // The master's own line names the file and line (the workers' error log has the whole stack).
    assert.match(failed[1]!, /^ImportError: The module 'site\.urls' .* raised an error while loading: SyntaxError: /);
    assert.ok(failed[1]!.endsWith(`(at ${path.join(p.dir, 'site/views.ts')}:3)`), failed[1]);
    const log = s.stderr().slice(from);
    assert.doesNotMatch(log, /Reload complete/);
    const okBefore = load.ok;
    await until(() => load.ok > okBefore + 100, 20000, 'traffic after the failed reload');
    assert.deepEqual([...load.bodies.keys()], ['v1']);

    p.write('site/views.ts', viewsSource('v2'));
    from = s.stderr().length;
    s.child.kill('SIGHUP');
    await s.waitFor(/Reload complete/, 30000, from);
    await until(() => (load.bodies.get('v2') ?? 0) > 20, 20000, 'v2 served');
    await load.stop();
    assert.deepEqual(load.failures, []);
    assert.equal((await request(`${s.url}/`)).body, 'v2');
    assert.ok(bootedPids(s.stderr()).length >= 6);
  });
});
