/**
 * Sessions (docs/performance.md, "## Sessions"): one session read per request, on each engine,
 * against the framework's hello without sessions and bare node:http, in the same run:
 *   - the hello through the framework without SessionMiddleware, then with it and a session
 *     cookie that the view never reads (what the middleware costs a request that does not use it);
 *   - /session/: `await request.session.load()` and one get(), with the session cookie of a
 *     session made beforehand: on Redis (the cache engine, a redis-server on a unix socket, pinned
 *     to the server's CPU), in files, and in the signed cookie itself.
 *
 *   bash bench/run.sh sessions
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settings } from 'tsgi/conf';
import { caches } from 'tsgi/core/cache';
import type { SessionBase } from 'tsgi/contrib/sessions';
import { SessionStore as CacheSession } from 'tsgi/contrib/sessions/backends/cache';
import { SessionStore as FileSession } from 'tsgi/contrib/sessions/backends/file';
import { SessionStore as SignedCookieSession } from 'tsgi/contrib/sessions/backends/signed-cookies';
import {
  compareWithBaseline,
  environmentLines,
  markdownTable,
  nodeBin,
  ratio,
  repoRoot,
  type BenchCase,
} from './lib/index.ts';
import { benchSettings } from './sessions.app.ts';
import { startRedis } from '../test/core/cache/redis-server.ts';

const app = path.join(repoRoot, 'bench/sessions.app.ts');
const redis = await startRedis();
// Redis on the server's CPU (wrk has the other): the store's work counts against the same core.
spawnSync('taskset', ['-p', '-c', '0', String(redis.pid)], { stdio: 'ignore' });
const files = mkdtempSync(path.join(os.tmpdir(), 'tsgi-bench-sessions-'));
const env = { REDIS_URL: redis.url, SESSION_FILE_PATH: files };
Object.assign(process.env, env);
settings.configure(benchSettings('cache'));

async function make(Engine: new () => SessionBase): Promise<string> {
  const session = await new Engine().load();
  session.set('name', 'ada');
  await session.save();
  return session.sessionKey!;
}
const keys = {
  cache: await make(CacheSession),
  file: await make(FileSession),
  'signed-cookies': await make(SignedCookieSession),
};
await caches.closeAll();

const cookie = (key: string) => ({ headers: { Cookie: `sessionid=${key}` } });
const server = (engine: string) => ({ command: [nodeBin, app], env: { ...env, ENGINE: engine } });
const cases: BenchCase[] = [
  {
    name: 'framework hello, no SessionMiddleware',
    ...server('none'),
    path: '/hello/',
    expect: { body: 'Hello, world!' },
  },
  {
    name: 'framework hello, SessionMiddleware, session unused',
    ...server('cache'),
    path: '/hello/',
    expect: { body: 'Hello, world!' },
    wrk: cookie(keys.cache),
  },
  {
    name: 'session read: Redis (cache engine)',
    ...server('cache'),
    path: '/session/',
    expect: { body: 'Hello, ada!' },
    wrk: cookie(keys.cache),
  },
  {
    name: 'session read: files',
    ...server('file'),
    path: '/session/',
    expect: { body: 'Hello, ada!' },
    wrk: cookie(keys.file),
  },
  {
    name: 'session read: signed cookie',
    ...server('signed-cookies'),
    path: '/session/',
    expect: { body: 'Hello, ada!' },
    wrk: cookie(keys['signed-cookies']),
  },
];

try {
  const comparison = await compareWithBaseline(cases);
  console.log(environmentLines().join('\n'));
  console.log(`redis-server: ${spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
  console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
  console.log(
    `wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')} (with -H 'Cookie: sessionid=...' for the session cases)`,
  );
  console.log('');
  console.log(markdownTable(comparison));
  console.log('');
  for (const result of comparison.results)
    console.log(`${result.name} / node:http = ${ratio(result, comparison.baseline).toFixed(2)}`);
} finally {
  await redis.stop();
  rmSync(files, { recursive: true, force: true });
}
