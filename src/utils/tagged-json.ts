/**
 * JSON with the framework's value types, for data that leaves the process and comes back: cache
 * values, session data. Plain JSON (null, booleans, finite numbers, strings, arrays, plain
 * objects) is written as it is; `undefined`, NaN and the infinities, -0, bigint, `Uint8Array`
 * (and Buffer), `Date`, Temporal values, `Map`, `Set` and `SafeString` are written as a tagged
 * object `{"$t": type, "v": payload}`, and read back as the same type. Anything else (a class
 * instance, a function, a symbol, a cycle) is refused with a `TypeError` naming where it is: a
 * value is data, never code, so reading a value never runs anything (Django's caches pickle,
 * which can; its sessions moved to JSON for that reason).
 *
 * @example
 * const text = dumps({ when: Temporal.PlainDate.from('2024-05-01'), ids: new Set([1n, 2n]) });
 * loads(text); // { when: PlainDate 2024-05-01, ids: Set {1n, 2n} }
 */
import { createRequire } from 'node:module';
import type { Temporal as TemporalNamespace } from 'temporal-polyfill';
import { SafeString } from './safestring.ts';

const TAG = '$t';

/** The Temporal classes a value may be, by the name of their `Symbol.toStringTag`. */
const TEMPORAL_KINDS = new Set([
  'Instant',
  'ZonedDateTime',
  'PlainDate',
  'PlainTime',
  'PlainDateTime',
  'PlainYearMonth',
  'PlainMonthDay',
  'Duration',
]);

let temporalNamespace: typeof TemporalNamespace | undefined;
/**
 * The runtime's Temporal, else the polyfill's, loaded on first use (~30 ms: not at start-up).
 * @example temporal().Now.instant()
 */
export function temporal(): typeof TemporalNamespace {
  return (temporalNamespace ??=
    (globalThis as { Temporal?: typeof TemporalNamespace }).Temporal ??
    (createRequire(import.meta.url)('temporal-polyfill') as { Temporal: typeof TemporalNamespace }).Temporal);
}

function temporalKind(value: object): string | undefined {
  const tag = (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  if (typeof tag !== 'string' || !tag.startsWith('Temporal.')) return undefined;
  const kind = tag.slice(9);
  return TEMPORAL_KINDS.has(kind) ? kind : undefined;
}

/** Text that is not what {@link dumps} writes (corrupted, or written by something else). */
export class TaggedJSONError extends Error {
  override name = 'TaggedJSONError';
}

const SUPPORTED =
  'plain objects, arrays, strings, numbers, booleans, null, undefined, bigint, Uint8Array, Date, ' +
  'Temporal values, Map, Set and SafeString';

function where(path: string): string {
  return path === '' ? 'The value' : `The value at ${path}`;
}

function refuse(path: string, what: string): never {
  throw new TypeError(
    `${where(path)} is ${what}, which cannot be stored: values are stored as data (${SUPPORTED}), never as code or ` +
      'class instances. Store the fields it is made of instead.',
  );
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value === 'symbol') return `a symbol (${String(value)})`;
  const name = (value as object).constructor?.name;
  return name ? `an instance of ${name}` : 'an object with a prototype other than Object';
}

function key(path: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name)
    ? path === ''
      ? name
      : `${path}.${name}`
    : `${path}[${JSON.stringify(name)}]`;
}

/** The JSON-ready form of a value: tagged where JSON has no such type. */
function encode(value: unknown, path: string, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { [TAG]: 'number', v: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { [TAG]: 'bigint', v: value.toString() };
    case 'undefined':
      return { [TAG]: 'undefined' };
    case 'function':
    case 'symbol':
      return refuse(path, describe(value));
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) refuse(path, 'a reference back to one of its own containers (a cycle)');
  const proto = Object.getPrototypeOf(object) as object | null;
  if (Array.isArray(object)) {
    seen.add(object);
    const out = new Array<unknown>(object.length);
    for (let i = 0; i < object.length; i++) out[i] = encode(object[i], `${path}[${i}]`, seen);
    seen.delete(object);
    return out;
  }
  if (proto === Object.prototype || proto === null) {
    seen.add(object);
    const record = object as Record<string, unknown>;
    const keys = Object.keys(record);
    let out: unknown;
    if (Object.hasOwn(record, TAG)) {
      // A plain object that has the tag's own key: written as its entries, so reading it back
      // cannot take it for a tagged value.
      out = { [TAG]: 'object', v: keys.map((name) => [name, encode(record[name], key(path, name), seen)]) };
    } else {
      const copy: Record<string, unknown> = {};
      for (const name of keys) copy[name] = encode(record[name], key(path, name), seen);
      out = copy;
    }
    seen.delete(object);
    return out;
  }
  if (object instanceof Uint8Array && (proto === Uint8Array.prototype || Buffer.isBuffer(object))) {
    return { [TAG]: 'bytes', v: Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64') };
  }
  if (object instanceof Date) {
    if (Number.isNaN(object.getTime())) return { [TAG]: 'Date', v: null };
    return { [TAG]: 'Date', v: object.toISOString() };
  }
  if (object instanceof SafeString) return { [TAG]: 'SafeString', v: object.value };
  const kind = temporalKind(object);
  if (kind !== undefined) return { [TAG]: `Temporal.${kind}`, v: String(object) };
  if (object instanceof Map) {
    seen.add(object);
    const entries: unknown[] = [];
    let i = 0;
    for (const [k, v] of object) {
      entries.push([encode(k, `${path}<key ${i}>`, seen), encode(v, `${path}.get(${i})`, seen)]);
      i++;
    }
    seen.delete(object);
    return { [TAG]: 'Map', v: entries };
  }
  if (object instanceof Set) {
    seen.add(object);
    const items: unknown[] = [];
    let i = 0;
    for (const item of object) items.push(encode(item, `${path}<item ${i++}>`, seen));
    seen.delete(object);
    return { [TAG]: 'Set', v: items };
  }
  return refuse(path, describe(object));
}

/** A tagged object read back as its value. */
function revive(tagged: Record<string, unknown>): unknown {
  const type = tagged[TAG];
  const v = tagged.v;
  const keys = Object.keys(tagged).length;
  if (typeof type !== 'string' || keys > 2 || (keys === 2 && !('v' in tagged))) {
    throw new TaggedJSONError(`A tagged value must be {"${TAG}": type, "v": payload}, got ${JSON.stringify(tagged)}.`);
  }
  switch (type) {
    case 'undefined':
      return undefined;
    case 'number':
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity' || v === '-0') return Number(v);
      break;
    case 'bigint':
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
      break;
    case 'bytes':
      if (typeof v === 'string') {
        const buffer = Buffer.from(v, 'base64');
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      }
      break;
    case 'Date':
      if (v === null) return new Date(NaN);
      if (typeof v === 'string') return new Date(v);
      break;
    case 'SafeString':
      if (typeof v === 'string') return new SafeString(v);
      break;
    case 'Map':
      if (Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2))
        return new Map(v as [unknown, unknown][]);
      break;
    case 'Set':
      if (Array.isArray(v)) return new Set(v);
      break;
    case 'object':
      if (Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')) {
        // fromEntries defines own properties: a "__proto__" entry stays data.
        return Object.fromEntries(v as [string, unknown][]);
      }
      break;
    default:
      if (type.startsWith('Temporal.') && TEMPORAL_KINDS.has(type.slice(9)) && typeof v === 'string') {
        const kind = type.slice(9) as 'PlainDate';
        try {
          return temporal()[kind].from(v);
        } catch (error) {
          throw new TaggedJSONError(`${JSON.stringify(v)} is not a ${type}: ${(error as Error).message}`);
        }
      }
      throw new TaggedJSONError(`Unknown tag ${JSON.stringify(type)} in stored data.`);
  }
  throw new TaggedJSONError(`The payload of a ${JSON.stringify(type)} value is malformed: ${JSON.stringify(v)}.`);
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, TAG)) {
    return revive(value as Record<string, unknown>);
  }
  return value;
}

/**
 * The text of a value. @throws TypeError for what cannot be stored (a class instance, a
 * function, a symbol, a cycle), naming where it is in the value.
 */
export function dumps(value: unknown): string {
  // The common cache values, without the walk.
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return String(value);
  return JSON.stringify(encode(value, '', new Set()));
}

/** The value of `dumps()` text. @throws TaggedJSONError (or SyntaxError) for text it did not write. */
export function loads(text: string): unknown {
  // Tags are objects: text without `{` has none.
  if (!text.includes('{')) return JSON.parse(text);
  return JSON.parse(text, reviver);
}
