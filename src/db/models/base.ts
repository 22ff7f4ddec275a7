/**
 * `Model`, as Django's `django.db.models.Model`: declared with `Model.define({ ...fields }, meta)`,
 * whose instance and queryset types are inferred from the fields, and subclassed for methods:
 *
 * @example
 * export class Post extends Model.define({
 *   title: new CharField({ maxLength: 200 }),
 *   author: new ForeignKey(() => Author, { onDelete: CASCADE, relatedName: 'posts' }),
 *   published: new DateTimeField({ null: true }),
 * }, { ordering: ['-published'] }) {
 *   static override objects = new Manager(this); // optional: query results typed as Post
 *   override toString() { return this.title; }
 * }
 * const post = await Post.objects.get({ title__icontains: 'orm' });
 * await post.author;           // the Author (one query the first time)
 * post.title = 'New title';
 * await post.save();
 */
import { ValidationError } from '../../core/exceptions.ts';
import { localdate } from '../../utils/timezone.ts';
import { defaultTimeZone } from './fields/temporal.ts';
import { temporalKind } from '../temporal.ts';
import { DEFAULT_DB_ALIAS } from '../connections.ts';
import { atomic } from '../transaction.ts';
import { deleteInstance, setQuerySetFactory, CASCADE } from './deletion.ts';
import { Field, isEmpty, type AnyField } from './fields/base.ts';
import { ForeignKey, setThroughFactory, type ManyToManyField } from './fields/related.ts';
import { FROM_DB, instanceState, loadedState, relatedCache, STATE, type ModelState } from './instance-state.ts';
import { Manager } from './manager.ts';
import {
  declare,
  definedClassOf,
  detachedModel,
  DECLARATION,
  getMeta,
  type Declaration,
  type MetaOptions,
  type Options,
} from './options.ts';
import { saveInstance, type SaveOptions } from './persistence.ts';
import { setPrefetchQuerySetFactory } from './prefetch.ts';
import { QuerySet } from './query.ts';
import { postInit, preInit } from './signals.ts';
import type { DefinedModel, FieldDecl } from './types.ts';

/** The state of an instance made for a row until its reader sets the real one. */
const FROM_DB_STATE = loadedState('default');

/** Fields already given to a model: a declaration that reuses one gets a copy. */
const used = new WeakSet<AnyField>();

/** Meta options an abstract base passes on to the models defined from it (Django's rules). */
function inherited(meta: MetaOptions): MetaOptions {
  const { abstract: _abstract, dbTable: _dbTable, name: _name, ...rest } = meta;
  return rest;
}

/**
 * The calendar date of a date field's value, undefined for none: an aware datetime's in the zone
 * the `__day`/`__month`/`__year` lookups compare in (TIME_ZONE, src/db/models/lookups.ts).
 */
function calendarDate(value: unknown): { year: number; month: number; day: number } | undefined {
  if (value === null || value === undefined || typeof value !== 'object') return undefined;
  const kind = temporalKind(value);
  if (kind === 'PlainDate' || kind === 'PlainDateTime') return value as { year: number; month: number; day: number };
  if (kind === 'ZonedDateTime' || kind === 'Instant' || value instanceof Date)
    return localdate(value, defaultTimeZone());
  return undefined;
}

function capfirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export class Model {
  declare [STATE]: ModelState;

  constructor(init?: Record<string, unknown> | typeof FROM_DB) {
    if (init === FROM_DB) {
      // A row being read: its reader sets the (shared) state.
      this[STATE] = FROM_DB_STATE;
      return;
    }
    const Class = new.target;
    const meta = getMeta(Class);
    this[STATE] = { adding: true, db: null, cache: undefined, prefetched: undefined };
    const values = (init ?? {}) as Record<string, unknown>;
    if (preInit.hasListeners(Class)) preInit.send(Class, { instance: this, kwargs: values });
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(values)) {
      const field = meta.findField(key);
      if (field !== undefined) {
        if ((field as unknown as Partial<ManyToManyField>).manyToMany) {
          throw new TypeError(
            `Direct assignment to the forward side of a many-to-many set is prohibited. Use ${field.name}.set() instead.`,
          );
        }
        continue;
      }
      if (key === 'pk' || hasSetter(Class.prototype, key)) continue;
      throw new TypeError(`${meta.objectName}() got an unexpected keyword argument '${key}'`);
    }
    for (const field of meta.concreteFields) {
      if (field.isRelation && field.name !== field.attname && values[field.name] !== undefined) {
        self[field.attname] = null;
        self[field.name] = values[field.name];
        continue;
      }
      const given = values[field.attname] !== undefined ? values[field.attname] : values[field.name];
      self[field.attname] = given !== undefined ? given : field.getDefault();
    }
    if (values.pk !== undefined) self[meta.pk.attname] = values.pk;
    for (const key of Object.keys(values)) {
      if (meta.findField(key) === undefined && key !== 'pk') self[key] = values[key];
    }
    if (postInit.hasListeners(Class)) postInit.send(Class, { instance: this });
  }

  /**
   * Declares a model: its fields, and Django's Meta options. Returns a class to extend (for
   * methods), or to use as it is (`export const Tag = Model.define({...}, { name: 'Tag' })`).
   * On an abstract model (`{ abstract: true }`), makes a model with its fields and these.
   */
  static define<
    C extends abstract new (...args: never[]) => object,
    const F extends FieldDecl,
    const M extends MetaOptions = Record<never, never>,
  >(this: C, fields: F, meta?: M): DefinedModel<C, F> {
    const parent = this as unknown as typeof Model;
    const parentDeclaration = parent === Model ? undefined : definedClassOf(parent)?.[DECLARATION];
    if (parentDeclaration !== undefined && !parentDeclaration.meta.abstract) {
      throw new TypeError(
        `${parent.name} is a concrete model: models can only be defined from Model or from an abstract model ({ abstract: true }). ` +
          'Multi-table inheritance is not supported; copy the fields or use a OneToOneField.',
      );
    }
    const declared: Record<string, AnyField> = {};
    for (const [name, field] of Object.entries(parentDeclaration?.fields ?? {})) declared[name] = field.clone();
    for (const [name, field] of Object.entries(fields)) {
      if (!(field instanceof Field))
        throw new TypeError(
          `The field '${name}' is not a model field (new CharField({ ... }), new ForeignKey(...)...).`,
        );
      if (!/^[A-Za-z_$][\w$]*$/.test(name) || name.includes('__') || name === 'pk') {
        throw new TypeError(
          `'${name}' is not a valid field name: use letters, digits and single underscores (not 'pk', nor '__').`,
        );
      }
      declared[name] = used.has(field) ? field.clone() : field;
      used.add(declared[name]!);
    }
    const declaration: Declaration = {
      fields: declared,
      meta:
        parentDeclaration !== undefined
          ? { ...inherited(parentDeclaration.meta), ...(meta ?? {}) }
          : { ...(meta ?? {}) },
    };
    const Defined = class extends parent {};
    declare(Defined, declaration);
    return Defined as unknown as DefinedModel<C, F>;
  }

  /** The default manager (`Post.objects`). */
  static get objects(): Manager<never> {
    const meta = getMeta(this);
    return meta.baseManager((model) => new Manager(model as unknown as abstract new () => never));
  }

  /** The model's metadata (Django's `_meta`). */
  static get _meta(): Options {
    return getMeta(this);
  }

  /** Thrown by get() when no row matches. */
  static get DoesNotExist(): Options['DoesNotExist'] {
    return getMeta(this).DoesNotExist;
  }

  /** Thrown by get() when several rows match. */
  static get MultipleObjectsReturned(): Options['MultipleObjectsReturned'] {
    return getMeta(this).MultipleObjectsReturned;
  }

  /** The primary key's value. */
  get pk(): unknown {
    return (this as unknown as Record<string, unknown>)[getMeta(this.constructor).pk.attname];
  }

  set pk(value: unknown) {
    (this as unknown as Record<string, unknown>)[getMeta(this.constructor).pk.attname] = value;
  }

  /** Inserts or updates the row (Django's save(): an UPDATE by primary key, an INSERT when none changed). */
  save(options: SaveOptions = {}): Promise<void> {
    return saveInstance(this, options);
  }

  /** Deletes the row and what depends on it (per onDelete): `[total, { 'app.Model': n }]`. */
  delete(options: { using?: string } = {}): Promise<[number, Record<string, number>]> {
    return deleteInstance(this, options.using ?? instanceState(this).db ?? DEFAULT_DB_ALIAS);
  }

  /** Reloads the fields from the database (all, or the listed ones). */
  async refreshFromDb(options: { using?: string; fields?: readonly string[] } = {}): Promise<void> {
    const meta = getMeta(this.constructor);
    const using = options.using ?? instanceState(this).db ?? DEFAULT_DB_ALIAS;
    const self = this as unknown as Record<string, unknown>;
    const fresh = (await new QuerySet<Record<string, unknown>>(meta.model)
      .using(using)
      .get({ pk: this.pk } as never)) as Record<string, unknown>;
    const fields =
      options.fields === undefined ? meta.concreteFields : options.fields.map((name) => meta.getField(name));
    const cache = instanceState(this).cache;
    for (const field of fields) {
      self[field.attname] = fresh[field.attname];
      if (field.isRelation) cache?.delete(field.name);
    }
    if (options.fields === undefined) instanceState(this).prefetched = undefined;
    instanceState(this).db = using;
  }

  /** Converts and validates every field, throwing one ValidationError with the messages per field. */
  cleanFields(exclude: readonly string[] = []): void {
    const meta = getMeta(this.constructor);
    const self = this as unknown as Record<string, unknown>;
    const errors: Record<string, ValidationError[]> = {};
    for (const field of meta.concreteFields) {
      if (exclude.includes(field.name)) continue;
      const raw = self[field.attname];
      // As Django: an empty value of a blank field is the developer's business.
      if (field.blank && isEmpty(raw)) continue;
      try {
        self[field.attname] = field.clean(raw, this);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        errors[field.name] = error.errorList;
      }
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  /** Model-wide validation: override it (throw ValidationError). */
  clean(): void | Promise<void> {}

  /** Checks the unique fields and sets (uniqueTogether, UniqueConstraint) against the database. */
  async validateUnique(exclude: readonly string[] = []): Promise<void> {
    const meta = getMeta(this.constructor);
    const self = this as unknown as Record<string, unknown>;
    const errors: Record<string, ValidationError[]> = {};
    const checks: Array<{ fields: AnyField[]; together: boolean }> = [];
    for (const field of meta.concreteFields)
      if (field.unique && !exclude.includes(field.name)) checks.push({ fields: [field], together: false });
    const sets = [
      ...meta.uniqueTogether,
      ...meta.constraints.flatMap((c) => {
        const unique = c as { fields?: readonly string[]; condition?: unknown };
        return unique.fields !== undefined &&
          unique.condition === undefined &&
          c.constructor.name === 'UniqueConstraint'
          ? [unique.fields]
          : [];
      }),
    ];
    for (const names of sets) {
      if (names.some((n) => exclude.includes(n))) continue;
      checks.push({ fields: names.map((n) => meta.getField(n)), together: true });
    }
    for (const { fields, together } of checks) {
      const lookups: Record<string, unknown> = {};
      let skip = false;
      for (const field of fields) {
        const value = self[field.attname];
        if (
          value === null ||
          value === undefined ||
          (field.primaryKey && instanceState(this).adding && field.dbGenerated)
        )
          skip = true;
        lookups[field.attname] = value;
      }
      if (skip) continue;
      let qs = new QuerySet<object>(meta.model)
        .using(instanceState(this).db ?? DEFAULT_DB_ALIAS)
        .filter(lookups as never);
      if (!instanceState(this).adding && this.pk !== null && this.pk !== undefined)
        qs = qs.exclude({ pk: this.pk } as never);
      if (!(await qs.exists())) continue;
      const model = capfirst(meta.verboseName);
      if (together) {
        const labels = fields.map((f) => capfirst(f.label));
        const list =
          labels.length === 2
            ? `${labels[0]} and ${labels[1]}`
            : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
        (errors.__all__ ??= []).push(
          new ValidationError(`${model} with this ${list} already exists.`, { code: 'unique_together' }),
        );
      } else {
        const field = fields[0]!;
        const message =
          field.options.errorMessages?.unique ?? `${model} with this ${capfirst(field.label)} already exists.`;
        (errors[field.name] ??= []).push(new ValidationError(message, { code: 'unique' }));
      }
    }
    await this.#validateUniqueForDates(exclude, errors);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  /**
   * `uniqueForDate`, `uniqueForYear` and `uniqueForMonth` (Django's `_perform_date_checks`): no
   * other row has the same value on the same day (year, month) of the date field. Checked when
   * neither field is excluded and the date is set.
   */
  async #validateUniqueForDates(exclude: readonly string[], errors: Record<string, ValidationError[]>): Promise<void> {
    const meta = getMeta(this.constructor);
    const self = this as unknown as Record<string, unknown>;
    const kinds = [
      ['uniqueForDate', 'date'],
      ['uniqueForYear', 'year'],
      ['uniqueForMonth', 'month'],
    ] as const;
    for (const field of meta.concreteFields) {
      if (exclude.includes(field.name)) continue;
      for (const [option, kind] of kinds) {
        const dateName = (field.options as Partial<Record<typeof option, string>>)[option];
        if (dateName === undefined || exclude.includes(dateName)) continue;
        const dateField = meta.getField(dateName);
        const day = calendarDate(self[dateField.attname]);
        if (day === undefined) continue;
        const lookups: Record<string, unknown> =
          kind === 'date'
            ? { [`${dateName}__day`]: day.day, [`${dateName}__month`]: day.month, [`${dateName}__year`]: day.year }
            : { [`${dateName}__${kind}`]: day[kind] };
        lookups[field.attname] = self[field.attname];
        let qs = new QuerySet<object>(meta.model)
          .using(instanceState(this).db ?? DEFAULT_DB_ALIAS)
          .filter(lookups as never);
        if (!instanceState(this).adding && this.pk !== null && this.pk !== undefined)
          qs = qs.exclude({ pk: this.pk } as never);
        if (!(await qs.exists())) continue;
        const message =
          field.options.errorMessages?.unique_for_date ??
          '%(field_label)s must be unique for %(date_field_label)s %(lookup_type)s.';
        (errors[field.name] ??= []).push(
          new ValidationError(message, {
            code: 'unique_for_date',
            params: {
              model: this,
              model_name: capfirst(meta.verboseName),
              lookup_type: kind,
              field: field.name,
              field_label: capfirst(field.label),
              date_field: dateName,
              date_field_label: capfirst(dateField.label),
            },
          }),
        );
      }
    }
  }

  /**
   * Each ForeignKey's target exists, among the rows its `limitChoicesTo` allows (Django's
   * `ForeignKey.validate()`): `writer instance with id 9 does not exist.`, code `invalid`.
   */
  async #validateRelations(exclude: readonly string[], errors: Record<string, ValidationError[]>): Promise<void> {
    const meta = getMeta(this.constructor);
    const self = this as unknown as Record<string, unknown>;
    for (const field of meta.concreteFields) {
      if (!(field instanceof ForeignKey) || exclude.includes(field.name) || field.name in errors) continue;
      const value = self[field.attname];
      if (value === null || value === undefined || (field.blank && isEmpty(value))) continue;
      const remote = field.remote();
      const target = field.targetField();
      let qs = new QuerySet<object>(remote.model)
        .using(instanceState(this).db ?? DEFAULT_DB_ALIAS)
        .filter({ [target.attname]: value } as never);
      const limit = field.getLimitChoicesTo();
      if (limit !== undefined) qs = qs.filter(limit as never);
      if (await qs.exists()) continue;
      const message =
        field.options.errorMessages?.invalid ?? '%(model)s instance with %(field)s %(value)r does not exist.';
      (errors[field.name] ??= []).push(
        new ValidationError(message, {
          code: 'invalid',
          params: { model: remote.verboseName, pk: value, field: target.name, value },
        }),
      );
    }
  }

  /**
   * cleanFields(), clean() and validateUnique(), as Django's full_clean(): throws one
   * ValidationError with every message (`error.messageDict`).
   */
  async fullClean(options: { exclude?: readonly string[]; validateUnique?: boolean } = {}): Promise<void> {
    const exclude = [...(options.exclude ?? [])];
    const errors: Record<string, ValidationError[]> = {};
    const merge = (error: unknown) => {
      if (!(error instanceof ValidationError)) throw error;
      const dict = error.errorDict ?? { __all__: error.errorList };
      for (const [field, list] of Object.entries(dict)) (errors[field] ??= []).push(...list);
    };
    try {
      this.cleanFields(exclude);
    } catch (error) {
      merge(error);
    }
    await this.#validateRelations(exclude, errors);
    try {
      await this.clean();
    } catch (error) {
      merge(error);
    }
    if (options.validateUnique !== false) {
      try {
        await this.validateUnique([...exclude, ...Object.keys(errors)]);
      } catch (error) {
        merge(error);
      }
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  /** Django's default text: `Post object (1)`. */
  toString(): string {
    return `${getMeta(this.constructor).objectName} object (${String(this.pk ?? 'None')})`;
  }

  /** The field values by attribute name (bigints as text), for JSON. */
  toJSON(): Record<string, unknown> {
    const meta = getMeta(this.constructor);
    const self = this as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const field of meta.concreteFields) {
      const value = self[field.attname];
      out[field.attname] = typeof value === 'bigint' ? value.toString() : value;
    }
    return out;
  }
}

function hasSetter(proto: object, key: string): boolean {
  for (let p: object | null = proto; p !== null && p !== Model.prototype; p = Object.getPrototypeOf(p)) {
    const descriptor = Object.getOwnPropertyDescriptor(p, key);
    if (descriptor !== undefined) return descriptor.set !== undefined;
  }
  return false;
}

// The factories the lower modules need (they cannot import this module: it imports them).
setQuerySetFactory((meta) => new QuerySet(meta.model) as never);
setPrefetchQuerySetFactory((meta) => new QuerySet(meta.model) as never);
setThroughFactory((field: ManyToManyField) => {
  const { fields, meta } = autoThroughDeclaration(field);
  if (!field.model.detached) return getMeta(Model.define(fields, meta));
  // A historical model's: detached as well, so that migrations never register models.
  const through = detachedModel(class extends Model {}, fields, meta);
  through.resolveRelations();
  return through;
});

/**
 * The fields and meta options of the automatic through model of a ManyToManyField (Django's
 * `create_many_to_many_intermediary_model`): `<table>_<field>` with a ForeignKey to each side.
 */
export function autoThroughDeclaration(field: ManyToManyField): {
  fields: Record<string, ForeignKey>;
  meta: MetaOptions & { appLabel: string; name: string };
} {
  const source = field.model;
  const target = field.remote();
  const self = source === target;
  const fromName = self ? `from${source.objectName}` : source.modelName;
  const toName = self ? `to${source.objectName}` : target.modelName;
  const hidden = `${source.objectName}_${field.name}+`;
  return {
    fields: {
      [fromName]: new ForeignKey(() => source.model, {
        onDelete: CASCADE,
        relatedName: hidden,
        ...(self ? { dbColumn: `from_${source.modelName}_id` } : {}),
      }),
      [toName]: new ForeignKey(() => target.model, {
        onDelete: CASCADE,
        relatedName: hidden,
        ...(self ? { dbColumn: `to_${source.modelName}_id` } : {}),
      }),
    },
    meta: {
      appLabel: source.appLabel,
      name: `${source.objectName}_${field.name}`,
      dbTable: field.options.dbTable ?? `${source.dbTable}_${field.name}`,
      uniqueTogether: [[fromName, toName]],
      autoCreated: true,
    },
  };
}

export { relatedCache, atomic };
