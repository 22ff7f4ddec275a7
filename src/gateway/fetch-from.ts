/**
 * `fromFetchHandler`: a Fetch application (Hono, itty-router, a Worker's `export default { fetch }`)
 * as a TSGI application (docs/fetch.md). Web standards only (see fetch.ts).
 */
import type { Application, ClosableBody, Environ, HeaderList, InputStream } from './types.ts';
import { describe } from './describe.ts';
import { HOP_BY_HOP, REASON_PHRASES, connectionTokens, decodePath } from './http-rules.ts';

/** `(request) => Response`, the shape of every Fetch handler. */
export type FetchFunction = (request: Request) => Response | Promise<Response>;

/** An object with a `fetch(request)` method: a Hono app, a Worker's default export. */
export interface FetchObject {
  fetch(request: Request): Response | Promise<Response>;
}

/** What `fromFetchHandler` accepts. */
export type FetchApplication = FetchFunction | FetchObject;

/** A request the environ cannot express as a Fetch Request: answered, never passed on. */
class UnmappableRequest extends Error {
  readonly status: string;
  constructor(status: string, message: string) {
    super(message);
    this.status = status;
  }
}

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };
/** Request fields Fetch applications must not see (RFC 9110 §7.6.1): they described the last hop. */
const REQUEST_HOP_BY_HOP = new Set([...HOP_BY_HOP].filter((name) => name !== 'proxy-authorization'));

/** A path (decoded, §3.1) back to a URL path: escapes kept by the decoder stay as they are. */
function encodePath(path: string): string {
  return path.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu, (ch) => encodeURIComponent(ch));
}

/** The Request URL (PEP 3333's URL reconstruction, keeping the target's own escapes via RAW_URI). */
function requestUrl(environ: Environ): string {
  const scheme = typeof environ['wsgi.url_scheme'] === 'string' ? environ['wsgi.url_scheme'] : 'http';
  let host = environ.HTTP_HOST;
  if (!host) {
    const name = environ.SERVER_NAME.includes(':') ? `[${environ.SERVER_NAME}]` : environ.SERVER_NAME;
    const port = environ.SERVER_PORT && environ.SERVER_PORT !== DEFAULT_PORTS[scheme] ? `:${environ.SERVER_PORT}` : '';
    host = name + port;
  }
  const path = environ.SCRIPT_NAME + environ.PATH_INFO;
  let target = encodePath(path);
  if (typeof environ.RAW_URI === 'string') {
    // Absolute-form targets (RFC 9112 §3.2.2) carry their own authority: keep only path and query.
    const raw = environ.RAW_URI.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '');
    const rawPath = raw.split('?', 1)[0]!;
    // Use the target as received unless a middleware rewrote SCRIPT_NAME/PATH_INFO since.
    if (rawPath.startsWith('/') && decodePath(rawPath) === path) target = rawPath;
  }
  const query = environ.QUERY_STRING ? `?${environ.QUERY_STRING}` : '';
  const url = `${scheme}://${host}${target || '/'}${query}`;
  if (!URL.canParse(url)) {
    throw new UnmappableRequest(
      '400 Bad Request',
      `The request's Host ${JSON.stringify(host)} and target do not form a valid URL (${JSON.stringify(url)}).`,
    );
  }
  return url;
}

function requestHeaders(environ: Environ): Headers {
  const headers = new Headers();
  const listed = connectionTokens(environ.HTTP_CONNECTION);
  for (const key of Object.keys(environ)) {
    const value = environ[key];
    if (!key.startsWith('HTTP_') || typeof value !== 'string') continue;
    const name = key.slice(5).toLowerCase().replaceAll('_', '-');
    if (REQUEST_HOP_BY_HOP.has(name) || listed.has(name)) continue;
    try {
      headers.append(name, value);
    } catch {
      throw new UnmappableRequest(
        '400 Bad Request',
        `The request header ${JSON.stringify(name)} has a value Fetch refuses: ${JSON.stringify(value)}.`,
      );
    }
  }
  if (environ.CONTENT_TYPE) headers.set('content-type', environ.CONTENT_TYPE);
  if (environ.CONTENT_LENGTH) headers.set('content-length', environ.CONTENT_LENGTH);
  return headers;
}

/**
 * `wsgi.input` as a ReadableStream, read only as the Fetch application consumes it. Iteration
 * (not `read(size)`, which waits for `size` bytes) hands each chunk on as it arrives.
 */
function inputStream(input: InputStream): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= input[Symbol.asyncIterator]();
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await iterator?.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function hasBody(environ: Environ): boolean {
  if (environ.REQUEST_METHOD === 'GET' || environ.REQUEST_METHOD === 'HEAD') return false;
  if (environ.CONTENT_LENGTH) return environ.CONTENT_LENGTH.trim() !== '0';
  return typeof environ.HTTP_TRANSFER_ENCODING === 'string';
}

/** Builds the WHATWG Request a Fetch application sees for this environ. */
export function requestFromEnviron(environ: Environ): Request {
  const url = requestUrl(environ);
  const headers = requestHeaders(environ);
  const init: RequestInit & { duplex?: 'half' } = { method: environ.REQUEST_METHOD, headers };
  if (hasBody(environ)) {
    init.body = inputStream(environ['wsgi.input']);
    init.duplex = 'half'; // a streamed request body (Fetch §5.3 "duplex")
  }
  const signal = environ['tsgi.signal'];
  if (signal instanceof AbortSignal) init.signal = signal;
  try {
    return new Request(url, init);
  } catch (error) {
    const method = environ.REQUEST_METHOD;
    if (/^(CONNECT|TRACE|TRACK)$/i.test(method)) {
      throw new UnmappableRequest(
        '501 Not Implemented',
        `The method ${method} cannot be passed to a Fetch application: the Fetch standard forbids it in a Request.`,
      );
    }
    throw new UnmappableRequest(
      '400 Bad Request',
      `The request cannot be expressed as a Fetch Request: ${(error as Error).message}`,
    );
  }
}

/** A Response body as a TSGI body: read as the server iterates, cancelled by `close()`. */
class ResponseBody implements AsyncIterable<Uint8Array> {
  readonly #stream: ReadableStream<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #finished = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#stream = stream;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        if (this.#finished) return { done: true, value: undefined };
        this.#reader ??= this.#stream.getReader();
        const { done, value } = await this.#reader.read();
        if (done) {
          this.#finished = true;
          return { done: true, value: undefined };
        }
        const chunk: unknown = value;
        if (chunk instanceof Uint8Array) return { done: false, value: chunk };
        if (ArrayBuffer.isView(chunk))
          return { done: false, value: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) };
        await this.close();
        throw new TypeError(
          `The Fetch application's response body produced ${describe(chunk)}; a Response body stream must produce Uint8Array chunks.`,
        );
      },
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** Cancels the stream if it was not read to its end, so the Fetch application stops producing. */
  async close(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    try {
      await (this.#reader ? this.#reader.cancel() : this.#stream.cancel());
    } catch {
      // Cancelling a stream that already errored: nothing more to release.
    }
  }
}

const TEXT = new TextEncoder();

/**
 * Wraps a Fetch application as a TSGI application, so that any TSGI server runs it.
 *
 * The Request is built from the environ: URL from `wsgi.url_scheme`, Host and the target
 * (`RAW_URI` when it still matches `SCRIPT_NAME + PATH_INFO`), headers from `HTTP_*` without the
 * hop-by-hop ones, the body streamed from `wsgi.input`, the signal from `tsgi.signal`. The Response
 * becomes the status line, headers (each Set-Cookie kept separate) and a streamed body whose
 * `close()` cancels the Response body.
 *
 * @example
 * import { Hono } from 'hono';
 * import { fromFetchHandler, serve } from 'tsgi/gateway';
 * const hono = new Hono().get('/hello/:name', (c) => c.json({ hello: c.req.param('name') }));
 * serve(fromFetchHandler(hono), { host: '127.0.0.1', port: 8000 });
 */
export function fromFetchHandler(handler: FetchApplication): Application {
  let call: FetchFunction;
  if (typeof handler === 'function') call = handler;
  else if (handler !== null && typeof handler === 'object' && typeof handler.fetch === 'function')
    call = (request) => handler.fetch(request);
  else {
    throw new TypeError(
      `fromFetchHandler() takes a function (request) => Response or an object with a fetch(request) method, such as a Hono app; it was given ${describe(handler)}.`,
    );
  }

  return async (environ, startResponse): Promise<ClosableBody> => {
    let request: Request;
    try {
      request = requestFromEnviron(environ);
    } catch (error) {
      if (!(error instanceof UnmappableRequest)) throw error;
      startResponse(error.status, [['Content-Type', 'text/plain; charset=utf-8']]);
      return [TEXT.encode(`${error.message}\n`)];
    }
    const response: unknown = await call(request);
    if (!(response instanceof Response)) {
      throw new TypeError(
        `The Fetch application returned ${describe(response)}; it must return a Response or a promise of one.`,
      );
    }
    const headers: HeaderList = [];
    const listed = connectionTokens(response.headers.get('connection'));
    for (const [name, value] of response.headers) {
      if (name === 'set-cookie' || HOP_BY_HOP.has(name) || listed.has(name)) continue;
      headers.push([name, value]);
    }
    // Headers joins repeated fields with ", ", which breaks Set-Cookie (RFC 6265 §3): one field each.
    for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
    const reason = response.statusText || REASON_PHRASES[response.status] || 'Unknown';
    startResponse(`${response.status} ${reason}`, headers);
    return response.body ? new ResponseBody(response.body) : [];
  };
}
