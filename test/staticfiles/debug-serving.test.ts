/** In DEBUG, static files come straight from the finders (no collectstatic), and edits show at once. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { settings } from '../../src/conf/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { staticFilesHandler } from '../../src/staticfiles/handler.ts';
import { rawRequest } from './helpers/raw-http.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-debug-static-'));
const project = path.join(tmp, 'project');
cpSync(path.resolve(import.meta.dirname, '../fixtures/static-project'), project, { recursive: true });
setProjectRoot(project);
settings.configure({
  DEBUG: true,
  INSTALLED_APPS: ['app1'],
  STATIC_URL: '/static/',
  STATIC_ROOT: path.join(tmp, 'never-collected'),
  STATICFILES_DIRS: [path.join(project, 'static')],
});

let server: ServerHandle;
before(async () => {
  server = await serve(
    staticFilesHandler((_e, startResponse) => {
      startResponse('404 Not Found', [['Content-Type', 'text/plain']]);
      return [Buffer.from('app')];
    }),
    { port: 0 },
  );
});
after(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('staticFilesHandler in DEBUG', () => {
  test("serves STATICFILES_DIRS and apps' static/ without collectstatic, not cached", async () => {
    const css = await rawRequest(server.port, 'GET', '/static/css/base.css');
    assert.equal(css.status, 200);
    assert.equal(css.body.toString(), 'html { margin: 0 }\n');
    assert.equal(css.headers.get('cache-control'), 'public, max-age=0');
    const js = await rawRequest(server.port, 'GET', '/static/app1/app.js');
    assert.equal(js.body.toString(), 'console.log("app1")\n');
  });

  test('an edited or new file is served at once', async () => {
    writeFileSync(path.join(project, 'static/css/base.css'), 'html { margin: 1px }\n');
    writeFileSync(path.join(project, 'static/css/new.css'), 'p {}\n');
    assert.equal(
      (await rawRequest(server.port, 'GET', '/static/css/base.css')).body.toString(),
      'html { margin: 1px }\n',
    );
    assert.equal((await rawRequest(server.port, 'GET', '/static/css/new.css')).body.toString(), 'p {}\n');
  });

  test('the finders never reach outside their folders', async () => {
    for (const target of [
      '/static/../app1/index.ts',
      '/static/%2e%2e/app1/index.ts',
      '/static/app1/..%2f..%2fapp1/index.ts',
      '/static/css%5c..%5c..%5capp1%5cindex.ts',
    ]) {
      const res = await rawRequest(server.port, 'GET', target);
      assert.equal(res.status, 404, target);
      assert.equal(res.body.toString(), 'app', target);
    }
  });
});
