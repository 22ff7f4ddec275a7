/**
 * Caching whole responses, as Django's `django.middleware.cache` and the cache-key half of
 * `django.utils.cache`: `UpdateCacheMiddleware` (first in MIDDLEWARE) stores cacheable GET and
 * HEAD responses, `FetchFromCacheMiddleware` (last) answers from the cache before the view runs,
 * `CacheMiddleware` does both, and `cachePage(seconds)` does both around one view.
 *
 * A page is cached per URL (with the host) and per value of each request header its response
 * names in `Vary` (Django's learn_cache_key / get_cache_key): the URL's list of Vary headers is
 * kept in the cache next to the pages, so the request phase knows which headers to read before
 * any view has run. `varyOnHeaders()`, `varyOnCookie()` and the session and CSRF middleware (which
 * vary on Cookie when they use it) keep users' pages apart. Responses that set a cookie while
 * varying on Cookie, `Cache-Control: private` ones, streaming ones and those with a status other
 * than 200 are not stored.
 *
 * Responses are stored as data (status, headers, cookies, bytes) through the cache's own
 * serialisation, so any backend shares them between workers and machines (Redis). A cache that
 * cannot be reached is a miss, and a page that cannot be stored is served all the same (logged).
 */
import { settings } from '../conf/index.ts';
import { caches, CacheUnavailable, type BaseCache } from '../core/cache/index.ts';
import { getMaxAge, hasVaryHeader, patchResponseHeaders } from '../http/cache.ts';
import { ResponseCookie, type SameSite } from '../http/cookie.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse, type HttpResponseBase } from '../http/response.ts';
import { nodeCrypto } from '../utils/builtins.ts';
import { wrapsView } from '../utils/decorators.ts';
import { getLogger } from '../utils/log.ts';
import type { GetResponse } from './index.ts';

const logger = getLogger('tsgi.cache');

/** Set by the fetch phase: whether the update phase should store the response (Django's `request._cache_update_cache`). */
const UPDATE_CACHE = Symbol('tsgi.cacheUpdateCache');
type Marked = HttpRequest & { [UPDATE_CACHE]?: boolean; LANGUAGE_CODE?: string };

function md5(text: string): string {
  return nodeCrypto().createHash('md5').update(text, 'utf8').digest('hex');
}

/** The language and time zone suffix of page keys, as Django's `_i18n_cache_key_suffix`. */
function i18nSuffix(request: Marked, key: string): string {
  if (settings.USE_I18N) key += `.${request.LANGUAGE_CODE ?? settings.LANGUAGE_CODE}`;
  if (settings.USE_TZ) key += `.${settings.TIME_ZONE}`;
  return key;
}

function generateCacheKey(request: HttpRequest, method: string, headerList: readonly string[], keyPrefix: string) {
  const hash = nodeCrypto().createHash('md5');
  const meta = request.META as Record<string, unknown>;
  for (const header of headerList) {
    const value = meta[header];
    // An absent header must not share a key with an empty one (RFC 9111 §4.1): a marker no
    // value can be.
    if (value === undefined || value === null) hash.update('-,');
    else hash.update(String(value), 'utf8');
  }
  const url = md5(request.buildAbsoluteUri());
  return i18nSuffix(request, `views.decorators.cache.cache_page.${keyPrefix}.${method}.${url}.${hash.digest('hex')}`);
}

function generateCacheHeaderKey(keyPrefix: string, request: HttpRequest): string {
  return i18nSuffix(request, `views.decorators.cache.cache_header.${keyPrefix}.${md5(request.buildAbsoluteUri())}`);
}

/**
 * The key of this request's cached page, from the Vary headers learnt for its URL; undefined
 * when none were learnt (the page must be built). As Django's `get_cache_key`.
 */
export async function getCacheKey(
  request: HttpRequest,
  keyPrefix: string = settings.CACHE_MIDDLEWARE_KEY_PREFIX,
  method = 'GET',
  cache: BaseCache = caches.get(settings.CACHE_MIDDLEWARE_ALIAS),
): Promise<string | undefined> {
  const headerList = await cache.get<string[]>(generateCacheHeaderKey(keyPrefix, request));
  if (!Array.isArray(headerList)) return undefined;
  return generateCacheKey(request, method, headerList, keyPrefix);
}

/**
 * Learns (stores) which request headers the response varies on for this URL and returns the
 * key of this request's page, as Django's `learn_cache_key`. With USE_I18N, Accept-Language is
 * left out: the language is part of every key already.
 */
export async function learnCacheKey(
  request: HttpRequest,
  response: HttpResponseBase,
  cacheTimeout: number = settings.CACHE_MIDDLEWARE_SECONDS,
  keyPrefix: string = settings.CACHE_MIDDLEWARE_KEY_PREFIX,
  cache: BaseCache = caches.get(settings.CACHE_MIDDLEWARE_ALIAS),
): Promise<string> {
  const headerList: string[] = [];
  const vary = response.get('Vary');
  if (vary !== undefined) {
    for (const name of vary.split(/\s*,\s*/)) {
      if (name === '') continue;
      const header = name.toUpperCase().replace(/-/g, '_');
      if (header !== 'ACCEPT_LANGUAGE' || !settings.USE_I18N) headerList.push(`HTTP_${header}`);
    }
    headerList.sort();
  }
  await cache.set(generateCacheHeaderKey(keyPrefix, request), headerList, cacheTimeout);
  return generateCacheKey(request, request.method ?? 'GET', headerList, keyPrefix);
}

/** A response as the cache keeps it: data only. */
interface StoredResponse {
  status: number;
  reason: string | null;
  headers: Array<[string, string]>;
  cookies: Array<{
    name: string;
    value: string;
    maxAge: number | null;
    expires: string | null;
    path: string | null;
    domain: string | null;
    secure: boolean;
    httponly: boolean;
    samesite: SameSite | null;
  }>;
  content: Uint8Array;
}

function toStored(response: HttpResponse): StoredResponse {
  return {
    status: response.statusCode,
    reason: response.statusLine.slice(String(response.statusCode).length + 1),
    headers: [...response.headers].map(([name, value]) => [name, value]),
    cookies: [...response.cookies.values()].map((c) => ({
      name: c.name,
      value: c.value,
      maxAge: c.maxAge,
      expires: c.expires,
      path: c.path,
      domain: c.domain,
      secure: c.secure,
      httponly: c.httponly,
      samesite: c.samesite,
    })),
    content: response.content,
  };
}

function fromStored(stored: unknown): HttpResponse | undefined {
  const record = stored as StoredResponse | undefined;
  if (record === undefined || record === null || typeof record.status !== 'number' || !Array.isArray(record.headers)) {
    return undefined;
  }
  const response = new HttpResponse(record.content, {
    status: record.status,
    reason: record.reason ?? undefined,
    headers: record.headers,
  });
  for (const c of record.cookies ?? []) {
    const cookie = new ResponseCookie(c.name, c.value);
    Object.assign(cookie, {
      maxAge: c.maxAge,
      expires: c.expires,
      path: c.path,
      domain: c.domain,
      secure: c.secure,
      httponly: c.httponly,
      samesite: c.samesite,
    });
    response.cookies.set(c.name, cookie);
  }
  return response;
}

/** Options of CacheMiddleware and cachePage(). */
export interface CacheMiddlewareOptions {
  /** Seconds pages are kept, before a response's max-age and CACHE_MIDDLEWARE_SECONDS. */
  pageTimeout?: number | null;
  /** The default when neither pageTimeout nor the response's max-age says (CACHE_MIDDLEWARE_SECONDS). */
  cacheTimeout?: number | null;
  /** The CACHES alias (CACHE_MIDDLEWARE_ALIAS). */
  cacheAlias?: string | null;
  /** Put before page keys (CACHE_MIDDLEWARE_KEY_PREFIX). */
  keyPrefix?: string | null;
}

type RenderLater = HttpResponseBase & {
  render?: () => unknown;
  isRendered?: boolean;
  addPostRenderCallback?: (callback: (response: HttpResponseBase) => unknown) => void;
};

/** The two phases, with the settings Django's middleware read when built. */
class CachePhases {
  readonly getResponse: GetResponse;
  cacheTimeout: number;
  pageTimeout: number | null = null;
  keyPrefix: string;
  cacheAlias: string;
  cache: BaseCache;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
    this.cacheTimeout = settings.CACHE_MIDDLEWARE_SECONDS;
    this.keyPrefix = settings.CACHE_MIDDLEWARE_KEY_PREFIX;
    this.cacheAlias = settings.CACHE_MIDDLEWARE_ALIAS;
    this.cache = caches.get(this.cacheAlias);
  }

  /** The cached page for this request, if there is one (Django's `process_request`). */
  async processRequest(request: HttpRequest): Promise<HttpResponse | undefined> {
    const marked = request as Marked;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      marked[UPDATE_CACHE] = false;
      return undefined;
    }
    let key = await getCacheKey(request, this.keyPrefix, 'GET', this.cache);
    if (key === undefined) {
      marked[UPDATE_CACHE] = true;
      return undefined;
    }
    let response = fromStored(await this.cache.get(key));
    if (response === undefined && request.method === 'HEAD') {
      key = await getCacheKey(request, this.keyPrefix, 'HEAD', this.cache);
      if (key !== undefined) response = fromStored(await this.cache.get(key));
    }
    if (response === undefined) {
      marked[UPDATE_CACHE] = true;
      return undefined;
    }
    marked[UPDATE_CACHE] = false;
    return response;
  }

  /** Stores the response when it may be cached (Django's `process_response`). */
  async processResponse(request: HttpRequest, response: HttpResponseBase): Promise<HttpResponseBase> {
    if (!(request as Marked)[UPDATE_CACHE]) return response;
    if (response.streaming || (response.statusCode !== 200 && response.statusCode !== 304)) return response;
    // Don't cache a user-specific (maybe security-sensitive) cookie while varying on Cookie.
    if (response.cookies.size > 0 && hasVaryHeader(response, 'Cookie')) return response;
    if ((response.get('Cache-Control') ?? '').includes('private')) return response;
    let timeout = this.pageTimeout;
    if (timeout === null) {
      const maxAge = getMaxAge(response);
      if (maxAge === 0) return response;
      timeout = maxAge ?? this.cacheTimeout;
    }
    patchResponseHeaders(response, timeout);
    if (timeout === 0 || response.statusCode !== 200) return response;
    const seconds = timeout;
    try {
      const key = await learnCacheKey(request, response, seconds, this.keyPrefix, this.cache);
      const later = response as RenderLater;
      if (later.isRendered === false && typeof later.addPostRenderCallback === 'function') {
        later.addPostRenderCallback((rendered) => this.#store(key, rendered as HttpResponse, seconds));
      } else {
        await this.#store(key, response as HttpResponse, seconds);
      }
    } catch (error) {
      // An unreachable cache is reported by the cache itself, once per outage.
      if (!(error instanceof CacheUnavailable)) {
        logger.warning(`The page ${request.path} was served but not cached: ${(error as Error).message}`, { error });
      }
    }
    return response;
  }

  async #store(key: string, response: HttpResponse, seconds: number): Promise<void> {
    try {
      await this.cache.set(key, toStored(response), seconds);
    } catch (error) {
      if (!(error instanceof CacheUnavailable)) {
        logger.warning(`The page at ${key} was served but not cached: ${(error as Error).message}`, { error });
      }
    }
  }
}

/**
 * Stores cacheable responses: put it first in MIDDLEWARE (its response phase runs last), with
 * FetchFromCacheMiddleware last.
 *
 * @example
 * MIDDLEWARE = ['tsgi.middleware.cache.UpdateCacheMiddleware', ..., 'tsgi.middleware.cache.FetchFromCacheMiddleware'];
 */
export class UpdateCacheMiddleware extends CachePhases {
  async call(request: HttpRequest): Promise<HttpResponseBase> {
    return this.processResponse(request, await this.getResponse(request));
  }
}

/** Answers from the cache before the view runs: put it last in MIDDLEWARE. */
export class FetchFromCacheMiddleware extends CachePhases {
  async call(request: HttpRequest): Promise<HttpResponseBase> {
    return (await this.processRequest(request)) ?? this.getResponse(request);
  }
}

/**
 * Both phases in one middleware, for simple sites, and what `cachePage()` runs around a view.
 *
 * @example
 * MIDDLEWARE = ['tsgi.middleware.cache.CacheMiddleware', ...];
 */
export class CacheMiddleware extends CachePhases {
  constructor(getResponse: GetResponse, options: CacheMiddlewareOptions = {}) {
    super(getResponse);
    // As Django: an option given as null means the framework default, an option not given the
    // middleware settings.
    if ('keyPrefix' in options) this.keyPrefix = options.keyPrefix ?? '';
    if ('cacheAlias' in options) {
      this.cacheAlias = options.cacheAlias ?? 'default';
      this.cache = caches.get(this.cacheAlias);
    }
    if (options.cacheTimeout !== undefined && options.cacheTimeout !== null) this.cacheTimeout = options.cacheTimeout;
    this.pageTimeout = options.pageTimeout ?? null;
  }

  async call(request: HttpRequest): Promise<HttpResponseBase> {
    const cached = await this.processRequest(request);
    if (cached !== undefined) return cached;
    return this.processResponse(request, await this.getResponse(request));
  }
}

type View<A extends unknown[]> = (request: HttpRequest, ...rest: A) => HttpResponseBase | Promise<HttpResponseBase>;

/**
 * Caches a view's pages for `timeout` seconds, as Django's `cache_page`: keyed by URL and the
 * response's Vary headers, in the `cache` alias ('default') under `keyPrefix` ('').
 *
 * @example
 * export const archive = cachePage(60 * 15)(archiveView);
 * export const sidebar = cachePage(60, { cache: 'redis', keyPrefix: 'site1' })(sidebarView);
 */
export function cachePage(timeout: number | null, options: { cache?: string; keyPrefix?: string } = {}) {
  return function decorator<A extends unknown[]>(
    view: View<A>,
  ): (request: HttpRequest, ...rest: A) => Promise<HttpResponseBase> {
    let phases: CacheMiddleware | undefined;
    const wrapper = async function (this: unknown, request: HttpRequest, ...rest: A): Promise<HttpResponseBase> {
      phases ??= new CacheMiddleware(() => Promise.reject(new Error('unused')), {
        pageTimeout: timeout,
        cacheAlias: options.cache ?? null,
        keyPrefix: options.keyPrefix ?? null,
      });
      const cached = await phases.processRequest(request);
      if (cached !== undefined) return cached;
      const response = await view.apply(this, [request, ...rest]);
      const later = response as RenderLater;
      if (later.isRendered === false && typeof later.addPostRenderCallback === 'function') {
        // A TemplateResponse: stored once rendered, as Django's decorator_from_middleware.
        const current = phases;
        later.addPostRenderCallback((rendered) => current.processResponse(request, rendered));
        return response;
      }
      return phases.processResponse(request, response);
    };
    return wrapsView(wrapper, view as (...a: never[]) => unknown);
  };
}
