/**
 * Boolean and choice fields, as Django's: `BooleanField`, `NullBooleanField`, `ChoiceField`,
 * `TypedChoiceField`, `MultipleChoiceField`, `TypedMultipleChoiceField`. Choices are
 * `[value, label]` pairs, `[group, [[value, label], ...]]` for a group, or a function giving
 * them (read each time they are used).
 */
import { ValidationError } from '../../core/exceptions.ts';
import { pyStr } from '../../utils/python.ts';
import { CheckboxInput, MultipleHiddenInput, type Choice, type Widget, type WidgetClass } from '../widgets/base.ts';
import { NullBooleanSelect, Select, SelectMultiple, type ChoicesSource } from '../widgets/choice.ts';
import { Field, valuesEqual, type FieldOptions } from './base.ts';

/** A checkbox: cleans to true or false (`'false'` and `'0'` are false). Required means ticked. */
export class BooleanField extends Field<boolean> {
  static override defaultWidget: Widget | WidgetClass = CheckboxInput;

  override toPython(value: unknown): unknown {
    if (typeof value === 'string' && ['false', '0'].includes(value.toLowerCase())) return false;
    if (typeof value === 'string') return value !== '';
    if (Array.isArray(value)) return value.length > 0;
    return Boolean(value);
  }

  override validate(value: unknown): void {
    if (!value && this.required) throw this.error('required');
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    return this.toPython(initial) !== this.toPython(data);
  }
}

/** Yes, no or unknown: cleans to true, false or null (anything unrecognised is null). */
export class NullBooleanField extends BooleanField {
  declare readonly cleanedType: boolean & (boolean | null);
  static override defaultWidget: Widget | WidgetClass = NullBooleanSelect;

  override toPython(value: unknown): unknown {
    if (value === true || value === 'True' || value === 'true' || value === '1') return true;
    if (value === false || value === 'False' || value === 'false' || value === '0') return false;
    return null;
  }

  override validate(): void {}
}

export interface ChoiceFieldOptions extends FieldOptions {
  choices?: ChoicesSource;
}

/** One of `choices`' values; cleans to its text (`''` when empty and not required). */
export class ChoiceField<T = string> extends Field<T> {
  static override defaultWidget: Widget | WidgetClass = Select;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_choice: 'Select a valid choice. %(value)s is not one of the available choices.',
  };
  /** The choices as given (a list, or a function read each time). */
  protected choicesSource!: ChoicesSource;

  constructor(options: ChoiceFieldOptions = {}) {
    super(options);
    this.choices = options.choices ?? [];
  }

  /** The choices, read now. */
  get choices(): Choice[] {
    const source = this.choicesSource;
    return [...(typeof source === 'function' ? source() : source)];
  }

  /** Sets the choices, on the widget too. */
  set choices(value: ChoicesSource) {
    this.choicesSource = typeof value === 'function' ? value : [...value];
    (this.widget as { choices?: ChoicesSource }).choices = this.choicesSource;
  }

  override clone(): this {
    const copy = super.clone();
    copy.choices = this.choicesSource;
    return copy;
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return '';
    return typeof value === 'string' ? value : pyStr(value);
  }

  override validate(value: unknown): void {
    super.validate(value);
    if (value && !this.validValue(value)) throw this.error('invalid_choice', { value });
  }

  /** Whether `value` is one of the choices (compared as text, groups included). */
  validValue(value: unknown): boolean {
    const text = typeof value === 'string' ? value : pyStr(value);
    for (const [key, label] of this.choices) {
      if (Array.isArray(label)) {
        for (const [k2] of label as Choice[]) if (value === k2 || text === pyStr(k2)) return true;
      } else if (value === key || text === pyStr(key)) {
        return true;
      }
    }
    return false;
  }
}

export interface TypedChoiceFieldOptions<T, E> extends ChoiceFieldOptions {
  /** Turns the chosen text into the value (a throw, or a ValidationError, is `invalid_choice`). */
  coerce?: (value: string) => T;
  /** What an empty choice cleans to (default `''`). */
  emptyValue?: E;
}

/** A ChoiceField whose value is `coerce(text)`: `new TypedChoiceField({ coerce: Number, choices })`. */
export class TypedChoiceField<T = string, E = ''> extends ChoiceField<T | E> {
  declare coerce: (value: string) => T;
  declare emptyValue: unknown;

  constructor(options: TypedChoiceFieldOptions<T, E> = {}) {
    super(options);
  }

  protected override configure(options: TypedChoiceFieldOptions<T, E>): void {
    super.configure(options);
    this.coerce = options.coerce ?? ((value: string) => value as unknown as T);
    this.emptyValue = 'emptyValue' in options ? options.emptyValue : '';
  }

  /** The coerced value, or `emptyValue` for an empty one. */
  coerceValue(value: unknown): unknown {
    if (value === this.emptyValue || this.isEmpty(value)) return this.emptyValue;
    try {
      return this.coerce(value as string);
    } catch {
      throw this.error('invalid_choice', { value });
    }
  }

  override clean(value: unknown): T | E {
    return this.coerceValue(super.clean(value)) as T | E;
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    try {
      return !valuesEqual(this.coerceValue(this.toPython(data)), this.coerceValue(initial));
    } catch (error) {
      if (error instanceof ValidationError) return true;
      throw error;
    }
  }
}

/** Several of `choices`' values; cleans to a list of their texts. */
export class MultipleChoiceField<T = string> extends ChoiceField<T[]> {
  static override defaultWidget: Widget | WidgetClass = SelectMultiple;
  static override hiddenWidget: WidgetClass = MultipleHiddenInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_choice: 'Select a valid choice. %(value)s is not one of the available choices.',
    invalid_list: 'Enter a list of values.',
  };

  override toPython(value: unknown): unknown {
    if (!value || (Array.isArray(value) && value.length === 0)) return [];
    if (!Array.isArray(value)) throw this.error('invalid_list');
    return value.map((v) => (typeof v === 'string' ? v : pyStr(v)));
  }

  override validate(value: unknown): void {
    const values = value as unknown[];
    if (this.required && !values.length) throw this.error('required');
    for (const item of values) {
      if (!this.validValue(item)) throw this.error('invalid_choice', { value: item });
    }
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    const a = (initial ?? []) as unknown[];
    const b = (data ?? []) as unknown[];
    if (a.length !== b.length) return true;
    const setA = new Set(a.map((v) => pyStr(v)));
    const setB = new Set(b.map((v) => pyStr(v)));
    return setA.size !== setB.size || [...setA].some((v) => !setB.has(v));
  }
}

export interface TypedMultipleChoiceFieldOptions<T> extends ChoiceFieldOptions {
  coerce?: (value: string) => T;
  emptyValue?: unknown;
}

/** A MultipleChoiceField whose values are `coerce(text)`. */
export class TypedMultipleChoiceField<T = string> extends MultipleChoiceField<T> {
  declare coerce: (value: string) => T;
  declare emptyValue: unknown;

  constructor(options: TypedMultipleChoiceFieldOptions<T> = {}) {
    super(options);
  }

  protected override configure(options: TypedMultipleChoiceFieldOptions<T>): void {
    super.configure(options);
    this.coerce = options.coerce ?? ((value: string) => value as unknown as T);
    this.emptyValue = 'emptyValue' in options ? options.emptyValue : [];
  }

  coerceValue(value: unknown): unknown {
    if (valuesEqual(value, this.emptyValue) || this.isEmpty(value)) return this.emptyValue;
    return (value as string[]).map((choice) => {
      try {
        return this.coerce(choice);
      } catch {
        throw this.error('invalid_choice', { value: choice });
      }
    });
  }

  override clean(value: unknown): T[] {
    return this.coerceValue(super.clean(value)) as T[];
  }

  override validate(value: unknown): void {
    if (!valuesEqual(value, this.emptyValue)) super.validate(value);
    else if (this.required) throw this.error('required');
  }
}
