// The db and cached_db session engines on SQLite and on a real PostgreSQL: Django's session
// behaviour (conformance.ts), then what is theirs: Django's table holding a hash of the key,
// expiry and clearsessions, a missing table, the cache in front of cached_db (a lost cache loses
// no session; an unreachable one falls back to the database for reads and refuses writes), a
// PostgreSQL stopped mid-run, and `manage.ts createsessiontable` / `clearsessions` as processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { overrideSettings } from '../../../src/conf/index.ts';
import { caches } from '../../../src/core/cache/index.ts';
import { connections, execute } from '../../../src/db/index.ts';
import { hashSessionKey, SessionStoreUnavailable } from '../../../src/contrib/sessions/index.ts';
import { SessionStore as DbSession } from '../../../src/contrib/sessions/backends/db.ts';
import { SessionStore as CachedDbSession } from '../../../src/contrib/sessions/backends/cached-db.ts';
import { createSessionTable, Session, storedSessionKey } from '../../../src/contrib/sessions/models.ts';
import { eachBackend } from '../../db/helpers.ts';
import { admin, tempDir } from '../../management/helpers.ts';
import { engineConformance } from './conformance.ts';

const SETTINGS = {
  SECRET_KEY: 'sessions-db-test',
  CACHES: {
    default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'sessions-db' },
    // Nothing listens there: a cache that cannot be reached.
    away: { BACKEND: 'tsgi.core.cache.backends.redis.RedisCache', LOCATION: 'unix:///nonexistent/redis.sock' },
  },
};

async function saved<E extends typeof DbSession>(
  Engine: E,
  values: Record<string, unknown> = { k: 'v' },
): Promise<InstanceType<E>> {
  const session = (await new Engine().load()) as InstanceType<E>;
  session.update(values);
  await session.save();
  return session;
}

eachBackend(
  'db session engines',
  (backend) => {
    before(async () => {
      assert.equal(await createSessionTable(), 'created');
    });
    after(() => caches.closeAll());

    engineConformance(`db engine on ${backend.name}`, DbSession);
    engineConformance(`cached_db engine on ${backend.name}`, CachedDbSession);

    test("Django's table, holding a hash of the key and the signed data; made once", async () => {
      assert.equal(await createSessionTable(), 'exists');
      const columns = await connections.get('default').introspection.getTableDescription('django_session');
      assert.deepEqual(
        columns.map((c) => [c.name, c.primaryKey, c.nullable]),
        [
          ['session_key', true, false],
          ['session_data', false, false],
          ['expire_date', false, false],
        ],
      );
      const session = await saved(DbSession, { secret: 'visible only signed' });
      const key = session.sessionKey!;
      const { rows } = await execute('SELECT session_key, session_data FROM django_session');
      const row = (rows as Array<{ session_key: string; session_data: string }>).find(
        (r) => r.session_key === hashSessionKey(key).slice(0, 40),
      );
      assert.ok(row, 'the row is under the hash of the key');
      assert.equal(storedSessionKey(key), row.session_key);
      assert.ok(
        !(rows as Array<{ session_key: string }>).some((r) => r.session_key === key),
        'the key itself is not stored',
      );
      assert.deepEqual(session.decode(row.session_data), { secret: 'visible only signed' });
    });

    test('the row expires with the session; clearExpired() (clearsessions) deletes the expired rows only', async () => {
      await Session.objects.all().delete();
      const live = await saved(DbSession, { n: 1 });
      const old = await new DbSession().load();
      old.set('n', 2);
      old.setExpiry(new Date(Date.now() + 1000));
      await old.save();
      const row = await Session.objects.get({ sessionKey: storedSessionKey(old.sessionKey!) });
      const expires = (row.expireDate as unknown as { epochMilliseconds: number }).epochMilliseconds;
      assert.ok(Math.abs(expires - (Date.now() + 1000)) < 5000, String(row.expireDate));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal((await new DbSession(old.sessionKey).load()).get('n'), undefined, 'an expired row is not read');
      assert.equal(await Session.objects.count(), 2, 'until clearsessions');
      await DbSession.clearExpired();
      assert.deepEqual(
        (await Session.objects.all()).map((s) => s.sessionKey),
        [storedSessionKey(live.sessionKey!)],
      );
    });

    test('with USE_TZ off, expire_date is naive in TIME_ZONE, and sessions live and expire as with it on', async () => {
      using _ = overrideSettings({ USE_TZ: false, TIME_ZONE: 'America/Chicago' });
      const session = await saved(DbSession, { n: 1 });
      assert.equal((await new DbSession(session.sessionKey).load()).get('n'), 1);
      const row = await Session.objects.get({ sessionKey: storedSessionKey(session.sessionKey!) });
      assert.equal(Object.prototype.toString.call(row.expireDate), '[object Temporal.PlainDateTime]');
      const short = await new DbSession().load();
      short.set('n', 2);
      short.setExpiry(1);
      await short.save();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal((await new DbSession(short.sessionKey).load()).get('n'), undefined);
    });

    test('a missing table: SessionStoreUnavailable (a 503) that says to run migrate', async () => {
      await execute('ALTER TABLE django_session RENAME TO django_session_away');
      try {
        await assert.rejects(new DbSession('abcdefgh12345678abcdefgh12345678').load(), {
          name: 'SessionStoreUnavailable',
          message:
            /^The session store \(the table 'django_session' of the database\) could not be used: .*django_session.*\. Make it with `node manage\.ts migrate` \(the sessions app's migration, with 'tsgi\.contrib\.sessions' in INSTALLED_APPS\)\.$/,
        });
        await assert.rejects(saved(DbSession), SessionStoreUnavailable);
      } finally {
        await execute('ALTER TABLE django_session_away RENAME TO django_session');
      }
    });

    describe('cached_db: the cache in front of the database', () => {
      test('reads come from the cache once filled; a cache that lost everything loses no session', async () => {
        const session = await saved(CachedDbSession, { cart: ['a'] });
        const key = session.sessionKey!;
        const cache = caches.get('default');
        assert.deepEqual(await cache.get(session.cacheKey(key)), { cart: ['a'] }, 'written through');
        assert.ok(session.cacheKey(key).endsWith(hashSessionKey(key)), 'under a hash of the key');
        await cache.clear();
        assert.deepEqual((await new CachedDbSession(key).load()).get('cart'), ['a'], 'read from the database');
        assert.deepEqual(await cache.get(session.cacheKey(key)), { cart: ['a'] }, 'and the cache refilled');
        // The cached copy answers without a query: the row changed behind its back is not seen.
        await Session.objects.filter({ sessionKey: storedSessionKey(key) }).delete();
        assert.deepEqual((await new CachedDbSession(key).load()).get('cart'), ['a']);
      });

      test('flush() and cycleKey() delete the cached copy with the row', async () => {
        const session = await saved(CachedDbSession);
        const old = session.sessionKey!;
        await session.cycleKey();
        assert.equal(await caches.get('default').has(session.cacheKey(old)), false);
        await session.save();
        const current = session.sessionKey!;
        await session.flush();
        assert.equal(await caches.get('default').has(session.cacheKey(current)), false);
        assert.equal(await Session.objects.filter({ sessionKey: storedSessionKey(current) }).exists(), false);
      });

      test('an unreachable cache: reads fall back to the database, new sessions work, changes are refused', async () => {
        const session = await saved(CachedDbSession, { n: 1 });
        const key = session.sessionKey!;
        using _ = overrideSettings({ SESSION_CACHE_ALIAS: 'away' });
        const read = await new CachedDbSession(key).load();
        assert.equal(read.get('n'), 1);
        const fresh = await saved(CachedDbSession, { n: 2 });
        assert.equal(await Session.objects.filter({ sessionKey: storedSessionKey(fresh.sessionKey!) }).exists(), true);
        read.set('n', 3);
        await assert.rejects(read.save(), {
          name: 'SessionStoreUnavailable',
          message: /the cache of the cached_db engine; the session was not changed\)$/,
        });
        await assert.rejects(read.flush(), SessionStoreUnavailable);
        assert.equal((await new DbSession(key).load()).get('n'), 1, 'the database kept the old data');
      });
    });

    if (backend.name === 'postgresql') {
      test('PostgreSQL stopped mid-run: SessionStoreUnavailable, then back by itself', async () => {
        const session = await saved(DbSession, { n: 1 });
        const key = session.sessionKey!;
        await backend.server!.kill();
        try {
          await assert.rejects(new DbSession(key).load(), SessionStoreUnavailable);
          await assert.rejects(saved(DbSession), SessionStoreUnavailable);
        } finally {
          await backend.server!.restart();
        }
        const deadline = Date.now() + 30_000;
        for (;;) {
          try {
            assert.equal((await new DbSession(key).load()).get('n'), 1);
            break;
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      });
    }
  },
  { extraSettings: SETTINGS },
);

eachBackend('manage.ts createsessiontable and clearsessions', (backend) => {
  const project = tempDir('tsgi-sessiontable-');
  after(() => project.remove());
  const env = { TSGI_SETTINGS_MODULE: 'dbsessionsettings' };
  before(() => {
    writeFileSync(
      path.join(project.dir, 'dbsessionsettings.ts'),
      `export const SECRET_KEY = 'sessions-db-test';
export const INSTALLED_APPS = ['tsgi.contrib.sessions'];
export const DATABASES = { default: ${JSON.stringify(backend.databases.default)} };
export const SESSION_ENGINE = 'django.contrib.sessions.backends.db';
`,
    );
  });

  test('createsessiontable runs the sessions migration once (adopting an unrecorded table); clearsessions deletes the expired rows', async () => {
    const made = await admin(['createsessiontable'], { cwd: project.dir, env });
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.stdout, "Session table 'django_session' created.\n");
    const again = await admin(['createsessiontable'], { cwd: project.dir, env });
    assert.equal(again.stdout, "Session table 'django_session' already exists.\n");
    // It ran the sessions app's migration: migrate has nothing left to do.
    const migrated = await admin(['migrate'], { cwd: project.dir, env });
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /No migrations to apply\./);
    // A table an older createsessiontable made, without the migration's record, is taken as migrated.
    await execute("DELETE FROM django_migrations WHERE app = 'sessions'");
    const adopted = await admin(['createsessiontable'], { cwd: project.dir, env });
    assert.equal(adopted.stdout, "Session table 'django_session' already exists.\n", adopted.stderr);
    assert.match((await admin(['migrate'], { cwd: project.dir, env })).stdout, /No migrations to apply\./);

    await execute(
      "INSERT INTO django_session (session_key, session_data, expire_date) VALUES ('old', 'x', '2000-01-01 00:00:00'), ('live', 'x', '2999-01-01 00:00:00')",
    );
    const cleared = await admin(['clearsessions'], { cwd: project.dir, env });
    assert.equal(cleared.code, 0, cleared.stderr);
    const { rows } = await execute('SELECT session_key FROM django_session');
    assert.deepEqual(
      (rows as Array<{ session_key: string }>).map((r) => r.session_key),
      ['live'],
    );
  });
});
