/**
 * Query expressions, as Django's `django.db.models.expressions` and functions: `F('field')`
 * (a column, across relations), `Value(x)`, arithmetic (`F('views').add(1)`), `RawSQL`,
 * `Subquery`/`Exists`/`OuterRef`, orderings (`F('title').desc()`), and a few functions
 * (Lower, Upper, Length, Coalesce, Concat, Now). Each has a shape (see sql/state.ts) and
 * compiles to SQL with its values bound as parameters.
 */
import type { BaseDatabaseWrapper } from '../backends/base/wrapper.ts';
import { Decimal } from '../../utils/decimal.ts';
import { temporalKind } from '../temporal.ts';
import type { AnyField } from './fields/base.ts';
import { BooleanField, DecimalField, FloatField, IntegerField, TextField, BigIntegerField } from './fields/scalar.ts';
import { DateField, DateTimeField, DurationField, TimeField } from './fields/temporal.ts';
import type { Join } from './sql/joins.ts';
import { describe, type QueryState, type Shape, type Shaped, stateOf } from './sql/state.ts';
import type { QNode } from './q.ts';

export const OUTPUT: unique symbol = Symbol('tsgi.db.output');

/** An expression compiled: its SQL, the field its values are read with, whether it aggregates. */
export interface Compiled {
  sql: string;
  field: AnyField | undefined;
  aggregate: boolean;
  joins: readonly Join[];
}

/** What expressions need of the query compiler. */
export interface ExpressionCompiler {
  readonly wrapper: BaseDatabaseWrapper;
  /** The placeholder of the next value of the shape, converted when given a converter. */
  param(convert?: (value: unknown) => unknown): string;
  /** A placeholder for a value fixed at compile time. */
  constant(value: unknown): string;
  /** A field path or an annotation name, as a column (joins added). */
  ref(name: string): Compiled;
  /** A name of the enclosing query (OuterRef), inside a subquery. */
  outerRef(name: string): Compiled;
  /** A queryset compiled as a subquery: its SQL. */
  subquery(state: QueryState): string;
  /** A filter compiled as a condition (for FILTER (WHERE ...)). */
  condition(q: QNode): string;
}

function isExpression(value: unknown): value is Expression {
  return value instanceof Expression;
}

/** The field a plain value is read with (Value(true) on SQLite comes back as 1). */
export function fieldForValue(value: unknown): AnyField | undefined {
  switch (typeof value) {
    case 'boolean':
      return new BooleanField();
    case 'number':
      return Number.isInteger(value) ? new IntegerField() : new FloatField();
    case 'bigint':
      return new BigIntegerField();
    case 'string':
      return new TextField();
  }
  if (value instanceof Decimal) return new DecimalField({ maxDigits: 65, decimalPlaces: Math.max(0, -value.exponent) });
  const kind = temporalKind(value);
  if (kind === 'PlainDate') return new DateField();
  if (kind === 'PlainTime') return new TimeField();
  if (kind === 'ZonedDateTime' || kind === 'Instant' || kind === 'PlainDateTime' || value instanceof Date)
    return new DateTimeField();
  if (kind === 'Duration') return new DurationField();
  return undefined;
}

/** A piece of SQL with a type `T` of its values. */
export abstract class Expression<T = unknown> implements Shaped {
  declare readonly [OUTPUT]: T;

  abstract shape(shape: Shape): void;
  abstract compile(compiler: ExpressionCompiler): Compiled;

  /** Whether an aggregate is inside (the query then groups). */
  get containsAggregate(): boolean {
    return false;
  }

  #combine(op: string, other: unknown): CombinedExpression<T> {
    return new CombinedExpression(this, op, isExpression(other) ? other : new Value(other));
  }

  /** `this + other`. */
  add(other: unknown): CombinedExpression<T> {
    return this.#combine('+', other);
  }
  /** `this - other`. */
  sub(other: unknown): CombinedExpression<T> {
    return this.#combine('-', other);
  }
  /** `this * other`. */
  mul(other: unknown): CombinedExpression<T> {
    return this.#combine('*', other);
  }
  /** `this / other`. */
  div(other: unknown): CombinedExpression<T> {
    return this.#combine('/', other);
  }
  /** `this % other`. */
  mod(other: unknown): CombinedExpression<T> {
    return this.#combine('%', other);
  }

  /** Ascending order (`nullsFirst`/`nullsLast` place the NULLs). */
  asc(options: { nullsFirst?: boolean; nullsLast?: boolean } = {}): OrderBy {
    return new OrderBy(this, { ...options, descending: false });
  }

  /** Descending order. */
  desc(options: { nullsFirst?: boolean; nullsLast?: boolean } = {}): OrderBy {
    return new OrderBy(this, { ...options, descending: true });
  }
}

/** A field's value (`F('views')`, `F('author__name')`), or an annotation's. */
export class FExpression<T = unknown> extends Expression<T> {
  readonly name: string;

  constructor(name: string) {
    super();
    this.name = name;
  }

  shape(shape: Shape): void {
    shape.add(`F(${this.name})`);
  }

  compile(compiler: ExpressionCompiler): Compiled {
    return compiler.ref(this.name);
  }

  override toString(): string {
    return `F(${this.name})`;
  }
}

/**
 * A reference to a field in a query: `F('views').add(1)`, `filter({ updated__gt: F('created') })`.
 *
 * @example
 * await Post.objects.update({ views: F('views').add(1) });
 */
export function F<T = unknown>(name: string): FExpression<T> {
  return new FExpression<T>(name);
}

/** A value bound as a parameter (`Value(0)`); `outputField` says how it is converted and read. */
export class Value<T = unknown> extends Expression<T> {
  readonly value: T;
  readonly outputField: AnyField | undefined;

  constructor(value: T, outputField?: AnyField) {
    super();
    this.value = value;
    this.outputField = outputField;
  }

  shape(shape: Shape): void {
    if (this.value === null) shape.add('Vn');
    else {
      shape.add('V');
      shape.value(this.value);
    }
  }

  compile(compiler: ExpressionCompiler): Compiled {
    const field = this.outputField ?? fieldForValue(this.value);
    if (this.value === null) return { sql: 'NULL', field, aggregate: false, joins: [] };
    const wrapper = compiler.wrapper;
    let sql = compiler.param(
      field !== undefined ? (value) => field.getDbPrepValue(value, wrapper) : (value) => wrapper.adaptValue(value),
    );
    // A bare parameter has no type on PostgreSQL (it reads back as text): give it the field's.
    const type =
      field !== undefined && wrapper.vendor === 'postgresql' ? wrapper.schemaEditor().relType(field) : undefined;
    if (type !== undefined) sql = `CAST(${sql} AS ${type})`;
    return { sql, field, aggregate: false, joins: [] };
  }
}

/** Two expressions combined by an operator. */
export class CombinedExpression<T = unknown> extends Expression<T> {
  readonly lhs: Expression;
  readonly op: string;
  readonly rhs: Expression;

  constructor(lhs: Expression, op: string, rhs: Expression) {
    super();
    this.lhs = lhs;
    this.op = op;
    this.rhs = rhs;
  }

  override get containsAggregate(): boolean {
    return this.lhs.containsAggregate || this.rhs.containsAggregate;
  }

  shape(shape: Shape): void {
    shape.add('(');
    this.lhs.shape(shape);
    shape.add(this.op);
    this.rhs.shape(shape);
    shape.add(')');
  }

  compile(compiler: ExpressionCompiler): Compiled {
    const lhs = this.lhs.compile(compiler);
    // A plain value takes the other side's field: F('price').mul(2) binds 2 as a price.
    const rhs =
      this.rhs instanceof Value &&
      this.rhs.outputField === undefined &&
      lhs.field !== undefined &&
      !(this.rhs.value instanceof Decimal)
        ? new Value(this.rhs.value, this.op === '+' || this.op === '-' ? lhs.field : undefined).compile(compiler)
        : this.rhs.compile(compiler);
    return {
      sql: `(${lhs.sql} ${this.op} ${rhs.sql})`,
      field: lhs.field ?? rhs.field,
      aggregate: lhs.aggregate || rhs.aggregate,
      joins: [...lhs.joins, ...rhs.joins],
    };
  }
}

/**
 * SQL written by hand, with `%s` placeholders for `params` (always bound, never interpolated).
 *
 * @example
 * Post.objects.annotate({ score: new RawSQL('LENGTH(title) * %s', [2]) });
 */
export class RawSQL<T = unknown> extends Expression<T> {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly outputField: AnyField | undefined;

  constructor(sql: string, params: readonly unknown[] = [], outputField?: AnyField) {
    super();
    this.sql = sql;
    this.params = params;
    this.outputField = outputField;
  }

  shape(shape: Shape): void {
    shape.add(`R(${this.sql})`);
    for (const p of this.params) shape.value(p);
  }

  compile(compiler: ExpressionCompiler): Compiled {
    let index = 0;
    const sql = this.sql.replace(/%s/g, () => {
      if (index++ >= this.params.length)
        throw new TypeError(`RawSQL has more %s placeholders than parameters: ${this.sql}`);
      return compiler.param((value) => compiler.wrapper.adaptValue(value));
    });
    if (index !== this.params.length)
      throw new TypeError(`RawSQL has ${this.params.length} parameters for ${index} %s placeholders: ${this.sql}`);
    return { sql: `(${sql})`, field: this.outputField, aggregate: false, joins: [] };
  }
}

/** A SQL function of expressions (`LOWER(title)`). */
export class Func<T = unknown> extends Expression<T> {
  readonly functionName: string;
  readonly args: readonly Expression[];
  readonly outputField: AnyField | undefined;

  constructor(functionName: string, args: readonly unknown[], outputField?: AnyField) {
    super();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(functionName))
      throw new TypeError(`'${functionName}' is not a SQL function name.`);
    this.functionName = functionName;
    this.args = args.map((a) => (isExpression(a) ? a : typeof a === 'string' ? F(a) : new Value(a)));
    this.outputField = outputField;
  }

  override get containsAggregate(): boolean {
    return this.args.some((a) => a.containsAggregate);
  }

  shape(shape: Shape): void {
    shape.add(`${this.functionName}(`);
    for (const arg of this.args) {
      arg.shape(shape);
      shape.add(',');
    }
    shape.add(')');
  }

  protected template(compiler: ExpressionCompiler, args: string[]): string {
    void compiler;
    return `${this.functionName}(${args.join(', ')})`;
  }

  compile(compiler: ExpressionCompiler): Compiled {
    const args = this.args.map((a) => a.compile(compiler));
    return {
      sql: this.template(
        compiler,
        args.map((a) => a.sql),
      ),
      field: this.outputField ?? args[0]?.field,
      aggregate: args.some((a) => a.aggregate),
      joins: args.flatMap((a) => a.joins),
    };
  }
}

/** `LOWER(x)`. */
export const Lower = (expression: unknown): Func<string> => new Func('LOWER', [expression], new TextField());
/** `UPPER(x)`. */
export const Upper = (expression: unknown): Func<string> => new Func('UPPER', [expression], new TextField());
/** The length of a text (`LENGTH(x)`). */
export const Length = (expression: unknown): Func<number> => new Func('LENGTH', [expression], new IntegerField());
/** The first non-null of the expressions. */
export const Coalesce = <T = unknown>(...expressions: unknown[]): Func<T> => new Func<T>('COALESCE', expressions);

class ConcatFunc extends Func<string> {
  protected override template(_compiler: ExpressionCompiler, args: string[]): string {
    return `(${args.map((a) => `COALESCE(${a}, '')`).join(' || ')})`;
  }
}
/** Texts joined (NULLs as empty), as Django's `Concat`. */
export const Concat = (...expressions: unknown[]): Func<string> =>
  new ConcatFunc('CONCAT', expressions, new TextField());

class NowFunc extends Func<unknown> {
  protected override template(compiler: ExpressionCompiler): string {
    return compiler.wrapper.vendor === 'sqlite' ? "STRFTIME('%Y-%m-%d %H:%M:%f', 'now')" : 'STATEMENT_TIMESTAMP()';
  }
}
/** The database's current time. */
export const Now = (): Func<unknown> => new NowFunc('NOW', [], new DateTimeField());

/** An ordering: an expression ascending or descending, NULLs placed when asked. */
export class OrderBy extends Expression<unknown> {
  readonly expression: Expression;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
  readonly nullsLast: boolean;

  constructor(
    expression: Expression,
    options: { descending?: boolean; nullsFirst?: boolean; nullsLast?: boolean } = {},
  ) {
    super();
    if (options.nullsFirst && options.nullsLast)
      throw new TypeError('nullsFirst and nullsLast are mutually exclusive.');
    this.expression = expression;
    this.descending = options.descending === true;
    this.nullsFirst = options.nullsFirst === true;
    this.nullsLast = options.nullsLast === true;
  }

  shape(shape: Shape): void {
    shape.add(this.descending ? 'D(' : 'A(');
    this.expression.shape(shape);
    shape.add(this.nullsFirst ? 'nf)' : this.nullsLast ? 'nl)' : ')');
  }

  /** The same ordering the other way round (reverse()). */
  reversed(): OrderBy {
    return new OrderBy(this.expression, {
      descending: !this.descending,
      nullsFirst: this.nullsLast,
      nullsLast: this.nullsFirst,
    });
  }

  compile(compiler: ExpressionCompiler): Compiled {
    const inner = this.expression.compile(compiler);
    let sql = `${inner.sql} ${this.descending ? 'DESC' : 'ASC'}`;
    // NULLS FIRST/LAST: PostgreSQL and SQLite >= 3.30 both have it.
    if (this.nullsFirst) sql += ' NULLS FIRST';
    if (this.nullsLast) sql += ' NULLS LAST';
    return { ...inner, sql };
  }
}

/** A name of the enclosing query, inside a Subquery or Exists (`OuterRef('pk')`). */
export class OuterRef<T = unknown> extends Expression<T> {
  readonly name: string;

  constructor(name: string) {
    super();
    this.name = name;
  }

  shape(shape: Shape): void {
    shape.add(`OR(${this.name})`);
  }

  compile(compiler: ExpressionCompiler): Compiled {
    return compiler.outerRef(this.name);
  }
}

/** A queryset as a value: the first column of its single row (`Subquery(qs.values('x').slice(0, 1))`). */
export class Subquery<T = unknown> extends Expression<T> {
  readonly state: QueryState;
  readonly outputField: AnyField | undefined;

  constructor(queryset: unknown, outputField?: AnyField) {
    super();
    const state = stateOf(queryset);
    if (state === undefined) throw new TypeError('Subquery() needs a QuerySet.');
    this.state = state;
    this.outputField = outputField;
  }

  shape(shape: Shape): void {
    shape.add('SQ(');
    describe(this.state, shape);
    shape.add(')');
  }

  compile(compiler: ExpressionCompiler): Compiled {
    return { sql: `(${compiler.subquery(this.state)})`, field: this.outputField, aggregate: false, joins: [] };
  }
}

/** Whether a queryset has any row (`EXISTS (...)`), as a boolean value or a filter. */
export class Exists extends Subquery<boolean> {
  readonly negated: boolean;

  constructor(queryset: unknown, negated = false) {
    super(queryset, new BooleanField());
    this.negated = negated;
  }

  override shape(shape: Shape): void {
    shape.add(this.negated ? '!' : '');
    shape.add('EX(');
    describe(this.state, shape);
    shape.add(')');
  }

  override compile(compiler: ExpressionCompiler): Compiled {
    return {
      sql: `${this.negated ? 'NOT ' : ''}EXISTS (${compiler.subquery(this.state)})`,
      field: this.outputField,
      aggregate: false,
      joins: [],
    };
  }

  /** NOT EXISTS. */
  not(): Exists {
    return new Exists({ queryState: this.state }, !this.negated);
  }
}

export { isExpression };
