/**
 * How a value becomes text in a rendered template, as Django's `render_value_in_context`: aware
 * datetimes in the current time zone, numbers and dates localized, then escaped when autoescape
 * is on unless the value is a SafeString.
 */
import { fromSettings, settings } from '../conf/index.ts';
import { localize } from '../utils/formats.ts';
import { SafeString } from '../utils/safestring.ts';
import { templateLocaltime } from '../utils/timezone.ts';
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

function isHtml(value: unknown): value is { __html__(): unknown } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { __html__?: unknown }).__html__ === 'function'
  );
}

/** Escapes unless `value` is a SafeString (Django's `conditional_escape`), as text. */
export function conditionalEscape(value: unknown): string {
  if (value instanceof SafeString) return value.value;
  if (isHtml(value)) return String(value.__html__());
  return escape(typeof value === 'string' ? value : toText(value));
}

const numberConf = fromSettings(() => ({
  l10n: Boolean(settings.USE_L10N),
  thousands: Boolean(settings.USE_THOUSAND_SEPARATOR),
}));

/**
 * A value as the text a template prints, escaped when `autoescape` (Django's
 * `render_value_in_context`).
 */
export function renderValue(value: unknown, autoescape: boolean, useTz?: boolean, useL10n?: boolean): string {
  if (typeof value === 'string') return autoescape ? escape(value) : value;
  if (value instanceof SafeString) return value.value;
  // An integer without grouping prints as it is (numberformat's own shortcut), and needs no
  // escaping: the common case of numbers on a page, without the general localization.
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    const conf = numberConf();
    if (!((useL10n ?? conf.l10n) && conf.thousands)) return String(value === 0 ? 0 : value);
  }
  // An object that renders itself as HTML (a form, a bound field, an error list): Django's
  // conditional_escape honours `__html__`, as markupsafe does.
  if (isHtml(value)) return String(value.__html__());
  const localized = localize(templateLocaltime(value, useTz), useL10n);
  if (localized instanceof SafeString) return localized.value;
  const text = toText(localized);
  return autoescape ? escape(text) : text;
}
