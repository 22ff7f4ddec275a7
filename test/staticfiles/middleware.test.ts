/**
 * StaticFilesMiddleware over real sockets: the same cases as the gateway handler
 * (helpers/cases.ts). The middleware runs on HttpRequest.fromEnviron in front of the URLconf; its
 * response goes out as the framework's handler sends one (status line, headerList(), the file
 * through wsgi.file_wrapper when the response has a fileSource, no body for HEAD).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { settings } from '../../src/conf/index.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import type { Application, FileSource } from '../../src/gateway/types.ts';
import { fileWrapper } from '../../src/gateway/file-wrapper.ts';
import { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse, HttpResponseNotFound, type HttpResponseBase } from '../../src/http/response.ts';
import { path as route, resolve, Resolver404 } from '../../src/urls/index.ts';
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
});

async function urlconf(request: HttpRequest): Promise<HttpResponseBase> {
  try {
    return (await resolve(request.pathInfo).callView(request)) as HttpResponseBase;
  } catch (error) {
    if (error instanceof Resolver404) return new HttpResponseNotFound('not found');
    throw error;
  }
}

const fileResponses: StaticFileResponse[] = [];
let middleware: StaticFilesMiddleware;
const app: Application = async (environ, startResponse) => {
  const request = await HttpRequest.fromEnviron(environ);
  const response = await middleware.call(request);
  if (response instanceof StaticFileResponse) fileResponses.push(response);
  startResponse(response.statusLine, response.headerList());
  if (request.method === 'HEAD') return [];
  const file = (response as { fileSource?: FileSource }).fileSource;
  if (file) return (environ['wsgi.file_wrapper'] ?? fileWrapper)(file, (response as { blockSize?: number }).blockSize);
  return response as HttpResponse;
};

let server: ServerHandle;
before(async () => {
  middleware = new StaticFilesMiddleware(urlconf);
  server = await serve(app, { port: 0 });
});
after(async () => {
  await server.close();
  rmSync(tree.base, { recursive: true, force: true });
});

describe('StaticFilesMiddleware (framework level)', () => {
  staticServingCases(() => server.port, tree, () => seen);

  test('other paths go on to the URLconf; the file body is a FileResponse for wsgi.file_wrapper', async () => {
    seen.length = 0;
    fileResponses.length = 0;
    await rawRequest(server.port, 'GET', '/static/css/site.css', { Range: 'bytes=2-5' });
    assert.equal(fileResponses.length, 1);
    assert.deepEqual(fileResponses[0]!.fileSource, { path: `${tree.root}/css/site.css`, offset: 2, length: 4 });
    assert.equal(fileResponses[0]!.headers.get('Content-Disposition'), undefined);
    assert.equal(Buffer.from(await fileResponses[0]!.getValue()).toString(), tree.files['css/site.css']!.subarray(2, 6).toString());
    const res = await rawRequest(server.port, 'GET', '/other');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'other page');
    assert.deepEqual(seen, ['/other']);
  });

  test('the index is built when the middleware is created, not per request', () => {
    assert.ok(middleware.serving.files.size >= 8);
  });
});
