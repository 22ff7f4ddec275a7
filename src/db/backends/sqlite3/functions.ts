/**
 * SQL functions SQLite lacks, registered on each connection as Django's SQLite backend does:
 * `REGEXP` (for `__regex`), and the time-zone conversions of datetime lookups in a zone other
 * than UTC (`__year`, `__date` ... with USE_TZ and another current time zone), and the
 * truncations of `dates()` and `datetimes()`.
 */
import type { DatabaseSync } from 'node:sqlite';
import { formatDate, formatTime, parseDateTimeText, temporal } from '../../temporal.ts';

const patterns = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (re === undefined) {
    // `(?i)` is how the compiler asks for a case-insensitive match (Python's inline flag).
    re = pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), 'i') : new RegExp(pattern);
    if (patterns.size > 500) patterns.clear();
    patterns.set(pattern, re);
  }
  return re;
}

function zoned(text: string, tzname: string) {
  const { plain } = parseDateTimeText(text);
  return plain.toZonedDateTime('UTC').withTimeZone(tzname);
}

const EXTRACT: Record<string, (z: ReturnType<typeof zoned>) => number> = {
  year: (z) => z.year,
  iso_year: (z) => z.yearOfWeek ?? z.year,
  quarter: (z) => Math.ceil(z.month / 3),
  month: (z) => z.month,
  week: (z) => z.weekOfYear ?? 0,
  week_day: (z) => (z.dayOfWeek % 7) + 1,
  iso_week_day: (z) => z.dayOfWeek,
  day: (z) => z.day,
  hour: (z) => z.hour,
  minute: (z) => z.minute,
  second: (z) => z.second,
};

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall time in `tzname` of a datetime stored in UTC, as [year, month, day, hour, minute,
 * second]: Intl's time-zone data, a tenth of the cost of a Temporal conversion per row.
 */
function wallTime(text: string, tzname: string): number[] {
  const match = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?$/.exec(text);
  if (match === null) {
    // A date, or a text with an offset: the general (slower) reading.
    const plain = /^\d{4,}-\d\d-\d\d$/.test(text)
      ? temporal().PlainDate.from(text).toPlainDateTime()
      : zoned(text, tzname).toPlainDateTime();
    return [plain.year, plain.month, plain.day, plain.hour, plain.minute, plain.second];
  }
  const utc = new Date(0);
  utc.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  utc.setUTCHours(Number(match[4]), Number(match[5]), Number(match[6] ?? 0));
  let format = wallFormats.get(tzname);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tzname,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallFormats.set(tzname, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(utc)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return [parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!];
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD[ HH:MM:SS]` of the first instant of the `kind` period holding the wall time (weeks from Monday, as ISO 8601). */
function truncate([year, month, day, hour, minute, second]: number[], kind: string, withTime: boolean): string {
  let y = year!;
  let m = month!;
  let d = day!;
  let time = [0, 0, 0];
  if (kind === 'year') [m, d] = [1, 1];
  else if (kind === 'quarter') [m, d] = [m - ((m - 1) % 3), 1];
  else if (kind === 'month') d = 1;
  else if (kind === 'week') {
    const date = new Date(0);
    date.setUTCFullYear(y, m - 1, d);
    date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
    [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  } else if (kind === 'hour') time = [hour!, 0, 0];
  else if (kind === 'minute') time = [hour!, minute!, 0];
  else if (kind === 'second') time = [hour!, minute!, second!];
  else if (kind !== 'day') throw new TypeError(`Cannot truncate to '${kind}'.`);
  const text = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  return withTime ? `${text} ${pad(time[0]!)}:${pad(time[1]!)}:${pad(time[2]!)}` : text;
}

export function registerFunctions(db: DatabaseSync): void {
  db.function('regexp', { deterministic: true }, (pattern, value) => {
    if (pattern === null || value === null) return null;
    return compile(String(pattern)).test(String(value)) ? 1 : 0;
  });
  db.function('tsgi_datetime_extract', { deterministic: true }, (part, value, tzname) => {
    if (value === null) return null;
    temporal();
    return EXTRACT[String(part)]!(zoned(String(value), String(tzname)));
  });
  // Truncations in a zone other than UTC (the UTC ones are strftime(): operations.ts).
  db.function('tsgi_date_trunc', { deterministic: true }, (kind, value, tzname) =>
    value === null ? null : truncate(wallTime(String(value), String(tzname)), String(kind), false),
  );
  db.function('tsgi_datetime_trunc', { deterministic: true }, (kind, value, tzname) =>
    value === null ? null : truncate(wallTime(String(value), String(tzname)), String(kind), true),
  );
  db.function('tsgi_datetime_cast_date', { deterministic: true }, (value, tzname) =>
    value === null ? null : formatDate(zoned(String(value), String(tzname))),
  );
  db.function('tsgi_datetime_cast_time', { deterministic: true }, (value, tzname) =>
    value === null ? null : formatTime(zoned(String(value), String(tzname))),
  );
}
