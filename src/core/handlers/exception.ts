/**
 * Exceptions to responses, as Django's `django.core.handlers.exception`: each known error class
 * maps to one status, answered by the URLconf's `handler<status>` view or the default one (the
 * DEBUG pages when `DEBUG` is on). Every middleware layer is wrapped with
 * {@link convertExceptionToResponse}, so an exception never reaches the layer outside it.
 */
import { settings } from '../../conf/index.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { FileTooBig, Http404, MultiPartParserError, UploadStorageError } from '../../http/exceptions.ts';
import type { GetResponse } from '../../middleware/index.ts';
import { getResolver } from '../../urls/base.ts';
import { getLogger, logResponse, markLogged } from '../../utils/log.ts';
import type * as DefaultViews from '../../views/defaults.ts';
import type * as DebugViews from '../../views/debug.ts';
import { BadRequest, PermissionDenied, SuspiciousOperation } from '../exceptions.ts';
import { gotRequestException } from '../signals.ts';
import { lazyModule } from '../../utils/module-loading.ts';
import { describe } from '../../gateway/describe.ts';

/** The DEBUG pages, loaded on first use: a production process never compiles them. */
function debugViews(): Promise<typeof DebugViews> {
  return import('../../views/debug.ts');
}

/** The plain error pages, loaded on the first error answered (and kept): a 200 never needs them. */
const defaults = lazyModule<typeof DefaultViews>(import.meta.url, '../../views/defaults');

/**
 * Wraps a layer so that whatever it throws becomes a response right there.
 *
 * @example
 * const handler = convertExceptionToResponse(getResponse);
 */
export function convertExceptionToResponse(
  getResponse: GetResponse,
): (request: HttpRequest) => HttpResponseBase | Promise<HttpResponseBase> {
  // Not an async function, and a response given synchronously is passed on as it is (GetResponse
  // allows both): a chain of synchronous layers then makes no promise at all.
  return (request) => {
    let result: HttpResponseBase | Promise<HttpResponseBase>;
    try {
      result = getResponse(request);
    } catch (error) {
      return responseForException(request, error);
    }
    if (result instanceof Promise) return result.catch((error: unknown) => responseForException(request, error));
    return result;
  };
}

/**
 * As {@link convertExceptionToResponse}, for a middleware instance: its `call()` is called from
 * the wrapper itself (looked up on every request, as `instance.call(request)` would be).
 */
export function convertInstanceToResponse(instance: {
  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase>;
}): (request: HttpRequest) => HttpResponseBase | Promise<HttpResponseBase> {
  return (request) => {
    let result: HttpResponseBase | Promise<HttpResponseBase>;
    try {
      result = instance.call(request);
    } catch (error) {
      return responseForException(request, error);
    }
    if (result instanceof Promise) return result.catch((error: unknown) => responseForException(request, error));
    return result;
  };
}

/** The response for an exception raised while handling `request`. */
export async function responseForException(request: HttpRequest, error: unknown): Promise<HttpResponseBase> {
  let response: HttpResponseBase;
  if (error instanceof Http404) {
    response = settings.DEBUG
      ? (await debugViews()).technical404Response(request, error)
      : await getExceptionResponse(request, 404, error);
    logResponse(`Not Found: ${request.path}`, response, request);
  } else if (error instanceof PermissionDenied) {
    response = await getExceptionResponse(request, 403, error);
    logResponse(`Forbidden (Permission denied): ${request.path}`, response, request, error);
  } else if (error instanceof FileTooBig || (error instanceof UploadStorageError && error.statusCode !== 500)) {
    // Refused while the body streamed in; the rest of it was not read (src/http/body.ts).
    const status = error instanceof FileTooBig ? 413 : (error.statusCode as 413 | 507);
    if (error instanceof FileTooBig)
      getLogger(`tsgi.security.${error.name}`).error(error.message, { request, status_code: 413 });
    response = settings.DEBUG
      ? (await debugViews()).technical500Response(request, error, status)
      : await defaults().uploadRefused(request, status);
    if (error instanceof FileTooBig) markLogged(response);
    else logResponse(`Upload refused (${(error as Error).message}): ${request.path}`, response, request, error);
  } else if (error instanceof MultiPartParserError) {
    response = await getExceptionResponse(request, 400, error);
    logResponse(`Bad request (Unable to parse request body): ${request.path}`, response, request, error);
  } else if (error instanceof BadRequest) {
    response = settings.DEBUG
      ? (await debugViews()).technical500Response(request, error, 400)
      : await getExceptionResponse(request, 400, error);
    logResponse(`Bad request: ${request.path}`, response, request, error);
  } else if (error instanceof SuspiciousOperation) {
    // Security events have their own logger per class, so they can be routed (or silenced) apart.
    getLogger(`tsgi.security.${error.name}`).error(error.message, { request, status_code: 400 });
    response = settings.DEBUG
      ? (await debugViews()).technical500Response(request, error, 400)
      : await getExceptionResponse(request, 400, error);
    markLogged(response);
  } else {
    gotRequestException.send(null, { request, error });
    response = await handleUncaughtException(request, error);
    logResponse(`Internal Server Error: ${request.path}`, response, request, error);
  }
  return response;
}

/** The URLconf's `handler<status>` view, or the default, called with the request and the error. */
async function getExceptionResponse(
  request: HttpRequest,
  status: 400 | 403 | 404 | 500,
  error: unknown,
): Promise<HttpResponseBase> {
  try {
    let view: ((...args: never[]) => unknown) | undefined;
    try {
      view = getResolver(request.urlconf ?? undefined).resolveErrorHandler(status);
    } catch (lookupError) {
      // No usable URLconf (ROOT_URLCONF unset): the default view still answers.
      if (status === 500) throw lookupError;
      view = undefined;
    }
    const call = (view ?? DEFAULTS[status](defaults())) as (request: HttpRequest, error?: unknown) => unknown;
    const response = await (status === 500 ? call(request) : call(request, error));
    if (!isResponse(response)) {
      throw new TypeError(
        `The custom handler${status} view didn't return an HttpResponse object. It returned ${describe(response)} instead.`,
      );
    }
    return response;
  } catch (handlerError) {
    if (status === 500) throw handlerError;
    gotRequestException.send(null, { request, error: handlerError });
    return handleUncaughtException(request, handlerError);
  }
}

const DEFAULTS = {
  400: (views: typeof DefaultViews) => views.badRequest,
  403: (views: typeof DefaultViews) => views.permissionDenied,
  404: (views: typeof DefaultViews) => views.pageNotFound,
  500: (views: typeof DefaultViews) => views.serverError,
} as const;

/**
 * The 500 answer: the technical page in DEBUG, else `handler500` (or the default). With
 * `DEBUG_PROPAGATE_EXCEPTIONS` the error is re-thrown to the server instead.
 */
export async function handleUncaughtException(request: HttpRequest, error: unknown): Promise<HttpResponseBase> {
  if (settings.DEBUG_PROPAGATE_EXCEPTIONS) throw error;
  if (settings.DEBUG) return (await debugViews()).technical500Response(request, error);
  try {
    return await getExceptionResponse(request, 500, error);
  } catch (handlerError) {
    // handler500 itself failed: the plain page, and both errors in the log.
    getLogger('tsgi.request').error(
      `The handler500 view failed while answering ${request.path}: ${(handlerError as Error).message}`,
      { error: handlerError, request },
    );
    return defaults().serverError();
  }
}

/** Whether `value` looks like a response of ours (duck-typed, so subclasses from any copy pass). */
export function isResponse(value: unknown): value is HttpResponseBase {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HttpResponseBase).statusCode === 'number' &&
    typeof (value as HttpResponseBase).headerList === 'function'
  );
}
