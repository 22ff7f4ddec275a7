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
import { hashSessionKey } from '../../../src/contrib/sessions/index.ts';
import { SessionStore as CacheSession } from '../../../src/contrib/sessions/backends/cache.ts';
import { SessionStore as FileSession } from '../../../src/contrib/sessions/backends/file.ts';
import { SessionStore as SignedCookieSession } from '../../../src/contrib/sessions/backends/signed-cookies.ts';
import { captureLogs } from '../../core/helpers.ts';
import { engineConformance } from './conformance.ts';
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
