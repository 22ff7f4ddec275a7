/**
 * What differs in SQL from one database to another, as Django's `BaseDatabaseOperations`:
 * quoting, placeholders, the lookup operators, date extraction, LIMIT/OFFSET. The compiler
 * (src/db/models/sql/compiler.ts) writes SQL only through these, so a backend is this class, a
 * schema editor and a connection.
 */

/** A date or time part that `__year`, `__month`, ... extract. */
export type DatePart =
  | 'year'
  | 'iso_year'
  | 'quarter'
  | 'month'
  | 'week'
  | 'week_day'
  | 'iso_week_day'
  | 'day'
  | 'hour'
  | 'minute'
  | 'second';

/** A period a date or datetime is truncated to (`Trunc`, `dates()`, `datetimes()`). */
export type TruncKind = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second';

/** The operators of the comparison lookups; `%s` is the right-hand side. */
export interface LookupOperators {
  exact: string;
  iexact: string;
  contains: string;
  icontains: string;
  gt: string;
  gte: string;
  lt: string;
  lte: string;
  startswith: string;
  istartswith: string;
  endswith: string;
  iendswith: string;
  regex: string;
  iregex: string;
}

/** The lookups whose right-hand side is a LIKE pattern built from the value. */
export const PATTERN_LOOKUPS: Readonly<Record<string, [prefix: string, suffix: string]>> = {
  iexact: ['', ''],
  contains: ['%', '%'],
  icontains: ['%', '%'],
  startswith: ['', '%'],
  istartswith: ['', '%'],
  endswith: ['%', ''],
  iendswith: ['%', ''],
};

/** Escapes LIKE's special characters (`\`, `%`, `_`) in a value, for `ESCAPE '\'`. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, '\\$&');
}

export abstract class BaseDatabaseOperations {
  abstract readonly operators: LookupOperators;
  /**
   * The operators when the right-hand side is an expression (`F('other')`), not a value:
   * `%s` is the expression, already turned into a LIKE pattern where the lookup needs one.
   */
  abstract readonly patternOperators: Partial<LookupOperators>;

  /** `"name"`, with double quotes doubled: identifiers are always quoted. */
  quoteName(name: string): string {
    if (name.startsWith('"') && name.endsWith('"')) return name;
    return `"${name.replace(/"/g, '""')}"`;
  }

  /** The placeholder of the `n`th parameter (1-based). */
  abstract placeholder(n: number): string;

  /** `LIMIT ... OFFSET ...` with placeholders, or '' when neither is set. */
  abstract limitOffsetSql(limit: string | undefined, offset: string | undefined): string;

  /** SQL extracting a part of a date column. */
  abstract dateExtractSql(part: DatePart, sql: string): string;

  /** SQL extracting a part of a datetime column, in the time zone `tzname` (null: as stored). */
  abstract datetimeExtractSql(part: DatePart, sql: string, tzname: string | null): string;

  /** SQL extracting a part of a time column. */
  abstract timeExtractSql(part: DatePart, sql: string): string;

  /** SQL of the date of a datetime column in `tzname`. */
  abstract datetimeCastDateSql(sql: string, tzname: string | null): string;

  /** SQL of the time of a datetime column in `tzname`. */
  abstract datetimeCastTimeSql(sql: string, tzname: string | null): string;

  /**
   * SQL of the first day of the `kind` period holding a date, or a datetime taken in `tzname`
   * (null: as stored), as `YYYY-MM-DD` (Django's `date_trunc_sql`).
   */
  abstract dateTruncSql(kind: TruncKind, sql: string, tzname: string | null): string;

  /**
   * SQL of the first instant of the `kind` period holding a datetime, as the naive wall time in
   * `tzname` (null: as stored), read back as `YYYY-MM-DD HH:MM:SS` (Django's `datetime_trunc_sql`).
   */
  abstract datetimeTruncSql(kind: TruncKind, sql: string, tzname: string | null): string;

  /** The SQL wrapping a column for a lookup (PostgreSQL casts to text for `iexact` on numbers). */
  lookupCast(_lookup: string, _internalType: string): string {
    return '%s';
  }

  /** `SELECT ... FOR UPDATE` options, or null when the database has none (SQLite). */
  forUpdateSql(options: { nowait?: boolean; skipLocked?: boolean; of?: string[]; noKey?: boolean }): string | null {
    let sql = options.noKey ? 'FOR NO KEY UPDATE' : 'FOR UPDATE';
    if (options.of !== undefined && options.of.length > 0) sql += ` OF ${options.of.join(', ')}`;
    if (options.nowait) sql += ' NOWAIT';
    if (options.skipLocked) sql += ' SKIP LOCKED';
    return sql;
  }

  /** The prefix of EXPLAIN. */
  abstract explainPrefix(format: string | undefined, options: Record<string, unknown>): string;

  /** `INSERT` for inserts that skip rows violating a constraint, and its suffix. */
  abstract ignoreConflictsSql(): [insert: string, suffix: string];

  /**
   * The parameter naming a JSON key path (`['a', '0']`): key paths are always bound as
   * parameters, never written into the SQL.
   */
  abstract jsonPathParam(path: readonly string[]): unknown;

  /** SQL of a JSON key path extraction returning JSON; `path` is the placeholder of jsonPathParam(). */
  abstract jsonKeyPathSql(sql: string, path: string): string;

  /** SQL of a JSON key path extraction selected as a value (JSON text, parsed when read). */
  jsonKeyValueSql(sql: string, path: string): string {
    return this.jsonKeyPathSql(sql, path);
  }

  /** SQL of a JSON key path extraction returning the value as text or a number, for comparisons. */
  abstract jsonKeyTextSql(sql: string, path: string): string;

  /** SQL testing that a JSON object has the key path. */
  abstract jsonHasKeySql(sql: string, path: string): string;

  /** The right-hand side of a comparison with a JSON value (the value, as JSON text). */
  jsonValueSql(placeholder: string): string {
    return placeholder;
  }

  /** SQL of the random ordering (`orderBy('?')`). */
  randomFunctionSql(): string {
    return 'RANDOM()';
  }

  /** The most parameters one statement may hold (bulk operations batch below it). */
  abstract readonly maxQueryParams: number;

  /** `SAVEPOINT`, `RELEASE SAVEPOINT`, `ROLLBACK TO SAVEPOINT`. */
  savepointCreateSql(id: string): string {
    return `SAVEPOINT ${this.quoteName(id)}`;
  }
  savepointCommitSql(id: string): string {
    return `RELEASE SAVEPOINT ${this.quoteName(id)}`;
  }
  savepointRollbackSql(id: string): string {
    return `ROLLBACK TO SAVEPOINT ${this.quoteName(id)}`;
  }
}
