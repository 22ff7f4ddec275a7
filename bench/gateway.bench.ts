/**
 * The gateway benchmark: a hello app through serve() against bare node:http, in the same run
 * (bench/lib). Prints the table for the "## Gateway" section of docs/performance.md.
 *
 *   bash bench/run.sh gateway
 */
import path from 'node:path';
import { compareWithBaseline, environmentLines, markdownTable, nodeBin, ratio, repoRoot } from './lib/index.ts';

const comparison = await compareWithBaseline([
  {
    name: 'tsgi serve() hello',
    command: [nodeBin, path.join(repoRoot, 'bench/gateway.app.ts')],
    path: '/',
    expect: { status: 200, body: 'Hello, world!' },
  },
]);
console.log(environmentLines().join('\n'));
console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
console.log(`wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')}`);
console.log('');
console.log(markdownTable(comparison));
const served = comparison.results[0]!;
const r = ratio(served, comparison.baseline);
console.log(`\nserve() / node:http = ${r.toFixed(2)} req/s (target ≥ 0.90)`);
// When both are CPU-bound, req/s is inversely proportional to CPU per request; this ratio is
// the one other processes on a shared machine disturb least.
const byCpu = comparison.baseline.cpuUsPerRequest / served.cpuUsPerRequest;
console.log(`node:http CPU per request / serve() CPU per request = ${byCpu.toFixed(2)}`);
