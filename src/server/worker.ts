/**
 * A worker process: loads the application fresh, serves the connections the master hands over
 * (node:http or node:https around the gateway's listener, with the strict checks of strict.ts),
 * sends a heartbeat, and drains gracefully when told to stop. Started by the master with
 * child_process.fork(); its settings arrive in $TSGI_WORKER.
 */
import type {
  IncomingMessage,
  Server as HttpServer,
  ServerOptions as HttpServerOptions,
  ServerResponse,
} from 'node:http';
import { flushCompileCache } from 'node:module';
import type { Socket } from 'node:net';
import { Worker as Thread } from 'node:worker_threads';
import { allowHalfOpen, createListener, handleClientError } from '../gateway/server.ts';
import type { Environ } from '../gateway/types.ts';
import { compileAccessFormat, jsonAccessLine, type AccessFormatter, type AccessRecord } from './access-log.ts';
import { AppLoadError, APP_LOAD_ERROR, loadApplication, WORKER_BOOT_ERROR } from './loader.ts';
import { LogFile, Logger, type LogLevel } from './logger.ts';
import { applyProxyHeaders, parseAllowIps, schemeConflict } from './proxy.ts';
import type { ServerConfig } from './settings.ts';
import { checkRequest, checkTrailers, refusalBytes, type Refusal } from './strict.ts';
import { HANDOFF_MS, INFLIGHT_KEY, beatInterval, monotonicMs, type FromWorker, type ToWorker } from './ipc.ts';
import { WATCHDOG_SOURCE, type WatchdogData } from './watchdog.ts';
// Not an ESM import: building node:util's namespace runs its lazy getters, ~3 ms of a worker's start.
const { inspect } = process.getBuiltinModule('node:util');

// Not an ESM import: that would load undici and zlib into every worker (see src/gateway/server.ts).
const http = process.getBuiltinModule('node:http');

interface WorkerSetup {
  app: string;
  config: ServerConfig;
  /** This worker's --max-requests with its jitter; 0 for none. */
  maxRequests: number;
  multiprocess: boolean;
  /** The master turned the compile cache on with NODE_COMPILE_CACHE (arbiter.ts compileCacheEnv). */
  ownCompileCache?: boolean;
}

const setup = JSON.parse(process.env.TSGI_WORKER!) as WorkerSetup;
delete process.env.TSGI_WORKER;
// Node read it at start-up; the application sees the environment the user gave.
if (setup.ownCompileCache) delete process.env.NODE_COMPILE_CACHE;
const { config } = setup;
const log = new Logger(new LogFile(config.errorLogfile, 2), config.logLevel as LogLevel);
const send = (msg: FromWorker): void => {
  if (process.connected) process.send!(msg);
};

// The requests in flight, read by the watchdog thread (through the inspector) when the loop is blocked.
const inflight = new Set<IncomingMessage>();
(globalThis as Record<symbol, unknown>)[INFLIGHT_KEY] = inflight;

// A stray error of the application (a promise nobody awaits, a throw in a timer) must not take
// down the requests in flight with the worker, as Node's default (exit 1) would. Registered
// before the application loads, so that its module's own stray errors are caught too.
let booted = false;
process.on('unhandledRejection', (reason) => {
  // Nothing is known to be broken: the worker keeps serving.
  log.error(
    `Unhandled promise rejection in worker ${process.pid}; it keeps serving. Await the promise or add a .catch() to it:\n${describeError(reason)}`,
  );
});
process.on('uncaughtException', (err) => {
  if (!booted) {
    log.error(`Uncaught exception in worker ${process.pid} while it was booting:\n${describeError(err)}`);
    process.exit(WORKER_BOOT_ERROR);
  }
  log.error(
    `Uncaught exception in worker ${process.pid}; its state may be corrupt, so it stops taking connections, finishes its ${inflight.size} request(s) in flight and exits, and the master replaces it:\n${describeError(err)}`,
  );
  failing();
});

function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : inspect(err);
}

let app;
try {
  ({ app } = await loadApplication(setup.app, process.cwd()));
} catch (err) {
  log.error(
    err instanceof AppLoadError
      ? err.message
      : `The application ${setup.app} failed to load:\n${(err as Error)?.stack ?? String(err)}`,
  );
  process.exit(err instanceof AppLoadError ? APP_LOAD_ERROR : WORKER_BOOT_ERROR);
}

const trusted = parseAllowIps(config.forwardedAllowIps);
// Whether the peer is a trusted proxy, decided once per connection (keep-alive reuses it).
const trustCache = new WeakMap<object, boolean>();
function isTrusted(socket: Socket): boolean {
  let trust = trustCache.get(socket);
  if (trust === undefined) {
    trust = trusted.trusts(socket.remoteAddress);
    trustCache.set(socket, trust);
  }
  return trust;
}
const listener = createListener(app, {
  multiprocess: setup.multiprocess,
  errors: { write: (text: string) => log.error(text.trimEnd()), flush() {} },
  adjustEnviron(environ: Environ, req: IncomingMessage) {
    if (isTrusted(req.socket)) applyProxyHeaders(environ);
    (req as IncomingMessage & { tsgiRemote?: string }).tsgiRemote = environ.REMOTE_ADDR;
  },
});

const accessFile = config.accessLogfile ? new LogFile(config.accessLogfile, 1) : null;
const accessFormat: AccessFormatter | null = accessFile
  ? config.accessLogJson
    ? jsonAccessLine
    : compileAccessFormat(config.accessLogFormat)
  : null;

const limits = {
  limitRequestLine: config.limitRequestLine,
  limitRequestFields: config.limitRequestFields,
  limitRequestFieldSize: config.limitRequestFieldSize,
  limitRequestBody: config.limitRequestBody,
  headerMap: config.headerMap,
};
const serverOptions: HttpServerOptions = {
  // Large enough for our own limits to be the ones that apply (node counts target + names + values).
  maxHeaderSize: config.limitRequestLine + config.limitRequestFields * config.limitRequestFieldSize + 1024,
  requireHostHeader: true,
  headersTimeout: config.headerTimeout * 1000,
  requestTimeout: 0,
  keepAliveTimeout: config.keepAlive * 1000,
  connectionsCheckingInterval: Math.min(1000, config.headerTimeout * 500),
  joinDuplicateHeaders: false,
};
// node:https (and TLS) is loaded only when used: it costs memory in every worker.
const server: HttpServer = config.certfile
  ? await httpsServer(config.certfile, config.keyfile!)
  : http.createServer(serverOptions);

/**
 * The HTTPS server, with the files read afresh (a reload picks up a renewed certificate). The
 * master checked them before forking; a file that went bad since is a boot failure, which stops
 * the server (or fails the reload) instead of a respawn loop.
 */
async function httpsServer(certfile: string, keyfile: string): Promise<HttpServer> {
  const { readTlsFiles } = await import('./tls.ts');
  let files: { cert: Buffer; key: Buffer };
  try {
    files = readTlsFiles(certfile, keyfile);
  } catch (err) {
    log.error((err as Error).message);
    process.exit(WORKER_BOOT_ERROR);
  }
  return (await import('node:https')).createServer({ ...serverOptions, ...files });
}
// A client that half-closes after its request still gets the response (docs/spec.md §3.5).
allowHalfOpen(server);
server.maxHeadersCount = config.limitRequestFields + 1;
// The server never listens itself (the master hands connections over), but node starts the timer
// that enforces headersTimeout (slowloris) and requestTimeout on 'listening'.
server.emit('listening');
server.keepAliveTimeout = config.keepAlive * 1000;

let served = 0;
let draining = false;
const connections = new Set<Socket>();

function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  log.debug(
    `Refused ${JSON.stringify(`${req.method} ${req.url} HTTP/${req.httpVersion}`)} from ${req.socket.remoteAddress}: ${refusal.status} ${refusal.reason}`,
  );
  res.shouldKeepAlive = false;
  res.writeHead(refusal.status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(refusal.reason) + 1,
  });
  res.end(refusal.reason + '\n');
  // Whatever the client sends after a refused head is not read.
  res.on('finish', () => req.socket.destroySoon());
}

/** Per-response bookkeeping of the access log, kept on the response (no closure per request). */
interface Tracked extends ServerResponse {
  tsgiStart?: Date;
  tsgiStartMs?: number;
  tsgiBytes?: number;
}

const originalWrite = http.ServerResponse.prototype.write;
const originalEnd = http.ServerResponse.prototype.end;

function countChunk(res: Tracked, chunk: unknown): void {
  if (typeof chunk === 'string') res.tsgiBytes! += Buffer.byteLength(chunk);
  else if (chunk instanceof Uint8Array) res.tsgiBytes! += chunk.byteLength;
}

function countingWrite(this: Tracked, chunk: unknown, ...rest: unknown[]): boolean {
  countChunk(this, chunk);
  return (originalWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
}

function countingEnd(this: Tracked, chunk?: unknown, ...rest: unknown[]): ServerResponse {
  if (typeof chunk !== 'function') countChunk(this, chunk);
  return (originalEnd as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
}

// One shared listener: a closure per request makes V8 grow its young generation (measured by the
// gateway engineer, commit 3afb039; the same held here).
function onResponseClose(this: Tracked): void {
  const req = this.req;
  inflight.delete(req);
  served++;
  if (accessFormat && this.tsgiStart) {
    const record: AccessRecord = {
      req,
      res: this,
      bytes: req.method === 'HEAD' ? 0 : this.tsgiBytes!,
      startMs: this.tsgiStartMs!,
      start: this.tsgiStart,
      endMs: performance.now(),
      remoteAddr: (req as IncomingMessage & { tsgiRemote?: string }).tsgiRemote ?? req.socket.remoteAddress ?? '-',
    };
    accessFile!.write(accessFormat(record) + '\n');
  }
  if (setup.maxRequests > 0 && served === setup.maxRequests) {
    log.info(`Autorestarting worker after current request (${served} requests served, --max-requests).`);
    send({ t: 'retire' });
  }
}

/** Counts the request, and logs it when its response is done. */
function track(req: IncomingMessage, res: Tracked): void {
  inflight.add(req);
  if (accessFormat) {
    res.tsgiStart = new Date();
    res.tsgiStartMs = performance.now();
    res.tsgiBytes = 0;
    res.write = countingWrite as ServerResponse['write'];
    res.end = countingEnd as ServerResponse['end'];
  }
  res.once('close', onResponseClose);
}

function handle(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
  track(req, res);
  const refusal = checkRequest(req, limits);
  if (refusal) return refuse(req, res, refusal);
  if (isTrusted(req.socket)) {
    const conflict = schemeConflict(req.headers);
    if (conflict) return refuse(req, res, { status: 400, reason: conflict });
  }
  if (config.limitRequestBody > 0 && req.headers['transfer-encoding'] !== undefined) {
    // A chunked body has no length up front: count it as it arrives (after the gateway's reads).
    let received = 0;
    const push = req.push;
    req.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
      if (chunk instanceof Uint8Array) received += chunk.byteLength;
      if (received > config.limitRequestBody) {
        log.debug(`Cut the chunked body of ${req.method} ${req.url}: over ${config.limitRequestBody} bytes.`);
        if (!res.headersSent)
          req.socket.end(
            refusalBytes({ status: 413, reason: `The request body is larger than ${config.limitRequestBody} bytes.` }),
          );
        req.socket.destroySoon();
        return false;
      }
      return push.call(this, chunk, encoding);
    };
  }
  if (req.headers['transfer-encoding'] !== undefined) {
    req.once('end', () => {
      const bad = checkTrailers(req);
      if (!bad) return;
      log.debug(`Refused the trailers of ${req.method} ${req.url}: ${bad.reason}`);
      // The application's answer is dropped: the request was invalid.
      if (!res.headersSent) req.socket.end(refusalBytes(bad));
      req.socket.destroySoon();
    });
  }
  if (draining || config.keepAlive === 0) res.shouldKeepAlive = false;
  if (expectContinue) listener.checkContinue(req, res);
  else listener(req, res);
}

server.on('request', (req: IncomingMessage, res: ServerResponse) => handle(req, res, false));
server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => handle(req, res, true));
server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
  const pending = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (error.code === 'HPE_CLOSED_CONNECTION' && pending && !pending.writableEnded) {
    // Bytes after a request that closes the connection (HTTP/1.0, Connection: close) are to be
    // ignored (RFC 9112 §9.6): the pending answer goes out, then the connection closes.
    socket.pause();
    return;
  }
  if (error.code !== 'ECONNRESET')
    log.debug(`Bad request from ${socket.remoteAddress}: ${error.code ?? error.message}`);
  handleClientError(error, socket);
});
// CONNECT (authority-form target) goes to the application like any request; node hands it over
// on its own event, without a response object.
server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
  if (head.length > 0) socket.unshift(head);
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket);
  res.once('finish', () => socket.destroySoon());
  handle(req, res, false);
});
server.on('tlsClientError', (error: Error, socket: Socket) => {
  log.debug(`TLS handshake failed with ${socket.remoteAddress}: ${error.message}`);
});

process.on('message', (msg: ToWorker, handle?: Socket) => {
  if (msg.t === 'conn' && handle) {
    // Answered in this same turn (see HANDOFF_MS): late, or while draining, the connection goes
    // back to the master, which hands it to another worker; the master's copy keeps it open.
    if (draining || monotonicMs() - msg.at > HANDOFF_MS) {
      handle.destroy();
      send({ t: 'took', id: msg.id, ok: false });
      return;
    }
    send({ t: 'took', id: msg.id, ok: true });
    connections.add(handle);
    handle.once('close', () => {
      connections.delete(handle);
      send({ t: 'closed' });
      if (draining && connections.size === 0) finish();
    });
    server.emit('connection', handle);
  } else if (msg.t === 'stop') {
    drain(msg.idle);
  } else if (msg.t === 'reopen') {
    log.file.reopen();
    accessFile?.reopen();
  }
});

let askedToStop = false;
/**
 * After an uncaught exception. The master is asked to stop this worker, rather than the worker
 * draining on its own: the master stops handing it connections and replaces it, and its 'stop'
 * comes after any connection it has already sent (the IPC channel is ordered), so none of those
 * is dropped. Without a master there is nobody to replace it: it drains at once.
 */
function failing(): void {
  if (askedToStop || draining) return;
  askedToStop = true;
  if (process.connected) send({ t: 'fatal' });
  else drain(true);
}

let finishing = false;
function finish(): void {
  if (finishing) return;
  finishing = true;
  log.info(`Worker exiting (pid: ${process.pid})`);
  // End the watchdog's inspector session first, or node waits for "the debugger to disconnect".
  void watchdog.terminate().finally(() => process.exit(0));
}

/** Stop taking connections, finish the requests in flight, close idle keep-alive connections. */
function drain(closeIdle = true): void {
  if (draining) return;
  draining = true;
  for (const req of inflight) {
    const res = (req.socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (res && !res.headersSent) res.shouldKeepAlive = false;
  }
  // On a reload, idle keep-alive connections are not cut (a request may be on its way): the next
  // answer on each says `Connection: close`, and the keep-alive timeout closes those that stay
  // idle. On shutdown nobody will serve them: they are closed now.
  if (closeIdle) server.closeIdleConnections();
  if (connections.size === 0) return finish();
  setTimeout(() => {
    log.warning(
      `Graceful timeout: ${connections.size} connection(s) still open after ${config.gracefulTimeout}s; exiting.`,
    );
    finishing = false;
    finish();
  }, config.gracefulTimeout * 1000).unref();
}

process.on('SIGTERM', () => drain(true));
// A fast stop (the master's answer to INT and QUIT): finish() ends the watchdog's inspector
// session before it exits, or node prints "Waiting for the debugger to disconnect..." on Ctrl+C.
process.on('SIGQUIT', () => finish());
// Ctrl+C reaches the whole process group: the master decides.
process.on('SIGINT', () => {});
process.on('disconnect', () => {
  // The master is gone: nobody will hand us connections or stop us.
  drain(true);
});

// Heartbeat: a counter the watchdog thread reads, and a message to the master. The thread runs
// even with --timeout 0: it is also what ends a worker whose master is gone (watchdog.ts).
const beat = new Int32Array(new SharedArrayBuffer(4));
const interval = beatInterval(config.timeout);
const watchdogData: WatchdogData = {
  beat,
  beatMs: interval,
  timeoutMs: config.timeout * 1000,
  gracefulMs: config.gracefulTimeout * 1000,
  masterPid: process.ppid,
  errorLog: config.errorLogfile,
};
const watchdog = new Thread(WATCHDOG_SOURCE, { eval: true, workerData: watchdogData, stdout: false, stderr: false });
watchdog.unref();
watchdog.on('error', (err) => log.warning(`The watchdog thread failed: ${err.message}`));
setInterval(() => {
  Atomics.add(beat, 0, 1);
  send({ t: 'beat', inflight: inflight.size });
}, interval).unref();

await listener.ready;
booted = true;
send({ t: 'ready' });
// Node writes the compile cache at exit; written now, the next worker (a respawn, a reload, the
// other workers of a later start) boots from it even if this one is killed.
flushCompileCache();
