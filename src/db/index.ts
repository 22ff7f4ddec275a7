/**
 * `tsgi/db`: the databases, as Django's `django.db`: `connections` (one per alias of
 * `DATABASES`), `connection` (the default one), the database errors, `databaseUrl()` for
 * settings, and the query observers (`captureQueries`, `assertNumQueries`). Models are in
 * `tsgi/db/models`, transactions in `tsgi/db/transaction`.
 *
 * @example
 * import { connection } from 'tsgi/db';
 * const { rows } = await connection.execute('SELECT COUNT(*) AS n FROM blog_post');
 */
import type { BaseDatabaseWrapper, QueryResult } from './backends/base/wrapper.ts';
import { connections, DEFAULT_DB_ALIAS } from './connections.ts';
import { recordedQueries, resetQueries as reset } from './observers.ts';
import { atomic, inAtomicBlock, runStatement, streamStatement } from './transaction.ts';
import type { BaseSchemaEditor } from './backends/base/schema.ts';
import './requests.ts';

export { connections, ConnectionHandler, DEFAULT_DB_ALIAS, normalizeDatabaseSettings } from './connections.ts';
export {
  DatabaseError,
  DataError,
  IntegrityError,
  InterfaceError,
  InternalError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  TransactionManagementError,
} from './errors.ts';
export { databaseUrl, parseDatabaseUrl, type DatabaseUrlOptions } from './url.ts';
export { captureQueries, assertNumQueries, type CapturedQuery } from './observers.ts';
export type { BaseDatabaseWrapper, DatabaseSettings, QueryResult } from './backends/base/wrapper.ts';
export type { BaseSchemaEditor } from './backends/base/schema.ts';
export type { DatabaseConfig } from '../conf/global-settings.ts';

/** Runs raw SQL on a database, in the current transaction if there is one. */
export async function execute(
  sql: string,
  params: readonly unknown[] = [],
  using: string = DEFAULT_DB_ALIAS,
): Promise<QueryResult> {
  const wrapper = connections.get(using);
  const write = !/^\s*(SELECT|WITH|PRAGMA|EXPLAIN|VALUES|SHOW)\b/i.test(sql);
  return runStatement(wrapper, sql, params, { write });
}

/** Streams the rows of a raw SELECT (objects keyed by column), in the current transaction if there is one. */
export async function* stream(
  sql: string,
  params: readonly unknown[] = [],
  options: { using?: string; chunkSize?: number } = {},
): AsyncGenerator<Record<string, unknown>> {
  const wrapper = connections.get(options.using ?? DEFAULT_DB_ALIAS);
  for await (const chunk of streamStatement(wrapper, sql, params, {}, options.chunkSize ?? 2000)) {
    yield* chunk as unknown as Record<string, unknown>[];
  }
}

/**
 * The default database, as Django's `django.db.connection`: its vendor, operations, and raw SQL
 * in the current async context.
 */
export const connection = {
  get wrapper(): BaseDatabaseWrapper {
    return connections.get(DEFAULT_DB_ALIAS);
  },
  get vendor(): string {
    return connections.get(DEFAULT_DB_ALIAS).vendor;
  },
  get alias(): string {
    return DEFAULT_DB_ALIAS;
  },
  /** Runs raw SQL (`?`/`$1` placeholders as the backend writes them). */
  execute(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    return execute(sql, params, DEFAULT_DB_ALIAS);
  },
  /** The queries recorded while DEBUG is on (the last 9000). */
  get queries() {
    return recordedQueries(connections.get(DEFAULT_DB_ALIAS));
  },
  close(): Promise<void> {
    return connections.get(DEFAULT_DB_ALIAS).close();
  },
};

/** Forgets the queries recorded while DEBUG is on, on every database. */
export function resetQueries(): void {
  for (const wrapper of connections.all()) reset(wrapper);
}

/**
 * Runs `fn` with a schema editor of a database, in a transaction; the deferred statements
 * (foreign keys, indexes) run at the end, once every table exists. On SQLite the foreign key
 * checks are off meanwhile (a table rebuild drops tables others point at) and every foreign key
 * is checked before the commit, as Django's schema editor does.
 *
 * @example
 * await withSchemaEditor(async (editor) => {
 *   await editor.createModel(Author);
 *   await editor.createModel(Post);
 * });
 */
export async function withSchemaEditor<R>(
  fn: (editor: BaseSchemaEditor) => R | Promise<R>,
  options: { using?: string; atomic?: boolean; collectSql?: boolean } = {},
): Promise<R> {
  const wrapper = connections.get(options.using ?? DEFAULT_DB_ALIAS);
  const editor = wrapper.schemaEditor();
  editor.collectSql = options.collectSql === true;
  const run = async () => {
    const result = await fn(editor);
    await editor.flush();
    if (!editor.collectSql) await wrapper.checkConstraints();
    return result;
  };
  const outside = !inAtomicBlock(wrapper.alias) && !editor.collectSql;
  const wasOn = outside ? await wrapper.disableConstraintChecking() : false;
  try {
    return options.atomic === false ? await run() : await atomic({ using: wrapper.alias }, run);
  } finally {
    if (wasOn) await wrapper.enableConstraintChecking();
  }
}
