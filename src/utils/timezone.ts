/**
 * Time zones, as Django's `django.utils.timezone`, on Temporal: `now()`, `localtime()`,
 * `localdate()`, `makeAware()`, `makeNaive()`, `isAware()`/`isNaive()`, and the current time zone.
 *
 * A time zone is an IANA name (`'Europe/Paris'`) or a fixed offset (`'+05:30'`), as Temporal
 * takes it. The default is `settings.TIME_ZONE`; `activate()`, `deactivate()` and `override()`
 * change the current one for the request being served only: it lives in the request's async
 * context (AsyncLocalStorage), never in a module variable, because one worker serves many
 * requests at once.
 *
 * Aware datetimes are `ZonedDateTime`s (an `Instant` or a JS `Date` is taken as one, in UTC);
 * naive datetimes are `PlainDateTime`s.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Temporal } from 'temporal-polyfill';
import { fromSettings, settings } from '../conf/index.ts';
import { temporalKind } from './python.ts';
import { temporal } from './temporal.ts';

/** The UTC time zone. */
export const utc = 'UTC';

interface ActiveZone {
  zone: string | undefined;
}

const active = new AsyncLocalStorage<ActiveZone>();

const defaultZone = fromSettings(() => checkTimeZone(String(settings.TIME_ZONE), 'The TIME_ZONE setting'));
const useTz = fromSettings(() => Boolean(settings.USE_TZ));

function checkTimeZone(zone: string, what: string): string {
  try {
    return temporal().ZonedDateTime.from({ year: 2000, month: 1, day: 1, timeZone: zone }).timeZoneId;
  } catch {
    throw new RangeError(
      `${what} is ${JSON.stringify(zone)}, which is not a time zone: use an IANA name such as 'Europe/Paris' or 'UTC', or an offset such as '+05:30'.`,
    );
  }
}

/** A fixed-offset time zone `minutes` east of UTC (Django's `get_fixed_timezone`), e.g. `'+05:30'`. */
export function getFixedTimezone(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(Math.trunc(minutes));
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** The default time zone: `settings.TIME_ZONE`. */
export function getDefaultTimezone(): string {
  return defaultZone();
}

/** The name of the default time zone. */
export function getDefaultTimezoneName(): string {
  return defaultZone();
}

/** The current time zone: the one activated for this request, else the default. */
export function getCurrentTimezone(): string {
  return active.getStore()?.zone ?? defaultZone();
}

/** The name of the current time zone. */
export function getCurrentTimezoneName(): string {
  return getCurrentTimezone();
}

/**
 * Sets the current time zone for the rest of this request (this async context and what it
 * starts), as Django's `activate()` does for a thread. Prefer `override()`, which restores.
 *
 * @example
 * // In a middleware: the user's zone for the rest of the request.
 * activate(request.COOKIES.tz ?? 'UTC');
 */
export function activate(zone: string): void {
  if (typeof zone !== 'string') throw new TypeError(`Invalid timezone: ${String(zone)}; pass an IANA time zone name.`);
  active.enterWith({ zone: checkTimeZone(zone, 'The time zone') });
}

/** Goes back to the default time zone (settings.TIME_ZONE) for the rest of this async context. */
export function deactivate(): void {
  active.enterWith({ zone: undefined });
}

/**
 * Runs `fn` with `zone` as the current time zone (`null`: the default one), then restores the
 * previous one, also across the awaits of an async `fn` (Django's `timezone.override`).
 *
 * @example
 * const text = await override('Asia/Tokyo', () => template.render(context));
 */
export function override<T>(zone: string | null, fn: () => T): T {
  return active.run({ zone: zone === null ? undefined : checkTimeZone(zone, 'The time zone') }, fn);
}

/** Whether `value` is an aware datetime (a ZonedDateTime, an Instant, a JS Date). */
export function isAware(value: unknown): boolean {
  const kind = temporalKind(value);
  return kind === 'Temporal.ZonedDateTime' || kind === 'Temporal.Instant' || value instanceof Date;
}

/** Whether `value` is a naive datetime (a PlainDateTime). */
export function isNaive(value: unknown): boolean {
  return temporalKind(value) === 'Temporal.PlainDateTime';
}

/** An aware value (ZonedDateTime, Instant, Date) as a ZonedDateTime, keeping its own zone. */
export function toZoned(value: unknown): Temporal.ZonedDateTime {
  const kind = temporalKind(value);
  if (kind === 'Temporal.ZonedDateTime') return value as Temporal.ZonedDateTime;
  if (kind === 'Temporal.Instant') return (value as Temporal.Instant).toZonedDateTimeISO('UTC');
  if (value instanceof Date) return temporal().Instant.fromEpochMilliseconds(value.getTime()).toZonedDateTimeISO('UTC');
  throw new TypeError(`Expected an aware datetime (a ZonedDateTime, an Instant or a Date), got ${describe(value)}.`);
}

function describe(value: unknown): string {
  return temporalKind(value) ?? (value === null ? 'null' : typeof value);
}

/** Truncates a Temporal value to microseconds, as Python keeps time. */
function toMicroseconds<T extends { round(options: object): T }>(value: T): T {
  return value.round({ smallestUnit: 'microsecond', roundingMode: 'trunc' });
}

/**
 * The current date and time: an aware ZonedDateTime in UTC when USE_TZ is on, else a naive
 * PlainDateTime in TIME_ZONE (Django's `timezone.now()`).
 */
export function now(): Temporal.ZonedDateTime | Temporal.PlainDateTime {
  if (useTz()) return toMicroseconds(temporal().Now.zonedDateTimeISO(utc));
  return toMicroseconds(temporal().Now.plainDateTimeISO(defaultZone()));
}

/**
 * An aware datetime in the current time zone, or `zone` (Django's `localtime()`); `value`
 * defaults to now. A naive datetime is refused.
 *
 * @example
 * localtime(Temporal.Instant.from('2020-07-01T12:00Z')).toPlainTime().toString(); // '07:00:00' in Chicago
 */
export function localtime(value?: unknown, zone?: string): Temporal.ZonedDateTime {
  const target = zone ?? getCurrentTimezone();
  if (value === undefined || value === null) return toMicroseconds(temporal().Now.zonedDateTimeISO(target));
  if (isNaive(value)) throw new RangeError('localtime() cannot be applied to a naive datetime');
  return toZoned(value).withTimeZone(target);
}

/** The date of `localtime(value, zone)` (Django's `localdate()`). */
export function localdate(value?: unknown, zone?: string): Temporal.PlainDate {
  return localtime(value, zone).toPlainDate();
}

/**
 * A naive datetime made aware in `zone` (default: the current one), as Django 3.2's
 * `make_aware`: a wall time that happens twice (DST ends) or never (DST starts) is an error
 * unless `isDst` says which to take (true: the daylight-saving reading).
 */
export function makeAware(value: Temporal.PlainDateTime, zone?: string, isDst?: boolean): Temporal.ZonedDateTime {
  if (!isNaive(value))
    throw new RangeError(`makeAware expects a naive datetime (a PlainDateTime), got ${describe(value)}.`);
  const target = zone ?? getCurrentTimezone();
  if (isDst === undefined || isDst === null) {
    try {
      return value.toZonedDateTime(target, { disambiguation: 'reject' });
    } catch (error) {
      const earlier = value.toZonedDateTime(target, { disambiguation: 'earlier' });
      const later = value.toZonedDateTime(target, { disambiguation: 'later' });
      const kind = earlier.toPlainDateTime().equals(value) ? 'happens twice' : 'does not exist';
      throw new RangeError(
        `${value.toString()} ${kind} in ${target} (a daylight saving time change: ${earlier.offset} or ${later.offset}); ` +
          'pass isDst (true for the daylight saving reading, false for standard time).',
        { cause: error },
      );
    }
  }
  return value.toZonedDateTime(target, { disambiguation: isDst ? 'earlier' : 'later' });
}

/** An aware datetime as a naive one in `zone` (default: the current one), as Django's `make_naive`. */
export function makeNaive(value: unknown, zone?: string): Temporal.PlainDateTime {
  if (isNaive(value)) throw new RangeError('makeNaive() cannot be applied to a naive datetime');
  return toZoned(value)
    .withTimeZone(zone ?? getCurrentTimezone())
    .toPlainDateTime();
}

/**
 * What the template engine hands a filter declared `expectsLocaltime`: an aware datetime
 * converted to the current time zone when USE_TZ is on (or `useTz` says so), anything else as it
 * is (Django's `template_localtime`). An object with `convertToLocalTime === false` is left alone.
 */
export function templateLocaltime(value: unknown, useTzOverride?: boolean): unknown {
  if (!isAware(value)) return value;
  if (!(useTzOverride ?? useTz())) return value;
  if ((value as { convertToLocalTime?: unknown }).convertToLocalTime === false) return value;
  return localtime(value);
}
