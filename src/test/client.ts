/**
 * The framework's test client, as Django's `django.test.Client`: requests go through the whole
 * framework (middleware, URLconf, views) in-process, through the gateway, without a socket. Each
 * response also carries what a test wants to look at: the request, `resolverMatch`, the template
 * used, `json()`. Cookies set by responses are sent with the next requests.
 */
import { settings } from '../conf/index.ts';
import { setup } from '../core/wsgi.ts';
import { WSGIHandler, requestFromEnviron } from '../core/handlers/wsgi.ts';
import { gotRequestException } from '../core/signals.ts';
import { buildTestEnviron, callApplication } from '../gateway/testing.ts';
import type { TestRequest, TestResponse } from '../gateway/testing.ts';
import type { Application, Environ, HeaderList } from '../gateway/types.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { dontEnforceCsrfChecks } from '../middleware/csrf.ts';
import type { ResolverMatch } from '../urls/resolvers.ts';
import { lazyModule } from '../utils/module-loading.ts';
import type * as Auth from '../contrib/auth/login.ts';
import type * as AuthConfigured from '../contrib/auth/configured.ts';
import type * as AuthMiddleware from '../contrib/auth/middleware.ts';
import type * as Sessions from '../contrib/sessions/middleware.ts';
import type { SessionBase } from '../contrib/sessions/backends/base.ts';

// Loaded by the first login(): a project without auth never loads it.
const auth = lazyModule<typeof Auth>(import.meta.url, '../contrib/auth/login');
const authConfigured = lazyModule<typeof AuthConfigured>(import.meta.url, '../contrib/auth/configured');
const authMiddleware = lazyModule<typeof AuthMiddleware>(import.meta.url, '../contrib/auth/middleware');
const sessions = lazyModule<typeof Sessions>(import.meta.url, '../contrib/sessions/middleware');

/** A file to upload in a multipart body. A `File`/`Blob` works too. */
export interface UploadFile {
  name: string;
  content: string | Uint8Array;
  contentType?: string;
}

/** A form value: text, several values, a file, or several files. */
export type FormValue =
  string | number | boolean | UploadFile | Blob | ReadonlyArray<string | number | boolean | UploadFile | Blob>;

/** Request data: form fields, a raw body, or (with a JSON content type) anything serialisable. */
export type RequestData = Record<string, unknown> | string | Uint8Array | unknown[] | null | undefined;

/** Options of a request. */
export interface RequestOptions {
  /** Query parameters, added to any in the path. */
  query?: Record<string, string | number | readonly (string | number)[]> | URLSearchParams | string;
  /** Request headers. */
  headers?: Record<string, string>;
  /** The body's media type (`post()` defaults to multipart, `put()`... to `application/octet-stream`). */
  contentType?: string;
  /** Make the request over HTTPS. */
  secure?: boolean;
  /** Follow redirects (up to 20) and list them in `response.redirectChain`. */
  follow?: boolean;
  /** Extra environ keys. */
  environ?: Record<string, unknown>;
}

/** Options of a Client. */
export interface ClientOptions {
  /** Run the CSRF checks (off by default, as in Django: tests post without tokens). */
  enforceCsrfChecks?: boolean;
  /** Re-throw an exception raised by a view instead of returning the 500 page (default true). */
  raiseRequestException?: boolean;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Another TSGI application to drive (default: the framework's, built from settings). */
  application?: Application;
  /** Wraps the application before use, e.g. in the gateway's validator so every exchange is checked. */
  wrap?: (application: Application) => Application;
}

export const BOUNDARY = 'BoUnDaRyStRiNg';
export const MULTIPART_CONTENT = `multipart/form-data; boundary=${BOUNDARY}`;

/** A response seen by the test client. */
export interface ClientResponse {
  readonly statusCode: number;
  /** The status line: `"200 OK"`. */
  readonly status: string;
  readonly reasonPhrase: string;
  /** The response headers as sent, in order. */
  readonly headerList: HeaderList;
  /** A header's first value, case-insensitive. */
  get(name: string): string | undefined;
  has(name: string): boolean;
  /** The body as sent (streamed bodies are collected). */
  readonly content: Uint8Array;
  readonly text: string;
  json<T = unknown>(): T;
  /** The framework's response object (undefined when another application answered). */
  readonly response: HttpResponseBase | undefined;
  /** The request the view saw. */
  readonly request: HttpRequest | undefined;
  readonly resolverMatch: ResolverMatch | null;
  /** The names of the templates rendered for the response (TemplateResponse). */
  readonly templates: string[];
  /** The template context (TemplateResponse). */
  readonly context: Record<string, unknown> | undefined;
  /** Cookies the response set, by name. */
  readonly cookies: Record<string, string>;
  /** With `follow`: each redirect followed, as `[url, status]`. */
  readonly redirectChain: Array<[string, number]>;
  /** What the application wrote to `wsgi.errors`. */
  readonly errors: string;
}

interface Captured {
  request?: HttpRequest;
  response?: HttpResponseBase;
  error?: unknown;
}

const captures = new WeakMap<Environ, Captured>();
let testHostAdded = false;

/**
 * Adds `testserver` (the client's default host) to `ALLOWED_HOSTS`, as Django's test runner does;
 * the client calls it before its first request. An override of ALLOWED_HOSTS in a test wins.
 */
export function setupTestEnvironment(): void {
  if (testHostAdded) return;
  testHostAdded = true;
  const hosts = settings.ALLOWED_HOSTS;
  if (!hosts.includes('testserver') && !hosts.includes('*'))
    settings.override({ ALLOWED_HOSTS: [...hosts, 'testserver'] });
}

/** The WSGIHandler of the client: records the request and the response, and skips CSRF unless asked. */
class ClientHandler extends WSGIHandler {
  readonly enforceCsrfChecks: boolean;

  constructor(enforceCsrfChecks: boolean) {
    super();
    this.enforceCsrfChecks = enforceCsrfChecks;
  }

  override getResponse(request: HttpRequest): Promise<HttpResponseBase> {
    if (!this.enforceCsrfChecks) dontEnforceCsrfChecks(request);
    const captured = captures.get(request.META as Environ);
    if (captured) captured.request = request;
    return super.getResponse(request).then((response) => {
      if (captured) captured.response = response;
      return response;
    });
  }
}

function encodeText(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function isUpload(value: unknown): value is UploadFile {
  return typeof value === 'object' && value !== null && 'name' in value && 'content' in value;
}

/** A multipart/form-data body for `data` with the client's boundary (Django's `encode_multipart`). */
export async function encodeMultipart(boundary: string, data: Record<string, unknown>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const push = (text: string) => parts.push(encodeText(text));
  for (const [key, raw] of Object.entries(data)) {
    if (raw === null || raw === undefined) {
      throw new TypeError(
        `Cannot encode ${raw === null ? 'null' : 'undefined'} for key '${key}' as POST data. Did you mean to pass an empty string or omit the value?`,
      );
    }
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (isUpload(value) || value instanceof Blob) {
        const name = isUpload(value) ? value.name : ((value as { name?: string }).name ?? key);
        const type = (isUpload(value) ? value.contentType : (value as Blob).type) || 'application/octet-stream';
        const content = isUpload(value)
          ? typeof value.content === 'string'
            ? encodeText(value.content)
            : value.content
          : new Uint8Array(await (value as Blob).arrayBuffer());
        push(
          `--${boundary}\r\nContent-Disposition: form-data; name="${key}"; filename="${name.split(/[\\/]/).pop()}"\r\nContent-Type: ${type}\r\n\r\n`,
        );
        parts.push(content);
        push('\r\n');
      } else {
        push(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${String(value)}\r\n`);
      }
    }
  }
  push(`--${boundary}--\r\n`);
  return Buffer.concat(parts);
}

function queryString(query: RequestOptions['query'], data?: RequestData): string {
  const params = new URLSearchParams(
    typeof query === 'string' ? query : query instanceof URLSearchParams ? query : undefined,
  );
  const add = (source: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(source ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
    }
  };
  if (query !== undefined && typeof query === 'object' && !(query instanceof URLSearchParams))
    add(query as Record<string, unknown>);
  if (data !== null && typeof data === 'object' && !(data instanceof Uint8Array) && !Array.isArray(data)) add(data);
  return params.toString();
}

/**
 * Requests through the whole framework, in-process.
 *
 * @example
 * const client = new Client();
 * const response = await client.get('/articles/2024/', { query: { page: 2 } });
 * assert.equal(response.statusCode, 200);
 * assert.deepEqual(response.json(), { year: 2024 });
 * await client.post('/login/', { username: 'ada', password: 's3cret' });
 */
export class Client {
  readonly enforceCsrfChecks: boolean;
  readonly raiseRequestException: boolean;
  readonly defaultHeaders: Record<string, string>;
  /** Cookies sent with each request: updated from every response's `Set-Cookie`. */
  readonly cookies = new Map<string, string>();
  #application: Application | undefined;
  #handler: ClientHandler | undefined;
  #wrap: ((application: Application) => Application) | undefined;
  #wrapped: Application | undefined;

  constructor(options: ClientOptions = {}) {
    this.enforceCsrfChecks = options.enforceCsrfChecks ?? false;
    this.raiseRequestException = options.raiseRequestException ?? true;
    this.defaultHeaders = { ...(options.headers ?? {}) };
    this.#application = options.application;
    this.#wrap = options.wrap;
  }

  get(path: string, data?: Record<string, unknown> | null, options: RequestOptions = {}): Promise<ClientResponse> {
    return this.#send('GET', path, undefined, { ...options, query: queryString(options.query, data) });
  }

  head(path: string, data?: Record<string, unknown> | null, options: RequestOptions = {}): Promise<ClientResponse> {
    return this.#send('HEAD', path, undefined, { ...options, query: queryString(options.query, data) });
  }

  /** POST: `data` as multipart (default), urlencoded, JSON (with `contentType: 'application/json'`) or a raw body. */
  post(path: string, data?: RequestData, options: RequestOptions = {}): Promise<ClientResponse> {
    return this.#send('POST', path, data, { contentType: MULTIPART_CONTENT, ...options });
  }

  put(path: string, data?: RequestData, options: RequestOptions = {}): Promise<ClientResponse> {
    return this.#send('PUT', path, data, { contentType: 'application/octet-stream', ...options });
  }

  patch(path: string, data?: RequestData, options: RequestOptions = {}): Promise<ClientResponse> {
    return this.#send('PATCH', path, data, { contentType: 'application/octet-stream', ...options });
  }

  delete(path: string, data?: RequestData, options: RequestOptions = {}): Promise<ClientResponse> {
    return this.#send('DELETE', path, data, { contentType: 'application/octet-stream', ...options });
  }

  options(path: string, data?: RequestData, options: RequestOptions = {}): Promise<ClientResponse> {
    return this.#send('OPTIONS', path, data, { contentType: 'application/octet-stream', ...options });
  }

  /** Any method, with a raw body. */
  generic(method: string, path: string, data?: RequestData, options: RequestOptions = {}): Promise<ClientResponse> {
    return this.#send(method.toUpperCase(), path, data, options);
  }

  async #application_(): Promise<Application> {
    if (this.#wrapped !== undefined) return this.#wrapped;
    let app = this.#application;
    if (app === undefined) {
      await setup();
      this.#handler ??= new ClientHandler(this.enforceCsrfChecks);
      app = this.#handler.call;
    }
    this.#wrapped = this.#wrap ? this.#wrap(app) : app;
    return this.#wrapped;
  }

  async #send(
    method: string,
    path: string,
    data: RequestData,
    options: RequestOptions,
    chain: Array<[string, number]> = [],
  ): Promise<ClientResponse> {
    setupTestEnvironment();
    const app = await this.#application_();
    const body = await encodeBody(data, options.contentType);
    const headers: Record<string, string> = { ...this.defaultHeaders, ...(options.headers ?? {}) };
    if (this.cookies.size > 0 && !Object.keys(headers).some((h) => h.toLowerCase() === 'cookie')) {
      headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if (body !== undefined && options.contentType !== undefined) headers['Content-Type'] = options.contentType;
    const request: TestRequest = {
      method,
      path,
      headers,
      scheme: options.secure ? 'https' : 'http',
      environ: options.environ,
    };
    if (typeof options.query === 'string' && options.query !== '') request.query = options.query;
    else if (options.query !== undefined && typeof options.query !== 'string')
      request.query = queryString(options.query);
    if (body !== undefined) request.body = body;
    const environ = buildTestEnviron(request);
    if (body !== undefined) environ.CONTENT_LENGTH = String(body.byteLength);
    const captured: Captured = {};
    captures.set(environ, captured);
    const disconnect = gotRequestException.connect(({ request: failed, error }) => {
      if ((failed as HttpRequest | undefined)?.META === environ && captured.error === undefined) captured.error = error;
    });
    let raw: TestResponse;
    try {
      raw = await callApplication(app, environ, { raiseErrors: this.raiseRequestException });
    } finally {
      disconnect();
    }
    if (this.raiseRequestException && captured.error !== undefined) throw captured.error;
    const response = makeResponse(raw, captured, chain);
    for (const [name, value] of raw.headers) if (name.toLowerCase() === 'set-cookie') this.#storeCookie(value);
    const location = response.get('Location');
    if (options.follow && location !== undefined && response.statusCode >= 300 && response.statusCode < 400) {
      if (chain.length >= 20) throw new Error(`Redirect loop: more than 20 redirects starting at ${path}.`);
      chain.push([location, response.statusCode]);
      const target = new URL(location, `http://testserver${path}`);
      const keepMethod = response.statusCode === 307 || response.statusCode === 308;
      return this.#send(
        keepMethod ? method : 'GET',
        target.pathname,
        keepMethod ? data : undefined,
        { ...options, query: target.search.slice(1) },
        chain,
      );
    }
    return response;
  }

  #storeCookie(header: string): void {
    const [pair = '', ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => {
      const [k = '', v = ''] = a.split('=').map((s) => s.trim());
      if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
      if (k.toLowerCase() === 'expires') return Date.parse(v) <= Date.now();
      return false;
    });
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  /** Drops every cookie. */
  clearCookies(): void {
    this.cookies.clear();
  }

  /**
   * The session of the client's session cookie (SESSION_ENGINE's store), loaded; a new one when
   * there is no cookie. Change it and `await session.save()`, as in Django's tests.
   */
  async session(): Promise<SessionBase> {
    const SessionStore = sessions().sessionEngine();
    const key = this.cookies.get(String(settings.SESSION_COOKIE_NAME));
    return new SessionStore(key ?? null).load();
  }

  /**
   * Logs a user in through the authentication backends (`authenticate(null, credentials)`), as a
   * login form would, and keeps the session cookie; false when the credentials are refused.
   *
   * @example assert.ok(await client.login({ username: 'ada', password: 'secret' }));
   */
  async login(credentials: Record<string, unknown>): Promise<boolean> {
    setupTestEnvironment();
    const user = await auth().authenticate(null, credentials);
    if (user === null) return false;
    await this.#login(user, user.backend);
    return true;
  }

  /**
   * Logs `user` in without checking a password (faster than login(): no hashing), with the
   * first backend of AUTHENTICATION_BACKENDS that can find users again, or `backend`.
   */
  async forceLogin(user: object, backend?: string): Promise<void> {
    setupTestEnvironment();
    let path = backend;
    if (path === undefined) {
      path = authConfigured()
        .getBackendsWithPaths()
        .find(({ backend: b }) => typeof b.getUser === 'function')?.path;
    }
    (user as { backend?: string }).backend = path;
    await this.#login(user, path);
  }

  /** Logs out: ends the session (as logout() in a view) and drops every cookie. */
  async logout(): Promise<void> {
    const request = this.#fakeRequest();
    request.session = await this.session();
    authMiddleware().installUser(request);
    await auth().logout(request);
    this.cookies.clear();
  }

  /** A request for login() and logout() outside the application (Django's fake HttpRequest). */
  #fakeRequest(): HttpRequest {
    return requestFromEnviron(buildTestEnviron({ method: 'GET', path: '/', headers: {} }));
  }

  async #login(user: object, backend: string | undefined): Promise<void> {
    const request = this.#fakeRequest();
    const SessionStore = sessions().sessionEngine();
    const name = String(settings.SESSION_COOKIE_NAME);
    request.session = new SessionStore(this.cookies.get(name) ?? null);
    await auth().login(request, user, backend);
    await request.session.save();
    this.cookies.set(name, request.session.sessionKey ?? '');
  }
}

async function encodeBody(data: RequestData, contentType: string | undefined): Promise<Uint8Array | undefined> {
  if (data === undefined || data === null)
    return contentType?.startsWith('multipart/') ? encodeMultipart(BOUNDARY, {}) : undefined;
  if (typeof data === 'string') return encodeText(data);
  if (data instanceof Uint8Array) return data;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return encodeText(JSON.stringify(data));
  if (type === 'multipart/form-data') {
    const boundary = /boundary=([^;]+)/.exec(contentType ?? '')?.[1] ?? BOUNDARY;
    return encodeMultipart(boundary, data as Record<string, unknown>);
  }
  if (type === 'application/x-www-form-urlencoded') return encodeText(queryString(undefined, data));
  throw new TypeError(
    `Cannot encode an object as a ${type || 'raw'} body. Pass a string or bytes, or use contentType 'application/json', 'application/x-www-form-urlencoded' or multipart.`,
  );
}

function makeResponse(raw: TestResponse, captured: Captured, chain: Array<[string, number]>): ClientResponse {
  const original = captured.response as
    (HttpResponseBase & { templateName?: unknown; contextData?: Record<string, unknown> }) | undefined;
  const templateName = original?.templateName;
  const templates =
    typeof templateName === 'string' ? [templateName] : Array.isArray(templateName) ? templateName.map(String) : [];
  const cookies: Record<string, string> = {};
  for (const [name, value] of raw.headers) {
    if (name.toLowerCase() !== 'set-cookie') continue;
    const pair = value.split(';')[0]!;
    const eq = pair.indexOf('=');
    if (eq > 0) cookies[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return {
    statusCode: raw.statusCode,
    status: raw.status,
    reasonPhrase: raw.reason,
    headerList: raw.headers,
    get: (name) => raw.header(name),
    has: (name) => raw.header(name) !== undefined,
    content: raw.body,
    get text() {
      return raw.text;
    },
    json: <T>() => {
      const type = raw.header('Content-Type') ?? '';
      if (!/^application\/(.+\+)?json\b/i.test(type)) {
        throw new TypeError(`Content-Type header is "${type}", not "application/json": the response is not JSON.`);
      }
      return raw.json<T>();
    },
    response: original,
    request: captured.request,
    resolverMatch: captured.request?.resolverMatch ?? null,
    templates,
    context: original?.contextData,
    cookies,
    redirectChain: chain,
    errors: raw.errors,
  };
}

/**
 * Builds `HttpRequest` objects for calling a view directly, without middleware or URLconf, as
 * Django's `RequestFactory`. The request body is read (`loadBody()`), as the handler would.
 *
 * @example
 * const request = await new RequestFactory().post('/form/', { a: '1' }, { contentType: 'application/x-www-form-urlencoded' });
 * const response = await myView(request);
 */
export class RequestFactory {
  readonly defaultHeaders: Record<string, string>;

  constructor(options: { headers?: Record<string, string> } = {}) {
    this.defaultHeaders = { ...(options.headers ?? {}) };
  }

  get(path: string, data?: Record<string, unknown> | null, options: RequestOptions = {}): Promise<HttpRequest> {
    return this.generic('GET', path, undefined, { ...options, query: queryString(options.query, data) });
  }

  head(path: string, data?: Record<string, unknown> | null, options: RequestOptions = {}): Promise<HttpRequest> {
    return this.generic('HEAD', path, undefined, { ...options, query: queryString(options.query, data) });
  }

  post(path: string, data?: RequestData, options: RequestOptions = {}): Promise<HttpRequest> {
    return this.generic('POST', path, data, { contentType: MULTIPART_CONTENT, ...options });
  }

  put(path: string, data?: RequestData, options: RequestOptions = {}): Promise<HttpRequest> {
    return this.generic('PUT', path, data, { contentType: 'application/octet-stream', ...options });
  }

  patch(path: string, data?: RequestData, options: RequestOptions = {}): Promise<HttpRequest> {
    return this.generic('PATCH', path, data, { contentType: 'application/octet-stream', ...options });
  }

  delete(path: string, data?: RequestData, options: RequestOptions = {}): Promise<HttpRequest> {
    return this.generic('DELETE', path, data, { contentType: 'application/octet-stream', ...options });
  }

  options(path: string, data?: RequestData, options: RequestOptions = {}): Promise<HttpRequest> {
    return this.generic('OPTIONS', path, data, { contentType: 'application/octet-stream', ...options });
  }

  async generic(method: string, path: string, data?: RequestData, options: RequestOptions = {}): Promise<HttpRequest> {
    const body = await encodeBody(data, options.contentType);
    const headers: Record<string, string> = { ...this.defaultHeaders, ...(options.headers ?? {}) };
    if (body !== undefined && options.contentType !== undefined) headers['Content-Type'] = options.contentType;
    const environ = buildTestEnviron({
      method: method.toUpperCase(),
      path,
      headers,
      scheme: options.secure ? 'https' : 'http',
      environ: options.environ,
      ...(typeof options.query === 'string' && options.query !== '' ? { query: options.query } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    const request = requestFromEnviron(environ);
    // No handler will: the body is read here, so the view can use POST and FILES.
    await request.loadBody();
    return request;
  }
}
