/**
 * The response family, as Django's `django.http.response`: `HttpResponse` (content in memory),
 * `StreamingHttpResponse` (an iterable, sync or async), `FileResponse`, `JsonResponse`, the
 * redirects and the status shortcuts. A response is also its own gateway body: iterable, with
 * `close()`.
 */
import { REASON_PHRASES } from '../gateway/http-rules.ts';
import type { HeaderList } from '../gateway/types.ts';
import { DisallowedRedirect } from '../core/exceptions.ts';
import { settings, settingsGeneration } from '../conf/index.ts';
import { getKnownHeader, headerPairs, isWireReady, ResponseHeaders, setKnownHeader } from './headers.ts';
import type { HeaderValue } from './headers.ts';
import { makeCookie } from './cookie.ts';
import type { CookieOptions, ResponseCookie } from './cookie.ts';
import { decode, encode } from './charset.ts';
import type * as Signing from '../core/signing.ts';
import { lazyModule } from '../utils/module-loading.ts';

// core/signing (and utils/crypto), loaded by the first signed cookie set, and kept.
const signing = lazyModule<typeof Signing>(import.meta.url, '../core/signing');

/** Options common to every response. */
export interface ResponseOptions {
  status?: number;
  /** The full Content-Type; `text/html; charset=<charset>` when omitted. */
  contentType?: string;
  /** The reason phrase; the standard one for the status when omitted. */
  reason?: string;
  charset?: string;
  headers?: Iterable<readonly [string, HeaderValue]> | Record<string, HeaderValue>;
}

/** What `HttpResponse` content may be: text (encoded with the charset), bytes, or an iterable of them. */
export type ResponseContent =
  string | Uint8Array | ArrayBuffer | Iterable<string | Uint8Array> | number | null | undefined;

/** A chunk of streaming content. */
export type ContentChunk = string | Uint8Array;

const EMPTY_OPTIONS: ResponseOptions = Object.freeze({});

// DEFAULT_CHARSET, read once per settings change: every response needs it, and the settings
// proxy (and process.env) cost on every read.
let charsetGeneration = -1;
let configuredCharset = 'utf-8';

/** The charset used when neither the response nor its Content-Type names one. */
function defaultCharset(): string {
  if (charsetGeneration === settingsGeneration()) return configuredCharset;
  // Without settings (a response built in a script or a unit test), utf-8; not kept, because
  // configuring settings later moves the generation anyway.
  if (!settings.configured && !process.env.TSGI_SETTINGS_MODULE) return 'utf-8';
  configuredCharset = String(settings.DEFAULT_CHARSET);
  charsetGeneration = settingsGeneration();
  return configuredCharset;
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;
// The charset named by the last Content-Type seen: responses of a project share a few values, and
// the charset is read for every piece of content encoded.
let lastContentType = '';
let lastCharset: string | undefined;
function charsetOf(contentType: string): string | undefined {
  if (contentType !== lastContentType) {
    lastCharset = CHARSET.exec(contentType)?.[1];
    lastContentType = contentType;
  }
  return lastCharset;
}

// The default Content-Type for the last charset seen, and whether it is wire-ready (a charset
// given by the code could hold anything): built and checked once rather than per response.
let defaultTypeCharset: string | undefined;
let defaultType = '';
let defaultTypeReady = false;
function defaultContentType(charset: string): string {
  if (charset !== defaultTypeCharset) {
    defaultType = `text/html; charset=${charset}`;
    defaultTypeReady = isWireReady('Content-Type', defaultType);
    defaultTypeCharset = charset;
  }
  return defaultType;
}

/**
 * What every response has: status, headers, cookies, charset and `close()`.
 */
export abstract class HttpResponseBase {
  /** The default status of the class (200, 404, ...). */
  static statusCode = 200;
  statusCode: number;
  readonly headers: ResponseHeaders;
  closed = false;
  abstract readonly streaming: boolean;
  #reason: string | undefined;
  #charset: string | undefined;
  // Made on first use: most responses set no cookie, and only the handler adds a closer.
  #cookies: Map<string, ResponseCookie> | undefined;
  #closers: Array<() => unknown> | undefined;

  constructor(options: ResponseOptions = EMPTY_OPTIONS) {
    this.headers = new ResponseHeaders(options.headers);
    this.#charset = options.charset;
    const status = options.status ?? (this.constructor as typeof HttpResponseBase).statusCode;
    if (typeof status !== 'number' || !Number.isInteger(status)) {
      throw new TypeError(`HTTP status code must be an integer, got ${JSON.stringify(status)}.`);
    }
    if (status < 100 || status > 599) {
      throw new RangeError(`HTTP status code must be an integer from 100 to 599, got ${status}.`);
    }
    this.statusCode = status;
    if (options.reason !== undefined) this.reasonPhrase = options.reason;
    if (options.headers === undefined && options.contentType === undefined) {
      // The common case, without the checks below: no headers yet, so the charset is the one
      // given or DEFAULT_CHARSET, and the default Content-Type is checked once per charset.
      const contentType = defaultContentType(options.charset ?? defaultCharset());
      if (defaultTypeReady) setKnownHeader(this.headers, 'content-type', 'Content-Type', contentType);
      else this.headers.set('Content-Type', contentType);
      return;
    }
    if (options.contentType !== undefined && this.headers.has('Content-Type')) {
      throw new TypeError("'headers' must not contain 'Content-Type' when the 'contentType' option is provided.");
    }
    if (!this.headers.has('Content-Type')) {
      this.headers.set('Content-Type', options.contentType ?? `text/html; charset=${this.charset}`);
    }
  }

  /** Cookies to set, by name: each becomes one `Set-Cookie` header. */
  get cookies(): Map<string, ResponseCookie> {
    return (this.#cookies ??= new Map());
  }

  /** The reason phrase: the standard one for the status unless set. */
  get reasonPhrase(): string {
    return this.#reason ?? REASON_PHRASES[this.statusCode] ?? 'Unknown Status Code';
  }

  set reasonPhrase(value: string) {
    if (/[\r\n]/.test(value))
      throw new TypeError(`The reason phrase can't contain newlines (got ${JSON.stringify(value)}).`);
    this.#reason = value;
  }

  /** `"200 OK"`: the gateway status line. */
  get statusLine(): string {
    if (this.#reason !== undefined) return `${this.statusCode} ${this.#reason}`;
    // The standard lines, built once each: every response needs one.
    return (STATUS_LINES[this.statusCode] ??= `${this.statusCode} ${this.reasonPhrase}`);
  }

  /** The charset: set explicitly, else from the Content-Type, else `DEFAULT_CHARSET`. */
  get charset(): string {
    if (this.#charset !== undefined) return this.#charset;
    const headers = this.headers;
    const contentType = headers === undefined ? undefined : getKnownHeader(headers, 'content-type');
    return (contentType === undefined ? undefined : charsetOf(contentType)) ?? defaultCharset();
  }

  set charset(value: string) {
    this.#charset = value;
  }

  /** A header's value (case-insensitive), or `alternate`. */
  get(name: string, alternate?: string): string | undefined {
    return this.headers.get(name) ?? alternate;
  }

  set(name: string, value: HeaderValue): void {
    this.headers.set(name, value);
  }

  has(name: string): boolean {
    return this.headers.has(name);
  }

  delete(name: string): boolean {
    return this.headers.delete(name);
  }

  setDefault(name: string, value: HeaderValue): void {
    this.headers.setDefault(name, value);
  }

  /**
   * Sets a cookie, with Django's `set_cookie` semantics: `maxAge` also sets `expires`; a Date
   * `expires` also sets `Max-Age`; `samesite` is `'Lax'`, `'Strict'` or `'None'`.
   *
   * @example
   * response.setCookie('theme', 'dark', { maxAge: 3600, httponly: true, samesite: 'Lax' });
   */
  setCookie(name: string, value = '', options: CookieOptions = {}): void {
    this.cookies.set(name, makeCookie(name, value, options));
  }

  /**
   * Sets a cookie whose value is signed with SECRET_KEY (and timestamped), read back with
   * `request.getSignedCookie(name, { salt, maxAge })`.
   */
  setSignedCookie(name: string, value: string, options: CookieOptions & { salt?: string } = {}): void {
    const { salt = '', ...cookieOptions } = options;
    this.setCookie(
      name,
      signing()
        .getCookieSigner(name + salt)
        .sign(value),
      cookieOptions,
    );
  }

  /**
   * Tells the client to drop a cookie (an expired one, same path and domain). `__Secure-` and
   * `__Host-` cookies, and `SameSite=None` ones, are deleted with `Secure`, as browsers require.
   */
  deleteCookie(name: string, options: { path?: string; domain?: string | null; samesite?: string | null } = {}): void {
    const secure =
      name.startsWith('__Secure-') || name.startsWith('__Host-') || options.samesite?.toLowerCase() === 'none';
    const cookie = makeCookie(name, '', {
      path: options.path ?? '/',
      domain: options.domain ?? null,
      secure,
      samesite: options.samesite ?? null,
      expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
    });
    cookie.maxAge = 0;
    this.cookies.set(name, cookie);
  }

  /** The headers for `startResponse`: every header, then one `Set-Cookie` per cookie. */
  headerList(): HeaderList {
    // The stored pairs, not copies: they are never changed, and the list itself is new.
    const list = headerPairs(this.headers);
    if (this.#cookies !== undefined)
      for (const cookie of this.#cookies.values()) list.push(['Set-Cookie', cookie.toHeader()]);
    return list;
  }

  /** Registers a function run by `close()` (the handler adds the end-of-request work here). */
  addResourceCloser(closer: () => unknown): void {
    // A literal of one: `[]` and a push would make room for 17.
    if (this.#closers === undefined) this.#closers = [closer];
    else this.#closers.push(closer);
  }

  /**
   * Runs the resource closers once, in order, even if one fails; then rethrows the failure (an
   * AggregateError when several failed). The server calls it when the body is done or abandoned.
   */
  close(): Promise<void> {
    if (this.closed) return RESOLVED;
    this.closed = true;
    const closers = this.#closers;
    if (closers === undefined) return RESOLVED;
    this.#closers = undefined;
    return runClosers(closers, 0, undefined);
  }

  /** Encodes a chunk of content with the response's charset. */
  protected makeBytes(value: unknown): Uint8Array {
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    const charset = this.charset;
    // What encode() does for utf-8 (most responses), without looking the name up.
    if (charset === 'utf-8') return Buffer.from(String(value), 'utf8');
    return encode(String(value), charset);
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * `response.close()` for a gateway body: undefined when its closers all ran synchronously and
 * none failed (the usual case), so that the server has no promise to wait for or watch; else
 * close()'s promise.
 */
export function closeBody(response: HttpResponseBase): Promise<void> | undefined {
  const done = response.close();
  return done === RESOLVED ? undefined : done;
}
const STATUS_LINES: Array<string | undefined> = [];

/**
 * Runs `closers` from `index` in order, synchronously while they return no promise (the usual
 * closers do not: the handler's ends the request), awaiting the first that does before the next.
 */
function runClosers(closers: Array<() => unknown>, index: number, errors: unknown[] | undefined): Promise<void> {
  for (let i = index; i < closers.length; i++) {
    let result: unknown;
    try {
      result = closers[i]!();
    } catch (error) {
      (errors ??= []).push(error);
      continue;
    }
    if (result instanceof Promise) {
      return result.then(
        () => runClosers(closers, i + 1, errors),
        (error: unknown) => runClosers(closers, i + 1, [...(errors ?? []), error]),
      );
    }
  }
  if (errors === undefined) return RESOLVED;
  if (errors.length === 1) return Promise.reject(errors[0]);
  return Promise.reject(new AggregateError(errors, 'Several resource closers of the response failed.'));
}

function isIterableContent(value: unknown): value is Iterable<string | Uint8Array> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    !(value instanceof ArrayBuffer) &&
    Symbol.iterator in value
  );
}

/**
 * A response whose content is held in memory.
 *
 * @example
 * return new HttpResponse('<h1>Hello</h1>');
 * return new HttpResponse(JSON.stringify(data), { contentType: 'application/json', status: 201 });
 */
export class HttpResponse extends HttpResponseBase implements Iterable<Uint8Array>, AsyncIterable<Uint8Array> {
  readonly streaming = false;
  // Set by the constructor (through `content`), so no initial array is made only to be replaced.
  #container!: Uint8Array[];

  constructor(content: ResponseContent = '', options: ResponseOptions = EMPTY_OPTIONS) {
    super(options);
    this.content = content;
  }

  /** The body as bytes. */
  get content(): Uint8Array {
    if (this.#container.length === 1) return this.#container[0]!;
    return Buffer.concat(this.#container);
  }

  /** Sets the body: text is encoded with the charset; an iterable is joined (and closed). */
  set content(value: ResponseContent) {
    if (value === null || value === undefined) {
      this.#container = [];
      return;
    }
    if (isIterableContent(value)) {
      const chunks: Uint8Array[] = [];
      for (const chunk of value) chunks.push(this.makeBytes(chunk));
      const closable = value as { close?: () => unknown };
      if (typeof closable.close === 'function') {
        try {
          closable.close();
        } catch {
          // As Django: a failing close() of consumed content does not fail the response.
        }
      }
      this.#container = [chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)];
      return;
    }
    if (typeof value === 'object' && Symbol.asyncIterator in value) {
      throw new TypeError(
        'HttpResponse content cannot be an async iterable: use StreamingHttpResponse for streamed content.',
      );
    }
    this.#container = [this.makeBytes(value)];
  }

  /** The body decoded with the charset. */
  get text(): string {
    return decode(this.content, this.charset);
  }

  /** Appends to the body (a response is a writable file-like object, as in Django). */
  write(chunk: string | Uint8Array): void {
    this.#container.push(this.makeBytes(chunk));
  }

  /** The body length so far. */
  tell(): number {
    return this.#container.reduce((n, c) => n + c.byteLength, 0);
  }

  writable(): boolean {
    return true;
  }

  [Symbol.iterator](): Iterator<Uint8Array> {
    return this.#container[Symbol.iterator]();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    yield* this.#container;
  }
}

/**
 * A response whose body is produced by an iterable or async iterable, sent as it is produced.
 * When the response is closed early, the iterator is stopped (its `finally` blocks run).
 *
 * @example
 * async function* rows() { for await (const row of db.rows()) yield `${row}\n`; }
 * return new StreamingHttpResponse(rows(), { contentType: 'text/csv' });
 */
export class StreamingHttpResponse extends HttpResponseBase implements AsyncIterable<Uint8Array> {
  readonly streaming = true;
  #source!: Iterable<ContentChunk> | AsyncIterable<ContentChunk>;
  #iterator: Iterator<ContentChunk> | AsyncIterator<ContentChunk> | undefined;
  /** Whether the content is an async iterable. */
  isAsync = false;

  constructor(
    streamingContent: Iterable<ContentChunk> | AsyncIterable<ContentChunk> = [],
    options: ResponseOptions = {},
  ) {
    super(options);
    this.addResourceCloser(() => this.#stop());
    this.streamingContent = streamingContent;
  }

  /** There is no `content` on a streaming response: read `streamingContent`. */
  get content(): never {
    throw new TypeError(
      `This ${this.constructor.name} instance has no \`content\` attribute. Use \`streamingContent\` instead.`,
    );
  }

  set content(_value: unknown) {
    throw new TypeError(
      `This ${this.constructor.name} instance has no \`content\` attribute. Use \`streamingContent\` instead.`,
    );
  }

  get text(): never {
    throw new TypeError(
      `This ${this.constructor.name} instance has no \`text\` attribute. Use \`streamingContent\` instead.`,
    );
  }

  /** The body as an async iterable of bytes (each chunk encoded with the charset). Iterate it once. */
  get streamingContent(): AsyncIterable<Uint8Array> {
    return { [Symbol.asyncIterator]: () => this[Symbol.asyncIterator]() };
  }

  set streamingContent(value: Iterable<ContentChunk> | AsyncIterable<ContentChunk>) {
    const isObject = typeof value === 'object' && value !== null;
    if (typeof value === 'string' || !isObject || !(Symbol.iterator in value || Symbol.asyncIterator in value)) {
      throw new TypeError(
        `StreamingHttpResponse content must be an iterable or async iterable of strings or bytes, got ${typeof value === 'string' ? 'a string' : String(value)}; use HttpResponse for content in memory.`,
      );
    }
    this.#source = value;
    this.#iterator = undefined;
    this.isAsync = Symbol.asyncIterator in value && !(Symbol.iterator in value);
    const closable = value as { close?: () => unknown };
    if (typeof closable.close === 'function') this.addResourceCloser(() => closable.close!());
  }

  /** Stops the source iterator if it was started and not finished (runs generators' `finally`). */
  async #stop(): Promise<void> {
    const iterator = this.#iterator;
    this.#iterator = undefined;
    if (iterator?.return) await iterator.return();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const source = this.#source as Partial<AsyncIterable<ContentChunk> & Iterable<ContentChunk>>;
    const asyncFactory = source[Symbol.asyncIterator];
    const iterator = asyncFactory ? asyncFactory.call(source) : source[Symbol.iterator]!.call(source);
    this.#iterator = iterator;
    let done = false;
    try {
      while (true) {
        const step = await iterator.next();
        if (step.done) break;
        const bytes = this.makeBytes(step.value);
        if (bytes.byteLength > 0) yield bytes;
      }
      done = true;
    } finally {
      // Abandoned mid-way (the client went away): stop the source so its cleanup runs now.
      if (!done && this.#iterator === iterator) await this.#stop();
      this.#iterator = undefined;
    }
  }

  /** The whole body, read from the stream (which is consumed). */
  async getValue(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
}

/**
 * Answers with JSON. With `safe` (the default) only plain objects are accepted, as in Django: a
 * top-level array is refused unless you pass `safe: false`.
 *
 * @example
 * return new JsonResponse({ ok: true });
 * return new JsonResponse([1, 2, 3], { safe: false });
 */
export class JsonResponse extends HttpResponse {
  constructor(
    data: unknown,
    options: ResponseOptions & {
      safe?: boolean;
      replacer?: (this: unknown, key: string, value: unknown) => unknown;
      space?: number | string;
    } = {},
  ) {
    const { safe = true, replacer, space, ...rest } = options;
    const proto = typeof data === 'object' && data !== null ? Object.getPrototypeOf(data) : undefined;
    const isPlainObject = proto === Object.prototype || proto === null;
    if (safe && !isPlainObject) {
      throw new TypeError('In order to allow non-object values to be serialized set the safe option to false.');
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(data, replacer, space);
    } catch (error) {
      // A bigint (an id past Number.MAX_SAFE_INTEGER) is a JSON number with every digit, as
      // Python's json writes its ints; tried only when plain JSON.stringify refused the data.
      try {
        json = JSON.stringify(data, bigintReplacer(replacer), space);
      } catch {
        throw new TypeError(`JsonResponse data is not JSON serializable: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    if (json === undefined) {
      throw new TypeError(`JsonResponse data is not JSON serializable: ${typeof data} has no JSON form.`);
    }
    super(json, { contentType: 'application/json', ...rest });
  }
}

/** `JSON.rawJSON` (ES2025, JSON.parse source text access; Node >= 21), not yet in TypeScript's lib. */
type RawJson = JSON & { rawJSON(text: string): unknown };

/** A JSON.stringify replacer that writes bigints as raw JSON numbers, after `replacer`. */
function bigintReplacer(
  replacer: ((this: unknown, key: string, value: unknown) => unknown) | undefined,
): (this: unknown, key: string, value: unknown) => unknown {
  return function (this: unknown, key: string, value: unknown): unknown {
    const replaced = replacer === undefined ? value : replacer.call(this, key, value);
    return typeof replaced === 'bigint' ? (JSON as RawJson).rawJSON(replaced.toString()) : replaced;
  };
}

/** Characters `iriToUri` leaves as they are (RFC 3987 §3.1, as Django's `iri_to_uri`). */
const URI_SAFE = /[A-Za-z0-9\-._~/#%[\]=:;$&()+,!?*@']/;

/** Percent-encodes what is not allowed in a URI, keeping existing `%XX` escapes (Django's `iri_to_uri`). */
export function iriToUri(iri: string): string {
  let out = '';
  for (const char of iri) {
    if (URI_SAFE.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The scheme of a URL as a browser reads it (leading controls and spaces, tabs and newlines ignored). */
function urlScheme(url: string): string {
  const cleaned = url.replace(/^[\0-\x20]+/, '').replace(/[\t\r\n]/g, '');
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(cleaned);
  return match ? match[1]!.toLowerCase() : '';
}

/** The redirects' common part: `Location`, and refusal of unsafe schemes. */
export abstract class HttpResponseRedirectBase extends HttpResponse {
  /** Schemes a redirect may use (Django's `allowed_schemes`). */
  static allowedSchemes: readonly string[] = ['http', 'https', 'ftp'];

  constructor(redirectTo: string | URL, options: ResponseOptions = {}) {
    super('', options);
    const url = String(redirectTo);
    const scheme = urlScheme(url);
    const allowed = (this.constructor as typeof HttpResponseRedirectBase).allowedSchemes;
    if (scheme !== '' && !allowed.includes(scheme)) {
      throw new DisallowedRedirect(`Unsafe redirect to URL with protocol '${scheme}'.`);
    }
    this.headers.set('Location', iriToUri(url));
  }

  /** The redirect target (the `Location` header). */
  get url(): string {
    return this.headers.get('Location')!;
  }
}

/** 302 Found. @example return new HttpResponseRedirect('/login/'); */
export class HttpResponseRedirect extends HttpResponseRedirectBase {
  static override statusCode = 302;
}

/** 301 Moved Permanently. */
export class HttpResponsePermanentRedirect extends HttpResponseRedirectBase {
  static override statusCode = 301;
}

/** 304 Not Modified: no body and no Content-Type. */
export class HttpResponseNotModified extends HttpResponse {
  static override statusCode = 304;

  constructor(options: ResponseOptions = {}) {
    super('', options);
    this.headers.delete('Content-Type');
  }

  override get content(): Uint8Array {
    return super.content;
  }

  override set content(value: ResponseContent) {
    if (
      value !== '' &&
      value !== null &&
      value !== undefined &&
      !(value instanceof Uint8Array && value.byteLength === 0)
    ) {
      throw new TypeError('You cannot set content to a 304 (Not Modified) response.');
    }
    super.content = '';
  }
}

/** 400 Bad Request. */
export class HttpResponseBadRequest extends HttpResponse {
  static override statusCode = 400;
}

/** 404 Not Found. */
export class HttpResponseNotFound extends HttpResponse {
  static override statusCode = 404;
}

/** 403 Forbidden. */
export class HttpResponseForbidden extends HttpResponse {
  static override statusCode = 403;
}

/**
 * 405 Method Not Allowed, with the `Allow` header (RFC 9110 §15.5.6).
 * @example return new HttpResponseNotAllowed(['GET', 'HEAD']);
 */
export class HttpResponseNotAllowed extends HttpResponse {
  static override statusCode = 405;

  constructor(permittedMethods: Iterable<string>, content: ResponseContent = '', options: ResponseOptions = {}) {
    super(content, options);
    this.headers.set('Allow', [...permittedMethods].join(', '));
  }
}

/** 410 Gone. */
export class HttpResponseGone extends HttpResponse {
  static override statusCode = 410;
}

/** 500 Internal Server Error. */
export class HttpResponseServerError extends HttpResponse {
  static override statusCode = 500;
}
