import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import {
  render,
  TemplateResponse,
  ContentNotRenderedError,
  renderErrorTemplate,
  getEngine,
  TemplateSyntaxError,
} from '../../src/template/index.ts';
import { TemplateView } from '../../src/views/index.ts';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';
import { HttpResponse } from '../../src/http/response.ts';
import { HttpRequest } from '../../src/http/request.ts';

const project = path.resolve(import.meta.dirname, '../fixtures/static-project');
setProjectRoot(project);
settings.configure({
  INSTALLED_APPS: ['app1'],
  STATIC_URL: '/static/',
  MEDIA_URL: '/media/',
  INTERNAL_IPS: ['127.0.0.1'],
  TEMPLATES: [
    {
      BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
      DIRS: [path.join(project, 'templates')],
      APP_DIRS: true,
      OPTIONS: {
        contextProcessors: [
          'tsgi.template.context-processors.request',
          'tsgi.template.context-processors.debug',
          'tsgi.template.context-processors.csrf',
          'tsgi.template.context-processors.static',
          'tsgi.template.context-processors.media',
        ],
      },
    },
  ],
});

function makeRequest(method = 'GET', remoteAddr = '127.0.0.1'): HttpRequest {
  const request = new HttpRequest();
  request.method = method;
  request.path = '/x';
  request.pathInfo = '/x';
  request.META = { REMOTE_ADDR: remoteAddr };
  return request;
}
const request = makeRequest();

describe('render()', () => {
  test('returns an HttpResponse with the page, status and content type', async () => {
    const response = await render(
      request,
      'app1/hello.html',
      { word: '<hi>' },
      { status: 201, contentType: 'text/plain; charset=utf-8' },
    );
    assert.ok(response instanceof HttpResponse);
    assert.equal(response.statusCode, 201);
    assert.equal(response.headers.get('Content-Type'), 'text/plain; charset=utf-8');
    assert.equal(response.text, '<p>app1 says &lt;hi&gt;</p>\n');
  });

  test('context processors add request, STATIC_URL, MEDIA_URL, debug (for INTERNAL_IPS when DEBUG)', async () => {
    const engine = getEngine();
    const t = engine.fromString(
      '{{ request.path }}|{{ STATIC_URL }}|{{ MEDIA_URL }}|{{ debug }}|{{ csrf_token|length }}',
    );
    assert.equal(await t.render({}, request), '/x|/static/|/media/||64');
    {
      using _r = overrideSettings({ DEBUG: true });
      assert.equal(await t.render({}, request), '/x|/static/|/media/|True|64');
      assert.equal(await t.render({}, makeRequest('GET', '10.0.0.1')), '/x|/static/|/media/||64');
    }
    // The view's context wins over the processors; without a request no processor runs.
    assert.equal(await t.render({ STATIC_URL: 'mine' }, request), '/x|mine|/media/||64');
    assert.equal(await t.render({}), '||||0');
    // The token is the CSRF middleware's (masked, 64 characters), the same one {% csrf_token %} prints.
    const form = await engine.fromString('{% csrf_token %}').render({}, request);
    assert.match(form, /^<input type="hidden" name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}">$/);
  });

  test('a bad context processor is a clear configuration error', async () => {
    using _r = overrideSettings({
      TEMPLATES: [
        {
          BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
          DIRS: [path.join(project, 'templates')],
          OPTIONS: { contextProcessors: ['tsgi.template.context-processors.nope'] },
        },
      ],
    });
    await assert.rejects(
      render(request, 'base.html'),
      /Module 'tsgi\.template\.context-processors' does not define a 'nope' attribute\./,
    );
  });
});

describe('TemplateResponse', () => {
  test('renders late: the template and context can change until render()', async () => {
    const response = new TemplateResponse(request, 'app1/hello.html', { word: 'one' });
    assert.equal(response.isRendered, false);
    assert.throws(
      () => response.content,
      (e: unknown) =>
        e instanceof ContentNotRenderedError &&
        e.message ===
          'The response content must be rendered before it can be accessed. Call and await response.render() first.',
    );
    assert.throws(() => [...response], ContentNotRenderedError);
    response.contextData.word = 'two';
    const seen: string[] = [];
    response.addPostRenderCallback((r) => seen.push(r.text));
    assert.equal(await response.render(), response);
    assert.equal(response.isRendered, true);
    assert.equal(response.text, '<p>app1 says two</p>\n');
    assert.deepEqual(seen, ['<p>app1 says two</p>\n']);
    // Rendering again changes nothing.
    response.contextData.word = 'three';
    await response.render();
    assert.equal(response.text, '<p>app1 says two</p>\n');
  });

  test('a list of names uses the first that exists; setting content marks it rendered', async () => {
    const response = new TemplateResponse(request, ['missing.html', 'app1/hello.html'], { word: 'x' }, { status: 418 });
    await response.render();
    assert.equal(response.statusCode, 418);
    assert.equal(response.text, '<p>app1 says x</p>\n');
    const direct = new TemplateResponse(request, 'app1/hello.html');
    direct.content = 'set by hand';
    assert.equal(direct.isRendered, true);
    assert.equal(direct.text, 'set by hand');
  });

  test('a post-render callback may replace the response', async () => {
    const response = new TemplateResponse(request, 'app1/hello.html');
    const other = new HttpResponse('other');
    response.addPostRenderCallback(() => other);
    assert.equal(await response.render(), other);
  });
});

describe('TemplateView', () => {
  test('renders its template with the URL kwargs, the view and extraContext', async () => {
    class Hello extends TemplateView {
      override templateName = 'app1/hello.html';
      override async getContextData(kwargs: Record<string, unknown>) {
        return { ...(await super.getContextData(kwargs)), word: `${kwargs.word}!` };
      }
    }
    const view = Hello.asView();
    const response = (await view(request, { word: 'hey' })) as TemplateResponse;
    assert.ok(response instanceof TemplateResponse);
    assert.equal(response.isRendered, false);
    assert.ok(response.contextData.view instanceof Hello);
    await response.render();
    assert.equal(response.text, '<p>app1 says hey!</p>\n');

    const configured = TemplateView.asView({ templateName: 'app1/hello.html', extraContext: { word: 'extra' } });
    const r2 = (await configured(request, {})) as TemplateResponse;
    await r2.render();
    assert.equal(r2.text, '<p>app1 says extra</p>\n');
  });

  test('other methods get 405; OPTIONS lists what is allowed', async () => {
    const view = TemplateView.asView({ templateName: 'app1/hello.html' });
    const post = await view(makeRequest('POST'), {});
    assert.equal(post.statusCode, 405);
    assert.equal(post.headers.get('Allow'), 'GET, HEAD, OPTIONS');
    const options = await view(makeRequest('OPTIONS'), {});
    assert.equal(options.statusCode, 200);
    assert.equal(options.headers.get('Allow'), 'GET, HEAD, OPTIONS');
  });

  test('mistakes are named', async () => {
    await assert.rejects(
      TemplateView.asView()(request, {}),
      (e: unknown) =>
        e instanceof ImproperlyConfigured &&
        e.message ===
          "TemplateView requires either a definition of 'templateName' or an implementation of 'getTemplateNames()'.",
    );
    assert.throws(
      () => TemplateView.asView({ tempalteName: 'x' }),
      /TemplateView\.asView\(\) received an invalid keyword 'tempalteName'/,
    );
    assert.throws(() => TemplateView.asView({ get: 'x' } as never), /The method name get is not accepted/);
  });
});

describe('error page templates', () => {
  test('<status>.html replaces the plain page; none when missing', async () => {
    assert.equal(await renderErrorTemplate(404, request), '<p>project override</p>\n');
    assert.equal(await renderErrorTemplate(403, request), undefined);
  });
  test('a broken error template is not hidden', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-errpages-'));
    try {
      writeFileSync(path.join(dir, '500.html'), '{% if %}');
      using _r = overrideSettings({
        TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', DIRS: [dir] }],
      });
      await assert.rejects(
        renderErrorTemplate(500, request),
        (e: unknown) => e instanceof TemplateSyntaxError && e.file === path.join(dir, '500.html'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
