/**
 * Validators, as Django's `django.core.validators`: functions that throw a `ValidationError`
 * (with Django's message and code) when a value is not acceptable. Model fields run them in
 * `fullClean()`; form fields will too.
 *
 * @example
 * const check = maxLengthValidator(5);
 * check('abcdef'); // throws ValidationError('Ensure this value has at most 5 characters (it has 6).')
 */
import { ValidationError } from './exceptions.ts';

/** A validator: throws ValidationError, or returns. */
export type Validator = ((value: unknown) => void) & { code?: string };

function make(
  code: string,
  check: (value: unknown) => string | undefined,
  params?: (value: unknown) => Record<string, unknown>,
): Validator {
  const validator = ((value: unknown) => {
    const message = check(value);
    if (message !== undefined) throw new ValidationError(message, { code, params: params?.(value) ?? { value } });
  }) as Validator;
  validator.code = code;
  return validator;
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

export function maxLengthValidator(limit: number): Validator {
  return make('max_length', (value) => {
    const length = [...String(value)].length;
    return length > limit
      ? `Ensure this value has at most ${limit} ${plural(limit, 'character', 'characters')} (it has ${length}).`
      : undefined;
  });
}

export function minLengthValidator(limit: number): Validator {
  return make('min_length', (value) => {
    const length = [...String(value)].length;
    return length < limit
      ? `Ensure this value has at least ${limit} ${plural(limit, 'character', 'characters')} (it has ${length}).`
      : undefined;
  });
}

function compare(value: unknown, limit: unknown): number {
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { comparedTo?: unknown }).comparedTo === 'function'
  ) {
    return (value as { comparedTo(other: unknown): number }).comparedTo(limit);
  }
  const a = value as number;
  const b = limit as number;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxValueValidator(limit: number | bigint | object): Validator {
  return make('max_value', (value) =>
    compare(value, limit) > 0 ? `Ensure this value is less than or equal to ${String(limit)}.` : undefined,
  );
}

export function minValueValidator(limit: number | bigint | object): Validator {
  return make('min_value', (value) =>
    compare(value, limit) < 0 ? `Ensure this value is greater than or equal to ${String(limit)}.` : undefined,
  );
}

export function regexValidator(
  regex: RegExp,
  message = 'Enter a valid value.',
  code = 'invalid',
  inverseMatch = false,
): Validator {
  return make(code, (value) => (regex.test(String(value)) === inverseMatch ? message : undefined));
}

// Django's EmailValidator, simplified to its two halves: a dot-atom or quoted user part, and a
// domain of labels (or an IP literal).
const EMAIL_USER =
  // eslint-disable-next-line no-control-regex -- RFC 5322's quoted local part allows these characters
  /^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$|^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0d-\x7f])*"$/i;
const DOMAIN = /^((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63}(?<!-))$/i;
const IP_LITERAL = /^\[([A-F0-9:.]+)\]$/i;

export const validateEmail: Validator = make('invalid', (value) => {
  const text = String(value);
  const at = text.lastIndexOf('@');
  if (text === '' || at < 1 || text.length > 320) return 'Enter a valid email address.';
  const user = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (!EMAIL_USER.test(user)) return 'Enter a valid email address.';
  if (domain === 'localhost' || IP_LITERAL.test(domain)) return undefined;
  let ascii = domain;
  try {
    ascii = new URL(`http://${domain}`).hostname;
  } catch {
    return 'Enter a valid email address.';
  }
  return DOMAIN.test(ascii) ? undefined : 'Enter a valid email address.';
});

export const validateSlug: Validator = regexValidator(
  /^[-a-zA-Z0-9_]+$/,
  'Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.',
  'invalid',
);

export function urlValidator(schemes: readonly string[] = ['http', 'https', 'ftp', 'ftps']): Validator {
  return make('invalid', (value) => {
    const text = String(value);
    if (text.length > 2048 || /\s/.test(text)) return 'Enter a valid URL.';
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return 'Enter a valid URL.';
    }
    if (!schemes.includes(url.protocol.slice(0, -1).toLowerCase())) return 'Enter a valid URL.';
    const host = url.hostname;
    if (
      host === '' ||
      !(host === 'localhost' || host.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || DOMAIN.test(host))
    ) {
      return 'Enter a valid URL.';
    }
    return undefined;
  });
}

export const validateUrl: Validator = urlValidator();

/** A value among `choices`' values (Django's field `choices` check). */
export function choicesValidator(values: readonly unknown[]): Validator {
  return make('invalid_choice', (value) =>
    values.some((choice) => choice === value || String(choice) === String(value))
      ? undefined
      : `Value ${JSON.stringify(value)} is not a valid choice.`,
  );
}

/** At most `maxDigits` digits, `decimalPlaces` of them after the point (DecimalValidator). */
export function decimalValidator(maxDigits: number | null, decimalPlaces: number | null): Validator {
  return make('invalid', (value) => {
    const text = String(value).replace(/^[-+]/, '');
    if (!/^\d*(\.\d*)?(e[-+]?\d+)?$/i.test(text)) return 'Enter a number.';
    const [mantissa = '', exp = '0'] = text.toLowerCase().split('e');
    const [whole = '', fraction = ''] = mantissa.split('.');
    const shift = Number(exp);
    const digitsAll = (whole + fraction).replace(/^0+/, '');
    const decimals = Math.max(0, fraction.length - shift);
    const digits = Math.max(digitsAll.length, decimals);
    const wholeDigits = digits - decimals;
    if (maxDigits !== null && digits > maxDigits) {
      return `Ensure that there are no more than ${maxDigits} ${plural(maxDigits, 'digit', 'digits')} in total.`;
    }
    if (decimalPlaces !== null && decimals > decimalPlaces) {
      return `Ensure that there are no more than ${decimalPlaces} decimal ${plural(decimalPlaces, 'place', 'places')}.`;
    }
    if (maxDigits !== null && decimalPlaces !== null && wholeDigits > maxDigits - decimalPlaces) {
      const n = maxDigits - decimalPlaces;
      return `Ensure that there are no more than ${n} ${plural(n, 'digit', 'digits')} before the decimal point.`;
    }
    return undefined;
  });
}
