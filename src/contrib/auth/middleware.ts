/**
 * `AuthenticationMiddleware`, as Django's: gives each request `request.user`, the session's user
 * or an AnonymousUser, read lazily.
 *
 * The user comes from the session (a store that takes an await) and the database, so it is
 * loaded as the session is: `await request.auser()` reads it once per request (later and
 * concurrent calls share that read) and resolves to it; from then on `request.user` is a plain
 * property. Reading `request.user` before that throws UserNotLoaded with the fix. The decorators
 * (`loginRequired`, `permissionRequired`...), the mixins, the `auth` context processor and
 * `login()`/`logout()` load it themselves. A request that never asks reads nothing: no session
 * read, no query, no `Vary: Cookie`.
 */
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import type { HttpRequest, UserSlot } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type { GetResponse } from '../../middleware/index.ts';
import { getUser } from './login.ts';
import type { RequestUser } from './types.ts';

/** `request.user` was read before `await request.auser()`. */
export class UserNotLoaded extends Error {
  override name = 'UserNotLoaded';
}

const NOT_LOADED =
  'request.user was read before it was loaded. The user comes from the session and the database, which take an await: call `await request.auser()` first in the view (once per request; it returns the user), or wrap the view in loginRequired() or loadUser() from tsgi/contrib/auth.';

/**
 * One request's user: unset until loaded (reading it then throws UserNotLoaded), loaded once by
 * `auser()` (later and concurrent calls share that read), or set (login(), logout(), a test).
 */
class LazyUser implements UserSlot {
  #user: RequestUser | undefined = undefined;
  #loading: Promise<RequestUser> | undefined = undefined;
  readonly #request: HttpRequest;
  readonly #load: (request: HttpRequest) => Promise<object>;

  constructor(request: HttpRequest, load: (request: HttpRequest) => Promise<object>) {
    this.#request = request;
    this.#load = load;
  }

  get(): RequestUser {
    if (this.#user === undefined) throw new UserNotLoaded(NOT_LOADED);
    return this.#user;
  }

  set(user: RequestUser): void {
    this.#user = user;
  }

  load(): Promise<RequestUser> {
    if (this.#user !== undefined) return Promise.resolve(this.#user);
    this.#loading ??= this.#load(this.#request).then(
      (found) => (this.#user ??= found as RequestUser),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }
}

/**
 * Installs `request.user` and `request.auser()` on a request (what the middleware does; for
 * code that builds requests itself, as RequestFactory's users do). `user` is HttpRequest's own
 * accessor, given a per-request slot here: no property is defined on the request but `auser`.
 */
export function installUser(request: HttpRequest, load: (request: HttpRequest) => Promise<object> = getUser): void {
  const slot = new LazyUser(request, load);
  request.setUserSlot(slot);
  request.auser = () => slot.load();
}

/**
 * @example
 * MIDDLEWARE = [
 *   'tsgi.contrib.sessions.middleware.SessionMiddleware',
 *   'tsgi.middleware.csrf.CsrfViewMiddleware',
 *   'tsgi.contrib.auth.middleware.AuthenticationMiddleware',
 * ];
 */
export class AuthenticationMiddleware {
  readonly getResponse: GetResponse;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
  }

  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    if (request.session === undefined) {
      throw new ImproperlyConfigured(
        "The tsgi authentication middleware requires session middleware to be installed. Edit your MIDDLEWARE setting to insert 'tsgi.contrib.sessions.middleware.SessionMiddleware' before 'tsgi.contrib.auth.middleware.AuthenticationMiddleware'.",
      );
    }
    installUser(request);
    return this.getResponse(request);
  }
}
