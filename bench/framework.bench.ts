/**
 * The framework (docs/performance.md, "## Framework"):
 *   - the hello view through getWsgiApplication() with the default middleware (Security, Common,
 *     Csrf, XFrameOptions) on the reference server, against bare node:http in the same run
 *     (bench/lib); target ≥ 0.8×;
 *   - getWsgiApplication() from process start to the first response; target < 150 ms.
 *
 *   bash bench/run.sh framework
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { compareWithBaseline, environmentLines, markdownTable, nodeBin, ratio, repoRoot } from './lib/index.ts';

const app = path.join(repoRoot, 'bench/framework.app.ts');

// Start-up: a fresh process each time; the figure is performance.now() at the end of the first
// response (Node's own start-up included), and the wall time seen by the parent.
const runs = Number(process.env.STARTUP_RUNS ?? 15);
const inProcess: number[] = [];
const wall: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  const child = spawnSync('taskset', ['-c', '0', nodeBin, app], { env: { ...process.env, STARTUP: '1' }, encoding: 'utf8' });
  const ended = performance.now();
  if (child.status !== 0) throw new Error(`start-up run failed: ${child.stderr}`);
  const { answered } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { answered: number };
  inProcess.push(answered);
  wall.push(ended - started);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const comparison = await compareWithBaseline([
  {
    name: 'framework: hello view, 4 default middleware (serve)',
    command: [nodeBin, app],
    path: '/hello/',
    expect: { status: 200, body: 'Hello, world!' },
  },
]);
console.log(environmentLines().join('\n'));
console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
console.log(`wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')}`);
console.log('');
console.log(markdownTable(comparison));
console.log(`\nframework / node:http = ${ratio(comparison.results[0]!, comparison.baseline).toFixed(2)}`);
console.log(
  `start-up to first response (median of ${runs}): ${median(inProcess).toFixed(1)} ms in-process (performance.now()), ` +
    `${median(wall).toFixed(1)} ms wall including process exit`,
);
