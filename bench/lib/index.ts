/**
 * Shared benchmark helpers (bench/lib/README.md): start a server pinned to CPU 0, check it
 * answers, warm it up, measure it with wrk pinned to CPU 1, read its RSS, and compare it with a
 * bare node:http hello measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServer, type RunningServer } from './server.ts';
import { ensureWrk, runWrk, wrkArgs, wrkVersion, type WrkOptions, type WrkResult } from './wrk.ts';

export * from './server.ts';
export * from './wrk.ts';

/** The repository root (bench/lib/../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The node binary running this script (Node 24 from node_modules when run through npm). */
export const nodeBin = process.execPath;
/** The `tsgi` command as an install runs it: the compiled build (bench/run.sh runs `npm run build` first). */
export const tsgiBin = path.join(repoRoot, 'dist/bin/tsgi.js');

/** One server to measure. */
export interface BenchCase {
  /** The row's name in the table, e.g. `'tsgi serve (hello)'`. */
  name: string;
  /** The command that starts the server; it must listen on $HOST:$PORT. */
  command: string[];
  /** The path requested; default `'/'`. */
  path?: string;
  /** Checked once before the warm-up: the status (default 200) and, when given, the exact body. */
  expect?: { status?: number; body?: string };
  env?: Record<string, string>;
  cwd?: string;
  /** Extra wrk options for this case (e.g. headers). */
  wrk?: WrkOptions;
}

/** What was measured for one case in one round. */
export interface BenchResult {
  name: string;
  url: string;
  /** The exact wrk command line. */
  command: string;
  wrk: WrkResult;
  /** RSS of the server (and its children) after the measured run, KiB. */
  rssKiB: number;
  /** Server CPU time (user + system, all its processes) per request in the measured run, µs. */
  cpuUsPerRequest: number;
}

/** Options of a whole run. */
export interface RunOptions {
  /** Measured duration per case; default `$DURATION` or `'8s'`. */
  duration?: string;
  /** Warm-up duration (discarded); default `$WARMUP` or `'2s'`. */
  warmup?: string;
  /** Connections; default `$CONNS` or 32. */
  connections?: number;
  /**
   * Rounds: every case (baseline included) is measured this many times, interleaved; default
   * `$ROUNDS` or 3. Interleaving spreads the machine's noise over all cases instead of one.
   */
  rounds?: number;
  /**
   * Which round is reported: `'best'` (default, `$PICK`) or `'median'`. On a shared machine noise
   * only ever lowers throughput, so the best round is the closest to what the code can do.
   */
  pick?: 'best' | 'median';
  /** Print progress to stderr; default true. */
  verbose?: boolean;
}

/** The baseline: bare node:http answering "Hello, world!" (bench/lib/node-http-hello.ts). */
export const bareNodeHello: BenchCase = {
  name: 'bare node:http (baseline)',
  command: [nodeBin, path.join(repoRoot, 'bench/lib/node-http-hello.ts')],
  path: '/',
  expect: { status: 200, body: 'Hello, world!' },
};

async function check(server: RunningServer, benchCase: BenchCase): Promise<void> {
  const url = server.url(benchCase.path ?? '/');
  const response = await fetch(url, { headers: benchCase.wrk?.headers });
  const body = await response.text();
  const status = benchCase.expect?.status ?? 200;
  if (response.status !== status) {
    throw new Error(
      `${benchCase.name}: GET ${url} answered ${response.status}, expected ${status}; body: ${body.slice(0, 500)}`,
    );
  }
  if (benchCase.expect?.body !== undefined && body !== benchCase.expect.body) {
    throw new Error(
      `${benchCase.name}: GET ${url} answered the body ${JSON.stringify(body.slice(0, 200))}, expected ${JSON.stringify(benchCase.expect.body)}.`,
    );
  }
}

/**
 * Measures one server: start (taskset -c 0), check, warm up, measure (taskset -c 1 wrk), RSS, stop.
 *
 * @example
 * const result = await benchServer(bareNodeHello, { duration: '8s' });
 */
export async function benchServer(benchCase: BenchCase, options: RunOptions = {}): Promise<BenchResult> {
  const {
    duration = process.env.DURATION ?? '8s',
    warmup = process.env.WARMUP ?? '2s',
    connections = Number(process.env.CONNS ?? 32),
  } = options;
  const port = await freePort();
  const server = await startServer({
    command: benchCase.command,
    port,
    env: benchCase.env,
    cwd: benchCase.cwd ?? repoRoot,
  });
  try {
    await check(server, benchCase);
    const url = server.url(benchCase.path ?? '/');
    const wrkOptions: WrkOptions = { connections, ...benchCase.wrk };
    await runWrk(url, { ...wrkOptions, duration: warmup });
    const cpuBefore = server.cpuMs();
    const measured = await runWrk(url, { ...wrkOptions, duration });
    const cpuUsPerRequest = measured.requests > 0 ? ((server.cpuMs() - cpuBefore) * 1000) / measured.requests : 0;
    if (measured.non2xx > 0)
      throw new Error(`${benchCase.name}: ${measured.non2xx} responses were not 2xx/3xx during the run.`);
    return {
      name: benchCase.name,
      url,
      command: `taskset ${wrkArgs(url, { ...wrkOptions, duration }).join(' ')}`,
      wrk: measured,
      rssKiB: server.rssKiB(),
      cpuUsPerRequest,
    };
  } finally {
    await server.stop();
  }
}

function choose(results: BenchResult[], pick: 'best' | 'median'): BenchResult {
  const sorted = [...results].sort((a, b) => a.wrk.rps - b.wrk.rps);
  return pick === 'best' ? sorted[sorted.length - 1]! : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The baseline's result and each case's (the round picked), in the order given. */
export interface Comparison {
  /** How the reported round was picked. */
  pick: 'best' | 'median';
  baseline: BenchResult;
  results: BenchResult[];
  /** Every round's req/s per case name, for the record. */
  rounds: Record<string, number[]>;
}

/**
 * Measures the bare node:http baseline and the cases in the same run, interleaved over rounds.
 *
 * @example
 * const comparison = await compareWithBaseline([{ name: 'tsgi serve', command: [nodeBin, 'bench/gateway.server.ts'] }]);
 * console.log(markdownTable(comparison));
 */
export async function compareWithBaseline(cases: BenchCase[], options: RunOptions = {}): Promise<Comparison> {
  ensureWrk();
  const rounds = options.rounds ?? Number(process.env.ROUNDS ?? 3);
  const verbose = options.verbose ?? true;
  const names = new Set([bareNodeHello.name]);
  for (const c of cases) {
    if (names.has(c.name))
      throw new Error(`Two benchmark cases are named ${JSON.stringify(c.name)}: give each case its own name.`);
    names.add(c.name);
  }
  const all = [bareNodeHello, ...cases];
  const measured = new Map<string, BenchResult[]>(all.map((c) => [c.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const benchCase of all) {
      const result = await benchServer(benchCase, options);
      measured.get(benchCase.name)!.push(result);
      if (verbose) {
        process.stderr.write(
          `round ${round}/${rounds} ${benchCase.name}: ${result.wrk.rps.toFixed(0)} req/s, p99 ${result.wrk.p99Ms} ms, ${result.cpuUsPerRequest.toFixed(1)} CPU µs/req\n`,
        );
      }
    }
  }
  const pick = options.pick ?? (process.env.PICK === 'median' ? 'median' : 'best');
  const chosen = (name: string) => choose(measured.get(name)!, pick);
  return {
    pick,
    baseline: chosen(bareNodeHello.name),
    results: cases.map((c) => chosen(c.name)),
    rounds: Object.fromEntries([...measured].map(([name, list]) => [name, list.map((r) => r.wrk.rps)])),
  };
}

/** The header of the table `markdownRow` fills. */
export function markdownHeader(): string {
  return '| server | req/s | × node:http | p50 ms | p99 ms | CPU µs/req | RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|';
}

/** One table row: req/s, the ratio to the baseline, latencies, RSS. */
export function markdownRow(result: BenchResult, baseline: BenchResult): string {
  const ratio = result.wrk.rps / baseline.wrk.rps;
  const ms = (v: number | null) => (v === null ? '–' : v.toFixed(2));
  return `| ${result.name} | ${result.wrk.rps.toFixed(0)} | ${ratio.toFixed(2)} | ${ms(result.wrk.p50Ms)} | ${ms(result.wrk.p99Ms)} | ${result.cpuUsPerRequest.toFixed(1)} | ${(result.rssKiB / 1024).toFixed(1)} |`;
}

/** The whole table, baseline first. */
export function markdownTable(comparison: Comparison): string {
  const rows = [comparison.baseline, ...comparison.results].map((r) => markdownRow(r, comparison.baseline));
  return [markdownHeader(), ...rows].join('\n');
}

/** Lines describing the machine and tools, for the report. */
export function environmentLines(): string[] {
  let kernel = 'unknown';
  try {
    kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  } catch {
    // uname is missing: leave "unknown".
  }
  const cpu = cpus();
  return [
    `date: ${new Date().toISOString()}`,
    `cpu: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores`,
    `kernel: ${kernel}`,
    `node: ${process.version}`,
    `wrk: ${wrkVersion()}`,
  ];
}

/** The ratio of a result to the baseline, e.g. 0.93. */
export function ratio(result: BenchResult, baseline: BenchResult): number {
  return result.wrk.rps / baseline.wrk.rps;
}

/**
 * The reference Django project (../shared/reference/django) under Debian's gunicorn, one case per
 * worker count, serving `/hello/`; none (with a line on stderr saying what is missing) when
 * gunicorn, python3-django or the project are absent.
 */
export function djangoGunicornCases(workers: readonly number[]): BenchCase[] {
  const djangoDir = path.resolve(repoRoot, '../shared/reference/django');
  let found = existsSync('/usr/bin/gunicorn') && existsSync(djangoDir);
  if (found) {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import django'], { stdio: 'ignore' });
    } catch {
      found = false;
    }
  }
  if (!found) {
    process.stderr.write(`Skipping Django under gunicorn: needs /usr/bin/gunicorn, python3-django and ${djangoDir}.\n`);
    return [];
  }
  return workers.map((count) => ({
    name: `Django 3.2 under gunicorn 20.1 --workers ${count} (/hello/)`,
    command: [
      '/usr/bin/gunicorn',
      'markup.wsgi:application',
      '--bind',
      '{host}:{port}',
      '--workers',
      String(count),
      '--log-level',
      'warning',
    ],
    cwd: djangoDir,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
    path: '/hello/',
  }));
}
