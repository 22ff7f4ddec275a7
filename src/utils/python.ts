/**
 * Python's built-in semantics over tsgi's values, for the code ported from Django that relies on
 * them: truthiness, `str()`, `repr()`, `int()`, `float()`, `len()`, indexing, slicing and the
 * ordering `sorted()` uses.
 *
 * The mapping of values (what a Django template sees when a view passes them):
 * - `null`/`undefined` are None; booleans are bool.
 * - A `number` that is an integer (`Number.isInteger`) is an int, any other number (fractions,
 *   `Infinity`, `NaN`) a float; a `bigint` is an int.
 * - A decimal is an object whose constructor is named `Decimal`, `Big` or `BigNumber`
 *   (decimal.js, big.js, bignumber.js); its `toString()` gives its digits.
 * - Strings are str (lengths and indexes count code points, as Python does); `SafeString` is
 *   Django's SafeString.
 * - Arrays are lists; `Map`s and plain objects are dicts; `Set`s are sets.
 * - Temporal values keep Python's date and time types: `PlainDate` is a date, `PlainTime` a time,
 *   `PlainDateTime` a naive datetime, `ZonedDateTime` an aware one; an `Instant` or a JS `Date` is
 *   an aware datetime in UTC; a `Duration` is a timedelta.
 */
import { SafeString } from './safestring.ts';

/** Python's `ValueError`: the right type, a bad value (`int('x')`). */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** The Python type a value stands for (see the module comment). */
export type PyType =
  | 'None'
  | 'bool'
  | 'int'
  | 'float'
  | 'Decimal'
  | 'str'
  | 'list'
  | 'dict'
  | 'set'
  | 'date'
  | 'time'
  | 'datetime'
  | 'timedelta'
  | 'function'
  | 'object';

const TEMPORAL_TYPES: Record<string, PyType> = {
  'Temporal.PlainDate': 'date',
  'Temporal.PlainTime': 'time',
  'Temporal.PlainDateTime': 'datetime',
  'Temporal.ZonedDateTime': 'datetime',
  'Temporal.Instant': 'datetime',
  'Temporal.Duration': 'timedelta',
};

const DECIMAL_CONSTRUCTORS = new Set(['Decimal', 'Big', 'BigNumber']);

/** The Temporal type name of a value (`'Temporal.PlainDate'`...), or undefined. */
export function temporalKind(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const tag = (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  return typeof tag === 'string' && tag.startsWith('Temporal.') ? tag : undefined;
}

/** Whether `value` is a plain object (a dict): its prototype is Object.prototype or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether `value` is a decimal (see the module comment). */
export function isDecimal(value: unknown): value is { toString(): string } {
  if (typeof value !== 'object' || value === null) return false;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && DECIMAL_CONSTRUCTORS.has(name);
}

/** The Python type of `value`. */
export function pyType(value: unknown): PyType {
  switch (typeof value) {
    case 'undefined':
      return 'None';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'str';
    case 'function':
      return 'function';
    case 'symbol':
      return 'object';
  }
  if (value === null) return 'None';
  if (value instanceof SafeString) return 'str';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map || isPlainObject(value)) return 'dict';
  if (value instanceof Set) return 'set';
  if (value instanceof Date) return 'datetime';
  const temporal = temporalKind(value);
  if (temporal !== undefined) return TEMPORAL_TYPES[temporal] ?? 'object';
  if (isDecimal(value)) return 'Decimal';
  return 'object';
}

/** Whether `value` is a Python number: bool, int, float or Decimal. */
export function isNumeric(value: unknown): boolean {
  const type = pyType(value);
  return type === 'bool' || type === 'int' || type === 'float' || type === 'Decimal';
}

/** A string's code points (Python's characters). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/** The length of a string in code points (Python's `len()` of a str). */
export function pyStrLen(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Python's truthiness (`bool(value)`). */
export function isTruthy(value: unknown): boolean {
  switch (typeof value) {
    case 'undefined':
      return false;
    case 'boolean':
      return value;
    case 'number':
      return value !== 0; // NaN is true in Python
    case 'bigint':
      return value !== 0n;
    case 'string':
      return value.length > 0;
    case 'function':
    case 'symbol':
      return true;
  }
  if (value === null) return false;
  if (value instanceof SafeString) return value.value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  const temporal = temporalKind(value);
  if (temporal === 'Temporal.Duration') return (value as { sign: number }).sign !== 0;
  if (temporal !== undefined) return true;
  if (isDecimal(value)) return !/^[-+]?0*\.?0*(e[-+]?\d+)?$/i.test(String(value));
  const length: unknown = Reflect.get(value as unknown as object, 'length');
  if (typeof length === 'number') return length > 0;
  return true;
}

// -- str() and repr() ------------------------------------------------------------------------

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** Python's `repr()` of a float (shortest round-trip digits, as JS, in Python's notation). */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.0';
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exponent < 0 ? '-' : '+'}${pad(exponent)}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits.padEnd(exponent + 1, '0')}.0`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/** A JS number as Python prints it: an int for integral numbers, else a float's repr. */
export function numberStr(x: number): string {
  if (Number.isInteger(x)) return Number.isSafeInteger(x) ? String(x === 0 ? 0 : x) : BigInt(x).toString();
  return floatRepr(x);
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr()` of a str. */
export function strRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      const cp = ch.codePointAt(0)!;
      out += cp < 0x100 ? `\\x${hex(cp, 2)}` : cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
    } else out += ch;
  }
  return out + quote;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

interface DateFields {
  year: number;
  month: number;
  day: number;
}
interface TimeFields {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  microsecond: number;
}
interface Zoned extends DateFields, TimeFields {
  offset: string;
  timeZoneId: string;
}

/** Python's `isoformat()` of a date (`2020-01-02`). */
export function dateIso(d: DateFields): string {
  const year = d.year < 0 ? `-${pad(d.year, 6)}` : pad(d.year, 4);
  return `${year}-${pad(d.month)}-${pad(d.day)}`;
}

/** The microseconds of a Temporal time (its nanoseconds are dropped, as Python has none). */
export function microseconds(t: TimeFields): number {
  return t.millisecond * 1000 + t.microsecond;
}

/** Python's `str()` of a time (`03:04:05` or `03:04:05.000006`). */
export function timeIso(t: TimeFields, separator = ''): string {
  const us = microseconds(t);
  return `${separator}${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${us ? `.${pad(us, 6)}` : ''}`;
}

/** An offset as Python prints it: `+05:30`, with seconds only when there are some. */
function offsetIso(offset: string): string {
  return offset.replace(/(\d\d:\d\d:\d\d)\.\d+$/, '$1');
}

/** A Date or an Instant as a ZonedDateTime in UTC (an aware datetime). */
export function asZoned(value: unknown): Zoned | undefined {
  const kind = temporalKind(value);
  if (kind === 'Temporal.ZonedDateTime') return value as Zoned;
  if (kind === 'Temporal.Instant')
    return (value as { toZonedDateTimeISO(tz: string): Zoned }).toZonedDateTimeISO('UTC');
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return undefined;
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      millisecond: d.getUTCMilliseconds(),
      microsecond: 0,
      offset: '+00:00',
      timeZoneId: 'UTC',
    };
  }
  return undefined;
}

interface DurationFields {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
  milliseconds: number;
  microseconds: number;
  nanoseconds: number;
  years: number;
  months: number;
  weeks: number;
}

/** A Duration as Python's timedelta fields (days, seconds, microseconds), or undefined if it has years or months. */
export function timedeltaFields(
  d: DurationFields,
): { days: number; seconds: number; microseconds: number } | undefined {
  if (d.years || d.months) return undefined;
  const total =
    (((BigInt(d.weeks * 7 + d.days) * 24n + BigInt(d.hours)) * 60n + BigInt(d.minutes)) * 60n + BigInt(d.seconds)) *
      1_000_000n +
    BigInt(d.milliseconds) * 1000n +
    BigInt(d.microseconds) +
    BigInt(Math.trunc(d.nanoseconds / 1000));
  const day = 86_400_000_000n;
  let days = total / day;
  let rest = total % day;
  if (rest < 0n) {
    days -= 1n;
    rest += day;
  }
  return { days: Number(days), seconds: Number(rest / 1_000_000n), microseconds: Number(rest % 1_000_000n) };
}

function timedeltaStr(d: DurationFields): string {
  const f = timedeltaFields(d);
  if (f === undefined) return String(d);
  const hms = `${Math.floor(f.seconds / 3600)}:${pad(Math.floor(f.seconds / 60) % 60)}:${pad(f.seconds % 60)}`;
  const days = f.days ? `${f.days} day${Math.abs(f.days) === 1 ? '' : 's'}, ` : '';
  return `${days}${hms}${f.microseconds ? `.${pad(f.microseconds, 6)}` : ''}`;
}

/** Python's `str()`: what a template prints for a value (before localization). */
export function pyStr(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return numberStr(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'True' : 'False';
    case 'undefined':
      return 'None';
  }
  if (value === null) return 'None';
  if (value instanceof SafeString) return value.value;
  const type = pyType(value);
  switch (type) {
    case 'list':
    case 'dict':
    case 'set':
      return pyRepr(value);
    case 'date':
      return dateIso(value as DateFields);
    case 'time':
      return timeIso(value as TimeFields);
    case 'datetime': {
      const kind = temporalKind(value);
      if (kind === 'Temporal.PlainDateTime') {
        return dateIso(value as DateFields) + timeIso(value as TimeFields, ' ');
      }
      const z = asZoned(value);
      if (z === undefined) return 'Invalid Date';
      return dateIso(z) + timeIso(z, ' ') + offsetIso(z.offset);
    }
    case 'timedelta':
      return timedeltaStr(value as DurationFields);
    case 'function':
      return `<function ${(value as { name?: string }).name || '<anonymous>'}>`;
  }
  return String(value);
}

function datetimeRepr(name: string, fields: number[]): string {
  const values = [...fields];
  // Python drops trailing zero seconds and microseconds (hour and minute stay).
  while (values.length > 5 && values[values.length - 1] === 0) values.pop();
  return `datetime.${name}(${values.join(', ')})`;
}

function timeRepr(fields: number[]): string {
  const values = [...fields];
  while (values.length > 2 && values[values.length - 1] === 0) values.pop();
  return `datetime.time(${values.join(', ')})`;
}

function entries(value: Map<unknown, unknown> | Record<string, unknown>): Array<[unknown, unknown]> {
  return value instanceof Map ? [...value.entries()] : Object.entries(value);
}

/** Python's `repr()`. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return strRepr(value);
  if (value instanceof SafeString) return strRepr(value.value);
  const type = pyType(value);
  switch (type) {
    case 'list':
      return `[${(value as unknown[]).map(pyRepr).join(', ')}]`;
    case 'dict':
      return `{${entries(value as Map<unknown, unknown>)
        .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
        .join(', ')}}`;
    case 'set':
      return (value as Set<unknown>).size ? `{${[...(value as Set<unknown>)].map(pyRepr).join(', ')}}` : 'set()';
    case 'Decimal':
      return `Decimal('${String(value)}')`;
    case 'date': {
      const d = value as DateFields;
      return `datetime.date(${d.year}, ${d.month}, ${d.day})`;
    }
    case 'time': {
      const t = value as TimeFields;
      return timeRepr([t.hour, t.minute, t.second, microseconds(t)]);
    }
    case 'datetime': {
      if (temporalKind(value) === 'Temporal.PlainDateTime') {
        const d = value as DateFields & TimeFields;
        return datetimeRepr('datetime', [d.year, d.month, d.day, d.hour, d.minute, d.second, microseconds(d)]);
      }
      const z = asZoned(value);
      if (z === undefined) return 'Invalid Date';
      const naive = datetimeRepr('datetime', [z.year, z.month, z.day, z.hour, z.minute, z.second, microseconds(z)]);
      return `${naive.slice(0, -1)}, tzinfo=<${z.timeZoneId}>)`;
    }
    case 'timedelta': {
      const f = timedeltaFields(value as DurationFields);
      if (f === undefined) return String(value);
      const parts = [
        f.days ? `days=${f.days}` : '',
        f.seconds ? `seconds=${f.seconds}` : '',
        f.microseconds ? `microseconds=${f.microseconds}` : '',
      ].filter(Boolean);
      return `datetime.timedelta(${parts.join(', ') || '0'})`;
    }
  }
  return pyStr(value);
}

// -- whitespace and decimal literals ------------------------------------------------------

const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** One character Python's `str.isspace()` accepts, as a RegExp class. */
export const PY_WHITESPACE = `[${PY_SPACE}]`;
const TRIM = new RegExp(`^${PY_WHITESPACE}+|${PY_WHITESPACE}+$`, 'gu');

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  return text.replace(TRIM, '');
}

/** Python's `str.split()` with no argument: words between runs of whitespace. */
export function pySplit(text: string): string[] {
  return text.split(new RegExp(`${PY_WHITESPACE}+`, 'u')).filter((w) => w !== '');
}

/** A decimal number as sign, digits and exponent (Python's `Decimal.as_tuple()`), or undefined. */
export interface DecimalParts {
  sign: boolean;
  digits: bigint;
  exponent: number;
  /** The number of digits as written (Decimal keeps trailing zeros). */
  length: number;
}

const DECIMAL_LITERAL = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;

/** Parses a finite decimal literal (`'-1.50'`, `'1e+16'`); undefined for anything else. */
export function parseDecimal(text: string): DecimalParts | undefined {
  const m = DECIMAL_LITERAL.exec(text.trim());
  if (!m) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  if (int === '' && frac === '') return undefined;
  const all = (int + frac).replace(/^0+(?=\d)/, '');
  return { sign: sign === '-', digits: BigInt(all), exponent: Number(exp) - frac.length, length: all.length };
}
