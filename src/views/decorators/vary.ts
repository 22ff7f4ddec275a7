/**
 * `Vary` on a view's response, as Django's `django.views.decorators.vary`.
 */
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type * as Cache from '../../http/cache.ts';
import { lazyModule } from '../../utils/module-loading.ts';
import { wrapsView } from '../../utils/decorators.ts';

// http/cache, loaded when a decorated view first answers.
const cache = lazyModule<typeof Cache>(import.meta.url, '../../http/cache');

type AnyView<A extends unknown[]> = (request: HttpRequest, ...rest: A) => HttpResponseBase | Promise<HttpResponseBase>;

/**
 * Adds the headers to the response's `Vary`, so caches keep one copy per value of each.
 *
 * @example
 * export const home = varyOnHeaders('User-Agent', 'Accept-Language')(homeView);
 */
export function varyOnHeaders(...headers: string[]) {
  return function decorator<A extends unknown[]>(
    view: AnyView<A>,
  ): (request: HttpRequest, ...rest: A) => Promise<HttpResponseBase> {
    const inner = async (request: HttpRequest, ...rest: A) => {
      const response = await view(request, ...rest);
      cache().patchVaryHeaders(response, headers);
      return response;
    };
    return wrapsView(inner, view as (...a: never[]) => unknown);
  };
}

/** `Vary: Cookie`. @example export const dashboard = varyOnCookie(dashboardView); */
export function varyOnCookie<A extends unknown[]>(
  view: AnyView<A>,
): (request: HttpRequest, ...rest: A) => Promise<HttpResponseBase> {
  return varyOnHeaders('Cookie')(view);
}
