/**
 * SQL functions SQLite lacks, registered on each connection as Django's SQLite backend does:
 * `REGEXP` (for `__regex`), and the time-zone conversions of datetime lookups in a zone other
 * than UTC (`__year`, `__date` ... with USE_TZ and another current time zone), and the
 * truncations of `dates()` and `datetimes()`.
 */
import type { DatabaseSync } from 'node:sqlite';
import {
  formatDate,
  formatDateTime,
  formatTime,
  parseDateTimeText,
  temporal,
  type TemporalNamespace,
} from '../../temporal.ts';

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

/** A stored date or datetime as a wall time: in `tzname` (a datetime stored in UTC) or as stored. */
function wallTime(text: string, tzname: unknown): TemporalNamespace.PlainDateTime {
  if (/^\d{4,}-\d\d-\d\d$/.test(text)) return temporal().PlainDate.from(text).toPlainDateTime();
  return tzname === null ? parseDateTimeText(text).plain : zoned(text, String(tzname)).toPlainDateTime();
}

/** The first instant of the `kind` period holding `value` (weeks start on Monday, as ISO 8601). */
function truncate(value: TemporalNamespace.PlainDateTime, kind: string): TemporalNamespace.PlainDateTime {
  const day = value.toPlainDate();
  switch (kind) {
    case 'year':
      return day.with({ month: 1, day: 1 }).toPlainDateTime();
    case 'quarter':
      return day.with({ month: value.month - ((value.month - 1) % 3), day: 1 }).toPlainDateTime();
    case 'month':
      return day.with({ day: 1 }).toPlainDateTime();
    case 'week':
      return day.subtract({ days: day.dayOfWeek - 1 }).toPlainDateTime();
    case 'day':
      return day.toPlainDateTime();
    case 'hour':
      return value.round({ smallestUnit: 'hour', roundingMode: 'trunc' });
    case 'minute':
      return value.round({ smallestUnit: 'minute', roundingMode: 'trunc' });
    case 'second':
      return value.round({ smallestUnit: 'second', roundingMode: 'trunc' });
  }
  throw new TypeError(`Cannot truncate to '${kind}'.`);
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
  db.function('tsgi_date_trunc', { deterministic: true }, (kind, value, tzname) =>
    value === null ? null : formatDate(truncate(wallTime(String(value), tzname), String(kind))),
  );
  db.function('tsgi_datetime_trunc', { deterministic: true }, (kind, value, tzname) =>
    value === null ? null : formatDateTime(truncate(wallTime(String(value), tzname), String(kind))),
  );
  db.function('tsgi_datetime_cast_date', { deterministic: true }, (value, tzname) =>
    value === null ? null : formatDate(zoned(String(value), String(tzname))),
  );
  db.function('tsgi_datetime_cast_time', { deterministic: true }, (value, tzname) =>
    value === null ? null : formatTime(zoned(String(value), String(tzname))),
  );
}
