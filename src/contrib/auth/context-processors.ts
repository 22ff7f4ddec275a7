/**
 * The `auth` context processor, as Django's: templates get `user` and `perms`.
 *
 * Both are read when a template uses them, not before (a page that shows neither reads no
 * session and runs no query): `user` is the request's user (loaded, or loaded by the template's
 * first `{{ user }}`), and `perms` answers `{% if perms.blog %}` (any permission in the app),
 * `{% if perms.blog.change_post %}` (`user.hasPerm()`, as in Django) and
 * `{% if 'blog.change_post' in perms %}` (among `user.getAllPermissions()`, which is the same
 * answer with ModelBackend; for an active superuser, every permission that exists).
 */
import type { HttpRequest } from '../../http/request.ts';
import { AnonymousUser } from './models.ts';
import type { RequestUser } from './types.ts';

type PermUser = Pick<RequestUser, 'hasPerm' | 'hasModulePerms' | 'getAllPermissions'>;

/** A value that is loaded when the template first awaits it (and only then). */
class Lazy<T> implements PromiseLike<T> {
  readonly #load: () => Promise<T>;
  #promise: Promise<T> | undefined;

  constructor(load: () => Promise<T>) {
    this.#load = load;
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#promise ??= this.#load();
    return this.#promise.then(onFulfilled, onRejected);
  }
}

/** A member of the object behind a Proxy, its methods bound to it (they read private fields). */
function own(target: object, property: string | symbol): unknown {
  const value: unknown = Reflect.get(target, property, target);
  return typeof value === 'function' ? value.bind(target) : value;
}

/**
 * `perms.<app>`: true-ish when the user has any permission in the app; `.codename` is
 * `user.hasPerm('<app>.<codename>')`; `'codename' in perms.app` looks among the user's
 * permissions.
 */
export class PermLookupDict {
  readonly user: PermUser;
  readonly appLabel: string;
  /** 1 when the user has a permission in the app, else 0: the template's truth of `{% if perms.app %}`. */
  readonly length: number;
  readonly #all: ReadonlySet<string>;

  constructor(user: PermUser, appLabel: string, hasModulePerms: boolean, all: ReadonlySet<string>) {
    this.user = user;
    this.appLabel = appLabel;
    this.length = hasModulePerms ? 1 : 0;
    this.#all = all;
    return new Proxy(this, {
      get(target, property) {
        if (typeof property === 'symbol' || property in target) return own(target, property);
        if (property === 'then') return undefined;
        return target.user.hasPerm(`${target.appLabel}.${property}`);
      },
    });
  }

  *[Symbol.iterator](): Iterator<string> {
    const prefix = `${this.appLabel}.`;
    for (const perm of this.#all) if (perm.startsWith(prefix)) yield perm.slice(prefix.length);
  }

  toString(): string {
    return `{${[...this.#all].map((p) => `'${p}'`).join(', ')}}`;
  }
}

/** `perms`: `perms.<app>` is a PermLookupDict; iterating gives the user's permissions and their apps (for `in`). */
export class PermWrapper {
  readonly user: PermUser;
  readonly #all: ReadonlySet<string>;

  constructor(user: PermUser, all: ReadonlySet<string>) {
    this.user = user;
    this.#all = all;
    return new Proxy(this, {
      get(target, property) {
        if (typeof property === 'symbol' || property in target) return own(target, property);
        if (property === 'then') return undefined;
        return target.lookup(property);
      },
    });
  }

  /** The PermLookupDict of an app (a promise: whether the user has any permission in it is read first). */
  async lookup(appLabel: string): Promise<PermLookupDict> {
    return new PermLookupDict(this.user, appLabel, await this.user.hasModulePerms(appLabel), this.#all);
  }

  *[Symbol.iterator](): Iterator<string> {
    const apps = new Set<string>();
    for (const perm of this.#all) {
      apps.add(perm.slice(0, perm.indexOf('.')));
      yield perm;
    }
    yield* apps;
  }
}

/** The `perms` of a user, loaded when first used. */
export function permsOf(user: () => Promise<PermUser>): PromiseLike<PermWrapper> {
  return new Lazy(async () => {
    const loaded = await user();
    return new PermWrapper(loaded, await loaded.getAllPermissions());
  });
}

/**
 * @example
 * TEMPLATES = [{ ..., OPTIONS: { contextProcessors: ['tsgi.contrib.auth.context-processors.auth', ...] } }];
 */
export function auth(req: object): Record<string, unknown> {
  const request = req as HttpRequest;
  if (typeof request.auser !== 'function') {
    const anonymous = new AnonymousUser();
    return { user: anonymous, perms: permsOf(async () => anonymous) };
  }
  let user: unknown;
  try {
    user = request.user;
  } catch {
    user = new Lazy(() => request.auser());
  }
  return { user, perms: permsOf(() => request.auser()) };
}
