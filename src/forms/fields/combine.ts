/**
 * Fields made of fields, as Django's: `ComboField` (a value cleaned by each field in turn),
 * `MultiValueField` (a list of values, one per field, compressed into one) and
 * `SplitDateTimeField` (a date and a time typed apart).
 */
import type { Temporal } from 'temporal-polyfill';
import { ValidationError } from '../../core/exceptions.ts';
import { fromCurrentTimezone } from '../utils.ts';
import { SplitDateTimeWidget, SplitHiddenDateTimeWidget, type MultiWidget } from '../widgets/multi.ts';
import type { Widget, WidgetClass } from '../widgets/base.ts';
import { Field, type FieldOptions, type Optional } from './base.ts';
import { DateField, TimeField, type DateTimeValue } from './temporal.ts';

/** A value that must pass every field of `fields` (each cleans what the previous returned). */
export class ComboField<T = unknown> extends Field<T> {
  fields: Field[];

  constructor(fields: Field[], options: FieldOptions = {}) {
    super(options);
    // The combo says whether a value is required, not its fields.
    for (const field of fields) field.required = false;
    this.fields = fields;
  }

  override clean(value: unknown): T {
    super.clean(value);
    let cleaned: unknown = value;
    for (const field of this.fields) cleaned = field.clean(cleaned);
    return cleaned as T;
  }

  override clone(): this {
    const copy = super.clone();
    copy.fields = this.fields.map((f) => f.clone());
    return copy;
  }
}

export interface MultiValueFieldOptions extends FieldOptions {
  /** Every part is required when the field is (default); otherwise each part's `required` counts. */
  requireAllFields?: boolean;
}

/**
 * A value typed in several parts (a MultiWidget), each cleaned by its field, then joined by
 * `compress()`, which a subclass defines.
 */
export abstract class MultiValueField<T = unknown> extends Field<T> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid: 'Enter a list of values.',
    incomplete: 'Enter a complete value.',
  };
  fields: Field[];
  declare requireAllFields: boolean;

  constructor(fields: Field[], options: MultiValueFieldOptions = {}) {
    super(options);
    for (const field of fields) {
      field.errorMessages.incomplete ??= this.errorMessages.incomplete!;
      if (this.disabled) field.disabled = true;
      if (this.requireAllFields) field.required = false;
    }
    this.fields = fields;
  }

  protected override configure(options: MultiValueFieldOptions): void {
    super.configure(options);
    this.requireAllFields = options.requireAllFields ?? true;
  }

  override clone(): this {
    const copy = super.clone();
    copy.fields = this.fields.map((f) => f.clone());
    return copy;
  }

  override validate(_value: unknown): void {}

  override clean(value: unknown): T {
    const cleanData: unknown[] = [];
    const errors: ValidationError[] = [];
    let values = value;
    if (this.disabled && !Array.isArray(values)) values = (this.widget as MultiWidget).decompress(values);
    if (!values || Array.isArray(values)) {
      const list = (values ?? []) as unknown[];
      if (!list.length || list.every((v) => this.isEmpty(v))) {
        if (this.required) throw this.error('required');
        return this.compress([]);
      }
    } else {
      throw this.error('invalid');
    }
    const list = values as unknown[];
    this.fields.forEach((field, i) => {
      const fieldValue = list[i] ?? null;
      if (this.isEmpty(fieldValue)) {
        if (this.requireAllFields) {
          if (this.required) throw this.error('required');
        } else if (field.required) {
          const message = field.errorMessages.incomplete!;
          if (!errors.some((e) => e.message === message))
            errors.push(new ValidationError(message, { code: 'incomplete' }));
          return;
        }
      }
      try {
        cleanData.push(field.clean(fieldValue));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        for (const e of error.errorList) if (!errors.some((x) => x.text === e.text)) errors.push(e);
      }
    });
    if (errors.length) throw new ValidationError(errors);
    const out = this.compress(cleanData);
    this.validate(out);
    this.runValidators(out);
    return out;
  }

  /** One value from the cleaned parts (an empty list when nothing was typed). */
  abstract compress(dataList: unknown[]): T;

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    const dataList = (data ?? []) as unknown[];
    const initialList =
      initial === null || initial === undefined
        ? dataList.map(() => '')
        : Array.isArray(initial)
          ? initial
          : (this.widget as MultiWidget).decompress(initial);
    for (let i = 0; i < Math.min(this.fields.length, initialList.length, dataList.length); i++) {
      const field = this.fields[i]!;
      let python: unknown;
      try {
        python = field.toPython(initialList[i]);
      } catch (error) {
        if (error instanceof ValidationError) return true;
        throw error;
      }
      if (field.hasChanged(python, dataList[i])) return true;
    }
    return false;
  }
}

export interface SplitDateTimeFieldOptions extends MultiValueFieldOptions {
  inputDateFormats?: readonly string[];
  inputTimeFormats?: readonly string[];
}

/** A date and a time typed in two inputs; cleans to one datetime (as DateTimeField's). */
export class SplitDateTimeField<R extends boolean = true> extends MultiValueField<Optional<R, DateTimeValue>> {
  static override defaultWidget: Widget | WidgetClass = SplitDateTimeWidget;
  static override hiddenWidget: WidgetClass = SplitHiddenDateTimeWidget as unknown as WidgetClass;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_date: 'Enter a valid date.',
    invalid_time: 'Enter a valid time.',
  };

  constructor(options: SplitDateTimeFieldOptions & { required?: R } = {}) {
    const messages = {
      invalid_date: 'Enter a valid date.',
      invalid_time: 'Enter a valid time.',
      ...(options.errorMessages ?? {}),
    };
    const localize = options.localize ?? false;
    super(
      [
        new DateField({
          ...(options.inputDateFormats ? { inputFormats: options.inputDateFormats } : {}),
          errorMessages: { invalid: messages.invalid_date },
          localize,
        }),
        new TimeField({
          ...(options.inputTimeFormats ? { inputFormats: options.inputTimeFormats } : {}),
          errorMessages: { invalid: messages.invalid_time },
          localize,
        }),
      ],
      options,
    );
  }

  compress(dataList: unknown[]): Optional<R, DateTimeValue> {
    if (!dataList.length) return null as Optional<R, DateTimeValue>;
    if (this.isEmpty(dataList[0])) throw this.error('invalid_date');
    if (this.isEmpty(dataList[1])) throw this.error('invalid_time');
    const date = dataList[0] as Temporal.PlainDate;
    const time = dataList[1] as Temporal.PlainTime;
    return fromCurrentTimezone(date.toPlainDateTime(time)) as Optional<R, DateTimeValue>;
  }
}
