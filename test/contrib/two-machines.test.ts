// Two `tsgi serve` instances (standing in for two machines behind a load balancer, two workers
// each) sharing one real Redis: a session written through one is read through the other, a page
// cached by one is served by the other, messages cross over; then Redis is killed mid-run (cache
// reads miss and are logged, session reads and writes answer 503, nothing crashes, nothing is
// corrupted) and started again (everything works again, the data from before the outage intact).
// Then the same with one real PostgreSQL instead: the db session engine and the database cache.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { serve, type Served } from '../server/helpers.ts';
import { redisSkipReason, startRedis, type RedisServer } from '../core/cache/redis-server.ts';
import { postgresSkip } from '../db/helpers.ts';
import { startPostgres, type PostgresServer } from '../db/postgres.ts';
import { overrideSettings } from '../../src/conf/index.ts';
import { connections } from '../../src/db/index.ts';
import { createCacheTable } from '../../src/core/cache/backends/db.ts';
import { createSessionTable } from '../../src/contrib/sessions/models.ts';

const project = path.resolve(import.meta.dirname, '../fixtures/shared-state');
const HOST = 'shared.test';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET with the load balancer's Host and the client's cookie. */
function get(served: Served, target: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: served.host,
        port: served.port,
        path: target,
        headers: { Host: HOST, ...(cookie ? { Cookie: cookie } : {}) },
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** The `name=value` pairs of an answer's Set-Cookie headers, as a browser sends them back. */
function cookiesOf(answer: Answer, jar: Map<string, string> = new Map()): Map<string, string> {
  for (const header of answer.headers['set-cookie'] ?? []) {
    const [pair] = header.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    if (/Max-Age=0/.test(header)) jar.delete(name);
    else jar.set(name, value);
  }
  return jar;
}

const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function until<T>(what: string, attempt: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const skip = redisSkipReason();

describe('two tsgi serve instances sharing one Redis', { skip }, () => {
  let redis: RedisServer;
  let a: Served;
  let b: Served;

  before(async () => {
    redis = await startRedis({ persistent: true });
    const env = { TSGI_REDIS_URL: redis.url };
    [a, b] = await Promise.all([
      serve(['site.wsgi:application', '--workers', '2'], { cwd: project, env: { ...env, INSTANCE: 'a' } }),
      serve(['site.wsgi:application', '--workers', '2'], { cwd: project, env: { ...env, INSTANCE: 'b' } }),
    ]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  const jar = new Map<string, string>();

  test('a session written through one instance is read through the other, both ways', async () => {
    const written = await get(a, '/session/write/?value=first');
    assert.equal(written.status, 200);
    cookiesOf(written, jar);
    assert.match(jar.get('sessionid') ?? '', /^[a-z0-9]{32}$/);
    for (let i = 0; i < 4; i++) {
      // Several reads: each instance has two workers, and any of them answers.
      const read = await get(b, '/session/read/', header(jar));
      assert.deepEqual(JSON.parse(read.body), { value: 'first', writtenBy: 'a', readBy: 'b' });
    }
    await get(b, '/session/write/?value=second', header(jar));
    const back = await get(a, '/session/read/', header(jar));
    assert.deepEqual(JSON.parse(back.body), { value: 'second', writtenBy: 'b', readBy: 'a' });
  });

  test('a page cached by one instance is served from the cache by the other', async () => {
    const first = await get(a, '/cached/');
    assert.match(first.body, /^built by a \(page \d+ of process \d+\)$/);
    assert.equal(first.headers['cache-control'], 'max-age=60');
    for (let i = 0; i < 4; i++) assert.equal((await get(b, '/cached/')).body, first.body);
  });

  test('a message added through one instance is shown by the other (the session holds the rest)', async () => {
    const messageJar = new Map(jar);
    cookiesOf(await get(a, '/message/', header(messageJar)), messageJar);
    const shown = await get(b, '/messages/', header(messageJar));
    assert.deepEqual(JSON.parse(shown.body), { messages: ['from a'], readBy: 'b' });
  });

  test('Redis killed mid-run: cache reads miss (logged), sessions answer 503, nothing crashes; back when Redis is', async () => {
    const before = await get(a, '/cached/');
    const errA = a.stderr().length;
    const errB = b.stderr().length;
    await redis.kill();

    // The cached page is built again, by whichever instance is asked, and served.
    const rebuilt = await get(a, '/cached/');
    assert.equal(rebuilt.status, 200);
    assert.match(rebuilt.body, /^built by a /);
    assert.notEqual(rebuilt.body, before.body);
    await a.waitFor(
      /ERROR tsgi\.cache: The cache 'default' \(RedisCache at unix:.*\) could not be reached: .*Reads miss and writes fail until it is back\./,
      20_000,
      errA,
    );

    // Sessions: a read cannot tell, a write cannot happen: 503 with Retry-After, no cookie.
    for (const served of [a, b]) {
      const read = await get(served, '/session/read/', header(jar));
      assert.equal(read.status, 503);
      assert.equal(read.headers['retry-after'], '5');
      assert.equal(read.headers['set-cookie'], undefined);
      const write = await get(served, '/session/write/?value=during-outage', header(jar));
      assert.equal(write.status, 503);
      assert.match(write.body, /cannot reach its session store/);
      assert.equal(write.headers['set-cookie'], undefined);
      const fresh = await get(served, '/session/write/?value=new-visitor');
      assert.equal(fresh.status, 503);
      assert.equal(fresh.headers['set-cookie'], undefined);
    }
    await b.waitFor(
      /ERROR tsgi\.contrib\.sessions: Service Unavailable: \/session\/read\/: The session store could not be reached: /,
      20_000,
      errB,
    );
    // Pages that do not use the session or the cache are untouched.
    assert.equal((await get(b, '/whoami/')).status, 200);
    // No process died: the masters still run, and no worker was restarted.
    assert.equal(a.child.exitCode, null);
    assert.equal(b.child.exitCode, null);
    for (const served of [a, b]) {
      assert.equal(served.stderr().match(/Booting worker with pid/g)?.length, 2, served.stderr());
      assert.doesNotMatch(served.stderr(), /exited unexpectedly|Respawning|uncaught/i);
    }

    await redis.restart();
    // Every worker reconnects by itself; the session written before the outage is intact (the
    // writes during it never happened).
    const recovered = await until('the session reads again', async () => {
      const read = await get(b, '/session/read/', header(jar));
      return read.status === 200 ? read : undefined;
    });
    assert.deepEqual(JSON.parse(recovered.body), { value: 'second', writtenBy: 'b', readBy: 'b' });
    for (let i = 0; i < 4; i++) {
      const read = await until('every worker reads again', async () => {
        const answer = await get(i % 2 ? a : b, '/session/read/', header(jar));
        return answer.status === 200 ? answer : undefined;
      });
      assert.equal(JSON.parse(read.body).value, 'second');
    }
    const write = await until('a session write works again', async () => {
      const answer = await get(a, '/session/write/?value=after', header(jar));
      return answer.status === 200 ? answer : undefined;
    });
    cookiesOf(write, jar);
    assert.equal(JSON.parse((await get(b, '/session/read/', header(jar))).body).value, 'after');
    // The page cached before the outage is served again, by both (the one built during it was
    // served but could not be stored).
    for (const served of [a, b, a, b]) assert.equal((await get(served, '/cached/')).body, before.body);
    await a.waitFor(
      /ERROR tsgi\.cache: The cache 'default' \(RedisCache at unix:.*\) is reachable again after \d+ s; \d+ operations failed meanwhile\./,
      20_000,
      errA,
    );
  });
});

describe(
  'two tsgi serve instances sharing one PostgreSQL (db sessions, the database cache)',
  { skip: postgresSkip() },
  () => {
    let postgres: PostgresServer;
    let a: Served;
    let b: Served;

    before(async () => {
      postgres = await startPostgres();
      const database = {
        ENGINE: 'tsgi.db.backends.postgresql',
        NAME: postgres.name,
        USER: postgres.user,
        HOST: postgres.host,
        PORT: postgres.port,
      };
      // The tables, as `manage.ts createcachetable` and `createsessiontable` make them.
      {
        using _ = overrideSettings({ DATABASES: { default: database } });
        await createCacheTable('shared_cache');
        await createSessionTable();
        await connections.reset();
      }
      const env = { TSGI_DATABASE: JSON.stringify(database) };
      [a, b] = await Promise.all([
        serve(['site.wsgi:application', '--workers', '2'], { cwd: project, env: { ...env, INSTANCE: 'a' } }),
        serve(['site.wsgi:application', '--workers', '2'], { cwd: project, env: { ...env, INSTANCE: 'b' } }),
      ]);
    });

    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await postgres?.stop();
    });

    const jar = new Map<string, string>();

    test('a session written through one instance is read through the other, both ways', async () => {
      const written = await get(a, '/session/write/?value=first');
      assert.equal(written.status, 200, written.body);
      cookiesOf(written, jar);
      assert.match(jar.get('sessionid') ?? '', /^[a-z0-9]{32}$/);
      for (let i = 0; i < 4; i++) {
        const read = await get(b, '/session/read/', header(jar));
        assert.deepEqual(JSON.parse(read.body), { value: 'first', writtenBy: 'a', readBy: 'b' });
      }
      await get(b, '/session/write/?value=second', header(jar));
      const back = await get(a, '/session/read/', header(jar));
      assert.deepEqual(JSON.parse(back.body), { value: 'second', writtenBy: 'b', readBy: 'a' });
    });

    test('a page cached by one instance is served from the database cache by the other', async () => {
      const first = await get(a, '/cached/');
      assert.match(first.body, /^built by a \(page \d+ of process \d+\)$/);
      for (let i = 0; i < 4; i++) assert.equal((await get(b, '/cached/')).body, first.body);
    });

    test('PostgreSQL stopped mid-run: cache reads miss (logged), sessions answer 503, nothing crashes; back when it is', async () => {
      const before = await get(a, '/cached/');
      const errA = a.stderr().length;
      const errB = b.stderr().length;
      await postgres.kill();

      const rebuilt = await get(a, '/cached/');
      assert.equal(rebuilt.status, 200);
      assert.match(rebuilt.body, /^built by a /);
      assert.notEqual(rebuilt.body, before.body);
      await a.waitFor(
        /ERROR tsgi\.cache: The cache 'default' \(DatabaseCache table 'shared_cache' of DATABASES\['default'\]\) could not be used: .*Reads miss and writes fail until it is back\./,
        20_000,
        errA,
      );
      for (const served of [a, b]) {
        const read = await get(served, '/session/read/', header(jar));
        assert.equal(read.status, 503);
        assert.equal(read.headers['retry-after'], '5');
        assert.equal(read.headers['set-cookie'], undefined);
        const write = await get(served, '/session/write/?value=during-outage', header(jar));
        assert.equal(write.status, 503);
        assert.equal(write.headers['set-cookie'], undefined);
        const fresh = await get(served, '/session/write/?value=new-visitor');
        assert.equal(fresh.status, 503);
        assert.equal(fresh.headers['set-cookie'], undefined);
      }
      await b.waitFor(
        /ERROR tsgi\.contrib\.sessions: Service Unavailable: \/session\/read\/: The session store \(the table 'django_session' of the database\) could not be used: /,
        20_000,
        errB,
      );
      assert.equal((await get(b, '/whoami/')).status, 200);
      assert.equal(a.child.exitCode, null);
      assert.equal(b.child.exitCode, null);
      for (const served of [a, b]) {
        assert.equal(served.stderr().match(/Booting worker with pid/g)?.length, 2, served.stderr());
        assert.doesNotMatch(served.stderr(), /exited unexpectedly|Respawning|uncaught/i);
      }

      await postgres.restart();
      for (let i = 0; i < 4; i++) {
        const read = await until('every worker reads the session again', async () => {
          const answer = await get(i % 2 ? a : b, '/session/read/', header(jar));
          return answer.status === 200 ? answer : undefined;
        });
        assert.deepEqual(JSON.parse(read.body).value, 'second', 'the writes during the outage never happened');
      }
      const write = await until('a session write works again', async () => {
        const answer = await get(a, '/session/write/?value=after', header(jar));
        return answer.status === 200 ? answer : undefined;
      });
      cookiesOf(write, jar);
      assert.equal(JSON.parse((await get(b, '/session/read/', header(jar))).body).value, 'after');
      for (const served of [a, b, a, b]) assert.equal((await get(served, '/cached/')).body, before.body);
      await a.waitFor(
        /ERROR tsgi\.cache: The cache 'default' \(DatabaseCache table 'shared_cache' of DATABASES\['default'\]\) is reachable again after \d+ s; \d+ operations failed meanwhile\./,
        20_000,
        errA,
      );
    });
  },
);
