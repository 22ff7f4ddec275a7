/**
 * The scalar fields, as Django's: numbers (auto, integer sizes, float, decimal), booleans, text
 * (char, text, email, slug, URL), UUID, binary and JSON. Column types are the schema editors'
 * (src/db/backends/<vendor>/schema.ts); conversions to and from each database are here.
 */
import { ValidationError } from '../../../core/exceptions.ts';
import {
  decimalValidator,
  maxLengthValidator,
  maxValueValidator,
  minValueValidator,
  validateEmail,
  validateSlug,
  validateUrl,
} from '../../../core/validators.ts';
import { Decimal } from '../../../utils/decimal.ts';
import type { BaseDatabaseWrapper } from '../../backends/base/wrapper.ts';
import { Field, type FieldOptions, type LookupKind } from './base.ts';

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : typeof value === 'bigint' ? `${value}n` : String(value);
}

/** A number from a value, or Django's error: "Field 'id' expected a number but got 'abc'." */
function toInteger(field: Field, value: unknown): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'bigint'
        ? Number(value)
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
  if (!Number.isFinite(n)) throw new TypeError(`Field '${field.name}' expected a number but got ${describe(value)}.`);
  return Math.trunc(n);
}

/** A number read from an integer column: bigint (SQLite in 64-bit mode) and text (PostgreSQL's int8, counts) converted. */
export function integerFromDb(value: unknown): unknown {
  if (typeof value === 'bigint' || typeof value === 'string') {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) {
      throw new RangeError(
        `The integer ${String(value)} read from the database is beyond 2^53: use a BigIntegerField (bigint values) for this column.`,
      );
    }
    return n;
  }
  return value;
}

const numberConverter = (wrapper: BaseDatabaseWrapper, bigints: boolean): ((value: unknown) => unknown) | undefined =>
  bigints || wrapper.vendor !== 'sqlite' ? integerFromDb : undefined;

/** An integer column holding a JS number. */
export class IntegerField<const O extends FieldOptions<number> = FieldOptions<number>> extends Field<
  number,
  O,
  number
> {
  readonly internalType: string = 'IntegerField';
  readonly lookupKind: LookupKind = 'number';

  override toJs(value: unknown): number | null {
    if (value === null || value === undefined || value === '') return null;
    try {
      return toInteger(this, value);
    } catch {
      throw new ValidationError(`“${String(value)}” value must be an integer.`, { code: 'invalid', params: { value } });
    }
  }

  override getPrepValue(value: unknown): unknown {
    return value === null ? null : toInteger(this, value);
  }

  override fromDbConverter(wrapper: BaseDatabaseWrapper, bigints = false): ((value: unknown) => unknown) | undefined {
    return numberConverter(wrapper, bigints);
  }
}

export class SmallIntegerField<const O extends FieldOptions<number> = FieldOptions<number>> extends IntegerField<O> {
  override readonly internalType: string = 'SmallIntegerField';
}

export class PositiveIntegerField<const O extends FieldOptions<number> = FieldOptions<number>> extends IntegerField<O> {
  override readonly internalType: string = 'PositiveIntegerField';

  constructor(options?: O) {
    super(options);
    this.validators.push(minValueValidator(0));
  }
}

export class PositiveSmallIntegerField<
  const O extends FieldOptions<number> = FieldOptions<number>,
> extends PositiveIntegerField<O> {
  override readonly internalType: string = 'PositiveSmallIntegerField';
}

/** The primary key the database numbers (`serial` on PostgreSQL, `AUTOINCREMENT` on SQLite). */
export class AutoField<const O extends FieldOptions<number> = FieldOptions<number>> extends IntegerField<O> {
  override readonly internalType: string = 'AutoField';
  override readonly dbGenerated = true;

  constructor(options?: O) {
    super({ ...options, primaryKey: true } as unknown as O);
  }

  override validate(): void {
    // The database numbers it: nothing to check (Django skips AutoFields in fullClean too).
  }
}

/** An AutoField on a 64-bit column; values stay JS numbers (beyond 2^53 is reported, not rounded). */
export class BigAutoField<const O extends FieldOptions<number> = FieldOptions<number>> extends AutoField<O> {
  override readonly internalType: string = 'BigAutoField';
}

export class SmallAutoField<const O extends FieldOptions<number> = FieldOptions<number>> extends AutoField<O> {
  override readonly internalType: string = 'SmallAutoField';
}

/** A 64-bit integer: values are bigint, exact beyond 2^53. */
export class BigIntegerField<const O extends FieldOptions<bigint> = FieldOptions<bigint>> extends Field<
  bigint,
  O,
  bigint | number | string
> {
  readonly internalType: string = 'BigIntegerField';
  readonly lookupKind: LookupKind = 'number';

  override toJs(value: unknown): bigint | null {
    if (value === null || value === undefined || value === '') return null;
    try {
      return this.getPrepValue(value) as bigint;
    } catch {
      throw new ValidationError(`“${String(value)}” value must be an integer.`, { code: 'invalid', params: { value } });
    }
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
    if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return BigInt(value.trim());
    throw new TypeError(`Field '${this.name}' expected a number but got ${describe(value)}.`);
  }

  override fromDbConverter(): (value: unknown) => unknown {
    return (value) => (value === null ? null : typeof value === 'bigint' ? value : BigInt(value as number | string));
  }

  override get readsBigInts(): boolean {
    return true;
  }
}

export class PositiveBigIntegerField<
  const O extends FieldOptions<bigint> = FieldOptions<bigint>,
> extends BigIntegerField<O> {
  override readonly internalType: string = 'PositiveBigIntegerField';

  constructor(options?: O) {
    super(options);
    this.validators.push(minValueValidator(0));
  }
}

export class FloatField<const O extends FieldOptions<number> = FieldOptions<number>> extends Field<
  number,
  O,
  number | string
> {
  readonly internalType: string = 'FloatField';
  readonly lookupKind: LookupKind = 'number';

  override toJs(value: unknown): number | null {
    if (value === null || value === undefined || value === '') return null;
    const n = Number(value);
    if (Number.isNaN(n))
      throw new ValidationError(`“${String(value)}” value must be a float.`, { code: 'invalid', params: { value } });
    return n;
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    const n = typeof value === 'number' ? value : Number(value);
    if (Number.isNaN(n) && !(typeof value === 'number'))
      throw new TypeError(`Field '${this.name}' expected a number but got ${describe(value)}.`);
    return n;
  }

  override fromDbConverter(wrapper: BaseDatabaseWrapper): ((value: unknown) => unknown) | undefined {
    // PostgreSQL's averages and sums of integers arrive as numeric text.
    return wrapper.vendor === 'sqlite' ? undefined : (value) => (typeof value === 'string' ? Number(value) : value);
  }
}

/** Options of DecimalField: its digits. */
export interface DecimalFieldOptions extends FieldOptions<Decimal | string | number> {
  maxDigits: number;
  decimalPlaces: number;
}

/**
 * An exact decimal (`Decimal` from tsgi/utils/decimal, never a float). PostgreSQL's numeric is
 * exact; SQLite stores it with NUMERIC affinity (15 significant digits, as Django's SQLite
 * backend), read back quantized to `decimalPlaces`.
 */
export class DecimalField<const O extends DecimalFieldOptions = DecimalFieldOptions> extends Field<
  Decimal,
  O,
  Decimal | string | number
> {
  readonly internalType: string = 'DecimalField';
  readonly lookupKind: LookupKind = 'number';
  readonly maxDigits: number;
  readonly decimalPlaces: number;

  constructor(options: O) {
    super(options);
    this.maxDigits = options.maxDigits;
    this.decimalPlaces = options.decimalPlaces;
    this.validators.push(decimalValidator(this.maxDigits, this.decimalPlaces));
  }

  override toJs(value: unknown): Decimal | null {
    if (value === null || value === undefined || value === '') return null;
    try {
      return Decimal.from(value as Decimal | string | number);
    } catch {
      throw new ValidationError(`“${String(value)}” value must be a decimal number.`, {
        code: 'invalid',
        params: { value },
      });
    }
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    try {
      return Decimal.from(value as Decimal | string | number);
    } catch {
      throw new TypeError(`Field '${this.name}' expected a decimal number but got ${describe(value)}.`);
    }
  }

  override getDbPrepValue(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return (this.getPrepValue(value) as Decimal).toFixed();
  }

  override fromDbConverter(
    wrapper: BaseDatabaseWrapper,
    _bigints = false,
    expression = false,
  ): (value: unknown) => unknown {
    const places = this.decimalPlaces;
    if (wrapper.vendor === 'sqlite') {
      // SQLite's NUMERIC gives a double (or an integer): a column's is quantized to its decimal
      // places, an expression's (SUM, AVG) keeps 15 significant digits, as Django's converters do.
      const read = (value: unknown): Decimal =>
        typeof value === 'number'
          ? Number.isInteger(value)
            ? new Decimal(BigInt(value))
            : new Decimal(value.toPrecision(15))
          : Decimal.from(value as string | bigint);
      return expression
        ? (value) => (value === null ? null : read(value))
        : (value) => (value === null ? null : read(value).quantize(places));
    }
    return (value) => (value === null ? null : Decimal.from(value as string));
  }

  override dbParameters(): Record<string, unknown> {
    return { max_digits: this.maxDigits, decimal_places: this.decimalPlaces };
  }
}

const TRUE_WORDS = new Set(['t', 'true', '1']);
const FALSE_WORDS = new Set(['f', 'false', '0']);

export class BooleanField<const O extends FieldOptions<boolean> = FieldOptions<boolean>> extends Field<
  boolean,
  O,
  boolean
> {
  readonly internalType: string = 'BooleanField';
  readonly lookupKind: LookupKind = 'bool';

  constructor(options?: O) {
    super(options);
    // Django: a BooleanField with choices or a default is blank-able (forms show it as a checkbox).
    if (options?.default !== undefined) (this as { blank: boolean }).blank = true;
  }

  override toJs(value: unknown): boolean | null {
    if (this.null && (value === null || value === undefined || value === '')) return null;
    if (value === true || value === false) return value;
    if (value === 1 || value === 0) return value === 1;
    const word = String(value).toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw new ValidationError(
      this.null
        ? `“${String(value)}” value must be either True, False, or None.`
        : `“${String(value)}” value must be either True or False.`,
      { code: this.null ? 'invalid_nullable' : 'invalid', params: { value } },
    );
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    if (typeof value === 'boolean') return value;
    try {
      return this.toJs(value);
    } catch {
      throw new TypeError(`Field '${this.name}' expected a boolean but got ${describe(value)}.`);
    }
  }

  override getDbPrepValue(value: unknown, wrapper: BaseDatabaseWrapper): unknown {
    if (value === null || value === undefined) return null;
    const prepared = this.getPrepValue(value);
    return wrapper.vendor === 'sqlite' ? (prepared ? 1 : 0) : prepared;
  }

  override fromDbConverter(wrapper: BaseDatabaseWrapper): ((value: unknown) => unknown) | undefined {
    return wrapper.vendor === 'sqlite'
      ? (value) => (value === null ? null : value === 1 || value === 1n || value === true)
      : undefined;
  }
}

/** Text of at most `maxLength` characters (`varchar`). */
export interface CharFieldOptions extends FieldOptions<string> {
  maxLength: number;
}

abstract class TextLike<O extends FieldOptions<string>> extends Field<string, O, string> {
  readonly lookupKind: LookupKind = 'text';

  override get emptyStringsAllowed(): boolean {
    return true;
  }

  override toJs(value: unknown): string | null {
    if (value === null || value === undefined) return value === null ? null : null;
    return typeof value === 'string' ? value : String(value);
  }

  override getPrepValue(value: unknown): unknown {
    return value === null ? null : typeof value === 'string' ? value : String(value);
  }
}

export class CharField<const O extends CharFieldOptions = CharFieldOptions> extends TextLike<O> {
  readonly internalType: string = 'CharField';
  readonly maxLength: number;

  constructor(options: O) {
    super(options);
    this.maxLength = options.maxLength;
    if (typeof this.maxLength === 'number') this.validators.push(maxLengthValidator(this.maxLength));
  }

  override dbParameters(): Record<string, unknown> {
    return { max_length: this.maxLength };
  }
}

export class TextField<const O extends FieldOptions<string> = FieldOptions<string>> extends TextLike<O> {
  readonly internalType: string = 'TextField';
}

/** Options of the CharField kinds whose length has a default (Email 254, Slug 50, URL 200). */
export interface SizedTextOptions extends FieldOptions<string> {
  maxLength?: number;
}

export class EmailField<const O extends SizedTextOptions = SizedTextOptions> extends TextLike<O> {
  readonly internalType: string = 'CharField';
  readonly maxLength: number;

  constructor(options?: O) {
    super(options);
    this.maxLength = options?.maxLength ?? 254;
    this.validators.push(maxLengthValidator(this.maxLength), validateEmail);
  }

  override dbParameters(): Record<string, unknown> {
    return { max_length: this.maxLength };
  }
}

export class SlugField<const O extends SizedTextOptions = SizedTextOptions> extends TextLike<O> {
  readonly internalType: string = 'SlugField';
  readonly maxLength: number;

  constructor(options?: O) {
    super({ dbIndex: true, ...options } as O);
    this.maxLength = options?.maxLength ?? 50;
    this.validators.push(maxLengthValidator(this.maxLength), validateSlug);
  }

  override dbParameters(): Record<string, unknown> {
    return { max_length: this.maxLength };
  }
}

export class URLField<const O extends SizedTextOptions = SizedTextOptions> extends TextLike<O> {
  readonly internalType: string = 'CharField';
  readonly maxLength: number;

  constructor(options?: O) {
    super(options);
    this.maxLength = options?.maxLength ?? 200;
    this.validators.push(maxLengthValidator(this.maxLength), validateUrl);
  }

  override dbParameters(): Record<string, unknown> {
    return { max_length: this.maxLength };
  }
}

const UUID = /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** A UUID as its canonical text (`'1b4e28ba-2fa1-11d2-883f-0016d3cca427'`); SQLite stores 32 hex digits, as Django does. */
export class UUIDField<const O extends FieldOptions<string> = FieldOptions<string>> extends Field<string, O, string> {
  readonly internalType: string = 'UUIDField';
  readonly lookupKind: LookupKind = 'uuid';

  override toJs(value: unknown): string | null {
    if (value === null || value === undefined || value === '') return null;
    const match = UUID.exec(String(value));
    if (match === null)
      throw new ValidationError(`“${String(value)}” is not a valid UUID.`, { code: 'invalid', params: { value } });
    return match.slice(1).join('-').toLowerCase();
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    const match = UUID.exec(String(value));
    if (match === null) throw new TypeError(`Field '${this.name}' expected a UUID but got ${describe(value)}.`);
    return match.slice(1).join('-').toLowerCase();
  }

  override getDbPrepValue(value: unknown, wrapper: BaseDatabaseWrapper): unknown {
    if (value === null || value === undefined) return null;
    const text = this.getPrepValue(value) as string;
    return wrapper.vendor === 'sqlite' ? text.replace(/-/g, '') : text;
  }

  override fromDbConverter(wrapper: BaseDatabaseWrapper): ((value: unknown) => unknown) | undefined {
    if (wrapper.vendor !== 'sqlite') return undefined;
    return (value) =>
      typeof value === 'string' && value.length === 32
        ? `${value.slice(0, 8)}-${value.slice(8, 12)}-${value.slice(12, 16)}-${value.slice(16, 20)}-${value.slice(20)}`
        : value;
  }
}

/** Raw bytes (`BLOB`, `bytea`). Not editable in forms, as in Django. */
export class BinaryField<const O extends FieldOptions<Uint8Array> = FieldOptions<Uint8Array>> extends Field<
  Uint8Array,
  O,
  Uint8Array | string
> {
  readonly internalType: string = 'BinaryField';
  readonly lookupKind: LookupKind = 'binary';

  constructor(options?: O) {
    super({ editable: false, ...options } as O);
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    if (value instanceof Uint8Array) return value;
    if (typeof value === 'string') return Buffer.from(value, 'utf8');
    throw new TypeError(`Field '${this.name}' expected bytes (a Uint8Array) but got ${describe(value)}.`);
  }
}

/** Options of JSONField. */
export type JSONFieldOptions = FieldOptions<unknown>;

/**
 * A JSON document: `jsonb` on PostgreSQL, checked text on SQLite. Filters reach into it with
 * key paths (`data__owner__name`, `data__tags__0`, `data__has_key`).
 */
export class JSONField<T = unknown, const O extends JSONFieldOptions = JSONFieldOptions> extends Field<T, O, T> {
  readonly internalType: string = 'JSONField';
  readonly lookupKind: LookupKind = 'json';
  /** Type-level mark: lookups reach into the document (any other field would match JSONField structurally). */
  declare readonly jsonDocument: true;

  override getPrepValue(value: unknown): unknown {
    return value === undefined ? null : value;
  }

  override getDbPrepValue(value: unknown): unknown {
    // null is SQL NULL; the JSON null is Value(null) written as 'null' by the lookups.
    if (value === null || value === undefined) return null;
    return JSON.stringify(value);
  }

  override fromDbConverter(wrapper: BaseDatabaseWrapper): ((value: unknown) => unknown) | undefined {
    return wrapper.vendor === 'sqlite' ? (value) => (typeof value === 'string' ? JSON.parse(value) : value) : undefined;
  }

  override validate(value: unknown, instance: unknown): void {
    super.validate(value, instance);
    try {
      JSON.stringify(value);
    } catch {
      throw new ValidationError('Value must be valid JSON.', { code: 'invalid', params: { value } });
    }
  }
}

// The integer ranges Django checks before a value reaches the database (PostgreSQL's types).
export const INTEGER_RANGES: Readonly<Record<string, [number | bigint, number | bigint]>> = {
  SmallIntegerField: [-32768, 32767],
  IntegerField: [-2147483648, 2147483647],
  BigIntegerField: [-9223372036854775808n, 9223372036854775807n],
  PositiveSmallIntegerField: [0, 32767],
  PositiveIntegerField: [0, 2147483647],
  PositiveBigIntegerField: [0n, 9223372036854775807n],
};

export { maxValueValidator };
