/**
 * Date and time fields on Temporal (Python's distinctions kept): DateField holds a PlainDate,
 * TimeField a PlainTime, DateTimeField an aware ZonedDateTime (in UTC, with microseconds) when
 * USE_TZ is on and a PlainDateTime when it is off, DurationField a Duration (days and smaller
 * units). A JS Date is accepted wherever an aware datetime is.
 *
 * The stored forms are Django's (src/db/temporal.ts), so either framework reads the other's rows.
 */
import { fromSettings, settings } from '../../../conf/index.ts';
import { ValidationError } from '../../../core/exceptions.ts';
import { getLogger } from '../../../utils/log.ts';
import { getDefaultTimezone } from '../../../utils/timezone.ts';
import type { BaseDatabaseWrapper } from '../../backends/base/wrapper.ts';
import {
  durationToMicroseconds,
  formatDate,
  formatDateTime,
  formatTime,
  microsecondsToDuration,
  parseDateTimeText,
  parsePostgresInterval,
  temporal,
  temporalKind,
  toInstant,
  type TemporalNamespace,
} from '../../temporal.ts';
import { Field, type FieldOptions, type LookupKind } from './base.ts';

type T = typeof TemporalNamespace;
export type PlainDate = TemporalNamespace.PlainDate;
export type PlainTime = TemporalNamespace.PlainTime;
export type PlainDateTime = TemporalNamespace.PlainDateTime;
export type ZonedDateTime = TemporalNamespace.ZonedDateTime;
export type Instant = TemporalNamespace.Instant;
export type Duration = TemporalNamespace.Duration;

/**
 * Project-wide type switches. A project with `USE_TZ = false` declares it so that its
 * DateTimeFields are typed as PlainDateTime:
 *
 * @example
 * declare module 'tsgi/db/models' {
 *   interface Register { useTz: false }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** What a DateTimeField holds: ZonedDateTime (USE_TZ on, the default) or PlainDateTime (see Register). */
export type DateTimeValue = Register extends { useTz: false } ? PlainDateTime : ZonedDateTime;

const useTz = fromSettings(() => settings.USE_TZ !== false);
const warned = new Set<string>();

/** Whether datetimes are aware (USE_TZ). */
export function usesTimeZones(): boolean {
  return !settings.configured || useTz();
}

/** The zone naive datetimes are read in with USE_TZ on: the default time zone (TIME_ZONE), as Django's fields. */
export function defaultTimeZone(): string {
  return settings.configured ? getDefaultTimezone() : 'UTC';
}

function describe(value: unknown): string {
  return typeof value === 'string'
    ? `'${value}'`
    : temporalKind(value) !== undefined
      ? `a ${temporalKind(value)} (${String(value)})`
      : String(value);
}

/** Options of DateField and DateTimeField: values set on every save, or on the first. */
export interface AutoNowOptions<V> extends FieldOptions<V> {
  /** Set to now on every save (a modification date). Not editable. */
  autoNow?: boolean;
  /** Set to now when the row is created. Not editable. */
  autoNowAdd?: boolean;
}

function autoOptions<O extends AutoNowOptions<unknown>>(options: O | undefined): O {
  if (options?.autoNow || options?.autoNowAdd) return { editable: false, blank: true, ...options };
  return (options ?? {}) as O;
}

/** A calendar date. */
export class DateField<const O extends AutoNowOptions<PlainDate> = AutoNowOptions<PlainDate>> extends Field<
  PlainDate,
  O,
  PlainDate | PlainDateTime | ZonedDateTime | Date | string
> {
  readonly internalType: string = 'DateField';
  readonly lookupKind: LookupKind = 'date';

  constructor(options?: O) {
    super(autoOptions(options));
  }

  override toJs(value: unknown): PlainDate | null {
    if (value === null || value === undefined || value === '') return null;
    const kind = temporalKind(value);
    if (kind === 'PlainDate') return value as PlainDate;
    if (kind === 'PlainDateTime') return (value as PlainDateTime).toPlainDate();
    if (kind === 'ZonedDateTime') return (value as ZonedDateTime).withTimeZone(defaultTimeZone()).toPlainDate();
    if (value instanceof Date)
      return temporal()
        .Instant.fromEpochMilliseconds(value.getTime())
        .toZonedDateTimeISO(defaultTimeZone())
        .toPlainDate();
    if (typeof value === 'string' && /^\d{4}-\d\d-\d\d$/.test(value.trim())) {
      try {
        return temporal().PlainDate.from(value.trim());
      } catch {
        throw new ValidationError(`“${value}” value has the correct format (YYYY-MM-DD) but it is an invalid date.`, {
          code: 'invalid_date',
          params: { value },
        });
      }
    }
    throw new ValidationError(`“${String(value)}” value has an invalid date format. It must be in YYYY-MM-DD format.`, {
      code: 'invalid',
      params: { value },
    });
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    try {
      return this.toJs(value);
    } catch {
      throw new TypeError(`Field '${this.name}' expected a date but got ${describe(value)}.`);
    }
  }

  override getDbPrepValue(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return formatDate(this.getPrepValue(value) as PlainDate);
  }

  override fromDbConverter(): (value: unknown) => unknown {
    return (value) => (value === null ? null : temporal().PlainDate.from(String(value).slice(0, 10)));
  }

  override preSave(instance: Record<string, unknown>, add: boolean): unknown {
    if (this.options.autoNow || (add && this.options.autoNowAdd)) {
      const today = temporal().Now.plainDateISO(defaultTimeZone());
      instance[this.attname] = today;
      return today;
    }
    return super.preSave(instance, add);
  }
}

/** A time of day. */
export class TimeField<const O extends AutoNowOptions<PlainTime> = AutoNowOptions<PlainTime>> extends Field<
  PlainTime,
  O,
  PlainTime | string
> {
  readonly internalType: string = 'TimeField';
  readonly lookupKind: LookupKind = 'time';

  constructor(options?: O) {
    super(autoOptions(options));
  }

  override toJs(value: unknown): PlainTime | null {
    if (value === null || value === undefined || value === '') return null;
    const kind = temporalKind(value);
    if (kind === 'PlainTime') return value as PlainTime;
    if (kind === 'PlainDateTime' || kind === 'ZonedDateTime') return (value as PlainDateTime).toPlainTime();
    if (typeof value === 'string' && /^\d\d:\d\d(:\d\d(\.\d{1,9})?)?$/.test(value.trim())) {
      try {
        return temporal().PlainTime.from(value.trim());
      } catch {
        throw new ValidationError(
          `“${value}” value has the correct format (HH:MM[:ss[.uuuuuu]]) but it is an invalid time.`,
          {
            code: 'invalid_time',
            params: { value },
          },
        );
      }
    }
    throw new ValidationError(
      `“${String(value)}” value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format.`,
      {
        code: 'invalid',
        params: { value },
      },
    );
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    try {
      return this.toJs(value);
    } catch {
      throw new TypeError(`Field '${this.name}' expected a time but got ${describe(value)}.`);
    }
  }

  override getDbPrepValue(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return formatTime(this.getPrepValue(value) as PlainTime);
  }

  override fromDbConverter(): (value: unknown) => unknown {
    return (value) =>
      value === null ? null : temporal().PlainTime.from(String(value).replace(/[+-]\d\d(:?\d\d)?$/, ''));
  }

  override preSave(instance: Record<string, unknown>, add: boolean): unknown {
    if (this.options.autoNow || (add && this.options.autoNowAdd)) {
      const now = temporal().Now.plainTimeISO(defaultTimeZone());
      instance[this.attname] = now;
      return now;
    }
    return super.preSave(instance, add);
  }
}

function naiveWarning(field: Field, value: unknown): void {
  const key = field.toString();
  if (warned.has(key)) return;
  warned.add(key);
  getLogger('tsgi.db').warning(
    `DateTimeField ${key} received a naive datetime (${String(value)}) while time zone support is active: it is read in ${defaultTimeZone()}. ` +
      'Pass a ZonedDateTime, an Instant or a Date.',
  );
}

/**
 * DateTimeField's options. Its `default` may be `now` from tsgi/utils/timezone itself (Django's
 * `default=timezone.now`, which makemigrations writes as such): typed for both USE_TZ modes.
 */
export interface DateTimeOptions extends Omit<AutoNowOptions<DateTimeValue>, 'default'> {
  default?: DateTimeValue | (() => DateTimeValue | ZonedDateTime | PlainDateTime) | null;
}

/** A date and time: aware (ZonedDateTime in UTC) with USE_TZ, naive (PlainDateTime) without. */
export class DateTimeField<const O extends DateTimeOptions = DateTimeOptions> extends Field<
  DateTimeValue,
  O,
  ZonedDateTime | Instant | PlainDateTime | Date | string
> {
  readonly internalType: string = 'DateTimeField';
  readonly lookupKind: LookupKind = 'datetime';

  constructor(options?: O) {
    super(autoOptions(options));
  }

  override toJs(value: unknown): DateTimeValue | null {
    if (value === null || value === undefined || value === '') return null;
    const result = usesTimeZones() ? this.#aware(value) : this.#naive(value);
    if (result === undefined) {
      throw new ValidationError(
        `“${String(value)}” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.`,
        {
          code: 'invalid',
          params: { value },
        },
      );
    }
    return result as DateTimeValue;
  }

  #aware(value: unknown): ZonedDateTime | undefined {
    const instant = toInstant(value);
    if (instant !== undefined) return instant.toZonedDateTimeISO('UTC');
    const kind = temporalKind(value);
    if (kind === 'PlainDateTime') {
      naiveWarning(this, value);
      return (value as PlainDateTime).toZonedDateTime(defaultTimeZone()).withTimeZone('UTC');
    }
    if (kind === 'PlainDate') return (value as PlainDate).toZonedDateTime(defaultTimeZone()).withTimeZone('UTC');
    if (typeof value === 'string') {
      try {
        const { plain } = parseDateTimeText(value);
        naiveWarning(this, value);
        return plain.toZonedDateTime(defaultTimeZone()).withTimeZone('UTC');
      } catch {
        if (/^\d{4}-\d\d-\d\d$/.test(value.trim()))
          return temporal().PlainDate.from(value.trim()).toZonedDateTime(defaultTimeZone()).withTimeZone('UTC');
      }
    }
    return undefined;
  }

  #naive(value: unknown): PlainDateTime | undefined {
    const kind = temporalKind(value);
    if (kind === 'PlainDateTime') return value as PlainDateTime;
    if (kind === 'PlainDate') return (value as PlainDate).toPlainDateTime();
    const instant = toInstant(value);
    if (instant !== undefined) return instant.toZonedDateTimeISO(defaultTimeZone()).toPlainDateTime();
    if (typeof value === 'string') {
      try {
        return parseDateTimeText(value).plain;
      } catch {
        if (/^\d{4}-\d\d-\d\d$/.test(value.trim())) return temporal().PlainDate.from(value.trim()).toPlainDateTime();
      }
    }
    return undefined;
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    try {
      return this.toJs(value);
    } catch {
      throw new TypeError(`Field '${this.name}' expected a datetime but got ${describe(value)}.`);
    }
  }

  override getDbPrepValue(value: unknown, wrapper: BaseDatabaseWrapper): unknown {
    if (value === null || value === undefined) return null;
    const prepared = this.getPrepValue(value) as ZonedDateTime | PlainDateTime;
    if (temporalKind(prepared) === 'ZonedDateTime') {
      const zoned = prepared as ZonedDateTime;
      return wrapper.vendor === 'sqlite' ? formatDateTime(zoned.withTimeZone('UTC')) : zoned.toInstant().toString();
    }
    return formatDateTime(prepared as PlainDateTime);
  }

  override fromDbConverter(): (value: unknown) => unknown {
    return (value) => {
      if (value === null) return null;
      const { plain, offset } = parseDateTimeText(String(value));
      if (!usesTimeZones()) {
        if (offset === undefined) return plain;
        return temporal()
          .Instant.from(`${plain.toString()}${offset}`)
          .toZonedDateTimeISO(defaultTimeZone())
          .toPlainDateTime();
      }
      if (offset === undefined || offset === '+00:00') return plain.toZonedDateTime('UTC');
      return temporal().Instant.from(`${plain.toString()}${offset}`).toZonedDateTimeISO('UTC');
    };
  }

  override preSave(instance: Record<string, unknown>, add: boolean): unknown {
    if (this.options.autoNow || (add && this.options.autoNowAdd)) {
      const T: T = temporal();
      const now = usesTimeZones() ? T.Now.zonedDateTimeISO('UTC') : T.Now.plainDateTimeISO(defaultTimeZone());
      // Microseconds, as Python's datetime: Temporal's clock may give nanoseconds.
      const value = now.round({ smallestUnit: 'microsecond', roundingMode: 'trunc' });
      instance[this.attname] = value;
      return value;
    }
    return super.preSave(instance, add);
  }
}

/** A span of time (days and smaller): `bigint` microseconds on SQLite, `interval` on PostgreSQL. */
export class DurationField<const O extends FieldOptions<Duration> = FieldOptions<Duration>> extends Field<
  Duration,
  O,
  Duration | string | number
> {
  readonly internalType: string = 'DurationField';
  readonly lookupKind: LookupKind = 'duration';

  override toJs(value: unknown): Duration | null {
    if (value === null || value === undefined || value === '') return null;
    if (temporalKind(value) === 'Duration') return value as Duration;
    if (typeof value === 'number') return microsecondsToDuration(BigInt(Math.round(value * 1_000_000)));
    if (typeof value === 'string') {
      try {
        return temporal().Duration.from(value.trim());
      } catch {
        // Django's "[DD] [[HH:]MM:]ss[.uuuuuu]".
        const match = /^(?:(-?\d+) (?:days?,? )?)?(?:(\d+):)?(?:(\d+):)?(\d+)(?:\.(\d{1,6}))?$/.exec(value.trim());
        if (match !== null) {
          const [, days = '0', a, b, secs, frac = ''] = match;
          const hours = b !== undefined ? a! : '0';
          const minutes = b !== undefined ? b : (a ?? '0');
          const micro =
            BigInt(days) * 86_400_000_000n +
            ((BigInt(hours) * 60n + BigInt(minutes)) * 60n + BigInt(secs!)) * 1_000_000n +
            BigInt(frac.padEnd(6, '0'));
          return microsecondsToDuration(micro);
        }
      }
    }
    throw new ValidationError(
      `“${String(value)}” value has an invalid format. It must be in [DD] [[HH:]MM:]ss[.uuuuuu] format.`,
      {
        code: 'invalid',
        params: { value },
      },
    );
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    try {
      return this.toJs(value);
    } catch {
      throw new TypeError(`Field '${this.name}' expected a duration but got ${describe(value)}.`);
    }
  }

  override getDbPrepValue(value: unknown, wrapper: BaseDatabaseWrapper): unknown {
    if (value === null || value === undefined) return null;
    const micro = durationToMicroseconds(this.getPrepValue(value) as Duration);
    return wrapper.vendor === 'sqlite' ? micro : `${micro} microseconds`;
  }

  override fromDbConverter(wrapper: BaseDatabaseWrapper): (value: unknown) => unknown {
    if (wrapper.vendor === 'sqlite')
      return (value) => (value === null ? null : microsecondsToDuration(BigInt(value as number | bigint)));
    return (value) => (value === null ? null : microsecondsToDuration(parsePostgresInterval(String(value))));
  }

  override get readsBigInts(): boolean {
    return true;
  }
}
