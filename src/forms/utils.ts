/**
 * What forms print their errors and attributes with, as Django's `django.forms.utils`:
 * `ErrorList` (one field's errors), `ErrorDict` (the form's, by field), `flatatt()` and
 * `prettyName()`, and the time zone steps of datetime fields.
 *
 * Both error classes render themselves as HTML (`__html__()`, so `{{ form.title.errors }}` prints
 * the `<ul class="errorlist">` Django prints) and as data: `asData()` (the ValidationErrors, with
 * codes and params), `getJsonData()` and `asJson()` (`[{ message, code }]`), `asText()`.
 */
import type { Temporal } from 'temporal-polyfill';
import { settings } from '../conf/index.ts';
import { NON_FIELD_ERRORS, ValidationError } from '../core/exceptions.ts';
import { escape, formatHtml, formatHtmlJoin } from '../utils/html.ts';
import { djangoJsonDumps } from '../utils/json.ts';
import { markSafe, type SafeString } from '../utils/safestring.ts';
import { getCurrentTimezone, isAware, isNaive, makeAware, makeNaive } from '../utils/timezone.ts';

/** `first_name` → `First name` (Django's `pretty_name`); a camelCase name is split too: `firstName` → `First name`. */
export function prettyName(name: string): string {
  if (!name) return '';
  const spaced = name
    .replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`)
    .replaceAll('_', ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}

/** HTML attributes, as an object. `true` writes the name alone, `false`, null and undefined drop it. */
export type Attrs = Record<string, unknown>;

/**
 * Attributes as HTML (` name="value"`, sorted, boolean ones last and bare), escaped and safe
 * (Django's `flatatt`).
 *
 * @example
 * flatatt({ id: 'header', required: true, disabled: false }); // ' id="header" required'
 */
export function flatatt(attrs: Attrs): SafeString {
  const pairs: [string, unknown][] = [];
  const flags: string[] = [];
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'boolean') {
      if (value) flags.push(name);
    } else if (value !== null && value !== undefined) {
      pairs.push([name, value]);
    }
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  flags.sort();
  return markSafe(
    formatHtmlJoin('', ' {}="{}"', pairs).value +
      formatHtmlJoin(
        '',
        ' {}',
        flags.map((f) => [f]),
      ).value,
  );
}

/** One entry of an ErrorList: a ValidationError, or a plain message. */
export type ErrorItem = ValidationError | string;

/** The message of an entry, with its params filled in. */
function messageOf(item: ErrorItem): string {
  return typeof item === 'string' ? item : item.text;
}

/**
 * The errors of one field (or the form's non-field errors, with `errorClass` `nonfield`).
 * Iterating gives the messages; `length`, `includes()`, `at()` read them; `data` holds the
 * ValidationErrors themselves.
 */
export class ErrorList implements Iterable<string> {
  /** The CSS class of the `<ul>`: `errorlist`, plus the one given (`errorlist nonfield`). */
  readonly errorClass: string;
  readonly data: ErrorItem[];

  constructor(errors: Iterable<ErrorItem> = [], errorClass?: string) {
    this.data = [...errors];
    this.errorClass = errorClass === undefined ? 'errorlist' : `errorlist ${errorClass}`;
  }

  get length(): number {
    return this.data.length;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (const item of this.data) yield messageOf(item);
  }

  /** The message at `index` (negative counts from the end). */
  at(index: number): string | undefined {
    const item = this.data.at(index);
    return item === undefined ? undefined : messageOf(item);
  }

  includes(message: string): boolean {
    return this.data.some((item) => messageOf(item) === message);
  }

  /** Adds errors (ValidationErrors, whose single errors are added, or messages). */
  push(...errors: ErrorItem[]): number {
    for (const error of errors) {
      if (typeof error === 'string' || error.isSingle) this.data.push(error);
      else this.data.push(...error.errorList);
    }
    return this.data.length;
  }

  /** The same errors and class, in a new list. */
  copy(): ErrorList {
    const copy = new ErrorList(this.data);
    (copy as { errorClass: string }).errorClass = this.errorClass;
    return copy;
  }

  /** The errors as ValidationErrors (with their codes and params). */
  asData(): ValidationError[] {
    return new ValidationError(this.data).errorList;
  }

  /** `[{ message, code }]`, the messages escaped with `escapeHtml`. */
  getJsonData(escapeHtml = false): { message: string; code: string }[] {
    return this.asData().map((error) => ({
      message: escapeHtml ? escape(error.text).value : error.text,
      code: error.code ?? '',
    }));
  }

  asJson(escapeHtml = false): string {
    return djangoJsonDumps(this.getJsonData(escapeHtml));
  }

  asUl(): SafeString {
    if (this.data.length === 0) return markSafe('');
    return formatHtml(
      '<ul class="{}">{}</ul>',
      this.errorClass,
      formatHtmlJoin(
        '',
        '<li>{}</li>',
        [...this].map((m) => [m]),
      ),
    );
  }

  asText(): string {
    return [...this].map((m) => `* ${m}`).join('\n');
  }

  toString(): string {
    return this.asUl().value;
  }

  __html__(): string {
    return this.asUl().value;
  }

  toJSON(): string[] {
    return [...this];
  }
}

/**
 * A form's errors by field name (`__all__` for the non-field ones), each an ErrorList. A Map:
 * `errors.get('title')`, `errors.has('title')`, `{{ form.errors.title }}` in a template.
 */
export class ErrorDict extends Map<string, ErrorList> {
  /** The ValidationErrors of each field. */
  asData(): Record<string, ValidationError[]> {
    return Object.fromEntries([...this].map(([field, list]) => [field, list.asData()]));
  }

  getJsonData(escapeHtml = false): Record<string, { message: string; code: string }[]> {
    return Object.fromEntries([...this].map(([field, list]) => [field, list.getJsonData(escapeHtml)]));
  }

  asJson(escapeHtml = false): string {
    return djangoJsonDumps(this.getJsonData(escapeHtml));
  }

  asUl(): SafeString {
    if (this.size === 0) return markSafe('');
    return formatHtml(
      '<ul class="errorlist">{}</ul>',
      formatHtmlJoin(
        '',
        '<li>{}{}</li>',
        [...this].map(([field, list]) => [field, list]),
      ),
    );
  }

  asText(): string {
    const out: string[] = [];
    for (const [field, list] of this) {
      out.push(`* ${field}`);
      out.push([...list].map((m) => `  * ${m}`).join('\n'));
    }
    return out.join('\n');
  }

  override toString(): string {
    return this.asUl().value;
  }

  __html__(): string {
    return this.asUl().value;
  }

  toJSON(): Record<string, string[]> {
    return Object.fromEntries([...this].map(([field, list]) => [field, [...list]]));
  }
}

export { NON_FIELD_ERRORS };

// -- time zones ---------------------------------------------------------------------------------

/**
 * A naive datetime a user typed, made aware in the current time zone when USE_TZ is on; a time
 * that does not exist or happens twice there is a ValidationError (Django's
 * `from_current_timezone`).
 */
export function fromCurrentTimezone(
  value: Temporal.PlainDateTime | Temporal.ZonedDateTime,
): Temporal.PlainDateTime | Temporal.ZonedDateTime {
  if (!settings.USE_TZ || !isNaive(value)) return value;
  const zone = getCurrentTimezone();
  try {
    return makeAware(value as Temporal.PlainDateTime, zone);
  } catch (error) {
    throw Object.assign(
      new ValidationError(
        '%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; it may be ambiguous or it may not exist.',
        { code: 'ambiguous_timezone', params: { datetime: value, current_timezone: zone } },
      ),
      { cause: error },
    );
  }
}

/** An aware datetime as the naive one of the current time zone, for display (Django's `to_current_timezone`). */
export function toCurrentTimezone(value: unknown): unknown {
  if (settings.USE_TZ && value !== null && value !== undefined && isAware(value)) return makeNaive(value);
  return value;
}
