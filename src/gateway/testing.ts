/**
 * The gateway-level test client: build an environ, call the application in-process, collect
 * the status, headers and body. The same rules as the reference server apply to
 * `startResponse` (§4), so a test catches what a server would refuse. The framework's test
 * client builds on it.
 */
import { splitHost } from './environ.ts';
import { bodyProblem, stack } from './exchange.ts';
import { checkHeaders, decodePath, parseStatus } from './http-rules.ts';
import { fileWrapper } from './file-wrapper.ts';
import type { Application, Environ, ErrorStream, HeaderList, InputStream, StartResponse, Write } from './types.ts';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** `wsgi.input` over bytes held in memory. */
export class BytesInput implements InputStream {
  readonly #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array = EMPTY) {
    this.#bytes = bytes;
  }

  async read(size?: number): Promise<Uint8Array> {
    if (size !== undefined && size !== -1 && (!Number.isInteger(size) || size < 0)) {
      throw new TypeError(
        `read(size) takes a non-negative integer (or nothing for the whole body), not ${String(size)}.`,
      );
    }
    const end = size === undefined || size === -1 ? this.#bytes.length : Math.min(this.#bytes.length, this.#at + size);
    const chunk = this.#bytes.subarray(this.#at, end);
    this.#at = end;
    return chunk;
  }

  async readline(limit?: number): Promise<Uint8Array> {
    if (limit !== undefined && limit !== -1 && (!Number.isInteger(limit) || limit < 0)) {
      throw new TypeError(`readline(limit) takes a non-negative integer (or nothing), not ${String(limit)}.`);
    }
    const newline = this.#bytes.indexOf(10, this.#at);
    let end = newline < 0 ? this.#bytes.length : newline + 1;
    if (limit !== undefined && limit !== -1) end = Math.min(end, this.#at + limit);
    const line = this.#bytes.subarray(this.#at, end);
    this.#at = end;
    return line;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    // Yields in 64 KiB pieces, as a server would deliver a large body.
    while (this.#at < this.#bytes.length) yield this.read(64 * 1024);
  }
}

/** `wsgi.errors` that keeps what was written (read it with `text()`). */
export class MemoryErrorStream implements ErrorStream {
  #parts: string[] = [];
  write(text: string): void {
    this.#parts.push(text);
  }
  flush(): void {
    // Nothing is buffered.
  }
  /** Everything written so far. */
  text(): string {
    return this.#parts.join('');
  }
}

/** A request to send in-process. */
export interface TestRequest {
  /** Default `'GET'`. */
  method?: string;
  /** The path, optionally with `?query`; percent-encoded or not. Default `'/'`. */
  path?: string;
  /** Query parameters, added to any in `path`. */
  query?: string | Record<string, string | string[]> | URLSearchParams;
  /** Request headers; repeats allowed in the list form. */
  headers?: Record<string, string> | HeaderList;
  /** The body; a string is encoded as UTF-8. Sets CONTENT_LENGTH. */
  body?: string | Uint8Array;
  /** `SCRIPT_NAME`; default `''`. */
  scriptName?: string;
  /** `wsgi.url_scheme`; default `'http'`. */
  scheme?: string;
  /** Default `'HTTP/1.1'`. */
  protocol?: string;
  /** Used for the Host header when none is given; default `'testserver'` (as Django's). */
  host?: string;
  /** Default `'127.0.0.1'`. */
  remoteAddr?: string;
  /** `wsgi.errors`; default a {@link MemoryErrorStream} (see `response.errors`). */
  errors?: ErrorStream;
  /** `tsgi.signal`; default a signal that never aborts. */
  signal?: AbortSignal;
  /** Extra environ keys, applied last (they override). */
  environ?: Record<string, unknown>;
}

/** What the application answered. */
export interface TestResponse {
  /** The status line given to startResponse, e.g. `'200 OK'`. */
  status: string;
  statusCode: number;
  reason: string;
  headers: HeaderList;
  /** The first value of a header, case-insensitive. */
  header(name: string): string | undefined;
  /** The body (empty for HEAD, 204, 304, as a server sends it). */
  body: Uint8Array;
  /** The body decoded as UTF-8. */
  text: string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
  /** The environ the application was called with. */
  environ: Environ;
  /** What was written to `wsgi.errors` when it is the default memory stream; else `''`. */
  errors: string;
}

function targetOf(request: TestRequest): { rawPath: string; query: string } {
  let path = request.path ?? '/';
  let query = '';
  const q = path.indexOf('?');
  if (q >= 0) {
    query = path.slice(q + 1);
    path = path.slice(0, q);
  }
  const extra = request.query;
  if (extra !== undefined) {
    let text: string;
    if (typeof extra === 'string') text = extra.replace(/^\?/, '');
    else if (extra instanceof URLSearchParams) text = extra.toString();
    else {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(extra))
        for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
      text = params.toString();
    }
    query = query && text ? `${query}&${text}` : query || text;
  }
  // What a client would put on the wire: non-ASCII and spaces percent-encoded as UTF-8.
  const rawPath = path.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run));
  return { rawPath, query };
}

/**
 * The environ a server would build for `request` (§3).
 *
 * @example
 * const environ = buildTestEnviron({ method: 'POST', path: '/form/', body: 'a=1',
 *   headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
 */
export function buildTestEnviron(request: TestRequest = {}): Environ {
  const { rawPath, query } = targetOf(request);
  const scheme = request.scheme ?? 'http';
  const scriptName = request.scriptName ?? '';
  let pathInfo = decodePath(rawPath);
  if (scriptName && pathInfo.startsWith(scriptName)) pathInfo = pathInfo.slice(scriptName.length);
  const body = typeof request.body === 'string' ? encoder.encode(request.body) : (request.body ?? EMPTY);
  const environ: Environ = {
    REQUEST_METHOD: (request.method ?? 'GET').toUpperCase(),
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    RAW_URI: query ? `${rawPath}?${query}` : rawPath,
    SERVER_NAME: '',
    SERVER_PORT: '',
    SERVER_PROTOCOL: request.protocol ?? 'HTTP/1.1',
    REMOTE_ADDR: request.remoteAddr ?? '127.0.0.1',
    REMOTE_PORT: '50000',
    'wsgi.version': [1, 0],
    'wsgi.url_scheme': scheme,
    'wsgi.input': new BytesInput(body),
    'wsgi.errors': request.errors ?? new MemoryErrorStream(),
    'wsgi.multithread': false,
    'wsgi.multiprocess': false,
    'wsgi.run_once': false,
    'wsgi.file_wrapper': fileWrapper,
    'tsgi.signal': request.signal ?? new AbortController().signal,
  };
  const headers: HeaderList = Array.isArray(request.headers) ? request.headers : Object.entries(request.headers ?? {});
  let hasHost = false;
  for (const [name, value] of headers) {
    if (name.includes('_')) continue;
    const upper = name.toUpperCase();
    if (upper === 'HOST') hasHost = true;
    const key =
      upper === 'CONTENT-TYPE'
        ? 'CONTENT_TYPE'
        : upper === 'CONTENT-LENGTH'
          ? 'CONTENT_LENGTH'
          : 'HTTP_' + upper.replaceAll('-', '_');
    const previous = environ[key] as string | undefined;
    environ[key] = previous === undefined ? value : previous + (key === 'HTTP_COOKIE' ? '; ' : ', ') + value;
  }
  if (!hasHost) environ.HTTP_HOST = request.host ?? 'testserver';
  if (body.length > 0 && environ.CONTENT_LENGTH === undefined) environ.CONTENT_LENGTH = String(body.length);
  const [name, port] = splitHost(environ.HTTP_HOST!);
  environ.SERVER_NAME = name;
  environ.SERVER_PORT = port ?? (scheme === 'https' ? '443' : '80');
  if (request.environ) Object.assign(environ, request.environ);
  return environ;
}

/** Options of {@link callApplication}. */
export interface CallOptions {
  /**
   * Re-throw what the application throws (default true, as Django's test client does). When
   * false, the response is the 500 a server would send, and the error is in `response.errors`.
   */
  raiseErrors?: boolean;
}

const INTERNAL_ERROR = 'Internal Server Error\n';

/**
 * Calls `app` in-process with the environ of `request` (or an environ you built) and collects
 * the whole response. `close()` of the body is called exactly once, as a server does.
 *
 * @example
 * const response = await callApplication(app, { path: '/hello/' });
 * assert.equal(response.statusCode, 200);
 * assert.equal(response.text, 'Hello, world!');
 */
export async function callApplication(
  app: Application,
  request: TestRequest | Environ = {},
  options: CallOptions = {},
): Promise<TestResponse> {
  const environ = isEnviron(request) ? request : buildTestEnviron(request);
  const raiseErrors = options.raiseErrors ?? true;
  let status: string | undefined;
  let headers: HeaderList | undefined;
  let headersSent = false;
  let ended = false;
  const chunks: Uint8Array[] = [];
  const write: Write = async (chunk) => {
    if (ended)
      throw new Error(
        'write() was called after the response was complete: write only while the application runs (spec §4.4).',
      );
    if (headers === undefined)
      throw new Error('write() was called before startResponse(): call startResponse() first (spec §4.4).');
    if (!(chunk instanceof Uint8Array))
      throw new TypeError(`write() takes a Uint8Array, not ${typeof chunk} (spec §4.4).`);
    if (chunk.length > 0) {
      headersSent = true;
      chunks.push(chunk);
    }
  };
  const startResponse: StartResponse = (newStatus, newHeaders, excInfo) => {
    if (excInfo !== undefined && excInfo !== null) {
      if (headersSent) throw excInfo;
    } else if (headers !== undefined) {
      throw new Error(
        'startResponse() was called a second time without excInfo: call it once, or pass the error being handled as the third argument to replace headers not yet sent (spec §4.3).',
      );
    }
    parseStatus(newStatus);
    checkHeaders(newHeaders);
    status = newStatus;
    headers = newHeaders;
    return write;
  };

  let body: Awaited<ReturnType<Application>> | undefined;
  try {
    body = await app(environ, startResponse);
    const problem = bodyProblem(body);
    if (problem !== null) throw new TypeError(problem);
    if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
      for await (const chunk of body as AsyncIterable<Uint8Array>) collect(chunk);
    } else {
      for (const chunk of body as Iterable<Uint8Array>) collect(chunk);
    }
    if (status === undefined)
      throw new Error(
        'The application returned its body without calling startResponse(): call startResponse(status, headers) before the body ends (spec §4.3).',
      );
  } catch (error) {
    await closeBody(body, environ);
    ended = true;
    if (raiseErrors) throw error;
    environ['wsgi.errors'].write(
      `tsgi: error while handling ${environ.REQUEST_METHOD} ${environ.RAW_URI ?? environ.PATH_INFO}:\n${stack(error)}\n`,
    );
    return makeResponse(
      environ,
      '500 Internal Server Error',
      [['Content-Type', 'text/plain; charset=utf-8']],
      [encoder.encode(INTERNAL_ERROR)],
    );
  }
  ended = true;
  await closeBody(body, environ);
  return makeResponse(environ, status, headers!, chunks);

  function collect(chunk: unknown): void {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(
        `The application's body produced ${typeof chunk === 'string' ? `a string (${JSON.stringify(chunk)})` : typeof chunk}; every chunk must be a Uint8Array (encode text with TextEncoder) (spec §5).`,
      );
    }
    if (chunk.length === 0) return;
    if (headers === undefined)
      throw new Error(
        'The application produced a body chunk before calling startResponse(): call startResponse() first (spec §4.3).',
      );
    headersSent = true;
    chunks.push(chunk);
  }
}

function isEnviron(value: TestRequest | Environ): value is Environ {
  return typeof (value as Environ).REQUEST_METHOD === 'string' && (value as Environ)['wsgi.input'] !== undefined;
}

async function closeBody(body: unknown, environ: Environ): Promise<void> {
  const close = (body as { close?: () => unknown } | null | undefined)?.close;
  if (typeof close !== 'function') return;
  try {
    await close.call(body);
  } catch (error) {
    environ['wsgi.errors'].write(`tsgi: the body's close() failed: ${stack(error)}\n`);
  }
}

function makeResponse(environ: Environ, status: string, headers: HeaderList, chunks: Uint8Array[]): TestResponse {
  const [statusCode, reason] = parseStatus(status);
  const noBody = environ.REQUEST_METHOD === 'HEAD' || statusCode === 204 || statusCode === 304;
  const body = noBody ? EMPTY : Buffer.concat(chunks);
  let text: string | undefined;
  const errors = environ['wsgi.errors'];
  return {
    status,
    statusCode,
    reason,
    headers,
    header: (name) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1],
    body,
    get text() {
      return (text ??= new TextDecoder().decode(body));
    },
    json<T>(): T {
      return JSON.parse(this.text) as T;
    },
    environ,
    errors: errors instanceof MemoryErrorStream ? errors.text() : '',
  };
}
