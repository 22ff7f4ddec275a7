/**
 * Forms made from models, as Django's `django.forms.models`: `ModelForm.define(Model, { fields })`
 * makes a form whose fields come from the model's (a CharField's `maxLength`, a ForeignKey's
 * queryset, the verbose names as labels...), which validates the instance the model's way (its
 * `cleanFields()`, `clean()`, unique fields, `uniqueTogether` and unique constraints) and saves it
 * (`await form.save()`, with the many-to-many values).
 *
 * @example
 * class PostForm extends ModelForm.define(Post, { fields: ['title', 'author', 'tags'], widgets: { title: TextInput } }) {
 *   cleanTitle(value: string) { return value.trim(); }
 * }
 * const form = new PostForm({ data: request.POST, instance: post });   // no instance: a new Post
 * await form.loadChoices();            // before drawing it: the author and tags options
 * if (await form.isValid()) post = await form.save();
 */
import { ImproperlyConfigured, NON_FIELD_ERRORS, ValidationError } from '../core/exceptions.ts';
import type { AnyField } from '../db/models/fields/base.ts';
import * as db from '../db/models/fields/scalar.ts';
import * as dbTemporal from '../db/models/fields/temporal.ts';
import * as dbFiles from '../db/models/fields/files.ts';
import { ForeignKey, ManyToManyField } from '../db/models/fields/related.ts';
import { getMeta, type Options, type RelationField } from '../db/models/options.ts';
import type { Manager } from '../db/models/manager.ts';
import { Exists, OuterRef } from '../db/models/expressions.ts';
import { QNode } from '../db/models/q.ts';
import { QuerySet } from '../db/models/query.ts';
import { capfirst } from '../utils/text.ts';
import type { Field, FieldOptions } from './fields/base.ts';
import { BooleanField, NullBooleanField, TypedChoiceField } from './fields/choice.ts';
import { FileField, ImageField } from './fields/files.ts';
import { ModelChoiceField, ModelMultipleChoiceField } from './fields/models.ts';
import { DecimalField, FloatField, IntegerField } from './fields/numbers.ts';
import { DateField, DateTimeField, DurationField, TimeField } from './fields/temporal.ts';
import { CharField, EmailField, JSONField, SlugField, URLField, UUIDField } from './fields/text.ts';
import { BaseForm, type FieldDeclarations, type Fields, type FormOptions, type FormWith } from './forms.ts';
import type { Widget, WidgetClass } from './widgets/base.ts';
import { Textarea } from './widgets/base.ts';

/** A model class (made by `Model.define()`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model class, whatever its constructor takes
export type ModelClass<M = object> = abstract new (...args: any[]) => M;

/** Django's `class Meta` of a ModelForm. */
export interface ModelFormMeta<K extends string = string> {
  /** The model fields the form edits, in order, or `'__all__'`. One of fields and exclude is required. */
  fields?: readonly K[] | '__all__';
  /** The model fields left out (with `'__all__'`, or instead of fields). */
  exclude?: readonly string[];
  /** A widget per field (class or instance). */
  widgets?: Readonly<Record<string, Widget | WidgetClass>>;
  labels?: Readonly<Record<string, string>>;
  helpTexts?: Readonly<Record<string, string>>;
  /** Messages by error code, per field (they apply to the model's validation too). */
  errorMessages?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Another form field class per field. */
  fieldClasses?: Readonly<Record<string, new (options: never) => Field>>;
  /** Fields to draw in the locale's formats. */
  localizedFields?: readonly string[] | '__all__';
}

/** The form field options of one model field, from the Meta (widget, label, ...). */
interface Overrides {
  widget?: Widget | WidgetClass;
  label?: string;
  helpText?: string;
  errorMessages?: Readonly<Record<string, string>>;
  localize?: boolean;
  formClass?: new (options: never) => Field;
}

/** The default manager's rows of a relation's target (Django's `_default_manager`). */
function targetManager(field: RelationField): Manager<unknown> {
  return field.remote().defaultManager as unknown as Manager<unknown>;
}

/**
 * The form field of a model field (Django's `Field.formfield()`), or null for a field a form does
 * not edit (not editable: automatic keys, `autoNow` dates, binary data).
 */
export function formfieldFor(field: AnyField, overrides: Overrides = {}): Field | null {
  if (!field.editable || field.dbGenerated || field instanceof db.AutoField) return null;
  const base: FieldOptions & Record<string, unknown> = {
    required: !field.blank,
    label: overrides.label ?? capfirst(field.label),
    helpText: overrides.helpText ?? field.helpText,
  };
  if (overrides.widget !== undefined) base.widget = overrides.widget;
  if (overrides.errorMessages !== undefined) base.errorMessages = overrides.errorMessages;
  if (overrides.localize) base.localize = true;
  if (field.hasDefault()) {
    const fallback = field.options.default as unknown;
    if (typeof fallback === 'function') {
      base.initial = fallback;
      base.showHiddenInitial = true;
    } else base.initial = fallback;
  }
  const make = <O>(cls: new (options: O) => Field, options: O): Field => {
    const chosen = (overrides.formClass ?? cls) as unknown as new (options: O) => Field;
    return new chosen(options);
  };

  if (field instanceof ManyToManyField) {
    return make(ModelMultipleChoiceField, {
      ...base,
      queryset: targetManager(field),
      limitChoicesTo: field.options.limitChoicesTo,
    } as never);
  }
  if (field instanceof ForeignKey) {
    const toField = (field.options as { toField?: string }).toField;
    return make(ModelChoiceField, {
      ...base,
      queryset: targetManager(field),
      toFieldName: toField ?? null,
      blank: field.blank,
      limitChoicesTo: (field.options as { limitChoicesTo?: unknown }).limitChoicesTo,
    } as never);
  }
  if (field.choices !== undefined) {
    const includeBlank = field.blank || !(field.hasDefault() || 'initial' in base);
    const choices: (readonly [unknown, unknown])[] = includeBlank ? [['', '---------']] : [];
    for (const choice of field.choices) choices.push(choice as readonly [unknown, unknown]);
    return make(TypedChoiceField, {
      ...base,
      choices,
      coerce: (value: string) => field.toJs(value),
      emptyValue: field.null ? null : '',
    } as never);
  }
  const text = { ...base, ...(field.null ? { emptyValue: null } : {}) };
  const maxLength = (field as { maxLength?: number }).maxLength ?? (field.options as { maxLength?: number }).maxLength;
  if (field instanceof db.BooleanField) {
    return make(field.null ? NullBooleanField : BooleanField, { ...base, required: false } as never);
  }
  if (field instanceof db.EmailField) return make(EmailField, { ...text, maxLength } as never);
  if (field instanceof db.SlugField) return make(SlugField, { ...text, maxLength } as never);
  if (field instanceof db.URLField) return make(URLField, { ...text, maxLength } as never);
  if (field instanceof db.CharField) return make(CharField, { ...text, maxLength } as never);
  if (field instanceof db.TextField) {
    return make(CharField, { widget: Textarea, ...text, ...(maxLength !== undefined ? { maxLength } : {}) } as never);
  }
  if (field instanceof db.UUIDField) return make(UUIDField, base as never);
  if (field instanceof db.JSONField) return make(JSONField, base as never);
  if (field instanceof db.DecimalField) {
    return make(DecimalField, { ...base, maxDigits: field.maxDigits, decimalPlaces: field.decimalPlaces } as never);
  }
  if (field instanceof db.FloatField) return make(FloatField, base as never);
  if (
    field instanceof db.PositiveIntegerField ||
    field instanceof db.PositiveSmallIntegerField ||
    field instanceof db.PositiveBigIntegerField
  ) {
    return make(IntegerField, { ...base, minValue: 0 } as never);
  }
  if (field instanceof db.IntegerField || field instanceof db.BigIntegerField) return make(IntegerField, base as never);
  if (field instanceof dbTemporal.DateTimeField) return make(DateTimeField, base as never);
  if (field instanceof dbTemporal.DateField) return make(DateField, base as never);
  if (field instanceof dbTemporal.TimeField) return make(TimeField, base as never);
  if (field instanceof dbTemporal.DurationField) return make(DurationField, base as never);
  if (field instanceof dbFiles.ImageField) return make(ImageField, { ...base, maxLength: field.maxLength } as never);
  if (field instanceof dbFiles.FileField) return make(FileField, { ...base, maxLength: field.maxLength } as never);
  return make(CharField, text as never);
}

/** The model fields a form edits, in the model's order (Django's many-to-many last). */
function editableFields(meta: Options): AnyField[] {
  return [...meta.concreteFields, ...(meta.manyToMany as AnyField[])];
}

/**
 * The form fields of a model (Django's `fields_for_model`): `fields` picks and orders them,
 * `exclude` leaves some out. Naming a field the model does not have, or one that is not editable,
 * is an error.
 */
export function fieldsForModel(model: ModelClass, meta: ModelFormMeta = {}): Fields {
  const options = getMeta(model);
  const { fields, exclude = [] } = meta;
  const chosen: Fields = {};
  const ignored: string[] = [];
  for (const field of editableFields(options)) {
    if (Array.isArray(fields) && !fields.includes(field.name)) continue;
    if (exclude.includes(field.name)) continue;
    if (!field.editable) {
      if (Array.isArray(fields) && fields.includes(field.name)) {
        throw new ImproperlyConfigured(
          `'${field.name}' cannot be specified for ${options.objectName} model form as it is a non-editable field.`,
        );
      }
      continue;
    }
    const localized = meta.localizedFields === '__all__' || (meta.localizedFields ?? []).includes(field.name);
    const formfield = formfieldFor(field, {
      ...(meta.widgets?.[field.name] !== undefined ? { widget: meta.widgets[field.name] } : {}),
      ...(meta.labels?.[field.name] !== undefined ? { label: meta.labels[field.name] } : {}),
      ...(meta.helpTexts?.[field.name] !== undefined ? { helpText: meta.helpTexts[field.name] } : {}),
      ...(meta.errorMessages?.[field.name] !== undefined ? { errorMessages: meta.errorMessages[field.name] } : {}),
      ...(meta.fieldClasses?.[field.name] !== undefined ? { formClass: meta.fieldClasses[field.name] } : {}),
      ...(localized ? { localize: true } : {}),
    });
    if (formfield === null) ignored.push(field.name);
    else chosen[field.name] = formfield;
  }
  if (Array.isArray(fields)) {
    const ordered: Fields = {};
    for (const name of fields) {
      if (exclude.includes(name) || ignored.includes(name)) continue;
      if (chosen[name] === undefined) {
        throw new ImproperlyConfigured(
          `Unknown field(s) (${name}) specified for ${options.objectName}. Its fields are: ${editableFields(options)
            .map((f) => f.name)
            .join(', ')}.`,
        );
      }
      ordered[name] = chosen[name];
    }
    return ordered;
  }
  return chosen;
}

/** The instance's values of the form's fields, as a form's `initial` (Django's `model_to_dict`); many-to-many are read by `loadManyToMany()`. */
export function modelToDict(
  instance: object,
  fields?: readonly string[],
  exclude: readonly string[] = [],
): Record<string, unknown> {
  const meta = getMeta(instance.constructor);
  const self = instance as Record<string, unknown>;
  const data: Record<string, unknown> = {};
  for (const field of meta.concreteFields) {
    if (!field.editable) continue;
    if (fields !== undefined && !fields.includes(field.name)) continue;
    if (exclude.includes(field.name)) continue;
    data[field.name] = self[field.attname];
  }
  return data;
}

/** A ModelForm's options: a form's, and the instance it edits. */
export interface ModelFormOptions<M> extends FormOptions {
  /** The object edited; none: a new one (saved by `save()`). */
  instance?: M | null;
}

/** A ModelForm's own settings, on its class. */
interface ModelFormSettings {
  model: ModelClass;
  meta: ModelFormMeta;
}

/**
 * Narrows a choice field's queryset to its `limitChoicesTo` (Django's
 * `apply_limit_choices_to_to_formfield`), through EXISTS so that a limit across a multi-valued
 * relation gives each row once. Run for each form, so that a function limit is read per form.
 */
function applyLimitChoicesTo(field: Field): void {
  if (!(field instanceof ModelChoiceField) || field.queryset === null) return;
  const limit = field.getLimitChoicesTo();
  if (limit === undefined || (!(limit instanceof QNode) && Object.keys(limit).length === 0)) return;
  const queryset = field.queryset;
  const rows = new QuerySet<object>(queryset.model).filter(limit as never).filter({ pk: new OuterRef('pk') } as never);
  field.queryset = queryset.filter(new Exists(rows) as never);
}

/** A form of a model. Declare one with `ModelForm.define(Model, { fields })`. */
export class BaseModelForm<M extends object = object, F extends Fields = Fields> extends BaseForm<F> {
  /** The model and Meta of a defined ModelForm. */
  static modelForm: ModelFormSettings | undefined = undefined;
  /** The object edited (a new, unsaved one for a creation form). */
  instance: M;
  #m2mLoaded = false;
  #initialGiven: Readonly<Record<string, unknown>>;

  constructor(options: ModelFormOptions<M> & Record<string, unknown> = {}) {
    const cls = new.target as unknown as typeof BaseModelForm;
    const settings = cls.modelForm;
    if (settings === undefined) {
      throw new ImproperlyConfigured(
        `${cls.name} has no model: declare it with ModelForm.define(Model, { fields: [...] }).`,
      );
    }
    const Model = settings.model as unknown as new (init?: Record<string, unknown>) => M;
    const instance = options.instance ?? new Model();
    const fields = Object.keys(cls.baseFields);
    const objectData = modelToDict(instance, fields, settings.meta.exclude);
    super({ ...options, initial: { ...objectData, ...(options.initial ?? {}) } });
    this.instance = instance;
    this.#initialGiven = options.initial ?? {};
    for (const field of Object.values(this.fields as Fields)) applyLimitChoicesTo(field);
  }

  private get settings(): ModelFormSettings {
    return (this.constructor as typeof BaseModelForm).modelForm!;
  }

  /**
   * Reads what drawing the form needs from the database: the options of the choice fields and,
   * for an existing instance, its many-to-many values.
   */
  override async loadChoices(): Promise<void> {
    await this.loadManyToMany();
    await super.loadChoices();
  }

  /** The instance's many-to-many values as initial data (one query per field, once). */
  async loadManyToMany(): Promise<void> {
    if (this.#m2mLoaded) return;
    this.#m2mLoaded = true;
    const instance = this.instance as Record<string, unknown>;
    if (instance.pk === null || instance.pk === undefined) return;
    const meta = getMeta(this.instance.constructor);
    const initial = { ...this.initial };
    for (const field of meta.manyToMany) {
      if (!(field.name in this.fields) || field.name in this.#initialGiven) continue;
      const related = instance[field.name] as { all(): PromiseLike<unknown[]> };
      initial[field.name] = await related.all();
    }
    this.initial = initial;
  }

  /** Whether the form edits an object not saved yet. */
  get adding(): boolean {
    const pk = (this.instance as { pk?: unknown }).pk;
    return pk === null || pk === undefined;
  }

  /** Sets the instance's attributes from the cleaned data (Django's `construct_instance`). */
  protected constructInstance(): void {
    const meta = getMeta(this.instance.constructor);
    const cleaned = this.cleanedData as Record<string, unknown>;
    const self = this.instance as Record<string, unknown>;
    const fileFields: AnyField[] = [];
    for (const field of meta.concreteFields) {
      if (!field.editable || field instanceof db.AutoField || !(field.name in cleaned)) continue;
      if (!(field.name in this.fields)) continue;
      // A field with a default that the data leaves out keeps the default (an omitted checkbox excepted).
      const formField = (this.fields as Fields)[field.name]!;
      if (
        field.hasDefault() &&
        formField.widget.valueOmittedFromData(this.data, this.files, this.addPrefix(field.name)) &&
        !(cleaned[field.name] !== null && cleaned[field.name] !== undefined && cleaned[field.name] !== '')
      )
        continue;
      if (field instanceof dbFiles.FileField) {
        fileFields.push(field);
        continue;
      }
      self[field.name] = cleaned[field.name];
    }
    for (const field of fileFields) {
      const value = cleaned[field.name];
      if (value === false) self[field.name] = '';
      else if (value !== null && value !== undefined && value !== self[field.name]) self[field.name] = value;
    }
  }

  /** The model fields left out of the model's validation (Django's `_get_validation_exclusions`). */
  protected validationExclusions(): string[] {
    const meta = getMeta(this.instance.constructor);
    const { exclude = [] } = this.settings.meta;
    const cleaned = this.cleanedData as Record<string, unknown>;
    const excluded: string[] = [];
    for (const field of editableFields(meta)) {
      const name = field.name;
      const formField = (this.fields as Fields)[name];
      if (formField === undefined || exclude.includes(name) || this.errors.has(name)) excluded.push(name);
      else if (!formField.required && !field.blank && field.name in cleaned && formField.isEmpty(cleaned[name]))
        excluded.push(name);
    }
    return excluded;
  }

  /** Puts the model's validation errors on the form: a field not in the form's goes to the non-field errors. */
  private addModelErrors(error: ValidationError): void {
    const dict = error.errorDict ?? { [NON_FIELD_ERRORS]: error.errorList };
    const messages = this.settings.meta.errorMessages ?? {};
    for (const [name, list] of Object.entries(dict)) {
      const target = name !== NON_FIELD_ERRORS && name in this.fields ? name : null;
      for (const single of list) {
        const replacement = single.code !== undefined ? messages[target ?? NON_FIELD_ERRORS]?.[single.code] : undefined;
        if (replacement !== undefined) single.message = replacement;
      }
      this.addError(target, new ValidationError(list));
    }
  }

  /** After the form's validation: the instance gets the data, then the model validates it. */
  protected override async postClean(): Promise<void> {
    const exclude = this.validationExclusions();
    // An inline formset's key to its parent is left out of the fields' validation (the parent may
    // not be saved yet) but kept in the uniqueness checks, as Django does.
    for (const [name, field] of Object.entries(this.fields as Fields))
      if ((field as { inlineForeignKey?: boolean }).inlineForeignKey) exclude.push(name);
    try {
      this.constructInstance();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.addModelErrors(error);
    }
    const model = this.instance as unknown as {
      fullClean(o: { exclude?: readonly string[]; validateUnique?: boolean }): Promise<void>;
      validateUnique(exclude: readonly string[]): Promise<void>;
    };
    try {
      await model.fullClean({ exclude, validateUnique: false });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.addModelErrors(error);
    }
    try {
      await model.validateUnique([...new Set([...this.validationExclusions(), ...this.errors.keys()])]);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.addModelErrors(error);
    }
  }

  /**
   * Saves the instance and its many-to-many values, and returns it. With `{ commit: false }` it
   * saves nothing: save the instance yourself, then call `form.saveM2m()`.
   */
  async save(options: { commit?: boolean } = {}): Promise<M> {
    if (this.errors.size > 0) {
      const meta = getMeta(this.instance.constructor);
      throw new Error(
        `The ${meta.objectName} could not be ${this.adding ? 'created' : 'changed'} because the data didn't validate.`,
      );
    }
    if (options.commit === false) {
      this.saveM2m = () => this.writeManyToMany();
      return this.instance;
    }
    await (this.instance as unknown as { save(): Promise<void> }).save();
    await this.writeManyToMany();
    return this.instance;
  }

  /** Saves the many-to-many values; set by `save({ commit: false })`. */
  saveM2m: () => Promise<void> = async () => {
    throw new Error(
      `${this.constructor.name}.saveM2m() is set by save({ commit: false }): call that first, then save the instance, then saveM2m().`,
    );
  };

  private async writeManyToMany(): Promise<void> {
    const meta = getMeta(this.instance.constructor);
    const cleaned = this.cleanedData as Record<string, unknown>;
    const { exclude = [] } = this.settings.meta;
    const self = this.instance as Record<string, unknown>;
    for (const field of meta.manyToMany) {
      if (!(field.name in this.fields) || exclude.includes(field.name) || !(field.name in cleaned)) continue;
      const related = self[field.name] as { set(objs: unknown[]): Promise<void> };
      await related.set(cleaned[field.name] as unknown[]);
    }
  }

  /**
   * A ModelForm class of `model` (Django's `class Meta: model = ...; fields = [...]`), or, given
   * fields, this form with more fields (as `Form.define()`).
   */
  static defineModel<C extends typeof BaseModelForm, M extends object, K extends string>(
    this: C,
    model: ModelClass<M>,
    meta: ModelFormMeta<K>,
  ): ModelFormClass<M, ModelFields<M, K>> {
    if (meta.fields === undefined && meta.exclude === undefined) {
      throw new ImproperlyConfigured(
        `Creating a ModelForm without either the 'fields' attribute or the 'exclude' attribute is prohibited; form ${getMeta(model).objectName}Form needs updating. Give { fields: [...] }, { fields: '__all__' } or { exclude: [...] }.`,
      );
    }
    const base = this as unknown as typeof BaseModelForm;
    const defined = (base as unknown as { define(fields: FieldDeclarations): typeof BaseModelForm }).define(
      fieldsForModel(model, meta as ModelFormMeta) as unknown as FieldDeclarations,
    );
    Object.defineProperty(defined, 'name', { value: `${getMeta(model).objectName}Form` });
    defined.modelForm = { model, meta: meta as ModelFormMeta };
    return defined as unknown as ModelFormClass<M, ModelFields<M, K>>;
  }
}

/** The form fields of a model's fields `K`: each cleans to the instance's type of it. */
export type ModelFields<M, K extends string> = {
  [P in K as P extends keyof M ? (M[P] extends (...args: never[]) => unknown ? never : P) : P]: Field<
    P extends keyof M ? Awaited<M[P]> : unknown
  >;
};

/** The names a ModelForm's `fields` may list: the instance's attributes (methods left out by the type). */
export type ModelFieldName<M> = Extract<keyof M, string>;

/** What `ModelForm.define()` returns. */
export type ModelFormClass<M extends object, F extends Fields> = {
  new (options?: ModelFormOptions<M> & Record<string, unknown>): FormWith<F, BaseModelForm<M, F>>;
  readonly baseFields: F;
  modelForm: ModelFormSettings | undefined;
  /** More fields (as `Form.define()`). */
  define<G extends FieldDeclarations>(
    fields: G,
  ): ModelFormClass<M, F & { [K in keyof G]: G[K] extends Field ? G[K] : never }>;
} & Omit<typeof BaseModelForm, 'prototype' | 'baseFields' | 'define' | 'modelForm'>;

/** `ModelForm.define(Model, { fields })`: the form class of a model. */
export const ModelForm = {
  /** A ModelForm class of `model` with the Meta's fields, widgets, labels... */
  define<M extends object, const K extends ModelFieldName<M>>(
    model: ModelClass<M>,
    meta: ModelFormMeta<K>,
  ): ModelFormClass<M, ModelFields<M, K>> {
    return BaseModelForm.defineModel(model, meta);
  },
};

/** Django's `modelform_factory`: a ModelForm class of `model`, on `form` (BaseModelForm by default). */
export function modelformFactory<M extends object, const K extends ModelFieldName<M>>(
  model: ModelClass<M>,
  options: ModelFormMeta<K> & { form?: typeof BaseModelForm } = {},
): ModelFormClass<M, ModelFields<M, K>> {
  const { form = BaseModelForm, ...meta } = options;
  return (form as typeof BaseModelForm).defineModel(model, meta);
}
