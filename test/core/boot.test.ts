// getWsgiApplication()'s boot: the settings module named by TSGI_SETTINGS_MODULE, INSTALLED_APPS
// with an async ready() hook that finishes before the first request, and boot errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { callApplication } from '../../src/gateway/testing.ts';
import { validated } from './helpers.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const project = mkdtempSync(path.join(os.tmpdir(), 'tsgi-boot-'));
after(() => rmSync(project, { recursive: true, force: true }));

mkdirSync(path.join(project, 'site'));
mkdirSync(path.join(project, 'warm'));
writeFileSync(
  path.join(project, 'site/settings.ts'),
  `export const SECRET_KEY = 'boot-test';\nexport const ALLOWED_HOSTS = ['testserver'];\nexport const ROOT_URLCONF = 'site.urls';\n` +
    `export const INSTALLED_APPS = ['warm'];\nexport const MIDDLEWARE = ['tsgi.middleware.common.CommonMiddleware'];\n`,
);
writeFileSync(
  path.join(project, 'warm/apps.ts'),
  `import { AppConfig } from 'tsgi/apps';\nexport const state = { warmed: false };\n` +
    `export class WarmConfig extends AppConfig {\n  override name = 'warm';\n` +
    `  override async ready() { await new Promise((r) => setTimeout(r, 20)); state.warmed = true; }\n}\n`,
);
writeFileSync(
  path.join(project, 'site/urls.ts'),
  `import { path } from 'tsgi/urls';\nimport { HttpResponse } from 'tsgi/http';\nimport { state } from '../warm/apps.ts';\n` +
    `export const urlpatterns = [path('warm/', () => new HttpResponse(String(state.warmed)))];\n`,
);
// The temporary project imports tsgi by name: link the package into its node_modules.
mkdirSync(path.join(project, 'node_modules'));
symlinkSync(repoRoot, path.join(project, 'node_modules/tsgi'), 'dir');

test('the settings module, INSTALLED_APPS and their async ready() are done before the first request', async () => {
  setProjectRoot(project);
  process.env.TSGI_SETTINGS_MODULE = 'site.settings';
  const { getWsgiApplication } = await import('../../src/core/wsgi.ts');
  const application = getWsgiApplication();
  // Called at once, before ready: the request waits for the boot.
  const response = await callApplication(await validated(application), { path: '/warm/' });
  assert.equal(response.text, 'true');
  const redirect = await callApplication(application, { path: '/warm' });
  assert.equal(redirect.statusCode, 301);
});

test('without TSGI_SETTINGS_MODULE, ready rejects with the fix and the process does not crash', () => {
  const script =
    `const { getWsgiApplication } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'src/core/wsgi.ts')).href)});\n` +
    `const app = getWsgiApplication();\n` +
    `try { await app.ready; console.log('ready'); } catch (error) { console.log(error.name + ': ' + error.message); }\n`;
  const env = { ...process.env };
  delete env.TSGI_SETTINGS_MODULE;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /^ImproperlyConfigured: .*TSGI_SETTINGS_MODULE/);
});

test('ready loads ROOT_URLCONF, what it includes and the views they import, before any request; a view that cannot load rejects it with its file and line', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-boot-urls-'));
  try {
    for (const [file, text] of Object.entries({
      'proj/settings.ts': `export const SECRET_KEY = 'x';\nexport const ROOT_URLCONF = 'proj.urls';\n`,
      'proj/urls.ts': `import { include, path } from 'tsgi/urls';\nexport const urlpatterns = [path('a/', include('app.urls'))];\n`,
      'app/urls.ts': `import { path } from 'tsgi/urls';\nimport { view } from './views.ts';\nexport const urlpatterns = [path('', view)];\n`,
      'app/views.ts': `(globalThis as Record<string, unknown>).viewsLoaded = true;\nexport const view = () => null;\n`,
    })) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(repoRoot, path.join(dir, 'node_modules/tsgi'), 'dir');
    const script =
      `const { setProjectRoot } = await import('tsgi/utils/module-loading');\n` +
      `setProjectRoot(${JSON.stringify(dir)});\n` +
      `const { getWsgiApplication } = await import('tsgi/core/wsgi');\n` +
      `const app = getWsgiApplication();\n` +
      `try { await app.ready; console.log('ready ' + globalThis.viewsLoaded); } catch (error) { console.log(error.name + ': ' + error.message); }\n`;
    const run = () =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: dir,
        env: { ...process.env, TSGI_SETTINGS_MODULE: 'proj.settings' },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const ok = run();
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'ready true\n');
    writeFileSync(path.join(dir, 'app/views.ts'), `export const view = () => null;\nexport function broken(( {}\n`);
    const broken = run();
    assert.equal(broken.status, 0, broken.stderr);
    assert.match(
      broken.stdout,
      /^ImportError: The module 'proj\.urls' .* raised an error while loading: SyntaxError: .*\(at .*app\/views\.ts:2\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
