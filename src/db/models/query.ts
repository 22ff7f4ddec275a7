/**
 * `QuerySet`, as Django's: lazy (nothing runs until it is awaited, iterated or asked a question),
 * immutable (each method returns a new one), awaitable (`await qs` is its rows) and
 * async-iterable. Each evaluation builds the query's shape and runs the plan compiled for it
 * (sql/plan.ts); a queryset keeps its rows once fetched, as Django's result cache.
 */
import type { BaseDatabaseWrapper } from '../backends/base/wrapper.ts';
import { connections, DEFAULT_DB_ALIAS } from '../connections.ts';
import { IntegrityError, NotSupportedError, TransactionManagementError } from '../errors.ts';
import { atomic, inAtomicBlock, runStatement, streamStatement } from '../transaction.ts';
import { Expression, F, isExpression } from './expressions.ts';
import type { DateTimeValue, PlainDate } from './fields/temporal.ts';
import { Trunc } from './functions/datetime.ts';
import type { AnyField } from './fields/base.ts';
import { instanceState } from './instance-state.ts';
import { getMeta, type ModelClassLike, type Options } from './options.ts';
import { Q, QNode, type LookupObject } from './q.ts';
import { QueryCompiler, finishSql, type Slot } from './sql/compiler.ts';
import { bind, cachedPlan, readRows, type Plan, type SelectPlan } from './sql/plan.ts';
import { describe, initialState, Shape, type OrderTerm, type QueryState, type Shaped } from './sql/state.ts';
import { collectAndDelete } from './deletion.ts';
import { prefetchRelatedObjects, type Prefetch } from './prefetch.ts';
import { insertRows, saveInstance } from './persistence.ts';
import type {
  CreateInput,
  Lookups,
  OrderKey,
  UpdateInput,
  ValuesKey,
  ValuesRow,
  FieldName,
  AnnotationResult,
  ExpressionArg,
} from './types.ts';

/** Django's `MAX_GET_RESULTS`: get() reads this many rows at most to say how many it found. */
const MAX_GET_RESULTS = 21;
const NO_ORDER: readonly OrderTerm[] = Object.freeze([]);

/** A filter argument: lookups, or a Q. */
export type FilterArg<T> = Lookups<T> | QNode;

/** A prefetchRelated() lookup: a relation path, or a Prefetch. */
export type PrefetchLookup = string | Prefetch;

/** What a related manager tells its querysets: the object and relation they belong to (for prefetch caches). */
export interface RelatedHint {
  instance: object;
  accessor: string;
  /** What create() sets on new objects (the ForeignKey back to `instance`). */
  defaults?: Record<string, unknown>;
}

function toQ(args: readonly unknown[]): QNode {
  const children: QNode[] = [];
  for (const arg of args) {
    if (arg instanceof QNode) children.push(arg);
    else if (isExpression(arg)) children.push(new QNode({}, { children: [['__expression', arg]] }));
    else if (arg !== null && typeof arg === 'object') children.push(Q(arg as LookupObject));
    else throw new TypeError(`filter() takes lookup objects and Q()s, not ${JSON.stringify(arg)}.`);
  }
  return children.length === 1 ? children[0]! : new QNode({}, { children });
}

export class QuerySet<T, R = T> implements PromiseLike<R[]>, AsyncIterable<R> {
  readonly model: ModelClassLike;
  readonly queryState: QueryState;
  readonly #prefetch: readonly PrefetchLookup[];
  readonly #hint: RelatedHint | undefined;
  #result: Promise<R[]> | undefined;

  constructor(model: ModelClassLike, state?: QueryState, prefetch: readonly PrefetchLookup[] = [], hint?: RelatedHint) {
    this.model = model;
    this.queryState = state ?? initialState(getMeta(model));
    this.#prefetch = prefetch;
    this.#hint = hint;
  }

  /** The model's metadata. */
  get meta(): Options {
    return this.queryState.meta;
  }

  /** The database alias this queryset reads. */
  get db(): string {
    return (
      this.queryState.using ??
      (this.#hint !== undefined ? (instanceState(this.#hint.instance).db ?? DEFAULT_DB_ALIAS) : DEFAULT_DB_ALIAS)
    );
  }

  #clone<R2 = R>(changes: Partial<QueryState>, prefetch: readonly PrefetchLookup[] = this.#prefetch): QuerySet<T, R2> {
    return new QuerySet<T, R2>(this.model, { ...this.queryState, ...changes }, prefetch, this.#hint);
  }

  /** Prefilled rows (prefetchRelated): this queryset is already evaluated. */
  prefill(rows: R[]): this {
    this.#result = Promise.resolve(rows);
    return this;
  }

  #notSliced(what: string): void {
    if (this.queryState.low > 0 || this.queryState.high !== null)
      throw new TypeError(`Cannot ${what} a query once a slice has been taken.`);
  }

  #notCombined(what: string): void {
    if (this.queryState.combinator !== null) {
      throw new NotSupportedError(
        `Calling QuerySet.${what}() after ${this.queryState.combinator.op.toLowerCase()}() is not supported.`,
      );
    }
  }

  // ---- building ----

  /** A copy (all rows). */
  all(): QuerySet<T, R> {
    return this.#clone({});
  }

  /** Rows matching every lookup (and Q) given. */
  filter(...args: Array<FilterArg<T>>): QuerySet<T, R> {
    if (args.length === 0) return this.#clone({});
    this.#notSliced('filter');
    this.#notCombined('filter');
    return this.#clone({ where: [...this.queryState.where, { negated: false, q: toQ(args) }] });
  }

  /** Rows not matching the lookups. */
  exclude(...args: Array<FilterArg<T>>): QuerySet<T, R> {
    if (args.length === 0) return this.#clone({});
    this.#notSliced('filter');
    this.#notCombined('exclude');
    return this.#clone({ where: [...this.queryState.where, { negated: true, q: toQ(args) }] });
  }

  /** Ordered by these fields (`-` descending, `?` random); no argument: unordered, not even by Meta.ordering. */
  orderBy(...fields: Array<OrderKey<T> | Expression>): QuerySet<T, R> {
    this.#notSliced('reorder');
    return this.#clone({ order: fields as readonly OrderTerm[], reversed: false });
  }

  /** The ordering reversed. */
  reverse(): QuerySet<T, R> {
    this.#notSliced('reverse');
    return this.#clone({ reversed: !this.queryState.reversed });
  }

  /** Without duplicate rows; with fields, one row per distinct value of them (PostgreSQL). */
  distinct(...fields: Array<FieldName<T> | string>): QuerySet<T, R> {
    this.#notSliced('create distinct fields');
    return this.#clone({ distinct: fields as string[] });
  }

  /** Loads these forward relations in the same query (all non-null ones without arguments); null clears. */
  selectRelated(...fields: Array<string | null>): QuerySet<T, R> {
    this.#notCombined('selectRelated');
    if (fields.length === 1 && fields[0] === null) return this.#clone({ related: null });
    if (fields.length === 0) return this.#clone({ related: true });
    const previous =
      this.queryState.related === true || this.queryState.related === null ? [] : this.queryState.related;
    return this.#clone({ related: [...new Set([...previous, ...(fields as string[])])] });
  }

  /** Loads these relations with one more query each, after the rows; null clears. */
  prefetchRelated(...lookups: Array<PrefetchLookup | null>): QuerySet<T, R> {
    this.#notCombined('prefetchRelated');
    if (lookups.length === 1 && lookups[0] === null) return this.#clone({}, []);
    return this.#clone({}, [...this.#prefetch, ...(lookups as PrefetchLookup[])]);
  }

  /** Adds computed values to each row (`annotate({ n: Count('posts') })`). */
  annotate<A extends Record<string, ExpressionArg>>(
    annotations: A,
  ): QuerySet<T & AnnotationResult<A>, R & AnnotationResult<A>> {
    this.#notCombined('annotate');
    const entries = Object.entries(annotations);
    for (const [name, expression] of entries) {
      if (!(expression instanceof Expression))
        throw new TypeError(`The annotation '${name}' must be an expression (Count(), F(), Value()...).`);
      if (this.queryState.annotations.some(([n]) => n === name))
        throw new TypeError(`The annotation '${name}' conflicts with an annotation of the same name.`);
    }
    const whereCount = this.queryState.where.length;
    // Annotations after values('a') join its rows (Django: values('author').annotate(n=Count('id'))).
    const values = this.queryState.values;
    const changes: Partial<QueryState> =
      values !== null && values.fields.length > 0
        ? { values: { ...values, fields: [...values.fields, ...entries.map(([n]) => n)] } }
        : {};
    return this.#clone({
      ...changes,
      annotations: [
        ...this.queryState.annotations,
        ...entries.map(([n, e]) => [n, e as unknown as Shaped, whereCount] as const),
      ],
    }) as unknown as QuerySet<T & AnnotationResult<A>, R & AnnotationResult<A>>;
  }

  /** Rows as objects of these fields (all fields without arguments). */
  values<K extends ValuesKey<T>>(...fields: K[]): QuerySet<T, ValuesRow<T, K>> {
    return this.#clone({ values: { fields: fields as string[], kind: 'dict' } });
  }

  /** Rows as arrays of these fields; `flat` (one field) gives the values themselves, `named` frozen objects. */
  valuesList<K extends ValuesKey<T>>(...args: [...K[], { flat: true }]): QuerySet<T, ValuesRow<T, K>[K]>;
  valuesList<K extends ValuesKey<T>>(...args: [...K[], { named: true }]): QuerySet<T, Readonly<ValuesRow<T, K>>>;
  valuesList<K extends ValuesKey<T>>(...fields: K[]): QuerySet<T, unknown[]>;
  valuesList(...args: unknown[]): QuerySet<T, unknown> {
    const last = args[args.length - 1];
    const options =
      last !== null && typeof last === 'object' ? (args.pop() as { flat?: boolean; named?: boolean }) : {};
    const fields = args as string[];
    if (options.flat && options.named) throw new TypeError("'flat' and 'named' can't be used together.");
    if (options.flat && fields.length > 1)
      throw new TypeError("'flat' is not valid when valuesList is called with more than one field.");
    const kind = options.flat ? 'flat' : options.named ? 'named' : 'list';
    return this.#clone({
      values: { fields: fields.length === 0 && kind === 'flat' ? [this.meta.pk.name] : fields, kind },
    });
  }

  /**
   * The distinct dates of `field` truncated to `kind`, as PlainDates (a DateTimeField's in the
   * current time zone), NULLs left out, in `order` (Django's `dates()`).
   *
   * @example
   * const months = await Post.objects.filter({ published: true }).dates('created', 'month', 'DESC');
   */
  dates(
    field: FieldName<T> | string,
    kind: 'year' | 'month' | 'week' | 'day',
    order: 'ASC' | 'DESC' = 'ASC',
  ): QuerySet<T, PlainDate> {
    if (!['year', 'month', 'week', 'day'].includes(kind))
      throw new TypeError(`'kind' must be one of 'year', 'month', 'week', or 'day' (got '${String(kind)}').`);
    return this.#truncated(field, new Trunc(field as string, kind, { output: 'date' }), order) as QuerySet<
      T,
      PlainDate
    >;
  }

  /**
   * The distinct values of the DateTimeField `field` truncated to `kind` in `tzinfo` (default:
   * the current time zone), NULLs left out, in `order` (Django's `datetimes()`): ZonedDateTimes
   * in that zone with USE_TZ, else PlainDateTimes. `isDst` says which reading to take of a
   * truncated wall time that happens twice or never there.
   *
   * @example
   * const hours = await Visit.objects.datetimes('at', 'hour', 'ASC', { tzinfo: 'Europe/Paris' });
   */
  datetimes(
    field: FieldName<T> | string,
    kind: 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second',
    order: 'ASC' | 'DESC' = 'ASC',
    options: { tzinfo?: string; isDst?: boolean } = {},
  ): QuerySet<T, DateTimeValue> {
    if (!['year', 'month', 'week', 'day', 'hour', 'minute', 'second'].includes(kind)) {
      throw new TypeError(
        `'kind' must be one of 'year', 'month', 'week', 'day', 'hour', 'minute', or 'second' (got '${String(kind)}').`,
      );
    }
    const trunc = new Trunc(field as string, kind, {
      output: 'datetime',
      tzinfo: options.tzinfo,
      isDst: options.isDst,
    });
    return this.#truncated(field, trunc, order) as QuerySet<T, DateTimeValue>;
  }

  #truncated(field: string, trunc: Trunc, order: 'ASC' | 'DESC'): QuerySet<T, unknown> {
    if (order !== 'ASC' && order !== 'DESC')
      throw new TypeError(`'order' must be either 'ASC' or 'DESC' (got '${String(order)}').`);
    // A field of this model is checked now, as Django's; a path across relations when it runs.
    if (!field.includes('__')) {
      const target = this.meta.getField(field);
      trunc.checkSource(target.internalType, target.name);
    }
    const name = trunc.output === 'date' ? 'datefield' : 'datetimefield';
    // The filter names the annotation, as Django's: a field across a multi-valued relation
    // is read through the same join as the truncated value.
    return (this.annotate({ [name]: trunc, plain_field: F(field) }) as unknown as QuerySet<T, R>)
      .valuesList(name as never, { flat: true })
      .distinct()
      .filter({ plain_field__isnull: false } as never)
      .orderBy(`${order === 'DESC' ? '-' : ''}${name}` as never);
  }

  /** On another database of DATABASES. */
  using(alias: string): QuerySet<T, R> {
    return this.#clone({ using: alias });
  }

  /** No rows, and no query. */
  none(): QuerySet<T, R> {
    return this.#clone({ none: true });
  }

  #combine(op: 'UNION' | 'INTERSECT' | 'EXCEPT', others: readonly QuerySet<T, R>[], all: boolean): QuerySet<T, R> {
    const queries = others.map((o) => ({ ...o.queryState, order: null as readonly OrderTerm[] | null }));
    return this.#clone({ combinator: { op, all, queries }, order: null, low: 0, high: null }, []);
  }

  /** The rows of this and the other querysets (UNION; `all` keeps duplicates). */
  union(...others: Array<QuerySet<T, R> | { all: boolean }>): QuerySet<T, R> {
    const all =
      others.length > 0 && !(others[others.length - 1] instanceof QuerySet)
        ? (others.pop() as { all: boolean }).all
        : false;
    return this.#combine('UNION', others as QuerySet<T, R>[], all);
  }

  /** The rows in all of them (INTERSECT). */
  intersection(...others: QuerySet<T, R>[]): QuerySet<T, R> {
    return this.#combine('INTERSECT', others, false);
  }

  /** The rows of this not in the others (EXCEPT). */
  difference(...others: QuerySet<T, R>[]): QuerySet<T, R> {
    return this.#combine('EXCEPT', others, false);
  }

  /** Locks the rows until the end of the transaction (PostgreSQL; SQLite locks the whole file anyway). */
  selectForUpdate(
    options: { nowait?: boolean; skipLocked?: boolean; of?: string[]; noKey?: boolean } = {},
  ): QuerySet<T, R> {
    if (options.nowait && options.skipLocked) throw new TypeError('The nowait option cannot be used with skipLocked.');
    return this.#clone({
      forUpdate: {
        nowait: options.nowait === true,
        skipLocked: options.skipLocked === true,
        of: options.of ?? [],
        noKey: options.noKey === true,
      },
    });
  }

  /** Rows `start` to `end` (Python's `qs[start:end]`): LIMIT and OFFSET. */
  slice(start: number, end?: number): QuerySet<T, R> {
    if (start < 0 || (end !== undefined && end < 0)) throw new TypeError('Negative indexing is not supported.');
    if (!Number.isInteger(start) || (end !== undefined && !Number.isInteger(end)))
      throw new TypeError('QuerySet indices must be integers.');
    const { low, high } = this.queryState;
    const newLow = Math.min(low + start, high ?? Infinity);
    const newHigh = end === undefined ? high : Math.min(low + end, high ?? Infinity);
    return this.#clone({ low: newLow, high: newHigh === null ? null : Math.max(newHigh, newLow) });
  }

  /** The row at `index` (Python's `qs[index]`), or undefined. */
  async at(index: number): Promise<R | undefined> {
    const rows = await this.slice(index, index + 1);
    return rows[0];
  }

  // ---- evaluating ----

  #wrapper(): BaseDatabaseWrapper {
    return connections.get(this.db);
  }

  /**
   * Runs a plan for this state: the rows, synchronously when the database answered at once
   * (SQLite) and nothing is left to load (no prefetch), else a promise of them. Errors are thrown
   * here or rejected there; the callers below turn both into one promise.
   */
  static fetch<R>(state: QueryState, alias: string, prefetch: readonly PrefetchLookup[] = []): R[] | Promise<R[]> {
    const wrapper = connections.get(alias);
    const shape = new Shape();
    describe(state, shape);
    const plan = cachedPlan<SelectPlan>(
      wrapper,
      `S${shape.key}`,
      () => {
        const compiler = new QueryCompiler(state, wrapper);
        const compiled = compiler.select();
        return finished(compiler, {
          sql: compiled.sql,
          empty: compiled.empty,
          bigints: compiled.bigints,
          layout: compiled.layout,
        });
      },
      state.meta.label,
    );
    if (plan.empty) return [];
    if (state.forUpdate !== null && wrapper.features.hasSelectForUpdate && !inAtomicBlock(alias)) {
      throw new TransactionManagementError(
        'selectForUpdate() cannot be used outside of a transaction: run it inside atomic().',
      );
    }
    const result = runStatement(wrapper, plan.sql, bind(plan.slots, shape.values), {
      arrays: true,
      prepared: plan.prepared,
      bigints: plan.bigints,
    });
    if (result instanceof Promise) return result.then((done) => finishRows<R>(plan, done.rows, alias, prefetch));
    return finishRows<R>(plan, result.rows, alias, prefetch);
  }

  /** fetch(), as a promise. */
  static run<R>(state: QueryState, alias: string, prefetch: readonly PrefetchLookup[] = []): Promise<R[]> {
    try {
      const rows = QuerySet.fetch<R>(state, alias, prefetch);
      return rows instanceof Promise ? rows : Promise.resolve(rows);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #evaluate(): Promise<R[]> {
    return QuerySet.run<R>(this.queryState, this.db, this.#prefetch);
  }

  then<A = R[], B = never>(
    onFulfilled?: ((rows: R[]) => A | PromiseLike<A>) | null,
    onRejected?: ((error: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return (this.#result ??= this.#evaluate()).then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((error: unknown) => B | PromiseLike<B>) | null): Promise<R[] | B> {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<R[]> {
    return (this.#result ??= this.#evaluate()).finally(onFinally);
  }

  get [Symbol.toStringTag](): string {
    return 'QuerySet';
  }

  async *[Symbol.asyncIterator](): AsyncIterator<R> {
    yield* await this;
  }

  /** Streams the rows in chunks (a server-side cursor on PostgreSQL), without keeping them. */
  async *iterator(options: { chunkSize?: number } = {}): AsyncGenerator<R> {
    const chunkSize = options.chunkSize ?? 2000;
    if (!(chunkSize > 0)) throw new TypeError('Chunk size must be strictly positive.');
    const state = this.queryState;
    const wrapper = this.#wrapper();
    const shape = new Shape();
    describe(state, shape);
    const plan = cachedPlan<SelectPlan>(wrapper, `S${shape.key}`, () => {
      const compiler = new QueryCompiler(state, wrapper);
      const compiled = compiler.select();
      return finished(compiler, {
        sql: compiled.sql,
        empty: compiled.empty,
        bigints: compiled.bigints,
        layout: compiled.layout,
      });
    });
    if (plan.empty) return;
    const params = bind(plan.slots, shape.values);
    for await (const rows of streamStatement(
      wrapper,
      plan.sql,
      params,
      { arrays: true, bigints: plan.bigints },
      chunkSize,
    )) {
      const results = readRows(plan.layout, rows, this.db) as R[];
      if (this.#prefetch.length > 0) await prefetchRelatedObjects(results as object[], this.#prefetch);
      yield* results;
    }
  }

  #run<P extends Plan>(
    op: string,
    extra: (shape: Shape) => void,
    compile: (compiler: QueryCompiler) => Omit<P, 'prepared' | 'slots'>,
  ): Promise<{ plan: P; rows: unknown[]; rowCount: number }> {
    let wrapper: BaseDatabaseWrapper;
    const shape = new Shape();
    let plan: P;
    try {
      wrapper = this.#wrapper();
      const state = this.queryState;
      describe(state, shape);
      extra(shape);
      plan = cachedPlan<P>(wrapper, `${op}${shape.key}`, () => {
        const compiler = new QueryCompiler(state, wrapper);
        return finished(compiler, compile(compiler)) as unknown as Omit<P, 'prepared'>;
      });
    } catch (error) {
      return Promise.reject(error);
    }
    if (plan.empty) return Promise.resolve({ plan, rows: [], rowCount: 0 });
    return Promise.resolve(
      runStatement(wrapper, plan.sql, bind(plan.slots, shape.values), {
        arrays: true,
        prepared: plan.prepared,
        bigints: plan.bigints,
        write: op === 'U' || op === 'D',
      }),
    ).then((result) => ({ plan, rows: result.rows, rowCount: result.rowCount }));
  }

  /** The number of rows (`SELECT COUNT(*)`; the cached rows' count once evaluated). */
  async count(): Promise<number> {
    if (this.#result !== undefined) return (await this.#result).length;
    const { rows } = await this.#run<Plan>(
      'C',
      () => {},
      (compiler) => ({ ...compiler.count(), bigints: false }),
    );
    return rows.length === 0 ? 0 : Number((rows[0] as unknown[])[0]);
  }

  /** Whether there is any row (`SELECT 1 ... LIMIT 1`). */
  async exists(): Promise<boolean> {
    if (this.#result !== undefined) return (await this.#result).length > 0;
    const { rows } = await this.#run<Plan>(
      'E',
      () => {},
      (compiler) => ({ ...compiler.exists(), bigints: false }),
    );
    return rows.length > 0;
  }

  /**
   * The one row matching (the lookups given and this queryset's filters).
   * @throws Model.DoesNotExist when none, Model.MultipleObjectsReturned when more.
   */
  get(...args: Array<FilterArg<T>>): Promise<R> {
    const state = this.queryState;
    try {
      const lookup =
        args.length === 1 && this.#prefetch.length === 0 && unfiltered(state) ? singleLookup(args[0]) : null;
      if (lookup !== null) {
        const fast = this.#fastGet(lookup, (args[0] as Record<string, unknown>)[lookup]);
        if (fast !== undefined) return fast;
      }
      if (state.combinator !== null && args.length > 0) {
        throw new NotSupportedError(
          `Calling QuerySet.get(...) with filters after ${state.combinator.op.toLowerCase()}() is not supported.`,
        );
      }
      // One state for the query: the filter, no ordering, LIMIT 21 (Django's MAX_GET_RESULTS);
      // a literal rather than a spread, which costs several times more on this path.
      const limited = state.high === null && state.distinct === null && state.combinator === null;
      const query: QueryState =
        args.length === 0 && !limited
          ? state
          : {
              meta: state.meta,
              using: state.using,
              where: args.length === 0 ? state.where : [...state.where, { negated: false, q: toQ(args) }],
              order: limited ? NO_ORDER : state.order,
              reversed: state.reversed,
              low: state.low,
              high: limited ? MAX_GET_RESULTS : state.high,
              distinct: state.distinct,
              related: state.related,
              annotations: state.annotations,
              values: state.values,
              forUpdate: state.forUpdate,
              combinator: state.combinator,
              none: state.none,
            };
      if (lookup !== null) {
        // Learn this lookup's shape: one scalar value, bound as the plan's only value.
        const shape = new Shape();
        describe(query, shape);
        const value = (args[0] as Record<string, unknown>)[lookup];
        if (shape.values.length === 1 && shape.values[0] === value) state.meta.getShapes.set(lookup, `S${shape.key}`);
      }
      const rows = QuerySet.fetch<R>(query, this.db, this.#prefetch);
      if (rows instanceof Promise) return rows.then((found) => this.#one(found));
      return Promise.resolve(this.#one(rows));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `get({ pk: 1 })` on an unfiltered queryset once its shape is known: the plan straight from
   * the lookup's name, without building the filter tree and the shape key again (a tenth of a
   * primary-key get). undefined when the value is not a scalar or the plan is not compiled yet.
   */
  #fastGet(lookup: string, value: unknown): Promise<R> | undefined {
    const type = typeof value;
    if (type !== 'number' && type !== 'string' && type !== 'bigint' && type !== 'boolean') return undefined;
    const key = this.queryState.meta.getShapes.get(lookup);
    if (key === undefined) return undefined;
    const wrapper = connections.get(this.db);
    const plan = wrapper.plans.get(key) as SelectPlan | undefined;
    if (plan === undefined || plan.empty) return undefined;
    const result = runStatement(wrapper, plan.sql, bind(plan.slots, [value]), {
      arrays: true,
      prepared: plan.prepared,
      bigints: plan.bigints,
    });
    const alias = this.db;
    if (result instanceof Promise)
      return result.then((done) => this.#one(readRows(plan.layout, done.rows, alias) as R[]));
    return Promise.resolve(this.#one(readRows(plan.layout, result.rows, alias) as R[]));
  }

  /** get()'s answer from its rows. */
  #one(rows: R[]): R {
    if (rows.length === 1) return rows[0]!;
    const meta = this.meta;
    if (rows.length === 0) throw new meta.DoesNotExist(`${meta.objectName} matching query does not exist.`);
    throw new meta.MultipleObjectsReturned(
      `get() returned more than one ${meta.objectName} -- it returned ${rows.length >= MAX_GET_RESULTS ? `more than ${MAX_GET_RESULTS - 1}` : rows.length}!`,
    );
  }

  /** Whether the rows have an order (orderBy(), or the model's Meta.ordering). */
  get ordered(): boolean {
    const { order, meta, annotations } = this.queryState;
    if (order !== null) return order.length > 0;
    return meta.ordering.length > 0 && !annotations.some(([, e]) => (e as Expression).containsAggregate);
  }

  /** The first row (by primary key when unordered), or null. */
  async first(): Promise<R | null> {
    const qs = this.ordered ? this : this.orderBy('pk' as OrderKey<T>);
    return (await qs.slice(0, 1))[0] ?? null;
  }

  /** The last row (by primary key when unordered), or null. */
  async last(): Promise<R | null> {
    const qs = this.ordered ? this.reverse() : this.orderBy('-pk' as OrderKey<T>);
    return (await qs.slice(0, 1))[0] ?? null;
  }

  #byLatest(fields: readonly string[], descending: boolean): Promise<R> {
    const names = fields.length > 0 ? fields : (this.meta.getLatestBy ?? []);
    if (names.length === 0) {
      return Promise.reject(
        new TypeError(
          "earliest() and latest() require either fields as positional arguments or 'getLatestBy' in the model's Meta.",
        ),
      );
    }
    this.#notSliced('change the ordering of');
    const order = names.map((n) => (descending ? (n.startsWith('-') ? n.slice(1) : `-${n}`) : n));
    return this.#clone({ order, reversed: false, high: this.queryState.low + 1 }).get();
  }

  /** The row with the greatest value of these fields (Meta.getLatestBy by default). */
  latest(...fields: Array<OrderKey<T>>): Promise<R> {
    return this.#byLatest(fields as string[], true);
  }

  /** The row with the least value of these fields. */
  earliest(...fields: Array<OrderKey<T>>): Promise<R> {
    return this.#byLatest(fields as string[], false);
  }

  /** The rows by a unique field's value (primary key by default), as a Map; those of `ids` only when given. */
  async inBulk(ids?: readonly unknown[], options: { fieldName?: string } = {}): Promise<Map<unknown, R>> {
    this.#notSliced("use 'limit' or 'offset' with inBulk() on");
    const fieldName = options.fieldName ?? 'pk';
    const field = this.meta.getField(fieldName);
    if (
      fieldName !== 'pk' &&
      !field.unique &&
      !this.meta.constraints.some(
        (c) =>
          (c as { fields?: string[] }).fields?.length === 1 && (c as { fields?: string[] }).fields![0] === fieldName,
      )
    ) {
      throw new TypeError(`inBulk()'s fieldName must be a unique field but '${fieldName}' isn't.`);
    }
    const out = new Map<unknown, R>();
    let rows: R[];
    if (ids === undefined) rows = await this.#clone<R>({ values: null });
    else {
      if (ids.length === 0) return out;
      rows = [];
      const batch = Math.max(1, this.#wrapper().ops.maxQueryParams - 10);
      for (let i = 0; i < ids.length; i += batch) {
        rows.push(...(await this.filter({ [`${fieldName}__in`]: ids.slice(i, i + batch) } as Lookups<T>)));
      }
    }
    for (const row of rows) out.set((row as Record<string, unknown>)[field.attname], row);
    return out;
  }

  /** Aggregates over the rows (`aggregate({ total: Sum('views') })`). */
  async aggregate<A extends Record<string, ExpressionArg>>(aggregates: A): Promise<AnnotationResult<A>> {
    const entries = Object.entries(aggregates) as Array<[string, Expression]>;
    if (entries.length === 0) return {} as AnnotationResult<A>;
    for (const [name, expression] of entries) {
      if (!(expression instanceof Expression) || !expression.containsAggregate)
        throw new TypeError(`${name} is not an aggregate expression.`);
    }
    let fields: Array<AnyField | undefined> = [];
    const { rows, plan } = await this.#run<Plan & { fields: Array<AnyField | undefined> }>(
      'A',
      (shape) => {
        for (const [name, expression] of entries) {
          shape.add(`|${name}=`);
          expression.shape(shape);
        }
      },
      (compiler) => {
        const compiled = compiler.aggregate(entries);
        return { sql: compiled.sql, empty: compiled.empty, fields: compiled.fields, bigints: false };
      },
    );
    fields = plan.fields;
    const wrapper = this.#wrapper();
    const row = (rows[0] as unknown[] | undefined) ?? entries.map(() => null);
    const out: Record<string, unknown> = {};
    entries.forEach(([name, expression], i) => {
      const value = row[i];
      const isCount = (expression as { functionName?: string }).functionName === 'COUNT';
      if (value === null || value === undefined) out[name] = isCount ? 0 : null;
      else {
        const convert = fields[i]?.fromDbConverter(wrapper, typeof value === 'bigint', true);
        out[name] =
          convert !== undefined
            ? convert(value)
            : typeof value === 'bigint' || (isCount && typeof value === 'string')
              ? Number(value)
              : value;
      }
    });
    return out as AnnotationResult<A>;
  }

  /** The query plan, as the database explains it. */
  async explain(options: { format?: string } & Record<string, unknown> = {}): Promise<string> {
    const { format, ...rest } = options;
    const wrapper = this.#wrapper();
    const prefix = wrapper.ops.explainPrefix(format, rest);
    const { rows } = await this.#run<SelectPlan>(
      `X${prefix}`,
      () => {},
      (compiler) => {
        const compiled = compiler.select();
        return { sql: `${prefix} ${compiled.sql}`, empty: false, bigints: false, layout: compiled.layout };
      },
    );
    return (rows as unknown[][])
      .map((row) => row.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(' '))
      .join('\n');
  }

  // ---- writing ----

  /** Updates the rows matching (`update({ views: F('views').add(1) })`); returns how many. */
  async update(values: UpdateInput<T>): Promise<number> {
    this.#notCombined('update');
    const entries = Object.entries(values as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) throw new TypeError('update() needs at least one field to set.');
    const meta = this.meta;
    const fields = entries.map(([name]) => {
      const field = meta.findField(name);
      if (field === undefined)
        throw new TypeError(`Cannot update model field '${name}': ${meta.objectName} has no such field.`);
      if (!field.concrete)
        throw new TypeError(`Cannot update model field ${field.name} (only non-relations and foreign keys permitted).`);
      if (field.primaryKey && field.dbGenerated)
        throw new TypeError(`Cannot update the automatic primary key '${field.name}'.`);
      return field;
    });
    const { rowCount } = await this.#run<Plan>(
      'U',
      (shape) => {
        for (const [name, value] of entries) {
          shape.add(`|${name}=`);
          if (isExpression(value)) {
            shape.add('e');
            value.shape(shape);
          } else if (value === null) shape.add('n');
          else {
            shape.add('s');
            shape.value(value);
          }
        }
      },
      (compiler) => {
        const condition = compiler.writeCondition();
        const sets = entries.map(([, value], i) => {
          const field = fields[i]!;
          let rhs: string;
          if (isExpression(value)) {
            const compiled = value.compile(compiler);
            if (compiled.joins.length > 0)
              throw new TypeError('Joined field references are not permitted in this query.');
            rhs = compiled.sql;
          } else if (value === null) {
            if (!field.null) throw new IntegrityError(`NOT NULL constraint failed: ${meta.dbTable}.${field.column}`);
            rhs = 'NULL';
          } else rhs = compiler.param((v) => field.getDbPrepValue(v, compiler.wrapper));
          return `${compiler.q(field.column)} = ${rhs}`;
        });
        let sql = `UPDATE ${compiler.q(meta.dbTable)} SET ${sets.join(', ')}`;
        if (condition.sql !== undefined) sql += ` WHERE ${condition.sql}`;
        return { sql, empty: condition.empty, bigints: false };
      },
    );
    return rowCount;
  }

  /**
   * Deletes the rows matching, and what depends on them per their ForeignKeys' onDelete
   * (CASCADE, SET_NULL...); returns the total and the count per model (`[3, { 'blog.Post': 3 }]`).
   */
  delete(): Promise<[number, Record<string, number>]> {
    this.#notSliced("use 'limit' or 'offset' with delete() on");
    if (this.queryState.distinct !== null && this.queryState.distinct.length > 0) {
      return Promise.reject(new TypeError('Cannot call delete() after .distinct(*fields).'));
    }
    if (this.queryState.values !== null)
      return Promise.reject(new TypeError('Cannot call delete() after .values() or .valuesList().'));
    return collectAndDelete(this as QuerySet<unknown, unknown>, this.db);
  }

  /** The condition of this queryset for an UPDATE or DELETE (used by deletion). */
  deleteRows(): Promise<number> {
    const meta = this.meta;
    return this.#run<Plan>(
      'D',
      () => {},
      (compiler) => {
        const condition = compiler.writeCondition();
        let sql = `DELETE FROM ${compiler.q(meta.dbTable)}`;
        if (condition.sql !== undefined) sql += ` WHERE ${condition.sql}`;
        return { sql, empty: condition.empty, bigints: false };
      },
    ).then((r) => r.rowCount);
  }

  /** A new object, saved (Django's `create()`). */
  async create(input: CreateInput<T> = {} as CreateInput<T>): Promise<T> {
    const Model = this.model as unknown as new (init: unknown) => T & object;
    const defaults = this.#hint?.defaults;
    const data = defaults === undefined ? input : { ...(input as object), ...defaults };
    const instance = new Model(data);
    await saveInstance(instance, { forceInsert: true, using: this.db });
    return instance;
  }

  /** The object matching `lookups`, or a new one made from them and `defaults`; and whether it was made. */
  async getOrCreate(lookups: Lookups<T>, options: { defaults?: CreateInput<T> } = {}): Promise<[T, boolean]> {
    try {
      return [(await this.get(lookups)) as unknown as T, false];
    } catch (error) {
      if (!(error instanceof this.meta.DoesNotExist)) throw error;
    }
    const params = {
      ...paramsFromLookups(lookups as Record<string, unknown>),
      ...(options.defaults ?? {}),
    } as CreateInput<T>;
    try {
      return [await atomic({ using: this.db }, () => this.create(params)), true];
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      try {
        return [(await this.get(lookups)) as unknown as T, false];
      } catch {
        throw error;
      }
    }
  }

  /** Updates the object matching `lookups` with `defaults`, or makes it; and whether it was made. */
  async updateOrCreate(
    lookups: Lookups<T>,
    options: { defaults?: Partial<CreateInput<T>> } = {},
  ): Promise<[T, boolean]> {
    const defaults = (options.defaults ?? {}) as Record<string, unknown>;
    return atomic({ using: this.db }, async () => {
      let instance: T | undefined;
      try {
        instance = (await this.selectForUpdate().get(lookups)) as unknown as T;
      } catch (error) {
        if (!(error instanceof this.meta.DoesNotExist)) throw error;
      }
      if (instance === undefined) {
        const [made, created] = await this.getOrCreate(lookups, { defaults: defaults as CreateInput<T> });
        if (created) return [made, true] as [T, boolean];
        instance = made;
      }
      Object.assign(instance as object, resolveValues(defaults));
      await saveInstance(instance as object, { using: this.db });
      return [instance, false] as [T, boolean];
    });
  }

  /** Inserts the objects in batches (one INSERT per batch); primary keys are set on them. No signals, as Django. */
  async bulkCreate(
    objects: readonly T[],
    options: { batchSize?: number; ignoreConflicts?: boolean } = {},
  ): Promise<T[]> {
    if (options.batchSize !== undefined && !(options.batchSize > 0))
      throw new TypeError('Batch size must be a positive integer.');
    if (objects.length === 0) return [...objects];
    for (const obj of objects) {
      if (!(obj instanceof (this.model as unknown as abstract new () => object))) {
        throw new TypeError(`bulkCreate() needs ${this.meta.objectName} instances.`);
      }
    }
    await atomic({ using: this.db, savepoint: false }, () =>
      insertRows(this.meta, objects as unknown as object[], {
        using: this.db,
        batchSize: options.batchSize,
        ignoreConflicts: options.ignoreConflicts === true,
      }),
    );
    return [...objects];
  }

  /** Updates these fields of the objects, in batches (UPDATE ... CASE); returns the rows matched. */
  async bulkUpdate(
    objects: readonly T[],
    fields: ReadonlyArray<FieldName<T>>,
    options: { batchSize?: number } = {},
  ): Promise<number> {
    if (fields.length === 0) throw new TypeError('Field names must be given to bulkUpdate().');
    const meta = this.meta;
    const targets = (fields as readonly string[]).map((name) => {
      const field = meta.getField(name);
      if (!field.concrete || (field as { manyToMany?: boolean }).manyToMany)
        throw new TypeError('bulkUpdate() can only be used with concrete fields.');
      if (field.primaryKey) throw new TypeError('bulkUpdate() cannot be used with primary key fields.');
      return field;
    });
    if (
      objects.some(
        (o) =>
          (o as Record<string, unknown>)[meta.pk.attname] === null ||
          (o as Record<string, unknown>)[meta.pk.attname] === undefined,
      )
    ) {
      throw new TypeError('All bulkUpdate() objects must have a primary key set.');
    }
    const { bulkUpdateRows } = await import('./persistence.ts');
    return atomic({ using: this.db, savepoint: false }, () =>
      bulkUpdateRows(meta, objects as unknown as object[], targets, { using: this.db, batchSize: options.batchSize }),
    );
  }

  toString(): string {
    return `<QuerySet of ${this.meta.label}>`;
  }
}

/** The plain field values of get()'s lookups, for getOrCreate (`title__iexact` is left out, as Django does). */
function paramsFromLookups(lookups: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(lookups)) if (!key.includes('__')) out[key] = value;
  return out;
}

function resolveValues(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values))
    out[key] = typeof value === 'function' ? (value as () => unknown)() : value;
  return out;
}

/** A compiled statement with its placeholders numbered (see finishSql). */
function finished<C extends { sql: string }>(compiler: QueryCompiler, compiled: C): C & { slots: Slot[] } {
  const { sql, slots } = finishSql(compiled.sql, compiler.bindings.slots, compiler.ops);
  return { ...compiled, sql, slots };
}

/** Whether a state filters, orders by hand, slices, joins or shapes nothing: get()'s fast path applies. */
function unfiltered(state: QueryState): boolean {
  return (
    state.where.length === 0 &&
    state.annotations.length === 0 &&
    !state.reversed &&
    state.low === 0 &&
    state.high === null &&
    state.distinct === null &&
    state.related === null &&
    state.values === null &&
    state.forUpdate === null &&
    state.combinator === null &&
    !state.none
  );
}

/** The key of a plain object with exactly one key, or null. */
function singleLookup(arg: unknown): string | null {
  if (arg === null || typeof arg !== 'object' || Object.getPrototypeOf(arg) !== Object.prototype) return null;
  let only: string | null = null;
  for (const key in arg) {
    if (only !== null) return null;
    only = key;
  }
  return only;
}

function finishRows<R>(
  plan: SelectPlan,
  rows: unknown[],
  alias: string,
  prefetch: readonly PrefetchLookup[],
): R[] | Promise<R[]> {
  const results = readRows(plan.layout, rows, alias) as R[];
  if (prefetch.length > 0 && results.length > 0)
    return prefetchRelatedObjects(results as object[], prefetch).then(() => results);
  return results;
}
