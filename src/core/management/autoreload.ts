/**
 * The development autoreloader: a parent process watches the project (chokidar, which uses the
 * platform's native events and handles editors' atomic saves) and runs the server in a child that
 * it restarts on every change. Django's reloader does the same with a `RUN_MAIN` child.
 *
 * Better than Django's: while the code is broken, the parent answers on the server's port with a
 * page showing the error, so the browser says why instead of "connection refused".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import path from 'node:path';

/** Set in the child's environment so it serves instead of reloading. */
export const RUN_MAIN_ENV = 'TSGI_RUN_MAIN';
/** The child's exit code when its port is taken: the parent stops instead of retrying. */
export const EXIT_PORT_IN_USE = 3;

/** Folders a change in which never triggers a reload. */
const IGNORED = /(^|[/\\])(node_modules|\.git|\.tmp|__pycache__|staticfiles|media|coverage)([/\\]|$)/;

export interface ReloaderOptions {
  /** The folder to watch (the project root). */
  root: string;
  /** Extra folders or globs not to watch (STATIC_ROOT, MEDIA_ROOT). */
  ignore?: readonly string[];
  /** Where the error page is served while the code is broken. */
  host: string;
  port: number;
  /** The command line of the child (defaults to this process's own). */
  argv?: readonly string[];
  log?: (line: string) => void;
}

function errorPage(output: string): string {
  const escaped = output.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string,
  );
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>The project failed to start</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2em}pre{background:#fee;padding:1em;overflow:auto;white-space:pre-wrap}</style>
<h1>The project failed to start</h1><p>Fix the error below and save: the server restarts by itself.</p><pre>${escaped}</pre></html>`;
}

/**
 * Runs the child until the process is stopped; resolves with the exit code to use.
 */
export async function runWithReloader(options: ReloaderOptions): Promise<number> {
  const { watch } = await import('chokidar');
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const argv = options.argv ?? [...process.execArgv, ...process.argv.slice(1)];
  const ignored = options.ignore?.map((p) => path.resolve(options.root, p)) ?? [];
  let child: ChildProcess | undefined;
  let errorServer: Server | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const closeErrorServer = () =>
    new Promise<void>((resolve) => {
      if (!errorServer) return resolve();
      errorServer.closeAllConnections();
      errorServer.close(() => resolve());
      errorServer = undefined;
    });

  const showError = (output: string) => {
    const page = errorPage(output || 'The server process exited with an error and printed nothing.');
    errorServer = process.getBuiltinModule('node:http').createServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(page);
    });
    errorServer.on('error', () => {
      errorServer = undefined;
    });
    errorServer.listen(options.port, options.host);
  };

  const start = async () => {
    await closeErrorServer();
    if (stopping) return;
    let stderrTail = '';
    const proc = spawn(process.execPath, argv, {
      env: { ...process.env, [RUN_MAIN_ENV]: 'true' },
      stdio: ['inherit', 'inherit', 'pipe'],
    });
    child = proc;
    proc.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-64 * 1024);
    });
    proc.on('exit', (code, signal) => {
      if (child !== proc) return;
      child = undefined;
      if (stopping) return;
      if (code === EXIT_PORT_IN_USE) {
        stopping = true;
        void watcher.close().then(() => resolveDone(1));
        return;
      }
      if (signal === null) {
        log(`The server stopped with exit code ${code}. Waiting for a file change to restart it...`);
        showError(stderrTail);
      }
    });
  };

  const stopChild = () =>
    new Promise<void>((resolve) => {
      const proc = child;
      if (!proc || proc.exitCode !== null) return resolve();
      child = undefined;
      const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc.kill('SIGTERM');
    });

  const watcher = watch(options.root, {
    ignored: (p: string) =>
      IGNORED.test(path.relative(options.root, p)) || ignored.some((i) => p === i || p.startsWith(i + path.sep)),
    ignoreInitial: true,
    awaitWriteFinish: false,
  });
  watcher.on('all', (_event, file) => {
    if (stopping) return;
    clearTimeout(restartTimer);
    // Editors write a file in several steps; restart once they are done.
    restartTimer = setTimeout(() => {
      log(`${path.relative(options.root, file) || file} changed, reloading.`);
      void stopChild().then(start);
    }, 100);
  });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    clearTimeout(restartTimer);
    void Promise.all([stopChild(), closeErrorServer(), watcher.close()]).then(() => resolveDone(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await start();
  const code = await done;
  process.removeListener('SIGINT', shutdown);
  process.removeListener('SIGTERM', shutdown);
  return code;
}
