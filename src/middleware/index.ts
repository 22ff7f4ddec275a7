/**
 * `tsgi/middleware`: the middleware contract, the types a MIDDLEWARE entry is written against, as
 * Django's middleware documentation describes it. A middleware is a factory `(getResponse) =>
 * handler` (or a class built with `getResponse`); the handler takes a request and returns a
 * response (or its promise), calling `getResponse(request)` for the layers inside it, and may
 * carry the `processView`, `processException` and `processTemplateResponse` hooks. The built-in
 * middleware are `tsgi/middleware/<module>`. This module holds types only: importing it loads
 * nothing.
 *
 * @example
 * import type { GetResponse, MiddlewareHandler } from 'tsgi/middleware';
 * import type { HttpRequest } from 'tsgi/http';
 *
 * export function timing(getResponse: GetResponse): MiddlewareHandler {
 *   return async (request: HttpRequest) => {
 *     const started = performance.now();
 *     const response = await getResponse(request);
 *     response.set('Server-Timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
 *     return response;
 *   };
 * }
 */
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';

/** What a middleware layer is: a request in, a response (or its promise) out. */
export type GetResponse = (request: HttpRequest) => HttpResponseBase | Promise<HttpResponseBase>;

/** A view as the handler calls it: `view(request, ...args)` or `view(request, kwargs)`. */
export type HandlerView = (request: HttpRequest, ...args: never[]) => unknown;

/** Called before the view with the view and its arguments; a response short-circuits the view. */
export type ProcessView = (
  request: HttpRequest,
  view: HandlerView,
  viewArgs: readonly unknown[],
  viewKwargs: Readonly<Record<string, unknown>>,
) => HttpResponseBase | null | undefined | void | Promise<HttpResponseBase | null | undefined | void>;

/** Called when the view throws; a response replaces the error, nothing lets the next one try. */
export type ProcessException = (
  request: HttpRequest,
  error: unknown,
) => HttpResponseBase | null | undefined | void | Promise<HttpResponseBase | null | undefined | void>;

/** Called with a response that has `render()` (a TemplateResponse) before it is rendered. */
export type ProcessTemplateResponse = (
  request: HttpRequest,
  response: HttpResponseBase,
) => HttpResponseBase | Promise<HttpResponseBase>;

/** What a middleware factory returns: the layer, optionally with the three hooks. */
export interface MiddlewareHandler {
  (request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase>;
  processView?: ProcessView;
  processException?: ProcessException;
  processTemplateResponse?: ProcessTemplateResponse;
}

/** A middleware class instance: `call(request)` and optionally the hooks. */
export interface MiddlewareInstance {
  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase>;
  processView?: ProcessView;
  processException?: ProcessException;
  processTemplateResponse?: ProcessTemplateResponse;
}

/** A middleware factory (`(getResponse) => handler`). */
export type MiddlewareFactory = (getResponse: GetResponse) => MiddlewareHandler | undefined | null | void;

/** A middleware class (`new Cls(getResponse)`). */
export type MiddlewareClass = new (getResponse: GetResponse) => MiddlewareInstance;

/** An entry of `MIDDLEWARE`: a dotted name, a factory or a class. */
export type MiddlewareEntry = string | MiddlewareFactory | MiddlewareClass;
