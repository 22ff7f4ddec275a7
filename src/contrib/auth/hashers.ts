/**
 * Password hashing, as Django's `django.contrib.auth.hashers`: passwords are stored as
 * `algorithm$parameters$salt$hash` in Django's formats, so a user table made by Django logs in
 * unchanged and a hash made here verifies in Django (test/contrib/auth/differential.test.ts).
 *
 * PASSWORD_HASHERS names the hashers: the first hashes new passwords, the others only verify,
 * and `checkPassword()` re-hashes with the first (through its `setter`) a password stored with
 * another hasher or older cost settings. Every hasher runs on node:crypto (PBKDF2, scrypt and, on
 * Node >= 24.7, Argon2), in libuv's thread pool: hashing is a promise and never blocks the
 * event loop.
 */
import { settings, fromSettings } from '../../conf/index.ts';
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import { nodeCrypto } from '../../utils/builtins.ts';
import { constantTimeCompare, getRandomString, RANDOM_STRING_CHARS } from '../../utils/crypto.ts';
import { importString } from '../../utils/module-loading.ts';

/** The start of a password that never verifies (`setUnusablePassword()`). */
export const UNUSABLE_PASSWORD_PREFIX = '!';
/** Random characters after the prefix: unusable passwords differ, so they say nothing of each other. */
export const UNUSABLE_PASSWORD_SUFFIX_LENGTH = 40;

/** Whether `encoded` is a password that can verify (not one made by `makePassword(null)`). */
export function isPasswordUsable(encoded: string | null | undefined): boolean {
  return encoded === null || encoded === undefined || !encoded.startsWith(UNUSABLE_PASSWORD_PREFIX);
}

/** `hash` with only its first `show` characters visible, as Django's `mask_hash`. */
export function maskHash(hash: string, show = 6, char = '*'): string {
  return hash.slice(0, show) + char.repeat(Math.max(0, hash.length - show));
}

/** Whether a salt has less entropy than a hasher asks (each character gives log2(62) bits). */
export function mustUpdateSalt(salt: string, expectedEntropy: number): boolean {
  return salt.length * Math.log2(RANDOM_STRING_CHARS.length) < expectedEntropy;
}

/** A hash split into its parts (`algorithm`, `hash`, `salt`, and the hasher's cost settings). */
export type DecodedHash = { algorithm: string; hash: string; salt: string | null } & Record<string, unknown>;

/**
 * A password hasher. Subclasses name their `algorithm` and implement `encode()`, `decode()`,
 * `verify()`, `safeSummary()`, `mustUpdate()` and `hardenRuntime()`; list their dotted path in
 * PASSWORD_HASHERS.
 *
 * @example
 * class StrongerPBKDF2 extends PBKDF2PasswordHasher {
 *   override iterations = 600_000;
 * }
 * // settings.ts: PASSWORD_HASHERS = ['myproject.hashers.StrongerPBKDF2', 'tsgi.contrib.auth.hashers.PBKDF2PasswordHasher'];
 */
export abstract class BasePasswordHasher {
  /** The name at the start of the hashes this hasher makes. */
  abstract readonly algorithm: string;
  /** Bits of entropy of a new salt (128: 22 characters). */
  saltEntropy = 128;

  /** A new random salt of at least `saltEntropy` bits, in ASCII letters and digits. */
  salt(): string {
    const count = Math.ceil(this.saltEntropy / Math.log2(RANDOM_STRING_CHARS.length));
    return getRandomString(count, RANDOM_STRING_CHARS);
  }

  /** The stored form of `password` with `salt`. */
  abstract encode(password: string, salt: string): Promise<string>;
  /** The parts of a stored hash. */
  abstract decode(encoded: string): DecodedHash;
  /** Whether `password` is the one `encoded` was made from (in constant time). */
  abstract verify(password: string, encoded: string): Promise<boolean>;
  /** The hash's parts with the secret ones masked, for display. */
  abstract safeSummary(encoded: string): Record<string, string | number>;

  /** Whether `encoded` was made with other cost settings than this hasher's (it is then re-hashed at login). */
  mustUpdate(_encoded: string): boolean {
    return false;
  }

  /**
   * Spends the work that `encoded`'s lower cost saved, so that a failed check against an old
   * hash takes as long as one against a current hash (the difference would tell who has one).
   */
  async hardenRuntime(_password: string, _encoded: string): Promise<void> {}

  /** Splits `encoded` at `$` into exactly `count` parts, or says what is wrong. */
  protected split(encoded: string, count: number): string[] {
    const parts = encoded.split('$');
    if (parts.length < count) {
      throw new ValueError(`The ${this.algorithm} hash has ${parts.length} parts separated by $, not ${count}.`);
    }
    const head = parts.slice(0, count - 1);
    head.push(parts.slice(count - 1).join('$'));
    if (head[0] !== this.algorithm) {
      throw new ValueError(`The hash's algorithm is '${head[0]}', not this hasher's '${this.algorithm}'.`);
    }
    return head;
  }
}

/** A hash this hasher cannot read, or an unknown algorithm: Python's ValueError, as Django raises it. */
export class ValueError extends Error {
  override name = 'ValueError';
}

function promisified<T>(run: (done: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/**
 * PBKDF2 with HMAC-SHA256, Django's default: `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`.
 * 260,000 iterations, Django 3.2's figure (Django 5.1 asks 870,000; raise `iterations` in a
 * subclass: docs/auth.md measures what each costs).
 */
export class PBKDF2PasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'pbkdf2_sha256';
  iterations = 260_000;
  /** node:crypto's name of the HMAC digest. */
  digest = 'sha256';

  override async encode(password: string, salt: string, iterations = this.iterations): Promise<string> {
    checkSalt(salt, this.algorithm);
    const keylen = nodeCrypto().createHash(this.digest).digest().length;
    const hash = await promisified<Buffer>((done) =>
      nodeCrypto().pbkdf2(password, salt, iterations, keylen, this.digest, done),
    );
    return `${this.algorithm}$${iterations}$${salt}$${base64(hash)}`;
  }

  override decode(encoded: string): DecodedHash {
    const [algorithm, iterations, salt, hash] = this.split(encoded, 4) as [string, string, string, string];
    if (!/^\d+$/.test(iterations))
      throw new ValueError(`The ${algorithm} hash's iteration count '${iterations}' is not a number.`);
    return { algorithm, hash, iterations: Number(iterations), salt };
  }

  override async verify(password: string, encoded: string): Promise<boolean> {
    const decoded = this.decode(encoded);
    const again = await this.encode(password, decoded.salt!, decoded.iterations as number);
    return constantTimeCompare(encoded, again);
  }

  override safeSummary(encoded: string): Record<string, string | number> {
    const decoded = this.decode(encoded);
    return {
      algorithm: decoded.algorithm,
      iterations: decoded.iterations as number,
      salt: maskHash(decoded.salt!),
      hash: maskHash(decoded.hash),
    };
  }

  override mustUpdate(encoded: string): boolean {
    const decoded = this.decode(encoded);
    return decoded.iterations !== this.iterations || mustUpdateSalt(decoded.salt!, this.saltEntropy);
  }

  override async hardenRuntime(password: string, encoded: string): Promise<void> {
    const decoded = this.decode(encoded);
    const extra = this.iterations - (decoded.iterations as number);
    if (extra > 0) await this.encode(password, decoded.salt!, extra);
  }
}

/** PBKDF2 with HMAC-SHA1 (PKCS #5's default PRF): `pbkdf2_sha1$...`, for hashes made elsewhere. */
export class PBKDF2SHA1PasswordHasher extends PBKDF2PasswordHasher {
  override readonly algorithm: string = 'pbkdf2_sha1';
  override digest = 'sha1';
}

function checkSalt(salt: string, algorithm: string): void {
  if (salt === '' || salt.includes('$')) {
    throw new ValueError(
      `A ${algorithm} salt must be non-empty and must not contain '$'; got ${JSON.stringify(salt)}.`,
    );
  }
}

/** Base64 without padding, as the PHC string format (and argon2-cffi) writes it. */
function b64NoPad(bytes: Uint8Array): string {
  return base64(bytes).replace(/=+$/, '');
}

type Argon2Variety = 'argon2id' | 'argon2i' | 'argon2d';

/**
 * Argon2id, the Password Hashing Competition's winner, in Django's format:
 * `argon2$argon2id$v=19$m=102400,t=2,p=8$<base64 salt>$<base64 hash>` (Django's Argon2
 * hasher writes argon2-cffi's string after `argon2`). Memory-hard: each hash takes
 * `memoryCost` KiB (100 MiB by default) while it runs. Needs Node.js >= 24.7 (node:crypto's
 * `argon2`).
 */
export class Argon2PasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'argon2';
  timeCost = 2;
  /** KiB. */
  memoryCost = 102_400;
  parallelism = 8;
  /** Bytes of hash (argon2-cffi's default, what Django stores). */
  hashLength = 16;
  variety: Argon2Variety = 'argon2id';

  async #hash(
    password: string,
    salt: Uint8Array,
    p: { variety: Argon2Variety; timeCost: number; memoryCost: number; parallelism: number; hashLength: number },
  ): Promise<Buffer> {
    const crypto = nodeCrypto();
    if (typeof crypto.argon2 !== 'function') {
      throw new ImproperlyConfigured(
        `Argon2PasswordHasher needs node:crypto's argon2(), which Node.js ${process.version} lacks: run Node.js >= 24.7, ` +
          'or take tsgi.contrib.auth.hashers.Argon2PasswordHasher out of PASSWORD_HASHERS.',
      );
    }
    return promisified<Buffer>((done) =>
      crypto.argon2(
        p.variety,
        {
          message: password,
          nonce: salt,
          parallelism: p.parallelism,
          tagLength: p.hashLength,
          memory: p.memoryCost,
          passes: p.timeCost,
        },
        done,
      ),
    );
  }

  override async encode(password: string, salt: string): Promise<string> {
    checkSalt(salt, this.algorithm);
    const saltBytes = Buffer.from(salt, 'utf8');
    const hash = await this.#hash(password, saltBytes, this);
    const params = `m=${this.memoryCost},t=${this.timeCost},p=${this.parallelism}`;
    return `${this.algorithm}$${this.variety}$v=19$${params}$${b64NoPad(saltBytes)}$${b64NoPad(hash)}`;
  }

  override decode(encoded: string): DecodedHash {
    const parts = encoded.split('$');
    if (parts[0] !== this.algorithm) {
      throw new ValueError(`The hash's algorithm is '${parts[0]}', not this hasher's '${this.algorithm}'.`);
    }
    // argon2$<variety>[$v=<version>]$m=..,t=..,p=..$<salt>$<hash> (old argon2i hashes have no version).
    const variety = parts[1] as Argon2Variety;
    const hasVersion = parts[2]?.startsWith('v=') === true;
    const [params, salt, hash] = hasVersion ? parts.slice(3) : parts.slice(2);
    if (!['argon2id', 'argon2i', 'argon2d'].includes(variety) || params === undefined || hash === undefined) {
      throw new ValueError(`'${maskHash(encoded, 16)}' is not an argon2 hash of Django's format.`);
    }
    const values = Object.fromEntries(params.split(',').map((kv) => kv.split('=') as [string, string]));
    const number = (key: string) => {
      const value = values[key];
      if (value === undefined || !/^\d+$/.test(value)) throw new ValueError(`The argon2 hash has no valid '${key}'.`);
      return Number(value);
    };
    return {
      algorithm: this.algorithm,
      variety,
      version: hasVersion ? Number(parts[2]!.slice(2)) : 0x10,
      memoryCost: number('m'),
      timeCost: number('t'),
      parallelism: number('p'),
      salt: Buffer.from(salt!, 'base64').toString('latin1'),
      saltLength: Buffer.from(salt!, 'base64').length,
      hash: hash,
      hashLength: Buffer.from(hash, 'base64').length,
    };
  }

  override async verify(password: string, encoded: string): Promise<boolean> {
    const d = this.decode(encoded);
    if (d.version !== 19) return false; // node:crypto computes version 0x13 only.
    const salt = Buffer.from(d.salt!, 'latin1');
    const hash = await this.#hash(password, salt, {
      variety: d.variety as Argon2Variety,
      timeCost: d.timeCost as number,
      memoryCost: d.memoryCost as number,
      parallelism: d.parallelism as number,
      hashLength: d.hashLength as number,
    });
    return constantTimeCompare(b64NoPad(hash), d.hash.replace(/=+$/, ''));
  }

  override safeSummary(encoded: string): Record<string, string | number> {
    const d = this.decode(encoded);
    return {
      algorithm: d.algorithm,
      variety: d.variety as string,
      version: d.version as number,
      'memory cost': d.memoryCost as number,
      'time cost': d.timeCost as number,
      parallelism: d.parallelism as number,
      salt: maskHash(d.salt!),
      hash: maskHash(d.hash),
    };
  }

  override mustUpdate(encoded: string): boolean {
    const d = this.decode(encoded);
    return (
      d.variety !== this.variety ||
      d.version !== 19 ||
      d.memoryCost !== this.memoryCost ||
      d.timeCost !== this.timeCost ||
      d.parallelism !== this.parallelism ||
      d.hashLength !== this.hashLength ||
      mustUpdateSalt(d.salt!, this.saltEntropy)
    );
  }
  // hardenRuntime: none, as Django (Argon2's cost is too many-sided to top up).
}

/**
 * scrypt, in Django 4.0's format (Django 3.2 has no scrypt hasher):
 * `scrypt$<N>$<salt>$<r>$<p>$<base64 hash>`, N = 2^14, r = 8, p = 1, 64 bytes. Memory-hard:
 * each hash takes 128·N·r bytes (16 MiB).
 */
export class ScryptPasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'scrypt';
  workFactor = 2 ** 14;
  blockSize = 8;
  parallelism = 1;

  async #hash(password: string, salt: string, n: number, r: number, p: number): Promise<Buffer> {
    // OpenSSL refuses above maxmem (32 MiB by default): allow what these parameters need.
    const maxmem = 128 * n * r * 2 + 128 * r * p + 1024 * 1024;
    return promisified<Buffer>((done) => nodeCrypto().scrypt(password, salt, 64, { N: n, r, p, maxmem }, done));
  }

  override async encode(
    password: string,
    salt: string,
    n = this.workFactor,
    r = this.blockSize,
    p = this.parallelism,
  ): Promise<string> {
    checkSalt(salt, this.algorithm);
    const hash = await this.#hash(password, salt, n, r, p);
    return `${this.algorithm}$${n}$${salt}$${r}$${p}$${base64(hash)}`;
  }

  override decode(encoded: string): DecodedHash {
    const [algorithm, n, salt, r, p, hash] = this.split(encoded, 6) as [string, string, string, string, string, string];
    for (const [name, value] of [
      ['work factor', n],
      ['block size', r],
      ['parallelism', p],
    ] as const) {
      if (!/^\d+$/.test(value)) throw new ValueError(`The scrypt hash's ${name} '${value}' is not a number.`);
    }
    return { algorithm, hash, salt, workFactor: Number(n), blockSize: Number(r), parallelism: Number(p) };
  }

  override async verify(password: string, encoded: string): Promise<boolean> {
    const d = this.decode(encoded);
    const again = await this.encode(
      password,
      d.salt!,
      d.workFactor as number,
      d.blockSize as number,
      d.parallelism as number,
    );
    return constantTimeCompare(encoded, again);
  }

  override safeSummary(encoded: string): Record<string, string | number> {
    const d = this.decode(encoded);
    return {
      algorithm: d.algorithm,
      'work factor': d.workFactor as number,
      'block size': d.blockSize as number,
      parallelism: d.parallelism as number,
      salt: maskHash(d.salt!),
      hash: maskHash(d.hash),
    };
  }

  override mustUpdate(encoded: string): boolean {
    const d = this.decode(encoded);
    return (
      d.workFactor !== this.workFactor ||
      d.blockSize !== this.blockSize ||
      d.parallelism !== this.parallelism ||
      mustUpdateSalt(d.salt!, this.saltEntropy)
    );
  }
}

/** A salted digest of Django's old formats: `sha1$salt$hex` and `md5$salt$hex`. Verify and upgrade only. */
abstract class SaltedDigestHasher extends BasePasswordHasher {
  protected abstract readonly digest: 'sha1' | 'md5';

  override async encode(password: string, salt: string): Promise<string> {
    checkSalt(salt, this.algorithm);
    const hex = nodeCrypto()
      .createHash(this.digest)
      .update(salt + password, 'utf8')
      .digest('hex');
    return `${this.algorithm}$${salt}$${hex}`;
  }

  override decode(encoded: string): DecodedHash {
    const [algorithm, salt, hash] = this.split(encoded, 3) as [string, string, string];
    return { algorithm, hash, salt };
  }

  override async verify(password: string, encoded: string): Promise<boolean> {
    return constantTimeCompare(encoded, await this.encode(password, this.decode(encoded).salt!));
  }

  override safeSummary(encoded: string): Record<string, string | number> {
    const d = this.decode(encoded);
    return { algorithm: d.algorithm, salt: maskHash(d.salt!, 2), hash: maskHash(d.hash) };
  }

  override mustUpdate(encoded: string): boolean {
    return mustUpdateSalt(this.decode(encoded).salt!, this.saltEntropy);
  }
}

/** Salted SHA-1 (`sha1$salt$hex`): not safe; for tables from old Django versions, upgraded at login. */
export class SHA1PasswordHasher extends SaltedDigestHasher {
  readonly algorithm: string = 'sha1';
  protected readonly digest = 'sha1';
}

/** Salted MD5 (`md5$salt$hex`): not safe; fast, so test suites may list it first to hash quickly. */
export class MD5PasswordHasher extends SaltedDigestHasher {
  readonly algorithm: string = 'md5';
  protected readonly digest = 'md5';
}

/** Unsalted SHA-1 (`sha1$$hex`), as ancient Django versions stored it: verify and upgrade only. */
export class UnsaltedSHA1PasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'unsalted_sha1';

  override salt(): string {
    return '';
  }

  override async encode(password: string, salt: string): Promise<string> {
    if (salt !== '') throw new ValueError('The unsalted_sha1 hasher takes no salt.');
    return `sha1$$${nodeCrypto().createHash('sha1').update(password, 'utf8').digest('hex')}`;
  }

  override decode(encoded: string): DecodedHash {
    if (!encoded.startsWith('sha1$$')) throw new ValueError('An unsalted_sha1 hash starts with sha1$$.');
    return { algorithm: this.algorithm, hash: encoded.slice(6), salt: null };
  }

  override async verify(password: string, encoded: string): Promise<boolean> {
    return constantTimeCompare(encoded, await this.encode(password, ''));
  }

  override safeSummary(encoded: string): Record<string, string | number> {
    return { algorithm: this.algorithm, hash: maskHash(this.decode(encoded).hash) };
  }
}

/** Unsalted MD5 (32 hex digits, or `md5$$hex`), as ancient Django versions stored it: verify and upgrade only. */
export class UnsaltedMD5PasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'unsalted_md5';

  override salt(): string {
    return '';
  }

  override async encode(password: string, salt: string): Promise<string> {
    if (salt !== '') throw new ValueError('The unsalted_md5 hasher takes no salt.');
    return nodeCrypto().createHash('md5').update(password, 'utf8').digest('hex');
  }

  override decode(encoded: string): DecodedHash {
    return { algorithm: this.algorithm, hash: encoded, salt: null };
  }

  override async verify(password: string, encoded: string): Promise<boolean> {
    const hex = encoded.length === 37 && encoded.startsWith('md5$$') ? encoded.slice(5) : encoded;
    return constantTimeCompare(hex, await this.encode(password, ''));
  }

  override safeSummary(encoded: string): Record<string, string | number> {
    return { algorithm: this.algorithm, hash: maskHash(encoded, 3) };
  }
}

// -- PASSWORD_HASHERS ---------------------------------------------------------------------------

const DJANGO_PREFIX = 'django.contrib.auth.hashers.';

/** The hasher a PASSWORD_HASHERS entry names (Django's dotted names are understood). */
function loadHasher(entry: string): BasePasswordHasher {
  const name = entry.startsWith(DJANGO_PREFIX)
    ? `tsgi.contrib.auth.hashers.${entry.slice(DJANGO_PREFIX.length)}`
    : entry;
  let Hasher: unknown;
  try {
    Hasher = name.startsWith('tsgi.contrib.auth.hashers.') ? BUILT_IN[name.slice(26)] : importString(name);
    if (Hasher === undefined) importString(name);
  } catch (error) {
    throw new ImproperlyConfigured(
      `PASSWORD_HASHERS names '${entry}', which cannot be loaded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (typeof Hasher !== 'function') {
    throw new ImproperlyConfigured(`PASSWORD_HASHERS names '${entry}', which is not a hasher class.`);
  }
  const hasher = new (Hasher as new () => BasePasswordHasher)();
  if (typeof hasher.algorithm !== 'string' || hasher.algorithm === '') {
    throw new ImproperlyConfigured(`The hasher '${entry}' in PASSWORD_HASHERS doesn't specify an algorithm name.`);
  }
  return hasher;
}

const BUILT_IN: Record<string, unknown> = {
  PBKDF2PasswordHasher,
  PBKDF2SHA1PasswordHasher,
  Argon2PasswordHasher,
  ScryptPasswordHasher,
  SHA1PasswordHasher,
  MD5PasswordHasher,
  UnsaltedSHA1PasswordHasher,
  UnsaltedMD5PasswordHasher,
};

// Built once per settings change (Django's lru_cache cleared on setting_changed).
const configured = fromSettings(() => {
  const list = (settings.PASSWORD_HASHERS as readonly string[]).map(loadHasher);
  if (list.length === 0) {
    throw new ImproperlyConfigured(
      "PASSWORD_HASHERS is empty: list at least one hasher, e.g. 'tsgi.contrib.auth.hashers.PBKDF2PasswordHasher'.",
    );
  }
  return { list, byAlgorithm: new Map(list.map((h) => [h.algorithm, h])) };
});

/** The hashers of PASSWORD_HASHERS, in order. */
export function getHashers(): BasePasswordHasher[] {
  return [...configured().list];
}

/**
 * A hasher by algorithm name (`'pbkdf2_sha256'`), `'default'` for the first of
 * PASSWORD_HASHERS, or a hasher itself.
 *
 * @throws ValueError for an algorithm no hasher of PASSWORD_HASHERS has.
 */
export function getHasher(algorithm: string | BasePasswordHasher = 'default'): BasePasswordHasher {
  if (typeof algorithm !== 'string') return algorithm;
  const { list, byAlgorithm } = configured();
  if (algorithm === 'default') return list[0]!;
  const hasher = byAlgorithm.get(algorithm);
  if (hasher === undefined) {
    throw new ValueError(
      `Unknown password hashing algorithm '${algorithm}'. Did you specify it in the PASSWORD_HASHERS setting?`,
    );
  }
  return hasher;
}

/**
 * The hasher of a stored hash, from its algorithm name (and the bare forms of ancient Django
 * versions: 32 hex digits, `md5$$...`, `sha1$$...`).
 *
 * @throws ValueError when PASSWORD_HASHERS has no hasher for it.
 */
export function identifyHasher(encoded: string): BasePasswordHasher {
  let algorithm: string;
  if ((encoded.length === 32 && !encoded.includes('$')) || (encoded.length === 37 && encoded.startsWith('md5$$'))) {
    algorithm = 'unsalted_md5';
  } else if (encoded.length === 46 && encoded.startsWith('sha1$$')) {
    algorithm = 'unsalted_sha1';
  } else {
    algorithm = encoded.split('$', 1)[0]!;
  }
  return getHasher(algorithm);
}

/**
 * The stored form of a password: hashed with a new random salt by the default hasher (or
 * `options.hasher`); `null` gives an unusable password (`!` and 40 random characters).
 *
 * @example
 * user.password = await makePassword('correct horse battery staple');
 */
export async function makePassword(
  password: string | null,
  options: { salt?: string; hasher?: string | BasePasswordHasher } = {},
): Promise<string> {
  if (password === null) return UNUSABLE_PASSWORD_PREFIX + getRandomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH);
  if (typeof password !== 'string') {
    throw new TypeError(`Password must be a string, got ${password === undefined ? 'undefined' : typeof password}.`);
  }
  const hasher = getHasher(options.hasher ?? 'default');
  return hasher.encode(password, options.salt || hasher.salt());
}

/**
 * Whether `password` matches the stored `encoded`. When it does and the hash was made by
 * another hasher than the preferred one (or with other cost settings), `setter(password)` is
 * called to store a new hash: old hashes are upgraded as users log in.
 *
 * A password checked against no usable hash (none, unusable, or an algorithm not installed)
 * still runs the default hasher once, so the answer takes as long as a real check: the time
 * does not tell which users exist.
 *
 * @example
 * if (await checkPassword(raw, user.password, async (p) => { await user.setPassword(p); await user.save(); })) { ... }
 */
export async function checkPassword(
  password: string | null | undefined,
  encoded: string | null | undefined,
  setter?: (password: string) => unknown,
  preferred: string | BasePasswordHasher = 'default',
): Promise<boolean> {
  const preferredHasher = getHasher(preferred);
  let hasher: BasePasswordHasher | undefined;
  if (typeof password === 'string' && typeof encoded === 'string' && isPasswordUsable(encoded)) {
    try {
      hasher = identifyHasher(encoded);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
    }
  }
  if (hasher === undefined) {
    await makePassword(getRandomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH));
    return false;
  }
  let correct: boolean;
  let mustUpdate: boolean;
  const hasherChanged = hasher.algorithm !== preferredHasher.algorithm;
  try {
    mustUpdate = hasherChanged || preferredHasher.mustUpdate(encoded!);
    correct = await hasher.verify(password!, encoded!);
  } catch (error) {
    // A damaged hash of a known algorithm: no match, after the same work as a real check.
    if (!(error instanceof ValueError)) throw error;
    await makePassword(getRandomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH));
    return false;
  }
  // Close the timing gap between an old hash's work factor and the current one (when the
  // hasher is the same: a change of algorithm is not protected against, as in Django).
  if (!correct && !hasherChanged && mustUpdate) await hasher.hardenRuntime(password!, encoded!);
  if (setter !== undefined && correct && mustUpdate) await setter(password!);
  return correct;
}
