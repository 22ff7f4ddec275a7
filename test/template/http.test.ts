/**
 * Pages from templates over a real socket: render(), TemplateView and a TemplateResponse changed
 * after the view returned, served by the reference server. The response goes out as the
 * framework's handler sends one: a TemplateResponse is rendered after the view returns.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { settings } from '../../src/conf/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import type { Application } from '../../src/gateway/types.ts';
import { HttpRequest } from '../../src/http/request.ts';
import { HttpResponseNotFound, type HttpResponse, type HttpResponseBase } from '../../src/http/response.ts';
import { path as route, resolve, Resolver404 } from '../../src/urls/index.ts';
import { render, TemplateResponse, TemplateView, renderErrorTemplate } from '../../src/template/index.ts';

const project = path.resolve(import.meta.dirname, '../fixtures/static-project');
setProjectRoot(project);

class RowsView extends TemplateView {
  override templateName = 'page.html';
  override async getContextData(kwargs: Record<string, unknown>) {
    return { ...(await super.getContextData(kwargs)), title: `Rows ${String(kwargs.n)}`, rows: Array.from({ length: Number(kwargs.n) }, (_, i) => i) };
  }
}

settings.configure({
  ALLOWED_HOSTS: ['127.0.0.1'],
  INSTALLED_APPS: ['app1'],
  STATIC_URL: '/static/',
  TEMPLATES: [{ BACKEND: 'tsgi.template.backends.liquid.LiquidTemplates', DIRS: [path.join(project, 'templates')], APP_DIRS: true, OPTIONS: { contextProcessors: ['tsgi.template.context-processors.request'] } }],
  ROOT_URLCONF: {
    urlpatterns: [
      route('hello/<str:word>/', (request: HttpRequest, { word }: { word: string }) => render(request, 'app1/hello.html', { word })),
      route('rows/<int:n>/', RowsView.asView()),
      route('late/', (request: HttpRequest) => new TemplateResponse(request, 'app1/hello.html', { word: 'from the view' })),
      route('broken/', (request: HttpRequest) => render(request, 'broken.html')),
    ],
  },
});

const app: Application = async (environ, startResponse) => {
  const request = await HttpRequest.fromEnviron(environ);
  let response: HttpResponseBase;
  try {
    response = (await resolve(request.pathInfo).callView(request)) as HttpResponseBase;
  } catch (error) {
    if (!(error instanceof Resolver404)) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      startResponse('500 Internal Server Error', [['Content-Type', 'text/plain; charset=utf-8']]);
      return [Buffer.from(text)];
    }
    response = new HttpResponseNotFound((await renderErrorTemplate(404, request)) ?? 'Not Found');
  }
  if (response instanceof TemplateResponse) {
    // What a processTemplateResponse middleware may do: change the context before rendering.
    if (request.GET.has('shout')) response.contextData.word = String(response.contextData.word).toUpperCase();
    response = await response.render();
  }
  startResponse((response as HttpResponse).statusLine, response.headerList());
  return response as HttpResponse;
};

let server: ServerHandle;
before(async () => {
  server = await serve(app, { port: 0 });
});
after(() => server.close());

async function get(p: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${server.url}${p}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('template pages over a socket', () => {
  test('render() escapes what the URL captured', async () => {
    const page = await get('/hello/%3Cscript%3E/');
    assert.equal(page.status, 200);
    assert.equal(page.type, 'text/html; charset=utf-8');
    assert.equal(page.text, '<p>app1 says &lt;script&gt;</p>\n');
  });

  test('TemplateView with inheritance, a loop and the request context processor', async () => {
    const page = await get('/rows/3/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>Rows 3 \| Site<\/title>/);
    assert.match(page.text, /<ul><li>0<\/li><li>1<\/li><li>2<\/li><\/ul>/);
  });

  test('a TemplateResponse can still be changed after the view returned', async () => {
    assert.equal((await get('/late/')).text, '<p>app1 says from the view</p>\n');
    assert.equal((await get('/late/?shout=1')).text, '<p>app1 says FROM THE VIEW</p>\n');
  });

  test("the project's 404.html is the not-found page", async () => {
    const page = await get('/nowhere/');
    assert.equal(page.status, 404);
    assert.equal(page.text, '<p>project override</p>\n');
  });

  test('a syntax error names the file and line', async () => {
    const page = await get('/broken/');
    assert.equal(page.status, 500);
    assert.equal(page.text, `TemplateSyntaxError: Invalid template syntax in ${project}/templates/broken.html, line 2, column 4: tag {% if user %} not closed.`);
  });
});
