// The database layer's public subpaths resolve through package.json "exports" and name what
// docs/db.md promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('tsgi/db, tsgi/db/transaction and tsgi/db/models export the public API', async () => {
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
  const models = (await import('tsgi/db/models')) as Record<string, unknown>;
  for (const name of [
    'Model',
    'Manager',
    'QuerySet',
    'Q',
    'F',
    'Value',
    'Count',
    'Sum',
    'Avg',
    'Min',
    'Max',
    'Trunc',
    'Prefetch',
    'CharField',
    'TextField',
    'IntegerField',
    'BigIntegerField',
    'DecimalField',
    'BooleanField',
    'DateField',
    'TimeField',
    'DateTimeField',
    'DurationField',
    'UUIDField',
    'JSONField',
    'BinaryField',
    'EmailField',
    'SlugField',
    'URLField',
    'FileField',
    'ImageField',
    'ForeignKey',
    'OneToOneField',
    'ManyToManyField',
    'CASCADE',
    'PROTECT',
    'RESTRICT',
    'SET_NULL',
    'SET_DEFAULT',
    'SET',
    'DO_NOTHING',
    'ProtectedError',
    'Index',
    'UniqueConstraint',
    'CheckConstraint',
    'preSave',
    'postSave',
    'preDelete',
    'postDelete',
    'm2mChanged',
    'Decimal',
    'ValidationError',
    'ObjectDoesNotExist',
  ]) {
    assert.notEqual(models[name], undefined, `tsgi/db/models ${name}`);
  }
});
