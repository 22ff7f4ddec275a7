/**
 * Values of raw SQL parameters as PostgreSQL reads them: datetimes as ISO 8601 text with their
 * offset, Temporal values as their ISO text, durations as intervals, objects as JSON. The ORM's
 * own queries bind values their fields converted already.
 */
import { temporalKind } from '../../temporal.ts';

export function adaptParam(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return value;
  if (value instanceof Uint8Array || value instanceof Date || Array.isArray(value)) return value;
  const kind = temporalKind(value);
  if (kind === 'ZonedDateTime') return (value as { toInstant(): { toString(): string } }).toInstant().toString();
  if (kind !== undefined || value.constructor?.name === 'Decimal') return String(value);
  return JSON.stringify(value);
}
