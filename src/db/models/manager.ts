/**
 * `Manager`, as Django's: the way to a model's querysets (`Post.objects`). Every model has
 * `objects`; a subclass overriding `getQueryset()` gives another default set of rows.
 *
 * @example
 * class PublishedManager extends Manager<Post> {
 *   override getQueryset() { return super.getQueryset().filter({ published: true }); }
 * }
 * class Post extends Model.define({ ... }) {
 *   static override objects = new Manager(this);    // typed with the class's own methods
 *   static published = new PublishedManager(this);
 * }
 */
import type { Expression } from './expressions.ts';
import type { QNode } from './q.ts';
import { QuerySet, type FilterArg, type PrefetchLookup } from './query.ts';
import { RawQuerySet } from './raw.ts';
import type { ModelClassLike } from './options.ts';
import type {
  AnnotationResult,
  CreateInput,
  ExpressionArg,
  FieldName,
  Lookups,
  OrderKey,
  UpdateInput,
  ValuesKey,
  ValuesRow,
} from './types.ts';

export class Manager<T> {
  readonly model: ModelClassLike;

  constructor(model: abstract new (...args: never[]) => T) {
    if (typeof model !== 'function') {
      throw new TypeError(
        'A Manager needs its model class: write `static objects = new Manager(this);` in the model class body.',
      );
    }
    this.model = model as unknown as ModelClassLike;
  }

  /** The rows this manager starts from (all of them); override to narrow them. */
  getQueryset(): QuerySet<T> {
    return new QuerySet<T>(this.model);
  }

  #base: QuerySet<T> | undefined;

  /**
   * The queryset the methods below start from: getQueryset()'s, kept when getQueryset() is not
   * overridden (querysets are immutable, and these methods never fill its result cache), so
   * that `Post.objects.get({ pk })` makes one queryset, not two.
   */
  #start(): QuerySet<T> {
    if (this.#base !== undefined) return this.#base;
    const qs = this.getQueryset();
    if (this.getQueryset === Manager.prototype.getQueryset) this.#base = qs;
    return qs;
  }

  all(): QuerySet<T> {
    return this.getQueryset();
  }
  filter(...args: Array<FilterArg<T>>): QuerySet<T> {
    return this.#start().filter(...args);
  }
  exclude(...args: Array<FilterArg<T>>): QuerySet<T> {
    return this.#start().exclude(...args);
  }
  orderBy(...fields: Array<OrderKey<T> | Expression>): QuerySet<T> {
    return this.#start().orderBy(...fields);
  }
  reverse(): QuerySet<T> {
    return this.#start().reverse();
  }
  distinct(...fields: Array<FieldName<T> | string>): QuerySet<T> {
    return this.#start().distinct(...fields);
  }
  selectRelated(...fields: Array<string | null>): QuerySet<T> {
    return this.#start().selectRelated(...fields);
  }
  prefetchRelated(...lookups: Array<PrefetchLookup | null>): QuerySet<T> {
    return this.#start().prefetchRelated(...lookups);
  }
  annotate<A extends Record<string, ExpressionArg>>(annotations: A): QuerySet<T & AnnotationResult<A>> {
    return this.#start().annotate(annotations);
  }
  values<K extends ValuesKey<T>>(...fields: K[]): QuerySet<T, ValuesRow<T, K>> {
    return this.#start().values(...fields);
  }
  valuesList<K extends ValuesKey<T>>(...args: [...K[], { flat: true }]): QuerySet<T, ValuesRow<T, K>[K]>;
  valuesList<K extends ValuesKey<T>>(...args: [...K[], { named: true }]): QuerySet<T, Readonly<ValuesRow<T, K>>>;
  valuesList<K extends ValuesKey<T>>(...fields: K[]): QuerySet<T, unknown[]>;
  valuesList(...args: unknown[]): QuerySet<T, unknown> {
    return (this.#start().valuesList as (...a: unknown[]) => QuerySet<T, unknown>)(...args);
  }
  dates(...args: Parameters<QuerySet<T>['dates']>): ReturnType<QuerySet<T>['dates']> {
    return this.#start().dates(...args);
  }
  datetimes(...args: Parameters<QuerySet<T>['datetimes']>): ReturnType<QuerySet<T>['datetimes']> {
    return this.#start().datetimes(...args);
  }
  using(alias: string): QuerySet<T> {
    return this.#start().using(alias);
  }
  none(): QuerySet<T> {
    return this.#start().none();
  }
  union(...others: Array<QuerySet<T> | { all: boolean }>): QuerySet<T> {
    return this.#start().union(...others);
  }
  selectForUpdate(options?: { nowait?: boolean; skipLocked?: boolean; of?: string[]; noKey?: boolean }): QuerySet<T> {
    return this.#start().selectForUpdate(options);
  }
  slice(start: number, end?: number): QuerySet<T> {
    return this.#start().slice(start, end);
  }
  iterator(options?: { chunkSize?: number }): AsyncGenerator<T> {
    return this.#start().iterator(options);
  }

  get(...args: Array<FilterArg<T>>): Promise<T> {
    return this.#start().get(...args);
  }
  create(input?: CreateInput<T>): Promise<T> {
    return this.#start().create(input);
  }
  getOrCreate(lookups: Lookups<T>, options?: { defaults?: CreateInput<T> }): Promise<[T, boolean]> {
    return this.#start().getOrCreate(lookups, options);
  }
  updateOrCreate(lookups: Lookups<T>, options?: { defaults?: Partial<CreateInput<T>> }): Promise<[T, boolean]> {
    return this.#start().updateOrCreate(lookups, options);
  }
  bulkCreate(objects: readonly T[], options?: { batchSize?: number; ignoreConflicts?: boolean }): Promise<T[]> {
    return this.#start().bulkCreate(objects, options);
  }
  bulkUpdate(
    objects: readonly T[],
    fields: ReadonlyArray<FieldName<T>>,
    options?: { batchSize?: number },
  ): Promise<number> {
    return this.#start().bulkUpdate(objects, fields, options);
  }
  count(): Promise<number> {
    return this.#start().count();
  }
  exists(): Promise<boolean> {
    return this.#start().exists();
  }
  first(): Promise<T | null> {
    return this.#start().first();
  }
  last(): Promise<T | null> {
    return this.#start().last();
  }
  earliest(...fields: Array<OrderKey<T>>): Promise<T> {
    return this.#start().earliest(...fields);
  }
  latest(...fields: Array<OrderKey<T>>): Promise<T> {
    return this.#start().latest(...fields);
  }
  inBulk(ids?: readonly unknown[], options?: { fieldName?: string }): Promise<Map<unknown, T>> {
    return this.#start().inBulk(ids, options);
  }
  aggregate<A extends Record<string, ExpressionArg>>(aggregates: A): Promise<AnnotationResult<A>> {
    return this.#start().aggregate(aggregates);
  }
  update(values: UpdateInput<T>): Promise<number> {
    return this.#start().update(values);
  }

  /**
   * Rows of raw SQL as instances (columns matched to fields by name; `%s` placeholders bound to
   * `params`). The query must select the primary key.
   *
   * @example
   * const posts = await Post.objects.raw('SELECT * FROM blog_post WHERE title LIKE %s', ['%orm%']);
   */
  raw(
    sql: string,
    params: readonly unknown[] = [],
    options: { translations?: Record<string, string>; using?: string } = {},
  ): RawQuerySet<T> {
    return new RawQuerySet<T>(this.model, sql, params, options);
  }

  /** Whether `qs` is one of this model's querysets (for checks in related managers). */
  protected isOwn(qs: unknown): qs is QuerySet<T> {
    return qs instanceof QuerySet && qs.model === this.model;
  }
}

export type { QNode };
