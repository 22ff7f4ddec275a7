// The database layer under the ORM, on both backends: raw SQL, the error classes Django raises
// (with the SQL attached), transactions in the async context (commit, rollback, savepoints,
// onCommit, parallel blocks that never share a transaction), streaming, query capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertNumQueries,
  captureQueries,
  execute,
  IntegrityError,
  OperationalError,
  ProgrammingError,
  stream,
  TransactionManagementError,
} from '../../src/db/index.ts';
import {
  atomic,
  atomicFunction,
  getRollback,
  inAtomicBlock,
  onCommit,
  savepoint,
  savepointRollback,
  setRollback,
} from '../../src/db/transaction.ts';
import { eachBackend } from './helpers.ts';

eachBackend('backends', (backend) => {
  const ph = (n: number) => (backend.name === 'sqlite' ? '?' : `$${n}`);
  const count = async () =>
    Number((await execute('SELECT COUNT(*) AS n FROM item')).rows.map((r) => (r as { n: unknown }).n)[0]);

  test('raw SQL: a table, rows in, rows out', async () => {
    await execute('CREATE TABLE item (id integer PRIMARY KEY, name varchar(50) UNIQUE NOT NULL)');
    const inserted = await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [1, 'one']);
    assert.equal(inserted.rowCount, 1);
    const { rows } = await execute(`SELECT id, name FROM item WHERE name = ${ph(1)}`, ['one']);
    assert.deepEqual(
      rows.map((r) => ({ ...(r as object) })),
      [{ id: 1, name: 'one' }],
    );
  });

  test('a unique violation is an IntegrityError carrying the SQL and parameters', async () => {
    const error = await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [2, 'one']).then(
      () => assert.fail('no error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof IntegrityError, String(error));
    assert.match(error.sql!, /INSERT INTO item/);
    assert.deepEqual(error.params, [2, 'one']);
    assert.match(error.stack!, /SQL \(default\): INSERT INTO item/);
    assert.ok(error.cause instanceof Error);
  });

  test("a missing table is Django's class for the backend (SQLite OperationalError, PostgreSQL ProgrammingError)", async () => {
    const error = await execute('SELECT * FROM nowhere').catch((e: unknown) => e);
    assert.ok(error instanceof (backend.name === 'sqlite' ? OperationalError : ProgrammingError), String(error));
  });

  test('atomic() commits when the function returns and rolls back when it throws', async () => {
    const before = await count();
    const value = await atomic(async () => {
      assert.equal(inAtomicBlock(), true);
      await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [10, 'ten']);
      return 'done';
    });
    assert.equal(value, 'done');
    assert.equal(await count(), before + 1);
    await assert.rejects(
      atomic(async () => {
        await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [11, 'eleven']);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await count(), before + 1);
    assert.equal(inAtomicBlock(), false);
  });

  test('a nested atomic() is a savepoint: its failure is undone alone', async () => {
    const before = await count();
    await atomic(async () => {
      await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [20, 'twenty']);
      await assert.rejects(
        atomic(() => execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [21, 'twenty'])),
        IntegrityError,
      );
      await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [22, 'twenty-two']);
    });
    assert.equal(await count(), before + 2);
  });

  test('after a caught database error, the block refuses queries until it ends, then rolls back', async () => {
    const before = await count();
    await atomic(async () => {
      await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [30, 'thirty']);
      await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [31, 'thirty']).catch(() => undefined);
      await assert.rejects(execute('SELECT 1'), TransactionManagementError);
    });
    assert.equal(await count(), before);
  });

  test('setRollback() rolls back without an error; savepoint()/savepointRollback() by hand', async () => {
    const before = await count();
    await atomic(async () => {
      await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [40, 'forty']);
      setRollback(true);
      assert.equal(getRollback(), true);
    });
    assert.equal(await count(), before);
    await atomic(async () => {
      const sid = await savepoint();
      await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [41, 'forty-one']);
      await savepointRollback(sid);
      await execute(`INSERT INTO item (id, name) VALUES (${ph(1)}, ${ph(2)})`, [42, 'forty-two']);
    });
    assert.equal(await count(), before + 1);
    assert.throws(() => setRollback(true), TransactionManagementError);
  });

  test('onCommit() runs after the outermost commit, never after a rollback, at once outside a transaction', async () => {
    const calls: string[] = [];
    await atomic(async () => {
      onCommit(() => void calls.push('outer'));
      await atomic(async () => {
        onCommit(() => void calls.push('inner'));
      });
      await atomic(async () => {
        onCommit(() => void calls.push('rolled back'));
        throw new Error('undo');
      }).catch(() => undefined);
      assert.deepEqual(calls, []);
    });
    assert.deepEqual(calls, ['outer', 'inner']);
    await atomic(async () => {
      onCommit(() => void calls.push('never'));
      throw new Error('x');
    }).catch(() => undefined);
    onCommit(() => void calls.push('now'));
    assert.deepEqual(calls, ['outer', 'inner', 'now']);
  });

  test('durable blocks refuse to nest; a query after its block ended is refused', async () => {
    await assert.rejects(
      atomic(() => atomic({ durable: true }, () => 1)),
      /durable atomic block cannot be nested/,
    );
    let escaped: Promise<unknown> | undefined;
    await atomic(async () => {
      escaped = sleep(20).then(() => execute('SELECT 1'));
    });
    await assert.rejects(escaped!, /after its atomic\(\) block had ended/);
  });

  test('parallel atomic() blocks never share a transaction: exactly the committed half stays', async () => {
    await execute('CREATE TABLE ledger (id integer PRIMARY KEY, n integer NOT NULL)');
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        atomic(async () => {
          await execute(`INSERT INTO ledger (id, n) VALUES (${ph(1)}, ${ph(2)})`, [i, i]);
          await sleep(1);
          // Another block's rows are not visible before it commits.
          const { rows } = await execute(`SELECT COUNT(*) AS n FROM ledger WHERE id = ${ph(1)}`, [i]);
          assert.equal(Number((rows[0] as { n: unknown }).n), 1);
          if (i % 2 === 1) throw new Error(`roll back ${i}`);
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'rejected').length, 10);
    const { rows } = await execute('SELECT id FROM ledger ORDER BY id');
    assert.deepEqual(
      rows.map((r) => Number((r as { id: unknown }).id)),
      [0, 2, 4, 6, 8, 10, 12, 14, 16, 18],
    );
  });

  test('atomicFunction() wraps a function so that each call is atomic', async () => {
    const insert = atomicFunction(async (id: number) => {
      await execute(`INSERT INTO ledger (id, n) VALUES (${ph(1)}, ${ph(2)})`, [id, 0]);
      if (id < 0) throw new Error('negative');
      return id;
    });
    assert.equal(await insert(100), 100);
    await assert.rejects(insert(-1), /negative/);
    const { rows } = await execute('SELECT COUNT(*) AS n FROM ledger WHERE id IN (100, -1)');
    assert.equal(Number((rows[0] as { n: unknown }).n), 1);
  });

  test('stream() yields the rows of a large SELECT in chunks, inside and outside a transaction', async () => {
    await execute('CREATE TABLE numbers (n integer NOT NULL)');
    await execute(
      `INSERT INTO numbers (n) SELECT x FROM (${backend.name === 'sqlite' ? 'WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 5000) SELECT x FROM s' : 'SELECT generate_series(1, 5000) AS x'}) t`,
    );
    let total = 0;
    let seen = 0;
    for await (const row of stream('SELECT n FROM numbers ORDER BY n', [], { chunkSize: 700 })) {
      total += Number((row as { n: unknown }).n);
      seen++;
    }
    assert.equal(seen, 5000);
    assert.equal(total, (5000 * 5001) / 2);
    await atomic(async () => {
      let n = 0;
      for await (const row of stream('SELECT n FROM numbers WHERE n <= 1000', [], { chunkSize: 100 })) {
        n++;
        if (n === 10) await execute('SELECT 1');
        void row;
      }
      assert.equal(n, 1000);
    });
  });

  test('captureQueries() and assertNumQueries() count the queries of their own async context only', async () => {
    const [, queries] = await captureQueries(async () => {
      await execute('SELECT 1');
      await atomic(() => execute('SELECT 2'));
    });
    assert.deepEqual(
      queries.map((q) => q.sql),
      backend.name === 'sqlite'
        ? ['SELECT 1', 'BEGIN IMMEDIATE', 'SELECT 2', 'COMMIT']
        : ['SELECT 1', 'BEGIN', 'SELECT 2', 'COMMIT'],
    );
    await assertNumQueries(1, () => execute('SELECT 3'));
    await assert.rejects(
      assertNumQueries(2, () => execute('SELECT 4')),
      /1 queries executed, 2 expected/,
    );
  });
});
