// CsrfViewMiddleware and the token helpers, through getWsgiApplication() (validated) driven by
// the test client for its cookie jar.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import { HttpResponse, JsonResponse } from '../../src/http/response.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { path } from '../../src/urls/index.ts';
import {
  csrfExempt,
  getToken,
  rotateToken,
  maskCipherSecret,
  unmaskCipherToken,
  checkTokenFormat,
  doesTokenMatch,
  CSRF_TOKEN_LENGTH,
  InvalidTokenFormat,
} from '../../src/middleware/csrf.ts';
import { Client } from '../../src/test/index.ts';
import type { ClientResponse } from '../../src/test/index.ts';
import { captureLogs, validated } from '../core/helpers.ts';

const urlconf = {
  urlpatterns: [
    path('form/', (request: HttpRequest) => new HttpResponse(getToken(request))),
    path('submit/', (request: HttpRequest) => new JsonResponse({ ok: true, a: request.POST.get('a') ?? null })),
    path(
      'exempt/',
      csrfExempt(() => new HttpResponse('exempt')),
    ),
    path('rotate/', (request: HttpRequest) => {
      rotateToken(request);
      return new HttpResponse('rotated');
    }),
  ],
};

before(() => {
  settings.configure({
    ROOT_URLCONF: urlconf,
    ALLOWED_HOSTS: ['testserver', 'example.com'],
    SECRET_KEY: 'csrf-test',
    MIDDLEWARE: ['tsgi.middleware.csrf.CsrfViewMiddleware'],
  });
});

async function client(values: Record<string, unknown> = {}) {
  const restore = overrideSettings(values as never);
  const application = getWsgiApplication();
  await application.ready;
  return { client: new Client({ application: await validated(application) }), restore };
}

async function tokenFrom(c: Client): Promise<string> {
  return (await c.get('/form/')).text;
}

function form(a = '1', token?: string): string {
  return token === undefined ? `a=${a}` : `a=${a}&csrfmiddlewaretoken=${token}`;
}

const FORM = { contentType: 'application/x-www-form-urlencoded' };

function reasonOf(response: ClientResponse, logs: { records: Array<{ message: string }> }): string {
  assert.equal(response.statusCode, 403);
  assert.match(response.text, /CSRF verification failed. Request aborted./);
  return logs.records.at(-1)!.message;
}

describe('tokens', () => {
  test('masked tokens are 64 characters, differ each time, and unmask to the secret', () => {
    const secret = 'a'.repeat(16) + 'B'.repeat(16);
    const one = maskCipherSecret(secret);
    const two = maskCipherSecret(secret);
    assert.equal(one.length, CSRF_TOKEN_LENGTH);
    assert.notEqual(one, two);
    assert.equal(unmaskCipherToken(one), secret);
    assert.ok(doesTokenMatch(one, secret));
    assert.ok(doesTokenMatch(secret, secret));
    assert.ok(!doesTokenMatch(one, 'c'.repeat(32)));
    assert.throws(() => checkTokenFormat('short'), new InvalidTokenFormat('has incorrect length'));
    assert.throws(() => checkTokenFormat('!'.repeat(32)), new InvalidTokenFormat('has invalid characters'));
  });

  test('getToken() sets the cookie (SameSite=Lax, a year) and Vary: Cookie; the same secret across requests', async () => {
    const { client: c, restore } = await client();
    try {
      const first = await c.get('/form/');
      const cookie = first.get('Set-Cookie')!;
      assert.match(cookie, /^csrftoken=[a-zA-Z0-9]{32}; expires=.+; Max-Age=31449600; Path=\/; SameSite=Lax$/);
      assert.equal(first.get('Vary'), 'Cookie');
      const secret = c.cookies.get('csrftoken')!;
      assert.equal(unmaskCipherToken(first.text), secret);
      const second = await c.get('/form/');
      assert.equal(unmaskCipherToken(second.text), secret);
      assert.notEqual(second.text, first.text);
    } finally {
      restore();
    }
  });
});

describe('CsrfViewMiddleware', () => {
  test('safe methods and exempt views pass without a token', async () => {
    const { client: c, restore } = await client();
    try {
      assert.equal((await c.get('/submit/')).statusCode, 200);
      assert.equal((await c.head('/submit/')).statusCode, 200);
      assert.equal((await c.options('/submit/')).statusCode, 200);
      assert.equal((await c.post('/exempt/', form(), FORM)).text, 'exempt');
    } finally {
      restore();
    }
  });

  test('a POST with the token from the form field or the X-CSRFToken header passes', async () => {
    const { client: c, restore } = await client();
    try {
      const token = await tokenFrom(c);
      assert.deepEqual((await c.post('/submit/', form('1', token), FORM)).json(), { ok: true, a: '1' });
      assert.equal((await c.post('/submit/', form(), { ...FORM, headers: { 'X-CSRFToken': token } })).statusCode, 200);
      // The unmasked secret is accepted too, as Django does.
      assert.equal((await c.post('/submit/', form('1', c.cookies.get('csrftoken')), FORM)).statusCode, 200);
      assert.equal((await c.put('/submit/', 'x', { headers: { 'X-CSRFToken': token } })).statusCode, 200);
    } finally {
      restore();
    }
  });

  test('every rejection reason, logged to tsgi.security.csrf', async () => {
    const { client: c, restore } = await client();
    const logs = captureLogs('tsgi.security.csrf');
    try {
      assert.equal(
        reasonOf(await c.post('/submit/', form(), FORM), logs),
        'Forbidden (CSRF cookie not set.): /submit/',
      );
      const token = await tokenFrom(c);
      assert.equal(reasonOf(await c.post('/submit/', form(), FORM), logs), 'Forbidden (CSRF token missing.): /submit/');
      assert.equal(
        reasonOf(await c.post('/submit/', form('1', 'x'.repeat(64)), FORM), logs),
        'Forbidden (CSRF token from POST incorrect.): /submit/',
      );
      assert.equal(
        reasonOf(await c.post('/submit/', form('1', 'short'), FORM), logs),
        'Forbidden (CSRF token from POST has incorrect length.): /submit/',
      );
      assert.equal(
        reasonOf(await c.post('/submit/', form(), { ...FORM, headers: { 'X-CSRFToken': '!'.repeat(64) } }), logs),
        "Forbidden (CSRF token from the 'X-Csrftoken' HTTP header has invalid characters.): /submit/",
      );
      assert.equal(
        reasonOf(await c.post('/submit/', form('1', token), { ...FORM, headers: { Cookie: 'csrftoken=bad' } }), logs),
        'Forbidden (CSRF cookie has incorrect length.): /submit/',
      );
      // The bad cookie was replaced by a new one: take a fresh token.
      const fresh = await tokenFrom(c);
      assert.notEqual(unmaskCipherToken(fresh), unmaskCipherToken(token));
      assert.equal(
        reasonOf(
          await c.post('/submit/', form('1', fresh), { ...FORM, headers: { Origin: 'http://evil.example' } }),
          logs,
        ),
        'Forbidden (Origin checking failed - http://evil.example does not match any trusted origins.): /submit/',
      );
      assert.equal(
        (await c.post('/submit/', form('1', fresh), { ...FORM, headers: { Origin: 'http://testserver' } })).statusCode,
        200,
      );
    } finally {
      logs.stop();
      restore();
    }
  });

  test('an invalid cookie is replaced by a new one on the next response', async () => {
    const { client: c, restore } = await client();
    try {
      const response = await c.get('/submit/', null, { headers: { Cookie: 'csrftoken=not-valid' } });
      assert.match(response.get('Set-Cookie') ?? '', /^csrftoken=[a-zA-Z0-9]{32};/);
    } finally {
      restore();
    }
  });

  test('over HTTPS without Origin: the Referer must be present, well-formed, secure and trusted', async () => {
    const { client: c, restore } = await client({
      CSRF_TRUSTED_ORIGINS: ['https://*.trusted.example', 'https://exact.example'],
    });
    const logs = captureLogs('tsgi.security.csrf');
    try {
      const token = await tokenFrom(c);
      const post = (headers: Record<string, string>) =>
        c.post('/submit/', form('1', token), { ...FORM, secure: true, headers });
      assert.equal(reasonOf(await post({}), logs), 'Forbidden (Referer checking failed - no Referer.): /submit/');
      assert.equal(
        reasonOf(await post({ Referer: 'nonsense' }), logs),
        'Forbidden (Referer checking failed - Referer is malformed.): /submit/',
      );
      assert.equal(
        reasonOf(await post({ Referer: 'http://testserver/form/' }), logs),
        'Forbidden (Referer checking failed - Referer is insecure while host is secure.): /submit/',
      );
      assert.equal(
        reasonOf(await post({ Referer: 'https://evil.example/' }), logs),
        'Forbidden (Referer checking failed - https://evil.example/ does not match any trusted origins.): /submit/',
      );
      assert.equal((await post({ Referer: 'https://testserver/form/' })).statusCode, 200);
      assert.equal((await post({ Referer: 'https://a.trusted.example/x' })).statusCode, 200);
      // Origin: exact and wildcard trusted origins.
      assert.equal((await post({ Origin: 'https://exact.example' })).statusCode, 200);
      assert.equal((await post({ Origin: 'https://sub.trusted.example' })).statusCode, 200);
      assert.equal((await post({ Origin: 'http://sub.trusted.example' })).statusCode, 403);
    } finally {
      logs.stop();
      restore();
    }
  });

  test('rotateToken() issues a new secret; CSRF_FAILURE_VIEW replaces the 403 page', async () => {
    const { client: c, restore } = await client();
    try {
      await tokenFrom(c);
      const before = c.cookies.get('csrftoken');
      await c.get('/rotate/');
      assert.notEqual(c.cookies.get('csrftoken'), before);
    } finally {
      restore();
    }
    const custom = await client({
      CSRF_FAILURE_VIEW: (_request: HttpRequest, reason: string) =>
        new HttpResponse(`custom: ${reason}`, { status: 403 }),
    });
    try {
      assert.equal((await custom.client.post('/submit/', form(), FORM)).text, 'custom: CSRF cookie not set.');
    } finally {
      custom.restore();
    }
  });

  test('the test client skips the checks unless enforceCsrfChecks is set', async () => {
    const lax = new Client();
    assert.equal((await lax.post('/submit/', form(), FORM)).statusCode, 200);
    const strict = new Client({ enforceCsrfChecks: true });
    assert.equal((await strict.post('/submit/', form(), FORM)).statusCode, 403);
    const token = (await strict.get('/form/')).text;
    assert.equal((await strict.post('/submit/', form('1', token), FORM)).statusCode, 200);
  });

  test('in DEBUG the failure page gives the reason', async () => {
    const { client: c, restore } = await client({ DEBUG: true });
    try {
      assert.match(
        (await c.post('/submit/', form(), FORM)).text,
        /Reason given for failure:<\/p>\n {2}<pre>\n {4}CSRF cookie not set./,
      );
    } finally {
      restore();
    }
  });
});
