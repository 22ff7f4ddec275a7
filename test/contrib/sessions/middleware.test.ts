// SessionMiddleware through getWsgiApplication() and the test client: the cookie and its flags,
// no store access for a request that does not use its session, load() and loadSession(), flush,
// cycleKey, the security cases, and a store that cannot be reached (503).
import { test, describe, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settings, overrideSettings } from '../../../src/conf/index.ts';
import { caches } from '../../../src/core/cache/index.ts';
import { connections } from '../../../src/db/connections.ts';
import { getWsgiApplication } from '../../../src/core/wsgi.ts';
import type { HttpRequest } from '../../../src/http/request.ts';
import { HttpResponse } from '../../../src/http/response.ts';
import { loadSession } from '../../../src/contrib/sessions/index.ts';
import { SessionStore as CacheSession } from '../../../src/contrib/sessions/backends/cache.ts';
import { Client } from '../../../src/test/index.ts';
import type { ClientResponse } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { captureLogs, validated } from '../../core/helpers.ts';
import { counts, resetCounts } from './fixtures/counting.ts';

const urlconf = {
  urlpatterns: [
    path('untouched/', () => new HttpResponse('hello')),
    path('read/', async (request: HttpRequest) => {
      const session = await request.session.load();
      return new HttpResponse(String(session.get('name', 'anonymous')));
    }),
    path('write/', async (request: HttpRequest) => {
      const session = await request.session.load();
      session.set('name', request.GET.get('name') ?? 'ada');
      return new HttpResponse('saved');
    }),
    path(
      'sync/',
      loadSession((request: HttpRequest) => {
        const visits = request.session.get<number>('visits', 0) + 1;
        request.session.set('visits', visits);
        return new HttpResponse(String(visits));
      }),
    ),
    path('not-loaded/', (request: HttpRequest) => new HttpResponse(String(request.session.get('name')))),
    path('flush/', async (request: HttpRequest) => {
      await request.session.flush();
      return new HttpResponse('flushed');
    }),
    path('cycle/', async (request: HttpRequest) => {
      await request.session.cycleKey();
      return new HttpResponse('cycled');
    }),
    path('fail/', async (request: HttpRequest) => {
      (await request.session.load()).set('name', 'half-done');
      return new HttpResponse('error', { status: 500 });
    }),
    path('browser-close/', async (request: HttpRequest) => {
      const session = await request.session.load();
      session.set('name', 'short');
      session.setExpiry(0);
      return new HttpResponse('ok');
    }),
    path('deleted-meanwhile/', async (request: HttpRequest) => {
      const session = await request.session.load();
      // Another request (a logout in another tab) deletes the session while this one runs.
      await new CacheSession(session.sessionKey).deleteSession();
      session.set('name', 'too late');
      return new HttpResponse('ok');
    }),
  ],
};

before(() => {
  settings.configure({
    ROOT_URLCONF: urlconf,
    ALLOWED_HOSTS: ['testserver'],
    SECRET_KEY: 'sessions-middleware-test',
    CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'sessions-mw' } },
    SESSION_ENGINE: 'test.contrib.sessions.fixtures.counting',
    MIDDLEWARE: ['tsgi.contrib.sessions.middleware.SessionMiddleware'],
  });
});

beforeEach(async () => {
  await caches.default.clear();
  resetCounts();
});

async function client(values: Record<string, unknown> = {}) {
  const restore = overrideSettings(values as never);
  const application = getWsgiApplication();
  await application.ready;
  return {
    client: new Client({ application: await validated(application), raiseRequestException: false }),
    restore,
  };
}

function setCookie(response: ClientResponse): string | undefined {
  return response.headerList.find(([name]) => name.toLowerCase() === 'set-cookie')?.[1];
}

describe('no session for a request that does not use it', () => {
  test('no store access, no cookie, no Vary: Cookie, with or without a session cookie', async () => {
    const { client: c, restore } = await client();
    try {
      const first = await c.get('/untouched/');
      assert.equal(setCookie(first), undefined);
      assert.equal(first.get('Vary'), undefined);
      await c.get('/write/');
      assert.ok(c.cookies.get('sessionid'));
      resetCounts();
      const second = await c.get('/untouched/');
      assert.equal(setCookie(second), undefined);
      assert.equal(second.get('Vary'), undefined);
      assert.deepEqual(counts, { loads: 0, saves: 0, exists: 0, deletes: 0 });
    } finally {
      restore();
    }
  });

  test('load() without a cookie reads nothing and creates nothing; reading varies on Cookie', async () => {
    const { client: c, restore } = await client();
    try {
      const response = await c.get('/read/');
      assert.equal(response.text, 'anonymous');
      assert.equal(setCookie(response), undefined);
      assert.equal(response.get('Vary'), 'Cookie');
      assert.deepEqual(counts, { loads: 0, saves: 0, exists: 0, deletes: 0 });
    } finally {
      restore();
    }
  });
});

describe('the session cookie', () => {
  test("a write sets the cookie with Django's defaults: HttpOnly, SameSite=Lax, Path=/, two weeks", async () => {
    const { client: c, restore } = await client();
    try {
      const response = await c.get('/write/');
      const header = setCookie(response)!;
      assert.match(
        header,
        /^sessionid=[a-z0-9]{32}; expires=\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT; HttpOnly; Max-Age=1209600; Path=\/; SameSite=Lax$/,
      );
      assert.equal(response.get('Vary'), 'Cookie');
      assert.equal((await c.get('/read/')).text, 'ada');
      assert.equal(counts.loads, 1);
    } finally {
      restore();
    }
  });

  test('the flags come from the SESSION_COOKIE_* settings', async () => {
    const { client: c, restore } = await client({
      SESSION_COOKIE_NAME: 'sid',
      SESSION_COOKIE_SECURE: true,
      SESSION_COOKIE_HTTPONLY: false,
      SESSION_COOKIE_SAMESITE: 'Strict',
      SESSION_COOKIE_DOMAIN: '.example.com',
      SESSION_COOKIE_PATH: '/app/',
      SESSION_COOKIE_AGE: 600,
    });
    try {
      const header = setCookie(await c.get('/write/'))!;
      assert.match(
        header,
        /^sid=[a-z0-9]{32}; Domain=\.example\.com; expires=[^;]+; Max-Age=600; Path=\/app\/; SameSite=Strict; Secure$/,
      );
    } finally {
      restore();
    }
  });

  test('SESSION_EXPIRE_AT_BROWSER_CLOSE, or setExpiry(0), sends a cookie without Max-Age or expires', async () => {
    const { client: c, restore } = await client({ SESSION_EXPIRE_AT_BROWSER_CLOSE: true });
    try {
      assert.match(setCookie(await c.get('/write/'))!, /^sessionid=[a-z0-9]{32}; HttpOnly; Path=\/; SameSite=Lax$/);
    } finally {
      restore();
    }
    const other = await client();
    try {
      assert.match(
        setCookie(await other.client.get('/browser-close/'))!,
        /^sessionid=[a-z0-9]{32}; HttpOnly; Path=\/; SameSite=Lax$/,
      );
    } finally {
      other.restore();
    }
  });

  test('only a modified session is saved, unless SESSION_SAVE_EVERY_REQUEST', async () => {
    const { client: c, restore } = await client();
    try {
      await c.get('/write/');
      resetCounts();
      assert.equal(setCookie(await c.get('/read/')), undefined);
      assert.equal(counts.saves, 0);
    } finally {
      restore();
    }
    const every = await client({ SESSION_SAVE_EVERY_REQUEST: true });
    try {
      await every.client.get('/write/');
      resetCounts();
      const response = await every.client.get('/untouched/');
      assert.ok(setCookie(response), 'the cookie is sent again');
      assert.equal(counts.loads, 1);
      assert.equal(counts.saves, 1);
    } finally {
      every.restore();
    }
  });

  test('a 500 is not saved (Django #3881)', async () => {
    const { client: c, restore } = await client();
    try {
      const response = await c.get('/fail/');
      assert.equal(response.statusCode, 500);
      assert.equal(setCookie(response), undefined);
      assert.equal(counts.saves, 0);
    } finally {
      restore();
    }
  });
});

describe('session security', () => {
  test('flush() deletes the stored session and the cookie', async () => {
    const { client: c, restore } = await client();
    try {
      await c.get('/write/');
      const old = c.cookies.get('sessionid')!;
      const response = await c.get('/flush/');
      assert.match(
        setCookie(response)!,
        /^sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=\/; SameSite=Lax$/,
      );
      assert.equal(c.cookies.get('sessionid'), undefined);
      assert.equal(await new CacheSession().exists(old), false);
      c.cookies.set('sessionid', old);
      assert.equal((await c.get('/read/')).text, 'anonymous', 'the old key is dead');
    } finally {
      restore();
    }
  });

  test('cycleKey() sends a new key and kills the old one', async () => {
    const { client: c, restore } = await client();
    try {
      await c.get('/write/', { name: 'grace' });
      const old = c.cookies.get('sessionid')!;
      const response = await c.get('/cycle/');
      const fresh = c.cookies.get('sessionid')!;
      assert.notEqual(fresh, old);
      assert.match(setCookie(response)!, new RegExp(`^sessionid=${fresh};`));
      assert.equal((await c.get('/read/')).text, 'grace');
      const attacker = (await client()).client;
      attacker.cookies.set('sessionid', old);
      assert.equal((await attacker.get('/read/')).text, 'anonymous');
    } finally {
      restore();
    }
  });

  test('a key the store does not have (made up, or expired) is never adopted: a new key is issued', async () => {
    const { client: c, restore } = await client();
    try {
      const planted = 'abcdefghijklmnopqrstuvwxyz012345';
      c.cookies.set('sessionid', planted);
      const read = await c.get('/read/');
      assert.equal(read.text, 'anonymous');
      assert.match(setCookie(read)!, /^sessionid=""; expires=Thu, 01 Jan 1970/, 'the unknown cookie is deleted');
      c.cookies.set('sessionid', planted);
      await c.get('/write/');
      assert.notEqual(c.cookies.get('sessionid'), planted);
    } finally {
      restore();
    }
  });

  test('a tampered signed-cookie session is refused and its cookie deleted', async () => {
    const { client: c, restore } = await client({ SESSION_ENGINE: 'tsgi.contrib.sessions.backends.signed-cookies' });
    try {
      await c.get('/write/', { name: 'user' });
      const cookie = c.cookies.get('sessionid')!;
      assert.equal((await c.get('/read/')).text, 'user');
      const [data, time, signature] = cookie.split(':');
      const forged = Buffer.from(JSON.stringify({ name: 'admin' })).toString('base64url');
      for (const tampered of [
        `${forged}:${time}:${signature}`,
        `${data}:${time}:${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'Q' : 'A'}`,
      ]) {
        c.cookies.set('sessionid', tampered);
        const logs = captureLogs('tsgi.security.SuspiciousSession');
        let response: ClientResponse;
        try {
          response = await c.get('/read/');
        } finally {
          logs.stop();
        }
        assert.equal(response.text, 'anonymous');
        assert.match(setCookie(response)!, /^sessionid=""; expires=Thu, 01 Jan 1970/);
        assert.equal(logs.records.length, 1);
      }
    } finally {
      restore();
    }
  });

  test('a session deleted while the request ran is a 400 (SessionInterrupted), not a resurrection', async () => {
    const { client: c, restore } = await client();
    try {
      await c.get('/write/');
      const key = c.cookies.get('sessionid')!;
      const response = await c.get('/deleted-meanwhile/');
      assert.equal(response.statusCode, 400);
      assert.equal(await new CacheSession().exists(key), false);
    } finally {
      restore();
    }
  });
});

describe('loading', () => {
  test('loadSession() lets a synchronous view use the session', async () => {
    const { client: c, restore } = await client();
    try {
      assert.equal((await c.get('/sync/')).text, '1');
      assert.equal((await c.get('/sync/')).text, '2');
    } finally {
      restore();
    }
  });

  test('a view that uses the session without loading it gets SessionNotLoaded, which says how', async () => {
    const application = getWsgiApplication();
    await application.ready;
    const c = new Client({ application });
    await assert.rejects(c.get('/not-loaded/'), {
      name: 'SessionNotLoaded',
      message:
        "The session was used before it was loaded. Sessions live in a store (SESSION_ENGINE 'test.contrib.sessions.fixtures.counting') that takes an await to read: call `await request.session.load()` first in the view (once per request), or wrap a synchronous view in loadSession() from tsgi/contrib/sessions.",
    });
  });

  test('a SESSION_ENGINE that cannot be loaded says which and what exists', async () => {
    using _ = overrideSettings({ SESSION_ENGINE: 'tsgi.contrib.sessions.backends.redis' });
    const application = getWsgiApplication();
    await assert.rejects(
      async () => {
        await application.ready;
        await new Client({ application }).get('/untouched/');
      },
      {
        name: 'ImproperlyConfigured',
        message:
          /^SESSION_ENGINE 'tsgi\.contrib\.sessions\.backends\.redis' cannot be loaded: .*Use 'tsgi\.contrib\.sessions\.backends\.db', '\.\.\.cached_db', '\.\.\.cache', '\.\.\.file' or '\.\.\.signed_cookies'\.$/s,
      },
    );
  });

  test("Django's engine names are accepted", async () => {
    const { client: c, restore } = await client({ SESSION_ENGINE: 'django.contrib.sessions.backends.signed_cookies' });
    try {
      await c.get('/write/');
      assert.match(c.cookies.get('sessionid')!, /:/);
    } finally {
      restore();
    }
  });
});

describe('a session store that cannot be reached', () => {
  test("the db engine's table not made yet: 503, and with DEBUG the page names `manage.ts migrate`", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tsgi-sessions-nomigrate-'));
    const databases = { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: join(folder, 'db.sqlite3') } };
    const logs = captureLogs('tsgi.contrib.sessions');
    try {
      for (const debug of [true, false]) {
        const { client: c, restore } = await client({
          SESSION_ENGINE: 'tsgi.contrib.sessions.backends.db',
          DATABASES: databases,
          DEBUG: debug,
        });
        try {
          const write = await c.get('/write/');
          assert.equal(write.statusCode, 503);
          assert.match(write.text, /The site cannot reach its session store right now\./);
          const named = /Make it with `node manage\.ts migrate` \(the sessions app&#x27;s migration/;
          if (debug) assert.match(write.text, named);
          else assert.doesNotMatch(write.text, /manage\.ts|django_session/);
        } finally {
          restore();
        }
      }
    } finally {
      logs.stop();
      await connections.closeAll();
      rmSync(folder, { recursive: true, force: true });
    }
    assert.equal(logs.records.length, 2);
    assert.match(
      logs.records[0]!.message,
      /^Service Unavailable: \/write\/: The session store \(the table 'django_session' of the database\) could not be used: .*Make it with `node manage\.ts migrate`/,
    );
  });

  test('loading answers 503 with Retry-After; saving answers 503 and sets no cookie; both are logged', async () => {
    const { client: c, restore } = await client({
      CACHES: {
        default: { BACKEND: 'tsgi.core.cache.backends.redis.RedisCache', LOCATION: 'unix:///nonexistent/redis.sock' },
      },
    });
    const logs = captureLogs('tsgi.contrib.sessions');
    try {
      const write = await c.get('/write/');
      assert.equal(write.statusCode, 503);
      assert.equal(write.get('Retry-After'), '5');
      assert.equal(setCookie(write), undefined);
      assert.match(write.text, /The site cannot reach its session store right now\. Nothing was saved\./);
      c.cookies.set('sessionid', 'abcdefghijklmnopqrstuvwxyz012345');
      const read = await c.get('/read/');
      assert.equal(read.statusCode, 503);
      assert.equal(setCookie(read), undefined, 'the cookie is kept: the session may well exist');
      assert.equal((await c.get('/untouched/')).statusCode, 200);
    } finally {
      logs.stop();
      restore();
      await caches.closeAll();
    }
    assert.equal(logs.records.length, 2);
    assert.match(
      logs.records[0]!.message,
      /^Service Unavailable: \/write\/: The session store could not be reached: The cache 'default' \(RedisCache at unix:\/\/\/nonexistent\/redis\.sock\) could not be reached: /,
    );
  });
});
