/**
 * `SessionMiddleware`, as Django's: gives each request `request.session` (the SESSION_ENGINE's
 * SessionStore for the session cookie's key) and, after the view, saves a session that changed
 * and sets (or deletes) its cookie with the SESSION_COOKIE_* flags.
 *
 * Making `request.session` reads nothing: the store is read when the view (or a middleware)
 * calls `await request.session.load()`, so a request that never uses its session costs no store
 * access and gets no cookie, and the response varies on Cookie only when the session was read.
 *
 * A store that cannot be reached (Redis down, a full disk) answers 503 Service Unavailable with
 * Retry-After, whether the view's load or the final save failed, and logs the cause: the view's
 * response is not sent (it would claim a change that was not saved) and no cookie is set.
 */
import { fromSettings, settings } from '../../conf/index.ts';
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import { patchVaryHeaders } from '../../http/cache.ts';
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponse, type HttpResponseBase } from '../../http/response.ts';
import type { GetResponse } from '../../middleware/index.ts';
import { escape } from '../../utils/html.ts';
import { httpDate } from '../../utils/http.ts';
import { getLogger, markLogged } from '../../utils/log.ts';
import { importModule } from '../../utils/module-loading.ts';
import { SessionInterrupted, SessionStoreUnavailable, UpdateError } from './exceptions.ts';
import type { SessionBase } from './backends/base.ts';

const logger = getLogger('tsgi.contrib.sessions');

/** A SESSION_ENGINE module's SessionStore class. */
export type SessionStoreClass = (new (sessionKey?: string | null) => SessionBase) & {
  clearExpired?: () => Promise<void>;
  /** Gets the store ready at start-up (the cache engine makes its cache). */
  prepare?: () => void;
};

/** The engine module of a SESSION_ENGINE value; Django's names work too (`django.contrib.sessions.backends.signed_cookies`). */
export function sessionEngine(engine: string = settings.SESSION_ENGINE): SessionStoreClass {
  // Django's module names (`signed_cookies`, `cached_db`) name tsgi's files (`signed-cookies`, `cached-db`).
  const builtin = /^(?:django|tsgi)\.contrib\.sessions\.backends\.([\w-]+)$/.exec(engine);
  const name = builtin ? 'tsgi.contrib.sessions.backends.' + builtin[1]!.replace(/_/g, '-') : engine;
  let module: Record<string, unknown>;
  try {
    module = importModule(name);
  } catch (error) {
    throw new ImproperlyConfigured(
      `SESSION_ENGINE '${engine}' cannot be loaded: ${(error as Error).message} ` +
        "Use 'tsgi.contrib.sessions.backends.db', '...cached_db', '...cache', '...file' or '...signed_cookies'.",
      { cause: error },
    );
  }
  if (typeof module.SessionStore !== 'function') {
    throw new ImproperlyConfigured(`SESSION_ENGINE '${engine}' has no SessionStore class: export one from it.`);
  }
  return module.SessionStore as SessionStoreClass;
}

// The cookie settings, read once per settings change: the response phase runs on every request.
const conf = fromSettings(() => ({
  name: settings.SESSION_COOKIE_NAME,
  path: settings.SESSION_COOKIE_PATH,
  domain: settings.SESSION_COOKIE_DOMAIN,
  secure: Boolean(settings.SESSION_COOKIE_SECURE),
  httponly: Boolean(settings.SESSION_COOKIE_HTTPONLY),
  samesite: settings.SESSION_COOKIE_SAMESITE || null,
  saveEveryRequest: Boolean(settings.SESSION_SAVE_EVERY_REQUEST),
}));

const UNAVAILABLE_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <title>503 Service Unavailable</title>\n</head>\n' +
  '<body>\n  <h1>Service Unavailable (503)</h1>\n  <p>The site cannot reach its session store right now. Nothing was ' +
  'saved. Please try again in a moment.</p>\n</body>\n</html>\n';

/**
 * The 503 for a store that cannot be reached, logged with its cause. With DEBUG on, the page
 * says the cause too (a developer's first request often meets a session table that `migrate`
 * has not made yet: the message names the command).
 */
export function sessionStoreUnavailableResponse(request: HttpRequest, error: unknown): HttpResponse {
  const page = settings.DEBUG
    ? UNAVAILABLE_PAGE.replace('</body>', `  <pre>${escape((error as Error).message)}</pre>\n</body>`)
    : UNAVAILABLE_PAGE;
  const response = new HttpResponse(page, { status: 503 });
  response.set('Retry-After', '5');
  response.set('Cache-Control', 'no-store');
  markLogged(response);
  // One line, no stack: the cause is an outage (the cache reports it), not a bug to trace.
  logger.error(`Service Unavailable: ${request.path}: ${(error as Error).message}`, { request, status_code: 503 });
  return response;
}

/**
 * @example
 * MIDDLEWARE = [
 *   'tsgi.middleware.security.SecurityMiddleware',
 *   'tsgi.contrib.sessions.middleware.SessionMiddleware',
 *   'tsgi.middleware.common.CommonMiddleware',
 *   'tsgi.middleware.csrf.CsrfViewMiddleware',
 *   'tsgi.contrib.messages.middleware.MessageMiddleware',
 * ];
 */
export class SessionMiddleware {
  readonly getResponse: GetResponse;
  readonly SessionStore: SessionStoreClass;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
    this.SessionStore = sessionEngine();
    this.SessionStore.prepare?.();
  }

  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    request.session = new this.SessionStore(request.COOKIES[conf().name] ?? null);
    const response = this.getResponse(request);
    if (response instanceof Promise) return response.then((answer) => this.processResponse(request, answer));
    return this.processResponse(request, response);
  }

  /** A view that failed because the store is away answers 503, not 500. */
  processException(request: HttpRequest, error: unknown): HttpResponseBase | undefined {
    if (error instanceof SessionStoreUnavailable) return sessionStoreUnavailableResponse(request, error);
    return undefined;
  }

  /**
   * Saves the session if it changed (or on every request with SESSION_SAVE_EVERY_REQUEST) and
   * sets its cookie; deletes the cookie of a session emptied by flush(). Synchronous (no
   * promise) when there is nothing to save: the common case.
   */
  processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase | Promise<HttpResponseBase> {
    const session = request.session as SessionBase | undefined;
    if (session === undefined) return response;
    const cookie = conf();
    const empty = session.isEmpty();
    if (empty && request.COOKIES[cookie.name] !== undefined) {
      response.deleteCookie(cookie.name, { path: cookie.path, domain: cookie.domain, samesite: cookie.samesite });
      patchVaryHeaders(response, ['Cookie']);
      return response;
    }
    if (session.accessed) patchVaryHeaders(response, ['Cookie']);
    if (empty || !(session.modified || cookie.saveEveryRequest)) return response;
    // Skip the save for a 500, as Django (refs #3881): the view may have failed half-way.
    if (response.statusCode === 500) return response;
    return this.#save(request, session, response);
  }

  async #save(request: HttpRequest, session: SessionBase, response: HttpResponseBase): Promise<HttpResponseBase> {
    const cookie = conf();
    try {
      if (!session.loaded) await session.load();
      if (session.isEmpty()) {
        // SESSION_SAVE_EVERY_REQUEST with a cookie the store does not know: drop the cookie.
        response.deleteCookie(cookie.name, { path: cookie.path, domain: cookie.domain, samesite: cookie.samesite });
        patchVaryHeaders(response, ['Cookie']);
        return response;
      }
      await session.save();
    } catch (error) {
      if (error instanceof UpdateError) {
        throw new SessionInterrupted(
          "The request's session was deleted before the request completed. The user may have logged out in a " +
            'concurrent request, for example.',
        );
      }
      if (!(error instanceof SessionStoreUnavailable)) throw error;
      await response.close().catch(() => {});
      return sessionStoreUnavailableResponse(request, error);
    }
    let maxAge: number | undefined;
    let expires: string | undefined;
    if (!session.getExpireAtBrowserClose()) {
      maxAge = session.getExpiryAge();
      expires = httpDate(Date.now() + maxAge * 1000);
    }
    response.setCookie(cookie.name, session.sessionKey ?? '', {
      maxAge,
      expires,
      domain: cookie.domain,
      path: cookie.path,
      secure: cookie.secure,
      httponly: cookie.httponly,
      samesite: cookie.samesite,
    });
    if (session.accessed) patchVaryHeaders(response, ['Cookie']);
    return response;
  }
}
