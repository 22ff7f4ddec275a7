/**
 * The application measured by bench/auth.bench.ts: one login per request. `/login/` runs what
 * LoginView's valid POST runs — `authenticate()` (the user row read, the password hash checked by
 * the hasher) and `login()` (a new session key, the session saved, lastLogin written) — with the
 * credentials in the query string, since wrk sends GETs; the form parsing and CSRF check the view
 * adds are a few µs against the hash. HASHER picks the hasher of the user's stored password:
 * `pbkdf2` (Django's default, 260,000 iterations), `argon2`, `scrypt` or `md5` (no cost: the
 * ceiling of everything but the hash). `/login-unknown/` logs in a user that does not exist
 * (the same hash work is done, so it is as slow). SQLite in a temporary folder, sessions in the
 * local-memory cache. Listens on $HOST:$PORT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settings } from 'tsgi/conf';
import { getWsgiApplication } from 'tsgi/core/wsgi';
import { withSchemaEditor } from 'tsgi/db';
import { serve } from 'tsgi/gateway';
import { HttpResponse, type HttpRequest } from 'tsgi/http';
import { path as route } from 'tsgi/urls';
import { authenticate, login } from 'tsgi/contrib/auth';

export const BENCH_PASSWORD = 'correct horse battery staple';

const HASHERS: Record<string, string> = {
  pbkdf2: 'tsgi.contrib.auth.hashers.PBKDF2PasswordHasher',
  argon2: 'tsgi.contrib.auth.hashers.Argon2PasswordHasher',
  scrypt: 'tsgi.contrib.auth.hashers.ScryptPasswordHasher',
  md5: 'tsgi.contrib.auth.hashers.MD5PasswordHasher',
};

async function logIn(request: HttpRequest, username: string): Promise<HttpResponse> {
  const user = await authenticate(request, { username, password: request.GET.get('p') ?? '' });
  if (user === null) return new HttpResponse('refused', { status: 401 });
  await login(request, user);
  return new HttpResponse('logged in');
}

if (process.argv[1] === import.meta.filename) {
  const hasher = HASHERS[process.env.HASHER ?? 'pbkdf2'];
  if (hasher === undefined) throw new Error(`HASHER must be one of ${Object.keys(HASHERS).join(', ')}`);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-bench-auth-'));
  settings.configure({
    SECRET_KEY: 'auth-bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz',
    ALLOWED_HOSTS: ['*'],
    DATABASES: { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: path.join(folder, 'db.sqlite3') } },
    INSTALLED_APPS: ['tsgi.contrib.contenttypes', 'tsgi.contrib.auth'],
    CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache' } },
    SESSION_ENGINE: 'tsgi.contrib.sessions.backends.cache',
    PASSWORD_HASHERS: [hasher, ...Object.values(HASHERS).filter((h) => h !== hasher)],
    MIDDLEWARE: [
      'tsgi.contrib.sessions.middleware.SessionMiddleware',
      'tsgi.contrib.auth.middleware.AuthenticationMiddleware',
    ],
    ROOT_URLCONF: {
      urlpatterns: [
        route('hello/', () => new HttpResponse('Hello, world!')),
        route('login/', (request: HttpRequest) => logIn(request, 'ada')),
        route('login-unknown/', (request: HttpRequest) => logIn(request, 'nobody')),
      ],
    },
  });
  const application = getWsgiApplication();
  await application.ready;
  const { ContentType } = await import('tsgi/contrib/contenttypes/models');
  const { Group, Permission, User } = await import('tsgi/contrib/auth/models');
  await withSchemaEditor(async (editor) => {
    for (const model of [ContentType, Permission, Group, User]) await editor.createModel(model as never);
  });
  await User.objects.createUser({ username: 'ada', password: BENCH_PASSWORD });
  const handle = await serve(application, {
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 8000),
  });
  const stop = async () => {
    await handle.close();
    rmSync(folder, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}
