/**
 * The database cache, as Django's `DatabaseCache`: entries in a table of the default database
 * (LOCATION is the table's name), with Django's layout (`cache_key` varchar(255) primary key,
 * `value` text, `expires` datetime, indexed), made by `node manage.ts createcachetable`. Every
 * worker and machine using the database shares it, on SQLite (the workers of one machine) and
 * PostgreSQL.
 *
 * As Django's: an expired entry read is deleted; a write first counts the rows and, above
 * `MAX_ENTRIES` (300), deletes the expired ones and then the first 1/`CULL_FREQUENCY` (3) of the
 * rest in `cache_key` order (`CULL_FREQUENCY: 0` empties the table); `clear()` empties the table.
 * Unlike Django's, a write is one statement that cannot race (`INSERT ... ON CONFLICT`: `add()`
 * stores only over an absent or expired entry), `incr()` is atomic and keeps the timeout, expiry
 * times keep their microseconds (Django rounds them down to the second), and values are
 * utils/tagged-json text, not pickles.
 *
 * A database that cannot be reached, or a table that does not exist, is a cache that cannot be
 * used: reads miss and writes reject with CacheUnavailable, logged on `tsgi.cache` (BaseCache).
 * Queries run in the caller's transaction when there is one, as Django's cursor does.
 */
import { connections, DatabaseError, DEFAULT_DB_ALIAS, execute, type BaseDatabaseWrapper } from '../../../db/index.ts';
import { atomic } from '../../../db/transaction.ts';
import { ImproperlyConfigured } from '../../exceptions.ts';
import { BaseCache, CacheUnavailable, notAnInteger, type CacheParams } from './base.ts';

/** The longest key the `cache_key` column holds. */
export const MAX_KEY_LENGTH = 255;

/** What `expires` holds for an entry that never expires (Django's `datetime.max`, to the second). */
const FOREVER_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** A moment as the database compares it: UTC text on SQLite (the ORM's format), ISO 8601 on PostgreSQL. */
function moment(ms: number, vendor: string): string {
  const iso = new Date(ms).toISOString();
  if (vendor !== 'sqlite') return iso;
  const millis = iso.slice(20, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${millis === '000' ? '' : `.${millis}000`}`;
}

function expiresAt(ttl: number | null): number {
  return ttl === null ? FOREVER_MS : Math.min(Date.now() + ttl * 1000, FOREVER_MS);
}

/** Whether a database error says the table is missing (SQLite's message, PostgreSQL's SQLSTATE 42P01). */
function missingTable(error: DatabaseError): boolean {
  return error.code === '42P01' || /no such table/i.test(error.message);
}

/**
 * @example
 * CACHES = { default: { BACKEND: 'tsgi.core.cache.backends.db.DatabaseCache', LOCATION: 'my_cache_table' } };
 * // then, once: node manage.ts createcachetable
 */
export class DatabaseCache extends BaseCache {
  /** The table (LOCATION). */
  readonly table: string;
  /** The database alias whose table it is (the default database, as Django's router gives). */
  readonly database: string;

  constructor(params: CacheParams) {
    super(params);
    const location = params.LOCATION;
    if (typeof location !== 'string' || location === '') {
      throw new ImproperlyConfigured(
        `The database cache '${this.alias}' needs LOCATION set to the name of its table, got ${JSON.stringify(location ?? null)}. ` +
          "For example LOCATION: 'my_cache_table', then create the table with `node manage.ts createcachetable`.",
      );
    }
    this.table = location;
    this.database = DEFAULT_DB_ALIAS;
  }

  override describe(): string {
    return `DatabaseCache table '${this.table}' of DATABASES['${this.database}']`;
  }

  override validateKey(key: string): void {
    super.validateKey(key);
    if (key.length > MAX_KEY_LENGTH) {
      throw new TypeError(
        `The cache key ${JSON.stringify(key.slice(0, 40) + '...')} is ${key.length} characters long, but the database cache's ` +
          `cache_key column holds ${MAX_KEY_LENGTH}: use a shorter key (a hash of a long one).`,
      );
    }
  }

  #wrapper(): BaseDatabaseWrapper {
    return connections.get(this.database);
  }

  /** Runs the cache's statements; a database error means the cache cannot be used. */
  async #sql<T>(operation: (q: Statements) => Promise<T>): Promise<T> {
    try {
      return await operation(new Statements(this.#wrapper(), this.table, this.database));
    } catch (error) {
      if (!(error instanceof DatabaseError)) throw error;
      const fix = missingTable(error) ? ' Create the table with `node manage.ts createcachetable`.' : '';
      throw new CacheUnavailable(
        `The cache '${this.alias}' (${this.describe()}) could not be used: ${error.message.replace(/\.$/, '')}.${fix}`,
        { cause: error },
      );
    }
  }

  protected load(keys: readonly string[]): Promise<Array<string | undefined>> {
    return this.#sql(async (q) => {
      const now = q.now();
      const result = await q.run(
        `SELECT ${q.key}, ${q.value}, CASE WHEN ${q.expires} < ${q.p(1)} THEN 1 ELSE 0 END AS expired ` +
          `FROM ${q.table} WHERE ${q.key} IN (${q.list(2, keys.length)})`,
        [now, ...keys],
      );
      const found = new Map<string, string>();
      const expired: string[] = [];
      for (const row of result.rows as Array<{ cache_key: string; value: string; expired: number | string }>) {
        if (Number(row.expired) === 1) expired.push(row.cache_key);
        else found.set(row.cache_key, row.value);
      }
      if (expired.length > 0) {
        // Only if still expired: another process may have stored it again meanwhile.
        await q.run(
          `DELETE FROM ${q.table} WHERE ${q.expires} < ${q.p(1)} AND ${q.key} IN (${q.list(2, expired.length)})`,
          [now, ...expired],
        );
      }
      return keys.map((key) => found.get(key));
    });
  }

  protected store(key: string, text: string, ttl: number | null, onlyIfAbsent: boolean): Promise<boolean> {
    return this.#sql(async (q) => {
      await this.#cullIfFull(q);
      const upsert =
        `INSERT INTO ${q.table} (${q.key}, ${q.value}, ${q.expires}) VALUES (${q.p(1)}, ${q.p(2)}, ${q.p(3)}) ` +
        `ON CONFLICT (${q.key}) DO UPDATE SET ${q.value} = EXCLUDED.${q.value}, ${q.expires} = EXCLUDED.${q.expires}`;
      const expires = q.moment(expiresAt(ttl));
      if (!onlyIfAbsent) {
        await q.run(upsert, [key, text, expires]);
        return true;
      }
      // add(): over an expired entry only, in the same statement (no window for another writer).
      const result = await q.run(`${upsert} WHERE ${q.table}.${q.expires} < ${q.p(4)}`, [key, text, expires, q.now()]);
      return result.rowCount > 0;
    });
  }

  protected retime(key: string, ttl: number | null): Promise<boolean> {
    return this.#sql(async (q) => {
      const result = await q.run(
        `UPDATE ${q.table} SET ${q.expires} = ${q.p(1)} WHERE ${q.key} = ${q.p(2)} AND ${q.expires} >= ${q.p(3)}`,
        [q.moment(expiresAt(ttl)), key, q.now()],
      );
      return result.rowCount > 0;
    });
  }

  protected remove(keys: readonly string[]): Promise<number> {
    return this.#sql(async (q) => {
      // Every row of these keys goes; the answer counts the live ones (an expired entry was not there).
      const result = await q.run(
        `DELETE FROM ${q.table} WHERE ${q.key} IN (${q.list(1, keys.length)}) ` +
          `RETURNING CASE WHEN ${q.expires} < ${q.p(keys.length + 1)} THEN 0 ELSE 1 END AS live`,
        [...keys, q.now()],
      );
      return (result.rows as Array<{ live: number | string }>).filter((row) => Number(row.live) === 1).length;
    });
  }

  protected increment(key: string, delta: number): Promise<number | undefined> {
    return this.#sql((q) =>
      atomic({ using: this.database }, async () => {
        // In a transaction, the row locked (SQLite's transactions take the write lock at BEGIN):
        // two increments never read the same value.
        const lock = q.wrapper.features.hasSelectForUpdate ? ' FOR UPDATE' : '';
        const result = await q.run(
          `SELECT ${q.value} FROM ${q.table} WHERE ${q.key} = ${q.p(1)} AND ${q.expires} >= ${q.p(2)}${lock}`,
          [key, q.now()],
        );
        const row = result.rows[0] as { value: string } | undefined;
        if (row === undefined) return undefined;
        const value = Number(row.value);
        if (!/^-?\d+$/.test(row.value) || !Number.isSafeInteger(value + delta)) throw notAnInteger(key, row.value);
        await q.run(`UPDATE ${q.table} SET ${q.value} = ${q.p(1)} WHERE ${q.key} = ${q.p(2)}`, [
          String(value + delta),
          key,
        ]);
        return value + delta;
      }),
    );
  }

  protected removeAll(): Promise<void> {
    return this.#sql(async (q) => {
      await q.run(`DELETE FROM ${q.table}`, []);
    });
  }

  /** Django's culling, before a write: above MAX_ENTRIES rows, the expired go, then 1/CULL_FREQUENCY in key order. */
  async #cullIfFull(q: Statements): Promise<void> {
    if ((await q.count()) <= this.maxEntries) return;
    if (this.cullFrequency === 0) {
      await q.run(`DELETE FROM ${q.table}`, []);
      return;
    }
    await q.run(`DELETE FROM ${q.table} WHERE ${q.expires} < ${q.p(1)}`, [q.now()]);
    const count = await q.count();
    if (count <= this.maxEntries) return;
    const cull = Math.floor(count / this.cullFrequency);
    const first = await q.run(
      `SELECT ${q.key} FROM ${q.table} ORDER BY ${q.key} ${q.wrapper.ops.limitOffsetSql('1', q.p(1))}`,
      [cull],
    );
    const row = first.rows[0] as { cache_key: string } | undefined;
    if (row !== undefined) await q.run(`DELETE FROM ${q.table} WHERE ${q.key} < ${q.p(1)}`, [row.cache_key]);
  }
}

/** The pieces of the cache's SQL on one database: quoted names, placeholders, moments. */
class Statements {
  readonly wrapper: BaseDatabaseWrapper;
  readonly table: string;
  readonly key: string;
  readonly value: string;
  readonly expires: string;
  readonly #database: string;

  constructor(wrapper: BaseDatabaseWrapper, table: string, database: string) {
    this.wrapper = wrapper;
    const q = (name: string) => wrapper.ops.quoteName(name);
    this.table = q(table);
    this.key = q('cache_key');
    this.value = q('value');
    this.expires = q('expires');
    this.#database = database;
  }

  /** The placeholder of the `n`th parameter (SQLite numbers them in the order they appear: keep that order). */
  p(n: number): string {
    return this.wrapper.ops.placeholder(n);
  }

  /** `count` placeholders from the `first`th, comma-separated. */
  list(first: number, count: number): string {
    return Array.from({ length: count }, (_, i) => this.p(first + i)).join(', ');
  }

  moment(ms: number): string {
    return moment(ms, this.wrapper.vendor);
  }

  now(): string {
    return this.moment(Date.now());
  }

  run(sql: string, params: readonly unknown[]) {
    return execute(sql, params, this.#database);
  }

  async count(): Promise<number> {
    const result = await this.run(`SELECT COUNT(*) AS n FROM ${this.table}`, []);
    return Number((result.rows[0] as { n: number | string }).n);
  }
}

/** The statements creating a cache table, as Django's `createcachetable` writes them. */
export function cacheTableStatements(wrapper: BaseDatabaseWrapper, table: string): string[] {
  const q = (name: string) => wrapper.ops.quoteName(name);
  const types = wrapper.schemaEditor().dataTypes;
  const charField = types.CharField!.replace('%(max_length)s', String(MAX_KEY_LENGTH));
  return [
    [
      `CREATE TABLE ${q(table)} (`,
      `    ${q('cache_key')} ${charField} NOT NULL PRIMARY KEY,`,
      `    ${q('value')} ${types.TextField} NOT NULL,`,
      `    ${q('expires')} ${types.DateTimeField} NOT NULL`,
      ');',
    ].join('\n'),
    `CREATE INDEX ${q(`${table}_expires`)} ON ${q(table)} (${q('expires')});`,
  ];
}

/** What createCacheTable() did. */
export type CreateCacheTableResult = 'created' | 'exists' | 'dry-run';

/**
 * Creates a cache table on a database unless it exists (Django's `createcachetable` for one
 * table), in one transaction; with `dryRun`, only returns the statements.
 *
 * @example
 * await createCacheTable('my_cache_table');
 */
export async function createCacheTable(
  table: string,
  options: { database?: string; dryRun?: boolean } = {},
): Promise<{ result: CreateCacheTableResult; statements: string[] }> {
  const database = options.database ?? DEFAULT_DB_ALIAS;
  const wrapper = connections.get(database);
  const statements = cacheTableStatements(wrapper, table);
  if (options.dryRun) return { result: 'dry-run', statements };
  if ((await wrapper.introspection.tableNames()).includes(table)) return { result: 'exists', statements };
  await atomic({ using: database }, async () => {
    for (const statement of statements) await execute(statement.replace(/;$/, ''), [], database);
  });
  return { result: 'created', statements };
}
