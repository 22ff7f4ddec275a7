/**
 * How a value becomes text in a rendered template, as Django's `render_value_in_context`: aware
 * datetimes in the current time zone, numbers and dates localized, then escaped when autoescape
 * is on unless the value is a SafeString.
 */
import { fromSettings, settings } from '../conf/index.ts';
import { SafeString } from '../utils/safestring.ts';
import type * as TemporalPolyfill from 'temporal-polyfill';
import { toText } from './values.ts';

/**
 * Escapes the five HTML special characters as Django's `escape()` does (`'` is `&#x27;`).
 * Text without any is returned as it is, without a copy.
 */
export function escape(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 34:
        entity = '&quot;';
        break;
      case 38:
        entity = '&amp;';
        break;
      case 39:
        entity = '&#x27;';
        break;
      case 60:
        entity = '&lt;';
        break;
      case 62:
        entity = '&gt;';
        break;
      default:
        continue;
    }
    if (last !== i) out += text.slice(last, i);
    out += entity;
    last = i + 1;
  }
  if (last === 0) return text;
  return last < text.length ? out + text.slice(last) : out;
}

/** Escapes unless `value` is a SafeString (Django's `conditional_escape`), as text. */
export function conditionalEscape(value: unknown): string {
  if (value instanceof SafeString) return value.value;
  return escape(typeof value === 'string' ? value : toText(value));
}

type TemporalKind = 'Temporal.ZonedDateTime' | 'Temporal.Instant';

interface Zoned {
  withTimeZone(zone: string): unknown;
}
interface InstantLike {
  toZonedDateTimeISO(zone: string): unknown;
}

const tzConf = fromSettings(() => ({ useTz: Boolean(settings.USE_TZ), zone: String(settings.TIME_ZONE ?? 'UTC') }));

// Loaded on the first JS Date a template converts, not at start-up.
let temporal: typeof TemporalPolyfill.Temporal | undefined;
function Temporal(): typeof TemporalPolyfill.Temporal {
  const load = process.getBuiltinModule('node:module').createRequire(import.meta.url);
  temporal ??= (load('temporal-polyfill') as typeof TemporalPolyfill).Temporal;
  return temporal;
}

/** Whether `value` is an aware datetime: a ZonedDateTime, an Instant or a JS Date. */
export function isAware(value: unknown): boolean {
  if (value instanceof Date) return true;
  if (value === null || typeof value !== 'object') return false;
  const tag = (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] as TemporalKind | undefined;
  return tag === 'Temporal.ZonedDateTime' || tag === 'Temporal.Instant';
}

/**
 * An aware datetime in the current time zone (Django's `template_localtime`), when USE_TZ (or
 * the context's `useTz`) is on; anything else unchanged. A JS Date becomes a ZonedDateTime.
 */
export function templateLocaltime(value: unknown, useTz: boolean | undefined): unknown {
  if (value === null || typeof value !== 'object' || !isAware(value)) return value;
  const conf = tzConf();
  if (!(useTz ?? conf.useTz)) return value;
  if ((value as { convertToLocalTime?: unknown }).convertToLocalTime === false) return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return value;
    return Temporal().Instant.fromEpochMilliseconds(value.getTime()).toZonedDateTimeISO(conf.zone);
  }
  const tag = (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
  if (tag === 'Temporal.Instant') return (value as InstantLike).toZonedDateTimeISO(conf.zone);
  return (value as Zoned).withTimeZone(conf.zone);
}

/**
 * A value as the text a template prints, escaped when `autoescape` (Django's
 * `render_value_in_context`).
 */
export function renderValue(value: unknown, autoescape: boolean, useTz?: boolean): string {
  if (typeof value === 'string') return autoescape ? escape(value) : value;
  if (value instanceof SafeString) return value.value;
  const text = toText(templateLocaltime(value, useTz));
  return autoescape ? escape(text) : text;
}
