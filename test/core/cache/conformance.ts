/**
 * One suite for every cache backend that stores (local memory, files, Redis, the database):
 * Django's cache API and its rules (tests/cache/tests.py's cases, transposed), run against each
 * implementation by backends.test.ts.
 */
import { describe, test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import type { BaseCache } from '../../../src/core/cache/index.ts';
import { CacheKeyNotFound, type CacheParams } from '../../../src/core/cache/index.ts';
import { SafeString } from '../../../src/utils/safestring.ts';

export type MakeCache = (params?: Partial<CacheParams>) => BaseCache;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Warnings emitted while `fn` runs. */
export async function warningsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error) => {
    if (warning.name === 'CacheKeyWarning') seen.push(warning.message);
  };
  process.on('warning', listener);
  try {
    await fn();
    // process.emitWarning() delivers on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

export interface ConformanceOptions {
  /**
   * The backend culls at MAX_ENTRIES (local memory, files, database): `true` for Django's counts
   * of the local-memory and file caches (which cull on reaching MAX_ENTRIES), or the counts of
   * the backend (the database cache culls once past it).
   */
  culls?: boolean | { cull: number; zeroCull: number };
  /** clear() removes only the keys under its KEY_PREFIX (Redis); otherwise everything in its LOCATION. */
  clearsOwnPrefixOnly?: boolean;
}

export function cacheConformance(name: string, make: MakeCache, options: ConformanceOptions = {}): void {
  describe(`${name}: Django's cache API`, () => {
    let cache: BaseCache;
    const made: BaseCache[] = [];
    const fresh = (params?: Partial<CacheParams>) => {
      const c = make(params);
      made.push(c);
      return c;
    };
    beforeEach(async () => {
      cache = fresh();
      await cache.clear();
    });
    after(async () => {
      for (const c of made) await c.close();
    });

    test('set, get, and the default for a missing key', async () => {
      await cache.set('key', 'value');
      assert.equal(await cache.get('key'), 'value');
      assert.equal(await cache.get('missing'), undefined);
      assert.equal(await cache.get('missing', 'default'), 'default');
      await cache.set('none', null);
      assert.equal(await cache.get('none', 'default'), null);
    });

    test('add() stores only when the key is absent', async () => {
      assert.equal(await cache.add('addkey1', 'value'), true);
      assert.equal(await cache.add('addkey1', 'newvalue'), false);
      assert.equal(await cache.get('addkey1'), 'value');
    });

    test('has(), delete() and its answer', async () => {
      await cache.set('hello1', 'goodbye1');
      assert.equal(await cache.has('hello1'), true);
      assert.equal(await cache.has('goodbye1'), false);
      assert.equal(await cache.delete('hello1'), true);
      assert.equal(await cache.delete('hello1'), false);
      assert.equal(await cache.has('hello1'), false);
      await cache.set('no_expiry', 'here', null);
      assert.equal(await cache.has('no_expiry'), true);
    });

    test('getMany() returns the keys that are there; setMany() and deleteMany()', async () => {
      await cache.set('a', 'a');
      await cache.set('b', 'b');
      await cache.set('c', 'c');
      assert.deepEqual(await cache.getMany(['a', 'c', 'd']), { a: 'a', c: 'c' });
      assert.deepEqual(await cache.getMany([]), {});
      assert.deepEqual(await cache.setMany({ key1: 'spam', key2: 'eggs' }), []);
      assert.deepEqual(await cache.getMany(['key1', 'key2']), { key1: 'spam', key2: 'eggs' });
      assert.deepEqual(
        await cache.setMany([
          ['m', 1],
          ['n', 2],
        ]),
        [],
      );
      await cache.deleteMany(['a', 'key1', 'm']);
      assert.deepEqual(await cache.getMany(['a', 'b', 'key1', 'key2', 'm', 'n']), { b: 'b', key2: 'eggs', n: 2 });
    });

    test('incr() and decr() keep integers, refuse a missing key (Django: ValueError) and non-integers', async () => {
      await cache.set('answer', 41);
      assert.equal(await cache.incr('answer'), 42);
      assert.equal(await cache.get('answer'), 42);
      assert.equal(await cache.incr('answer', 10), 52);
      assert.equal(await cache.decr('answer'), 51);
      assert.equal(await cache.decr('answer', 60), -9);
      assert.equal(await cache.get('answer'), -9);
      await assert.rejects(cache.incr('does_not_exist'), {
        name: 'CacheKeyNotFound',
        message: "Key 'does_not_exist' not found",
      });
      await assert.rejects(cache.decr('does_not_exist'), CacheKeyNotFound);
      await cache.set('text', 'abc');
      await assert.rejects(cache.incr('text'), TypeError);
      assert.equal(await cache.get('text'), 'abc');
      await assert.rejects(cache.incr('answer', 1.5), TypeError);
    });

    test('incr() keeps the timeout', async () => {
      await cache.set('short', 1, 0.4);
      assert.equal(await cache.incr('short'), 2);
      await sleep(900);
      assert.equal(await cache.get('short'), undefined);
    });

    test("values come back as they went in: JSON's types and the framework's", async () => {
      const value = {
        string: 'this is a string',
        int: 42,
        float: 1.5,
        list: [1, 2, 3, 4],
        nested: { a: [null, true, false] },
        bigint: 2n ** 70n,
        bytes: new Uint8Array([0, 1, 2, 255]),
        date: new Date('2024-05-01T12:00:00.123Z'),
        plainDate: Temporal.PlainDate.from('2024-05-01'),
        zoned: Temporal.ZonedDateTime.from('2024-05-01T12:00:00.000001+02:00[Europe/Paris]'),
        duration: Temporal.Duration.from({ days: 1, microseconds: 5 }),
        map: new Map<unknown, unknown>([
          ['x', 1],
          [2, new Set(['y'])],
        ]),
        safe: new SafeString('<b>ok</b>'),
        notANumber: NaN,
        infinity: -Infinity,
        missing: undefined,
        $t: 'a key that looks like a tag',
      };
      await cache.set('complex', value);
      const back = (await cache.get('complex')) as typeof value;
      assert.deepEqual(back.nested, value.nested);
      assert.equal(back.bigint, 2n ** 70n);
      assert.deepEqual([...back.bytes], [0, 1, 2, 255]);
      assert.ok(back.bytes instanceof Uint8Array);
      assert.equal(back.date.toISOString(), '2024-05-01T12:00:00.123Z');
      assert.equal(String(back.plainDate), '2024-05-01');
      assert.equal(String(back.zoned), '2024-05-01T12:00:00.000001+02:00[Europe/Paris]');
      assert.equal(String(back.duration), 'P1DT0.000005S');
      assert.deepEqual(back.map, value.map);
      assert.ok(back.safe instanceof SafeString);
      assert.equal(String(back.safe), '<b>ok</b>');
      assert.ok(Number.isNaN(back.notANumber));
      assert.equal(back.infinity, -Infinity);
      assert.ok('missing' in back && back.missing === undefined);
      assert.equal(back.$t, 'a key that looks like a tag');
      assert.equal(back.float, 1.5);
      // A copy, not the object that was stored.
      value.list.push(5);
      assert.deepEqual(((await cache.get('complex')) as typeof value).list, [1, 2, 3, 4]);
    });

    test('unicode keys and values, and a large value', async () => {
      const stuff: Record<string, unknown> = {
        ascii: 'ascii_value',
        unicode_ascii: 'Iñtërnâtiônàlizætiøn1',
        Iñtërnâtiônàlizætiøn: 'Iñtërnâtiônàlizætiøn2',
        ascii2: { x: 1 },
        'emoji 🎉': '🎉',
      };
      for (const [key, value] of Object.entries(stuff)) {
        await cache.set(key, value);
        assert.deepEqual(await cache.get(key), value);
      }
      const big = 'x'.repeat(1_000_000);
      await cache.set('big', big);
      assert.equal(await cache.get('big'), big);
    });

    test('a value that is code or a class instance is refused, naming where it is', async () => {
      class Point {
        x = 1;
      }
      await assert.rejects(cache.set('bad', { items: [new Point()] }), {
        name: 'TypeError',
        message: /^The value at items\[0\] is an instance of Point, which cannot be stored/,
      });
      await assert.rejects(
        cache.set('fn', () => 1),
        { message: /^The value is a function/ },
      );
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      await assert.rejects(cache.set('cycle', cycle), { message: /^The value at self is a reference back/ });
      assert.equal(await cache.has('bad'), false);
    });

    test('timeouts: an entry expires; null keeps it; 0 and negative keep nothing', async () => {
      await cache.set('expire1', 'very quickly', 0.3);
      await cache.set('forever', 'here', null);
      await cache.set('long', 'here', 3600);
      assert.equal(await cache.add('expire2', 'newvalue', 0.3), true);
      await sleep(800);
      assert.equal(await cache.get('expire1'), undefined);
      assert.equal(await cache.has('expire2'), false);
      assert.equal(await cache.add('expire2', 'again'), true);
      assert.equal(await cache.get('forever'), 'here');
      assert.equal(await cache.get('long'), 'here');

      await cache.set('zero', 'gone', 0);
      assert.equal(await cache.get('zero'), undefined);
      await cache.set('negative', 'gone', -1);
      assert.equal(await cache.get('negative'), undefined);
      await cache.set('replaced', 'first');
      await cache.set('replaced', 'second', 0);
      assert.equal(await cache.has('replaced'), false, 'set() with timeout 0 removes the old value');
      assert.equal(await cache.add('zeroAdd', 'value', 0), true);
      assert.equal(await cache.get('zeroAdd'), undefined);
      await cache.set('present', 1);
      assert.equal(await cache.add('present', 2, 0), false);
      assert.deepEqual(await cache.setMany({ z1: 1, z2: 2 }, 0), []);
      assert.deepEqual(await cache.getMany(['z1', 'z2']), {});
    });

    test("the cache's TIMEOUT is the default, null meaning forever", async () => {
      const short = fresh({ TIMEOUT: 0.3, KEY_PREFIX: 'short' });
      await short.set('k', 'v');
      const forever = fresh({ TIMEOUT: null, KEY_PREFIX: 'forever' });
      await forever.set('k', 'v');
      await sleep(800);
      assert.equal(await short.get('k'), undefined);
      assert.equal(await forever.get('k'), 'v');
      assert.equal(forever.defaultTimeout, null);
      assert.equal(fresh().defaultTimeout, 300);
    });

    test('touch() gives a new lifetime, null meaning forever, 0 expiring now', async () => {
      await cache.set('expire1', 'very quickly', 0.5);
      assert.equal(await cache.touch('expire1', 3600), true);
      await cache.set('expire2', 'forever soon', 0.5);
      assert.equal(await cache.touch('expire2', null), true);
      await cache.set('kept', 'no timeout', null);
      assert.equal(await cache.touch('kept', null), true, 'a key without a timeout is there');
      await sleep(1000);
      assert.equal(await cache.get('expire1'), 'very quickly');
      assert.equal(await cache.get('expire2'), 'forever soon');
      assert.equal(await cache.touch('nonexistent'), false);
      assert.equal(await cache.touch('expire1', 0), true);
      assert.equal(await cache.has('expire1'), false);
    });

    test('getOrSet() stores the default (or what a function returns) and keeps what is there', async () => {
      assert.equal(await cache.getOrSet('projector', 42), 42);
      assert.equal(await cache.get('projector'), 42);
      assert.equal(await cache.getOrSet('projector', 43), 42);
      let calls = 0;
      const compute = async () => {
        calls++;
        return 'computed';
      };
      assert.equal(await cache.getOrSet('lazy', compute), 'computed');
      assert.equal(await cache.getOrSet('lazy', compute), 'computed');
      assert.equal(calls, 1);
      assert.equal(await cache.getOrSet('nullValue', null), null);
      assert.equal(await cache.get('nullValue', 'default'), null);
      assert.equal(await cache.getOrSet('versioned', 'v2', undefined, 2), 'v2');
      assert.equal(await cache.get('versioned'), undefined);
      assert.equal(await cache.get('versioned', undefined, 2), 'v2');
    });

    test(`KEY_PREFIX separates caches sharing a store; clear() clears ${options.clearsOwnPrefixOnly ? 'only its own keys' : 'the whole store'}`, async () => {
      const a = fresh({ KEY_PREFIX: 'cacheprefix' });
      const b = fresh({ KEY_PREFIX: 'other' });
      await a.set('somekey', 'a');
      await b.set('somekey', 'b');
      await cache.set('somekey', 'none');
      assert.equal(await a.get('somekey'), 'a');
      assert.equal(await b.get('somekey'), 'b');
      assert.equal(await cache.get('somekey'), 'none');
      await a.clear();
      assert.equal(await a.get('somekey'), undefined);
      assert.equal(await b.get('somekey'), options.clearsOwnPrefixOnly ? 'b' : undefined);
      assert.equal(await cache.get('somekey'), options.clearsOwnPrefixOnly ? 'none' : undefined);
    });

    test('versions: VERSION, the version argument, incrVersion() and decrVersion()', async () => {
      const v2 = fresh({ VERSION: 2 });
      await cache.set('answer1', 42);
      assert.equal(await cache.get('answer1'), 42);
      assert.equal(await cache.get('answer1', undefined, 1), 42);
      assert.equal(await cache.get('answer1', undefined, 2), undefined);
      assert.equal(await v2.get('answer1'), undefined);
      assert.equal(await v2.get('answer1', undefined, 1), 42);
      await v2.set('answer2', 37);
      assert.equal(await cache.get('answer2', undefined, 2), 37);

      await cache.set('answer', 42, undefined, 2);
      assert.equal(await cache.incrVersion('answer', 1, 2), 3);
      assert.equal(await cache.get('answer', undefined, 2), undefined);
      assert.equal(await cache.get('answer', undefined, 3), 42);
      assert.equal(await cache.decrVersion('answer', 1, 3), 2);
      assert.equal(await cache.get('answer', undefined, 2), 42);
      await cache.set('answer3', 1);
      assert.equal(await cache.incrVersion('answer3'), 2);
      assert.equal(await cache.get('answer3'), undefined);
      assert.equal(await v2.get('answer3'), 1);
      await assert.rejects(cache.incrVersion('does_not_exist'), { message: "Key 'does_not_exist' not found" });
    });

    test('KEY_FUNCTION, as a function or a dotted name, makes the stored key', async () => {
      const custom = fresh({ KEY_FUNCTION: (key, prefix, version) => `CUSTOM-${prefix}-${version}-${key}` });
      assert.equal(custom.makeKey('k'), 'CUSTOM--1-k');
      await custom.set('answer', 42);
      assert.equal(await custom.get('answer'), 42);
      assert.equal(await cache.get('answer'), undefined);
      const dotted = fresh({ KEY_FUNCTION: 'tsgi.core.cache.backends.base.defaultKeyFunc', KEY_PREFIX: 'p' });
      assert.equal(dotted.makeKey('k', 7), 'p:7:k');
    });

    test("keys memcached would refuse warn as Django's (CacheKeyWarning), and work", async () => {
      const key = `key with spaces and 清 (${name})`;
      const warnings = await warningsDuring(async () => {
        await cache.set(key, 'value');
        assert.equal(await cache.get(key), 'value');
      });
      assert.deepEqual(warnings, [
        `Cache key contains characters that will cause errors if used with memcached: ':1:${key}'`,
      ]);
      const long = name.padEnd(250, 'a');
      const longWarnings = await warningsDuring(() => cache.set(long, 'v'));
      assert.deepEqual(longWarnings, [
        `Cache key will cause errors if used with memcached: ':1:${long}' (longer than 250)`,
      ]);
      assert.equal(await cache.get(long), 'v');
    });

    if (options.culls) {
      // Django's own culling test (tests/cache's _perform_cull_test): 49 keys through a cache of
      // MAX_ENTRIES 30; the counts left are Django's for each backend.
      const { cull, zeroCull } = options.culls === true ? { cull: 29, zeroCull: 19 } : options.culls;
      const left = async (c: BaseCache) => {
        let count = 0;
        for (let i = 1; i < 50; i++) if (await c.has(`cull${i}`)) count++;
        return count;
      };
      test(`MAX_ENTRIES culls 1/CULL_FREQUENCY of the entries (${cull} of 49 left); CULL_FREQUENCY 0 empties (${zeroCull} left)`, async () => {
        const culled = fresh({ KEY_PREFIX: 'cull', OPTIONS: { MAX_ENTRIES: 30, CULL_FREQUENCY: 3 } });
        await culled.clear();
        for (let i = 1; i < 30; i++) await culled.set(`cull${i}`, 'value', 1000);
        assert.equal(await left(culled), 29, 'nothing is culled below MAX_ENTRIES');
        for (let i = 30; i < 50; i++) await culled.set(`cull${i}`, 'value', 1000);
        assert.equal(await left(culled), cull);
        const zero = fresh({ KEY_PREFIX: 'zero', OPTIONS: { MAX_ENTRIES: 30, CULL_FREQUENCY: 0 } });
        await zero.clear();
        for (let i = 1; i < 50; i++) await zero.set(`cull${i}`, 'value', 1000);
        assert.equal(await left(zero), zeroCull);
      });
    }
  });
}
