/**
 * Values of raw SQL parameters as SQLite stores them, as Python's sqlite3 adapters and Django's
 * do: booleans as 1 and 0, datetimes as `YYYY-MM-DD HH:MM:SS[.ffffff]` text (aware ones in
 * UTC), decimals as text, objects as JSON. The ORM's own queries bind values their fields
 * converted already.
 */
import {
  formatDate,
  formatDateTime,
  formatTime,
  temporal,
  temporalKind,
  type TemporalNamespace,
} from '../../temporal.ts';

export function adaptParam(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'undefined':
      return null;
    case 'object':
      break;
    default:
      throw new TypeError(
        `A ${typeof value} cannot be a SQL parameter: pass a string, a number, a bigint, a boolean, a date or null.`,
      );
  }
  if (value === null || value instanceof Uint8Array) return value;
  if (value instanceof Date) {
    return formatDateTime(temporal().Instant.fromEpochMilliseconds(value.getTime()).toZonedDateTimeISO('UTC'));
  }
  const kind = temporalKind(value);
  if (kind === 'PlainDate') return formatDate(value as TemporalNamespace.PlainDate);
  if (kind === 'PlainTime') return formatTime(value as TemporalNamespace.PlainTime);
  if (kind === 'PlainDateTime') return formatDateTime(value as TemporalNamespace.PlainDateTime);
  if (kind === 'ZonedDateTime') return formatDateTime((value as TemporalNamespace.ZonedDateTime).withTimeZone('UTC'));
  if (kind === 'Instant') return formatDateTime((value as TemporalNamespace.Instant).toZonedDateTimeISO('UTC'));
  if (kind !== undefined || value.constructor?.name === 'Decimal') return String(value);
  return JSON.stringify(value);
}
