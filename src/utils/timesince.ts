/**
 * "4 days, 6 hours": the time between two dates, as Django's `django.utils.timesince`
 * (`timesince`, `timeuntil`), on Temporal values. Years are 365 days and months 30; leap days
 * between the two dates are taken out first; seconds are ignored; up to `depth` adjacent units
 * (2 by default: "1 year, 3 months", never "1 year, 5 days").
 */
import type { Temporal } from 'temporal-polyfill';
import { avoidWrapping } from './html.ts';
import { AttributeError } from './pyops.ts';
import { ValueError, temporalKind } from './python.ts';
import { temporal } from './temporal.ts';
import { getDefaultTimezone, isAware, toZoned } from './timezone.ts';

/** The words of each unit, singular and plural (Django's TIME_STRINGS). */
export type TimeStrings = Record<'year' | 'month' | 'week' | 'day' | 'hour' | 'minute', [string, string]>;

export const TIME_STRINGS: TimeStrings = {
  year: ['%d year', '%d years'],
  month: ['%d month', '%d months'],
  week: ['%d week', '%d weeks'],
  day: ['%d day', '%d days'],
  hour: ['%d hour', '%d hours'],
  minute: ['%d minute', '%d minutes'],
};

const CHUNKS: Array<[number, keyof TimeStrings]> = [
  [60 * 60 * 24 * 365, 'year'],
  [60 * 60 * 24 * 30, 'month'],
  [60 * 60 * 24 * 7, 'week'],
  [60 * 60 * 24, 'day'],
  [60 * 60, 'hour'],
  [60, 'minute'],
];

/** Options of `timesince()` and `timeuntil()`. */
export interface TimesinceOptions {
  /** The other end (default: now, aware in UTC if `d` is aware). A date counts from midnight. */
  now?: unknown;
  /** Measure from `now` to `d` instead (what `timeuntil` does). */
  reversed?: boolean;
  /** Replacement words for the units. */
  timeStrings?: TimeStrings;
  /** How many adjacent units to show (default 2). */
  depth?: number;
}

interface Point {
  aware: boolean;
  year: number;
  /** Microseconds since the epoch (aware) or since the epoch of the wall clock (naive). */
  micros: bigint;
}

function toPoint(value: unknown, name: string): Point {
  const kind = temporalKind(value);
  if (kind === 'Temporal.PlainDate' || kind === 'Temporal.PlainDateTime') {
    const plain =
      kind === 'Temporal.PlainDate'
        ? (value as Temporal.PlainDate).toPlainDateTime()
        : (value as Temporal.PlainDateTime);
    const ns = plain.toZonedDateTime('UTC').epochNanoseconds;
    return { aware: false, year: plain.year, micros: ns / 1000n - (ns < 0n && ns % 1000n !== 0n ? 1n : 0n) };
  }
  if (isAware(value)) {
    const zoned = toZoned(value);
    const ns = zoned.epochNanoseconds;
    return { aware: true, year: zoned.year, micros: ns / 1000n - (ns < 0n && ns % 1000n !== 0n ? 1n : 0n) };
  }
  throw new AttributeError(`${name} must be a date or a datetime, got ${kind ?? typeof value}.`);
}

const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
/** Leap years in [y1, y2), as Python's `calendar.leapdays`. */
const leapdays = (y1: number, y2: number) => {
  const before = (y: number) => Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
  return before(y2 - 1) - before(y1 - 1);
};

/**
 * The time from `d` to now (or `options.now`) as text, e.g. '2 weeks, 3 days'; '0 minutes' when
 * `d` is in the future. Units are joined by no-break spaces ('2\u00a0weeks').
 *
 * @example
 * timesince(Temporal.PlainDate.from('2020-01-01'), { now: Temporal.PlainDate.from('2020-02-15') }); // '1 month, 2 weeks'
 */
export function timesince(d: unknown, options: TimesinceOptions = {}): string {
  const { reversed = false, timeStrings = TIME_STRINGS, depth = 2 } = options;
  if (depth <= 0) throw new ValueError('depth must be greater than 0.');
  let start = toPoint(d, 'The date');
  let end: Point;
  if (options.now === undefined || options.now === null) {
    end = start.aware
      ? toPoint(temporal().Now.instant(), 'now')
      : toPoint(temporal().Now.plainDateTimeISO(getDefaultTimezone()), 'now');
  } else end = toPoint(options.now, 'now');
  if (reversed) [start, end] = [end, start];
  if (start.aware !== end.aware) throw new TypeError("can't subtract offset-naive and offset-aware datetimes");
  let leap = leapdays(start.year, end.year);
  if (leap !== 0) {
    if (isLeap(start.year)) leap -= 1;
    else if (isLeap(end.year)) leap += 1;
  }
  const delta = end.micros - start.micros - BigInt(leap) * 86_400_000_000n;
  // Whole seconds, rounded down (Python's days * 86400 + seconds of a timedelta).
  let since = Number(delta / 1_000_000n - (delta < 0n && delta % 1_000_000n !== 0n ? 1n : 0n));
  const words = (unit: keyof TimeStrings, n: number) =>
    avoidWrapping(timeStrings[unit][n === 1 ? 0 : 1].replace('%d', String(n)));
  if (since <= 0) return words('minute', 0);
  let i = CHUNKS.findIndex(([seconds]) => Math.floor(since / seconds) !== 0);
  if (i < 0) return words('minute', 0);
  const result: string[] = [];
  while (i < CHUNKS.length && result.length < depth) {
    const [seconds, unit] = CHUNKS[i]!;
    const count = Math.floor(since / seconds);
    if (count === 0) break;
    result.push(words(unit, count));
    since -= seconds * count;
    i += 1;
  }
  return result.join(', ');
}

/**
 * The time from now (or `options.now`) until `d`, e.g. '4 days, 6 hours'; '0 minutes' when it
 * has passed.
 */
export function timeuntil(d: unknown, options: Omit<TimesinceOptions, 'reversed'> = {}): string {
  return timesince(d, { ...options, reversed: true });
}
