/**
 * Sessions in a cache (SESSION_CACHE_ALIAS), as Django's `backends.cache`: with Redis, the
 * engine for several workers and machines. Each session is one cache entry, under a hash of its
 * key, that expires with the session. Unlike Django's, a cache that cannot be reached is not
 * taken for "no session" (which would log everyone out and delete their cookies during a Redis
 * blip): loading and saving fail with SessionStoreUnavailable, a 503.
 *
 * A local-memory cache keeps sessions per worker process: use it only with one worker.
 */
import { settings } from '../../../conf/index.ts';
import { caches, CacheUnavailable, type BaseCache } from '../../../core/cache/index.ts';
import { CreateError, SessionStoreUnavailable, UpdateError } from '../exceptions.ts';
import { hashSessionKey, SessionBase } from './base.ts';

/** Before every session's cache key. */
export const KEY_PREFIX = 'tsgi.contrib.sessions.cache';

/**
 * @example
 * SESSION_ENGINE = 'tsgi.contrib.sessions.backends.cache';
 */
export class SessionStore extends SessionBase {
  static cacheKeyPrefix = KEY_PREFIX;
  readonly #cache: BaseCache;

  constructor(sessionKey: string | null = null) {
    super(sessionKey);
    this.#cache = caches.get(settings.SESSION_CACHE_ALIAS);
  }

  /** The cache key of a session key. */
  cacheKey(sessionKey: string): string {
    return (this.constructor as typeof SessionStore).cacheKeyPrefix + hashSessionKey(sessionKey);
  }

  /** Runs a cache operation; an unreachable cache is SessionStoreUnavailable. */
  async #store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof CacheUnavailable)) throw error;
      throw new SessionStoreUnavailable(`The session store could not be reached: ${error.message}`, { cause: error });
    }
  }

  protected async loadData(): Promise<Record<string, unknown>> {
    const key = this.sessionKey!;
    const entry = await this.#store(() => this.#cache.getEntry(this.cacheKey(key)));
    const data = entry?.value;
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
    this.setSessionKey(null);
    return {};
  }

  async exists(sessionKey: string): Promise<boolean> {
    return (await this.#store(() => this.#cache.getEntry(this.cacheKey(sessionKey)))) !== undefined;
  }

  async create(): Promise<void> {
    // A key collision is astronomically unlikely; many failures mean something else is wrong.
    for (let attempt = 0; attempt < 100; attempt++) {
      this.setSessionKey(await this.getNewSessionKey());
      try {
        await this.save(true);
      } catch (error) {
        if (error instanceof CreateError) continue;
        throw error;
      }
      this.modified = true;
      return;
    }
    throw new SessionStoreUnavailable(
      `No new session could be created in the cache '${this.#cache.alias}' after 100 attempts: the cache says every key is taken.`,
    );
  }

  async save(mustCreate = false): Promise<void> {
    const sessionKey = this.sessionKey;
    if (sessionKey === null) return this.create();
    const data = await this.sessionData(mustCreate);
    const key = this.cacheKey(sessionKey);
    const age = this.getExpiryAge();
    if (mustCreate) {
      if (!(await this.#store(() => this.#cache.add(key, data, age)))) throw new CreateError();
      return;
    }
    if ((await this.#store(() => this.#cache.getEntry(key))) === undefined) throw new UpdateError();
    await this.#store(() => this.#cache.set(key, data, age));
  }

  async deleteSession(sessionKey: string | null = this.sessionKey): Promise<void> {
    if (sessionKey === null) return;
    await this.#store(() => this.#cache.delete(this.cacheKey(sessionKey)));
  }

  /** Makes the cache at start-up (SessionMiddleware calls it), so its client is ready for the first request. */
  static prepare(): void {
    caches.get(settings.SESSION_CACHE_ALIAS);
  }

  /** Nothing to do: the cache expires sessions itself. */
  static async clearExpired(): Promise<void> {}
}
