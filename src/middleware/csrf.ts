/**
 * Cross-site request forgery protection, as Django's `django.middleware.csrf`: a random secret in
 * a cookie (`CSRF_COOKIE_NAME`), masked tokens in forms and the `X-CSRFToken` header, and on
 * unsafe methods an Origin check (and, over HTTPS without Origin, a Referer check) against the
 * host and `CSRF_TRUSTED_ORIGINS`.
 *
 * The request body is read only when the decision needs the form's token, and then only as far
 * as that field (docs/http.md, "CSRF and the request body"): a request refused for its Origin,
 * Referer or cookie, or carrying the token in the header, is decided without reading its body.
 */
import { fromSettings, settings } from '../conf/index.ts';
import { DisallowedHost, ImproperlyConfigured } from '../core/exceptions.ts';
import type { GetResponse } from './index.ts';
import type { HttpRequest } from '../http/request.ts';
import { UnreadablePostError } from '../http/exceptions.ts';
import { HttpResponseForbidden } from '../http/response.ts';
import type { HttpResponseBase } from '../http/response.ts';
import type * as Cache from '../http/cache.ts';
import { nodeCrypto } from '../utils/builtins.ts';
import type * as Crypto from '../utils/crypto.ts';
import { isSameDomain } from '../utils/http.ts';
import { getLogger, markLogged } from '../utils/log.ts';
import { importString, lazyModule } from '../utils/module-loading.ts';
import { viewAnswersMethod, wrapsView } from '../utils/decorators.ts';

const logger = getLogger('tsgi.security.csrf');

// utils/crypto, loaded by the first token checked (an unsafe method); http/cache by the first
// CSRF cookie set.
const cryptoUtils = lazyModule<typeof Crypto>(import.meta.url, '../utils/crypto');
const cache = lazyModule<typeof Cache>(import.meta.url, '../http/cache');

export const CSRF_SECRET_LENGTH = 32;
export const CSRF_TOKEN_LENGTH = 2 * CSRF_SECRET_LENGTH;
export const CSRF_ALLOWED_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALLOWED = /^[a-zA-Z0-9]+$/;

export const REASON_BAD_ORIGIN = (origin: string) =>
  `Origin checking failed - ${origin} does not match any trusted origins.`;
export const REASON_NO_REFERER = 'Referer checking failed - no Referer.';
export const REASON_BAD_REFERER = (referer: string) =>
  `Referer checking failed - ${referer} does not match any trusted origins.`;
export const REASON_NO_CSRF_COOKIE = 'CSRF cookie not set.';
export const REASON_CSRF_TOKEN_MISSING = 'CSRF token missing.';
export const REASON_MALFORMED_REFERER = 'Referer checking failed - Referer is malformed.';
export const REASON_INSECURE_REFERER = 'Referer checking failed - Referer is insecure while host is secure.';
export const REASON_INCORRECT_LENGTH = 'has incorrect length';
export const REASON_INVALID_CHARACTERS = 'has invalid characters';

/** A token or cookie that is not 32 or 64 characters of [a-zA-Z0-9]. */
export class InvalidTokenFormat extends Error {
  override name = 'InvalidTokenFormat';
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

class RejectRequest extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

// Per-request flags (Django's request.csrf_processing_done / _dont_enforce_csrf_checks), under
// symbols: cheaper than WeakSets on the hot path, invisible to the request's own fields.
const PROCESSING_DONE = Symbol('tsgi.csrfProcessingDone');
const DONT_ENFORCE = Symbol('tsgi.dontEnforceCsrfChecks');
type Flagged = HttpRequest & { [PROCESSING_DONE]?: boolean; [DONT_ENFORCE]?: boolean };

// The CSRF cookie settings, read once per settings change (the settings proxy costs on every request).
interface CookieSettings {
  name: string;
  header: string;
  useSessions: boolean;
}
const conf = fromSettings((): CookieSettings => ({
  name: settings.CSRF_COOKIE_NAME,
  header: settings.CSRF_HEADER_NAME,
  useSessions: Boolean(settings.CSRF_USE_SESSIONS),
}));

/** Where CSRF_USE_SESSIONS keeps the secret in the session (Django's CSRF_SESSION_KEY). */
export const CSRF_SESSION_KEY = '_csrftoken';

function sessionSecret(request: HttpRequest): string | undefined {
  const stored = request.session.get(CSRF_SESSION_KEY);
  return typeof stored === 'string' ? stored : undefined;
}

function randomString(length: number): string {
  let out = '';
  const { randomInt } = nodeCrypto();
  for (let i = 0; i < length; i++) out += CSRF_ALLOWED_CHARS[randomInt(CSRF_ALLOWED_CHARS.length)];
  return out;
}

/** Masks a secret with a fresh random mask, so the token differs on every page (BREACH). */
export function maskCipherSecret(secret: string): string {
  const chars = CSRF_ALLOWED_CHARS;
  const mask = randomString(CSRF_SECRET_LENGTH);
  let cipher = '';
  for (let i = 0; i < secret.length; i++)
    cipher += chars[(chars.indexOf(secret[i]!) + chars.indexOf(mask[i]!)) % chars.length];
  return mask + cipher;
}

/** The secret inside a masked token. */
export function unmaskCipherToken(token: string): string {
  const chars = CSRF_ALLOWED_CHARS;
  const mask = token.slice(0, CSRF_SECRET_LENGTH);
  const cipher = token.slice(CSRF_SECRET_LENGTH);
  let secret = '';
  for (let i = 0; i < cipher.length; i++) {
    secret += chars[(chars.indexOf(cipher[i]!) - chars.indexOf(mask[i]!) + chars.length) % chars.length];
  }
  return secret;
}

/** Throws {@link InvalidTokenFormat} unless `token` is 32 or 64 allowed characters. */
export function checkTokenFormat(token: string): void {
  if (token.length !== CSRF_TOKEN_LENGTH && token.length !== CSRF_SECRET_LENGTH)
    throw new InvalidTokenFormat(REASON_INCORRECT_LENGTH);
  if (!ALLOWED.test(token)) throw new InvalidTokenFormat(REASON_INVALID_CHARACTERS);
}

/** Whether a (masked or unmasked) token carries `secret`, compared in constant time. */
export function doesTokenMatch(token: string, secret: string): boolean {
  const unmasked = token.length === CSRF_TOKEN_LENGTH ? unmaskCipherToken(token) : token;
  return cryptoUtils().constantTimeCompare(unmasked, secret);
}

function addNewCsrfCookie(request: HttpRequest): string {
  const secret = randomString(CSRF_SECRET_LENGTH);
  request.META.CSRF_COOKIE = secret;
  request.META.CSRF_COOKIE_NEEDS_UPDATE = true;
  return secret;
}

/**
 * A masked CSRF token for a form field `csrfmiddlewaretoken` or the `X-CSRFToken` header; makes
 * the middleware send the cookie with this response.
 *
 * @example
 * return new HttpResponse(`<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="${getToken(request)}">...`);
 */
export function getToken(request: HttpRequest): string {
  let secret = request.META.CSRF_COOKIE;
  if (typeof secret === 'string') request.META.CSRF_COOKIE_NEEDS_UPDATE = true;
  else secret = addNewCsrfCookie(request);
  return maskCipherSecret(secret as string);
}

/** Changes the CSRF secret (call it at login, as Django does), so old tokens stop working. */
export function rotateToken(request: HttpRequest): void {
  addNewCsrfCookie(request);
}

/** Marks a request as exempt from the checks (the test client does, unless `enforceCsrfChecks`). */
export function dontEnforceCsrfChecks(request: HttpRequest): void {
  (request as Flagged)[DONT_ENFORCE] = true;
}

/**
 * Exempts a view from the CSRF checks.
 *
 * @example
 * export const webhook = csrfExempt((request) => new HttpResponse('ok'));
 */
export function csrfExempt<F extends (...args: never[]) => unknown>(view: F): F & { readonly csrfExempt: true } {
  const wrapper = function (this: unknown, ...args: never[]) {
    return view.apply(this, args);
  } as unknown as F;
  return Object.assign(wrapsView(wrapper, view), { csrfExempt: true as const });
}

const FAILURE_PAGE = (reason: string) =>
  `<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta http-equiv="content-type" content="text/html; charset=utf-8">\n  <meta name="robots" content="NONE,NOARCHIVE">\n  <title>403 Forbidden</title>\n</head>\n<body>\n<div id="summary">\n  <h1>Forbidden <span>(403)</span></h1>\n  <p>CSRF verification failed. Request aborted.</p>\n</div>\n${
    settings.DEBUG
      ? `<div id="info">\n  <h2>Help</h2>\n  <p>Reason given for failure:</p>\n  <pre>\n    ${reason.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}\n  </pre>\n</div>\n`
      : ''
  }<div id="explanation">\n  <p><small>More information is available with DEBUG = true.</small></p>\n</div>\n</body>\n</html>\n`;

/**
 * The default CSRF failure view: a 403 page; the reason is shown only in DEBUG.
 */
export function csrfFailure(request: HttpRequest, reason = ''): HttpResponseBase {
  void request;
  return new HttpResponseForbidden(FAILURE_PAGE(reason), { contentType: 'text/html' });
}

type FailureView = (request: HttpRequest, reason: string) => HttpResponseBase | Promise<HttpResponseBase>;

function failureView(): FailureView {
  const name = settings.CSRF_FAILURE_VIEW;
  if (!name || name === 'tsgi.views.csrf.csrfFailure' || name === 'tsgi.middleware.csrf.csrfFailure')
    return csrfFailure;
  if (typeof name === 'function') return name as FailureView;
  return importString(String(name)) as FailureView;
}

function isForm(contentType: string | null): boolean {
  return contentType === 'application/x-www-form-urlencoded' || contentType === 'multipart/form-data';
}

function parseUrl(value: string): { scheme: string; netloc: string } | undefined {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(value);
  if (match) return { scheme: match[1]!.toLowerCase(), netloc: match[2]!.toLowerCase() };
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value);
  return scheme ? { scheme: scheme[1]!.toLowerCase(), netloc: '' } : { scheme: '', netloc: '' };
}

/**
 * `CsrfViewMiddleware`: put it before any middleware that assumes CSRF attacks were dealt with.
 *
 * @example
 * MIDDLEWARE: [..., 'tsgi.middleware.csrf.CsrfViewMiddleware', ...]
 */
export class CsrfViewMiddleware {
  readonly getResponse: GetResponse;
  readonly allowedOriginsExact: Set<string>;
  readonly allowedOriginSubdomains: Map<string, string[]>;
  readonly trustedOriginsHosts: string[];

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
    const trusted = settings.CSRF_TRUSTED_ORIGINS ?? [];
    this.allowedOriginsExact = new Set(trusted.filter((o) => !o.includes('*')));
    this.allowedOriginSubdomains = new Map();
    for (const origin of trusted) {
      if (!origin.includes('*')) continue;
      const parsed = parseUrl(origin)!;
      const list = this.allowedOriginSubdomains.get(parsed.scheme) ?? [];
      list.push(parsed.netloc.replace(/^\*+/, ''));
      this.allowedOriginSubdomains.set(parsed.scheme, list);
    }
    this.trustedOriginsHosts = trusted.map((o) => parseUrl(o)!.netloc.replace(/^\*+/, ''));
  }

  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    if (conf().useSessions) return this.#callWithSession(request);
    this.processRequest(request);
    const response = this.getResponse(request);
    if (response instanceof Promise) return response.then((answer) => this.processResponse(request, answer));
    return this.processResponse(request, response);
  }

  /** With CSRF_USE_SESSIONS the secret is in the session, read before anything else (as Django reads it). */
  async #callWithSession(request: HttpRequest): Promise<HttpResponseBase> {
    if (request.session === undefined) {
      throw new ImproperlyConfigured(
        'CSRF_USE_SESSIONS is enabled, but request.session is not set. SessionMiddleware must appear before ' +
          'CsrfViewMiddleware in MIDDLEWARE.',
      );
    }
    await request.session.load();
    this.processRequest(request);
    return this.processResponse(request, await this.getResponse(request));
  }

  #getSecret(request: HttpRequest): string | undefined {
    const cookie = conf().useSessions ? sessionSecret(request) : request.COOKIES[conf().name];
    if (cookie === undefined) return undefined;
    checkTokenFormat(cookie);
    // A masked token in the cookie (older clients) still carries the secret.
    return cookie.length === CSRF_TOKEN_LENGTH ? unmaskCipherToken(cookie) : cookie;
  }

  processRequest(request: HttpRequest): void {
    let secret: string | undefined;
    try {
      secret = this.#getSecret(request);
    } catch (error) {
      if (!(error instanceof InvalidTokenFormat)) throw error;
      addNewCsrfCookie(request);
      return;
    }
    if (secret !== undefined) request.META.CSRF_COOKIE = secret;
  }

  readonly processView = (
    request: HttpRequest,
    view: unknown,
  ): HttpResponseBase | Promise<HttpResponseBase | undefined> | undefined => {
    const flagged = request as Flagged;
    if (flagged[PROCESSING_DONE]) return undefined;
    if ((view as { csrfExempt?: boolean }).csrfExempt) return undefined;
    const method = request.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'TRACE' || flagged[DONT_ENFORCE]) {
      flagged[PROCESSING_DONE] = true;
      return undefined;
    }
    let pending: Promise<void> | undefined;
    try {
      const origin = request.META.HTTP_ORIGIN;
      if (origin !== undefined) {
        if (!this.#originVerified(request, origin)) throw new RejectRequest(REASON_BAD_ORIGIN(origin));
      } else if (request.isSecure()) {
        this.#checkReferer(request);
      }
      pending = this.#checkToken(request, view);
    } catch (error) {
      if (!(error instanceof RejectRequest)) throw error;
      return this.#reject(request, error.reason);
    }
    if (pending === undefined) {
      flagged[PROCESSING_DONE] = true;
      return undefined;
    }
    return pending.then(
      () => {
        flagged[PROCESSING_DONE] = true;
        return undefined;
      },
      (error: unknown) => {
        if (!(error instanceof RejectRequest)) throw error;
        return this.#reject(request, error.reason);
      },
    );
  };

  #originVerified(request: HttpRequest, origin: string): boolean {
    try {
      const good = `${request.isSecure() ? 'https' : 'http'}://${request.getHost()}`;
      if (origin === good) return true;
    } catch (error) {
      if (!(error instanceof DisallowedHost)) throw error;
    }
    if (this.allowedOriginsExact.has(origin)) return true;
    const parsed = parseUrl(origin);
    if (parsed === undefined) return false;
    return (this.allowedOriginSubdomains.get(parsed.scheme) ?? []).some((host) => isSameDomain(parsed.netloc, host));
  }

  #checkReferer(request: HttpRequest): void {
    const referer = request.META.HTTP_REFERER;
    if (referer === undefined) throw new RejectRequest(REASON_NO_REFERER);
    const parsed = parseUrl(referer);
    if (parsed === undefined || parsed.scheme === '' || parsed.netloc === '')
      throw new RejectRequest(REASON_MALFORMED_REFERER);
    if (parsed.scheme !== 'https') throw new RejectRequest(REASON_INSECURE_REFERER);
    if (this.trustedOriginsHosts.some((host) => isSameDomain(parsed.netloc, host))) return;
    let good = settings.CSRF_COOKIE_DOMAIN;
    if (good === null || good === undefined || good === '') {
      try {
        good = request.getHost();
      } catch (error) {
        if (error instanceof DisallowedHost) throw new RejectRequest(REASON_BAD_REFERER(referer));
        throw error;
      }
    } else {
      const port = request.getPort();
      if (port !== '443' && port !== '80') good = `${good}:${port}`;
    }
    if (!isSameDomain(parsed.netloc, good.toLowerCase())) throw new RejectRequest(REASON_BAD_REFERER(referer));
  }

  /**
   * Checks the token against the cookie's secret: the form's `csrfmiddlewaretoken` of a POST,
   * else the header, as Django. A body not read yet is read for the form's token only when the
   * header carries none (a promise then), and not at all when the view does not answer the
   * method: it answers 405 whatever the token, and reading a forged upload to refuse it would be
   * the attack's whole cost.
   */
  #checkToken(request: HttpRequest, view: unknown): Promise<void> | undefined {
    let secret: string | undefined;
    try {
      secret = this.#getSecret(request);
    } catch (error) {
      if (error instanceof InvalidTokenFormat) throw new RejectRequest(`CSRF cookie ${error.reason}.`);
      throw error;
    }
    if (secret === undefined) throw new RejectRequest(REASON_NO_CSRF_COOKIE);
    const formPost = request.method === 'POST' && isForm(request.contentType);
    if (!formPost || request.bodyLoaded) {
      let token = '';
      if (formPost) {
        try {
          token = request.POST.get('csrfmiddlewaretoken') ?? '';
        } catch (error) {
          // An unreadable body has no token; the header may still carry one.
          if (!(error instanceof UnreadablePostError)) throw error;
        }
      }
      this.#compare(request, token, secret);
      return undefined;
    }
    if (typeof request.META[conf().header] === 'string') {
      this.#compare(request, '', secret);
      return undefined;
    }
    if (!viewAnswersMethod(view, request.method)) return undefined;
    return this.#checkFormToken(request, secret);
  }

  async #checkFormToken(request: HttpRequest, secret: string): Promise<void> {
    let token = '';
    try {
      token = (await request.readFormField('csrfmiddlewaretoken')) ?? '';
    } catch (error) {
      if (!(error instanceof UnreadablePostError)) throw error;
    }
    this.#compare(request, token, secret);
  }

  /** Compares the form's token (or, when empty, the header's) with the secret; throws RejectRequest. */
  #compare(request: HttpRequest, formToken: string, secret: string): void {
    let token = formToken;
    let source = 'POST';
    if (token === '') {
      const headerName = conf().header;
      const header = request.META[headerName];
      if (typeof header !== 'string') throw new RejectRequest(REASON_CSRF_TOKEN_MISSING);
      token = header;
      source = `the '${headerName
        .replace(/^HTTP_/, '')
        .split('_')
        .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
        .join('-')}' HTTP header`;
    }
    try {
      checkTokenFormat(token);
    } catch (error) {
      if (error instanceof InvalidTokenFormat) throw new RejectRequest(`CSRF token from ${source} ${error.reason}.`);
      throw error;
    }
    if (!doesTokenMatch(token, secret)) throw new RejectRequest(`CSRF token from ${source} incorrect.`);
  }

  async #reject(request: HttpRequest, reason: string): Promise<HttpResponseBase> {
    const response = await failureView()(request, reason);
    markLogged(response);
    logger.warning(`Forbidden (${reason}): ${request.path}`, { request, status_code: response.statusCode });
    return response;
  }

  processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (request.META.CSRF_COOKIE_NEEDS_UPDATE && conf().useSessions) {
      if (request.session.get(CSRF_SESSION_KEY) !== request.META.CSRF_COOKIE) {
        request.session.set(CSRF_SESSION_KEY, request.META.CSRF_COOKIE);
      }
      request.META.CSRF_COOKIE_NEEDS_UPDATE = false;
    } else if (request.META.CSRF_COOKIE_NEEDS_UPDATE) {
      response.setCookie(settings.CSRF_COOKIE_NAME, String(request.META.CSRF_COOKIE), {
        maxAge: settings.CSRF_COOKIE_AGE ?? undefined,
        domain: settings.CSRF_COOKIE_DOMAIN ?? undefined,
        path: settings.CSRF_COOKIE_PATH,
        secure: settings.CSRF_COOKIE_SECURE,
        httponly: settings.CSRF_COOKIE_HTTPONLY,
        samesite: settings.CSRF_COOKIE_SAMESITE || undefined,
      });
      cache().patchVaryHeaders(response, ['Cookie']);
      request.META.CSRF_COOKIE_NEEDS_UPDATE = false;
    }
    return response;
  }
}
