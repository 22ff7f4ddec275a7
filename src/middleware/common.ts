/**
 * `CommonMiddleware`, as Django's `django.middleware.common`: refuses `DISALLOWED_USER_AGENTS`,
 * redirects for `PREPEND_WWW` and `APPEND_SLASH` (only when the slashed path resolves), and sets
 * `Content-Length` on responses held in memory.
 */
import { fromSettings, settings } from '../conf/index.ts';
import { PermissionDenied } from '../core/exceptions.ts';
import type { GetResponse } from './index.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponsePermanentRedirect } from '../http/response.ts';
import type { HttpResponse, HttpResponseBase } from '../http/response.ts';
import { hasKnownHeader, setKnownHeader } from '../http/headers.ts';
import { isValidPath } from '../urls/base.ts';
import { escapeLeadingSlashes } from '../utils/http.ts';

// The settings this middleware reads, once per settings change (the settings proxy costs on
// every request).
interface CommonSettings {
  appendSlash: boolean;
  prependWww: boolean;
  disallowedUserAgents: RegExp[];
}
const conf = fromSettings((): CommonSettings => ({
  appendSlash: Boolean(settings.APPEND_SLASH),
  prependWww: Boolean(settings.PREPEND_WWW),
  disallowedUserAgents: (settings.DISALLOWED_USER_AGENTS ?? []).map((p) => (p instanceof RegExp ? p : new RegExp(p))),
}));

/**
 * The redirect would lose the request body: a POST/PUT/PATCH to a URL without its trailing
 * slash under `DEBUG` (Django raises `RuntimeError` there; so does tsgi, under that name).
 */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/**
 * @example
 * MIDDLEWARE: ['tsgi.middleware.security.SecurityMiddleware', 'tsgi.middleware.common.CommonMiddleware', ...]
 */
export class CommonMiddleware {
  readonly getResponse: GetResponse;
  /** The class used for the redirects; a subclass may use a temporary one. */
  responseRedirectClass: new (url: string) => HttpResponseBase = HttpResponsePermanentRedirect;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
  }

  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    // As Django's MiddlewareMixin: a response from the request step goes through the response step too.
    const early = this.processRequest(request);
    if (early !== undefined) return this.processResponse(request, early);
    const response = this.getResponse(request);
    if (response instanceof Promise) return response.then((answer) => this.processResponse(request, answer));
    return this.processResponse(request, response);
  }

  processRequest(request: HttpRequest): HttpResponseBase | undefined {
    const { disallowedUserAgents, prependWww } = conf();
    const userAgent = request.META.HTTP_USER_AGENT;
    if (userAgent !== undefined && disallowedUserAgents.length > 0) {
      for (const pattern of disallowedUserAgents) {
        if (pattern.test(userAgent)) throw new PermissionDenied('Forbidden user agent');
      }
    }
    // Validates the Host header (DisallowedHost → 400) before anything else uses it.
    const host = request.getHost();
    const mustPrepend = prependWww && host !== '' && !host.startsWith('www.');
    const slash = this.shouldRedirectWithSlash(request);
    if (!mustPrepend && !slash) return undefined;
    const redirectUrl = mustPrepend ? `${request.scheme}://www.${host}` : '';
    const path = slash ? this.getFullPathWithSlash(request) : request.getFullPath();
    return new this.responseRedirectClass(redirectUrl + path);
  }

  /**
   * Whether `/path` should go to `/path/`: `APPEND_SLASH` is on, the path has no slash, does not
   * resolve, and the slashed one does (to a view without `shouldAppendSlash === false`).
   */
  shouldRedirectWithSlash(request: HttpRequest): boolean {
    if (!conf().appendSlash || request.pathInfo.endsWith('/')) return false;
    const urlconf = request.urlconf ?? undefined;
    if (isValidPath(request.pathInfo, urlconf)) return false;
    const match = isValidPath(`${request.pathInfo}/`, urlconf);
    if (match === false) return false;
    return (match.func as { shouldAppendSlash?: boolean }).shouldAppendSlash !== false;
  }

  /** The full path with the slash added; in DEBUG, an error for methods whose body a redirect would drop. */
  getFullPathWithSlash(request: HttpRequest): string {
    const newPath = escapeLeadingSlashes(request.getFullPath(true));
    if (settings.DEBUG && (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH')) {
      throw new RuntimeError(
        `You called this URL via ${request.method}, but the URL doesn't end in a slash and you have APPEND_SLASH set. ` +
          `tsgi can't redirect to the slash URL while maintaining ${request.method} data. ` +
          `Change your form to point to ${request.getHost()}${newPath} (note the trailing slash), or set APPEND_SLASH = false in your settings.`,
      );
    }
    return newPath;
  }

  processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    // A view's 404 for a path that exists with a slash: redirect there too.
    if (response.statusCode === 404 && this.shouldRedirectWithSlash(request)) {
      return new this.responseRedirectClass(this.getFullPathWithSlash(request));
    }
    if (!response.streaming && !hasKnownHeader(response.headers, 'content-length')) {
      // Digits only: wire-ready as it is.
      setKnownHeader(
        response.headers,
        'content-length',
        'Content-Length',
        String((response as HttpResponse).content.byteLength),
      );
    }
    return response;
  }
}
