/**
 * `tsgi/contrib/auth`: users, passwords, logging in and out, permissions, as Django's
 * `django.contrib.auth` (docs/auth.md). Add `'tsgi.contrib.contenttypes'` and
 * `'tsgi.contrib.auth'` to INSTALLED_APPS and
 * `'tsgi.contrib.auth.middleware.AuthenticationMiddleware'` to MIDDLEWARE (after
 * SessionMiddleware); views then have `request.user` after `await request.auser()`.
 *
 * @example
 * import { authenticate, login, loginRequired } from 'tsgi/contrib/auth';
 *
 * export async function signIn(request: HttpRequest) {
 *   const user = await authenticate(request, { username: request.POST.get('username'), password: request.POST.get('password') });
 *   if (user === null) return render(request, 'login.html', { failed: true });
 *   await login(request, user);
 *   return redirect('home');
 * }
 * export const profile = loginRequired((request: HttpRequest) => new HttpResponse(`Hello ${request.user}`));
 */
export {
  authenticate,
  login,
  logout,
  getUser,
  updateSessionAuthHash,
  getPermissionCodename,
  cleanCredentials,
} from './login.ts';
export {
  getUserModel,
  getBackends,
  loadBackend,
  SESSION_KEY,
  BACKEND_SESSION_KEY,
  HASH_SESSION_KEY,
  REDIRECT_FIELD_NAME,
} from './configured.ts';
export type { UserModelClass } from './configured.ts';
export { userLoggedIn, userLoggedOut, userLoginFailed } from './signals.ts';
export { loginRequired, permissionRequired, userPassesTest, loadUser } from './decorators.ts';
export type { AccessOptions } from './decorators.ts';
export { AccessMixin, LoginRequiredMixin, PermissionRequiredMixin, UserPassesTestMixin } from './mixins.ts';
export { redirectToLogin, safeNextUrl } from './redirects.ts';
export { UserNotLoaded, installUser } from './middleware.ts';
export type { Register, AuthUser, RequestUser } from './types.ts';
