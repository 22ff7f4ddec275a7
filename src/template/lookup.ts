/**
 * Variable resolution, as Django's `Variable._resolve_lookup`: `{{ a.b.c }}` looks `a` up in the
 * context, then each further part as a dict key, an attribute or a list index, in that order,
 * calling what it finds when it is a function of no arguments. Shared by the compiled templates
 * and by `Variable.resolve()`.
 *
 * In JavaScript a dict key and an attribute are both properties, so one property read covers
 * both; a Map is looked into with `get()`; `items`, `keys` and `values` of a plain object or a
 * Map give its entries, keys and values, as a Python dict's methods do.
 */
import type { BaseContext } from './context.ts';
import { isPlainObject, isThenable } from './values.ts';

/** A lookup found nothing (Django raises VariableDoesNotExist there). */
export const MISSING: unique symbol = Symbol('MISSING');

/** A lookup failed with an error marked `silentVariableFailure`: the value is `stringIfInvalid`. */
export const SILENT: unique symbol = Symbol('SILENT');

/** Names every object inherits: only an object's own (or its class's) property counts for them. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Whether `name` needs the careful lookup (an Object.prototype name such as `constructor`). */
export function isInheritedName(name: string): boolean {
  return INHERITED.has(name);
}

function ownOrClassProperty(obj: object, name: string): unknown {
  for (
    let o: object | null = obj;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o) as object | null
  ) {
    if (Object.hasOwn(o, name)) return (obj as Record<string, unknown>)[name];
  }
  return undefined;
}

/**
 * The first part of a variable: the value of `name` in the nearest level of the context that
 * has it, or MISSING. `undefined` counts as absent.
 */
export function lookupName(context: BaseContext, name: string): unknown {
  const dicts = context.dicts;
  if (INHERITED.has(name)) {
    for (let i = dicts.length - 1; i >= 0; i--) {
      const value = ownOrClassProperty(dicts[i]!, name);
      if (value !== undefined) return value;
    }
    return MISSING;
  }
  for (let i = dicts.length - 1; i >= 0; i--) {
    const value = dicts[i]![name];
    if (value !== undefined) return value;
  }
  return MISSING;
}

function dictMethod(obj: object, name: string): unknown {
  if (obj instanceof Map) {
    if (name === 'items') return [...obj.entries()];
    if (name === 'keys') return [...obj.keys()];
    if (name === 'values') return [...obj.values()];
  } else if (isPlainObject(obj)) {
    if (name === 'items') return Object.entries(obj);
    if (name === 'keys') return Object.keys(obj);
    if (name === 'values') return Object.values(obj);
  }
  return MISSING;
}

/**
 * One further part: `current[name]` (or `get(name)` of a Map), else the list index `index` when
 * the part is a number, else MISSING. The result is not called; see `callValue()`.
 */
export function getPart(current: unknown, name: string, index: number | undefined): unknown {
  if (current === null || current === undefined) return MISSING;
  if (typeof current === 'string') {
    // A string is a sequence of characters; its methods are JavaScript's, not Python's.
    if (index !== undefined && index < current.length) return current[index];
    return MISSING;
  }
  if (typeof current !== 'object' && typeof current !== 'function') return MISSING;
  if (current instanceof Map) {
    if (current.has(name)) return current.get(name);
    if (index !== undefined && current.has(index)) return current.get(index);
    const method = dictMethod(current, name);
    if (method !== MISSING) return method;
  }
  let value: unknown;
  try {
    value = INHERITED.has(name) ? ownOrClassProperty(current, name) : (current as Record<string, unknown>)[name];
  } catch (error) {
    // A getter that failed: Django's catch-all, silent only when the error says so.
    return silenced(error);
  }
  if (value !== undefined) return value;
  if (index !== undefined && Array.isArray(current)) return index < current.length ? current[index] : MISSING;
  return dictMethod(current, name);
}

const classes = new WeakMap<(...args: never[]) => unknown, boolean>();

/** Whether `fn` is a class (calling it without `new` throws): it is left uncalled. */
function isClass(fn: (...args: never[]) => unknown): boolean {
  let known = classes.get(fn);
  if (known === undefined) {
    known = /^class[\s{]/.test(Function.prototype.toString.call(fn));
    classes.set(fn, known);
  }
  return known;
}

interface TemplateCallable {
  (): unknown;
  doNotCallInTemplates?: boolean;
  altersData?: boolean;
}

/**
 * Promises that functions returned while a render ran on the synchronous path, which then started
 * over asynchronously: the second pass takes them instead of calling the functions again (a
 * method that queries a database is not queried twice). Kept on the Context.
 */
export interface PendingCalls {
  pendingCalls?: Map<unknown, Map<unknown, unknown>>;
}

/**
 * What a template sees of a function it found: the function itself when marked
 * `doNotCallInTemplates` (or a class), `stringIfInvalid` when marked `altersData` or when it
 * needs arguments, else its result, called on `self` (the object it was read from). An error
 * marked `silentVariableFailure` gives SILENT; others propagate.
 */
export function callValue(fn: unknown, self: unknown, stringIfInvalid: string, context?: PendingCalls): unknown {
  const f = fn as TemplateCallable;
  if (f.doNotCallInTemplates === true) return fn;
  if (f.altersData === true) return stringIfInvalid;
  if (f.length > 0) return stringIfInvalid;
  if (isClass(f)) return fn;
  const pending = context?.pendingCalls?.get(fn);
  if (pending !== undefined && pending.has(self)) {
    const result = pending.get(self);
    pending.delete(self);
    return result;
  }
  let result: unknown;
  try {
    result = f.call(self);
  } catch (error) {
    return silenced(error);
  }
  if (context !== undefined && isThenable(result)) {
    const calls = (context.pendingCalls ??= new Map());
    let bySelf = calls.get(fn);
    if (bySelf === undefined) calls.set(fn, (bySelf = new Map()));
    bySelf.set(self, result);
  }
  return result;
}

/** SILENT for an error marked `silentVariableFailure`; any other error is thrown again. */
export function silenced(error: unknown): typeof SILENT {
  if ((error as { silentVariableFailure?: unknown } | null)?.silentVariableFailure === true) return SILENT;
  throw error;
}

/** The list index a part names (`'0'`, `'12'`), or undefined. */
export function partIndex(name: string): number | undefined {
  return /^\d+$/.test(name) ? Number(name) : undefined;
}
