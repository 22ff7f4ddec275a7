/** PostgreSQL's SQL dialect, as Django's `django.db.backends.postgresql.operations`. */
import { BaseDatabaseOperations, type DatePart, type LookupOperators, type TruncKind } from '../base/operations.ts';

const FIELDS: Record<DatePart, string> = {
  year: 'YEAR',
  iso_year: 'ISOYEAR',
  quarter: 'QUARTER',
  month: 'MONTH',
  week: 'WEEK',
  week_day: 'DOW',
  iso_week_day: 'ISODOW',
  day: 'DAY',
  hour: 'HOUR',
  minute: 'MINUTE',
  second: 'SECOND',
};

function extract(part: DatePart, sql: string): string {
  // Integers, as on SQLite: EXTRACT gives numeric (seconds with their fraction).
  const value = `EXTRACT(${FIELDS[part]} FROM ${sql})`;
  if (part === 'week_day') return `(${value}::integer + 1)`;
  if (part === 'second') return `FLOOR(${value})::integer`;
  return `${value}::integer`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Internal types whose columns are already text: no cast before UPPER or LIKE. */
const TEXT_TYPES = new Set([
  'CharField',
  'TextField',
  'EmailField',
  'SlugField',
  'URLField',
  'FileField',
  'ImageField',
]);

export class PostgresOperations extends BaseDatabaseOperations {
  readonly operators: LookupOperators = {
    exact: '= %s',
    iexact: '= UPPER(%s)',
    contains: 'LIKE %s',
    icontains: 'LIKE UPPER(%s)',
    regex: '~ %s',
    iregex: '~* %s',
    gt: '> %s',
    gte: '>= %s',
    lt: '< %s',
    lte: '<= %s',
    startswith: 'LIKE %s',
    endswith: 'LIKE %s',
    istartswith: 'LIKE UPPER(%s)',
    iendswith: 'LIKE UPPER(%s)',
  };

  readonly patternOperators: Partial<LookupOperators> = {
    contains: "LIKE '%%' || %s || '%%'",
    icontains: "LIKE '%%' || UPPER(%s) || '%%'",
    startswith: "LIKE %s || '%%'",
    istartswith: "LIKE UPPER(%s) || '%%'",
    endswith: "LIKE '%%' || %s",
    iendswith: "LIKE '%%' || UPPER(%s)",
  };

  /** The protocol's 65535, less the two postgres.js keeps (it refuses 65534 parameters or more). */
  readonly maxQueryParams = 65533;

  placeholder(n: number): string {
    return `$${n}`;
  }

  limitOffsetSql(limit: string | undefined, offset: string | undefined): string {
    const parts: string[] = [];
    if (limit !== undefined) parts.push(`LIMIT ${limit}`);
    if (offset !== undefined) parts.push(`OFFSET ${offset}`);
    return parts.join(' ');
  }

  override lookupCast(lookup: string, internalType: string): string {
    const text = TEXT_TYPES.has(internalType);
    const upper = lookup === 'iexact' || lookup === 'icontains' || lookup === 'istartswith' || lookup === 'iendswith';
    const like =
      upper ||
      lookup === 'contains' ||
      lookup === 'startswith' ||
      lookup === 'endswith' ||
      lookup === 'regex' ||
      lookup === 'iregex';
    const cast = like && !text ? '%s::text' : '%s';
    return upper ? `UPPER(${cast})` : cast;
  }

  dateExtractSql(part: DatePart, sql: string): string {
    return extract(part, sql);
  }

  datetimeExtractSql(part: DatePart, sql: string, tzname: string | null): string {
    return extract(part, tzname === null ? sql : `${sql} AT TIME ZONE ${quoteLiteral(tzname)}`);
  }

  timeExtractSql(part: DatePart, sql: string): string {
    return extract(part, sql);
  }

  datetimeCastDateSql(sql: string, tzname: string | null): string {
    return `(${tzname === null ? sql : `${sql} AT TIME ZONE ${quoteLiteral(tzname)}`})::date`;
  }

  datetimeCastTimeSql(sql: string, tzname: string | null): string {
    return `(${tzname === null ? sql : `${sql} AT TIME ZONE ${quoteLiteral(tzname)}`})::time`;
  }

  dateTruncSql(kind: TruncKind, sql: string, tzname: string | null): string {
    return `(DATE_TRUNC(${quoteLiteral(kind)}, ${tzname === null ? sql : `${sql} AT TIME ZONE ${quoteLiteral(tzname)}`}))::date`;
  }

  datetimeTruncSql(kind: TruncKind, sql: string, tzname: string | null): string {
    // A timestamp without time zone: the wall time in `tzname`, made aware by the reader.
    const local = tzname === null ? sql : `${sql} AT TIME ZONE ${quoteLiteral(tzname)}`;
    return `DATE_TRUNC(${quoteLiteral(kind)}, ${local})`;
  }

  explainPrefix(format: string | undefined, options: Record<string, unknown>): string {
    const parts: string[] = [];
    for (const [name, value] of Object.entries(options)) {
      if (!/^(analyze|verbose|costs|settings|buffers|wal|timing|summary)$/i.test(name)) {
        throw new TypeError(
          `Unknown EXPLAIN option '${name}': use analyze, verbose, costs, settings, buffers, wal, timing or summary.`,
        );
      }
      parts.push(`${name.toUpperCase()} ${value ? 'true' : 'false'}`);
    }
    if (format !== undefined) {
      if (!/^(text|json|yaml|xml)$/i.test(format))
        throw new TypeError(`Unknown EXPLAIN format '${format}': use TEXT, JSON, YAML or XML.`);
      parts.push(`FORMAT ${format.toUpperCase()}`);
    }
    return parts.length > 0 ? `EXPLAIN (${parts.join(', ')})` : 'EXPLAIN';
  }

  ignoreConflictsSql(): [string, string] {
    return ['INSERT', 'ON CONFLICT DO NOTHING'];
  }

  jsonPathParam(path: readonly string[]): string[] {
    return [...path];
  }

  jsonKeyPathSql(sql: string, path: string): string {
    return `(${sql} #> ${path}::text[])`;
  }

  jsonKeyTextSql(sql: string, path: string): string {
    return `(${sql} #> ${path}::text[])`;
  }

  jsonHasKeySql(sql: string, path: string): string {
    return `(${sql} #> ${path}::text[]) IS NOT NULL`;
  }

  override jsonValueSql(placeholder: string): string {
    return `${placeholder}::jsonb`;
  }
}
