/**
 * The messages between the master and its workers (over the fork() IPC channel), and the pipe
 * on which a worker's watchdog thread reports a blocked event loop.
 */

/** Master → worker. `conn` comes with a socket handle. */
export type ToWorker = { t: 'conn'; bind: number } | { t: 'stop'; idle: boolean } | { t: 'reopen' };

/** Worker → master. */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'beat'; inflight: number }
  | { t: 'closed' }
  | { t: 'retire' }
  /** An uncaught exception: stop this worker gracefully (stop, after the connections already sent) and replace it. */
  | { t: 'fatal' };

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
