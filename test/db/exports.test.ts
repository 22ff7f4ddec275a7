// The database layer's public subpaths resolve through package.json "exports" and name what
// docs/db.md promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('tsgi/db and tsgi/db/transaction export the public API', async () => {
  const db = (await import('tsgi/db')) as Record<string, unknown>;
  for (const name of [
    'connections',
    'connection',
    'execute',
    'stream',
    'databaseUrl',
    'parseDatabaseUrl',
    'captureQueries',
    'assertNumQueries',
    'resetQueries',
    'DatabaseError',
    'IntegrityError',
    'OperationalError',
    'ProgrammingError',
    'DataError',
    'InterfaceError',
    'InternalError',
    'NotSupportedError',
    'TransactionManagementError',
  ]) {
    assert.notEqual(db[name], undefined, `tsgi/db ${name}`);
  }
  assert.equal(db.DEFAULT_DB_ALIAS, 'default');
  const transaction = (await import('tsgi/db/transaction')) as Record<string, unknown>;
  for (const name of [
    'atomic',
    'atomicFunction',
    'onCommit',
    'setRollback',
    'getRollback',
    'savepoint',
    'savepointRollback',
    'savepointCommit',
    'nonAtomicRequests',
    'inAtomicBlock',
  ]) {
    assert.equal(typeof transaction[name], 'function', `tsgi/db/transaction ${name}`);
  }
});
