/**
 * The watchdog thread of a worker. It sees what the worker's main thread cannot while its event
 * loop is blocked:
 *
 * - A blocked loop. The main thread bumps a shared counter every beat; when it has not moved for
 *   --timeout, the loop is blocked. JavaScript signal handlers cannot run then (nor can
 *   `--report-on-signal`, which is one), but the inspector protocol can: a `Runtime.evaluate`
 *   posted from this thread runs as a V8 interrupt on top of the blocked code, so
 *   `new Error().stack` there shows what the loop is stuck in. The report goes to the master on a
 *   pipe; the master logs it and kills the worker.
 * - The master gone. A worker whose master died (SIGKILL, OOM) is re-parented, so its parent pid
 *   changes. A free main thread has seen the IPC channel close and drains; a blocked one never
 *   will, so the thread ends the process itself: at once when the loop is blocked, or when the
 *   drain outlasts --graceful-timeout. Nobody else would: the master that kills stuck workers is
 *   the one that is gone.
 */
import { errorLogTime } from './logger.ts';
import { REPORT_FD } from './ipc.ts';

/** What the thread is given (its workerData). */
export interface WatchdogData {
  /** The main thread's beat counter (an Int32Array over a SharedArrayBuffer). */
  beat: Int32Array;
  /** How often the main thread beats, ms. */
  beatMs: number;
  /** --timeout in ms; 0: no report of a blocked loop. */
  timeoutMs: number;
  /** --graceful-timeout in ms. */
  gracefulMs: number;
  /** The master's pid. */
  masterPid: number;
  /** --error-logfile: '-' for standard error. */
  errorLog: string;
  /** The worker's temporary folder (environ['tsgi.tmpdir']), removed with an orphaned worker. */
  tmpdir: string | null;
}

/**
 * The thread's source, plain CommonJS run with `eval: true`: a thread that loads a .ts file
 * pays for its own TypeScript stripper (measured: +37 MiB RSS per worker, against +19 MiB).
 * Writes one TimeoutReport (ipc.ts) per block.
 */
export const WATCHDOG_SOURCE = `
const { appendFileSync, rmSync, rmdirSync, writeSync } = require('node:fs');
const { dirname } = require('node:path');
const { workerData } = require('node:worker_threads');
const { beat, beatMs, timeoutMs, gracefulMs, masterPid, errorLog, tmpdir } = workerData;
const errorLogTime = ${errorLogTime.toString()};
let session;
if (timeoutMs > 0) {
  const { Session } = require('node:inspector');
  session = new Session();
  session.connectToMainThread();
  // The first message sets up the cross-thread channel; it must go through while the loop is free.
  session.post('Runtime.evaluate', { expression: '0' }, () => {});
}
const EXPRESSION = \`(() => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error('blocked').stack;
  Error.stackTraceLimit = limit;
  const set = globalThis[Symbol.for('tsgi.server.inflight')];
  const inflight = set ? Array.from(set.keys(), (r) => r.method + ' ' + r.url + ' HTTP/' + r.httpVersion) : [];
  return JSON.stringify({ stack, inflight });
})()\`;

function report(blockedMs) {
  session.post('Runtime.evaluate', { expression: EXPRESSION, returnByValue: true }, (err, result) => {
    let stack = '(the stack could not be read)';
    let inflight = [];
    if (!err && result && result.result && typeof result.result.value === 'string') {
      const parsed = JSON.parse(result.result.value);
      // Drop the frames of the evaluated expression itself.
      stack = parsed.stack.split('\\n').filter((l) => !/^\\s+at <anonymous>:\\d+:\\d+$/.test(l) && !l.startsWith('Error: blocked')).join('\\n');
      inflight = parsed.inflight;
    }
    try { writeSync(${REPORT_FD}, JSON.stringify({ blockedMs, stack, inflight }) + '\\n'); } catch {}
  });
}

function orphaned(why) {
  const line = '[' + errorLogTime() + '] [' + process.pid + '] [CRITICAL] The master (pid ' + masterPid + ') is gone and ' + why + '; this worker exits now.\\n';
  try { if (errorLog === '-') writeSync(2, line); else appendFileSync(errorLog, line); } catch {}
  // Nobody else will remove its temporary files: its own folder, and the server's once empty.
  if (tmpdir) {
    try { rmSync(tmpdir, { recursive: true, force: true }); rmdirSync(dirname(tmpdir)); } catch {}
  }
  process.kill(process.pid, 'SIGKILL');
}

let last = Atomics.load(beat, 0);
let since = Date.now();
let reported = false;
let masterGoneAt = 0;
setInterval(() => {
  const now = Date.now();
  const count = Atomics.load(beat, 0);
  if (count !== last) { last = count; since = now; reported = false; }
  if (masterGoneAt === 0 && process.ppid !== masterPid) masterGoneAt = now;
  if (masterGoneAt !== 0) {
    if (now - since > 2 * beatMs + 500) return orphaned('its event loop has been blocked for ' + ((now - since) / 1000).toFixed(1) + 's');
    if (now - masterGoneAt > gracefulMs + 5000) return orphaned('its requests did not finish within --graceful-timeout');
  }
  if (session && !reported && now - since >= timeoutMs) {
    reported = true;
    report(now - since);
  }
}, Math.min(250, Math.max(50, (timeoutMs || 2000) / 8)));
`;
