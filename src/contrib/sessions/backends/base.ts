/**
 * What every session engine is, as Django's `SessionBase`: a dictionary of the user's data,
 * stored under a random key that the session cookie carries, with expiry, test cookies, flush
 * and key rotation.
 *
 * The store may be another machine (Redis, a database), so reading it takes an `await`: a
 * session is loaded once per request by `await request.session.load()` (or before a view by
 * `loadSession()`), and from then on it reads and writes like Django's, synchronously. A
 * request that never loads its session never reads the store, and one that never writes to it
 * never writes. Data is kept as utils/tagged-json (JSON plus dates, Temporal values, bigint,
 * bytes...), never pickled; stores keep a hash of the session key, not the key, so a copy of the
 * store does not hand out live sessions.
 */
import { settings } from '../../../conf/index.ts';
import { BadSignature, dumps, loads, type Serializer } from '../../../core/signing.ts';
import { nodeCrypto } from '../../../utils/builtins.ts';
import { getRandomString } from '../../../utils/crypto.ts';
import { getLogger } from '../../../utils/log.ts';
import { dumps as taggedDumps, loads as taggedLoads, temporal } from '../../../utils/tagged-json.ts';
import type { Temporal } from 'temporal-polyfill';
import { SessionNotLoaded } from '../exceptions.ts';

/** Characters of session keys: lower case and digits, as Django (a case-insensitive store may keep them). */
export const VALID_KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const VALID_KEY = /^[a-z0-9]{8,64}$/;

/** The serializer of session data: JSON with the framework's types, never code (Django's JSONSerializer, widened). */
export const SESSION_SERIALIZER: Serializer = { dumps: taggedDumps, loads: taggedLoads };

/** What `setExpiry()` takes: seconds of inactivity (0: until the browser closes), a moment, a duration, or null. */
export type SessionExpiry = number | Date | Temporal.Instant | Temporal.ZonedDateTime | Temporal.Duration | null;

const EXPIRY_KEY = '_session_expiry';

/** A moment as milliseconds since the epoch: a Date, an Instant or a ZonedDateTime (their epochMilliseconds). */
function epochMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  const ms = (value as { epochMilliseconds?: unknown } | null)?.epochMilliseconds;
  return typeof ms === 'number' ? ms : undefined;
}

/** The stored expiry as a moment in ms, when it is one (an ISO string, as Django 4 stores it). */
function expiryMoment(expiry: unknown): number | undefined {
  if (typeof expiry === 'string') {
    const ms = Date.parse(expiry);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return epochMs(expiry);
}

/**
 * The store's name for a session key: its SHA-256. Whoever can read the store (a backup, a
 * replica, a shell on the Redis machine) gets no cookie value to replay.
 */
export function hashSessionKey(sessionKey: string): string {
  return nodeCrypto().createHash('sha256').update(sessionKey).digest('hex');
}

/** Options of getExpiryAge() and getExpiryDate(), as Django's keyword arguments. */
export interface ExpiryOptions {
  /** The moment to count from (now). */
  modification?: Date | Temporal.Instant | Temporal.ZonedDateTime | number;
  /** The expiry to use instead of the session's (`_session_expiry`); given as undefined, the default. */
  expiry?: unknown;
}

const suspiciousLogger = getLogger('tsgi.security.SuspiciousSession');

/**
 * A session. Engines subclass it (`SessionStore` in each of `tsgi.contrib.sessions.backends.*`)
 * and implement the store: `loadData`, `exists`, `create`, `save`, `deleteSession`.
 *
 * @example
 * export async function cart(request: HttpRequest) {
 *   const session = await request.session.load();
 *   const items = session.get<string[]>('cart', []);
 *   session.set('cart', [...items, String(request.POST.get('item'))]);
 *   return redirect('cart');
 * }
 */
export abstract class SessionBase {
  static readonly TEST_COOKIE_NAME = 'testcookie';
  static readonly TEST_COOKIE_VALUE = 'worked';

  /** Whether the data was read (loaded, or cleared) in this request: the response then varies on Cookie. */
  accessed = false;
  /** Whether the data changed in this request: SessionMiddleware then saves it and sends the cookie. */
  modified = false;
  #sessionKey: string | null = null;
  #data: Map<string, unknown> | undefined;
  #loading: Promise<void> | undefined;

  constructor(sessionKey: string | null = null) {
    this.setSessionKey(sessionKey);
  }

  /** The session key (the cookie's value), or null for a session not saved yet. */
  get sessionKey(): string | null {
    return this.#sessionKey;
  }

  /** Sets the key; one that is not valid for this engine becomes null (Django's `_session_key` setter). */
  protected setSessionKey(value: string | null | undefined): void {
    this.#sessionKey = typeof value === 'string' && this.validateSessionKey(value) ? value : null;
  }

  /** Whether a key could be one of this engine's: 8 to 64 of [a-z0-9] (Django asks 8 characters). */
  protected validateSessionKey(key: string): boolean {
    return VALID_KEY.test(key);
  }

  /** The salt of this engine's signed data (Django's `key_salt`). */
  protected get keySalt(): string {
    return `tsgi.contrib.sessions.${this.constructor.name}`;
  }

  /** Whether the data is in memory (loaded, created empty, or cleared). */
  get loaded(): boolean {
    return this.#data !== undefined;
  }

  // --- Loading. ---------------------------------------------------------------------------------

  /**
   * Reads the session from the store, once per request (later calls, and calls while it is
   * loading, share that read); a session without a key loads empty without reading anything.
   * Resolves to the session, so `const session = await request.session.load()` reads well.
   *
   * @throws SessionStoreUnavailable when the store cannot be reached (SessionMiddleware answers 503).
   */
  async load(): Promise<this> {
    this.accessed = true;
    if (this.#data !== undefined) return this;
    if (this.#sessionKey === null) {
      this.#data = new Map();
      return this;
    }
    this.#loading ??= this.loadData().then(
      (data) => {
        this.#data ??= new Map(Object.entries(data));
        this.#loading = undefined;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    await this.#loading;
    return this;
  }

  /** The data, or SessionNotLoaded with the fix. */
  #session(): Map<string, unknown> {
    this.accessed = true;
    const data = this.#data;
    if (data !== undefined) return data;
    throw new SessionNotLoaded(
      `The session was used before it was loaded. Sessions live in a store (SESSION_ENGINE '${settings.SESSION_ENGINE}') ` +
        'that takes an await to read: call `await request.session.load()` first in the view (once per request), or ' +
        'wrap a synchronous view in loadSession() from tsgi/contrib/sessions.',
    );
  }

  /** The data for save(): loaded if needed, or empty for a new session (Django's `_get_session(no_load)`). */
  protected async sessionData(noLoad = false): Promise<Record<string, unknown>> {
    if (this.#data === undefined) {
      if (noLoad || this.#sessionKey === null) this.#data = new Map();
      else await this.load();
    }
    this.accessed = true;
    return Object.fromEntries(this.#data!);
  }

  /** Replaces the data in memory (engines, after create()). */
  protected replaceData(data: Map<string, unknown> | undefined): void {
    this.#data = data === undefined ? undefined : new Map(data);
  }

  /** The data in memory, for engines (undefined when not loaded). */
  protected get dataInMemory(): Map<string, unknown> | undefined {
    return this.#data;
  }

  // --- The data, as Django's mapping methods. ---------------------------------------------------

  /** The value of a key, or `defaultValue`. */
  get<T = unknown>(key: string): T | undefined;
  get<T>(key: string, defaultValue: T): T;
  get<T>(key: string, defaultValue?: T): T | undefined {
    const data = this.#session();
    return data.has(key) ? (data.get(key) as T) : defaultValue;
  }

  /** Sets a key (Django's `session[key] = value`). */
  set(key: string, value: unknown): void {
    this.#session().set(key, value);
    this.modified = true;
  }

  /** Whether the key is set (Django's `key in session`). */
  has(key: string): boolean {
    return this.#session().has(key);
  }

  /** Removes a key (Django's `del session[key]`); resolves to whether it was there. */
  delete(key: string): boolean {
    const removed = this.#session().delete(key);
    if (removed) this.modified = true;
    return removed;
  }

  /**
   * Removes a key and returns its value, or `defaultValue`.
   * @throws RangeError when the key is absent and no default is given (Django's KeyError).
   */
  pop<T = unknown>(key: string, ...defaultValue: [T?]): T {
    const data = this.#session();
    if (data.has(key)) {
      const value = data.get(key) as T;
      data.delete(key);
      this.modified = true;
      return value;
    }
    if (defaultValue.length > 0) return defaultValue[0] as T;
    throw new RangeError(`The session has no key ${JSON.stringify(key)}.`);
  }

  /** The value of a key, setting it to `value` first when absent. */
  setdefault<T>(key: string, value: T): T {
    const data = this.#session();
    if (data.has(key)) return data.get(key) as T;
    data.set(key, value);
    this.modified = true;
    return value;
  }

  /** Sets several keys. */
  update(values: Record<string, unknown> | Iterable<readonly [string, unknown]>): void {
    const data = this.#session();
    const entries = Symbol.iterator in values ? values : Object.entries(values);
    for (const [key, value] of entries as Iterable<readonly [string, unknown]>) data.set(key, value);
    this.modified = true;
  }

  keys(): string[] {
    return [...this.#session().keys()];
  }

  values(): unknown[] {
    return [...this.#session().values()];
  }

  items(): Array<[string, unknown]> {
    return [...this.#session().entries()];
  }

  /** Empties the data (without reading the store first, as Django's). */
  clear(): void {
    this.#data = new Map();
    this.accessed = true;
    this.modified = true;
  }

  /** Whether there is no key and no data: nothing to save, and a cookie to delete. */
  isEmpty(): boolean {
    return this.#sessionKey === null && (this.#data === undefined || this.#data.size === 0);
  }

  setTestCookie(): void {
    this.set(SessionBase.TEST_COOKIE_NAME, SessionBase.TEST_COOKIE_VALUE);
  }

  testCookieWorked(): boolean {
    return this.get(SessionBase.TEST_COOKIE_NAME) === SessionBase.TEST_COOKIE_VALUE;
  }

  deleteTestCookie(): void {
    this.delete(SessionBase.TEST_COOKIE_NAME);
  }

  // --- Expiry. ----------------------------------------------------------------------------------

  /** SESSION_COOKIE_AGE. */
  getSessionCookieAge(): number {
    return settings.SESSION_COOKIE_AGE;
  }

  #expiry(options: ExpiryOptions): { now: number; expiry: unknown } {
    const modification = options.modification;
    const now =
      modification === undefined
        ? Date.now()
        : typeof modification === 'number'
          ? modification
          : (epochMs(modification) ?? Date.now());
    const expiry = 'expiry' in options ? options.expiry : this.get(EXPIRY_KEY);
    return { now, expiry };
  }

  /** Seconds until the session expires (SESSION_COOKIE_AGE unless setExpiry() said otherwise). */
  getExpiryAge(options: ExpiryOptions = {}): number {
    const { now, expiry } = this.#expiry(options);
    if (expiry === undefined || expiry === null || expiry === 0) return this.getSessionCookieAge();
    if (typeof expiry === 'number') return expiry;
    const moment = expiryMoment(expiry);
    if (moment === undefined) return this.getSessionCookieAge();
    return Math.floor((moment - now) / 1000);
  }

  /** When the session expires, as an aware date-time (a ZonedDateTime in UTC). */
  getExpiryDate(options: ExpiryOptions = {}): Temporal.ZonedDateTime {
    const { now, expiry } = this.#expiry(options);
    let moment = expiryMoment(expiry);
    if (moment === undefined) {
      const seconds = typeof expiry === 'number' && expiry !== 0 ? expiry : this.getSessionCookieAge();
      moment = now + seconds * 1000;
    }
    return temporal().Instant.fromEpochMilliseconds(moment).toZonedDateTimeISO('UTC');
  }

  /**
   * Sets when the session expires: a number of seconds of inactivity (0: when the browser
   * closes), a moment (Date, Instant, ZonedDateTime), a duration from now, or null for
   * SESSION_COOKIE_AGE again.
   *
   * @example request.session.setExpiry(300); // five idle minutes
   */
  setExpiry(value: SessionExpiry): void {
    if (value === null) {
      if (this.has(EXPIRY_KEY)) this.delete(EXPIRY_KEY);
      return;
    }
    if (typeof value === 'number') {
      this.set(EXPIRY_KEY, value);
      return;
    }
    let moment = epochMs(value);
    if (
      moment === undefined &&
      (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Temporal.Duration'
    ) {
      const now = temporal().Now.zonedDateTimeISO('UTC');
      moment = now.add(value as Temporal.Duration).epochMilliseconds;
    }
    if (moment === undefined) {
      throw new TypeError(
        `setExpiry() takes seconds, a Date, a Temporal Instant, ZonedDateTime or Duration, or null; got ${String(value)}.`,
      );
    }
    // An ISO string, as Django 4 stores it: the data stays plain JSON.
    this.set(EXPIRY_KEY, new Date(moment).toISOString());
  }

  /** Whether the session ends when the browser closes (setExpiry(0), or SESSION_EXPIRE_AT_BROWSER_CLOSE). */
  getExpireAtBrowserClose(): boolean {
    const expiry = this.get(EXPIRY_KEY);
    if (expiry === undefined || expiry === null) return Boolean(settings.SESSION_EXPIRE_AT_BROWSER_CLOSE);
    return expiry === 0;
  }

  // --- Keys, flush, rotation. -------------------------------------------------------------------

  /** A random key the store does not have yet. */
  protected async getNewSessionKey(): Promise<string> {
    for (;;) {
      const key = getRandomString(32, VALID_KEY_CHARS);
      if (!(await this.exists(key))) return key;
    }
  }

  /**
   * Deletes the session from the store and starts a new, empty one (at logout): the old key
   * stops working at once.
   */
  async flush(): Promise<void> {
    this.clear();
    await this.deleteSession();
    this.setSessionKey(null);
  }

  /**
   * Moves the data to a new key and deletes the old one (at login, against session fixation):
   * whoever knew the old key has nothing.
   */
  async cycleKey(): Promise<void> {
    await this.load();
    const data = this.#data;
    const key = this.#sessionKey;
    await this.create();
    this.#data = data;
    if (key !== null) await this.deleteSession(key);
  }

  /** Session data as signed text (for stores that hold text: files, databases). */
  encode(data: Record<string, unknown>): string {
    return dumps(data, { salt: this.keySalt, serializer: SESSION_SERIALIZER, compress: true });
  }

  /** The data of `encode()` text; a bad signature is logged and reads as an empty session. */
  decode(text: string): Record<string, unknown> {
    let reason: string;
    try {
      const data = loads(text, { salt: this.keySalt, serializer: SESSION_SERIALIZER });
      if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
      reason = 'not an object';
    } catch (error) {
      // A bad signature, or text that does not decode: an empty session, as Django.
      reason = error instanceof BadSignature ? 'bad signature' : (error as Error).message;
    }
    suspiciousLogger.warning(`Session data corrupted (${reason})`);
    return {};
  }

  // --- What an engine implements. ---------------------------------------------------------------

  /** The stored data of `sessionKey` (set); when there is none, set the key to null and return {}. */
  protected abstract loadData(): Promise<Record<string, unknown>>;
  /** Whether the store has this key. */
  abstract exists(sessionKey: string): Promise<boolean>;
  /** Saves the session under a new unique key (with the data in memory, or empty). */
  abstract create(): Promise<void>;
  /**
   * Saves the data: with `mustCreate`, under a key the store must not have (CreateError
   * otherwise); else over the existing entry (UpdateError when it is gone).
   */
  abstract save(mustCreate?: boolean): Promise<void>;
  /** Deletes a session from the store (this one when no key is given). */
  abstract deleteSession(sessionKey?: string | null): Promise<void>;
}
