/**
 * Logging in and out, as Django's `django.contrib.auth` functions: `authenticate()` asks the
 * backends, `login()` keeps the user in the session (a new session key and a new CSRF token,
 * against fixation), `logout()` ends the session, `getUser()` finds the session's user again
 * and refuses it when its password changed since (the session's hash no longer matches).
 *
 * The session lives in a store that takes an await to read (docs/sessions.md), so these are
 * promises.
 */
import { settings } from '../../conf/index.ts';
import { PermissionDenied } from '../../core/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import { rotateToken } from '../../middleware/csrf.ts';
import { constantTimeCompare } from '../../utils/crypto.ts';
import type { Credentials } from './backends.ts';
import {
  BACKEND_SESSION_KEY,
  backendPath,
  getBackendsWithPaths,
  getUserModelOptions,
  HASH_SESSION_KEY,
  loadBackend,
  SESSION_KEY,
} from './configured.ts';
import { AnonymousUser } from './models.ts';
import { userLoggedIn, userLoggedOut, userLoginFailed } from './signals.ts';

/** What auth needs of a logged-in user. */
interface SessionUser {
  pk: unknown;
  getSessionAuthHash?(): string;
  verifySessionAuthHash?(hash: unknown): boolean;
  isAuthenticated?: boolean;
}

const SENSITIVE = /api|token|key|secret|password|signature/i;
const CLEANSED = '********************';

/** The credentials with every secret-looking value masked, for the userLoginFailed signal. */
export function cleanCredentials(credentials: Credentials): Credentials {
  return Object.fromEntries(
    Object.entries(credentials).map(([key, value]) => [key, SENSITIVE.test(key) ? CLEANSED : value]),
  );
}

/** The user whose credentials are these, tried on each backend in turn; null (and userLoginFailed) when none. */
export async function authenticate(
  request: HttpRequest | null,
  credentials: Credentials,
): Promise<(object & { backend?: string }) | null> {
  for (const { path, backend } of getBackendsWithPaths()) {
    let user: object | null;
    try {
      user = await backend.authenticate(request, credentials);
    } catch (error) {
      // The backend says this user must not get in at all: no other backend is asked.
      if (error instanceof PermissionDenied) break;
      throw error;
    }
    if (user === null || user === undefined) continue;
    // The backend that said yes, so that later requests ask it again (getUser()).
    (user as { backend?: string }).backend = path;
    return user;
  }
  await userLoginFailed.sendAsync('tsgi.contrib.auth', { credentials: cleanCredentials(credentials), request });
  return null;
}

/** The session's user id, as the user model's primary key value. */
function sessionUserId(request: HttpRequest): unknown {
  const raw = request.session.get(SESSION_KEY);
  return raw === undefined ? undefined : getUserModelOptions().pk.toJs(raw);
}

/** Whether the request's object has the `user` accessor of AuthenticationMiddleware. */
function hasUserAccessor(request: HttpRequest): boolean {
  return 'auser' in request;
}

/**
 * Keeps `user` logged in for this session: a new session key (the old one, which someone may
 * have planted, stops working), the user's id, backend and password hash in the session, a new
 * CSRF token, `request.user` set, and userLoggedIn sent. Data of the anonymous session is kept,
 * unless the session belonged to another user (then it is emptied).
 *
 * @example
 * const user = await authenticate(request, { username, password });
 * if (user) { await login(request, user); return redirect('home'); }
 */
export async function login(request: HttpRequest, user: object, backend?: string): Promise<void> {
  const session = await request.session.load();
  const current = user as SessionUser;
  const hash = current.getSessionAuthHash?.() ?? '';
  if (session.has(SESSION_KEY)) {
    const sameUser =
      sessionUserId(request) === current.pk &&
      (hash === '' || constantTimeCompare(String(session.get(HASH_SESSION_KEY, '')), hash));
    // Another user's session is never reused; the same user's gets a new key all the same
    // (Django keeps it: a new key costs nothing and makes "the key changes at login" a rule).
    if (sameUser) await session.cycleKey();
    else await session.flush();
  } else {
    await session.cycleKey();
  }
  let path = backend ?? (user as { backend?: string }).backend;
  if (path === undefined) {
    const all = getBackendsWithPaths();
    if (all.length !== 1) {
      throw new TypeError(
        'You have multiple authentication backends configured and therefore must provide the `backend` argument or set the `backend` attribute on the user.',
      );
    }
    path = all[0]!.path;
  } else if (typeof path !== 'string') {
    throw new TypeError(`backend must be a dotted import path string (got ${String(path)}).`);
  }
  session.set(SESSION_KEY, String(current.pk));
  session.set(BACKEND_SESSION_KEY, path);
  session.set(HASH_SESSION_KEY, hash);
  if (hasUserAccessor(request)) request.user = user as never;
  rotateToken(request);
  await userLoggedIn.sendAsync(user.constructor, { request, user });
}

/**
 * Ends the session: userLoggedOut is sent (with the user, while it is still known), the stored
 * session is deleted with its cookie, and `request.user` becomes an AnonymousUser.
 */
export async function logout(request: HttpRequest): Promise<void> {
  let user: object | null = hasUserAccessor(request) ? await request.auser() : null;
  if ((user as SessionUser | null)?.isAuthenticated === false) user = null;
  await userLoggedOut.sendAsync(user?.constructor, { request, user });
  await request.session.flush();
  if (hasUserAccessor(request)) request.user = new AnonymousUser() as never;
}

/**
 * The session's user, or an AnonymousUser: the backend that logged the user in gets them again,
 * and the session's password hash must still match (a password changed since, in another
 * session, ends this one: it is flushed).
 */
export async function getUser(request: HttpRequest): Promise<object> {
  const session = await request.session.load();
  const userId = sessionUserId(request);
  const path = session.get<string>(BACKEND_SESSION_KEY);
  if (userId === undefined || path === undefined) return new AnonymousUser();
  const allowed = (settings.AUTHENTICATION_BACKENDS as readonly string[]).some(
    (entry) => entry === path || backendPath(entry) === backendPath(path),
  );
  if (!allowed) return new AnonymousUser();
  const user = (await loadBackend(path).getUser(userId)) as SessionUser | null;
  if (user === null) return new AnonymousUser();
  if (typeof user.verifySessionAuthHash === 'function' && !user.verifySessionAuthHash(session.get(HASH_SESSION_KEY))) {
    await session.flush();
    return new AnonymousUser();
  }
  return user;
}

/**
 * After a user changed their own password: keeps this session logged in (with the new hash and
 * a new key) while the user's other sessions end at their next request.
 *
 * @example
 * await user.setPassword(newPassword); await user.save();
 * await updateSessionAuthHash(request, user);
 */
export async function updateSessionAuthHash(request: HttpRequest, user: object): Promise<void> {
  const session = await request.session.load();
  await session.cycleKey();
  const current = user as SessionUser;
  const requestUser = hasUserAccessor(request) ? ((await request.auser()) as SessionUser) : null;
  if (typeof current.getSessionAuthHash === 'function' && requestUser?.pk === current.pk && current.pk !== null) {
    session.set(HASH_SESSION_KEY, current.getSessionAuthHash());
  }
}

/** `'<action>_<model name>'`: the codename of a default permission (`change_post`). */
export function getPermissionCodename(action: string, meta: { modelName: string }): string {
  return `${action}_${meta.modelName}`;
}
