/**
 * Python's operations on tsgi's values (mapped as utils/python.ts describes): `int()`, `float()`,
 * `len()`, `value[key]`, slicing, iteration, the `+` operator and the ordering `sorted()` uses,
 * each raising Python's error (ValueError, TypeError, KeyError, IndexError) where Python does,
 * because Django's filters catch some of them and not others.
 */
import type { Temporal } from 'temporal-polyfill';
import { SafeString } from './safestring.ts';
import { temporal } from './temporal.ts';
import {
  ValueError,
  asZoned,
  codePoints,
  isDecimal,
  isNumeric,
  isPlainObject,
  parseDecimal,
  pyRepr,
  pyStrLen,
  pyStrip,
  pyType,
  strRepr,
  temporalKind,
  timedeltaFields,
} from './python.ts';
/** A Unicode decimal digit as its ASCII digit (Python's int() and float() accept any). */
function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (d) => {
    if (d >= '0' && d <= '9') return d;
    // Unicode's decimal digits come in runs of ten, 0 to 9, some runs back to back: the
    // distance from the start of the block, modulo ten, is the digit's value.
    let cp = d.codePointAt(0)!;
    let distance = 0;
    while (/\p{Nd}/u.test(String.fromCodePoint(cp - 1))) {
      cp--;
      distance++;
    }
    return String(distance % 10);
  });
}

const INT_LITERAL = /^[-+]?\d+(_\d+)*$/;

/** Python's `int()`: a bigint, or a ValueError (bad literal, NaN) or TypeError (wrong type). */
export function pyInt(value: unknown): bigint {
  switch (typeof value) {
    case 'bigint':
      return value;
    case 'boolean':
      return value ? 1n : 0n;
    case 'number':
      if (Number.isNaN(value)) throw new ValueError('cannot convert float NaN to integer');
      if (!Number.isFinite(value)) throw new RangeError('cannot convert float infinity to integer');
      return BigInt(Math.trunc(value));
  }
  if (typeof value === 'string' || value instanceof SafeString) {
    const text = asciiDigits(pyStrip(String(value)));
    if (!INT_LITERAL.test(text)) {
      throw new ValueError(`invalid literal for int() with base 10: ${strRepr(String(value))}`);
    }
    return BigInt(text.replaceAll('_', ''));
  }
  if (isDecimal(value)) {
    const parsed = parseDecimal(String(value));
    if (parsed === undefined) throw new ValueError(`cannot convert ${String(value)} to integer`);
    const { sign, digits, exponent } = parsed;
    const magnitude = exponent >= 0 ? digits * 10n ** BigInt(exponent) : digits / 10n ** BigInt(-exponent);
    return sign ? -magnitude : magnitude;
  }
  throw new TypeError(`int() argument must be a string, a number or a Decimal, not '${pyType(value)}'`);
}

/** `pyInt()` as a JS number when it is safe, else the bigint (an int result for templates). */
export function intValue(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

const FLOAT_LITERAL = /^[-+]?((\d+(_\d+)*)?\.?\d+(_\d+)*|\d+(_\d+)*\.)([eE][-+]?\d+(_\d+)*)?$/;
const FLOAT_SPECIAL = /^([-+]?)(inf|infinity|nan)$/i;

/** Python's `float()`: a number, or a ValueError / TypeError. */
export function pyFloat(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'bigint': {
      const x = Number(value);
      if (!Number.isFinite(x)) throw new RangeError('int too large to convert to float');
      return x;
    }
  }
  if (typeof value === 'string' || value instanceof SafeString) {
    const text = asciiDigits(pyStrip(String(value)));
    const special = FLOAT_SPECIAL.exec(text);
    if (special) {
      const s = special[2]!.toLowerCase();
      if (s === 'nan') return NaN;
      return special[1] === '-' ? -Infinity : Infinity;
    }
    if (!FLOAT_LITERAL.test(text)) throw new ValueError(`could not convert string to float: ${strRepr(String(value))}`);
    return Number(text.replaceAll('_', ''));
  }
  if (isDecimal(value)) return Number(String(value));
  throw new TypeError(`float() argument must be a string or a number, not '${pyType(value)}'`);
}

/** Python's `len()`: code points of a str, items of a list, dict or set; TypeError otherwise. */
export function pyLen(value: unknown): number {
  if (typeof value === 'string') return pyStrLen(value);
  if (value instanceof SafeString) return pyStrLen(value.value);
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map || value instanceof Set) return value.size;
  if (isPlainObject(value)) return Object.keys(value).length;
  if (typeof value === 'object' && value !== null && temporalKind(value) === undefined && !isDecimal(value)) {
    const length = (value as { length?: unknown }).length;
    if (typeof length === 'number') return length;
  }
  throw new TypeError(`object of type '${pyType(value)}' has no len()`);
}

/** Python's `AttributeError`: the value has no such field (a time has no year). */
export class AttributeError extends Error {
  override name = 'AttributeError';
}

/** Python's `KeyError` and `IndexError`, raised by `pyGetItem()`. */
export class KeyError extends Error {
  override name = 'KeyError';
}
export class IndexError extends Error {
  override name = 'IndexError';
}

/** Python's `value[key]` for an int or str key: strings, lists, dicts; KeyError/IndexError/TypeError. */
export function pyGetItem(value: unknown, key: unknown): unknown {
  if (typeof value === 'string' || value instanceof SafeString || Array.isArray(value)) {
    if (pyType(key) !== 'int' && typeof key !== 'boolean') {
      throw new TypeError(`${Array.isArray(value) ? 'list' : 'string'} indices must be integers`);
    }
    const items = Array.isArray(value) ? value : codePoints(String(value));
    let i = Number(key);
    if (i < 0) i += items.length;
    if (i < 0 || i >= items.length)
      throw new IndexError(`${Array.isArray(value) ? 'list' : 'string'} index out of range`);
    return items[i];
  }
  if (value instanceof Map) {
    if (value.has(key)) return value.get(key);
    // Python's dict keys compare by value: 1, 1.0, True and 1n are one key.
    if (typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean') {
      for (const [k, v] of value) if (isNumeric(k) && typeof k !== 'object' && Number(k) === Number(key)) return v;
    }
    throw new KeyError(pyRepr(key));
  }
  if (isPlainObject(value)) {
    const k = key instanceof SafeString ? key.value : key;
    if (typeof k === 'string' && Object.hasOwn(value, k)) return value[k];
    throw new KeyError(pyRepr(key));
  }
  throw new TypeError(`'${pyType(value)}' object is not subscriptable`);
}

/** Python's slice indices for a sequence of `length` items. */
function sliceIndices(length: number, start: number | null, stop: number | null, step: number | null): number[] {
  const s = step ?? 1;
  if (s === 0) throw new ValueError('slice step cannot be zero');
  const clamp = (i: number | null, dflt: number, lo: number, hi: number) => {
    if (i === null) return dflt;
    if (i < 0) i += length;
    return Math.min(Math.max(i, lo), hi);
  };
  const out: number[] = [];
  if (s > 0) {
    const a = clamp(start, 0, 0, length);
    const b = clamp(stop, length, 0, length);
    for (let i = a; i < b; i += s) out.push(i);
  } else {
    const a = clamp(start, length - 1, -1, length - 1);
    const b = clamp(stop, -1, -1, length - 1);
    for (let i = a; i > b; i += s) out.push(i);
  }
  return out;
}

/** Python's `value[start:stop:step]` on a str or list (a SafeString slice is a plain str). */
export function pySlice(value: unknown, start: number | null, stop: number | null, step: number | null): unknown {
  if (typeof value === 'string' || value instanceof SafeString) {
    const chars = codePoints(String(value));
    return sliceIndices(chars.length, start, stop, step)
      .map((i) => chars[i])
      .join('');
  }
  if (Array.isArray(value)) return sliceIndices(value.length, start, stop, step).map((i) => value[i] as unknown);
  if (value instanceof Map || isPlainObject(value)) throw new TypeError("unhashable type: 'slice'");
  throw new TypeError(`'${pyType(value)}' object is not subscriptable`);
}

// -- ordering ----------------------------------------------------------------------------------

function compareStrings(a: string, b: string): number {
  // JS compares UTF-16 units; Python compares code points (they differ past U+FFFF).
  if (a === b) return 0;
  const x = codePoints(a);
  const y = codePoints(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

function numericValue(value: unknown): number | bigint {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (isDecimal(value)) return Number(String(value));
  return value as unknown as number | bigint;
}

const ORDERED_TEMPORAL = new Set(['Temporal.PlainDate', 'Temporal.PlainTime', 'Temporal.PlainDateTime']);

/**
 * Python's ordering of two values, as `sorted()` sees it: negative, zero or positive; a TypeError
 * for values Python cannot order (a str and an int, None, dicts, naive and aware datetimes).
 */
export function pyCompare(a: unknown, b: unknown): number {
  const ta = pyType(a);
  const tb = pyType(b);
  if (isNumeric(a) && isNumeric(b)) {
    const x = numericValue(a);
    const y = numericValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ta === 'str' && tb === 'str') return compareStrings(String(a), String(b));
  if (ta === 'list' && tb === 'list') {
    const x = a as unknown[];
    const y = b as unknown[];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = pyCompare(x[i], y[i]);
      if (d) return d;
    }
    return x.length - y.length;
  }
  const ka = temporalKind(a) ?? (a instanceof Date ? 'Date' : undefined);
  const kb = temporalKind(b) ?? (b instanceof Date ? 'Date' : undefined);
  if (ka !== undefined && kb !== undefined) {
    if (ka === kb && ORDERED_TEMPORAL.has(ka)) {
      const compare = (a as { constructor: { compare(x: unknown, y: unknown): number } }).constructor.compare;
      return compare(a, b);
    }
    const za = ta === 'datetime' && ka !== 'Temporal.PlainDateTime' ? asZoned(a) : undefined;
    const zb = tb === 'datetime' && kb !== 'Temporal.PlainDateTime' ? asZoned(b) : undefined;
    if (za && zb) return epochNs(a) < epochNs(b) ? -1 : epochNs(a) > epochNs(b) ? 1 : 0;
    if (ka === 'Temporal.Duration' && kb === ka) {
      const fa = timedeltaFields(a as Parameters<typeof timedeltaFields>[0]);
      const fb = timedeltaFields(b as Parameters<typeof timedeltaFields>[0]);
      if (fa && fb) return fa.days - fb.days || fa.seconds - fb.seconds || fa.microseconds - fb.microseconds;
    }
  }
  throw new TypeError(`'<' not supported between instances of '${ta}' and '${tb}'`);
}

function epochNs(value: unknown): bigint {
  if (value instanceof Date) return BigInt(value.getTime()) * 1_000_000n;
  return (value as { epochNanoseconds: bigint }).epochNanoseconds;
}

/** Python's `sorted(items, key=key, reverse=reverse)`: stable, TypeError on unorderable keys. */
export function pySorted<T>(items: Iterable<T>, key: (item: T) => unknown, reverse = false): T[] {
  const keyed = [...items].map((item) => ({ item, key: key(item) }));
  keyed.sort((x, y) => (reverse ? pyCompare(y.key, x.key) : pyCompare(x.key, y.key)));
  return keyed.map((k) => k.item);
}

/** Python's `iter()` over a value: a list's items, a str's characters, a dict's keys; TypeError otherwise. */
export function pyIter(value: unknown): unknown[] {
  if (typeof value === 'string' || value instanceof SafeString) return codePoints(String(value));
  if (Array.isArray(value)) return value;
  if (value instanceof Map) return [...value.keys()];
  if (value instanceof Set) return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  if (typeof value === 'object' && value !== null && Symbol.iterator in value) {
    return [...(value as Iterable<unknown>)];
  }
  throw new TypeError(`'${pyType(value)}' object is not iterable`);
}

function addDuration(value: unknown, duration: unknown): unknown {
  const f = timedeltaFields(duration as Temporal.Duration);
  if (f === undefined) throw new TypeError('unsupported operand type(s) for +: a duration with years or months');
  const kind = temporalKind(value);
  if (kind === 'Temporal.PlainDate') return (value as Temporal.PlainDate).add({ days: f.days });
  const exact = { days: f.days, seconds: f.seconds, microseconds: f.microseconds };
  if (kind === 'Temporal.PlainDateTime') return (value as Temporal.PlainDateTime).add(exact);
  if (kind === 'Temporal.ZonedDateTime' || kind === 'Temporal.Instant' || value instanceof Date) {
    // Python adds to the wall clock and keeps the tzinfo.
    const z =
      kind === 'Temporal.ZonedDateTime'
        ? (value as Temporal.ZonedDateTime)
        : kind === 'Temporal.Instant'
          ? (value as Temporal.Instant).toZonedDateTimeISO('UTC')
          : temporal()
              .Instant.fromEpochMilliseconds((value as Date).getTime())
              .toZonedDateTimeISO('UTC');
    return z.toPlainDateTime().add(exact).toZonedDateTime(z.timeZoneId, { disambiguation: 'compatible' });
  }
  if (kind === 'Temporal.Duration') {
    const g = timedeltaFields(value as Temporal.Duration)!;
    return temporal().Duration.from({
      days: g.days + f.days,
      seconds: g.seconds + f.seconds,
      microseconds: g.microseconds + f.microseconds,
    });
  }
  throw new TypeError(`unsupported operand type(s) for +: '${pyType(value)}' and 'timedelta'`);
}

/**
 * Python's `a + b` for what Django's `add` filter falls back to: strings (safe + safe stays
 * safe), lists, dates and datetimes with a timedelta (a Duration), numbers; a TypeError otherwise.
 */
export function addValues(a: unknown, b: unknown): unknown {
  const ta = pyType(a);
  const tb = pyType(b);
  if (ta === 'str' && tb === 'str') {
    const text = String(a) + String(b);
    return a instanceof SafeString && b instanceof SafeString ? new SafeString(text) : text;
  }
  if (ta === 'list' && tb === 'list') return [...(a as unknown[]), ...(b as unknown[])];
  if (isNumeric(a) && isNumeric(b)) {
    if ((ta === 'Decimal') !== (tb === 'Decimal') && (ta === 'float' || tb === 'float')) {
      throw new TypeError("unsupported operand type(s) for +: 'decimal.Decimal' and 'float'");
    }
    if (typeof a === 'bigint' && typeof b === 'bigint') return a + b;
    return Number(a) + Number(b);
  }
  if (tb === 'timedelta' && (ta === 'date' || ta === 'datetime' || ta === 'timedelta')) return addDuration(a, b);
  if (ta === 'timedelta' && (tb === 'date' || tb === 'datetime')) return addDuration(b, a);
  throw new TypeError(`unsupported operand type(s) for +: '${ta}' and '${tb}'`);
}
