/**
 * prefetchRelated(), as Django's `prefetch_related_objects`: each relation of a lookup path
 * (`'author__posts'`) is loaded with one query for all the objects at that level, and stored on
 * each object: the related object for a ForeignKey, the rows of `author.posts.all()` for a
 * reverse or many-to-many relation (or an array under `toAttr`). A `Prefetch` gives the queryset
 * used (filtered, ordered, with its own selectRelated).
 */
import type { ForeignKey, ManyToManyField } from './fields/related.ts';
import { instanceState, relatedCache } from './instance-state.ts';
import { getMeta, type Options, type RelatedObject } from './options.ts';
import { F } from './expressions.ts';

/** What a prefetch query needs of a queryset (query.ts cannot be imported here). */
export interface PrefetchQuerySet {
  readonly meta: Options;
  filter(...args: unknown[]): PrefetchQuerySet;
  annotate(annotations: Record<string, unknown>): PrefetchQuerySet;
  using(alias: string): PrefetchQuerySet;
  then: PromiseLike<unknown[]>['then'];
}

/**
 * A prefetch with its own queryset, or stored under another name (`toAttr`, as an array).
 *
 * @example
 * Author.objects.prefetchRelated(new Prefetch('posts', Post.objects.filter({ published: true }), { toAttr: 'publishedPosts' }));
 */
export class Prefetch {
  readonly lookup: string;
  readonly queryset: PrefetchQuerySet | undefined;
  readonly toAttr: string | undefined;

  constructor(lookup: string, queryset?: unknown, options: { toAttr?: string } = {}) {
    this.lookup = lookup;
    this.queryset = queryset as PrefetchQuerySet | undefined;
    this.toAttr = options.toAttr;
    if (queryset !== undefined && (queryset as { queryState?: { values: unknown } }).queryState?.values !== null) {
      throw new TypeError('Prefetch querysets cannot use values() or valuesList().');
    }
  }
}

type QuerySetFactory = (meta: Options) => PrefetchQuerySet;
let baseQuerySet: QuerySetFactory = () => {
  throw new Error('The models module did not register its queryset factory.');
};

/** Set by base.ts (prefetch.ts cannot import query.ts: it imports this). */
export function setPrefetchQuerySetFactory(factory: QuerySetFactory): void {
  baseQuerySet = factory;
}

const SOURCE = '__prefetchSource';

function pkOf(obj: object): unknown {
  return (obj as Record<string, unknown>)[getMeta(obj.constructor).pk.attname];
}

/** Loads the relations named by `lookups` onto `instances` (all of one model). */
export async function prefetchRelatedObjects(
  instances: readonly object[],
  lookups: ReadonlyArray<string | Prefetch>,
): Promise<void> {
  if (instances.length === 0) return;
  const done = new Set<string>();
  for (const lookup of lookups) {
    const prefetch = typeof lookup === 'string' ? new Prefetch(lookup) : lookup;
    const parts = prefetch.lookup.split('__');
    let level: object[] = [...instances];
    for (let i = 0; i < parts.length && level.length > 0; i++) {
      const path = parts.slice(0, i + 1).join('__');
      const last = i === parts.length - 1;
      const key = last && prefetch.toAttr !== undefined ? `${path}>${prefetch.toAttr}` : path;
      if (done.has(key) && !last) {
        level = nextLevel(level, parts[i]!);
        continue;
      }
      done.add(key);
      level = await prefetchOne(level, parts[i]!, last ? prefetch : undefined);
    }
  }
}

/** The objects one level down, already prefetched. */
function nextLevel(objects: object[], name: string): object[] {
  const out: object[] = [];
  for (const obj of objects) {
    const state = instanceState(obj);
    const many = state.prefetched?.get(name);
    if (many !== undefined) out.push(...(many as object[]));
    else {
      const one = state.cache?.get(name);
      if (one !== null && one !== undefined && typeof one === 'object' && !(one instanceof Promise)) out.push(one);
    }
  }
  return out;
}

async function prefetchOne(objects: object[], name: string, prefetch: Prefetch | undefined): Promise<object[]> {
  const meta = getMeta(objects[0]!.constructor);
  const alias = instanceState(objects[0]!).db ?? 'default';
  const field = meta.findField(name);
  const related =
    field === undefined
      ? (meta.findRelatedObject(name) ?? meta.relatedObjects.find((r) => !r.hidden && r.accessorName === name))
      : undefined;
  if (field === undefined && related === undefined) {
    throw new TypeError(
      `Cannot find '${name}' on ${meta.objectName} object, '${name}' is an invalid parameter to prefetchRelated()`,
    );
  }
  const toAttr = prefetch?.toAttr;
  if (field !== undefined && field.isRelation && !(field as unknown as { manyToMany: boolean }).manyToMany) {
    // Forward ForeignKey / OneToOne: one query for the targets.
    const fk = field as unknown as ForeignKey;
    const target = fk.targetField();
    // Objects whose related object is loaded already (selectRelated) need no query.
    const loaded = (o: object): boolean => {
      const cache = instanceState(o).cache;
      return (
        toAttr === undefined && cache !== undefined && cache.has(fk.name) && !(cache.get(fk.name) instanceof Promise)
      );
    };
    if (objects.every(loaded)) {
      return objects
        .map((o) => instanceState(o).cache!.get(fk.name))
        .filter((v): v is object => v !== null && typeof v === 'object');
    }
    objects = objects.filter((o) => !loaded(o));
    const keys = [
      ...new Set(
        objects.map((o) => (o as Record<string, unknown>)[fk.attname]).filter((k) => k !== null && k !== undefined),
      ),
    ];
    const qs = (prefetch?.queryset ?? baseQuerySet(fk.remote())).using(alias);
    const found = keys.length === 0 ? [] : ((await qs.filter({ [`${target.name}__in`]: keys })) as object[]);
    const byKey = new Map(found.map((o) => [(o as Record<string, unknown>)[target.attname], o]));
    for (const obj of objects) {
      const value = byKey.get((obj as Record<string, unknown>)[fk.attname]) ?? null;
      if (toAttr !== undefined) (obj as Record<string, unknown>)[toAttr] = value;
      else relatedCache(obj).set(fk.name, value);
    }
    return found;
  }
  if (field !== undefined) {
    // Forward many-to-many: the targets with the source key of their link, in one query.
    const m2m = field as unknown as ManyToManyField;
    const reverseQuery = m2m.relatedObject().queryName;
    const qs = (prefetch?.queryset ?? baseQuerySet(m2m.remote())).using(alias);
    const pks = objects.map(pkOf);
    const rows = (await qs
      .filter({ [`${reverseQuery}__in`]: pks })
      .annotate({ [SOURCE]: F(reverseQuery) })) as object[];
    return store(objects, rows, name, toAttr);
  }
  const rel = related as RelatedObject;
  if (rel.manyToMany) {
    const m2m = rel.field as unknown as ManyToManyField;
    const qs = (prefetch?.queryset ?? baseQuerySet(rel.relatedModel)).using(alias);
    const rows = (await qs
      .filter({ [`${m2m.name}__in`]: objects.map(pkOf) })
      .annotate({ [SOURCE]: F(m2m.name) })) as object[];
    return store(objects, rows, rel.accessorName, toAttr);
  }
  // Reverse ForeignKey (or OneToOne): the dependants, grouped by their key.
  const fk = rel.field as unknown as ForeignKey;
  const target = fk.targetField();
  const qs = (prefetch?.queryset ?? baseQuerySet(rel.relatedModel)).using(alias);
  const keys = objects.map((o) => (o as Record<string, unknown>)[target.attname]);
  const rows = (await qs.filter({ [`${fk.name}__in`]: keys })) as object[];
  const groups = new Map<unknown, object[]>();
  for (const row of rows) {
    const key = (row as Record<string, unknown>)[fk.attname];
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(row);
  }
  for (const obj of objects) {
    const group = groups.get((obj as Record<string, unknown>)[target.attname]) ?? [];
    for (const row of group) relatedCache(row).set(fk.name, obj);
    if (rel.oneToOne) {
      if (toAttr !== undefined) (obj as Record<string, unknown>)[toAttr] = group[0] ?? null;
      else relatedCache(obj).set(rel.accessorName, group[0] ?? null);
    } else if (toAttr !== undefined) (obj as Record<string, unknown>)[toAttr] = group;
    else {
      const state = instanceState(obj);
      (state.prefetched ??= new Map()).set(rel.accessorName, group);
    }
  }
  return rows;
}

function store(objects: object[], rows: object[], accessor: string, toAttr: string | undefined): object[] {
  const groups = new Map<unknown, object[]>();
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    const key = record[SOURCE];
    delete record[SOURCE];
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(row);
  }
  for (const obj of objects) {
    const group = groups.get(pkOf(obj)) ?? [];
    if (toAttr !== undefined) (obj as Record<string, unknown>)[toAttr] = group;
    else {
      const state = instanceState(obj);
      (state.prefetched ??= new Map()).set(accessor, group);
    }
  }
  return rows;
}
