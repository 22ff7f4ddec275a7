/**
 * The auth models, as Django's `django.contrib.auth.models`, in Django's tables and columns
 * (`auth_user`, `auth_group`, `auth_permission`, `auth_user_groups`, ...), so a database made
 * by Django is read as it is: `Permission`, `Group`, `PermissionsMixin`, `AbstractUser`,
 * `User` (swappable: AUTH_USER_MODEL), `AnonymousUser`, and their managers.
 *
 * Attributes are camelCased (`isStaff`, `firstName`, `dateJoined`); their columns keep Django's
 * names. Permission checks read the database, so they are promises:
 * `await user.hasPerm('blog.change_post')`; a user's permissions are read once and kept on it.
 */
import {
  CASCADE,
  BooleanField,
  CharField,
  DateTimeField,
  EmailField,
  ForeignKey,
  Manager,
  ManyToManyField,
  Model,
  type ManyToManyOptions,
  type Options,
} from '../../db/models/index.ts';
import { PermissionDenied } from '../../core/exceptions.ts';
import { now } from '../../utils/timezone.ts';
import { ContentType } from '../contenttypes/models.ts';
import { AbstractBaseUser, BaseUserManager } from './base-user.ts';
import { getBackends, getBackendsWithPaths, loadBackend } from './configured.ts';
import type { BaseBackend } from './backends.ts';
import { makePassword } from './hashers.ts';
import { unicodeUsernameValidator } from './validators.ts';

/** `Permission.objects`: lookups by natural key (`codename`, app label, model). */
export class PermissionManager extends Manager<Permission> {
  async getByNaturalKey(codename: string, appLabel: string, model: string): Promise<Permission> {
    const contentType = await ContentType.objects.getByNaturalKey(appLabel, model);
    return this.get({ codename, contentType });
  }
}

/**
 * A permission: a `codename` on a model (its content type), with a human `name`. Every model
 * gets `add`, `change`, `delete` and `view` permissions after `migrate` (see
 * createPermissions()); a model's `permissions` meta option adds its own.
 */
export class Permission extends Model.define(
  {
    name: new CharField({ maxLength: 255, verboseName: 'name' }),
    contentType: new ForeignKey(() => ContentType, {
      onDelete: CASCADE,
      dbColumn: 'content_type_id',
      verboseName: 'content type',
    }),
    codename: new CharField({ maxLength: 100, verboseName: 'codename' }),
  },
  {
    appLabel: 'auth',
    verboseName: 'permission',
    verboseNamePlural: 'permissions',
    uniqueTogether: [['contentType', 'codename']],
    ordering: ['contentType__appLabel', 'contentType__model', 'codename'],
  },
) {
  static override objects: PermissionManager = new PermissionManager(this);

  /** `'blog | post | Can change post'`, as Django prints it (the content type once loaded). */
  override toString(): string {
    const ct = this.contentType;
    return ct instanceof ContentType ? `${ct.toString()} | ${this.name}` : this.name;
  }

  /** `[codename, appLabel, model]` (the content type must be loaded). */
  async naturalKey(): Promise<[string, string, string]> {
    const ct = await this.contentType;
    return [this.codename, ...ct.naturalKey()];
  }
}

/** `Group.objects`: lookup by name. */
export class GroupManager extends Manager<Group> {
  getByNaturalKey(name: string): Promise<Group> {
    return this.get({ name });
  }
}

/** A group of users: its permissions are each member's. */
export class Group extends Model.define(
  {
    name: new CharField({ maxLength: 150, unique: true, verboseName: 'name' }),
    permissions: new ManyToManyField(() => Permission, { blank: true, verboseName: 'permissions' }),
  },
  { appLabel: 'auth', verboseName: 'group', verboseNamePlural: 'groups' },
) {
  static override objects: GroupManager = new GroupManager(this);

  override toString(): string {
    return this.name;
  }

  naturalKey(): [string] {
    return [this.name];
  }
}

/**
 * A many-to-many relation of a user model whose table is named as Django names it
 * (`<user table>_user_permissions`, where tsgi would write the attribute's camelCase).
 */
class UserRelationField<M> extends ManyToManyField<M> {
  /** A migration holds a ManyToManyField with its `dbTable` (this class is not exported). */
  static deconstructAs = ManyToManyField;
  readonly #declared: ManyToManyOptions;
  readonly #suffix: string;

  constructor(to: () => M, options: ManyToManyOptions, suffix: string) {
    super(to, { ...options });
    this.#declared = options;
    this.#suffix = suffix;
  }

  override clone(): this {
    return new UserRelationField(this.to as () => M, this.#declared, this.#suffix) as this;
  }

  override contribute(model: Options, name: string): void {
    super.contribute(model, name);
    (this.options as { dbTable?: string }).dbTable ??= `${model.dbTable}_${this.#suffix}`;
  }
}

/** The backends' answers for one kind of permission (`user`, `group`, `all`). */
async function backendPermissions(user: object, obj: unknown, kind: 'User' | 'Group' | 'All'): Promise<Set<string>> {
  const out = new Set<string>();
  for (const backend of getBackends()) {
    const method = (backend as unknown as Record<string, unknown>)[`get${kind}Permissions`];
    if (typeof method !== 'function') continue;
    for (const perm of (await method.call(backend, user, obj)) as Iterable<string>) out.add(perm);
  }
  return out;
}

/** Whether a backend grants `perm`; a backend throwing PermissionDenied refuses it outright. */
async function backendHasPerm(user: object, perm: string, obj: unknown): Promise<boolean> {
  for (const backend of getBackends()) {
    if (typeof backend.hasPerm !== 'function') continue;
    try {
      if (await backend.hasPerm(user, perm, obj)) return true;
    } catch (error) {
      if (error instanceof PermissionDenied) return false;
      throw error;
    }
  }
  return false;
}

async function backendHasModulePerms(user: object, appLabel: string): Promise<boolean> {
  for (const backend of getBackends()) {
    if (typeof backend.hasModulePerms !== 'function') continue;
    try {
      if (await backend.hasModulePerms(user, appLabel)) return true;
    } catch (error) {
      if (error instanceof PermissionDenied) return false;
      throw error;
    }
  }
  return false;
}

/**
 * AbstractBaseUser with groups, direct permissions and `isSuperuser`: Django's
 * `PermissionsMixin`. Define a custom user model from it to use ModelBackend's permissions.
 *
 * @example
 * export class Customer extends PermissionsMixin.define({ email: new EmailField({ unique: true }) }) {
 *   static override USERNAME_FIELD = 'email';
 * }
 */
export class PermissionsMixin extends AbstractBaseUser.define(
  {
    isSuperuser: new BooleanField({
      default: false,
      dbColumn: 'is_superuser',
      verboseName: 'superuser status',
      helpText: 'Designates that this user has all permissions without explicitly assigning them.',
    }),
    groups: new UserRelationField(
      () => Group,
      {
        blank: true,
        relatedName: 'userSet',
        relatedQueryName: 'user',
        verboseName: 'groups',
        helpText: 'The groups this user belongs to. A user will get all permissions granted to each of their groups.',
      },
      'groups',
    ),
    userPermissions: new UserRelationField(
      () => Permission,
      {
        blank: true,
        relatedName: 'userSet',
        relatedQueryName: 'user',
        verboseName: 'user permissions',
        helpText: 'Specific permissions for this user.',
      },
      'user_permissions',
    ),
  },
  { abstract: true },
) {
  /** The permissions the user has directly (`'app.codename'` strings), from every backend. */
  getUserPermissions(obj: unknown = null): Promise<Set<string>> {
    return backendPermissions(this, obj, 'User');
  }

  /** The permissions the user has through their groups. */
  getGroupPermissions(obj: unknown = null): Promise<Set<string>> {
    return backendPermissions(this, obj, 'Group');
  }

  /** Every permission the user has. */
  getAllPermissions(obj: unknown = null): Promise<Set<string>> {
    return backendPermissions(this, obj, 'All');
  }

  /**
   * Whether the user has `perm` (`'blog.change_post'`): an active superuser has every one;
   * otherwise the first backend that grants it decides.
   */
  async hasPerm(perm: string, obj: unknown = null): Promise<boolean> {
    if (isActive(this) && this.isSuperuser) return true;
    return backendHasPerm(this, perm, obj);
  }

  /** Whether the user has every permission of the list. */
  async hasPerms(perms: Iterable<string>, obj: unknown = null): Promise<boolean> {
    if (typeof perms === 'string') {
      throw new TypeError('hasPerms() takes a list of permissions, not a string: use hasPerm() for one.');
    }
    for (const perm of perms) if (!(await this.hasPerm(perm, obj))) return false;
    return true;
  }

  /** Whether the user has any permission in the app. */
  async hasModulePerms(appLabel: string): Promise<boolean> {
    if (isActive(this) && this.isSuperuser) return true;
    return backendHasModulePerms(this, appLabel);
  }
}

/** Whether a user counts as active: `isActive` true, or a model without the field. */
export function isActive(user: object): boolean {
  return (user as { isActive?: unknown }).isActive !== false;
}

/** The options of createUser() and createSuperuser(): the username field, `email`, `password`, and other fields. */
export type CreateUserOptions = { password?: string | null; email?: string | null } & Record<string, unknown>;

/** `User.objects` (and custom user models'): createUser(), createSuperuser(), withPerm(). */
export class UserManager<T = User> extends BaseUserManager<T> {
  async #createUser(fields: CreateUserOptions, using: string | undefined): Promise<T> {
    const Model = this.model as unknown as typeof AbstractBaseUser &
      (new (init: Record<string, unknown>) => AbstractBaseUser);
    const usernameField = Model.USERNAME_FIELD;
    const { password = null, ...rest } = fields;
    if (!rest[usernameField]) throw new TypeError(`The given ${usernameField} must be set.`);
    if ('email' in rest || Model.EMAIL_FIELD in rest) {
      const emailField = 'email' in rest ? 'email' : Model.EMAIL_FIELD;
      rest[emailField] = this.normalizeEmail(rest[emailField] as string | null);
    }
    rest[usernameField] = Model.normalizeUsername(rest[usernameField]);
    const user = new Model(rest);
    user.password = await makePassword(password);
    await user.save(using === undefined ? {} : { using });
    return user as unknown as T;
  }

  /**
   * Creates and saves a user with a hashed password (`null` or none: an unusable one).
   *
   * @example await User.objects.createUser({ username: 'ada', email: 'ada@example.com', password: 's3cret' });
   */
  createUser(fields: CreateUserOptions, options: { using?: string } = {}): Promise<T> {
    return this.#createUser({ isStaff: false, isSuperuser: false, ...fields }, options.using);
  }

  /** Creates a user with `isStaff` and `isSuperuser`. */
  createSuperuser(fields: CreateUserOptions, options: { using?: string } = {}): Promise<T> {
    const all = { isStaff: true, isSuperuser: true, ...fields };
    if (all.isStaff !== true) return Promise.reject(new TypeError('Superuser must have isStaff=true.'));
    if (all.isSuperuser !== true) return Promise.reject(new TypeError('Superuser must have isSuperuser=true.'));
    return this.#createUser(all, options.using);
  }

  /**
   * The users that have `perm` (a `'app.codename'` string or a Permission), through the one
   * backend (or `options.backend`) that can tell: ModelBackend's `withPerm()`.
   */
  withPerm(
    perm: string | Permission,
    options: { isActive?: boolean | null; includeSuperusers?: boolean; backend?: string; obj?: unknown } = {},
  ) {
    let backend: BaseBackend;
    if (options.backend === undefined) {
      const all = getBackendsWithPaths();
      if (all.length !== 1) {
        throw new TypeError(
          'You have multiple authentication backends configured and therefore must provide the `backend` argument.',
        );
      }
      backend = all[0]!.backend;
    } else {
      backend = loadBackend(options.backend);
    }
    const withPerm = (backend as { withPerm?: (...args: unknown[]) => unknown }).withPerm;
    if (typeof withPerm !== 'function') return this.none();
    return withPerm.call(backend, perm, options) as ReturnType<Manager<T>['none']>;
  }
}

/** Django's full user: username, names, e-mail, staff and active flags, the date joined. */
export class AbstractUser extends PermissionsMixin.define(
  {
    username: new CharField({
      maxLength: 150,
      unique: true,
      verboseName: 'username',
      helpText: 'Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.',
      validators: [unicodeUsernameValidator],
      errorMessages: { unique: 'A user with that username already exists.' },
    }),
    firstName: new CharField({ maxLength: 150, blank: true, dbColumn: 'first_name', verboseName: 'first name' }),
    lastName: new CharField({ maxLength: 150, blank: true, dbColumn: 'last_name', verboseName: 'last name' }),
    email: new EmailField({ blank: true, verboseName: 'email address' }),
    isStaff: new BooleanField({
      default: false,
      dbColumn: 'is_staff',
      verboseName: 'staff status',
      helpText: 'Designates whether the user can log into this admin site.',
    }),
    isActive: new BooleanField({
      default: true,
      dbColumn: 'is_active',
      verboseName: 'active',
      helpText: 'Designates whether this user should be treated as active. Unselect this instead of deleting accounts.',
    }),
    dateJoined: new DateTimeField({
      // The function itself, which a migration can name (a closure it could not).
      default: now,
      dbColumn: 'date_joined',
      verboseName: 'date joined',
    }),
  },
  { abstract: true, verboseName: 'user', verboseNamePlural: 'users' },
) {
  static override USERNAME_FIELD = 'username';
  static override EMAIL_FIELD = 'email';
  static override REQUIRED_FIELDS: readonly string[] = ['email'];

  /** A UserManager for models defined from AbstractUser that declare no manager of their own. */
  static override get objects(): UserManager<never> {
    return this._meta.baseManager((model) => new UserManager(model as never) as never) as UserManager<never>;
  }

  /** Normalizes the username and the e-mail's domain (fullClean()). */
  override clean(): void | Promise<void> {
    super.clean();
    this.email = BaseUserManager.normalizeEmail(this.email);
  }

  /** The first and last name, with a space between. */
  getFullName(): string {
    return `${this.firstName} ${this.lastName}`.trim();
  }

  getShortName(): string {
    return this.firstName;
  }
}

/**
 * The user model of projects that keep Django's (AUTH_USER_MODEL = 'auth.User', the default).
 *
 * @example
 * const ada = await User.objects.createUser({ username: 'ada', password: 'correct horse' });
 * await ada.checkPassword('correct horse'); // true
 */
export class User extends AbstractUser.define({}, { appLabel: 'auth', swappable: 'AUTH_USER_MODEL' }) {
  static override objects: UserManager<User> = new UserManager<User>(this);
}

/** A manager of nothing (AnonymousUser's groups and permissions). */
class EmptyManager<T> {
  readonly #model: () => { objects: Manager<T> };
  constructor(model: () => { objects: Manager<T> }) {
    this.#model = model;
  }
  all() {
    return this.#model().objects.none();
  }
}

/**
 * The user of a request without a logged-in user: not authenticated, no permission, no row.
 *
 * @example if (request.user.isAnonymous) return redirectToLogin(request.getFullPath());
 */
export class AnonymousUser {
  readonly id = null;
  readonly pk = null;
  readonly username = '';
  readonly isStaff = false;
  readonly isActive = false;
  readonly isSuperuser = false;
  readonly groups = new EmptyManager<Group>(() => Group);
  readonly userPermissions = new EmptyManager<Permission>(() => Permission);

  get isAnonymous(): true {
    return true;
  }

  get isAuthenticated(): false {
    return false;
  }

  getUsername(): string {
    return this.username;
  }

  toString(): string {
    return 'AnonymousUser';
  }

  /** Anonymous users are all the same user. */
  equals(other: unknown): boolean {
    return other instanceof AnonymousUser;
  }

  getUserPermissions(obj: unknown = null): Promise<Set<string>> {
    return backendPermissions(this, obj, 'User');
  }

  async getGroupPermissions(_obj: unknown = null): Promise<Set<string>> {
    return new Set();
  }

  getAllPermissions(obj: unknown = null): Promise<Set<string>> {
    return backendPermissions(this, obj, 'All');
  }

  hasPerm(perm: string, obj: unknown = null): Promise<boolean> {
    return backendHasPerm(this, perm, obj);
  }

  async hasPerms(perms: Iterable<string>, obj: unknown = null): Promise<boolean> {
    if (typeof perms === 'string') {
      throw new TypeError('hasPerms() takes a list of permissions, not a string: use hasPerm() for one.');
    }
    for (const perm of perms) if (!(await this.hasPerm(perm, obj))) return false;
    return true;
  }

  hasModulePerms(appLabel: string): Promise<boolean> {
    return backendHasModulePerms(this, appLabel);
  }

  save(): never {
    throw new TypeError("tsgi doesn't provide a DB representation for AnonymousUser.");
  }

  delete(): never {
    throw new TypeError("tsgi doesn't provide a DB representation for AnonymousUser.");
  }

  setPassword(_raw: string): never {
    throw new TypeError("tsgi doesn't provide a DB representation for AnonymousUser.");
  }

  checkPassword(_raw: string): never {
    throw new TypeError("tsgi doesn't provide a DB representation for AnonymousUser.");
  }
}

/** The userLoggedIn receiver that records the moment of a login (connected when the user model has `lastLogin`). */
export async function updateLastLogin({ user }: { user: object }): Promise<void> {
  const target = user as AbstractBaseUser;
  target.lastLogin = now() as never;
  await target.save({ updateFields: ['lastLogin'] });
}
