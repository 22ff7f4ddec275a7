// Django's SessionTestsMixin, transposed: one suite over every session engine with a store
// (engines.test.ts: cache on local memory and on Redis, file; db.test.ts: db and cached_db on
// SQLite and PostgreSQL).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { settings, overrideSettings } from '../../../src/conf/index.ts';
import type { SessionBase } from '../../../src/contrib/sessions/index.ts';
import { SessionNotLoaded } from '../../../src/contrib/sessions/index.ts';

export type Engine = new (key?: string | null) => SessionBase;

/** Django's SessionTestsMixin, for the engines with a store (a key that names stored data). */
export function engineConformance(
  name: string,
  Engine: Engine,
  options: { cacheAlias?: string; skip?: string } = {},
): void {
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
