/**
 * What every cache backend is, as Django's `django.core.cache.backends.base.BaseCache`: Django's
 * API (get, set, add, delete, getMany, setMany, deleteMany, incr, decr, touch, getOrSet, has,
 * clear, incrVersion, decrVersion) with its timeouts, KEY_PREFIX, VERSION and KEY_FUNCTION, and
 * the same key warnings. Every method returns a promise: a cache may be another machine (Redis).
 *
 * A backend is a text store: this class makes and checks the keys, turns values to text and back
 * (utils/tagged-json: data only, never code) and applies the timeouts' rules; a backend
 * implements the few `protected` operations on made keys and stored text. Reads never fail
 * because the store is away: a `CacheUnavailable` from the backend reads as a miss; writes reject
 * with it, so that a caller who relies on a write (sessions, a lock made with `add()`) knows it
 * did not happen. An outage is logged on `tsgi.cache` at ERROR (shown by the default LOGGING in
 * production): once when it starts, then a count every 30 s, and once when the store is back.
 */
import type { CacheConfig } from '../../../conf/global-settings.ts';
import { ImproperlyConfigured } from '../../exceptions.ts';
import { getLogger } from '../../../utils/log.ts';
import { importString } from '../../../utils/module-loading.ts';
import { dumps, loads } from '../../../utils/tagged-json.ts';

const logger = getLogger('tsgi.cache');

/**
 * A timeout in seconds: `undefined` for the cache's default (`TIMEOUT`, 300 unless set), `null`
 * for forever, 0 or less for "expire at once" (nothing is kept).
 */
export type Timeout = number | null | undefined;

/** Makes the stored key from the key, `KEY_PREFIX` and the version (`KEY_FUNCTION`). */
export type KeyFunction = (key: string, keyPrefix: string, version: number) => string;

export type { CacheConfig };

/** What a backend is built with: its `CACHES` entry and its alias. */
export interface CacheParams extends Omit<CacheConfig, 'BACKEND'> {
  BACKEND?: CacheConfig['BACKEND'];
  /** The alias in CACHES (`default`), for messages. */
  alias?: string;
}

/** A key would not work on every backend (Django's warning, for memcached's limits). */
export const CACHE_KEY_WARNING = 'CacheKeyWarning';

/** Memcached does not accept keys longer than this; Django warns past it. */
export const MEMCACHE_MAX_KEY_LENGTH = 250;

/** The store could not be reached or used (Redis down, a folder not writable). */
export class CacheUnavailable extends Error {
  override name = 'CacheUnavailable';
}

/** A key was not in the cache for an operation that needs it (`incr`, `incrVersion`); Django raises ValueError. */
export class CacheKeyNotFound extends Error {
  override name = 'CacheKeyNotFound';
}

/** `CACHES` names no such alias, or its backend cannot be loaded. */
export class InvalidCacheBackendError extends ImproperlyConfigured {
  override name = 'InvalidCacheBackendError';
}

/** Django's default key function: `prefix:version:key`. */
export const defaultKeyFunc: KeyFunction = (key, keyPrefix, version) => `${keyPrefix}:${version}:${key}`;

/** The key function of a KEY_FUNCTION setting: the default, a function, or a dotted name. */
export function getKeyFunc(keyFunction: string | KeyFunction | undefined | null): KeyFunction {
  if (keyFunction === undefined || keyFunction === null) return defaultKeyFunc;
  if (typeof keyFunction === 'function') return keyFunction;
  const found = importString(keyFunction);
  if (typeof found !== 'function') {
    throw new ImproperlyConfigured(
      `KEY_FUNCTION '${keyFunction}' is not a function: name a function (key, keyPrefix, version) => string.`,
    );
  }
  return found as KeyFunction;
}

/** Django's warnings for a key memcached would refuse (too long, or a control or space character). */
export function memcacheKeyWarnings(key: string): string[] {
  const warnings: string[] = [];
  if (key.length > MEMCACHE_MAX_KEY_LENGTH) {
    warnings.push(
      `Cache key will cause errors if used with memcached: ${pyRepr(key)} (longer than ${MEMCACHE_MAX_KEY_LENGTH})`,
    );
  }
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 33 || code === 127) {
      warnings.push(`Cache key contains characters that will cause errors if used with memcached: ${pyRepr(key)}`);
      break;
    }
  }
  return warnings;
}

function pyRepr(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

// Warnings already emitted: Python shows a warning once per place; here once per text, up to a
// bound, so a hot loop with a bad key does not flood stderr.
const warned = new Set<string>();

function warn(message: string): void {
  if (warned.has(message)) return;
  if (warned.size < 1000) warned.add(message);
  process.emitWarning(message, CACHE_KEY_WARNING);
}

function intOption(value: unknown, fallback: number): number {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? Math.trunc(number) : fallback;
}

/** A value of getEntry(): present, with its value. */
export interface CacheEntry<T = unknown> {
  value: T;
}

/** How long the outage warnings wait before repeating, with the count of failed operations. */
const OUTAGE_REPORT_MS = 30_000;

/**
 * The base of every cache backend.
 *
 * @example
 * import { caches } from 'tsgi/core/cache';
 * const cache = caches.default;
 * await cache.set('greeting', 'hello', 30);
 * await cache.get('greeting'); // 'hello'
 * await cache.getOrSet('report', () => buildReport(), 600);
 */
export abstract class BaseCache {
  /** The alias in CACHES, for messages (`default`). */
  readonly alias: string;
  /** Seconds, or null for forever. */
  readonly defaultTimeout: number | null;
  readonly keyPrefix: string;
  readonly version: number;
  readonly keyFunc: KeyFunction;
  /** `OPTIONS.MAX_ENTRIES` (300), for the backends that cull. */
  protected readonly maxEntries: number;
  /** `OPTIONS.CULL_FREQUENCY` (3): 1/n of the entries go when the cache is full; 0 empties it. */
  protected readonly cullFrequency: number;
  #failingSince: number | undefined;
  #failures = 0;
  #lastReport = 0;

  constructor(params: CacheParams) {
    this.alias = params.alias ?? 'default';
    const timeout = params.TIMEOUT === undefined ? 300 : params.TIMEOUT;
    this.defaultTimeout = timeout === null ? null : intOption(timeout, 300);
    const options = params.OPTIONS ?? {};
    this.maxEntries = intOption(options.MAX_ENTRIES, 300);
    this.cullFrequency = intOption(options.CULL_FREQUENCY, 3);
    this.keyPrefix = params.KEY_PREFIX ?? '';
    this.version = params.VERSION ?? 1;
    this.keyFunc = getKeyFunc(params.KEY_FUNCTION);
  }

  /** Where this cache keeps its data, for messages: `RedisCache at redis://127.0.0.1:6379`. */
  describe(): string {
    return this.constructor.name;
  }

  // --- What a backend implements, on made keys and stored text. -------------------------------

  /** The stored texts of these keys (undefined when absent or expired). Rejects with CacheUnavailable. */
  protected abstract load(keys: readonly string[]): Promise<Array<string | undefined>>;
  /**
   * Stores text under a key for `ttl` seconds (> 0) or forever (null); with `onlyIfAbsent`, only
   * when the key is absent (or expired). Resolves to whether it stored.
   */
  protected abstract store(key: string, text: string, ttl: number | null, onlyIfAbsent: boolean): Promise<boolean>;
  /** Gives a present key a new lifetime; resolves to whether the key was there. */
  protected abstract retime(key: string, ttl: number | null): Promise<boolean>;
  /** Removes keys; resolves to how many were there. */
  protected abstract remove(keys: readonly string[]): Promise<number>;
  /** Adds `delta` to an integer value, keeping its lifetime; undefined when the key is absent. */
  protected abstract increment(key: string, delta: number): Promise<number | undefined>;
  /** Removes everything this cache stored. */
  protected abstract removeAll(): Promise<void>;

  /** Stores several texts with the same lifetime; resolves to the keys that failed. */
  protected async storeMany(entries: ReadonlyArray<[string, string]>, ttl: number | null): Promise<string[]> {
    for (const [key, text] of entries) await this.store(key, text, ttl, false);
    return [];
  }

  /** Closes connections; the cache reconnects when used again. */
  async close(): Promise<void> {}

  // --- Keys and timeouts. ----------------------------------------------------------------------

  /**
   * The key as stored: KEY_FUNCTION of the key, KEY_PREFIX and the version (this cache's
   * VERSION unless given).
   */
  makeKey(key: string, version?: number | null): string {
    if (typeof key !== 'string') {
      throw new TypeError(`A cache key must be a string, got ${typeof key} (${String(key)}).`);
    }
    return this.keyFunc(key, this.keyPrefix, version ?? this.version);
  }

  /** Warns (CacheKeyWarning) about a key that would not work on every backend, as Django. */
  validateKey(key: string): void {
    for (const message of memcacheKeyWarnings(key)) warn(message);
  }

  /** makeKey() then validateKey(). */
  makeAndValidateKey(key: string, version?: number | null): string {
    const made = this.makeKey(key, version);
    this.validateKey(made);
    return made;
  }

  /** The lifetime in seconds for a timeout argument: null (forever), or a number (<= 0: expire at once). */
  getBackendTimeout(timeout: Timeout): number | null {
    if (timeout === undefined) return this.defaultTimeout;
    if (timeout === null) return null;
    if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
      throw new TypeError(
        `A cache timeout must be a number of seconds, null (forever) or undefined (the default), got ${String(timeout)}.`,
      );
    }
    return timeout;
  }

  // --- Failures of the store. ----------------------------------------------------------------

  /** Runs a backend operation, noting outages and recoveries for the log. */
  async #guard<T>(operation: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await operation();
    } catch (error) {
      if (error instanceof CacheUnavailable) this.#noteFailure(error);
      throw error;
    }
    if (this.#failingSince !== undefined) this.#noteRecovery();
    return result;
  }

  #noteFailure(error: CacheUnavailable): void {
    const now = Date.now();
    this.#failures++;
    if (this.#failingSince === undefined) {
      this.#failingSince = now;
      this.#lastReport = now;
      logger.error(`${error.message} Reads miss and writes fail until it is back.`, { cache: this.alias });
    } else if (now - this.#lastReport >= OUTAGE_REPORT_MS) {
      this.#lastReport = now;
      logger.error(
        `The cache '${this.alias}' (${this.describe()}) is still unreachable: ${this.#failures} operations failed ` +
          `in ${Math.round((now - this.#failingSince) / 1000)} s. Last error: ${error.message}`,
        { cache: this.alias },
      );
    }
  }

  #noteRecovery(): void {
    const seconds = Math.round((Date.now() - this.#failingSince!) / 1000);
    // At the outage's level, so that wherever the outage was reported its end is too.
    logger.error(
      `The cache '${this.alias}' (${this.describe()}) is reachable again after ${seconds} s; ` +
        `${this.#failures} operations failed meanwhile.`,
      { cache: this.alias },
    );
    this.#failingSince = undefined;
    this.#failures = 0;
  }

  /** Reads texts, leniently: an unreachable store or an unreadable entry reads as a miss. */
  async #readValues(keys: readonly string[]): Promise<Array<CacheEntry | undefined>> {
    let texts: Array<string | undefined>;
    try {
      texts = await this.#guard(() => this.load(keys));
    } catch (error) {
      if (error instanceof CacheUnavailable) return keys.map(() => undefined);
      throw error;
    }
    return texts.map((text, i) => this.#decode(keys[i]!, text));
  }

  #decode(key: string, text: string | undefined): CacheEntry | undefined {
    if (text === undefined) return undefined;
    try {
      return { value: loads(text) };
    } catch (error) {
      logger.warning(
        `The cache '${this.alias}' holds an unreadable value under ${pyRepr(key)} (${(error as Error).message}); ` +
          'it reads as a miss.',
        { cache: this.alias },
      );
      return undefined;
    }
  }

  // --- Django's API. ---------------------------------------------------------------------------

  /**
   * The value stored under `key`, or `defaultValue` (undefined unless given) when there is none.
   * A store that cannot be reached reads as a miss (logged).
   */
  async get<T = unknown>(key: string, defaultValue?: T, version?: number | null): Promise<T | undefined> {
    const made = this.makeAndValidateKey(key, version);
    const [entry] = await this.#readValues([made]);
    return entry === undefined ? defaultValue : (entry.value as T);
  }

  /**
   * The entry stored under `key` (`{ value }`), or undefined when there is none; rejects with
   * CacheUnavailable when the store cannot be reached. For callers that must tell a miss from an
   * outage, such as sessions: `get()` reads both as a miss.
   */
  async getEntry<T = unknown>(key: string, version?: number | null): Promise<CacheEntry<T> | undefined> {
    const made = this.makeAndValidateKey(key, version);
    const [text] = await this.#guard(() => this.load([made]));
    return this.#decode(made, text) as CacheEntry<T> | undefined;
  }

  /** Stores a value (anything utils/tagged-json takes) for `timeout` seconds. */
  async set(key: string, value: unknown, timeout?: Timeout, version?: number | null): Promise<void> {
    const made = this.makeAndValidateKey(key, version);
    const text = dumps(value);
    const ttl = this.getBackendTimeout(timeout);
    if (ttl !== null && ttl <= 0) {
      await this.#guard(() => this.remove([made]));
      return;
    }
    await this.#guard(() => this.store(made, text, ttl, false));
  }

  /** Stores a value only if the key is not already there; resolves to whether it stored. */
  async add(key: string, value: unknown, timeout?: Timeout, version?: number | null): Promise<boolean> {
    const made = this.makeAndValidateKey(key, version);
    const text = dumps(value);
    const ttl = this.getBackendTimeout(timeout);
    if (ttl !== null && ttl <= 0) {
      // Expires at once: "stored" exactly when the key was absent, and nothing is kept.
      const [present] = await this.#guard(() => this.load([made]));
      return present === undefined;
    }
    return this.#guard(() => this.store(made, text, ttl, true));
  }

  /** Gives a key a new timeout; resolves to whether the key was there. */
  async touch(key: string, timeout?: Timeout, version?: number | null): Promise<boolean> {
    const made = this.makeAndValidateKey(key, version);
    const ttl = this.getBackendTimeout(timeout);
    if (ttl !== null && ttl <= 0) return (await this.#guard(() => this.remove([made]))) > 0;
    return this.#guard(() => this.retime(made, ttl));
  }

  /** Deletes a key; resolves to whether it was there. */
  async delete(key: string, version?: number | null): Promise<boolean> {
    const made = this.makeAndValidateKey(key, version);
    return (await this.#guard(() => this.remove([made]))) > 0;
  }

  /** The values of the keys that are in the cache, by key (missing keys are left out). */
  async getMany<T = unknown>(keys: Iterable<string>, version?: number | null): Promise<Record<string, T>> {
    const list = [...keys];
    if (list.length === 0) return {};
    const made = list.map((key) => this.makeAndValidateKey(key, version));
    const entries = await this.#readValues(made);
    const found: Array<[string, T]> = [];
    entries.forEach((entry, i) => {
      if (entry !== undefined) found.push([list[i]!, entry.value as T]);
    });
    // fromEntries defines own properties: a "__proto__" key stays a key.
    return Object.fromEntries(found) as Record<string, T>;
  }

  /** Stores several values with one timeout; resolves to the keys that could not be stored (Django's contract). */
  async setMany(
    data: Record<string, unknown> | Iterable<readonly [string, unknown]>,
    timeout?: Timeout,
    version?: number | null,
  ): Promise<string[]> {
    const pairs = Symbol.iterator in data ? [...(data as Iterable<readonly [string, unknown]>)] : Object.entries(data);
    if (pairs.length === 0) return [];
    const made = new Map<string, string>();
    const entries: Array<[string, string]> = pairs.map(([key, value]) => {
      const k = this.makeAndValidateKey(key, version);
      made.set(k, key);
      return [k, dumps(value)];
    });
    const ttl = this.getBackendTimeout(timeout);
    if (ttl !== null && ttl <= 0) {
      await this.#guard(() => this.remove(entries.map(([k]) => k)));
      return [];
    }
    const failed = await this.#guard(() => this.storeMany(entries, ttl));
    return failed.map((k) => made.get(k) ?? k);
  }

  /** Deletes several keys. */
  async deleteMany(keys: Iterable<string>, version?: number | null): Promise<void> {
    const made = [...keys].map((key) => this.makeAndValidateKey(key, version));
    if (made.length === 0) return;
    await this.#guard(() => this.remove(made));
  }

  /** Whether the key is in the cache (and not expired). */
  async has(key: string, version?: number | null): Promise<boolean> {
    const made = this.makeAndValidateKey(key, version);
    const [entry] = await this.#readValues([made]);
    return entry !== undefined;
  }

  /**
   * Adds `delta` to an integer value and resolves to the result, keeping the key's timeout.
   * @throws CacheKeyNotFound when the key is absent (Django's ValueError); TypeError when the value is not an integer.
   */
  async incr(key: string, delta = 1, version?: number | null): Promise<number> {
    if (!Number.isSafeInteger(delta)) {
      throw new TypeError(`incr() and decr() take an integer delta, got ${String(delta)}.`);
    }
    const made = this.makeAndValidateKey(key, version);
    const result = await this.#guard(() => this.increment(made, delta));
    if (result === undefined) throw new CacheKeyNotFound(`Key '${key}' not found`);
    return result;
  }

  /** Subtracts `delta`; see incr(). */
  decr(key: string, delta = 1, version?: number | null): Promise<number> {
    return this.incr(key, -delta, version);
  }

  /**
   * The value under `key`; when there is none, stores `defaultValue` (or what it returns, when a
   * function) with add() and resolves to what the cache then holds. When the store cannot be
   * reached, resolves to the computed value (the failure is logged).
   */
  async getOrSet<T>(
    key: string,
    defaultValue: T | (() => T | Promise<T>),
    timeout?: Timeout,
    version?: number | null,
  ): Promise<T> {
    const made = this.makeAndValidateKey(key, version);
    const [entry] = await this.#readValues([made]);
    if (entry !== undefined) return entry.value as T;
    const value =
      typeof defaultValue === 'function' ? await (defaultValue as () => T | Promise<T>)() : (defaultValue as T);
    try {
      await this.add(key, value, timeout, version);
    } catch (error) {
      if (error instanceof CacheUnavailable) return value;
      throw error;
    }
    // Read again: another worker may have added a value between the read and add().
    const [stored] = await this.#readValues([made]);
    return stored === undefined ? value : (stored.value as T);
  }

  /** Removes every entry of this cache. */
  clear(): Promise<void> {
    return this.#guard(() => this.removeAll());
  }

  /**
   * Moves a key's value to version + delta and resolves to the new version.
   * @throws CacheKeyNotFound when the key is absent.
   */
  async incrVersion(key: string, delta = 1, version?: number | null): Promise<number> {
    const from = version ?? this.version;
    const entry = await this.getEntry(key, from);
    if (entry === undefined) throw new CacheKeyNotFound(`Key '${key}' not found`);
    await this.set(key, entry.value, undefined, from + delta);
    await this.delete(key, from);
    return from + delta;
  }

  /** Moves a key's value to version - delta; see incrVersion(). */
  decrVersion(key: string, delta = 1, version?: number | null): Promise<number> {
    return this.incrVersion(key, -delta, version);
  }
}

/** The error for a value `incr()` cannot add to. */
export function notAnInteger(key: string, text: string): TypeError {
  return new TypeError(
    `incr() and decr() need an integer, but the cache key ${pyRepr(key)} holds ${text.length > 60 ? text.slice(0, 60) + '...' : text}.`,
  );
}
