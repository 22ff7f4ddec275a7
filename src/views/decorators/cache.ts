/**
 * Cache headers on a view's response, as Django's `django.views.decorators.cache`:
 * `cacheControl()` and `neverCache`. (`cache_page` needs a cache framework tsgi does not have.)
 */
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type * as Cache from '../../http/cache.ts';
import type { CacheDirective } from '../../http/cache.ts';
import { lazyModule } from '../../utils/module-loading.ts';
import { wrapsView } from '../../utils/decorators.ts';

// http/cache, loaded when a decorated view first answers.
const cache = lazyModule<typeof Cache>(import.meta.url, '../../http/cache');

type AnyView<A extends unknown[]> = (request: HttpRequest, ...rest: A) => HttpResponseBase | Promise<HttpResponseBase>;

function checkRequest(request: unknown, decorator: string): void {
  if (request === null || typeof request !== 'object' || !('method' in request) || !('META' in request)) {
    throw new TypeError(
      `${decorator} didn't receive an HttpRequest as the view's first argument. If you are decorating a class-based view method, decorate the view returned by asView() instead.`,
    );
  }
}

/**
 * Merges directives into the response's `Cache-Control` (`maxAge` → `max-age`, `true` for a
 * bare directive).
 *
 * @example
 * export const news = cacheControl({ public: true, maxAge: 600 })(newsView);
 */
export function cacheControl(directives: Record<string, CacheDirective>) {
  return function decorator<A extends unknown[]>(
    view: AnyView<A>,
  ): (request: HttpRequest, ...rest: A) => Promise<HttpResponseBase> {
    const inner = async (request: HttpRequest, ...rest: A) => {
      checkRequest(request, 'cacheControl');
      const response = await view(request, ...rest);
      cache().patchCacheControl(response, directives);
      return response;
    };
    return wrapsView(inner, view as (...a: never[]) => unknown);
  };
}

/**
 * Marks the response as never to be cached: `Expires` now, `Cache-Control: max-age=0, no-cache,
 * no-store, must-revalidate, private`.
 *
 * @example
 * export const account = neverCache(accountView);
 */
export function neverCache<A extends unknown[]>(
  view: AnyView<A>,
): (request: HttpRequest, ...rest: A) => Promise<HttpResponseBase> {
  const inner = async (request: HttpRequest, ...rest: A) => {
    checkRequest(request, 'neverCache');
    const response = await view(request, ...rest);
    cache().addNeverCacheHeaders(response);
    return response;
  };
  return wrapsView(inner, view as (...a: never[]) => unknown);
}
