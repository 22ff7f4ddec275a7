/**
 * From a WHATWG `Request` to a TSGI environ (docs/spec.md §3): the request half of
 * `toFetchHandler`. Web standards only: this module runs in workerd, Deno, Bun and service workers.
 */
import type { Environ, ErrorStream, InputStream } from './types.ts';

/** Where the runtime tells the client's address: `'203.0.113.7'` or `{ address, port }`. */
export type RemoteAddress = string | { readonly address: string; readonly port?: number | string };

/** What `toFetchHandler` needs to build an environ; see `ToFetchHandlerOptions`. */
export interface EnvironOptions {
  scriptName?: string;
  remoteAddress?: (request: Request, ...context: unknown[]) => RemoteAddress | null | undefined;
  environ?: (request: Request, ...context: unknown[]) => Record<string, unknown>;
  errors?: ErrorStream;
  multiprocess?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const HEX = /^[0-9A-Fa-f]{2}$/;

/** The number of bytes of the UTF-8 sequence a lead byte starts; 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Percent-decodes a path as UTF-8 (§3.1): valid sequences become characters, every byte of an
 * invalid sequence keeps its `%XX` escape, so no information is lost and the result is a valid string.
 *
 * @example
 * decodePath('/caf%C3%A9/%FF') // → '/café/%FF'
 */
export function decodePath(raw: string): string {
  if (!raw.includes('%')) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    if (raw[i] !== '%' || !HEX.test(raw.slice(i + 1, i + 3))) {
      out += raw[i];
      i += 1;
      continue;
    }
    // Collect the run of consecutive escapes, then decode it sequence by sequence.
    const escapes: string[] = [];
    while (raw[i] === '%' && HEX.test(raw.slice(i + 1, i + 3))) {
      escapes.push(raw.slice(i, i + 3));
      i += 3;
    }
    const bytes = Uint8Array.from(escapes, (e) => parseInt(e.slice(1), 16));
    let j = 0;
    while (j < bytes.length) {
      const length = sequenceLength(bytes[j]!);
      if (length > 0 && j + length <= bytes.length) {
        try {
          out += utf8.decode(bytes.subarray(j, j + length));
          j += length;
          continue;
        } catch {
          // An invalid continuation, an overlong form or a surrogate: keep the lead byte encoded.
        }
      }
      out += escapes[j];
      j += 1;
    }
  }
  return out;
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
 * beyond `limit` bytes (the declared Content-Length) when one is given.
 */
export class RequestInputStream implements InputStream {
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #body: ReadableStream<Uint8Array> | null;
  #buffer: Uint8Array = EMPTY;
  #remaining: number;
  #done: boolean;

  constructor(body: ReadableStream<Uint8Array> | null, limit?: number) {
    this.#body = body;
    this.#remaining = limit ?? Infinity;
    this.#done = body === null || this.#remaining === 0;
  }

  /** Fills the buffer with at least one more chunk; false at end of input. */
  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    this.#reader ??= this.#body!.getReader();
    while (true) {
      const { done, value } = await this.#reader.read();
      if (done) {
        this.#done = true;
        return false;
      }
      if (value.byteLength === 0) continue;
      const chunk = value.byteLength > this.#remaining ? value.subarray(0, this.#remaining) : value;
      this.#remaining -= chunk.byteLength;
      if (this.#remaining === 0) {
        this.#done = true;
        void this.#reader.cancel().catch(() => {});
      }
      this.#buffer = this.#buffer.byteLength === 0 ? chunk : concat(this.#buffer, chunk);
      return true;
    }
  }

  #take(size: number): Uint8Array {
    const out = this.#buffer.subarray(0, size);
    this.#buffer = this.#buffer.subarray(size);
    return out;
  }

  async read(size?: number): Promise<Uint8Array> {
    if (size !== undefined && (!Number.isInteger(size) || size < 0)) {
      throw new TypeError(`wsgi.input.read(size) takes a non-negative integer; it was given ${String(size)}.`);
    }
    if (size === undefined) {
      while (await this.#fill());
      return this.#take(this.#buffer.byteLength);
    }
    if (size === 0) return EMPTY;
    if (this.#buffer.byteLength === 0) await this.#fill();
    return this.#take(Math.min(size, this.#buffer.byteLength));
  }

  async readline(limit?: number): Promise<Uint8Array> {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new TypeError(`wsgi.input.readline(limit) takes a non-negative integer; it was given ${String(limit)}.`);
    }
    const max = limit ?? Infinity;
    let scanned = 0;
    while (true) {
      const newline = this.#buffer.indexOf(0x0a, scanned);
      if (newline !== -1 && newline < max) return this.#take(newline + 1);
      if (this.#buffer.byteLength >= max) return this.#take(max);
      scanned = this.#buffer.byteLength;
      if (!(await this.#fill())) return this.#take(this.#buffer.byteLength);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      if (this.#buffer.byteLength === 0 && !(await this.#fill())) return;
      yield this.#take(this.#buffer.byteLength);
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
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
  options: EnvironOptions,
  signal: AbortSignal,
  context: readonly unknown[],
): Environ {
  const url = new URL(request.url);
  const path = decodePath(url.pathname);
  const scriptName = options.scriptName ?? '';
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
