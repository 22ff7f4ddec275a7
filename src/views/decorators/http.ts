/**
 * View decorators restricting the request method, as Django's `django.views.decorators.http`.
 */
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponseNotAllowed } from '../../http/response.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { getLogger } from '../../utils/log.ts';

const requestLogger = getLogger('tsgi.request');

/** A function view, as URL patterns call it. */
export type FunctionView<A extends unknown[] = never[]> = (
  request: HttpRequest,
  ...rest: A
) => HttpResponseBase | Promise<HttpResponseBase>;

/** Copies what other layers read from a view (its name, `viewClass`, flags such as `csrfExempt`). */
export function wrapsView<F extends (...a: never[]) => unknown>(wrapper: F, wrapped: (...a: never[]) => unknown): F {
  Object.defineProperty(wrapper, 'name', { value: wrapped.name });
  for (const key of Object.keys(wrapped)) {
    if (!(key in wrapper)) (wrapper as unknown as Record<string, unknown>)[key] = (wrapped as unknown as Record<string, unknown>)[key];
  }
  return wrapper;
}

/**
 * Only lets the listed methods through; others get 405 Method Not Allowed with `Allow`.
 *
 * @example
 * export const vote = requireHttpMethods(['GET', 'POST'])((request, { pk }) => ...);
 */
export function requireHttpMethods(methods: readonly string[]) {
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || m !== m.toUpperCase())) {
    throw new TypeError(`requireHttpMethods() takes a list of upper-case method names such as ['GET', 'POST'], got ${JSON.stringify(methods)}.`);
  }
  const allowed = [...methods];
  return function decorator<A extends unknown[], R extends HttpResponseBase | Promise<HttpResponseBase>>(
    view: (request: HttpRequest, ...rest: A) => R,
  ): (request: HttpRequest, ...rest: A) => R | HttpResponseNotAllowed {
    const inner = (request: HttpRequest, ...rest: A): R | HttpResponseNotAllowed => {
      if (!allowed.includes(request.method ?? '')) {
        requestLogger.warning(`Method Not Allowed (${request.method}): ${request.path}`, { statusCode: 405, request });
        return new HttpResponseNotAllowed(allowed);
      }
      return view(request, ...rest);
    };
    return wrapsView(inner, view as (...a: never[]) => unknown);
  };
}

/** Only GET. @example export const feed = requireGET((request) => ...); */
export const requireGET = requireHttpMethods(['GET']);
/** Only POST. @example export const vote = requirePOST((request, { pk }) => ...); */
export const requirePOST = requireHttpMethods(['POST']);
/** Only the safe methods GET and HEAD. @example export const page = requireSafe((request) => ...); */
export const requireSafe = requireHttpMethods(['GET', 'HEAD']);
