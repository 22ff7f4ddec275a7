/**
 * The production server benchmark: a hello app through `tsgi serve` (1 and 2 workers) against
 * bare node:http in the same run (bench/lib), the RSS of one worker against a bare node:http
 * process (median of interleaved rounds, with and without node's TypeScript stripper), and, when Debian's gunicorn and python3-django are installed, the reference Django
 * project under gunicorn. Prints the figures for "## Production server" in docs/performance.md.
 *
 *   bash bench/run.sh server
 *
 * With BASE_TSGI_BIN=/path/to/another/checkout/dist/bin/tsgi.js, that build's `tsgi serve
 * --workers 1` runs in the same rounds (an A/B of a change in one run, on this noisy machine).
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  childPids,
  compareWithBaseline,
  djangoGunicornCases,
  environmentLines,
  freePort,
  markdownTable,
  nodeBin,
  readRssKiB,
  repoRoot,
  runWrk,
  startServer,
  tsgiBin,
  type BenchCase,
} from './lib/index.ts';

const tsgi = (workers: number, bin = tsgiBin, label = ''): BenchCase => ({
  name: `tsgi serve --workers ${workers} (hello)${label}`,
  command: [
    nodeBin,
    bin,
    'serve',
    'bench.server',
    '--bind',
    '{host}:{port}',
    '--workers',
    String(workers),
    '--log-level',
    'warning',
  ],
  path: '/',
  expect: { status: 200, body: 'Hello, world!' },
});

const cases: BenchCase[] = [tsgi(1), tsgi(2)];
const baseBin = process.env.BASE_TSGI_BIN;
if (baseBin) cases.splice(1, 0, tsgi(1, baseBin, `, ${baseBin}`));

cases.push(...djangoGunicornCases([1, 2]));

const comparison = await compareWithBaseline(cases);

/** RSS of the worker process alone (the master is not counted), after a measured-length run. */
async function workerRss(command: string[], env: Record<string, string> = {}): Promise<number> {
  const port = await freePort();
  const server = await startServer({ command, port, cwd: repoRoot, env });
  try {
    await runWrk(server.url('/'), {
      duration: process.env.DURATION ?? '8s',
      connections: Number(process.env.CONNS ?? 32),
    });
    const kids = childPids(server.pid);
    // taskset execs the command, so server.pid is the master (or bare node) itself.
    return kids.length > 0 ? Math.max(...kids.map(readRssKiB)) : readRssKiB(server.pid);
  } finally {
    await server.stop();
  }
}

/**
 * The worker's RSS against two bare node:http processes: the hello as the table runs it (a .ts
 * file, so node loads its TypeScript stripper, ~35 MiB, at start) and the same file from a warm
 * compile cache (no stripper: what a bare node:http in JavaScript costs). tsgi serve turns the
 * compile cache on in its workers (src/server/arbiter.ts), so the second is the fair comparison.
 * RSS moves by 10 MiB and more from one run of the same build to the next, so every case is
 * measured in each of $ROUNDS interleaved rounds and the median is reported.
 */
const cacheDir = path.join(tmpdir(), 'node-compile-cache');
const bareCommand = [nodeBin, path.join(repoRoot, 'bench/lib/node-http-hello.ts')];
const rssCases: Array<{ name: string; command: string[]; env: Record<string, string> }> = [
  {
    name: 'bare node:http, .ts type-stripped at start',
    command: bareCommand,
    env: { NODE_DISABLE_COMPILE_CACHE: '1' },
  },
  { name: 'bare node:http, warm compile cache', command: bareCommand, env: { NODE_COMPILE_CACHE: cacheDir } },
  { name: 'tsgi serve --workers 1, the worker', command: tsgi(1).command, env: {} },
];
if (baseBin) rssCases.push({ name: `the worker of ${baseBin}`, command: tsgi(1, baseBin).command, env: {} });
// One unmeasured start of each fills the compile cache, so that every measured start is warm.
for (const c of rssCases) {
  const server = await startServer({ command: c.command, port: await freePort(), cwd: repoRoot, env: c.env });
  await server.stop();
}
const rssRounds = Number(process.env.ROUNDS ?? 3);
const rss = new Map<string, number[]>(rssCases.map((c) => [c.name, []]));
for (let round = 1; round <= rssRounds; round++) {
  for (const c of rssCases) {
    const kib = await workerRss(c.command, c.env);
    rss.get(c.name)!.push(kib);
    process.stderr.write(`RSS round ${round}/${rssRounds} ${c.name}: ${(kib / 1024).toFixed(1)} MiB\n`);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const mib = (kib: number) => (kib / 1024).toFixed(1);
const [bareTs, bareCached, worker] = rssCases.map((c) => median(rss.get(c.name)!)) as [number, number, number];

console.log(environmentLines().join('\n'));
console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
console.log(`wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')}`);
console.log('');
console.log(markdownTable(comparison));
const one = comparison.results[0]!;
console.log(
  `\ntsgi serve --workers 1 / node:http = ${(one.wrk.rps / comparison.baseline.wrk.rps).toFixed(2)} req/s (target ≥ 0.85)`,
);
console.log(
  `node:http CPU per request / tsgi serve CPU per request = ${(comparison.baseline.cpuUsPerRequest / one.cpuUsPerRequest).toFixed(2)}`,
);
console.log(
  `\nRSS after a ${process.env.DURATION ?? '8s'} wrk run, MiB, median of ${rssRounds} interleaved rounds (every round):`,
);
for (const c of rssCases)
  console.log(`  ${c.name}: ${mib(median(rss.get(c.name)!))} (${rss.get(c.name)!.map(mib).join(', ')})`);
console.log(
  `worker RSS / bare node:http RSS (warm compile cache) = ${(worker / bareCached).toFixed(2)} (target ≤ 1.3)`,
);
console.log(`worker RSS / bare node:http RSS (.ts type-stripped at start) = ${(worker / bareTs).toFixed(2)}`);
