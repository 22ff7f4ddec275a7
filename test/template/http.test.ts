/**
 * Pages from templates through the framework over a real socket: render(), TemplateView, a
 * TemplateResponse changed by a middleware's processTemplateResponse before the handler renders
 * it, the project's 404.html, and a syntax error on the DEBUG 500 page.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse, type HttpResponseBase } from '../../src/http/response.ts';
import { path as route } from '../../src/urls/index.ts';
import { render, TemplateResponse } from '../../src/template/index.ts';
import { TemplateView } from '../../src/views/index.ts';

const project = path.resolve(import.meta.dirname, '../fixtures/static-project');
setProjectRoot(project);

class RowsView extends TemplateView {
  override templateName = 'page.html';
  override async getContextData(kwargs: Record<string, unknown>) {
    return {
      ...(await super.getContextData(kwargs)),
      title: `Rows ${String(kwargs.n)}`,
      rows: Array.from({ length: Number(kwargs.n) }, (_, i) => i),
    };
  }
}

/** A middleware that changes the context of template responses before they are rendered. */
class ShoutMiddleware {
  readonly getResponse: (request: HttpRequest) => Promise<HttpResponseBase>;
  constructor(getResponse: (request: HttpRequest) => Promise<HttpResponseBase>) {
    this.getResponse = getResponse;
  }
  call(request: HttpRequest): Promise<HttpResponseBase> {
    return this.getResponse(request);
  }
  processTemplateResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (request.GET.has('shout') && response instanceof TemplateResponse) {
      response.contextData.word = String(response.contextData.word).toUpperCase();
    }
    return response;
  }
}

settings.configure({
  DEBUG: false,
  ALLOWED_HOSTS: ['127.0.0.1'],
  INSTALLED_APPS: ['app1'],
  STATIC_URL: '/static/',
  MIDDLEWARE: ['tsgi.middleware.csrf.CsrfViewMiddleware', ShoutMiddleware as never],
  TEMPLATES: [
    {
      BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
      DIRS: [path.join(project, 'templates')],
      APP_DIRS: true,
      OPTIONS: {
        contextProcessors: ['tsgi.template.context-processors.request', 'tsgi.template.context-processors.csrf'],
      },
    },
  ],
  ROOT_URLCONF: {
    urlpatterns: [
      route('hello/<str:word>/', (request: HttpRequest, { word }: { word: string }) =>
        render(request, 'app1/hello.html', { word }),
      ),
      route('rows/<int:n>/', RowsView.asView()),
      route(
        'late/',
        (request: HttpRequest) => new TemplateResponse(request, 'app1/hello.html', { word: 'from the view' }),
      ),
      route('broken/', (request: HttpRequest) => render(request, 'broken.html')),
      route('boom/', (request: HttpRequest) =>
        render(request, 'boom.html', {
          obj: {
            get explode(): string {
              throw new Error('the getter failed');
            },
          },
        }),
      ),
      route('form/', (request: HttpRequest) =>
        request.method === 'POST' ? new HttpResponse('posted') : render(request, 'form.html', { html: '' }),
      ),
    ],
  },
});

let server: ServerHandle;
before(async () => {
  server = await serve(getWsgiApplication(), { port: 0 });
});
after(() => server.close());

async function get(p: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${server.url}${p}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('template pages through the framework', () => {
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

  test('processTemplateResponse changes a TemplateResponse before the handler renders it', async () => {
    assert.equal((await get('/late/')).text, '<p>app1 says from the view</p>\n');
    assert.equal((await get('/late/?shout=1')).text, '<p>app1 says FROM THE VIEW</p>\n');
    assert.equal((await get('/rows/1/?shout=1')).status, 200);
  });

  test("the project's 404.html is the not-found page", async () => {
    const page = await get('/nowhere/');
    assert.equal(page.status, 404);
    assert.equal(page.text, '<p>project override</p>\n');
  });

  test('{% csrf_token %} gives the token the CSRF middleware accepts back', async () => {
    const form = await fetch(`${server.url}/form/`);
    const html = await form.text();
    const token = /name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"/.exec(html)?.[1];
    assert.ok(token, html);
    const cookie = form.headers
      .getSetCookie()
      .find((c) => c.startsWith('csrftoken='))
      ?.split(';')[0];
    assert.ok(cookie, 'the form page sets the CSRF cookie');
    const post = (body: string, withCookie: boolean) =>
      fetch(`${server.url}/form/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(withCookie ? { Cookie: cookie! } : {}) },
        body,
      });
    const accepted = await post(`csrfmiddlewaretoken=${token}`, true);
    assert.equal(accepted.status, 200);
    assert.equal(await accepted.text(), 'posted');
    assert.equal((await post('csrfmiddlewaretoken=forged', true)).status, 403);
    assert.equal((await post(`csrfmiddlewaretoken=${token}`, false)).status, 403);
  });

  test('a page that does not use the CSRF token sets no CSRF cookie (the token is lazy, as in Django)', async () => {
    const page = await fetch(`${server.url}/hello/x/`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.headers.getSetCookie(), []);
    const form = await fetch(`${server.url}/form/`);
    assert.equal(form.headers.getSetCookie().filter((c) => c.startsWith('csrftoken=')).length, 1);
  });

  test('a template syntax error is a 500, and the DEBUG page names the file and line', async () => {
    assert.equal((await get('/broken/')).status, 500);
    using _debug = overrideSettings({ DEBUG: true });
    const page = await get('/broken/');
    assert.equal(page.status, 500);
    assert.ok(page.text.includes('TemplateSyntaxError'), page.text.slice(0, 300));
    assert.ok(
      page.text.includes(
        `Unclosed tag on line 2: &#x27;if&#x27;. Looking for one of: elif, else, endif.\nIn template broken.html (${project}/templates/broken.html), line 2, column 4:`,
      ),
      page.text.slice(0, 2000),
    );
  });

  test('an error while rendering shows the template frame on the DEBUG page', async () => {
    using _debug = overrideSettings({ DEBUG: true });
    const page = await get('/boom/');
    assert.equal(page.status, 500);
    assert.ok(page.text.includes('<h2>Error during template rendering</h2>'), page.text.slice(0, 2000));
    assert.ok(
      page.text.includes(`In template <code>${project}/templates/boom.html</code>, error at line <strong>2</strong>`),
    );
    assert.ok(
      page.text.includes(
        '<tr class="error"><th>2</th><td>&lt;p&gt;<span class="specific">{{ obj.explode }}</span>&lt;/p&gt;</td></tr>',
      ),
    );
    const text = await (await fetch(`${server.url}/boom/`, { headers: { Accept: 'text/plain' } })).text();
    assert.ok(
      text.includes(
        `Template error:\nIn template ${project}/templates/boom.html, error at line 2\n   the getter failed\n  1 : <h1>Boom</h1>\n> 2 : <p>{{ obj.explode }}</p>`,
      ),
      text.slice(0, 1500),
    );
  });
});
