/**
 * The production server benchmark: a hello app through `tsgi serve` (1 and 2 workers) against
 * bare node:http in the same run (bench/lib), the RSS of one worker against a bare node:http
 * process, and, when Debian's gunicorn and python3-django are installed, the reference Django
 * project under gunicorn. Prints the figures for "## Production server" in docs/performance.md.
 *
 *   bash bench/run.sh server
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  childPids, compareWithBaseline, environmentLines, freePort, markdownTable, nodeBin, readRssKiB, repoRoot, runWrk, startServer,
  type BenchCase,
} from './lib/index.ts';

const tsgi = (workers: number): BenchCase => ({
  name: `tsgi serve --workers ${workers} (hello)`,
  command: [nodeBin, path.join(repoRoot, 'bin/tsgi.ts'), 'serve', 'bench.server', '--bind', '{host}:{port}', '--workers', String(workers), '--log-level', 'warning'],
  path: '/',
  expect: { status: 200, body: 'Hello, world!' },
});

const cases: BenchCase[] = [tsgi(1), tsgi(2)];

const djangoDir = path.resolve(repoRoot, '../shared/reference/django');
const hasDjango = (() => {
  if (!existsSync('/usr/bin/gunicorn') || !existsSync(djangoDir)) return false;
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import django'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (hasDjango) {
  for (const workers of [1, 2]) {
    cases.push({
      name: `Django 3.2 under gunicorn 20.1 --workers ${workers} (/hello/)`,
      command: ['/usr/bin/gunicorn', 'markup.wsgi:application', '--bind', '{host}:{port}', '--workers', String(workers), '--log-level', 'warning'],
      cwd: djangoDir,
      env: { PYTHONDONTWRITEBYTECODE: '1' },
      path: '/hello/',
    });
  }
} else {
  process.stderr.write(`Skipping Django under gunicorn: needs /usr/bin/gunicorn, python3-django and ${djangoDir}.\n`);
}

const comparison = await compareWithBaseline(cases);

/** RSS of the worker process alone (the master is not counted), after a measured-length run. */
async function workerRss(command: string[]): Promise<number> {
  const port = await freePort();
  const server = await startServer({ command, port, cwd: repoRoot });
  try {
    await runWrk(server.url('/'), { duration: process.env.DURATION ?? '8s', connections: Number(process.env.CONNS ?? 32) });
    const kids = childPids(server.pid);
    // taskset execs the command, so server.pid is the master (or bare node) itself.
    return kids.length > 0 ? Math.max(...kids.map(readRssKiB)) : readRssKiB(server.pid);
  } finally {
    await server.stop();
  }
}
const bareRss = await workerRss([nodeBin, path.join(repoRoot, 'bench/lib/node-http-hello.ts')]);
const oneWorkerRss = await workerRss(tsgi(1).command);

console.log(environmentLines().join('\n'));
console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
console.log(`wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')}`);
console.log('');
console.log(markdownTable(comparison));
const one = comparison.results[0]!;
console.log(`\ntsgi serve --workers 1 / node:http = ${(one.wrk.rps / comparison.baseline.wrk.rps).toFixed(2)} req/s (target ≥ 0.85)`);
console.log(`node:http CPU per request / tsgi serve CPU per request = ${(comparison.baseline.cpuUsPerRequest / one.cpuUsPerRequest).toFixed(2)}`);
console.log(`worker RSS ${(oneWorkerRss / 1024).toFixed(1)} MiB / bare node:http RSS ${(bareRss / 1024).toFixed(1)} MiB = ${(oneWorkerRss / bareRss).toFixed(2)} (target ≤ 1.3)`);
