/**
 * The framework (docs/performance.md, "## Framework"):
 *   - the hello view through getWsgiApplication() with the default middleware (Security, Common,
 *     Csrf, XFrameOptions) on the reference server, against bare node:http in the same run
 *     (bench/lib); target ≥ 0.8×;
 *   - getWsgiApplication() from process start to the first response; target < 150 ms.
 *
 *   bash bench/run.sh framework
 *   STARTUP_ONLY=1 bash bench/run.sh framework     # the start-up figures only (no wrk)
 */
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  compareWithBaseline,
  djangoGunicornCases,
  environmentLines,
  freePort,
  markdownTable,
  nodeBin,
  ratio,
  repoRoot,
  tsgiBin,
} from './lib/index.ts';

const app = path.join(repoRoot, 'bench/framework.app.ts');

// Start-up: a fresh process each time (not pinned: Node starts helper threads); the figure is
// performance.now() at the end of the first response, Node's own start-up included. The
// framework runs from its compiled build (dist/, what an install from the registry runs; bench/run.sh
// builds it first) unless said otherwise; the project itself is .ts, type-stripped. Four cases:
//   - cold: nothing cached (NODE_DISABLE_COMPILE_CACHE=1): the first start of a deployment;
//   - cold, from the .ts sources (--conditions=tsgi-source), as in this checkout's tests;
//   - default: getWsgiApplication() turns Node's compile cache on (os.tmpdir(), here a fresh
//     TMPDIR of the benchmark's own) before it imports the framework; measured once filled by
//     an earlier start, as every start after the first finds it;
//   - NODE_COMPILE_CACHE set from process start (what tsgi serve's workers get), filled.
const runs = Number(process.env.STARTUP_RUNS ?? 15);
const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-bench-tmp-'));
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-bench-ncc-'));
function startup(env: Record<string, string>, count = runs, flags: string[] = []): number[] {
  const times: number[] = [];
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env, STARTUP: '1', NODE_OPTIONS: '' };
  delete childEnv.NODE_COMPILE_CACHE;
  if (env.NODE_COMPILE_CACHE !== undefined) childEnv.NODE_COMPILE_CACHE = env.NODE_COMPILE_CACHE;
  for (let i = 0; i < count; i++) {
    const child = spawnSync(nodeBin, [...flags, app], { env: childEnv, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`start-up run failed: ${child.stderr}`);
    times.push((JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { answered: number }).answered);
  }
  return times;
}
// Cold runs of the build and of the sources alternate, so that both see the same machine.
const cold: number[] = [];
const coldSources: number[] = [];
for (let i = 0; i < runs; i++) {
  cold.push(...startup({ NODE_DISABLE_COMPILE_CACHE: '1' }, 1));
  coldSources.push(...startup({ NODE_DISABLE_COMPILE_CACHE: '1' }, 1, ['--conditions=tsgi-source']));
}
startup({ TMPDIR: tmpDir }, 1); // fills the default cache
const byDefault = startup({ TMPDIR: tmpDir });
startup({ NODE_COMPILE_CACHE: cacheDir }, 1); // fills the cache
const cached = startup({ NODE_COMPILE_CACHE: cacheDir });
// tsgi serve, as a deployment sees it: from spawning the master to the first HTTP response over
// TCP (master, one worker, the framework's boot, one GET /hello/), polled every 5 ms; cold and
// with the compile cache the master gives its workers, filled.
const fixture = path.join(repoRoot, 'test/fixtures/reference-app');
function firstAnswer(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/hello/', headers: { host: 'localhost' } }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (d: string) => (body += d))
        .on('end', () => resolve(res.statusCode === 200 && body === 'Hello, world!'));
    });
    req.on('error', () => resolve(false));
  });
}
async function serverStartup(
  command: string[],
  cwd: string,
  env: Record<string, string | undefined>,
  count = runs,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const started = performance.now();
    const args = command.map((a) => a.replace('{bind}', `127.0.0.1:${port}`));
    const child = spawn(args[0]!, args.slice(1), {
      cwd,
      env: { ...process.env, NODE_OPTIONS: '', NODE_COMPILE_CACHE: undefined, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    while (!(await firstAnswer(port))) {
      if (child.exitCode !== null || performance.now() - started > 20_000)
        throw new Error(`${args.join(' ')} did not answer on port ${port}.`);
      await new Promise((r) => setTimeout(r, 5));
    }
    times.push(performance.now() - started);
    child.kill('SIGTERM');
    await exited;
  }
  return times;
}
const tsgiServe = [
  nodeBin,
  tsgiBin,
  'serve',
  'markup.wsgi:application',
  '--bind',
  '{bind}',
  '--workers',
  '1',
  '--log-level',
  'warning',
];
const serveStartup = (env: Record<string, string>, count = runs) => serverStartup(tsgiServe, fixture, env, count);
const serveCold = await serveStartup({ NODE_DISABLE_COMPILE_CACHE: '1' });
await serveStartup({ NODE_COMPILE_CACHE: cacheDir }, 1); // fills the cache
const serveWarm = await serveStartup({ NODE_COMPILE_CACHE: cacheDir });
// The same for the original: Django 3.2's reference project under Debian's gunicorn, one sync worker.
const [django] = djangoGunicornCases([1]);
const djangoStart = django
  ? await serverStartup(
      django.command.map((a) => (a === '{host}:{port}' ? '{bind}' : a)),
      django.cwd!,
      django.env ?? {},
    )
  : [];
rmSync(cacheDir, { recursive: true, force: true });
rmSync(tmpDir, { recursive: true, force: true });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const startupLine =
  `start-up to first response (median of ${runs}, min in brackets): cold ${median(cold).toFixed(1)} ms (${Math.min(...cold).toFixed(1)}), ` +
  `cold from the .ts sources ${median(coldSources).toFixed(1)} ms (${Math.min(...coldSources).toFixed(1)}), ` +
  `default (compile cache on from getWsgiApplication(), filled) ${median(byDefault).toFixed(1)} ms (${Math.min(...byDefault).toFixed(1)}), ` +
  `NODE_COMPILE_CACHE from process start ${median(cached).toFixed(1)} ms (${Math.min(...cached).toFixed(1)}); ` +
  `tsgi serve --workers 1, spawn to the first response over TCP: cold ${median(serveCold).toFixed(1)} ms (${Math.min(...serveCold).toFixed(1)}), ` +
  `compile cache filled ${median(serveWarm).toFixed(1)} ms (${Math.min(...serveWarm).toFixed(1)})` +
  (djangoStart.length
    ? `; Django 3.2 under gunicorn 20.1 --workers 1, the same: ${median(djangoStart).toFixed(1)} ms (${Math.min(...djangoStart).toFixed(1)})`
    : '');
if (process.env.STARTUP_ONLY === '1') {
  console.log(startupLine);
  process.exit(0);
}

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
console.log(startupLine);
