/**
 * Authentication backends, as Django's `django.contrib.auth.backends`: what `authenticate()`
 * asks for a user, and what permission checks ask for permissions. AUTHENTICATION_BACKENDS lists
 * them by dotted path (`tsgi.contrib.auth.backends.ModelBackend` by default).
 *
 * A backend's `authenticate(request, credentials)` returns the user, or null for credentials it
 * does not recognise (the next backend is tried); throwing PermissionDenied stops the search.
 */
import { Q, type QNode, type QuerySet } from '../../db/models/index.ts';
import type { HttpRequest } from '../../http/request.ts';
import { getUserModel, type UserModelClass } from './configured.ts';
import { isActive, Permission } from './models.ts';

/** A user as backends see it. */
type UserLike = object & { pk?: unknown; isAnonymous?: boolean };

/** The credentials given to `authenticate()`: `{ username, password }`, or what a backend reads. */
export type Credentials = Record<string, unknown>;

/** A backend that authenticates no one and grants nothing: subclass it. */
export class BaseBackend {
  async authenticate(_request: HttpRequest | null, _credentials: Credentials): Promise<object | null> {
    return null;
  }

  /** The user of a session's user id (null: none, or not allowed). */
  async getUser(_userId: unknown): Promise<object | null> {
    return null;
  }

  async getUserPermissions(_user: UserLike, _obj: unknown = null): Promise<Set<string>> {
    return new Set();
  }

  async getGroupPermissions(_user: UserLike, _obj: unknown = null): Promise<Set<string>> {
    return new Set();
  }

  async getAllPermissions(user: UserLike, obj: unknown = null): Promise<Set<string>> {
    return new Set([...(await this.getUserPermissions(user, obj)), ...(await this.getGroupPermissions(user, obj))]);
  }

  async hasPerm(user: UserLike, perm: string, obj: unknown = null): Promise<boolean> {
    return (await this.getAllPermissions(user, obj)).has(perm);
  }

  hasModulePerms?(user: UserLike, appLabel: string): Promise<boolean>;
}

/** The permission sets a ModelBackend read for a user, kept on the user for its lifetime (Django's `_perm_cache`). */
const permissionCaches = new WeakMap<object, { user?: Set<string>; group?: Set<string>; all?: Set<string> }>();

/** Forgets the permissions read for `user` (after changing its groups or permissions in the same request). */
export function clearPermissionCache(user: object): void {
  permissionCaches.delete(user);
}

function cacheOf(user: object): { user?: Set<string>; group?: Set<string>; all?: Set<string> } {
  let cache = permissionCaches.get(user);
  if (cache === undefined) permissionCaches.set(user, (cache = {}));
  return cache;
}

/**
 * Authenticates against AUTH_USER_MODEL: the user of the username (USERNAME_FIELD) whose password
 * checks, if active. For an unknown username the default hasher still runs once, so the answer
 * takes as long as for a known one. Permissions come from the user's `userPermissions` and
 * groups (`isSuperuser`: all of them).
 */
export class ModelBackend extends BaseBackend {
  override async authenticate(_request: HttpRequest | null, credentials: Credentials): Promise<object | null> {
    const UserModel = getUserModel<UserModelClass>();
    const username = credentials.username ?? credentials[UserModel.USERNAME_FIELD];
    const password = credentials.password;
    if (username === undefined || username === null || typeof password !== 'string') return null;
    let user: object;
    try {
      user = await UserModel.objects.getByNaturalKey(String(username));
    } catch (error) {
      if (!(error instanceof UserModel.DoesNotExist)) throw error;
      // The same work as for an existing user: the time must not tell which usernames exist.
      await (new UserModel() as { setPassword(raw: string): Promise<void> }).setPassword(password);
      return null;
    }
    const checked = await (user as { checkPassword(raw: string): Promise<boolean> }).checkPassword(password);
    return checked && this.userCanAuthenticate(user) ? user : null;
  }

  /** Refuses users whose `isActive` is false (models without the field are allowed). */
  userCanAuthenticate(user: object): boolean {
    return isActive(user);
  }

  async #permissions(user: UserLike, obj: unknown, kind: 'user' | 'group'): Promise<Set<string>> {
    if (!isActive(user) || user.isAnonymous || obj !== null) return new Set();
    const cache = cacheOf(user);
    const cached = cache[kind];
    if (cached !== undefined) return cached;
    let qs: QuerySet<Permission>;
    if ((user as { isSuperuser?: boolean }).isSuperuser) qs = Permission.objects.all();
    else if (kind === 'user')
      qs = (user as unknown as { userPermissions: { all(): QuerySet<Permission> } }).userPermissions.all();
    else qs = Permission.objects.filter({ group__user: user.pk } as never);
    const rows = (await qs.orderBy().valuesList('contentType__appLabel', 'codename')) as unknown as Array<
      [string, string]
    >;
    const perms = new Set(rows.map(([app, codename]) => `${app}.${codename}`));
    cache[kind] = perms;
    return perms;
  }

  override getUserPermissions(user: UserLike, obj: unknown = null): Promise<Set<string>> {
    return this.#permissions(user, obj, 'user');
  }

  override getGroupPermissions(user: UserLike, obj: unknown = null): Promise<Set<string>> {
    return this.#permissions(user, obj, 'group');
  }

  override async getAllPermissions(user: UserLike, obj: unknown = null): Promise<Set<string>> {
    if (!isActive(user) || user.isAnonymous || obj !== null) return new Set();
    const cache = cacheOf(user);
    return (cache.all ??= await super.getAllPermissions(user, obj));
  }

  override async hasPerm(user: UserLike, perm: string, obj: unknown = null): Promise<boolean> {
    return isActive(user) && (await super.hasPerm(user, perm, obj));
  }

  /** Whether the user has any permission in the app. */
  override async hasModulePerms(user: UserLike, appLabel: string): Promise<boolean> {
    if (!isActive(user)) return false;
    for (const perm of await this.getAllPermissions(user)) {
      if (perm.slice(0, perm.indexOf('.')) === appLabel) return true;
    }
    return false;
  }

  /**
   * The users that have `perm` (directly or through a group), superusers included unless told
   * otherwise, active ones only unless `isActive` is given (null: both).
   */
  withPerm(
    perm: string | Permission,
    options: { isActive?: boolean | null; includeSuperusers?: boolean; obj?: unknown } = {},
  ): QuerySet<object> {
    const UserModel = getUserModel<
      UserModelClass & { objects: { filter(q: unknown): QuerySet<object>; none(): QuerySet<object> } }
    >();
    let permissionQ: QNode;
    if (typeof perm === 'string') {
      const parts = perm.split('.');
      if (parts.length !== 2)
        throw new TypeError('Permission name should be in the form app_label.permission_codename.');
      permissionQ = Q({ codename: parts[1], contentType__appLabel: parts[0] } as never);
    } else if (perm instanceof Permission) {
      permissionQ = Q({ pk: perm.pk } as never);
    } else {
      throw new TypeError('The `perm` argument must be a string or a permission instance.');
    }
    if (options.obj !== undefined && options.obj !== null) return UserModel.objects.none();
    const perms = Permission.objects.filter(permissionQ);
    const direct = UserModel.objects.filter({ userPermissions__in: perms } as never).values('pk' as never);
    const viaGroups = UserModel.objects.filter({ groups__permissions__in: perms } as never).values('pk' as never);
    let userQ: QNode = Q({ pk__in: direct } as never).or(Q({ pk__in: viaGroups } as never));
    if (options.includeSuperusers !== false) userQ = userQ.or(Q({ isSuperuser: true } as never));
    const active = options.isActive === undefined ? true : options.isActive;
    if (active !== null) userQ = userQ.and(Q({ isActive: active } as never));
    return UserModel.objects.filter(userQ);
  }

  /** The user of a session's id, if it can still authenticate. */
  override async getUser(userId: unknown): Promise<object | null> {
    const UserModel = getUserModel<UserModelClass>();
    try {
      const user = await UserModel.objects.get({ pk: userId });
      return this.userCanAuthenticate(user) ? user : null;
    } catch (error) {
      if (error instanceof UserModel.DoesNotExist) return null;
      throw error;
    }
  }
}

/** ModelBackend that lets inactive users log in too (they still have no permissions). */
export class AllowAllUsersModelBackend extends ModelBackend {
  override userCanAuthenticate(_user: object): boolean {
    return true;
  }
}

/**
 * For sites where the web server authenticates (`REMOTE_USER`): `authenticate(request,
 * { remoteUser })` returns that user, creating it unless `createUnknownUser` is false.
 */
export class RemoteUserBackend extends ModelBackend {
  createUnknownUser = true;

  override async authenticate(request: HttpRequest | null, credentials: Credentials): Promise<object | null> {
    const remoteUser = credentials.remoteUser;
    if (typeof remoteUser !== 'string' || remoteUser === '') return null;
    const UserModel = getUserModel<
      UserModelClass & { objects: { getOrCreate(lookups: object): Promise<[object, boolean]> } }
    >();
    const username = this.cleanUsername(remoteUser);
    let user: object | null = null;
    if (this.createUnknownUser) {
      const [found, created] = await UserModel.objects.getOrCreate({ [UserModel.USERNAME_FIELD]: username });
      user = created ? await this.configureUser(request, found) : found;
    } else {
      try {
        user = await UserModel.objects.getByNaturalKey(username);
      } catch (error) {
        if (!(error instanceof UserModel.DoesNotExist)) throw error;
      }
    }
    return user !== null && this.userCanAuthenticate(user) ? user : null;
  }

  /** The username to look up for a REMOTE_USER value (unchanged by default). */
  cleanUsername(username: string): string {
    return username;
  }

  /** Called with a user just created: set fields from the directory, then save. */
  async configureUser(_request: HttpRequest | null, user: object): Promise<object> {
    return user;
  }
}

/** RemoteUserBackend that lets inactive users in. */
export class AllowAllUsersRemoteUserBackend extends RemoteUserBackend {
  override userCanAuthenticate(_user: object): boolean {
    return true;
  }
}
