/**
 * The gateway adapter, as Django's `django.core.handlers.wsgi.WSGIHandler`: environ in,
 * `HttpRequest` through the middleware chain, `HttpResponse` out as `startResponse` + body. The
 * body carries `close()`, which runs the response's closers and then sends `requestFinished`, so
 * "finished" means the body was sent (or abandoned), not merely that the view returned.
 */
import { settings } from '../../conf/index.ts';
import type { ClosableBody, Environ, StartResponse } from '../../gateway/types.ts';
import { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { setScriptPrefix } from '../../urls/base.ts';
import { requestFinished, requestStarted } from '../signals.ts';
import { BaseHandler } from './base.ts';
import { handleUncaughtException, logResponse } from './exception.ts';

/**
 * The mount point of the application: `FORCE_SCRIPT_NAME` when set, else the environ's
 * `SCRIPT_NAME` (PEP 3333 / spec §3.1), so `reverse()` builds URLs under it.
 */
export function getScriptName(environ: Environ): string {
  const forced = settings.FORCE_SCRIPT_NAME;
  if (typeof forced === 'string') return forced;
  return typeof environ.SCRIPT_NAME === 'string' ? environ.SCRIPT_NAME : '';
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
  /** The gateway callable: `(environ, startResponse) => body`. */
  readonly call = async (environ: Environ, startResponse: StartResponse): Promise<ClosableBody> => {
    setScriptPrefix(getScriptName(environ));
    requestStarted.send(WSGIHandler, { environ });
    let request: HttpRequest | undefined;
    let response: HttpResponseBase;
    try {
      request = await HttpRequest.fromEnviron(environ);
      response = await this.getResponse(request);
    } catch (error) {
      // Only a failure outside the chain (the request could not even be built) gets here.
      request ??= bareRequest(environ);
      response = await handleUncaughtException(request, error);
      logResponse(`Internal Server Error: ${request.path}`, response, request, error);
    }
    const built = request;
    response.addResourceCloser(() => built.close());
    response.addResourceCloser(() => requestFinished.send(WSGIHandler, {}));
    startResponse(response.statusLine, response.headerList());
    const file = (response as FileLikeResponse).fileSource;
    const wrapper = environ['wsgi.file_wrapper'];
    if (file !== undefined && wrapper !== undefined) {
      const body = wrapper(file, (response as FileLikeResponse).blockSize);
      return {
        file: body.file,
        blockSize: body.blockSize,
        [Symbol.asyncIterator]: () => body[Symbol.asyncIterator](),
        close: async () => {
          try {
            await body.close();
          } finally {
            await response.close();
          }
        },
      } as ClosableBody;
    }
    return response as unknown as ClosableBody;
  };
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
