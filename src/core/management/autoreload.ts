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

/** The files whose change restarts the server: code (settings are code) and data modules. */
const SOURCE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']);

/**
 * Never watched, whatever the extension: dependencies, test coverage reports, dotfiles and
 * dot-folders (.git, .env, editors' swap files), databases and their journals, logs. A SQLite write (and
 * its -journal, -wal, -shm files) or a log line must not restart the server under a request.
 */
const NEVER: readonly RegExp[] = [
  /(^|\/)(node_modules|coverage)(\/|$)/,
  /(^|\/)\.[^/]/,
  /\.(sqlite3?|db)$/i,
  /-(journal|wal|shm)$/,
  /\.log(\.\d+)?$/i,
];

/** A glob (`*`, `**`, `?`) as a regular expression over a relative path with `/` separators. */
function globToRegExp(glob: string): RegExp {
  // `folder/**` names the folder too, so that the watcher does not descend into it.
  const folder = glob.endsWith('/**');
  if (folder) glob = glob.slice(0, -3);
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}${folder ? '(?:/.*)?' : ''}$`);
}

/**
 * Decides which changed files restart the development server: source files (`.ts`, `.js`,
 * `.mts`, ...; settings are among them) and anything in a `templates` folder or in one of
 * `templateDirs`; never what NEVER lists, STATIC_ROOT, MEDIA_ROOT, nor what the user excludes
 * (`runserver --exclude GLOB`: a pattern without `/` matches a file or folder name at any depth,
 * as in .gitignore; one with `/` matches the path from the project root).
 */
export class ReloadRules {
  readonly #root: string;
  readonly #excluded: readonly RegExp[];
  readonly #slashless: readonly RegExp[];
  readonly #folders: readonly string[];
  readonly #templateDirs: readonly string[];

  constructor(options: {
    root: string;
    exclude?: readonly string[];
    ignoreFolders?: readonly string[];
    templateDirs?: readonly string[];
  }) {
    this.#root = path.resolve(options.root);
    const patterns = (options.exclude ?? []).map((p) => p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/$/, ''));
    this.#excluded = patterns.filter((p) => p.includes('/')).map(globToRegExp);
    this.#slashless = patterns.filter((p) => !p.includes('/')).map(globToRegExp);
    this.#folders = (options.ignoreFolders ?? []).map((p) => path.resolve(this.#root, p));
    this.#templateDirs = (options.templateDirs ?? []).map((p) => path.resolve(this.#root, p));
  }

  /** The path relative to the root, with `/`; undefined outside the root. */
  #relative(file: string): string | undefined {
    const rel = path.relative(this.#root, path.resolve(this.#root, file));
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }

  /** Whether a file or folder is not even watched (the watcher does not descend into it). */
  ignored(file: string): boolean {
    const abs = path.resolve(this.#root, file);
    if (this.#folders.some((f) => abs === f || abs.startsWith(f + path.sep))) return true;
    const rel = this.#relative(file);
    if (rel === undefined || rel === '') return false;
    if (NEVER.some((re) => re.test(rel))) return true;
    const parts = rel.split('/');
    if (this.#slashless.some((re) => parts.some((part) => re.test(part)))) return true;
    return this.#excluded.some((re) => parts.some((_p, i) => re.test(parts.slice(0, i + 1).join('/'))));
  }

  /** Whether a change to `file` restarts the server. */
  reloads(file: string): boolean {
    if (this.ignored(file)) return false;
    const abs = path.resolve(this.#root, file);
    if (this.#templateDirs.some((d) => abs.startsWith(d + path.sep))) return true;
    const rel = this.#relative(file);
    if (rel === undefined) return false;
    return SOURCE_EXTENSIONS.has(path.extname(rel).toLowerCase()) || rel.split('/').slice(0, -1).includes('templates');
  }
}

export interface ReloaderOptions {
  /** The folder to watch (the project root). */
  root: string;
  /** Which changes restart the server (default: ReloadRules for `root` alone). */
  rules?: ReloadRules;
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
  const rules = options.rules ?? new ReloadRules({ root: options.root });
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
    ignored: (p: string) => rules.ignored(p),
    ignoreInitial: true,
    awaitWriteFinish: false,
  });
  const changed = new Set<string>();
  watcher.on('all', (_event, file) => {
    if (stopping || !rules.reloads(file)) return;
    changed.add(path.relative(options.root, file) || file);
    clearTimeout(restartTimer);
    // Editors write a file in several steps; restart once they are done.
    restartTimer = setTimeout(() => {
      log(`${[...changed].join(', ')} changed, reloading.`);
      changed.clear();
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
