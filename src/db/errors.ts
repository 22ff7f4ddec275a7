/**
 * The database errors, as Django's `django.db.utils` (PEP 249's hierarchy): whichever driver
 * raised it, a unique violation is an `IntegrityError`, a lost server an `OperationalError`, and
 * so on. Each carries the SQL and the parameters of the failing query (`sql`, `params`), which the
 * DEBUG 500 page and the `tsgi.db` logger show; the driver's own error is the `cause`.
 */

/** The base of every database error. */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
  /** The SQL of the query that failed, when a query failed. */
  sql: string | undefined;
  /** Its parameters. */
  params: readonly unknown[] | undefined;
  /** The database alias (`default`). */
  alias: string | undefined;
  /** The driver's error code (SQLite's `SQLITE_CONSTRAINT_UNIQUE`, PostgreSQL's SQLSTATE `23505`). */
  code: string | undefined;
}

/** The database's interface failed (a closed connection used). */
export class InterfaceError extends DatabaseError {
  override name = 'InterfaceError';
}

/** A value does not fit (too long, out of range, a bad date). */
export class DataError extends DatabaseError {
  override name = 'DataError';
}

/** The server or the file could not do it (unreachable, locked, out of space). */
export class OperationalError extends DatabaseError {
  override name = 'OperationalError';
}

/** A constraint was violated (unique, foreign key, not null, check). */
export class IntegrityError extends DatabaseError {
  override name = 'IntegrityError';
}

/** The database is in a state it cannot go on from (an aborted transaction). */
export class InternalError extends DatabaseError {
  override name = 'InternalError';
}

/** The SQL is wrong (a missing table, a syntax error). */
export class ProgrammingError extends DatabaseError {
  override name = 'ProgrammingError';
}

/** The database cannot do what was asked (a feature of another backend). */
export class NotSupportedError extends DatabaseError {
  override name = 'NotSupportedError';
}

/** `atomic()` or a transaction function was used wrongly (a query after an error in a transaction). */
export class TransactionManagementError extends ProgrammingError {
  override name = 'TransactionManagementError';
}

/** The class of a database error. */
export type DatabaseErrorClass = new (message?: string, options?: ErrorOptions) => DatabaseError;

/**
 * Builds the database error for a driver's error, with the query attached. The message is the
 * driver's (the database's own words name the table, the constraint, the value).
 */
export function wrapDatabaseError(
  kind: DatabaseErrorClass,
  cause: unknown,
  query: { sql?: string; params?: readonly unknown[]; alias?: string; code?: string },
): DatabaseError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const error = new kind(message, { cause });
  error.sql = query.sql;
  error.params = query.params;
  error.alias = query.alias;
  error.code = query.code;
  return error;
}
