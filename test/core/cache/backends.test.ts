// The cache backends: the conformance suite against local memory, files and a real Redis, then
// what is particular to each (the dummy cache, LRU order, Redis URLs and outages).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocMemCache } from '../../../src/core/cache/backends/locmem.ts';
import { FileBasedCache } from '../../../src/core/cache/backends/filebased.ts';
import { DummyCache } from '../../../src/core/cache/backends/dummy.ts';
import { RedisCache } from '../../../src/core/cache/backends/redis.ts';
import { CacheUnavailable, CacheKeyNotFound } from '../../../src/core/cache/index.ts';
import { captureLogs } from '../helpers.ts';
import { cacheConformance, warningsDuring } from './conformance.ts';
import { redisSkipReason, startRedis, type RedisServer } from './redis-server.ts';

const folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-filecache-'));
after(() => rmSync(folder, { recursive: true, force: true }));

cacheConformance('LocMemCache', (params) => new LocMemCache({ LOCATION: 'conformance', ...params }), { culls: true });
cacheConformance('FileBasedCache', (params) => new FileBasedCache({ LOCATION: folder, ...params }), { culls: true });

const skip = redisSkipReason();
let redis: RedisServer | undefined;
describe('Redis', { skip }, () => {
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });
  cacheConformance('RedisCache', (params) => new RedisCache({ LOCATION: redis!.url, ...params }), {
    clearsOwnPrefixOnly: true,
  });
});

describe('DummyCache', () => {
  test('keeps nothing, says add() stored, finds no key to incr()', async () => {
    const cache = new DummyCache({});
    await cache.set('key', 'value');
    assert.equal(await cache.get('key'), undefined);
    assert.equal(await cache.get('key', 'default'), 'default');
    assert.equal(await cache.add('key', 'value'), true);
    assert.equal(await cache.has('key'), false);
    assert.equal(await cache.delete('key'), false);
    assert.equal(await cache.touch('key'), false);
    assert.deepEqual(await cache.getMany(['a', 'b']), {});
    assert.deepEqual(await cache.setMany({ a: 1 }), []);
    await assert.rejects(cache.incr('key'), CacheKeyNotFound);
    assert.equal(await cache.getOrSet('x', 'computed'), 'computed');
    await cache.clear();
  });

  test('still makes and checks keys (the warnings show in development)', async () => {
    const warnings = await warningsDuring(() => new DummyCache({}).get('a key'));
    assert.deepEqual(warnings, [
      "Cache key contains characters that will cause errors if used with memcached: ':1:a key'",
    ]);
  });
});

describe('LocMemCache', () => {
  test('is least-recently-used: a read keeps an entry from the cull', async () => {
    const cache = new LocMemCache({ LOCATION: 'lru', OPTIONS: { MAX_ENTRIES: 9, CULL_FREQUENCY: 3 } });
    for (let i = 0; i < 9; i++) await cache.set(`k${i}`, i);
    // k0..k2 are the oldest; reading k0 and k1 makes k2..k4 the three least recently used.
    await cache.get('k0');
    await cache.get('k1');
    await cache.set('k9', 9);
    const left = [];
    for (let i = 0; i < 10; i++) if (await cache.has(`k${i}`)) left.push(i);
    assert.deepEqual(left, [0, 1, 5, 6, 7, 8, 9]);
  });

  test('caches with the same LOCATION share entries; other names do not', async () => {
    const a = new LocMemCache({ LOCATION: 'shared' });
    const b = new LocMemCache({ LOCATION: 'shared' });
    const c = new LocMemCache({ LOCATION: 'other' });
    await a.set('k', 1);
    assert.equal(await b.get('k'), 1);
    assert.equal(await c.get('k'), undefined);
  });
});

describe('FileBasedCache', () => {
  test('needs an absolute LOCATION', () => {
    assert.throws(() => new FileBasedCache({ alias: 'files', LOCATION: 'relative/dir' }), {
      name: 'ImproperlyConfigured',
      message:
        "The file-based cache 'files' needs LOCATION set to an absolute folder path, got \"relative/dir\". For example LOCATION: '/var/tmp/mysite_cache'.",
    });
  });

  test('creates its folder, writes whole files, and ignores a file it did not write whole', async () => {
    const dir = path.join(folder, 'nested', 'cache');
    const cache = new FileBasedCache({ LOCATION: dir });
    await cache.set('k', 'v');
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^[0-9a-f]{32}\.tsgicache$/);
    writeFileSync(path.join(dir, files[0]!), 'garbage without a header');
    assert.equal(await cache.get('k', 'miss'), 'miss');
    assert.deepEqual(readdirSync(dir), [], 'the unreadable file is removed');
  });

  test('an unreadable value reads as a miss, logged', async () => {
    const dir = path.join(folder, 'corrupt');
    const cache = new FileBasedCache({ LOCATION: dir, alias: 'files' });
    await cache.set('k', 'v');
    const [file] = readdirSync(dir);
    writeFileSync(path.join(dir, file!), '\n{"$t":"nonsense"}');
    const logs = captureLogs('tsgi.cache');
    try {
      assert.equal(await cache.get('k', 'miss'), 'miss');
    } finally {
      logs.stop();
    }
    assert.match(
      logs.records[0]!.message,
      /^The cache 'files' holds an unreadable value under ':1:k' \(Unknown tag "nonsense" in stored data\.\); it reads as a miss\.$/,
    );
  });

  test('a folder that cannot be made: reads miss, writes reject with CacheUnavailable', async () => {
    const file = path.join(folder, 'not-a-folder');
    writeFileSync(file, '');
    const cache = new FileBasedCache({ LOCATION: path.join(file, 'cache'), alias: 'broken' });
    const logs = captureLogs('tsgi.cache');
    try {
      assert.equal(await cache.get('k', 'miss'), 'miss');
      await assert.rejects(cache.set('k', 'v'), {
        name: 'CacheUnavailable',
        message: `The cache 'broken' (FileBasedCache at ${file}/cache) could not be used: ENOTDIR: not a directory, scandir '${file}/cache'.`,
      });
    } finally {
      logs.stop();
    }
  });
});

describe('RedisCache configuration', () => {
  test('a LOCATION that is not a Redis URL is refused with the forms that work', () => {
    assert.throws(() => new RedisCache({ alias: 'r', LOCATION: 'localhost:6379' }), {
      name: 'ImproperlyConfigured',
      message:
        "The Redis cache 'r' has LOCATION \"localhost:6379\", which is not a Redis URL. Write 'redis://127.0.0.1:6379', 'rediss://host:6380/1' or 'unix:///run/redis/redis.sock?db=0' (or a list: the first for writes, the others replicas).",
    });
  });

  test('describe() hides the password', () => {
    const cache = new RedisCache({ LOCATION: 'redis://user:secret@127.0.0.1:6379/2' });
    assert.equal(cache.describe(), 'RedisCache at redis://user:***@127.0.0.1:6379/2');
  });
});

describe('Redis outages', { skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
  });

  test('a Redis that is down at start: reads miss (logged once), writes reject, and it works once Redis is up', async () => {
    const down = new RedisCache({ alias: 'late', LOCATION: `unix://${server.socket}.absent` });
    const logs = captureLogs('tsgi.cache');
    try {
      assert.equal(await down.get('k', 'miss'), 'miss');
      assert.equal(await down.get('k', 'miss'), 'miss');
      assert.deepEqual(await down.getMany(['a', 'b']), {});
      assert.equal(await down.has('k'), false);
      await assert.rejects(down.set('k', 'v'), {
        name: 'CacheUnavailable',
        message: new RegExp(
          `^The cache 'late' \\(RedisCache at unix://${server.socket}\\.absent\\) could not be reached: `,
        ),
      });
      assert.equal(await down.getOrSet('k', 'computed'), 'computed');
    } finally {
      logs.stop();
      await down.close();
    }
    assert.equal(logs.records.length, 1, logs.records.map((r) => r.message).join('\n'));
    assert.match(logs.records[0]!.message, /could not be reached: .*Reads miss and writes fail until it is back\.$/);
  });

  test('killed mid-run: reads miss, writes fail with CacheUnavailable, nothing crashes; back when Redis is', async () => {
    const cache = new RedisCache({ alias: 'shared', LOCATION: server.url });
    const logs = captureLogs('tsgi.cache');
    try {
      await cache.set('k', 'before');
      assert.equal(await cache.get('k'), 'before');
      await server.kill();
      assert.equal(await cache.get('k', 'miss'), 'miss');
      await assert.rejects(cache.set('k', 'during'), CacheUnavailable);
      await assert.rejects(cache.incr('n'), CacheUnavailable);
      await assert.rejects(cache.delete('k'), CacheUnavailable);
      await assert.rejects(cache.getEntry('k'), CacheUnavailable);
      await server.restart();
      // The client reconnects by itself (at most ~2 s between attempts).
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        try {
          await cache.set('k', 'after');
          break;
        } catch (error) {
          assert.ok(error instanceof CacheUnavailable);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      assert.equal(await cache.get('k'), 'after');
    } finally {
      logs.stop();
      await cache.close();
    }
    const messages = logs.records.map((r) => r.message);
    assert.match(messages[0]!, /^The cache 'shared' \(RedisCache at unix:.*\) could not be reached: /);
    assert.match(
      messages.at(-1)!,
      /^The cache 'shared' \(RedisCache at unix:.*\) is reachable again after \d+ s; \d+ operations failed meanwhile\.$/,
    );
  });
});
