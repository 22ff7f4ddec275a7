/**
 * The watchdog thread of a worker. The main thread bumps a shared counter every beat; when it
 * has not moved for --timeout, the event loop is blocked. JavaScript signal handlers cannot run
 * then (nor can `--report-on-signal`, which is one), but the inspector protocol can: a
 * `Runtime.evaluate` posted from this thread runs as a V8 interrupt on top of the blocked code,
 * so `new Error().stack` there shows what the loop is stuck in. The report goes to the master on
 * a pipe; the master logs it and kills the worker.
 */
import { writeSync } from 'node:fs';
import { Session } from 'node:inspector';
import { workerData } from 'node:worker_threads';
import { REPORT_FD, type TimeoutReport } from './ipc.ts';

const { beat, timeoutMs } = workerData as { beat: Int32Array; timeoutMs: number };

const session = new Session();
session.connectToMainThread();
// The first message sets up the cross-thread channel; it must go through while the loop is free.
session.post('Runtime.evaluate', { expression: '0' }, () => {});

const EXPRESSION = `(() => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error('blocked').stack;
  Error.stackTraceLimit = limit;
  const set = globalThis[Symbol.for('tsgi.server.inflight')];
  const inflight = set ? Array.from(set, (r) => r.method + ' ' + r.url + ' HTTP/' + r.httpVersion) : [];
  return JSON.stringify({ stack, inflight });
})()`;

let last = Atomics.load(beat, 0);
let since = Date.now();
let reported = false;
const check = Math.min(250, Math.max(50, timeoutMs / 8));

setInterval(() => {
  const now = Atomics.load(beat, 0);
  if (now !== last) {
    last = now;
    since = Date.now();
    reported = false;
    return;
  }
  const blockedMs = Date.now() - since;
  if (reported || blockedMs < timeoutMs) return;
  reported = true;
  session.post('Runtime.evaluate', { expression: EXPRESSION, returnByValue: true }, (err, result) => {
    let stack = '(the stack could not be read)';
    let inflight: string[] = [];
    if (!err && typeof result?.result?.value === 'string') {
      const parsed = JSON.parse(result.result.value) as { stack: string; inflight: string[] };
      // Drop the frames of the evaluated expression itself.
      stack = parsed.stack.split('\n').filter((l) => !/^\s+at <anonymous>:\d+:\d+$/.test(l) && !l.startsWith('Error: blocked')).join('\n');
      inflight = parsed.inflight;
    }
    const report: TimeoutReport = { blockedMs: Date.now() - since, stack, inflight };
    try {
      writeSync(REPORT_FD, JSON.stringify(report) + '\n');
    } catch {
      // The master is gone; nothing to report to.
    }
  });
}, check);
