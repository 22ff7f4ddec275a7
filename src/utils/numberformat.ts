/**
 * Numbers as text with a decimal separator, a fixed number of decimals and grouped thousands, as
 * Django's `django.utils.numberformat.format`: decimals are cut, never rounded (round first, as
 * `floatformat` does), and exact for bigints, decimals and decimal strings. Unlike Django's, it
 * reads no settings (utils/ is a leaf): utils/formats' `numberFormat()` passes them.
 */
import { floatRepr, isDecimal, parseDecimal, pyStr } from './python.ts';
import type { DecimalParts } from './python.ts';

/** How `format()` writes a number. */
export interface NumberFormatOptions {
  /** The decimal separator (`'.'`). */
  decimalSep: string;
  /** Decimals to show: cut or padded with zeros; all of them when undefined. */
  decimalPos?: number;
  /** Digits per group (3), group sizes from the right ([3, 2, 0]: the last repeats, 0 ends), or 0 for none. */
  grouping?: number | number[];
  /** The group separator (`','`). */
  thousandSep?: string;
  /** Group: with localization on and USE_THOUSAND_SEPARATOR, Django groups (default false). */
  useGrouping?: boolean;
  /** Group anyway (the `g` of `floatformat`). */
  forceGrouping?: boolean;
}

/** A decimal's digits without an exponent (Python's `'{:f}'.format(Decimal)`). */
export function decimalToFixed(text: string): string {
  const parts = parseDecimal(text);
  if (parts === undefined) return text;
  const { sign, exponent } = parts;
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+(?=\d)/, '');
  let out: string;
  if (exponent >= 0) out = digits + '0'.repeat(exponent);
  else if (digits.length > -exponent) out = `${digits.slice(0, exponent)}.${digits.slice(exponent)}`;
  else out = `0.${'0'.repeat(-exponent - digits.length)}${digits}`;
  return (sign ? '-' : '') + out;
}

/** The digit count and exponent of a decimal, to catch numbers too long to write out. */
function decimalSize(text: string): number {
  const parts = parseDecimal(text);
  return parts === undefined ? 0 : Math.abs(parts.exponent) + parts.length;
}

function group(intPart: string, grouping: number | number[], separator: string): string {
  const intervals = Array.isArray(grouping) ? [...grouping] : [grouping, 0];
  let active = intervals.shift() ?? 0;
  let out = '';
  let count = 0;
  const reversedSeparator = [...separator].reverse().join('');
  for (const digit of [...intPart].reverse()) {
    if (count && count === active) {
      if (intervals.length) active = intervals.shift() || active;
      out += reversedSeparator;
      count = 0;
    }
    out += digit;
    count += 1;
  }
  return [...out].reverse().join('');
}

/**
 * Formats `value` (a number, a bigint, a decimal, or a numeric string written as it should
 * appear) with `decimalSep`, `decimalPos` decimals and grouping.
 *
 * @example
 * format(1234567.891, { decimalSep: ',', decimalPos: 2, grouping: 3, thousandSep: '.', forceGrouping: true });
 * // '1.234.567,89'
 */
export function format(value: unknown, options: NumberFormatOptions): string {
  const { decimalSep, decimalPos, grouping = 0, thousandSep = '', forceGrouping = false } = options;
  const useGrouping = (Boolean(options.useGrouping) || forceGrouping) && (Array.isArray(grouping) || grouping !== 0);
  const isInt = typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
  if (isInt && !useGrouping && !decimalPos) return pyStr(value);
  let decimal: string | undefined;
  if (typeof value === 'number' && !Number.isInteger(value) && /e/i.test(floatRepr(value))) decimal = floatRepr(value);
  else if (isDecimal(value)) decimal = String(value);
  let text: string;
  if (decimal !== undefined && parseDecimal(decimal) !== undefined) {
    if (decimalPos !== undefined) {
      const cutoff = 10 ** -decimalPos;
      if (Math.abs(Number(decimal)) < cutoff) decimal = '0';
    }
    if (decimalSize(decimal) > 200) {
      // Write very long numbers in scientific notation rather than hundreds of digits.
      const { sign, digits, exponent } = parseDecimal(decimal)!;
      const d = digits.toString();
      const coefficient = `${sign ? '-' : ''}${d[0]}${d.length > 1 ? `.${d.slice(1)}` : ''}`;
      const e = exponent + d.length - 1;
      return `${format(coefficient, { ...options })}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
    }
    text = decimalToFixed(decimal);
  } else text = pyStr(value);
  let sign = '';
  if (text.startsWith('-')) {
    sign = '-';
    text = text.slice(1);
  }
  let [intPart = '', decPart = ''] = text.includes('.') ? text.split('.') : [text, ''];
  if (decimalPos !== undefined) decPart = decPart.slice(0, decimalPos).padEnd(decimalPos, '0');
  if (decPart) decPart = decimalSep + decPart;
  if (useGrouping) intPart = group(intPart, grouping, thousandSep);
  return sign + intPart + decPart;
}

/** Python's `Decimal(text)` for the literals `floatformat` meets: finite parts, 'inf' or 'nan', else undefined. */
export function decimalLiteral(text: string): DecimalParts | 'inf' | 'nan' | undefined {
  const t = text.trim().replaceAll('_', '');
  if (/^[-+]?(inf|infinity)$/i.test(t)) return 'inf';
  if (/^[-+]?s?nan\d*$/i.test(t)) return 'nan';
  return parseDecimal(t);
}

/**
 * A decimal rounded half away from zero to `places` decimals and written out, as Python's
 * `Decimal.quantize(..., ROUND_HALF_UP)` (a negative result that rounds to zero loses its sign,
 * as `floatformat` prints it).
 *
 * @example
 * roundHalfUp(decimalLiteral('2.675') as DecimalParts, 2); // '2.68'
 */
export function roundHalfUp({ sign, digits, exponent }: DecimalParts, places: number): string {
  let coefficient: bigint;
  if (exponent >= -places) coefficient = digits * 10n ** BigInt(exponent + places);
  else {
    const divisor = 10n ** BigInt(-places - exponent);
    coefficient = digits / divisor;
    if ((digits % divisor) * 2n >= divisor) coefficient += 1n;
  }
  let text = coefficient.toString().padStart(places + 1, '0');
  if (places) text = `${text.slice(0, -places)}.${text.slice(-places)}`;
  return sign && coefficient !== 0n ? `-${text}` : text;
}
