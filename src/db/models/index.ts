/**
 * `tsgi/db/models`: models, fields, querysets and expressions, as Django's `django.db.models`.
 * See docs/db.md.
 *
 * @example
 * import { Model, CharField, ForeignKey, CASCADE } from 'tsgi/db/models';
 * export class Author extends Model.define({ name: new CharField({ maxLength: 100 }) }) {}
 * export class Post extends Model.define({
 *   title: new CharField({ maxLength: 200 }),
 *   author: new ForeignKey(() => Author, { onDelete: CASCADE, relatedName: 'posts' }),
 * }) {}
 */
export { Model } from './base.ts';
export { Manager } from './manager.ts';
export { QuerySet, type FilterArg, type PrefetchLookup } from './query.ts';
export { RawQuerySet } from './raw.ts';
export { Q, QNode, type LookupObject } from './q.ts';
export { Field, isEmpty, type FieldOptions, type LookupKind, type Choice, type AnyField } from './fields/base.ts';
export {
  AutoField,
  BigAutoField,
  SmallAutoField,
  IntegerField,
  SmallIntegerField,
  BigIntegerField,
  PositiveIntegerField,
  PositiveSmallIntegerField,
  PositiveBigIntegerField,
  FloatField,
  DecimalField,
  BooleanField,
  CharField,
  TextField,
  EmailField,
  SlugField,
  URLField,
  UUIDField,
  BinaryField,
  JSONField,
  type CharFieldOptions,
  type DecimalFieldOptions,
} from './fields/scalar.ts';
export {
  DateField,
  TimeField,
  DateTimeField,
  DurationField,
  type Register,
  type DateTimeValue,
  type PlainDate,
  type PlainTime,
  type PlainDateTime,
  type ZonedDateTime,
  type Instant,
  type Duration,
} from './fields/temporal.ts';
export { FileField, ImageField, FieldFile, type FileFieldOptions } from './fields/files.ts';
export {
  ForeignKey,
  OneToOneField,
  ManyToManyField,
  type ForeignKeyOptions,
  type ManyToManyOptions,
  type LimitChoicesTo,
  type RelationTarget,
} from './fields/related.ts';
export {
  CASCADE,
  PROTECT,
  RESTRICT,
  SET_NULL,
  SET_DEFAULT,
  SET,
  DO_NOTHING,
  ProtectedError,
  RestrictedError,
  Collector,
  type OnDelete,
} from './deletion.ts';
export {
  Expression,
  F,
  FExpression,
  Value,
  RawSQL,
  Func,
  Lower,
  Upper,
  Length,
  Coalesce,
  Concat,
  Now,
  OrderBy,
  OuterRef,
  Subquery,
  Exists,
  CombinedExpression,
} from './expressions.ts';
export { Aggregate, Count, Sum, Avg, Min, Max, type AggregateOptions } from './aggregates.ts';
export { Trunc, type TruncKind, type TruncOptions } from './functions/datetime.ts';
export { Prefetch, prefetchRelatedObjects } from './prefetch.ts';
export { Index } from './indexes.ts';
export { UniqueConstraint, CheckConstraint, type Constraint } from './constraints.ts';
export {
  preInit,
  postInit,
  preSave,
  postSave,
  preDelete,
  postDelete,
  m2mChanged,
  preMigrate,
  postMigrate,
  type MigrateEvent,
} from './signals.ts';
export { getModel, getModels, LookupError, type MetaOptions, type Options } from './options.ts';
export type {
  InstanceOf,
  Lookups,
  ValuesKey,
  ValuesRow,
  OrderKey,
  CreateInput,
  UpdateInput,
  FieldName,
  PkOf,
  Related,
  RelatedSet,
  ManyRelated,
  DefinedModel,
  AnnotationResult,
} from './types.ts';
export { Decimal } from '../../utils/decimal.ts';
export {
  ObjectDoesNotExist,
  MultipleObjectsReturned,
  FieldError,
  FieldDoesNotExist,
  ValidationError,
} from '../../core/exceptions.ts';
