/**
 * The application measured by bench/sessions.bench.ts: the framework on the gateway reference
 * server, with or without SessionMiddleware, answering either without touching the session
 * (/hello/) or with one session read (/session/: load it, read a value). ENGINE picks the session
 * engine: `cache` (on a redis-server this process starts as its child, so the benchmark's CPU
 * figure counts Redis's work too, on the same pinned core), `db` and `cached_db` (on a PostgreSQL
 * this process starts as its child, likewise, or with DB=sqlite on a SQLite file; `cached_db`
 * with the Redis cache in front), `file` (in a temporary folder), `signed-cookies`, or `none` for
 * no SessionMiddleware. For the engines with a store, the session of BENCH_SESSION_KEY is made
 * at start-up. Listens on $HOST:$PORT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settings } from 'tsgi/conf';
import { getWsgiApplication } from 'tsgi/core/wsgi';
import { serve } from 'tsgi/gateway';
import { HttpResponse, type HttpRequest } from 'tsgi/http';
import { path as route } from 'tsgi/urls';
import { sessionEngine } from 'tsgi/contrib/sessions';
import { connections } from 'tsgi/db';
import { createSessionTable } from 'tsgi/contrib/sessions/models';
import { startRedis, type RedisServer } from '../test/core/cache/redis-server.ts';
import { startPostgres, type PostgresServer } from '../test/db/postgres.ts';

export const BENCH_SECRET_KEY = 'sessions-bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz';
/** The key of the session the `cache` and `file` cases read (32 of [a-z0-9], as the engines make). */
export const BENCH_SESSION_KEY = 'benchsession0123456789abcdefghij';

if (process.argv[1] === import.meta.filename) {
  const engine = process.env.ENGINE ?? 'cache';
  let redis: RedisServer | undefined;
  if (engine === 'cache' || engine === 'cached_db' || engine === 'none') redis = await startRedis();
  const onDatabase = engine === 'db' || engine === 'cached_db';
  let postgres: PostgresServer | undefined;
  if (onDatabase && process.env.DB !== 'sqlite') postgres = await startPostgres();
  const files = mkdtempSync(path.join(os.tmpdir(), 'tsgi-bench-sessions-'));
  const database = postgres
    ? {
        ENGINE: 'tsgi.db.backends.postgresql',
        NAME: postgres.name,
        USER: postgres.user,
        HOST: postgres.host,
        PORT: postgres.port,
      }
    : { ENGINE: 'tsgi.db.backends.sqlite3', NAME: path.join(files, 'db.sqlite3') };
  settings.configure({
    SECRET_KEY: BENCH_SECRET_KEY,
    ALLOWED_HOSTS: ['*'],
    CACHES: {
      default: { BACKEND: 'tsgi.core.cache.backends.redis.RedisCache', LOCATION: redis?.url ?? 'unix:///none' },
    },
    SESSION_ENGINE: `tsgi.contrib.sessions.backends.${engine === 'none' ? 'cache' : engine}`,
    SESSION_FILE_PATH: files,
    DATABASES: onDatabase ? { default: database } : {},
    MIDDLEWARE: engine === 'none' ? [] : ['tsgi.contrib.sessions.middleware.SessionMiddleware'],
    ROOT_URLCONF: {
      urlpatterns: [
        route('hello/', () => new HttpResponse('Hello, world!')),
        route('session/', async (request: HttpRequest) => {
          const session = await request.session.load();
          return new HttpResponse(`Hello, ${String(session.get('name'))}!`);
        }),
      ],
    },
  });
  if (onDatabase) {
    await createSessionTable();
    await connections.closeAll();
  }
  if (engine !== 'none' && engine !== 'signed-cookies') {
    const session = new (sessionEngine())(BENCH_SESSION_KEY);
    session.clear();
    session.set('name', 'ada');
    await session.save(true);
  }
  const application = getWsgiApplication();
  await application.ready;
  const handle = await serve(application, {
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 8000),
  });
  const stop = () =>
    void handle
      .close()
      .then(() => connections.closeAll())
      .then(() => Promise.all([redis?.stop(), postgres?.stop()]))
      .finally(() => {
        rmSync(files, { recursive: true, force: true });
        process.exit(0);
      });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
