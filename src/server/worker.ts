/**
 * A worker: loads the application, serves the connections the master hands over (node:http or
 * node:https around the gateway's listener, with the strict checks of strict.ts), beats, logs
 * each request, and drains gracefully when told to stop. `Worker` is given what it needs from
 * its process (the IPC channel, the logs, the clock, the exit), so that a test runs one in its
 * own process; worker-main.ts is the process the master forks.
 */
import type {
  IncomingMessage,
  Server as HttpServer,
  ServerOptions as HttpServerOptions,
  ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { REASON_PHRASES } from '../gateway/http-rules.ts';
import { isLingering, lingerOnClose } from '../gateway/linger.ts';
import { allowHalfOpen, createListener, handleClientError, type TsgiListener } from '../gateway/server.ts';
import type { Application, Environ } from '../gateway/types.ts';
import { compileAccessFormat, jsonAccessLine, type AccessFormatter } from './access-log.ts';
import { HANDOFF_MS, beatInterval, monotonicMs, type FromWorker, type ToWorker } from './ipc.ts';
import { AppLoadError, APP_LOAD_ERROR, loadApplication, WORKER_BOOT_ERROR } from './loader.ts';
import type { LogFile, Logger } from './logger.ts';
import { applyProxyHeaders, parseAllowIps, schemeConflict, type TrustedProxies } from './proxy.ts';
import type { ServerConfig } from './settings.ts';
import { checkRequest, checkTrailers, refusalBytes, type Refusal, type StrictLimits } from './strict.ts';
import { WATCHDOG_SOURCE, type WatchdogData } from './watchdog.ts';
// Not an ESM import: building node:util's namespace runs its lazy getters, ~3 ms of a worker's start.
const { inspect } = process.getBuiltinModule('node:util');
const { rmdirSync, rmSync } = process.getBuiltinModule('node:fs');
// Not an ESM import: that would load undici and zlib into every worker (see src/gateway/server.ts).
const http = process.getBuiltinModule('node:http');

/** What the master tells a worker when it forks it ($TSGI_WORKER). */
export interface WorkerSetup {
  /** `MODULE[:ATTR]`. */
  app: string;
  config: ServerConfig;
  /** This worker's --max-requests with its jitter; 0 for none. */
  maxRequests: number;
  multiprocess: boolean;
  /** The master turned the compile cache on with NODE_COMPILE_CACHE (arbiter.ts compileCacheEnv). */
  ownCompileCache?: boolean;
  /** The worker's folder for temporary files, given to the application as environ['tsgi.tmpdir'] (spec §3.5). */
  tmpdir?: string;
}

/** The parts of the watchdog thread a worker uses. */
export interface Watchdog {
  terminate(): Promise<unknown>;
}

/** What a worker needs from its process. */
export interface WorkerDeps {
  setup: WorkerSetup;
  /** Where the application's module is looked up: the working directory. */
  root: string;
  /** Sends a message to the master; a no-op once the master is gone. */
  send(msg: FromWorker): void;
  /** Whether the master is still there (process.connected). */
  connected(): boolean;
  /** Ends the process (process.exit); the worker does nothing after calling it. */
  exit(code: number): void;
  log: Logger;
  /** The access log, or null for none. */
  accessLog: LogFile | null;
  /** A clock in milliseconds for durations; default performance.now. */
  now?: () => number;
  /** Starts the watchdog thread (watchdog.ts); default a real thread. */
  startWatchdog?: (data: WatchdogData) => Watchdog;
}

/** The access log's view of a request in flight (only kept when there is an access log). */
interface Logged {
  res: ServerResponse;
  start: Date;
  startMs: number;
  /** Body bytes sent (onResponseEnd), or those of a refusal. */
  bytes: number;
  /** The response headers as sent, names and values in turn. */
  headers: readonly string[] | undefined;
  /** The client address after trusted proxy headers. */
  remote: string | undefined;
}

/** A connection the worker serves: how many of its responses are not finished. */
interface Connection {
  responding: number;
}

function startThread(data: WatchdogData, log: Logger): Watchdog {
  const thread = new Thread(WATCHDOG_SOURCE, { eval: true, workerData: data, stdout: false, stderr: false });
  thread.unref();
  thread.on('error', (err) => log.warning(`The watchdog thread failed: ${err.message}`));
  return thread;
}

function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : inspect(err);
}

/**
 * One worker process's server.
 *
 * @example
 * const worker = new Worker({ setup, root: process.cwd(), send, connected, exit, log, accessLog: null });
 * process.on('message', (msg, handle) => worker.receive(msg, handle));
 * await worker.boot();
 */
export class Worker {
  readonly #setup: WorkerSetup;
  readonly #config: ServerConfig;
  readonly #deps: WorkerDeps;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #accessLog: LogFile | null;
  readonly #accessFormat: AccessFormatter | null;
  readonly #limits: StrictLimits;
  readonly #trusted: TrustedProxies;
  /** Whether each peer is a trusted proxy, decided once per connection (keep-alive reuses it). */
  readonly #trust = new WeakMap<Socket, boolean>();
  /** The requests in flight and their responses; the watchdog reads it when the loop is blocked. */
  readonly #inflight = new Map<IncomingMessage, ServerResponse>();
  readonly #logged = new Map<IncomingMessage, Logged>();
  readonly #connections = new Map<Socket, Connection>();
  /** The heartbeat counter the watchdog thread reads. */
  readonly beat = new Int32Array(new SharedArrayBuffer(4));
  #server: HttpServer | undefined;
  #listener: TsgiListener | undefined;
  #watchdog: Watchdog | undefined;
  #beatTimer: NodeJS.Timeout | undefined;
  #served = 0;
  #booted = false;
  #draining = false;
  #askedToStop = false;
  #finishing = false;
  /** The 'close' listener of every response: one function, not a closure per request. */
  readonly #onResponseClose: (this: ServerResponse) => void;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    this.#setup = deps.setup;
    const config = (this.#config = deps.setup.config);
    this.#log = deps.log;
    this.#now = deps.now ?? (() => performance.now());
    this.#accessLog = deps.accessLog;
    this.#accessFormat = deps.accessLog
      ? config.accessLogJson
        ? jsonAccessLine
        : compileAccessFormat(config.accessLogFormat)
      : null;
    this.#limits = {
      limitRequestLine: config.limitRequestLine,
      limitRequestFields: config.limitRequestFields,
      limitRequestFieldSize: config.limitRequestFieldSize,
      limitRequestBody: config.limitRequestBody,
      headerMap: config.headerMap,
    };
    this.#trusted = parseAllowIps(config.forwardedAllowIps);
    const responseClosed = (res: ServerResponse) => this.#responseClosed(res);
    this.#onResponseClose = function (this: ServerResponse) {
      responseClosed(this);
    };
  }

  /** The requests in flight (for the watchdog's report). */
  get inflight(): ReadonlyMap<IncomingMessage, ServerResponse> {
    return this.#inflight;
  }

  /** Whether the worker has stopped taking connections. */
  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Loads the application, builds the server, starts the heartbeat and the watchdog, waits for
   * the application's `ready` (docs/spec.md §2.3) and tells the master. Resolves false when the
   * worker could not boot (it has called `exit` with APP_LOAD_ERROR or WORKER_BOOT_ERROR).
   */
  async boot(): Promise<boolean> {
    const { setup } = this;
    let app: Application;
    try {
      ({ app } = await loadApplication(setup.app, this.#deps.root));
    } catch (err) {
      const message =
        err instanceof AppLoadError
          ? err.message
          : `The application ${setup.app} failed to load:\n${(err as Error)?.stack ?? String(err)}`;
      this.#log.error(message);
      // The line that says what failed: the error after "... failed to get ready (...):".
      const [first = '', second] = message.split('\n', 2);
      this.#deps.send({ t: 'failed', reason: first.endsWith(':') && second ? second.trim() : first });
      this.#deps.exit(err instanceof AppLoadError ? APP_LOAD_ERROR : WORKER_BOOT_ERROR);
      return false;
    }
    const server = await this.#createServer();
    if (server === undefined) return false;
    this.#server = server;
    const tmpdir = setup.tmpdir;
    this.#listener = createListener(app, {
      multiprocess: setup.multiprocess,
      // A declared Content-Length over the limit is refused before the listener (strict.ts); a
      // chunked body is counted as it arrives. The clocks run while a read waits for the client.
      body: {
        maxBytes: this.#config.limitRequestBody,
        idleTimeoutMs: this.#config.bodyIdleTimeout * 1000,
        timeoutMs: this.#config.bodyTimeout * 1000,
      },
      errors: { write: (text: string) => this.#log.error(text.trimEnd()), flush() {} },
      adjustEnviron: (environ: Environ, req: IncomingMessage) => {
        if (tmpdir !== undefined) environ['tsgi.tmpdir'] = tmpdir;
        if (this.#isTrusted(req.socket)) applyProxyHeaders(environ);
        const logged = this.#logged.get(req);
        if (logged !== undefined) logged.remote = environ.REMOTE_ADDR;
      },
      onResponseEnd: this.#accessFormat
        ? (req: IncomingMessage, bytes: number, headers: readonly string[] | undefined) => {
            const logged = this.#logged.get(req);
            if (logged !== undefined) {
              logged.bytes = bytes;
              logged.headers = headers;
            }
          }
        : undefined,
    });
    this.#wire(server);
    this.#startBeating();
    await this.#listener.ready;
    this.#booted = true;
    this.#deps.send({ t: 'ready' });
    return true;
  }

  get setup(): WorkerSetup {
    return this.#setup;
  }

  /** node:http's options from the settings. */
  #serverOptions(): HttpServerOptions {
    const config = this.#config;
    return {
      // Large enough for our own limits to be the ones that apply (node counts target + names + values).
      maxHeaderSize: config.limitRequestLine + config.limitRequestFields * config.limitRequestFieldSize + 1024,
      requireHostHeader: true,
      headersTimeout: config.headerTimeout * 1000,
      requestTimeout: 0,
      keepAliveTimeout: config.keepAlive * 1000,
      connectionsCheckingInterval: Math.min(1000, config.headerTimeout * 500),
      joinDuplicateHeaders: false,
    };
  }

  /**
   * The server; HTTPS with the files read afresh (a reload picks up a renewed certificate). The
   * master checked them before forking; a file that went bad since is a boot failure, which stops
   * the server (or fails the reload) instead of a respawn loop. node:https (and TLS) is loaded
   * only when used: it costs memory in every worker.
   */
  async #createServer(): Promise<HttpServer | undefined> {
    const { certfile, keyfile } = this.#config;
    if (certfile === null) return http.createServer(this.#serverOptions());
    const { readTlsFiles } = await import('./tls.ts');
    let files: { cert: Buffer; key: Buffer };
    try {
      files = readTlsFiles(certfile, keyfile!);
    } catch (err) {
      this.#log.error((err as Error).message);
      this.#deps.send({ t: 'failed', reason: (err as Error).message });
      this.#deps.exit(WORKER_BOOT_ERROR);
      return undefined;
    }
    return (await import('node:https')).createServer({ ...this.#serverOptions(), ...files });
  }

  #wire(server: HttpServer): void {
    const config = this.#config;
    // A client that half-closes after its request still gets the response (docs/spec.md §3.5).
    allowHalfOpen(server);
    // A connection closed while the client is still sending (an answer before the body was read)
    // is read and dropped for a while after the response, so that no reset erases the answer.
    lingerOnClose(server, {
      timeMs: config.lingeringTime * 1000,
      idleMs: config.lingeringTimeout * 1000,
      maxBytes: config.lingeringBytes,
    });
    server.maxHeadersCount = config.limitRequestFields + 1;
    // The server never listens itself (the master hands connections over), but node starts the
    // timer that enforces headersTimeout (slowloris) on 'listening'.
    server.emit('listening');
    server.keepAliveTimeout = config.keepAlive * 1000;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res, false));
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res, true));
    server.on('clientError', (error: Error & { code?: string }, socket: Socket) => this.#clientError(error, socket));
    // CONNECT (authority-form target) goes to the application like any request; node hands it
    // over on its own event, without a response object.
    server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (head.length > 0) socket.unshift(head);
      const res = new http.ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket);
      res.once('finish', () => socket.destroySoon());
      this.#handle(req, res, false);
    });
    server.on('tlsClientError', (error: Error, socket: Socket) => {
      this.#log.debug(`TLS handshake failed with ${socket.remoteAddress}: ${error.message}`);
    });
  }

  #clientError(error: Error & { code?: string }, socket: Socket): void {
    // The parser's complaint about input a lingering close drops (a body cut by the client's FIN).
    if (isLingering(socket)) return;
    if (error.code === 'HPE_CLOSED_CONNECTION' && (this.#connections.get(socket)?.responding ?? 0) > 0) {
      // Bytes after a request that closes the connection (HTTP/1.0, Connection: close) are to be
      // ignored (RFC 9112 §9.6): the pending answer goes out, then the connection closes.
      socket.pause();
      return;
    }
    if (error.code !== 'ECONNRESET')
      this.#log.debug(`Bad request from ${socket.remoteAddress}: ${error.code ?? error.message}`);
    handleClientError(error, socket);
  }

  #isTrusted(socket: Socket): boolean {
    let trust = this.#trust.get(socket);
    if (trust === undefined) {
      trust = this.#trusted.trusts(socket.remoteAddress);
      this.#trust.set(socket, trust);
    }
    return trust;
  }

  /** A message from the master. */
  receive(msg: ToWorker, handle?: Socket): void {
    if (msg.t === 'conn') {
      // A handle that did not make it through: the master's copy goes to another worker.
      if (handle) this.#take(msg.id, msg.at, handle);
      else this.#deps.send({ t: 'took', id: msg.id, ok: false });
    } else if (msg.t === 'stop') this.drain(msg.idle);
    else if (msg.t === 'reopen') {
      this.#log.file.reopen();
      this.#accessLog?.reopen();
    }
  }

  /**
   * A connection from the master, answered in this same turn (see HANDOFF_MS): late, or while
   * draining, it goes back to the master, which hands it to another worker (its copy keeps the
   * connection open).
   */
  #take(id: number, at: number, socket: Socket): void {
    const server = this.#server;
    if (server === undefined || this.#draining || monotonicMs() - at > HANDOFF_MS) {
      socket.destroy();
      this.#deps.send({ t: 'took', id, ok: false });
      return;
    }
    this.#deps.send({ t: 'took', id, ok: true });
    this.#connections.set(socket, { responding: 0 });
    socket.once('close', () => {
      this.#connections.delete(socket);
      this.#deps.send({ t: 'closed' });
      if (this.#draining && this.#connections.size === 0) this.#finish();
    });
    server.emit('connection', socket);
  }

  #handle(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    this.#track(req, res);
    const refusal = checkRequest(req, this.#limits);
    if (refusal) return this.#refuse(req, res, refusal);
    if (this.#isTrusted(req.socket)) {
      const conflict = schemeConflict(req.headers);
      if (conflict) return this.#refuse(req, res, { status: 400, reason: conflict });
    }
    if (req.headers['transfer-encoding'] !== undefined) {
      req.once('end', () => {
        const bad = checkTrailers(req);
        if (!bad) return;
        this.#log.debug(`Refused the trailers of ${req.method} ${req.url}: ${bad.reason}`);
        // The application's answer is dropped: the request was invalid.
        if (!res.headersSent) req.socket.end(refusalBytes(bad));
        req.socket.destroySoon();
      });
    }
    if (this.#draining || this.#config.keepAlive === 0) res.shouldKeepAlive = false;
    const listener = this.#listener!;
    if (expectContinue) listener.checkContinue(req, res);
    else listener(req, res);
  }

  /** Counts the request, and logs it when its response is done. */
  #track(req: IncomingMessage, res: ServerResponse): void {
    this.#inflight.set(req, res);
    const connection = this.#connections.get(req.socket);
    if (connection !== undefined) connection.responding++;
    if (this.#accessFormat)
      this.#logged.set(req, {
        res,
        start: new Date(),
        startMs: this.#now(),
        bytes: 0,
        headers: undefined,
        remote: undefined,
      });
    res.once('close', this.#onResponseClose);
  }

  #refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
    this.#log.debug(
      `Refused ${JSON.stringify(`${req.method} ${req.url} HTTP/${req.httpVersion}`)} from ${req.socket.remoteAddress}: ${refusal.status} ${refusal.reason}`,
    );
    const body = refusal.reason + '\n';
    const length = Buffer.byteLength(body);
    res.shouldKeepAlive = false;
    const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(length)];
    res.writeHead(refusal.status, REASON_PHRASES[refusal.status], headers);
    res.end(body);
    const logged = this.#logged.get(req);
    if (logged !== undefined) {
      logged.bytes = req.method === 'HEAD' ? 0 : length;
      logged.headers = headers;
    }
    // The body that may follow is not read as a request: node:http closes the connection after
    // this answer (shouldKeepAlive), by the lingering close (#wire), which drops it.
  }

  #responseClosed(res: ServerResponse): void {
    const req = res.req;
    this.#inflight.delete(req);
    const connection = this.#connections.get(req.socket);
    if (connection !== undefined) connection.responding--;
    this.#served++;
    const logged = this.#logged.get(req);
    if (logged !== undefined) {
      this.#logged.delete(req);
      this.#accessLog!.write(
        this.#accessFormat!({
          req,
          res,
          bytes: logged.bytes,
          headers: logged.headers,
          startMs: logged.startMs,
          start: logged.start,
          endMs: this.#now(),
          remoteAddr: logged.remote ?? req.socket.remoteAddress ?? '-',
        }) + '\n',
      );
    }
    const max = this.#setup.maxRequests;
    if (max > 0 && this.#served === max) {
      this.#log.info(`Autorestarting worker after current request (${this.#served} requests served, --max-requests).`);
      this.#deps.send({ t: 'retire' });
    }
  }

  /** A stray rejection: nothing is known to be broken, so the worker keeps serving. */
  onUnhandledRejection(reason: unknown): void {
    this.#log.error(
      `Unhandled promise rejection in worker ${process.pid}; it keeps serving. Await the promise or add a .catch() to it:\n${describeError(reason)}`,
    );
  }

  /**
   * A stray exception: while booting, the worker cannot boot; after, its state may be corrupt,
   * so it stops taking connections, finishes those it has, and the master replaces it.
   */
  onUncaughtException(err: unknown): void {
    if (!this.#booted) {
      this.#log.error(`Uncaught exception in worker ${process.pid} while it was booting:\n${describeError(err)}`);
      this.#deps.exit(WORKER_BOOT_ERROR);
      return;
    }
    this.#log.error(
      `Uncaught exception in worker ${process.pid}; its state may be corrupt, so it stops taking connections, finishes its ${this.#inflight.size} request(s) in flight and exits, and the master replaces it:\n${describeError(err)}`,
    );
    this.#failing();
  }

  /**
   * After an uncaught exception. The master is asked to stop this worker, rather than the worker
   * draining on its own: the master stops handing it connections and replaces it, and its 'stop'
   * comes after any connection it has already sent (the IPC channel is ordered), so none of those
   * is dropped. Without a master there is nobody to replace it: it drains at once.
   */
  #failing(): void {
    if (this.#askedToStop || this.#draining) return;
    this.#askedToStop = true;
    if (this.#deps.connected()) this.#deps.send({ t: 'fatal' });
    else this.drain(true);
  }

  /**
   * Stops taking connections, finishes the requests in flight, closes idle keep-alive
   * connections (all of them when `closeIdle`), then exits.
   */
  drain(closeIdle = true): void {
    if (this.#draining) return;
    this.#draining = true;
    for (const res of this.#inflight.values()) if (!res.headersSent) res.shouldKeepAlive = false;
    // On a reload, idle keep-alive connections are not cut (a request may be on its way): the next
    // answer on each says `Connection: close`, and the keep-alive timeout closes those that stay
    // idle. On shutdown nobody will serve them: they are closed now.
    if (closeIdle) this.#server?.closeIdleConnections();
    if (this.#connections.size === 0) return this.#finish();
    const { gracefulTimeout } = this.#config;
    setTimeout(() => {
      this.#log.warning(
        `Graceful timeout: ${this.#connections.size} connection(s) still open after ${gracefulTimeout}s; exiting.`,
      );
      this.#finishing = false;
      this.#finish();
    }, gracefulTimeout * 1000).unref();
  }

  /** Exits now, requests in flight or not (the master's fast stop: INT, QUIT). */
  quit(): void {
    this.#finish();
  }

  #finish(): void {
    if (this.#finishing) return;
    this.#finishing = true;
    this.#log.info(`Worker exiting (pid: ${process.pid})`);
    clearInterval(this.#beatTimer);
    // The master removes it too, but may be gone (then the last worker out removes the server's).
    const tmpdir = this.#setup.tmpdir;
    if (tmpdir !== undefined) {
      rmSync(tmpdir, { recursive: true, force: true });
      if (!this.#deps.connected()) {
        try {
          rmdirSync(path.dirname(tmpdir));
        } catch {
          // Not empty: another worker is still there.
        }
      }
    }
    // End the watchdog's inspector session first, or node waits for "the debugger to disconnect".
    const watchdog = this.#watchdog;
    if (watchdog) void watchdog.terminate().finally(() => this.#deps.exit(0));
    else this.#deps.exit(0);
  }

  /**
   * The heartbeat: a counter the watchdog thread reads, and a message to the master. The thread
   * runs even with --timeout 0: it is also what ends a worker whose master is gone (watchdog.ts).
   */
  #startBeating(): void {
    const config = this.#config;
    const interval = beatInterval(config.timeout);
    const start = this.#deps.startWatchdog ?? ((data: WatchdogData) => startThread(data, this.#log));
    this.#watchdog = start({
      beat: this.beat,
      beatMs: interval,
      timeoutMs: config.timeout * 1000,
      gracefulMs: config.gracefulTimeout * 1000,
      masterPid: process.ppid,
      errorLog: config.errorLogfile,
      tmpdir: this.#setup.tmpdir ?? null,
    });
    this.#beatTimer = setInterval(() => {
      Atomics.add(this.beat, 0, 1);
      this.#deps.send({ t: 'beat', inflight: this.#inflight.size });
    }, interval).unref();
  }
}
