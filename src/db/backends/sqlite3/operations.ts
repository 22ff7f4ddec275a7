/** SQLite's SQL dialect, as Django's `django.db.backends.sqlite3.operations`. */
import { BaseDatabaseOperations, type DatePart, type LookupOperators, type TruncKind } from '../base/operations.ts';

/** strftime() formats of the date parts SQLite can extract itself. */
const STRFTIME: Partial<Record<DatePart, string>> = {
  year: '%Y',
  iso_year: '%G',
  month: '%m',
  week: '%V',
  day: '%d',
  hour: '%H',
  minute: '%M',
  second: '%S',
};

function extract(part: DatePart, sql: string): string {
  const format = STRFTIME[part];
  if (format !== undefined) return `CAST(STRFTIME('${format}', ${sql}) AS INTEGER)`;
  if (part === 'week_day') return `(CAST(STRFTIME('%w', ${sql}) AS INTEGER) + 1)`;
  if (part === 'iso_week_day') return `CAST(STRFTIME('%u', ${sql}) AS INTEGER)`;
  if (part === 'quarter') return `((CAST(STRFTIME('%m', ${sql}) AS INTEGER) + 2) / 3)`;
  throw new TypeError(`SQLite cannot extract '${part}'.`);
}

/** strftime() formats of a truncated date; a datetime's add its time (` 00:00:00` for days and longer). */
const TRUNC_FORMATS: Readonly<Record<string, string>> = {
  year: '%Y-01-01',
  month: '%Y-%m-01',
  day: '%Y-%m-%d',
  hour: '%Y-%m-%d %H:00:00',
  minute: '%Y-%m-%d %H:%M:00',
  second: '%Y-%m-%d %H:%M:%S',
};

/**
 * SQL truncating a date or a datetime stored as text in UTC (or naive): strftime() in SQLite
 * itself, where the other zones need the registered functions (functions.ts). `midnight` is the
 * time a datetime output adds to a whole day.
 */
function truncate(kind: TruncKind, sql: string, midnight: string): string {
  // The Monday on or before the day: back six days, then forward to a Monday.
  if (kind === 'week') return `STRFTIME('%Y-%m-%d${midnight}', ${sql}, '-6 days', 'weekday 1')`;
  if (kind === 'quarter') {
    const month = `((CAST(STRFTIME('%m', ${sql}) AS INTEGER) - 1) / 3) * 3 + 1`;
    return `(STRFTIME('%Y-', ${sql}) || SUBSTR('0' || (${month}), -2) || '-01${midnight}')`;
  }
  const format = TRUNC_FORMATS[kind]!;
  return `STRFTIME('${format.includes(' ') ? format : format + midnight}', ${sql})`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export class SqliteOperations extends BaseDatabaseOperations {
  // SQLite's LIKE ignores ASCII case, so `contains` is case-insensitive there, as in Django.
  readonly operators: LookupOperators = {
    exact: '= %s',
    iexact: "LIKE %s ESCAPE '\\'",
    contains: "LIKE %s ESCAPE '\\'",
    icontains: "LIKE %s ESCAPE '\\'",
    regex: 'REGEXP %s',
    iregex: "REGEXP '(?i)' || %s",
    gt: '> %s',
    gte: '>= %s',
    lt: '< %s',
    lte: '<= %s',
    startswith: "LIKE %s ESCAPE '\\'",
    endswith: "LIKE %s ESCAPE '\\'",
    istartswith: "LIKE %s ESCAPE '\\'",
    iendswith: "LIKE %s ESCAPE '\\'",
  };

  readonly patternOperators: Partial<LookupOperators> = {
    contains: "LIKE '%%' || %s || '%%' ESCAPE '\\'",
    icontains: "LIKE '%%' || UPPER(%s) || '%%' ESCAPE '\\'",
    startswith: "LIKE %s || '%%' ESCAPE '\\'",
    istartswith: "LIKE UPPER(%s) || '%%' ESCAPE '\\'",
    endswith: "LIKE '%%' || %s ESCAPE '\\'",
    iendswith: "LIKE '%%' || UPPER(%s) ESCAPE '\\'",
  };

  readonly maxQueryParams = 32766;

  placeholder(): string {
    // Positional: statements number their parameters in the order they appear (finishSql).
    return '?';
  }

  limitOffsetSql(limit: string | undefined, offset: string | undefined): string {
    if (limit === undefined && offset === undefined) return '';
    // SQLite needs a LIMIT before an OFFSET: -1 is "no limit".
    return `LIMIT ${limit ?? '-1'}${offset !== undefined ? ` OFFSET ${offset}` : ''}`;
  }

  dateExtractSql(part: DatePart, sql: string): string {
    return extract(part, sql);
  }

  datetimeExtractSql(part: DatePart, sql: string, tzname: string | null): string {
    // Stored in UTC; another zone's parts come from the registered tsgi_datetime_extract().
    if (tzname === null || tzname === 'UTC') return extract(part, sql);
    return `tsgi_datetime_extract('${part}', ${sql}, '${tzname.replace(/'/g, "''")}')`;
  }

  timeExtractSql(part: DatePart, sql: string): string {
    return extract(part, sql);
  }

  datetimeCastDateSql(sql: string, tzname: string | null): string {
    if (tzname === null || tzname === 'UTC') return `DATE(${sql})`;
    return `tsgi_datetime_cast_date(${sql}, '${tzname.replace(/'/g, "''")}')`;
  }

  datetimeCastTimeSql(sql: string, tzname: string | null): string {
    if (tzname === null || tzname === 'UTC') return `TIME(${sql})`;
    return `tsgi_datetime_cast_time(${sql}, '${tzname.replace(/'/g, "''")}')`;
  }

  dateTruncSql(kind: TruncKind, sql: string, tzname: string | null): string {
    if (tzname === null || tzname === 'UTC') return truncate(kind, sql, '');
    return `tsgi_date_trunc('${kind}', ${sql}, ${quoteLiteral(tzname)})`;
  }

  datetimeTruncSql(kind: TruncKind, sql: string, tzname: string | null): string {
    if (tzname === null || tzname === 'UTC') return truncate(kind, sql, ' 00:00:00');
    return `tsgi_datetime_trunc('${kind}', ${sql}, ${quoteLiteral(tzname)})`;
  }

  override forUpdateSql(): string | null {
    return null;
  }

  explainPrefix(): string {
    return 'EXPLAIN QUERY PLAN';
  }

  ignoreConflictsSql(): [string, string] {
    return ['INSERT OR IGNORE', ''];
  }

  jsonPathParam(path: readonly string[]): string {
    let text = '$';
    for (const key of path) text += /^\d+$/.test(key) ? `[${key}]` : `."${key.replace(/["\\]/g, '\\$&')}"`;
    return text;
  }

  jsonKeyPathSql(sql: string, path: string): string {
    return `JSON_EXTRACT(${sql}, ${path})`;
  }

  override jsonKeyValueSql(sql: string, path: string): string {
    // `->` gives the JSON text ('"en"'), where JSON_EXTRACT gives SQL values ('en').
    return `(${sql} -> ${path})`;
  }

  jsonKeyTextSql(sql: string, path: string): string {
    return `JSON_EXTRACT(${sql}, ${path})`;
  }

  jsonHasKeySql(sql: string, path: string): string {
    return `JSON_TYPE(${sql}, ${path}) IS NOT NULL`;
  }

  override jsonValueSql(placeholder: string): string {
    return `JSON_EXTRACT(${placeholder}, '$')`;
  }
}
