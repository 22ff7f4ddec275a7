/**
 * `tsgi.db.backends.postgresql`: PostgreSQL through postgres.js, with a pool per worker.
 *
 * Each request (src/core/request-scope.ts) that touches the database leases one connection from
 * the pool on its first query and keeps it until it finishes, as Django keeps one connection per
 * request: its queries run in order on one session, and its transactions use it. A second
 * outermost transaction started in parallel by the same request gets a connection of its own,
 * and autocommit queries run meanwhile use any free connection, so a transaction never carries
 * queries that are not its own. At the end of the request the connection goes back to the pool,
 * or is closed once older than CONN_MAX_AGE seconds (with `OPTIONS.pool: false`, CONN_MAX_AGE 0
 * closes it after every request, Django's default without a pool). Code outside requests
 * (scripts, `shell`, tests) shares one connection, kept until `connections.closeAll()`.
 *
 * The pool is ours: each connection is a postgres.js client of one connection (`max: 1`), so
 * that a connection can be leased, health-checked, aged and closed on its own. The ORM's plans
 * run as prepared statements (postgres.js prepares each SQL text once per connection and binds
 * it afterwards); other statements with parameters run unnamed, statements without parameters
 * through the simple protocol (several may be sent at once).
 */
import postgres from 'postgres';
import { settings } from '../../../conf/index.ts';
import { currentRequestScope } from '../../../core/request-scope.ts';
import {
  DataError,
  DatabaseError,
  IntegrityError,
  InternalError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  type DatabaseErrorClass,
} from '../../errors.ts';
import {
  BaseDatabaseWrapper,
  type DatabaseFeatures,
  type DatabaseSettings,
  type QueryResult,
  type RunOptions,
  type Session,
} from '../base/wrapper.ts';
import { adaptParam, driverParams, driverTypes } from './adapt.ts';
import { PostgresSchemaEditor } from './schema.ts';
import { PostgresIntrospection } from './introspection.ts';
import { PostgresOperations } from './operations.ts';

/** psycopg2's mapping of SQLSTATE classes to PEP 249 classes (what Django raises on PostgreSQL). */
const SQLSTATE_CLASSES: Record<string, DatabaseErrorClass> = {
  '0A': NotSupportedError,
  '20': ProgrammingError,
  '21': ProgrammingError,
  '22': DataError,
  '23': IntegrityError,
  '24': InternalError,
  '25': InternalError,
  '26': OperationalError,
  '27': OperationalError,
  '28': OperationalError,
  '2B': InternalError,
  '2D': InternalError,
  '2F': InternalError,
  '34': OperationalError,
  '38': InternalError,
  '39': InternalError,
  '3B': InternalError,
  '3D': ProgrammingError,
  '3F': ProgrammingError,
  '40': OperationalError,
  '42': ProgrammingError,
  '44': ProgrammingError,
  '53': OperationalError,
  '54': OperationalError,
  '55': OperationalError,
  '57': OperationalError,
  '58': OperationalError,
  F0: InternalError,
  HV: OperationalError,
  P0: InternalError,
  XX: InternalError,
};

let cursors = 0;

/** One connection of the pool: a postgres.js client of one connection. */
interface Connection {
  sql: postgres.Sql;
  /** When it connected (ms since the epoch), for CONN_MAX_AGE. */
  openedAt: number;
  /** Closed, or lost: never used again (postgres.js would silently reconnect, outside any transaction). */
  closed: boolean;
  idleTimer: NodeJS.Timeout | undefined;
  /** The pool it belongs to (it goes back there even after the wrapper made a new one). */
  pool: ConnectionPool;
}

/** Errors of postgres.js that come from the server (a SQLSTATE), rather than from the connection. */
const { PostgresError } = postgres;

/** Closes a connection now, dropping whatever it was doing. */
function destroy(connection: Connection): void {
  connection.closed = true;
  clearTimeout(connection.idleTimer);
  connection.sql.end({ timeout: 0 }).catch(() => undefined);
}

/** A lease waiting for a free connection. */
interface Waiter {
  resolve: (connection: Connection) => void;
  reject: (error: unknown) => void;
  timer?: NodeJS.Timeout;
}

/**
 * The connections of a wrapper: at most `max`, idle ones closed after `idleTimeout` ms, a lease
 * waiting at most `timeout` ms for a free one (as node-postgres's pool, whose counts it keeps).
 */
class ConnectionPool {
  readonly #open: () => Promise<Connection>;
  readonly #max: number;
  readonly #idleTimeout: number;
  readonly #timeout: number;
  readonly #idle: Connection[] = [];
  readonly #waiters: Waiter[] = [];
  #count = 0;
  #ended = false;

  constructor(open: () => Promise<Connection>, max: number, idleTimeout: number, timeout: number) {
    this.#open = open;
    this.#max = Math.max(1, max);
    this.#idleTimeout = idleTimeout;
    this.#timeout = timeout;
  }

  /** Connections open or opening. */
  get totalCount(): number {
    return this.#count;
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  acquire(): Promise<Connection> {
    while (this.#idle.length > 0) {
      const connection = this.#idle.pop()!;
      clearTimeout(connection.idleTimer);
      if (!connection.closed) return Promise.resolve(connection);
    }
    if (this.#ended) return Promise.reject(new Error('the pool was closed'));
    if (this.#count < this.#max) return this.#create();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (this.#timeout > 0) {
        waiter.timer = setTimeout(() => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(new Error(`timeout exceeded when trying to connect (all ${this.#max} connections in use)`));
        }, this.#timeout);
      }
      this.#waiters.push(waiter);
    });
  }

  async #create(): Promise<Connection> {
    this.#count++;
    try {
      return await this.#open();
    } catch (error) {
      this.#count--;
      this.#next();
      throw error;
    }
  }

  /** Gives a connection back, or closes it. */
  release(connection: Connection, close: boolean): void {
    if (close || connection.closed || this.#ended) {
      if (!connection.closed) destroy(connection);
      this.#count--;
      this.#next();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      waiter.resolve(connection);
      return;
    }
    if (this.#idleTimeout > 0) {
      connection.idleTimer = setTimeout(() => {
        const at = this.#idle.indexOf(connection);
        if (at < 0) return;
        this.#idle.splice(at, 1);
        this.release(connection, true);
      }, this.#idleTimeout);
      connection.idleTimer.unref();
    }
    this.#idle.push(connection);
  }

  /** An idle connection the server closed: forgotten. */
  lost(connection: Connection): void {
    const at = this.#idle.indexOf(connection);
    if (at < 0) return;
    this.#idle.splice(at, 1);
    this.release(connection, true);
  }

  /** A connection closed: one waiting may open another. */
  #next(): void {
    if (this.#waiters.length === 0 || this.#count >= this.#max || this.#ended) return;
    const waiter = this.#waiters.shift()!;
    clearTimeout(waiter.timer);
    this.#create().then(waiter.resolve, waiter.reject);
  }

  /** Closes the idle connections (the leased ones close when given back). */
  async end(): Promise<void> {
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the pool was closed'));
    }
    const idle = this.#idle.splice(0);
    this.#count -= idle.length;
    await Promise.all(
      idle.map((connection) => {
        connection.closed = true;
        clearTimeout(connection.idleTimer);
        return connection.sql.end({ timeout: 5 }).catch(() => undefined);
      }),
    );
  }
}

/** The error of a statement run on a connection that is gone. */
function lostError(): Error {
  return Object.assign(new Error('the connection to the server was lost: the transaction, if any, was rolled back'), {
    code: undefined,
  });
}

/** What a statement returned: its rows (postgres.js's array), with the command's tag. */
type Rows = unknown[] & { count?: number | null; command?: string };

/** The options of a plan's statement: prepared, on the extended protocol even without parameters. */
const PREPARED = { prepare: true, simple: false };
/** Other statements: unnamed (the simple protocol without parameters). */
const UNNAMED = { prepare: false };

/** One pooled connection, leased. */
class PgSession implements Session {
  readonly wrapper: DatabaseWrapper;
  readonly connection: Connection;
  readonly openedAt: number;
  /** A fatal error happened on it: it is closed rather than given back. */
  broken = false;

  constructor(wrapper: DatabaseWrapper, connection: Connection) {
    this.wrapper = wrapper;
    this.connection = connection;
    this.openedAt = connection.openedAt;
  }

  async run(sql: string, params: readonly unknown[], options: RunOptions): Promise<QueryResult> {
    const connection = this.connection;
    if (connection.closed) {
      this.broken = true;
      throw lostError();
    }
    const values = driverParams(options.prepared !== undefined ? params : params.map(adaptParam));
    // The plans are prepared (once per connection); other statements with parameters run unnamed;
    // without parameters, through the simple protocol.
    const query = connection.sql.unsafe(
      sql,
      values as postgres.ParameterOrJSON<never>[],
      (options.prepared !== undefined ? PREPARED : UNNAMED) as postgres.UnsafeQueryOptions,
    );
    try {
      let result = (await (options.arrays ? query.values() : query)) as unknown as Rows;
      // Several statements in one text: the last one's result.
      if (result.command === undefined && result.length > 0) result = result[result.length - 1] as unknown as Rows;
      return { rows: result, rowCount: result.count ?? result.length };
    } catch (error) {
      if (!(error instanceof PostgresError) || /^(FATAL|PANIC)$/.test(error.severity)) this.broken = true;
      throw error;
    }
  }

  /** A server-side cursor (DECLARE/FETCH): the session must be in a transaction. */
  async *cursor(
    sql: string,
    params: readonly unknown[],
    options: RunOptions,
    chunkSize: number,
  ): AsyncGenerator<unknown[][]> {
    const name = `tsgi_cursor_${++cursors}`;
    await this.wrapper.run(this, `DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params, {});
    let open = true;
    try {
      while (true) {
        const result = await this.wrapper.run(this, `FETCH ${chunkSize} FROM ${name}`, [], { arrays: options.arrays });
        if (result.rows.length === 0) break;
        yield result.rows as unknown[][];
        if (result.rows.length < chunkSize) break;
      }
      open = false;
      await this.wrapper.run(this, `CLOSE ${name}`, [], {});
    } finally {
      // Abandoned early (a break in for await): close the cursor, unless the transaction failed.
      if (open) await Promise.resolve(this.wrapper.run(this, `CLOSE ${name}`, [], {})).catch(() => undefined);
    }
  }

  stream(sql: string, params: readonly unknown[], options: RunOptions, chunkSize: number): AsyncIterable<unknown[][]> {
    return this.cursor(sql, params, options, chunkSize);
  }
}

/** The connection of a request, or of the code outside requests. */
interface Lease {
  session: PgSession | Promise<PgSession> | undefined;
  /** A transaction holds the session. */
  busy: boolean;
}

export class DatabaseWrapper extends BaseDatabaseWrapper {
  readonly vendor = 'postgresql';
  readonly displayName = 'PostgreSQL';
  readonly ops = new PostgresOperations();
  readonly features: DatabaseFeatures = {
    canDistinctOnFields: true,
    hasSelectForUpdate: true,
    canRollbackDdl: true,
    hasNativeUuidField: true,
    hasNativeDurationField: true,
    canStreamResults: true,
    supportsDeferrableConstraints: true,
  };
  readonly introspection: PostgresIntrospection = new PostgresIntrospection(this);
  #pool: ConnectionPool | undefined;
  #root: Lease = { session: undefined, busy: false };
  #leaseKey = Symbol('tsgi.db.lease');
  /** Sessions whose connection was used before (a health check applies). */
  #used = new WeakSet<Connection>();
  /** Runs an autocommit query on any free connection (when the context's own is in a transaction). */
  #anyConnection: Session;
  readonly #healthChecks: boolean;

  constructor(alias: string, settingsDict: DatabaseSettings) {
    super(alias, settingsDict);
    this.#healthChecks = settingsDict.CONN_HEALTH_CHECKS;
    const isolation = settingsDict.OPTIONS.isolationLevel ?? settingsDict.OPTIONS.isolation_level;
    if (typeof isolation === 'string' && isolation !== '') {
      if (!/^(read committed|repeatable read|serializable)$/i.test(isolation)) {
        throw new DatabaseError(
          `DATABASES['${alias}'].OPTIONS.isolationLevel is ${JSON.stringify(isolation)}: use 'read committed', 'repeatable read' or 'serializable'.`,
        );
      }
      this.beginSql = `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`;
    }
    this.#anyConnection = {
      wrapper: this,
      openedAt: Date.now(),
      run: async (sql, params, options) => {
        const session = await this.#connect(false);
        try {
          return await session.run(sql, params, options);
        } finally {
          this.#give(session, false);
        }
      },
      stream: (sql, params, options, chunkSize) => this.autocommitStream(sql, params, options, chunkSize),
    };
  }

  /** The pool, made on first use. */
  get pool(): ConnectionPool {
    if (this.#pool !== undefined) return this.#pool;
    const options = this.settingsDict.OPTIONS;
    const poolOptions = (typeof options.pool === 'object' && options.pool !== null ? options.pool : {}) as Record<
      string,
      unknown
    >;
    const timeout = Number(poolOptions.timeout ?? options.connect_timeout ?? options.connectTimeout ?? 30);
    const pool: ConnectionPool = new ConnectionPool(
      () => this.#open(pool, timeout),
      Number(poolOptions.maxSize ?? poolOptions.max_size ?? 10),
      Number(poolOptions.idleTimeout ?? poolOptions.idle_timeout ?? 30) * 1000,
      timeout * 1000,
    );
    this.#pool = pool;
    return pool;
  }

  /** The driver's options for one connection. */
  #driverOptions(timeout: number): postgres.Options<Record<string, postgres.PostgresType>> {
    const s = this.settingsDict;
    const options = s.OPTIONS;
    // The session's zone: UTC with USE_TZ (aware values carry their offset), else TIME_ZONE, in
    // which naive datetimes are read and written (as Django sets it).
    const zone = settings.USE_TZ === false ? String(settings.TIME_ZONE ?? 'UTC') : 'UTC';
    const startup = [`-c TimeZone=${zone}`];
    if (typeof options.options === 'string') startup.push(options.options);
    const sslmode = options.sslmode;
    const ssl =
      options.ssl !== undefined
        ? (options.ssl as boolean | object)
        : sslmode === 'require' || sslmode === 'prefer' || sslmode === 'allow'
          ? sslmode
          : sslmode === 'verify-ca' || sslmode === 'verify-full'
            ? 'verify-full'
            : false;
    const application =
      typeof options.application_name === 'string' ? options.application_name : (process.env.PGAPPNAME ?? '');
    return {
      host: s.HOST || undefined,
      port: s.PORT === '' ? undefined : Number(s.PORT),
      user: s.USER || undefined,
      password: s.PASSWORD || undefined,
      database: s.NAME || undefined,
      max: 1,
      // The pool closes idle and old connections; nothing reconnects behind its back.
      idle_timeout: undefined,
      max_lifetime: null,
      connect_timeout: timeout > 0 ? timeout : undefined,
      ssl,
      connection: { application_name: application, options: startup.join(' ') },
      prepare: true,
      fetch_types: false,
      types: driverTypes(),
      // node-postgres ignored the server's notices; postgres.js would print them.
      onnotice: () => undefined,
      // A connection waiting in the pool must not keep the process alive: `manage.ts check` (its
      // db.W001 ping) otherwise exited only when the pool's idle timeout closed it, 30 s later.
      unref_sockets: true,
    };
  }

  /** Opens one connection (the first statement connects). */
  async #open(pool: ConnectionPool, timeout: number): Promise<Connection> {
    const connection: Connection = {
      sql: undefined as unknown as postgres.Sql,
      openedAt: 0,
      closed: false,
      idleTimer: undefined,
      pool,
    };
    connection.sql = postgres({
      ...this.#driverOptions(timeout),
      onclose: () => {
        if (connection.closed) return;
        connection.closed = true;
        pool.lost(connection);
      },
    });
    try {
      await connection.sql.unsafe('SELECT 1');
    } catch (error) {
      destroy(connection);
      throw error;
    }
    connection.openedAt = Date.now();
    return connection;
  }

  /** A connection from the pool, health-checked when it was used before and CONN_HEALTH_CHECKS is on. */
  async #connect(check: boolean): Promise<PgSession> {
    for (let attempt = 0; ; attempt++) {
      let connection: Connection;
      try {
        connection = await this.pool.acquire();
      } catch (error) {
        throw this.#connectError(error);
      }
      const reused = this.#used.has(connection);
      this.#used.add(connection);
      const session = new PgSession(this, connection);
      if (!(check && reused && this.#healthChecks)) return session;
      try {
        await session.run('SELECT 1', [], {});
        return session;
      } catch (error) {
        this.#give(session, true);
        if (attempt > 0) throw this.#connectError(error);
      }
    }
  }

  #connectError(error: unknown): DatabaseError {
    const s = this.settingsDict;
    const where = s.HOST.startsWith('/')
      ? `the socket folder ${s.HOST}${s.PORT ? ` (port ${s.PORT})` : ''}`
      : `host '${s.HOST || 'localhost'}' port ${s.PORT || 5432}`;
    const code = (error as { code?: unknown }).code;
    const fix =
      code === '28P01' || code === '28000'
        ? 'Check USER and PASSWORD.'
        : code === '3D000'
          ? `Create the database (createdb ${s.NAME}) or fix NAME.`
          : 'Check that the server is running there and that HOST and PORT are right.';
    const message =
      `Could not connect to the PostgreSQL database '${s.NAME}' of DATABASES['${this.alias}'] at ${where}: ` +
      `${(error as Error)?.message ?? String(error)}. ${fix}`;
    const wrapped = new OperationalError(message, { cause: error });
    wrapped.alias = this.alias;
    wrapped.code = typeof code === 'string' ? code : undefined;
    return wrapped;
  }

  /** Gives a connection back to the pool, or closes it. */
  #give(session: PgSession, close: boolean): void {
    session.connection.pool.release(session.connection, close || session.broken);
  }

  /** The lease of the current context: the request's, or the one of code outside requests. */
  #lease(): Lease {
    const scope = currentRequestScope();
    if (scope === undefined) return this.#root;
    let lease = scope.state.get(this.#leaseKey) as Lease | undefined;
    if (lease === undefined) {
      const created: Lease = { session: undefined, busy: false };
      scope.state.set(this.#leaseKey, created);
      scope.finishers.push(() => this.#endLease(created));
      lease = created;
    }
    return lease;
  }

  #leaseSession(lease: Lease): PgSession | Promise<PgSession> {
    const current = lease.session;
    if (current !== undefined) {
      if (!(current instanceof PgSession) || !(current.broken || current.connection.closed)) return current;
      // Its connection failed or was closed by the server (a restart): closed, and a new one taken.
      lease.session = undefined;
      this.#give(current, true);
    }
    const pending = this.#connect(true).then(
      (session) => (lease.session = session),
      (error: unknown) => {
        lease.session = undefined;
        throw error;
      },
    );
    lease.session = pending;
    return pending;
  }

  /** The end of a request: its connection goes back to the pool, or is closed per CONN_MAX_AGE. */
  async #endLease(lease: Lease): Promise<void> {
    const pending = lease.session;
    lease.session = undefined;
    if (pending === undefined) return;
    let session: PgSession;
    try {
      session = await pending;
    } catch {
      return;
    }
    const maxAge = this.settingsDict.CONN_MAX_AGE;
    const pooled = this.settingsDict.OPTIONS.pool !== false;
    const expired = maxAge === 0 ? !pooled : maxAge !== null && Date.now() - session.openedAt > maxAge * 1000;
    // A transaction still open (a promise that outlived the request): closing ends it.
    this.#give(session, expired || lease.busy);
  }

  autocommitSession(): Session | Promise<Session> {
    const lease = this.#lease();
    if (lease.busy) return this.#anyConnection;
    return this.#leaseSession(lease);
  }

  async beginTransactionSession(): Promise<Session> {
    const lease = this.#lease();
    if (lease.busy) return this.#connect(false);
    lease.busy = true;
    try {
      const session = await this.#leaseSession(lease);
      transactionLeases.set(session, lease);
      return session;
    } catch (error) {
      lease.busy = false;
      throw error;
    }
  }

  endTransactionSession(session: Session): void {
    const lease = transactionLeases.get(session);
    if (lease !== undefined) {
      transactionLeases.delete(session);
      lease.busy = false;
      if ((session as PgSession).broken) {
        lease.session = undefined;
        this.#give(session as PgSession, true);
      }
      return;
    }
    this.#give(session as PgSession, false);
  }

  async *autocommitStream(
    sql: string,
    params: readonly unknown[],
    options: RunOptions,
    chunkSize: number,
  ): AsyncGenerator<unknown[][]> {
    // A cursor needs a transaction: on a connection of its own, so that the context's other
    // queries do not land in it.
    const session = await this.#connect(false);
    let done = false;
    try {
      await this.run(session, 'BEGIN READ ONLY', [], {});
      yield* session.cursor(sql, params, options, chunkSize);
      await this.run(session, 'COMMIT', [], {});
      done = true;
    } finally {
      if (!done) await Promise.resolve(this.run(session, 'ROLLBACK', [], {})).catch(() => (session.broken = true));
      this.#give(session, false);
    }
  }

  async ping(): Promise<void> {
    const session = await this.#connect(false);
    try {
      await this.run(session, 'SELECT 1', [], {});
    } finally {
      this.#give(session, false);
    }
  }

  async close(): Promise<void> {
    const root = this.#root.session;
    this.#root = { session: undefined, busy: false };
    if (root !== undefined) {
      try {
        this.#give(await root, true);
      } catch {
        // It never connected.
      }
    }
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  shellCommand(parameters: readonly string[]): { command: string; args: string[]; env: Record<string, string> } {
    const s = this.settingsDict;
    const args: string[] = [];
    if (s.USER) args.push('-U', s.USER);
    if (s.HOST) args.push('-h', s.HOST);
    if (s.PORT) args.push('-p', String(s.PORT));
    args.push(s.NAME || 'postgres', ...parameters);
    const env: Record<string, string> = {};
    if (s.PASSWORD) env.PGPASSWORD = s.PASSWORD;
    if (typeof s.OPTIONS.sslmode === 'string') env.PGSSLMODE = s.OPTIONS.sslmode;
    if (typeof s.OPTIONS.application_name === 'string') env.PGAPPNAME = s.OPTIONS.application_name;
    return { command: 'psql', args, env };
  }

  schemaEditor(): PostgresSchemaEditor {
    return new PostgresSchemaEditor(this);
  }

  adaptValue(value: unknown): unknown {
    return adaptParam(value);
  }

  protected errorCode(error: unknown): string | undefined {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }

  protected errorClass(error: unknown): DatabaseErrorClass {
    // The connection's own errors (ECONNRESET, CONNECTION_CLOSED...) are operational.
    if (!(error instanceof PostgresError)) return OperationalError;
    return SQLSTATE_CLASSES[error.code.slice(0, 2)] ?? DatabaseError;
  }
}

/** Which lease a transaction session came from (its own connection when absent). */
const transactionLeases = new WeakMap<Session, Lease>();
