/**
 * Text fields, as Django's: `CharField` and those built on it (`RegexField`, `EmailField`,
 * `URLField`, `SlugField`, `GenericIPAddressField`, `UUIDField`, `JSONField`).
 */
import { ValidationError } from '../../core/exceptions.ts';
import {
  ipAddressValidators,
  maxLengthValidator,
  minLengthValidator,
  prohibitNullCharactersValidator,
  regexValidator,
  validateEmail,
  validateSlug,
  validateUnicodeSlug,
  validateUrl,
  type Validator,
} from '../../core/validators.ts';
import { formatIpv6, ipv4Mapped, MAX_IPV6_ADDRESS_LENGTH, parseIpv6 } from '../../utils/ipv6.ts';
import { pyStr, pyStrip, pyStrLen } from '../../utils/python.ts';
import type { Attrs } from '../utils.ts';
import { EmailInput, URLInput, type Widget } from '../widgets/base.ts';
import { Textarea } from '../widgets/base.ts';
import { Field, valuesEqual, type FieldOptions, type Optional } from './base.ts';

export interface CharFieldOptions<E = string> extends FieldOptions {
  maxLength?: number | null;
  minLength?: number | null;
  /** Strip leading and trailing whitespace (default true). */
  strip?: boolean;
  /** What an empty input cleans to (default `''`; `null` for "no value"). */
  emptyValue?: E;
}

/** Text. Cleans to a string (whitespace stripped), or `emptyValue` when empty. */
export class CharField<E = string> extends Field<string | E> {
  declare maxLength: number | null;
  declare minLength: number | null;
  declare strip: boolean;
  declare emptyValue: unknown;

  constructor(options: CharFieldOptions<E> = {}) {
    super(options);
    if (this.minLength !== null) this.validators.push(minLengthValidator(this.minLength));
    if (this.maxLength !== null) this.validators.push(maxLengthValidator(this.maxLength));
    this.validators.push(prohibitNullCharactersValidator());
  }

  protected override configure(options: CharFieldOptions<E>): void {
    super.configure(options);
    this.maxLength = options.maxLength ?? null;
    this.minLength = options.minLength ?? null;
    this.strip = options.strip ?? true;
    this.emptyValue = 'emptyValue' in options ? options.emptyValue : '';
  }

  override toPython(value: unknown): unknown {
    let text = value;
    if (!this.isEmpty(text)) {
      text = typeof text === 'string' ? text : pyStr(text);
      if (this.strip) text = pyStrip(text as string);
    }
    return this.isEmpty(text) ? this.emptyValue : text;
  }

  override widgetAttrs(widget: Widget): Attrs {
    const attrs = super.widgetAttrs(widget);
    if (this.maxLength !== null && !widget.isHidden) attrs.maxlength = String(this.maxLength);
    if (this.minLength !== null && !widget.isHidden) attrs.minlength = String(this.minLength);
    return attrs;
  }
}

/** Text matching `regex` (searched); not stripped by default. */
export class RegexField<E = string> extends CharField<E> {
  protected regexCheck: Validator | undefined;

  constructor(regex: RegExp | string, options: CharFieldOptions<E> = {}) {
    super({ strip: false, ...options });
    this.regex = regex;
  }

  get regex(): RegExp {
    return (this.regexCheck as Validator & { regex: RegExp }).regex;
  }

  set regex(regex: RegExp | string) {
    const pattern = typeof regex === 'string' ? new RegExp(regex, 'u') : regex;
    if (this.regexCheck !== undefined) this.validators = this.validators.filter((v) => v !== this.regexCheck);
    this.regexCheck = Object.assign(regexValidator(pattern), { regex: pattern });
    this.validators.push(this.regexCheck);
  }
}

/** An email address (at most 320 characters by default). */
export class EmailField<E = string> extends CharField<E> {
  static override defaultWidget = EmailInput;
  static override defaultValidators: readonly Validator[] = [validateEmail];

  constructor(options: CharFieldOptions<E> = {}) {
    super({ maxLength: 320, ...options, strip: true });
  }
}

/** Python's `urlsplit`, enough to rebuild a URL the way Django's URLField does. */
function urlsplit(url: string): [string, string, string, string, string] {
  let rest = url;
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
    if (netloc.includes('[') !== netloc.includes(']')) throw new RangeError('Invalid IPv6 URL');
  }
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  return [scheme, netloc, rest, query, fragment];
}

function urlunsplit([scheme, netloc, path, query, fragment]: [string, string, string, string, string]): string {
  let url = path;
  if (netloc || (scheme && url.startsWith('//'))) {
    if (url && !url.startsWith('/')) url = `/${url}`;
    url = `//${netloc}${url}`;
  }
  if (scheme) url = `${scheme}:${url}`;
  if (query) url = `${url}?${query}`;
  if (fragment) url = `${url}#${fragment}`;
  return url;
}

/** A URL; `http://` is assumed when the scheme is missing (`example.com` → `http://example.com`). */
export class URLField<E = string> extends CharField<E> {
  static override defaultWidget = URLInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid URL.' };
  static override defaultValidators: readonly Validator[] = [validateUrl];

  constructor(options: CharFieldOptions<E> = {}) {
    super({ ...options, strip: true });
  }

  override toPython(value: unknown): unknown {
    const text = super.toPython(value);
    if (!text || typeof text !== 'string') return text;
    const split = (url: string): [string, string, string, string, string] => {
      try {
        return urlsplit(url);
      } catch {
        throw this.error('invalid');
      }
    };
    let parts = split(text);
    if (!parts[0]) parts[0] = 'http';
    if (!parts[1]) {
      parts[1] = parts[2];
      parts[2] = '';
      parts = split(urlunsplit(parts));
    }
    return urlunsplit(parts);
  }
}

export interface SlugFieldOptions<E = string> extends CharFieldOptions<E> {
  /** Accept Unicode letters, not only ASCII. */
  allowUnicode?: boolean;
}

/** Letters, numbers, underscores and hyphens. */
export class SlugField<E = string> extends CharField<E> {
  declare allowUnicode: boolean;
  static override defaultValidators: readonly Validator[] = [validateSlug];

  constructor(options: SlugFieldOptions<E> = {}) {
    super(options);
  }

  protected override configure(options: SlugFieldOptions<E>): void {
    super.configure(options);
    this.allowUnicode = options.allowUnicode ?? false;
  }

  protected override defaultValidators(): readonly Validator[] {
    return this.allowUnicode ? [validateUnicodeSlug] : super.defaultValidators();
  }
}

export interface GenericIPAddressFieldOptions<E = string> extends CharFieldOptions<E> {
  /** `'both'` (default), `'ipv4'` or `'ipv6'`. */
  protocol?: 'both' | 'ipv4' | 'ipv6';
  /** Give `1.2.3.4` for `::ffff:1.2.3.4`. */
  unpackIpv4?: boolean;
}

/** An IPv4 or IPv6 address; IPv6 is cleaned to its compressed lower-case form. */
export class GenericIPAddressField<E = string> extends CharField<E> {
  declare protocol: string;
  declare unpackIpv4: boolean;

  constructor(options: GenericIPAddressFieldOptions<E> = {}) {
    super({ maxLength: MAX_IPV6_ADDRESS_LENGTH, ...options });
  }

  protected override configure(options: GenericIPAddressFieldOptions<E>): void {
    super.configure(options);
    this.protocol = options.protocol ?? 'both';
    this.unpackIpv4 = options.unpackIpv4 ?? false;
  }

  protected override defaultValidators(): readonly Validator[] {
    return ipAddressValidators(this.protocol, this.unpackIpv4)[0];
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return '';
    const text = pyStrip(String(value));
    if (text && text.includes(':')) {
      const address = pyStrLen(text) > (this.maxLength ?? MAX_IPV6_ADDRESS_LENGTH) ? undefined : parseIpv6(text);
      if (address === undefined) {
        throw new ValidationError('This is not a valid IPv6 address.', { code: 'invalid' });
      }
      const mapped = ipv4Mapped(address);
      if (mapped !== undefined) return this.unpackIpv4 ? mapped : `::ffff:${mapped}`;
      // Django goes through the address's integer: the scope (`%eth0`) is dropped.
      return formatIpv6({ ...address, scope: '' });
    }
    return text;
  }
}

const UUID_HEX = /^[0-9a-f]{32}$/;

/** A UUID, in any of Python's spellings (`{...}`, `urn:uuid:`, no hyphens); cleans to the canonical lower-case text. */
export class UUIDField<R extends boolean = true> extends CharField<null> {
  declare readonly cleanedType: Optional<R, string> & (string | null);
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid UUID.' };

  constructor(options: CharFieldOptions<null> & { required?: R } = {}) {
    super(options);
  }

  override prepareValue(value: unknown): unknown {
    return value;
  }

  override toPython(value: unknown): unknown {
    const text = super.toPython(value);
    if (this.isEmpty(text)) return null;
    const hex = String(text)
      .replace(/^urn:/, '')
      .replace(/^uuid:/, '')
      .replace(/^\{|\}$/g, '')
      .replaceAll('-', '')
      .toLowerCase();
    if (!UUID_HEX.test(hex)) throw this.error('invalid');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

/** What a JSONField shows back when the input was not JSON: the text as typed. */
export class InvalidJSONInput extends String {}

export interface JSONFieldOptions extends CharFieldOptions<unknown> {
  /** `JSON.stringify`'s replacer, for values JSON cannot hold. */
  encoder?: (key: string, value: unknown) => unknown;
  /** `JSON.parse`'s reviver. */
  decoder?: (key: string, value: unknown) => unknown;
}

/** JSON text; cleans to the parsed value (`null` when empty). Drawn as a Textarea. */
export class JSONField<T = unknown> extends CharField<unknown> {
  declare readonly cleanedType: T;
  static override defaultWidget = Textarea;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid JSON.' };
  declare encoder: JSONFieldOptions['encoder'];
  declare decoder: JSONFieldOptions['decoder'];

  constructor(options: JSONFieldOptions = {}) {
    super(options);
  }

  protected override configure(options: JSONFieldOptions): void {
    super.configure(options);
    this.encoder = options.encoder;
    this.decoder = options.decoder;
  }

  override toPython(value: unknown): unknown {
    if (this.disabled) return value;
    if (this.isEmpty(value)) return null;
    if (value instanceof JSONString) return String(value);
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(pyStrip(value), this.decoder);
    } catch {
      throw this.error('invalid', { value });
    }
  }

  override boundData(data: unknown, initial: unknown): unknown {
    if (this.disabled) return initial;
    if (data === null || data === undefined) return null;
    try {
      return JSON.parse(String(data), this.decoder);
    } catch {
      return new InvalidJSONInput(String(data));
    }
  }

  override prepareValue(value: unknown): unknown {
    if (value instanceof InvalidJSONInput) return String(value);
    return pythonJson(value, this.encoder);
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (super.hasChanged(initial, data)) return true;
    try {
      return sortedJson(initial) !== sortedJson(this.toPython(data));
    } catch {
      return true;
    }
  }
}

/** A string that is already a parsed JSON value (Django's JSONString). */
export class JSONString extends String {}

/** `json.dumps(value, ensure_ascii=False)`: Python's separators. */
function pythonJson(value: unknown, encoder?: (key: string, value: unknown) => unknown): string {
  const text = JSON.stringify(value === undefined ? null : value, encoder);
  return spaced(text ?? 'null');
}

function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return JSON.stringify(sort(value));
}

/** JSON.stringify's compact text with Python's `, ` and `: ` separators (outside strings). */
function spaced(json: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    out += c;
    if (inString) {
      if (c === '\\') out += json[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ',' || c === ':') out += ' ';
  }
  return out;
}

export { valuesEqual };
