/**
 * The worker process the master forks (arbiter.ts): its settings arrive in $TSGI_WORKER, and
 * the process's events go to a `Worker` (worker.ts).
 */
import { flushCompileCache } from 'node:module';
import { INFLIGHT_KEY } from './ipc.ts';
import { LogFile, Logger, type LogLevel } from './logger.ts';
import { Worker, type WorkerSetup } from './worker.ts';

const setup = JSON.parse(process.env.TSGI_WORKER!) as WorkerSetup;
delete process.env.TSGI_WORKER;
// Node read it at start-up; the application sees the environment the user gave.
if (setup.ownCompileCache) delete process.env.NODE_COMPILE_CACHE;
const { config } = setup;
const worker = new Worker({
  setup,
  root: process.cwd(),
  send: (msg) => void (process.connected && process.send!(msg)),
  connected: () => process.connected,
  exit: (code) => process.exit(code),
  log: new Logger(new LogFile(config.errorLogfile, 2), config.logLevel as LogLevel),
  accessLog: config.accessLogfile ? new LogFile(config.accessLogfile, 1) : null,
});
// Read by the watchdog thread (through the inspector) when the event loop is blocked.
(globalThis as Record<symbol, unknown>)[INFLIGHT_KEY] = worker.inflight;
// A stray error of the application must not take down the requests in flight with the worker, as
// Node's default (exit 1) would: registered before the application loads, to catch its own too.
process.on('unhandledRejection', (reason) => worker.onUnhandledRejection(reason));
process.on('uncaughtException', (err) => worker.onUncaughtException(err));
process.on('message', (msg: Parameters<Worker['receive']>[0], handle) => worker.receive(msg, handle as never));
process.on('SIGTERM', () => worker.drain(true));
// A fast stop (the master's answer to INT and QUIT): quit() ends the watchdog's inspector session
// before it exits, or node prints "Waiting for the debugger to disconnect..." on Ctrl+C.
process.on('SIGQUIT', () => worker.quit());
// Ctrl+C reaches the whole process group: the master decides.
process.on('SIGINT', () => {});
// The master is gone: nobody will hand us connections or stop us.
process.on('disconnect', () => worker.drain(true));
// Node writes the compile cache at exit; written now, the next worker (a respawn, a reload, the
// other workers of a later start) boots from it even if this one is killed.
if (await worker.boot()) flushCompileCache();
