/**
 * The TSGI contract: the types of docs/spec.md. A server and an application that agree on these
 * can run each other; nothing else is shared between them.
 *
 * Section numbers (§) refer to docs/spec.md.
 */

/** A status line without the protocol: `"200 OK"`, `"404 Not Found"` (§4.1). */
export type Status = string;

/** Response or request headers as an ordered list of `[name, value]` pairs; repeats are kept (§4.2). */
export type HeaderList = Array<[name: string, value: string]>;

/** The response body: bytes, produced synchronously or asynchronously (§5). */
export type Body = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** A body may carry `close()`, which the server calls exactly once on every path (§5.3). */
export type ClosableBody = Body & { close?(): void | Promise<void> };

/**
 * The `write` callable returned by `startResponse` (§4.4). It sends the headers if they are not
 * sent yet, then the chunk; the promise settles when the chunk has been accepted by the
 * transport, which is how `write` honours backpressure.
 */
export type Write = (chunk: Uint8Array) => Promise<void>;

/**
 * `startResponse(status, headers, excInfo?)` (§4). Called once before the first chunk of the
 * body; called again only with `excInfo` (the error being handled), to replace headers that have
 * not been sent yet. If they have been sent, it re-throws `excInfo`.
 */
export type StartResponse = (status: Status, headers: HeaderList, excInfo?: unknown) => Write;

/**
 * The request body stream, `environ['wsgi.input']` (§3.3). Reads end at Content-Length, or at the
 * end of a chunked body. Async iteration yields the body chunk by chunk as it arrives.
 */
export interface InputStream extends AsyncIterable<Uint8Array> {
  /** Up to `size` bytes (all that remain when omitted); an empty array at end of input. */
  read(size?: number): Promise<Uint8Array>;
  /** One line, up to and including `\n` (at most `limit` bytes); an empty array at end of input. */
  readline(limit?: number): Promise<Uint8Array>;
}

/** `environ['wsgi.errors']`: a text stream for the application's error output (§3.4). */
export interface ErrorStream {
  write(text: string): void;
  flush(): void;
}

/**
 * What `wsgi.file_wrapper` accepts (§5.5): an open file descriptor or a path, optionally a
 * byte range.
 */
export interface FileSource {
  readonly path?: string;
  readonly fd?: number;
  /** First byte to send; default 0. */
  readonly offset?: number;
  /** Number of bytes to send; default to end of file. */
  readonly length?: number;
}

/** The body returned by `wsgi.file_wrapper`: iterable like any body, recognisable by the server. */
export interface FileBody extends AsyncIterable<Uint8Array> {
  readonly file: FileSource;
  readonly blockSize: number;
  close(): void | Promise<void>;
}

/** `environ['wsgi.file_wrapper']` (§5.5). */
export type FileWrapper = (file: FileSource, blockSize?: number) => FileBody;

/**
 * The request environment (§3): CGI variables, the `HTTP_*` request headers and the `wsgi.*` and
 * `tsgi.*` keys. A plain object; servers and middleware may add keys of their own with a prefix.
 */
export interface Environ {
  REQUEST_METHOD: string;
  /** The mount point of the application; `''` at the root (§3.1). */
  SCRIPT_NAME: string;
  /** The rest of the path, percent-decoded as UTF-8; invalid sequences stay encoded (§3.1). */
  PATH_INFO: string;
  QUERY_STRING: string;
  CONTENT_TYPE?: string;
  CONTENT_LENGTH?: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  /** `"HTTP/1.1"`, `"HTTP/1.0"`. */
  SERVER_PROTOCOL: string;
  REMOTE_ADDR?: string;
  REMOTE_PORT?: string;
  /** The request-target exactly as received, not decoded (§3.1). */
  RAW_URI?: string;
  'wsgi.version': readonly [1, 0];
  'wsgi.url_scheme': string;
  'wsgi.input': InputStream;
  'wsgi.errors': ErrorStream;
  'wsgi.multithread': boolean;
  'wsgi.multiprocess': boolean;
  'wsgi.run_once': boolean;
  'wsgi.file_wrapper'?: FileWrapper;
  /** Aborts when the client goes away before the response is complete (§3.5). */
  'tsgi.signal'?: AbortSignal;
  /**
   * A folder of the server's for this process's temporary files (request bodies spooled to disk):
   * removed by the server when the process exits or dies (§3.5).
   */
  'tsgi.tmpdir'?: string;
  [key: `HTTP_${string}`]: string | undefined;
  [key: string]: unknown;
}

/**
 * How a server fills the keys of the environ that every adapter sets; the node:http adapter
 * (`NodeEnvironOptions`) and the Fetch adapter (`ToFetchHandlerOptions`) add their own.
 */
export interface EnvironOptions {
  /** The mount point, `SCRIPT_NAME` (§3.1, no trailing slash); paths under it get the rest as `PATH_INFO`. Default `''`. */
  scriptName?: string;
  /** `wsgi.errors` (§3.4); default the process's stderr on node:http, whole lines to `console.error` on a Fetch runtime. */
  errors?: ErrorStream;
  /** `wsgi.multiprocess` (§3.6); default false. Set it where several processes serve the application (worker processes, Workers). */
  multiprocess?: boolean;
}

/**
 * A TSGI application (§2): called once per request, it calls `startResponse` and returns the
 * body, or a promise of it.
 *
 * It MAY carry `ready`, a promise that settles when the application can serve (§2.3): servers
 * await it before they accept traffic for it, and treat a rejection as a failure to load.
 *
 * @example
 * const app: Application = (environ, startResponse) => {
 *   startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
 *   return [new TextEncoder().encode('Hello, world!')];
 * };
 */
export type Application = ((environ: Environ, startResponse: StartResponse) => ClosableBody | Promise<ClosableBody>) & {
  ready?: Promise<void>;
};
