/**
 * Sessions in the database with a copy in a cache (SESSION_CACHE_ALIAS), as Django's
 * `backends.cached_db`: reads come from the cache and fall back to the database (which then
 * refills the cache); writes go to the database, then to the cache. The database is the truth,
 * so a cache that loses entries (restarted, culled) loses no session.
 *
 * A cache that cannot be reached: reads fall back to the database (the session keeps working);
 * a write deletes the cached copy first, and fails (SessionStoreUnavailable, a 503) when it
 * cannot, so no copy older than the database can come back when the cache does. Django's
 * instead writes the database and leaves the old copy in the cache when the cache write fails.
 */
import { settings } from '../../../conf/index.ts';
import { caches, CacheUnavailable, type BaseCache } from '../../../core/cache/index.ts';
import { isNaive, makeAware } from '../../../utils/timezone.ts';
import type { Temporal } from 'temporal-polyfill';
import { SessionStoreUnavailable } from '../exceptions.ts';
import { hashSessionKey } from './base.ts';
import { SessionStore as DatabaseStore } from './db.ts';

/** Before every session's cache key. */
export const KEY_PREFIX = 'tsgi.contrib.sessions.cached_db';

/**
 * @example
 * SESSION_ENGINE = 'tsgi.contrib.sessions.backends.cached_db';
 */
export class SessionStore extends DatabaseStore {
  static cacheKeyPrefix = KEY_PREFIX;
  readonly #cache: BaseCache;

  constructor(sessionKey: string | null = null) {
    super(sessionKey);
    this.#cache = caches.get(settings.SESSION_CACHE_ALIAS);
  }

  /** The cache key of a session key (a hash of it, as the cache engine's). */
  cacheKey(sessionKey: string): string {
    return (this.constructor as typeof SessionStore).cacheKeyPrefix + hashSessionKey(sessionKey);
  }

  /** Copies data to the cache; an unreachable cache (logged by the cache) only costs the next read a query. */
  async #remember(sessionKey: string, data: Record<string, unknown>, age: number): Promise<void> {
    try {
      await this.#cache.set(this.cacheKey(sessionKey), data, age);
    } catch (error) {
      if (!(error instanceof CacheUnavailable)) throw error;
    }
  }

  /** Deletes the cached copy, or SessionStoreUnavailable: a copy that may outlive its row is never left. */
  async #forget(sessionKey: string): Promise<void> {
    try {
      await this.#cache.delete(this.cacheKey(sessionKey));
    } catch (error) {
      if (!(error instanceof CacheUnavailable)) throw error;
      throw new SessionStoreUnavailable(
        `The session store could not be reached: ${error.message} (the cache of the cached_db engine; the session was not changed)`,
        { cause: error },
      );
    }
  }

  protected override async loadData(): Promise<Record<string, unknown>> {
    const key = this.sessionKey!;
    // An unreachable cache reads as a miss (and is logged by it): the database answers.
    const cached = await this.#cache.get(this.cacheKey(key));
    if (cached !== null && typeof cached === 'object' && !Array.isArray(cached)) {
      return cached as Record<string, unknown>;
    }
    const row = await this.getSessionFromDb();
    if (row === null) {
      this.setSessionKey(null);
      return {};
    }
    const data = this.decode(row.sessionData);
    const expires = row.expireDate as unknown;
    const age = this.getExpiryAge({
      expiry: isNaive(expires) ? makeAware(expires as Temporal.PlainDateTime) : expires,
    });
    if (age > 0) await this.#remember(key, data, age);
    return data;
  }

  override async exists(sessionKey: string): Promise<boolean> {
    if ((await this.#cache.get(this.cacheKey(sessionKey))) !== undefined) return true;
    return super.exists(sessionKey);
  }

  override async save(mustCreate = false): Promise<void> {
    const sessionKey = this.sessionKey;
    if (sessionKey === null) return this.create();
    // A new key has no copy; an existing one's goes first (see the module's comment).
    if (!mustCreate) await this.#forget(sessionKey);
    await super.save(mustCreate);
    await this.#remember(sessionKey, await this.sessionData(), this.getExpiryAge());
  }

  override async deleteSession(sessionKey: string | null = this.sessionKey): Promise<void> {
    if (sessionKey === null) return;
    await this.#forget(sessionKey);
    await super.deleteSession(sessionKey);
  }

  /** Makes the cache at start-up (SessionMiddleware calls it), so its client is ready for the first request. */
  static prepare(): void {
    caches.get(settings.SESSION_CACHE_ALIAS);
  }
}
