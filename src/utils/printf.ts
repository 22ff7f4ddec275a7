/**
 * Python's printf-style formatting (`format % values`), as Django's `stringformat` filter uses it,
 * and the exact float formatting behind it: `%.2f` of 0.125 is `0.12` in Python (the exact binary
 * value, rounded half to even), where JavaScript's `toFixed` says `0.13`.
 */
import { SafeString } from './safestring.ts';
import { pyFloat, pyInt } from './pyops.ts';
import { ValueError, floatRepr, isPlainObject, pyRepr, pyStr, pyType } from './python.ts';

// -- exact decimal expansion of a double ------------------------------------------------------

/** A finite double as `mantissa * 2**exponent` (both exact). */
function binaryParts(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** `round(|x| * 10**shift)` exactly, ties to even (what C's printf and Python do). */
function scaledRound(x: number, shift: number): bigint {
  const { mantissa, exponent } = binaryParts(x);
  let num = mantissa;
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const q = num / den;
  const r2 = (num % den) * 2n;
  return r2 > den || (r2 === den && q % 2n === 1n) ? q + 1n : q;
}

/** `|x|` with `precision` digits after the point (Python's `%.Nf`, without the sign). */
export function fixedDigits(x: number, precision: number): string {
  const digits = scaledRound(x, precision)
    .toString()
    .padStart(precision + 1, '0');
  return precision ? `${digits.slice(0, -precision)}.${digits.slice(-precision)}` : digits;
}

/** `|x|` as `d.ddd` and a decimal exponent with `precision` digits after the point (`%.Ne`). */
export function exponentDigits(x: number, precision: number): { mantissa: string; exponent: number } {
  if (x === 0) return { mantissa: precision ? `0.${'0'.repeat(precision)}` : '0', exponent: 0 };
  let exponent = Math.floor(Math.log10(Math.abs(x)));
  let n = scaledRound(x, precision - exponent);
  const limit = 10n ** BigInt(precision + 1);
  if (n >= limit) {
    exponent += 1;
    n = scaledRound(x, precision - exponent);
  } else if (n < limit / 10n) {
    exponent -= 1;
    n = scaledRound(x, precision - exponent);
  }
  const digits = n.toString();
  return { mantissa: precision ? `${digits[0]}.${digits.slice(1)}` : digits, exponent };
}

const expSuffix = (e: number) => `${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;

/**
 * Formats a float as Python's `%e`, `%f` or `%g` (upper-case variants too), without the sign:
 * `alternate` is the `#` flag (keep the point and trailing zeros).
 */
export function formatFloatMagnitude(x: number, conversion: string, precision: number, alternate = false): string {
  const upper = conversion === conversion.toUpperCase();
  if (!Number.isFinite(x)) {
    const s = Number.isNaN(x) ? 'nan' : 'inf';
    return upper ? s.toUpperCase() : s;
  }
  let out: string;
  switch (conversion.toLowerCase()) {
    case 'f':
      out = fixedDigits(x, precision);
      if (alternate && precision === 0) out += '.';
      break;
    case 'e': {
      const { mantissa, exponent } = exponentDigits(x, precision);
      out = `${mantissa}${alternate && precision === 0 ? '.' : ''}e${expSuffix(exponent)}`;
      break;
    }
    default: {
      const p = precision === 0 ? 1 : precision;
      const { exponent } = exponentDigits(x, p - 1);
      if (exponent >= -4 && exponent < p) {
        out = fixedDigits(x, p - 1 - exponent);
        if (!alternate && out.includes('.')) out = out.replace(/\.?0+$/, '');
        else if (alternate && !out.includes('.')) out += '.';
      } else {
        let { mantissa } = exponentDigits(x, p - 1);
        if (!alternate && mantissa.includes('.')) mantissa = mantissa.replace(/\.?0+$/, '');
        else if (alternate && !mantissa.includes('.')) mantissa += '.';
        out = `${mantissa}e${expSuffix(exponent)}`;
      }
    }
  }
  return upper ? out.toUpperCase() : out;
}

// -- the % operator ----------------------------------------------------------------------------

interface Spec {
  key: string | undefined;
  flags: string;
  width: number | '*' | undefined;
  precision: number | '*' | undefined;
  conversion: string;
}

const SPEC = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)/y;

function isMapping(value: unknown): boolean {
  // CPython treats any object with __getitem__ that is not a tuple or str as a mapping here:
  // lists and dicts both (so '%%' % [1] is '%', not an error).
  return Array.isArray(value) || value instanceof Map || isPlainObject(value);
}

function lookup(mapping: unknown, key: string): unknown {
  if (mapping instanceof Map) {
    if (!mapping.has(key)) throw new Error(`KeyError: ${pyRepr(key)}`);
    return mapping.get(key);
  }
  if (isPlainObject(mapping)) {
    if (!Object.hasOwn(mapping, key)) throw new Error(`KeyError: ${pyRepr(key)}`);
    return mapping[key];
  }
  throw new TypeError('list indices must be integers or slices, not str');
}

function applyWidth(body: string, sign: string, spec: Spec, numeric: boolean, width: number): string {
  const length = [...sign].length + [...body].length;
  if (length >= width) return sign + body;
  const fill = width - length;
  if (spec.flags.includes('-')) return sign + body + ' '.repeat(fill);
  if (numeric && spec.flags.includes('0')) {
    // Zero padding goes after the sign and a 0x/0o prefix.
    const prefix = /^0[xXo]/.exec(body)?.[0] ?? '';
    return sign + prefix + '0'.repeat(fill) + body.slice(prefix.length);
  }
  return ' '.repeat(fill) + sign + body;
}

function signOf(negative: boolean, flags: string): string {
  if (negative) return '-';
  if (flags.includes('+')) return '+';
  if (flags.includes(' ')) return ' ';
  return '';
}

function integerOf(value: unknown, conversion: string): bigint {
  const type = pyType(value);
  if (conversion === 'd' || conversion === 'i' || conversion === 'u') {
    if (type === 'bool' || type === 'int' || type === 'float' || type === 'Decimal') return pyInt(value);
    throw new TypeError(`%${conversion} format: a real number is required, not ${type}`);
  }
  if (type === 'bool' || type === 'int') return pyInt(value);
  throw new TypeError(`%${conversion} format: an integer is required, not ${type}`);
}

function convert(spec: Spec, value: unknown, width: number, precision: number | undefined): string {
  const { conversion, flags } = spec;
  switch (conversion) {
    case 's':
    case 'r':
    case 'a': {
      let text = conversion === 's' ? pyStr(value) : pyRepr(value);
      if (conversion === 'a') {
        // eslint-disable-next-line no-control-regex
        text = text.replace(/[^\x00-\x7f]/gu, (c) => {
          const cp = c.codePointAt(0)!;
          const h = cp.toString(16);
          return cp < 0x100
            ? `\\x${h.padStart(2, '0')}`
            : cp < 0x10000
              ? `\\u${h.padStart(4, '0')}`
              : `\\U${h.padStart(8, '0')}`;
        });
      }
      if (precision !== undefined) text = [...text].slice(0, precision).join('');
      return applyWidth(text, '', spec, false, width);
    }
    case 'c': {
      let ch: string;
      if (typeof value === 'string' || value instanceof SafeString) {
        if ([...String(value)].length !== 1) throw new TypeError('%c requires int or char');
        ch = String(value);
      } else {
        const type = pyType(value);
        if (type !== 'int' && type !== 'bool') throw new TypeError('%c requires int or char');
        const cp = pyInt(value);
        if (cp < 0n || cp > 0x10ffffn) throw new RangeError('%c arg not in range(0x110000)');
        ch = String.fromCodePoint(Number(cp));
      }
      return applyWidth(ch, '', spec, false, width);
    }
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      const n = integerOf(value, conversion);
      const magnitude = n < 0n ? -n : n;
      let body =
        conversion === 'o'
          ? magnitude.toString(8)
          : conversion === 'x' || conversion === 'X'
            ? magnitude.toString(16)
            : magnitude.toString();
      if (precision !== undefined && body.length < precision) body = body.padStart(precision, '0');
      if (conversion === 'X') body = body.toUpperCase();
      if (flags.includes('#') && conversion !== 'd' && conversion !== 'i' && conversion !== 'u') {
        body = (conversion === 'o' ? '0o' : conversion === 'x' ? '0x' : '0X') + body;
      }
      return applyWidth(body, signOf(n < 0n, flags), spec, true, width);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      const type = pyType(value);
      if (type !== 'bool' && type !== 'int' && type !== 'float' && type !== 'Decimal') {
        throw new TypeError(`must be real number, not ${type}`);
      }
      const x = pyFloat(value);
      const body = formatFloatMagnitude(x, conversion, precision ?? 6, flags.includes('#'));
      const negative = x < 0 || Object.is(x, -0);
      return applyWidth(body, signOf(negative && !Number.isNaN(x), flags), spec, true, width);
    }
  }
  throw new ValueError(`unsupported format character '${conversion}'`);
}

/**
 * Python's `format % value` for one value (not a tuple): `%s`, `%r`, `%a`, `%c`, `%d`/`%i`/`%u`,
 * `%x`/`%X`/`%o`, `%e`/`%f`/`%g` (and upper case), flags `-+ #0`, width, precision and `%(key)s`
 * on a dict. Throws Python's errors: ValueError for a bad format, TypeError for a wrong value.
 *
 * @example
 * percentFormat('%05.1f', 3.14159); // '003.1'
 */
export function percentFormat(format: string, value: unknown): string {
  const mapping = isMapping(value) ? value : undefined;
  let used = false;
  let out = '';
  let at = 0;
  const next = (): unknown => {
    if (used) throw new TypeError('not enough arguments for format string');
    used = true;
    return value;
  };
  while (at < format.length) {
    const percent = format.indexOf('%', at);
    if (percent < 0) {
      out += format.slice(at);
      break;
    }
    out += format.slice(at, percent);
    SPEC.lastIndex = percent;
    const m = SPEC.exec(format)!;
    const spec: Spec = {
      key: m[1],
      flags: m[2] ?? '',
      width: m[3] === undefined ? undefined : m[3] === '*' ? '*' : Number(m[3]),
      precision: m[4] === undefined ? undefined : m[4] === '*' ? '*' : Number(m[4] || 0),
      conversion: m[5] ?? '',
    };
    at = SPEC.lastIndex;
    if (spec.key !== undefined && mapping === undefined) throw new TypeError('format requires a mapping');
    if (spec.conversion === '') throw new ValueError('incomplete format');
    if (spec.conversion === '%' && m[0] === '%%') {
      out += '%';
      continue;
    }
    const width = spec.width === '*' ? Number(integerOf(next(), 'd')) : (spec.width ?? 0);
    const precision = spec.precision === '*' ? Number(integerOf(next(), 'd')) : spec.precision;
    if (spec.conversion === '%') throw new ValueError(`unsupported format character '%' (0x25) at index ${at - 1}`);
    if (!/^[sracdiuxXoeEfFgG]$/.test(spec.conversion)) {
      const cp = spec.conversion.codePointAt(0)!;
      throw new ValueError(
        `unsupported format character '${spec.conversion}' (0x${cp.toString(16)}) at index ${at - 1}`,
      );
    }
    const arg = spec.key !== undefined ? lookup(mapping, spec.key) : next();
    out += convert(spec, arg, width, precision);
  }
  if (!used && mapping === undefined) throw new TypeError('not all arguments converted during string formatting');
  return out;
}

export { floatRepr };
