/**
 * SQL functions SQLite lacks, registered on each connection as Django's SQLite backend does:
 * `REGEXP` (for `__regex`), and the time-zone conversions of datetime lookups in a zone other
 * than UTC (`__year`, `__date` ... with USE_TZ and another current time zone).
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
  db.function('tsgi_datetime_cast_date', { deterministic: true }, (value, tzname) =>
    value === null ? null : formatDate(zoned(String(value), String(tzname))),
  );
  db.function('tsgi_datetime_cast_time', { deterministic: true }, (value, tzname) =>
    value === null ? null : formatTime(zoned(String(value), String(tzname))),
  );
}
