// Views through the URL dispatcher over a real socket: the reference server, HttpRequest built
// from the environ, resolve(request.pathInfo), the view called with the URL calling convention.
// The harness below is the few lines the framework's request handler does for these cases;
// the client is Node's fetch over TCP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from '../../src/gateway/server.ts';
import type { ServerHandle } from '../../src/gateway/server.ts';
import type { Application } from '../../src/gateway/types.ts';
import { settings } from '../../src/conf/index.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { loadedRequest } from '../http/helpers.ts';
import { HttpResponse, HttpResponseNotFound } from '../../src/http/response.ts';
import type { HttpResponseBase } from '../../src/http/response.ts';
import { path, rePath, resolve, Resolver404 } from '../../src/urls/index.ts';
import { redirect } from '../../src/shortcuts.ts';
import { RedirectView, View, requirePOST } from '../../src/views/index.ts';

class ArticleView extends View {
  get(_request: HttpRequest, { pk }: { pk: number }) {
    return new HttpResponse(`article ${pk} (${typeof pk})`);
  }
}

const urlpatterns = [
  path('articles/<int:pk>/', ArticleView.asView(), { name: 'article' }),
  rePath(
    '^archive/([0-9]{4})/([0-9]{2})/$',
    (_request: HttpRequest, year: string, month: string) => new HttpResponse(`archive ${year}-${month}`),
  ),
  path(
    'vote/',
    requirePOST(() => new HttpResponse('voted')),
  ),
  path('old/<int:pk>/', RedirectView.asView({ patternName: 'article', permanent: true })),
  path('go/', () => redirect('article', 9)),
];

const app: Application = async (environ, startResponse) => {
  const request = await loadedRequest(environ);
  let response: HttpResponseBase;
  try {
    const match = resolve(request.pathInfo);
    response = (await match.callView(request)) as HttpResponseBase;
  } catch (error) {
    if (!(error instanceof Resolver404)) throw error;
    response = new HttpResponseNotFound(`no page at ${request.pathInfo}`);
  }
  startResponse(response.statusLine, response.headerList());
  return request.method === 'HEAD' ? [] : (response as HttpResponse);
};

describe('views over a real socket', () => {
  let handle: ServerHandle;
  before(async () => {
    settings.configure({ ROOT_URLCONF: { urlpatterns }, ALLOWED_HOSTS: ['*'] });
    handle = await serve(app, { port: 0 });
  });
  after(() => handle.close());

  const cases: Array<[string, string, number, string | null, Record<string, string>]> = [
    ['GET', '/articles/5/', 200, 'article 5 (number)', {}],
    ['HEAD', '/articles/5/', 200, '', {}],
    ['PUT', '/articles/5/', 405, '', { allow: 'GET, HEAD, OPTIONS' }],
    ['OPTIONS', '/articles/5/', 200, '', { allow: 'GET, HEAD, OPTIONS', 'content-length': '0' }],
    ['GET', '/archive/2024/05/', 200, 'archive 2024-05', {}],
    ['GET', '/vote/', 405, '', { allow: 'POST' }],
    ['POST', '/vote/', 200, 'voted', {}],
    ['GET', '/old/3/', 301, '', { location: '/articles/3/' }],
    ['GET', '/go/', 302, '', { location: '/articles/9/' }],
    ['GET', '/articles/99999999999999999999/', 200, 'article 99999999999999999999 (bigint)', {}],
    ['GET', '/nowhere/', 404, 'no page at /nowhere/', {}],
  ];
  for (const [method, target, status, body, headers] of cases) {
    test(`${method} ${target} → ${status}`, async () => {
      const response = await fetch(handle.url + target, { method, redirect: 'manual' });
      assert.equal(response.status, status);
      if (body !== null) assert.equal(await response.text(), body);
      for (const [name, value] of Object.entries(headers)) assert.equal(response.headers.get(name), value, name);
      if (body === null) await response.body?.cancel();
    });
  }
});
