/**
 * `AbstractBaseUser` and `BaseUserManager`, as Django's `django.contrib.auth.base_user`: what
 * any user model has (a hashed password, the last login, the username field it names), usable
 * without the auth app's own tables.
 *
 * Hashing takes tens of milliseconds of CPU on purpose, so `setPassword()` and
 * `checkPassword()` are promises (run in libuv's thread pool): `await user.setPassword(raw)`.
 */
import { settings } from '../../conf/index.ts';
import { DateTimeField, CharField, Manager, Model } from '../../db/models/index.ts';
import { constantTimeCompare, getRandomString, saltedHmac } from '../../utils/crypto.ts';
import {
  checkPassword,
  isPasswordUsable,
  makePassword,
  UNUSABLE_PASSWORD_PREFIX,
  UNUSABLE_PASSWORD_SUFFIX_LENGTH,
} from './hashers.ts';
import { passwordChanged } from './password-validation.ts';

/** The salt of the session's password hash: Django's, so a hash means the same in both. */
const SESSION_HASH_SALT = 'django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash';

/** The manager of user models: e-mail normalisation, random passwords, lookup by username. */
export class BaseUserManager<T> extends Manager<T> {
  /** The e-mail with its domain in lower case (`Ada@Example.COM` → `Ada@example.com`); '' for none. */
  static normalizeEmail(email: string | null | undefined): string {
    const text = (email ?? '').trim();
    const at = text.lastIndexOf('@');
    if (at === -1) return email ?? '';
    return `${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}`;
  }

  normalizeEmail(email: string | null | undefined): string {
    return BaseUserManager.normalizeEmail(email);
  }

  /** A random password, without the characters that look alike (I, l, O, 0, 1). */
  makeRandomPassword(length = 10, allowedChars = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'): string {
    return getRandomString(length, allowedChars);
  }

  /** The user whose USERNAME_FIELD is `username`. @throws the model's DoesNotExist */
  getByNaturalKey(username: string): Promise<T> {
    const field = (this.model as unknown as { USERNAME_FIELD: string }).USERNAME_FIELD;
    return this.get({ [field]: username } as never);
  }
}

/**
 * The base of user models: `password` (a hash, 128 characters) and `lastLogin`. A model defined
 * from it names its username field (`static USERNAME_FIELD`), the fields `createsuperuser` asks
 * for (`static REQUIRED_FIELDS`) and its e-mail field (`static EMAIL_FIELD`).
 *
 * @example
 * export class Customer extends AbstractBaseUser.define({
 *   email: new EmailField({ unique: true }),
 *   isActive: new BooleanField({ default: true, dbColumn: 'is_active' }),
 * }) {
 *   static override USERNAME_FIELD = 'email';
 *   static override objects = new CustomerManager(this);
 * }
 */
export class AbstractBaseUser extends Model.define(
  {
    password: new CharField({ maxLength: 128, verboseName: 'password' }),
    lastLogin: new DateTimeField({ null: true, blank: true, dbColumn: 'last_login', verboseName: 'last login' }),
  },
  { abstract: true },
) {
  /** The field that identifies a user at login. */
  static USERNAME_FIELD = 'username';
  /** The field `emailUser()` and password reset write to. */
  static EMAIL_FIELD = 'email';
  /** Fields `createsuperuser` asks for besides the username and the password. */
  static REQUIRED_FIELDS: readonly string[] = [];

  /** The raw password of setPassword(), until save() tells the validators (passwordChanged). */
  #rawPassword: string | null = null;

  /** The e-mail field's name (EMAIL_FIELD). */
  static getEmailFieldName(): string {
    return this.EMAIL_FIELD;
  }

  /** A username in Unicode's compatibility form (NFKC), so look-alike spellings are one user. */
  static normalizeUsername(username: unknown): unknown {
    return typeof username === 'string' ? username.normalize('NFKC') : username;
  }

  #statics(): typeof AbstractBaseUser {
    return this.constructor as typeof AbstractBaseUser;
  }

  /** The value of USERNAME_FIELD. */
  getUsername(): string {
    return (this as unknown as Record<string, string>)[this.#statics().USERNAME_FIELD]!;
  }

  /** Always true for a user (false for AnonymousUser): what templates test. */
  get isAuthenticated(): true {
    return true;
  }

  /** Always false for a user (true for AnonymousUser). */
  get isAnonymous(): false {
    return false;
  }

  /** Hashes `raw` with the default hasher into `password` (save the user afterwards). */
  async setPassword(raw: string | null): Promise<void> {
    this.password = await makePassword(raw);
    this.#rawPassword = raw;
  }

  /**
   * Whether `raw` is the user's password. A hash from another hasher or with older costs is
   * replaced and saved (only the `password` column), without counting as a password change.
   */
  checkPassword(raw: string): Promise<boolean> {
    return checkPassword(raw, this.password, async (password) => {
      await this.setPassword(password);
      this.#rawPassword = null;
      await this.save({ updateFields: ['password'] });
    });
  }

  /** Makes the password one that never verifies (a login by another means only). */
  setUnusablePassword(): void {
    this.password = UNUSABLE_PASSWORD_PREFIX + getRandomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH);
  }

  hasUsablePassword(): boolean {
    return isPasswordUsable(this.password);
  }

  /**
   * An HMAC of the password hash, stored in the session at login: a password change makes it
   * differ, which logs the user's other sessions out. Django's salt and SHA-256, so the value
   * is the one Django computes.
   */
  getSessionAuthHash(secret: string = String(settings.SECRET_KEY)): string {
    return saltedHmac(SESSION_HASH_SALT, this.password, secret, 'sha256').toString('hex');
  }

  /** Whether `hash` is this user's session hash under SECRET_KEY or one of SECRET_KEY_FALLBACKS. */
  verifySessionAuthHash(hash: unknown): boolean {
    if (typeof hash !== 'string' || hash === '') return false;
    const secrets = [String(settings.SECRET_KEY), ...((settings.SECRET_KEY_FALLBACKS as string[] | undefined) ?? [])];
    return secrets.some((secret) => constantTimeCompare(hash, this.getSessionAuthHash(secret)));
  }

  /** Normalizes the username (NFKC); called by fullClean(). */
  override clean(): void | Promise<void> {
    const field = this.#statics().USERNAME_FIELD;
    const self = this as unknown as Record<string, unknown>;
    self[field] = this.#statics().normalizeUsername(self[field]);
  }

  /** Saves, then tells the password validators of a password set by setPassword(). */
  override async save(options: Parameters<Model['save']>[0] = {}): Promise<void> {
    await super.save(options);
    if (this.#rawPassword !== null) {
      passwordChanged(this.#rawPassword, this);
      this.#rawPassword = null;
    }
  }

  /** `[username]`: what identifies the user in fixtures. */
  naturalKey(): [string] {
    return [this.getUsername()];
  }

  override toString(): string {
    return this.getUsername();
  }
}
