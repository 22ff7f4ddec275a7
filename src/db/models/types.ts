/**
 * The types models and querysets are inferred from: no code generation, only the field
 * declarations given to `Model.define()`. From `{ title: new CharField({ maxLength: 200 }),
 * author: new ForeignKey(() => Author, ...) }`:
 *
 * - instances have `title: string`, `author: Author | Promise<Author>` (await it), `authorId: number`,
 *   `id: number` and `pk` (a `null: true` field is `T | null`);
 * - `filter()` accepts `title`, `title__icontains`, `author__name__startswith`, `published__year__gte`...
 *   with values of the right type, `values('title')` rows are `{ title: string }`.
 *
 * Relations are followed two levels deep in lookups (`a__b__field`); deeper paths are accepted
 * as `a__b__c__${string}` with unknown values.
 */
import type { ObjectDoesNotExist, MultipleObjectsReturned } from '../../core/exceptions.ts';
import type { Decimal } from '../../utils/decimal.ts';
import type { Field } from './fields/base.ts';
import type { ForeignKey, ManyToManyField } from './fields/related.ts';
import type {
  DateTimeValue,
  Duration,
  PlainDate,
  PlainTime,
  PlainDateTime,
  ZonedDateTime,
  Instant,
} from './fields/temporal.ts';
import type { Expression, OUTPUT } from './expressions.ts';
import type { Manager } from './manager.ts';
import type { Options } from './options.ts';

/**
 * The fields given to Model.define(). Deliberately not `Record<string, Field<any, any>>`: as a
 * contextual type that would make TypeScript infer `any` for the options of a field declared
 * without any (`new IntegerField()`), and `any` options read as nullable and primary key.
 */
export type FieldDecl = Record<string, { readonly internalType: string; readonly concrete: boolean }>;

declare const DECL: unique symbol;
declare const ANNOTATED: unique symbol;
declare const RELATED_TO: unique symbol;

/** What an instance type carries about its model: the field declarations. */
export interface Declared<D> {
  readonly [DECL]: D;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- in conditional types only: a field's options
   are read from its `options` property, because inferring them through Field<V, O> fails for
   option objects sharing no key with FieldOptions (TypeScript's weak type check). */

/** `V`, or `V | null` for a field declared `null: true`. */
type Nullable<F, V> = F extends { readonly alwaysValue: true }
  ? V
  : F extends { readonly options: { readonly null: true } }
    ? V | null
    : V;
type ValueOf<F> = F extends Field<infer V, any, any> ? Nullable<F, V> : never;
type InputOf<F> = F extends Field<any, any, infer I> ? Nullable<F, I> : never;

type PkName<D> = {
  [K in keyof D]: D[K] extends { readonly options: { readonly primaryKey: true } } ? K : never;
}[keyof D];
/** The primary key's type of a declaration (number for the automatic id). */
export type PkTypeOf<D> = [PkName<D>] extends [never] ? number : ValueOf<D[PkName<D>]>;

/** The primary key's type of an instance type. */
export type PkOf<T> = T extends Declared<infer D> ? PkTypeOf<D> : unknown;

type Target<M, Self> = M extends 'self' ? Self : M extends abstract new (...args: never[]) => infer I ? I : object;
type TargetPk<M, D> = M extends 'self' ? PkTypeOf<D> : PkOf<Target<M, never>>;

/** A forward relation's attribute: the object once loaded, a promise of it before. */
export type Related<T> = T | Promise<T>;

/** What `post.tags` offers (the many-to-many manager). */
export interface ManyRelated<T> extends Manager<T> {
  /** Type-level only: what the relation leads to (for lookups). */
  readonly [RELATED_TO]: T;
  add(...objects: Array<T | PkOf<T> | { throughDefaults?: Record<string, unknown> }>): Promise<void>;
  remove(...objects: Array<T | PkOf<T>>): Promise<void>;
  clear(): Promise<void>;
  set(
    objects: ReadonlyArray<T | PkOf<T>>,
    options?: { clear?: boolean; throughDefaults?: Record<string, unknown> },
  ): Promise<void>;
}

/**
 * What `author.posts` offers (the reverse side of a ForeignKey): declare it on the target
 * class, `declare posts: RelatedSet<Post>;`, to have it typed.
 */
export interface RelatedSet<T> extends Manager<T> {
  /** Type-level only: what the relation leads to (for lookups). */
  readonly [RELATED_TO]: T;
  add(...objects: Array<T | { bulk?: boolean }>): Promise<void>;
  remove(...objects: T[]): Promise<void>;
  clear(): Promise<void>;
  set(objects: readonly T[], options?: { clear?: boolean }): Promise<void>;
}

type IsM2M<F> = F extends { readonly manyToMany: true } ? true : false;
type IsFK<F> = F extends ForeignKey<any, any> ? (IsM2M<F> extends true ? false : true) : false;

/** An instance of a declared model: the fields' values, ForeignKey ids, the primary key. */
export type InstanceOf<D> = {
  -readonly [K in keyof D as IsM2M<D[K]> extends true ? never : K]: D[K] extends ForeignKey<infer M, any>
    ? Related<Nullable<D[K], Target<M, InstanceOf<D>>>>
    : ValueOf<D[K]>;
} & {
  readonly [K in keyof D as IsM2M<D[K]> extends true ? K : never]: D[K] extends ManyToManyField<infer M, any>
    ? ManyRelated<Target<M, InstanceOf<D>>>
    : never;
} & {
  -readonly [K in keyof D as IsFK<D[K]> extends true ? `${K & string}Id` : never]: D[K] extends ForeignKey<infer M, any>
    ? Nullable<D[K], TargetPk<M, D>>
    : never;
} & ([PkName<D>] extends [never] ? { id: number } : unknown) & { pk: PkTypeOf<D> } & Declared<D>;

// ---- lookups ----

type Expr = Expression<unknown>;
type QuerySetLike = { readonly queryState: unknown };
type Cmp = 'gt' | 'gte' | 'lt' | 'lte';
type TextLookup =
  'iexact' | 'contains' | 'icontains' | 'startswith' | 'istartswith' | 'endswith' | 'iendswith' | 'regex' | 'iregex';
type DatePart = 'year' | 'month' | 'day' | 'week' | 'week_day' | 'iso_week_day' | 'quarter' | 'iso_year';
type TimePart = 'hour' | 'minute' | 'second';

/** The lookups of a scalar whose inputs are `V` ('' is the bare field: exact). */
type ScalarMap<V> = {
  '': V | null | Expr;
  exact: V | null | Expr;
  in: ReadonlyArray<V | Expr> | QuerySetLike;
  range: readonly [V | Expr, V | Expr];
  isnull: boolean;
} & { [L in Cmp]: V | Expr } & { [L in TextLookup]: string | Expr };

type Transformed<P extends string, M> = { [L in keyof M & string as L extends '' ? P : `${P}__${L}`]: M[L] };
type NumberParts<P extends string> = Transformed<P, ScalarMap<number>>;
type DateMap<V> = ScalarMap<V> & UnionToIntersection<{ [P in DatePart]: NumberParts<P> }[DatePart]>;
type DateTimeMap<V> = DateMap<V> &
  UnionToIntersection<{ [P in TimePart]: NumberParts<P> }[TimePart]> &
  Transformed<'date', ScalarMap<PlainDate | Date | string>> &
  Transformed<'time', ScalarMap<PlainTime | string>>;
type TimeMap<V> = ScalarMap<V> & UnionToIntersection<{ [P in TimePart]: NumberParts<P> }[TimePart]>;
type JsonMap = {
  '': unknown;
  exact: unknown;
  isnull: boolean;
  has_key: string;
  has_keys: readonly string[];
  has_any_keys: readonly string[];
} & { [key: string]: unknown };

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The lookups of a relation to T: the object or its key, then (while depth lasts) T's own lookups. */
type RelationMap<T, Depth extends unknown[]> = {
  '': T | PkOf<T> | null | QuerySetLike | Expr;
  exact: T | PkOf<T> | null | QuerySetLike | Expr;
  in: ReadonlyArray<T | PkOf<T>> | QuerySetLike;
  isnull: boolean;
} & { [L in Cmp]: PkOf<T> | Expr } & (Depth extends [unknown, ...infer Rest]
    ? T extends Declared<infer TD>
      ? RawLookups<TD, Rest>
      : { [key: string]: unknown }
    : { [key: string]: unknown });

type MapFor<F, D, Depth extends unknown[]> =
  F extends ManyToManyField<infer M, any>
    ? RelationMap<Target<M, InstanceOf<D>>, Depth>
    : F extends ForeignKey<infer M, any>
      ? RelationMap<Target<M, InstanceOf<D>>, Depth>
      : F extends { readonly jsonDocument: true }
        ? JsonMap
        : F extends Field<infer V, any, infer I>
          ? V extends PlainDate
            ? DateMap<I>
            : V extends ZonedDateTime | PlainDateTime
              ? DateTimeMap<I>
              : V extends PlainTime
                ? TimeMap<I>
                : ScalarMap<I>
          : never;

type Prefix<K extends string, M> = { [L in keyof M & string as L extends '' ? K : `${K}__${L}`]: M[L] };

/** The lookups of a declaration, keys prefixed with the field names, not optional yet. */
type RawLookups<D, Depth extends unknown[]> = UnionToIntersection<
  | { [K in keyof D & string]: Prefix<K, MapFor<D[K], D, Depth>> }[keyof D & string]
  | {
      [K in keyof D & string]: IsFK<D[K]> extends true ? Prefix<`${K}Id`, ScalarMap<ValueOfFk<D[K], D>>> : never;
    }[keyof D & string]
  | Prefix<'pk', ScalarMap<PkTypeOf<D>>>
  | Prefix<AutoId<D>, ScalarMap<number>>
>;
type ValueOfFk<F, D> = F extends ForeignKey<infer M, any> ? TargetPk<M, D> : never;

/** The annotations of a queryset's rows (`annotate()`), by name. */
export interface Annotated<A> {
  readonly [ANNOTATED]: A;
}

type AnnotationLookups<T> =
  T extends Annotated<infer A>
    ? UnionToIntersection<{ [K in keyof A & string]: Prefix<K, ScalarMap<A[K]>> }[keyof A & string]>
    : unknown;

/** The reverse relations declared on a class (`declare posts: RelatedSet<Post>`). */
type ReverseKeys<T, D> = Exclude<keyof T & string, keyof D | keyof InstanceOf<D>>;
type ReverseLookups<T, D> = UnionToIntersection<
  {
    [K in ReverseKeys<T, D>]: T[K] extends { readonly [RELATED_TO]: infer R } ? Prefix<K, RelationMap<R, [1]>> : never;
  }[ReverseKeys<T, D>]
>;

/** What filter(), exclude() and get() accept for instances of type T. */
export type Lookups<T> =
  T extends Declared<infer D>
    ? Partial<
        RawLookups<D, [1, 1]> &
          AnnotationLookups<T> &
          ([ReverseLookups<T, D>] extends [never] ? unknown : ReverseLookups<T, D>)
      >
    : Record<string, unknown>;

// ---- values(), ordering, inputs ----

type ScalarNames<D> = { [K in keyof D & string]: IsM2M<D[K]> extends true ? never : K }[keyof D & string];
type FkNames<D> = { [K in keyof D & string]: IsFK<D[K]> extends true ? K : never }[keyof D & string];
type SpanNames<D> = {
  [K in FkNames<D>]: D[K] extends ForeignKey<infer M, any>
    ? Target<M, never> extends Declared<infer TD>
      ? `${K}__${ScalarNames<TD> | 'pk'}`
      : `${K}__${string}`
    : never;
}[FkNames<D>];

/** A field name of instances of type T (its own fields, not many-to-many ones). */
export type FieldName<T> = T extends Declared<infer D> ? ScalarNames<D> | AutoId<D> : string;

/** 'id', when the primary key is the automatic one. */
type AutoId<D> = [PkName<D>] extends [never] ? 'id' : never;

/** The names values() and valuesList() accept. */
export type ValuesKey<T> =
  T extends Declared<infer D>
    ? | ScalarNames<D>
      | `${FkNames<D>}Id`
      | SpanNames<D>
      | 'pk'
      | AutoId<D>
      | (T extends Annotated<infer A> ? keyof A & string : never)
    : string;

type SpanValue<D, K extends string> = K extends `${infer F}__${infer Rest}`
  ? F extends keyof D
    ? D[F] extends ForeignKey<infer M, any>
      ? Target<M, never> extends Declared<infer TD>
        ? Rest extends 'pk'
          ? Nullable<D[F], PkTypeOf<TD>>
          : Rest extends keyof TD
            ? D[F] extends { readonly options: { null: true } }
              ? ValueOf<TD[Rest]> | null
              : ValueOf<TD[Rest]>
            : unknown
        : unknown
      : unknown
    : unknown
  : unknown;

type ValueAt<T, D, K extends string> = K extends 'pk' | AutoId<D>
  ? PkTypeOf<D>
  : K extends keyof D
    ? D[K] extends ForeignKey<infer M, any>
      ? Nullable<D[K], TargetPk<M, D>>
      : ValueOf<D[K]>
    : K extends `${infer F}Id`
      ? F extends keyof D
        ? D[F] extends ForeignKey<infer M, any>
          ? Nullable<D[F], TargetPk<M, D>>
          : unknown
        : T extends Annotated<infer A>
          ? K extends keyof A
            ? A[K]
            : unknown
          : unknown
      : T extends Annotated<infer A>
        ? K extends keyof A
          ? A[K]
          : SpanValue<D, K>
        : SpanValue<D, K>;

/** A values() row of these names. */
export type ValuesRow<T, K extends string> =
  T extends Declared<infer D> ? { [P in K]: ValueAt<T, D, P> } : Record<K, unknown>;

/** An orderBy() term: a name, `-name`, a relation path, or '?'. */
export type OrderKey<T> =
  T extends Declared<infer D> ? `${'' | '-'}${ValuesKey<T> | `${FkNames<D>}__${string}`}` | '?' : string;

/**
 * What annotate() and aggregate() take: any expression. Not `Expression<unknown>`, which as a
 * contextual type would make TypeScript infer `unknown` for `Sum<T = number>('views')`.
 */
export type ExpressionArg = { readonly containsAggregate: boolean };

/** The output type of an expression (what an annotation adds). */
export type OutputOf<E> = E extends { readonly [OUTPUT]: infer V } ? V : unknown;

/** What annotate() adds to rows, and aggregate() returns. */
export type AnnotationResult<A> = { [K in keyof A]: OutputOf<A[K]> } & Annotated<{ [K in keyof A]: OutputOf<A[K]> }>;

type InputFor<F, D> = F extends ForeignKey<infer M, any> ? Nullable<F, Target<M, InstanceOf<D>>> : InputOf<F>;

/** What the constructor and create() accept: field values (a related object or its id for a ForeignKey). */
export type CreateInput<T> =
  T extends Declared<infer D>
    ? { [K in ScalarNames<D>]?: InputFor<D[K], D> } & { [K in FkNames<D> as `${K}Id`]?: ValueAt<T, D, `${K}Id`> } & {
        pk?: PkTypeOf<D>;
      }
    : Record<string, unknown>;

/** What update() accepts: values or expressions. */
export type UpdateInput<T> =
  T extends Declared<infer D>
    ? { [K in ScalarNames<D>]?: InputFor<D[K], D> | Expr } & {
        [K in FkNames<D> as `${K}Id`]?: ValueAt<T, D, `${K}Id`> | Expr;
      }
    : Record<string, unknown>;

// ---- model classes ----

type ParentDecl<C> = C extends abstract new (...args: never[]) => infer I
  ? I extends Declared<infer P>
    ? P
    : unknown
  : unknown;
type Merge<P, F> = Omit<P, keyof F> & F;

/** The statics every model class has. */
export interface ModelStatics<I> {
  /** The default manager. */
  readonly objects: Manager<I>;
  /** The metadata (Django's `_meta`). */
  readonly _meta: Options;
  readonly DoesNotExist: typeof ObjectDoesNotExist;
  readonly MultipleObjectsReturned: typeof MultipleObjectsReturned;
}

type InstanceFor<C, D> = InstanceOf<D> & (C extends abstract new (...args: never[]) => infer I ? I : object);

/** What Model.define() returns: a class of instances typed from the fields. */
export type DefinedModel<C, F> = (new (
  init?: CreateInput<InstanceFor<C, Merge<ParentDecl<C>, F>>>,
) => InstanceFor<C, Merge<ParentDecl<C>, F>>) &
  Omit<C, 'prototype' | keyof ModelStatics<unknown>> &
  ModelStatics<InstanceFor<C, Merge<ParentDecl<C>, F>>>;

export type { Decimal, DateTimeValue, Duration, Instant };
