/**
 * The local-memory cache, as Django's `LocMemCache`: entries live in this process only, kept in
 * least-recently-used order; when `MAX_ENTRIES` (300) is reached, the least recently used
 * 1/`CULL_FREQUENCY` (3) of them go. Caches with the same LOCATION share their entries within the
 * process.
 *
 * Per process means per worker: `tsgi serve --workers 4` has four of them, which never see each
 * other's entries, and a restart empties them. Use it for development, tests and per-worker
 * memoisation; use Redis for what workers or machines share (sessions, cached pages).
 *
 * Values are stored as their text (utils/tagged-json), as Django pickles them: what `get()`
 * returns is a copy, and a value that could not be stored in Redis fails here too.
 */
import { BaseCache, notAnInteger, type CacheParams } from './base.ts';

interface Entry {
  text: string;
  /** Milliseconds since the epoch, or null for never. */
  expiresAt: number | null;
}

/** The stores by LOCATION, shared by the caches of this process that name it. */
const stores = new Map<string, Map<string, Entry>>();

function expiry(ttl: number | null): number | null {
  return ttl === null ? null : Date.now() + ttl * 1000;
}

/**
 * @example
 * CACHES = { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'unique-snowflake' } };
 */
export class LocMemCache extends BaseCache {
  readonly #name: string;
  readonly #entries: Map<string, Entry>;

  constructor(params: CacheParams) {
    super(params);
    const location = params.LOCATION;
    this.#name = typeof location === 'string' ? location : '';
    let entries = stores.get(this.#name);
    if (entries === undefined) stores.set(this.#name, (entries = new Map()));
    this.#entries = entries;
  }

  override describe(): string {
    return `LocMemCache '${this.#name}' of process ${process.pid}`;
  }

  /** The live entry of a key (refreshed as most recently used), or undefined. */
  #live(key: string, now = Date.now()): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    // A Map keeps insertion order: deleting and setting moves the key to the most recent end.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  #put(key: string, entry: Entry): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.maxEntries) this.#cull();
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  #cull(): void {
    if (this.cullFrequency === 0) {
      this.#entries.clear();
      return;
    }
    let count = Math.floor(this.#entries.size / this.cullFrequency);
    for (const key of this.#entries.keys()) {
      if (count-- <= 0) break;
      this.#entries.delete(key);
    }
  }

  protected load(keys: readonly string[]): Promise<Array<string | undefined>> {
    const now = Date.now();
    return Promise.resolve(keys.map((key) => this.#live(key, now)?.text));
  }

  protected store(key: string, text: string, ttl: number | null, onlyIfAbsent: boolean): Promise<boolean> {
    if (onlyIfAbsent && this.#live(key) !== undefined) return Promise.resolve(false);
    this.#put(key, { text, expiresAt: expiry(ttl) });
    return Promise.resolve(true);
  }

  protected retime(key: string, ttl: number | null): Promise<boolean> {
    const entry = this.#live(key);
    if (entry !== undefined) entry.expiresAt = expiry(ttl);
    return Promise.resolve(entry !== undefined);
  }

  protected remove(keys: readonly string[]): Promise<number> {
    let removed = 0;
    for (const key of keys) if (this.#live(key) !== undefined && this.#entries.delete(key)) removed++;
    return Promise.resolve(removed);
  }

  protected increment(key: string, delta: number): Promise<number | undefined> {
    const entry = this.#live(key);
    if (entry === undefined) return Promise.resolve(undefined);
    const value = Number(entry.text);
    if (!/^-?\d+$/.test(entry.text) || !Number.isSafeInteger(value + delta)) {
      return Promise.reject(notAnInteger(key, entry.text));
    }
    entry.text = String(value + delta);
    return Promise.resolve(value + delta);
  }

  protected removeAll(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }
}
