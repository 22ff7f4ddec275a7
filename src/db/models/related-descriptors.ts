/**
 * The attributes relations put on instances, as Django's related descriptors:
 * - `post.author` (ForeignKey, OneToOne): the Author once loaded (selectRelated, prefetch, or
 *   a first await), a promise of it before; assigning an Author sets `authorId`;
 * - `author.posts` (reverse ForeignKey): a manager of the Author's posts (add, create, remove,
 *   clear, set), `user.profile` (reverse OneToOne): the Profile, or a promise of it;
 * - `post.tags` / `tag.postSet` (many-to-many): a manager of the linked objects, writing the
 *   through table (add, remove, clear, set, create), sending m2mChanged.
 */
import { ObjectDoesNotExist } from '../../core/exceptions.ts';
import { atomic } from '../transaction.ts';
import type { ForeignKey, ManyToManyField } from './fields/related.ts';
import { instanceState, relatedCache } from './instance-state.ts';
import { Manager } from './manager.ts';
import { getMeta, type ModelClassLike, type Options, type RelatedObject } from './options.ts';
import { QuerySet } from './query.ts';
import { m2mChanged } from './signals.ts';

const PENDING_KEY = Symbol('tsgi.db.pendingKey');

function baseQuerySet(meta: Options, alias: string): QuerySet<object> {
  return new QuerySet<object>(meta.model).using(alias);
}

function dbOf(instance: object): string {
  return instanceState(instance).db ?? 'default';
}

function isInstanceOf(value: unknown, meta: Options): boolean {
  return (
    value !== null && typeof value === 'object' && value instanceof (meta.model as unknown as abstract new () => object)
  );
}

/** `post.author`: the related object, or a promise of it. */
export function installForeignAccessor(model: ModelClassLike, field: ForeignKey): void {
  const name = field.name;
  Object.defineProperty(model.prototype, name, {
    configurable: true,
    enumerable: false,
    get(this: Record<string | symbol, unknown>) {
      const key = this[field.attname];
      const cache = instanceState(this).cache;
      const target = field.targetField();
      if (cache !== undefined && cache.has(name)) {
        const value = cache.get(name) as Record<string | symbol, unknown> | null;
        if (value === null) {
          if (key === null || key === undefined) return null;
        } else if (value instanceof Promise) {
          if ((value as unknown as { [PENDING_KEY]: unknown })[PENDING_KEY] === key) return value;
        } else if (value[target.attname] === key) return value;
      }
      if (key === null || key === undefined) return null;
      const remote = field.remote();
      const pending = baseQuerySet(remote, dbOf(this))
        .get({ [target.name]: key })
        .then((related) => {
          relatedCache(this).set(name, related);
          if (field.oneToOne) relatedCache(related).set(field.relatedObject().accessorName, this);
          return related;
        });
      Object.defineProperty(pending, PENDING_KEY, { value: key });
      relatedCache(this).set(name, pending);
      return pending;
    },
    set(this: Record<string | symbol, unknown>, value: unknown) {
      const remote = field.remote();
      if (value === null || value === undefined) {
        if (!field.null)
          throw new TypeError(`Cannot assign null: "${field.model.objectName}.${name}" does not allow null values.`);
        this[field.attname] = null;
        relatedCache(this).set(name, null);
        return;
      }
      if (value instanceof Promise)
        throw new TypeError(`Cannot assign a promise to "${field.model.objectName}.${name}": await it first.`);
      if (!isInstanceOf(value, remote)) {
        throw new TypeError(
          `Cannot assign "${String(value)}": "${field.model.objectName}.${name}" must be a "${remote.objectName}" instance.`,
        );
      }
      this[field.attname] = (value as Record<string, unknown>)[field.targetField().attname];
      relatedCache(this).set(name, value);
      if (field.oneToOne) relatedCache(value as object).set(field.relatedObject().accessorName, this);
    },
  });
}

/** The reverse side of a relation on the target's instances. */
export function installReverseAccessor(model: ModelClassLike, related: RelatedObject): void {
  const accessor = related.accessorName;
  if (Object.prototype.hasOwnProperty.call(model.prototype, accessor)) return;
  if (related.manyToMany) {
    Object.defineProperty(model.prototype, accessor, {
      configurable: true,
      enumerable: false,
      get(this: object) {
        return managerFor(
          this,
          accessor,
          () => new ManyRelatedManager(this, related.field as unknown as ManyToManyField, true),
        );
      },
      set() {
        throw new TypeError(
          `Direct assignment to the reverse side of a many-to-many set is prohibited. Use ${accessor}.set() instead.`,
        );
      },
    });
    return;
  }
  if (related.oneToOne) {
    const fk = related.field as unknown as ForeignKey;
    Object.defineProperty(model.prototype, accessor, {
      configurable: true,
      enumerable: false,
      get(this: Record<string, unknown>) {
        const cache = instanceState(this).cache;
        if (cache?.has(accessor)) {
          const value = cache.get(accessor);
          if (value === null) return Promise.reject(doesNotExist(this, related));
          return value;
        }
        const pending = baseQuerySet(related.relatedModel, dbOf(this))
          .get({ [fk.name]: this })
          .then(
            (found) => {
              relatedCache(this).set(accessor, found);
              relatedCache(found).set(fk.name, this);
              return found;
            },
            (error: unknown) => {
              if (error instanceof ObjectDoesNotExist) {
                relatedCache(this).set(accessor, null);
                throw doesNotExist(this, related);
              }
              throw error;
            },
          );
        relatedCache(this).set(accessor, pending);
        return pending;
      },
      set(this: Record<string, unknown>, value: unknown) {
        if (value === null) {
          relatedCache(this).set(accessor, null);
          return;
        }
        if (!isInstanceOf(value, related.relatedModel)) {
          throw new TypeError(
            `Cannot assign "${String(value)}": "${getMeta(this.constructor).objectName}.${accessor}" must be a "${related.relatedModel.objectName}" instance.`,
          );
        }
        (value as Record<string, unknown>)[fk.name] = this;
        relatedCache(this).set(accessor, value);
      },
    });
    return;
  }
  Object.defineProperty(model.prototype, accessor, {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return managerFor(this, accessor, () => new RelatedManager(this, related));
    },
    set() {
      throw new TypeError(
        `Direct assignment to the reverse side of a related set is prohibited. Use ${accessor}.set() instead.`,
      );
    },
  });
}

/** `post.tags`: the many-to-many manager. */
export function installManyAccessor(model: ModelClassLike, field: ManyToManyField): void {
  Object.defineProperty(model.prototype, field.name, {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return managerFor(this, field.name, () => new ManyRelatedManager(this, field, false));
    },
    set() {
      throw new TypeError(
        `Direct assignment to the forward side of a many-to-many set is prohibited. Use ${field.name}.set() instead.`,
      );
    },
  });
}

function managerFor<M>(instance: object, accessor: string, make: () => M): M {
  const cache = relatedCache(instance);
  const key = `manager:${accessor}`;
  let manager = cache.get(key) as M | undefined;
  if (manager === undefined) cache.set(key, (manager = make()));
  return manager;
}

function doesNotExist(instance: object, related: RelatedObject): Error {
  const error = new related.relatedModel.DoesNotExist(
    `${getMeta(instance.constructor).objectName} has no ${related.accessorName}.`,
  );
  error.name = 'RelatedObjectDoesNotExist';
  return error;
}

function requireSaved(instance: object, what: string): unknown {
  const meta = getMeta(instance.constructor);
  const pk = (instance as Record<string, unknown>)[meta.pk.attname];
  if (pk === null || pk === undefined) {
    throw new TypeError(
      `"${String(instance)}" needs to have a value for field "${meta.pk.attname}" before this relationship can be used (${what}).`,
    );
  }
  return pk;
}

/** `author.posts`: the objects of a reverse ForeignKey. */
export class RelatedManager<T extends object = object> extends Manager<T> {
  readonly instance: object;
  readonly related: RelatedObject;
  readonly field: ForeignKey;

  constructor(instance: object, related: RelatedObject) {
    super(related.relatedModel.model as unknown as abstract new () => T);
    this.instance = instance;
    this.related = related;
    this.field = related.field as unknown as ForeignKey;
  }

  #value(): unknown {
    const target = this.field.targetField();
    const value = (this.instance as Record<string, unknown>)[target.attname];
    if (value === null || value === undefined) requireSaved(this.instance, this.related.accessorName);
    return value;
  }

  override getQueryset(): QuerySet<T> {
    const prefetched = instanceState(this.instance).prefetched?.get(this.related.accessorName);
    const hint = {
      instance: this.instance,
      accessor: this.related.accessorName,
      defaults: { [this.field.name]: this.instance },
    };
    const qs = new QuerySet<T>(this.model, undefined, [], hint).filter({ [this.field.name]: this.#value() } as never);
    return prefetched !== undefined ? qs.prefill(prefetched as T[]) : qs;
  }

  /** Points these objects at the instance (an UPDATE; with `bulk: false`, a save() each). */
  async add(...args: Array<T | { bulk?: boolean }>): Promise<void> {
    const options =
      args.length > 0 && !isInstanceOf(args[args.length - 1], getMeta(this.model))
        ? (args.pop() as { bulk?: boolean })
        : {};
    const objects = args as T[];
    const value = this.#value();
    const meta = getMeta(this.model);
    const db = dbOf(this.instance);
    if (options.bulk === false) {
      await atomic({ using: db, savepoint: false }, async () => {
        for (const obj of objects) {
          (obj as Record<string, unknown>)[this.field.name] = this.instance;
          await (obj as unknown as { save(o: object): Promise<void> }).save({ using: db });
        }
      });
      return;
    }
    const pks = objects.map((obj) => {
      if (!isInstanceOf(obj, meta)) throw new TypeError(`'${meta.objectName}' instance expected, got ${String(obj)}`);
      const pk = (obj as Record<string, unknown>)[meta.pk.attname];
      if (pk === null || pk === undefined || instanceState(obj).adding) {
        throw new TypeError(`${String(obj)} instance isn't saved. Use bulk: false or save the object first.`);
      }
      return pk;
    });
    if (pks.length === 0) return;
    await baseQuerySet(meta, db)
      .filter({ pk__in: pks })
      .update({ [this.field.name]: value } as never);
    for (const obj of objects) {
      (obj as Record<string, unknown>)[this.field.attname] = value;
      relatedCache(obj).set(this.field.name, this.instance);
    }
  }

  /** Unlinks these objects (the ForeignKey must be nullable). */
  async remove(...objects: T[]): Promise<void> {
    if (!this.field.null)
      throw new TypeError(`remove() is not available on ${this.related.accessorName}: ${this.field} is not nullable.`);
    const meta = getMeta(this.model);
    const pks = objects.map((o) => (o as Record<string, unknown>)[meta.pk.attname]);
    await baseQuerySet(meta, dbOf(this.instance))
      .filter({ pk__in: pks, [this.field.name]: this.#value() })
      .update({ [this.field.name]: null } as never);
    for (const obj of objects) (obj as Record<string, unknown>)[this.field.attname] = null;
  }

  /** Unlinks every object (the ForeignKey must be nullable). */
  async clear(): Promise<void> {
    if (!this.field.null)
      throw new TypeError(`clear() is not available on ${this.related.accessorName}: ${this.field} is not nullable.`);
    await baseQuerySet(getMeta(this.model), dbOf(this.instance))
      .filter({ [this.field.name]: this.#value() })
      .update({ [this.field.name]: null } as never);
  }

  /** Makes these exactly the linked objects (unlinking the others; `clear` unlinks all first). */
  async set(objects: readonly T[], options: { clear?: boolean } = {}): Promise<void> {
    const meta = getMeta(this.model);
    await atomic({ using: dbOf(this.instance), savepoint: false }, async () => {
      if (options.clear) {
        await this.clear();
        await this.add(...objects);
        return;
      }
      const wanted = new Set(objects.map((o) => (o as Record<string, unknown>)[meta.pk.attname]));
      const current = (await this.getQueryset().valuesList('pk' as never, { flat: true })) as unknown[];
      const toRemove = current.filter((pk) => !wanted.has(pk));
      if (toRemove.length > 0) {
        if (!this.field.null)
          throw new TypeError(
            `set() cannot unlink objects from ${this.related.accessorName}: ${this.field} is not nullable.`,
          );
        await baseQuerySet(meta, dbOf(this.instance))
          .filter({ pk__in: toRemove })
          .update({ [this.field.name]: null } as never);
      }
      const have = new Set(current);
      await this.add(...objects.filter((o) => !have.has((o as Record<string, unknown>)[meta.pk.attname])));
    });
  }
}

/** `post.tags` / `tag.postSet`: the objects linked through a many-to-many relation. */
export class ManyRelatedManager<T extends object = object> extends Manager<T> {
  readonly instance: object;
  readonly field: ManyToManyField;
  /** Whether the instance is on the target side (`tag.postSet`). */
  readonly isReverse: boolean;
  readonly #source: ForeignKey;
  readonly #target: ForeignKey;
  readonly #accessor: string;

  constructor(instance: object, field: ManyToManyField, reverse: boolean) {
    const target = reverse ? field.model : field.remote();
    super(target.model as unknown as abstract new () => T);
    this.instance = instance;
    this.field = field;
    this.isReverse = reverse;
    const [source, targetFk] = field.throughFields();
    this.#source = reverse ? targetFk : source;
    this.#target = reverse ? source : targetFk;
    this.#accessor = reverse ? field.relatedObject().accessorName : field.name;
  }

  #through(): Options {
    return this.field.through();
  }

  #pk(): unknown {
    return requireSaved(this.instance, this.#accessor);
  }

  override getQueryset(): QuerySet<T> {
    const prefetched = instanceState(this.instance).prefetched?.get(this.#accessor);
    const lookup = this.isReverse ? this.field.name : this.field.relatedObject().queryName;
    const qs = new QuerySet<T>(this.model, undefined, [], { instance: this.instance, accessor: this.#accessor }).filter(
      { [lookup]: this.#pk() } as never,
    );
    return prefetched !== undefined ? qs.prefill(prefetched as T[]) : qs;
  }

  #keys(objects: ReadonlyArray<T | unknown>): unknown[] {
    const meta = getMeta(this.model);
    return objects.map((obj) => {
      if (isInstanceOf(obj, meta)) {
        const pk = (obj as Record<string, unknown>)[meta.pk.attname];
        if (pk === null || pk === undefined) {
          throw new TypeError(
            `Cannot add "${String(obj)}": instance is on database "${dbOf(this.instance)}", value is on database "default"; or it is not saved.`,
          );
        }
        return pk;
      }
      if (obj !== null && typeof obj === 'object')
        throw new TypeError(`'${meta.objectName}' instance expected, got ${String(obj)}`);
      return obj;
    });
  }

  #symmetric(): boolean {
    return this.field.remote() === this.field.model && this.field.symmetrical && this.field.through().autoCreated;
  }

  async #addLinks(
    source: unknown,
    targets: unknown[],
    throughDefaults: Record<string, unknown>,
    db: string,
  ): Promise<Set<unknown>> {
    const through = this.#through();
    const existing = new Set(
      (await baseQuerySet(through, db)
        .filter({ [this.#source.name]: source, [`${this.#target.name}__in`]: targets })
        .valuesList(this.#target.attname as never, { flat: true })) as unknown[],
    );
    const missing = [...new Set(targets)].filter((t) => !existing.has(t));
    if (missing.length === 0) return new Set();
    const Through = through.model as unknown as new (init: Record<string, unknown>) => object;
    const rows = missing.map(
      (t) => new Through({ [this.#source.attname]: source, [this.#target.attname]: t, ...throughDefaults }),
    );
    await baseQuerySet(through, db).bulkCreate(rows);
    return new Set(missing);
  }

  /** Links these objects (or primary keys); already linked ones are left alone. */
  async add(...args: Array<T | unknown>): Promise<void> {
    const last = args[args.length - 1];
    const options =
      last !== null &&
      typeof last === 'object' &&
      !isInstanceOf(last, getMeta(this.model)) &&
      'throughDefaults' in (last as object)
        ? (args.pop() as { throughDefaults?: Record<string, unknown> })
        : {};
    const targets = this.#keys(args);
    if (targets.length === 0) return;
    const source = this.#pk();
    const db = dbOf(this.instance);
    await atomic({ using: db, savepoint: false }, async () => {
      const sender = this.#through().model;
      const signal = m2mChanged.hasListeners(sender);
      const pkSet = new Set(targets);
      if (signal)
        await m2mChanged.sendAsync(sender, {
          instance: this.instance,
          action: 'pre_add',
          reverse: this.isReverse,
          model: this.model,
          pkSet,
          using: db,
        });
      await this.#addLinks(source, targets, options.throughDefaults ?? {}, db);
      if (this.#symmetric()) for (const t of targets) if (t !== source) await this.#addLinks(t, [source], {}, db);
      if (signal)
        await m2mChanged.sendAsync(sender, {
          instance: this.instance,
          action: 'post_add',
          reverse: this.isReverse,
          model: this.model,
          pkSet,
          using: db,
        });
    });
    instanceState(this.instance).prefetched?.delete(this.#accessor);
  }

  /** Unlinks these objects (or primary keys). */
  async remove(...objects: Array<T | unknown>): Promise<void> {
    const targets = this.#keys(objects);
    if (targets.length === 0) return;
    const source = this.#pk();
    const db = dbOf(this.instance);
    await atomic({ using: db, savepoint: false }, async () => {
      const sender = this.#through().model;
      const signal = m2mChanged.hasListeners(sender);
      const pkSet = new Set(targets);
      if (signal)
        await m2mChanged.sendAsync(sender, {
          instance: this.instance,
          action: 'pre_remove',
          reverse: this.isReverse,
          model: this.model,
          pkSet,
          using: db,
        });
      await baseQuerySet(this.#through(), db)
        .filter({ [this.#source.name]: source, [`${this.#target.name}__in`]: targets })
        .delete();
      if (this.#symmetric()) {
        await baseQuerySet(this.#through(), db)
          .filter({ [`${this.#source.name}__in`]: targets, [this.#target.name]: source })
          .delete();
      }
      if (signal)
        await m2mChanged.sendAsync(sender, {
          instance: this.instance,
          action: 'post_remove',
          reverse: this.isReverse,
          model: this.model,
          pkSet,
          using: db,
        });
    });
    instanceState(this.instance).prefetched?.delete(this.#accessor);
  }

  /** Unlinks every object. */
  async clear(): Promise<void> {
    const source = this.#pk();
    const db = dbOf(this.instance);
    await atomic({ using: db, savepoint: false }, async () => {
      const sender = this.#through().model;
      const signal = m2mChanged.hasListeners(sender);
      if (signal)
        await m2mChanged.sendAsync(sender, {
          instance: this.instance,
          action: 'pre_clear',
          reverse: this.isReverse,
          model: this.model,
          pkSet: null,
          using: db,
        });
      await baseQuerySet(this.#through(), db)
        .filter({ [this.#source.name]: source })
        .delete();
      if (this.#symmetric())
        await baseQuerySet(this.#through(), db)
          .filter({ [this.#target.name]: source })
          .delete();
      if (signal)
        await m2mChanged.sendAsync(sender, {
          instance: this.instance,
          action: 'post_clear',
          reverse: this.isReverse,
          model: this.model,
          pkSet: null,
          using: db,
        });
    });
    instanceState(this.instance).prefetched?.delete(this.#accessor);
  }

  /** Makes these exactly the linked objects. */
  async set(
    objects: ReadonlyArray<T | unknown>,
    options: { clear?: boolean; throughDefaults?: Record<string, unknown> } = {},
  ): Promise<void> {
    const db = dbOf(this.instance);
    await atomic({ using: db, savepoint: false }, async () => {
      if (options.clear) {
        await this.clear();
        await this.add(...objects, { throughDefaults: options.throughDefaults });
        return;
      }
      const wanted = this.#keys(objects);
      const current = (await baseQuerySet(this.#through(), db)
        .filter({ [this.#source.name]: this.#pk() })
        .valuesList(this.#target.attname as never, { flat: true })) as unknown[];
      const wantedSet = new Set(wanted);
      const stale = current.filter((t) => !wantedSet.has(t));
      if (stale.length > 0) await this.remove(...stale);
      const have = new Set(current);
      const fresh = wanted.filter((t) => !have.has(t));
      if (fresh.length > 0) await this.add(...fresh, { throughDefaults: options.throughDefaults });
    });
  }

  /** A new object, saved and linked. */
  override async create(input: Record<string, unknown> = {}): Promise<T> {
    const db = dbOf(this.instance);
    return atomic({ using: db, savepoint: false }, async () => {
      const made = (await baseQuerySet(getMeta(this.model), db).create(input as never)) as T;
      await this.add(made);
      return made;
    });
  }
}
