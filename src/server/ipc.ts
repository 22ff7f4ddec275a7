/**
 * The messages between the master and its workers (over the fork() IPC channel), and the pipe
 * on which a worker's watchdog thread reports a blocked event loop.
 */

/**
 * Master → worker. `conn` comes with a socket handle: `id` names it in the worker's `took`
 * answer, `at` is when the master sent it ({@link monotonicMs}).
 */
export type ToWorker =
  { t: 'conn'; bind: number; id: number; at: number } | { t: 'stop'; idle: boolean } | { t: 'reopen' };

/** Worker → master. */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'beat'; inflight: number }
  /**
   * The answer to each `conn`: `ok` when the worker serves it, false when it gives it back
   * (draining, or it arrived later than {@link HANDOFF_MS}); the master then hands it on.
   */
  | { t: 'took'; id: number; ok: boolean }
  | { t: 'closed' }
  | { t: 'retire' }
  /** An uncaught exception: stop this worker gracefully (stop, after the connections already sent) and replace it. */
  | { t: 'fatal' }
  /** It cannot boot (it exits next): the reason in one line, for the master's own log line. */
  | { t: 'failed'; reason: string };

/** The watchdog's report when the event loop has been blocked for --timeout. */
export interface TimeoutReport {
  blockedMs: number;
  stack: string;
  inflight: string[];
}

/** The file descriptor of the report pipe in the worker (stdio index 4). */
export const REPORT_FD = 4;

/** Where the worker keeps its requests in flight for the watchdog. */
export const INFLIGHT_KEY = Symbol.for('tsgi.server.inflight');

/**
 * Milliseconds on CLOCK_MONOTONIC (libuv's hrtime), the one clock every process of the machine
 * shares and that never jumps: the master stamps a connection with it, the worker reads the
 * stamp against its own.
 */
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/**
 * A connection that reaches a worker later than this after the master sent it is given back,
 * not served: the worker's event loop was blocked meanwhile, and the master may have handed the
 * connection to another worker. The master takes a connection back from a worker that has not
 * answered `took` after {@link HANDOFF_MS} + {@link HANDOFF_MARGIN_MS}, so that the two never
 * serve the same one: a worker answers `took` in the same turn of its event loop as it receives
 * the connection, and the margin covers the master being slow to read that answer.
 */
export const HANDOFF_MS = 1000;
export const HANDOFF_MARGIN_MS = 1000;

/** How often a worker beats, in ms, for a --timeout in seconds (0: no watchdog). */
export function beatInterval(timeoutSeconds: number): number {
  return timeoutSeconds > 0 ? Math.min(1000, timeoutSeconds * 250) : 1000;
}

/**
 * A worker whose last beat is older than this gets no new connections: its event loop is
 * blocked (a view that loops, a long synchronous call). Two beats missed, and some slack for a
 * loaded machine.
 */
export function stallAfter(timeoutSeconds: number): number {
  return 2 * beatInterval(timeoutSeconds) + 500;
}
