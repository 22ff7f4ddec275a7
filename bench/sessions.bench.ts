/**
 * Sessions (docs/performance.md, "## Sessions"): one session read per request, on each engine,
 * against the framework's hello without sessions and bare node:http, in the same run:
 *   - the hello through the framework without SessionMiddleware, then with it and a session
 *     cookie that the view never reads (what the middleware costs a request that does not use it);
 *   - /session/: `await request.session.load()` and one get() of a session made beforehand: on
 *     Redis (the cache engine; the redis-server is the app's child on the same pinned core, so the
 *     CPU per request includes Redis's), in the database (the db engine on PostgreSQL, likewise
 *     the app's child, and on SQLite; cached_db with Redis in front of PostgreSQL), in files, and
 *     in the signed cookie itself.
 *
 *   bash bench/run.sh sessions
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { settings } from 'tsgi/conf';
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
import { BENCH_SECRET_KEY, BENCH_SESSION_KEY } from './sessions.app.ts';
import { postgresBinDir } from '../test/db/postgres.ts';

const app = path.join(repoRoot, 'bench/sessions.app.ts');

// The signed-cookie session is the cookie: made here with the app's SECRET_KEY.
settings.configure({ SECRET_KEY: BENCH_SECRET_KEY });
const signed = await new SignedCookieSession().load();
signed.set('name', 'ada');
await signed.save();

const cookie = (key: string) => ({ headers: { Cookie: `sessionid=${key}` } });
const server = (engine: string, db = 'postgresql') => ({ command: [nodeBin, app], env: { ENGINE: engine, DB: db } });
const hello = { path: '/hello/', expect: { body: 'Hello, world!' } };
const read = { path: '/session/', expect: { body: 'Hello, ada!' } };
const cases: BenchCase[] = [
  { name: 'framework hello, no SessionMiddleware', ...server('none'), ...hello },
  {
    name: 'framework hello, SessionMiddleware, session unused',
    ...server('cache'),
    ...hello,
    wrk: cookie(BENCH_SESSION_KEY),
  },
  { name: 'session read: Redis (cache engine)', ...server('cache'), ...read, wrk: cookie(BENCH_SESSION_KEY) },
  { name: 'session read: PostgreSQL (db engine)', ...server('db'), ...read, wrk: cookie(BENCH_SESSION_KEY) },
  { name: 'session read: SQLite (db engine)', ...server('db', 'sqlite'), ...read, wrk: cookie(BENCH_SESSION_KEY) },
  {
    name: 'session read: Redis before PostgreSQL (cached_db)',
    ...server('cached_db'),
    ...read,
    wrk: cookie(BENCH_SESSION_KEY),
  },
  { name: 'session read: files', ...server('file'), ...read, wrk: cookie(BENCH_SESSION_KEY) },
  { name: 'session read: signed cookie', ...server('signed-cookies'), ...read, wrk: cookie(signed.sessionKey!) },
];

const comparison = await compareWithBaseline(cases);
console.log(environmentLines().join('\n'));
console.log(`redis-server: ${spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
console.log(
  `postgres: ${spawnSync(path.join(postgresBinDir() ?? '', 'postgres'), ['--version'], { encoding: 'utf8' }).stdout?.trim()}`,
);
console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
console.log(
  `wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')} (with -H 'Cookie: sessionid=...' for the session cases)`,
);
console.log('');
console.log(markdownTable(comparison));
console.log('');
for (const result of comparison.results) {
  console.log(`${result.name} / node:http = ${ratio(result, comparison.baseline).toFixed(2)}`);
}
