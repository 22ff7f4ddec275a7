/**
 * The in-process loop behind "## A fresh project" (docs/performance.md): a fresh `tsgi
 * startproject` project's home page through its application, no socket, so that a CPU profile
 * shows only the framework. Prints µs per request. CONTRIB=0 removes the lines naming
 * `tsgi.contrib.` from the settings, as bench/startproject.bench.ts does.
 *
 *   node bench/startproject.profile.ts                    # N=100000 requests
 *   CONTRIB=0 node bench/startproject.profile.ts
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/startproject.profile.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// By the package name, as the project's own imports: one framework for the harness and the project.
import { importModule, setProjectRoot } from 'tsgi/utils/module-loading';
import type { Application, StartResponse } from '../src/gateway/types.ts';
import { wrkEnviron } from './lib/environ.ts';
import { nodeBin, repoRoot, tsgiBin } from './lib/index.ts';

const withContrib = process.env.CONTRIB !== '0';
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-profile-startproject-'));
const env = { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1' };
const made = spawnSync(nodeBin, [tsgiBin, 'startproject', 'mysite', dir], { env, encoding: 'utf8' });
if (made.status !== 0) throw new Error(`startproject failed: ${made.stderr}`);
mkdirSync(path.join(dir, 'node_modules'));
symlinkSync(repoRoot, path.join(dir, 'node_modules', 'tsgi'), 'dir');
const settingsFile = path.join(dir, 'mysite', 'settings.ts');
const lines = readFileSync(settingsFile, 'utf8').split('\n');
const extra = process.env.MIDDLEWARE_DROP?.split(',') ?? [];
writeFileSync(
  settingsFile,
  lines
    .filter((line) => withContrib || !line.includes("'tsgi.contrib."))
    .filter((line) => !extra.some((name) => name && line.includes(name)))
    .join('\n'),
);

setProjectRoot(dir);
process.env.TSGI_SETTINGS_MODULE = 'mysite.settings';
process.env.TSGI_DEBUG = 'false';
process.env.TSGI_ALLOWED_HOSTS = '127.0.0.1';
const { application } = importModule('mysite.wsgi') as { application: Application & { ready?: Promise<unknown> } };
await application.ready;

let status = '';
const startResponse = ((s: string) => {
  status = s;
  return () => {};
}) as unknown as StartResponse;

const n = Number(process.env.N ?? 100_000);
async function run(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const body = (await application(wrkEnviron('/', '127.0.0.1'), startResponse)) as Iterable<Uint8Array> & {
      close?: () => unknown;
    };
    for (const _ of body) void _;
    await body.close?.();
  }
}
await run(20_000);
if (!status.startsWith('200')) throw new Error(`the home page answered ${status}`);
const start = process.hrtime.bigint();
await run(n);
const elapsed = Number(process.hrtime.bigint() - start) / 1000;
rmSync(dir, { recursive: true, force: true });
console.log(
  `${withContrib ? 'with' : 'without'} the contrib apps: ${(elapsed / n).toFixed(2)} µs/request (${n} requests)`,
);
