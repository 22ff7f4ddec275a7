/**
 * Aggregates, as Django's `django.db.models.aggregates`: Count (with `distinct` and `filter`),
 * Sum, Avg, Min, Max, for `aggregate()` and `annotate()`. `filter` compiles to the standard
 * `FILTER (WHERE ...)` clause (PostgreSQL, SQLite >= 3.30).
 *
 * @example
 * await Author.objects.annotate({ published: Count('posts', { filter: Q({ posts__published: true }) }) });
 * await Post.objects.aggregate({ total: Sum('views'), average: Avg('views') });
 */
import type { AnyField } from './fields/base.ts';
import { DecimalField, FloatField, IntegerField, integerFromDb } from './fields/scalar.ts';
import { Expression, F, type Compiled, type ExpressionCompiler } from './expressions.ts';
import type { QNode } from './q.ts';
import { shapeQ, type Shape } from './sql/state.ts';

/** Options of an aggregate. */
export interface AggregateOptions {
  /** Aggregate distinct values only. */
  distinct?: boolean;
  /** Aggregate only the rows matching this filter. */
  filter?: QNode;
}

/** The integer read back from COUNT (a bigint on PostgreSQL). */
class CountField extends IntegerField {
  override fromDbConverter(): (value: unknown) => unknown {
    return (value) => (value === null ? 0 : integerFromDb(value));
  }
}

export abstract class Aggregate<T = unknown> extends Expression<T> {
  abstract readonly functionName: string;
  readonly source: Expression | '*';
  readonly distinct: boolean;
  readonly filter: QNode | undefined;

  constructor(source: string | Expression, options: AggregateOptions = {}) {
    super();
    this.source = source === '*' ? '*' : typeof source === 'string' ? F(source) : source;
    this.distinct = options.distinct === true;
    this.filter = options.filter;
  }

  override get containsAggregate(): boolean {
    return true;
  }

  shape(shape: Shape): void {
    shape.add(`${this.functionName}(${this.distinct ? 'D:' : ''}`);
    if (this.source === '*') shape.add('*');
    else this.source.shape(shape);
    if (this.filter !== undefined) {
      shape.add('|F');
      shapeQ(this.filter, shape);
    }
    shape.add(')');
  }

  /** The field the result is read with. */
  protected outputField(source: AnyField | undefined): AnyField | undefined {
    return source;
  }

  compile(compiler: ExpressionCompiler): Compiled {
    const inner =
      this.source === '*' ? { sql: '*', field: undefined, aggregate: false, joins: [] } : this.source.compile(compiler);
    if (inner.aggregate)
      throw new TypeError(
        `Cannot compute ${this.functionName}() of an aggregate (${this.functionName} of ${String(this.source)}).`,
      );
    let sql = `${this.functionName}(${this.distinct ? 'DISTINCT ' : ''}${inner.sql})`;
    if (this.filter !== undefined) sql += ` FILTER (WHERE ${compiler.condition(this.filter)})`;
    return { sql, field: this.outputField(inner.field), aggregate: true, joins: inner.joins };
  }
}

/** The number of rows (or of non-null values of a field, or distinct ones). */
export class CountAggregate extends Aggregate<number> {
  readonly functionName = 'COUNT';

  protected override outputField(): AnyField {
    return new CountField();
  }
}

export class SumAggregate<T> extends Aggregate<T | null> {
  readonly functionName = 'SUM';
}

export class AvgAggregate<T> extends Aggregate<T | null> {
  readonly functionName = 'AVG';

  protected override outputField(source: AnyField | undefined): AnyField | undefined {
    if (source instanceof DecimalField) return source;
    if (source === undefined || source.lookupKind === 'number') return new FloatField();
    return source;
  }
}

export class MinAggregate<T> extends Aggregate<T | null> {
  readonly functionName = 'MIN';
}

export class MaxAggregate<T> extends Aggregate<T | null> {
  readonly functionName = 'MAX';
}

/** `COUNT(x)`: a number (0 for no rows). `Count('*')` counts rows. */
export const Count = (source: string | Expression, options?: AggregateOptions): CountAggregate =>
  new CountAggregate(source, options);
/** `SUM(x)`: null for no rows. */
export const Sum = <T = number>(source: string | Expression, options?: AggregateOptions): SumAggregate<T> =>
  new SumAggregate<T>(source, options);
/** `AVG(x)`: a number (a Decimal for a DecimalField), null for no rows. */
export const Avg = <T = number>(source: string | Expression, options?: AggregateOptions): AvgAggregate<T> =>
  new AvgAggregate<T>(source, options);
/** `MIN(x)`, null for no rows. */
export const Min = <T = unknown>(source: string | Expression, options?: AggregateOptions): MinAggregate<T> =>
  new MinAggregate<T>(source, options);
/** `MAX(x)`, null for no rows. */
export const Max = <T = unknown>(source: string | Expression, options?: AggregateOptions): MaxAggregate<T> =>
  new MaxAggregate<T>(source, options);
