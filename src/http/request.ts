/**
 * `HttpRequest`, as Django's `django.http.HttpRequest`: what a view gets, knowing nothing of the
 * protocol it came by (the gateway's `requestFromEnviron` builds it from an environ).
 *
 * The body is read when something asks for it (docs/architecture.md): `loadBody()` reads it
 * (src/http/body.ts) under the upload limits; `body`, `POST` and `FILES` are then synchronous,
 * as in Django, and raise the limits the body broke.
 */
import type { Environ } from '../gateway/types.ts';
import { fromSettings, settings } from '../conf/index.ts';
import { BadRequest, DisallowedHost, ImproperlyConfigured } from '../core/exceptions.ts';
import type { UploadedFile } from '../core/files/uploadedfile.ts';
import type { ResolverMatch, Urlconf } from '../urls/resolvers.ts';
import type { SessionBase } from '../contrib/sessions/backends/base.ts';
import type { RequestUser } from '../contrib/auth/types.ts';
import { MultiValueDict } from '../utils/datastructures.ts';
import type { BodySource, RequestBody } from './body.ts';
import type * as BodyModule from './body.ts';
import { parseCookie } from './cookie.ts';
import { RawPostDataException } from './exceptions.ts';
import { HttpHeaders } from './headers.ts';
import { QueryDict, quote } from './querydict.ts';
import { iriToUri } from './response.ts';
import type * as Signing from '../core/signing.ts';
import { isSameDomain } from '../utils/http.ts';
import { lazyModule } from '../utils/module-loading.ts';

export type { BodySource } from './body.ts';

const EMPTY = new Uint8Array(0);
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
/** The chunk size `stream()` gives a loaded body in. */
const STREAM_CHUNK = 64 * 1024;

// Loaded on first use and kept (docs/performance.md, Framework, start-up): the body's reader (and
// the spool, node:os) by the first request whose body is read, signing (and crypto) by the first
// signed cookie.
const body = lazyModule<typeof BodyModule>(import.meta.url, './body');
const signing = lazyModule<typeof Signing>(import.meta.url, '../core/signing');

// The settings every request reads (getHost(), scheme), kept in plain fields and re-read only
// when settings change: the settings proxy is too slow to read per request. The values are the
// settings' own (an ALLOWED_HOSTS array changed in place is seen).
const requestSettings = fromSettings(() => ({
  useXForwardedHost: Boolean(settings.USE_X_FORWARDED_HOST),
  useXForwardedPort: Boolean(settings.USE_X_FORWARDED_PORT),
  secureProxySslHeader: settings.SECURE_PROXY_SSL_HEADER as unknown,
  allowedHosts: settings.ALLOWED_HOSTS as readonly string[],
  debug: Boolean(settings.DEBUG),
}));

const HOST = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$/;

/** Splits a Host value into domain and port, as Django's `split_domain_port`; `['', '']` if invalid. */
export function splitDomainPort(host: string): [domain: string, port: string] {
  const match = HOST.exec(host.toLowerCase());
  if (!match) return ['', ''];
  const domain = match[1]!;
  return [domain.endsWith('.') ? domain.slice(0, -1) : domain, match[2] ?? ''];
}

/** Whether `host` matches one of `allowedHosts` (`'*'`, exact, or `'.example.com'` for subdomains). */
export function validateHost(host: string, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((pattern) => pattern === '*' || isSameDomain(host, pattern));
}

/** Parses `type/subtype; a=b` into the lower-cased type and its parameters. */
export function parseHeaderParameters(value: string): [string, Record<string, string>] {
  const [type = '', ...parts] = value.split(';');
  const params: Record<string, string> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[part.slice(0, eq).trim().toLowerCase()] = v;
  }
  return [type.trim().toLowerCase(), params];
}

/** What ALLOWED_HOSTS means with DEBUG on and an empty list. */
const DEBUG_HOSTS: readonly string[] = ['.localhost', '127.0.0.1', '[::1]'];

// Host values that passed getHost()'s check, for the list they were checked against: the same
// one or two Host values come on every request. Kept for a copy of the list, so a list changed
// in place (or another list) starts afresh; bounded, because with '*' any Host passes.
let knownHostsFor: readonly string[] = [];
let knownHostsList: string[] = [];
const knownHosts = new Set<string>();
// The last of them to pass: the Host of the next request is most often the same text, which a
// comparison finds without hashing it. Always one of knownHosts (cleared with them).
let lastKnownHost: string | undefined;

function sameList(list: readonly string[]): boolean {
  if (list !== knownHostsFor || list.length !== knownHostsList.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i] !== knownHostsList[i]) return false;
  return true;
}

function isKnownHost(host: string, allowed: readonly string[]): boolean {
  if (host === lastKnownHost) return sameList(allowed);
  if (knownHosts.size > 0 && knownHosts.has(host) && sameList(allowed)) {
    lastKnownHost = host;
    return true;
  }
  return false;
}

function rememberHost(host: string, allowed: readonly string[]): void {
  if (!sameList(allowed)) {
    knownHosts.clear();
    knownHostsFor = allowed;
    knownHostsList = [...allowed];
  }
  if (knownHosts.size >= 64) knownHosts.clear();
  knownHosts.add(host);
  lastKnownHost = host;
}

/** Where a request's `user` is kept once AuthenticationMiddleware gives it one (`setUserSlot()`). */
export interface UserSlot {
  /** The user; throws when it is not loaded yet. */
  get(): RequestUser;
  set(user: RequestUser): void;
}

/**
 * An HTTP request, as Django's `HttpRequest`: protocol-free. A request handler builds it from what
 * the server gave (the gateway's is `requestFromEnviron()`, in core/handlers/wsgi.ts); `new HttpRequest()`
 * gives an empty one whose fields tests may set.
 *
 * The body is read only when something asks for it: `await request.loadBody()` (the handler does
 * it before calling a view that accepts the request's method), after which `body`, `POST`,
 * `FILES` and `read()` are synchronous, as in Django.
 *
 * @example
 * request.GET.get('q'); request.POST.getlist('tags'); request.FILES.get('avatar')?.size;
 */
export class HttpRequest {
  method: string | null = null;
  /** The full path, with the script prefix: `/app/blog/1/`. */
  path = '';
  /** The path below the script prefix: `/blog/1/`. */
  pathInfo = '';
  scriptName = '';
  /** Set by the handler when the URL resolved. */
  resolverMatch: ResolverMatch | null = null;
  /** A URLconf for this request only (set by middleware), instead of ROOT_URLCONF. */
  urlconf: Urlconf | null | undefined = undefined;
  /** The session, set by SessionMiddleware: `await request.session.load()` before use (docs/sessions.md). */
  declare session: SessionBase;
  /** The user, set by AuthenticationMiddleware: `await request.auser()` before use (docs/auth.md). */
  get user(): RequestUser {
    return this.#userSlot === undefined ? (this.#user as RequestUser) : this.#userSlot.get();
  }

  set user(value: RequestUser) {
    if (this.#userSlot === undefined) this.#user = value;
    else this.#userSlot.set(value);
  }

  /**
   * For AuthenticationMiddleware (`installUser()`): from now on `user` is read from and written to
   * `slot`. A declared field behind a prototype accessor rather than a property defined on each
   * request, so that every request keeps the same shape (docs/performance.md, "A fresh project").
   */
  setUserSlot(slot: UserSlot): void {
    this.#userSlot = slot;
  }

  /** Loads `request.user` (once per request) and resolves to it (AuthenticationMiddleware). */
  declare auser: () => Promise<RequestUser>;
  /** The media type of the body, lower-cased (`multipart/form-data`). */
  contentType: string | null = null;
  contentParams: Record<string, string> | null = null;
  #user: RequestUser | undefined = undefined;
  #userSlot: UserSlot | undefined = undefined;
  #meta: Partial<Environ> = {};
  #encoding: string | null = null;
  #headers: HttpHeaders | undefined;
  #get: QueryDict | undefined;
  #post: QueryDict | undefined;
  #files: MultiValueDict<UploadedFile> | undefined;
  #cookies: Record<string, string> | undefined;
  #body: Uint8Array | undefined;
  /** Where the body comes from, until it is loaded or streamed. */
  #source: BodySource | undefined;
  #loader: RequestBody | undefined;
  /** A body is attached and has not been loaded (nor streamed) yet. */
  #pending = false;
  #readStarted = false;
  #readPosition = 0;
  /** Built by a request handler from a client's request (not by hand). */
  #stream = false;
  #postParseError = false;

  /**
   * For request handlers (the gateway's `requestFromEnviron`): this request comes from a client,
   * and its body (none when null) is read from `source` when something asks for it, as Django's
   * `WSGIRequest` sets `_stream`. Not for views.
   */
  setStream(source: BodySource | null): void {
    this.#stream = true;
    if (source === null) {
      this.#body = EMPTY;
      return;
    }
    this.#source = source;
    this.#pending = true;
  }

  /**
   * False while the request has a body that nobody has read yet: `loadBody()` has work to do.
   * True for a request without a body, once loaded, or once a view took it as a stream.
   */
  get bodyLoaded(): boolean {
    return !this.#pending;
  }

  /**
   * Reads the body (once; later calls return at once), under the upload limits, so that `body`,
   * `POST`, `FILES` and `read()` can be used. A body that breaks a limit (DATA_UPLOAD_MAX_MEMORY_SIZE,
   * FILE_UPLOAD_MAX_SIZE, the field and file counts) is read no further, and the error is raised
   * when those are used, as in Django. The handler calls it before the view; middleware that needs
   * the body awaits it first.
   * @throws UploadStorageError when the body could not be spooled to disk (answered 507/413/500);
   *   RawPostDataException when a view already read the body as a stream.
   * @example
   * await request.loadBody();
   * request.POST.get('title');
   */
  async loadBody(): Promise<void> {
    if (!this.#pending) {
      if (this.#loader === undefined && this.#source !== undefined) throw streamedError();
      return;
    }
    try {
      await this.#reader().load();
    } finally {
      this.#pending = !this.#loader!.done;
    }
  }

  #reader(): RequestBody {
    if (this.#loader !== undefined) return this.#loader;
    const multipart = this.method === 'POST' && this.contentType === 'multipart/form-data';
    this.#loader = new (body().RequestBody)(this.#source!, {
      multipart,
      contentTypeHeader: String(this.META.CONTENT_TYPE ?? ''),
      encoding: this.#charset(),
    });
    return this.#loader;
  }

  /**
   * The value of one form field of a POST, reading the body only as far as needed: a multipart
   * body up to that field (the CSRF check uses it for `csrfmiddlewaretoken`, so a forged upload is
   * refused without being read); any other form in full, under DATA_UPLOAD_MAX_MEMORY_SIZE. Null
   * when the request has no such field (or is not a form POST). Of a field sent several times, a
   * multipart body gives the first value, a urlencoded one the last (`POST.get()`).
   * @throws what using `POST` would raise.
   */
  async readFormField(name: string): Promise<string | null> {
    if (this.method !== 'POST') return null;
    if (this.#pending && this.contentType === 'multipart/form-data') {
      return (await this.#reader().multipartField(name)) ?? null;
    }
    if (this.contentType !== 'multipart/form-data' && this.contentType !== 'application/x-www-form-urlencoded') {
      return null;
    }
    await this.loadBody();
    return this.POST.get(name) ?? null;
  }

  /**
   * The body as it arrives, chunk by chunk, for a view that reads it itself (one decorated with
   * `streamRequestBody`, which the handler does not load the body for). Not limited by
   * DATA_UPLOAD_MAX_MEMORY_SIZE (as Django's `read()`); the server's request-body limit still
   * applies. Once streamed, `body`, `POST` and `loadBody()` are no longer available. A body that
   * was loaded already is given from where it was kept.
   *
   * @example
   * export const upload = streamRequestBody(async (request) => {
   *   for await (const chunk of request.stream()) await file.write(chunk);
   *   return new HttpResponse('stored');
   * });
   */
  stream(): AsyncIterable<Uint8Array> {
    if (this.#pending) {
      const input = this.#loader !== undefined ? this.#loader.takeInput() : this.#source!.input;
      this.#pending = false;
      this.#readStarted = true;
      this.#loader = undefined;
      return input;
    }
    if (this.#readStarted && this.#body === undefined) throw streamedError();
    const loader = this.#body === undefined ? this.#loader : undefined;
    if (loader === undefined) return chunksOf(this.body);
    // A loaded body that may be on disk: given in chunks, not read whole.
    const size = loader.size();
    return (async function* () {
      for (let position = 0; position < size; position += STREAM_CHUNK) yield loader.readAt(position, STREAM_CHUNK);
    })();
  }

  /** `for await (const chunk of request)`: the same as `request.stream()`. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.stream()[Symbol.asyncIterator]();
  }

  /** The environ (empty for a request built by hand). Setting it resets headers, GET and COOKIES. */
  get META(): Partial<Environ> {
    return this.#meta;
  }

  set META(value: Partial<Environ>) {
    this.#meta = value;
    this.#headers = undefined;
    this.#cookies = undefined;
    if (this.#stream) this.#get = undefined;
  }

  /** The charset of the body and query (from Content-Type), or null for DEFAULT_CHARSET. Setting it re-parses GET/POST. */
  get encoding(): string | null {
    return this.#encoding;
  }

  set encoding(value: string | null) {
    this.#encoding = value;
    this.#get = undefined;
    if (this.#post !== undefined && this.contentType === 'application/x-www-form-urlencoded') this.#post = undefined;
  }

  #charset(): string {
    return this.#encoding ?? String(settings.DEFAULT_CHARSET);
  }

  /** The request headers, case-insensitive (`request.headers.get('user-agent')`). */
  get headers(): HttpHeaders {
    return (this.#headers ??= new HttpHeaders(this.META));
  }

  set headers(value: HttpHeaders) {
    this.#headers = value;
  }

  /** The query string, parsed. */
  get GET(): QueryDict {
    if (this.#get === undefined) {
      if (!this.#stream) return (this.#get = new QueryDict(null, { mutable: true }));
      const query = String(this.META.QUERY_STRING ?? '');
      // Raw bytes past ASCII (a latin-1 string, spec §3.1 as PEP 3333) are decoded with the
      // request's charset, as Django does with the query's bytes.
      this.#get = new QueryDict(NON_ASCII.test(query) ? Buffer.from(query, 'latin1') : query, {
        encoding: this.#charset(),
        maxNumFields: settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
      });
    }
    return this.#get;
  }

  set GET(value: QueryDict) {
    this.#get = value;
  }

  /** The form fields of a POST (urlencoded or multipart); empty for other methods and types. */
  get POST(): QueryDict {
    if (this.#post === undefined) this.#loadPostAndFiles();
    return this.#post!;
  }

  set POST(value: QueryDict) {
    this.#post = value;
  }

  /** The uploaded files of a multipart POST, by field name. */
  get FILES(): MultiValueDict<UploadedFile> {
    if (this.#files === undefined) this.#loadPostAndFiles();
    return this.#files!;
  }

  set FILES(value: MultiValueDict<UploadedFile>) {
    this.#files = value;
  }

  #markPostParseError(): void {
    this.#post = new QueryDict(null, { encoding: this.#charset() });
    this.#files = new MultiValueDict();
    this.#postParseError = true;
  }

  #loadPostAndFiles(): void {
    const type = this.contentType;
    const form = type === 'multipart/form-data' || type === 'application/x-www-form-urlencoded';
    if (!this.#stream || this.method !== 'POST' || !form) {
      this.#post ??= new QueryDict(null, { mutable: !this.#stream, encoding: this.#charset() });
      this.#files ??= new MultiValueDict();
      return;
    }
    if (this.#readStarted && this.#body === undefined) {
      // As Django: once the stream was read, the form cannot be parsed any more.
      this.#markPostParseError();
      return;
    }
    if (this.#pending) throw notLoaded('request.POST and request.FILES were');
    if (type === 'multipart/form-data' && this.#loader !== undefined) {
      let form;
      try {
        form = this.#loader.form();
      } catch (error) {
        // Django marks the error so that error pages reading POST do not fail again.
        this.#markPostParseError();
        throw error;
      }
      this.#post = form.post ?? new QueryDict(null, { encoding: this.#charset() });
      this.#files = form.files ?? new MultiValueDict();
      if (this.#body === undefined) this.#readStarted = true;
      return;
    }
    // A urlencoded body (or a multipart one given as bytes: none to parse), decoded with the
    // request's charset as Django 3.2 does (latin-1, windows-1252, ...), not only UTF-8.
    this.#post =
      type === 'application/x-www-form-urlencoded'
        ? new QueryDict(this.body, { encoding: this.#charset(), maxNumFields: settings.DATA_UPLOAD_MAX_NUMBER_FIELDS })
        : new QueryDict(null, { encoding: this.#charset() });
    this.#files = new MultiValueDict();
  }

  /**
   * The raw body.
   * @throws RequestDataTooBig past DATA_UPLOAD_MAX_MEMORY_SIZE; RawPostDataException after the
   *   body was read as a stream (`read()`, `stream()`) or parsed as multipart; UnreadablePostError
   *   when the client went away mid-body; an Error naming `loadBody()` before the body was loaded.
   */
  get body(): Uint8Array {
    if (this.#body !== undefined) return this.#body;
    if (this.#readStarted) {
      throw new RawPostDataException(
        "You cannot access body after reading from request's data stream: read request.body first, " +
          'then use request.POST, request.FILES or request.read().',
      );
    }
    if (this.#pending) throw notLoaded('request.body was');
    if (this.#loader === undefined) return (this.#body = EMPTY);
    this.#body = this.#loader.raw();
    return this.#body;
  }

  set body(value: Uint8Array | string) {
    this.#body = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.#post = undefined;
    this.#files = undefined;
  }

  /**
   * The body parsed as JSON (decoded with the request's charset).
   * @throws BadRequest when it is not valid JSON.
   */
  json(): unknown {
    const text = new TextDecoder(this.#charset()).decode(this.body);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new BadRequest(
        `The request body is not valid JSON (${(error as Error).message}). Send a JSON document, for example with Content-Type: application/json.`,
        { cause: error },
      );
    }
  }

  /**
   * Reads up to `size` bytes of the loaded body as a stream (all that remain when omitted), as
   * Django's file-like request. Afterwards `body` is no longer available, unless it was read first.
   */
  read(size?: number): Uint8Array {
    if (this.#pending) throw notLoaded('request.read() was');
    const loader = this.#body === undefined ? this.#loader : undefined;
    const total = loader !== undefined ? loader.size() : (this.#body?.byteLength ?? 0);
    this.#readStarted = true;
    const length = Math.max(0, Math.min(size ?? total, total - this.#readPosition));
    if (length === 0) return EMPTY;
    const chunk =
      loader !== undefined
        ? loader.readAt(this.#readPosition, length)
        : this.#body!.subarray(this.#readPosition, this.#readPosition + length);
    this.#readPosition += chunk.byteLength;
    return chunk;
  }

  /** Reads one line of the body (up to and including `\n`). */
  readline(limit = Infinity): Uint8Array {
    const parts: Uint8Array[] = [];
    let length = 0;
    while (length < limit) {
      const chunk = this.read(Math.min(8192, limit - length));
      if (chunk.byteLength === 0) break;
      const newline = chunk.indexOf(10);
      if (newline !== -1) {
        parts.push(chunk.subarray(0, newline + 1));
        this.#readPosition -= chunk.byteLength - newline - 1;
        break;
      }
      parts.push(chunk);
      length += chunk.byteLength;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The request cookies, parsed as Django's `parse_cookie`. */
  get COOKIES(): Record<string, string> {
    if (this.#cookies === undefined) {
      const header = this.META.HTTP_COOKIE;
      this.#cookies = typeof header === 'string' ? parseCookie(header) : {};
    }
    return this.#cookies;
  }

  set COOKIES(value: Record<string, string>) {
    this.#cookies = value;
  }

  /**
   * The value of a cookie set with `response.setSignedCookie()`, verified (and, with `maxAge`,
   * not older than that many seconds). Without `fallback`, a missing or bad cookie throws.
   * @throws BadSignature when missing or invalid, SignatureExpired when too old.
   */
  getSignedCookie(
    name: string,
    options: { fallback?: string | null; salt?: string; maxAge?: number } = {},
  ): string | null {
    const hasFallback = 'fallback' in options;
    const { BadSignature, getCookieSigner, TimestampSigner } = signing();
    const raw = this.COOKIES[name];
    if (raw === undefined) {
      if (hasFallback) return options.fallback ?? null;
      throw new BadSignature(`The request has no cookie named '${name}'.`);
    }
    try {
      const signer = getCookieSigner(name + (options.salt ?? ''));
      return signer instanceof TimestampSigner ? signer.unsign(raw, options.maxAge) : signer.unsign(raw);
    } catch (error) {
      if (hasFallback && error instanceof BadSignature) return options.fallback ?? null;
      throw error;
    }
  }

  /** `'http'` or `'https'`, honouring SECURE_PROXY_SSL_HEADER. */
  get scheme(): string {
    const proxyHeader = requestSettings().secureProxySslHeader;
    if (proxyHeader !== null && proxyHeader !== undefined) {
      if (!Array.isArray(proxyHeader) || proxyHeader.length !== 2) {
        throw new ImproperlyConfigured(
          `The SECURE_PROXY_SSL_HEADER setting must be a list of two values, as ['HTTP_X_FORWARDED_PROTO', 'https'], ` +
            `got ${JSON.stringify(proxyHeader)}.`,
        );
      }
      const [header, secureValue] = proxyHeader as [string, string];
      const value = this.META[header];
      if (typeof value === 'string') return value.split(',', 1)[0]!.trim() === secureValue ? 'https' : 'http';
    }
    return String(this.META['wsgi.url_scheme'] ?? 'http');
  }

  isSecure(): boolean {
    return this.scheme === 'https';
  }

  /** The port: `SERVER_PORT`, or `X-Forwarded-Port` with USE_X_FORWARDED_PORT. */
  getPort(): string {
    if (requestSettings().useXForwardedPort && this.META.HTTP_X_FORWARDED_PORT !== undefined) {
      return String(this.META.HTTP_X_FORWARDED_PORT);
    }
    return String(this.META.SERVER_PORT ?? '');
  }

  #rawHost(): string {
    if (requestSettings().useXForwardedHost && this.META.HTTP_X_FORWARDED_HOST !== undefined) {
      return this.META.HTTP_X_FORWARDED_HOST;
    }
    if (this.META.HTTP_HOST !== undefined) return this.META.HTTP_HOST;
    let host = String(this.META.SERVER_NAME ?? '');
    const port = this.getPort();
    if (port !== (this.isSecure() ? '443' : '80')) host += `:${port}`;
    return host;
  }

  /**
   * The host the client asked for, checked against ALLOWED_HOSTS (with DEBUG and an empty list:
   * localhost, its subdomains, 127.0.0.1 and [::1]).
   * @throws DisallowedHost naming the host and the fix.
   */
  getHost(): string {
    const host = this.#rawHost();
    const { allowedHosts, debug } = requestSettings();
    const allowed = debug && allowedHosts.length === 0 ? DEBUG_HOSTS : allowedHosts;
    if (isKnownHost(host, allowed)) return host;
    const [domain] = splitDomainPort(host);
    if (domain !== '' && validateHost(domain, allowed)) {
      rememberHost(host, allowed);
      return host;
    }
    let message = `Invalid HTTP_HOST header: ${JSON.stringify(host)}.`;
    if (domain !== '') message += ` You may need to add ${JSON.stringify(domain)} to ALLOWED_HOSTS.`;
    else message += ' The domain name provided is not valid according to RFC 1034/1035.';
    throw new DisallowedHost(message);
  }

  /** The path with the query string: `/search/?q=a`; `forceAppendSlash` adds a missing `/`. */
  getFullPath(forceAppendSlash = false): string {
    return this.#fullPath(this.path, forceAppendSlash);
  }

  /** As `getFullPath`, without the script prefix. */
  getFullPathInfo(forceAppendSlash = false): string {
    return this.#fullPath(this.pathInfo, forceAppendSlash);
  }

  #fullPath(path: string, forceAppendSlash: boolean): string {
    const query = String(this.META.QUERY_STRING ?? '');
    return (
      escapeUriPath(path) +
      (forceAppendSlash && !path.endsWith('/') ? '/' : '') +
      (query !== '' ? '?' + iriToUri(query) : '')
    );
  }

  /**
   * An absolute URI for `location` (this request's URL when omitted), on this request's scheme
   * and host.
   *
   * @example
   * request.buildAbsoluteUri('/login/'); // 'https://example.com/login/'
   */
  buildAbsoluteUri(location?: string): string {
    const base = `${this.scheme}://${this.getHost()}`;
    let target = location ?? `//${this.getFullPath()}`;
    const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(target);
    if (hasScheme && /^[a-z][a-z0-9+.-]*:\/\/[^/?#]/i.test(target)) return iriToUri(target);
    const netloc = hasScheme ? '' : (/^\/\/([^/?#]*)/.exec(target)?.[1] ?? '');
    const pathPart = (target.startsWith('//') ? target.slice(2 + netloc.length) : target).split(/[?#]/, 1)[0]!;
    if (
      !hasScheme &&
      netloc === '' &&
      pathPart.startsWith('/') &&
      !pathPart.includes('/./') &&
      !pathPart.includes('/../')
    ) {
      // A path on this host; `//` + a path (no host) reuses this request's scheme and host.
      if (target.startsWith('//')) target = target.slice(2);
      return iriToUri(base + target);
    }
    return iriToUri(new URL(target, base + escapeUriPath(this.path)).href);
  }

  /** Deletes the request's temporary files (spooled body, uploads). The handler calls it at the end. */
  close(): void {
    this.#loader?.close();
  }

  /**
   * Whether the client accepts this media type (Django's `accepts()`), per the Accept header;
   * no header means anything is accepted.
   * @example request.accepts('application/json')
   */
  accepts(mediaType: string): boolean {
    const wanted = mediaType.toLowerCase();
    const [wantedMain, wantedSub] = wanted.split('/');
    return this.acceptedTypes().some(({ type }) => {
      const [main, sub] = type.split('/');
      return type === '*/*' || type === wanted || (main === wantedMain && sub === '*' && wantedSub !== undefined);
    });
  }

  /** The media types of the Accept header, most preferred first (q=0 types left out). */
  acceptedTypes(): Array<{ type: string; q: number; params: Record<string, string> }> {
    const header = this.headers.get('Accept') ?? '*/*';
    const types = header
      .split(',')
      .map((part) => {
        const [type, params] = parseHeaderParameters(part);
        const q = params.q === undefined ? 1 : Number(params.q);
        delete params.q;
        return { type, q: Number.isFinite(q) ? q : 0, params };
      })
      .filter((t) => t.type !== '' && t.q > 0);
    return types.sort((a, b) => b.q - a.q);
  }

  /** `<HttpRequest: GET '/path/?q=1'>`, for logs. */
  toString(): string {
    return `<HttpRequest: ${this.method ?? ''} ${JSON.stringify(this.getFullPath())}>`;
  }

  /** Whether POST/FILES could not be parsed (they read as empty after the first error). */
  get postParseError(): boolean {
    return this.#postParseError;
  }
}

/** Escapes a path for a URI as Django's `escape_uri_path`. */
export function escapeUriPath(path: string): string {
  return quote(path, "/:@&+$,-_.!~*'()");
}

/** The error for a body used before it was loaded, naming what to await. */
function notLoaded(what: string): Error {
  return new Error(
    `${what} used before the request body was read. Await request.loadBody() first: the handler does it before ` +
      'calling a view that accepts the request method, so this is middleware (or a view decorated with ' +
      'streamRequestBody) reading the body too early.',
  );
}

async function* chunksOf(content: Uint8Array): AsyncGenerator<Uint8Array> {
  if (content.byteLength > 0) yield content;
}

function streamedError(): RawPostDataException {
  return new RawPostDataException(
    "You cannot access body after reading from request's data stream: the view read it with request.stream().",
  );
}
