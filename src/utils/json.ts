/**
 * JSON as Django writes it: Python's `json.dumps(value, cls=DjangoJSONEncoder)` (`", "` and
 * `": "` separators, non-ASCII as `\uXXXX`, dates and times as ISO 8601 with milliseconds,
 * durations as `P1DT02H03M04S`, decimals as strings). `json_script` prints it, so its bytes are
 * Django's.
 */
import { SafeString } from './safestring.ts';
import {
  asZoned,
  dateIso,
  floatRepr,
  isPlainObject,
  microseconds,
  numberStr,
  pyType,
  temporalKind,
  timedeltaFields,
  ValueError,
} from './python.ts';

function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c <= 0x7e) out += text[i];
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out + '"';
}

function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return floatRepr(x);
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  microsecond: number;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The time part as DjangoJSONEncoder writes it: microseconds cut to milliseconds. */
function timePart(t: Fields): string {
  const us = microseconds(t);
  return `${two(t.hour)}:${two(t.minute)}:${two(t.second)}${us ? `.${String(us).padStart(6, '0').slice(0, 3)}` : ''}`;
}

/** DjangoJSONEncoder's `default()`: the JSON string of a date, time, duration or decimal. */
function encodeSpecial(value: unknown): string | undefined {
  const type = pyType(value);
  switch (type) {
    case 'date':
      return dateIso(value as Fields);
    case 'time':
      return timePart(value as Fields);
    case 'datetime': {
      if (temporalKind(value) === 'Temporal.PlainDateTime') {
        return `${dateIso(value as Fields)}T${timePart(value as Fields)}`;
      }
      const z = asZoned(value);
      if (z === undefined) throw new ValueError('An invalid Date is not JSON serializable.');
      const offset = z.offset.replace(/(\d\d:\d\d:\d\d)\.\d+$/, '$1');
      return `${dateIso(z)}T${timePart(z)}${offset === '+00:00' ? 'Z' : offset}`;
    }
    case 'timedelta': {
      const f = timedeltaFields(value as Parameters<typeof timedeltaFields>[0]);
      if (f === undefined) return String(value);
      let { days, seconds, microseconds: us } = f;
      let sign = '';
      if (days < 0) {
        sign = '-';
        // Negate (days, seconds, us) as Python's timedelta arithmetic does.
        const total = -((BigInt(days) * 86400n + BigInt(seconds)) * 1_000_000n + BigInt(us));
        days = Number(total / 86_400_000_000n);
        const rest = total % 86_400_000_000n;
        seconds = Number(rest / 1_000_000n);
        us = Number(rest % 1_000_000n);
      }
      const hours = Math.floor(seconds / 3600);
      const minutes = Math.floor(seconds / 60) % 60;
      const ms = us ? `.${String(us).padStart(6, '0')}` : '';
      return `${sign}P${days}DT${two(hours)}H${two(minutes)}M${two(seconds % 60)}${ms}S`;
    }
    case 'Decimal':
      return String(value);
  }
  return undefined;
}

function key(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k instanceof SafeString) return k.value;
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  if (k === null || k === undefined) return 'null';
  if (typeof k === 'number') return Number.isInteger(k) ? numberStr(k) : jsonFloat(k);
  if (typeof k === 'bigint') return k.toString();
  throw new TypeError(`keys must be str, int, float, bool or None, not ${pyType(k)}`);
}

/**
 * Python's `json.dumps(value, cls=DjangoJSONEncoder)`.
 *
 * @example
 * djangoJsonDumps({ a: [1, 'é'] }); // '{"a": [1, "\\u00e9"]}'
 */
export function djangoJsonDumps(value: unknown): string {
  const seen = new Set<object>();
  const encode = (v: unknown): string => {
    switch (typeof v) {
      case 'string':
        return jsonString(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'undefined':
        return 'null';
      case 'number':
        return Number.isInteger(v) ? numberStr(v) : jsonFloat(v);
      case 'bigint':
        return v.toString();
    }
    if (v === null) return 'null';
    if (v instanceof SafeString) return jsonString(v.value);
    const special = encodeSpecial(v);
    if (special !== undefined) return jsonString(special);
    if (typeof v === 'object') {
      if (seen.has(v)) throw new ValueError('Circular reference detected');
      seen.add(v);
      try {
        if (Array.isArray(v)) return `[${v.map(encode).join(', ')}]`;
        if (v instanceof Map || isPlainObject(v)) {
          const items = v instanceof Map ? [...v.entries()] : Object.entries(v);
          return `{${items.map(([k, x]) => `${jsonString(key(k))}: ${encode(x)}`).join(', ')}}`;
        }
        const toJSON = (v as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === 'function') return encode((toJSON as () => unknown).call(v));
      } finally {
        seen.delete(v);
      }
    }
    throw new TypeError(`Object of type ${pyType(v)} is not JSON serializable`);
  };
  return encode(value);
}
