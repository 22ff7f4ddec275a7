/**
 * Forms, as Django's `django.forms.forms`: a set of fields, bound to submitted data or not, that
 * validates it (`await form.isValid()`), keeps the errors by field (`form.errors`) and the
 * cleaned values (`form.cleanedData`, typed from the declared fields), and draws itself
 * (`asP()`, `asTable()`, `asUl()`, or field by field in a template).
 *
 * @example
 * class ContactForm extends Form.define({
 *   subject: new CharField({ maxLength: 100 }),
 *   sender: new EmailField(),
 *   ccMyself: new BooleanField({ required: false }),
 * }) {
 *   cleanSubject(value: string) {
 *     if (value.includes('spam')) throw new ValidationError('No spam, please.', { code: 'spam' });
 *     return value;
 *   }
 * }
 * const form = new ContactForm({ data: request.POST });
 * if (await form.isValid()) send(form.cleanedData.subject, form.cleanedData.sender); // string, string
 *
 * Cleaning is asynchronous (a field or a hook may query the database): `form.errors` is read
 * after `await form.isValid()` (or `await form.fullClean()`); an unbound form has no errors.
 */
import { NON_FIELD_ERRORS, ValidationError, type ValidationErrorMessage } from '../core/exceptions.ts';
import { MultiValueDict } from '../utils/datastructures.ts';
import { conditionalEscape } from '../utils/html.ts';
import { markSafe, type SafeString } from '../utils/safestring.ts';
import { templateAliases, type BoundField } from './boundfield.ts';
import type { Field } from './fields/base.ts';
import { FileField } from './fields/files.ts';
import { getDefaultRenderer, type FormRenderer } from './renderers.ts';
import { ErrorDict, ErrorList } from './utils.ts';
import type { DataSource } from './widgets/base.ts';

/** The declared fields of a form, by name. */
export type Fields = Record<string, Field>;

/** The value a field cleans to. */
export type FieldValue<F> = F extends { readonly cleanedType: infer T } ? T : never;

/** A form's `cleanedData`, from its fields. */
export type CleanedData<F extends Fields> = { [K in keyof F]: FieldValue<F[K]> };

/** Submitted data: a QueryDict (`request.POST`), a MultiValueDict, or a plain object (arrays for lists). */
export type FormData = DataSource | Readonly<Record<string, unknown>>;

export interface FormOptions {
  /** The submitted data (`request.POST`): the form is bound when data or files are given. */
  data?: FormData | null;
  /** The submitted files (`request.FILES`). */
  files?: FormData | null;
  /** The id pattern of the inputs (`id_%s`, the default); false for none. */
  autoId?: string | boolean;
  /** Names the inputs `<prefix>-<name>`, to put several forms in one `<form>`. */
  prefix?: string | null;
  /** Values shown by an unbound form, by field name (over the fields' own `initial`). */
  initial?: Readonly<Record<string, unknown>>;
  errorClass?: typeof ErrorList;
  /** What follows labels (default `:`). */
  labelSuffix?: string;
  /** An unchanged form is valid without validation (extra forms of a formset). */
  emptyPermitted?: boolean;
  fieldOrder?: readonly string[] | null;
  /** Draw `required` on the inputs of required fields (default true). */
  useRequiredAttribute?: boolean;
  renderer?: FormRenderer;
}

function toDataSource(data: FormData): DataSource {
  if (typeof (data as DataSource).get === 'function' && typeof (data as DataSource).has === 'function') {
    return data as DataSource;
  }
  return new MultiValueDict(data as Record<string, unknown>);
}

/** `title` → `Title`, for the `clean<Field>()` hooks. */
function hookName(name: string): string {
  return `clean${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/** Names a form instance uses itself: a field of such a name is reached with `boundField(name)`. */
const RESERVED = new Set([
  'isBound',
  'data',
  'files',
  'autoId',
  'prefix',
  'initial',
  'errorClass',
  'labelSuffix',
  'emptyPermitted',
  'useRequiredAttribute',
  'renderer',
  'fields',
  'cleanedData',
  'errorCssClass',
  'requiredCssClass',
  'instance',
]);

type AnyFormClass = abstract new (...args: never[]) => BaseForm;

/** The fields a form class declares. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the base form declares no field
export type FieldsOf<C> = C extends { baseFields: infer F extends Fields } ? (string extends keyof F ? {} : F) : {};

/** A form with its fields as `form.<name>` (BoundFields), except names the form itself uses. */
export type FormWith<F extends Fields, I = BaseForm<F>> = I & {
  readonly [K in Exclude<keyof F & string, keyof BaseForm>]: BoundField<F[K]>;
};

/** The instance type of a defined form: the base class's own members, typed with all the fields. */
type MergedForm<I, F extends Fields> =
  I extends BaseForm<infer G> ? (string extends keyof G ? BaseForm<F> : I & BaseForm<F>) : BaseForm<F>;

/**
 * What `define()` accepts: fields, checked loosely so that a field's own type parameters keep
 * their defaults (`new CharField()` is a CharField<string>, not inferred from this constraint).
 */
export type FieldDeclarations = Record<string, { clone(): unknown; getBoundField(...args: never[]): unknown }>;

/** The declared fields as Fields (no index signature: only the declared names). */
export type AsFields<G> = { [K in keyof G]: G[K] extends Field ? G[K] : never };

/** What `Form.define()` returns: a class of forms with these fields. */
export type FormClass<F extends Fields, I = BaseForm<F>> = {
  new (options?: FormOptions): FormWith<F, MergedForm<I, F>>;
  readonly baseFields: F;
  define<G extends FieldDeclarations>(fields: G): FormClass<F & AsFields<G>, I>;
} & Omit<typeof BaseForm, 'prototype' | 'baseFields' | 'define'>;

/** A form. Declare one with `Form.define({ ... })`; subclass the result for hooks. */
export class BaseForm<F extends Fields = Fields> {
  /** The fields every instance starts with (copied per instance into `fields`). */
  static baseFields: Fields = {};
  /** The renderer of this form class (default: FORM_RENDERER). */
  static defaultRenderer: FormRenderer | (new () => FormRenderer) | undefined = undefined;
  /** The order of the fields (unlisted ones follow). */
  static fieldOrder: readonly string[] | null = null;

  readonly isBound: boolean;
  readonly data: DataSource;
  readonly files: DataSource;
  autoId: string | boolean;
  prefix: string | null;
  initial: Readonly<Record<string, unknown>>;
  errorClass: typeof ErrorList;
  labelSuffix: string;
  emptyPermitted: boolean;
  useRequiredAttribute: boolean;
  renderer: FormRenderer;
  /** This instance's fields (change them freely: the class's stay). */
  fields: F;
  /** The cleaned values of the fields that validated (all of them once `isValid()` is true). */
  cleanedData: CleanedData<F> = {} as CleanedData<F>;
  /** The CSS class of rows with errors (set it to use it). */
  errorCssClass: string | undefined = undefined;
  /** The CSS class of the rows and labels of required fields (set it to use it). */
  requiredCssClass: string | undefined = undefined;
  #errors: ErrorDict | undefined;
  #boundFields = new Map<string, BoundField>();
  #changedData: string[] | undefined;

  constructor(options: FormOptions = {}) {
    const cls = this.constructor as typeof BaseForm;
    this.isBound =
      (options.data !== undefined && options.data !== null) || (options.files !== undefined && options.files !== null);
    this.data = options.data ? toDataSource(options.data) : new MultiValueDict();
    this.files = options.files ? toDataSource(options.files) : new MultiValueDict();
    this.autoId = options.autoId ?? 'id_%s';
    this.prefix = options.prefix ?? null;
    this.initial = options.initial ?? {};
    this.errorClass = options.errorClass ?? ErrorList;
    this.labelSuffix = options.labelSuffix ?? ':';
    this.emptyPermitted = options.emptyPermitted ?? false;
    this.fields = Object.fromEntries(Object.entries(cls.baseFields).map(([name, field]) => [name, field.clone()])) as F;
    this.orderFields(options.fieldOrder ?? cls.fieldOrder);
    this.useRequiredAttribute = options.useRequiredAttribute ?? true;
    if (this.emptyPermitted && this.useRequiredAttribute) {
      throw new TypeError(
        'The emptyPermitted and useRequiredAttribute options may not both be true: an empty form would be refused by the browser. Pass useRequiredAttribute: false.',
      );
    }
    const renderer = options.renderer ?? cls.defaultRenderer;
    this.renderer =
      renderer === undefined ? getDefaultRenderer() : typeof renderer === 'function' ? new renderer() : renderer;
  }

  /**
   * A form class with `fields` added to this one's (Django's declarative fields). Subclass the
   * result to add `clean<Field>()` and `clean()` hooks.
   */
  static define<C extends AnyFormClass, G extends FieldDeclarations>(
    this: C,
    fields: G,
  ): FormClass<FieldsOf<C> & AsFields<G>, InstanceType<C>> {
    const base = this as unknown as typeof BaseForm;
    const defined = class extends base {};
    Object.defineProperty(defined, 'name', {
      value: base.name === 'BaseForm' || base.name === 'Form' ? 'Form' : base.name,
    });
    defined.baseFields = { ...base.baseFields, ...(fields as unknown as Fields) };
    for (const name of Object.keys(fields)) {
      if (RESERVED.has(name) || name in BaseForm.prototype || name in base.prototype) continue;
      Object.defineProperty(defined.prototype, name, {
        get(this: BaseForm) {
          return this.boundField(name);
        },
        configurable: true,
      });
    }
    return defined as unknown as FormClass<FieldsOf<C> & AsFields<G>, InstanceType<C>>;
  }

  /** Reorders `fields`: those named first, in that order (unknown names ignored), then the rest. */
  orderFields(order: readonly string[] | null | undefined): void {
    if (!order) return;
    const ordered: Fields = {};
    const fields = this.fields as Fields;
    for (const name of order) {
      if (name in fields) {
        ordered[name] = fields[name]!;
        delete fields[name];
      }
    }
    this.fields = { ...ordered, ...fields } as F;
  }

  /** The field `name` bound to this form (Django's `form[name]`). */
  boundField(name: string): BoundField {
    const field = (this.fields as Fields)[name];
    if (field === undefined) {
      throw new RangeError(
        `Key '${name}' not found in '${this.constructor.name}'. Choices are: ${Object.keys(this.fields).sort().join(', ')}.`,
      );
    }
    let bound = this.#boundFields.get(name);
    if (bound === undefined || bound.field !== field) {
      bound = field.getBoundField(this, name);
      this.#boundFields.set(name, bound);
    }
    return bound;
  }

  /** Every field, bound (`{% for field in form %}`). */
  *[Symbol.iterator](): Iterator<BoundField> {
    for (const name of Object.keys(this.fields)) yield this.boundField(name);
  }

  /** Whether the form was cleaned (by `isValid()` or `fullClean()`), so `errors` can be read. */
  get isCleaned(): boolean {
    return this.#errors !== undefined || !this.isBound;
  }

  /**
   * The errors by field (`__all__` for the others), once cleaned. An unbound form has none; a
   * bound one must be validated first (`await form.isValid()`).
   */
  get errors(): ErrorDict {
    if (this.#errors === undefined) {
      if (!this.isBound) return new ErrorDict();
      throw new Error(
        `The errors of ${this.constructor.name} were read before it was validated. Call \`await form.isValid()\` (or \`await form.fullClean()\`) first: cleaning may query the database, so it does not run when the errors are read.`,
      );
    }
    return this.#errors;
  }

  /** Whether the form is bound and every field (and `clean()`) accepted its data. */
  async isValid(): Promise<boolean> {
    if (this.#errors === undefined) await this.fullClean();
    return this.isBound && this.#errors !== undefined && this.#errors.size === 0;
  }

  /** `name` with the form's prefix (`prefix-name`). */
  addPrefix(fieldName: string): string {
    return this.prefix ? `${this.prefix}-${fieldName}` : fieldName;
  }

  /** The name of the hidden initial value of a field (`initial-prefix-name`). */
  addInitialPrefix(fieldName: string): string {
    return `initial-${this.addPrefix(fieldName)}`;
  }

  /** The errors not tied to a field (from `clean()`), an empty list if none. */
  nonFieldErrors(): ErrorList {
    return this.errors.get(NON_FIELD_ERRORS) ?? new this.errorClass([], 'nonfield');
  }

  /**
   * Adds errors to a field (`null` for the form's own), as Django's `add_error`: a message, a
   * list, a ValidationError, or errors per field (with `field` null). The field leaves
   * `cleanedData`.
   */
  addError(field: string | null, error: ValidationErrorMessage): void {
    const validation = error instanceof ValidationError ? error : new ValidationError(error);
    let byField: Record<string, ValidationError[]>;
    if (validation.errorDict !== undefined) {
      if (field !== null) {
        throw new TypeError(
          'addError(field, error): field must be null when the error holds errors for several fields.',
        );
      }
      byField = validation.errorDict;
    } else {
      byField = { [field ?? NON_FIELD_ERRORS]: validation.errorList };
    }
    this.#errors ??= new ErrorDict();
    for (const [name, list] of Object.entries(byField)) {
      let errors = this.#errors.get(name);
      if (errors === undefined) {
        if (name !== NON_FIELD_ERRORS && !(name in this.fields)) {
          throw new RangeError(`'${this.constructor.name}' has no field named '${name}'.`);
        }
        errors = name === NON_FIELD_ERRORS ? new this.errorClass([], 'nonfield') : new this.errorClass();
        this.#errors.set(name, errors);
      }
      errors.push(...list);
      delete (this.cleanedData as Record<string, unknown>)[name];
    }
  }

  /** Whether `field` has an error (of `code`, when given). */
  hasError(field: string, code?: string): boolean {
    const errors = this.errors.get(field);
    return errors !== undefined && (code === undefined || errors.asData().some((e) => e.code === code));
  }

  /** Cleans every field, then `clean()`, then `postClean()`; fills `errors` and `cleanedData`. */
  async fullClean(): Promise<void> {
    if (!this.startClean()) return;
    for (const [name, field] of Object.entries(this.fields as Fields)) await this.cleanField(name, field);
    await this.cleanForm();
    await this.postClean();
  }

  /**
   * `fullClean()` for a form whose fields and hooks never return a promise (the management form
   * of a formset): done at once. A promise met on the way is an error.
   */
  fullCleanSync(): void {
    const refuse = (): never => {
      throw new TypeError(
        `${this.constructor.name}.fullCleanSync() met a promise (an asynchronous field or hook): use \`await form.fullClean()\`.`,
      );
    };
    if (!this.startClean()) return;
    for (const [name, field] of Object.entries(this.fields as Fields)) {
      if (this.cleanField(name, field) !== undefined) refuse();
    }
    if (this.cleanForm() !== undefined) refuse();
    if (this.postClean() !== undefined) refuse();
  }

  /** Resets the errors and cleaned data; false when there is nothing to clean. */
  private startClean(): boolean {
    this.#errors = new ErrorDict();
    this.#changedData = undefined;
    if (!this.isBound) return false;
    this.cleanedData = {} as CleanedData<F>;
    return !(this.emptyPermitted && !this.hasChanged());
  }

  /** One field, then its `clean<Field>()` hook; a promise only when one of them returned one. */
  private cleanField(name: string, field: Field): Promise<void> | undefined {
    const cleaned = this.cleanedData as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    const value = field.disabled
      ? this.getInitialForField(field, name)
      : field.widget.valueFromDatadict(this.data, this.files, this.addPrefix(name));
    const fail = (error: unknown): void => {
      if (!(error instanceof ValidationError)) throw error;
      this.addError(name, error);
    };
    const hook = (result: unknown): Promise<void> | undefined => {
      cleaned[name] = result;
      const fn = self[hookName(name)] ?? self[`clean_${name}`];
      if (typeof fn !== 'function') return undefined;
      const hooked = (fn as (value: unknown) => unknown).call(this, result);
      if (hooked instanceof Promise) return hooked.then((v) => void (cleaned[name] = v), fail);
      cleaned[name] = hooked;
      return undefined;
    };
    try {
      const result =
        field instanceof FileField ? field.clean(value, this.getInitialForField(field, name)) : field.clean(value);
      if (result instanceof Promise) return result.then(hook).catch(fail);
      const pending = hook(result);
      return pending?.catch(fail);
    } catch (error) {
      fail(error);
      return undefined;
    }
  }

  private cleanForm(): Promise<void> | undefined {
    const fail = (error: unknown): void => {
      if (!(error instanceof ValidationError)) throw error;
      this.addError(null, error);
    };
    const keep = (result: unknown): void => {
      if (result !== undefined && result !== null) this.cleanedData = result as CleanedData<F>;
    };
    try {
      const result = this.clean();
      if (result instanceof Promise) return result.then(keep, fail);
      keep(result);
    } catch (error) {
      fail(error);
    }
    return undefined;
  }

  /** A hook run after `clean()` (ModelForm validates the model there). */
  protected postClean(): void | Promise<void> {
    return undefined;
  }

  /**
   * The form-wide check, after every field's: throw a ValidationError for a non-field error, or
   * `addError(field, ...)`; return the cleaned data (or nothing to keep it). A field that failed
   * is missing from `cleanedData` here.
   */
  clean(): CleanedData<F> | void | Promise<CleanedData<F> | void> {
    return this.cleanedData;
  }

  /** Whether the submitted data differs from the initial values. */
  hasChanged(): boolean {
    return this.changedData.length > 0;
  }

  /** The names of the fields whose submitted value differs from their initial one. */
  get changedData(): string[] {
    if (this.#changedData !== undefined) return this.#changedData;
    const changed: string[] = [];
    for (const [name, field] of Object.entries(this.fields as Fields)) {
      const prefixed = this.addPrefix(name);
      const dataValue = field.widget.valueFromDatadict(this.data, this.files, prefixed);
      let initialValue: unknown;
      if (!field.showHiddenInitial) {
        initialValue = this.boundField(name).initial;
      } else {
        const hidden = new field.hiddenWidget();
        try {
          initialValue = field.toPython(hidden.valueFromDatadict(this.data, this.files, this.addInitialPrefix(name)));
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          changed.push(name);
          continue;
        }
      }
      if (field.hasChanged(initialValue, dataValue)) changed.push(name);
    }
    this.#changedData = changed;
    return changed;
  }

  /**
   * Reads from the database what drawing the form needs: the options of the fields whose choices
   * are a queryset (ModelChoiceField). Call it before drawing such a form yourself; FormView and
   * the editing views do. A form without such fields needs nothing (no query).
   */
  async loadChoices(): Promise<void> {
    for (const field of Object.values(this.fields as Fields)) {
      const loader = field as unknown as { loadChoices?: () => Promise<void>; choicesLoaded?: boolean };
      if (typeof loader.loadChoices === 'function' && !loader.choicesLoaded) await loader.loadChoices();
    }
  }

  /** Whether the form needs `enctype="multipart/form-data"` (it has a file input). */
  isMultipart(): boolean {
    return Object.values(this.fields as Fields).some((field) => field.widget.needsMultipartForm);
  }

  /** The bound fields drawn as hidden inputs. */
  hiddenFields(): BoundField[] {
    return [...this].filter((field) => field.isHidden);
  }

  /** The bound fields drawn visibly. */
  visibleFields(): BoundField[] {
    return [...this].filter((field) => !field.isHidden);
  }

  /** The initial value of a field: the form's `initial`, else the field's (a function is called). */
  getInitialForField(field: Field, name: string): unknown {
    let value = name in this.initial ? this.initial[name] : field.initial;
    if (typeof value === 'function') value = (value as () => unknown)();
    return value;
  }

  private htmlOutput(spec: {
    normalRow: (row: Row) => string;
    errorRow: (html: string) => string;
    rowEnder: string;
    helpText: (html: string) => string;
    errorsOnSeparateRow: boolean;
  }): SafeString {
    const topErrors = this.nonFieldErrors().copy();
    const output: string[] = [];
    const hidden: string[] = [];
    let htmlClassAttr = '';
    for (const [name, field] of Object.entries(this.fields as Fields)) {
      htmlClassAttr = '';
      const bf = this.boundField(name);
      const bfErrors = new this.errorClass(bf.errors.data);
      if (bf.isHidden) {
        if (bfErrors.length) topErrors.push(...[...bfErrors].map((e) => `(Hidden field ${name}) ${e}`));
        hidden.push(bf.toString());
        continue;
      }
      const cssClasses = bf.cssClasses();
      if (cssClasses) htmlClassAttr = ` class="${cssClasses}"`;
      if (spec.errorsOnSeparateRow && bfErrors.length) output.push(spec.errorRow(bfErrors.toString()));
      const label = bf.label ? bf.labelTag(conditionalEscape(bf.label)).value : '';
      const helpText = field.helpText ? spec.helpText(String(field.helpText)) : '';
      output.push(
        spec.normalRow({
          errors: bfErrors.toString(),
          label,
          field: bf.toString(),
          helpText,
          htmlClassAttr,
        }),
      );
    }
    if (topErrors.length) output.unshift(spec.errorRow(topErrors.toString()));
    if (hidden.length) {
      const hiddenHtml = hidden.join('');
      if (output.length) {
        let last = output[output.length - 1]!;
        if (!last.endsWith(spec.rowEnder)) {
          last = spec.normalRow({ errors: '', label: '', field: '', helpText: '', htmlClassAttr });
          output.push(last);
        }
        output[output.length - 1] = last.slice(0, -spec.rowEnder.length) + hiddenHtml + spec.rowEnder;
      } else {
        output.push(hiddenHtml);
      }
    }
    return markSafe(output.join('\n'));
  }

  /** The fields as `<tr>` rows (without the `<table>`). */
  asTable(): SafeString {
    return this.htmlOutput({
      normalRow: (r) => `<tr${r.htmlClassAttr}><th>${r.label}</th><td>${r.errors}${r.field}${r.helpText}</td></tr>`,
      errorRow: (html) => `<tr><td colspan="2">${html}</td></tr>`,
      rowEnder: '</td></tr>',
      helpText: (html) => `<br><span class="helptext">${html}</span>`,
      errorsOnSeparateRow: false,
    });
  }

  /** The fields as `<li>` items (without the `<ul>`). */
  asUl(): SafeString {
    return this.htmlOutput({
      normalRow: (r) => `<li${r.htmlClassAttr}>${r.errors}${r.label} ${r.field}${r.helpText}</li>`,
      errorRow: (html) => `<li>${html}</li>`,
      rowEnder: '</li>',
      helpText: (html) => ` <span class="helptext">${html}</span>`,
      errorsOnSeparateRow: false,
    });
  }

  /** The fields as `<p>` paragraphs, errors above each. */
  asP(): SafeString {
    return this.htmlOutput({
      normalRow: (r) => `<p${r.htmlClassAttr}>${r.label} ${r.field}${r.helpText}</p>`,
      errorRow: (html) => html,
      rowEnder: '</p>',
      helpText: (html) => ` <span class="helptext">${html}</span>`,
      errorsOnSeparateRow: true,
    });
  }

  /** `{{ form }}` draws the table rows, as Django's. */
  toString(): string {
    return this.asTable().value;
  }

  __html__(): string {
    return this.asTable().value;
  }
}

interface Row {
  errors: string;
  label: string;
  field: string;
  helpText: string;
  htmlClassAttr: string;
}

templateAliases(BaseForm, {
  as_p: 'asP',
  as_table: 'asTable',
  as_ul: 'asUl',
  non_field_errors: 'nonFieldErrors',
  hidden_fields: 'hiddenFields',
  visible_fields: 'visibleFields',
  is_multipart: 'isMultipart',
  is_bound: 'isBound',
  cleaned_data: 'cleanedData',
  changed_data: 'changedData',
  has_changed: 'hasChanged',
});

/** Forms are declared with `Form.define({ ... })` (Django's `forms.Form`). */
export const Form = BaseForm;
export type Form<F extends Fields = Fields> = BaseForm<F>;
