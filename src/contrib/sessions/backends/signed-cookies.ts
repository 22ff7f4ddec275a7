/**
 * Sessions kept in the cookie itself, as Django's `backends.signed_cookies`: the session key is
 * the data, signed with SECRET_KEY (and compressed), so there is no store to reach and any
 * worker or machine reads it. The client can read the data (it is signed, not encrypted) and
 * replay an old cookie until it expires (SESSION_COOKIE_AGE); a cookie holds ~4 KB. A cookie
 * whose signature fails (tampered, or signed with another key) or that is older than
 * SESSION_COOKIE_AGE is refused: the session is empty and its cookie is deleted.
 */
import { BadSignature, dumps, loads, SignatureExpired } from '../../../core/signing.ts';
import { getLogger } from '../../../utils/log.ts';
import { SESSION_SERIALIZER, SessionBase } from './base.ts';

const SALT = 'tsgi.contrib.sessions.backends.signed_cookies';
const logger = getLogger('tsgi.security.SuspiciousSession');

/**
 * @example
 * SESSION_ENGINE = 'tsgi.contrib.sessions.backends.signed-cookies';
 */
export class SessionStore extends SessionBase {
  /** The key is signed data: any string of 8 characters or more may be one (Django's rule). */
  protected override validateSessionKey(key: string): boolean {
    return key.length >= 8;
  }

  protected loadData(): Promise<Record<string, unknown>> {
    try {
      const data = loads(this.sessionKey!, {
        salt: SALT,
        serializer: SESSION_SERIALIZER,
        maxAge: this.getSessionCookieAge(),
      });
      if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
        return Promise.resolve(data as Record<string, unknown>);
      }
    } catch (error) {
      if (error instanceof BadSignature && !(error instanceof SignatureExpired)) {
        logger.warning('Session data corrupted (bad signature): the session cookie was refused.');
      }
    }
    this.setSessionKey(null);
    return Promise.resolve({});
  }

  exists(_sessionKey?: string): Promise<boolean> {
    return Promise.resolve(false);
  }

  create(): Promise<void> {
    this.modified = true;
    return Promise.resolve();
  }

  /** Signs the data into the key; SessionMiddleware sends it as the cookie. */
  async save(): Promise<void> {
    const data = await this.sessionData();
    this.setSessionKey(dumps(data, { salt: SALT, serializer: SESSION_SERIALIZER, compress: true }));
    this.modified = true;
  }

  deleteSession(): Promise<void> {
    this.setSessionKey(null);
    this.replaceData(new Map());
    this.modified = true;
    return Promise.resolve();
  }

  /** A new signature of the same data, sent at the end of the request. */
  override async cycleKey(): Promise<void> {
    await this.save();
  }

  /** Nothing to do: expired cookies are refused when read. */
  static async clearExpired(): Promise<void> {}
}
