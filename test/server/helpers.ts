/**
 * Helpers for the server tests: start a real `tsgi serve` process on a free loopback port,
 * follow its error log, send requests, and clean everything up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtures = path.join(repoRoot, 'test/server/fixtures');
export const bin = path.join(repoRoot, 'bin/tsgi.ts');

/** A running `tsgi serve`. */
export interface Served {
  child: ChildProcess;
  port: number;
  host: string;
  url: string;
  /** Everything written to stderr (the error log) so far. */
  stderr(): string;
  stdout(): string;
  /** Resolves with the first match of `re` in stderr (from `from` on), or rejects after `ms`. */
  waitFor(re: RegExp, ms?: number, from?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** TERM, then KILL after `ms`; resolves when gone. */
  stop(ms?: number): Promise<number | string>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Runs `tsgi ARGS` to completion; for commands that exit by themselves. */
export function runTsgi(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const reports = mkdtempSync(path.join(os.tmpdir(), 'tsgi-report-'));
    // --report-on-signal: a child that hangs is asked for Node's diagnostic report before it is
    // killed, so a timeout says where it was stuck instead of only that it was.
    const child = spawn(process.execPath, ['--report-on-signal', `--report-directory=${reports}`, bin, ...args], {
      cwd: opts.cwd ?? fixtures,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    const ms = opts.timeoutMs ?? 20000;
    const timer = setTimeout(() => {
      void hangReport(child, reports).then((report) => {
        child.kill('SIGKILL');
        rmSync(reports, { recursive: true, force: true });
        reject(
          new Error(
            `tsgi ${args.join(' ')} did not exit within ${ms} ms.\nIts stderr:\n${stderr}\nIts stdout:\n${stdout}\n${report}`,
          ),
        );
      });
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      running.delete(child);
      rmSync(reports, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * What a stuck child is doing: each thread's state and kernel wait channel (Linux /proc), then
 * its JavaScript stack and open libuv handles from Node's diagnostic report (SIGUSR2).
 */
async function hangReport(child: ChildProcess, dir: string): Promise<string> {
  const lines: string[] = [];
  try {
    for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
      const status = readFileSync(`/proc/${child.pid}/task/${tid}/status`, 'utf8');
      const name = /^Name:\s*(.*)$/m.exec(status)?.[1];
      const state = /^State:\s*(.*)$/m.exec(status)?.[1];
      const wchan = readFileSync(`/proc/${child.pid}/task/${tid}/wchan`, 'utf8');
      lines.push(`  thread ${tid} ${name}: ${state}, waiting in ${wchan || '-'}`);
    }
  } catch (error) {
    lines.push(`  (no /proc view: ${(error as Error).message})`);
  }
  child.kill('SIGUSR2');
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (file === undefined) continue;
    try {
      const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
        javascriptStack?: { message?: string; stack?: string[] };
        libuv?: Array<{ type: string; is_active: boolean; is_referenced?: boolean }>;
      };
      const handles = (report.libuv ?? []).filter((h) => h.is_active && h.is_referenced !== false).map((h) => h.type);
      lines.push(
        `JavaScript stack: ${report.javascriptStack?.message ?? ''}\n    ${(report.javascriptStack?.stack ?? []).join('\n    ')}`,
      );
      lines.push(`Active libuv handles: ${handles.join(', ') || 'none'}`);
      break;
    } catch {
      // Still being written.
    }
  }
  if (lines.length === 0 || !lines.some((l) => l.startsWith('JavaScript')))
    lines.push('No diagnostic report within 3 s (the main thread did not service SIGUSR2).');
  return `Threads:\n${lines.join('\n')}`;
}

/**
 * Starts `tsgi serve ARGS` (add `--bind 127.0.0.1:0` yourself or let `bind` default) and waits
 * until it listens.
 */
export async function serve(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; errorLogFile?: string; ready?: boolean } = {},
): Promise<Served> {
  const withBind = args.some((a) => a === '-b' || a.startsWith('--bind')) ? args : [...args, '--bind', '127.0.0.1:0'];
  const child = spawn(process.execPath, [bin, 'serve', ...withBind], {
    cwd: opts.cwd ?? fixtures,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let err = '';
  let out = '';
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (d: Buffer) => {
    err += d;
    for (const w of waiters) w();
  });
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      for (const w of waiters) w();
      resolve(code ?? signal ?? -1);
    }),
  );
  const waitFor = (re: RegExp, ms = 20000, from = 0): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = re.exec(err.slice(from));
        if (m) {
          done();
          resolve(m);
          return true;
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`tsgi serve exited before ${re} appeared:\n${err}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${re} did not appear within ${ms} ms:\n${err}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(onData);
      };
      const onData = () => {
        check();
      };
      if (!check()) waiters.add(onData);
    });
  let m: RegExpExecArray;
  try {
    m = opts.errorLogFile
      ? await waitForFile(opts.errorLogFile, /Listening at: (https?):\/\/(\[[^\]]+\]|[^:]+):(\d+)|Listening at: unix:/)
      : await waitFor(/Listening at: (https?):\/\/(\[[^\]]+\]|[^:]+):(\d+)|Listening at: unix:/);
    // Until a worker is ready the master holds connections back; wait so that clients with short
    // timeouts (the corpus runner) see a server that answers.
    if (opts.ready !== false && !opts.errorLogFile) await waitFor(/Worker \d+ is ready\./);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const host = m[2] ? m[2].replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = m[3] ? Number(m[3]) : 0;
  const scheme = m[1] ?? 'http';
  return {
    child,
    port,
    host,
    url: `${scheme}://${m[2] ?? '127.0.0.1'}:${port}`,
    stderr: () => err,
    stdout: () => out,
    waitFor,
    exited,
    async stop(ms = 10000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), ms);
        const r = await exited;
        clearTimeout(t);
        return r;
      }
      return exited;
    },
  };
}

/** Polls a log file until `re` matches its content. */
async function waitForFile(file: string, re: RegExp, ms = 20000): Promise<RegExpExecArray> {
  const { readFileSync } = await import('node:fs');
  const end = Date.now() + ms;
  while (Date.now() < end) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      /* not yet */
    }
    const m = re.exec(text);
    if (m) return m;
    await sleep(50);
  }
  throw new Error(`${re} did not appear in ${file} within ${ms} ms`);
}

/** A response as the tests see it. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request (a fresh connection unless `agent` is given). */
export function request(url: string, opts: http.RequestOptions & { body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error(`no answer from ${url} within 30 s`)));
    req.end(opts.body);
  });
}

/** Sends raw bytes on a new connection; resolves with everything received until the server closes (or `ms`). */
export function rawExchange(port: number, bytes: string | Buffer, ms = 5000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, ms);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') return;
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** The pids of the workers the server has started (from its "Booting worker" lines). */
export function bootedPids(stderr: string): number[] {
  return [...stderr.matchAll(/Booting worker with pid: (\d+)/g)].map((m) => Number(m[1]));
}

/** Whether a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Keeps `concurrency` clients sending GETs (keep-alive, or each on a new connection with
 * `fresh`) until `stop()`; counts answers and failures. Bounded by `maxRequests`; a request
 * unanswered after `timeoutMs` fails as "timeout".
 */
export function loadLoop(
  url: string,
  concurrency = 4,
  maxRequests = 20000,
  opts: { fresh?: boolean; timeoutMs?: number } = {},
) {
  const agent = opts.fresh ? false : new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const timeoutMs = opts.timeoutMs ?? 30000;
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const bodies = new Map<string, number>();
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          if (res.statusCode === 200) {
            ok++;
            bodies.set(body, (bodies.get(body) ?? 0) + 1);
          } else failures.push(`status ${res.statusCode}: ${body.slice(0, 200)}`);
          resolve();
        });
        res.on('error', (e) => {
          failures.push(`response error ${e.message}`);
          resolve();
        });
      });
      req.on('error', (e) => {
        failures.push(`request error ${(e as NodeJS.ErrnoException).code ?? e.message}`);
        resolve();
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    });
  const workers = Array.from({ length: concurrency }, async () => {
    while (running && ok + failures.length < maxRequests) await one();
  });
  return {
    get ok() {
      return ok;
    },
    failures,
    bodies,
    async stop() {
      running = false;
      await Promise.all(workers);
      if (agent) agent.destroy();
    },
  };
}

/** Waits `ms`. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns truthy or `ms` pass. */
export async function until<T>(fn: () => T | Promise<T>, ms = 20000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    await sleep(50);
  }
  throw new Error(`${what} not met within ${ms} ms`);
}

/** A framework project in a temporary folder (`site` package), importing this checkout as `tsgi`. */
export interface Project {
  dir: string;
  /** Writes a file of the project (path relative to it). */
  write(file: string, text: string): void;
  remove(): void;
}

/**
 * Makes a small framework project: site/settings.ts (DEBUG off, ALLOWED_HOSTS, ROOT_URLCONF
 * site.urls, plus `settings`), site/urls.ts routing `/` to site/views.ts's `home` (returning
 * `body`), site/wsgi.ts and manage.ts; then any `files` given (relative path → text).
 */
export function makeProject(
  options: { settings?: string; body?: string; files?: Record<string, string> } = {},
): Project {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-project-'));
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  // The project imports tsgi by name: link this checkout into its node_modules.
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules/tsgi'), 'dir');
  write(
    'site/settings.ts',
    `export const SECRET_KEY = 'server-tests-not-secret';\nexport const DEBUG = false;\nexport const ALLOWED_HOSTS = ['127.0.0.1', 'localhost'];\nexport const ROOT_URLCONF = 'site.urls';\nexport const MIDDLEWARE = ['tsgi.middleware.common.CommonMiddleware'];\n${options.settings ?? ''}`,
  );
  write(
    'site/urls.ts',
    `import { path } from 'tsgi/urls';\nimport { home } from './views.ts';\n\nexport const urlpatterns = [path('', home)];\n`,
  );
  write('site/views.ts', viewsSource(options.body ?? 'v1'));
  write(
    'site/wsgi.ts',
    `import { getWsgiApplication } from 'tsgi/core/wsgi';\nprocess.env.TSGI_SETTINGS_MODULE ??= 'site.settings';\nexport const application = getWsgiApplication();\n`,
  );
  write(
    'manage.ts',
    `import { executeFromCommandLine } from 'tsgi/core/management';\nprocess.env.TSGI_SETTINGS_MODULE ??= 'site.settings';\nprocess.exitCode = await executeFromCommandLine(process.argv);\n`,
  );
  for (const [file, text] of Object.entries(options.files ?? {})) write(file, text);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** site/views.ts with a `home` view answering `body` as text. */
export function viewsSource(body: string): string {
  return `import { HttpResponse } from 'tsgi/http';\n\nexport function home() {\n  return new HttpResponse(${JSON.stringify(body)});\n}\n`;
}
