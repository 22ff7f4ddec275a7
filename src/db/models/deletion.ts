/**
 * Deleting, as Django's `django.db.models.deletion`: a Collector gathers the objects to delete
 * and what depends on them, following each ForeignKey's `onDelete` (CASCADE collects the
 * dependants, PROTECT and RESTRICT refuse, SET_NULL/SET_DEFAULT/SET() update them, DO_NOTHING
 * leaves them to the database), then deletes everything in one transaction, sending the delete
 * signals. Querysets whose rows nothing depends on and nobody listens to are deleted with one
 * DELETE, without reading them first (Django's fast delete).
 */
import { connections } from '../connections.ts';
import { IntegrityError } from '../errors.ts';
import { atomic } from '../transaction.ts';
import type { AnyField } from './fields/base.ts';
import type { ForeignKey, ManyToManyField } from './fields/related.ts';
import { instanceState } from './instance-state.ts';
import { getMeta, type Options, type RelatedObject } from './options.ts';
import { postDelete, preDelete } from './signals.ts';

/** What happens to rows pointing at a deleted row: one of the handlers below. */
export type OnDelete = ((
  collector: Collector,
  field: ForeignKey,
  objects: object[],
  using: string,
) => void | Promise<void>) & {
  readonly onDeleteName: string;
};

function handler(
  name: string,
  fn: (collector: Collector, field: ForeignKey, objects: object[], using: string) => void | Promise<void>,
): OnDelete {
  return Object.assign(fn, { onDeleteName: name });
}

/** Refused: some objects are protected by a PROTECT ForeignKey. */
export class ProtectedError extends IntegrityError {
  override name = 'ProtectedError';
  readonly protectedObjects: Set<object>;

  constructor(message: string, protectedObjects: Iterable<object>) {
    super(message);
    this.protectedObjects = new Set(protectedObjects);
  }
}

/** Refused: some objects are referenced through a RESTRICT ForeignKey and not deleted along. */
export class RestrictedError extends IntegrityError {
  override name = 'RestrictedError';
  readonly restrictedObjects: Set<object>;

  constructor(message: string, restrictedObjects: Iterable<object>) {
    super(message);
    this.restrictedObjects = new Set(restrictedObjects);
  }
}

function label(field: AnyField): string {
  return `${field.model.objectName}.${field.name}`;
}

function describeObject(obj: object): string {
  return String(obj);
}

/** Deletes the dependants too. */
export const CASCADE: OnDelete = handler('CASCADE', (collector, field, objects, using) =>
  collector.collect(objects, { source: field.remote(), nullable: field.null, using }),
);

/** Refuses to delete while dependants exist (ProtectedError). */
export const PROTECT: OnDelete = handler('PROTECT', (_collector, field, objects) => {
  throw new ProtectedError(
    `Cannot delete some instances of model '${field.remote().objectName}' because they are referenced through a protected foreign key: '${label(field)}'`,
    objects,
  );
});

/** Refuses unless the dependants are deleted in the same operation through a CASCADE (RestrictedError). */
export const RESTRICT: OnDelete = handler('RESTRICT', (collector, field, objects) => {
  collector.restrict(field, objects);
});

/** Sets the dependants' ForeignKey to NULL (it must be nullable). */
export const SET_NULL: OnDelete = handler('SET_NULL', (collector, field, objects) => {
  collector.addFieldUpdate(field, null, objects);
});

/** Sets the dependants' ForeignKey to its default. */
export const SET_DEFAULT: OnDelete = handler('SET_DEFAULT', (collector, field, objects) => {
  collector.addFieldUpdate(field, field.getDefault(), objects);
});

/** Sets the dependants' ForeignKey to a value (or the result of a function). */
export function SET(value: unknown): OnDelete {
  const set = handler('SET', (collector, field, objects) => {
    collector.addFieldUpdate(field, typeof value === 'function' ? (value as () => unknown)() : value, objects);
  });
  // Kept for migrations, which write `SET(value)` back.
  return Object.assign(set, { setValue: value });
}

/** Does nothing: the database's own constraint decides (an IntegrityError, unless it cascades). */
export const DO_NOTHING: OnDelete = handler('DO_NOTHING', () => {});

interface QuerySetLike {
  readonly meta: Options;
  filter(...args: unknown[]): QuerySetLike;
  deleteRows(): Promise<number>;
  then: PromiseLike<unknown[]>['then'];
  using(alias: string): QuerySetLike;
}

type QuerySetFactory = (meta: Options) => QuerySetLike;
let baseQuerySet: QuerySetFactory = () => {
  throw new Error('The models module did not register its queryset factory.');
};

/** Set by base.ts (deletion.ts cannot import query.ts: it imports this). */
export function setQuerySetFactory(factory: QuerySetFactory): void {
  baseQuerySet = factory;
}

export class Collector {
  readonly using: string;
  /** Objects to delete, per model, in collection order. */
  readonly data = new Map<Options, Map<unknown, object>>();
  readonly fastDeletes: QuerySetLike[] = [];
  readonly fieldUpdates: Array<{ field: ForeignKey; value: unknown; objects: object[] }> = [];
  readonly #restricted: Array<{ field: ForeignKey; objects: object[] }> = [];

  constructor(using: string) {
    this.using = using;
  }

  /** Adds objects to delete; returns the ones not collected before. */
  add(objects: readonly object[]): object[] {
    const added: object[] = [];
    for (const obj of objects) {
      const meta = getMeta(obj.constructor);
      let byPk = this.data.get(meta);
      if (byPk === undefined) this.data.set(meta, (byPk = new Map()));
      const pk = (obj as Record<string, unknown>)[meta.pk.attname];
      if (byPk.has(pk)) continue;
      byPk.set(pk, obj);
      added.push(obj);
    }
    return added;
  }

  addFieldUpdate(field: ForeignKey, value: unknown, objects: object[]): void {
    if (value === null && !field.null) {
      throw new IntegrityError(
        `NOT NULL constraint failed: ${field.model.dbTable}.${field.column} (onDelete SET_NULL on a ForeignKey that is not null: true).`,
      );
    }
    this.fieldUpdates.push({ field, value, objects });
  }

  restrict(field: ForeignKey, objects: object[]): void {
    this.#restricted.push({ field, objects });
  }

  #listened(meta: Options): boolean {
    return preDelete.hasListeners(meta.model) || postDelete.hasListeners(meta.model);
  }

  /** Whether a queryset can be deleted with one DELETE: nothing depends on it, nobody listens. */
  canFastDelete(meta: Options): boolean {
    if (this.#listened(meta)) return false;
    return (
      meta.manyToMany.length === 0 &&
      meta.relatedObjects.every(
        (related) =>
          !related.manyToMany &&
          !related.relatedModel.autoCreated &&
          (related.field as unknown as ForeignKey).onDelete === DO_NOTHING,
      )
    );
  }

  /** Collects objects (or a queryset's rows) and, recursively, what their deletion touches. */
  async collect(
    objects: readonly object[] | QuerySetLike,
    options: { source?: Options; nullable?: boolean; using?: string } = {},
  ): Promise<void> {
    let list: object[];
    if (!Array.isArray(objects)) {
      const qs = objects as QuerySetLike;
      if (options.source === undefined && this.canFastDelete(qs.meta)) {
        this.fastDeletes.push(qs);
        return;
      }
      list = (await qs) as object[];
    } else list = objects as object[];
    const added = this.add(list);
    if (added.length === 0) return;
    const meta = getMeta(added[0]!.constructor);
    // Links of many-to-many relations (both sides) go with the object.
    for (const field of meta.manyToMany) {
      const m2m = field as unknown as ManyToManyField;
      const [source] = m2m.throughFields();
      this.#linkDelete(m2m.through(), source, added);
    }
    for (const related of meta.relatedObjects) {
      // The links of automatic through tables went with the many-to-many relations above.
      if (related.relatedModel.autoCreated) continue;
      if (related.manyToMany) {
        const m2m = related.field as unknown as ManyToManyField;
        const [, target] = m2m.throughFields();
        this.#linkDelete(m2m.through(), target, added);
        continue;
      }
      await this.#collectRelated(related, added);
    }
  }

  #linkDelete(through: Options, fk: ForeignKey, objects: object[]): void {
    this.fastDeletes.push(
      baseQuerySet(through)
        .using(this.using)
        .filter({ [`${fk.name}__in`]: objects }),
    );
  }

  async #collectRelated(related: RelatedObject, objects: object[]): Promise<void> {
    const field = related.field as unknown as ForeignKey;
    const onDelete = field.onDelete;
    if (onDelete === DO_NOTHING) return;
    const batchSize = Math.max(1, connections.get(this.using).ops.maxQueryParams - 10);
    for (let i = 0; i < objects.length; i += batchSize) {
      const batch = objects.slice(i, i + batchSize);
      const qs = baseQuerySet(related.relatedModel)
        .using(this.using)
        .filter({ [`${field.name}__in`]: batch });
      if (onDelete === CASCADE && this.canFastDelete(related.relatedModel)) {
        this.fastDeletes.push(qs);
        continue;
      }
      const dependants = (await qs) as object[];
      if (dependants.length > 0) await onDelete(this, field, dependants, this.using);
    }
  }

  /** Deletes what was collected, in one transaction: `[total, { 'app.Model': count }]`. */
  async delete(): Promise<[number, Record<string, number>]> {
    // RESTRICT holds unless the restricted objects are being deleted anyway (through a cascade).
    for (const { field, objects } of this.#restricted) {
      const collected = this.data.get(field.model);
      const kept = objects.filter((o) => !collected?.has((o as Record<string, unknown>)[field.model.pk.attname]));
      if (kept.length > 0) {
        throw new RestrictedError(
          `Cannot delete some instances of model '${field.remote().objectName}' because they are referenced through restricted foreign keys: '${label(field)}'.`,
          kept,
        );
      }
    }
    const counts: Record<string, number> = {};
    // As Django, only the models some rows were deleted of are counted.
    const add = (meta: Options, n: number) => {
      if (n > 0) counts[meta.label] = (counts[meta.label] ?? 0) + n;
    };
    // Dependants were collected after what they depend on: delete them first.
    const models = [...this.data.entries()].reverse();
    // One object and nothing depending on it: one DELETE, no transaction (Django's shortcut).
    if (
      models.length === 1 &&
      models[0]![1].size === 1 &&
      this.fastDeletes.length === 0 &&
      this.fieldUpdates.length === 0
    ) {
      const [meta, byPk] = models[0]!;
      if (this.canFastDelete(meta)) {
        const [pk, obj] = [...byPk.entries()][0]!;
        const deleted = await baseQuerySet(meta).using(this.using).filter({ pk }).deleteRows();
        (obj as Record<string, unknown>)[meta.pk.attname] = null;
        instanceState(obj).adding = true;
        return [deleted, { [meta.label]: deleted }];
      }
    }
    await atomic({ using: this.using, savepoint: false }, async () => {
      for (const [meta, byPk] of models) {
        if (meta.autoCreated || !preDelete.hasListeners(meta.model)) continue;
        for (const obj of byPk.values())
          await preDelete.sendAsync(meta.model, { instance: obj, using: this.using, origin: null });
      }
      for (const qs of this.fastDeletes) add(qs.meta, await qs.deleteRows());
      for (const { field, value, objects } of this.fieldUpdates) {
        const meta = field.model;
        const pks = objects.map((o) => (o as Record<string, unknown>)[meta.pk.attname]);
        await (
          baseQuerySet(meta).using(this.using).filter({ pk__in: pks }) as unknown as {
            update(v: Record<string, unknown>): Promise<number>;
          }
        ).update({
          [field.name]: value,
        });
        for (const o of objects)
          (o as Record<string, unknown>)[field.attname] =
            value === null || typeof value !== 'object' ? value : (value as Record<string, unknown>)[meta.pk.attname];
      }
      for (const [meta, byPk] of models) {
        const pks = [...byPk.keys()];
        const batchSize = Math.max(1, connections.get(this.using).ops.maxQueryParams - 10);
        let deleted = 0;
        for (let i = 0; i < pks.length; i += batchSize)
          deleted += await baseQuerySet(meta)
            .using(this.using)
            .filter({ pk__in: pks.slice(i, i + batchSize) })
            .deleteRows();
        add(meta, deleted);
      }
      for (const [meta, byPk] of models) {
        if (meta.autoCreated || !postDelete.hasListeners(meta.model)) continue;
        for (const obj of byPk.values())
          await postDelete.sendAsync(meta.model, { instance: obj, using: this.using, origin: null });
      }
    });
    // Deleted objects forget their key, as in Django.
    for (const [meta, byPk] of models) {
      for (const obj of byPk.values()) {
        (obj as Record<string, unknown>)[meta.pk.attname] = null;
        instanceState(obj).adding = true;
      }
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return [total, counts];
  }
}

/** A queryset's delete(): collect, then delete. */
export async function collectAndDelete(
  queryset: QuerySetLike,
  using: string,
): Promise<[number, Record<string, number>]> {
  const collector = new Collector(using);
  await collector.collect(queryset);
  return collector.delete();
}

/** An instance's delete(). */
export async function deleteInstance(instance: object, using: string): Promise<[number, Record<string, number>]> {
  const meta = getMeta(instance.constructor);
  if (
    (instance as Record<string, unknown>)[meta.pk.attname] === null ||
    (instance as Record<string, unknown>)[meta.pk.attname] === undefined
  ) {
    throw new TypeError(
      `${meta.objectName} object can't be deleted because its ${meta.pk.attname} attribute is set to null.`,
    );
  }
  const collector = new Collector(using);
  await collector.collect([instance]);
  return collector.delete();
}

export { describeObject };
