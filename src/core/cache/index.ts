/**
 * `tsgi/core/cache`: the cache framework, as Django's `django.core.cache`. `CACHES` names the
 * caches by alias; `caches.get(alias)` (or `caches.default`) is the backend, made on first use
 * and kept for the process; `cache` is the default one.
 *
 * Every method returns a promise (a cache may be another machine): `await cache.get('key')`.
 * The backends: `locmem.LocMemCache` (per process), `filebased.FileBasedCache` (per machine),
 * `redis.RedisCache` and `db.DatabaseCache` (shared), `dummy.DummyCache` (nothing), all under
 * `tsgi.core.cache.backends`; docs/cache.md has the details.
 *
 * @example
 * import { cache, caches } from 'tsgi/core/cache';
 * await cache.set('answer', 42, 60);
 * await cache.get('answer');          // 42
 * await caches.get('sessions').has('x');
 */
import { settingChanged, settings } from '../../conf/index.ts';
import { importString } from '../../utils/module-loading.ts';
import type { BaseCache } from './backends/base.ts';
import { InvalidCacheBackendError, type CacheConfig } from './backends/base.ts';

export {
  BaseCache,
  CacheKeyNotFound,
  CacheUnavailable,
  InvalidCacheBackendError,
  CACHE_KEY_WARNING,
  MEMCACHE_MAX_KEY_LENGTH,
  defaultKeyFunc,
  getKeyFunc,
  memcacheKeyWarnings,
} from './backends/base.ts';
export type { CacheConfig, CacheEntry, CacheParams, KeyFunction, Timeout } from './backends/base.ts';
export { makeTemplateFragmentKey } from './utils.ts';

/** The alias of the default cache. */
export const DEFAULT_CACHE_ALIAS = 'default';

type BackendClass = new (params: CacheConfig & { alias: string }) => BaseCache;

function backendClass(alias: string, backend: unknown): BackendClass {
  if (typeof backend === 'function') return backend as BackendClass;
  if (typeof backend !== 'string' || backend === '') {
    throw new InvalidCacheBackendError(
      `CACHES['${alias}'] has no BACKEND: set it to a backend class or its dotted name, such as ` +
        "'tsgi.core.cache.backends.locmem.LocMemCache' or 'tsgi.core.cache.backends.redis.RedisCache'.",
    );
  }
  let found: unknown;
  try {
    found = importString(backend.replace(/^django\.core\.cache\./, 'tsgi.core.cache.'));
  } catch (error) {
    throw new InvalidCacheBackendError(
      `Could not find backend '${backend}' of CACHES['${alias}']: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (typeof found !== 'function') {
    throw new InvalidCacheBackendError(`The BACKEND '${backend}' of CACHES['${alias}'] is not a class.`);
  }
  return found as BackendClass;
}

/**
 * The caches of `CACHES`, by alias, as Django's `caches`: each made on first use and kept for
 * the process (Node has one thread: no per-thread copies). Forgotten, and closed, when an
 * override changes CACHES.
 */
export class CacheHandler {
  #caches = new Map<string, BaseCache>();

  /** The cache of an alias. @throws InvalidCacheBackendError when CACHES has no such alias. */
  get(alias: string = DEFAULT_CACHE_ALIAS): BaseCache {
    let cache = this.#caches.get(alias);
    if (cache !== undefined) return cache;
    const configured = (settings.CACHES ?? {}) as Record<string, CacheConfig>;
    const config = Object.hasOwn(configured, alias) ? configured[alias] : undefined;
    if (config === undefined) {
      const known = Object.keys(configured);
      throw new InvalidCacheBackendError(
        `The cache '${alias}' doesn't exist: CACHES defines ${known.length === 0 ? 'no cache' : known.map((a) => `'${a}'`).join(', ')}. ` +
          `Add '${alias}' to CACHES or use one of those.`,
      );
    }
    const Backend = backendClass(alias, config.BACKEND);
    cache = new Backend({ ...config, alias });
    this.#caches.set(alias, cache);
    return cache;
  }

  /** The default cache (`CACHES.default`). */
  get default(): BaseCache {
    return this.get(DEFAULT_CACHE_ALIAS);
  }

  /** The caches made so far. */
  all(): BaseCache[] {
    return [...this.#caches.values()];
  }

  /** Closes the caches made so far (their connections) and forgets them. */
  async closeAll(): Promise<void> {
    const made = this.all();
    this.#caches.clear();
    await Promise.allSettled(made.map((cache) => cache.close()));
  }
}

/** The caches of CACHES, by alias. */
export const caches = new CacheHandler();

/**
 * The default cache (Django's `django.core.cache.cache`): every property is the current
 * `caches.default`'s.
 */
export const cache: BaseCache = new Proxy({} as BaseCache, {
  get(_target, property) {
    const target = caches.default;
    const value = Reflect.get(target, property, target) as unknown;
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  },
  has(_target, property) {
    return Reflect.has(caches.default, property);
  },
});

settingChanged.connect(({ setting }) => {
  if (setting === 'CACHES') void caches.closeAll();
});
