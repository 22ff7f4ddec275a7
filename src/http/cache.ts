/**
 * Response caching helpers, as Django's `django.utils.cache`: `Vary` and `Cache-Control`
 * patching, and conditional requests (RFC 9110 §13.2.2) for ConditionalGetMiddleware and the
 * `condition` decorators.
 */
import { nodeCrypto } from '../utils/builtins.ts';
import { httpDate, parseEtags, parseHttpDateSafe, quoteEtag } from '../utils/http.ts';
import { getLogger } from '../utils/log.ts';
import type { HttpRequest } from './request.ts';
import { HttpResponse, HttpResponseNotModified } from './response.ts';
import type { HttpResponseBase } from './response.ts';

const DELIMITER = /\s*,\s*/;

/** Whether the response's `Vary` lists this header (case-insensitive). */
export function hasVaryHeader(response: HttpResponseBase, header: string): boolean {
  const vary = response.get('Vary');
  if (vary === undefined) return false;
  return vary.split(DELIMITER).some((h) => h.toLowerCase() === header.toLowerCase());
}

/**
 * Adds headers to `Vary`, once each (case-insensitive); `*` replaces the whole list.
 * @example patchVaryHeaders(response, ['Accept-Encoding']);
 */
export function patchVaryHeaders(response: HttpResponseBase, newHeaders: Iterable<string>): void {
  const vary = response.has('Vary')
    ? response
        .get('Vary')!
        .split(DELIMITER)
        .filter((h) => h !== '')
    : [];
  const existing = new Set(vary.map((h) => h.toLowerCase()));
  for (const header of newHeaders) {
    if (!existing.has(header.toLowerCase())) {
      vary.push(header);
      existing.add(header.toLowerCase());
    }
  }
  response.set('Vary', vary.includes('*') ? '*' : vary.join(', '));
}

/** A `Cache-Control` directive value: `true` for a bare directive (`no-store`). */
export type CacheDirective = string | number | boolean;

/**
 * Merges directives into `Cache-Control`, as Django's `patch_cache_control`: names are written
 * with `-` (`maxAge` or `max_age` → `max-age`), an existing max-age keeps the smaller value,
 * `public` and `private` replace each other, and `no-cache` may list several field names.
 *
 * @example patchCacheControl(response, { public: true, maxAge: 3600 });
 */
export function patchCacheControl(response: HttpResponseBase, directives: Record<string, CacheDirective>): void {
  const cc = new Map<string, CacheDirective | Set<CacheDirective>>();
  const noCache = () => {
    let set = cc.get('no-cache');
    if (!(set instanceof Set)) cc.set('no-cache', (set = new Set()));
    return set;
  };
  for (const field of (response.get('Cache-Control') ?? '').split(DELIMITER)) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const name = (eq === -1 ? field : field.slice(0, eq)).toLowerCase();
    const value: CacheDirective = eq === -1 ? true : field.slice(eq + 1);
    if (name === 'no-cache') noCache().add(value);
    else cc.set(name, value);
  }
  const changes = new Map(
    Object.entries(directives).map(([k, v]) => [
      k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()).replace(/_/g, '-'),
      v,
    ]),
  );
  if (cc.has('max-age') && changes.has('max-age')) {
    changes.set('max-age', Math.min(Number(cc.get('max-age')), Number(changes.get('max-age'))));
  }
  if (cc.has('private') && changes.has('public')) cc.delete('private');
  else if (cc.has('public') && changes.has('private')) cc.delete('public');
  for (const [name, value] of changes) {
    if (name === 'no-cache') noCache().add(value);
    else cc.set(name, value);
  }
  const out: string[] = [];
  const render = (name: string, value: CacheDirective) => (value === true ? name : `${name}=${String(value)}`);
  for (const [name, value] of cc) {
    if (value instanceof Set) {
      // A bare no-cache covers every field name.
      for (const v of value.has(true) ? [true] : value) out.push(render(name, v));
    } else if (value !== false) {
      out.push(render(name, value));
    }
  }
  response.set('Cache-Control', out.join(', '));
}

/** The `max-age` of `Cache-Control` in seconds, if any. */
export function getMaxAge(response: HttpResponseBase): number | undefined {
  const match = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(response.get('Cache-Control') ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Sets `Expires` (unless set) and `max-age` for a cache lifetime in seconds (negative means 0). */
export function patchResponseHeaders(response: HttpResponseBase, cacheTimeout: number): void {
  const seconds = Math.max(0, cacheTimeout);
  if (!response.has('Expires')) response.set('Expires', httpDate(Date.now() + seconds * 1000));
  patchCacheControl(response, { maxAge: seconds });
}

/** Marks a response as never to be cached (Django's `add_never_cache_headers`). */
export function addNeverCacheHeaders(response: HttpResponseBase): void {
  patchResponseHeaders(response, -1);
  patchCacheControl(response, { noCache: true, noStore: true, mustRevalidate: true, private: true });
}

/** Sets a strong ETag from the content's MD5, for non-streaming responses with content. */
export function setResponseEtag(response: HttpResponseBase): void {
  if (response instanceof HttpResponse && response.content.byteLength > 0) {
    response.set('ETag', quoteEtag(nodeCrypto().createHash('md5').update(response.content).digest('hex')));
  }
}

/** Headers a 304 keeps from the full response (RFC 9110 §15.4.5, plus Last-Modified). */
const NOT_MODIFIED_HEADERS = ['Cache-Control', 'Content-Location', 'Date', 'ETag', 'Expires', 'Last-Modified', 'Vary'];

function notModified(response: HttpResponseBase | undefined): HttpResponseNotModified {
  const answer = new HttpResponseNotModified();
  if (response !== undefined) {
    for (const header of NOT_MODIFIED_HEADERS) {
      const value = response.get(header);
      if (value !== undefined) answer.set(header, value);
    }
    // Cookies are sent with a 304 too (RFC 6265 §3).
    for (const [name, cookie] of response.cookies) answer.cookies.set(name, cookie);
  }
  return answer;
}

function preconditionFailed(request: HttpRequest): HttpResponse {
  const answer = new HttpResponse('', { status: 412 });
  getLogger('tsgi.request').warning(`Precondition Failed: ${request.path}`, { request, statusCode: 412 });
  return answer;
}

/**
 * Answers a conditional request (RFC 9110 §13.2.2) from the resource's ETag and Last-Modified
 * (seconds since the epoch): 412 Precondition Failed, 304 Not Modified, or `response` unchanged.
 * Only successful responses are replaced.
 *
 * @example
 * return getConditionalResponse(request, { etag: response.get('ETag'), response }) ?? response;
 */
export function getConditionalResponse(
  request: HttpRequest,
  options: { etag?: string | undefined; lastModified?: number | undefined; response?: HttpResponseBase },
): HttpResponseBase | undefined {
  const { etag, lastModified, response } = options;
  if (response !== undefined && (response.statusCode < 200 || response.statusCode >= 300)) return response;
  const meta = request.META;
  const ifMatch = parseEtags(String(meta.HTTP_IF_MATCH ?? ''));
  const ifUnmodifiedSince = parseHttpDateSafe(meta.HTTP_IF_UNMODIFIED_SINCE);
  const ifNoneMatch = parseEtags(String(meta.HTTP_IF_NONE_MATCH ?? ''));
  const ifModifiedSince = parseHttpDateSafe(meta.HTTP_IF_MODIFIED_SINCE);
  const safe = request.method === 'GET' || request.method === 'HEAD';

  // Step 1: If-Match (RFC 9110 §13.1.1): strong comparison.
  if (ifMatch.length > 0) {
    const passes =
      etag !== undefined && etag !== '' && (ifMatch[0] === '*' || (!etag.startsWith('W/') && ifMatch.includes(etag)));
    if (!passes) return preconditionFailed(request);
  }
  // Step 2: If-Unmodified-Since, only without If-Match.
  if (
    ifMatch.length === 0 &&
    ifUnmodifiedSince !== undefined &&
    !(lastModified !== undefined && lastModified <= ifUnmodifiedSince)
  ) {
    return preconditionFailed(request);
  }
  // Step 3: If-None-Match (RFC 9110 §13.1.2): weak comparison; without an ETag it passes (as Django).
  if (ifNoneMatch.length > 0 && etag !== undefined && etag !== '') {
    const weak = (t: string) => (t.startsWith('W/') ? t.slice(2) : t);
    const matches = ifNoneMatch[0] === '*' || ifNoneMatch.map(weak).includes(weak(etag));
    if (matches) return safe ? notModified(response) : preconditionFailed(request);
  }
  // Step 4: If-Modified-Since, only without If-None-Match, for GET and HEAD.
  if (
    ifNoneMatch.length === 0 &&
    ifModifiedSince !== undefined &&
    safe &&
    lastModified !== undefined &&
    lastModified <= ifModifiedSince
  ) {
    return notModified(response);
  }
  return response;
}
