/**
 * `SecurityMiddleware`, as Django's `django.middleware.security`: the HTTPS redirect, HSTS on
 * secure responses, and the `X-Content-Type-Options`, `Referrer-Policy` and
 * `Cross-Origin-Opener-Policy` headers. Settings are read once, when the chain is built.
 */
import { settings } from '../conf/index.ts';
import type { GetResponse } from './index.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponsePermanentRedirect } from '../http/response.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { isWireReady, setDefaultKnownHeader } from '../http/headers.ts';

/**
 * Add it first in `MIDDLEWARE`: `'tsgi.middleware.security.SecurityMiddleware'`.
 *
 * @example
 * MIDDLEWARE: ['tsgi.middleware.security.SecurityMiddleware', ...]
 */
export class SecurityMiddleware {
  readonly getResponse: GetResponse;
  readonly stsSeconds: number;
  readonly stsIncludeSubdomains: boolean;
  readonly stsPreload: boolean;
  readonly contentTypeNosniff: boolean;
  readonly redirect: boolean;
  readonly redirectHost: string | null;
  readonly redirectExempt: RegExp[];
  readonly referrerPolicy: string | null;
  readonly crossOriginOpenerPolicy: string | null;
  // Whether the two header values from settings are wire-ready, checked once: then they are set
  // without the per-request check (a bad one still fails each response, as before).
  readonly #referrerPolicyReady: boolean;
  readonly #crossOriginOpenerPolicyReady: boolean;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
    this.stsSeconds = Number(settings.SECURE_HSTS_SECONDS) || 0;
    this.stsIncludeSubdomains = Boolean(settings.SECURE_HSTS_INCLUDE_SUBDOMAINS);
    this.stsPreload = Boolean(settings.SECURE_HSTS_PRELOAD);
    this.contentTypeNosniff = Boolean(settings.SECURE_CONTENT_TYPE_NOSNIFF);
    this.redirect = Boolean(settings.SECURE_SSL_REDIRECT);
    this.redirectHost = settings.SECURE_SSL_HOST ?? null;
    this.redirectExempt = (settings.SECURE_REDIRECT_EXEMPT ?? []).map((p) => (p instanceof RegExp ? p : new RegExp(p)));
    const policy = settings.SECURE_REFERRER_POLICY;
    this.referrerPolicy =
      policy === null || policy === undefined || policy === ''
        ? null
        : (typeof policy === 'string' ? policy.split(',') : policy).map((v) => v.trim()).join(',');
    this.crossOriginOpenerPolicy = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY || null;
    this.#referrerPolicyReady = this.referrerPolicy !== null && isWireReady('Referrer-Policy', this.referrerPolicy);
    this.#crossOriginOpenerPolicyReady =
      this.crossOriginOpenerPolicy !== null && isWireReady('Cross-Origin-Opener-Policy', this.crossOriginOpenerPolicy);
  }

  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    const early = this.processRequest(request);
    if (early !== undefined) return this.processResponse(request, early);
    const response = this.getResponse(request);
    if (response instanceof Promise) return response.then((answer) => this.processResponse(request, answer));
    return this.processResponse(request, response);
  }

  /** Redirects plain-HTTP requests to HTTPS when `SECURE_SSL_REDIRECT` is on (unless exempt). */
  processRequest(request: HttpRequest): HttpResponseBase | undefined {
    if (!this.redirect || request.isSecure()) return undefined;
    const path = request.path.replace(/^\/+/, '');
    if (this.redirectExempt.some((pattern) => pattern.test(path))) return undefined;
    const host = this.redirectHost || request.getHost();
    return new HttpResponsePermanentRedirect(`https://${host}${request.getFullPath()}`);
  }

  processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (this.stsSeconds && request.isSecure() && !response.has('Strict-Transport-Security')) {
      let value = `max-age=${this.stsSeconds}`;
      if (this.stsIncludeSubdomains) value += '; includeSubDomains';
      if (this.stsPreload) value += '; preload';
      response.set('Strict-Transport-Security', value);
    }
    // As Django, on the headers themselves (response.headers.setdefault).
    const headers = response.headers;
    if (this.contentTypeNosniff)
      setDefaultKnownHeader(headers, 'x-content-type-options', 'X-Content-Type-Options', 'nosniff');
    if (this.referrerPolicy !== null) {
      if (this.#referrerPolicyReady)
        setDefaultKnownHeader(headers, 'referrer-policy', 'Referrer-Policy', this.referrerPolicy);
      else headers.setDefault('Referrer-Policy', this.referrerPolicy);
    }
    if (this.crossOriginOpenerPolicy !== null) {
      if (this.#crossOriginOpenerPolicyReady) {
        setDefaultKnownHeader(
          headers,
          'cross-origin-opener-policy',
          'Cross-Origin-Opener-Policy',
          this.crossOriginOpenerPolicy,
        );
      } else {
        headers.setDefault('Cross-Origin-Opener-Policy', this.crossOriginOpenerPolicy);
      }
    }
    return response;
  }
}
