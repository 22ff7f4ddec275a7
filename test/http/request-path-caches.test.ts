// The request path keeps settings, checked header values and known Host values in plain
// variables (docs/performance.md, "## Framework"). These tests check that every such cache
// follows the settings as the proxy would: overrides, their restore, assignment, lists changed
// in place; and that the shortcuts (a synchronous chain, closers run without awaiting) keep the
// semantics of the long way.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { fromSettings, overrideSettings, settings } from '../../src/conf/index.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import type { GetResponse } from '../../src/middleware/index.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { loadedRequest } from './helpers.ts';
import { HttpResponse } from '../../src/http/response.ts';
import type { HttpResponseBase } from '../../src/http/response.ts';
import { ResponseHeaders } from '../../src/http/headers.ts';
import { path } from '../../src/urls/index.ts';
import type { Environ } from '../../src/gateway/types.ts';
import { call, validated } from '../core/helpers.ts';

const views = {
  hello: () => new HttpResponse('Hello, world!'),
  latin: () => new HttpResponse('caf\u00e9'),
};
const urlconf = { urlpatterns: [path('hello/', views.hello), path('latin/', views.latin)] };

before(() => {
  settings.configure({ ALLOWED_HOSTS: ['testserver'], ROOT_URLCONF: urlconf, SECRET_KEY: 'test' });
});

function requestFor(host: string): Promise<HttpRequest> {
  return loadedRequest({
    REQUEST_METHOD: 'GET',
    PATH_INFO: '/',
    SCRIPT_NAME: '',
    QUERY_STRING: '',
    SERVER_NAME: host,
    SERVER_PORT: '80',
    HTTP_HOST: host,
    'wsgi.url_scheme': 'http',
  } as unknown as Environ);
}

describe('fromSettings', () => {
  test('recomputes after an override, its restore and an assignment; not before', () => {
    let computed = 0;
    const appendSlash = fromSettings(() => {
      computed++;
      return settings.APPEND_SLASH;
    });
    assert.equal(appendSlash(), true);
    assert.equal(appendSlash(), true);
    assert.equal(computed, 1);
    const restore = overrideSettings({ APPEND_SLASH: false });
    assert.equal(appendSlash(), false);
    restore();
    assert.equal(appendSlash(), true);
    settings.PREPEND_WWW = false; // any change moves the generation
    assert.equal(appendSlash(), true);
    assert.equal(computed, 4);
  });

  test('keeps nothing when the computation throws', () => {
    let fail = true;
    const value = fromSettings(() => {
      if (fail) throw new Error('not yet');
      return settings.DEBUG;
    });
    assert.throws(value, /not yet/);
    fail = false;
    assert.equal(value(), false);
  });
});

describe('getHost() follows ALLOWED_HOSTS and DEBUG', () => {
  test('an override, a list changed in place and an assignment are all seen', async () => {
    const request = await requestFor('example.org');
    assert.throws(() => request.getHost(), { name: 'DisallowedHost' });
    {
      using _ = overrideSettings({ ALLOWED_HOSTS: ['example.org'] });
      assert.equal(request.getHost(), 'example.org');
      assert.equal(request.getHost(), 'example.org', 'a second time, from the known hosts');
    }
    assert.throws(() => request.getHost(), { name: 'DisallowedHost' }, 'the override ended');
    const list = ['example.org'];
    settings.ALLOWED_HOSTS = list;
    assert.equal(request.getHost(), 'example.org');
    list.length = 0;
    list.push('testserver');
    assert.throws(() => request.getHost(), { name: 'DisallowedHost' }, 'the list changed in place');
    settings.ALLOWED_HOSTS = ['testserver'];
  });

  test('hosts that passed are known until the list changes, however many and in whatever order', async () => {
    const a = await requestFor('a.example');
    const b = await requestFor('b.example:8000');
    const evil = await requestFor('evil.example');
    {
      using _ = overrideSettings({ ALLOWED_HOSTS: ['a.example', 'b.example'] });
      for (let i = 0; i < 3; i++) {
        assert.equal(a.getHost(), 'a.example');
        assert.equal(b.getHost(), 'b.example:8000');
        assert.throws(() => evil.getHost(), { name: 'DisallowedHost' });
      }
    }
    {
      // More hosts than are kept: the oldest are checked again, and still pass.
      using _ = overrideSettings({ ALLOWED_HOSTS: ['*'] });
      for (let i = 0; i < 70; i++) assert.equal((await requestFor(`h${i}.example`)).getHost(), `h${i}.example`);
      assert.equal(evil.getHost(), 'evil.example');
    }
    {
      using _ = overrideSettings({ ALLOWED_HOSTS: ['b.example'] });
      assert.throws(() => evil.getHost(), { name: 'DisallowedHost' }, 'the last host that passed, under another list');
      assert.throws(() => a.getHost(), { name: 'DisallowedHost' });
      assert.equal(b.getHost(), 'b.example:8000');
    }
  });

  test('DEBUG with an empty list allows localhost, and stops when DEBUG goes off', async () => {
    const request = await requestFor('localhost:8000');
    using _ = overrideSettings({ ALLOWED_HOSTS: [] });
    assert.throws(() => request.getHost(), { name: 'DisallowedHost' });
    {
      using _debug = overrideSettings({ DEBUG: true });
      assert.equal(request.getHost(), 'localhost:8000');
    }
    assert.throws(() => request.getHost(), { name: 'DisallowedHost' });
  });

  test('USE_X_FORWARDED_HOST and FORCE_SCRIPT_NAME are read after a change', async () => {
    const environ = {
      REQUEST_METHOD: 'GET',
      PATH_INFO: '/a/',
      SCRIPT_NAME: '',
      HTTP_HOST: 'testserver',
      HTTP_X_FORWARDED_HOST: 'proxy.example',
    } as unknown as Environ;
    assert.equal((await loadedRequest(environ)).path, '/a/');
    {
      using _ = overrideSettings({
        FORCE_SCRIPT_NAME: '/mount',
        USE_X_FORWARDED_HOST: true,
        ALLOWED_HOSTS: ['proxy.example'],
      });
      const request = await loadedRequest(environ);
      assert.equal(request.path, '/mount/a/');
      assert.equal(request.getHost(), 'proxy.example');
    }
    assert.equal((await loadedRequest(environ)).getHost(), 'testserver');
  });
});

describe('responses', () => {
  test('the default charset follows DEFAULT_CHARSET', () => {
    assert.equal(new HttpResponse('x').get('Content-Type'), 'text/html; charset=utf-8');
    {
      using _ = overrideSettings({ DEFAULT_CHARSET: 'iso-8859-1' });
      const response = new HttpResponse('caf\u00e9');
      assert.equal(response.get('Content-Type'), 'text/html; charset=iso-8859-1');
      assert.deepEqual([...response.content], [0x63, 0x61, 0x66, 0xe9]);
    }
    assert.equal(new HttpResponse('x').charset, 'utf-8');
  });

  test('the charset follows a Content-Type changed after the response was made', () => {
    const response = new HttpResponse();
    response.set('Content-Type', 'text/plain; charset=iso-8859-1');
    assert.equal(response.charset, 'iso-8859-1');
    response.set('Content-Type', 'text/plain');
    assert.equal(response.charset, 'utf-8');
  });

  test('a charset option that cannot go in a header is still refused', () => {
    assert.throws(() => new HttpResponse('x', { charset: 'utf-8\r\nX-Evil: 1' }), { name: 'BadHeaderError' });
    assert.equal(new HttpResponse('x', { charset: 'utf-8' }).get('Content-Type'), 'text/html; charset=utf-8');
  });

  test('headerList() is a new list: later header changes do not reach one already given', () => {
    const response = new HttpResponse('x');
    const list = response.headerList();
    response.set('Content-Type', 'text/plain');
    response.set('X-Late', '1');
    assert.deepEqual(list, [['Content-Type', 'text/html; charset=utf-8']]);
    response.setCookie('a', 'b');
    assert.deepEqual(response.headerList().at(-1), ['Set-Cookie', 'a=b; Path=/']);
  });

  test('headers keep their first order and case; a replaced one keeps its place, a re-added one goes last', () => {
    const headers = new ResponseHeaders([
      ['X-A', '1'],
      ['x-b', '2'],
      ['X-C', '3'],
    ]);
    headers.set('X-B', 'two');
    assert.deepEqual(headers.entries(), [
      ['X-A', '1'],
      ['x-b', 'two'],
      ['X-C', '3'],
    ]);
    assert.equal(headers.delete('x-a'), true);
    assert.equal(headers.delete('x-a'), false);
    headers.setDefault('X-A', 'again');
    headers.setDefault('X-C', 'ignored');
    assert.deepEqual(headers.keys(), ['x-b', 'X-C', 'X-A']);
    assert.equal(headers.get('X-a'), 'again');
    assert.equal(headers.size, 3);
    assert.equal(headers.has('x-d'), false);
  });

  test('close() runs closers in order, awaits a promise before the next, and reports every failure', async () => {
    const order: string[] = [];
    const response = new HttpResponse('x');
    response.addResourceCloser(() => void order.push('sync'));
    response.addResourceCloser(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push('async');
      throw new Error('first');
    });
    response.addResourceCloser(() => {
      order.push('last');
      throw new Error('second');
    });
    await assert.rejects(response.close(), (error: unknown) => {
      assert.ok(error instanceof AggregateError);
      assert.deepEqual(
        error.errors.map((e: Error) => e.message),
        ['first', 'second'],
      );
      return true;
    });
    assert.deepEqual(order, ['sync', 'async', 'last']);
    await response.close(); // once only
    assert.deepEqual(order, ['sync', 'async', 'last']);
  });

  test('a single failing closer is rethrown as it is', async () => {
    const response = new HttpResponse('x');
    response.addResourceCloser(() => {
      throw new RangeError('only');
    });
    await assert.rejects(response.close(), RangeError);
  });
});

describe('the middleware chain', () => {
  test('the built-in headers, and settings changes between requests', async () => {
    using _ = overrideSettings({
      MIDDLEWARE: [
        'tsgi.middleware.security.SecurityMiddleware',
        'tsgi.middleware.common.CommonMiddleware',
        'tsgi.middleware.csrf.CsrfViewMiddleware',
        'tsgi.middleware.clickjacking.XFrameOptionsMiddleware',
      ],
    });
    const app = await validated(getWsgiApplication());
    await app.ready;
    const first = await call(app, { path: '/hello/', host: 'testserver' });
    assert.equal(first.statusCode, 200);
    assert.equal(first.header('x-frame-options'), 'DENY');
    assert.equal(first.header('x-content-type-options'), 'nosniff');
    assert.equal(first.header('referrer-policy'), 'same-origin');
    assert.equal(first.header('cross-origin-opener-policy'), 'same-origin');
    assert.equal(first.header('content-length'), '13');
    {
      using _frame = overrideSettings({ X_FRAME_OPTIONS: 'sameorigin' });
      assert.equal((await call(app, { path: '/hello/', host: 'testserver' })).header('x-frame-options'), 'SAMEORIGIN');
    }
    {
      // A value that cannot be a header fails each response, as Django's BadHeaderError does.
      using _bad = overrideSettings({ X_FRAME_OPTIONS: 'DENY\r\nX-Evil: 1' });
      assert.equal((await call(app, { path: '/hello/', host: 'testserver' })).statusCode, 500);
    }
    assert.equal((await call(app, { path: '/hello/', host: 'testserver' })).header('x-frame-options'), 'DENY');
  });

  test('a layer gets the inner response synchronously or as a promise, and may answer either way', async () => {
    const seen: string[] = [];
    const syncLayer = (getResponse: GetResponse) => (request: HttpRequest) => {
      const response = getResponse(request);
      seen.push(response instanceof Promise ? 'promise' : 'response');
      return response;
    };
    const asyncLayer =
      (getResponse: GetResponse) =>
      async (request: HttpRequest): Promise<HttpResponseBase> => {
        const response = await getResponse(request);
        response.set('X-Async', 'yes');
        return response;
      };
    const throwing = (getResponse: GetResponse) => (request: HttpRequest) => {
      const response = getResponse(request);
      if (request.pathInfo === '/latin/') throw new Error('outer layer fails after the view');
      return response;
    };
    using _ = overrideSettings({
      MIDDLEWARE: [syncLayer, asyncLayer, throwing, 'tsgi.middleware.common.CommonMiddleware'],
    });
    const app = await validated(getWsgiApplication());
    await app.ready;
    const ok = await call(app, { path: '/hello/', host: 'testserver' });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.header('x-async'), 'yes');
    assert.equal(ok.text, 'Hello, world!');
    const failed = await call(app, { path: '/latin/', host: 'testserver' });
    assert.equal(failed.statusCode, 500, 'an exception thrown synchronously by a layer becomes a response there');
    assert.deepEqual(seen, ['promise', 'promise']);
    seen.length = 0;
    {
      // Synchronous all the way down (Common and the view): the layer gets the response itself.
      using _sync = overrideSettings({ MIDDLEWARE: [syncLayer, 'tsgi.middleware.common.CommonMiddleware'] });
      const syncApp = await validated(getWsgiApplication());
      await syncApp.ready;
      assert.equal((await call(syncApp, { path: '/hello/', host: 'testserver' })).text, 'Hello, world!');
      assert.deepEqual(seen, ['response']);
    }
  });
});
