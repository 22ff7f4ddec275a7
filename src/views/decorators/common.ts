/**
 * `noAppendSlash`, as Django's `django.views.decorators.common.no_append_slash`: CommonMiddleware
 * does not redirect `/path` to `/path/` when the view resolved for `/path` carries
 * `shouldAppendSlash === false`.
 */
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { wrapsView } from '../../utils/decorators.ts';

/**
 * Marks a view as exempt from APPEND_SLASH redirects.
 *
 * @example
 * export const api = noAppendSlash((request) => new JsonResponse({ ok: true }));
 */
export function noAppendSlash<A extends unknown[], R extends HttpResponseBase | Promise<HttpResponseBase>>(
  view: (request: HttpRequest, ...rest: A) => R,
): ((request: HttpRequest, ...rest: A) => R) & { readonly shouldAppendSlash: false } {
  const inner = (request: HttpRequest, ...rest: A) => view(request, ...rest);
  return Object.assign(wrapsView(inner, view as (...a: never[]) => unknown), { shouldAppendSlash: false as const });
}
