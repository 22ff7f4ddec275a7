import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { settings } from '../../src/conf/index.ts';
import { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse, StreamingHttpResponse } from '../../src/http/response.ts';
import {
  escapeLeadingSlashes,
  httpDate,
  isSameDomain,
  parseEtags,
  parseHttpDate,
  parseHttpDateSafe,
  quoteEtag,
  urlHasAllowedHostAndScheme,
} from '../../src/utils/http.ts';
import {
  addNeverCacheHeaders,
  getConditionalResponse,
  getMaxAge,
  hasVaryHeader,
  patchCacheControl,
  patchVaryHeaders,
  setResponseEtag,
} from '../../src/http/cache.ts';
import { configureLogging } from '../../src/conf/logging.ts';

before(() => {
  settings.configure({});
  configureLogging({ handlers: { n: { class: 'null' } }, root: { handlers: ['n'] } });
});

describe('HTTP dates and ETags', () => {
  test('the three date formats of RFC 9110 §5.6.7', () => {
    assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), 784111777);
    assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), 784111777);
    assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), 784111777);
    assert.equal(httpDate(784111777000), 'Sun, 06 Nov 1994 08:49:37 GMT');
    const nextYear = (new Date().getUTCFullYear() + 1) % 100;
    const twoDigits = String(nextYear).padStart(2, '0');
    assert.equal(
      new Date(parseHttpDate(`Monday, 01-Jan-${twoDigits} 00:00:00 GMT`) * 1000).getUTCFullYear(),
      new Date().getUTCFullYear() + 1,
    );
  });

  test('invalid dates', () => {
    for (const bad of ['', 'yesterday', 'Sun, 06 Foo 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT']) {
      assert.throws(() => parseHttpDate(bad), {
        name: 'RangeError',
        message: `${JSON.stringify(bad)} is not in a valid HTTP date format.`,
      });
      assert.equal(parseHttpDateSafe(bad), undefined);
    }
    assert.equal(parseHttpDateSafe(undefined), undefined);
  });

  test('parseEtags and quoteEtag', () => {
    assert.deepEqual(parseEtags(' * '), ['*']);
    assert.deepEqual(parseEtags('"a", W/"b", c, "d'), ['"a"', 'W/"b"']);
    assert.equal(quoteEtag('abc'), '"abc"');
    assert.equal(quoteEtag('W/"abc"'), 'W/"abc"');
  });
});

test('isSameDomain and escapeLeadingSlashes', () => {
  assert.equal(isSameDomain('example.com', '.example.com'), true);
  assert.equal(isSameDomain('a.b.example.com', '.EXAMPLE.com'), true);
  assert.equal(isSameDomain('badexample.com', '.example.com'), false);
  assert.equal(isSameDomain('example.com', 'example.com'), true);
  assert.equal(isSameDomain('example.com', ''), false);
  assert.equal(escapeLeadingSlashes('//evil.com/x'), '/%2Fevil.com/x');
  assert.equal(escapeLeadingSlashes('/ok/'), '/ok/');
});

describe('urlHasAllowedHostAndScheme', () => {
  const cases: Array<[string, boolean]> = [
    ['/next/', true],
    ['next', true],
    ['https://testserver/next', true],
    ['//testserver/x', true],
    ['http://evil.com/', false],
    ['//evil.com', false],
    ['///evil.com', false],
    ['http:///evil.com', false],
    ['/\\evil.com', false],
    ['\\\\evil.com', false],
    ['javascript:alert(1)', false],
    ['\x08//evil.com', false],
    ['ftp://testserver/', false],
    ['', false],
  ];
  for (const [url, expected] of cases) {
    test(`${JSON.stringify(url)} → ${expected}`, () =>
      assert.equal(urlHasAllowedHostAndScheme(url, ['testserver']), expected));
  }
  test('requireHttps', () => {
    assert.equal(urlHasAllowedHostAndScheme('http://testserver/', 'testserver', true), false);
    assert.equal(urlHasAllowedHostAndScheme('https://testserver/', 'testserver', true), true);
    assert.equal(urlHasAllowedHostAndScheme(null, null), false);
  });
});

describe('Vary and Cache-Control', () => {
  test('patchVaryHeaders adds each header once; * wins', () => {
    const r = new HttpResponse();
    patchVaryHeaders(r, ['Cookie']);
    patchVaryHeaders(r, ['accept-encoding', 'COOKIE']);
    assert.equal(r.get('Vary'), 'Cookie, accept-encoding');
    assert.equal(hasVaryHeader(r, 'Accept-Encoding'), true);
    assert.equal(hasVaryHeader(r, 'Accept'), false);
    patchVaryHeaders(r, ['*']);
    assert.equal(r.get('Vary'), '*');
  });

  test('patchCacheControl merges as Django', () => {
    const r = new HttpResponse('', { headers: { 'Cache-Control': 'private, max-age=100, no-cache=Set-Cookie' } });
    patchCacheControl(r, { public: true, maxAge: 3600, no_cache: 'Vary' });
    assert.equal(r.get('Cache-Control'), 'max-age=100, no-cache=Set-Cookie, no-cache=Vary, public');
    patchCacheControl(r, { noCache: true });
    assert.equal(r.get('Cache-Control'), 'max-age=100, no-cache, public');
    assert.equal(getMaxAge(r), 100);
  });

  test('addNeverCacheHeaders', () => {
    const r = new HttpResponse();
    addNeverCacheHeaders(r);
    assert.equal(r.get('Cache-Control'), 'max-age=0, no-cache, no-store, must-revalidate, private');
    assert.ok(Math.abs(parseHttpDate(r.get('Expires')!) * 1000 - Date.now()) < 5000);
  });

  test('setResponseEtag hashes content, not streams', () => {
    const r = new HttpResponse('Hello, world!');
    setResponseEtag(r);
    assert.equal(r.get('ETag'), '"6cd3556deb0da54bca060b4c39479839"');
    const s = new StreamingHttpResponse(['x']);
    setResponseEtag(s);
    assert.equal(s.has('ETag'), false);
  });
});

describe('getConditionalResponse (RFC 9110 §13.2.2)', () => {
  function request(method: string, meta: Record<string, string>): HttpRequest {
    const r = new HttpRequest();
    r.method = method;
    r.path = '/r';
    r.META = meta;
    return r;
  }
  const etag = '"v1"';
  const lastModified = 784111777;
  const full = () => {
    const r = new HttpResponse('body', { headers: { ETag: etag, 'Cache-Control': 'max-age=5', 'X-Other': '1' } });
    r.setCookie('c', 'v');
    return r;
  };

  test('If-None-Match matching (weakly) → 304 keeping the listed headers and cookies', () => {
    const answer = getConditionalResponse(request('GET', { HTTP_IF_NONE_MATCH: 'W/"v1", "v2"' }), {
      etag,
      response: full(),
    })!;
    assert.equal(answer.statusCode, 304);
    assert.equal(answer.get('ETag'), etag);
    assert.equal(answer.get('Cache-Control'), 'max-age=5');
    assert.equal(answer.has('X-Other'), false);
    assert.equal(answer.cookies.has('c'), true);
  });

  test('If-None-Match on an unsafe method → 412; not matching → the response', () => {
    assert.equal(
      getConditionalResponse(request('POST', { HTTP_IF_NONE_MATCH: etag }), { etag, response: full() })!.statusCode,
      412,
    );
    const response = full();
    assert.equal(getConditionalResponse(request('GET', { HTTP_IF_NONE_MATCH: '"v2"' }), { etag, response }), response);
    assert.equal(
      getConditionalResponse(request('GET', { HTTP_IF_NONE_MATCH: '*' }), { response }),
      response,
      'no ETag: passes, as Django',
    );
  });

  test('If-Match: strong comparison, * matches any ETag', () => {
    assert.equal(getConditionalResponse(request('PUT', { HTTP_IF_MATCH: '"v2"' }), { etag })!.statusCode, 412);
    assert.equal(
      getConditionalResponse(request('PUT', { HTTP_IF_MATCH: 'W/"v1"' }), { etag: 'W/"v1"' })!.statusCode,
      412,
    );
    assert.equal(getConditionalResponse(request('PUT', { HTTP_IF_MATCH: '*' }), { etag }), undefined);
    assert.equal(getConditionalResponse(request('PUT', { HTTP_IF_MATCH: '*' }), {})!.statusCode, 412);
  });

  test('If-Modified-Since and If-Unmodified-Since', () => {
    const since = httpDate(lastModified * 1000);
    const earlier = httpDate((lastModified - 60) * 1000);
    assert.equal(
      getConditionalResponse(request('GET', { HTTP_IF_MODIFIED_SINCE: since }), { lastModified })!.statusCode,
      304,
    );
    assert.equal(
      getConditionalResponse(request('GET', { HTTP_IF_MODIFIED_SINCE: earlier }), { lastModified }),
      undefined,
    );
    assert.equal(
      getConditionalResponse(request('POST', { HTTP_IF_MODIFIED_SINCE: since }), { lastModified }),
      undefined,
    );
    assert.equal(
      getConditionalResponse(request('GET', { HTTP_IF_MODIFIED_SINCE: 'garbage' }), { lastModified }),
      undefined,
    );
    assert.equal(
      getConditionalResponse(request('GET', { HTTP_IF_MODIFIED_SINCE: since, HTTP_IF_NONE_MATCH: '"other"' }), {
        etag,
        lastModified,
      }),
      undefined,
      'If-None-Match takes precedence',
    );
    assert.equal(
      getConditionalResponse(request('PUT', { HTTP_IF_UNMODIFIED_SINCE: earlier }), { lastModified })!.statusCode,
      412,
    );
    assert.equal(
      getConditionalResponse(request('PUT', { HTTP_IF_UNMODIFIED_SINCE: since }), { lastModified }),
      undefined,
    );
  });

  test('only successful responses are replaced', () => {
    const notFound = new HttpResponse('', { status: 404 });
    assert.equal(
      getConditionalResponse(request('GET', { HTTP_IF_NONE_MATCH: '*' }), { etag, response: notFound }),
      notFound,
    );
  });
});
