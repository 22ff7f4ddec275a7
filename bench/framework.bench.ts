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
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareWithBaseline, environmentLines, markdownTable, nodeBin, ratio, repoRoot } from './lib/index.ts';

const app = path.join(repoRoot, 'bench/framework.app.ts');

// Start-up: a fresh process each time (not pinned: Node starts helper threads); the figure is
// performance.now() at the end of the first response, Node's own start-up included. Measured
// cold (every .ts file type-stripped and compiled) and with Node's compile cache warm
// (NODE_COMPILE_CACHE, which also caches the stripped TypeScript).
const runs = Number(process.env.STARTUP_RUNS ?? 15);
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-bench-ncc-'));
function startup(env: Record<string, string>): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(nodeBin, [app], { env: { ...process.env, ...env, STARTUP: '1' }, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`start-up run failed: ${child.stderr}`);
    times.push((JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { answered: number }).answered);
  }
  return times;
}
const cold = startup({});
startup({ NODE_COMPILE_CACHE: cacheDir }); // fills the cache
const cached = startup({ NODE_COMPILE_CACHE: cacheDir });
rmSync(cacheDir, { recursive: true, force: true });
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
  `start-up to first response (median of ${runs}): cold ${median(cold).toFixed(1)} ms, ` +
    `compile cache warm ${median(cached).toFixed(1)} ms (min ${Math.min(...cold).toFixed(1)} / ${Math.min(...cached).toFixed(1)})`,
);
