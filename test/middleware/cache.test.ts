// The cache middleware and cachePage(): what is stored, what is served from the cache, the keys
// (compared with Django 3.2's learn_cache_key), Vary, and a cache that is away.
import { test, describe, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { caches } from '../../src/core/cache/index.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import { patchCacheControl, patchVaryHeaders } from '../../src/http/cache.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse, StreamingHttpResponse } from '../../src/http/response.ts';
import { cachePage, getCacheKey, learnCacheKey } from '../../src/middleware/cache.ts';
import { Client, RequestFactory } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { varyOnHeaders } from '../../src/views/index.ts';
import { captureLogs, validated } from '../core/helpers.ts';

let calls = 0;
const counted =
  (make: (request: HttpRequest) => HttpResponse | StreamingHttpResponse = () => new HttpResponse('page')) =>
  (request: HttpRequest) => {
    calls++;
    const response = make(request);
    if (response instanceof HttpResponse) response.content = `${String(response.text ?? '')}#${calls}`;
    return response;
  };

const urlconf = {
  urlpatterns: [
    path('page/', counted()),
    path('vary/', varyOnHeaders('Accept-Encoding')(counted())),
    path(
      'sets-cookie/',
      counted(() => {
        const response = new HttpResponse('cookie');
        response.setCookie('user', 'ada');
        patchVaryHeaders(response, ['Cookie']);
        return response;
      }),
    ),
    path(
      'cookie-no-vary/',
      counted(() => {
        const response = new HttpResponse('cookie');
        response.setCookie('theme', 'dark', { maxAge: 60 });
        return response;
      }),
    ),
    path(
      'private/',
      counted(() => {
        const response = new HttpResponse('private');
        patchCacheControl(response, { private: true });
        return response;
      }),
    ),
    path(
      'max-age-0/',
      counted(() => {
        const response = new HttpResponse('fresh');
        patchCacheControl(response, { maxAge: 0 });
        return response;
      }),
    ),
    path(
      'max-age-5/',
      counted(() => {
        const response = new HttpResponse('five');
        patchCacheControl(response, { maxAge: 5 });
        return response;
      }),
    ),
    path(
      'missing/',
      counted(() => new HttpResponse('gone', { status: 404 })),
    ),
    path(
      'stream/',
      counted(() => new StreamingHttpResponse(['a', 'b'])),
    ),
    path('decorated/', cachePage(60)(counted())),
    path('decorated-prefixed/', cachePage(60, { cache: 'other', keyPrefix: 'site1' })(counted())),
  ],
};

before(() => {
  settings.configure({
    ROOT_URLCONF: urlconf,
    ALLOWED_HOSTS: ['testserver', 'example.com'],
    SECRET_KEY: 'cache-middleware-test',
    CACHES: {
      default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'middleware-test' },
      other: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'other' },
    },
    CACHE_MIDDLEWARE_SECONDS: 30,
    MIDDLEWARE: ['tsgi.middleware.cache.UpdateCacheMiddleware', 'tsgi.middleware.cache.FetchFromCacheMiddleware'],
  });
});

beforeEach(async () => {
  await caches.get('default').clear();
  await caches.get('other').clear();
});

async function client(values: Record<string, unknown> = {}) {
  const restore = overrideSettings(values as never);
  const application = getWsgiApplication();
  await application.ready;
  return { client: new Client({ application: await validated(application) }), restore };
}

describe('UpdateCacheMiddleware and FetchFromCacheMiddleware', () => {
  test('the second GET is served from the cache, with Expires and max-age', async () => {
    const { client: c, restore } = await client();
    try {
      const first = await c.get('/page/');
      assert.equal(first.text, 'page#' + calls);
      const seen = calls;
      const second = await c.get('/page/');
      assert.equal(second.text, first.text);
      assert.equal(calls, seen, 'the view did not run again');
      assert.equal(second.get('Cache-Control'), 'max-age=30');
      assert.ok(second.get('Expires'));
      assert.equal(second.get('Content-Type'), 'text/html; charset=utf-8');
      const other = await c.get('/page/', { q: 1 });
      assert.notEqual(other.text, first.text, 'another query string is another page');
    } finally {
      restore();
    }
  });

  test('a HEAD is answered from the cached GET; POST is never cached nor answered from it', async () => {
    const { client: c, restore } = await client();
    try {
      await c.get('/page/');
      const seen = calls;
      const head = await c.head('/page/');
      assert.equal(head.statusCode, 200);
      assert.equal(calls, seen);
      await c.post('/page/');
      await c.post('/page/');
      assert.equal(calls, seen + 2);
    } finally {
      restore();
    }
  });

  test('one entry per value of each Vary header', async () => {
    const { client: c, restore } = await client();
    try {
      const gzip = await c.get('/vary/', null, { headers: { 'Accept-Encoding': 'gzip' } });
      const br = await c.get('/vary/', null, { headers: { 'Accept-Encoding': 'br' } });
      assert.notEqual(gzip.text, br.text);
      const seen = calls;
      assert.equal((await c.get('/vary/', null, { headers: { 'Accept-Encoding': 'gzip' } })).text, gzip.text);
      assert.equal((await c.get('/vary/', null, { headers: { 'Accept-Encoding': 'br' } })).text, br.text);
      assert.equal(calls, seen);
      const none = await c.get('/vary/');
      const empty = await c.get('/vary/', null, { headers: { 'Accept-Encoding': '' } });
      assert.notEqual(none.text, empty.text, 'an absent header and an empty one are different pages');
    } finally {
      restore();
    }
  });

  test('not stored: a cookie set while varying on Cookie, Cache-Control private or max-age=0, a 404, a stream', async () => {
    const { client: c, restore } = await client();
    try {
      for (const url of ['/sets-cookie/', '/private/', '/max-age-0/', '/missing/', '/stream/']) {
        const before = calls;
        await c.get(url);
        await c.get(url);
        assert.equal(calls, before + 2, url);
      }
    } finally {
      restore();
    }
  });

  test("a cookie without Vary: Cookie is stored with the page and sent again, as Django's", async () => {
    const { client: c, restore } = await client();
    try {
      const first = await c.get('/cookie-no-vary/');
      const seen = calls;
      c.clearCookies();
      const second = await c.get('/cookie-no-vary/');
      assert.equal(calls, seen);
      assert.equal(second.cookies.theme, 'dark');
      assert.equal(second.get('Set-Cookie'), first.get('Set-Cookie'));
    } finally {
      restore();
    }
  });

  test("the response's max-age is the page's timeout", async () => {
    const { client: c, restore } = await client();
    try {
      await c.get('/max-age-5/');
      const request = await new RequestFactory().get('/max-age-5/');
      const key = await getCacheKey(request);
      assert.ok(key);
      assert.equal((await c.get('/max-age-5/')).get('Cache-Control'), 'max-age=5');
    } finally {
      restore();
    }
  });

  test('a cache that cannot be reached: every page is built and served, nothing fails', async () => {
    const { client: c, restore } = await client({
      CACHES: {
        default: { BACKEND: 'tsgi.core.cache.backends.redis.RedisCache', LOCATION: 'unix:///nonexistent/redis.sock' },
      },
    });
    const logs = captureLogs('tsgi.cache');
    try {
      const before = calls;
      assert.equal((await c.get('/page/')).statusCode, 200);
      assert.equal((await c.get('/page/')).statusCode, 200);
      assert.equal(calls, before + 2);
    } finally {
      logs.stop();
      restore();
      await caches.closeAll();
    }
    // The outage is reported once, by the cache itself, not once per page.
    assert.deepEqual(
      logs.records.map((r) => r.levelname),
      ['ERROR'],
    );
    assert.match(logs.records[0]!.message, /^The cache 'default' .* could not be reached: /);
  });
});

describe('CacheMiddleware and cachePage()', () => {
  test('CacheMiddleware alone does both phases', async () => {
    const { client: c, restore } = await client({ MIDDLEWARE: ['tsgi.middleware.cache.CacheMiddleware'] });
    try {
      const first = await c.get('/page/');
      const seen = calls;
      assert.equal((await c.get('/page/')).text, first.text);
      assert.equal(calls, seen);
    } finally {
      restore();
    }
  });

  test('cachePage(60) caches one view, in its own cache and key prefix', async () => {
    const { client: c, restore } = await client({ MIDDLEWARE: [] });
    try {
      const first = await c.get('/decorated/');
      const seen = calls;
      const second = await c.get('/decorated/');
      assert.equal(second.text, first.text);
      assert.equal(second.get('Cache-Control'), 'max-age=60');
      assert.equal(calls, seen);
      const undecorated = await c.get('/page/');
      assert.notEqual((await c.get('/page/')).text, undecorated.text);

      const prefixed = await c.get('/decorated-prefixed/');
      assert.equal((await c.get('/decorated-prefixed/')).text, prefixed.text);
      const request = await new RequestFactory().get('/decorated-prefixed/');
      assert.ok(await getCacheKey(request, 'site1', 'GET', caches.get('other')));
      assert.equal(await getCacheKey(request, 'site1', 'GET', caches.get('default')), undefined);
      assert.equal(await getCacheKey(request, '', 'GET', caches.get('other')), undefined);
    } finally {
      restore();
    }
  });
});

describe("the keys are Django's", () => {
  // Expected values from Django 3.2's learn_cache_key / get_cache_key for the same request
  // (http://testserver/cacheme/?a=1 with Accept-Encoding: gzip and an empty Cookie).
  test('learnCacheKey() and getCacheKey()', async () => {
    using _ = overrideSettings({ USE_TZ: false });
    // Django's RequestFactory always sends a Cookie header, empty without cookies.
    const request = await new RequestFactory().get(
      '/cacheme/',
      { a: '1' },
      { headers: { 'Accept-Encoding': 'gzip', Cookie: '' } },
    );
    assert.equal(
      await learnCacheKey(request, new HttpResponse()),
      'views.decorators.cache.cache_page..GET.4a99f4ce9aabacff652a4f9a614e54ca.d41d8cd98f00b204e9800998ecf8427e.en-us',
    );
    const response = new HttpResponse();
    patchVaryHeaders(response, ['Accept-Encoding', 'Cookie', 'Accept-Language']);
    assert.equal(
      await learnCacheKey(request, response, undefined, 'site'),
      'views.decorators.cache.cache_page.site.GET.4a99f4ce9aabacff652a4f9a614e54ca.749cadba7b2ed8d4a2aaa91a9cb1896c.en-us',
    );
    assert.equal(
      await getCacheKey(request, 'site', 'HEAD'),
      'views.decorators.cache.cache_page.site.HEAD.4a99f4ce9aabacff652a4f9a614e54ca.749cadba7b2ed8d4a2aaa91a9cb1896c.en-us',
    );
    assert.equal(await getCacheKey(await new RequestFactory().get('/never-seen/')), undefined);
  });

  test('with USE_TZ the time zone ends the key; an absent header is marked apart from an empty one', async () => {
    const request = await new RequestFactory().get(
      '/cacheme/',
      { a: '1' },
      { headers: { 'Accept-Encoding': 'gzip', Cookie: '' } },
    );
    const response = new HttpResponse();
    patchVaryHeaders(response, ['Accept-Encoding', 'Cookie', 'X-Absent']);
    assert.equal(
      await learnCacheKey(request, response, undefined, 'site'),
      'views.decorators.cache.cache_page.site.GET.4a99f4ce9aabacff652a4f9a614e54ca.ecb7d1f26cba70e2e98b569f46c79b32.en-us.America/Chicago',
    );
  });
});
