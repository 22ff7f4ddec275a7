/**
 * Where a worker's memory goes: the RSS of one server process (a tsgi serve worker, or the bare
 * node:http hello) idle and after a wrk run, split into anonymous and file-backed pages, with
 * requests/s and CPU per request. Not a benchmark of bench/run.sh: a probe for the breakdown in
 * docs/performance.md (Production server). Run it under the bench lock, one case at a time:
 *
 *   node bench/server.rss.ts bare|tsgi|markup [extra tsgi serve flags...]
 *   # environment: PROBE_PATH (default /), DURATION (8s), NODE_OPTIONS, NODE_COMPILE_CACHE,
 *   # NODE_DISABLE_COMPILE_CACHE ... are passed to the server
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { childPids, freePort, nodeBin, repoRoot, runWrk, tsgiBin, startServer } from './lib/index.ts';

function memory(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (key: string) =>
    (Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024).toFixed(1);
  return `RSS ${mib('VmRSS')} MiB (anon ${mib('RssAnon')}, file ${mib('RssFile')}), threads ${/^Threads:\s+(\d+)/m.exec(status)?.[1]}`;
}

const [which = 'tsgi', ...flags] = process.argv.slice(2);
const serve = (app: string) => [
  nodeBin,
  tsgiBin,
  'serve',
  app,
  '--bind',
  '{host}:{port}',
  '--workers',
  '1',
  '--log-level',
  'warning',
  ...flags,
];
const cases: Record<string, { command: string[]; cwd: string }> = {
  bare: { command: [nodeBin, path.join(repoRoot, 'bench/lib/node-http-hello.ts')], cwd: repoRoot },
  tsgi: { command: serve('bench.server'), cwd: repoRoot },
  // As npm start serves it (run collectstatic first, or bench/markup.bench.ts once).
  markup: {
    command: [
      ...serve('markup.wsgi:application'),
      '--env',
      'TSGI_DEBUG=false',
      '--env',
      'TSGI_ALLOWED_HOSTS=127.0.0.1,localhost',
    ],
    cwd: path.join(repoRoot, 'examples/markup'),
  },
};
const chosen = cases[which];
if (!chosen) throw new Error(`Unknown case ${which}: one of ${Object.keys(cases).join(', ')}.`);

const server = await startServer({ command: chosen.command, port: await freePort(), cwd: chosen.cwd });
try {
  // The worker when there is one (taskset execs the command: server.pid is the master).
  const target = () => childPids(server.pid)[0] ?? server.pid;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const idle = memory(target());
  const cpuBefore = server.cpuMs();
  const wrk = await runWrk(server.url(process.env.PROBE_PATH ?? '/'), {
    duration: process.env.DURATION ?? '8s',
    connections: Number(process.env.CONNS ?? 32),
  });
  const cpuUs = ((server.cpuMs() - cpuBefore) * 1000) / wrk.requests;
  console.log(
    `${which} ${flags.join(' ')} NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ''}\n  idle:  ${idle}\n  after: ${memory(target())}; ${wrk.rps.toFixed(0)} req/s, ${cpuUs.toFixed(1)} CPU µs/req`,
  );
} finally {
  await server.stop();
}
