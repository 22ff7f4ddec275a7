/**
 * PHP-style date formatting, as Django's `django.utils.dateformat`: `format(value, 'jS F Y H:i')`
 * on dates, times and datetimes (Temporal values; a JS Date or an Instant is an aware datetime
 * in UTC), with every format character of Django 3.2:
 *
 * | | |
 * |---|---|
 * | day | `d` 01–31, `j` 1–31, `D` Fri, `l` Friday, `S` st/nd/rd/th, `w` 0 (Sunday)–6, `z` 1–366 |
 * | week, month | `W` ISO week, `m` 01–12, `n` 1–12, `M` Jan, `b` jan, `F`/`E` January, `N` Jan./March/Sept. (AP), `t` days in month |
 * | year | `y` 99, `Y` 1999, `L` True/False (leap), `o` ISO week-numbering year |
 * | time | `g` 1–12, `G` 0–23, `h` 01–12, `H` 00–23, `i` minutes, `s` seconds, `u` microseconds, `a` a.m., `A` AM, `f` 1:30, `P` 1:30 p.m./midnight/noon |
 * | zone | `e` zone name, `T` abbreviation (CST), `O` +0200, `Z` offset in seconds, `I` 1 in daylight saving time |
 * | full | `c` ISO 8601, `r` RFC 5322, `U` Unix seconds |
 *
 * A backslash escapes a character (`\\Y`). A naive datetime is read in the default time zone
 * (TIME_ZONE) for `T`, `O`, `Z`, `I`, `r` and `U`; where its wall time happens twice or never
 * there, those characters print nothing (`r` fails), as Django 3.2's do. Formatting a date with a
 * time character is an error; a value without the field a character needs (a time's year, a
 * string's anything) raises `AttributeError`, which the `date` and `time` filters turn into ''.
 */
import type { Temporal } from 'temporal-polyfill';
import { getCurrentTimezone, getDefaultTimezone, toZoned } from './timezone.ts';
import { AttributeError } from './pyops.ts';
import { temporal } from './temporal.ts';
import { dateIso, microseconds, pyStr, temporalKind, timeIso } from './python.ts';
import { zoneName } from './tzinfo.ts';

export { AttributeError };

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export const WEEKDAYS_ABBR = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export const MONTHS_3 = MONTHS.map((m) => m.slice(0, 3).toLowerCase());
/** Month abbreviations in Associated Press style. */
export const MONTHS_AP = [
  'Jan.',
  'Feb.',
  'March',
  'April',
  'May',
  'June',
  'July',
  'Aug.',
  'Sept.',
  'Oct.',
  'Nov.',
  'Dec.',
];

const TIME_CHARS = new Set('aAefgGhHiOPsTuZ');
const FORMAT_CHARS = /(?<!\\)([aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ])/;
const ESCAPED = /\\([^\n])/gu;

type Kind = 'date' | 'time' | 'naive' | 'aware' | 'other';

/** Parsed format strings: literal text (escapes resolved) at even indexes, format characters at odd ones. */
const parsed = new Map<string, readonly string[]>();
const PARSED_LIMIT = 1000;

function parse(formatString: string): readonly string[] {
  let pieces = parsed.get(formatString);
  if (pieces === undefined) {
    pieces = formatString.split(FORMAT_CHARS).map((piece, i) => (i % 2 ? piece : piece.replace(ESCAPED, '$1')));
    // Templates use a handful of formats; a bound keeps formats built from data from growing it.
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(formatString, pieces);
  }
  return pieces;
}

interface Fields {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  microsecond?: number;
}

/** The zone facts of a datetime: its time zone, and its offset, name and DST flag there. */
interface ZoneFacts {
  /** An instant in this zone (a naive datetime: its reading in TIME_ZONE), for U and r. */
  zoned: Temporal.ZonedDateTime;
  /** False where a naive wall time happens twice or never in TIME_ZONE. */
  unambiguous: boolean;
  name: string;
  isDst: boolean;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function kindOf(value: unknown): Kind {
  switch (temporalKind(value)) {
    case 'Temporal.PlainDate':
      return 'date';
    case 'Temporal.PlainTime':
      return 'time';
    case 'Temporal.PlainDateTime':
      return 'naive';
    case 'Temporal.ZonedDateTime':
    case 'Temporal.Instant':
      return 'aware';
  }
  return value instanceof Date && !Number.isNaN(value.getTime()) ? 'aware' : 'other';
}

function zoneFacts(zoned: Temporal.ZonedDateTime, unambiguous = true): ZoneFacts {
  const id = zoned.timeZoneId;
  const offset = zoned.offsetNanoseconds / 1e9;
  if (/^[-+]/.test(id)) {
    // A fixed offset is Python's datetime.timezone: named 'UTC+05:30', never DST.
    return { zoned, unambiguous, name: offset === 0 ? 'UTC' : `UTC${zoned.offset}`, isDst: false };
  }
  const seconds = zoned.epochNanoseconds / 1_000_000_000n - (zoned.epochNanoseconds < 0n ? 1n : 0n);
  const { abbreviation, isDst } = zoneName(id, seconds, offset);
  return { zoned, unambiguous, name: abbreviation, isDst };
}

/** A formatter over one value: Django's TimeFormat, with DateFormat's characters on top. */
class Formatter {
  readonly kind: Kind;
  readonly fields: Fields;
  readonly data: unknown;
  #zoned: Temporal.ZonedDateTime | undefined;
  #zone: ZoneFacts | undefined | null = null;
  #date: Temporal.PlainDate | undefined;

  constructor(value: unknown) {
    this.data = value;
    this.kind = kindOf(value);
    if (this.kind === 'aware') {
      this.#zoned = toZoned(value);
      this.fields = fieldsOf(this.#zoned.toPlainDateTime());
    } else if (this.kind === 'naive') {
      this.fields = fieldsOf(value as Temporal.PlainDateTime);
    } else if (this.kind === 'date') {
      const d = value as Temporal.PlainDate;
      this.#date = d;
      this.fields = { year: d.year, month: d.month, day: d.day };
    } else if (this.kind === 'time') {
      const t = value as Temporal.PlainTime;
      this.fields = { hour: t.hour, minute: t.minute, second: t.second, microsecond: microseconds(t) };
    } else this.fields = {};
  }

  /** The zone facts, or undefined where Django's formatter has no time zone (dates, times). Computed on first use. */
  zone(): ZoneFacts | undefined {
    if (this.#zone !== null) return this.#zone;
    if (this.kind === 'aware') this.#zone = zoneFacts(this.#zoned!);
    else if (this.kind === 'naive') {
      const plain = this.data as Temporal.PlainDateTime;
      const zone = getDefaultTimezone();
      const earlier = plain.toZonedDateTime(zone, { disambiguation: 'earlier' });
      const later = plain.toZonedDateTime(zone, { disambiguation: 'later' });
      const unambiguous = earlier.offsetNanoseconds === later.offsetNanoseconds;
      // The reading time.mktime() and Temporal's 'compatible' give: the earlier of a repeated
      // wall time, the later of a skipped one (whose earlier reading moved the wall clock back).
      const skipped = !unambiguous && (earlier.hour !== plain.hour || earlier.minute !== plain.minute);
      this.#zone = zoneFacts(skipped ? later : earlier, unambiguous);
    } else this.#zone = undefined;
    return this.#zone;
  }

  field(name: keyof Fields): number {
    const value = this.fields[name];
    if (value === undefined) {
      throw new AttributeError(`A ${this.kind === 'other' ? 'value of this type' : this.kind} has no ${name}.`);
    }
    return value;
  }

  date(): Temporal.PlainDate {
    this.#date ??= new (temporal().PlainDate)(this.field('year'), this.field('month'), this.field('day'));
    return this.#date;
  }

  format(formatString: string, timeOnly: boolean): string {
    const pieces = parse(formatString);
    let out = '';
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i % 2 === 0) {
        out += piece;
        continue;
      }
      if (this.kind === 'date' && TIME_CHARS.has(piece)) {
        throw new TypeError(
          `The format for date objects may not contain time-related format specifiers (found '${piece}').`,
        );
      }
      if (timeOnly && !TIME_CHARS.has(piece)) {
        throw new AttributeError(`'TimeFormat' object has no attribute '${piece}'`);
      }
      out += this.char(piece);
    }
    return out;
  }

  hour12(): number {
    return this.field('hour') % 12 || 12;
  }

  offsetSeconds(): number | undefined {
    const zone = this.zone();
    if (!zone || !zone.unambiguous) return undefined;
    return zone.zoned.offsetNanoseconds / 1e9;
  }

  char(c: string): string {
    switch (c) {
      // -- time (Django's TimeFormat) --
      case 'a':
        return this.field('hour') > 11 ? 'p.m.' : 'a.m.';
      case 'A':
        return this.field('hour') > 11 ? 'PM' : 'AM';
      case 'e':
        return this.kind === 'aware' ? this.zone()!.name : '';
      case 'f':
        return this.field('minute') === 0 ? String(this.hour12()) : `${this.hour12()}:${this.char('i')}`;
      case 'g':
        return String(this.hour12());
      case 'G':
        return String(this.field('hour'));
      case 'h':
        return pad(this.hour12());
      case 'H':
        return pad(this.field('hour'));
      case 'i':
        return pad(this.field('minute'));
      case 'O': {
        const seconds = this.offsetSeconds();
        if (seconds === undefined) return '';
        const abs = Math.abs(seconds);
        return `${seconds < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600))}${pad(Math.floor(abs / 60) % 60)}`;
      }
      case 'P':
        if (this.field('minute') === 0 && this.field('hour') === 0) return 'midnight';
        if (this.field('minute') === 0 && this.field('hour') === 12) return 'noon';
        return `${this.char('f')} ${this.char('a')}`;
      case 's':
        return pad(this.field('second'));
      case 'T': {
        const zone = this.zone();
        if (!zone) return '';
        return zone.unambiguous ? zone.name : this.char('O');
      }
      case 'u':
        return pad(this.field('microsecond'), 6);
      case 'Z': {
        const seconds = this.offsetSeconds();
        return seconds === undefined ? '' : String(seconds);
      }
      // -- date (Django's DateFormat) --
      case 'b':
        return MONTHS_3[this.field('month') - 1]!;
      case 'c':
        return this.isoformat();
      case 'd':
        return pad(this.field('day'));
      case 'D':
        return WEEKDAYS_ABBR[this.date().dayOfWeek - 1]!;
      case 'E':
      case 'F':
        return MONTHS[this.field('month') - 1]!;
      case 'I': {
        const zone = this.zone();
        if (!zone || !zone.unambiguous) return '';
        return zone.isDst ? '1' : '0';
      }
      case 'j':
        return String(this.field('day'));
      case 'l':
        return WEEKDAYS[this.date().dayOfWeek - 1]!;
      case 'L':
        return this.date().inLeapYear ? 'True' : 'False';
      case 'm':
        return pad(this.field('month'));
      case 'M': {
        const m = MONTHS_3[this.field('month') - 1]!;
        return m[0]!.toUpperCase() + m.slice(1);
      }
      case 'n':
        return String(this.field('month'));
      case 'N':
        return MONTHS_AP[this.field('month') - 1]!;
      case 'o':
        return String(this.date().yearOfWeek);
      case 'r':
        return this.rfc5322();
      case 'S': {
        const day = this.field('day');
        if (day === 11 || day === 12 || day === 13) return 'th';
        return ['th', 'st', 'nd', 'rd'][day % 10] ?? 'th';
      }
      case 't':
        return pad(this.date().daysInMonth);
      case 'U':
        return this.unixSeconds();
      case 'w':
        return String(this.date().dayOfWeek % 7);
      case 'W':
        return String(this.date().weekOfYear);
      case 'y':
        return pad(this.field('year') % 100);
      case 'Y':
        return String(this.field('year'));
      case 'z':
        return String(this.date().dayOfYear);
    }
    return c;
  }

  isoformat(): string {
    switch (this.kind) {
      case 'date':
        return dateIso(this.data as Temporal.PlainDate);
      case 'time':
        return timeIso(this.data as Temporal.PlainTime);
      case 'naive':
        return dateIso(this.fields as Required<Fields>) + timeIso(timeFields(this.fields), 'T');
      case 'aware': {
        const offset = this.zone()!.zoned.offset.replace(/(\d\d:\d\d:\d\d)\.\d+$/, '$1');
        return dateIso(this.fields as Required<Fields>) + timeIso(timeFields(this.fields), 'T') + offset;
      }
    }
    throw new AttributeError('This value has no isoformat().');
  }

  rfc5322(): string {
    if (this.kind === 'date') {
      throw new TypeError("The format for date objects may not contain time-related format specifiers (found 'r').");
    }
    const zone = this.zone();
    if (!zone) {
      // Django makes the time aware in the current zone: pytz's UTC accepts it (and the time
      // then has no date), any other zone fails on time arithmetic.
      if (getCurrentTimezone() === 'UTC') throw new AttributeError('A time has no date to format as RFC 5322.');
      throw new TypeError("unsupported operand type(s) for +: 'datetime.time' and 'datetime.timedelta'");
    }
    if (!zone.unambiguous) {
      throw new RangeError(
        `${String(this.data)} happens twice or never in ${getDefaultTimezone()}: it cannot be formatted with 'r'.`,
      );
    }
    const seconds = zone.zoned.offsetNanoseconds / 1e9;
    const abs = Math.abs(seconds);
    const offset =
      `${seconds < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600))}${pad(Math.floor(abs / 60) % 60)}` +
      (abs % 60 ? pad(abs % 60) : '');
    const d = this.date();
    return (
      `${WEEKDAYS_ABBR[d.dayOfWeek - 1]}, ${pad(d.day)} ${MONTHS_3[d.month - 1]![0]!.toUpperCase()}${MONTHS_3[d.month - 1]!.slice(1)} ` +
      `${pad(d.year, 4)} ${pad(this.field('hour'))}:${pad(this.field('minute'))}:${pad(this.field('second'))} ${offset}`
    );
  }

  unixSeconds(): string {
    if (this.kind === 'aware') {
      const ns = this.zone()!.zoned.epochNanoseconds;
      const s = ns / 1_000_000_000n;
      return String(ns < 0n && s * 1_000_000_000n !== ns ? s - 1n : s);
    }
    // Naive values are read in TIME_ZONE, as time.mktime() does in a Django process.
    const plain =
      this.kind === 'naive'
        ? (this.data as Temporal.PlainDateTime).with({ millisecond: 0, microsecond: 0, nanosecond: 0 })
        : this.date().toPlainDateTime();
    return String(
      plain.toZonedDateTime(getDefaultTimezone(), { disambiguation: 'compatible' }).epochMilliseconds / 1000,
    );
  }
}

function fieldsOf(v: {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  microsecond: number;
}): Fields {
  return {
    year: v.year,
    month: v.month,
    day: v.day,
    hour: v.hour,
    minute: v.minute,
    second: v.second,
    microsecond: v.millisecond * 1000 + v.microsecond,
  };
}

function timeFields(f: Fields) {
  const us = f.microsecond ?? 0;
  return {
    hour: f.hour ?? 0,
    minute: f.minute ?? 0,
    second: f.second ?? 0,
    millisecond: Math.floor(us / 1000),
    microsecond: us % 1000,
  };
}

/**
 * Formats a date, time or datetime with Django's date format characters (the `date` filter).
 *
 * @example
 * format(Temporal.PlainDateTime.from('2003-10-07T11:39'), 'jS F Y H:i'); // '7th October 2003 11:39'
 */
export function format(value: unknown, formatString: unknown): string {
  return new Formatter(value).format(pyStringOf(formatString), false);
}

/**
 * Formats a time (or the time of a datetime) with the time characters only (the `time` filter):
 * a date character raises AttributeError.
 */
export function timeFormat(value: unknown, formatString: unknown): string {
  return new Formatter(value).format(pyStringOf(formatString), true);
}

function pyStringOf(value: unknown): string {
  return pyStr(value);
}
