// CSRF_USE_SESSIONS: the CSRF secret kept in the session instead of a cookie, as Django's.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { settings, overrideSettings } from '../../../src/conf/index.ts';
import { caches } from '../../../src/core/cache/index.ts';
import { getWsgiApplication } from '../../../src/core/wsgi.ts';
import type { HttpRequest } from '../../../src/http/request.ts';
import { HttpResponse } from '../../../src/http/response.ts';
import { CSRF_SESSION_KEY, getToken, rotateToken } from '../../../src/middleware/csrf.ts';
import { SessionStore } from '../../../src/contrib/sessions/backends/cache.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { validated } from '../../core/helpers.ts';

const urlconf = {
  urlpatterns: [
    path('form/', (request: HttpRequest) => new HttpResponse(getToken(request))),
    path('submit/', () => new HttpResponse('accepted')),
    path('rotate/', (request: HttpRequest) => {
      rotateToken(request);
      return new HttpResponse('rotated');
    }),
  ],
};

before(() => {
  settings.configure({
    ROOT_URLCONF: urlconf,
    ALLOWED_HOSTS: ['testserver'],
    SECRET_KEY: 'csrf-sessions-test',
    CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'csrf-sessions' } },
    SESSION_ENGINE: 'tsgi.contrib.sessions.backends.cache',
    CSRF_USE_SESSIONS: true,
    MIDDLEWARE: ['tsgi.contrib.sessions.middleware.SessionMiddleware', 'tsgi.middleware.csrf.CsrfViewMiddleware'],
  });
});

async function client(values: Record<string, unknown> = {}) {
  const restore = overrideSettings(values as never);
  const application = getWsgiApplication();
  await application.ready;
  return {
    client: new Client({ application: await validated(application), enforceCsrfChecks: true }),
    restore,
  };
}

const form = (token: string) => `csrfmiddlewaretoken=${token}`;
const urlencoded = { contentType: 'application/x-www-form-urlencoded' };

async function storedSecret(c: Client): Promise<unknown> {
  return (await new SessionStore(c.cookies.get('sessionid')).load()).get(CSRF_SESSION_KEY);
}

test('the secret goes to the session, not to a csrftoken cookie, and checks posts as the cookie does', async () => {
  const { client: c, restore } = await client();
  try {
    const token = (await c.get('/form/')).text;
    assert.equal(c.cookies.get('csrftoken'), undefined);
    assert.ok(c.cookies.get('sessionid'));
    assert.match(String(await storedSecret(c)), /^[a-zA-Z0-9]{32}$/);
    assert.equal((await c.post('/submit/', form(token), urlencoded)).statusCode, 200);
    assert.equal((await c.post('/submit/', form('x'.repeat(64)), urlencoded)).statusCode, 403);
    assert.equal((await c.post('/submit/', '', urlencoded)).statusCode, 403);
    const other = (await client()).client;
    const otherToken = (await other.get('/form/')).text;
    assert.equal((await c.post('/submit/', form(otherToken), urlencoded)).statusCode, 403, "another session's token");
    await caches.default.clear();
  } finally {
    restore();
  }
});

test('a post without a session is refused (no secret)', async () => {
  const { client: c, restore } = await client();
  try {
    const response = await c.post('/submit/', form('a'.repeat(64)), urlencoded);
    assert.equal(response.statusCode, 403);
  } finally {
    restore();
  }
});

test('rotateToken() changes the secret in the session', async () => {
  const { client: c, restore } = await client();
  try {
    await c.get('/form/');
    const before = await storedSecret(c);
    await c.get('/rotate/');
    const after = await storedSecret(c);
    assert.notEqual(after, before);
    assert.match(String(after), /^[a-zA-Z0-9]{32}$/);
  } finally {
    restore();
  }
});

test('without SessionMiddleware before it, CsrfViewMiddleware says so', async () => {
  const { client: c, restore } = await client({ MIDDLEWARE: ['tsgi.middleware.csrf.CsrfViewMiddleware'] });
  try {
    await assert.rejects(c.get('/form/'), {
      name: 'ImproperlyConfigured',
      message:
        'CSRF_USE_SESSIONS is enabled, but request.session is not set. SessionMiddleware must appear before CsrfViewMiddleware in MIDDLEWARE.',
    });
  } finally {
    restore();
  }
});
