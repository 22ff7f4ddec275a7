/**
 * StaticFilesMiddleware inside the framework, over real sockets: the same cases as the gateway
 * handler (helpers/cases.ts), through getWsgiApplication() on the reference server (the handler
 * sends the FileResponse through wsgi.file_wrapper).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { settings } from '../../src/conf/index.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import { HttpResponse } from '../../src/http/response.ts';
import { path as route } from '../../src/urls/index.ts';
import { HttpRequest as HttpRequestClass, type HttpRequest } from '../../src/http/request.ts';
import { StaticFilesMiddleware, StaticFileResponse } from '../../src/staticfiles/middleware.ts';
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
  staticServingCases(() => server.port, tree, () => seen);

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
    r.META = Object.fromEntries(Object.entries(headers).map(([k, v]) => [`HTTP_${k.toUpperCase().replace(/-/g, '_')}`, v]));
    return r;
  }

  test('the index is built when the middleware is created, and a file is a FileResponse narrowed to the range', async () => {
    const middleware = new StaticFilesMiddleware(async () => new HttpResponse('next'));
    assert.ok(middleware.serving.files.size >= 8);
    const response = await middleware.call(request('/static/css/site.css', { Range: 'bytes=2-5' }));
    assert.ok(response instanceof StaticFileResponse);
    assert.deepEqual(response.fileSource, { path: `${tree.root}/css/site.css`, offset: 2, length: 4 });
    assert.equal(response.blockSize, 65536);
    assert.equal(response.headers.get('Content-Disposition'), undefined);
    assert.equal(Buffer.from(await response.getValue()).toString(), tree.files['css/site.css']!.subarray(2, 6).toString());
    assert.equal(((await middleware.call(request('/elsewhere'))) as HttpResponse).text, 'next');
  });
});
