/**
 * Password reset tokens, as Django 3.2's `PasswordResetTokenGenerator`: `<timestamp>-<hmac>`,
 * the timestamp in base 36 (seconds since 2001-01-01), the HMAC-SHA256 (SECRET_KEY, every other
 * hex digit) of the user's id, password hash, last login, the timestamp and e-mail address. A
 * token therefore:
 * - expires after PASSWORD_RESET_TIMEOUT seconds;
 * - dies when the password changes (the hash is in it) — so it works once — and when the user
 *   logs in (lastLogin is in it) or changes their e-mail address.
 * Nothing is stored: the token is checked by making it again.
 */
import { settings } from '../../conf/index.ts';
import { constantTimeCompare, saltedHmac } from '../../utils/crypto.ts';

/** What the generator reads of a user. */
export type TokenUser = {
  pk: unknown;
  password: string;
  lastLogin?: unknown;
};

/** Seconds between 2001-01-01 and 1970-01-01. */
const EPOCH_2001 = Date.UTC(2001, 0, 1) / 1000;

/** A datetime as Python prints a naive one without microseconds: `2026-12-07 01:00:00`. */
function loginTimestamp(value: unknown): string {
  if (value === null || value === undefined) return '';
  const v = value as { toInstant?(): { toString(o: object): string }; toString(o?: object): string };
  const text =
    typeof v.toInstant === 'function'
      ? v.toInstant().toString({ smallestUnit: 'second' }).replace(/Z$/, '')
      : value instanceof Date
        ? value.toISOString().slice(0, 19)
        : v.toString({ smallestUnit: 'second' });
  return text.replace('T', ' ').slice(0, 19);
}

export class PasswordResetTokenGenerator {
  keySalt = 'django.contrib.auth.tokens.PasswordResetTokenGenerator';
  algorithm = 'sha256';
  /** The secret; SECRET_KEY when unset. */
  secret: string | undefined = undefined;

  /** Now, in seconds since 2001-01-01 (a method, so tests can move the clock). */
  now(): number {
    return Math.floor(Date.now() / 1000 - EPOCH_2001);
  }

  /** A token for `user`, valid for PASSWORD_RESET_TIMEOUT seconds. */
  makeToken(user: TokenUser): string {
    return this.makeTokenWithTimestamp(user, this.now());
  }

  /** Whether `token` was made for `user` (as they are now) and has not expired. */
  checkToken(user: TokenUser | null | undefined, token: unknown): boolean {
    if (!user || typeof token !== 'string' || token === '') return false;
    const dash = token.indexOf('-');
    if (dash <= 0) return false;
    const tsB36 = token.slice(0, dash);
    if (!/^[0-9a-z]{1,13}$/.test(tsB36)) return false;
    const timestamp = parseInt(tsB36, 36);
    if (!Number.isSafeInteger(timestamp)) return false;
    if (!constantTimeCompare(this.makeTokenWithTimestamp(user, timestamp), token)) return false;
    return this.now() - timestamp <= Number(settings.PASSWORD_RESET_TIMEOUT);
  }

  protected makeTokenWithTimestamp(user: TokenUser, timestamp: number): string {
    const hash = saltedHmac(
      this.keySalt,
      this.makeHashValue(user, timestamp),
      this.secret ?? String(settings.SECRET_KEY),
      this.algorithm,
    )
      .toString('hex')
      .replace(/(.)./g, '$1');
    return `${timestamp.toString(36)}-${hash}`;
  }

  /** What the token signs: change any of it and the token no longer checks. */
  protected makeHashValue(user: TokenUser, timestamp: number): string {
    const emailField = (user.constructor as { getEmailFieldName?(): string }).getEmailFieldName?.() ?? 'email';
    const email = ((user as unknown as Record<string, unknown>)[emailField] as string | null | undefined) || '';
    return `${String(user.pk)}${user.password}${loginTimestamp(user.lastLogin)}${timestamp}${email}`;
  }
}

/** The generator the password reset views use. */
export const defaultTokenGenerator = new PasswordResetTokenGenerator();

/** The user's primary key in a URL (base64url, no padding: Django's `urlsafe_base64_encode`). */
export function uidEncode(pk: unknown): string {
  return Buffer.from(String(pk), 'utf8').toString('base64url');
}

/** The primary key back from a URL, or null when it is not base64url. */
export function uidDecode(uidb64: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(uidb64)) return null;
  return Buffer.from(uidb64, 'base64url').toString('utf8');
}
