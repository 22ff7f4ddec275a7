/**
 * `tsgi.db.backends.postgresql`: PostgreSQL through `pg`, with a pool per worker.
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
 */
import pg from 'pg';
import { settings } from '../../../conf/index.ts';
import { currentRequestScope } from '../../../core/request-scope.ts';
import { getLogger } from '../../../utils/log.ts';
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
import { adaptParam } from './adapt.ts';
import { PostgresSchemaEditor } from './schema.ts';
import { PostgresIntrospection } from './introspection.ts';
import { PostgresOperations } from './operations.ts';

/** Types read as the server's text: the fields convert them (exact decimals, microseconds, 64-bit integers). */
const RAW_TYPES = new Set([
  20, // int8
  1700, // numeric
  1082, // date
  1083, // time
  1114, // timestamp
  1184, // timestamptz
  1186, // interval
  1266, // timetz
]);
const identity = (value: string): string => value;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    RAW_TYPES.has(oid) ? identity : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

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

const logger = getLogger('tsgi.db');
let cursors = 0;

/** One pooled connection. */
class PgSession implements Session {
  readonly wrapper: DatabaseWrapper;
  readonly client: pg.PoolClient;
  readonly openedAt: number;
  /** A fatal error happened on it: it is closed rather than given back. */
  broken = false;

  constructor(wrapper: DatabaseWrapper, client: pg.PoolClient, openedAt: number) {
    this.wrapper = wrapper;
    this.client = client;
    this.openedAt = openedAt;
  }

  async run(sql: string, params: readonly unknown[], options: RunOptions): Promise<QueryResult> {
    const values = options.prepared !== undefined ? (params as unknown[]) : params.map(adaptParam);
    try {
      const result = await this.client.query({
        text: sql,
        values,
        rowMode: options.arrays ? 'array' : undefined,
        name: options.prepared?.name,
      } as pg.QueryArrayConfig);
      return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
    } catch (error) {
      if ((error as { code?: unknown }).code === undefined) this.broken = true;
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
  #pool: pg.Pool | undefined;
  #root: Lease = { session: undefined, busy: false };
  #leaseKey = Symbol('tsgi.db.lease');
  #openedAt = new WeakMap<pg.PoolClient, number>();
  /**
   * The connections lent out (to a request, a transaction, or code outside requests). pg's pool
   * listens for the errors of idle connections only: one that dies while lent out (the server
   * stopped between two queries) would be an uncaught exception and kill the worker. Each
   * connection gets a listener of ours; its next query fails, and it is closed, not given back.
   */
  #lent = new WeakSet<pg.PoolClient>();
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
  get pool(): pg.Pool {
    if (this.#pool !== undefined) return this.#pool;
    const s = this.settingsDict;
    const options = s.OPTIONS;
    const poolOptions = (typeof options.pool === 'object' && options.pool !== null ? options.pool : {}) as Record<
      string,
      unknown
    >;
    // The session's zone: UTC with USE_TZ (aware values carry their offset), else TIME_ZONE, in
    // which naive datetimes are read and written (as Django sets it).
    const zone = settings.USE_TZ === false ? String(settings.TIME_ZONE ?? 'UTC') : 'UTC';
    const startup = [`-c TimeZone=${zone}`];
    if (typeof options.options === 'string') startup.push(options.options);
    const sslmode = options.sslmode;
    const ssl =
      options.ssl !== undefined
        ? (options.ssl as pg.ClientConfig['ssl'])
        : sslmode === 'require' || sslmode === 'prefer'
          ? { rejectUnauthorized: false }
          : sslmode === 'verify-ca' || sslmode === 'verify-full'
            ? true
            : undefined;
    this.#pool = new pg.Pool({
      host: s.HOST || undefined,
      port: s.PORT === '' ? undefined : Number(s.PORT),
      user: s.USER || undefined,
      password: s.PASSWORD || undefined,
      database: s.NAME || undefined,
      max: Number(poolOptions.maxSize ?? poolOptions.max_size ?? 10),
      idleTimeoutMillis: Number(poolOptions.idleTimeout ?? poolOptions.idle_timeout ?? 30) * 1000,
      connectionTimeoutMillis:
        Number(poolOptions.timeout ?? options.connect_timeout ?? options.connectTimeout ?? 30) * 1000,
      application_name: typeof options.application_name === 'string' ? options.application_name : undefined,
      options: startup.join(' '),
      ssl,
      types,
    });
    this.#pool.on('error', (error) => {
      logger.warning(`An idle connection of the PostgreSQL database '${this.alias}' failed: ${error.message}`, {
        error,
      });
    });
    return this.#pool;
  }

  /** A connection from the pool, health-checked when it was used before and CONN_HEALTH_CHECKS is on. */
  async #connect(check: boolean): Promise<PgSession> {
    for (let attempt = 0; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw this.#connectError(error);
      }
      this.#lent.add(client);
      let openedAt = this.#openedAt.get(client);
      const reused = openedAt !== undefined;
      if (openedAt === undefined) {
        openedAt = Date.now();
        this.#openedAt.set(client, openedAt);
        client.on('error', (error: Error) => {
          // An idle one's error is the pool's to report ('error' on the pool, below).
          if (!this.#lent.has(client)) return;
          logger.warning(`A connection of the PostgreSQL database '${this.alias}' failed: ${error.message}`, { error });
        });
      }
      const session = new PgSession(this, client, openedAt);
      if (!(check && reused && this.#healthChecks)) return session;
      try {
        await client.query('SELECT 1');
        return session;
      } catch (error) {
        this.#lent.delete(client);
        client.release(true);
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
    this.#lent.delete(session.client);
    session.client.release(close || session.broken ? true : undefined);
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
      if (!(current instanceof PgSession) || !current.broken) return current;
      // Its connection failed (the server restarted): closed, and a new one taken.
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
    const code = this.errorCode(error);
    if (code === undefined || !/^[0-9A-Z]{5}$/.test(code)) return OperationalError;
    return SQLSTATE_CLASSES[code.slice(0, 2)] ?? DatabaseError;
  }
}

/** Which lease a transaction session came from (its own connection when absent). */
const transactionLeases = new WeakMap<Session, Lease>();
