/**
 * Cryptographic helpers, as Django's `django.utils.crypto`: random strings for tokens, a
 * comparison that does not leak where two secrets differ, and salted HMACs.
 */
import { nodeCrypto } from './builtins.ts';

export const RANDOM_STRING_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A random string from a cryptographically secure source, each character drawn uniformly.
 * @example getRandomString(32); // a CSRF secret
 */
export function getRandomString(length: number, allowedChars = RANDOM_STRING_CHARS): string {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`getRandomString() takes a non-negative integer length, got ${String(length)}.`);
  }
  if (allowedChars.length === 0) throw new RangeError('getRandomString() needs at least one allowed character.');
  const { randomInt } = nodeCrypto();
  let out = '';
  for (let i = 0; i < length; i++) out += allowedChars[randomInt(allowedChars.length)];
  return out;
}

/** Whether two strings (or byte arrays) are equal, in time that does not depend on where they differ. */
export function constantTimeCompare(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a);
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
  // Compare equal lengths either way so the time does not reveal the length of a secret prefix.
  const equal = nodeCrypto().timingSafeEqual(x, x.length === y.length ? y : x);
  return equal && x.length === y.length;
}

/**
 * An HMAC of `value` keyed by a hash of `keySalt` + `secret`, as Django's `salted_hmac`, so that
 * one secret yields independent keys per purpose. Unlike Django's, `secret` has no default:
 * utils/ reads no settings, so the caller passes `settings.SECRET_KEY` (core/signing does).
 * @example saltedHmac('my.app.purpose', value, String(settings.SECRET_KEY));
 */
export function saltedHmac(keySalt: string, value: string | Uint8Array, secret: string, algorithm = 'sha1'): Buffer {
  const { createHash, createHmac } = nodeCrypto();
  const key = createHash(algorithm)
    .update(keySalt + secret)
    .digest();
  return createHmac(algorithm, key).update(value).digest();
}
