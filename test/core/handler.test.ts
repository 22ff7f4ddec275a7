// The request handler: getWsgiApplication(), the exception → response mapping, the middleware
// chain, the view checks and the error views. Requests go through the gateway (in-process) with
// the application wrapped in the gateway validator.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import { BaseHandler, checkResponse } from '../../src/core/handlers/base.ts';
import type { GetResponse } from 'tsgi/middleware';
import {
  BadRequest,
  MiddlewareNotUsed,
  PermissionDenied,
  SuspiciousOperation,
  TooManyFieldsSent,
} from '../../src/core/exceptions.ts';
import { Http404 } from '../../src/http/exceptions.ts';
import { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse, JsonResponse } from '../../src/http/response.ts';
import type { HttpResponseBase } from '../../src/http/response.ts';
import { path, reverse } from '../../src/urls/index.ts';
import { call, captureLogs, validated } from './helpers.ts';

const views = {
  hello: () => new HttpResponse('Hello, world!'),
  year: (_r: HttpRequest, { year }: { year: number }) => new JsonResponse({ year }),
  notFound: () => {
    throw new Http404('No article with that id.');
  },
  forbidden: () => {
    throw new PermissionDenied('Members only.');
  },
  suspicious: () => {
    throw new SuspiciousOperation('Tampered cookie.');
  },
  tooMany: () => {
    throw new TooManyFieldsSent('Too many fields.');
  },
  badRequest: () => {
    throw new BadRequest('Malformed query.');
  },
  boom: () => {
    throw new Error('boom: deliberate failure');
  },
  nothing: () => undefined,
  asyncNothing: async () => null,
  link: () => new HttpResponse(reverse('hello')),
  post: (request: HttpRequest) => new JsonResponse({ a: request.POST.get('a') }),
};

const urlconf = {
  urlpatterns: [
    path('hello/', views.hello, { name: 'hello' }),
    path('articles/<int:year>/', views.year),
    path('missing/', views.notFound),
    path('forbidden/', views.forbidden),
    path('suspicious/', views.suspicious),
    path('too-many/', views.tooMany),
    path('bad/', views.badRequest),
    path('boom/', views.boom),
    path('nothing/', views.nothing),
    path('async-nothing/', views.asyncNothing),
    path('link/', views.link),
    path('post/', views.post),
  ],
};

before(() => {
  settings.configure({
    ROOT_URLCONF: urlconf,
    ALLOWED_HOSTS: ['testserver'],
    SECRET_KEY: 'handler-test-secret',
    MIDDLEWARE: [],
  });
});

async function app(middleware: unknown[] = []) {
  const restore = overrideSettings({ MIDDLEWARE: middleware as never });
  try {
    const application = getWsgiApplication();
    await application.ready;
    return validated(application);
  } finally {
    restore();
  }
}

describe('getWsgiApplication()', () => {
  test('returns the application synchronously; ready settles when the chain is built', async () => {
    const application = getWsgiApplication();
    assert.equal(typeof application, 'function');
    assert.ok(application.ready instanceof Promise);
    await application.ready;
    const response = await call(await validated(application), { path: '/hello/' });
    assert.equal(response.status, '200 OK');
    assert.equal(response.text, 'Hello, world!');
  });

  test('a request that arrives before ready waits for the boot', async () => {
    const application = getWsgiApplication();
    const response = await call(application, { path: '/articles/2024/' });
    assert.deepEqual(response.json(), { year: 2024 });
  });

  test('a broken MIDDLEWARE entry rejects ready with the error', async () => {
    const restore = overrideSettings({ MIDDLEWARE: ['tsgi.middleware.security.NoSuchMiddleware'] });
    try {
      const application = getWsgiApplication();
      await assert.rejects(application.ready!, /NoSuchMiddleware/);
    } finally {
      restore();
    }
  });
});

describe('exceptions become responses', () => {
  test('Http404 → 404 with the plain page, logged as "Not Found: <path>"', async () => {
    const logs = captureLogs('tsgi.request');
    try {
      const response = await call(await app(), { path: '/missing/' });
      assert.equal(response.statusCode, 404);
      assert.equal(response.header('Content-Type'), 'text/html');
      assert.match(response.text, /<h1>Not Found<\/h1><p>The requested resource was not found on this server.<\/p>/);
      assert.doesNotMatch(response.text, /No article/);
      assert.deepEqual(
        logs.records.map((r) => [r.levelname, r.message]),
        [['WARNING', 'Not Found: /missing/']],
      );
    } finally {
      logs.stop();
    }
  });

  test('no matching URL → 404', async () => {
    const response = await call(await app(), { path: '/nowhere/' });
    assert.equal(response.statusCode, 404);
  });

  test('PermissionDenied → 403, logged with the path', async () => {
    const logs = captureLogs('tsgi.request');
    try {
      const response = await call(await app(), { path: '/forbidden/' });
      assert.equal(response.statusCode, 403);
      assert.match(response.text, /403 Forbidden/);
      assert.doesNotMatch(response.text, /Members only/);
      assert.deepEqual(
        logs.records.map((r) => r.message),
        ['Forbidden (Permission denied): /forbidden/'],
      );
    } finally {
      logs.stop();
    }
  });

  test('SuspiciousOperation → 400, logged to tsgi.security.<Name> only', async () => {
    const security = captureLogs('tsgi.security');
    const request = captureLogs('tsgi.request');
    try {
      const application = await app();
      const first = await call(application, { path: '/suspicious/' });
      const second = await call(application, { path: '/too-many/' });
      assert.equal(first.statusCode, 400);
      assert.equal(second.statusCode, 400);
      assert.match(first.text, /Bad Request \(400\)/);
      assert.deepEqual(
        security.records.map((r) => [r.name, r.levelname, r.message]),
        [
          ['tsgi.security.SuspiciousOperation', 'ERROR', 'Tampered cookie.'],
          ['tsgi.security.TooManyFieldsSent', 'ERROR', 'Too many fields.'],
        ],
      );
      assert.deepEqual(request.records, []);
    } finally {
      security.stop();
      request.stop();
    }
  });

  test('DisallowedHost → 400 logged to tsgi.security.DisallowedHost', async () => {
    const security = captureLogs('tsgi.security.DisallowedHost');
    try {
      const application = await app(['tsgi.middleware.common.CommonMiddleware']);
      const response = await call(application, { path: '/hello/', headers: { Host: 'evil.example' } });
      assert.equal(response.statusCode, 400);
      assert.equal(security.records.length, 1);
      assert.match(security.records[0]!.message, /evil\.example/);
    } finally {
      security.stop();
    }
  });

  test('BadRequest → 400, logged as "Bad request: <path>"', async () => {
    const logs = captureLogs('tsgi.request');
    try {
      const response = await call(await app(), { path: '/bad/' });
      assert.equal(response.statusCode, 400);
      assert.deepEqual(
        logs.records.map((r) => [r.levelname, r.message]),
        [['WARNING', 'Bad request: /bad/']],
      );
    } finally {
      logs.stop();
    }
  });

  test('any other error → 500, logged with the request and the error', async () => {
    const logs = captureLogs('tsgi.request');
    try {
      const response = await call(await app(), { path: '/boom/' });
      assert.equal(response.statusCode, 500);
      assert.match(response.text, /<h1>Server Error \(500\)<\/h1><p><\/p>/);
      assert.doesNotMatch(response.text, /deliberate/);
      assert.equal(logs.records.length, 1);
      const record = logs.records[0]!;
      assert.equal(record.levelname, 'ERROR');
      assert.equal(record.message, 'Internal Server Error: /boom/');
      assert.equal((record.error as Error).message, 'boom: deliberate failure');
      assert.ok(record.extra.request instanceof HttpRequest);
      assert.equal(record.extra.status_code, 500);
    } finally {
      logs.stop();
    }
  });

  test('a view that returns nothing → 500 naming the view', async () => {
    const logs = captureLogs('tsgi.request');
    try {
      const application = await app();
      assert.equal((await call(application, { path: '/nothing/' })).statusCode, 500);
      assert.equal((await call(application, { path: '/async-nothing/' })).statusCode, 500);
      assert.deepEqual(
        logs.records.map((r) => (r.error as Error).message),
        [
          "The view nothing didn't return an HttpResponse object. It returned undefined instead.",
          "The view asyncNothing didn't return an HttpResponse object. It returned null instead.",
        ],
      );
    } finally {
      logs.stop();
    }
  });

  test('DEBUG_PROPAGATE_EXCEPTIONS hands the error to the server', async () => {
    const application = await app();
    const restore = overrideSettings({ DEBUG_PROPAGATE_EXCEPTIONS: true });
    try {
      const response = await call(application, { path: '/boom/' });
      assert.equal(response.statusCode, 500);
      assert.match(response.errors, /boom: deliberate failure/);
    } finally {
      restore();
    }
  });
});

describe('checkResponse()', () => {
  test('names the view by its function name when its module was not loaded by dotted name', () => {
    assert.throws(() => checkResponse(undefined, views.hello), {
      message: "The view hello didn't return an HttpResponse object. It returned undefined instead.",
    });
    assert.throws(() => checkResponse('text', views.hello), {
      message: 'The view hello didn\'t return an HttpResponse object. It returned a string ("text") instead.',
    });
  });
});

describe('the middleware chain', () => {
  test('a factory and a class, in order: the first entry is the outermost', async () => {
    const order: string[] = [];
    const factory = (getResponse: GetResponse) => async (request: HttpRequest) => {
      order.push('factory in');
      const response = await getResponse(request);
      order.push('factory out');
      return response;
    };
    class Klass {
      getResponse: GetResponse;
      constructor(getResponse: GetResponse) {
        this.getResponse = getResponse;
      }
      async call(request: HttpRequest) {
        order.push('class in');
        const response = await this.getResponse(request);
        order.push('class out');
        return response;
      }
    }
    const response = await call(await app([factory, Klass]), { path: '/hello/' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(order, ['factory in', 'class in', 'class out', 'factory out']);
  });

  test('a factory returning nothing is ImproperlyConfigured', () => {
    function emptyFactory() {
      return undefined;
    }
    const handler = new BaseHandler();
    assert.throws(() => handler.loadMiddleware([emptyFactory]), {
      name: 'ImproperlyConfigured',
      message: 'Middleware factory emptyFactory returned undefined. It must return the handler (request) => response.',
    });
    assert.throws(() => handler.loadMiddleware(['tsgi.middleware.csrf.CSRF_SECRET_LENGTH']), {
      name: 'ImproperlyConfigured',
      message:
        'The middleware tsgi.middleware.csrf.CSRF_SECRET_LENGTH is not a function or a class (got the number 32). A MIDDLEWARE entry must name a factory (getResponse) => handler or a class.',
    });
    assert.throws(() => handler.loadMiddleware('x' as never), {
      message: 'The MIDDLEWARE setting must be a list, got a string ("x").',
    });
  });

  test('a class without call() is ImproperlyConfigured', () => {
    class NoCall {}
    assert.throws(() => new BaseHandler().loadMiddleware([NoCall]), {
      message: 'The middleware class NoCall has no call(request) method. Add one that returns the response.',
    });
  });

  test('MiddlewareNotUsed leaves the middleware out', async () => {
    const skipped = () => {
      throw new MiddlewareNotUsed('not needed here');
    };
    const response = await call(await app([skipped]), { path: '/hello/' });
    assert.equal(response.statusCode, 200);
  });

  test('an exception in an inner layer is a response before the outer layer sees it', async () => {
    const seen: Array<number | string> = [];
    const outer = (getResponse: GetResponse) => async (request: HttpRequest) => {
      try {
        const response = await getResponse(request);
        seen.push(response.statusCode);
        return response;
      } catch (error) {
        seen.push(`caught ${(error as Error).message}`);
        throw error;
      }
    };
    const inner = () => () => {
      throw new Http404('inner says no');
    };
    const response = await call(await app([outer, inner]), { path: '/hello/' });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(seen, [404]);
  });

  test('a class layer: its throw or rejection is a response there; its hooks run with the instance as this', async () => {
    const seen: unknown[] = [];
    class Outer {
      getResponse: GetResponse;
      constructor(getResponse: GetResponse) {
        this.getResponse = getResponse;
      }
      call(request: HttpRequest) {
        const response = this.getResponse(request);
        if (response instanceof Promise) return response.then((r) => (seen.push(['async', r.statusCode]), r));
        seen.push(['sync', response.statusCode]);
        return response;
      }
    }
    let instances = 0;
    class Inner {
      getResponse: GetResponse;
      label: string;
      constructor(getResponse: GetResponse) {
        this.getResponse = getResponse;
        this.label = `inner ${++instances}`;
      }
      call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
        if (request.pathInfo === '/articles/1/') throw new Http404('thrown');
        if (request.pathInfo === '/articles/2/') return Promise.reject(new Http404('rejected'));
        return this.getResponse(request);
      }
      processView(_request: HttpRequest, view: unknown) {
        seen.push([this.label, (view as { name: string }).name]);
      }
    }
    const application = await app([Outer, Inner]);
    assert.equal((await call(application, { path: '/articles/1/' })).statusCode, 404);
    assert.equal((await call(application, { path: '/articles/2/' })).statusCode, 404);
    assert.equal((await call(application, { path: '/hello/' })).statusCode, 200);
    // A throw is answered by the (asynchronous) exception response, as a rejection is.
    assert.deepEqual(seen, [
      ['async', 404],
      ['async', 404],
      ['inner 1', 'hello'],
      ['sync', 200],
    ]);
  });

  test('processView can answer instead of the view, and sees the view and its arguments', async () => {
    const calls: unknown[] = [];
    const mw = (getResponse: GetResponse) =>
      Object.assign((request: HttpRequest) => getResponse(request), {
        processView: (
          _request: HttpRequest,
          view: unknown,
          args: readonly unknown[],
          kwargs: Readonly<Record<string, unknown>>,
        ) => {
          calls.push([(view as { name: string }).name, args, kwargs]);
          return kwargs.year === 1999 ? new HttpResponse('from processView') : undefined;
        },
      });
    const application = await app([mw]);
    assert.equal((await call(application, { path: '/articles/1999/' })).text, 'from processView');
    assert.deepEqual((await call(application, { path: '/articles/2024/' })).json(), { year: 2024 });
    assert.deepEqual(calls, [
      ['year', [], { year: 1999 }],
      ['year', [], { year: 2024 }],
    ]);
  });

  test('processException turns a view error into a response; the first answer wins', async () => {
    const hooks: string[] = [];
    const make = (name: string, answer: boolean) => (getResponse: GetResponse) =>
      Object.assign((request: HttpRequest) => getResponse(request), {
        processException: (_request: HttpRequest, error: unknown) => {
          hooks.push(name);
          return answer ? new HttpResponse(`${name}: ${(error as Error).message}`, { status: 503 }) : null;
        },
      });
    // Exception middleware runs innermost first, as Django's.
    const response = await call(await app([make('outer', true), make('inner', false)]), { path: '/boom/' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.text, 'outer: boom: deliberate failure');
    assert.deepEqual(hooks, ['inner', 'outer']);
  });

  test('processTemplateResponse runs for responses with render(), which the handler then renders', async () => {
    class Renderable extends HttpResponse {
      rendered = false;
      render() {
        this.rendered = true;
        this.content = `rendered ${this.get('X-Hook') ?? ''}`;
        return this;
      }
    }
    const restore = overrideSettings({ ROOT_URLCONF: { urlpatterns: [path('t/', () => new Renderable('raw'))] } });
    try {
      const hook = (getResponse: GetResponse) =>
        Object.assign((request: HttpRequest) => getResponse(request), {
          processTemplateResponse: (_request: HttpRequest, response: HttpResponseBase) => {
            response.set('X-Hook', 'yes');
            return response;
          },
        });
      function badHook(getResponse: GetResponse) {
        return Object.assign((request: HttpRequest) => getResponse(request), {
          processTemplateResponse: () => undefined as never,
        });
      }
      assert.equal((await call(await app([hook]), { path: '/t/' })).text, 'rendered yes');
      const logs = captureLogs('tsgi.request');
      try {
        assert.equal((await call(await app([badHook]), { path: '/t/' })).statusCode, 500);
        assert.equal(
          (logs.records[0]!.error as Error).message,
          "badHook.processTemplateResponse didn't return an HttpResponse object. It returned undefined instead.",
        );
      } finally {
        logs.stop();
      }
    } finally {
      restore();
    }
  });
});

describe('error views', () => {
  test('handler404/403/400/500 from the root URLconf answer', async () => {
    const restore = overrideSettings({
      ROOT_URLCONF: {
        urlpatterns: urlconf.urlpatterns,
        handler404: (request: HttpRequest, error: Error) =>
          new HttpResponse(`custom 404 ${request.path} ${error.message}`, { status: 404 }),
        handler403: (_r: HttpRequest, error: Error) => new HttpResponse(`custom 403 ${error.message}`, { status: 403 }),
        handler400: () => new HttpResponse('custom 400', { status: 400 }),
        handler500: (request: HttpRequest, ...rest: unknown[]) =>
          new HttpResponse(`custom 500 ${request.path} ${rest.length}`, { status: 500 }),
      },
    });
    try {
      const application = await app();
      assert.equal(
        (await call(application, { path: '/missing/' })).text,
        'custom 404 /missing/ No article with that id.',
      );
      assert.equal((await call(application, { path: '/forbidden/' })).text, 'custom 403 Members only.');
      assert.equal((await call(application, { path: '/bad/' })).text, 'custom 400');
      assert.equal((await call(application, { path: '/boom/' })).text, 'custom 500 /boom/ 0');
    } finally {
      restore();
    }
  });

  test('a failing handler404 gives the 500 page; a failing handler500 the plain one', async () => {
    const restore = overrideSettings({
      ROOT_URLCONF: {
        urlpatterns: urlconf.urlpatterns,
        handler404: () => {
          throw new Error('handler404 broke');
        },
        handler500: () => {
          throw new Error('handler500 broke');
        },
      },
    });
    const logs = captureLogs('tsgi.request');
    try {
      const application = await app();
      const response = await call(application, { path: '/missing/' });
      assert.equal(response.statusCode, 500);
      assert.match(response.text, /Server Error \(500\)/);
      assert.ok(
        logs.records.some(
          (r) => r.message === 'The handler500 view failed while answering /missing/: handler500 broke',
        ),
      );
    } finally {
      logs.stop();
      restore();
    }
  });
});

describe('DEBUG pages', () => {
  test('the technical 404 lists the patterns tried', async () => {
    const application = await app();
    const restore = overrideSettings({ DEBUG: true });
    try {
      const response = await call(application, { path: '/nowhere/' });
      assert.equal(response.statusCode, 404);
      assert.equal(response.header('Content-Type'), 'text/html; charset=utf-8');
      assert.match(response.text, /Page not found <span>\(404\)<\/span>/);
      assert.match(response.text, /<li>hello\/ \[name=&#x27;hello&#x27;\]<\/li>/);
      assert.match(response.text, /<li>articles\/&lt;int:year&gt;\/<\/li>/);
      assert.match(response.text, /The current path, nowhere\/, didn&#x27;t match any of these./);
      const plain = await call(application, { path: '/nowhere/', headers: { Accept: 'application/json' } });
      assert.match(plain.text, /^Page not found \(404\)\n/);
      assert.match(plain.text, /\n1\. hello\/ \[name='hello'\]\n/);
      const raised = await call(application, { path: '/missing/' });
      assert.match(raised.text, /No article with that id\./);
      assert.match(raised.text, /Raised by:/);
    } finally {
      restore();
    }
  });

  test('the technical 500 shows the error, stack and request, and masks secrets', async () => {
    const application = await app();
    const restore = overrideSettings({
      DEBUG: true,
      SECRET_KEY: 'very-secret-value',
      API_URL: 'https://api',
      DATABASES: { default: { NAME: 'db', PASSWORD: 'hunter2' } },
      MY_TOKEN: 't0k3n',
      STRIPE_SIGNATURE: 'sig',
      AUTH_BACKEND: 'x',
      SESSION_COOKIE_NAME: 'sid',
      PLAIN_SETTING: 'shown-value',
    } as never);
    try {
      const response = await call(application, {
        path: '/boom/?q=1',
        headers: { Cookie: 'sessionid=abc', Authorization: 'Bearer xyz' },
      });
      assert.equal(response.statusCode, 500);
      assert.match(response.text, /<h1>Error at \/boom\/<\/h1>/);
      assert.match(response.text, /boom: deliberate failure/);
      assert.match(response.text, /at boom \(|views\.boom|handler\.test\.ts/);
      assert.match(response.text, /shown-value/);
      for (const secret of [
        'very-secret-value',
        'https://api',
        'hunter2',
        't0k3n',
        '>sig<',
        'Bearer xyz',
        'sessionid=abc',
        '"x"',
      ]) {
        assert.ok(!response.text.includes(secret), `${secret} leaked`);
      }
      assert.match(response.text, /<td>SECRET_KEY<\/td><td><pre>\*{20}<\/pre>/);
      assert.match(response.text, /PASSWORD&quot;:&quot;\*{20}/);
      assert.match(response.text, /<td>HTTP_COOKIE<\/td><td><pre>\*{20}/);
      const bad = await call(application, { path: '/bad/' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.text, /BadRequest at \/bad\//);
    } finally {
      restore();
    }
  });

  test('APPEND_SLASH for a POST in DEBUG is an error explaining the fix', async () => {
    const application = await app(['tsgi.middleware.common.CommonMiddleware']);
    const restore = overrideSettings({ DEBUG: true });
    try {
      const response = await call(application, {
        path: '/post',
        method: 'POST',
        body: 'a=1',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(response.statusCode, 500);
      assert.match(response.text, /RuntimeError at \/post/);
      assert.ok(
        response.text.includes(
          'You called this URL via POST, but the URL doesn&#x27;t end in a slash and you have APPEND_SLASH set. tsgi can&#x27;t redirect to the slash URL while maintaining POST data. Change your form to point to testserver/post/ (note the trailing slash), or set APPEND_SLASH = false in your settings.',
        ),
      );
    } finally {
      restore();
    }
  });

  test('APPEND_SLASH for PUT and PATCH in DEBUG is the same error; GET is redirected', async () => {
    const application = await app(['tsgi.middleware.common.CommonMiddleware']);
    const restore = overrideSettings({ DEBUG: true });
    try {
      for (const method of ['PUT', 'PATCH']) {
        const response = await call(application, {
          path: '/post',
          method,
          body: 'a=1',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(response.statusCode, 500, method);
        assert.ok(
          response.text.includes(`You called this URL via ${method}, but the URL doesn&#x27;t end in a slash`),
          method,
        );
      }
      const get = await call(application, { path: '/post' });
      assert.equal(get.statusCode, 301);
      assert.equal(get.headers.find(([name]) => name.toLowerCase() === 'location')?.[1], '/post/');
    } finally {
      restore();
    }
  });
});

describe('script prefix', () => {
  test('reverse() builds URLs under SCRIPT_NAME, and FORCE_SCRIPT_NAME wins', async () => {
    const application = await app();
    assert.equal((await call(application, { path: '/mount/link/', scriptName: '/mount' })).text, '/mount/hello/');
    assert.equal((await call(application, { path: '/link/' })).text, '/hello/');
    const restore = overrideSettings({ FORCE_SCRIPT_NAME: '/forced' });
    try {
      assert.equal((await call(application, { path: '/mount/link/', scriptName: '/mount' })).text, '/forced/hello/');
    } finally {
      restore();
    }
  });
});
