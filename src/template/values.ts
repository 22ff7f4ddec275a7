/**
 * How the template language sees JavaScript values. Python's truth, text (`str()`/`repr()`),
 * ordering, iteration and number conversions are utils/python.ts's and utils/pyops.ts's (the
 * filters use the same); here are the template's own: the `==` and `in` of `{% if %}`, what
 * `{% for %}` walks and unpacks, `round()` for `{% widthratio %}`, and promises.
 */
import { SafeString } from '../utils/safestring.ts';
import { isPlainObject, isTruthy, pyRepr, pyStr, pyType } from '../utils/python.ts';
import { intValue, pyCompare, pyFloat, pyInt, pyIter } from '../utils/pyops.ts';

export { isPlainObject, isTruthy as truthy, pyRepr as repr };

/** Whether `value` is a promise (or any thenable): the render waits for it. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Python's `str()`: the text a value prints as; `undefined` (a missing value) prints nothing. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined ? '' : pyStr(value);
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

/** Python's ordering (negative, zero, positive); NaN compares with nothing; throws for mixed types. */
export function compare(a: unknown, b: unknown): number {
  if ((typeof a === 'number' && Number.isNaN(a)) || (typeof b === 'number' && Number.isNaN(b))) return Number.NaN;
  return pyCompare(a, b);
}

/** Python's `a in b`: an item of a list, a key of a dict or Map, a substring of a string. */
export function contains(container: unknown, item: unknown): boolean {
  const haystack = text(container);
  if (haystack !== undefined) {
    const needle = text(item);
    if (needle === undefined) throw new TypeError(`'in <string>' requires string as left operand, not ${pyType(item)}`);
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
  throw new TypeError(`argument of type '${pyType(container)}' is not iterable`);
}

/** Python's `round()`: halves go to the even neighbour (`round(2.5) == 2`). */
export function roundHalfEven(n: number): number {
  const floor = Math.floor(n);
  const diff = n - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Python's `float(value)`. */
export const toFloat = pyFloat;

/** Python's `int(value)`, as a number (a bigint beyond the safe integers). */
export function toInt(value: unknown): number {
  return Number(intValue(pyInt(value)));
}

/**
 * The items `{% for %}` walks: a list as it is, a string's characters, a dict's or Map's keys
 * (as Python iterates a dict), any other iterable's values. `null` is an empty list.
 */
export function toList(value: unknown): readonly unknown[] {
  if (value === null || value === undefined) return [];
  return pyIter(value);
}

/** How many items a value holds, for unpacking in `{% for a, b in pairs %}` (1 when not a sequence). */
export function sequenceLength(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  const s = text(value);
  if (s !== undefined) return [...s].length;
  return 1;
}
