import { test, before, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import {
  b62Decode,
  b62Encode,
  BadSignature,
  dumps,
  loads,
  SignatureExpired,
  Signer,
  TimestampSigner,
} from '../../src/core/signing.ts';
import { HttpResponse } from '../../src/http/response.ts';
import { HttpRequest } from '../../src/http/request.ts';
import { parseCookie } from '../../src/http/cookie.ts';

before(() => settings.configure({ SECRET_KEY: 'signing-test-secret' }));
afterEach(() => mock.timers.reset());

test('sign and unsign; a changed value, signature, key or salt is refused', () => {
  const signer = new Signer();
  const signed = signer.sign('hello');
  assert.match(signed, /^hello:[A-Za-z0-9_-]{43}$/);
  assert.equal(signer.unsign(signed), 'hello');
  assert.throws(
    () => signer.unsign('hellO' + signed.slice(5)),
    (e: unknown) => {
      assert.ok(e instanceof BadSignature);
      assert.equal(e.message, `Signature "${signed.slice(6)}" does not match.`);
      return true;
    },
  );
  assert.throws(() => new Signer({ salt: 'other' }).unsign(signed), BadSignature);
  assert.throws(() => new Signer({ key: 'other' }).unsign(signed), BadSignature);
  assert.throws(() => signer.unsign('no separator'), { message: 'No ":" found in value.' });
  assert.throws(() => new Signer({ sep: 'abc' }), {
    message: 'Unsafe Signer separator: "abc" (cannot be empty or consist of only A-z0-9-_=).',
  });
});

test('the signature is Django\'s: base64url of salted_hmac(salt + "signer", value, key, sha256)', async () => {
  const { saltedHmac } = await import('../../src/utils/crypto.ts');
  const signer = new Signer({ key: 'k', salt: 'django.core.signing.Signer' });
  assert.equal(
    signer.signature('v'),
    saltedHmac('django.core.signing.Signersigner', 'v', 'k', 'sha256').toString('base64url'),
  );
});

test('fallback keys verify old signatures (key rotation)', () => {
  const old = new Signer({ key: 'old-key' }).sign('v');
  using _s = overrideSettings({ SECRET_KEY: 'new-key', SECRET_KEY_FALLBACKS: ['old-key'] });
  assert.equal(new Signer().unsign(old), 'v');
});

test('TimestampSigner refuses values older than maxAge', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
  const signer = new TimestampSigner();
  const signed = signer.sign('v');
  mock.timers.tick(120_000);
  assert.equal(signer.unsign(signed), 'v');
  assert.equal(signer.unsign(signed, 200), 'v');
  assert.throws(
    () => signer.unsign(signed, 60),
    (e: unknown) => {
      assert.ok(e instanceof SignatureExpired);
      assert.equal(e.message, 'Signature age 120.0 > 60 seconds.');
      return true;
    },
  );
});

test('dumps/loads sign JSON, compressed when shorter', () => {
  const data = { user: 7, roles: ['a', 'b'], text: 'x'.repeat(200) };
  const token = dumps(data, { salt: 's', compress: true });
  assert.ok(token.startsWith('.'));
  assert.deepEqual(loads(token, { salt: 's' }), data);
  assert.deepEqual(loads(dumps([1, 'é']), {}), [1, 'é']);
  assert.throws(() => loads(token, { salt: 'other' }), BadSignature);
});

test('base 62', () => {
  for (const n of [0, 1, 61, 62, 1_700_000_000, -5]) assert.equal(b62Decode(b62Encode(n)), n);
  assert.equal(b62Encode(1_700_000_000), '1r31eq');
  assert.throws(() => b62Decode('a!'), { message: 'The timestamp "a!" is not base 62.' });
});

test('signed cookies: set on a response, read on a request', () => {
  const response = new HttpResponse();
  response.setSignedCookie('uid', '42', { salt: 'login', httponly: true });
  const header = response.headerList().find(([n]) => n === 'Set-Cookie')![1];
  assert.match(header, /; HttpOnly; Path=\/$/);
  const request = new HttpRequest();
  request.META = { HTTP_COOKIE: header.split(';')[0]! };
  assert.deepEqual(Object.keys(parseCookie(request.META.HTTP_COOKIE!)), ['uid']);
  assert.equal(request.getSignedCookie('uid', { salt: 'login' }), '42');
  assert.equal(request.getSignedCookie('uid', { salt: 'other', fallback: null }), null);
  assert.throws(() => request.getSignedCookie('uid'), BadSignature);
  assert.equal(request.getSignedCookie('missing', { fallback: 'd' }), 'd');
  assert.throws(() => request.getSignedCookie('missing'), {
    name: 'BadSignature',
    message: "The request has no cookie named 'missing'.",
  });
});
