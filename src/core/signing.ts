/**
 * Signing, as Django's `django.core.signing`: `value:signature` strings that prove a value was
 * produced with SECRET_KEY (or one of SECRET_KEY_FALLBACKS), optionally timestamped, and signed
 * JSON objects (`dumps` / `loads`). The format is Django's, so both read each other's values
 * given the same key and salt. Used by signed cookies.
 */
import { settings } from '../conf/index.ts';
import { nodeZlib } from '../utils/builtins.ts';
import { constantTimeCompare, saltedHmac } from '../utils/crypto.ts';
import { importString } from '../utils/module-loading.ts';

/**
 * The default salts name the module this was first written as (tsgi.utils.signing); they stay, as
 * a new salt would make every value signed so far fail to verify.
 */
const SALT_PREFIX = 'tsgi.utils.signing';

/** The signature does not match (tampered with, or another key or salt). */
export class BadSignature extends Error {
  override name = 'BadSignature';
}

/** The signature is valid but older than `maxAge`. */
export class SignatureExpired extends BadSignature {
  override name = 'SignatureExpired';
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function b62Encode(n: number): string {
  if (n === 0) return '0';
  let rest = Math.abs(Math.trunc(n));
  let out = '';
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return (n < 0 ? '-' : '') + out;
}

export function b62Decode(text: string): number {
  if (text === '0') return 0;
  const negative = text.startsWith('-');
  let n = 0;
  for (const char of negative ? text.slice(1) : text) {
    const digit = BASE62.indexOf(char);
    if (digit === -1) throw new BadSignature(`The timestamp ${JSON.stringify(text)} is not base 62.`);
    n = n * 62 + digit;
  }
  return negative ? -n : n;
}

const b64Encode = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** Turns values into text and back for signed objects (Django's `serializer=`); JSON by default. */
export interface Serializer {
  dumps(value: unknown): string;
  loads(text: string): unknown;
}

const JSON_SERIALIZER: Serializer = { dumps: (value) => JSON.stringify(value), loads: (text) => JSON.parse(text) };

/** Options of a Signer. */
export interface SignerOptions {
  /** SECRET_KEY by default. */
  key?: string | Uint8Array;
  /** Keys also accepted when unsigning; SECRET_KEY_FALLBACKS by default. */
  fallbackKeys?: Array<string | Uint8Array>;
  sep?: string;
  /** Separates purposes: a value signed with one salt does not verify with another. */
  salt?: string;
  algorithm?: string;
}

/**
 * Signs strings: `sign('hello')` → `'hello:<signature>'`.
 *
 * @example
 * const signer = new Signer({ salt: 'unsubscribe' });
 * const token = signer.sign(String(user.id));
 * signer.unsign(token); // the id, or BadSignature
 */
export class Signer {
  readonly key: string | Uint8Array;
  readonly fallbackKeys: Array<string | Uint8Array>;
  readonly sep: string;
  readonly salt: string;
  readonly algorithm: string;

  constructor(options: SignerOptions = {}) {
    this.key = options.key ?? String(settings.SECRET_KEY);
    this.fallbackKeys = options.fallbackKeys ?? (settings.SECRET_KEY_FALLBACKS as string[]);
    this.sep = options.sep ?? ':';
    this.salt = options.salt ?? `${SALT_PREFIX}.${this.constructor.name}`;
    this.algorithm = options.algorithm ?? 'sha256';
    if (/^[A-Za-z0-9\-_=]*$/.test(this.sep)) {
      throw new RangeError(
        `Unsafe Signer separator: ${JSON.stringify(this.sep)} (cannot be empty or consist of only A-z0-9-_=).`,
      );
    }
  }

  signature(value: string, key: string | Uint8Array = this.key): string {
    const secret = typeof key === 'string' ? key : Buffer.from(key).toString('latin1');
    return b64Encode(saltedHmac(this.salt + 'signer', value, secret, this.algorithm));
  }

  sign(value: string): string {
    return `${value}${this.sep}${this.signature(value)}`;
  }

  /** The value, if its signature matches the key or a fallback key. @throws BadSignature */
  unsign(signed: string): string {
    const at = signed.lastIndexOf(this.sep);
    if (at === -1) throw new BadSignature(`No "${this.sep}" found in value.`);
    const value = signed.slice(0, at);
    const signature = signed.slice(at + this.sep.length);
    for (const key of [this.key, ...this.fallbackKeys]) {
      if (constantTimeCompare(signature, this.signature(value, key))) return value;
    }
    throw new BadSignature(`Signature "${signature}" does not match.`);
  }

  /** Signs a JSON value (compressed when that is shorter). */
  signObject(value: unknown, options: { compress?: boolean; serializer?: Serializer } = {}): string {
    let data: Buffer = Buffer.from((options.serializer ?? JSON_SERIALIZER).dumps(value), 'utf8');
    let prefix = '';
    if (options.compress) {
      const compressed = nodeZlib().deflateSync(data);
      if (compressed.byteLength < data.byteLength - 1) {
        data = compressed;
        prefix = '.';
      }
    }
    return this.sign(prefix + b64Encode(data));
  }

  /** The JSON value of `signObject`. @throws BadSignature */
  unsignObject(signed: string, ...rest: unknown[]): unknown {
    return this.unsignObjectWith(signed, JSON_SERIALIZER, ...rest);
  }

  /** The value of `signObject(value, { serializer })`. @throws BadSignature */
  unsignObjectWith(signed: string, serializer: Serializer, ...rest: unknown[]): unknown {
    const base64 = (this.unsign as (s: string, ...r: unknown[]) => string)(signed, ...rest);
    const compressed = base64.startsWith('.');
    let data = Buffer.from(compressed ? base64.slice(1) : base64, 'base64url');
    if (compressed) data = nodeZlib().inflateSync(data);
    return serializer.loads(data.toString('utf8'));
  }
}

/** A Signer that also signs the time, so `unsign(value, maxAge)` can refuse old values. */
export class TimestampSigner extends Signer {
  timestamp(): string {
    return b62Encode(Math.floor(Date.now() / 1000));
  }

  override sign(value: string): string {
    return super.sign(`${value}${this.sep}${this.timestamp()}`);
  }

  /** @throws BadSignature, or SignatureExpired when older than `maxAge` seconds. */
  override unsign(signed: string, maxAge?: number | null): string {
    const result = super.unsign(signed);
    const at = result.lastIndexOf(this.sep);
    if (at === -1) throw new BadSignature(`No "${this.sep}" found in value.`);
    const timestamp = b62Decode(result.slice(at + this.sep.length));
    if (maxAge !== undefined && maxAge !== null) {
      const age = Date.now() / 1000 - timestamp;
      if (age > maxAge) throw new SignatureExpired(`Signature age ${age.toFixed(1)} > ${maxAge} seconds.`);
    }
    return result.slice(0, at);
  }
}

/** The Signer for cookies (`SIGNING_BACKEND`, keyed apart from other uses of SECRET_KEY). */
export function getCookieSigner(salt: string): Signer {
  const backend = settings.SIGNING_BACKEND;
  const SignerClass = (typeof backend === 'string' ? importString(backend) : backend) as typeof Signer;
  const cookieKey = (key: string) => 'tsgi.http.cookies' + key;
  return new SignerClass({
    key: cookieKey(String(settings.SECRET_KEY)),
    fallbackKeys: (settings.SECRET_KEY_FALLBACKS as string[]).map(cookieKey),
    salt,
  });
}

/**
 * Signs a JSON value with SECRET_KEY and a timestamp (Django's `signing.dumps`).
 * @example const token = dumps({ user: 1 }, { salt: 'reset' }); loads(token, { salt: 'reset', maxAge: 3600 });
 */
export function dumps(
  value: unknown,
  options: { key?: string; salt?: string; compress?: boolean; serializer?: Serializer } = {},
): string {
  return new TimestampSigner({ key: options.key, salt: options.salt ?? SALT_PREFIX }).signObject(value, {
    compress: options.compress,
    serializer: options.serializer,
  });
}

/** Verifies and decodes `dumps` output. @throws BadSignature, SignatureExpired */
export function loads(
  signed: string,
  options: { key?: string; salt?: string; maxAge?: number; serializer?: Serializer } = {},
): unknown {
  return new TimestampSigner({ key: options.key, salt: options.salt ?? SALT_PREFIX }).unsignObjectWith(
    signed,
    options.serializer ?? JSON_SERIALIZER,
    options.maxAge,
  );
}
