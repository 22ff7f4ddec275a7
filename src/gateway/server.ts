/**
 * The reference server (spec §7): `createListener(app)` turns a TSGI application into a
 * node:http request listener, `serve(app)` runs it on a port. The production server builds on
 * the same listener.
 */
import type {
  IncomingMessage,
  Server as HttpServer,
  ServerOptions as HttpServerOptions,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { buildEnviron, stderrErrorStream, type NodeEnvironOptions } from './environ.ts';
import { Exchange, responseInFlight, stack, type ExchangeOptions } from './exchange.ts';
import { TOKEN } from './http-rules.ts';
import { RequestInput, type BodyLimits } from './input.ts';
import { DEFAULT_LINGER, isLingering, lingerOnClose, type LingerLimits } from './linger.ts';
import type { Application } from './types.ts';

// node:http is taken with process.getBuiltinModule(), not an ESM import: importing it as ESM builds
// its namespace, and the WebSocket/MessageEvent getters on it load undici and zlib (Node 24): about
// 40 ms of every cold start and memory in every worker, for nothing a TSGI server uses.
const http = process.getBuiltinModule('node:http');

/** Options of {@link createListener}: how the environ is filled (see {@link NodeEnvironOptions}). */
export interface ListenerOptions extends NodeEnvironOptions {
  /**
   * Create `tsgi.signal` (an AbortSignal that fires when the client goes away, §3.5); default
   * true. Turning it off saves an AbortController per request.
   */
  signal?: boolean;
  /**
   * Called once per request the listener answers, when its response has ended (sent in full, cut,
   * or abandoned by a client that left), with the number of body bytes handed to node:http (the
   * application's: none for HEAD, 204, 304; or those of the listener's own 500 or 503) and the
   * headers sent, names and values in turn (undefined when none went out). For an access log,
   * without wrapping the response's methods or reading node's private fields.
   */
  onResponseEnd?: (req: IncomingMessage, bodyBytes: number, headers: readonly string[] | undefined) => void;
  /**
   * Bounds on request bodies (size, and how long the client may keep a read waiting), answered
   * with 413 or 408 by the listener itself (see {@link BodyLimits}). None by default.
   */
  body?: BodyLimits;
}

/** A node:http request listener, plus the handler of node's 'checkContinue' event. */
export interface TsgiListener {
  (req: IncomingMessage, res: ServerResponse): void;
  /**
   * For `server.on('checkContinue', listener.checkContinue)`: the request is handled as usual
   * and `100 Continue` goes out only when the application first reads `wsgi.input`
   * (RFC 9110 §10.1.1). Without it node answers 100 at once.
   */
  checkContinue(req: IncomingMessage, res: ServerResponse): void;
  /** Settles when the application is ready (`app.ready`, §2.3). */
  readonly ready: Promise<void>;
}

const LOAD_FAILED = Buffer.from('Service Unavailable: the application failed to load.\n');

/**
 * Turns a TSGI application into a node:http request listener. Requests that arrive before
 * `app.ready` settles wait for it; if it rejects they get a 503 and the error goes to `wsgi.errors`.
 *
 * @example
 * const listener = createListener(app, { scriptName: '/api' });
 * const server = allowHalfOpen(http.createServer(listener)).on('checkContinue', listener.checkContinue);
 * server.listen(8000);
 */
export function createListener(app: Application, options: ListenerOptions = {}): TsgiListener {
  if (typeof app !== 'function') {
    throw new TypeError(
      `createListener() takes a TSGI application (a function (environ, startResponse) => body), not ${app === null ? 'null' : typeof app}.`,
    );
  }
  const errors = options.errors ?? stderrErrorStream;
  const withSignal = options.signal ?? true;
  const onResponseEnd = options.onResponseEnd;
  const exchangeOptions: ExchangeOptions = { errors, onResponseEnd };
  const bodyLimits = options.body;
  let isReady = app.ready === undefined;
  let loadError: unknown;
  const ready: Promise<void> = isReady
    ? Promise.resolve()
    : Promise.resolve(app.ready).then(
        () => {
          isReady = true;
        },
        (error: unknown) => {
          loadError = error;
          errors.write(`tsgi: the application failed to load (its ready promise rejected):\n${stack(error)}\n`);
          throw error;
        },
      );
  // Keep an unobserved rejection from crashing the process; handle() reports it per request.
  ready.catch(() => {});

  const handle = (req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void => {
    if (!isReady) {
      ready.then(
        () => handle(req, res, expectContinue),
        () => failLoad(req, res, loadError),
      );
      return;
    }
    try {
      // 100 Continue only while no final response has started (RFC 9110 §15.2.1).
      const onFirstRead = expectContinue ? () => res.headersSent || res.writeContinue() : undefined;
      const input =
        bodyLimits === undefined
          ? new RequestInput(req, onFirstRead)
          : new RequestInput(req, { onFirstRead, limits: bodyLimits, response: res });
      const controller = withSignal ? new AbortController() : undefined;
      const environ = buildEnviron(req, input, options, controller?.signal);
      new Exchange(app, req, res, environ, exchangeOptions, controller, expectContinue, input).run();
    } catch (error) {
      // Only a bug of ours (or of an adjustEnviron hook) gets here: answer, never crash.
      errors.write(`tsgi: internal error before the application ran:\n${stack(error)}\n`);
      if (!res.headersSent) {
        const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', '22'];
        res.writeHead(500, headers);
        res.end('Internal Server Error\n');
        onResponseEnd?.(req, req.method === 'HEAD' ? 0 : 22, headers);
      } else res.destroy();
    }
  };
  const failLoad = (req: IncomingMessage, res: ServerResponse, _error: unknown): void => {
    const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(LOAD_FAILED.length)];
    res.writeHead(503, headers);
    res.end(LOAD_FAILED);
    onResponseEnd?.(req, req.method === 'HEAD' ? 0 : LOAD_FAILED.length, headers);
  };

  const listener = ((req: IncomingMessage, res: ServerResponse) => handle(req, res, false)) as TsgiListener;
  (listener as { checkContinue: TsgiListener['checkContinue'] }).checkContinue = (req, res) => handle(req, res, true);
  (listener as { ready: Promise<void> }).ready = ready;
  return listener;
}

/**
 * node:http's 'clientError' handler: a request node cannot parse gets a short, complete answer
 * (RFC 9112 §2.2: 400; RFC 6585 §5: 431 for headers too large) and the connection is closed
 * (lingering, where {@link lingerOnClose} is installed). A connection whose response is being
 * sent, its headers out, is cut instead: an answer written into it would corrupt it.
 *
 * @example
 * server.on('clientError', handleClientError);
 */
export function handleClientError(error: Error & { code?: string }, socket: Duplex): void {
  // Closing already: the parser's complaint is about input that is being dropped.
  if (isLingering(socket)) return;
  // node's own handler asks the socket's private `_httpMessage` (the response attached to it)
  // whether its headers are out; the exchange keeps the response it streams on each connection
  // instead (responseInFlight). A response sent whole is complete in the socket's queue: the
  // answer goes after it (node would cut the connection until that response's 'finish').
  if (error.code === 'ECONNRESET' || !socket.writable || responseInFlight(socket) !== undefined) {
    socket.destroy();
    return;
  }
  let status = '400 Bad Request';
  let text = 'Bad Request: the request could not be parsed.\n';
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = '431 Request Header Fields Too Large';
    text = 'Request Header Fields Too Large: the request headers exceed the server limit.\n';
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = '408 Request Timeout';
    text = 'Request Timeout: the request did not arrive in time.\n';
  } else if (error.code === 'HPE_INVALID_METHOD') {
    // llhttp knows a fixed list of methods. One outside it that is still a well-formed token is
    // a method this server does not implement (RFC 9110 §9.1, §15.6.2): 501, not 400.
    const method = unknownMethod(error as Error & { rawPacket?: Buffer; bytesParsed?: number });
    if (method !== null) {
      status = '501 Not Implemented';
      text = `Not Implemented: this server does not implement the method ${method}.\n`;
    }
  }
  socket.write(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
  // As node:http closes a connection after its last response: destroySoon() where the socket has
  // it (a lingering close on a server with lingerOnClose), else end().
  const closable = socket as Duplex & { destroySoon?: () => void };
  if (typeof closable.destroySoon === 'function') closable.destroySoon();
  else socket.end();
}

/** A request line (RFC 9112 §3): method, target, version; the method named in an answer at most 32 long. */
const REQUEST_LINE = /^(\S{1,32}) \S+ HTTP\/\d\.\d\r?$/;

/**
 * The method of a request llhttp refused for its method, when the request line is well formed
 * (a method llhttp does not know), else null (garbage: a 400). The line is found in the packet
 * around where the parser stopped (`bytesParsed`, `rawPacket`: node's documented fields of a
 * 'clientError' error).
 */
function unknownMethod(error: { rawPacket?: Buffer; bytesParsed?: number }): string | null {
  const packet = error.rawPacket;
  if (!Buffer.isBuffer(packet)) return null;
  const at = Math.min(error.bytesParsed ?? 0, packet.length);
  // (lastIndexOf counts a negative start from the end.)
  const start = at > 0 ? packet.lastIndexOf(10, at - 1) + 1 : 0;
  const end = packet.indexOf(10, start);
  if (end < 0 || end - start > 8192) return null;
  const method = REQUEST_LINE.exec(packet.toString('latin1', start, end))?.[1];
  return method !== undefined && TOKEN.test(method) ? method : null;
}

/**
 * Makes a node:http server answer a client that half-closes its side after its request
 * (`shutdown(SHUT_WR)`, `socket.end()` after writing): it still waits for the response (§3.5).
 * node's default (`httpAllowHalfOpen` false) ends the server's side as soon as the client's ends,
 * and the response in progress is lost; with it true, node closes the connection after that
 * response. Sockets handed to the server by `server.emit('connection', socket)` (from another
 * process) are made half-open too, before node's own handler sees them. {@link createServer}
 * does it; a server that wires {@link createListener} into its own `http.Server` should call it.
 *
 * @example
 * const server = allowHalfOpen(http.createServer(listener));
 */
export function allowHalfOpen<T extends HttpServer>(server: T): T {
  (server as T & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.prependListener('connection', markHalfOpen);
  return server;
}

/** A socket received from elsewhere is not half-open by default (net.Socket's default). */
function markHalfOpen(socket: Duplex): void {
  socket.allowHalfOpen = true;
}

/** Options of {@link createServer} and {@link serve}. */
export interface ServerOptions extends ListenerOptions {
  /** node:http's limit on the request head, bytes (beyond it: 431); default node's 16 KiB. */
  maxHeaderSize?: number;
  /** How long an idle keep-alive connection stays open, ms; default 5000. */
  keepAliveTimeout?: number;
  /** How long a request may take to arrive, ms (408 after it); default node's 300 000. */
  requestTimeout?: number;
  /**
   * The lingering close of connections closed while the client may still be sending (see
   * {@link lingerOnClose}); default {@link DEFAULT_LINGER} (30 s, 5 s idle, 128 MiB);
   * `{ timeMs: 0 }` turns it off.
   */
  linger?: Partial<LingerLimits>;
}

/**
 * A node:http server wired for TSGI: the listener, 'checkContinue', 'clientError', half-open
 * connections and the lingering close.
 *
 * @example
 * const server = createServer(app);
 * server.listen(8000, '127.0.0.1');
 */
export function createServer(app: Application, options: ServerOptions = {}): HttpServer {
  const listener = createListener(app, options);
  const serverOptions: HttpServerOptions = {};
  if (options.maxHeaderSize !== undefined) serverOptions.maxHeaderSize = options.maxHeaderSize;
  if (options.requestTimeout !== undefined) serverOptions.requestTimeout = options.requestTimeout;
  if (options.keepAliveTimeout !== undefined) serverOptions.keepAliveTimeout = options.keepAliveTimeout;
  const server = http.createServer(serverOptions, listener);
  allowHalfOpen(server);
  lingerOnClose(server, { ...DEFAULT_LINGER, ...options.linger });
  server.on('checkContinue', listener.checkContinue);
  server.on('clientError', handleClientError);
  return server;
}

/** Options of {@link serve}. */
export interface ServeOptions extends ServerOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default 8000; 0 picks a free port (read it from the handle). */
  port?: number;
  /** On close, how long in-flight requests may take before their connections are cut, ms; default 10 000. */
  shutdownTimeout?: number;
}

/** A running server. */
export interface ServerHandle {
  readonly server: HttpServer;
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  readonly url: string;
  /**
   * Stops accepting, closes idle connections, lets in-flight requests finish (up to
   * `shutdownTimeout`), then resolves. Safe to call more than once.
   */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Serves a TSGI application with the reference server. Waits for `app.ready` (rejects if it
 * rejects) and for the port to be bound.
 *
 * @example
 * const handle = await serve(app, { port: 8000 });
 * console.log(`Serving on ${handle.url}`);
 * await handle.close();
 */
export async function serve(app: Application, options: ServeOptions = {}): Promise<ServerHandle> {
  const { host = '127.0.0.1', port = 8000, shutdownTimeout = 10_000 } = options;
  if (app !== null && typeof app === 'function' && app.ready !== undefined) await app.ready;
  const server = createServer(app, options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A server error after start (EMFILE, ...) is logged, never an uncaught exception.
  server.on('error', (error) => (options.errors ?? stderrErrorStream).write(`tsgi: server error: ${stack(error)}\n`));
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), shutdownTimeout);
      // Keep-alive connections become idle as their last response ends: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.close(() => {
        clearTimeout(timer);
        clearInterval(sweep);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return {
    server,
    host: address.address,
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}
