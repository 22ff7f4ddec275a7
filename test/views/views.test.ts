// Class-based views, RedirectView and the method decorators, as Django's documented behaviour.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse } from '../../src/http/response.ts';
import type { HttpResponseBase } from '../../src/http/response.ts';
import { path, rePath, resolve } from '../../src/urls/index.ts';
import {
  View,
  RedirectView,
  requireHttpMethods,
  requireGET,
  requirePOST,
  requireSafe,
  noAppendSlash,
} from '../../src/views/index.ts';
import type { FunctionView } from '../../src/views/index.ts';
import { getLogger } from '../../src/utils/log.ts';
import type { LogRecord } from '../../src/utils/log.ts';

/** Collects what the tsgi.request logger records while `fn` runs. */
async function logged(fn: () => unknown): Promise<Array<[string, string, unknown]>> {
  const records: LogRecord[] = [];
  const handler = { level: 0, handle: (r: LogRecord) => records.push(r) };
  const logger = getLogger('tsgi.request');
  logger.addHandler(handler);
  try {
    await fn();
  } finally {
    logger.removeHandler(handler);
  }
  return records.map((r) => [r.levelname, r.message, r.extra.statusCode]);
}

function request(method: string, pathInfo = '/', query = ''): HttpRequest {
  const r = new HttpRequest();
  r.method = method;
  r.path = pathInfo;
  r.pathInfo = pathInfo;
  r.META = { REQUEST_METHOD: method, PATH_INFO: pathInfo, QUERY_STRING: query };
  return r;
}

const text = (r: HttpResponseBase) => (r as HttpResponse).text;

class ArticleView extends View {
  greeting = 'hello';
  get(_request: HttpRequest, kwargs: { pk?: number }) {
    return new HttpResponse(`${this.greeting} get ${JSON.stringify(kwargs)} ${JSON.stringify(this.kwargs)}`);
  }
  post() {
    return new HttpResponse('post');
  }
}

class PostOnly extends View {
  async post(_request: HttpRequest, ...args: unknown[]) {
    return new HttpResponse(`post ${JSON.stringify(args)} ${JSON.stringify(this.args)}`);
  }
}

describe('View', () => {
  const view = ArticleView.asView();
  const cases: Array<[string, number, string | null, string | undefined]> = [
    ['GET', 200, 'hello get {} {}', undefined],
    ['POST', 200, 'post', undefined],
    // HEAD is served by get() when the view has no head().
    ['HEAD', 200, 'hello get {} {}', undefined],
    ['PUT', 405, '', 'GET, POST, HEAD, OPTIONS'],
    ['DELETE', 405, '', 'GET, POST, HEAD, OPTIONS'],
    ['BREW', 405, '', 'GET, POST, HEAD, OPTIONS'],
    ['OPTIONS', 200, '', 'GET, POST, HEAD, OPTIONS'],
  ];
  for (const [method, status, body, allow] of cases) {
    test(`${method} → ${status}`, async () => {
      const response = await view(request(method));
      assert.equal(response.statusCode, status);
      if (body !== null) assert.equal(text(response), body);
      assert.equal(response.headers.get('Allow') ?? undefined, allow);
      if (method === 'OPTIONS') assert.equal(response.headers.get('Content-Length'), '0');
    });
  }

  test('a view with only post() allows POST and OPTIONS', async () => {
    const response = await PostOnly.asView()(request('GET'));
    assert.equal(response.statusCode, 405);
    assert.equal(response.headers.get('Allow'), 'POST, OPTIONS');
  });

  test('initkwargs set attributes of each instance', async () => {
    const response = await ArticleView.asView({ greeting: 'hi' })(request('GET'));
    assert.equal(text(response), 'hi get {} {}');
  });

  test('asView refuses a method name or an unknown attribute', () => {
    assert.throws(() => ArticleView.asView({ get: 1 }), {
      name: 'TypeError',
      message:
        'The method name get is not accepted as a keyword argument to ArticleView.asView(). Define get() as a method of ArticleView instead.',
    });
    assert.throws(() => ArticleView.asView({ colour: 'red' }), {
      name: 'TypeError',
      message:
        "ArticleView.asView() received an invalid keyword 'colour'. asView only accepts arguments that are already attributes of the class; declare 'colour' as a field of ArticleView first.",
    });
  });

  test('a setup() that forgets super.setup() is reported', async () => {
    class Broken extends View {
      override setup() {}
      get() {
        return new HttpResponse('x');
      }
    }
    await assert.rejects(Broken.asView()(request('GET')), {
      name: 'TypeError',
      message: "Broken instance has no 'request' attribute. Did you override setup() and forget to call super.setup()?",
    });
  });

  test('the view function carries viewClass and viewInitkwargs, and its name', () => {
    const v = ArticleView.asView({ greeting: 'x' });
    assert.equal(v.viewClass, ArticleView);
    assert.deepEqual(v.viewInitkwargs, { greeting: 'x' });
    assert.equal(v.name, 'ArticleView');
  });

  test('through the URL dispatcher: kwargs as one object, positional args spread', async () => {
    const conf = [
      path('a/<int:pk>/', ArticleView.asView(), { name: 'article' }),
      rePath('^p/([0-9]+)/([a-z]+)/$', PostOnly.asView()),
    ];
    const m1 = resolve('/a/5/', conf);
    assert.equal(m1.viewName, 'article');
    assert.equal(text(await (m1.callView(request('GET')) as Promise<HttpResponseBase>)), 'hello get {"pk":5} {"pk":5}');
    const m2 = resolve('/p/1/x/', conf);
    assert.equal(m2.viewName, 'PostOnly');
    assert.equal(text(await (m2.callView(request('POST')) as Promise<HttpResponseBase>)), 'post ["1","x"] ["1","x"]');
  });
});

describe('RedirectView', () => {
  const conf = { urlpatterns: [path('articles/<int:pk>/', () => new HttpResponse(), { name: 'article' })] };
  const cases: Array<[string, Record<string, unknown>, string, unknown[], string, number, string | null]> = [
    ['a fixed url', { url: '/new/' }, 'GET', [{}], '', 302, '/new/'],
    ['permanent', { url: '/new/', permanent: true }, 'GET', [{}], '', 301, '/new/'],
    ['%(name)s filled from kwargs', { url: '/new/%(pk)s/%%' }, 'GET', [{ pk: 3 }], '', 302, '/new/3/%'],
    ['the query string kept', { url: '/new/', queryString: true }, 'GET', [{}], 'a=1&b=2', 302, '/new/?a=1&b=2'],
    ['the query string dropped by default', { url: '/new/' }, 'GET', [{}], 'a=1', 302, '/new/'],
    ['a pattern name with kwargs', { patternName: 'article' }, 'GET', [{ pk: 7 }], '', 302, '/articles/7/'],
    ['a pattern name with args', { patternName: 'article' }, 'GET', [7], '', 302, '/articles/7/'],
    ['no target: 410 Gone', {}, 'GET', [{}], '', 410, null],
    ['POST redirects too', { url: '/new/' }, 'POST', [{}], '', 302, '/new/'],
    ['OPTIONS redirects too', { url: '/new/' }, 'OPTIONS', [{}], '', 302, '/new/'],
    ['HEAD redirects too', { url: '/new/' }, 'HEAD', [{}], '', 302, '/new/'],
    ['DELETE redirects too', { url: '/new/' }, 'DELETE', [{}], '', 302, '/new/'],
  ];
  for (const [what, init, method, rest, qs, status, location] of cases) {
    test(what, async () => {
      const { overrideSettings, settings } = await import('../../src/conf/index.ts');
      if (!settings.configured) settings.configure({ ROOT_URLCONF: conf });
      const restore = overrideSettings({ ROOT_URLCONF: conf });
      try {
        const response = await RedirectView.asView(init)(request(method, '/old/', qs), ...rest);
        assert.equal(response.statusCode, status);
        assert.equal(response.headers.get('Location') ?? null, location);
      } finally {
        restore();
      }
    });
  }

  test('a %(name)s the pattern did not capture is a clear error', async () => {
    await assert.rejects(RedirectView.asView({ url: '/x/%(slug)s/' })(request('GET'), {}), {
      name: 'TypeError',
      message:
        "RedirectView url '/x/%(slug)s/' refers to %(slug)s, but the URL pattern captured no 'slug'. Capture it in the pattern or remove it from the url.",
    });
  });
});

describe('logging, as Django logs to django.request', () => {
  test('405 from a class-based view and from a decorator, 410 from RedirectView', async () => {
    assert.deepEqual(await logged(() => ArticleView.asView()(request('PUT', '/a/'))), [
      ['WARNING', 'Method Not Allowed (PUT): /a/', 405],
    ]);
    assert.deepEqual(await logged(() => requirePOST(() => new HttpResponse())(request('GET', '/v/'))), [
      ['WARNING', 'Method Not Allowed (GET): /v/', 405],
    ]);
    assert.deepEqual(await logged(() => RedirectView.asView()(request('GET', '/gone/'), {})), [
      ['WARNING', 'Gone: /gone/', 410],
    ]);
  });
});

describe('method decorators', () => {
  const base = (_request: HttpRequest, kwargs: Record<string, unknown>) =>
    new HttpResponse(`ok ${JSON.stringify(kwargs)}`);
  const cases: Array<
    [string, (v: typeof base) => FunctionView<[Record<string, unknown>]>, string, number, string | null]
  > = [
    ['requireGET allows GET', requireGET, 'GET', 200, null],
    ['requireGET refuses HEAD', requireGET, 'HEAD', 405, 'GET'],
    ['requirePOST refuses GET', requirePOST, 'GET', 405, 'POST'],
    ['requirePOST allows POST', requirePOST, 'POST', 200, null],
    ['requireSafe allows HEAD', requireSafe, 'HEAD', 200, null],
    ['requireSafe refuses POST', requireSafe, 'POST', 405, 'GET, HEAD'],
    ['requireHttpMethods lists its methods', requireHttpMethods(['PUT', 'PATCH']), 'GET', 405, 'PUT, PATCH'],
    ['requireHttpMethods allows a listed method', requireHttpMethods(['PUT', 'PATCH']), 'PATCH', 200, null],
  ];
  for (const [what, decorator, method, status, allow] of cases) {
    test(what, async () => {
      const response = await decorator(base)(request(method), { a: 1 });
      assert.equal(response.statusCode, status);
      assert.equal(response.headers.get('Allow') ?? null, allow);
      if (status === 200) assert.equal(text(response), 'ok {"a":1}');
    });
  }

  test('requireHttpMethods refuses lower-case names', () => {
    assert.throws(() => requireHttpMethods(['get']), {
      name: 'TypeError',
      message: `requireHttpMethods() takes a list of upper-case method names such as ['GET', 'POST'], got ["get"].`,
    });
  });

  test('decorated views keep their name and markers', () => {
    function articleList() {
      return new HttpResponse();
    }
    const marked = Object.assign(articleList, { csrfExempt: true });
    const decorated = requirePOST(marked);
    assert.equal(decorated.name, 'articleList');
    assert.equal((decorated as unknown as { csrfExempt: boolean }).csrfExempt, true);
    assert.equal(resolve('/x/', [path('x/', decorated)]).viewName, 'articleList');
  });

  test('noAppendSlash marks the view for CommonMiddleware', async () => {
    const v = noAppendSlash(base);
    assert.equal(v.shouldAppendSlash, false);
    assert.equal(v.name, 'base');
    assert.equal(text(await v(request('GET'), { b: 2 })), 'ok {"b":2}');
  });
});
