/**
 * View decorators, as Django's `django.contrib.auth.decorators`: `loginRequired`,
 * `permissionRequired` and `userPassesTest`. Each loads `request.user` first (`await
 * request.auser()`), so the view may read `request.user` directly.
 */
import { ImproperlyConfigured, PermissionDenied } from '../../core/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { wrapsView } from '../../utils/decorators.ts';
import { REDIRECT_FIELD_NAME } from './configured.ts';
import { nextForLogin, redirectToLogin, resolveLoginUrl } from './redirects.ts';
import type { RequestUser } from './types.ts';

type View<A extends unknown[]> = (request: HttpRequest, ...rest: A) => HttpResponseBase | Promise<HttpResponseBase>;
type Wrapped<A extends unknown[]> = (request: HttpRequest, ...rest: A) => Promise<HttpResponseBase>;

/** Where to send a visitor who fails the test. */
export interface AccessOptions {
  /** The login page (a URL or a pattern name); LOGIN_URL by default. */
  loginUrl?: string | null;
  /** The query parameter carrying the page to come back to (`next`); null for none. */
  redirectFieldName?: string | null;
}

/** The request's user, loaded; ImproperlyConfigured when AuthenticationMiddleware is missing. */
export async function requestUser(request: HttpRequest, viewName: string): Promise<RequestUser> {
  if (typeof request.auser !== 'function') {
    throw new ImproperlyConfigured(
      `The view ${viewName || '(anonymous)'} needs request.user, but it is not set: add ` +
        "'tsgi.contrib.auth.middleware.AuthenticationMiddleware' to MIDDLEWARE (after SessionMiddleware).",
    );
  }
  return request.auser();
}

/**
 * Runs the view when `test(user)` is true; otherwise redirects to the login page with `next`
 * set to this page. The test may be async.
 *
 * @example
 * export const staffOnly = userPassesTest((user) => user.isStaff)(dashboard);
 */
export function userPassesTest(
  test: (user: RequestUser) => boolean | Promise<boolean>,
  options: AccessOptions = {},
): <A extends unknown[]>(view: View<A>) => Wrapped<A> {
  return <A extends unknown[]>(view: View<A>) => {
    const wrapper = async function (this: unknown, request: HttpRequest, ...rest: A): Promise<HttpResponseBase> {
      const user = await requestUser(request, view.name);
      if (await test(user)) return view.apply(this, [request, ...rest]);
      const loginUrl = resolveLoginUrl(options.loginUrl);
      const redirectFieldName =
        options.redirectFieldName === undefined ? REDIRECT_FIELD_NAME : options.redirectFieldName;
      return redirectToLogin(nextForLogin(request, loginUrl), loginUrl, redirectFieldName);
    };
    return wrapsView(wrapper, view as (...a: never[]) => unknown);
  };
}

/**
 * Runs the view for logged-in users; redirects others to the login page (with `next`).
 *
 * @example
 * export const profile = loginRequired(async (request: HttpRequest) => render(request, 'profile.html'));
 * export const orders = loginRequired({ loginUrl: 'shop:login' })(ordersView);
 */
export function loginRequired<A extends unknown[]>(view: View<A>): Wrapped<A>;
export function loginRequired(options: AccessOptions): <A extends unknown[]>(view: View<A>) => Wrapped<A>;
export function loginRequired<A extends unknown[]>(
  viewOrOptions: View<A> | AccessOptions,
): Wrapped<A> | (<B extends unknown[]>(view: View<B>) => Wrapped<B>) {
  if (typeof viewOrOptions === 'function') return userPassesTest((user) => user.isAuthenticated)(viewOrOptions);
  return userPassesTest((user) => user.isAuthenticated, viewOrOptions);
}

/**
 * Runs the view for users with the permission (or all the permissions of a list); others go to
 * the login page, or get 403 with `raiseException` (for logged-in users, a redirect to the login
 * page would loop).
 *
 * @example
 * export const edit = permissionRequired('blog.change_post', { raiseException: true })(editView);
 */
export function permissionRequired(
  perm: string | readonly string[],
  options: AccessOptions & { raiseException?: boolean } = {},
): <A extends unknown[]>(view: View<A>) => Wrapped<A> {
  const perms = typeof perm === 'string' ? [perm] : perm;
  return userPassesTest(async (user) => {
    if (await user.hasPerms(perms)) return true;
    if (options.raiseException) throw new PermissionDenied();
    return false;
  }, options);
}

/**
 * Loads `request.user` before a view, for views that read it synchronously (as `loadSession()`
 * does for the session).
 *
 * @example export const home = loadUser((request: HttpRequest) => new HttpResponse(`Hello ${request.user}`));
 */
export function loadUser<A extends unknown[]>(view: View<A>): Wrapped<A> {
  const wrapper = async function (this: unknown, request: HttpRequest, ...rest: A): Promise<HttpResponseBase> {
    await requestUser(request, view.name);
    return view.apply(this, [request, ...rest]);
  };
  return wrapsView(wrapper, view as (...a: never[]) => unknown);
}
