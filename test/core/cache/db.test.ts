// The database cache on SQLite and on a real PostgreSQL (test/db/helpers.ts's eachBackend): the
// shared conformance suite, then what is the database's own: the table Django makes (its
// createcachetable --dry-run output, a table made by Django used as it is), Django's culling to
// the key (Django 3.2 itself runs the same test on the same database), races between writers, a
// missing table, the caller's transaction, a PostgreSQL stopped mid-run; and `manage.ts
// createcachetable` run as a process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseCache, createCacheTable, cacheTableStatements } from '../../../src/core/cache/backends/db.ts';
import { CacheUnavailable } from '../../../src/core/cache/index.ts';
import { connections, execute } from '../../../src/db/index.ts';
import { atomic } from '../../../src/db/transaction.ts';
import { eachBackend } from '../../db/helpers.ts';
import { admin, tempDir } from '../../management/helpers.ts';
import { skipUnlessPresent } from '../../prerequisites.ts';
import { captureLogs } from '../helpers.ts';
import { cacheConformance } from './conformance.ts';

const PYTHON = '/usr/bin/python3';
const ORACLE = path.join(import.meta.dirname, 'fixtures', 'django_db_cache.py');
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
const hasPsycopg = spawnSync(PYTHON, ['-c', 'import psycopg2'], { encoding: 'utf8' }).status === 0;

const TABLE = 'tsgi_cache_table';

eachBackend('DatabaseCache', (backend) => {
  before(async () => {
    await createCacheTable(TABLE);
  });

  cacheConformance(
    `DatabaseCache(${backend.name})`,
    (params) => new DatabaseCache({ LOCATION: TABLE, ...params }),
    // Django's counts for its database cache, which culls once past MAX_ENTRIES.
    { culls: { cull: 29, zeroCull: 18 } },
  );

  describe('the table', () => {
    test("createcachetable's statements, and a table that exists is left alone", async () => {
      const wrapper = connections.get('default');
      const datetime = backend.name === 'sqlite' ? 'datetime' : 'timestamp with time zone';
      assert.deepEqual(cacheTableStatements(wrapper, 'my_cache'), [
        `CREATE TABLE "my_cache" (\n    "cache_key" varchar(255) NOT NULL PRIMARY KEY,\n    "value" text NOT NULL,\n    "expires" ${datetime} NOT NULL\n);`,
        'CREATE INDEX "my_cache_expires" ON "my_cache" ("expires");',
      ]);
      assert.equal((await createCacheTable('my_cache', { dryRun: true })).result, 'dry-run');
      assert.ok(!(await wrapper.introspection.tableNames()).includes('my_cache'), 'a dry run creates nothing');
      assert.equal((await createCacheTable('my_cache')).result, 'created');
      assert.equal((await createCacheTable('my_cache')).result, 'exists');
      const columns = await wrapper.introspection.getTableDescription('my_cache');
      assert.deepEqual(
        columns.map((c) => [c.name, c.primaryKey, c.nullable]),
        [
          ['cache_key', true, false],
          ['value', false, false],
          ['expires', false, false],
        ],
      );
    });

    test('an entry is one row: the made key, the value as tagged JSON, the expiry; an expired one read is deleted', async () => {
      const cache = new DatabaseCache({ LOCATION: TABLE, KEY_PREFIX: 'rows' });
      await cache.set('answer', { n: 42, on: new Date('2024-01-02T03:04:05.678Z') }, 60);
      const { rows } = await execute(
        `SELECT cache_key, value, expires FROM ${TABLE} WHERE cache_key = 'rows:1:answer'`,
      );
      assert.equal(rows.length, 1);
      const row = rows[0] as { value: string; expires: string };
      assert.equal(row.value, '{"n":42,"on":{"$t":"Date","v":"2024-01-02T03:04:05.678Z"}}');
      const expires = Date.parse(
        backend.name === 'sqlite' ? `${row.expires.replace(' ', 'T')}Z` : `${row.expires.replace(' ', 'T')}:00`,
      );
      assert.ok(Math.abs(expires - (Date.now() + 60_000)) < 10_000, `expires ${row.expires}`);
      await cache.set('gone', 1, 0.05);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await cache.get('gone'), undefined);
      const left = await execute(`SELECT cache_key FROM ${TABLE} WHERE cache_key = 'rows:1:gone'`);
      assert.equal(left.rows.length, 0, 'the expired row was deleted when read');
    });

    test('a key longer than the cache_key column is refused, naming the fix', async () => {
      const cache = new DatabaseCache({ LOCATION: TABLE });
      await assert.rejects(cache.set('k'.repeat(300), 1), {
        name: 'TypeError',
        message:
          /^The cache key ":1:kkkk.*\.\.\." is 303 characters long, but the database cache's cache_key column holds 255: use a shorter key \(a hash of a long one\)\.$/,
      });
    });

    test('a LOCATION is required', () => {
      assert.throws(() => new DatabaseCache({ alias: 'db' }), {
        name: 'ImproperlyConfigured',
        message:
          "The database cache 'db' needs LOCATION set to the name of its table, got null. For example LOCATION: 'my_cache_table', then create the table with `node manage.ts createcachetable`.",
      });
    });
  });

  describe('writers at the same time', () => {
    test('ten add() of one key: exactly one stores', async () => {
      const cache = new DatabaseCache({ LOCATION: TABLE, KEY_PREFIX: 'race' });
      await cache.clear();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => cache.add('lock', i)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await cache.get('lock'), results.indexOf(true));
    });

    test('twenty incr() of one counter: none is lost', async () => {
      const cache = new DatabaseCache({ LOCATION: TABLE, KEY_PREFIX: 'race' });
      await cache.set('hits', 0);
      await Promise.all(Array.from({ length: 20 }, () => cache.incr('hits')));
      assert.equal(await cache.get('hits'), 20);
    });
  });

  test("queries run in the caller's transaction: a rollback takes the cache write back", async () => {
    const cache = new DatabaseCache({ LOCATION: TABLE, KEY_PREFIX: 'tx' });
    await assert.rejects(
      atomic(async () => {
        await cache.set('k', 'in a transaction');
        assert.equal(await cache.get('k'), 'in a transaction');
        throw new Error('roll back');
      }),
      { message: 'roll back' },
    );
    assert.equal(await cache.get('k'), undefined);
  });

  test('a missing table: reads miss, writes reject, and the log says to run createcachetable', async () => {
    const cache = new DatabaseCache({ alias: 'nowhere', LOCATION: 'no_such_cache_table' });
    const logs = captureLogs('tsgi.cache');
    try {
      assert.equal(await cache.get('k', 'miss'), 'miss');
      await assert.rejects(cache.set('k', 'v'), {
        name: 'CacheUnavailable',
        message: new RegExp(
          `^The cache 'nowhere' \\(DatabaseCache table 'no_such_cache_table' of DATABASES\\['default'\\]\\) could not be used: .*no_such_cache_table.*\\. Create the table with \`node manage\\.ts createcachetable\`\\.$`,
        ),
      });
    } finally {
      logs.stop();
    }
    assert.equal(logs.records.length, 1);
    assert.match(logs.records[0]!.message, /createcachetable`\. Reads miss and writes fail until it is back\.$/);
  });

  describe(
    'against Django 3.2 on the same database',
    {
      skip: skipUnlessPresent(
        !hasDjango
          ? 'Django 3.2 is not installed (apt-get install -y python3-django)'
          : backend.name === 'postgresql' && !hasPsycopg
            ? 'psycopg2 is not installed (apt-get install -y python3-psycopg2)'
            : undefined,
      ),
    },
    () => {
      let django: { dryRun: string; cull: number[]; zeroCull: number[] };
      before(() => {
        const db = backend.databases.default!;
        const config =
          backend.name === 'sqlite'
            ? { ENGINE: 'django.db.backends.sqlite3', NAME: db.NAME }
            : { ENGINE: 'django.db.backends.postgresql', NAME: db.NAME, USER: db.USER, HOST: db.HOST, PORT: db.PORT };
        const run = spawnSync(PYTHON, [ORACLE], {
          encoding: 'utf8',
          env: { ...process.env, ORACLE_DB: JSON.stringify(config) },
        });
        assert.equal(run.status, 0, `${ORACLE} failed: ${run.stderr}`);
        django = JSON.parse(run.stdout) as typeof django;
      });

      test('createcachetable --dry-run prints what Django prints', async () => {
        const { statements } = await createCacheTable('dj_dry', { dryRun: true });
        assert.equal(statements.join('\n') + '\n', django.dryRun);
      });

      test('culling leaves the same keys as Django', async () => {
        await createCacheTable('ts_cull');
        const survivors = async (options: Record<string, number>, prefix: string) => {
          const cache = new DatabaseCache({ LOCATION: 'ts_cull', KEY_PREFIX: prefix, OPTIONS: options });
          await cache.clear();
          for (let i = 1; i < 50; i++) await cache.set(`cull${i}`, 'value', 1000);
          const left: number[] = [];
          for (let i = 1; i < 50; i++) if (await cache.has(`cull${i}`)) left.push(i);
          return left;
        };
        assert.deepEqual(await survivors({ MAX_ENTRIES: 30 }, 'cull'), django.cull);
        assert.deepEqual(await survivors({ MAX_ENTRIES: 30, CULL_FREQUENCY: 0 }, 'zero'), django.zeroCull);
      });

      test('a table made by Django works as it is', async () => {
        const cache = new DatabaseCache({ LOCATION: 'dj_made' });
        await cache.set('k', 'v', 60);
        assert.equal(await cache.add('k', 'other'), false);
        assert.equal(await cache.incr('n', 1).catch((e: Error) => e.name), 'CacheKeyNotFound');
        await cache.set('n', 1);
        assert.equal(await cache.incr('n', 2), 3);
        assert.equal(await cache.touch('k', null), true);
        assert.deepEqual(await cache.getMany(['k', 'n']), { k: 'v', n: 3 });
      });
    },
  );

  if (backend.name === 'postgresql') {
    describe('PostgreSQL stopped mid-run', () => {
      after(async () => {
        // Whatever happened, the suite's server runs again for the tests after this one.
        await backend.server!.restart().catch(() => {});
      });

      test('reads miss, writes reject with CacheUnavailable, nothing crashes; back when PostgreSQL is', async () => {
        const cache = new DatabaseCache({ alias: 'pg', LOCATION: TABLE, KEY_PREFIX: 'outage' });
        await cache.set('k', 'before');
        const logs = captureLogs('tsgi.cache');
        try {
          await backend.server!.kill();
          assert.equal(await cache.get('k', 'miss'), 'miss');
          await assert.rejects(cache.set('k', 'during'), CacheUnavailable);
          await assert.rejects(cache.add('other', 'during'), CacheUnavailable);
          await backend.server!.restart();
          const deadline = Date.now() + 30_000;
          for (;;) {
            try {
              assert.equal(await cache.get('k'), 'before');
              break;
            } catch (error) {
              if (Date.now() > deadline) throw error;
              await new Promise((resolve) => setTimeout(resolve, 200));
            }
          }
          await cache.set('k', 'after');
          assert.equal(await cache.get('k'), 'after');
          await cache.set('n', 1);
          assert.equal(await cache.incr('n'), 2);
        } finally {
          logs.stop();
        }
        const messages = logs.records.map((r) => r.message);
        assert.match(
          messages[0]!,
          /^The cache 'pg' \(DatabaseCache table 'tsgi_cache_table' of DATABASES\['default'\]\) could not be used: .* Reads miss and writes fail until it is back\.$/,
        );
        assert.match(
          messages.at(-1)!,
          /^The cache 'pg' .* is reachable again after \d+ s; \d+ operations failed meanwhile\.$/,
        );
      });
    });
  }
});

eachBackend('manage.ts createcachetable', (backend) => {
  const project = tempDir('tsgi-createcachetable-');
  after(() => project.remove());
  const env = { TSGI_SETTINGS_MODULE: 'cachesettings' };
  before(() => {
    writeFileSync(
      path.join(project.dir, 'cachesettings.ts'),
      `export const DATABASES = { default: ${JSON.stringify(backend.databases.default)} };
export const CACHES = {
  default: { BACKEND: 'tsgi.core.cache.backends.db.DatabaseCache', LOCATION: 'site_cache' },
  again: { BACKEND: 'django.core.cache.backends.db.DatabaseCache', LOCATION: 'site_cache' },
  local: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache' },
};
`,
    );
  });

  test('--dry-run prints the SQL; then the tables of CACHES are made once; named tables too', async () => {
    const wrapper = connections.get('default');
    const dry = await admin(['createcachetable', '--dry-run'], { cwd: project.dir, env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, cacheTableStatements(wrapper, 'site_cache').join('\n') + '\n');
    assert.ok(!(await wrapper.introspection.tableNames()).includes('site_cache'));

    const made = await admin(['createcachetable', '-v', '2'], { cwd: project.dir, env });
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.stdout, "Cache table 'site_cache' created.\n");
    const again = await admin(['createcachetable'], { cwd: project.dir, env });
    assert.equal(again.stdout, "Cache table 'site_cache' already exists.\n");
    const quiet = await admin(['createcachetable', '-v', '0'], { cwd: project.dir, env });
    assert.equal(quiet.stdout, '');

    const named = await admin(['createcachetable', 'named_one', 'named_two'], { cwd: project.dir, env });
    assert.equal(named.code, 0, named.stderr);
    const tables = await wrapper.introspection.tableNames();
    assert.ok(
      tables.includes('site_cache') && tables.includes('named_one') && tables.includes('named_two'),
      String(tables),
    );
  });

  test('a database that refuses the table is a CommandError with the reason', async () => {
    await execute('CREATE TABLE clash (id integer)');
    await execute('CREATE INDEX "taken_expires" ON clash (id)');
    const failed = await admin(['createcachetable', 'taken'], { cwd: project.dir, env });
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /^CommandError: Cache table 'taken' could not be created\.\nThe error was: .*taken_expires.*\.\n$/,
    );
    assert.ok(!(await connections.get('default').introspection.tableNames()).includes('taken'), 'rolled back');
  });
});
