// The session engines: one suite (Django's SessionTestsMixin cases, transposed) over the cache
// engine on local memory and on a real Redis, the file engine and signed cookies, then what is
// particular to each.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, readFileSync, writeFileSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { settings, overrideSettings } from '../../../src/conf/index.ts';
import { caches } from '../../../src/core/cache/index.ts';
import type { SessionBase } from '../../../src/contrib/sessions/index.ts';
import { SessionNotLoaded, hashSessionKey } from '../../../src/contrib/sessions/index.ts';
import { SessionStore as CacheSession } from '../../../src/contrib/sessions/backends/cache.ts';
import { SessionStore as FileSession } from '../../../src/contrib/sessions/backends/file.ts';
import { SessionStore as SignedCookieSession } from '../../../src/contrib/sessions/backends/signed-cookies.ts';
import { captureLogs } from '../../core/helpers.ts';
import { redisSkipReason, startRedis, type RedisServer } from '../../core/cache/redis-server.ts';

const folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-sessions-'));
const skipRedis = redisSkipReason();
let redis: RedisServer | undefined;

before(async () => {
  settings.configure({
    SECRET_KEY: 'sessions-engines-test',
    SESSION_FILE_PATH: folder,
    CACHES: {
      default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'sessions' },
      ...(skipRedis
        ? {}
        : { redis: { BACKEND: 'tsgi.core.cache.backends.redis.RedisCache', LOCATION: 'unix:///pending' } }),
    },
  });
  if (!skipRedis) {
    redis = await startRedis();
    settings.CACHES = {
      ...settings.CACHES,
      redis: { BACKEND: 'tsgi.core.cache.backends.redis.RedisCache', LOCATION: redis.url },
    };
  }
});

after(async () => {
  await caches.closeAll();
  await redis?.stop();
  rmSync(folder, { recursive: true, force: true });
});

type Engine = new (key?: string | null) => SessionBase;

/** Django's SessionTestsMixin, for the engines with a store (a key that names stored data). */
function engineConformance(name: string, Engine: Engine, options: { cacheAlias?: string; skip?: string } = {}): void {
  describe(`${name}: Django's session behaviour`, { skip: options.skip }, () => {
    let restore: (() => void) | undefined;
    before(() => {
      if (options.cacheAlias) restore = overrideSettings({ SESSION_CACHE_ALIAS: options.cacheAlias });
    });
    after(() => restore?.());

    const fresh = async (key: string | null = null) => new Engine(key).load();

    test('a new session is empty, not modified, and has no key', async () => {
      const session = new Engine();
      assert.equal(session.modified, false);
      assert.equal(session.accessed, false);
      assert.equal(session.sessionKey, null);
      assert.equal(session.isEmpty(), true);
      await session.load();
      assert.equal(session.accessed, true);
      assert.equal(session.modified, false);
      assert.equal(session.get('cat'), undefined);
      assert.equal(session.get('cat', 'default'), 'default');
    });

    test('set, get, has, pop, setdefault, update, keys, values, items, delete and the modified flag', async () => {
      const session = await fresh();
      session.set('cat', 'dog');
      assert.equal(session.modified, true);
      assert.equal(session.get('cat'), 'dog');
      assert.equal(session.has('cat'), true);
      session.modified = false;
      assert.equal(session.pop('cat'), 'dog');
      assert.equal(session.modified, true);
      session.modified = false;
      assert.equal(session.pop('some key', 'does not exist'), 'does not exist');
      assert.equal(session.modified, false);
      assert.throws(() => session.pop('some key'), {
        name: 'RangeError',
        message: 'The session has no key "some key".',
      });
      assert.equal(session.setdefault('foo', 'bar'), 'bar');
      assert.equal(session.setdefault('foo', 'baz'), 'bar');
      session.update({ update_key: 1 });
      assert.deepEqual(session.keys(), ['foo', 'update_key']);
      assert.deepEqual(session.values(), ['bar', 1]);
      assert.deepEqual(session.items(), [
        ['foo', 'bar'],
        ['update_key', 1],
      ]);
      session.modified = false;
      assert.equal(session.delete('nope'), false);
      assert.equal(session.modified, false);
      assert.equal(session.delete('foo'), true);
      assert.equal(session.modified, true);
      session.clear();
      assert.deepEqual(session.items(), []);
    });

    test('test cookies', async () => {
      const session = await fresh();
      session.setTestCookie();
      assert.equal(session.testCookieWorked(), true);
      session.deleteTestCookie();
      assert.equal(session.testCookieWorked(), false);
    });

    test('save() then a new store with the key reads the same data, with the framework types', async () => {
      const session = await fresh();
      const when = Temporal.ZonedDateTime.from('2024-05-01T12:00:00+02:00[Europe/Paris]');
      session.set('when', when);
      session.set('ids', new Set([1n, 2n]));
      session.set('name', 'Ada');
      await session.save();
      const key = session.sessionKey!;
      assert.match(key, /^[a-z0-9]{32}$/);
      assert.equal(await new Engine().exists(key), true);
      const again = await fresh(key);
      assert.equal(again.sessionKey, key);
      assert.equal(again.get('name'), 'Ada');
      assert.deepEqual(again.get('ids'), new Set([1n, 2n]));
      assert.equal(String(again.get('when')), String(when));
      again.set('name', 'Grace');
      await again.save();
      assert.equal((await fresh(key)).get('name'), 'Grace');
    });

    test('a key the store does not know reads as an empty session, and its key is dropped', async () => {
      const session = await fresh('1234567890abcdefghij1234567890ab');
      assert.equal(session.sessionKey, null);
      assert.deepEqual(session.items(), []);
      assert.equal(session.isEmpty(), true);
      for (const bad of ['short', 'UPPERCASE-and-dashes-1234567', '../../etc/passwd']) {
        assert.equal(new Engine(bad).sessionKey, null, bad);
      }
    });

    test('flush() deletes the stored session and starts an empty one without a key', async () => {
      const session = await fresh();
      session.set('foo', 'bar');
      await session.save();
      const old = session.sessionKey!;
      await session.flush();
      assert.equal(await session.exists(old), false);
      assert.equal(session.sessionKey, null);
      assert.deepEqual(session.items(), []);
      assert.equal(session.modified, true);
      assert.equal(session.accessed, true);
      assert.equal((await fresh(old)).get('foo'), undefined);
    });

    test('cycleKey() keeps the data under a new key and deletes the old one', async () => {
      const session = await fresh();
      session.set('a', 'c');
      session.set('b', 'd');
      await session.save();
      const old = session.sessionKey!;
      const prev = session.items();
      await session.cycleKey();
      assert.notEqual(session.sessionKey, old);
      assert.equal(await session.exists(old), false);
      assert.deepEqual(session.items(), prev);
      await session.save();
      assert.deepEqual((await fresh(session.sessionKey)).items(), prev);
      assert.deepEqual((await fresh(old)).items(), []);
    });

    test('cycleKey() of a session never saved creates one', async () => {
      const session = await fresh();
      session.set('x', 1);
      await session.cycleKey();
      assert.ok(session.sessionKey);
      assert.equal(await session.exists(session.sessionKey), true);
    });

    test('expiry: SESSION_COOKIE_AGE by default; setExpiry with seconds, a moment, a duration, 0 and null', async () => {
      const session = await fresh();
      assert.equal(session.getExpiryAge(), settings.SESSION_COOKIE_AGE);
      assert.equal(session.getExpireAtBrowserClose(), false);
      session.setExpiry(10);
      assert.equal(session.getExpiryAge(), 10);
      const now = Date.now();
      assert.ok(Math.abs(session.getExpiryDate({ modification: now }).epochMilliseconds - (now + 10_000)) < 1000);
      session.setExpiry(new Date(Date.now() + 20_500));
      assert.ok([19, 20].includes(session.getExpiryAge()));
      session.setExpiry(Temporal.Duration.from({ minutes: 1 }));
      assert.ok([59, 60].includes(session.getExpiryAge()));
      session.setExpiry(Temporal.Instant.fromEpochMilliseconds(Date.now() + 120_500));
      assert.ok([119, 120].includes(session.getExpiryAge()));
      assert.equal(session.getExpiryDate().timeZoneId, 'UTC');
      await session.save();
      const stored = await fresh(session.sessionKey);
      assert.ok([119, 120].includes(stored.getExpiryAge()));
      assert.equal(typeof stored.get('_session_expiry'), 'string', 'kept as an ISO string, as Django 4');
      session.setExpiry(0);
      assert.equal(session.getExpireAtBrowserClose(), true);
      assert.equal(session.getExpiryAge(), settings.SESSION_COOKIE_AGE);
      session.setExpiry(null);
      assert.equal(session.has('_session_expiry'), false);
      assert.equal(session.getExpireAtBrowserClose(), false);
      {
        using _ = overrideSettings({ SESSION_EXPIRE_AT_BROWSER_CLOSE: true });
        assert.equal(session.getExpireAtBrowserClose(), true);
        session.setExpiry(10);
        assert.equal(session.getExpireAtBrowserClose(), false);
      }
      assert.equal(session.getExpiryAge({ expiry: 5 }), 5);
      assert.equal(session.getExpiryAge({ expiry: null }), settings.SESSION_COOKIE_AGE);
      assert.throws(() => session.setExpiry('soon' as never), TypeError);
    });

    test('a session that expired is gone', async () => {
      const session = await fresh();
      session.set('k', 'v');
      session.setExpiry(new Date(Date.now() + 1500));
      await session.save();
      const key = session.sessionKey!;
      assert.equal((await fresh(key)).get('k'), 'v');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal((await fresh(key)).get('k'), undefined);
    });

    test('the data is used before load(): SessionNotLoaded, with the fix', async () => {
      const session = new Engine('abcdefgh12345678abcdefgh12345678');
      assert.throws(() => session.get('x'), SessionNotLoaded);
      assert.throws(() => session.set('x', 1), {
        name: 'SessionNotLoaded',
        message:
          /^The session was used before it was loaded\. .* call `await request\.session\.load\(\)` first in the view/,
      });
      // clear() needs no load, as Django's: it does not read the store.
      session.clear();
      assert.deepEqual(session.items(), []);
    });

    test('load() reads once, even when asked twice at the same time', async () => {
      const session = await fresh();
      session.set('k', 1);
      await session.save();
      const again = new Engine(session.sessionKey);
      const [a, b] = await Promise.all([again.load(), again.load()]);
      assert.equal(a, again);
      assert.equal(b, again);
      assert.equal(again.get('k'), 1);
    });
  });
}

engineConformance('cache engine on LocMemCache', CacheSession);
engineConformance('cache engine on Redis', CacheSession, { cacheAlias: 'redis', skip: skipRedis });
engineConformance('file engine', FileSession);

describe('keys are stored hashed', () => {
  test('the cache engine keeps sessions under a SHA-256 of the key', async () => {
    const session = await new CacheSession().load();
    session.set('k', 'v');
    await session.save();
    const key = session.sessionKey!;
    const cache = caches.get('default');
    assert.equal(await cache.has(`tsgi.contrib.sessions.cache${key}`), false);
    assert.equal(await cache.has(`tsgi.contrib.sessions.cache${hashSessionKey(key)}`), true);
    assert.equal(hashSessionKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('the file engine names files after a SHA-256 of the key, and signs their content', async () => {
    const session = await new FileSession().load();
    session.set('secret', 'value');
    await session.save();
    const key = session.sessionKey!;
    const files = readdirSync(folder);
    assert.ok(files.includes(`sessionid${hashSessionKey(key)}`));
    assert.ok(!files.some((f) => f.includes(key)));
    const content = readFileSync(path.join(folder, `sessionid${hashSessionKey(key)}`), 'ascii');
    assert.ok(!content.includes(key));
    assert.match(content, /^[\w.-]+:[\w-]+:[\w-]+$/, 'signed, timestamped data');
  });
});

describe('file engine', () => {
  test('tampered data is refused: an empty session, logged', async () => {
    const session = await new FileSession().load();
    session.set('role', 'user');
    await session.save();
    const file = path.join(folder, `sessionid${hashSessionKey(session.sessionKey!)}`);
    const [data, time, signature] = readFileSync(file, 'ascii').split(':');
    writeFileSync(file, `${data}x:${time}:${signature}`);
    const logs = captureLogs('tsgi.security.SuspiciousSession');
    try {
      const again = await new FileSession(session.sessionKey).load();
      assert.deepEqual(again.items(), []);
    } finally {
      logs.stop();
    }
    assert.equal(logs.records[0]!.message, 'Session data corrupted (bad signature)');
  });

  test('a session older than SESSION_COOKIE_AGE is expired by its file time; clearExpired() removes it', async () => {
    const session = await new FileSession().load();
    session.set('k', 'v');
    await session.save();
    const live = await new FileSession().load();
    live.set('k', 'v');
    await live.save();
    const file = path.join(folder, `sessionid${hashSessionKey(session.sessionKey!)}`);
    const old = (Date.now() - (settings.SESSION_COOKIE_AGE + 60) * 1000) / 1000;
    utimesSync(file, old, old);
    await FileSession.clearExpired();
    const left = readdirSync(folder);
    assert.ok(!left.includes(path.basename(file)));
    assert.ok(left.includes(`sessionid${hashSessionKey(live.sessionKey!)}`));
  });

  test('a missing SESSION_FILE_PATH is ImproperlyConfigured; a file that cannot be written is SessionStoreUnavailable', async () => {
    {
      using _ = overrideSettings({ SESSION_FILE_PATH: path.join(folder, 'nope') });
      await assert.rejects(new FileSession().save(), {
        name: 'ImproperlyConfigured',
        message: `The session storage path ${JSON.stringify(path.join(folder, 'nope'))} doesn't exist. Set SESSION_FILE_PATH to an existing folder in which tsgi can store session data.`,
      });
    }
    const session = await new FileSession().load();
    session.set('k', 'v');
    await session.save();
    const file = path.join(folder, `sessionid${hashSessionKey(session.sessionKey!)}`);
    rmSync(file);
    // A folder where the file should be: neither readable as a file nor replaceable.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(file);
    await assert.rejects(new FileSession(session.sessionKey).load(), { name: 'SessionStoreUnavailable' });
    rmSync(file, { recursive: true });
  });
});

describe('signed-cookies engine', () => {
  test('the key is the signed data: any worker reads it back; a tampered one is refused', async () => {
    const session = await new SignedCookieSession().load();
    session.set('cart', ['a', 'b']);
    session.set('since', Temporal.PlainDate.from('2024-05-01'));
    await session.save();
    const cookie = session.sessionKey!;
    assert.match(cookie, /^[\w.-]+:[\w-]+:[\w-]+$/);
    const again = await new SignedCookieSession(cookie).load();
    assert.deepEqual(again.get('cart'), ['a', 'b']);
    assert.equal(String(again.get('since')), '2024-05-01');

    const [data, time, signature] = cookie.split(':');
    const tampered = `${data!.slice(0, -2)}AA:${time}:${signature}`;
    const logs = captureLogs('tsgi.security.SuspiciousSession');
    let refused: SessionBase;
    try {
      refused = await new SignedCookieSession(tampered).load();
    } finally {
      logs.stop();
    }
    assert.deepEqual(refused.items(), []);
    assert.equal(refused.sessionKey, null);
    assert.equal(refused.isEmpty(), true);
    assert.equal(logs.records.length, 1);
    {
      using _ = overrideSettings({ SECRET_KEY: 'another-key' });
      assert.deepEqual((await new SignedCookieSession(cookie).load()).items(), [], 'another SECRET_KEY');
    }
  });

  test('an expired cookie is refused without a security log', async () => {
    const session = await new SignedCookieSession().load();
    session.set('k', 1);
    await session.save();
    using _ = overrideSettings({ SESSION_COOKIE_AGE: -1 });
    const logs = captureLogs('tsgi.security.SuspiciousSession');
    try {
      assert.deepEqual((await new SignedCookieSession(session.sessionKey).load()).items(), []);
    } finally {
      logs.stop();
    }
    assert.equal(logs.records.length, 0);
  });

  test('flush() empties it; cycleKey() signs again; nothing exists server-side', async () => {
    const session = await new SignedCookieSession().load();
    session.set('k', 1);
    await session.save();
    assert.equal(await session.exists(session.sessionKey!), false);
    await session.flush();
    assert.equal(session.sessionKey, null);
    assert.equal(session.isEmpty(), true);
    session.set('k', 2);
    await session.cycleKey();
    assert.deepEqual((await new SignedCookieSession(session.sessionKey).load()).items(), [['k', 2]]);
  });
});
