/**
 * The gateway adapter, as Django's `django.core.handlers.wsgi`: `requestFromEnviron` builds the
 * protocol-free `HttpRequest` from an environ (its body is read later, when asked for), and
 * `WSGIHandler` runs it through the middleware chain, inside the request's own script prefix
 * (`SCRIPT_NAME`), and turns the `HttpResponse` into `startResponse` + body. The body carries
 * `close()`, which runs the response's closers and then sends `requestFinished`, so "finished"
 * means the body was sent (or abandoned), not merely that the view returned.
 */
import { fromSettings, settings } from '../../conf/index.ts';
import type { ClosableBody, Environ, StartResponse } from '../../gateway/types.ts';
import { isKnownCharset } from '../../http/charset.ts';
import { HttpRequest, parseHeaderParameters } from '../../http/request.ts';
import { closeBody, type HttpResponse, type HttpResponseBase } from '../../http/response.ts';
import { isScriptPrefix, runWithScriptPrefix } from '../../urls/base.ts';
import {
  currentRequestScope,
  finishRequestScope,
  requestScopesEnabled,
  runInRequestScope,
  type RequestScope,
} from '../request-scope.ts';
import { requestFinished, requestStarted } from '../signals.ts';
import { BaseHandler } from './base.ts';
import { getLogger, logResponse } from '../../utils/log.ts';
import { handleUncaughtException } from './exception.ts';

/**
 * The mount point of the application: `FORCE_SCRIPT_NAME` when set, else the environ's
 * `SCRIPT_NAME` (PEP 3333 / spec §3.1), so `reverse()` builds URLs under it.
 */
export function getScriptName(environ: Environ): string {
  const forced = forcedScriptName();
  if (typeof forced === 'string') return forced;
  return typeof environ.SCRIPT_NAME === 'string' ? environ.SCRIPT_NAME : '';
}

// FORCE_SCRIPT_NAME, read once per settings change (the settings proxy costs on every request).
const forcedScriptName = fromSettings((): unknown => settings.FORCE_SCRIPT_NAME);

/**
 * The request of an environ, as Django's `WSGIRequest(environ)`: the environ becomes `META`, the
 * path is split at the mount point (`FORCE_SCRIPT_NAME` or `SCRIPT_NAME`), and `wsgi.input`
 * becomes the body's source, read when something asks for it (`await request.loadBody()`).
 * Temporary files of the body go to `FILE_UPLOAD_TEMP_DIR`, else to the folder the server gives in
 * `environ['tsgi.tmpdir']` (spec §3.5), else to the system's.
 *
 * A plain `HttpRequest`, not a subclass as Django's: constructing a derived class with fields
 * costs ~50 ns on Node 24 (V8 initialises a derived class's fields without its fast path), about
 * a twentieth of a hello request through the framework, measured.
 *
 * @example
 * const request = requestFromEnviron(environ);
 * await request.loadBody();
 * request.POST.get('title');
 */
export function requestFromEnviron(environ: Environ, scriptName: string = getScriptName(environ)): HttpRequest {
  const request = new HttpRequest();
  request.META = environ;
  const pathInfo = environ.PATH_INFO || '/';
  request.scriptName = scriptName;
  request.pathInfo = pathInfo;
  // The usual case (no prefix, a path from the root) needs no new string.
  request.path =
    scriptName === '' && pathInfo.charCodeAt(0) === 47
      ? pathInfo
      : `${scriptName.replace(/\/+$/, '')}/${pathInfo.replace('/', '')}`;
  const method = environ.REQUEST_METHOD;
  request.method = method === 'GET' ? method : String(method ?? 'GET').toUpperCase();
  const rawType = environ.CONTENT_TYPE;
  if (rawType === undefined || rawType === '') {
    request.contentType = '';
    request.contentParams = {};
  } else {
    const [contentType, params] = parseHeaderParameters(rawType);
    request.contentType = contentType;
    request.contentParams = params;
    if (params.charset !== undefined && isKnownCharset(params.charset)) request.encoding = params.charset;
  }
  const length = environ.CONTENT_LENGTH;
  if (environ.HTTP_TRANSFER_ENCODING === undefined && (length === undefined || length === '' || length === '0')) {
    // No body: nothing will ever need reading.
    request.setStream(null);
    return request;
  }
  const tempDir = environ['tsgi.tmpdir'];
  request.setStream({
    input: environ['wsgi.input'],
    contentLength: environ.HTTP_TRANSFER_ENCODING === undefined && length !== undefined ? Number(length) : null,
    tempDir: typeof tempDir === 'string' && tempDir !== '' ? tempDir : null,
  });
  return request;
}

/** A file response as the gateway's `wsgi.file_wrapper` can send it (sendfile on servers that have it). */
interface FileLikeResponse {
  fileSource?: { path?: string; fd?: number };
  blockSize?: number;
}

/**
 * The TSGI application of the framework. Build it with `getWsgiApplication()`, which also boots
 * settings, logging and apps; `handler.call` is the gateway callable.
 */
export class WSGIHandler extends BaseHandler {
  /**
   * The gateway callable: `(environ, startResponse) => body`. The body itself when the whole
   * chain answered synchronously (the common case: nothing of a request body is read before the
   * view, and a hello has none), so that the server can send it at once (no promise, no listener
   * for the client going away); a promise of it otherwise. Failures go the same way in both: a
   * throw here is the server's 500, as a rejection is.
   */
  readonly call = (environ: Environ, startResponse: StartResponse): ClosableBody | Promise<ClosableBody> =>
    // A request scope (src/core/request-scope.ts) once a layer asked for one: the database's.
    requestScopesEnabled()
      ? runInRequestScope(this.#prefixed, environ, startResponse)
      : this.#prefixed(environ, startResponse);

  readonly #prefixed = (environ: Environ, startResponse: StartResponse): ClosableBody | Promise<ClosableBody> => {
    const scriptName = getScriptName(environ);
    // reverse() reads the script prefix from the request's async context; entering one is paid
    // only when this request's differs from the one current here (the process default).
    if (isScriptPrefix(scriptName)) return this.#handle(environ, startResponse, scriptName);
    return runWithScriptPrefix(scriptName, this.#handle, environ, startResponse, scriptName);
  };

  readonly #handle = (
    environ: Environ,
    startResponse: StartResponse,
    scriptName: string,
  ): ClosableBody | Promise<ClosableBody> => {
    if (requestStarted.hasListeners()) requestStarted.send(WSGIHandler, { environ });
    let request: HttpRequest | undefined;
    let response: HttpResponseBase;
    try {
      request = requestFromEnviron(environ, scriptName);
      const answer = this.#answer(request);
      if (answer instanceof Promise) return this.#callLater(environ, startResponse, request, answer);
      response = answer;
    } catch (error) {
      return this.#callLater(environ, startResponse, request, undefined, true, error);
    }
    return this.#send(environ, startResponse, request, response);
  };

  /** The chain's answer; a subclass that overrides getResponse() (the test client's) is still called through it. */
  #answer(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    return this.getResponse === BaseHandler.prototype.getResponse ? this.respond(request) : this.getResponse(request);
  }

  /** The rest of `call` once something was a promise (or failed). */
  async #callLater(
    environ: Environ,
    startResponse: StartResponse,
    built: HttpRequest | undefined,
    answer?: Promise<HttpResponseBase>,
    failed = false,
    failure?: unknown,
  ): Promise<ClosableBody> {
    let request = built;
    let response: HttpResponseBase;
    try {
      if (failed) throw failure;
      response = await answer!;
    } catch (error) {
      // Only a failure outside the chain (the request could not even be built) gets here.
      request ??= bareRequest(environ);
      response = await handleUncaughtException(request, error);
      logResponse(`Internal Server Error: ${request.path}`, response, request, error);
    }
    return this.#send(environ, startResponse, request!, response);
  }

  /** Ends the request when the body is closed, starts the response and returns its body. */
  #send(
    environ: Environ,
    startResponse: StartResponse,
    request: HttpRequest,
    response: HttpResponseBase,
  ): ClosableBody {
    // Bound functions, not arrow closures, here and for the body's close() below: measured
    // under load, a closure made per request that captures the request (or the response) made
    // V8 promote about 8% of what every request allocates, scavenges took ~10 ms each with the
    // young generation grown to its maximum, and RSS doubled; bound functions do not (the
    // gateway's Exchange found the same).
    response.addResourceCloser(finishRequest.bind(undefined, request, currentRequestScope()));
    startResponse(response.statusLine, response.headerList());
    const file = (response as FileLikeResponse).fileSource;
    const wrapper = environ['wsgi.file_wrapper'];
    if (file !== undefined && wrapper !== undefined) {
      const body = wrapper(file, (response as FileLikeResponse).blockSize);
      // The server's own FileBody is returned (so it can recognise it and use sendfile); its
      // close() also closes the response, which ends the request.
      const closeFile = body.close.bind(body);
      const closing = async () => {
        try {
          await closeFile();
        } finally {
          await response.close();
        }
      };
      Object.defineProperty(body, 'close', { value: closing, configurable: true, writable: true });
      return body;
    }
    if (!response.streaming) {
      // An array body has a known length: the server sends it in one write with Content-Length
      // (spec §5.2). The response's close() still runs, as the array's own close().
      const body: Uint8Array[] & { close?: () => Promise<void> | undefined } = [(response as HttpResponse).content];
      body.close = closeBody.bind(undefined, response);
      return body;
    }
    return response as unknown as ClosableBody;
  }
}

/** The end of a request, run by the response's close(): its temporary files, then `requestFinished`. */
function finishRequest(request: HttpRequest, scope: RequestScope | undefined): Promise<void> | void {
  request.close();
  if (requestFinished.hasListeners()) requestFinished.send(WSGIHandler, {});
  if (scope !== undefined) return finishRequestScope(scope, reportScopeFailure);
}

function reportScopeFailure(error: unknown): void {
  getLogger('tsgi.request').error(`A request scope finisher failed: ${(error as Error)?.message ?? String(error)}`, {
    error,
  });
}

/** A request with the environ's method and path only, for answering when building the real one failed. */
function bareRequest(environ: Environ): HttpRequest {
  const request = new HttpRequest();
  request.META = environ;
  request.method = String(environ.REQUEST_METHOD ?? 'GET').toUpperCase();
  request.pathInfo = environ.PATH_INFO || '/';
  request.path = request.pathInfo;
  return request;
}
