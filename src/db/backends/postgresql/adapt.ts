/**
 * Values to and from the driver (postgres.js), as PostgreSQL's text protocol carries them.
 *
 * Parameters go as text with no declared type, so that the server types them from their place in
 * the statement: booleans as `true`/`false`, datetimes as ISO 8601 text with their offset,
 * arrays as array literals, other objects as JSON, bytes as bytea. Results come back as the
 * server's text and are parsed here: integers and floats as numbers, booleans, JSON, bytea as
 * Buffers and arrays of those; 64-bit integers, numerics, dates, times and intervals stay text,
 * which the fields convert (exact decimals, microseconds, bigint).
 */
import type postgres from 'postgres';
import { temporalKind } from '../../temporal.ts';

/**
 * Values of raw SQL parameters as PostgreSQL reads them: datetimes as ISO 8601 text with their
 * offset, Temporal values as their ISO text, durations as intervals, objects as JSON. The ORM's
 * own queries bind values their fields converted already.
 */
export function adaptParam(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return value;
  if (value instanceof Uint8Array || value instanceof Date || Array.isArray(value)) return value;
  const kind = temporalKind(value);
  if (kind === 'ZonedDateTime') return (value as { toInstant(): { toString(): string } }).toInstant().toString();
  if (kind !== undefined || value.constructor?.name === 'Decimal') return String(value);
  return JSON.stringify(value);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** A Date as ISO 8601 text in the process's local time, with its offset (years before 1 as BC). */
function dateText(date: Date): string {
  let year = date.getFullYear();
  const bc = year < 1;
  if (bc) year = 1 - year;
  let offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  offset = Math.abs(offset);
  return (
    `${pad(year, 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}T` +
    `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(offset / 60), 2)}:${pad(offset % 60, 2)}${bc ? ' BC' : ''}`
  );
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** An array literal (`{1,"a b",NULL,{2,3}}`). */
function arrayText(values: readonly unknown[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ',';
    const value = values[i];
    if (value === null || value === undefined) text += 'NULL';
    else if (Array.isArray(value)) text += arrayText(value);
    else if (value instanceof Uint8Array) text += `"\\\\x${hex(value)}"`;
    else text += `"${String(paramText(value)).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return `${text}}`;
}

/** One parameter as the driver sends it: text (numbers as they are), bytes, or null. */
function paramText(value: unknown): string | number | Uint8Array | null {
  switch (typeof value) {
    case 'string':
    case 'number':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return String(value);
    case 'undefined':
      return null;
  }
  if (value === null || value instanceof Uint8Array) return value;
  if (value instanceof Date) return dateText(value);
  if (Array.isArray(value)) return arrayText(value);
  return JSON.stringify(value);
}

/**
 * The parameters as the driver sends them. Strings, numbers, bytes and nulls (all the ORM's
 * values but booleans) pass as they are, in the same array when all do.
 */
export function driverParams(params: readonly unknown[]): unknown[] {
  let out = params as unknown[];
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    const kind = typeof value;
    if (kind === 'string' || kind === 'number' || value === null || value instanceof Uint8Array) continue;
    if (out === params) out = params.slice();
    out[i] = paramText(value);
  }
  return out;
}

/** bytea from the server: hex (`\x0102`, the default) or the escape format. */
function parseBytea(text: string): Buffer {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') bytes.push(text.charCodeAt(i));
    else if (text[i + 1] === '\\') {
      bytes.push(92);
      i++;
    } else {
      bytes.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    }
  }
  return Buffer.from(bytes);
}

/** An array from the server's text (`{1,2}`, `{{a,"b c"},{NULL,d}}`), each element parsed. */
export function parseArray(text: string, parse?: (element: string) => unknown): unknown[] {
  // Arrays with bounds other than 1 come as `[0:1]={...}`.
  let i = text.indexOf('{') + 1;
  const root: unknown[] = [];
  const stack: unknown[][] = [root];
  while (i < text.length && stack.length > 0) {
    const ch = text.charCodeAt(i);
    const top = stack[stack.length - 1]!;
    if (ch === 123 /* { */) {
      const inner: unknown[] = [];
      top.push(inner);
      stack.push(inner);
      i++;
    } else if (ch === 125 /* } */) {
      stack.pop();
      i++;
    } else if (ch === 44 /* , */) {
      i++;
    } else if (ch === 34 /* " */) {
      let value = '';
      let start = ++i;
      for (;;) {
        const c = text.charCodeAt(i);
        if (c === 92 /* \ */) {
          value += text.slice(start, i) + text[i + 1];
          i += 2;
          start = i;
        } else if (c === 34 || Number.isNaN(c)) {
          value += text.slice(start, i);
          i++;
          break;
        } else i++;
      }
      top.push(parse === undefined ? value : parse(value));
    } else {
      let end = i;
      while (end < text.length && text.charCodeAt(end) !== 44 && text.charCodeAt(end) !== 125) end++;
      const value = text.slice(i, end);
      i = end;
      top.push(value === 'NULL' ? null : parse === undefined ? value : parse(value));
    }
  }
  return root;
}

/** A parameter the server typed, as text (driverParams() left numbers as they are). */
const asText = (value: unknown): string => (typeof value === 'string' ? value : `${value as number}`);
const toNumber = (text: string): number => Number(text);
const toBoolean = (text: string): boolean => text === 't';
const toJson = (text: string): unknown => JSON.parse(text);

/** Arrays by their type oid, with the parser of their elements (undefined: text). */
const ARRAYS: [number[], ((text: string) => unknown) | undefined][] = [
  [[1000], toBoolean], // bool[]
  [[1005, 1007, 1028, 1021, 1022], toNumber], // int2[], int4[], oid[], float4[], float8[]
  [[199, 3807], toJson], // json[], jsonb[]
  [[1001], parseBytea], // bytea[]
  // int8[], numeric[], text[], varchar[], bpchar[], name[], uuid[], regproc[], macaddr[],
  // inet[], cidr[], money[], date[], time[], timetz[], timestamp[], timestamptz[], interval[]
  [
    [1016, 1231, 1009, 1015, 1014, 1003, 2951, 1008, 1040, 1041, 651, 791, 1182, 1183, 1270, 1115, 1185, 1187],
    undefined,
  ],
];

/**
 * The driver's `types` option: how each PostgreSQL type is read, and how a parameter the server
 * typed is written (always from the text driverParams() made, or bytes).
 */
export function driverTypes(): Record<string, postgres.PostgresType> {
  const types: Record<string, postgres.PostgresType> = {
    // Read as the server's text: the fields convert them.
    text: {
      to: 20,
      from: [20, 1700, 1082, 1083, 1114, 1184, 1186, 1266],
      serialize: asText,
      parse: (text: string) => text,
    },
    boolean: { to: 16, from: [16], serialize: asText, parse: toBoolean },
    json: { to: 114, from: [114, 3802], serialize: asText, parse: toJson },
    bytea: {
      to: 17,
      from: [17],
      serialize: (value: unknown) => (value instanceof Uint8Array ? `\\x${hex(value)}` : asText(value)),
      parse: parseBytea,
    },
  };
  for (const [oids, element] of ARRAYS) {
    for (const oid of oids) {
      types[`array${oid}`] = {
        to: oid,
        from: [oid],
        serialize: asText,
        parse: (text: string) => parseArray(text, element),
      };
    }
  }
  return types;
}
