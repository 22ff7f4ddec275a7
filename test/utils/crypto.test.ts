import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { constantTimeCompare, getRandomString, saltedHmac } from '../../src/utils/crypto.ts';

test('getRandomString draws from the allowed characters', () => {
  const s = getRandomString(64);
  assert.match(s, /^[A-Za-z0-9]{64}$/);
  assert.notEqual(getRandomString(32), getRandomString(32));
  assert.equal(getRandomString(10, 'x'), 'xxxxxxxxxx');
  assert.equal(getRandomString(0), '');
  assert.throws(() => getRandomString(-1), {
    message: 'getRandomString() takes a non-negative integer length, got -1.',
  });
  assert.throws(() => getRandomString(3, ''), { message: 'getRandomString() needs at least one allowed character.' });
});

test('constantTimeCompare', () => {
  assert.equal(constantTimeCompare('abc', 'abc'), true);
  assert.equal(constantTimeCompare('abc', 'abd'), false);
  assert.equal(constantTimeCompare('abc', 'abcd'), false);
  assert.equal(constantTimeCompare('', ''), true);
  assert.equal(constantTimeCompare(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
});

test('saltedHmac keys the HMAC with a hash of salt + secret', () => {
  const key = createHash('sha1')
    .update('purpose' + 'the-secret')
    .digest();
  const expected = createHmac('sha1', key).update('value').digest();
  assert.deepEqual(saltedHmac('purpose', 'value', 'the-secret'), expected);
  assert.notDeepEqual(saltedHmac('other', 'value', 'the-secret'), expected);
  assert.equal(saltedHmac('p', 'v', 'k', 'sha256').byteLength, 32);
});

test("saltedHmac matches Django's own test vectors", () => {
  assert.equal(saltedHmac('salt', 'value', 'abcdefg').toString('hex'), '8bbee04ccddfa24772d1423a0ba43bd0c0e24b76');
  assert.equal(
    saltedHmac('salt', 'value', 'django_tests_secret_key').toString('hex'),
    'b51a2e619c43b1ca4f91d15c57455521d71d61eb',
  );
  assert.equal(
    saltedHmac('salt', 'value', 'django_tests_secret_key', 'sha256').toString('hex'),
    'ee0bf789e4e009371a5372c90f73fcf17695a8439c9108b0480f14e347b3f9ec',
  );
});
