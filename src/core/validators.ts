/**
 * Validators, as Django's `django.core.validators`: functions that throw a `ValidationError`
 * (with Django's message, code and params) when a value is not acceptable. Model fields run them
 * in `fullClean()`, form fields in `clean()`. Messages keep their `%(name)s` placeholders and the
 * error its params, so a field's `errorMessages` may replace a message by its code and keep them.
 *
 * @example
 * const check = maxLengthValidator(5);
 * check('abcdef'); // throws ValidationError('Ensure this value has at most 5 characters (it has 6).', code 'max_length')
 * const field = new CharField({ validators: [regexValidator(/^[A-Z]/, { message: 'Start with a capital.' })] });
 */
import { domainToASCII } from 'node:url';
import { ValidationError } from './exceptions.ts';
import { Decimal } from '../utils/decimal.ts';
import { isIpv4, MAX_IPV6_ADDRESS_LENGTH, parseIpv6 } from '../utils/ipv6.ts';
import { pyCompare } from '../utils/pyops.ts';
import { pyStrLen } from '../utils/python.ts';

/** A validator: throws ValidationError, or returns. `code` and `message` say what it throws. */
export type Validator = ((value: unknown) => void) & { code?: string; message?: string };

/** The values that count as empty for `required` and skip the validators (Django's EMPTY_VALUES). */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.keys(value).length === 0;
  }
  return false;
}

function validator(
  code: string,
  message: string,
  check: (value: unknown) => Record<string, unknown> | undefined,
): Validator {
  const fn = ((value: unknown) => {
    const params = check(value);
    if (params !== undefined) throw new ValidationError(fn.message!, { code: fn.code!, params });
  }) as Validator;
  fn.code = code;
  fn.message = message;
  return fn;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : String(value));

/** Options of the validators that take a message and a code. */
export interface MessageOptions {
  message?: string;
  code?: string;
}

/**
 * A value that matches `regex` (searched, as Python's `re.search`), or that does not with
 * `inverseMatch`. Django's `RegexValidator`; a string pattern is compiled with `flags`.
 */
export function regexValidator(
  regex: RegExp | string,
  options: (MessageOptions & { inverseMatch?: boolean; flags?: string }) | string = {},
  code?: string,
  inverseMatch?: boolean,
): Validator {
  // The ORM's older call: regexValidator(regex, message, code, inverseMatch).
  const opts = typeof options === 'string' ? { message: options, code, inverseMatch } : options;
  const pattern = typeof regex === 'string' ? new RegExp(regex, opts.flags ?? 'u') : regex;
  const inverse = opts.inverseMatch ?? false;
  return validator(opts.code ?? 'invalid', opts.message ?? 'Enter a valid value.', (value) => {
    pattern.lastIndex = 0;
    return pattern.test(text(value)) === inverse ? { value } : undefined;
  });
}

// -- URLs and email -----------------------------------------------------------------------------

const UL = '\\u00a1-\\uffff';
const IPV4_RE = '(?:0|25[0-5]|2[0-4]\\d|1\\d?\\d?|[1-9]\\d?)(?:\\.(?:0|25[0-5]|2[0-4]\\d|1\\d?\\d?|[1-9]\\d?)){3}';
const IPV6_RE = '\\[[0-9a-f:.]+\\]';
const HOSTNAME_RE = `[a-z${UL}0-9](?:[a-z${UL}0-9-]{0,61}[a-z${UL}0-9])?`;
const DOMAIN_RE = `(?:\\.(?!-)[a-z${UL}0-9-]{1,63}(?<!-))*`;
const TLD_RE = `\\.(?!-)(?:[a-z${UL}-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)\\.?`;
const HOST_RE = `(${HOSTNAME_RE}${DOMAIN_RE}${TLD_RE}|localhost)`;
const URL_RE = new RegExp(
  `^(?:[a-z0-9.+-]*)://(?:[^\\s:@/]+(?::[^\\s:@/]*)?@)?(?:${IPV4_RE}|${IPV6_RE}|${HOST_RE})(?::\\d{2,5})?(?:[/?#][^\\s]*)?$`,
  'i',
);

/** Python's `urlsplit()` netloc and hostname, enough for the URL checks. */
function splitNetloc(url: string): { scheme: string; netloc: string; rest: string } {
  const colon = url.indexOf(':');
  let scheme = '';
  let rest = url;
  if (colon > 0 && /^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    rest = url.slice(colon + 1);
  }
  if (!rest.startsWith('//')) return { scheme, netloc: '', rest };
  const after = rest.slice(2);
  const end = after.search(/[/?#]/);
  const netloc = end < 0 ? after : after.slice(0, end);
  return { scheme, netloc, rest: end < 0 ? '' : after.slice(end) };
}

function hostnameOf(netloc: string): string | undefined {
  let host = netloc.slice(netloc.lastIndexOf('@') + 1);
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close < 0 ? undefined : host.slice(1, close).toLowerCase();
  }
  const colon = host.indexOf(':');
  if (colon >= 0) host = host.slice(0, colon);
  return host === '' ? undefined : host.toLowerCase();
}

/** Python's `str.encode('idna')`, label by label; undefined where it would raise. */
function punycode(domain: string): string | undefined {
  const labels = domain.split('.');
  const out: string[] = [];
  for (const label of labels) {
    // eslint-disable-next-line no-control-regex -- ASCII labels pass through
    if (/^[\x00-\x7f]*$/.test(label)) {
      if (label.length > 63) return undefined;
      out.push(label);
      continue;
    }
    const ascii = domainToASCII(label);
    if (ascii === '' || ascii.includes('.')) return undefined;
    out.push(ascii);
  }
  return out.join('.');
}

/**
 * A URL of one of `schemes` with a valid host (a domain, IPv4, IPv6 in brackets, `localhost`),
 * an optional port, at most 2048 characters; international domains are checked in their
 * punycode form (Django's `URLValidator`).
 */
export function urlValidator(
  schemes: readonly string[] | (MessageOptions & { schemes?: readonly string[] }) = ['http', 'https', 'ftp', 'ftps'],
): Validator {
  const opts = Array.isArray(schemes)
    ? { schemes: schemes as readonly string[] }
    : (schemes as MessageOptions & { schemes?: readonly string[] });
  const allowed = opts.schemes ?? ['http', 'https', 'ftp', 'ftps'];
  return validator(opts.code ?? 'invalid', opts.message ?? 'Enter a valid URL.', (value) => {
    const fail = { value };
    if (typeof value !== 'string' || value.length > 2048 || /[\t\r\n]/.test(value)) return fail;
    const scheme = value.split('://')[0]!.toLowerCase();
    if (!allowed.includes(scheme)) return fail;
    const parts = splitNetloc(value);
    if (parts.netloc.includes('[') !== parts.netloc.includes(']')) return fail;
    if (!URL_RE.test(value)) {
      const netloc = punycode(parts.netloc);
      if (netloc === undefined || value === '') return fail;
      const url = `${value.slice(0, value.indexOf('//') + 2)}${netloc}${parts.rest}`;
      if (!URL_RE.test(url)) return fail;
    } else {
      const bracketed = /^\[(.+)\](?::\d{2,5})?$/.exec(parts.netloc);
      if (bracketed !== null && !isIpv6(bracketed[1]!)) return fail;
    }
    const hostname = hostnameOf(parts.netloc);
    if (hostname === undefined || pyStrLen(hostname) > 253) return fail;
    return undefined;
  });
}

export const validateUrl: Validator = urlValidator();

const EMAIL_USER =
  // eslint-disable-next-line no-control-regex -- RFC 5322's quoted local part allows these characters
  /^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$|^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"$/i;
const EMAIL_DOMAIN = /^((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63}(?<!-))$/i;
const EMAIL_LITERAL = /^\[([A-F0-9:.]+)\]$/i;

function validEmailDomain(domain: string): boolean {
  if (EMAIL_DOMAIN.test(domain)) return true;
  const literal = EMAIL_LITERAL.exec(domain);
  return literal !== null && (isIpv4(literal[1]!) || isIpv6(literal[1]!));
}

/**
 * An email address: a dot-atom or quoted local part, `@`, and a domain (or an IP literal, or one
 * of `allowlist`, `localhost` by default), at most 320 characters (Django's `EmailValidator`).
 */
export function emailValidator(options: MessageOptions & { allowlist?: readonly string[] } = {}): Validator {
  const allowlist = options.allowlist ?? ['localhost'];
  return validator(options.code ?? 'invalid', options.message ?? 'Enter a valid email address.', (value) => {
    const fail = { value };
    const email = text(value);
    if (email === '' || !email.includes('@') || pyStrLen(email) > 320) return fail;
    const at = email.lastIndexOf('@');
    const user = email.slice(0, at);
    const domain = email.slice(at + 1);
    if (!EMAIL_USER.test(user)) return fail;
    if (allowlist.includes(domain) || validEmailDomain(domain)) return undefined;
    const ascii = punycode(domain);
    return ascii !== undefined && validEmailDomain(ascii) ? undefined : fail;
  });
}

export const validateEmail: Validator = emailValidator();

export const validateSlug: Validator = regexValidator(/^[-a-zA-Z0-9_]+$/, {
  message: 'Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.',
});

export const validateUnicodeSlug: Validator = regexValidator(/^[-\p{L}\p{N}_]+$/u, {
  message: 'Enter a valid “slug” consisting of Unicode letters, numbers, underscores, or hyphens.',
});

export const validateInteger: Validator = regexValidator(/^-?\d+$/, { message: 'Enter a valid integer.' });

// -- IP addresses -------------------------------------------------------------------------------

function isIpv6(value: string): boolean {
  return value.length <= MAX_IPV6_ADDRESS_LENGTH && parseIpv6(value) !== undefined;
}

export const validateIpv4Address: Validator = validator('invalid', 'Enter a valid IPv4 address.', (value) =>
  isIpv4(text(value)) ? undefined : { value },
);

export const validateIpv6Address: Validator = validator('invalid', 'Enter a valid IPv6 address.', (value) =>
  isIpv6(text(value)) ? undefined : { value },
);

export const validateIpv46Address: Validator = validator('invalid', 'Enter a valid IPv4 or IPv6 address.', (value) =>
  isIpv4(text(value)) || isIpv6(text(value)) ? undefined : { value },
);

/** The validators and the message of a GenericIPAddressField of `protocol` (Django's `ip_address_validators`). */
export function ipAddressValidators(protocol: string, unpackIpv4: boolean): [Validator[], string] {
  if (protocol !== 'both' && unpackIpv4) {
    throw new TypeError(`unpackIpv4 can only be used when protocol is 'both', not '${protocol}'.`);
  }
  switch (protocol.toLowerCase()) {
    case 'both':
      return [[validateIpv46Address], 'Enter a valid IPv4 or IPv6 address.'];
    case 'ipv4':
      return [[validateIpv4Address], 'Enter a valid IPv4 address.'];
    case 'ipv6':
      return [[validateIpv6Address], 'Enter a valid IPv6 address.'];
  }
  throw new TypeError(`The protocol '${protocol}' is unknown. Supported: 'both', 'ipv4', 'ipv6'.`);
}

/** Digits separated by `sep` (Django's `int_list_validator`). */
export function intListValidator(options: MessageOptions & { sep?: string; allowNegative?: boolean } = {}): Validator {
  const sep = (options.sep ?? ',').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const neg = options.allowNegative ? '(-)?' : '';
  return regexValidator(new RegExp(`^${neg}\\d+(?:${sep}${neg}\\d+)*$`), {
    ...(options.message !== undefined ? { message: options.message } : {}),
    code: options.code ?? 'invalid',
  });
}

export const validateCommaSeparatedIntegerList: Validator = intListValidator({
  message: 'Enter only digits separated by commas.',
});

// -- limits ---------------------------------------------------------------------------------------

/** A limit, or a function giving it when the value is checked. */
export type Limit<T> = T | (() => T);

function limitValidator(
  code: string,
  message: string,
  limit: Limit<unknown>,
  fails: (shown: unknown, limit: unknown) => boolean,
  clean: (value: unknown) => unknown = (value) => value,
): Validator {
  const fn = validator(code, message, (value) => {
    const limitValue = typeof limit === 'function' ? (limit as () => unknown)() : limit;
    const shown = clean(value);
    return fails(shown, limitValue) ? { limit_value: limitValue, show_value: shown, value } : undefined;
  });
  return Object.assign(fn, { limitValue: limit });
}

function compare(a: unknown, b: unknown): number {
  if (a instanceof Decimal || b instanceof Decimal) return Decimal.from(a as string).comparedTo(b as string);
  if (typeof a === 'object' && a !== null && typeof (a as { comparedTo?: unknown }).comparedTo === 'function') {
    return (a as { comparedTo(other: unknown): number }).comparedTo(b);
  }
  return pyCompare(a, b);
}

/** At most `limit` (numbers, Decimals, bigints, Temporal values). Django's `MaxValueValidator`. */
export function maxValueValidator(limit: Limit<unknown>, message?: string): Validator {
  return limitValidator(
    'max_value',
    message ?? 'Ensure this value is less than or equal to %(limit_value)s.',
    limit,
    (value, max) => compare(value, max) > 0,
  );
}

/** At least `limit`. Django's `MinValueValidator`. */
export function minValueValidator(limit: Limit<unknown>, message?: string): Validator {
  return limitValidator(
    'min_value',
    message ?? 'Ensure this value is greater than or equal to %(limit_value)s.',
    limit,
    (value, min) => compare(value, min) < 0,
  );
}

const length = (value: unknown): number =>
  typeof value === 'string' ? pyStrLen(value) : ((value as { length?: number }).length ?? 0);

/** At least `limit` characters (code points) or items. Django's `MinLengthValidator`. */
export function minLengthValidator(limit: Limit<number>, message?: string): Validator {
  const fn = limitValidator(
    'min_length',
    message ?? '',
    limit,
    (shown, min) => (shown as number) < (min as number),
    length,
  );
  return withPluralMessage(
    fn,
    message,
    'Ensure this value has at least %(limit_value)d character',
    ' (it has %(show_value)d).',
  );
}

/** At most `limit` characters (code points) or items. Django's `MaxLengthValidator`. */
export function maxLengthValidator(limit: Limit<number>, message?: string): Validator {
  const fn = limitValidator(
    'max_length',
    message ?? '',
    limit,
    (shown, max) => (shown as number) > (max as number),
    length,
  );
  return withPluralMessage(
    fn,
    message,
    'Ensure this value has at most %(limit_value)d character',
    ' (it has %(show_value)d).',
  );
}

/** Django's ngettext on `limit_value`: the default message's plural follows the limit. */
function withPluralMessage(fn: Validator, message: string | undefined, stem: string, tail: string): Validator {
  if (message !== undefined) return fn;
  const limit = (fn as Validator & { limitValue: Limit<number> }).limitValue;
  const resolve = (): number => (typeof limit === 'function' ? limit() : limit);
  Object.defineProperty(fn, 'message', {
    get: () => `${stem}${resolve() === 1 ? '' : 's'}${tail}`,
    configurable: true,
  });
  return fn;
}

/**
 * A Decimal of at most `maxDigits` digits, `decimalPlaces` of them after the point (Django's
 * `DecimalValidator`, codes `max_digits`, `max_decimal_places`, `max_whole_digits`).
 */
export function decimalValidator(maxDigits: number | null, decimalPlaces: number | null): Validator {
  const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);
  const fn = ((value: unknown) => {
    let decimal: Decimal;
    try {
      decimal = Decimal.from(value as string);
    } catch {
      throw new ValidationError('Enter a number.', { code: 'invalid', params: { value } });
    }
    const digitCount = decimal.coefficient.toString().length;
    const exponent = decimal.exponent;
    let digits: number;
    let decimals: number;
    if (exponent >= 0) {
      digits = digitCount + exponent;
      decimals = 0;
    } else if (-exponent > digitCount) {
      digits = decimals = -exponent;
    } else {
      digits = digitCount;
      decimals = -exponent;
    }
    const whole = digits - decimals;
    if (maxDigits !== null && digits > maxDigits) {
      throw new ValidationError(
        `Ensure that there are no more than %(max)s ${plural(maxDigits, 'digit', 'digits')} in total.`,
        { code: 'max_digits', params: { max: maxDigits, value } },
      );
    }
    if (decimalPlaces !== null && decimals > decimalPlaces) {
      throw new ValidationError(
        `Ensure that there are no more than %(max)s decimal ${plural(decimalPlaces, 'place', 'places')}.`,
        { code: 'max_decimal_places', params: { max: decimalPlaces, value } },
      );
    }
    if (maxDigits !== null && decimalPlaces !== null && whole > maxDigits - decimalPlaces) {
      const max = maxDigits - decimalPlaces;
      throw new ValidationError(
        `Ensure that there are no more than %(max)s ${plural(max, 'digit', 'digits')} before the decimal point.`,
        { code: 'max_whole_digits', params: { max, value } },
      );
    }
  }) as Validator;
  return fn;
}

// -- files and characters -------------------------------------------------------------------------

/**
 * A file (anything with a `name`) whose extension is one of `allowedExtensions` (case-insensitive;
 * all when undefined). Django's `FileExtensionValidator`.
 */
export function fileExtensionValidator(allowedExtensions?: readonly string[], options: MessageOptions = {}): Validator {
  const allowed = allowedExtensions?.map((e) => e.toLowerCase());
  return validator(
    options.code ?? 'invalid_extension',
    options.message ?? 'File extension “%(extension)s” is not allowed. Allowed extensions are: %(allowed_extensions)s.',
    (value) => {
      const name = String((value as { name?: unknown }).name ?? '');
      const base = name.slice(name.lastIndexOf('/') + 1);
      const dot = base.lastIndexOf('.');
      const extension = dot > 0 && dot < base.length - 1 ? base.slice(dot + 1).toLowerCase() : '';
      if (allowed === undefined || allowed.includes(extension)) return undefined;
      return { extension, allowed_extensions: allowed.join(', '), value };
    },
  );
}

/** The image formats ImageField reads (what its probe knows), by extension. */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze([
  'bmp',
  'dib',
  'gif',
  'ico',
  'jfif',
  'jpe',
  'jpeg',
  'jpg',
  'png',
  'apng',
  'tif',
  'tiff',
  'webp',
  'avif',
  'heic',
  'heif',
  'psd',
  'svg',
  'tga',
  'cur',
  'icns',
  'j2c',
  'jp2',
  'ktx',
  'dds',
  'pnm',
  'pbm',
  'pgm',
  'ppm',
]);

/** An image file's extension is one ImageField can read (Django's `validate_image_file_extension`). */
export const validateImageFileExtension: Validator = fileExtensionValidator(IMAGE_EXTENSIONS);

/** No NUL character (Django's `ProhibitNullCharactersValidator`). */
export function prohibitNullCharactersValidator(options: MessageOptions = {}): Validator {
  return validator(
    options.code ?? 'null_characters_not_allowed',
    options.message ?? 'Null characters are not allowed.',
    (value) => (text(value).includes('\0') ? { value } : undefined),
  );
}

// -- the ORM's -------------------------------------------------------------------------------------

/** A value among `choices`' values (a model field's `choices` check). */
export function choicesValidator(values: readonly unknown[]): Validator {
  return validator('invalid_choice', 'Value %(value)r is not a valid choice.', (value) =>
    values.some((choice) => choice === value || String(choice) === String(value)) ? undefined : { value },
  );
}
