/**
 * Number fields, as Django's: `IntegerField` (a JS number; integers past 2^53 are refused, as a
 * number cannot hold them exactly), `FloatField` and `DecimalField` (an exact `Decimal`, never a
 * float).
 */
import { decimalValidator, maxValueValidator, minValueValidator, type Validator } from '../../core/validators.ts';
import { Decimal } from '../../utils/decimal.ts';
import { getFormat } from '../../utils/formats.ts';
import { pyFloat, pyInt } from '../../utils/pyops.ts';
import { pyStr, pyStrip } from '../../utils/python.ts';
import { settings } from '../../conf/index.ts';
import type { Attrs } from '../utils.ts';
import { NumberInput, TextInput, type Widget, type WidgetClass } from '../widgets/base.ts';
import { Field, type FieldOptions, type Optional } from './base.ts';

/**
 * A number typed with the locale's separators as Python reads it: the decimal separator becomes
 * `.`, thousands separators go (Django's `sanitize_separators`).
 */
export function sanitizeSeparators(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const parts: string[] = [];
  let rest = value;
  const decimal = String(getFormat('DECIMAL_SEPARATOR'));
  const at = rest.indexOf(decimal);
  if (at >= 0) {
    parts.push(rest.slice(at + decimal.length));
    rest = rest.slice(0, at);
  }
  if (settings.USE_THOUSAND_SEPARATOR) {
    const thousand = String(getFormat('THOUSAND_SEPARATOR'));
    const lastGroup = rest.split('.').at(-1) ?? '';
    if (!(thousand === '.' && rest.split('.').length === 2 && lastGroup.length !== 3)) {
      for (const sep of new Set([thousand, thousand.normalize('NFKD')])) rest = rest.replaceAll(sep, '');
    }
  }
  parts.push(rest);
  return parts.reverse().join('.');
}

export interface IntegerFieldOptions<N = number> extends FieldOptions {
  maxValue?: N | null;
  minValue?: N | null;
}

const TRAILING_DECIMAL = /\.0*\s*$/;

/** A whole number (`12`, `12.0`); cleans to a number, or null when empty. */
export class IntegerField<R extends boolean = true> extends Field<Optional<R, number>> {
  static override defaultWidget: Widget | WidgetClass = NumberInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a whole number.' };
  declare maxValue: unknown;
  declare minValue: unknown;

  constructor(options: IntegerFieldOptions & { required?: R } = {}) {
    super(options);
    if (this.maxValue !== null) this.validators.push(maxValueValidator(this.maxValue));
    if (this.minValue !== null) this.validators.push(minValueValidator(this.minValue));
  }

  protected override configure(options: IntegerFieldOptions<unknown>): void {
    super.configure(options);
    this.maxValue = options.maxValue ?? null;
    this.minValue = options.minValue ?? null;
  }

  protected override defaultWidget(options: FieldOptions): Widget | WidgetClass {
    const widget = super.defaultWidget(options);
    // A localized number input is not well supported by browsers: a text input then.
    return options.localize && widget === NumberInput ? TextInput : widget;
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    let text: unknown = value;
    if (this.localize) text = sanitizeSeparators(text);
    let n: bigint;
    try {
      n = pyInt(pyStr(text).replace(TRAILING_DECIMAL, ''));
    } catch {
      throw this.error('invalid');
    }
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) throw this.error('invalid');
    return Number(n);
  }

  override widgetAttrs(widget: Widget): Attrs {
    const attrs = super.widgetAttrs(widget);
    if (widget instanceof NumberInput) {
      if (this.minValue !== null) attrs.min = this.minValue;
      if (this.maxValue !== null) attrs.max = this.maxValue;
    }
    return attrs;
  }
}

/** A number (`1.5`, `1e3`); cleans to a finite number, or null when empty. */
export class FloatField<R extends boolean = true> extends IntegerField<R> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a number.' };

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    const text = this.localize ? sanitizeSeparators(value) : value;
    try {
      return pyFloat(typeof text === 'string' ? text : pyStr(text));
    } catch {
      throw this.error('invalid');
    }
  }

  override validate(value: unknown): void {
    super.validate(value);
    if (this.isEmpty(value)) return;
    if (!Number.isFinite(value)) throw this.error('invalid');
  }

  override widgetAttrs(widget: Widget): Attrs {
    const attrs = super.widgetAttrs(widget);
    if (widget instanceof NumberInput && !('step' in widget.attrs)) attrs.step ??= 'any';
    return attrs;
  }
}

export interface DecimalFieldOptions extends IntegerFieldOptions<Decimal | number | string> {
  maxDigits?: number | null;
  decimalPlaces?: number | null;
}

const PY_DECIMAL = /^[-+]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*|\d+(?:_\d+)*\.)(?:[eE][-+]?\d+(?:_\d+)*)?$/;

/**
 * A decimal number, exact (`0.1` stays `0.1`): cleans to a `Decimal` (tsgi/utils/decimal) keeping
 * the digits typed, or null when empty. `maxDigits` and `decimalPlaces` bound it.
 */
export class DecimalField<R extends boolean = true> extends Field<Optional<R, Decimal>> {
  static override defaultWidget: Widget | WidgetClass = NumberInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a number.' };
  declare maxValue: unknown;
  declare minValue: unknown;
  declare maxDigits: number | null;
  declare decimalPlaces: number | null;

  constructor(options: DecimalFieldOptions & { required?: R } = {}) {
    super(options);
    if (this.maxValue !== null) this.validators.push(maxValueValidator(Decimal.from(this.maxValue as string)));
    if (this.minValue !== null) this.validators.push(minValueValidator(Decimal.from(this.minValue as string)));
    this.validators.push(decimalValidator(this.maxDigits, this.decimalPlaces));
  }

  protected override configure(options: DecimalFieldOptions): void {
    super.configure(options);
    this.maxValue = options.maxValue ?? null;
    this.minValue = options.minValue ?? null;
    this.maxDigits = options.maxDigits ?? null;
    this.decimalPlaces = options.decimalPlaces ?? null;
  }

  protected override defaultWidget(options: FieldOptions): Widget | WidgetClass {
    const widget = super.defaultWidget(options);
    return options.localize && widget === NumberInput ? TextInput : widget;
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    if (value instanceof Decimal) return value;
    const text = pyStrip(pyStr(this.localize ? sanitizeSeparators(value) : value));
    if (/^[-+]?(nan|snan|inf|infinity)$/i.test(text)) throw this.error('invalid', { value: text });
    if (!PY_DECIMAL.test(text)) throw this.error('invalid');
    return new Decimal(text.replaceAll('_', ''));
  }

  override widgetAttrs(widget: Widget): Attrs {
    const attrs: Attrs = {};
    if (widget instanceof NumberInput) {
      if (this.minValue !== null) attrs.min = this.minValue;
      if (this.maxValue !== null) attrs.max = this.maxValue;
      if (!('step' in widget.attrs)) {
        attrs.step = this.decimalPlaces !== null ? stepOf(this.decimalPlaces) : 'any';
      }
    }
    return attrs;
  }
}

/** `Decimal(1).scaleb(-places)` as Python prints it, lower case (`0.01`, `1e-7`). */
function stepOf(places: number): string {
  if (places <= 0) return places === 0 ? '1' : `1e+${-places}`;
  return places <= 6 ? `0.${'0'.repeat(places - 1)}1` : `1e-${places}`;
}

export type { Validator };
