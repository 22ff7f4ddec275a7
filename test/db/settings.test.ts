// DATABASES as a user writes it: each mistake is one sentence naming the setting and the fix,
// at first use and at `check`; DATABASE_URL in its usual spellings.
import { test } from 'node:test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { overrideSettings, settings } from '../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';
import { checkDatabases } from '../../src/db/checks.ts';
import { connections } from '../../src/db/connections.ts';
import { databaseUrl, execute, OperationalError, parseDatabaseUrl } from '../../src/db/index.ts';

if (!settings.configured) settings.configure({});

async function withDatabases<T>(databases: unknown, fn: () => Promise<T>): Promise<T> {
  const restore = overrideSettings({ DATABASES: databases as never });
  try {
    return await fn();
  } finally {
    await connections.reset();
    restore();
  }
}

test('a wrong ENGINE is one sentence naming the setting and the fix, with the closest backend', async () => {
  await withDatabases({ default: { ENGINE: 'tsgi.db.backends.mysql', NAME: 'x' } }, async () => {
    assert.throws(
      () => connections.get(),
      new ImproperlyConfigured(
        "DATABASES['default'].ENGINE is 'tsgi.db.backends.mysql', which is not a database backend: use 'tsgi.db.backends.sqlite3' or 'tsgi.db.backends.postgresql'.",
      ),
    );
  });
  await withDatabases({ default: { ENGINE: 'tsgi.db.backends.sqlite', NAME: 'x' } }, async () => {
    assert.throws(() => connections.get(), /did you mean 'tsgi.db.backends.sqlite3'\?/);
    const [message] = await checkDatabases();
    assert.equal(message!.id, 'db.E001');
    assert.match(
      String(message),
      /^DATABASES\['default'\]: \(db\.E001\) DATABASES\['default'\]\.ENGINE is 'tsgi.db.backends.sqlite'/,
    );
  });
});

test("Django's backend names are accepted", async () => {
  await withDatabases({ default: { ENGINE: 'django.db.backends.sqlite3', NAME: ':memory:' } }, async () => {
    assert.equal(connections.get().vendor, 'sqlite');
    const { rows } = await execute('SELECT 1 AS one');
    assert.equal((rows[0] as { one: number }).one, 1);
  });
});

test('no DATABASES entry, no ENGINE, no NAME: each a sentence with the fix', async () => {
  await withDatabases({}, async () => {
    assert.throws(
      () => connections.get(),
      /^ImproperlyConfigured: The database 'default' is not in DATABASES: add DATABASES = \{ default: \{ ENGINE: 'tsgi.db.backends.sqlite3'/,
    );
  });
  await withDatabases({ default: { NAME: 'x' } }, async () => {
    assert.throws(() => connections.get(), {
      message:
        "DATABASES['default'] has no ENGINE: set ENGINE to 'tsgi.db.backends.sqlite3' or 'tsgi.db.backends.postgresql'.",
    });
  });
  await withDatabases({ default: { ENGINE: 'tsgi.db.backends.sqlite3' } }, async () => {
    assert.throws(
      () => connections.get(),
      /DATABASES\['default'\] uses SQLite but has no NAME: set NAME to the database file/,
    );
  });
  await withDatabases(
    { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: ':memory:', CONN_MAX_AGE: -1 } },
    async () => {
      assert.throws(
        () => connections.get(),
        /CONN_MAX_AGE is -1: use a number of seconds \(0 for none\) or null \(no limit\)\./,
      );
    },
  );
});

test('an unreachable PostgreSQL server is an OperationalError naming the alias, the place and the fix, and a check warning', async () => {
  const databases = {
    default: { ENGINE: 'tsgi.db.backends.postgresql', NAME: 'app', HOST: '/nonexistent/socket/folder', PORT: 5432 },
  };
  await withDatabases(databases, async () => {
    const error = await execute('SELECT 1').catch((e: unknown) => e);
    assert.ok(error instanceof OperationalError);
    assert.match(
      error.message,
      /^Could not connect to the PostgreSQL database 'app' of DATABASES\['default'\] at the socket folder \/nonexistent\/socket\/folder \(port 5432\): .+\. Check that the server is running there and that HOST and PORT are right\.$/,
    );
    const [message] = await checkDatabases();
    assert.equal(message!.id, 'db.W001');
  });
});

test('check creates no SQLite file: a file not made yet passes when its folder is writable, a missing folder is a warning', async () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-check-'));
  try {
    const file = path.join(folder, 'db.sqlite3');
    await withDatabases({ default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: file } }, async () => {
      assert.deepEqual(await checkDatabases(), []);
      assert.equal(existsSync(file), false);
    });
    const missing = path.join(folder, 'no', 'such', 'db.sqlite3');
    await withDatabases({ default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: missing } }, async () => {
      const [message] = await checkDatabases();
      assert.equal(message!.id, 'db.W001');
      assert.match(
        message!.msg,
        /^Could not open the SQLite database '.*db\.sqlite3' \(DATABASES\['default'\]\.NAME\): .+\. Check that the folder exists and is writable\.$/,
      );
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('parseDatabaseUrl(): SQLite paths, PostgreSQL with credentials, sockets and options', () => {
  assert.deepEqual(parseDatabaseUrl('sqlite:///db.sqlite3', { baseDir: '/srv/app' }), {
    ENGINE: 'tsgi.db.backends.sqlite3',
    NAME: '/srv/app/db.sqlite3',
    OPTIONS: {},
  });
  assert.equal(parseDatabaseUrl('sqlite:////var/db/app.sqlite3').NAME, '/var/db/app.sqlite3');
  assert.equal(parseDatabaseUrl('sqlite://:memory:').NAME, ':memory:');
  assert.deepEqual(
    parseDatabaseUrl('postgres://app:s%40cret@db.internal:6432/shop?sslmode=require&application_name=web'),
    {
      ENGINE: 'tsgi.db.backends.postgresql',
      NAME: 'shop',
      USER: 'app',
      PASSWORD: 's@cret',
      HOST: 'db.internal',
      PORT: '6432',
      OPTIONS: { sslmode: 'require', application_name: 'web' },
    },
  );
  assert.equal(parseDatabaseUrl('postgresql://%2Fvar%2Frun%2Fpostgresql/app').HOST, '/var/run/postgresql');
  assert.equal(parseDatabaseUrl('postgres:///app?host=/tmp/pg').HOST, '/tmp/pg');
  assert.throws(() => parseDatabaseUrl('mysql://u:secret@h/db'), {
    message:
      'The database URL "mysql://u:********@h/db" has the unknown scheme \'mysql\': write sqlite:///path/to/db.sqlite3 or postgres://user:password@host:5432/name.',
  });
});

test('databaseUrl() reads DATABASE_URL, falls back to its default, and merges extra settings', () => {
  const saved = process.env.DATABASE_URL;
  try {
    delete process.env.DATABASE_URL;
    assert.throws(
      () => databaseUrl(),
      /The environment variable DATABASE_URL is not set and databaseUrl\(\) has no default/,
    );
    assert.equal(databaseUrl({ default: 'sqlite://:memory:' }).NAME, ':memory:');
    process.env.DATABASE_URL = 'postgres://u:p@h/n?connect_timeout=5';
    const config = databaseUrl({
      default: 'sqlite://:memory:',
      extra: { CONN_MAX_AGE: 60, OPTIONS: { pool: { maxSize: 4 } } },
    });
    assert.equal(config.ENGINE, 'tsgi.db.backends.postgresql');
    assert.equal(config.CONN_MAX_AGE, 60);
    assert.deepEqual(config.OPTIONS, { connect_timeout: '5', pool: { maxSize: 4 } });
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
});
