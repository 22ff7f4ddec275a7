/**
 * StaticFilesMiddleware inside the framework, over real sockets: the same cases as the gateway
 * handler (helpers/cases.ts), through getWsgiApplication() on the reference server (the handler
 * sends the FileResponse through wsgi.file_wrapper).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { settings } from '../../src/conf/index.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import { HttpResponse } from '../../src/http/response.ts';
import { path as route } from '../../src/urls/index.ts';
import { HttpRequest as HttpRequestClass, type HttpRequest } from '../../src/http/request.ts';
import { StaticFilesMiddleware, StaticFileResponse } from '../../src/staticfiles/middleware.ts';
import { StaticFileIndex } from '../../src/staticfiles/files-index.ts';
import { makeStaticTree } from './helpers/static-tree.ts';
import { rawRequest } from './helpers/raw-http.ts';
import { staticServingCases } from './helpers/cases.ts';

const tree = makeStaticTree();
const seen: string[] = [];
const other = (request: HttpRequest) => {
  seen.push(request.pathInfo);
  return new HttpResponse('other page');
};
settings.configure({
  DEBUG: false,
  ALLOWED_HOSTS: ['127.0.0.1'],
  STATIC_URL: '/static/',
  STATIC_ROOT: tree.root,
  ROOT_URLCONF: { urlpatterns: [route('other', other)] },
  MIDDLEWARE: ['tsgi.staticfiles.middleware.StaticFilesMiddleware'],
});

let server: ServerHandle;
before(async () => {
  server = await serve(getWsgiApplication(), { port: 0 });
});
after(async () => {
  await server.close();
  rmSync(tree.base, { recursive: true, force: true });
});

describe('StaticFilesMiddleware (framework level)', () => {
  staticServingCases(
    () => server.port,
    tree,
    () => seen,
  );

  test('other paths go on to the URLconf', async () => {
    seen.length = 0;
    await rawRequest(server.port, 'GET', '/static/css/site.css');
    const res = await rawRequest(server.port, 'GET', '/other');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'other page');
    assert.deepEqual(seen, ['/other']);
  });
});

describe('StaticFilesMiddleware responses', () => {
  function request(p: string, headers: Record<string, string> = {}): HttpRequest {
    const r = new HttpRequestClass();
    r.method = 'GET';
    r.path = r.pathInfo = p;
    r.META = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [`HTTP_${k.toUpperCase().replace(/-/g, '_')}`, v]),
    );
    return r;
  }

  test('the index is built when the middleware is created, and a file is a FileResponse narrowed to the range', async () => {
    const middleware = new StaticFilesMiddleware(async () => new HttpResponse('next'), { memoryFileMax: 0 });
    assert.ok(middleware.serving.files.size >= 8);
    const response = await middleware.call(request('/static/css/site.css', { Range: 'bytes=2-5' }));
    assert.ok(response instanceof StaticFileResponse);
    assert.deepEqual(response.fileSource, { path: `${tree.root}/css/site.css`, offset: 2, length: 4 });
    assert.equal(response.blockSize, 65536);
    assert.equal(response.headers.get('Content-Disposition'), undefined);
    assert.equal(
      Buffer.from(await response.getValue()).toString(),
      tree.files['css/site.css']!.subarray(2, 6).toString(),
    );
    assert.equal(((await middleware.call(request('/elsewhere'))) as HttpResponse).text, 'next');
  });

  test('small files are read once, then sent from memory with the same headers', async () => {
    const onDisk = new StaticFilesMiddleware(async () => new HttpResponse('next'), { memoryFileMax: 0 });
    const inMemory = new StaticFilesMiddleware(async () => new HttpResponse('next'));
    for (const [p, headers] of [
      ['/static/css/site.css', {}],
      ['/static/css/site.css', { Range: 'bytes=2-5' }],
      ['/static/js/app.js', { 'Accept-Encoding': 'br' }],
    ] as const) {
      const expected = await onDisk.call(request(p, headers));
      const expectedBytes = Buffer.from(await (expected as StaticFileResponse).getValue());
      const first = await inMemory.call(request(p, headers));
      const second = inMemory.call(request(p, headers));
      assert.ok(!(second instanceof Promise), 'answered synchronously once the file is in memory');
      for (const response of [first, second]) {
        assert.ok(response instanceof HttpResponse && !(response instanceof StaticFileResponse));
        assert.equal(response.statusCode, expected.statusCode);
        assert.deepEqual(response.headerList(), expected.headerList());
        assert.deepEqual(Buffer.from(response.content), expectedBytes);
      }
    }
    // Over the limit, the file is sent from disk.
    const small = new StaticFilesMiddleware(async () => new HttpResponse('next'), { memoryFileMax: 100 });
    assert.ok((await small.call(request('/static/css/site.css'))) instanceof StaticFileResponse);
    assert.ok(!((await small.call(request('/static/css/site.0123456789ab.css'))) instanceof StaticFileResponse));
  });
});

describe('files in memory', () => {
  test('a file that changed since it was indexed, or one over the budget, is not kept', async () => {
    const dir = mkdtempSync(nodePath.join(os.tmpdir(), 'tsgi-static-mem-'));
    try {
      writeFileSync(nodePath.join(dir, 'a.css'), 'a{}');
      writeFileSync(nodePath.join(dir, 'b.css'), 'b{}');
      writeFileSync(nodePath.join(dir, 'c.css'), 'c{}');
      const index = new StaticFileIndex({ roots: [dir], memoryTotalMax: 5 });
      const [a, b, c] = ['a.css', 'b.css', 'c.css'].map((name) => index.get(name)!.identity);
      writeFileSync(nodePath.join(dir, 'a.css'), 'a { color: red }');
      assert.equal(await index.loadBody(a!), undefined);
      assert.equal(index.body(a!), undefined);
      assert.equal(Buffer.from((await index.loadBody(b!))!).toString(), 'b{}');
      assert.equal(index.body(b!), index.body(b!));
      assert.equal(index.loadBody(c!), undefined); // 3 + 3 bytes > 5
      // DEBUG (autorefresh) never keeps files.
      const live = new StaticFileIndex({ roots: [dir], autorefresh: true });
      assert.equal(live.loadBody(live.get('b.css')!.identity), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
