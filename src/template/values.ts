/**
 * How the template language sees JavaScript values: Python's truth, equality, ordering and text
 * (`str()`/`repr()`), as Django's templates apply them to Python objects. `null` is Python's
 * `None`, booleans print `True`/`False`, an array is a list, a plain object or a Map a dict.
 */
import { SafeString } from '../utils/safestring.ts';

/** Whether `value` is a promise (or any thenable): the render waits for it. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A plain object (`{}` literal or `Object.create(null)`): a dict for the template language. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Python's `bool(value)`: empty strings, lists, dicts, sets, zero, `None` and `False` are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  switch (typeof value) {
    case 'boolean':
      return true;
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0;
    case 'bigint':
      return value !== 0n;
    case 'object':
      break;
    default:
      return true;
  }
  if (value instanceof SafeString) return value.value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (isPlainObject(value)) {
    for (const _ in value) return true;
    return false;
  }
  const length = (value as { length?: unknown }).length;
  if (typeof length === 'number') return length > 0;
  return true;
}

/** A string's own text (a SafeString is compared and measured as its text). */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof SafeString) return value.value;
  return undefined;
}

function numeric(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

interface Comparable {
  equals?(other: unknown): boolean;
}

/** Python's `a == b`: numbers with booleans, strings by text, lists and dicts by content. */
export function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = text(a);
  if (ta !== undefined) return ta === text(b);
  const na = numeric(a);
  if (na !== undefined) {
    const nb = numeric(b);
    // A number equals a bigint of the same value, as in Python.
    return nb !== undefined && na == nb;
  }
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => equals(item, b[i]));
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [key, item] of a) if (!b.has(key) || !equals(item, b.get(key))) return false;
    return true;
  }
  if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    for (const item of a) if (!b.has(item)) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && equals(a[key], b[key]));
  }
  // Temporal values and other objects that define equals().
  if (typeof (a as Comparable).equals === 'function' && Object.getPrototypeOf(a) === Object.getPrototypeOf(b)) {
    try {
      return (a as Comparable).equals!(b);
    } catch {
      return false;
    }
  }
  return false;
}

/** Python refuses to order these two values (`1 < 'a'` is a TypeError). */
export class Unorderable extends TypeError {
  override name = 'TypeError';
}

interface TemporalLike {
  constructor: { compare?(a: unknown, b: unknown): number };
}

/** Python's ordering: negative, zero or positive; throws Unorderable for mixed types. */
export function compare(a: unknown, b: unknown): number {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) {
    if (Number.isNaN(na) || Number.isNaN(nb)) return Number.NaN;
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  const ta = text(a);
  const tb = text(b);
  if (ta !== undefined && tb !== undefined) return ta < tb ? -1 : ta > tb ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < a.length && i < b.length; i++) {
      if (!equals(a[i], b[i])) return compare(a[i], b[i]);
    }
    return a.length - b.length;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    const ctor = (a as TemporalLike).constructor;
    if (ctor === (b as TemporalLike).constructor && typeof ctor.compare === 'function') return ctor.compare(a, b);
  }
  throw new Unorderable(`'<' not supported between ${describeType(a)} and ${describeType(b)}.`);
}

/** Python's `a in b`: an item of a list, a key of a dict or Map, a substring of a string. */
export function contains(container: unknown, item: unknown): boolean {
  const haystack = text(container);
  if (haystack !== undefined) {
    const needle = text(item);
    if (needle === undefined) throw new TypeError(`'in <string>' requires a string, not ${describeType(item)}.`);
    return haystack.includes(needle);
  }
  if (Array.isArray(container)) return container.some((x) => equals(x, item));
  if (container instanceof Map || container instanceof Set) {
    if (container.has(item)) return true;
    const key = text(item);
    return key !== undefined && container.has(key);
  }
  if (isPlainObject(container)) {
    const key = text(item) ?? (typeof item === 'number' ? String(item) : undefined);
    return key !== undefined && Object.hasOwn(container, key);
  }
  if (container !== null && typeof container === 'object' && Symbol.iterator in container) {
    for (const x of container as Iterable<unknown>) if (equals(x, item)) return true;
    return false;
  }
  throw new TypeError(`argument of type ${describeType(container)} is not iterable.`);
}

/** The type of a value, for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'None';
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}

function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

const REPR_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Python's `repr()` of a string: single quotes unless the text holds one and no double quote. */
function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote) out += '\\' + ch;
    else out += REPR_ESCAPES[ch] ?? ch;
  }
  return out + quote;
}

/** Python's `repr()`: how lists and dicts show their items. */
export function repr(value: unknown, seen: Set<unknown> = new Set()): string {
  const s = text(value);
  if (s !== undefined) return reprString(s);
  if (value !== null && typeof value === 'object') {
    if (seen.has(value)) return Array.isArray(value) ? '[...]' : '{...}';
    seen.add(value);
    try {
      if (Array.isArray(value)) return `[${value.map((item) => repr(item, seen)).join(', ')}]`;
      if (value instanceof Set)
        return value.size === 0 ? 'set()' : `{${[...value].map((v) => repr(v, seen)).join(', ')}}`;
      if (value instanceof Map) {
        return `{${[...value].map(([k, v]) => `${repr(k, seen)}: ${repr(v, seen)}`).join(', ')}}`;
      }
      if (isPlainObject(value)) {
        return `{${Object.entries(value)
          .map(([k, v]) => `${reprString(k)}: ${repr(v, seen)}`)
          .join(', ')}}`;
      }
    } finally {
      seen.delete(value);
    }
  }
  return toText(value);
}

/**
 * Python's `str()`: the text a value prints as. `null` prints `None`, booleans `True`/`False`,
 * lists and dicts as Python shows them; other objects by their own `toString()`.
 */
export function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return pyFloat(value);
    case 'boolean':
      return value ? 'True' : 'False';
    case 'undefined':
      return '';
    case 'bigint':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return `<function ${value.name || 'anonymous'}>`;
    default:
      break;
  }
  if (value === null) return 'None';
  if (value instanceof SafeString) return value.value;
  if (Array.isArray(value) || value instanceof Map || value instanceof Set || isPlainObject(value)) return repr(value);
  return String(value);
}

/** Python's `round()`: halves go to the even neighbour (`round(2.5) == 2`). */
export function roundHalfEven(n: number): number {
  const floor = Math.floor(n);
  const diff = n - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

const FLOAT_TEXT =
  /^[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.|inf(?:inity)?|nan)$/i;

/** Python's `float(value)`; throws a TypeError or RangeError as Python's ValueError/TypeError would. */
export function toFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  const s = text(value)?.trim();
  if (s === undefined)
    throw new TypeError(`float() argument must be a string or a number, not ${describeType(value)}.`);
  if (!FLOAT_TEXT.test(s)) throw new RangeError(`could not convert string to float: ${reprString(s)}.`);
  const lower = s.toLowerCase().replaceAll('_', '');
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return Number.NaN;
  return Number(lower);
}

const INT_TEXT = /^[+-]?\d(?:_?\d)*$/;

/** Python's `int(value)`: truncates numbers, parses decimal text; throws for anything else. */
export function toInt(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot convert float ${pyFloat(value)} to integer.`);
    return Math.trunc(value);
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  const s = text(value)?.trim();
  if (s === undefined) throw new TypeError(`int() argument must be a string or a number, not ${describeType(value)}.`);
  if (!INT_TEXT.test(s)) throw new RangeError(`invalid literal for int() with base 10: ${reprString(s)}.`);
  return Number(s.replaceAll('_', ''));
}

/**
 * The items `{% for %}` walks: a list as it is, a string's characters, a dict's or Map's keys
 * (as Python iterates a dict), any other iterable's values. `null` is an empty list.
 */
export function toList(value: unknown): readonly unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  const s = text(value);
  if (s !== undefined) return [...s];
  if (value instanceof Map) return [...value.keys()];
  if (typeof value === 'object' && Symbol.iterator in value) return [...(value as Iterable<unknown>)];
  if (isPlainObject(value)) return Object.keys(value);
  throw new TypeError(`'${describeType(value)}' object is not iterable.`);
}

/** How many items a value holds, for unpacking in `{% for a, b in pairs %}` (1 when not a sequence). */
export function sequenceLength(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  const s = text(value);
  if (s !== undefined) return [...s].length;
  return 1;
}
