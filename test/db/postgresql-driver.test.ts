// The PostgreSQL backend's connection layer on a real server: the values raw SQL binds and reads
// (as the ORM's fields expect them: 64-bit integers, numerics and datetimes as text, arrays with
// NULLs and quotes, JSON, bytes), the plans run as prepared statements, a connection lost inside
// a transaction failing loudly instead of going on in autocommit, the pool's limit, several
// statements in one text, and the server's notices kept off the console.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { overrideSettings } from '../../src/conf/index.ts';
import type { DatabaseConfig } from '../../src/conf/global-settings.ts';
import { connections } from '../../src/db/connections.ts';
import { execute, OperationalError } from '../../src/db/index.ts';
import { atomic } from '../../src/db/transaction.ts';
import { CharField, Model } from '../../src/db/models/index.ts';
import { withSchemaEditor } from '../../src/db/index.ts';
import { postgresSkip } from './helpers.ts';
import { startPostgres, type PostgresServer } from './postgres.ts';

class Note extends Model.define({ text: new CharField({ maxLength: 50 }) }, { appLabel: 'pgdriver' }) {}

describe('the PostgreSQL connection layer', { skip: postgresSkip() }, () => {
  let server: PostgresServer;
  let restore: () => void;
  let database: DatabaseConfig;

  before(async () => {
    server = await startPostgres();
    database = {
      ENGINE: 'tsgi.db.backends.postgresql',
      NAME: server.name,
      USER: server.user,
      HOST: server.host,
      PORT: server.port,
    };
    restore = overrideSettings({ DATABASES: { default: database } });
  });
  after(async () => {
    await connections.closeAll();
    restore();
    await connections.reset();
    await server.stop();
  });

  test('raw parameters are bound as text the server types: booleans, dates, arrays, objects, bigint, bytes', async () => {
    const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    const { rows } = await execute(
      'SELECT $1::boolean AS b, $2::timestamptz = $3::timestamptz AS same, $4::int[] AS ints, $5::text[] AS texts, ' +
        '$6::jsonb AS doc, $7::bigint AS big, $8::bytea AS bytes, $9::text AS flag, $10::numeric AS amount',
      [
        true,
        date,
        '2024-01-02T03:04:05.678Z',
        [1, null, 3],
        ['a "quoted" one', 'b,c', 'back\\slash', null],
        { a: [1, 'two'] },
        2n ** 60n,
        new Uint8Array([0, 1, 255]),
        false,
        '12345678901234567890.123456789',
      ],
    );
    assert.deepEqual(
      { ...(rows[0] as object) },
      {
        b: true,
        same: true,
        ints: [1, null, 3],
        texts: ['a "quoted" one', 'b,c', 'back\\slash', null],
        doc: { a: [1, 'two'] },
        big: '1152921504606846976',
        bytes: Buffer.from([0, 1, 255]),
        flag: 'false',
        amount: '12345678901234567890.123456789',
      },
    );
  });

  test('results: integers and floats as numbers; int8, numeric, dates, times and intervals as the server wrote them', async () => {
    const { rows } = await execute(
      "SELECT 1::int2 AS small, 2::int4 AS int, 3::int8 AS big, 1.5::float8 AS float, 'NaN'::float4 AS nan, " +
        "1.10::numeric(5,2) AS amount, '2024-02-29'::date AS day, '10:11:12.345678'::time AS time, " +
        "'2024-02-29 10:11:12.345678'::timestamp AS naive, '2024-02-29 10:11:12.345678+00'::timestamptz AS aware, " +
        "'1 day 02:03:04.5'::interval AS span, 'ab'::bytea AS bytes, '{\"k\": [true, null]}'::json AS doc, " +
        "true AS yes, false AS no, NULL::text AS nothing, '8b0e5a63-8f2e-4a39-9b4b-2c2a9b0f7e1d'::uuid AS id",
    );
    assert.deepEqual(
      { ...(rows[0] as object) },
      {
        small: 1,
        int: 2,
        big: '3',
        float: 1.5,
        nan: NaN,
        amount: '1.10',
        day: '2024-02-29',
        time: '10:11:12.345678',
        naive: '2024-02-29 10:11:12.345678',
        aware: '2024-02-29 10:11:12.345678+00',
        span: '1 day 02:03:04.5',
        bytes: Buffer.from('ab'),
        doc: { k: [true, null] },
        yes: true,
        no: false,
        nothing: null,
        id: '8b0e5a63-8f2e-4a39-9b4b-2c2a9b0f7e1d',
      },
    );
    const arrays = await execute(
      'SELECT ARRAY[1, NULL]::int8[] AS bigs, ARRAY[1.50]::numeric[] AS amounts, ARRAY[[1, 2], [3, 4]]::int2[] AS grid, ' +
        "ARRAY['x', 'NULL', '', NULL]::text[] AS texts, ARRAY['id', 'name']::name[] AS names, ARRAY[true, false] AS flags, " +
        "ARRAY['{\"a\": 1}']::jsonb[] AS docs, '{}'::int[] AS empty, '[0:1]={5,6}'::int[] AS bounded",
    );
    assert.deepEqual(
      { ...(arrays.rows[0] as object) },
      {
        bigs: ['1', null],
        amounts: ['1.50'],
        grid: [
          [1, 2],
          [3, 4],
        ],
        texts: ['x', 'NULL', '', null],
        names: ['id', 'name'],
        flags: [true, false],
        docs: [{ a: 1 }],
        empty: [],
        bounded: [5, 6],
      },
    );
  });

  test("the ORM's plans run as prepared statements; other statements do not leave any", async () => {
    await withSchemaEditor((editor) => editor.createModel(Note));
    await Note.objects.create({ text: 'one' });
    await execute('SELECT $1::int AS n', [1]);
    assert.equal((await Note.objects.get({ text: 'one' })).text, 'one');
    const { rows } = await execute('SELECT statement FROM pg_prepared_statements');
    const statements = rows.map((r) => String((r as { statement: unknown }).statement));
    assert.ok(
      statements.some((s) => s.includes('FROM "pgdriver_note"')),
      statements.join('\n'),
    );
    assert.ok(!statements.some((s) => s.includes('$1::int AS n')), statements.join('\n'));
  });

  test('several statements in one text run, and the result is the last one', async () => {
    const result = await execute('CREATE TABLE twice (n int); INSERT INTO twice VALUES (1), (2); SELECT n FROM twice');
    assert.deepEqual(
      result.rows.map((r) => (r as { n: number }).n),
      [1, 2],
    );
  });

  test('a connection lost inside a transaction fails the rest of the block, never commits half of it', async () => {
    await execute('CREATE TABLE lost (n int)');
    const error = await atomic(async () => {
      await execute('INSERT INTO lost VALUES (1)');
      const pid = (await execute('SELECT pg_backend_pid() AS pid')).rows.map((r) => (r as { pid: number }).pid)[0];
      // Another client ends this connection, server side.
      const admin = postgres({ host: server.host, port: server.port, user: server.user, database: server.name });
      await admin`SELECT pg_terminate_backend(${pid!})`;
      await admin.end();
      await sleep(100);
      await execute('INSERT INTO lost VALUES (2)');
    }).catch((e: unknown) => e);
    assert.ok(error instanceof OperationalError, String(error));
    // The next queries run on a new connection: the block's rows are gone.
    const { rows } = await execute('SELECT COUNT(*)::int AS n FROM lost');
    assert.equal((rows[0] as { n: number }).n, 0);
  });

  test('a lease waits at most OPTIONS.pool.timeout for a free connection, then says so', async () => {
    await connections.closeAll();
    const restoreSmall = overrideSettings({
      DATABASES: { default: { ...database, OPTIONS: { pool: { maxSize: 1, timeout: 0.2 } } } },
    });
    try {
      // Two blocks at once: the second needs a connection of its own while the first holds the only one.
      const [first, error] = await Promise.all([
        atomic(async () => {
          await execute('SELECT 1');
          await sleep(400);
          return 'first';
        }),
        sleep(50).then(() => atomic(() => execute('SELECT 1')).catch((e: unknown) => e)),
      ]);
      assert.equal(first, 'first');
      assert.ok(error instanceof OperationalError, String(error));
      assert.match(String((error as Error).message), /timeout exceeded when trying to connect/);
    } finally {
      await connections.closeAll();
      restoreSmall();
    }
  });

  test("the server's notices are not printed", async () => {
    const printed: unknown[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => printed.push(args);
    try {
      await execute("DO $$ BEGIN RAISE NOTICE 'a notice'; END $$");
      await execute('DROP TABLE IF EXISTS no_such_table');
    } finally {
      console.log = log;
    }
    assert.deepEqual(printed, []);
  });
});
