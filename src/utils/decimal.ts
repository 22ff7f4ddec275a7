/**
 * `Decimal`: exact decimal numbers, as Python's `decimal.Decimal` (what Django's DecimalField
 * holds): a bigint coefficient and a power-of-ten exponent, so `1.10` stays `1.10` (its scale is
 * kept, as in Python) and `0.1 + 0.2` is `0.3`. Arithmetic is exact for plus, minus and times;
 * division rounds to a precision (28 digits, Python's default context).
 *
 * @example
 * const price = new Decimal('19.90');
 * price.times(3).toString();     // '59.70'
 * price.quantize(1).toString();  // '19.9' (half-even rounding)
 * new Decimal('1.10').equals('1.1'); // true
 */

/** How a value is rounded when digits are dropped. */
export type Rounding = 'half-even' | 'half-up' | 'down' | 'up' | 'floor' | 'ceiling';

const DECIMAL = /^([-+])?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([-+]?\d+))?$/;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function roundDivide(value: bigint, divisor: bigint, negative: boolean, rounding: Rounding): bigint {
  const quotient = value / divisor;
  const remainder = value % divisor;
  if (remainder === 0n) return quotient;
  const twice = remainder * 2n;
  switch (rounding) {
    case 'down':
      return quotient;
    case 'up':
      return quotient + 1n;
    case 'floor':
      return negative ? quotient + 1n : quotient;
    case 'ceiling':
      return negative ? quotient : quotient + 1n;
    case 'half-up':
      return twice >= divisor ? quotient + 1n : quotient;
    default:
      return twice > divisor || (twice === divisor && quotient % 2n === 1n) ? quotient + 1n : quotient;
  }
}

export class Decimal {
  /** The digits, without sign. */
  readonly coefficient: bigint;
  /** The power of ten the coefficient is multiplied by. */
  readonly exponent: number;
  readonly negative: boolean;

  constructor(value: Decimal | string | number | bigint) {
    if (value instanceof Decimal) {
      this.coefficient = value.coefficient;
      this.exponent = value.exponent;
      this.negative = value.negative;
      return;
    }
    if (typeof value === 'bigint') {
      this.negative = value < 0n;
      this.coefficient = value < 0n ? -value : value;
      this.exponent = 0;
      return;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        throw new TypeError(`${value} is not a finite number: a Decimal holds finite values only.`);
      // The shortest text that reads back as the same double (what Python's str(float) gives).
      value = Object.is(value, -0) ? '-0' : String(value);
    }
    const match = DECIMAL.exec(String(value).trim());
    if (match === null)
      throw new TypeError(
        `'${String(value)}' is not a decimal number: write digits with an optional point and exponent, as '12.50'.`,
      );
    const [, sign, whole, fraction, onlyFraction, exp] = match;
    const digits = onlyFraction !== undefined ? onlyFraction : `${whole}${fraction ?? ''}`;
    const scale = onlyFraction !== undefined ? onlyFraction.length : (fraction ?? '').length;
    this.negative = sign === '-';
    this.coefficient = BigInt(digits === '' ? '0' : digits);
    this.exponent = Number(exp ?? 0) - scale;
  }

  /** A Decimal from anything Decimal accepts; a Decimal itself is returned as it is. */
  static from(value: Decimal | string | number | bigint): Decimal {
    return value instanceof Decimal ? value : new Decimal(value);
  }

  plus(other: Decimal | string | number | bigint): Decimal {
    const [a, b, exponent] = aligned(this, Decimal.from(other));
    return make(a + b, exponent, false);
  }

  minus(other: Decimal | string | number | bigint): Decimal {
    const [a, b, exponent] = aligned(this, Decimal.from(other));
    return make(a - b, exponent, false);
  }

  times(other: Decimal | string | number | bigint): Decimal {
    const o = Decimal.from(other);
    return make(signed(this) * signed(o), this.exponent + o.exponent, false);
  }

  /** The quotient, rounded to `precision` significant digits (28, as Python's default context). */
  dividedBy(other: Decimal | string | number | bigint, precision = 28, rounding: Rounding = 'half-even'): Decimal {
    const o = Decimal.from(other);
    if (o.coefficient === 0n) throw new RangeError('Division by zero: the divisor is 0.');
    const shift = precision + o.coefficient.toString().length + 1;
    const numerator = this.coefficient * pow10(shift);
    const negative = this.negative !== o.negative;
    const quotient = roundDivide(numerator, o.coefficient, negative, rounding);
    const result = make(negative ? -quotient : quotient, this.exponent - o.exponent - shift, false);
    return normalizeUp(round(result, precision, rounding), this.exponent - o.exponent);
  }

  negated(): Decimal {
    return make(this.coefficient, this.exponent, !this.negative);
  }

  abs(): Decimal {
    return make(this.coefficient, this.exponent, false);
  }

  /** The value with `places` digits after the point (Python's `quantize(Decimal('0.01'))` for 2). */
  quantize(places: number, rounding: Rounding = 'half-even'): Decimal {
    const exponent = -places;
    if (exponent <= this.exponent)
      return make(this.coefficient * pow10(this.exponent - exponent), exponent, this.negative);
    const coefficient = roundDivide(this.coefficient, pow10(exponent - this.exponent), this.negative, rounding);
    return make(coefficient, exponent, this.negative);
  }

  /** -1, 0 or 1. */
  comparedTo(other: Decimal | string | number | bigint): number {
    const [a, b] = aligned(this, Decimal.from(other));
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Equal in value (`1.10` equals `1.1`). */
  equals(other: Decimal | string | number | bigint): boolean {
    return this.comparedTo(other) === 0;
  }

  lessThan(other: Decimal | string | number | bigint): boolean {
    return this.comparedTo(other) < 0;
  }

  greaterThan(other: Decimal | string | number | bigint): boolean {
    return this.comparedTo(other) > 0;
  }

  isZero(): boolean {
    return this.coefficient === 0n;
  }

  isInteger(): boolean {
    return this.exponent >= 0 || this.coefficient % pow10(-this.exponent) === 0n;
  }

  /** The nearest double. */
  toNumber(): number {
    return Number(this.toFixed());
  }

  /** Plain notation, with `places` digits after the point when given (rounded half-even), else as many as the value has. */
  toFixed(places?: number): string {
    const value = places === undefined ? this : this.quantize(places);
    const sign = value.negative && value.coefficient !== 0n ? '-' : '';
    if (value.exponent >= 0) return sign + (value.coefficient * pow10(value.exponent)).toString();
    const digits = value.coefficient.toString().padStart(-value.exponent + 1, '0');
    return `${sign}${digits.slice(0, value.exponent)}.${digits.slice(value.exponent)}`;
  }

  /** Python's `str(Decimal)`: plain notation unless the exponent is positive or the value tiny. */
  toString(): string {
    const digits = this.coefficient.toString();
    const adjusted = this.exponent + digits.length - 1;
    if (this.exponent <= 0 && adjusted >= -6) return (this.negative ? '-' : '') + this.abs().toFixed();
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${this.negative ? '-' : ''}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.toPrimitive](hint: string): string | number {
    return hint === 'number' ? this.toNumber() : this.toString();
  }

  get [Symbol.toStringTag](): string {
    return 'Decimal';
  }
}

function make(coefficient: bigint, exponent: number, negative: boolean): Decimal {
  const d = Object.create(Decimal.prototype) as { coefficient: bigint; exponent: number; negative: boolean };
  d.negative = coefficient < 0n ? !negative : negative;
  d.coefficient = coefficient < 0n ? -coefficient : coefficient;
  d.exponent = exponent;
  return d as unknown as Decimal;
}

/** The coefficient with its sign. */
function signed(d: Decimal): bigint {
  return d.negative ? -d.coefficient : d.coefficient;
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exponent = Math.min(a.exponent, b.exponent);
  return [signed(a) * pow10(a.exponent - exponent), signed(b) * pow10(b.exponent - exponent), exponent];
}

function round(d: Decimal, precision: number, rounding: Rounding): Decimal {
  const digits = d.coefficient.toString().length;
  if (digits <= precision) return d;
  const drop = digits - precision;
  return make(roundDivide(d.coefficient, pow10(drop), d.negative, rounding), d.exponent + drop, d.negative);
}

/** Drops trailing zeros down to the ideal exponent of a division (as Python does). */
function normalizeUp(d: Decimal, ideal: number): Decimal {
  let coefficient = d.coefficient;
  let exponent = d.exponent;
  while (exponent < ideal && coefficient !== 0n && coefficient % 10n === 0n) {
    coefficient /= 10n;
    exponent++;
  }
  if (coefficient === 0n) exponent = Math.max(exponent, ideal);
  return make(coefficient, exponent, d.negative);
}
