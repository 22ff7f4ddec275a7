/**
 * Parsing ISO-style dates, times and durations into Temporal values, as Django's
 * `django.utils.dateparse`, and Django's `duration_string`. Each parser returns undefined when
 * the text does not have the shape, and throws a RangeError when it has the shape but is not a
 * real value (February 30, hour 25), as Django's raise ValueError.
 *
 * @example
 * parseDatetime('2024-01-02T10:30:00+02:00'); // ZonedDateTime 2024-01-02T10:30:00+02:00[+02:00]
 * parseDuration('3 days 04:05:06');           // Duration P3DT4H5M6S
 */
import type { Temporal } from 'temporal-polyfill';
import { temporal } from './temporal.ts';

const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const TIME = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?/;
const DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?\n?$/;

function plainDateTime(fields: number[]): Temporal.PlainDateTime {
  const [year, month, day, hour = 0, minute = 0, second = 0, microsecond = 0] = fields as [number, number, number];
  return temporal().PlainDateTime.from(
    {
      year,
      month,
      day,
      hour,
      minute,
      second,
      millisecond: Math.floor(microsecond / 1000),
      microsecond: microsecond % 1000,
    },
    { overflow: 'reject' },
  );
}

const micro = (text: string | undefined): number => (text === undefined ? 0 : Number(text.padEnd(6, '0')));

/** `YYYY-MM-DD` as a PlainDate. */
export function parseDate(text: string): Temporal.PlainDate | undefined {
  const m = DATE.exec(text);
  if (m === null) return undefined;
  return plainDateTime([Number(m[1]), Number(m[2]), Number(m[3])]).toPlainDate();
}

/** `HH:MM[:SS[.ffffff]]` at the start of `text` as a PlainTime (an offset after it is not read). */
export function parseTime(text: string): Temporal.PlainTime | undefined {
  const m = TIME.exec(text);
  if (m === null) return undefined;
  return plainDateTime([2000, 1, 1, Number(m[1]), Number(m[2]), Number(m[3] ?? 0), micro(m[4])]).toPlainTime();
}

/**
 * `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][Z|±HH[:MM]]`: a PlainDateTime, or a ZonedDateTime in a
 * fixed-offset zone (UTC for `Z`) when the text has an offset.
 */
export function parseDatetime(text: string): Temporal.PlainDateTime | Temporal.ZonedDateTime | undefined {
  const m = DATETIME.exec(text);
  if (m === null) return undefined;
  const plain = plainDateTime([
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
    micro(m[7]),
  ]);
  const tz = m[8];
  if (tz === undefined) return plain;
  if (tz === 'Z') return plain.toZonedDateTime('UTC');
  const minutes = tz.length > 3 ? Number(tz.slice(-2)) : 0;
  const hours = Number(tz.slice(1, 3));
  if (minutes > 59 || hours > 23) throw new RangeError(`The offset ${tz} is out of range.`);
  const offset = `${tz[0]}${tz.slice(1, 3)}:${String(minutes).padStart(2, '0')}`;
  return plain.toZonedDateTime(offset === '-00:00' ? '+00:00' : offset);
}

const STANDARD_DURATION =
  /^(?:(-?\d+) (?:days?, )?)?(-?)(?:(\d+):(?=\d+:\d+))?(?:(\d+):)?(\d+)(?:[.,](\d{1,6})\d{0,6})?$/;
const ISO_DURATION = /^([-+]?)P(?:(\d+(?:.\d+)?)D)?(?:T(?:(\d+(?:.\d+)?)H)?(?:(\d+(?:.\d+)?)M)?(?:(\d+(?:.\d+)?)S)?)?$/;
const POSTGRES_INTERVAL = /^(?:(-?\d+) (?:days? ?))?(?:([-+])?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?$/;

/** Python's timedelta limits: ±999999999 days. */
export const MAX_TIMEDELTA_DAYS = 999999999;

const MICROS_PER_DAY = 86_400_000_000n;

/** A number of microseconds as a Duration in days and smaller units, signed as one. */
export function durationFromMicroseconds(total: bigint): Temporal.Duration {
  const sign = total < 0n ? -1 : 1;
  let rest = total < 0n ? -total : total;
  const days = rest / MICROS_PER_DAY;
  rest %= MICROS_PER_DAY;
  const seconds = rest / 1_000_000n;
  const micros = rest % 1_000_000n;
  return temporal().Duration.from({
    days: sign * Number(days),
    seconds: sign * Number(seconds),
    milliseconds: sign * Number(micros / 1000n),
    microseconds: sign * Number(micros % 1000n),
  });
}

/** A Duration's length in microseconds (days of 24 hours; months and years are refused). */
export function durationToMicroseconds(value: Temporal.Duration): bigint {
  if (value.years !== 0 || value.months !== 0) {
    throw new RangeError(`The duration ${value.toString()} has years or months, which have no fixed length.`);
  }
  return (
    BigInt(value.weeks * 7 + value.days) * MICROS_PER_DAY +
    BigInt(value.hours) * 3_600_000_000n +
    BigInt(value.minutes) * 60_000_000n +
    BigInt(value.seconds) * 1_000_000n +
    BigInt(value.milliseconds) * 1000n +
    BigInt(value.microseconds) +
    BigInt(Math.trunc(value.nanoseconds / 1000))
  );
}

/** Python's `round()` of float microseconds as timedelta does (half to even). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Django's duration formats: `[-]D days, HH:MM:SS.ffffff` (and shorter, `%d %H:%M:%S.%f`),
 * ISO 8601 (`P4DT1H15M20S`, fractions allowed) and PostgreSQL's `3 days 04:05:06`. A Duration of
 * days and smaller units; throws a RangeError past Python's ±999999999 days.
 */
export function parseDuration(text: string): Temporal.Duration | undefined {
  let days = 0;
  let sign = 1;
  let parts: { hours?: string; minutes?: string; seconds?: string; microseconds?: string } = {};
  let iso = false;
  let m = STANDARD_DURATION.exec(text);
  if (m !== null) {
    days = m[1] !== undefined ? Number(m[1]) : 0;
    sign = m[2] === '-' ? -1 : 1;
    parts = { hours: m[3], minutes: m[4], seconds: m[5], microseconds: m[6] };
  } else if ((m = ISO_DURATION.exec(text)) !== null) {
    iso = true;
    sign = m[1] === '-' ? -1 : 1;
    days = m[2] !== undefined ? Number(m[2].replace(',', '.')) : 0;
    parts = { hours: m[3], minutes: m[4], seconds: m[5] };
  } else if ((m = POSTGRES_INTERVAL.exec(text)) !== null) {
    days = m[1] !== undefined ? Number(m[1]) : 0;
    sign = m[2] === '-' ? -1 : 1;
    parts = { hours: m[3], minutes: m[4], seconds: m[5], microseconds: m[6] };
  } else {
    return undefined;
  }
  const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s.replace(',', '.')));
  const micros = parts.microseconds !== undefined ? Number(parts.microseconds.padEnd(6, '0')) : 0;
  // Python builds timedelta(days) + sign * timedelta(hours=, minutes=, seconds=, microseconds=).
  const dayMicros = (iso ? sign : 1) * days * 86_400_000_000;
  const restMicros =
    sign *
    (num(parts.hours) * 3_600_000_000 + num(parts.minutes) * 60_000_000 + num(parts.seconds) * 1_000_000 + micros);
  const total =
    BigInt(Math.trunc(dayMicros)) +
    BigInt(roundHalfEven(dayMicros - Math.trunc(dayMicros))) +
    BigInt(roundHalfEven(restMicros));
  if (
    total >= BigInt(MAX_TIMEDELTA_DAYS + 1) * MICROS_PER_DAY ||
    total < -BigInt(MAX_TIMEDELTA_DAYS) * MICROS_PER_DAY
  ) {
    throw new RangeError(`The duration ${text} is beyond ±${MAX_TIMEDELTA_DAYS} days.`);
  }
  return durationFromMicroseconds(total);
}

/**
 * Django's `duration_string`: `[D ]HH:MM:SS[.ffffff]`, Python's timedelta fields (negative
 * durations have negative days and positive seconds: `-1 23:59:59` for minus one second).
 */
export function durationString(value: Temporal.Duration): string {
  const total = durationToMicroseconds(value);
  let days = total / MICROS_PER_DAY;
  let rest = total % MICROS_PER_DAY;
  if (rest < 0n) {
    days -= 1n;
    rest += MICROS_PER_DAY;
  }
  const seconds = Number(rest / 1_000_000n);
  const microseconds = Number(rest % 1_000_000n);
  const two = (n: number): string => String(n).padStart(2, '0');
  let text = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  if (days !== 0n) text = `${days} ${text}`;
  if (microseconds !== 0) text += `.${String(microseconds).padStart(6, '0')}`;
  return text;
}
