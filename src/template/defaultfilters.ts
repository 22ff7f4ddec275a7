/**
 * The built-in template filters, as Django 3.2's `django/template/defaultfilters.py`: every one
 * under Django's name, with Django's safety flags (`isSafe`, `needsAutoescape`,
 * `expectsLocaltime`), Django's treatment of values (Python's truthiness, `str()`, `int()`,
 * `len()`: see utils/python.ts for how JavaScript values map to Python's) and Django's quirks
 * (`join` escapes its separator, `first` of a dict raises, `floatformat` of an invalid argument
 * prints the value's repr...).
 *
 * Filters are pure functions `(value, arg, autoescape)`; what the engine does around them (the
 * current time zone for `expectsLocaltime`, re-marking a safe input's result safe for `isSafe`)
 * is the engine's.
 */
import { Library } from './library.ts';
import type { FilterFunction, FilterOptions } from './library.ts';
import { format as dateformatFormat, timeFormat as dateformatTime } from '../utils/dateformat.ts';
import { iriToUri, quote } from '../utils/encoding.ts';
import { dateFormat, numberFormat, timeFormat } from '../utils/formats.ts';
import {
  avoidWrapping,
  conditionalEscape,
  escape,
  escapejs,
  jsonScript,
  linebreaks as htmlLinebreaks,
  stripTags,
  urlize as htmlUrlize,
} from '../utils/html.ts';
import { decimalLiteral, roundHalfUp } from '../utils/numberformat.ts';
import { fixedDigits, percentFormat } from '../utils/printf.ts';
import { pformat } from '../utils/pprint.ts';
import {
  AttributeError,
  IndexError,
  addValues,
  intValue,
  pyFloat,
  pyGetItem,
  pyInt,
  pyIter,
  pyLen,
  pySlice,
  pySorted,
} from '../utils/pyops.ts';
import {
  ValueError,
  codePoints,
  isDecimal,
  isPlainObject,
  isTruthy,
  pyRepr,
  pySplit,
  pyStr,
  pyStrLen,
  pyType,
} from '../utils/python.ts';
import { SafeString, markSafe } from '../utils/safestring.ts';
import {
  Truncator,
  capfirst as textCapfirst,
  normalizeNewlines,
  phone2numeric as textPhone2numeric,
  pyTitle,
  slugify as textSlugify,
  wrap,
} from '../utils/text.ts';
import { timesince, timeuntil } from '../utils/timesince.ts';

/** The library of built-in filters every template can use without `{% load %}`. */
export const register = new Library();

const isError = (error: unknown, ...types: Array<abstract new (...args: never[]) => Error>) =>
  types.some((type) => error instanceof type);

/** Python's str(), and whether the value was a SafeString: what Django's `@stringfilter` hands a filter. */
type StringFilter = (value: string, arg: unknown, autoescape: boolean, safe: boolean) => unknown;

/**
 * Registers a filter that receives its value as a string (Django's `@stringfilter`): a safe
 * input to an `isSafe` filter gives a safe result.
 */
function stringFilter(name: string, fn: StringFilter, options: FilterOptions): void {
  const wrapped: FilterFunction = (value, arg, autoescape) => {
    const safe = value instanceof SafeString;
    const result = fn(pyStr(value), arg, autoescape, safe);
    if (safe && options.isSafe) return result instanceof SafeString ? result : new SafeString(pyStr(result));
    return result;
  };
  register.filter(name, wrapped, options);
}

function filter(name: string, fn: FilterFunction, options: FilterOptions): void {
  register.filter(name, fn, options);
}

/** Python's `str.ljust`/`rjust`/`center` over code points. */
function pad(text: string, width: number, how: 'left' | 'right' | 'center'): string {
  const margin = width - pyStrLen(text);
  if (margin <= 0) return text;
  if (how === 'left') return text + ' '.repeat(margin);
  if (how === 'right') return ' '.repeat(margin) + text;
  const left = Math.floor(margin / 2) + (margin & width & 1);
  return ' '.repeat(left) + text + ' '.repeat(margin - left);
}

const widthOf = (arg: unknown) => Number(pyInt(arg));

// -- strings -----------------------------------------------------------------------------------

stringFilter('addslashes', (v) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll("'", "\\'"), {
  isSafe: true,
  arg: 'none',
});
stringFilter('capfirst', (v) => textCapfirst(v), { isSafe: true, arg: 'none' });
stringFilter('escapejs', (v) => escapejs(v), { arg: 'none' });
filter('json_script', (value, elementId) => jsonScript(value, elementId), { isSafe: true, arg: 'required' });

stringFilter('iriencode', (v) => iriToUri(v), { isSafe: true, arg: 'none' });
stringFilter(
  'linenumbers',
  (v, _arg, autoescape, safe) => {
    const lines = v.split('\n');
    const width = String(lines.length).length;
    const escapeLine = autoescape && !safe;
    return markSafe(
      lines
        .map((line, i) => `${String(i + 1).padStart(width, '0')}. ${escapeLine ? escape(line).value : line}`)
        .join('\n'),
    );
  },
  { isSafe: true, needsAutoescape: true, arg: 'none' },
);
stringFilter('lower', (v) => v.toLowerCase(), { isSafe: true, arg: 'none' });
stringFilter('make_list', (v) => codePoints(v), { isSafe: false, arg: 'none' });
stringFilter('slugify', (v) => textSlugify(v), { isSafe: true, arg: 'none' });
filter(
  'stringformat',
  (value, arg) => {
    try {
      return percentFormat(`%${pyStr(arg)}`, value);
    } catch (error) {
      if (isError(error, ValueError, TypeError)) return '';
      throw error;
    }
  },
  { isSafe: true, arg: 'required' },
);
stringFilter(
  'title',
  (v) =>
    pyTitle(v)
      .replace(/([a-z])'([A-Z])/g, (m) => m.toLowerCase())
      .replace(/\p{Nd}([A-Z])/gu, (m) => m.toLowerCase()),
  { isSafe: true, arg: 'none' },
);

/** `int(arg)` for the truncating filters: a ValueError means "leave the text alone". */
function lengthArg(arg: unknown): number | undefined {
  try {
    return Number(pyInt(arg));
  } catch (error) {
    if (error instanceof ValueError) return undefined;
    throw error;
  }
}

stringFilter(
  'truncatechars',
  (v, arg) => {
    const n = lengthArg(arg);
    return n === undefined ? v : new Truncator(v).chars(n);
  },
  { isSafe: true, arg: 'required' },
);
stringFilter(
  'truncatechars_html',
  (v, arg) => {
    const n = lengthArg(arg);
    return n === undefined ? v : new Truncator(v).chars(n, undefined, true);
  },
  { isSafe: true, arg: 'required' },
);
stringFilter(
  'truncatewords',
  (v, arg) => {
    const n = lengthArg(arg);
    return n === undefined ? v : new Truncator(v).words(n, ' …');
  },
  { isSafe: true, arg: 'required' },
);
stringFilter(
  'truncatewords_html',
  (v, arg) => {
    const n = lengthArg(arg);
    return n === undefined ? v : new Truncator(v).words(n, ' …', true);
  },
  { isSafe: true, arg: 'required' },
);
stringFilter('upper', (v) => v.toUpperCase(), { isSafe: false, arg: 'none' });
stringFilter('urlencode', (v, safe) => (safe === undefined || safe === null ? quote(v) : quote(v, pyStr(safe))), {
  isSafe: false,
  arg: 'optional',
});
stringFilter(
  'urlize',
  (v, _arg, autoescape, safe) => markSafe(htmlUrlize(safe ? markSafe(v) : v, { nofollow: true, autoescape })),
  { isSafe: true, needsAutoescape: true, arg: 'none' },
);
stringFilter(
  'urlizetrunc',
  (v, limit, autoescape, safe) =>
    markSafe(htmlUrlize(safe ? markSafe(v) : v, { trimUrlLimit: Number(pyInt(limit)), nofollow: true, autoescape })),
  { isSafe: true, needsAutoescape: true, arg: 'required' },
);
stringFilter('wordcount', (v) => pySplit(v).length, { isSafe: false, arg: 'none' });
stringFilter('wordwrap', (v, arg) => wrap(v, widthOf(arg)), { isSafe: true, arg: 'required' });
stringFilter('ljust', (v, arg) => pad(v, widthOf(arg), 'left'), { isSafe: true, arg: 'required' });
stringFilter('rjust', (v, arg) => pad(v, widthOf(arg), 'right'), { isSafe: true, arg: 'required' });
stringFilter('center', (v, arg) => pad(v, widthOf(arg), 'center'), { isSafe: true, arg: 'required' });
stringFilter(
  'cut',
  (v, arg, _autoescape, safe) => {
    if (typeof arg !== 'string' && !(arg instanceof SafeString)) {
      throw new TypeError(`replace() argument 1 must be str, not ${pyType(arg)}`);
    }
    const needle = String(arg);
    const result = v.replaceAll(needle, '');
    // Django keeps a safe input safe unless ';' was cut (it could end an entity).
    return safe && needle !== ';' ? markSafe(result) : result;
  },
  { arg: 'required' },
);

// -- HTML strings ------------------------------------------------------------------------------

stringFilter('escape', (v, _arg, _autoescape, safe) => conditionalEscape(safe ? markSafe(v) : v), {
  isSafe: true,
  arg: 'none',
});
stringFilter('force_escape', (v) => escape(v), { isSafe: true, arg: 'none' });
stringFilter('linebreaks', (v, _arg, autoescape, safe) => markSafe(htmlLinebreaks(v, autoescape && !safe)), {
  isSafe: true,
  needsAutoescape: true,
  arg: 'none',
});
stringFilter(
  'linebreaksbr',
  (v, _arg, autoescape, safe) => {
    const text = normalizeNewlines(v);
    return markSafe((autoescape && !safe ? escape(text).value : text).replaceAll('\n', '<br>'));
  },
  { isSafe: true, needsAutoescape: true, arg: 'none' },
);
stringFilter('safe', (v) => markSafe(v), { isSafe: true, arg: 'none' });
filter(
  'safeseq',
  (value) => pyIter(value).map((item: unknown) => (item instanceof SafeString ? item : markSafe(pyStr(item)))),
  {
    isSafe: true,
    arg: 'none',
  },
);
stringFilter('striptags', (v) => stripTags(v), { isSafe: true, arg: 'none' });

// -- lists -------------------------------------------------------------------------------------

/** Python's `getattr(value, name)` for a template value: a property of an object. */
function getAttribute(value: unknown, name: string): unknown {
  if (typeof value === 'object' && value !== null && !isPlainObject(value) && !(value instanceof Map)) {
    if (name in value) return (value as Record<string, unknown>)[name];
  }
  throw new AttributeError(`'${pyType(value)}' object has no attribute '${name}'`);
}

/** Django's `_property_resolver`: the sort key `dictsort` reads from each item. */
function propertyResolver(arg: unknown): (item: unknown) => unknown {
  try {
    pyFloat(arg);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    const path = pyStr(arg);
    if (path.includes('._') || path.startsWith('_')) {
      throw new AttributeError('Access to private variables is forbidden.');
    }
    const parts = path.split('.');
    return (item) => {
      let value = item;
      for (const part of parts) {
        try {
          value = pyGetItem(value, part);
        } catch {
          value = getAttribute(value, part);
        }
      }
      return value;
    };
  }
  return (item) => pyGetItem(item, arg);
}

function dictsortFilter(reverse: boolean): FilterFunction {
  return (value, arg) => {
    try {
      return pySorted(pyIter(value), propertyResolver(arg), reverse);
    } catch (error) {
      if (isError(error, AttributeError, TypeError)) return '';
      throw error;
    }
  };
}

filter('dictsort', dictsortFilter(false), { isSafe: false, arg: 'required' });
filter('dictsortreversed', dictsortFilter(true), { isSafe: false, arg: 'required' });

function item(value: unknown, index: number): unknown {
  try {
    return pyGetItem(value, index);
  } catch (error) {
    if (error instanceof IndexError) return '';
    throw error;
  }
}

filter('first', (value) => item(value, 0), { isSafe: false, arg: 'none' });
filter('last', (value) => item(value, -1), { isSafe: true, arg: 'none' });
filter(
  'join',
  (value, arg, autoescape) => {
    let items: unknown[];
    try {
      items = pyIter(value);
    } catch (error) {
      if (error instanceof TypeError) return value;
      throw error;
    }
    if (autoescape) items = items.map((v) => conditionalEscape(v));
    // str.join needs strings: anything else is a TypeError, and Django then returns the value.
    if (!items.every((v) => typeof v === 'string' || v instanceof SafeString)) return value;
    return markSafe(items.map(String).join(conditionalEscape(arg).value));
  },
  { isSafe: true, needsAutoescape: true, arg: 'required' },
);
filter(
  'length',
  (value) => {
    try {
      return pyLen(value);
    } catch (error) {
      if (isError(error, ValueError, TypeError)) return 0;
      throw error;
    }
  },
  { isSafe: false, arg: 'none' },
);
filter(
  'length_is',
  (value, arg) => {
    try {
      return BigInt(pyLen(value)) === pyInt(arg);
    } catch (error) {
      if (isError(error, ValueError, TypeError)) return '';
      throw error;
    }
  },
  { isSafe: false, arg: 'required' },
);
filter(
  'random',
  (value) => {
    const length = pyLen(value);
    if (!length) throw new IndexError('Cannot choose from an empty sequence');
    return pyGetItem(value, Math.floor(Math.random() * length));
  },
  { isSafe: true, arg: 'none' },
);
filter(
  'slice',
  (value, arg) => {
    try {
      const bits = pyStr(arg)
        .split(':')
        .map((x) => (x ? Number(pyInt(x)) : null));
      if (bits.length > 3) throw new TypeError(`slice expected at most 3 arguments, got ${bits.length}`);
      const [a = null, b = null, c = null] = bits.length === 1 ? [null, bits[0], null] : bits;
      return pySlice(value, a, b, c);
    } catch (error) {
      if (isError(error, ValueError, TypeError)) return value;
      throw error;
    }
  },
  { isSafe: true, arg: 'required' },
);

function unorderedList(value: unknown, autoescape: boolean): SafeString {
  const escaper = (x: unknown) => (autoescape ? conditionalEscape(x).value : pyStr(x));
  // Django's walk_items: an item followed by a list has that list as its children.
  const walk = (list: unknown): Array<[unknown, unknown[] | undefined]> => {
    const items = pyIter(list);
    const out: Array<[unknown, unknown[] | undefined]> = [];
    for (let i = 0; i < items.length; i++) {
      const next = items[i + 1];
      if (Array.isArray(next)) {
        out.push([items[i], next]);
        i += 1;
      } else out.push([items[i], undefined]);
    }
    return out;
  };
  const format = (list: unknown, tabs: number): string => {
    const indent = '\t'.repeat(tabs);
    return walk(list)
      .map(([entry, children]) => {
        const sublist =
          children && children.length
            ? `\n${indent}<ul>\n${format(children, tabs + 1)}\n${indent}</ul>\n${indent}`
            : '';
        return `${indent}<li>${escaper(entry)}${sublist}</li>`;
      })
      .join('\n');
  };
  return markSafe(format(value, 1));
}

filter('unordered_list', (value, _arg, autoescape) => unorderedList(value, autoescape), {
  isSafe: true,
  needsAutoescape: true,
  arg: 'none',
});

// -- integers ----------------------------------------------------------------------------------

filter(
  'add',
  (value, arg) => {
    try {
      return intValue(pyInt(value) + pyInt(arg));
    } catch (error) {
      if (!isError(error, ValueError, TypeError)) throw error;
      try {
        return addValues(value, arg);
      } catch {
        return '';
      }
    }
  },
  { isSafe: false, arg: 'required' },
);
filter(
  'get_digit',
  (value, arg) => {
    let position: bigint;
    let number: bigint;
    try {
      position = pyInt(arg);
      number = pyInt(value);
    } catch (error) {
      if (error instanceof ValueError) return value;
      throw error;
    }
    if (position < 1n) return intValue(number);
    const digits = codePoints(number.toString());
    const digit = digits[digits.length - Number(position)];
    return digit === undefined ? 0 : intValue(pyInt(digit));
  },
  { isSafe: false, arg: 'required' },
);

// -- dates -------------------------------------------------------------------------------------

/** Python's `value in (None, '')`. */
const isEmpty = (value: unknown) =>
  value === null || value === undefined || value === '' || (value instanceof SafeString && value.value === '');

function withFallback(
  first: () => string,
  second: () => string,
  caught: Array<abstract new (...args: never[]) => Error>,
): string {
  try {
    return first();
  } catch (error) {
    if (!isError(error, ...caught)) throw error;
    try {
      return second();
    } catch (again) {
      if (!isError(again, ...caught)) throw again;
      return '';
    }
  }
}

filter(
  'date',
  (value, arg) => {
    if (isEmpty(value)) return '';
    return withFallback(
      () => dateFormat(value, arg),
      () => dateformatFormat(value, arg),
      [AttributeError],
    );
  },
  { expectsLocaltime: true, isSafe: false, arg: 'optional' },
);
filter(
  'time',
  (value, arg) => {
    if (isEmpty(value)) return '';
    return withFallback(
      () => timeFormat(value, arg),
      () => dateformatTime(value, arg),
      [AttributeError, TypeError],
    );
  },
  { expectsLocaltime: true, isSafe: false, arg: 'optional' },
);

function sinceFilter(fn: typeof timesince, always: boolean): FilterFunction {
  return (value, arg) => {
    if (!isTruthy(value)) return '';
    try {
      return always || isTruthy(arg) ? fn(value, { now: isTruthy(arg) ? arg : undefined }) : fn(value);
    } catch (error) {
      if (isError(error, ValueError, TypeError)) return '';
      throw error;
    }
  };
}

filter('timesince', sinceFilter(timesince, false), { isSafe: false, arg: 'optional' });
filter('timeuntil', sinceFilter(timeuntil, true), { isSafe: false, arg: 'optional' });

// -- logic -------------------------------------------------------------------------------------

filter('default', (value, arg) => (isTruthy(value) ? value : arg), { isSafe: false, arg: 'required' });
filter('default_if_none', (value, arg) => (value === null || value === undefined ? arg : value), {
  isSafe: false,
  arg: 'required',
});
filter(
  'divisibleby',
  (value, arg) => {
    const divisor = pyInt(arg);
    if (divisor === 0n) throw new RangeError('integer division or modulo by zero');
    return pyInt(value) % divisor === 0n;
  },
  { isSafe: false, arg: 'required' },
);
filter(
  'yesno',
  (value, arg) => {
    const mapping = arg === undefined || arg === null ? 'yes,no,maybe' : arg;
    if (typeof mapping !== 'string' && !(mapping instanceof SafeString)) {
      throw new AttributeError(`'${pyType(mapping)}' object has no attribute 'split'`);
    }
    const bits = String(mapping).split(',');
    if (bits.length < 2) return value;
    const [yes, no] = bits as [string, string];
    const maybe = bits.length === 3 ? bits[2]! : no;
    if (value === null || value === undefined) return maybe;
    return isTruthy(value) ? yes : no;
  },
  { isSafe: false, arg: 'optional' },
);

// -- misc --------------------------------------------------------------------------------------

/** Python's `round(x, 1)`: the nearest tenth of the exact binary value, ties to even. */
function roundTenth(x: number): number {
  return Math.sign(x) * Number(fixedDigits(x, 1));
}

filter(
  'filesizeformat',
  (value) => {
    let bytes: bigint;
    try {
      bytes = pyInt(value);
    } catch (error) {
      if (!isError(error, ValueError, TypeError)) throw error;
      return avoidWrapping('0 bytes');
    }
    const negative = bytes < 0n;
    if (negative) bytes = -bytes;
    const units: Array<[bigint, string]> = [
      [1n << 50n, 'PB'],
      [1n << 40n, 'TB'],
      [1n << 30n, 'GB'],
      [1n << 20n, 'MB'],
      [1n << 10n, 'KB'],
    ];
    let text: string;
    if (bytes < 1024n) text = `${bytes} ${bytes === 1n ? 'byte' : 'bytes'}`;
    else {
      const [size, unit] = units.find(([size], i) => bytes >= size || i === units.length - 1)!;
      text = `${numberFormat(roundTenth(Number(bytes) / Number(size)), 1)} ${unit}`;
    }
    return avoidWrapping(negative ? `-${text}` : text);
  },
  { isSafe: true, arg: 'none' },
);
filter(
  'pluralize',
  (value, arg) => {
    const given = arg === undefined ? 's' : arg;
    if (typeof given !== 'string' && !(given instanceof SafeString)) {
      throw new TypeError(`argument of type '${pyType(given)}' is not iterable`);
    }
    let suffix = String(given);
    if (!suffix.includes(',')) suffix = `,${suffix}`;
    const bits = suffix.split(',');
    if (bits.length > 2) return '';
    const [singular, plural] = bits as [string, string];
    try {
      return pyFloat(value) === 1 ? singular : plural;
    } catch (error) {
      if (error instanceof ValueError) return '';
      if (!(error instanceof TypeError)) throw error;
    }
    try {
      return pyLen(value) === 1 ? singular : plural;
    } catch (error) {
      if (error instanceof TypeError) return '';
      throw error;
    }
  },
  { isSafe: false, arg: 'optional' },
);
filter(
  'phone2numeric',
  (value) => {
    if (typeof value !== 'string' && !(value instanceof SafeString)) {
      throw new AttributeError(`'${pyType(value)}' object has no attribute 'lower'`);
    }
    return textPhone2numeric(String(value));
  },
  { isSafe: true, arg: 'none' },
);
filter(
  'pprint',
  (value) => {
    try {
      return pformat(value);
    } catch (error) {
      const e = error as Error;
      return `Error in formatting: ${e.name}: ${e.message}`;
    }
  },
  { isSafe: true, arg: 'none' },
);

// -- floatformat -------------------------------------------------------------------------------

filter(
  'floatformat',
  (text, argument) => {
    let arg: unknown = argument === undefined ? -1 : argument;
    let forceGrouping = false;
    if ((typeof arg === 'string' || arg instanceof SafeString) && String(arg).endsWith('g')) {
      forceGrouping = true;
      arg = String(arg).slice(0, -1) || -1;
    }
    const inputVal = pyRepr(text);
    // Django reads the value's repr() as a Decimal, else float(value): a string goes through a
    // float, a number through its shortest repr; a decimal is read exactly (tsgi: Django 3.2
    // went through float() and lost digits past the 17th).
    let d = isDecimal(text)
      ? decimalLiteral(String(text))
      : typeof text === 'string'
        ? undefined
        : decimalLiteral(inputVal);
    if (d === undefined) {
      try {
        d = decimalLiteral(pyRepr(pyFloat(text)));
      } catch (error) {
        if (isError(error, ValueError, TypeError, RangeError)) return '';
        throw error;
      }
      if (d === undefined) return '';
    }
    let p: number;
    try {
      p = Number(pyInt(arg));
    } catch (error) {
      if (error instanceof ValueError) return inputVal;
      throw error;
    }
    if (d === 'inf' || d === 'nan') return inputVal;
    if (d.length + Math.abs(d.exponent) > 200) return inputVal;
    const isInteger = d.exponent >= 0 || d.digits % 10n ** BigInt(-d.exponent) === 0n;
    if (isInteger && p < 0) {
      const whole = d.exponent >= 0 ? d.digits * 10n ** BigInt(d.exponent) : d.digits / 10n ** BigInt(-d.exponent);
      return markSafe(numberFormat(d.sign && whole ? `-${whole}` : `${whole}`, 0, undefined, forceGrouping));
    }
    const places = Math.abs(p);
    return markSafe(numberFormat(roundHalfUp(d, places), places, undefined, forceGrouping));
  },
  { isSafe: true, arg: 'optional' },
);
