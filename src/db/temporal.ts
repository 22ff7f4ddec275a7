/**
 * Temporal values to and from the databases' text forms. Django's storage is kept (SQLite:
 * `YYYY-MM-DD HH:MM:SS.ffffff` text, aware datetimes in UTC, durations as microseconds;
 * PostgreSQL: `timestamp with time zone`, `interval`), so a database Django made reads the same.
 *
 * Temporal comes from `temporal-polyfill`, loaded on first use (src/utils/temporal.ts): it costs
 * ~30 ms to load, and a project that stores no dates never pays it.
 */
import type { Temporal as TemporalNamespace } from 'temporal-polyfill';

export type { TemporalNamespace };
import { temporal } from '../utils/temporal.ts';

/** The Temporal namespace, loaded on first use: the framework's one (src/utils/temporal.ts). */
export { temporal };

/** The Temporal class name of a value (`PlainDate`, `ZonedDateTime`...), or undefined. */
export function temporalKind(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const tag = (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  return typeof tag === 'string' && tag.startsWith('Temporal.') ? tag.slice(9) : undefined;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function fraction(micro: number): string {
  return micro === 0 ? '' : `.${pad(micro, 6)}`;
}

/** `HH:MM:SS[.ffffff]`, microseconds shown only when not zero (Python's `str(time)`). */
export function formatTime(t: {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  microsecond: number;
}): string {
  return `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${fraction(t.millisecond * 1000 + t.microsecond)}`;
}

/** `YYYY-MM-DD`. */
export function formatDate(d: { year: number; month: number; day: number }): string {
  const year = d.year < 0 ? `-${pad(-d.year, 4)}` : pad(d.year, 4);
  return `${year}-${pad(d.month)}-${pad(d.day)}`;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` (Python's `str(datetime)` without an offset). */
export function formatDateTime(dt: TemporalNamespace.PlainDateTime | TemporalNamespace.ZonedDateTime): string {
  return `${formatDate(dt)} ${formatTime(dt)}`;
}

/** An instant from what a DateTimeField accepts as aware: Instant, ZonedDateTime, Date, or an ISO string with an offset. */
export function toInstant(value: unknown): TemporalNamespace.Instant | undefined {
  const T = temporal();
  const kind = temporalKind(value);
  if (kind === 'Instant') return value as TemporalNamespace.Instant;
  if (kind === 'ZonedDateTime') return (value as TemporalNamespace.ZonedDateTime).toInstant();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    return T.Instant.fromEpochMilliseconds(value.getTime());
  }
  if (typeof value === 'string' && /(?:[zZ]|[+-]\d\d(?::?\d\d)?)$/.test(value.trim()) && /\d[T ]\d/.test(value)) {
    try {
      return T.Instant.from(
        value
          .trim()
          .replace(' ', 'T')
          .replace(/([+-]\d\d)$/, '$1:00'),
      );
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Parses a stored datetime text: `YYYY-MM-DD[ T]HH:MM[:SS[.f]]` with an optional offset. */
export function parseDateTimeText(text: string): {
  plain: TemporalNamespace.PlainDateTime;
  offset: string | undefined;
} {
  const T = temporal();
  const match =
    /^(\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?)\s*(Z|[+-]\d\d(?::?\d\d(?::?\d\d)?)?)?$/i.exec(
      text.trim(),
    );
  if (match === null) throw new TypeError(`'${text}' is not a datetime in the YYYY-MM-DD HH:MM[:ss[.uuuuuu]] format.`);
  const plain = T.PlainDateTime.from(`${match[1]}T${match[2]}`);
  let offset = match[3];
  if (offset !== undefined && /^[+-]\d\d$/.test(offset)) offset += ':00';
  return { plain, offset: offset === undefined ? undefined : offset.toUpperCase() === 'Z' ? '+00:00' : offset };
}

/** Microseconds in a Duration made of days and smaller units (months and years are refused). */
export function durationToMicroseconds(value: TemporalNamespace.Duration): bigint {
  if (value.years !== 0 || value.months !== 0 || value.weeks !== 0) {
    throw new TypeError(
      `The duration ${value.toString()} has years, months or weeks, which have no fixed length: a DurationField stores days and smaller units (write P30D, not P1M).`,
    );
  }
  const days = BigInt(value.days);
  const micro =
    ((BigInt(value.hours) * 60n + BigInt(value.minutes)) * 60n + BigInt(value.seconds)) * 1_000_000n +
    BigInt(value.milliseconds) * 1000n +
    BigInt(value.microseconds) +
    BigInt(value.nanoseconds) / 1000n;
  return days * 86_400_000_000n + micro;
}

/**
 * A Duration of days, hours, minutes, seconds and fractions from microseconds (Python's
 * `timedelta` normalised into one sign, as Temporal requires).
 */
export function microsecondsToDuration(total: bigint): TemporalNamespace.Duration {
  const T = temporal();
  const sign = total < 0n ? -1 : 1;
  let rest = total < 0n ? -total : total;
  const days = rest / 86_400_000_000n;
  rest %= 86_400_000_000n;
  const hours = rest / 3_600_000_000n;
  rest %= 3_600_000_000n;
  const minutes = rest / 60_000_000n;
  rest %= 60_000_000n;
  const seconds = rest / 1_000_000n;
  rest %= 1_000_000n;
  return T.Duration.from({
    days: sign * Number(days),
    hours: sign * Number(hours),
    minutes: sign * Number(minutes),
    seconds: sign * Number(seconds),
    milliseconds: sign * Number(rest / 1000n),
    microseconds: sign * Number(rest % 1000n),
  });
}

/**
 * Microseconds of a PostgreSQL interval in its default output style (`1 day 02:03:04.5`,
 * `-1 days +23:00:00`, `3 mons`); a month counts 30 days, a year 365.25 days (as psycopg2 does).
 */
export function parsePostgresInterval(text: string): bigint {
  let total = 0n;
  const units: Record<string, bigint> = {
    year: 31_557_600_000_000n,
    mon: 2_592_000_000_000n,
    day: 86_400_000_000n,
  };
  const re = /(-?\d+) (year|mon|day)s?|([+-])?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[2] !== undefined) total += BigInt(m[1]!) * units[m[2]]!;
    else {
      const micro =
        ((BigInt(m[4]!) * 60n + BigInt(m[5]!)) * 60n + BigInt(m[6]!)) * 1_000_000n +
        BigInt((m[7] ?? '').padEnd(6, '0'));
      total += m[3] === '-' ? -micro : micro;
    }
  }
  return total;
}
