/**
 * Running wrk and reading its `--latency` report. wrk comes from Debian's packages and is
 * installed on first use when missing (the guide's rule: benchmarks install their own tool).
 */
import { execFileSync, spawn } from 'node:child_process';

/** What one wrk run measured. Latencies are in milliseconds. */
export interface WrkResult {
  rps: number;
  requests: number;
  p50Ms: number | null;
  p75Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  /** Responses whose status was not 2xx or 3xx. */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** wrk's own output, kept for the record. */
  raw: string;
}

/** How wrk is run; the defaults are the project's agreed settings. */
export interface WrkOptions {
  /** `-d`; default `'8s'`. */
  duration?: string;
  /** `-c`; default 32. */
  connections?: number;
  /** `-t`; default 1. */
  threads?: number;
  /** The CPU wrk is pinned to with taskset; default 1 (the server gets 0). */
  cpu?: number;
  /** Extra request headers, e.g. `{ Connection: 'close' }`. */
  headers?: Record<string, string>;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60000 };

function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure `wrk` and `taskset` are on PATH, installing wrk with apt-get when it is missing.
 * Throws a sentence naming the fix when that is impossible (no apt-get, not root).
 */
export function ensureWrk(): void {
  if (!commandExists('taskset')) {
    throw new Error(
      'taskset is missing: install util-linux (apt-get install -y util-linux) to pin the server and wrk to CPUs.',
    );
  }
  if (commandExists('wrk')) return;
  if (!commandExists('apt-get')) {
    throw new Error(
      'wrk is missing and apt-get is not available: install wrk from your distribution (https://github.com/wg/wrk).',
    );
  }
  process.stderr.write('wrk is missing: installing it with apt-get (Debian package "wrk")...\n');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit' });
  if (!commandExists('wrk')) throw new Error('apt-get install wrk finished but wrk is still not on PATH.');
}

/** The first line of `wrk -v`, for the record. */
export function wrkVersion(): string {
  try {
    // wrk -v prints its banner and exits with status 1.
    return execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!;
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? '';
    return out.split('\n')[0] || 'unknown';
  }
}

function percentile(text: string, p: number): number | null {
  const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
  return match ? Number((Number(match[1]) * UNIT_MS[match[2]!]!).toFixed(3)) : null;
}

/**
 * Parses the text wrk prints (with `--latency`).
 *
 * @example
 * const { rps, p99Ms } = parseWrk(output);
 */
export function parseWrk(text: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!rps) throw new Error(`wrk's output has no "Requests/sec" line; wrk said:\n${text}`);
  const total = /(\d+) requests in /.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    rps: Number(rps[1]),
    requests: total ? Number(total[1]) : 0,
    p50Ms: percentile(text, 50),
    p75Ms: percentile(text, 75),
    p90Ms: percentile(text, 90),
    p99Ms: percentile(text, 99),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sock
      ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
    raw: text,
  };
}

/** The argument list of `taskset -c CPU wrk ...` for a URL; also what a report prints as the command. */
export function wrkArgs(url: string, options: WrkOptions = {}): string[] {
  const { duration = '8s', connections = 32, threads = 1, cpu = 1, headers = {} } = options;
  const args = ['-c', String(cpu), 'wrk', `-t${threads}`, `-c${connections}`, `-d${duration}`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return args;
}

/**
 * Runs `taskset -c 1 wrk -t1 -c32 -d8s --latency URL` (options change each part) and parses it.
 *
 * @example
 * const result = await runWrk('http://127.0.0.1:18080/hello/', { duration: '8s' });
 * console.log(result.rps);
 */
export function runWrk(url: string, options: WrkOptions = {}): Promise<WrkResult> {
  const args = wrkArgs(url, options);
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`taskset ${args.join(' ')} exited with status ${code}: ${err || out}`));
        return;
      }
      try {
        resolve(parseWrk(out));
      } catch (error) {
        reject(error);
      }
    });
  });
}
