/**
 * The application measured by bench/sessions.bench.ts: the framework on the gateway reference
 * server, with or without SessionMiddleware, answering either without touching the session
 * (/hello/) or with one session read (/session/: load it, read a value). ENGINE picks the session
 * engine (`cache` on the Redis of REDIS_URL, `file` in SESSION_FILE_PATH, `signed-cookies`), or
 * `none` for no SessionMiddleware at all. Listens on $HOST:$PORT.
 */
import { settings } from 'tsgi/conf';
import { getWsgiApplication } from 'tsgi/core/wsgi';
import { serve } from 'tsgi/gateway';
import { HttpResponse, type HttpRequest } from 'tsgi/http';
import { path } from 'tsgi/urls';

export const BENCH_SECRET_KEY = 'sessions-bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz';

/** The settings of an engine (shared with the benchmark, which makes the session the app reads). */
export function benchSettings(engine: string): Record<string, unknown> {
  return {
    SECRET_KEY: BENCH_SECRET_KEY,
    ALLOWED_HOSTS: ['*'],
    CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.redis.RedisCache', LOCATION: process.env.REDIS_URL } },
    SESSION_ENGINE: `tsgi.contrib.sessions.backends.${engine === 'none' ? 'cache' : engine}`,
    SESSION_FILE_PATH: process.env.SESSION_FILE_PATH ?? null,
    MIDDLEWARE: engine === 'none' ? [] : ['tsgi.contrib.sessions.middleware.SessionMiddleware'],
  };
}

if (process.argv[1] === import.meta.filename) {
  const engine = process.env.ENGINE ?? 'cache';
  settings.configure({
    ...benchSettings(engine),
    ROOT_URLCONF: {
      urlpatterns: [
        path('hello/', () => new HttpResponse('Hello, world!')),
        path('session/', async (request: HttpRequest) => {
          const session = await request.session.load();
          return new HttpResponse(`Hello, ${String(session.get('name'))}!`);
        }),
      ],
    },
  });
  const application = getWsgiApplication();
  await application.ready;
  const handle = await serve(application, {
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 8000),
  });
  const stop = () => void handle.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
