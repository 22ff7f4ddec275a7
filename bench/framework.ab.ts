/**
 * The framework's hello, this checkout against another (docs/performance.md, Framework): "did my
 * change make the hello slower?", measured the same way on both trees in the same run. Build both
 * first (`npm run build` in each); the other checkout may share this one's node_modules.
 *
 *   git worktree add /tmp/base main && ln -s $PWD/node_modules /tmp/base/ && (cd /tmp/base && npx tsc -p tsconfig.build.json)
 *   node bench/framework.ab.ts /tmp/base            # in one process: CPU µs a request, interleaved rounds
 *   node bench/framework.ab.ts /tmp/base --wrk      # over sockets: wrk, both servers and bare node:http
 *
 * In one process, both frameworks (each tree's dist/, each serving its own copy of the reference
 * project) answer the hello in turns, ROUNDS (30) rounds of N (20,000) requests, the order
 * alternating; the figure is process.cpuUsage() a request, so time the process spends
 * descheduled on a busy machine does not count. With --wrk, bench/lib's compareWithBaseline
 * runs bench/framework.app.ts of each tree (ROUNDS, default 8).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compareWithBaseline, environmentLines, markdownTable, nodeBin, repoRoot } from './lib/index.ts';
import { wrkEnviron } from './lib/environ.ts';

const other = process.argv[2];
if (other === undefined || other.startsWith('-')) {
  console.error('Usage: node bench/framework.ab.ts <other checkout, built> [--wrk]');
  process.exit(2);
}
const trees = { other: path.resolve(other), this: repoRoot };

if (process.argv.includes('--wrk')) {
  const comparison = await compareWithBaseline(
    Object.entries(trees).map(([name, root]) => ({
      name: `${name} (${root})`,
      command: [nodeBin, path.join(root, 'bench/framework.app.ts')],
      path: '/hello/',
      expect: { status: 200, body: 'Hello, world!' },
    })),
    { rounds: Number(process.env.ROUNDS ?? 8), pick: 'median' },
  );
  console.log(environmentLines().join('\n'));
  console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}`);
  console.log(markdownTable(comparison));
} else {
  type App = ((environ: unknown, startResponse: unknown) => unknown) & { ready: Promise<void> };
  process.env.TSGI_SETTINGS_MODULE = 'markup.settings';
  const apps: Record<string, App> = {};
  for (const [name, root] of Object.entries(trees)) {
    const loading = (await import(pathToFileURL(path.join(root, 'dist/src/utils/module-loading.js')).href)) as {
      setProjectRoot(root: string): void;
      importModule(name: string): { application: App };
    };
    loading.setProjectRoot(path.join(root, 'test/fixtures/reference-app'));
    const { application } = loading.importModule('markup.wsgi');
    await application.ready;
    apps[name] = application;
  }
  const startResponse = () => () => {};
  async function run(app: App, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const body = (await app(wrkEnviron('/hello/'), startResponse)) as Iterable<Uint8Array> & {
        close?: () => unknown;
      };
      for (const chunk of body) void chunk;
      await body.close?.();
    }
  }
  const n = Number(process.env.N ?? 20_000);
  for (const app of Object.values(apps)) await run(app, 30_000);
  const cpu: Record<string, number[]> = { other: [], this: [] };
  const rounds = Number(process.env.ROUNDS ?? 30);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['this', 'other'] : ['other', 'this'];
    for (const name of order) {
      const before = process.cpuUsage();
      await run(apps[name]!, n);
      const used = process.cpuUsage(before);
      cpu[name]!.push((used.user + used.system) / n);
    }
  }
  for (const [name, values] of Object.entries(cpu)) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(
      `${name.padEnd(5)} ${trees[name as keyof typeof trees]}: CPU a request, median ${sorted[sorted.length >> 1]!.toFixed(3)} µs, ` +
        `least ${sorted[0]!.toFixed(3)} µs (${rounds} rounds of ${n})`,
    );
  }
}
