/**
 * Where auth sends a visitor: to the login page with a `next` to come back to
 * (`redirectToLogin()`, Django's `redirect_to_login`), and back to a `next` only when it is on
 * this site (`safeNextUrl()`): every redirect auth makes after a login, a logout or a password
 * change goes through `urlHasAllowedHostAndScheme`, so `?next=https://evil.example/` is never
 * followed.
 */
import { settings } from '../../conf/index.ts';
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponseRedirect } from '../../http/response.ts';
import { QueryDict } from '../../http/querydict.ts';
import { resolveUrl } from '../../shortcuts.ts';
import { urlHasAllowedHostAndScheme } from '../../utils/http.ts';
import { REDIRECT_FIELD_NAME } from './configured.ts';

/** A URL or a URL pattern name as a URL (Django's `resolve_url`). */
export function resolveLoginUrl(url: string | null | undefined): string {
  const target = url || (settings.LOGIN_URL as string);
  if (!target) {
    throw new ImproperlyConfigured('There is no login URL: set LOGIN_URL, or give loginUrl to the view or decorator.');
  }
  return resolveUrl(target as never);
}

/**
 * A redirect to the login page carrying `next` (as a `next=` query parameter, or the name
 * given; none when `redirectFieldName` is null).
 *
 * @example return redirectToLogin(request.getFullPath());
 */
export function redirectToLogin(
  next: string,
  loginUrl: string | null = null,
  redirectFieldName: string | null = REDIRECT_FIELD_NAME,
): HttpResponseRedirect {
  const resolved = resolveLoginUrl(loginUrl);
  if (!redirectFieldName) return new HttpResponseRedirect(resolved);
  const hashAt = resolved.indexOf('#');
  const fragment = hashAt === -1 ? '' : resolved.slice(hashAt);
  const withoutFragment = hashAt === -1 ? resolved : resolved.slice(0, hashAt);
  const queryAt = withoutFragment.indexOf('?');
  const base = queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const query = new QueryDict(queryAt === -1 ? '' : withoutFragment.slice(queryAt + 1), { mutable: true });
  query.set(redirectFieldName, next);
  return new HttpResponseRedirect(`${base}?${query.urlencode('/')}${fragment}`);
}

/**
 * What `next` to give the login page for this request: the full path when the login page is on
 * the same scheme and host (the usual case), else the absolute URL.
 */
export function nextForLogin(request: HttpRequest, loginUrl: string): string {
  const absolute = request.buildAbsoluteUri();
  let login: URL | undefined;
  try {
    login = new URL(loginUrl);
  } catch {
    // A relative login URL: same scheme and host.
    return request.getFullPath();
  }
  const current = new URL(absolute);
  return login.protocol === current.protocol && login.host === current.host ? request.getFullPath() : absolute;
}

/** The request's own host, and the others a view allows, for checking a `next`. */
export function allowedRedirectHosts(request: HttpRequest, extra: Iterable<string> = []): Set<string> {
  return new Set([request.getHost(), ...extra]);
}

/**
 * `url` when it is safe to redirect to after an auth action (relative, or on an allowed host,
 * and https when the request is), else ''.
 *
 * @example const next = safeNextUrl(request, request.POST.get('next')) || '/';
 */
export function safeNextUrl(
  request: HttpRequest,
  url: string | null | undefined,
  extraAllowedHosts: Iterable<string> = [],
): string {
  if (!url) return '';
  return urlHasAllowedHostAndScheme(url, allowedRedirectHosts(request, extraAllowedHosts), request.isSecure())
    ? url
    : '';
}
