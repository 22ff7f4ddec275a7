/**
 * The form field contract, as Django's `django.forms.fields.Field`: `clean(value)` turns what a
 * widget read into a value (`toPython()`), checks it (`validate()`, then the validators) and
 * returns it, or throws a ValidationError with Django's code and message.
 *
 * A field class says its defaults as Django's class attributes do, in statics: `defaultWidget`,
 * `hiddenWidget`, `defaultErrorMessages` (merged down the class chain, then with the field's
 * `errorMessages`), `defaultValidators`. A field's own options are read in `configure()`, which
 * the base constructor calls first, so that `widgetAttrs()` sees them.
 *
 * The type parameter is the cleaned value's type: a form's `cleanedData` is typed from it.
 */
import { ValidationError } from '../../core/exceptions.ts';
import { isEmptyValue, type Validator } from '../../core/validators.ts';
import type { Attrs } from '../utils.ts';
import { HiddenInput, TextInput, type Widget, type WidgetClass } from '../widgets/base.ts';
import type { BaseForm } from '../forms.ts';
import { BoundField } from '../boundfield.ts';

/** The options every field takes (Django's, camelCased). */
export interface FieldOptions {
  /** Whether a value must be given (default true). */
  required?: boolean;
  /** A widget class or instance (the instance is copied). */
  widget?: Widget | WidgetClass;
  /** The label; default: the field's name made pretty (`first_name` → `First name`). */
  label?: string | null;
  /** The value an unbound form shows (a function is called each time). */
  initial?: unknown;
  helpText?: string;
  /** Messages by error code, over the field's defaults (`{ required: 'Tell us your name.' }`). */
  errorMessages?: Readonly<Record<string, string>>;
  /** Render a hidden input with the initial value too, to tell changes. */
  showHiddenInitial?: boolean;
  /** More validators, after the field's own. */
  validators?: readonly Validator[];
  /** Show and read the value in the locale's formats. */
  localize?: boolean;
  /** Shown but not editable: the form keeps the initial value, whatever is submitted. */
  disabled?: boolean;
  /** What follows the label (`:` by default, the form's `labelSuffix`). */
  labelSuffix?: string | null;
}

/** What a field class says by default (Django's class attributes). */
interface FieldClass {
  defaultWidget: Widget | WidgetClass;
  hiddenWidget: WidgetClass;
  defaultErrorMessages: Readonly<Record<string, string>>;
  defaultValidators: readonly Validator[];
}

/** `T`, or `T | null` when the field is declared `required: false`. */
export type Optional<R extends boolean, T> = R extends false ? T | null : T;

/** A form field. `T` is what `clean()` returns. */
export class Field<T = unknown> {
  static defaultWidget: Widget | WidgetClass = TextInput;
  static hiddenWidget: WidgetClass = HiddenInput;
  static defaultErrorMessages: Readonly<Record<string, string>> = { required: 'This field is required.' };
  static defaultValidators: readonly Validator[] = [];

  /** The cleaned value's type, for inference only (never set). */
  declare readonly cleanedType: T;

  declare required: boolean;
  declare label: string | null;
  declare initial: unknown;
  declare helpText: string;
  declare showHiddenInitial: boolean;
  declare disabled: boolean;
  declare labelSuffix: string | null;
  declare localize: boolean;
  declare widget: Widget;
  declare hiddenWidget: WidgetClass;
  declare errorMessages: Record<string, string>;
  declare validators: Validator[];

  constructor(options: FieldOptions = {}) {
    this.configure(options);
    const cls = this.constructor as unknown as FieldClass;
    this.required = options.required ?? true;
    this.label = options.label ?? null;
    this.initial = options.initial ?? null;
    this.helpText = options.helpText ?? '';
    this.showHiddenInitial = options.showHiddenInitial ?? false;
    this.disabled = options.disabled ?? false;
    this.labelSuffix = options.labelSuffix ?? null;
    this.localize = options.localize ?? false;
    this.hiddenWidget = cls.hiddenWidget;
    const source = options.widget ?? this.defaultWidget(options);
    const widget = typeof source === 'function' ? new source() : source.clone();
    if (this.localize) widget.isLocalized = true;
    widget.isRequired = this.required;
    Object.assign(widget.attrs, this.widgetAttrs(widget));
    this.widget = widget;
    const messages: Record<string, string> = {};
    const chain: FieldClass[] = [];
    for (let c = cls as unknown; c !== Function.prototype && c !== null; c = Object.getPrototypeOf(c)) {
      chain.unshift(c as FieldClass);
    }
    for (const c of chain)
      if (Object.hasOwn(c, 'defaultErrorMessages')) Object.assign(messages, c.defaultErrorMessages);
    Object.assign(messages, options.errorMessages ?? {});
    this.errorMessages = messages;
    this.validators = [...this.defaultValidators(), ...(options.validators ?? [])];
  }

  /** Reads the subclass's own options before the widget is set up. Call `super.configure()`. */
  protected configure(_options: FieldOptions): void {}

  /** The widget when the options name none: the class's `defaultWidget`. */
  protected defaultWidget(_options: FieldOptions): Widget | WidgetClass {
    return (this.constructor as unknown as FieldClass).defaultWidget;
  }

  /** The validators every instance starts with: the class's `defaultValidators`. */
  protected defaultValidators(): readonly Validator[] {
    return (this.constructor as unknown as FieldClass).defaultValidators;
  }

  /** Whether `value` counts as not given (Django's `empty_values`). */
  isEmpty(value: unknown): boolean {
    return isEmptyValue(value);
  }

  /** The value as the widget shows it. */
  prepareValue(value: unknown): unknown {
    return value;
  }

  /** What the widget read, as this field's type; throws ValidationError. */
  toPython(value: unknown): unknown {
    return value;
  }

  /** Checks that do not belong in validators (the `required` check). */
  validate(value: unknown): void {
    if (this.isEmpty(value) && this.required) throw this.error('required');
  }

  /** Runs every validator on a non-empty value and throws all their errors at once. */
  runValidators(value: unknown): void {
    if (this.isEmpty(value)) return;
    const errors: ValidationError[] = [];
    for (const validator of this.validators) {
      try {
        validator(value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        for (const single of error.errorList) {
          const replacement = single.code !== undefined ? this.errorMessages[single.code] : undefined;
          if (replacement !== undefined) single.message = replacement;
          errors.push(single);
        }
      }
    }
    if (errors.length) throw new ValidationError(errors);
  }

  /**
   * The cleaned value of what the widget read: `toPython()`, `validate()`, the validators. A
   * ValidationError says why not. (A field that queries the database returns a promise.)
   */
  clean(value: unknown, _initial?: unknown): T | Promise<T> {
    const python = this.toPython(value);
    this.validate(python);
    this.runValidators(python);
    return python as T;
  }

  /** The ValidationError of `code`, with this field's message for it. */
  error(code: string, params?: Record<string, unknown>): ValidationError {
    const message = this.errorMessages[code];
    if (message === undefined) {
      throw new TypeError(`${this.constructor.name} has no error message for the code '${code}'.`);
    }
    return new ValidationError(message, params === undefined ? { code } : { code, params });
  }

  /** What a bound form shows: the submitted data (the initial value when disabled). */
  boundData(data: unknown, initial: unknown): unknown {
    return this.disabled ? initial : data;
  }

  /** HTML attributes this field adds to its widget (`maxlength`, `min`...). */
  widgetAttrs(_widget: Widget): Attrs {
    return {};
  }

  /** Whether the submitted `data` differs from `initial`. */
  hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    let python: unknown;
    try {
      python = this.toPython(data);
    } catch (error) {
      if (error instanceof ValidationError) return true;
      throw error;
    }
    return !valuesEqual(initial ?? '', python ?? '');
  }

  /** The field bound to a form (`form.title` in code and templates). */
  getBoundField(form: BaseForm, name: string): BoundField {
    return new BoundField(form, this, name);
  }

  /** A copy that shares nothing mutable (each form instance gets its own fields). */
  clone(): this {
    const copy = Object.assign(Object.create(Object.getPrototypeOf(this) as object) as this, this);
    copy.widget = this.widget.clone();
    copy.errorMessages = { ...this.errorMessages };
    copy.validators = [...this.validators];
    return copy;
  }
}

/** Python's `==` for the values fields compare when telling changes. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'object' && typeof (a as { equals?: unknown }).equals === 'function') {
    try {
      return (a as { equals(other: unknown): boolean }).equals(b);
    } catch {
      return false;
    }
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  if (typeof a === 'boolean' || typeof b === 'boolean')
    return Number(a) === Number(b) && typeof a !== 'string' && typeof b !== 'string';
  return false;
}
