// condition/etag/lastModified, cacheControl/neverCache and varyOnHeaders/varyOnCookie, as
// Django's django.views.decorators.http, .cache and .vary.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse } from '../../src/http/response.ts';
import {
  cacheControl,
  condition,
  etag,
  lastModified,
  neverCache,
  varyOnCookie,
  varyOnHeaders,
} from '../../src/views/index.ts';

function request(method: string, headers: Record<string, string> = {}): HttpRequest {
  const r = new HttpRequest();
  r.method = method;
  r.path = r.pathInfo = '/doc/';
  r.META = { REQUEST_METHOD: method, PATH_INFO: '/doc/', ...headers };
  return r;
}

const MODIFIED = Date.UTC(2024, 0, 2, 3, 4, 5, 678); // milliseconds are dropped
const MODIFIED_HTTP = 'Tue, 02 Jan 2024 03:04:05 GMT';

describe('condition()', () => {
  let calls = 0;
  const view = (_request: HttpRequest, kwargs: { pk?: number }) => {
    calls++;
    return new HttpResponse(`doc ${kwargs.pk}`);
  };
  const both = condition<[{ pk?: number }]>({ etag: (_r, { pk }) => `v${pk}`, lastModified: () => new Date(MODIFIED) })(
    view,
  );

  const cases: Array<[string, string, Record<string, string>, number, boolean, Record<string, string | undefined>]> = [
    ['a plain GET gets ETag and Last-Modified', 'GET', {}, 200, true, { ETag: '"v1"', 'Last-Modified': MODIFIED_HTTP }],
    [
      'If-None-Match with the ETag: 304 without running the view',
      'GET',
      { HTTP_IF_NONE_MATCH: '"v1"' },
      304,
      false,
      { ETag: '"v1"', 'Last-Modified': MODIFIED_HTTP },
    ],
    ['If-None-Match with a weak match: 304', 'GET', { HTTP_IF_NONE_MATCH: 'W/"v1"' }, 304, false, {}],
    ['If-None-Match with another ETag: 200', 'GET', { HTTP_IF_NONE_MATCH: '"v2"' }, 200, true, {}],
    ['If-Modified-Since at the modification: 304', 'GET', { HTTP_IF_MODIFIED_SINCE: MODIFIED_HTTP }, 304, false, {}],
    [
      'If-Modified-Since before it: 200',
      'GET',
      { HTTP_IF_MODIFIED_SINCE: 'Mon, 01 Jan 2024 00:00:00 GMT' },
      200,
      true,
      {},
    ],
    ['If-Match with another ETag on PUT: 412', 'PUT', { HTTP_IF_MATCH: '"v2"' }, 412, false, { ETag: undefined }],
    ['If-None-Match on POST: 412', 'POST', { HTTP_IF_NONE_MATCH: '"v1"' }, 412, false, {}],
    [
      'POST without conditions runs the view and adds no validators',
      'POST',
      {},
      200,
      true,
      { ETag: undefined, 'Last-Modified': undefined },
    ],
  ];
  for (const [what, method, headers, status, ran, expectHeaders] of cases) {
    test(what, async () => {
      const before = calls;
      const response = await both(request(method, headers), { pk: 1 });
      assert.equal(response.statusCode, status);
      assert.equal(calls - before, ran ? 1 : 0);
      for (const [name, value] of Object.entries(expectHeaders)) assert.equal(response.get(name), value, name);
    });
  }

  test('etag() quotes an unquoted tag and keeps a weak one', async () => {
    const plain = await etag(() => 'abc')(() => new HttpResponse('x'))(request('GET'));
    assert.equal(plain.get('ETag'), '"abc"');
    const weak = await etag(() => 'W/"abc"')(() => new HttpResponse('x'))(request('GET'));
    assert.equal(weak.get('ETag'), 'W/"abc"');
  });

  test('a view that sets its own validators keeps them', async () => {
    const view = () => {
      const r = new HttpResponse('x');
      r.set('ETag', '"mine"');
      r.set('Last-Modified', 'Wed, 01 Jan 2020 00:00:00 GMT');
      return r;
    };
    const response = await condition({ etag: () => 'theirs', lastModified: () => MODIFIED })(view)(request('GET'));
    assert.equal(response.get('ETag'), '"mine"');
    assert.equal(response.get('Last-Modified'), 'Wed, 01 Jan 2020 00:00:00 GMT');
  });

  test('lastModified() with a function returning null adds nothing', async () => {
    const response = await lastModified(() => null)(() => new HttpResponse('x'))(
      request('GET', { HTTP_IF_MODIFIED_SINCE: MODIFIED_HTTP }),
    );
    assert.equal(response.statusCode, 200);
    assert.equal(response.get('Last-Modified'), undefined);
  });

  test('async condition functions and views are awaited', async () => {
    const view = async () => new HttpResponse('later');
    const response = await etag(async () => 'x1')(view)(request('GET', { HTTP_IF_NONE_MATCH: '"x1"' }));
    assert.equal(response.statusCode, 304);
  });
});

describe('cache and vary decorators', () => {
  const view = () => new HttpResponse('x');

  test('cacheControl merges directives', async () => {
    const response = await cacheControl({ public: true, maxAge: 600 })(view)(request('GET'));
    assert.equal(response.get('Cache-Control'), 'public, max-age=600');
  });

  test('cacheControl keeps the smaller max-age and swaps public for private', async () => {
    const inner = () => {
      const r = new HttpResponse('x');
      r.set('Cache-Control', 'public, max-age=60');
      return r;
    };
    const response = await cacheControl({ private: true, maxAge: 600 })(inner)(request('GET'));
    assert.equal(response.get('Cache-Control'), 'max-age=60, private');
  });

  test('neverCache marks the response uncacheable', async () => {
    const response = await neverCache(view)(request('GET'));
    assert.equal(response.get('Cache-Control'), 'max-age=0, no-cache, no-store, must-revalidate, private');
    assert.ok(response.get('Expires'));
  });

  test('varyOnHeaders adds each header once; varyOnCookie adds Cookie', async () => {
    const inner = () => {
      const r = new HttpResponse('x');
      r.set('Vary', 'accept-language');
      return r;
    };
    const response = await varyOnHeaders('Accept-Language', 'User-Agent')(inner)(request('GET'));
    assert.equal(response.get('Vary'), 'accept-language, User-Agent');
    assert.equal((await varyOnCookie(view)(request('GET'))).get('Vary'), 'Cookie');
  });

  test('decorating something that is not given a request is a clear error', async () => {
    await assert.rejects(neverCache(view as never)({} as never), {
      name: 'TypeError',
      message:
        "neverCache didn't receive an HttpRequest as the view's first argument. If you are decorating a class-based view method, decorate the view returned by asView() instead.",
    });
  });

  test('decorated views keep their name', () => {
    function report() {
      return new HttpResponse();
    }
    assert.equal(neverCache(report).name, 'report');
    assert.equal(cacheControl({ noStore: true })(report).name, 'report');
    assert.equal(varyOnCookie(report).name, 'report');
    assert.equal(etag(() => 'x')(report).name, 'report');
  });
});
