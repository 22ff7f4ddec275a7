// The built-in middleware, each through getWsgiApplication() and the gateway (validated).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import { HttpResponse, StreamingHttpResponse } from '../../src/http/response.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { path } from '../../src/urls/index.ts';
import { noAppendSlash } from '../../src/views/index.ts';
import { xframeOptionsExempt } from '../../src/middleware/clickjacking.ts';
import { CommonMiddleware } from '../../src/middleware/common.ts';
import type { HttpResponseBase } from '../../src/http/response.ts';
import { Http404 } from '../../src/http/exceptions.ts';
import { call, captureLogs, validated } from '../core/helpers.ts';

const BIG = 'Lorem ipsum dolor sit amet. '.repeat(40);

const urlconf = {
  urlpatterns: [
    path('hello/', () => new HttpResponse('Hello, world!'), { name: 'hello' }),
    path(
      'raw/',
      noAppendSlash(() => new HttpResponse('raw')),
    ),
    path('raw', () => new HttpResponse('x')),
    path('has-xfo/', () => new HttpResponse('x', { headers: { 'X-Frame-Options': 'SAMEORIGIN' } })),
    path(
      'frameable/',
      xframeOptionsExempt(() => new HttpResponse('frame me')),
    ),
    path('big/', () => new HttpResponse(BIG)),
    path('big-etag/', () => new HttpResponse(BIG, { headers: { ETag: '"abc"' } })),
    path(
      'stream/',
      () =>
        new StreamingHttpResponse(
          (function* () {
            for (let i = 0; i < 5; i++) yield BIG;
          })(),
        ),
    ),
    path('no-store/', () => new HttpResponse('x', { headers: { 'Cache-Control': 'no-store' } })),
    path('dated/', () => new HttpResponse('dated', { headers: { 'Last-Modified': 'Sat, 01 Jan 2022 00:00:00 GMT' } })),
    path('view-404/', () => {
      throw new Http404('no');
    }),
  ],
};

before(() => {
  settings.configure({
    ROOT_URLCONF: urlconf,
    ALLOWED_HOSTS: ['testserver', 'www.testserver'],
    SECRET_KEY: 'middleware-test',
    MIDDLEWARE: [],
  });
});

async function app(middleware: string[], values: Record<string, unknown> = {}) {
  const restore = overrideSettings({ MIDDLEWARE: middleware, ...values } as never);
  const application = getWsgiApplication();
  await application.ready;
  return { application: await validated(application), restore };
}

describe('SecurityMiddleware', () => {
  test('nosniff, Referrer-Policy and Cross-Origin-Opener-Policy by default; no HSTS over HTTP', async () => {
    const { application, restore } = await app(['tsgi.middleware.security.SecurityMiddleware']);
    try {
      const response = await call(application, { path: '/hello/' });
      assert.equal(response.header('X-Content-Type-Options'), 'nosniff');
      assert.equal(response.header('Referrer-Policy'), 'same-origin');
      assert.equal(response.header('Cross-Origin-Opener-Policy'), 'same-origin');
      assert.equal(response.header('Strict-Transport-Security'), undefined);
    } finally {
      restore();
    }
  });

  test('HSTS on secure requests with includeSubDomains and preload; a list referrer policy is joined', async () => {
    const { application, restore } = await app(['tsgi.middleware.security.SecurityMiddleware'], {
      SECURE_HSTS_SECONDS: 3600,
      SECURE_HSTS_INCLUDE_SUBDOMAINS: true,
      SECURE_HSTS_PRELOAD: true,
      SECURE_REFERRER_POLICY: ['no-referrer', ' strict-origin'],
      SECURE_CROSS_ORIGIN_OPENER_POLICY: null,
      SECURE_CONTENT_TYPE_NOSNIFF: false,
    });
    try {
      const response = await call(application, { path: '/hello/', scheme: 'https' });
      assert.equal(response.header('Strict-Transport-Security'), 'max-age=3600; includeSubDomains; preload');
      assert.equal(response.header('Referrer-Policy'), 'no-referrer,strict-origin');
      assert.equal(response.header('Cross-Origin-Opener-Policy'), undefined);
      assert.equal(response.header('X-Content-Type-Options'), undefined);
    } finally {
      restore();
    }
  });

  test('SECURE_SSL_REDIRECT sends HTTP to HTTPS, except exempt paths; SECURE_SSL_HOST picks the host', async () => {
    const { application, restore } = await app(['tsgi.middleware.security.SecurityMiddleware'], {
      SECURE_SSL_REDIRECT: true,
      SECURE_REDIRECT_EXEMPT: ['^raw/$'],
    });
    try {
      const response = await call(application, { path: '/hello/?a=1' });
      assert.equal(response.statusCode, 301);
      assert.equal(response.header('Location'), 'https://testserver/hello/?a=1');
      assert.equal((await call(application, { path: '/raw/' })).statusCode, 200);
      assert.equal((await call(application, { path: '/hello/', scheme: 'https' })).statusCode, 200);
    } finally {
      restore();
    }
    const other = await app(['tsgi.middleware.security.SecurityMiddleware'], {
      SECURE_SSL_REDIRECT: true,
      SECURE_SSL_HOST: 'secure.example',
    });
    try {
      assert.equal(
        (await call(other.application, { path: '/hello/' })).header('Location'),
        'https://secure.example/hello/',
      );
    } finally {
      other.restore();
    }
  });
});

describe('CommonMiddleware', () => {
  test('APPEND_SLASH redirects only when the slashed path resolves, keeping the query', async () => {
    const { application, restore } = await app(['tsgi.middleware.common.CommonMiddleware']);
    try {
      const response = await call(application, { path: '/hello?x=1' });
      assert.equal(response.statusCode, 301);
      assert.equal(response.header('Location'), '/hello/?x=1');
      assert.equal((await call(application, { path: '/nowhere' })).statusCode, 404);
      // /raw resolves by itself: no redirect.
      assert.equal((await call(application, { path: '/raw' })).text, 'x');
    } finally {
      restore();
    }
  });

  test("a redirect from the request step goes through the response step too, as Django's MiddlewareMixin", async () => {
    class Marking extends CommonMiddleware {
      override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
        const answer = super.processResponse(request, response);
        answer.set('X-Response-Step', 'ran');
        return answer;
      }
    }
    const { application, restore } = await app([Marking as unknown as string]);
    try {
      const slash = await call(application, { path: '/hello' });
      assert.equal(slash.statusCode, 301);
      assert.equal(slash.header('X-Response-Step'), 'ran');
      assert.equal(slash.header('Content-Length'), '0');
      const page = await call(application, { path: '/hello/' });
      assert.equal(page.header('X-Response-Step'), 'ran');
    } finally {
      restore();
    }
  });

  test('a view marked noAppendSlash is not redirected to; APPEND_SLASH off disables it', async () => {
    const restoreUrls = overrideSettings({
      ROOT_URLCONF: {
        urlpatterns: [
          path(
            'raw/',
            noAppendSlash(() => new HttpResponse('raw')),
          ),
          path('hello/', () => new HttpResponse('hi')),
        ],
      },
    });
    const { application, restore } = await app(['tsgi.middleware.common.CommonMiddleware']);
    try {
      assert.equal((await call(application, { path: '/raw' })).statusCode, 404);
      const off = overrideSettings({ APPEND_SLASH: false });
      try {
        assert.equal((await call(application, { path: '/hello' })).statusCode, 404);
      } finally {
        off();
      }
    } finally {
      restore();
      restoreUrls();
    }
  });

  test('a leading // in the redirect is escaped so it cannot point at another host', async () => {
    const restoreUrls = overrideSettings({
      ROOT_URLCONF: { urlpatterns: [path('<path:p>/', () => new HttpResponse('p'))] },
    });
    const { application, restore } = await app(['tsgi.middleware.common.CommonMiddleware']);
    try {
      const response = await call(application, { path: '//evil.example' });
      assert.equal(response.statusCode, 301);
      assert.equal(response.header('Location'), '/%2Fevil.example/');
    } finally {
      restore();
      restoreUrls();
    }
  });

  test('PREPEND_WWW redirects to www., Content-Length is set, DISALLOWED_USER_AGENTS get 403', async () => {
    const { application, restore } = await app(['tsgi.middleware.common.CommonMiddleware'], {
      PREPEND_WWW: true,
      DISALLOWED_USER_AGENTS: [/^BadBot/, 'EvilScraper'],
    });
    const logs = captureLogs('tsgi.request');
    try {
      const www = await call(application, { path: '/hello/?q=1' });
      assert.equal(www.statusCode, 301);
      assert.equal(www.header('Location'), 'http://www.testserver/hello/?q=1');
      const ok = await call(application, { path: '/hello/', host: 'www.testserver' });
      assert.equal(ok.header('Content-Length'), '13');
      assert.equal(
        (await call(application, { path: '/hello/', host: 'www.testserver', headers: { 'User-Agent': 'BadBot/1.0' } }))
          .statusCode,
        403,
      );
      assert.equal(
        (
          await call(application, {
            path: '/hello/',
            host: 'www.testserver',
            headers: { 'User-Agent': 'x EvilScraper' },
          })
        ).statusCode,
        403,
      );
      assert.deepEqual(
        logs.records.map((r) => r.message),
        ['Forbidden (Permission denied): /hello/', 'Forbidden (Permission denied): /hello/'],
      );
    } finally {
      logs.stop();
      restore();
    }
  });
});

describe('XFrameOptionsMiddleware', () => {
  test('DENY by default, X_FRAME_OPTIONS upper-cased, an existing header or an exempt view kept', async () => {
    const { application, restore } = await app(['tsgi.middleware.clickjacking.XFrameOptionsMiddleware']);
    try {
      assert.equal((await call(application, { path: '/hello/' })).header('X-Frame-Options'), 'DENY');
      assert.equal((await call(application, { path: '/has-xfo/' })).header('X-Frame-Options'), 'SAMEORIGIN');
      assert.equal((await call(application, { path: '/frameable/' })).header('X-Frame-Options'), undefined);
    } finally {
      restore();
    }
    const other = await app(['tsgi.middleware.clickjacking.XFrameOptionsMiddleware'], {
      X_FRAME_OPTIONS: 'sameorigin',
    });
    try {
      assert.equal((await call(other.application, { path: '/hello/' })).header('X-Frame-Options'), 'SAMEORIGIN');
    } finally {
      other.restore();
    }
  });
});

describe('GZipMiddleware', () => {
  test('compresses when accepted and smaller, sets Vary, weakens a strong ETag; not below 200 bytes', async () => {
    const { application, restore } = await app(['tsgi.middleware.gzip.GZipMiddleware']);
    try {
      const response = await call(application, { path: '/big-etag/', headers: { 'Accept-Encoding': 'gzip, deflate' } });
      assert.equal(response.header('Content-Encoding'), 'gzip');
      assert.equal(response.header('Vary'), 'Accept-Encoding');
      assert.equal(response.header('ETag'), 'W/"abc"');
      assert.equal(Number(response.header('Content-Length')), response.body.byteLength);
      assert.equal(gunzipSync(response.body).toString(), BIG);
      const plain = await call(application, { path: '/big/' });
      assert.equal(plain.header('Content-Encoding'), undefined);
      assert.equal(plain.header('Vary'), 'Accept-Encoding');
      assert.equal(plain.text, BIG);
      const small = await call(application, { path: '/hello/', headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(small.header('Content-Encoding'), undefined);
      assert.equal(small.header('Vary'), undefined);
    } finally {
      restore();
    }
  });

  test('compresses a streaming response as one gzip stream', async () => {
    const { application, restore } = await app(['tsgi.middleware.gzip.GZipMiddleware']);
    try {
      const response = await call(application, { path: '/stream/', headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(response.header('Content-Encoding'), 'gzip');
      assert.equal(response.header('Content-Length'), undefined);
      assert.equal(gunzipSync(response.body).toString(), BIG.repeat(5));
    } finally {
      restore();
    }
  });
});

describe('ConditionalGetMiddleware', () => {
  test('adds an ETag to GET responses and answers If-None-Match with 304', async () => {
    const { application, restore } = await app(['tsgi.middleware.http.ConditionalGetMiddleware']);
    try {
      const first = await call(application, { path: '/hello/' });
      const etag = first.header('ETag');
      assert.match(etag ?? '', /^"[0-9a-f]{32}"$/);
      const again = await call(application, { path: '/hello/', headers: { 'If-None-Match': etag! } });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body.byteLength, 0);
      assert.equal(again.header('ETag'), etag);
      assert.equal((await call(application, { path: '/no-store/' })).header('ETag'), undefined);
      const dated = await call(application, {
        path: '/dated/',
        headers: { 'If-Modified-Since': 'Sun, 02 Jan 2022 00:00:00 GMT' },
      });
      assert.equal(dated.statusCode, 304);
      // Not GET: untouched.
      const head = await call(application, { path: '/hello/', method: 'HEAD' });
      assert.equal(head.header('ETag'), undefined);
    } finally {
      restore();
    }
  });

  test('a 404 from a view is not turned into a 304', async () => {
    const { application, restore } = await app(['tsgi.middleware.http.ConditionalGetMiddleware']);
    try {
      assert.equal(
        (await call(application, { path: '/view-404/', headers: { 'If-None-Match': '*' } })).statusCode,
        404,
      );
    } finally {
      restore();
    }
  });
});

export type { HttpRequest };
