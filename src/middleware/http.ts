/**
 * `ConditionalGetMiddleware`, as Django's `django.middleware.http`: gives GET responses an ETag
 * (unless `Cache-Control: no-store`) and answers `If-None-Match` / `If-Modified-Since` with 304
 * Not Modified (RFC 9110 §13).
 */
import type { GetResponse } from './index.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { getConditionalResponse, setResponseEtag } from '../http/cache.ts';
import { parseHttpDateSafe } from '../utils/http.ts';

/**
 * @example
 * MIDDLEWARE: [..., 'tsgi.middleware.http.ConditionalGetMiddleware', ...]
 */
export class ConditionalGetMiddleware {
  readonly getResponse: GetResponse;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
  }

  async call(request: HttpRequest): Promise<HttpResponseBase> {
    return this.processResponse(request, await this.getResponse(request));
  }

  processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (request.method !== 'GET') return response;
    if (this.needsEtag(response) && !response.has('ETag') && !response.streaming) setResponseEtag(response);
    const etag = response.get('ETag');
    const lastModified = parseHttpDateSafe(response.get('Last-Modified'));
    if (etag !== undefined || lastModified !== undefined) {
      return getConditionalResponse(request, { etag, lastModified, response }) ?? response;
    }
    return response;
  }

  /** No ETag for a response that must not be stored. */
  needsEtag(response: HttpResponseBase): boolean {
    return !String(response.get('Cache-Control') ?? '')
      .split(/\s*,\s*/)
      .some((directive) => directive.toLowerCase() === 'no-store');
  }
}
