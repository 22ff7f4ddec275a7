/**
 * `tsgi.db.backends.sqlite3`: SQLite through `node:sqlite`, the embedded default.
 *
 * node:sqlite is synchronous: a statement runs on the thread, and a busy file makes it wait
 * there. So the connections are laid out for one worker serving many requests:
 * - file databases are opened in WAL mode with a busy timeout (OPTIONS.timeout, 5 s as Python's
 *   sqlite3), so several workers share the file;
 * - autocommit statements run on one connection, transactions on a second one, so reads outside
 *   a transaction never wait for it (WAL readers see the last commit);
 * - the writers of the process take turns on an async lock: a transaction holds it from its
 *   `BEGIN IMMEDIATE` to its end, an autocommit write for its statement. Two transactions of one
 *   worker therefore never meet in SQLite's busy handler, which would block the thread.
 * An in-memory database is one connection (a second would be another database): everything
 * outside the running transaction waits for it.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { ImproperlyConfigured } from '../../../core/exceptions.ts';
import {
  DataError,
  DatabaseError,
  IntegrityError,
  InterfaceError,
  InternalError,
  OperationalError,
  type DatabaseErrorClass,
} from '../../errors.ts';
import { runStatement } from '../../transaction.ts';
import { AsyncMutex } from '../base/mutex.ts';
import {
  BaseDatabaseWrapper,
  type DatabaseFeatures,
  type DatabaseSettings,
  type QueryResult,
  type RunOptions,
  type Session,
} from '../base/wrapper.ts';
import { registerFunctions } from './functions.ts';
import { SqliteIntrospection } from './introspection.ts';
import { SqliteOperations } from './operations.ts';
import { adaptParam } from './adapt.ts';
import { SqliteSchemaEditor } from './schema.ts';

const TRANSACTION_MODES = ['DEFERRED', 'IMMEDIATE', 'EXCLUSIVE'];
/** Statements prepared from raw SQL kept per connection (the ORM's plans keep their own). */
const RAW_STATEMENTS_KEPT = 200;

interface Prepared {
  statement: StatementSync;
  reader: boolean;
}

/** One node:sqlite connection with its prepared statements. */
class SqliteConnection {
  readonly db: DatabaseSync;
  /** 0 for the autocommit connection, 1 for the transaction one: the index of a plan's statement slot. */
  readonly index: number;
  readonly openedAt = Date.now();
  #raw = new Map<string, Prepared>();

  constructor(db: DatabaseSync, index: number) {
    this.db = db;
    this.index = index;
  }

  #prepare(sql: string, options: RunOptions): Prepared {
    const slot = options.prepared;
    if (slot !== undefined) {
      let prepared = slot.statements[this.index] as Prepared | undefined;
      if (prepared === undefined) {
        prepared = this.#make(sql);
        prepared.statement.setReturnArrays(options.arrays === true);
        prepared.statement.setReadBigInts(options.bigints === true);
        slot.statements[this.index] = prepared;
      }
      return prepared;
    }
    let prepared = this.#raw.get(sql);
    if (prepared === undefined) {
      prepared = this.#make(sql);
      if (this.#raw.size >= RAW_STATEMENTS_KEPT) this.#raw.delete(this.#raw.keys().next().value!);
      this.#raw.set(sql, prepared);
    }
    prepared.statement.setReturnArrays(options.arrays === true);
    prepared.statement.setReadBigInts(options.bigints === true);
    return prepared;
  }

  #make(sql: string): Prepared {
    const statement = this.db.prepare(sql);
    return { statement, reader: statement.columns().length > 0 };
  }

  run(sql: string, params: readonly unknown[], options: RunOptions): QueryResult {
    const { statement, reader } = this.#prepare(sql, options);
    // The ORM's plans bind values its fields already converted; raw SQL's are adapted here.
    const bound = options.prepared !== undefined || params.length === 0 ? params : params.map(adaptParam);
    if (reader) {
      const rows = statement.all(...(bound as never[]));
      return { rows, rowCount: rows.length };
    }
    const result = statement.run(...(bound as never[]));
    return { rows: [], rowCount: Number(result.changes) };
  }

  *iterate(sql: string, params: readonly unknown[], options: RunOptions): Generator<unknown> {
    // A statement of its own: an open iterator on a shared one would be reset by its next run.
    const statement = this.db.prepare(sql);
    statement.setReturnArrays(options.arrays === true);
    statement.setReadBigInts(options.bigints === true);
    yield* statement.iterate(...(params.map(adaptParam) as never[]));
  }

  close(): void {
    this.#raw.clear();
    if (this.db.isOpen) this.db.close();
  }
}

async function* chunked(rows: Iterable<unknown>, size: number): AsyncGenerator<unknown[][]> {
  let chunk: unknown[][] = [];
  for (const row of rows) {
    chunk.push(row as unknown[]);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

export class DatabaseWrapper extends BaseDatabaseWrapper {
  readonly vendor = 'sqlite';
  readonly displayName = 'SQLite';
  readonly ops = new SqliteOperations();
  readonly features: DatabaseFeatures = {
    canDistinctOnFields: false,
    hasSelectForUpdate: false,
    canRollbackDdl: true,
    hasNativeUuidField: false,
    hasNativeDurationField: false,
    canStreamResults: true,
    supportsDeferrableConstraints: true,
  };
  readonly introspection: SqliteIntrospection = new SqliteIntrospection(this);
  readonly memory: boolean;
  #main: SqliteConnection | undefined;
  #tx: SqliteConnection | undefined;
  #lock = new AsyncMutex();
  #autocommit: Session;
  /** Foreign key checks are off (schema changes under way): connections opened meanwhile too. */
  #constraintsOff = false;

  constructor(alias: string, settingsDict: DatabaseSettings) {
    super(alias, settingsDict);
    const name = settingsDict.NAME;
    if (name === '' || name === undefined) {
      throw new ImproperlyConfigured(
        `DATABASES['${alias}'] uses SQLite but has no NAME: set NAME to the database file, for example path.join(BASE_DIR, 'db.sqlite3'), or ':memory:'.`,
      );
    }
    this.memory = name === ':memory:' || /[?&]mode=memory\b/.test(name);
    const mode = String(
      settingsDict.OPTIONS.transactionMode ?? settingsDict.OPTIONS.transaction_mode ?? 'IMMEDIATE',
    ).toUpperCase();
    if (!TRANSACTION_MODES.includes(mode)) {
      throw new ImproperlyConfigured(
        `DATABASES['${alias}'].OPTIONS.transactionMode is ${JSON.stringify(mode)}: use 'DEFERRED', 'IMMEDIATE' (the default) or 'EXCLUSIVE'.`,
      );
    }
    this.beginSql = `BEGIN ${mode}`;
    this.#autocommit = {
      wrapper: this,
      openedAt: Date.now(),
      run: (sql, params, options) => this.#runAutocommit(sql, params, options),
      stream: (sql, params, options, chunkSize) => this.autocommitStream(sql, params, options, chunkSize),
    };
  }

  #open(index: number): SqliteConnection {
    const options = this.settingsDict.OPTIONS;
    const timeout = Number(options.timeout ?? 5) * 1000;
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(this.settingsDict.NAME, { timeout, enableForeignKeyConstraints: true });
    } catch (error) {
      throw this.wrapError(
        new Error(
          `Could not open the SQLite database '${this.settingsDict.NAME}' (DATABASES['${this.alias}'].NAME): ${(error as Error).message}. ` +
            'Check that the folder exists and is writable.',
          { cause: error },
        ),
        undefined,
        undefined,
      );
    }
    if (!this.memory) db.exec('PRAGMA journal_mode = WAL');
    db.exec(this.#constraintsOff ? 'PRAGMA foreign_keys = OFF' : 'PRAGMA foreign_keys = ON');
    registerFunctions(db);
    const init = options.initCommand ?? options.init_command;
    if (typeof init === 'string' && init !== '') db.exec(init);
    return new SqliteConnection(db, index);
  }

  #mainConnection(): SqliteConnection {
    return (this.#main ??= this.#open(0));
  }

  #txConnection(): SqliteConnection {
    if (this.memory) return this.#mainConnection();
    return (this.#tx ??= this.#open(1));
  }

  #runAutocommit(sql: string, params: readonly unknown[], options: RunOptions): QueryResult | Promise<QueryResult> {
    const waits = this.memory || options.write === true;
    if (!waits || !this.#lock.held) return this.#mainConnection().run(sql, params, options);
    return this.#lock.acquire().then(() => {
      try {
        return this.#mainConnection().run(sql, params, options);
      } finally {
        this.#lock.release();
      }
    });
  }

  autocommitSession(): Session {
    return this.#autocommit;
  }

  autocommitStream(
    sql: string,
    params: readonly unknown[],
    options: RunOptions,
    chunkSize: number,
  ): AsyncIterable<unknown[][]> {
    return chunked(this.#mainConnection().iterate(sql, params, options), chunkSize);
  }

  async beginTransactionSession(): Promise<Session> {
    await this.#lock.acquire();
    let connection: SqliteConnection;
    try {
      connection = this.#txConnection();
    } catch (error) {
      this.#lock.release();
      throw error;
    }
    return {
      wrapper: this,
      openedAt: connection.openedAt,
      run: (sql, params, options) => connection.run(sql, params, options),
      stream: (sql, params, options, chunkSize) => chunked(connection.iterate(sql, params, options), chunkSize),
    };
  }

  endTransactionSession(): void {
    this.#lock.release();
  }

  /**
   * Whether the database can be opened. A file not made yet is not created (the check command
   * pings, and a check should leave no file behind): its folder must exist and be writable.
   */
  async ping(): Promise<void> {
    const name = this.settingsDict.NAME;
    if (this.#main === undefined && !this.memory && !name.startsWith('file:') && !existsSync(name)) {
      try {
        accessSync(path.dirname(path.resolve(name)), constants.W_OK);
      } catch (error) {
        throw this.wrapError(
          new Error(
            `Could not open the SQLite database '${name}' (DATABASES['${this.alias}'].NAME): ${(error as Error).message}. ` +
              'Check that the folder exists and is writable.',
            { cause: error },
          ),
          undefined,
          undefined,
        );
      }
      return;
    }
    this.run(this.#autocommit, 'SELECT 1', [], {});
  }

  override async disableConstraintChecking(): Promise<boolean> {
    return this.#setForeignKeys(false);
  }

  override async enableConstraintChecking(): Promise<void> {
    await this.#setForeignKeys(true);
  }

  /** Sets the foreign key checks on every connection, between transactions (the writers' lock held). */
  async #setForeignKeys(on: boolean): Promise<boolean> {
    await this.#lock.acquire();
    try {
      const was = !this.#constraintsOff;
      this.#constraintsOff = !on;
      for (const connection of [this.#main, this.#tx]) {
        if (connection?.db.isOpen) connection.db.exec(`PRAGMA foreign_keys = ${on ? 'ON' : 'OFF'}`);
      }
      return was;
    } finally {
      this.#lock.release();
    }
  }

  override async checkConstraints(tables?: readonly string[]): Promise<void> {
    const names = tables ?? (await this.introspection.tableNames());
    for (const table of names) {
      const rows = (await runStatement(this, `PRAGMA foreign_key_check(${this.ops.quoteName(table)})`, [], {}))
        .rows as Array<{ table: string; rowid: number | null; parent: string; fkid: number }>;
      if (rows.length === 0) continue;
      const [first] = rows;
      const fks = (await runStatement(this, `PRAGMA foreign_key_list(${this.ops.quoteName(table)})`, [], {}))
        .rows as Array<{ id: number; from: string; to: string | null }>;
      const fk = fks.find((f) => f.id === first!.fkid);
      throw new IntegrityError(
        `The row in table '${table}' with rowid ${String(first!.rowid)} has an invalid foreign key: ${table}.${fk?.from ?? '?'} ` +
          `contains a value that does not have a corresponding value in ${first!.parent}.${fk?.to ?? 'id'}` +
          (rows.length > 1 ? ` (and ${rows.length - 1} more rows).` : '.'),
      );
    }
  }

  async close(): Promise<void> {
    this.#main?.close();
    this.#tx?.close();
    this.#main = undefined;
    this.#tx = undefined;
  }

  shellCommand(parameters: readonly string[]): { command: string; args: string[]; env: Record<string, string> } {
    return { command: 'sqlite3', args: [this.settingsDict.NAME, ...parameters], env: {} };
  }

  schemaEditor(): SqliteSchemaEditor {
    return new SqliteSchemaEditor(this);
  }

  adaptValue(value: unknown): unknown {
    return adaptParam(value);
  }

  protected errorCode(error: unknown): string | undefined {
    const code = (error as { errcode?: unknown }).errcode;
    return typeof code === 'number' ? String(code) : undefined;
  }

  /** Python's sqlite3 mapping of result codes to PEP 249 classes (what Django raises on SQLite). */
  protected errorClass(error: unknown): DatabaseErrorClass {
    const code = (error as { errcode?: unknown }).errcode;
    if (typeof code !== 'number') return error instanceof RangeError ? DataError : OperationalError;
    switch (code & 0xff) {
      case 19: // SQLITE_CONSTRAINT
      case 20: // SQLITE_MISMATCH
        return IntegrityError;
      case 18: // SQLITE_TOOBIG
        return DataError;
      case 2: // SQLITE_INTERNAL
      case 12: // SQLITE_NOTFOUND
        return InternalError;
      case 21: // SQLITE_MISUSE
      case 25: // SQLITE_RANGE
        return InterfaceError;
      case 11: // SQLITE_CORRUPT
      case 26: // SQLITE_NOTADB
        return DatabaseError;
      default:
        return OperationalError;
    }
  }
}
