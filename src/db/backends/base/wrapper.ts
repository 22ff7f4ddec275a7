/**
 * A database, as Django's `BaseDatabaseWrapper`, minus the per-thread state: one wrapper per
 * alias and process holds the settings, the backend's operations and schema editor, the
 * connections (SQLite's file, PostgreSQL's pool) and the compiled SQL per query shape. Which
 * connection a query runs on (the transaction of the async context, or an autocommit one) is
 * decided by src/db/transaction.ts; the wrapper only runs it, times it and translates its errors.
 */
import { DatabaseError, wrapDatabaseError, type DatabaseErrorClass } from '../../errors.ts';
import type { BaseDatabaseOperations } from './operations.ts';
import type { BaseIntrospection } from './introspection.ts';
import type { BaseSchemaEditor } from './schema.ts';
import { queryObservers } from '../../observers.ts';

/** A `DATABASES` entry with every key filled in. */
export interface DatabaseSettings {
  ENGINE: string;
  NAME: string;
  USER: string;
  PASSWORD: string;
  HOST: string;
  PORT: string;
  OPTIONS: Record<string, unknown>;
  CONN_MAX_AGE: number | null;
  CONN_HEALTH_CHECKS: boolean;
  ATOMIC_REQUESTS: boolean;
  TEST: Record<string, unknown>;
}

/**
 * Where a plan keeps its prepared statements: SQLite's per connection (by connection number),
 * PostgreSQL's by name (the driver prepares a named statement once per connection).
 */
export interface PreparedSlot {
  readonly name: string;
  statements: unknown[];
  /** The model the plan reads (`blog.Post`), for the N+1 warning. */
  label?: string;
}

/** How to run one statement. */
export interface RunOptions {
  /** Rows as arrays in column order (the ORM), instead of objects keyed by column name. */
  arrays?: boolean;
  /** The statement writes: outside a transaction SQLite runs it under the process's write lock. */
  write?: boolean;
  /** Integers as bigint (SQLite; a 64-bit column beyond 2^53 would fail otherwise). */
  bigints?: boolean;
  /** The plan's slot for the prepared statement; without it the SQL is prepared and cached by text. */
  prepared?: PreparedSlot;
}

/** What a statement returned. */
export interface QueryResult {
  rows: unknown[];
  /** Rows changed by INSERT, UPDATE, DELETE; rows returned by SELECT. */
  rowCount: number;
}

/** One connection leased for a transaction or a request: queries run on it in order. */
export interface Session {
  readonly wrapper: BaseDatabaseWrapper;
  /** When the underlying connection was opened (ms since the epoch), for CONN_MAX_AGE. */
  readonly openedAt: number;
  run(sql: string, params: readonly unknown[], options: RunOptions): QueryResult | Promise<QueryResult>;
  /** Streams a SELECT's rows (arrays) in chunks inside the session's transaction, without holding them all. */
  stream(sql: string, params: readonly unknown[], options: RunOptions, chunkSize: number): AsyncIterable<unknown[][]>;
}

/** What the database can do, as Django's `DatabaseFeatures`. */
export interface DatabaseFeatures {
  /** `DISTINCT ON (fields)`. */
  canDistinctOnFields: boolean;
  /** `SELECT ... FOR UPDATE`. */
  hasSelectForUpdate: boolean;
  /** DDL inside transactions is rolled back with them. */
  canRollbackDdl: boolean;
  /** Native UUID, JSON, interval types. */
  hasNativeUuidField: boolean;
  hasNativeDurationField: boolean;
  /** Server-side cursors for `iterator()`. */
  canStreamResults: boolean;
  /** Constraint checks deferred to commit. */
  supportsDeferrableConstraints: boolean;
}

let planNames = 0;

/** A fresh slot for a plan's prepared statements. */
export function newPreparedSlot(label?: string): PreparedSlot {
  return { name: `tsgi_${(++planNames).toString(36)}`, statements: [], label };
}

/** A statement's parameters as the log shows them. */
export function formatParams(params: readonly unknown[]): string {
  try {
    return JSON.stringify(params, (_key, value: unknown) => {
      if (typeof value === 'bigint') return `${value}n`;
      if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
      return value;
    });
  } catch {
    return String(params);
  }
}

export abstract class BaseDatabaseWrapper {
  readonly alias: string;
  readonly settingsDict: DatabaseSettings;
  abstract readonly vendor: 'sqlite' | 'postgresql' | string;
  /** The backend's name for messages: "SQLite", "PostgreSQL". */
  abstract readonly displayName: string;
  abstract readonly ops: BaseDatabaseOperations;
  abstract readonly features: DatabaseFeatures;
  /** Compiled SQL per query shape (src/db/models/sql/plan.ts): filled by the compiler, never cleared while the wrapper lives. */
  readonly plans = new Map<string, unknown>();
  /** The SQL that starts a transaction. */
  beginSql = 'BEGIN';

  constructor(alias: string, settingsDict: DatabaseSettings) {
    this.alias = alias;
    this.settingsDict = settingsDict;
  }

  /** A session for a new outermost transaction of the current context (held until `endTransaction`). */
  abstract beginTransactionSession(): Promise<Session>;

  /** Gives back a transaction's session once it committed or rolled back. */
  abstract endTransactionSession(session: Session, failed: boolean): Promise<void> | void;

  /** The session for a statement outside any transaction, in the current context. */
  abstract autocommitSession(): Session | Promise<Session>;

  /** Streams a SELECT's rows (arrays) in chunks outside any transaction. */
  abstract autocommitStream(
    sql: string,
    params: readonly unknown[],
    options: RunOptions,
    chunkSize: number,
  ): AsyncIterable<unknown[][]>;

  /** Closes every connection of this wrapper (the process is done with the database). */
  abstract close(): Promise<void>;

  /** Whether the database answers (`SELECT 1`), for checks and CONN_HEALTH_CHECKS. */
  abstract ping(): Promise<void>;

  /** A plain value as this database binds it (booleans, dates, decimals, JSON), for values with no field. */
  abstract adaptValue(value: unknown): unknown;

  /** The error class for a driver's error. */
  protected abstract errorClass(error: unknown): DatabaseErrorClass;

  /** The driver's error code, for DatabaseError.code. */
  protected abstract errorCode(error: unknown): string | undefined;

  abstract readonly introspection: BaseIntrospection;

  /** A schema editor: creates and drops the tables of models. */
  abstract schemaEditor(): BaseSchemaEditor;

  /**
   * Turns the database's foreign key checks off for schema changes to come, outside any
   * transaction (SQLite rebuilds tables other tables point at; it cannot turn the checks off
   * inside a transaction). Returns whether they were on. A no-op where DDL needs no such thing.
   */
  async disableConstraintChecking(): Promise<boolean> {
    return false;
  }

  /** Turns the foreign key checks back on after {@link disableConstraintChecking}. */
  async enableConstraintChecking(): Promise<void> {}

  /** Checks the foreign keys of the tables (all of them by default), in the current transaction: IntegrityError on a broken one. */
  async checkConstraints(_tables?: readonly string[]): Promise<void> {}

  /** The command line of the database's own shell (`dbshell`), with its environment. */
  abstract shellCommand(parameters: readonly string[]): {
    command: string;
    args: string[];
    env: Record<string, string>;
  };

  /**
   * Runs one statement on a session: times it for the `tsgi.db` log and the observers (query
   * capture, the N+1 detector) and turns a driver's error into a DatabaseError carrying the SQL.
   */
  run(
    session: Session,
    sql: string,
    params: readonly unknown[],
    options: RunOptions,
  ): QueryResult | Promise<QueryResult> {
    const observed = queryObservers.active();
    const start = observed ? performance.now() : 0;
    // Counted as it starts, while the stack still holds the code that asked for it (the N+1 warning).
    if (observed && options.prepared !== undefined) queryObservers.starting(options.prepared, sql);
    let result: QueryResult | Promise<QueryResult>;
    try {
      result = session.run(sql, params, options);
    } catch (error) {
      throw this.#failed(error, sql, params, observed, start);
    }
    if (result instanceof Promise) {
      return result.then(
        (done) => {
          if (observed) queryObservers.notify(this, sql, params, performance.now() - start, undefined);
          return done;
        },
        (error: unknown) => {
          throw this.#failed(error, sql, params, observed, start);
        },
      );
    }
    if (observed) queryObservers.notify(this, sql, params, performance.now() - start, undefined);
    return result;
  }

  #failed(error: unknown, sql: string, params: readonly unknown[], observed: boolean, start: number): DatabaseError {
    const wrapped = this.wrapError(error, sql, params);
    if (observed) queryObservers.notify(this, sql, params, performance.now() - start, wrapped);
    return wrapped;
  }

  /** The DatabaseError for a driver's error, with the SQL in its stack for logs. */
  wrapError(error: unknown, sql: string | undefined, params: readonly unknown[] | undefined): DatabaseError {
    if (error instanceof DatabaseError) return error;
    const wrapped = wrapDatabaseError(this.errorClass(error), error, {
      sql,
      params,
      alias: this.alias,
      code: this.errorCode(error),
    });
    // Logs print the stack: the SQL goes there (not the parameters, which may hold secrets; the
    // DEBUG page and the DEBUG query log show them).
    if (sql !== undefined && wrapped.stack !== undefined) {
      wrapped.stack = wrapped.stack.replace(/\n/, `\n    SQL (${this.alias}): ${sql.replace(/\s+/g, ' ')}\n`);
    }
    return wrapped;
  }

  toString(): string {
    return `<${this.displayName} database '${this.alias}'>`;
  }
}
