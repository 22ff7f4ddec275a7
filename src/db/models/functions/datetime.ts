/**
 * Truncation of dates and datetimes, as Django's `Trunc` (django.db.models.functions.datetime):
 * the first day (DateField output) or the first instant (DateTimeField output) of the year,
 * quarter, month, week (Monday), day, hour, minute or second holding a value. A datetime is
 * truncated in a time zone (the current one by default, with USE_TZ), and a truncated datetime
 * comes back aware in that zone. `QuerySet.dates()` and `datetimes()` are built on it.
 */
import type { TruncKind } from '../../backends/base/operations.ts';
import { getCurrentTimezone, makeAware } from '../../../utils/timezone.ts';
import { parseDateTimeText } from '../../temporal.ts';
import { Expression, F, type Compiled, type ExpressionCompiler } from '../expressions.ts';
import type { Shape } from '../sql/state.ts';
import { DateField, DateTimeField, usesTimeZones } from '../fields/temporal.ts';

export type { TruncKind };

const DATE_KINDS: ReadonlySet<string> = new Set(['year', 'quarter', 'month', 'week', 'day']);
const TIME_KINDS: ReadonlySet<string> = new Set(['hour', 'minute', 'second']);

/** How the truncated datetimes are read: the wall time in `zone`, made aware there (USE_TZ). */
class TruncatedDateTimeField extends DateTimeField {
  readonly #zone: string | null;
  readonly #isDst: boolean | undefined;

  constructor(zone: string | null, isDst: boolean | undefined) {
    super();
    this.#zone = zone;
    this.#isDst = isDst;
  }

  override fromDbConverter(): (value: unknown) => unknown {
    const zone = this.#zone;
    const isDst = this.#isDst;
    return (value) => {
      if (value === null) return null;
      const { plain } = parseDateTimeText(String(value));
      return zone === null ? plain : makeAware(plain, zone, isDst);
    };
  }
}

export interface TruncOptions {
  /**
   * `date` (a PlainDate) or `datetime` (a ZonedDateTime with USE_TZ, else a PlainDateTime);
   * default: the source's (Django's `output_field`).
   */
  output?: 'date' | 'datetime';
  /** The time zone a datetime is truncated in (default: the current one); USE_TZ only. */
  tzinfo?: string;
  /** Which reading of a wall time that happens twice or never (DST) to take: see makeAware(). */
  isDst?: boolean;
}

/**
 * A date or datetime truncated to `kind`.
 *
 * @example
 * // Posts per month: [{ month: ZonedDateTime, n: 3 }, ...] (a DateField's months are PlainDates).
 * await Post.objects.annotate({ month: new Trunc('published', 'month') }).values('month').annotate({ n: Count('id') });
 * await Post.objects.annotate({ day: new Trunc('published', 'day', { output: 'date', tzinfo: 'Europe/Paris' }) });
 */
export class Trunc<T = unknown> extends Expression<T> {
  readonly source: Expression;
  readonly kind: TruncKind;
  /** The output asked for; undefined: the source's type. */
  readonly output: 'date' | 'datetime' | undefined;
  readonly tzinfo: string | undefined;
  readonly isDst: boolean | undefined;

  constructor(expression: string | Expression, kind: TruncKind, options: TruncOptions = {}) {
    super();
    if (!DATE_KINDS.has(kind) && !TIME_KINDS.has(kind)) {
      throw new TypeError(
        `Cannot truncate to '${String(kind)}': use 'year', 'quarter', 'month', 'week', 'day', 'hour', 'minute' or 'second'.`,
      );
    }
    const output = options.output;
    if (output !== undefined && output !== 'date' && output !== 'datetime') {
      throw new TypeError(`Trunc's output must be 'date' or 'datetime', not '${String(output)}'.`);
    }
    if (output === 'date' && TIME_KINDS.has(kind)) {
      throw new TypeError(`Cannot truncate to '${kind}' with a date output: use { output: 'datetime' }.`);
    }
    this.source = typeof expression === 'string' ? F(expression) : expression;
    this.kind = kind;
    this.output = output;
    this.tzinfo = options.tzinfo;
    this.isDst = options.isDst;
  }

  /** The zone datetimes are truncated in: `tzinfo` or the current one with USE_TZ, else none. */
  tzname(): string | null {
    if (!usesTimeZones()) return null;
    return this.tzinfo ?? getCurrentTimezone();
  }

  shape(shape: Shape): void {
    // The zone is written into the SQL, so it is part of the key (the current zone varies per request).
    shape.add(`Trunc(${this.kind},${this.output ?? ''},${this.tzname() ?? ''},${String(this.isDst)},`);
    this.source.shape(shape);
    shape.add(')');
  }

  /** Throws Django's errors for a source this truncation does not apply to. */
  checkSource(type: string | undefined, name: string): void {
    if (type === 'TimeField') {
      throw new TypeError(
        `Cannot truncate TimeField '${name}' to ${this.output === 'datetime' ? 'DateTimeField' : 'DateField'}: tsgi's Trunc truncates dates and datetimes.`,
      );
    }
    if (type !== 'DateField' && type !== 'DateTimeField') {
      throw new TypeError(
        `Trunc only valid on DateField, TimeField, or DateTimeField ('${name}' is ${type ?? 'an expression of unknown type'}).`,
      );
    }
    if (type === 'DateField' && (this.output === 'datetime' || TIME_KINDS.has(this.kind))) {
      throw new TypeError(`Cannot truncate DateField '${name}' to DateTimeField.`);
    }
    if (type === 'DateField' && this.tzinfo !== undefined) {
      throw new TypeError(`tzinfo can only be used with DateTimeField ('${name}' is a DateField).`);
    }
  }

  compile(compiler: ExpressionCompiler): Compiled {
    const inner = this.source.compile(compiler);
    const type = inner.field?.internalType;
    this.checkSource(type, inner.field?.name ?? String(this.source));
    const zone = type === 'DateTimeField' ? this.tzname() : null;
    const ops = compiler.wrapper.ops;
    const output = this.output ?? (type === 'DateTimeField' ? 'datetime' : 'date');
    if (output === 'date') {
      return { ...inner, sql: ops.dateTruncSql(this.kind, inner.sql, zone), field: new DateField() };
    }
    return {
      ...inner,
      sql: ops.datetimeTruncSql(this.kind, inner.sql, zone),
      field: new TruncatedDateTimeField(zone, this.isDst),
    };
  }
}
