/**
 * View decorators of Django's `django.views.decorators.http`: restricting the request method
 * (`requireHttpMethods`, ...) and answering conditional requests (`condition`, `etag`,
 * `lastModified`); and tsgi's `streamRequestBody`, for a view that reads the body itself.
 *
 * A view says which methods it answers with `httpMethods` (set by `requireHttpMethods` and by
 * `View.asView()`), and that the handler must not read its body with `preloadBody === false`:
 * the handler reads a request's body before the view only when the view answers its method
 * (`viewWantsBody`), so a 405 never reads the body.
 */
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponseNotAllowed } from '../../http/response.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type * as Cache from '../../http/cache.ts';
import { httpDate, quoteEtag } from '../../utils/http.ts';
import { getLogger } from '../../utils/log.ts';
import { lazyModule } from '../../utils/module-loading.ts';
import { wrapsView, type ViewBodyInfo } from '../../utils/decorators.ts';

const requestLogger = getLogger('tsgi.request');
// http/cache, loaded when a conditional view first answers.
const cache = lazyModule<typeof Cache>(import.meta.url, '../../http/cache');

/** A function view, as URL patterns call it. */
export type FunctionView<A extends unknown[] = never[]> = (
  request: HttpRequest,
  ...rest: A
) => HttpResponseBase | Promise<HttpResponseBase>;

/**
 * Lets a view read the request body itself, as it arrives: the handler does not load it before
 * calling the view (so `request.POST` and `request.body` are not available until the view awaits
 * `request.loadBody()`), and `request.stream()` gives the chunks. For uploads a view stores or
 * relays without keeping them whole.
 *
 * @example
 * export const upload = streamRequestBody(async (request: HttpRequest) => {
 *   let size = 0;
 *   for await (const chunk of request.stream()) size += chunk.byteLength;
 *   return new HttpResponse(`${size} bytes`);
 * });
 */
export function streamRequestBody<A extends unknown[], R>(
  view: (request: HttpRequest, ...rest: A) => R,
): ((request: HttpRequest, ...rest: A) => R) & { readonly preloadBody: false } {
  const inner = (request: HttpRequest, ...rest: A) => view(request, ...rest);
  return Object.assign(wrapsView(inner, view as (...a: never[]) => unknown), { preloadBody: false as const });
}

/**
 * Only lets the listed methods through; others get 405 Method Not Allowed with `Allow`, without
 * the request body being read.
 *
 * @example
 * export const vote = requireHttpMethods(['GET', 'POST'])((request, { pk }) => ...);
 */
export function requireHttpMethods(methods: readonly string[]) {
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || m !== m.toUpperCase())) {
    throw new TypeError(
      `requireHttpMethods() takes a list of upper-case method names such as ['GET', 'POST'], got ${JSON.stringify(methods)}.`,
    );
  }
  const allowed = [...methods];
  return function decorator<A extends unknown[], R extends HttpResponseBase | Promise<HttpResponseBase>>(
    view: (request: HttpRequest, ...rest: A) => R,
  ): ((request: HttpRequest, ...rest: A) => R | HttpResponseNotAllowed) & { readonly httpMethods: readonly string[] } {
    const inner = (request: HttpRequest, ...rest: A): R | HttpResponseNotAllowed => {
      if (!allowed.includes(request.method ?? '')) {
        requestLogger.warning(`Method Not Allowed (${request.method}): ${request.path}`, { statusCode: 405, request });
        return new HttpResponseNotAllowed(allowed);
      }
      return view(request, ...rest);
    };
    // What the handler reads the body for: the methods both this and an inner restriction let through.
    const innerMethods = (view as ViewBodyInfo).httpMethods;
    const httpMethods = Object.freeze(
      innerMethods === undefined ? [...allowed] : allowed.filter((m) => innerMethods.includes(m)),
    );
    return Object.assign(wrapsView(inner, view as (...a: never[]) => unknown), { httpMethods });
  };
}

/** Only GET. @example export const feed = requireGET((request) => ...); */
export const requireGET = requireHttpMethods(['GET']);
/** Only POST. @example export const vote = requirePOST((request, { pk }) => ...); */
export const requirePOST = requireHttpMethods(['POST']);
/** Only the safe methods GET and HEAD. @example export const page = requireSafe((request) => ...); */
export const requireSafe = requireHttpMethods(['GET', 'HEAD']);

/** Computes a resource's ETag or last modification from the request and the URL's arguments. */
export type ConditionFunction<A extends unknown[], T> = (request: HttpRequest, ...rest: A) => T | Promise<T>;

/** Options of `condition()`. */
export interface ConditionOptions<A extends unknown[]> {
  /** The ETag, quoted or not; `null`/`undefined` for none. */
  etag?: ConditionFunction<A, string | null | undefined>;
  /** The last modification, as a `Date` or milliseconds since the epoch; `null`/`undefined` for none. */
  lastModified?: ConditionFunction<A, Date | number | null | undefined>;
}

/**
 * Answers conditional requests (RFC 9110 §13.2.2) before running the view, from an ETag and/or
 * a last-modified time computed from the request, as Django's `condition`: 304 Not Modified,
 * 412 Precondition Failed, or the view's response with `ETag`/`Last-Modified` added (GET/HEAD).
 *
 * @example
 * export const entry = condition({ lastModified: (request, { pk }) => latestChange(pk) })(entryView);
 */
export function condition<A extends unknown[]>(options: ConditionOptions<A>) {
  const { etag: etagFunc, lastModified: lastModifiedFunc } = options;
  return function decorator<R extends HttpResponseBase | Promise<HttpResponseBase>>(
    view: (request: HttpRequest, ...rest: A) => R,
  ): (request: HttpRequest, ...rest: A) => Promise<HttpResponseBase> {
    const inner = async (request: HttpRequest, ...rest: A): Promise<HttpResponseBase> => {
      const rawEtag = etagFunc ? await etagFunc(request, ...rest) : undefined;
      const etag = rawEtag === null || rawEtag === undefined ? undefined : quoteEtag(rawEtag);
      const modified = lastModifiedFunc ? await lastModifiedFunc(request, ...rest) : undefined;
      // Whole seconds: HTTP dates have no finer resolution.
      const lastModified =
        modified === null || modified === undefined
          ? undefined
          : Math.floor((modified instanceof Date ? modified.getTime() : modified) / 1000);
      const early = cache().getConditionalResponse(request, { etag, lastModified });
      const response = early ?? (await view(request, ...rest));
      if (request.method === 'GET' || request.method === 'HEAD') {
        if (lastModified !== undefined && !response.has('Last-Modified'))
          response.set('Last-Modified', httpDate(lastModified * 1000));
        if (etag !== undefined && !response.has('ETag')) response.set('ETag', etag);
      }
      return response;
    };
    return wrapsView(inner, view as (...a: never[]) => unknown);
  };
}

/** `condition({ etag })`. @example export const page = etag((request) => pageVersion())(pageView); */
export function etag<A extends unknown[]>(etagFunc: ConditionFunction<A, string | null | undefined>) {
  return condition<A>({ etag: etagFunc });
}

/** `condition({ lastModified })`. @example export const feed = lastModified(() => latestPost())(feedView); */
export function lastModified<A extends unknown[]>(
  lastModifiedFunc: ConditionFunction<A, Date | number | null | undefined>,
) {
  return condition<A>({ lastModified: lastModifiedFunc });
}
