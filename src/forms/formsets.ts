/**
 * Formsets, as Django's `django.forms.formsets`: several forms of one class on a page, counted by
 * a management form (`<prefix>-TOTAL_FORMS`, `-INITIAL_FORMS`, `-MIN_NUM_FORMS`,
 * `-MAX_NUM_FORMS`), with optional ordering (`ORDER`) and deletion (`DELETE`) fields, minimum
 * and maximum counts, and formset-wide errors (`nonFormErrors()`).
 *
 * @example
 * const ArticleFormSet = formsetFactory(ArticleForm, { extra: 2, canDelete: true, maxNum: 10, validateMax: true });
 * const formset = new ArticleFormSet({ data: request.POST });
 * if (await formset.isValid()) for (const data of formset.cleanedData) save(data);
 * // template: <form method="post">{% csrf_token %}{{ formset.management_form }}{% for form in formset %}{{ form.as_p }}{% endfor %}</form>
 */
import { ValidationError } from '../core/exceptions.ts';
import { markSafe, type SafeString } from '../utils/safestring.ts';
import { templateAliases } from './boundfield.ts';
import { BooleanField } from './fields/choice.ts';
import { IntegerField } from './fields/numbers.ts';
import type { BaseForm } from './forms.ts';
import { Form, type FormData, type FormOptions } from './forms.ts';
import type { ErrorDict } from './utils.ts';
import { ErrorList } from './utils.ts';
import { HiddenInput, NumberInput, type WidgetClass } from './widgets/base.ts';

export const TOTAL_FORM_COUNT = 'TOTAL_FORMS';
export const INITIAL_FORM_COUNT = 'INITIAL_FORMS';
export const MIN_NUM_FORM_COUNT = 'MIN_NUM_FORMS';
export const MAX_NUM_FORM_COUNT = 'MAX_NUM_FORMS';
export const ORDERING_FIELD_NAME = 'ORDER';
export const DELETION_FIELD_NAME = 'DELETE';
const DEFAULT_MIN_NUM = 0;
const DEFAULT_MAX_NUM = 1000;

/**
 * The counts of a formset, as hidden inputs. If the page adds forms with JavaScript, it raises
 * TOTAL_FORMS too. MIN and MAX are drawn for scripts; what the client sends back is not trusted.
 */
export class ManagementForm extends Form.define({
  [TOTAL_FORM_COUNT]: new IntegerField({ widget: HiddenInput }),
  [INITIAL_FORM_COUNT]: new IntegerField({ widget: HiddenInput }),
  [MIN_NUM_FORM_COUNT]: new IntegerField({ required: false, widget: HiddenInput }),
  [MAX_NUM_FORM_COUNT]: new IntegerField({ required: false, widget: HiddenInput }),
}) {
  override clean(): void {
    // When the management form is invalid, the number of forms is unknown: none.
    const data = this.cleanedData as Record<string, unknown>;
    data[TOTAL_FORM_COUNT] ??= 0;
    data[INITIAL_FORM_COUNT] ??= 0;
  }
}

export interface FormSetOptions {
  data?: FormData | null;
  files?: FormData | null;
  autoId?: string | boolean;
  /** The inputs' prefix (default `form`): `form-0-title`. */
  prefix?: string | null;
  /** The initial values of the first forms, one object each. */
  initial?: readonly Readonly<Record<string, unknown>>[] | null;
  errorClass?: typeof ErrorList;
  /** Options given to every form. */
  formKwargs?: FormOptions & Record<string, unknown>;
  errorMessages?: Readonly<Record<string, string>>;
}

type AnyForm = BaseForm;
type FormConstructor<T extends AnyForm = AnyForm> = new (options?: FormOptions & Record<string, unknown>) => T;

/** A set of forms of one class. Made by `formsetFactory()`. */
export class BaseFormSet<T extends AnyForm = AnyForm> implements Iterable<T> {
  static form: FormConstructor = Form as unknown as FormConstructor;
  static extra = 1;
  static canOrder = false;
  static canDelete = false;
  static canDeleteExtra = true;
  static minNum = DEFAULT_MIN_NUM;
  static maxNum = DEFAULT_MAX_NUM;
  static absoluteMax = DEFAULT_MAX_NUM * 2;
  static validateMin = false;
  static validateMax = false;
  static orderingWidget: WidgetClass = NumberInput;
  static defaultErrorMessages: Readonly<Record<string, string>> = {
    missing_management_form:
      'ManagementForm data is missing or has been tampered with. Missing fields: %(field_names)s. You may need to file a bug report if the issue persists.',
  };

  readonly isBound: boolean;
  readonly prefix: string;
  autoId: string | boolean;
  readonly data: FormData;
  readonly files: FormData;
  readonly initial: readonly Readonly<Record<string, unknown>>[] | null;
  formKwargs: FormOptions & Record<string, unknown>;
  errorClass: typeof ErrorList;
  errorMessages: Record<string, string>;
  #errors: ErrorDict[] | undefined;
  #nonFormErrors: ErrorList | undefined;
  #managementForm: ManagementForm | undefined;
  #forms: T[] | undefined;
  #managementValid = true;

  constructor(options: FormSetOptions = {}) {
    const cls = this.constructor as typeof BaseFormSet;
    this.isBound =
      (options.data !== undefined && options.data !== null) || (options.files !== undefined && options.files !== null);
    this.prefix = options.prefix || cls.getDefaultPrefix();
    this.autoId = options.autoId ?? 'id_%s';
    this.data = options.data ?? {};
    this.files = options.files ?? {};
    this.initial = options.initial ?? null;
    this.formKwargs = options.formKwargs ?? {};
    this.errorClass = options.errorClass ?? ErrorList;
    const messages: Record<string, string> = {};
    const chain: (typeof BaseFormSet)[] = [];
    for (let c = cls as unknown; c !== Function.prototype && c !== null; c = Object.getPrototypeOf(c)) {
      chain.unshift(c as typeof BaseFormSet);
    }
    for (const c of chain)
      if (Object.hasOwn(c, 'defaultErrorMessages')) Object.assign(messages, c.defaultErrorMessages);
    this.errorMessages = { ...messages, ...(options.errorMessages ?? {}) };
  }

  static getDefaultPrefix(): string {
    return 'form';
  }

  private get cls(): typeof BaseFormSet {
    return this.constructor as typeof BaseFormSet;
  }

  get form(): FormConstructor<T> {
    return this.cls.form as FormConstructor<T>;
  }
  get extra(): number {
    return this.cls.extra;
  }
  get canOrder(): boolean {
    return this.cls.canOrder;
  }
  get canDelete(): boolean {
    return this.cls.canDelete;
  }
  get canDeleteExtra(): boolean {
    return this.cls.canDeleteExtra;
  }
  get minNum(): number {
    return this.cls.minNum;
  }
  get maxNum(): number {
    return this.cls.maxNum;
  }
  get absoluteMax(): number {
    return this.cls.absoluteMax;
  }
  get validateMin(): boolean {
    return this.cls.validateMin;
  }
  get validateMax(): boolean {
    return this.cls.validateMax;
  }

  /** The management form: bound to the data (and cleaned) when the formset is, else with the counts. */
  get managementForm(): ManagementForm {
    if (this.#managementForm === undefined) {
      if (this.isBound) {
        const form = new ManagementForm({ data: this.data, autoId: this.autoId, prefix: this.prefix });
        // Its fields are synchronous: cleaned at once, so the counts are known.
        form.fullCleanSync();
        this.#managementValid = form.errors.size === 0;
        this.#managementForm = form;
      } else {
        this.#managementForm = new ManagementForm({
          autoId: this.autoId,
          prefix: this.prefix,
          initial: {
            [TOTAL_FORM_COUNT]: this.totalFormCount(),
            [INITIAL_FORM_COUNT]: this.initialFormCount(),
            [MIN_NUM_FORM_COUNT]: this.minNum,
            [MAX_NUM_FORM_COUNT]: this.maxNum,
          },
        });
      }
    }
    return this.#managementForm;
  }

  /** How many forms: from the management form when bound (at most `absoluteMax`), else initial + extra within the bounds. */
  totalFormCount(): number {
    if (this.isBound) {
      const count = (this.managementForm.cleanedData as Record<string, number>)[TOTAL_FORM_COUNT] ?? 0;
      return Math.min(count, this.absoluteMax);
    }
    const initialForms = this.initialFormCount();
    let total = Math.max(initialForms, this.minNum) + this.extra;
    if (this.maxNum >= 0 && initialForms > this.maxNum) total = initialForms;
    else if (this.maxNum >= 0 && total > this.maxNum) total = this.maxNum;
    return total;
  }

  /** How many forms hold initial data. */
  initialFormCount(): number {
    if (this.isBound) return (this.managementForm.cleanedData as Record<string, number>)[INITIAL_FORM_COUNT] ?? 0;
    return this.initial ? this.initial.length : 0;
  }

  /** The forms, made on first use. */
  get forms(): T[] {
    this.#forms ??= Array.from({ length: this.totalFormCount() }, (_, i) =>
      this.constructForm(i, this.getFormKwargs(i)),
    );
    return this.#forms;
  }

  /** The options of form `index` (null for the empty form). */
  getFormKwargs(_index: number | null): FormOptions & Record<string, unknown> {
    return { ...this.formKwargs };
  }

  protected constructForm(i: number, kwargs: FormOptions & Record<string, unknown>): T {
    const defaults: FormOptions & Record<string, unknown> = {
      autoId: this.autoId,
      prefix: this.addPrefix(i),
      errorClass: this.errorClass,
      // `required` on the inputs would stop extra, optional or deleted forms in the browser.
      useRequiredAttribute: false,
    };
    if (this.isBound) {
      defaults.data = this.data;
      defaults.files = this.files;
    }
    if (this.initial && !('initial' in kwargs) && i < this.initial.length) defaults.initial = this.initial[i];
    if (i >= this.initialFormCount() && i >= this.minNum) defaults.emptyPermitted = true;
    const form = new this.form({ ...defaults, ...kwargs });
    this.addFields(form, i);
    return form;
  }

  get initialForms(): T[] {
    return this.forms.slice(0, this.initialFormCount());
  }

  get extraForms(): T[] {
    return this.forms.slice(this.initialFormCount());
  }

  /** A form with `__prefix__` in its names, for scripts that add forms. */
  get emptyForm(): T {
    const form = new this.form({
      autoId: this.autoId,
      prefix: this.addPrefix('__prefix__'),
      emptyPermitted: true,
      useRequiredAttribute: false,
      ...this.getFormKwargs(null),
    });
    this.addFields(form, null);
    return form;
  }

  /** Each form's cleaned data (the formset must be valid). */
  get cleanedData(): Record<string, unknown>[] {
    this.assertCleaned('cleanedData');
    if (!this.validNow()) {
      throw new TypeError(`'${this.constructor.name}' has no cleanedData: the formset is not valid.`);
    }
    return this.forms.map((form) => form.cleanedData as Record<string, unknown>);
  }

  /** The forms marked for deletion (with `canDelete`), once cleaned; none while the formset is invalid (as Django). */
  get deletedForms(): T[] {
    this.assertCleaned('deletedForms');
    if (!this.canDelete || !this.validNow()) return [];
    return this.forms.filter(
      (form, i) => !(i >= this.initialFormCount() && !form.hasChanged()) && this.shouldDeleteForm(form),
    );
  }

  /** The forms in the order of their ORDER fields (empty ones last), once cleaned. */
  get orderedForms(): T[] {
    this.assertCleaned('orderedForms');
    if (!this.canOrder) throw new TypeError(`'${this.constructor.name}' has no orderedForms: canOrder is off.`);
    if (!this.validNow())
      throw new TypeError(`'${this.constructor.name}' has no orderedForms: the formset is not valid.`);
    const ordering: [number, number | null][] = [];
    this.forms.forEach((form, i) => {
      if (i >= this.initialFormCount() && !form.hasChanged()) return;
      if (this.canDelete && this.shouldDeleteForm(form)) return;
      ordering.push([i, ((form.cleanedData as Record<string, unknown>)[ORDERING_FIELD_NAME] as number | null) ?? null]);
    });
    ordering.sort((a, b) => (a[1] === null ? (b[1] === null ? 0 : 1) : b[1] === null ? -1 : a[1] - b[1]));
    return ordering.map(([i]) => this.forms[i]!);
  }

  private assertCleaned(what: string): void {
    if (this.#errors === undefined && this.isBound) {
      throw new Error(
        `${this.constructor.name}.${what} was read before the formset was validated: call \`await formset.isValid()\` first.`,
      );
    }
  }

  /** The errors not tied to one form (from `clean()`, the counts, the management form). */
  nonFormErrors(): ErrorList {
    if (this.#nonFormErrors === undefined) {
      if (this.isBound) this.assertCleaned('nonFormErrors()');
      return new this.errorClass([], 'nonform');
    }
    return this.#nonFormErrors;
  }

  /** Each form's errors (deleted forms left out), once cleaned. */
  get errors(): ErrorDict[] {
    if (this.#errors === undefined) {
      if (!this.isBound) return [];
      this.assertCleaned('errors');
    }
    return this.#errors ?? [];
  }

  /** All the errors of the formset. */
  totalErrorCount(): number {
    return this.nonFormErrors().length + this.errors.reduce((n, e) => n + e.size, 0);
  }

  protected shouldDeleteForm(form: AnyForm): boolean {
    return Boolean((form.cleanedData as Record<string, unknown>)[DELETION_FIELD_NAME]);
  }

  private validNow(): boolean {
    const formsValid = this.forms.every(
      (form) => (this.canDelete && this.shouldDeleteForm(form)) || (form.isBound && form.errors.size === 0),
    );
    return this.isBound && formsValid && this.nonFormErrors().length === 0;
  }

  /** Whether every form (but the deleted ones) is valid and the formset's own checks pass. */
  async isValid(): Promise<boolean> {
    if (!this.isBound) return false;
    if (this.#errors === undefined) await this.fullClean();
    return this.validNow();
  }

  /** Cleans every form, then the counts and `clean()`. */
  async fullClean(): Promise<void> {
    const errors: ErrorDict[] = [];
    this.#nonFormErrors = new this.errorClass([], 'nonform');
    let emptyForms = 0;
    if (!this.isBound) {
      this.#errors = [];
      return;
    }
    const management = this.managementForm;
    if (!this.#managementValid) {
      this.#nonFormErrors.push(
        new ValidationError(this.errorMessages.missing_management_form!, {
          code: 'missing_management_form',
          params: { field_names: [...management.errors.keys()].map((f) => management.addPrefix(f)).join(', ') },
        }),
      );
    }
    for (const [i, form] of this.forms.entries()) {
      if (!form.hasChanged() && i >= this.initialFormCount()) emptyForms++;
      await form.fullClean();
      if (this.canDelete && this.shouldDeleteForm(form)) continue;
      errors.push(form.errors);
    }
    this.#errors = errors;
    try {
      const deleted = this.deletedForms.length;
      const total = (management.cleanedData as Record<string, number>)[TOTAL_FORM_COUNT] ?? 0;
      if ((this.validateMax && this.totalFormCount() - deleted > this.maxNum) || total > this.absoluteMax) {
        throw new ValidationError(`Please submit at most ${this.maxNum} form${this.maxNum === 1 ? '' : 's'}.`, {
          code: 'too_many_forms',
        });
      }
      if (this.validateMin && this.totalFormCount() - deleted - emptyForms < this.minNum) {
        throw new ValidationError(`Please submit at least ${this.minNum} form${this.minNum === 1 ? '' : 's'}.`, {
          code: 'too_few_forms',
        });
      }
      const result = this.clean();
      if (result instanceof Promise) await result;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.#nonFormErrors = new this.errorClass(error.errorList, 'nonform');
    }
  }

  /** The formset-wide check, after every form's: throw a ValidationError for a non-form error. */
  clean(): void | Promise<void> {}

  /** Whether any form's data differs from its initial data. */
  hasChanged(): boolean {
    return this.forms.some((form) => form.hasChanged());
  }

  /** Adds the ORDER and DELETE fields to a form (index null: the empty form). */
  addFields(form: AnyForm, index: number | null): void {
    const initialFormCount = this.initialFormCount();
    const fields = form.fields as Record<string, unknown>;
    if (this.canOrder) {
      fields[ORDERING_FIELD_NAME] = new IntegerField({
        label: 'Order',
        required: false,
        widget: this.cls.orderingWidget,
        ...(index !== null && index < initialFormCount ? { initial: index + 1 } : {}),
      });
    }
    if (this.canDelete && (this.canDeleteExtra || (index !== null && index < initialFormCount))) {
      fields[DELETION_FIELD_NAME] = new BooleanField({ label: 'Delete', required: false });
    }
  }

  addPrefix(index: number | string): string {
    return `${this.prefix}-${index}`;
  }

  /** Whether the forms need `enctype="multipart/form-data"`. */
  isMultipart(): boolean {
    return (this.forms[0] ?? this.emptyForm).isMultipart();
  }

  [Symbol.iterator](): Iterator<T> {
    return this.forms[Symbol.iterator]();
  }

  get length(): number {
    return this.forms.length;
  }

  at(index: number): T | undefined {
    return this.forms.at(index);
  }

  asTable(): SafeString {
    return markSafe(`${this.managementForm.toString()}\n${this.forms.map((f) => f.asTable().value).join(' ')}`);
  }

  asP(): SafeString {
    return markSafe(`${this.managementForm.toString()}\n${this.forms.map((f) => f.asP().value).join(' ')}`);
  }

  asUl(): SafeString {
    return markSafe(`${this.managementForm.toString()}\n${this.forms.map((f) => f.asUl().value).join(' ')}`);
  }

  toString(): string {
    return this.asTable().value;
  }

  __html__(): string {
    return this.toString();
  }
}

templateAliases(BaseFormSet, {
  management_form: 'managementForm',
  non_form_errors: 'nonFormErrors',
  empty_form: 'emptyForm',
  initial_forms: 'initialForms',
  extra_forms: 'extraForms',
  as_p: 'asP',
  as_table: 'asTable',
  as_ul: 'asUl',
  is_multipart: 'isMultipart',
  total_error_count: 'totalErrorCount',
});

/** A formset class to extend: BaseFormSet or a subclass of it. */
export type FormSetBaseClass = (new (options?: FormSetOptions) => BaseFormSet<AnyForm>) &
  Omit<typeof BaseFormSet, 'prototype'>;

export interface FormsetFactoryOptions {
  formset?: FormSetBaseClass;
  extra?: number;
  canOrder?: boolean;
  canDelete?: boolean;
  /** Offer DELETE on extra forms too (default true). */
  canDeleteExtra?: boolean;
  maxNum?: number | null;
  validateMax?: boolean;
  minNum?: number | null;
  validateMin?: boolean;
  /** The most forms ever made from submitted data (default maxNum + 1000). */
  absoluteMax?: number | null;
}

/** A formset class of `form`. */
export type FormSetClass<T extends AnyForm> = (new (options?: FormSetOptions) => BaseFormSet<T>) &
  Omit<typeof BaseFormSet, 'prototype'>;

/** A FormSet class for `form` (Django's `formset_factory`). */
export function formsetFactory<T extends AnyForm>(
  form: new (options?: FormOptions) => T,
  options: FormsetFactoryOptions = {},
): FormSetClass<T> {
  const minNum = options.minNum ?? DEFAULT_MIN_NUM;
  const maxNum = options.maxNum ?? DEFAULT_MAX_NUM;
  const absoluteMax = options.absoluteMax ?? maxNum + DEFAULT_MAX_NUM;
  if (maxNum > absoluteMax) {
    throw new RangeError(`absoluteMax (${absoluteMax}) must be greater than or equal to maxNum (${maxNum}).`);
  }
  const base: FormSetBaseClass = options.formset ?? BaseFormSet;
  const cls = class extends base {};
  Object.defineProperty(cls, 'name', { value: `${form.name}FormSet` });
  Object.assign(cls, {
    form,
    extra: options.extra ?? 1,
    canOrder: options.canOrder ?? false,
    canDelete: options.canDelete ?? false,
    canDeleteExtra: options.canDeleteExtra ?? true,
    minNum,
    maxNum,
    absoluteMax,
    validateMin: options.validateMin ?? false,
    validateMax: options.validateMax ?? false,
  });
  return cls as unknown as FormSetClass<T>;
}

/** Validates every formset (all of them, not stopping at the first invalid). */
export async function allValid(formsets: Iterable<{ isValid(): Promise<boolean> }>): Promise<boolean> {
  const results = await Promise.all([...formsets].map((formset) => formset.isValid()));
  return results.every(Boolean);
}
