/**
 * From a WHATWG `Request` to a TSGI environ (docs/spec.md §3): the request half of
 * `toFetchHandler`. Web standards only: this module runs in workerd, Deno, Bun and service workers.
 */
import { decodePath } from './http-rules.ts';
import { sizeArgument, takeBytes } from './input-buffer.ts';
import type { Environ, EnvironOptions, ErrorStream, InputStream } from './types.ts';

/** Where the runtime tells the client's address: `'203.0.113.7'` or `{ address, port }`. */
export type RemoteAddress = string | { readonly address: string; readonly port?: number | string };

/** How `toFetchHandler` fills the environ, beyond what every adapter sets (its `ToFetchHandlerOptions`). */
export interface FetchEnvironOptions extends EnvironOptions {
  /**
   * The client's address, for `REMOTE_ADDR`/`REMOTE_PORT`: Fetch does not carry it, each runtime
   * passes it its own way, after the request (see docs/fetch.md).
   */
  remoteAddress?: (request: Request, ...context: unknown[]) => RemoteAddress | null | undefined;
  /** Extra environ keys for each request (prefix them, e.g. `'workers.env'`). */
  environ?: (request: Request, ...context: unknown[]) => Record<string, unknown>;
}

/**
 * `wsgi.errors` for runtimes without a stderr stream: whole lines go to `console.error`, the
 * partial last line on `flush()`.
 */
export class ConsoleErrorStream implements ErrorStream {
  #pending = '';

  write(text: string): void {
    const lines = (this.#pending + text).split('\n');
    this.#pending = lines.pop()!;
    for (const line of lines) console.error(line);
  }

  flush(): void {
    if (this.#pending === '') return;
    console.error(this.#pending);
    this.#pending = '';
  }
}

const EMPTY = new Uint8Array(0);

/**
 * `wsgi.input` over a `Request` body (§3.3). The body is read lazily, on the first read, and never
 * beyond `limit` bytes (the declared Content-Length) when one is given. Chunks are kept as they
 * come and joined once, when taken, so reading a large body stays linear.
 */
export class RequestInputStream implements InputStream {
  readonly #body: ReadableStream<Uint8Array> | null;
  readonly #limit: number | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #received = 0;
  #done: boolean;

  constructor(body: ReadableStream<Uint8Array> | null, limit?: number) {
    this.#body = body;
    this.#limit = limit;
    this.#done = body === null || limit === 0;
  }

  /** Buffers one more chunk; false at the end of the input. */
  async #more(): Promise<boolean> {
    if (this.#done) return false;
    this.#reader ??= this.#body!.getReader();
    while (true) {
      const { done, value } = await this.#reader.read();
      if (done) {
        this.#done = true;
        if (this.#limit !== undefined && this.#received < this.#limit) {
          // A body cut short is an error, not a short body: the application must not take it as whole.
          throw new Error(
            `The request body ended after ${this.#received} of the ${this.#limit} bytes its Content-Length announced.`,
          );
        }
        return false;
      }
      if (value.byteLength === 0) continue;
      let chunk = value;
      if (this.#limit !== undefined && this.#received + chunk.byteLength >= this.#limit) {
        chunk = chunk.subarray(0, this.#limit - this.#received);
        this.#done = true;
        void this.#reader.cancel().catch(() => {});
      }
      this.#received += chunk.byteLength;
      this.#chunks.push(chunk);
      this.#buffered += chunk.byteLength;
      return true;
    }
  }

  /** The first `size` buffered bytes, removed from the buffer. */
  #take(size: number): Uint8Array {
    if (size === 0) return EMPTY;
    this.#buffered -= size;
    return takeBytes(this.#chunks, size, (n) => new Uint8Array(n));
  }

  /** Up to `size` bytes: fewer only at the end of the input (§3.3). All that remain without `size`. */
  async read(size?: number): Promise<Uint8Array> {
    size = sizeArgument(size, 'read(size)');
    if (size === 0) return EMPTY;
    while (size === undefined || this.#buffered < size) {
      if (!(await this.#more())) break;
    }
    return this.#take(size === undefined ? this.#buffered : Math.min(size, this.#buffered));
  }

  /** One line, up to and including `\n`, at most `limit` bytes; an empty array at the end. */
  async readline(limit?: number): Promise<Uint8Array> {
    limit = sizeArgument(limit, 'readline(limit)');
    const max = limit ?? Infinity;
    let scanned = 0; // bytes already searched for '\n', so each byte is searched once
    while (true) {
      let offset = 0;
      for (const chunk of this.#chunks) {
        if (offset + chunk.byteLength > scanned) {
          const at = chunk.indexOf(0x0a, Math.max(0, scanned - offset));
          if (at !== -1) return this.#take(Math.min(offset + at + 1, max));
        }
        offset += chunk.byteLength;
      }
      scanned = offset;
      if (this.#buffered >= max) return this.#take(max);
      if (!(await this.#more())) return this.#take(this.#buffered);
    }
  }

  /** The body chunk by chunk as it arrives (§3.3). */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      if (this.#buffered === 0 && !(await this.#more())) return;
      yield this.#take(this.#buffered);
    }
  }
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

/** A `Cookie` value that `Headers` joined with `, ` (two Cookie fields); §3.2 wants `; `. */
const JOINED_COOKIE = /,\s*(?=[^\s=;,]+=)/g;

/**
 * Builds the environ of one request (§3). `context` is what the runtime passed after the request
 * (Deno's `info`, Bun's `server`, a Worker's `env` and `ctx`), handed to the option callbacks.
 */
export function environFromRequest(
  request: Request,
  options: FetchEnvironOptions,
  signal: AbortSignal,
  context: readonly unknown[],
): Environ {
  const url = new URL(request.url);
  const path = decodePath(url.pathname);
  const scriptName = (options.scriptName ?? '').replace(/\/+$/, ''); // '/app/' mounts at '/app'
  // As gunicorn does with SCRIPT_NAME: strip the mount point only where the path is under it.
  const mounted = scriptName !== '' && (path === scriptName || path.startsWith(scriptName + '/'));
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;

  const environ: Environ = {
    REQUEST_METHOD: request.method,
    SCRIPT_NAME: scriptName,
    PATH_INFO: mounted ? path.slice(scriptName.length) : path,
    QUERY_STRING: url.search.slice(1),
    RAW_URI: url.pathname + url.search,
    SERVER_NAME: hostname,
    SERVER_PORT: url.port || DEFAULT_PORTS[url.protocol] || '',
    // Fetch does not expose the protocol version; HTTP/1.1 is what every runtime here can answer.
    SERVER_PROTOCOL: 'HTTP/1.1',
    'wsgi.version': [1, 0],
    'wsgi.url_scheme': url.protocol.slice(0, -1),
    'wsgi.input': new RequestInputStream(null),
    'wsgi.errors': options.errors ?? new ConsoleErrorStream(),
    'wsgi.multithread': false,
    'wsgi.multiprocess': options.multiprocess ?? false,
    'wsgi.run_once': false,
    'tsgi.signal': signal,
  };

  for (const [name, value] of request.headers) {
    // §3.2: a name with `_` would collide with its `-` twin once mapped to HTTP_*.
    if (name.includes('_')) continue;
    if (name === 'content-type') environ.CONTENT_TYPE = value;
    else if (name === 'content-length') environ.CONTENT_LENGTH = value;
    else if (name === 'cookie') environ.HTTP_COOKIE = value.replace(JOINED_COOKIE, '; ');
    else {
      // Headers yields each Set-Cookie on its own; every other name comes joined already.
      const key = `HTTP_${name.toUpperCase().replaceAll('-', '_')}` as const;
      environ[key] = environ[key] === undefined ? value : `${environ[key]}, ${value}`;
    }
  }
  // Request objects built in-process carry no Host field; the URL's authority is what it would say.
  environ.HTTP_HOST ??= url.host;

  const length = environ.CONTENT_LENGTH === undefined ? undefined : Number(environ.CONTENT_LENGTH);
  const limit = length !== undefined && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  environ['wsgi.input'] = new RequestInputStream(request.body, limit);

  const remote = options.remoteAddress?.(request, ...context);
  if (typeof remote === 'string') environ.REMOTE_ADDR = remote;
  else if (remote) {
    environ.REMOTE_ADDR = remote.address;
    if (remote.port !== undefined) environ.REMOTE_PORT = String(remote.port);
  }
  if (options.environ) Object.assign(environ, options.environ(request, ...context));
  return environ;
}
