/**
 * A fresh `tsgi startproject` project (docs/performance.md, "## A fresh project"): what the
 * contrib apps startproject installs (auth, contenttypes, sessions, messages, their middleware
 * and context processors) cost its home page and its start, against the same project without
 * them (the lines naming `tsgi.contrib.` removed from its settings: the template before the
 * contrib apps), and bare node:http, in the same run:
 *   - the home page under `tsgi serve --workers 1`, DEBUG off: req/s and CPU µs per request;
 *   - spawn of `tsgi serve --workers 1` to its first response over TCP, cold (no compile cache),
 *     the two projects alternated (median of STARTUP_RUNS, 11 by default; minimum in brackets).
 * The project with the contrib apps is migrated first (`manage.ts migrate`), as a user's is.
 *
 *   bash bench/run.sh startproject
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  compareWithBaseline,
  environmentLines,
  freePort,
  markdownTable,
  nodeBin,
  ratio,
  repoRoot,
  tsgiBin,
  type BenchCase,
} from './lib/index.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'tsgi-bench-startproject-'));
const env = { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1' };

/** A project made by startproject in `root/<folder>`, tsgi linked as npm links a file: dependency. */
function project(folder: string, withContrib: boolean): string {
  const dir = path.join(root, folder);
  mkdirSync(dir);
  const made = spawnSync(nodeBin, [tsgiBin, 'startproject', 'mysite', dir], { env, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`startproject failed: ${made.stderr}`);
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules', 'tsgi'), 'dir');
  const settings = path.join(dir, 'mysite', 'settings.ts');
  if (!withContrib) {
    const lines = readFileSync(settings, 'utf8').split('\n');
    writeFileSync(settings, lines.filter((line) => !line.includes("'tsgi.contrib.")).join('\n'));
  } else {
    const migrated = spawnSync(nodeBin, ['manage.ts', 'migrate', '-v', '0'], { cwd: dir, env, encoding: 'utf8' });
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  }
  return dir;
}

const without = project('without', false);
const withContrib = project('with', true);
const serveEnv = { TSGI_DEBUG: 'false', TSGI_ALLOWED_HOSTS: '127.0.0.1', NODE_OPTIONS: '' };
const serve = (cwd: string) => ({
  command: [nodeBin, tsgiBin, 'serve', 'mysite.wsgi:application', '--bind', '{host}:{port}', '--workers', '1'],
  cwd,
  env: serveEnv,
  path: '/',
});

// Start-up: spawn to the first 200 over TCP, nothing cached, the two projects alternated.
async function firstResponse(cwd: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    nodeBin,
    [tsgiBin, 'serve', 'mysite.wsgi:application', '--bind', `127.0.0.1:${port}`, '--workers', '1'],
    { cwd, env: { ...env, ...serveEnv, NODE_DISABLE_COMPILE_CACHE: '1' }, stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        await response.text();
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
const runs = Number(process.env.STARTUP_RUNS ?? 11);
const startup = { without: [] as number[], with: [] as number[] };
for (let i = 0; i < runs; i++) {
  startup.without.push(await firstResponse(without));
  startup.with.push(await firstResponse(withContrib));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)})`;

const cases: BenchCase[] = [
  { name: 'fresh project without the contrib apps: home page', ...serve(without) },
  { name: 'fresh project (auth, sessions, messages): home page', ...serve(withContrib) },
];
const comparison = await compareWithBaseline(cases);
rmSync(root, { recursive: true, force: true });

console.log(environmentLines().join('\n'));
console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
console.log(`wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')}`);
console.log('');
console.log(markdownTable(comparison));
console.log('');
for (const result of comparison.results) {
  console.log(`${result.name} / node:http = ${ratio(result, comparison.baseline).toFixed(2)}`);
}
console.log('');
console.log(`Start-up, tsgi serve --workers 1, spawn to the first response, cold (median of ${runs}, min), ms:`);
console.log(`| without the contrib apps | ${summary(startup.without)} |`);
console.log(`| with them (migrated) | ${summary(startup.with)} |`);
