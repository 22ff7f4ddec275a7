/**
 * Formsets of model forms, as Django's `BaseModelFormSet`, `modelformset_factory`,
 * `BaseInlineFormSet` and `inlineformset_factory`: one ModelForm per row of a queryset, plus extra
 * forms for new rows, each carrying its primary key in a hidden input; `save()` updates the changed
 * rows, creates the filled extra forms' rows and deletes those marked for deletion. Values that
 * must be unique are checked across the forms too. An inline formset edits the rows of a model
 * that point at one parent object (the chapters of a book).
 *
 * The rows are read asynchronously: `await formset.isValid()` reads them before the forms are
 * made, and `await formset.loadChoices()` before an unbound formset is drawn (FormView does).
 *
 * @example
 * const ChapterFormSet = inlineformsetFactory(Book, Chapter, { fields: ['number', 'name'], extra: 2, canDelete: true });
 * const formset = new ChapterFormSet({ instance: book, data: request.POST });
 * if (await formset.isValid()) await formset.save();
 */
import { ImproperlyConfigured, NON_FIELD_ERRORS, ValidationError } from '../core/exceptions.ts';
import type { AnyField } from '../db/models/fields/base.ts';
import { ForeignKey } from '../db/models/fields/related.ts';
import type { QuerySet } from '../db/models/query.ts';
import { getMeta, type Options } from '../db/models/options.ts';
import { Field } from './fields/base.ts';
import { ModelChoiceField } from './fields/models.ts';
import { BaseFormSet, formsetFactory, type FormSetOptions, type FormsetFactoryOptions } from './formsets.ts';
import type { BaseForm, FormOptions } from './forms.ts';
import {
  modelformFactory,
  type BaseModelForm,
  type ModelClass,
  type ModelFieldName,
  type ModelFormMeta,
} from './models.ts';
import { HiddenInput } from './widgets/base.ts';

type Row = Record<string, unknown>;
type AnyModelForm = BaseModelForm<object>;

export interface ModelFormSetOptions extends FormSetOptions {
  /** The rows edited (default: every row of the model, by primary key unless ordered). */
  queryset?: QuerySet<unknown> | null;
}

/** A formset of ModelForms of one model (Django's BaseModelFormSet). */
export class BaseModelFormSet<T extends AnyModelForm = AnyModelForm> extends BaseFormSet<T> {
  /** The model (set by the factory). */
  static model: ModelClass | undefined = undefined;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    duplicate: 'Please correct the duplicate data for %(field)s.',
    duplicate_unique: 'Please correct the duplicate data for %(field)s, which must be unique.',
    duplicate_values: 'Please correct the duplicate values below.',
  };

  readonly queryset: QuerySet<unknown> | null;
  #objects: Row[] | undefined;
  #emptyForm: T | undefined;
  /** After `save()`: the rows created, changed (with the changed field names) and deleted. */
  newObjects: object[] = [];
  changedObjects: [object, string[]][] = [];
  deletedObjects: object[] = [];

  constructor(options: ModelFormSetOptions = {}) {
    super(options);
    this.queryset = options.queryset ?? null;
  }

  get model(): ModelClass {
    const model = (this.constructor as typeof BaseModelFormSet).model;
    if (model === undefined) {
      throw new ImproperlyConfigured(`${this.constructor.name} has no model: make it with modelformsetFactory().`);
    }
    return model;
  }

  protected get meta(): Options {
    return getMeta(this.model);
  }

  /** The rows edited: `queryset`, or all of the model's, ordered by primary key when not ordered. */
  getQueryset(): QuerySet<unknown> {
    let qs = this.queryset ?? (this.meta.defaultManager as unknown as { all(): QuerySet<unknown> }).all();
    const ordered = (qs as unknown as { ordered?: boolean }).ordered;
    if (ordered === false) qs = qs.orderBy(this.meta.pk.name as never);
    return qs;
  }

  /** Reads the rows (once). `isValid()` and `loadChoices()` call it. */
  async loadQueryset(): Promise<void> {
    this.#objects ??= (await this.getQueryset()) as unknown as Row[];
  }

  /** Reads the rows, then every form's queryset choices (the empty form's too): before drawing the formset. */
  async loadChoices(): Promise<void> {
    await this.loadQueryset();
    for (const form of this.forms) await form.loadChoices();
    await this.emptyForm.loadChoices();
  }

  /** The form scripts copy to add rows: one per formset, so that its choices stay read. */
  override get emptyForm(): T {
    this.#emptyForm ??= super.emptyForm;
    return this.#emptyForm;
  }

  private get objects(): Row[] {
    if (this.#objects === undefined) {
      throw new Error(
        `The rows of ${this.constructor.name} were not read yet: call \`await formset.isValid()\` (bound) or \`await formset.loadChoices()\` (to draw it) first.`,
      );
    }
    return this.#objects;
  }

  override async isValid(): Promise<boolean> {
    await this.loadQueryset();
    return super.isValid();
  }

  override initialFormCount(): number {
    if (this.isBound) return super.initialFormCount();
    return this.objects.length;
  }

  /** The row of a submitted primary key among the rows read, or undefined. */
  protected existingObject(pk: unknown): Row | undefined {
    if (pk === null || pk === undefined || pk === '') return undefined;
    return this.objects.find((row) => String(row.pk) === String(pk));
  }

  protected override constructForm(i: number, kwargs: FormOptions & Record<string, unknown>): T {
    const pkRequired = i < this.initialFormCount();
    const extra: Record<string, unknown> = {};
    if (pkRequired) {
      if (this.isBound) {
        const pkName = this.meta.pk.name;
        const key = `${this.addPrefix(i)}-${pkName}`;
        const data = this.data as { get?(key: string): unknown } & Record<string, unknown>;
        const raw = typeof data.get === 'function' ? data.get(key) : data[key];
        const row = this.existingObject(Array.isArray(raw) ? raw.at(-1) : raw);
        if (row !== undefined) extra.instance = row;
      } else {
        extra.instance = this.objects[i];
      }
      // `initial` is for the extra forms: an existing row's form starts from the row.
      if (!('initial' in kwargs)) extra.initial = {};
    } else if (this.initial && i - this.initialFormCount() < this.initial.length) {
      extra.initial = this.initial[i - this.initialFormCount()];
    }
    const form = super.constructForm(i, { ...kwargs, ...extra });
    if (pkRequired) (form.fields as Record<string, Field>)[this.meta.pk.name]!.required = true;
    return form;
  }

  /** Adds the hidden primary key field (and ORDER/DELETE). */
  override addFields(form: BaseForm, index: number | null): void {
    const pk = this.meta.pk;
    const instance = (form as unknown as { instance?: Row }).instance;
    const fields = form.fields as Record<string, Field>;
    if (!(pk.name in fields) || !pk.editable) {
      fields[pk.name] = new ModelChoiceField({
        queryset: this.getQueryset() as never,
        required: false,
        widget: HiddenInput,
        initial: instance?.pk ?? null,
      });
    }
    super.addFields(form, index);
  }

  /** Saves the changed rows, creates the new ones and deletes those marked; returns the saved rows. */
  async save(options: { commit?: boolean } = {}): Promise<object[]> {
    const commit = options.commit !== false;
    if (!commit) {
      const forms = [...this.forms];
      this.saveM2m = async () => {
        for (const form of forms) await form.saveM2m();
      };
    }
    return [...(await this.saveExistingObjects(commit)), ...(await this.saveNewObjects(commit))];
  }

  /** With `save({ commit: false })`: saves the many-to-many values of every saved form. */
  saveM2m: () => Promise<void> = async () => {
    throw new Error(`${this.constructor.name}.saveM2m() is set by save({ commit: false }): call that first.`);
  };

  /** Saves one form's object (override to set values first). */
  saveNew(form: T, commit = true): Promise<object> {
    return form.save({ commit });
  }

  saveExisting(form: T, _object: object, commit = true): Promise<object> {
    return form.save({ commit });
  }

  /** Deletes one row (with `commit`). */
  async deleteExisting(object: object, commit = true): Promise<void> {
    if (commit) await (object as { delete(): Promise<unknown> }).delete();
  }

  private async saveExistingObjects(commit: boolean): Promise<object[]> {
    this.changedObjects = [];
    this.deletedObjects = [];
    const saved: object[] = [];
    const deleted = new Set(this.deletedForms);
    for (const form of this.initialForms) {
      const object = form.instance as Row;
      if (object.pk === null || object.pk === undefined) continue;
      if (deleted.has(form)) {
        this.deletedObjects.push(object);
        await this.deleteExisting(object, commit);
        continue;
      }
      if (form.hasChanged()) {
        this.changedObjects.push([object, form.changedData]);
        saved.push(await this.saveExisting(form, object, commit));
      }
    }
    return saved;
  }

  private async saveNewObjects(commit: boolean): Promise<object[]> {
    this.newObjects = [];
    for (const form of this.extraForms) {
      if (!form.hasChanged()) continue;
      if (this.canDelete && this.shouldDeleteForm(form)) continue;
      this.newObjects.push(await this.saveNew(form, commit));
    }
    return this.newObjects;
  }

  /** The formset's own check: values that must be unique are unique across the forms. */
  override clean(): void | Promise<void> {
    this.validateUnique();
  }

  /** Django's `validate_unique` across forms: unique fields and uniqueTogether sets. */
  validateUnique(): void {
    const valid = this.forms.filter(
      (form) => form.isCleaned && form.errors.size === 0 && !(this.canDelete && this.shouldDeleteForm(form)),
    );
    if (valid.length === 0) return;
    const meta = this.meta;
    const checks: string[][] = [];
    for (const field of meta.concreteFields) if (field.unique && !field.primaryKey) checks.push([field.name]);
    for (const set of meta.uniqueTogether) checks.push([...set]);
    for (const constraint of meta.constraints) {
      const unique = constraint as { fields?: readonly string[]; condition?: unknown };
      if (constraint.constructor.name === 'UniqueConstraint' && unique.fields && unique.condition === undefined)
        checks.push([...unique.fields]);
    }
    const errors: ValidationError[] = [];
    for (const names of checks) {
      const seen = new Set<string>();
      for (const form of valid) {
        const cleaned = form.cleanedData as Record<string, unknown>;
        if (!names.every((name) => name in form.fields && name in cleaned)) continue;
        const values = names.map((name) => cleaned[name]);
        if (values.some((v) => v === null || v === undefined || v === '')) continue;
        const key = JSON.stringify(values.map((v) => keyOf(v)));
        if (seen.has(key)) {
          errors.push(this.uniqueErrorMessage(names));
          const formErrors = form.errors.get(NON_FIELD_ERRORS);
          if (formErrors !== undefined) formErrors.data.splice(0);
          form.addError(null, new ValidationError(this.errorMessages.duplicate_values!));
          for (const name of names) delete (form.cleanedData as Record<string, unknown>)[name];
          break;
        }
        seen.add(key);
      }
    }
    if (errors.length) throw new ValidationError(errors);
  }

  /** The non-form error of values repeated across forms (Django 3.2's messages carry no code). */
  protected uniqueErrorMessage(names: readonly string[]): ValidationError {
    const field = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
    const message = names.length === 1 ? this.errorMessages.duplicate! : this.errorMessages.duplicate_unique!;
    return new ValidationError(message, { params: { field } });
  }
}

/** A value as a comparable key: a model instance by its primary key. */
function keyOf(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'pk' in value) return (value as { pk: unknown }).pk;
  if (value !== null && typeof value === 'object') return String(value);
  return value;
}

export interface ModelFormsetFactoryOptions<K extends string = string>
  extends ModelFormMeta<K>, Omit<FormsetFactoryOptions, 'formset'> {
  /** The ModelForm class to extend (a ModelForm of the model is made on it). */
  form?: typeof BaseModelForm;
  formset?: typeof BaseModelFormSet;
}

/** The formset class `modelformsetFactory()` returns. */
export type ModelFormSetClass<F extends AnyModelForm = AnyModelForm> = (new (
  options?: ModelFormSetOptions,
) => BaseModelFormSet<F>) &
  Omit<typeof BaseModelFormSet, 'prototype'>;

/** Django's `modelformset_factory`: a formset class of ModelForms of `model`. */
export function modelformsetFactory<M extends object, const K extends ModelFieldName<M>>(
  model: ModelClass<M>,
  options: ModelFormsetFactoryOptions<K> = {},
): ModelFormSetClass<BaseModelForm<M>> {
  const {
    form,
    formset = BaseModelFormSet,
    fields,
    exclude,
    widgets,
    labels,
    helpTexts,
    errorMessages,
    fieldClasses,
    localizedFields,
    ...formsetOptions
  } = options;
  const meta: ModelFormMeta<K> = {
    ...(fields !== undefined ? { fields } : {}),
    ...(exclude !== undefined ? { exclude } : {}),
    ...(widgets !== undefined ? { widgets } : {}),
    ...(labels !== undefined ? { labels } : {}),
    ...(helpTexts !== undefined ? { helpTexts } : {}),
    ...(errorMessages !== undefined ? { errorMessages } : {}),
    ...(fieldClasses !== undefined ? { fieldClasses } : {}),
    ...(localizedFields !== undefined ? { localizedFields } : {}),
  };
  if (meta.fields === undefined && meta.exclude === undefined) {
    throw new ImproperlyConfigured(
      "Calling modelformsetFactory without defining 'fields' or 'exclude' explicitly is prohibited.",
    );
  }
  const formClass = modelformFactory(model, { ...meta, ...(form !== undefined ? { form } : {}) });
  const cls = formsetFactory(formClass as never, { ...formsetOptions, formset: formset as never });
  (cls as unknown as typeof BaseModelFormSet).model = model;
  Object.defineProperty(cls, 'name', { value: `${getMeta(model).objectName}FormSet` });
  return cls as unknown as ModelFormSetClass<BaseModelForm<M>>;
}

/**
 * The parent's key on each form of an inline formset: drawn hidden, and always the parent
 * instance when cleaned (a submitted value naming another parent is refused).
 */
export class InlineForeignKeyField extends Field<object> {
  static override defaultWidget = HiddenInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_choice: 'The inline value did not match the parent instance.',
  };
  parentInstance!: Row;
  /** Tells ModelForm to leave this field out of the model's field validation. */
  readonly inlineForeignKey = true;

  constructor(parentInstance: Row) {
    super({ required: false, label: null, initial: parentInstance.pk ?? null });
    this.parentInstance = parentInstance;
  }

  override clean(value: unknown): object {
    const pk = this.parentInstance.pk;
    if (this.isEmpty(value) || pk === null || pk === undefined) return this.parentInstance;
    if (String(value) !== String(pk)) throw this.error('invalid_choice');
    return this.parentInstance;
  }

  override hasChanged(): boolean {
    return false;
  }
}

export interface InlineFormSetOptions extends ModelFormSetOptions {
  /** The parent object whose rows are edited (a new one: no rows). */
  instance?: object | null;
}

/** A formset of the rows of a model that point at one parent object (Django's BaseInlineFormSet). */
export class BaseInlineFormSet<T extends AnyModelForm = AnyModelForm> extends BaseModelFormSet<T> {
  /** The ForeignKey to the parent (set by the factory). */
  static fk: ForeignKey | undefined = undefined;
  readonly instance: Row;

  constructor(options: InlineFormSetOptions = {}) {
    const cls = new.target as unknown as typeof BaseInlineFormSet;
    const fk = cls.fk!;
    const parent = (options.instance ?? new (fk.remote().model as unknown as new () => object)()) as Row;
    const pk = parent.pk;
    const model = cls.model! as unknown as { objects: { all(): QuerySet<unknown> } };
    const base = options.queryset ?? getMeta(model).defaultManager.all();
    const queryset =
      pk === null || pk === undefined
        ? (base as QuerySet<unknown>).none()
        : (base as QuerySet<unknown>).filter({ [fk.name]: pk } as never);
    super({ ...options, queryset });
    this.instance = parent;
  }

  get fk(): ForeignKey {
    return (this.constructor as typeof BaseInlineFormSet).fk!;
  }

  static override getDefaultPrefix(this: typeof BaseInlineFormSet): string {
    const fk = this.fk!;
    return fk.relatedObject().accessorName.replace(/\+$/, '');
  }

  protected override constructForm(i: number, kwargs: FormOptions & Record<string, unknown>): T {
    const form = super.constructForm(i, kwargs);
    // The parent's key, even on a new object (so that its validation sees it).
    (form.instance as Row)[this.fk.name] = this.instance;
    return form;
  }

  override addFields(form: BaseForm, index: number | null): void {
    super.addFields(form, index);
    (form.fields as Record<string, Field>)[this.fk.name] = new InlineForeignKeyField(this.instance);
  }

  /** The parent's key is left out of the message (it is the same on every form). */
  protected override uniqueErrorMessage(names: readonly string[]): ValidationError {
    return super.uniqueErrorMessage(names.filter((name) => name !== this.fk.name));
  }

  override saveNew(form: T, commit = true): Promise<object> {
    // The parent may have been saved since the forms were made: its key now.
    (form.instance as Row)[this.fk.name] = this.instance;
    return super.saveNew(form, commit);
  }
}

/** The ForeignKey of `model` to `parent`: `name` when given, else the only one. */
function findForeignKey(parent: ModelClass, model: ModelClass, name?: string): ForeignKey {
  const parentMeta = getMeta(parent);
  const meta = getMeta(model);
  const keys = meta.concreteFields.filter(
    (f: AnyField): f is ForeignKey => f instanceof ForeignKey && (f as ForeignKey).remote() === parentMeta,
  );
  if (name !== undefined) {
    const named = keys.find((f) => f.name === name);
    if (named === undefined)
      throw new ImproperlyConfigured(`fk '${name}' is not a ForeignKey to '${parentMeta.label}'.`);
    return named;
  }
  if (keys.length === 1) return keys[0]!;
  if (keys.length === 0) throw new ImproperlyConfigured(`'${meta.label}' has no ForeignKey to '${parentMeta.label}'.`);
  throw new ImproperlyConfigured(
    `'${meta.label}' has more than one ForeignKey to '${parentMeta.label}'. You must specify a 'fk' attribute.`,
  );
}

/** Django's `inlineformset_factory`: a formset of the `model` rows pointing at a `parent` object. */
export function inlineformsetFactory<P extends object, M extends object, const K extends ModelFieldName<M>>(
  parent: ModelClass<P>,
  model: ModelClass<M>,
  options: Omit<ModelFormsetFactoryOptions<K>, 'formset'> & { fk?: string; formset?: typeof BaseInlineFormSet } = {},
): (new (options?: InlineFormSetOptions) => BaseInlineFormSet<BaseModelForm<M>>) &
  Omit<typeof BaseInlineFormSet, 'prototype'> {
  const fk = findForeignKey(parent, model, options.fk);
  const { fk: _fk, formset = BaseInlineFormSet, ...rest } = options;
  const fields = Array.isArray(rest.fields) ? rest.fields.filter((f) => f !== fk.name) : rest.fields;
  const cls = modelformsetFactory(model, {
    extra: 3,
    canDelete: true,
    ...rest,
    ...(fields !== undefined ? { fields: fields as readonly K[] | '__all__' } : {}),
    formset: formset as never,
  });
  (cls as unknown as typeof BaseInlineFormSet).fk = fk;
  return cls as never;
}
