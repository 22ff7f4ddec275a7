/**
 * The watchdog thread of a worker. The main thread bumps a shared counter every beat; when it
 * has not moved for --timeout, the event loop is blocked. JavaScript signal handlers cannot run
 * then (nor can `--report-on-signal`, which is one), but the inspector protocol can: a
 * `Runtime.evaluate` posted from this thread runs as a V8 interrupt on top of the blocked code,
 * so `new Error().stack` there shows what the loop is stuck in. The report goes to the master on
 * a pipe; the master logs it and kills the worker.
 */
import { REPORT_FD } from './ipc.ts';

/**
 * The thread's source, plain CommonJS run with `eval: true`: a thread that loads a .ts file
 * pays for its own TypeScript stripper (measured: +37 MiB RSS per worker, against +19 MiB).
 * workerData: `{ beat: Int32Array, timeoutMs }`. Writes one TimeoutReport (ipc.ts) per block.
 */
export const WATCHDOG_SOURCE = `
const { writeSync } = require('node:fs');
const { Session } = require('node:inspector');
const { workerData } = require('node:worker_threads');
const { beat, timeoutMs } = workerData;
const session = new Session();
session.connectToMainThread();
// The first message sets up the cross-thread channel; it must go through while the loop is free.
session.post('Runtime.evaluate', { expression: '0' }, () => {});
const EXPRESSION = \`(() => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error('blocked').stack;
  Error.stackTraceLimit = limit;
  const set = globalThis[Symbol.for('tsgi.server.inflight')];
  const inflight = set ? Array.from(set, (r) => r.method + ' ' + r.url + ' HTTP/' + r.httpVersion) : [];
  return JSON.stringify({ stack, inflight });
})()\`;
let last = Atomics.load(beat, 0);
let since = Date.now();
let reported = false;
setInterval(() => {
  const now = Atomics.load(beat, 0);
  if (now !== last) { last = now; since = Date.now(); reported = false; return; }
  if (reported || Date.now() - since < timeoutMs) return;
  reported = true;
  session.post('Runtime.evaluate', { expression: EXPRESSION, returnByValue: true }, (err, result) => {
    let stack = '(the stack could not be read)';
    let inflight = [];
    if (!err && result && result.result && typeof result.result.value === 'string') {
      const parsed = JSON.parse(result.result.value);
      // Drop the frames of the evaluated expression itself.
      stack = parsed.stack.split('\\n').filter((l) => !/^\\s+at <anonymous>:\\d+:\\d+$/.test(l) && !l.startsWith('Error: blocked')).join('\\n');
      inflight = parsed.inflight;
    }
    try { writeSync(${REPORT_FD}, JSON.stringify({ blockedMs: Date.now() - since, stack, inflight }) + '\\n'); } catch {}
  });
}, Math.min(250, Math.max(50, timeoutMs / 8)));
`;
