/**
 * `HttpRequest`, as Django's `django.http.HttpRequest` / `WSGIRequest`.
 *
 * `HttpRequest.fromEnviron()` reads the whole body before the view runs (docs/architecture.md):
 * into memory, or into a temporary file past `FILE_UPLOAD_MAX_MEMORY_SIZE`; multipart bodies go
 * through busboy at that point. So `body`, `POST` and `FILES` are synchronous, as in Django, and
 * the limits found while reading are raised only when those properties are used.
 */
import type { Environ } from '../gateway/types.ts';
import { fromSettings, settings } from '../conf/index.ts';
import { BadRequest, DisallowedHost, ImproperlyConfigured, RequestDataTooBig } from '../core/exceptions.ts';
import type { UploadedFile } from '../core/files/uploadedfile.ts';
import type { ResolverMatch, Urlconf } from '../urls/resolvers.ts';
import { MultiValueDict } from '../utils/datastructures.ts';
import { parseCookie } from './cookie.ts';
import { RawPostDataException, UnreadablePostError } from './exceptions.ts';
import { HttpHeaders } from './headers.ts';
import type { MultipartParser, MultipartResult } from './multipartparser.ts';
import { QueryDict, quote } from './querydict.ts';
import { iriToUri } from './response.ts';
import type { Spool } from './spool.ts';
import type * as SpoolModule from './spool.ts';
import type * as Signing from '../core/signing.ts';
import { isSameDomain } from '../utils/http.ts';
import { lazyModule } from '../utils/module-loading.ts';

const EMPTY = new Uint8Array(0);

// Loaded on first use and kept (docs/performance.md, Framework, start-up): the spool (and
// node:os) by the first request with a body, signing (and crypto) by the first signed cookie.
const spool = lazyModule<typeof SpoolModule>(import.meta.url, './spool');
const signing = lazyModule<typeof Signing>(import.meta.url, '../core/signing');

// The settings every request reads (building it, getHost(), scheme), kept in plain fields and
// re-read only when settings change: the settings proxy is too slow to read per request. The
// values are the settings' own (an ALLOWED_HOSTS array changed in place is seen).
const requestSettings = fromSettings(() => ({
  forceScriptName: settings.FORCE_SCRIPT_NAME as unknown,
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

function isKnownCharset(charset: string): boolean {
  try {
    new TextDecoder(charset);
    return true;
  } catch {
    return false;
  }
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

/**
 * Builds a request from an environ, as `HttpRequest.fromEnviron()`, but without a promise when
 * there is no body to read (most requests): the handler then runs them synchronously until the
 * view. Internal to the framework.
 */
export let requestFromEnviron: (environ: Environ) => HttpRequest | Promise<HttpRequest>;

/**
 * An HTTP request. Build it with `await HttpRequest.fromEnviron(environ)`; `new HttpRequest()`
 * gives an empty one whose fields tests may set.
 *
 * @example
 * const request = await HttpRequest.fromEnviron(environ);
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
  /** The media type of the body, lower-cased (`multipart/form-data`). */
  contentType: string | null = null;
  contentParams: Record<string, string> | null = null;
  #meta: Partial<Environ> = {};
  #encoding: string | null = null;
  #headers: HttpHeaders | undefined;
  #get: QueryDict | undefined;
  #post: QueryDict | undefined;
  #files: MultiValueDict<UploadedFile> | undefined;
  #cookies: Record<string, string> | undefined;
  #body: Uint8Array | undefined;
  #spool: Spool | undefined;
  #multipart: MultipartResult | undefined;
  #bodyError: Error | undefined;
  #readStarted = false;
  #readPosition = 0;
  #stream = false;
  #postParseError = false;

  /**
   * Builds a request from a gateway environ and reads its body (docs/architecture.md).
   * Never rejects because of the body: problems are raised when `body`/`POST`/`FILES` are used.
   */
  static async fromEnviron(environ: Environ): Promise<HttpRequest> {
    return requestFromEnviron(environ);
  }

  static {
    requestFromEnviron = (environ) => {
      const request = new HttpRequest();
      request.#meta = environ;
      request.#stream = true;
      const forced = requestSettings().forceScriptName;
      const scriptName = typeof forced === 'string' ? forced : (environ.SCRIPT_NAME ?? '');
      const pathInfo = environ.PATH_INFO || '/';
      request.scriptName = scriptName;
      request.pathInfo = pathInfo;
      // The usual case (no prefix, a path from the root) needs no new string.
      request.path =
        scriptName === '' && pathInfo.charCodeAt(0) === 47
          ? pathInfo
          : `${scriptName.replace(/\/+$/, '')}/${pathInfo.replace('/', '')}`;
      const method = environ.REQUEST_METHOD;
      request.method = method === 'GET' ? method : String(method ?? 'GET').toUpperCase();
      const rawType = environ.CONTENT_TYPE;
      if (rawType === undefined || rawType === '') {
        request.contentType = '';
        request.contentParams = {};
      } else {
        const [contentType, params] = parseHeaderParameters(rawType);
        request.contentType = contentType;
        request.contentParams = params;
        if (params.charset !== undefined && isKnownCharset(params.charset)) request.#encoding = params.charset;
      }
      const length = environ.CONTENT_LENGTH;
      if (environ.HTTP_TRANSFER_ENCODING === undefined && (length === undefined || length === '' || length === '0')) {
        // No body: nothing to wait for, so no promise either.
        request.#body = EMPTY;
        return request;
      }
      return request.#readInput(environ).then(() => request);
    };
  }

  async #readInput(environ: Environ): Promise<void> {
    const maxBody = settings.DATA_UPLOAD_MAX_MEMORY_SIZE;
    const fileMemoryLimit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE;
    const tempDir = settings.FILE_UPLOAD_TEMP_DIR;
    let parser: MultipartParser | undefined;
    const { Spool } = spool();
    if (this.method === 'POST' && this.contentType === 'multipart/form-data') {
      // busboy and the upload classes are loaded by the first multipart request, not at boot.
      const { MultipartParser } = await import('./multipartparser.ts');
      parser = new MultipartParser(environ.CONTENT_TYPE!, {
        encoding: this.encoding ?? String(settings.DEFAULT_CHARSET),
        maxFields: settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        maxFiles: settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        maxFieldBytes: maxBody,
        fileMemoryLimit,
        tempDir,
      });
      // The raw multipart body is kept only while small; the parsed fields and files are what count.
      this.#spool = new Spool({ threshold: Infinity, limit: maxBody ?? fileMemoryLimit });
    } else {
      // Past DATA_UPLOAD_MAX_MEMORY_SIZE nothing may read the body, so it is not kept: unlike
      // Django, tsgi reads every body before the view, and must not let any URL fill the disk.
      this.#spool = new Spool({ threshold: fileMemoryLimit, tempDir, limit: maxBody });
    }
    try {
      for await (const chunk of environ['wsgi.input']) {
        await this.#spool.write(chunk);
        if (parser !== undefined) await parser.write(chunk);
      }
      await this.#spool.finish();
    } catch (error) {
      this.#bodyError =
        error instanceof ImproperlyConfigured
          ? error
          : new UnreadablePostError(`The request body could not be read: ${(error as Error).message}`, {
              cause: error,
            });
    }
    if (parser !== undefined) this.#multipart = await parser.end();
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
      this.#get = new QueryDict(String(this.META.QUERY_STRING ?? ''), {
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
    if (!this.#stream || this.method !== 'POST') {
      this.#post ??= new QueryDict(null, { mutable: !this.#stream, encoding: this.#charset() });
      this.#files ??= new MultiValueDict();
      return;
    }
    if (this.#readStarted && this.#body === undefined) {
      // As Django: once the stream was read, the form cannot be parsed any more.
      this.#markPostParseError();
      return;
    }
    if (this.contentType === 'multipart/form-data') {
      const result = this.#multipart;
      if (this.#bodyError !== undefined || result?.error !== undefined) {
        // Django marks the error so that error pages reading POST do not fail again.
        this.#markPostParseError();
        throw this.#bodyError ?? result!.error;
      }
      // No result: the request had no body at all.
      this.#post = result?.post ?? new QueryDict(null, { encoding: this.#charset() });
      this.#files = result?.files ?? new MultiValueDict();
      if (this.#body === undefined) this.#readStarted = true;
      return;
    }
    if (this.contentType === 'application/x-www-form-urlencoded') {
      // RFC 1866 §8.2.1: this type has no charset; it is always UTF-8 (as Django 5.1).
      if (this.#encoding !== null && !/^utf-?8$/i.test(this.#encoding)) {
        throw new BadRequest(
          `HTTP requests with the 'application/x-www-form-urlencoded' content type must be UTF-8 encoded, ` +
            `not ${this.#encoding}.`,
        );
      }
      this.#post = new QueryDict(this.body, {
        encoding: 'utf-8',
        maxNumFields: settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
      });
      this.#files = new MultiValueDict();
      return;
    }
    this.#post = new QueryDict(null, { encoding: this.#charset() });
    this.#files = new MultiValueDict();
  }

  /**
   * The raw body.
   * @throws RequestDataTooBig past DATA_UPLOAD_MAX_MEMORY_SIZE; RawPostDataException after the
   *   body was read as a stream (`read()`) or parsed as multipart; UnreadablePostError when the
   *   client went away mid-body.
   */
  get body(): Uint8Array {
    if (this.#body !== undefined) return this.#body;
    if (this.#readStarted) {
      throw new RawPostDataException(
        "You cannot access body after reading from request's data stream: read request.body first, " +
          'then use request.POST, request.FILES or request.read().',
      );
    }
    if (this.#bodyError !== undefined) throw this.#bodyError;
    const spool = this.#spool;
    if (spool === undefined) return (this.#body = EMPTY);
    const limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE;
    if (limit !== null && spool.size > limit) throw tooBig(limit);
    if (spool.dropped) {
      if (this.contentType !== 'multipart/form-data') throw tooBig(limit ?? spool.size);
      throw new RawPostDataException(
        `The raw body of this multipart request (${spool.size} bytes) was not kept in memory: use request.POST and request.FILES.`,
      );
    }
    this.#body = spool.bytes();
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
   * Reads up to `size` bytes of the body as a stream (all that remain when omitted), as Django's
   * file-like request. Afterwards `body` is no longer available, unless it was read first.
   */
  read(size?: number): Uint8Array {
    if (this.#bodyError !== undefined) throw this.#bodyError;
    if (this.#body === undefined && this.#spool?.dropped) {
      if (this.contentType === 'multipart/form-data') {
        throw new RawPostDataException(
          `The raw body of this multipart request (${this.#spool.size} bytes) was not kept in memory: use request.POST and request.FILES.`,
        );
      }
      throw tooBig(settings.DATA_UPLOAD_MAX_MEMORY_SIZE ?? this.#spool.size);
    }
    this.#readStarted = true;
    const total = this.#body?.byteLength ?? this.#spool?.size ?? 0;
    const length = Math.max(0, Math.min(size ?? total, total - this.#readPosition));
    if (length === 0) return EMPTY;
    const chunk =
      this.#body !== undefined
        ? this.#body.subarray(this.#readPosition, this.#readPosition + length)
        : this.#spool!.readAt(this.#readPosition, length);
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
    this.#spool?.discard();
    if (this.#multipart !== undefined) {
      for (const [, files] of this.#multipart.files.lists()) for (const file of files) file.close();
    }
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

/** The error for field data past DATA_UPLOAD_MAX_MEMORY_SIZE. */
export function tooBig(limit: number): RequestDataTooBig {
  return new RequestDataTooBig(
    `Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE (${limit} bytes). ` +
      'Send less data, or raise the setting if such requests are legitimate.',
  );
}
