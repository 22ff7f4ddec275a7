/**
 * The relation fields, as Django's: ForeignKey (many-to-one, an `authorId` column; `post.author`
 * resolves to the Author), OneToOneField (a unique ForeignKey; the reverse side is one object),
 * ManyToManyField (no column: a through table, made automatically unless `through` names a model).
 *
 * The target is given as a function returning the class (`() => Author`), so that models may
 * point at each other whatever order they are declared in, or as `'self'` / `'app.Model'`.
 */
import { ImproperlyConfigured } from '../../../core/exceptions.ts';
import type { BaseDatabaseWrapper } from '../../backends/base/wrapper.ts';
import {
  getMeta,
  getModel,
  fillRelatedName,
  type ModelClassLike,
  type Options,
  type RelatedObject,
} from '../options.ts';
import { Field, type AnyField, type FieldOptions, type LookupKind } from './base.ts';
import { installForeignAccessor, installManyAccessor, installReverseAccessor } from '../related-descriptors.ts';
import type { OnDelete } from '../deletion.ts';
import type { LookupObject, QNode } from '../q.ts';

/** A relation's target: a function returning the class, `'self'`, or `'app_label.ModelName'`. */
export type RelationTarget<M> = (() => M) | 'self' | `${string}.${string}`;

/**
 * The rows of the target a relation may point at (Django's `limit_choices_to`): lookups, a Q, or
 * a function returning either (evaluated each time, so it may read the time or a setting).
 */
export type LimitChoicesTo = LookupObject | QNode | (() => LookupObject | QNode);

/** Options of ForeignKey and OneToOneField. */
export interface ForeignKeyOptions extends FieldOptions<unknown> {
  /** What happens to this row when the row it points at is deleted: CASCADE, PROTECT, SET_NULL... */
  onDelete: OnDelete;
  /** The attribute on the target's instances (`author.posts`); `'+'` for none. */
  relatedName?: string;
  /** The name in the target's lookups (`Author.objects.filter({ posts__title })`). */
  relatedQueryName?: string;
  /** The target's field it references (its primary key by default). */
  toField?: string;
  /** Whether the database checks the reference (a FOREIGN KEY constraint). */
  dbConstraint?: boolean;
  /** The target rows it may point at: ModelForm choices and model validation honour it. */
  limitChoicesTo?: LimitChoicesTo;
}

function resolveTarget(field: AnyField & { to: RelationTarget<unknown> }, owner: Options): Options | undefined {
  const to = field.to;
  if (to === 'self') return owner;
  if (typeof to === 'string') {
    try {
      return getModel(to.includes('.') ? to : `${owner.appLabel}.${to}`);
    } catch {
      return undefined;
    }
  }
  let cls: unknown;
  try {
    cls = to();
  } catch (error) {
    if (error instanceof ReferenceError) return undefined;
    throw error;
  }
  if (cls === undefined) return undefined;
  return getMeta(cls);
}

/** What ForeignKey, OneToOneField and ManyToManyField share. */
abstract class RelatedField<V, O extends FieldOptions> extends Field<V, O, unknown> {
  override readonly isRelation = true as const;
  readonly lookupKind: LookupKind = 'number';
  readonly to: RelationTarget<unknown>;
  abstract readonly manyToMany: boolean;
  abstract readonly oneToOne: boolean;
  #remote: Options | undefined;
  #related: RelatedObject | undefined;

  constructor(to: RelationTarget<unknown>, options: O) {
    super(options);
    if (typeof to !== 'function' && typeof to !== 'string') {
      throw new TypeError(
        `A relation field needs its target: a function returning the model class (() => Author), 'self' or 'app.Model', not ${String(to)}.`,
      );
    }
    this.to = to;
  }

  override clone(): this {
    const Ctor = this.constructor as new (to: RelationTarget<unknown>, options: O) => this;
    return new Ctor(this.to, this.options);
  }

  resolve(): boolean {
    if (this.#remote !== undefined) return true;
    this.#remote = resolveTarget(this, this.model);
    return this.#remote !== undefined;
  }

  /** The model this field points at. */
  remote(): Options {
    if (this.#remote === undefined && !this.resolve()) {
      throw new ImproperlyConfigured(
        `The field ${this.model.label}.${this.name} points at ${typeof this.to === 'string' ? `'${this.to}'` : 'a model'} that is not declared (yet): ` +
          'check the name, and that its module is imported.',
      );
    }
    return this.#remote!;
  }

  /** `limitChoicesTo`, its function called: lookups or a Q, or undefined when there is none. */
  getLimitChoicesTo(): LookupObject | QNode | undefined {
    const limit = (this.options as { limitChoicesTo?: LimitChoicesTo }).limitChoicesTo;
    return typeof limit === 'function' ? limit() : limit;
  }

  protected get relatedNameOption(): string | undefined {
    return (this.options as { relatedName?: string }).relatedName;
  }

  /** The reverse relation (Django's `remote_field`). */
  relatedObject(): RelatedObject {
    if (this.#related !== undefined) return this.#related;
    const given =
      this.relatedNameOption ??
      (this.model.defaultRelatedName !== undefined
        ? fillRelatedName(this.model.defaultRelatedName, this.model)
        : undefined);
    const hidden = given !== undefined && given.endsWith('+');
    const multiple = !this.oneToOne;
    const lower = this.model.modelName;
    const camel = this.model.objectName.charAt(0).toLowerCase() + this.model.objectName.slice(1);
    const accessorName = given ?? (multiple ? `${camel}Set` : camel);
    const queryName = (this.options as { relatedQueryName?: string }).relatedQueryName ?? given ?? lower;
    this.#related = {
      field: this as unknown as RelatedObject['field'],
      relatedModel: this.model,
      accessorName,
      queryName,
      multiple,
      manyToMany: this.manyToMany,
      oneToOne: this.oneToOne,
      hidden,
    };
    return this.#related;
  }
}

/**
 * A many-to-one relation: a column holding the target's primary key (`author_id`), the
 * attribute `authorId`, and `post.author`, which is the Author once loaded (selectRelated, or
 * a first `await`) and a promise of it before.
 */
export class ForeignKey<M = unknown, const O extends ForeignKeyOptions = ForeignKeyOptions> extends RelatedField<M, O> {
  readonly internalType: string = 'ForeignKey';
  readonly manyToMany = false;
  readonly oneToOne: boolean = false;

  constructor(to: RelationTarget<M>, options: O) {
    super(to as RelationTarget<unknown>, options);
    if (typeof options?.onDelete !== 'function') {
      throw new TypeError(
        `${this.constructor.name} needs { onDelete }: CASCADE, PROTECT, RESTRICT, SET_NULL, SET_DEFAULT, SET(value) or DO_NOTHING.`,
      );
    }
    (this as { dbIndex: boolean }).dbIndex = true;
  }

  get onDelete(): OnDelete {
    return this.options.onDelete;
  }

  protected override attnameFor(name: string): string {
    return `${name}Id`;
  }

  protected override columnFor(name: string): string {
    return `${name}_id`;
  }

  /** The target's field this column references. */
  targetField(): AnyField {
    const remote = this.remote();
    return this.options.toField !== undefined ? remote.getField(this.options.toField) : remote.pk;
  }

  install(model: ModelClassLike): void {
    installForeignAccessor(model, this);
  }

  installReverse(target: Options, related: RelatedObject): void {
    installReverseAccessor(target.defined, related);
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null) return null;
    const target = this.targetField();
    if (value !== null && typeof value === 'object' && getMetaOrUndefined(value) !== undefined) {
      return target.getPrepValue((value as Record<string, unknown>)[target.attname]);
    }
    return target.getPrepValue(value);
  }

  override getDbPrepValue(value: unknown, wrapper: BaseDatabaseWrapper): unknown {
    if (value === null || value === undefined) return null;
    const target = this.targetField();
    const raw =
      value !== null && typeof value === 'object' && getMetaOrUndefined(value) !== undefined
        ? (value as Record<string, unknown>)[target.attname]
        : value;
    return target.getDbPrepValue(raw, wrapper);
  }

  override fromDbConverter(wrapper: BaseDatabaseWrapper, bigints = false): ((value: unknown) => unknown) | undefined {
    return (this.targetField() as Field).fromDbConverter(wrapper, bigints);
  }

  override get readsBigInts(): boolean {
    return this.targetField().readsBigInts;
  }

  override toJs(value: unknown): M | null {
    return this.targetField().toJs(value) as M | null;
  }

  override validate(value: unknown, instance: unknown): void {
    super.validate(value, instance);
  }
}

function getMetaOrUndefined(value: object): Options | undefined {
  try {
    return typeof (value as { constructor?: unknown }).constructor === 'function'
      ? getMeta(value.constructor)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A one-to-one relation: a unique ForeignKey whose reverse side is one object (`user.profile`). */
export class OneToOneField<M = unknown, const O extends ForeignKeyOptions = ForeignKeyOptions> extends ForeignKey<
  M,
  O
> {
  override readonly internalType: string = 'OneToOneField';
  override readonly oneToOne = true;

  constructor(to: RelationTarget<M>, options: O) {
    super(to, options);
    (this as { unique: boolean }).unique = true;
  }
}

/** Options of ManyToManyField. */
export interface ManyToManyOptions extends FieldOptions<unknown> {
  relatedName?: string;
  relatedQueryName?: string;
  /** A model with two ForeignKeys (to this model and to the target) holding the links and more. */
  through?: RelationTarget<unknown>;
  /** With `through`: the names of its ForeignKeys to this model and to the target. */
  throughFields?: readonly [string, string];
  /** The automatic through table's name. */
  dbTable?: string;
  /** On a relation to 'self': whether a link is both ways (default true, as Django). */
  symmetrical?: boolean;
  /** The target rows it may link to: ModelForm choices honour it. */
  limitChoicesTo?: LimitChoicesTo;
}

/**
 * A many-to-many relation: no column; links live in a through table (`blog_post_tags` with
 * `post_id` and `tag_id`, or the `through` model). `post.tags` is a manager of the linked
 * objects (all(), add(), remove(), set(), clear(), create()).
 */
export class ManyToManyField<M = unknown, const O extends ManyToManyOptions = ManyToManyOptions> extends RelatedField<
  M,
  O
> {
  readonly internalType: string = 'ManyToManyField';
  override readonly concrete = false;
  readonly manyToMany = true;
  readonly oneToOne = false;
  #through: Options | undefined;
  #fields: [ForeignKey, ForeignKey] | undefined;

  constructor(to: RelationTarget<M>, options: O = {} as O) {
    super(to as RelationTarget<unknown>, options);
  }

  install(model: ModelClassLike): void {
    installManyAccessor(model, this);
  }

  installReverse(target: Options, related: RelatedObject): void {
    installReverseAccessor(target.defined, related);
  }

  /** Whether a relation to 'self' is both ways. */
  get symmetrical(): boolean {
    return this.options.symmetrical ?? this.remote() === this.model;
  }

  /** The through model: the given one, or one made for this field. */
  through(): Options {
    if (this.#through !== undefined) return this.#through;
    const given = this.options.through;
    if (given !== undefined) {
      const meta = resolveTarget({ to: given } as AnyField & { to: RelationTarget<unknown> }, this.model);
      if (meta === undefined)
        throw new ImproperlyConfigured(`The through model of ${this.model.label}.${this.name} is not declared (yet).`);
      this.#through = meta;
    } else {
      this.#through = makeThrough(this);
    }
    return this.#through;
  }

  /** The through model's ForeignKeys: [to this model, to the target]. */
  throughFields(): [ForeignKey, ForeignKey] {
    if (this.#fields !== undefined) return this.#fields;
    const through = this.through();
    const names = this.options.throughFields;
    const fks = through.concreteFields.filter((f): f is ForeignKey => f instanceof ForeignKey);
    let source: ForeignKey | undefined;
    let target: ForeignKey | undefined;
    if (names !== undefined) {
      source = through.getField(names[0]) as ForeignKey;
      target = through.getField(names[1]) as ForeignKey;
    } else if (this.remote() === this.model) {
      source = fks.find((f) => f.name === `from${this.model.objectName}`) ?? fks[0];
      target = fks.find((f) => f.name === `to${this.model.objectName}`) ?? fks[1];
    } else {
      source = fks.find((f) => f.remote() === this.model);
      target = fks.find((f) => f.remote() === this.remote());
    }
    if (source === undefined || target === undefined) {
      throw new ImproperlyConfigured(
        `The through model ${through.label} of ${this.model.label}.${this.name} needs a ForeignKey to ${this.model.label} and one to ${this.remote().label} (or give throughFields).`,
      );
    }
    this.#fields = [source, target];
    return this.#fields;
  }
}

/** The automatic through model of a ManyToManyField (`blog_post_tags`), declared on first use. */
let makeThrough: (field: ManyToManyField) => Options = () => {
  throw new Error('The models module did not register its through-model factory.');
};

/** Set by base.ts, which can declare models (related.ts cannot import it: it imports this). */
export function setThroughFactory(factory: (field: ManyToManyField) => Options): void {
  makeThrough = factory;
}
