/**
 * Lookups and transforms, as Django's `django.db.models.lookups`: the part of a filter after the
 * field (`title__icontains`, `published__year__gte`, `data__owner__name`), compiled to SQL
 * through the backend's operators. Values are always bound as parameters; LIKE patterns are
 * escaped, so a `%` in a value is a `%`.
 */
import { FieldError, ValidationError } from '../../core/exceptions.ts';
import { escapeLike, PATTERN_LOOKUPS, type DatePart, type LookupOperators } from '../backends/base/operations.ts';
import { usesTimeZones, defaultTimeZone, DateField, TimeField } from './fields/temporal.ts';
import { IntegerField } from './fields/scalar.ts';
import type { AnyField } from './fields/base.ts';
import { isExpression, type ExpressionCompiler } from './expressions.ts';
import { stateOf } from './sql/state.ts';

/** A condition that matches nothing (Django's EmptyResultSet), or everything. */
export const EMPTY = Symbol('tsgi.db.empty');
export const FULL = Symbol('tsgi.db.full');
export type Condition = string | typeof EMPTY | typeof FULL;

/** The left side of a lookup: SQL and the field its values belong to. */
export interface LookupSide {
  sql: string;
  field: AnyField;
}

const LOOKUPS = new Set([
  'exact',
  'iexact',
  'contains',
  'icontains',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'range',
  'isnull',
  'regex',
  'iregex',
]);
const JSON_LOOKUPS = new Set(['has_key', 'has_keys', 'has_any_keys']);
const DATE_PARTS = new Set<DatePart>([
  'year',
  'iso_year',
  'quarter',
  'month',
  'week',
  'week_day',
  'iso_week_day',
  'day',
]);
const TIME_PARTS = new Set<DatePart>(['hour', 'minute', 'second']);

/** Whether a name is a lookup (not a field or a transform). */
export function isLookupName(name: string): boolean {
  return LOOKUPS.has(name) || JSON_LOOKUPS.has(name);
}

/** Whether a lookup with this value needs the joined rows kept when they are missing (`isnull=True`, `= NULL`). */
export function needsOuter(lookup: string, value: unknown): boolean {
  return (lookup === 'isnull' && value === true) || ((lookup === 'exact' || lookup === 'iexact') && value === null);
}

function unsupported(part: string, field: AnyField): FieldError {
  return new FieldError(`Unsupported lookup '${part}' for ${field.internalType} or join on the field not permitted.`);
}

/** Applies the transforms of `parts` (all but a final lookup name) and returns the side and the lookup. */
export function applyTransforms(
  compiler: ExpressionCompiler,
  side: LookupSide,
  parts: readonly string[],
): { side: LookupSide; lookup: string; jsonPath: string[] | null } {
  let { sql, field } = side;
  let lookup = 'exact';
  let rest = parts;
  if (rest.length > 0 && isLookupName(rest[rest.length - 1]!)) {
    lookup = rest[rest.length - 1]!;
    rest = rest.slice(0, -1);
  }
  if (field.lookupKind === 'json') {
    if (JSON_LOOKUPS.has(lookup) || rest.length > 0) return { side: { sql, field }, lookup, jsonPath: [...rest] };
    return { side: { sql, field }, lookup, jsonPath: null };
  }
  const ops = compiler.wrapper.ops;
  for (const part of rest) {
    const kind = field.lookupKind;
    if ((kind === 'date' || kind === 'datetime') && DATE_PARTS.has(part as DatePart)) {
      sql =
        kind === 'date'
          ? ops.dateExtractSql(part as DatePart, sql)
          : ops.datetimeExtractSql(part as DatePart, sql, tz());
      field = new IntegerField();
    } else if ((kind === 'datetime' || kind === 'time') && TIME_PARTS.has(part as DatePart)) {
      sql =
        kind === 'time'
          ? ops.timeExtractSql(part as DatePart, sql)
          : ops.datetimeExtractSql(part as DatePart, sql, tz());
      field = new IntegerField();
    } else if (kind === 'datetime' && part === 'date') {
      sql = ops.datetimeCastDateSql(sql, tz());
      field = new DateField();
    } else if (kind === 'datetime' && part === 'time') {
      sql = ops.datetimeCastTimeSql(sql, tz());
      field = new TimeField();
    } else {
      throw unsupported(part, field);
    }
  }
  if (JSON_LOOKUPS.has(lookup)) throw unsupported(lookup, field);
  return { side: { sql, field }, lookup, jsonPath: null };
}

/** The zone date parts of aware datetimes are taken in (null: as stored, when USE_TZ is off). */
function tz(): string | null {
  return usesTimeZones() ? defaultTimeZone() : null;
}

function prep(compiler: ExpressionCompiler, field: AnyField): (value: unknown) => unknown {
  const wrapper = compiler.wrapper;
  return (value) => field.getDbPrepValue(value, wrapper);
}

function textOf(field: AnyField, value: unknown): string {
  const prepared = field.lookupKind === 'text' ? field.getPrepValue(value) : value;
  return String(prepared);
}

function operator(
  compiler: ExpressionCompiler,
  lookup: keyof LookupOperators,
  rhs: string,
  expression: boolean,
): string {
  const ops = compiler.wrapper.ops;
  const template = expression ? (ops.patternOperators[lookup] ?? ops.operators[lookup]) : ops.operators[lookup];
  return template.replace('%s', rhs).replace(/%%/g, '%');
}

/**
 * Compiles `lhs <lookup> value`. The value's parameters are taken from the shape in the order
 * state.ts put them.
 */
export function compileLookup(
  compiler: ExpressionCompiler,
  lhs: LookupSide,
  parts: readonly string[],
  value: unknown,
): Condition {
  const { side, lookup, jsonPath } = applyTransforms(compiler, lhs, parts);
  if (jsonPath !== null) return compileJsonLookup(compiler, side, jsonPath, lookup, value);
  const ops = compiler.wrapper.ops;
  const internal = side.field.internalType;
  const cast = (name: string) => ops.lookupCast(name, internal).replace('%s', side.sql);

  if (lookup === 'isnull') {
    if (typeof value !== 'boolean') {
      throw new TypeError(
        `The QuerySet value for an isnull lookup must be true or false, not ${JSON.stringify(value)}.`,
      );
    }
    return `${side.sql} IS ${value ? '' : 'NOT '}NULL`;
  }
  if (value === null) {
    if (lookup === 'exact' || lookup === 'iexact') return `${side.sql} IS NULL`;
    throw new TypeError(
      `Cannot use null as a query value for the lookup '${lookup}': only exact and iexact match NULL (or use isnull).`,
    );
  }
  if (lookup === 'in') return compileIn(compiler, side, value);
  if (lookup === 'range') {
    if (!Array.isArray(value) || value.length !== 2)
      throw new TypeError(`The range lookup needs a [start, end] pair, not ${JSON.stringify(value)}.`);
    const convert = prep(compiler, side.field);
    return `${side.sql} BETWEEN ${compiler.param(convert)} AND ${compiler.param(convert)}`;
  }
  if (isExpression(value)) {
    const rhs = value.compile(compiler);
    if (lookup in PATTERN_LOOKUPS || lookup === 'regex' || lookup === 'iregex') {
      return `${cast(lookup)} ${operator(compiler, lookup as keyof LookupOperators, rhs.sql, true)}`;
    }
    return `${side.sql} ${operator(compiler, lookup as keyof LookupOperators, rhs.sql, true)}`;
  }
  const sub = stateOf(value);
  if (sub !== undefined) return `${side.sql} = (${compiler.subquery(sub)})`;
  if (lookup === 'iexact' && compiler.wrapper.vendor !== 'sqlite') {
    return `${cast(lookup)} ${operator(
      compiler,
      'iexact',
      compiler.param((v) => textOf(side.field, v)),
      false,
    )}`;
  }
  const pattern = PATTERN_LOOKUPS[lookup];
  if (pattern !== undefined) {
    const [prefix, suffix] = pattern;
    const ph = compiler.param((v) => `${prefix}${escapeLike(textOf(side.field, v))}${suffix}`);
    return `${cast(lookup)} ${operator(compiler, lookup as keyof LookupOperators, ph, false)}`;
  }
  if (lookup === 'regex' || lookup === 'iregex') {
    return `${cast(lookup)} ${operator(
      compiler,
      lookup,
      compiler.param((v) => String(v)),
      false,
    )}`;
  }
  const convert = prep(compiler, side.field);
  return `${side.sql} ${operator(compiler, lookup as keyof LookupOperators, compiler.param(convert), false)}`;
}

function compileIn(compiler: ExpressionCompiler, side: LookupSide, value: unknown): Condition {
  const sub = stateOf(value);
  if (sub !== undefined) return `${side.sql} IN (${compiler.subquery(sub)})`;
  if (!Array.isArray(value)) {
    throw new TypeError(
      `The in lookup needs a list (an array) or a QuerySet, not ${JSON.stringify(value) ?? String(value)}.`,
    );
  }
  const convert = prep(compiler, side.field);
  const placeholders: string[] = [];
  for (const item of value) {
    if (item === null) continue;
    placeholders.push(isExpression(item) ? item.compile(compiler).sql : compiler.param(convert));
  }
  // No value can match: Django's EmptyResultSet, no query at all.
  if (placeholders.length === 0) return EMPTY;
  return `${side.sql} IN (${placeholders.join(', ')})`;
}

function compileJsonLookup(
  compiler: ExpressionCompiler,
  side: LookupSide,
  path: string[],
  lookup: string,
  value: unknown,
): Condition {
  const ops = compiler.wrapper.ops;
  if (lookup === 'has_key' || lookup === 'has_keys' || lookup === 'has_any_keys') {
    const keys = lookup === 'has_key' ? [value] : (value as unknown[]);
    if (!Array.isArray(keys)) throw new TypeError(`${lookup} needs a list of keys.`);
    if (keys.length === 0) return lookup === 'has_any_keys' ? EMPTY : FULL;
    const terms = keys.map(() =>
      ops.jsonHasKeySql(
        side.sql,
        compiler.param((key) => ops.jsonPathParam([...path, String(key)])),
      ),
    );
    return terms.length === 1 ? terms[0]! : `(${terms.join(lookup === 'has_keys' ? ' AND ' : ' OR ')})`;
  }
  if (path.length === 0) {
    // The whole document: exact compares JSON values; SQL NULL is isnull.
    if (lookup === 'isnull') return `${side.sql} IS ${value ? '' : 'NOT '}NULL`;
    if (lookup === 'exact') {
      if (value === null) return `${side.sql} IS NULL`;
      const ph = compiler.param((v) => JSON.stringify(v));
      return compiler.wrapper.vendor === 'sqlite'
        ? `JSON(${side.sql}) = JSON(${ph})`
        : `${side.sql} = ${ops.jsonValueSql(ph)}`;
    }
    throw new FieldError(
      `Unsupported lookup '${lookup}' for JSONField: use a key path (data__key__${lookup}) or exact, isnull, has_key.`,
    );
  }
  const pathParam = () => compiler.constant(ops.jsonPathParam(path));
  if (lookup === 'isnull') {
    // isnull on a key: whether the key is missing (Django's KeyTransformIsNull).
    const has = ops.jsonHasKeySql(side.sql, pathParam());
    return value ? `NOT (${has})` : has;
  }
  if (lookup === 'exact') {
    if (value === null) return `${side.sql} IS NULL`;
    const keySql = ops.jsonKeyPathSql(side.sql, pathParam());
    const ph = compiler.param((v) => JSON.stringify(v));
    return compiler.wrapper.vendor === 'sqlite'
      ? `${keySql} = JSON_EXTRACT(${ph}, '$')`
      : `${keySql} = ${ops.jsonValueSql(ph)}`;
  }
  if (lookup === 'in') {
    if (!Array.isArray(value)) throw new TypeError('The in lookup needs a list.');
    if (value.length === 0) return EMPTY;
    const keySql = ops.jsonKeyPathSql(side.sql, pathParam());
    const items = value.map(() => {
      const ph = compiler.param((v) => JSON.stringify(v));
      return compiler.wrapper.vendor === 'sqlite' ? `JSON_EXTRACT(${ph}, '$')` : ops.jsonValueSql(ph);
    });
    return `${keySql} IN (${items.join(', ')})`;
  }
  if (lookup === 'gt' || lookup === 'gte' || lookup === 'lt' || lookup === 'lte') {
    if (compiler.wrapper.vendor === 'sqlite') {
      return `${ops.jsonKeyTextSql(side.sql, pathParam())} ${operator(
        compiler,
        lookup,
        compiler.param((v) => compiler.wrapper.adaptValue(v)),
        false,
      )}`;
    }
    return `${ops.jsonKeyPathSql(side.sql, pathParam())} ${operator(compiler, lookup, ops.jsonValueSql(compiler.param((v) => JSON.stringify(v))), false)}`;
  }
  // Text lookups on the key's value as text (Django's KeyTextTransform).
  const text =
    compiler.wrapper.vendor === 'sqlite'
      ? ops.jsonKeyTextSql(side.sql, pathParam())
      : `(${side.sql} #>> ${pathParam()}::text[])`;
  const textSide: LookupSide = { sql: text, field: new TextFieldLike() };
  if (lookup === 'iexact' || lookup in PATTERN_LOOKUPS || lookup === 'regex' || lookup === 'iregex') {
    return compileLookup(compiler, textSide, [lookup], value);
  }
  throw new FieldError(`Unsupported lookup '${lookup}' for a JSONField key.`);
}

/** Stands for the text of a JSON key in text lookups. */
class TextFieldLike extends IntegerField {
  override readonly internalType = 'TextField';
  override readonly lookupKind = 'text' as const;
  override getPrepValue(value: unknown): unknown {
    return value === null ? null : String(value);
  }
  override getDbPrepValue(value: unknown): unknown {
    return value === null || value === undefined ? null : String(value);
  }
}

export { ValidationError };
