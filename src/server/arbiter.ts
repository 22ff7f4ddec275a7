/**
 * The master process ("arbiter", as gunicorn calls it). It owns the listening sockets for the
 * whole life of the server and hands each accepted connection to a ready worker (fd passing
 * over the IPC channel, as node:cluster's round-robin does). Owning the sockets is what makes a
 * reload lossless: a connection that arrives while workers are replaced waits in the master,
 * never on a socket that is being closed (SO_REUSEPORT would reset those), and port 0 resolves
 * once. Signals only queue work; one loop handles it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { APP_LOAD_ERROR, WORKER_BOOT_ERROR } from './loader.ts';
import type { Logger } from './logger.ts';
import {
  HANDOFF_MARGIN_MS,
  HANDOFF_MS,
  monotonicMs,
  stallAfter,
  type FromWorker,
  type TimeoutReport,
  type ToWorker,
} from './ipc.ts';
import type { ServerConfig } from './settings.ts';
import type { WorkerSetup } from './worker.ts';
import type { FSWatcher } from 'node:fs';
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, watch, writeFileSync, readFileSync } =
  process.getBuiltinModule('node:fs');

// worker-main.ts beside this file in the sources, worker-main.js in the compiled build (dist/).
const WORKER_SCRIPT = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './worker-main.ts' : './worker-main.js', import.meta.url),
);

/**
 * The environment that turns on Node's module compile cache in a worker (its default directory,
 * os.tmpdir()/node-compile-cache), unless the user set NODE_COMPILE_CACHE or
 * NODE_DISABLE_COMPILE_CACHE. The cache keeps the type-stripped output of each .ts file and its
 * V8 code cache, keyed by content: a worker whose modules are all cached never loads Node's
 * TypeScript stripper (a WebAssembly module), which saves about 35 MiB of RSS per worker and
 * most of the boot time (docs/performance.md, Production server). It has to be set before the
 * worker starts: the worker's own modules are loaded before any of its code runs.
 */
function compileCacheEnv(): { NODE_COMPILE_CACHE?: string } {
  if (process.env.NODE_COMPILE_CACHE || process.env.NODE_DISABLE_COMPILE_CACHE) return {};
  return { NODE_COMPILE_CACHE: path.join(tmpdir(), 'node-compile-cache') };
}

/**
 * The workers' Node flags: the master's, plus a young generation capped at 4 MiB per semi-space
 * unless the user set one (in NODE_OPTIONS or on the master's command line). V8 sizes the young
 * generation from the machine's memory: on a 24 GiB machine it grows to 128 MiB under load, and
 * a framework worker's RSS with it (the markup project's worker: ~225 MiB after a wrk run against
 * ~150 MiB with the cap, its home page ~290 against ~175 MiB), for the same requests per second
 * within noise (docs/performance.md, Production server): scavenges run more often over a smaller
 * space, and objects that survive two of them reach the old generation sooner.
 */
const SEMI_SPACE_FLAG = '--max-semi-space-size=4';
function workerExecArgv(): string[] {
  const chosen = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((flag) =>
    /semi[-_]space[-_]size/.test(flag),
  );
  return chosen ? process.execArgv : [...process.execArgv, SEMI_SPACE_FLAG];
}

type State = 'booting' | 'ready' | 'draining';

/**
 * How many workers in a row may die before they are ready, when none is serving, before the
 * master gives up with WORKER_BOOT_ERROR. The back-off between them (100, 200, 400, 800 ms)
 * lets a transient failure pass; a worker that cannot boot has failed for good by then.
 */
const MAX_BOOT_FAILURES = 5;

interface WorkerRecord {
  child: ChildProcess;
  pid: number;
  state: State;
  generation: number;
  /** Connections handed to it and not closed yet (the one in transit included). */
  active: number;
  lastBeat: number;
  startedAt: number;
  killTimer?: NodeJS.Timeout;
  timedOut?: boolean;
  retiring?: boolean;
  /** Its heartbeats stopped (a blocked event loop): it gets no new connections until they resume. */
  stalled: boolean;
  /** The connection sent to it and not yet answered with `took` (at most one at a time). */
  transit: Transit | null;
  /** Its folder for temporary files (environ['tsgi.tmpdir']), removed when it exits. */
  tmpdir: string;
  /** Why it could not boot, as it said before exiting. */
  failure?: string;
}

/** A connection sent to a worker; the master keeps its own copy until the worker takes it. */
interface Transit {
  id: number;
  socket: net.Socket;
  bind: number;
  /** When it was sent, monotonicMs(). */
  at: number;
}

/** For the master's copies of connections: an error there (a reset) needs no handling. */
function ignore(): void {}

/** A listening socket of the master. */
interface Listener {
  bind: string;
  server: net.Server;
  unixPath?: string;
}

/** Parses a validated --bind value into listen() options. */
export function listenOptions(bind: string, backlog: number): net.ListenOptions {
  if (bind.startsWith('unix:')) return { path: bind.slice(5), backlog };
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(bind);
  if (m) return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]), backlog };
  return { host: '0.0.0.0', port: Number(bind), backlog };
}

/** The URL a listener serves, for the banner: `http://127.0.0.1:8000`, `unix:/tmp/s`. */
function describeListener(l: Listener, tls: boolean): string {
  if (l.unixPath) return `unix:${l.unixPath}`;
  const a = l.server.address() as net.AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `${tls ? 'https' : 'http'}://${host}:${a.port}`;
}

/** The master: start with `run()`, which resolves with the exit code. */
export class Arbiter {
  readonly config: ServerConfig;
  readonly app: string;
  readonly log: Logger;
  readonly #workers = new Map<number, WorkerRecord>();
  #listeners: Listener[] = [];
  #target: number;
  #generation = 0;
  readonly #queue: Array<{ socket: net.Socket; bind: number }> = [];
  #rr = 0;
  /** Connections sent to workers so far: the id of the next one. */
  #connections = 0;
  /** The server's folder for the workers' temporary files, and how many workers have had one. */
  #tmpRoot = '';
  #spawned = 0;
  #stopping: 'graceful' | 'fast' | null = null;
  #exitCode = 0;
  #resolveRun!: (code: number) => void;
  #backoffMs = 0;
  #halted = false;
  /** Workers that exited before they were ready, in a row (reset by a worker that gets ready). */
  #bootFailures = 0;
  readonly #signalQueue: NodeJS.Signals[] = [];
  #reloading = false;
  readonly #onExit: Array<() => void> = [];
  readonly version: string;

  constructor(app: string, config: ServerConfig, log: Logger, version: string) {
    this.app = app;
    this.config = config;
    this.log = log;
    this.#target = config.workers;
    this.version = version;
  }

  /** Binds, forks, supervises; resolves with the process exit code. */
  async run(): Promise<number> {
    const done = new Promise<number>((resolve) => {
      this.#resolveRun = resolve;
    });
    this.log.info(`Starting tsgi ${this.version}`);
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGTTIN', 'SIGTTOU', 'SIGUSR1'] as NodeJS.Signals[]) {
      process.on(sig, () => {
        this.#signalQueue.push(sig);
        setImmediate(() => this.#handleSignals());
      });
    }
    try {
      await this.#bindAll();
    } catch (err) {
      this.log.error((err as Error).message);
      this.#closeListeners();
      return 1;
    }
    // A signal that came while binding has already stopped the server.
    if (this.#stopping) return done;
    if (this.config.pid) {
      writeFileSync(this.config.pid, `${process.pid}\n`);
      const pidFile = this.config.pid;
      this.#onExit.push(() => {
        try {
          if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile);
        } catch {
          /* gone */
        }
      });
    }
    try {
      this.#tmpRoot = mkdtempSync(path.join(this.config.workerTmpDir ?? tmpdir(), `tsgi-${process.pid}-`));
    } catch (err) {
      this.log.error(
        `Cannot make the workers' temporary folder in ${this.config.workerTmpDir ?? tmpdir()}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Choose a writable --worker-tmp-dir.`,
      );
      this.#exitCode = 1;
      this.#finish();
      return done;
    }
    const tmpRoot = this.#tmpRoot;
    this.#onExit.push(() => rmSync(tmpRoot, { recursive: true, force: true }));
    const tls = this.config.certfile !== null;
    for (const l of this.#listeners) this.log.info(`Listening at: ${describeListener(l, tls)} (${process.pid})`);
    this.log.info(`Using worker processes: ${this.#target}`);
    this.#generation++;
    for (let i = 0; i < this.#target; i++) this.#spawn();
    const tick = setInterval(() => this.#supervise(), 500);
    const watcher = this.config.reload ? this.#watchSources() : null;
    const code = await done;
    clearInterval(tick);
    watcher?.close();
    return code;
  }

  async #bindAll(): Promise<void> {
    for (const [index, bind] of this.config.bind.entries()) {
      const opts = listenOptions(bind, this.config.backlog);
      if (opts.path && existsSync(opts.path)) {
        // A socket file left by a crashed server; anything else is not ours to delete.
        if (statSync(opts.path).isSocket()) rmSync(opts.path);
        else
          throw new Error(
            `Cannot bind unix:${opts.path}: a file that is not a socket is in the way; remove it or choose another path.`,
          );
      }
      const server = net.createServer({ pauseOnConnect: true });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          const hint =
            err.code === 'EADDRINUSE'
              ? ' Another process is listening there; stop it or choose another --bind.'
              : err.code === 'EACCES'
                ? ' Ports below 1024 need privileges; choose another --bind.'
                : '';
          reject(new Error(`Cannot bind ${bind}: ${err.code ?? err.message}.${hint}`));
        });
        server.listen(opts, () => resolve());
      });
      server.on('connection', (socket) => {
        // The master's copy is open until a worker takes the connection; a reset meanwhile needs no handling.
        socket.on('error', ignore);
        this.#queue.push({ socket, bind: index });
        this.#flushQueue();
      });
      server.on('error', (err) => this.log.error(`The listening socket ${bind} failed: ${err.message}`));
      const l: Listener = { bind, server };
      if (opts.path) {
        l.unixPath = opts.path;
        this.#onExit.push(() => {
          try {
            rmSync(opts.path!);
          } catch {
            /* gone */
          }
        });
      }
      this.#listeners.push(l);
    }
  }

  #closeListeners(): void {
    for (const l of this.#listeners) l.server.close();
    this.#listeners = [];
  }

  /**
   * Hands the queued connections to the workers that can take one: ready, beating, and with no
   * connection in transit, the one with the fewest open connections first. A worker is sent one
   * connection at a time (node's own handle passing does the same, but keeps the next ones in a
   * queue of its own, for that worker only, where a worker whose event loop is blocked would hold
   * them): the others wait here, for whichever worker is free first.
   */
  #flushQueue(): void {
    const queue = this.#queue;
    while (queue.length > 0) {
      const w = this.#pick();
      if (w === undefined) return;
      const { socket, bind } = queue.shift()!;
      if (!socket.destroyed) this.#send(w, socket, bind);
    }
  }

  /** The worker for the next connection, or undefined when none can take one now. */
  #pick(): WorkerRecord | undefined {
    let best: WorkerRecord | undefined;
    let bestKey = 0;
    const n = this.#workers.size;
    let i = 0;
    for (const w of this.#workers.values()) {
      const order = (i++ - this.#rr + n) % n;
      if (w.state !== 'ready' || w.stalled || w.transit !== null || !w.child.connected) continue;
      // Fewest connections first; among equals, round robin.
      const key = w.active * n + order;
      if (best === undefined || key < bestKey) {
        best = w;
        bestKey = key;
      }
    }
    this.#rr++;
    return best;
  }

  /**
   * Sends a connection to a worker. The master keeps its copy of the socket open (keepOpen) until
   * the worker answers `took`: if the worker gives it back, dies, or does not answer in time,
   * the connection goes to another worker instead of being lost.
   */
  #send(w: WorkerRecord, socket: net.Socket, bind: number): void {
    const transit: Transit = { id: ++this.#connections, socket, bind, at: monotonicMs() };
    w.transit = transit;
    w.active++;
    const msg: ToWorker = { t: 'conn', bind, id: transit.id, at: transit.at };
    w.child.send(msg, socket, { keepOpen: true }, (err) => {
      if (err && w.transit === transit) this.#takeBack(w);
    });
  }

  /** The worker's answer to a connection: the master closes its copy, or hands it on. */
  #took(w: WorkerRecord, id: number, ok: boolean): void {
    const transit = w.transit;
    if (transit === null || transit.id !== id) {
      if (ok)
        this.log.warning(
          `Worker ${w.pid} took a connection ${HANDOFF_MS + HANDOFF_MARGIN_MS} ms or more after it was sent, when the master had already handed it to another worker.`,
        );
      return;
    }
    w.transit = null;
    if (ok) transit.socket.destroy();
    else {
      w.active--;
      this.#requeue(transit.socket, transit.bind);
    }
    this.#flushQueue();
  }

  /** The connection in transit to a worker that will not take it goes back to the front of the queue. */
  #takeBack(w: WorkerRecord): void {
    const transit = w.transit;
    if (transit === null) return;
    w.transit = null;
    if (w.active > 0) w.active--;
    this.#requeue(transit.socket, transit.bind);
    this.#flushQueue();
  }

  /** A connection no worker has taken waits at the front of the queue (it came first). */
  #requeue(socket: net.Socket, bind: number): void {
    if (socket.destroyed) return;
    if (this.#stopping) {
      socket.destroy();
      return;
    }
    this.#queue.unshift({ socket, bind });
  }

  #spawn(): WorkerRecord {
    const jitter =
      this.config.maxRequestsJitter > 0 ? Math.floor(Math.random() * (this.config.maxRequestsJitter + 1)) : 0;
    const cache = compileCacheEnv();
    const dir = path.join(this.#tmpRoot, `worker-${++this.#spawned}`);
    mkdirSync(dir, { recursive: true });
    const child = fork(WORKER_SCRIPT, [], {
      execArgv: workerExecArgv(),
      stdio: ['inherit', 'inherit', 'inherit', 'ipc', 'pipe'],
      env: {
        ...process.env,
        ...cache,
        TSGI_WORKER: JSON.stringify({
          app: this.app,
          config: this.config,
          maxRequests: this.config.maxRequests > 0 ? this.config.maxRequests + jitter : 0,
          multiprocess: this.#target > 1,
          ownCompileCache: cache.NODE_COMPILE_CACHE !== undefined,
          tmpdir: dir,
        } satisfies WorkerSetup),
      },
      serialization: 'json',
    });
    const w: WorkerRecord = {
      child,
      pid: child.pid!,
      state: 'booting',
      generation: this.#generation,
      active: 0,
      lastBeat: Date.now(),
      startedAt: Date.now(),
      stalled: false,
      transit: null,
      tmpdir: dir,
    };
    this.#workers.set(w.pid, w);
    this.log.info(`Booting worker with pid: ${w.pid}`);
    child.on('message', (msg: FromWorker) => this.#onMessage(w, msg));
    child.on('exit', (code, signal) => this.#onWorkerExit(w, code, signal));
    // A dead worker's connection in transit goes to another worker once the channel has closed:
    // by then every message the worker sent has been read, so a 'took' it sent before dying is not missed.
    child.on('disconnect', () => this.#takeBack(w));
    child.on('error', (err) => this.log.error(`Worker ${w.pid}: ${err.message}`));
    const reports = child.stdio[4] as Readable | null;
    if (reports) {
      let buf = '';
      reports.setEncoding('utf8');
      reports.on('data', (chunk: string) => {
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          try {
            this.#onTimeout(w, JSON.parse(line) as TimeoutReport);
          } catch {
            /* partial garbage */
          }
        }
      });
    }
    return w;
  }

  #onMessage(w: WorkerRecord, msg: FromWorker): void {
    switch (msg.t) {
      case 'beat':
        w.lastBeat = Date.now();
        if (w.stalled) {
          w.stalled = false;
          this.log.info(`Worker ${w.pid} is beating again; it takes new connections again.`);
          this.#flushQueue();
        }
        break;
      case 'took':
        this.#took(w, msg.id, msg.ok);
        break;
      case 'failed':
        w.failure = msg.reason;
        break;
      case 'closed':
        if (w.active > 0) w.active--;
        break;
      case 'ready':
        w.lastBeat = Date.now();
        if (w.state !== 'booting') break;
        w.state = 'ready';
        this.#bootFailures = 0;
        this.log.info(`Worker ${w.pid} is ready.`);
        this.#rebalance();
        break;
      case 'fatal':
        // The worker logged the exception. Draining it sends 'stop' after the connections it
        // already has; the replacement is started now, and connections wait in the master until
        // a worker is ready.
        if (w.state !== 'ready' || this.#stopping) break;
        this.#drain(w, 'uncaught exception');
        this.#manageWorkers();
        break;
      case 'retire':
        if (w.state === 'ready' && !this.#stopping && !w.retiring) {
          // Replace first, then drain: the worker count never dips.
          w.retiring = true;
          this.#spawn();
        }
        break;
    }
  }

  /**
   * After a worker became ready or the target changed: a finished reload drains the old
   * generation; beyond the target, retiring and then the oldest workers drain.
   */
  #rebalance(): void {
    this.#flushQueue();
    const all = [...this.#workers.values()];
    if (all.some((w) => w.state === 'booting')) return;
    if (this.#reloading) {
      this.#reloading = false;
      for (const w of all) if (w.state === 'ready' && w.generation < this.#generation) this.#drain(w, 'reload');
      this.log.info(`Reload complete: the workers of the new code are ready.`);
      if (this.#reloadAgain) {
        this.#reloadAgain = false;
        setImmediate(() => this.#reload());
      }
    }
    const ready = all
      .filter((w) => w.state === 'ready')
      .sort((a, b) => Number(b.retiring ?? false) - Number(a.retiring ?? false) || a.startedAt - b.startedAt);
    while (ready.length > this.#target) {
      const w = ready.shift()!;
      this.#drain(w, w.retiring ? 'max-requests reached' : 'fewer workers wanted');
    }
  }

  #drain(w: WorkerRecord, why: string): void {
    if (w.killTimer) return;
    w.state = 'draining';
    this.log.info(`Stopping worker ${w.pid} gracefully (${why}).`);
    const msg: ToWorker = { t: 'stop', idle: this.#stopping !== null };
    if (w.child.connected) w.child.send(msg);
    else w.child.kill('SIGTERM');
    w.killTimer = setTimeout(
      () => {
        this.log.warning(
          `Worker ${w.pid} did not stop within --graceful-timeout ${this.config.gracefulTimeout}s; killing it.`,
        );
        w.child.kill('SIGKILL');
      },
      this.config.gracefulTimeout * 1000 + 1000,
    );
  }

  #onTimeout(w: WorkerRecord, report: TimeoutReport): void {
    if (w.timedOut) return;
    w.timedOut = true;
    const inflight = report.inflight.length ? report.inflight.map((r) => JSON.stringify(r)).join(', ') : 'no request';
    this.log.critical(
      `WORKER TIMEOUT (pid:${w.pid}): the event loop has been blocked for ${(report.blockedMs / 1000).toFixed(1)}s (--timeout ${this.config.timeout}) while serving ${inflight}. JavaScript stack:\n${report.stack}`,
    );
    w.child.kill('SIGKILL');
  }

  #onWorkerExit(w: WorkerRecord, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.delete(w.pid);
    if (!w.child.connected) this.#takeBack(w);
    // What it left in its temporary folder (a spool cut short by a crash or a kill) goes with it.
    rmSync(w.tmpdir, { recursive: true, force: true });
    if (w.killTimer) clearTimeout(w.killTimer);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const expected = w.state === 'draining' || this.#stopping !== null;
    if (!expected) this.log.error(`Worker ${w.pid} exited unexpectedly (${how}).`);
    else this.log.info(`Worker ${w.pid} exited (${how}).`);
    if (w.state === 'booting' && !this.#stopping) {
      if (this.#reloading && w.generation === this.#generation) {
        // New code that cannot boot, whatever the way it died: keep serving the old code.
        this.#reloading = false;
        for (const other of this.#workers.values())
          if (other.state === 'booting' && other.generation === this.#generation) other.child.kill('SIGKILL');
        this.#generation--;
        const report = () =>
          this.log.error(
            `Reload failed: the new workers could not load the application${w.failure ? ` (${w.failure})` : ''}; the old workers keep serving.`,
          );
        // Its 'failed' message (the reason) may still be on the channel: read it first.
        if (w.child.connected) w.child.once('disconnect', report);
        else report();
        return;
      }
      // A worker that says it cannot boot (3, 4) stops the server at once when none serves; one
      // that dies at boot in another way (a crash, process.exit() or a signal while the module
      // loads) does after MAX_BOOT_FAILURES in a row. Either way the master never respawns
      // workers that cannot boot for ever.
      this.#bootFailures++;
      const says = code === APP_LOAD_ERROR || code === WORKER_BOOT_ERROR;
      if (
        (says || this.#bootFailures >= MAX_BOOT_FAILURES) &&
        ![...this.#workers.values()].some((x) => x.state === 'ready')
      ) {
        this.log.error(
          code === APP_LOAD_ERROR
            ? 'App failed to load; shutting down.'
            : says
              ? 'Worker failed to boot; shutting down.'
              : `Worker failed to boot: ${this.#bootFailures} workers in a row exited before they were ready (the last with ${how}); shutting down.`,
        );
        this.#halt(says ? code : WORKER_BOOT_ERROR);
        return;
      }
    }
    if (this.#stopping) {
      if (this.#workers.size === 0) this.#finish();
      return;
    }
    if (!expected) {
      // Back off when workers die right after they start (a crash loop), reset when they live.
      this.#backoffMs = Date.now() - w.startedAt < 5000 ? Math.min(Math.max(this.#backoffMs * 2, 100), 10000) : 0;
    }
    this.#manageWorkers();
  }

  #respawnTimer: NodeJS.Timeout | undefined;

  /** Tops the worker count up to the target (after a death, TTIN), with back-off. */
  #manageWorkers(): void {
    if (this.#stopping || this.#halted) return;
    const live = [...this.#workers.values()].filter((w) => w.state !== 'draining' && !w.retiring).length;
    if (live >= this.#target) return;
    if (this.#backoffMs > 0) {
      if (this.#respawnTimer) return;
      this.log.info(`Respawning in ${this.#backoffMs} ms.`);
      this.#respawnTimer = setTimeout(() => {
        this.#respawnTimer = undefined;
        this.#topUp();
      }, this.#backoffMs);
      return;
    }
    this.#topUp();
  }

  #topUp(): void {
    if (this.#stopping || this.#halted) return;
    let live = [...this.#workers.values()].filter((w) => w.state !== 'draining' && !w.retiring).length;
    while (live++ < this.#target) this.#spawn();
  }

  /**
   * Periodic: a worker whose heartbeats stopped gets no new connections; a connection it has not
   * taken in time goes to another worker; past --timeout it is killed (if its watchdog could not
   * report).
   */
  #supervise(): void {
    const now = Date.now();
    const stallMs = stallAfter(this.config.timeout);
    for (const w of this.#workers.values()) {
      if (w.state === 'booting' || w.timedOut) continue;
      const silent = now - w.lastBeat;
      if (!w.stalled && silent > stallMs) {
        w.stalled = true;
        this.log.warning(
          `Worker ${w.pid} has sent no heartbeat for ${(silent / 1000).toFixed(1)}s (its event loop is blocked); it gets no new connections until it beats again.`,
        );
      }
      if (this.config.timeout > 0 && silent > this.config.timeout * 1000 + 5000) {
        w.timedOut = true;
        this.log.critical(
          `WORKER TIMEOUT (pid:${w.pid}): no heartbeat for ${(silent / 1000).toFixed(1)}s and no report from its watchdog; killing it.`,
        );
        w.child.kill('SIGKILL');
      }
    }
    // In the check phase, after this turn's I/O: a 'took' that is already waiting on the channel
    // (the master itself was slow) is read before its connection is judged overdue.
    setImmediate(() => this.#takeBackOverdue());
  }

  /** Connections in transit longer than the hand-off allows go to another worker. */
  #takeBackOverdue(): void {
    const now = monotonicMs();
    for (const w of this.#workers.values()) {
      if (w.transit !== null && now - w.transit.at > HANDOFF_MS + HANDOFF_MARGIN_MS) {
        this.log.debug(
          `Worker ${w.pid} has not taken a connection within ${HANDOFF_MS} ms; it goes to another worker.`,
        );
        this.#takeBack(w);
      }
    }
  }

  #handleSignals(): void {
    while (this.#signalQueue.length > 0) {
      const sig = this.#signalQueue.shift()!;
      switch (sig) {
        case 'SIGTERM':
          this.#stop('graceful');
          break;
        case 'SIGINT':
        case 'SIGQUIT':
          this.#stop('fast');
          break;
        case 'SIGHUP':
          this.#reload();
          break;
        case 'SIGTTIN':
          this.#target++;
          this.log.info(`TTIN: ${this.#target} worker(s).`);
          this.#manageWorkers();
          break;
        case 'SIGTTOU':
          if (this.#target > 1) {
            this.#target--;
            this.log.info(`TTOU: ${this.#target} worker(s).`);
            this.#rebalance();
          }
          break;
        case 'SIGUSR1':
          this.log.file.reopen();
          this.log.info('USR1: reopened the log files; the workers reopen theirs.');
          for (const w of this.#workers.values())
            if (w.child.connected) w.child.send({ t: 'reopen' } satisfies ToWorker);
          break;
      }
    }
  }

  /**
   * --reload (development): a change to a source file under the working directory reloads the
   * workers as HUP does. node:fs's recursive watch (inotify on Linux) keeps src/server free of
   * dependencies.
   */
  #watchSources(): FSWatcher {
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(process.cwd(), { recursive: true }, (_event, file) => {
      if (!file || !/\.(ts|mts|cts|js|mjs|cjs|json)$/.test(file) || /(^|[\\/])(node_modules|\.git)([\\/]|$)/.test(file))
        return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.log.info(`${file} changed; reloading.`);
        if (this.#reloading) this.#reloadAgain = true;
        else this.#reload();
      }, 150);
    });
    this.log.info(`Watching ${process.cwd()} for changes (--reload; development only).`);
    return watcher;
  }

  #reloadAgain = false;

  /** HUP: a new generation of workers loads the code afresh; the old drain once all are ready. */
  #reload(): void {
    if (this.#stopping) return;
    if (this.#reloading) {
      this.log.warning('HUP ignored: a reload is already in progress.');
      return;
    }
    this.log.info('Reloading: starting new workers.');
    this.#reloading = true;
    this.#generation++;
    for (let i = 0; i < this.#target; i++) this.#spawn();
  }

  #stop(mode: 'graceful' | 'fast'): void {
    if (this.#stopping === 'fast' || this.#stopping === mode) return;
    this.#stopping = mode;
    this.log.info(mode === 'graceful' ? 'Shutting down gracefully (TERM).' : 'Shutting down now.');
    this.#closeListeners();
    for (const { socket } of this.#queue.splice(0)) socket.destroy();
    if (this.#workers.size === 0) return this.#finish();
    for (const w of this.#workers.values()) {
      if (mode === 'fast') w.child.kill('SIGQUIT');
      else if (w.state === 'booting') w.child.kill('SIGKILL');
      else this.#drain(w, 'shutdown');
    }
    if (mode === 'fast')
      setTimeout(() => {
        for (const w of this.#workers.values()) w.child.kill('SIGKILL');
      }, 2000).unref();
  }

  #halt(code: number): void {
    this.#halted = true;
    this.#exitCode = code;
    this.#stop('fast');
  }

  #finish(): void {
    this.#closeListeners();
    for (const f of this.#onExit) f();
    this.log.info('Shutdown complete.');
    this.#resolveRun(this.#exitCode);
  }

  /** The pids of the workers (for tests and the banner). */
  workerPids(): number[] {
    return [...this.#workers.keys()];
  }
}
