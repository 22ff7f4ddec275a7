/**
 * SQL from a query's state, as Django's `SQLCompiler`, per backend and written once per query
 * shape (plan.ts keeps the result). The values of the shape are never in the SQL: each becomes a
 * numbered placeholder (`?1`, `$1`) and a slot saying which value it binds and how it is
 * converted, so a cached plan binds the next query's values with no compiling.
 *
 * Joins follow Django's rules: one per relation per path, multi-valued relations shared within a
 * filter() call and not across calls; INNER unless a row must be kept when the related side is
 * missing (an OR, a negation, `isnull`, selectRelated or ordering across a nullable relation),
 * LEFT OUTER from there down the chain.
 */
import { FieldError, ImproperlyConfigured } from '../../../core/exceptions.ts';
import type { BaseDatabaseOperations } from '../../backends/base/operations.ts';
import type { BaseDatabaseWrapper } from '../../backends/base/wrapper.ts';
import { NotSupportedError } from '../../errors.ts';
import type { AnyField } from '../fields/base.ts';
import type { ForeignKey, ManyToManyField } from '../fields/related.ts';
import { F, OrderBy, type Compiled, type Expression, type ExpressionCompiler } from '../expressions.ts';
import { compileLookup, EMPTY, FULL, needsOuter, type Condition } from '../lookups.ts';
import type { Options, RelatedObject, RelationField } from '../options.ts';
import { QNode } from '../q.ts';
import { Joins, type Join } from './joins.ts';
import { Shape, type QueryState, type Shaped } from './state.ts';

/** Which value a placeholder binds, and how it is converted; or a value fixed at compile time. */
export type Slot =
  | { readonly index: number; readonly convert: ((value: unknown) => unknown) | undefined }
  | { readonly index: -1; readonly constant: unknown };

/** What compilers of one statement share: the slots in placeholder order, the next value, subquery prefixes. */
export interface Bindings {
  readonly slots: Slot[];
  next: number;
  prefixes: number;
}

export function newBindings(): Bindings {
  return { slots: [], next: 0, prefixes: 0 };
}

/** How a selected model is read from a row. */
export interface ModelLayout {
  readonly meta: Options;
  readonly start: number;
  readonly fields: readonly AnyField[];
  readonly converters: ReadonlyArray<((value: unknown) => unknown) | undefined>;
  /** selectRelated: the related models read from the same row. */
  readonly related: ReadonlyArray<{ field: ForeignKey; layout: ModelLayout }>;
}

/** How a row becomes a result. */
export type RowLayout =
  | {
      readonly kind: 'models';
      readonly model: ModelLayout;
      readonly annotations: ReadonlyArray<{
        name: string;
        index: number;
        convert: ((value: unknown) => unknown) | undefined;
      }>;
    }
  | {
      readonly kind: 'values';
      readonly mode: 'dict' | 'list' | 'flat' | 'named';
      readonly names: readonly string[];
      readonly converters: ReadonlyArray<((value: unknown) => unknown) | undefined>;
    };

/** A compiled SELECT. */
export interface CompiledSelect {
  sql: string;
  layout: RowLayout;
  /** The statement reads 64-bit integers as bigint (SQLite). */
  bigints: boolean;
  /** Nothing can match: no query runs (Django's EmptyResultSet). */
  empty: boolean;
}

/**
 * Parameters are written as markers while compiling (a NUL, the slot's number, a NUL: nothing a
 * user's SQL can contain), and numbered in the order they appear once the statement is whole
 * (`finishSql`): parts are compiled out of order (annotations on first use), and a compiled
 * part left out of the statement leaves no parameter behind.
 */
function marker(slot: number): string {
  return `\u0000${slot}\u0000`;
}

/** The statement's SQL with its placeholders numbered, and its slots in that order. */
export function finishSql(
  sql: string,
  slots: readonly Slot[],
  ops: BaseDatabaseOperations,
): { sql: string; slots: Slot[] } {
  const ordered: Slot[] = [];
  // eslint-disable-next-line no-control-regex -- the markers are NULs on purpose (see marker())
  const text = sql.replace(/\u0000(\d+)\u0000/g, (_m, n: string) => {
    ordered.push(slots[Number(n)]!);
    return ops.placeholder(ordered.length);
  });
  return { sql: text, slots: ordered };
}

/** The number of values an expression takes from a shape (to skip ones not compiled). */
function valueCount(shaped: Shaped): number {
  const shape = new Shape();
  shaped.shape(shape);
  return shape.values.length;
}

function and(conditions: Condition[]): Condition {
  const kept: string[] = [];
  for (const c of conditions) {
    if (c === EMPTY) return EMPTY;
    if (c !== FULL) kept.push(c);
  }
  if (kept.length === 0) return FULL;
  return kept.length === 1 ? kept[0]! : kept.map((c) => `(${c})`).join(' AND ');
}

/** A leaf or node of a where tree, compiled. */
interface CompiledCondition {
  sql: Condition;
  /** Joins a matching row needs (they may be INNER). */
  inner: Set<Join>;
  aggregate: boolean;
}

const RELATED_DEPTH = 5;

export class QueryCompiler implements ExpressionCompiler {
  readonly wrapper: BaseDatabaseWrapper;
  readonly ops: BaseDatabaseOperations;
  readonly state: QueryState;
  readonly meta: Options;
  readonly joins: Joins;
  readonly bindings: Bindings;
  readonly outer: QueryCompiler | undefined;
  /** The annotations, compiled on first use from their own values (their slots bind by index). */
  readonly #annotations = new Map<
    string,
    { expression: Expression; offset: number; whereCount: number; compiled: Compiled | undefined }
  >();
  /** Joins used by a where clause (promotion decides their type). */
  readonly #whereJoins = new Set<Join>();
  #reuse = '';
  #inAggregateFilter = false;

  constructor(
    state: QueryState,
    wrapper: BaseDatabaseWrapper,
    bindings: Bindings = newBindings(),
    outer?: QueryCompiler,
  ) {
    this.state = state;
    this.meta = state.meta;
    this.wrapper = wrapper;
    this.ops = wrapper.ops;
    this.bindings = bindings;
    this.outer = outer;
    const prefix = outer === undefined ? null : String.fromCharCode(85 + (bindings.prefixes++ % 6)); // U, V, W...
    this.joins = new Joins(this.meta, prefix);
    // The annotations' values come first in the shape: note where each starts, compile on use.
    for (const [name, expression, whereCount] of state.annotations) {
      if (this.meta.findField(name) !== undefined) {
        throw new ImproperlyConfigured(`The annotation '${name}' conflicts with a field on the model.`);
      }
      this.#annotations.set(name, {
        expression: expression as Expression,
        offset: bindings.next,
        whereCount,
        compiled: undefined,
      });
      bindings.next += valueCount(expression);
    }
  }

  /** An annotation, compiled (once) from its own values. */
  annotation(name: string): Compiled | undefined {
    const entry = this.#annotations.get(name);
    if (entry === undefined) return undefined;
    if (entry.compiled === undefined) {
      const saved = this.bindings.next;
      this.bindings.next = entry.offset;
      try {
        entry.compiled = entry.expression.compile(this);
      } finally {
        this.bindings.next = saved;
      }
    }
    return entry.compiled;
  }

  get annotationNames(): string[] {
    return [...this.#annotations.keys()];
  }

  q(name: string): string {
    return this.ops.quoteName(name);
  }

  column(join: Join, column: string): string {
    return `${this.q(join.alias)}.${this.q(column)}`;
  }

  // ---- ExpressionCompiler ----

  param(convert?: (value: unknown) => unknown): string {
    const slots = this.bindings.slots;
    slots.push({ index: this.bindings.next++, convert });
    return marker(slots.length - 1);
  }

  constant(value: unknown): string {
    const slots = this.bindings.slots;
    slots.push({ index: -1, constant: value });
    return marker(slots.length - 1);
  }

  /** Skips the values of an expression that is not compiled (count() ignores annotations). */
  skip(shaped: Shaped): void {
    this.bindings.next += valueCount(shaped);
  }

  ref(name: string): Compiled {
    const annotation = this.annotation(name);
    if (annotation !== undefined) return annotation;
    const path = this.joins.resolve(name.split('__'), { reuse: undefined });
    if (path.rest.length > 0) {
      throw new FieldError(
        `Cannot resolve expression type, unknown output field: '${name}' is not a field path (what is '${path.rest.join('__')}'?).`,
      );
    }
    if (this.#inAggregateFilter) for (const j of path.joins) this.#whereJoins.add(j);
    return { sql: this.column(path.join, path.column), field: path.field, aggregate: false, joins: path.joins };
  }

  outerRef(name: string): Compiled {
    if (this.outer === undefined)
      throw new FieldError(`OuterRef('${name}') is only allowed in a subquery (Subquery() or Exists()).`);
    return this.outer.ref(name);
  }

  subquery(state: QueryState): string {
    const inner = new QueryCompiler(state, this.wrapper, this.bindings, this);
    return inner.subquerySql();
  }

  condition(q: QNode): string {
    this.#inAggregateFilter = true;
    try {
      const result = this.#compileNode(q, false);
      return result.sql === EMPTY ? '0 = 1' : result.sql === FULL ? '1 = 1' : result.sql;
    } finally {
      this.#inAggregateFilter = false;
    }
  }

  // ---- parts ----

  get hasAggregateAnnotation(): boolean {
    for (const entry of this.#annotations.values()) if (entry.expression.containsAggregate) return true;
    return false;
  }

  /** The where clauses: conditions for WHERE and for HAVING. */
  compileWhere(): { where: Condition; having: Condition } {
    const where: Condition[] = [];
    const having: Condition[] = [];
    const required = new Set<Join>();
    this.state.where.forEach((clause, index) => {
      // Annotations made before this filter() call make their joins first (Django's order).
      for (const [name, entry] of this.#annotations) if (entry.whereCount <= index) this.annotation(name);
      this.#reuse = `c${index}`;
      const q = clause.negated ? clause.q.not() : clause.q;
      const result = this.#compileNode(q, false);
      (result.aggregate ? having : where).push(result.sql);
      for (const j of result.inner) required.add(j);
    });
    this.#reuse = '';
    for (const name of this.#annotations.keys()) this.annotation(name);
    for (const j of this.#whereJoins) {
      if (required.has(j)) j.inner = true;
      else j.outer = true;
    }
    return { where: and(where), having: and(having) };
  }

  #compileNode(q: QNode, negatedContext: boolean): CompiledCondition {
    const negated = negatedContext !== q.negated;
    const parts: Condition[] = [];
    const sets: Array<Set<Join>> = [];
    let aggregate = false;
    for (const child of q.children) {
      const result =
        child instanceof QNode ? this.#compileNode(child, negated) : this.#compileLeaf(child[0], child[1], negated);
      parts.push(result.sql);
      sets.push(result.inner);
      aggregate ||= result.aggregate;
    }
    let sql: Condition;
    let inner: Set<Join>;
    if (q.connector === 'AND') {
      sql = and(parts);
      inner = new Set(sets.flatMap((s) => [...s]));
    } else {
      const kept: string[] = [];
      sql = EMPTY;
      for (const part of parts) {
        if (part === FULL) {
          sql = FULL;
          break;
        }
        if (part !== EMPTY) kept.push(part);
      }
      if (sql !== FULL && kept.length > 0) sql = kept.length === 1 ? kept[0]! : kept.map((c) => `(${c})`).join(' OR ');
      inner = sets.length === 0 ? new Set() : new Set([...sets[0]!].filter((j) => sets.every((s) => s.has(j))));
    }
    if (q.negated) {
      sql = sql === EMPTY ? FULL : sql === FULL ? EMPTY : `NOT (${sql})`;
      inner = new Set();
    }
    return { sql, inner, aggregate };
  }

  #compileLeaf(key: string, value: unknown, negated: boolean): CompiledCondition {
    if (key === '__expression') {
      // filter(Exists(...)): a boolean expression as a condition.
      const compiled = (value as Expression).compile(this);
      return { sql: compiled.sql, inner: new Set(), aggregate: compiled.aggregate };
    }
    const names = key.split('__');
    const annotation = this.annotation(names[0]!);
    if (annotation !== undefined) {
      const sql = compileLookup(
        this,
        { sql: annotation.sql, field: annotation.field ?? this.meta.pk },
        names.slice(1),
        value,
      );
      return { sql, inner: new Set(), aggregate: annotation.aggregate };
    }
    if (negated) {
      const split = this.#splitExclude(names, value);
      if (split !== undefined) return split;
    }
    // An aggregate's filter uses the aggregate's joins (Django resolves it with can_reuse=None).
    const path = this.joins.resolve(names, { reuse: this.#inAggregateFilter ? undefined : this.#reuse });
    if (!this.#inAggregateFilter) for (const j of path.joins) this.#whereJoins.add(j);
    const lhs = this.column(path.join, path.column);
    let sql = compileLookup(this, { sql: lhs, field: path.field }, path.rest, value);
    const lookup = path.rest.length > 0 ? path.rest[path.rest.length - 1]! : 'exact';
    const outer = negated || needsOuter(lookup, value);
    // NOT (col = x) is NULL, not true, for a NULL col: Django keeps those rows in an exclude().
    const nullable = path.field.null || path.joins.some((j) => j.nullable || j.multi);
    if (negated && nullable && typeof sql === 'string' && lookup !== 'isnull' && value !== null) {
      sql = `${sql} AND ${lhs} IS NOT NULL`;
    }
    return { sql, inner: outer ? new Set() : new Set(path.joins), aggregate: false };
  }

  /**
   * exclude() across a multi-valued relation: "no related row matches", as Django's
   * split_exclude, `NOT (pk IN (SELECT link FROM related WHERE ...))`.
   */
  #splitExclude(names: readonly string[], value: unknown): CompiledCondition | undefined {
    let meta = this.meta;
    const prefix: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const field = meta.findField(name);
      const related = field === undefined ? meta.findRelatedObject(name) : undefined;
      if (field !== undefined && !field.isRelation) return undefined;
      if (field === undefined && related === undefined) return undefined;
      const m2m = field !== undefined && (field as unknown as RelationField).manyToMany;
      const multi = m2m || (related !== undefined && (related.manyToMany || !related.oneToOne));
      if (!multi) {
        if (field === undefined) return undefined;
        prefix.push(name);
        meta = (field as unknown as RelationField).remote();
        continue;
      }
      const rest = names.slice(i + 1);
      let sub: { meta: Options; link: AnyField; lookup: string };
      if (m2m) {
        const [source, target] = (field as unknown as ManyToManyField).throughFields();
        sub = {
          meta: (field as unknown as ManyToManyField).through(),
          link: source,
          lookup: [target.name, ...rest].join('__'),
        };
      } else if ((related as RelatedObject).manyToMany) {
        const m = (related as RelatedObject).field as unknown as ManyToManyField;
        const [source, target] = m.throughFields();
        sub = { meta: m.through(), link: target, lookup: [source.name, ...rest].join('__') };
      } else {
        const fk = (related as RelatedObject).field as unknown as ForeignKey;
        sub = {
          meta: (related as RelatedObject).relatedModel,
          link: fk,
          lookup: rest.length > 0 ? rest.join('__') : 'pk',
        };
        if (rest.length === 0) {
          // exclude(posts=post): the related row itself.
          sub.lookup = 'pk';
        }
      }
      const base =
        prefix.length === 0
          ? this.joins.base
          : this.joins.resolve([...prefix, 'pk'], { reuse: this.#reuse, allowTrim: false }).join;
      for (const j of this.joins.list) if (prefix.length > 0) this.#whereJoins.add(j);
      const outerColumn = this.column(base, (sub.link as ForeignKey).targetField().column);
      const state: QueryState = {
        ...emptyState(sub.meta),
        where: [
          {
            negated: false,
            q: new QNode(
              {},
              {
                children: [
                  [sub.lookup, value],
                  [`${sub.link.name}__isnull`, false],
                ],
              },
            ),
          },
        ],
        values: { fields: [sub.link.attname], kind: 'flat' },
      };
      const inner = new QueryCompiler(state, this.wrapper, this.bindings, this);
      return { sql: `${outerColumn} IN (${inner.subquerySql()})`, inner: new Set(), aggregate: false };
    }
    return undefined;
  }

  /** The ORDER BY terms (Meta.ordering unless ordered, none in a grouped query then). */
  compileOrder(grouped: boolean): string[] {
    const terms = this.state.order ?? (grouped ? [] : this.meta.ordering);
    const out: string[] = [];
    for (const term of terms) out.push(...this.#orderTerm(term, this.state.reversed, this.meta, this.joins.base, 0));
    return out;
  }

  #orderTerm(term: string | Shaped, reversed: boolean, meta: Options, from: Join, depth: number): string[] {
    if (typeof term !== 'string') {
      const expression = term instanceof OrderBy ? term : new OrderBy(term as Expression);
      return [(reversed ? expression.reversed() : expression).compile(this).sql];
    }
    if (term === '?') return [this.ops.randomFunctionSql()];
    const descending = term.startsWith('-');
    const name = descending ? term.slice(1) : term;
    const direction = descending !== reversed ? 'DESC' : 'ASC';
    if (from === this.joins.base) {
      const annotation = this.annotation(name);
      if (annotation !== undefined) return [`${annotation.sql} ${direction}`];
    }
    const parts = name.split('__');
    const path = this.joins.resolve(parts, { from, allowTrim: true });
    if (path.rest.length > 0) {
      throw new FieldError(`Cannot resolve keyword '${path.rest[0]}' into field in the ordering '${term}'.`);
    }
    // Ordering by a relation: the related model's own ordering (Django), or its key.
    const last = (path.join === from ? meta : path.join.meta).findField(parts[parts.length - 1]!);
    if (
      last !== undefined &&
      last.isRelation &&
      !(last as unknown as RelationField).manyToMany &&
      depth < RELATED_DEPTH
    ) {
      const remote = (last as unknown as RelationField).remote();
      if (remote.ordering.length > 0) {
        const target = this.joins.resolve([...parts, 'pk'], { from, allowTrim: false }).join;
        return remote.ordering.flatMap((t) => this.#orderTerm(t, descending !== reversed, remote, target, depth + 1));
      }
    }
    return [`${this.column(path.join, path.column)} ${direction}`];
  }

  /** INNER or LEFT OUTER for each join, from how it is used. */
  decideJoins(): void {
    for (const join of this.joins.list) {
      const parentLeft = join.parent !== null && join.parent.type === 'LEFT OUTER JOIN';
      const left =
        !join.inner && (parentLeft || ((join.nullable || join.multi) && (join.outer || !this.#whereJoins.has(join))));
      join.type = left || parentLeft ? 'LEFT OUTER JOIN' : 'INNER JOIN';
    }
  }

  fromSql(): string {
    const base = this.joins.base;
    let sql = base.alias === base.table ? this.q(base.table) : `${this.q(base.table)} ${this.q(base.alias)}`;
    for (const join of this.joins.list) {
      const table = join.alias === join.table ? this.q(join.table) : `${this.q(join.table)} ${this.q(join.alias)}`;
      sql += ` ${join.type} ${table} ON (${this.column(join.parent!, join.parentColumn)} = ${this.column(join, join.column)})`;
    }
    return sql;
  }

  /** LIMIT/OFFSET, as integers in the SQL (see state.ts). */
  limitSql(): string {
    const state = this.state;
    const offset = state.low > 0 ? String(Math.trunc(state.low)) : undefined;
    const limit = state.high !== null ? String(Math.trunc(state.high - state.low)) : undefined;
    return this.ops.limitOffsetSql(limit, offset);
  }

  // ---- SELECT ----

  #selectRelatedPaths(): string[][] {
    const related = this.state.related;
    if (related === null) return [];
    if (related !== true) return related.map((p) => p.split('__'));
    // All non-null forward relations, depth first (Django's select_related() with no fields).
    const paths: string[][] = [];
    const walk = (meta: Options, prefix: string[], depth: number) => {
      if (depth >= RELATED_DEPTH) return;
      for (const field of meta.concreteFields) {
        if (!field.isRelation || field.null) continue;
        const path = [...prefix, field.name];
        paths.push(path);
        walk((field as unknown as RelationField).remote(), path, depth + 1);
      }
    };
    walk(this.meta, [], 0);
    return paths;
  }

  #modelLayout(meta: Options, join: Join, columns: string[], bigints: { value: boolean }): ModelLayout {
    const start = columns.length;
    for (const field of meta.concreteFields) {
      columns.push(this.column(join, field.column));
      if (field.readsBigInts) bigints.value = true;
    }
    return { meta, start, fields: meta.concreteFields, converters: [], related: [] };
  }

  #attachRelated(root: ModelLayout, columns: string[], bigints: { value: boolean }): void {
    for (const path of this.#selectRelatedPaths()) {
      let layout = root;
      let join = this.joins.base;
      for (let i = 0; i < path.length; i++) {
        const field = layout.meta.findField(path[i]!);
        if (field === undefined || !field.isRelation || (field as unknown as RelationField).manyToMany) {
          const choices = layout.meta.concreteFields.filter((f) => f.isRelation).map((f) => f.name);
          throw new FieldError(
            `Invalid field name(s) given in selectRelated: '${path[i]}'. Choices are: ${choices.length > 0 ? choices.join(', ') : '(none)'}`,
          );
        }
        const fk = field as unknown as ForeignKey;
        const existing = layout.related.find((r) => r.field === fk);
        join = this.joins.resolve([...path.slice(0, i + 1), 'pk'], { allowTrim: false }).join;
        if (existing !== undefined) {
          layout = existing.layout;
          continue;
        }
        const child = this.#modelLayout(fk.remote(), join, columns, bigints);
        (layout.related as Array<{ field: ForeignKey; layout: ModelLayout }>).push({ field: fk, layout: child });
        layout = child;
      }
    }
  }

  #finishConverters(layout: ModelLayout, bigints: boolean): ModelLayout {
    return {
      ...layout,
      converters: layout.fields.map((f) => f.fromDbConverter(this.wrapper, bigints)),
      related: layout.related.map((r) => ({ field: r.field, layout: this.#finishConverters(r.layout, bigints) })),
    };
  }

  /** The select list, the layout rows are read with, and the grouping. */
  #selectList(): { columns: string[]; layout: RowLayout; groupBy: string[]; bigints: boolean } {
    const columns: string[] = [];
    const groupBy: string[] = [];
    const bigints = { value: false };
    const values = this.state.values;
    if (values === null) {
      const model = this.#modelLayout(this.meta, this.joins.base, columns, bigints);
      this.#attachRelated(model, columns, bigints);
      groupBy.push(...columns);
      const annotations: Array<{ name: string; index: number; field: AnyField | undefined }> = [];
      for (const name of this.annotationNames) {
        const compiled = this.annotation(name)!;
        annotations.push({ name, index: columns.length, field: compiled.field });
        columns.push(`${compiled.sql} AS ${this.q(name)}`);
        if (!compiled.aggregate) groupBy.push(compiled.sql);
        if (compiled.field?.readsBigInts) bigints.value = true;
      }
      const wide = bigints.value && this.wrapper.vendor === 'sqlite';
      return {
        columns,
        groupBy,
        bigints: wide,
        layout: {
          kind: 'models',
          model: this.#finishConverters(model, wide),
          annotations: annotations.map((a) => ({
            name: a.name,
            index: a.index,
            convert: a.field?.fromDbConverter(this.wrapper, wide, true),
          })),
        },
      };
    }
    const names =
      values.fields.length > 0
        ? values.fields
        : [...this.meta.concreteFields.map((f) => f.attname), ...this.annotationNames];
    const fields: Array<AnyField | undefined> = [];
    const expressions: boolean[] = [];
    for (const name of names) {
      const annotation = this.annotation(name);
      expressions.push(annotation !== undefined);
      if (annotation !== undefined) {
        columns.push(`${annotation.sql} AS ${this.q(name)}`);
        fields.push(annotation.field);
        if (!annotation.aggregate) groupBy.push(annotation.sql);
        continue;
      }
      const path = this.joins.resolve(name.split('__'), { allowTrim: true });
      if (path.rest.length > 0) {
        const field = path.field;
        if (field.lookupKind === 'json') {
          const sql = this.ops.jsonKeyValueSql(
            this.column(path.join, path.column),
            this.constant(this.ops.jsonPathParam(path.rest)),
          );
          columns.push(sql);
          groupBy.push(sql);
          fields.push(field);
          continue;
        }
        throw new FieldError(`Cannot resolve keyword '${path.rest[0]}' into field in values('${name}').`);
      }
      const sql = this.column(path.join, path.column);
      columns.push(sql);
      groupBy.push(sql);
      fields.push(path.field);
      if (path.field.readsBigInts) bigints.value = true;
    }
    const wide = bigints.value && this.wrapper.vendor === 'sqlite';
    return {
      columns,
      groupBy,
      bigints: wide,
      layout: {
        kind: 'values',
        mode: values.kind,
        names,
        converters: fields.map((f, i) =>
          f === undefined ? undefined : f.fromDbConverter(this.wrapper, wide, expressions[i]),
        ),
      },
    };
  }

  /** The whole SELECT: annotations, where, select list, grouping, ordering, limits. */
  select(): CompiledSelect {
    if (this.state.combinator !== null) return this.#combined();
    const { where, having } = this.compileWhere();
    const { columns, layout, groupBy, bigints } = this.#selectList();
    const grouped = this.hasAggregateAnnotation;
    const order = this.compileOrder(grouped);
    const limit = this.limitSql();
    this.decideJoins();
    const empty =
      where === EMPTY ||
      having === EMPTY ||
      this.state.none ||
      (this.state.high !== null && this.state.high <= this.state.low);
    // SELECT DISTINCT orders by selected expressions only (PostgreSQL): the ordering's go in the
    // select list too, after the columns the rows are read from (Django's extra select).
    const selected = [...columns];
    if (this.state.distinct !== null && this.state.distinct.length === 0) {
      const plain = new Set(columns.map((c) => c.replace(/ AS "[^"]*"$/, '')));
      for (const term of order.map(stripDirection)) if (!plain.has(term)) selected.push(term);
    }
    let sql = `SELECT ${this.#distinctSql()}${selected.join(', ')} FROM ${this.fromSql()}`;
    if (typeof where === 'string') sql += ` WHERE ${where}`;
    if (grouped)
      sql += ` GROUP BY ${[...new Set([...groupBy, ...order.map(stripDirection).filter((o) => !/^(COUNT|SUM|AVG|MIN|MAX)\(/.test(o))])].join(', ')}`;
    if (typeof having === 'string') sql += ` HAVING ${having}`;
    if (order.length > 0) sql += ` ORDER BY ${order.join(', ')}`;
    if (limit !== '') sql += ` ${limit}`;
    sql += this.#forUpdateSql();
    return { sql, layout, bigints, empty };
  }

  #distinctSql(): string {
    const distinct = this.state.distinct;
    if (distinct === null) return '';
    if (distinct.length === 0) return 'DISTINCT ';
    if (!this.wrapper.features.canDistinctOnFields) {
      throw new NotSupportedError('DISTINCT ON fields is not supported by this database backend');
    }
    const columns = distinct.map((name) => {
      const path = this.joins.resolve(name.split('__'), { allowTrim: true });
      return this.column(path.join, path.column);
    });
    return `DISTINCT ON (${columns.join(', ')}) `;
  }

  #forUpdateSql(): string {
    const spec = this.state.forUpdate;
    if (spec === null || !this.wrapper.features.hasSelectForUpdate) return '';
    const of = spec.of.map((name) =>
      name === 'self'
        ? this.q(this.joins.base.alias)
        : this.q(this.joins.resolve([...name.split('__'), 'pk'], { allowTrim: false }).join.alias),
    );
    const sql = this.ops.forUpdateSql({ nowait: spec.nowait, skipLocked: spec.skipLocked, of, noKey: spec.noKey });
    return sql === null ? '' : ` ${sql}`;
  }

  /** union/intersection/difference: the parts' SELECTs joined, then the combined ordering and limits. */
  #combined(): CompiledSelect {
    const combinator = this.state.combinator!;
    const parts = [
      { ...this.state, combinator: null, order: [], low: 0, high: null },
      ...combinator.queries.map((q) => ({ ...q, order: [] as readonly string[] })),
    ];
    let first: CompiledSelect | undefined;
    const sqls: string[] = [];
    let empty = true;
    // The first part's own values come first in the shape; the others' inside the combinator.
    for (const part of parts) {
      const compiler = new QueryCompiler(part as QueryState, this.wrapper, this.bindings);
      const compiled = compiler.select();
      first ??= compiled;
      if (!compiled.empty) {
        empty = false;
        sqls.push(this.wrapper.vendor === 'sqlite' ? compiled.sql : `(${compiled.sql})`);
      }
    }
    const op = ` ${combinator.op}${combinator.all ? ' ALL' : ''} `;
    let sql = sqls.join(op);
    const order = (this.state.order ?? []).map((term) => {
      if (typeof term !== 'string')
        throw new NotSupportedError(
          'Ordering a combined query by an expression is not supported: order by a column name.',
        );
      const descending = term.startsWith('-') !== this.state.reversed;
      const name = term.replace(/^-/, '');
      const layout = first!.layout;
      const names = layout.kind === 'values' ? layout.names : this.meta.concreteFields.map((f) => f.name);
      const position =
        names.indexOf(name) >= 0 ? names.indexOf(name) : this.meta.concreteFields.findIndex((f) => f.attname === name);
      if (position < 0) throw new FieldError(`ORDER BY term does not match any column in the result set: '${name}'.`);
      return `${position + 1} ${descending ? 'DESC' : 'ASC'}`;
    });
    if (order.length > 0) sql += ` ORDER BY ${order.join(', ')}`;
    const limit = this.limitSql();
    if (limit !== '') sql += ` ${limit}`;
    return { sql, layout: first!.layout, bigints: first!.bigints, empty };
  }

  /** This query as a subquery: its one column (values, or the primary key). */
  subquerySql(): string {
    const state = this.state;
    const { where, having } = this.compileWhere();
    let column: string;
    if (state.values !== null && state.values.fields.length > 0) {
      if (state.values.fields.length > 1 && this.outer !== undefined && !this.#exists) {
        throw new TypeError(
          `A subquery used as a value must select one column: it selects ${state.values.fields.join(', ')}.`,
        );
      }
      column = state.values.fields
        .map((name) => {
          const annotation = this.annotation(name);
          if (annotation !== undefined) return annotation.sql;
          const path = this.joins.resolve(name.split('__'), { allowTrim: true });
          return this.column(path.join, path.column);
        })
        .join(', ');
    } else {
      column = this.column(this.joins.base, this.meta.pk.column);
    }
    const grouped = this.hasAggregateAnnotation;
    const order =
      state.low > 0 || state.high !== null
        ? this.compileOrder(grouped)
        : this.state.order !== null
          ? this.compileOrder(grouped)
          : [];
    const limit = this.limitSql();
    this.decideJoins();
    let sql = `SELECT ${this.#distinctSql()}${column} FROM ${this.fromSql()}`;
    sql += ` WHERE ${where === EMPTY ? '0 = 1' : where === FULL ? '1 = 1' : where}`;
    if (grouped) sql += ` GROUP BY ${column}`;
    if (typeof having === 'string') sql += ` HAVING ${having}`;
    if (order.length > 0 && limit !== '') sql += ` ORDER BY ${order.join(', ')}`;
    if (limit !== '') sql += ` ${limit}`;
    return sql;
  }

  #exists = false;

  /** `SELECT 1 ... LIMIT 1`, for exists(). */
  exists(): { sql: string; empty: boolean } {
    const { where, having } = this.compileWhere();
    const order = this.#orderIfSliced();
    const limit = this.limitSql();
    this.decideJoins();
    const empty = where === EMPTY || having === EMPTY || this.state.none;
    if (this.hasAggregateAnnotation || this.state.distinct !== null || limit !== '' || this.state.combinator !== null) {
      return {
        sql: `SELECT 1 AS "a" FROM (${this.#innerSelect(where, having, limit, [], order)}) "subquery" LIMIT 1`,
        empty,
      };
    }
    let sql = `SELECT 1 AS "a" FROM ${this.fromSql()}`;
    if (typeof where === 'string') sql += ` WHERE ${where}`;
    return { sql: `${sql} LIMIT 1`, empty };
  }

  /** `SELECT COUNT(*)`, through a subquery when the query groups, is distinct or sliced. */
  count(): { sql: string; empty: boolean } {
    const { where, having } = this.compileWhere();
    const order = this.#orderIfSliced();
    const limit = this.limitSql();
    this.decideJoins();
    const empty = where === EMPTY || having === EMPTY || this.state.none;
    if (
      this.hasAggregateAnnotation ||
      this.state.distinct !== null ||
      limit !== '' ||
      (this.state.values !== null && this.state.distinct !== null)
    ) {
      return { sql: `SELECT COUNT(*) FROM (${this.#innerSelect(where, having, limit, [], order)}) "subquery"`, empty };
    }
    let sql = `SELECT COUNT(*) AS "__count" FROM ${this.fromSql()}`;
    if (typeof where === 'string') sql += ` WHERE ${where}`;
    return { sql, empty };
  }

  #skipOrder(): void {
    for (const term of this.state.order ?? []) if (typeof term !== 'string') this.skip(term);
  }

  /** The ordering, when a slice makes it matter (which rows are counted); skipped otherwise. */
  #orderIfSliced(): string[] {
    if (this.state.low > 0 || this.state.high !== null) return this.compileOrder(this.hasAggregateAnnotation);
    this.#skipOrder();
    return [];
  }

  /** The query's rows as a subquery (count, exists, aggregate over grouped or sliced queries). */
  #innerSelect(where: Condition, having: Condition, limit: string, extra: string[] = [], order: string[] = []): string {
    const { columns, groupBy } = this.#selectList();
    const grouped = this.hasAggregateAnnotation;
    let sql = `SELECT ${this.#distinctSql()}${[...columns, ...extra].join(', ')} FROM ${this.fromSql()}`;
    if (typeof where === 'string') sql += ` WHERE ${where}`;
    if (grouped) sql += ` GROUP BY ${groupBy.join(', ')}`;
    if (typeof having === 'string') sql += ` HAVING ${having}`;
    if (order.length > 0) sql += ` ORDER BY ${order.join(', ')}`;
    if (limit !== '') sql += ` ${limit}`;
    return sql;
  }

  /** `SELECT agg1, agg2 ...` for aggregate(); the aggregates' values come after the state's. */
  aggregate(aggregates: ReadonlyArray<readonly [string, Expression]>): {
    sql: string;
    fields: Array<AnyField | undefined>;
    empty: boolean;
  } {
    const { where, having } = this.compileWhere();
    const order = this.#orderIfSliced();
    const limit = this.limitSql();
    const wrap = this.hasAggregateAnnotation || this.state.distinct !== null || limit !== '';
    const empty = where === EMPTY || having === EMPTY || this.state.none;
    const fields: Array<AnyField | undefined> = [];
    if (!wrap) {
      const selects: string[] = [];
      for (const [name, expression] of aggregates) {
        if (!expression.containsAggregate) throw new TypeError(`${name} is not an aggregate expression.`);
        const compiled = expression.compile(this);
        selects.push(`${compiled.sql} AS ${this.q(name)}`);
        fields.push(compiled.field);
      }
      this.decideJoins();
      let sql = `SELECT ${selects.join(', ')} FROM ${this.fromSql()}`;
      if (typeof where === 'string') sql += ` WHERE ${where}`;
      return { sql, fields, empty };
    }
    // Over a grouped, distinct or sliced query: the aggregates' arguments become columns of the
    // inner query, and are aggregated outside it.
    const extra: string[] = [];
    const selects: string[] = [];
    aggregates.forEach(([name, expression], i) => {
      const aggregate = expression as Expression & {
        source?: Expression | '*';
        distinct?: boolean;
        filter?: QNode;
        functionName?: string;
      };
      if (aggregate.functionName === undefined || aggregate.source === undefined) {
        throw new NotSupportedError(`aggregate() over this query supports plain aggregates only (${name}).`);
      }
      let arg = '*';
      if (aggregate.source !== '*') {
        const source = aggregate.source.compile(this);
        extra.push(`${source.sql} AS ${this.q(`__col${i}`)}`);
        fields.push(
          aggregate.functionName === 'COUNT'
            ? undefined
            : aggregate.functionName === 'AVG' && source.field?.lookupKind === 'number'
              ? undefined
              : source.field,
        );
        arg = this.q(`__col${i}`);
      } else {
        fields.push(undefined);
      }
      let sql = `${aggregate.functionName}(${aggregate.distinct ? 'DISTINCT ' : ''}${arg})`;
      if (aggregate.filter !== undefined) {
        extra.push(`CASE WHEN ${this.condition(aggregate.filter)} THEN 1 ELSE 0 END AS ${this.q(`__flt${i}`)}`);
        sql += ` FILTER (WHERE ${this.q(`__flt${i}`)} = 1)`;
      }
      selects.push(`${sql} AS ${this.q(name)}`);
    });
    this.decideJoins();
    return {
      sql: `SELECT ${selects.join(', ')} FROM (${this.#innerSelect(where, having, limit, extra, order)}) "subquery"`,
      fields,
      empty,
    };
  }

  /** The condition selecting this query's rows in an UPDATE or DELETE of the base table. */
  writeCondition(): { sql: string | undefined; empty: boolean } {
    if (this.state.low > 0 || this.state.high !== null)
      throw new TypeError('Cannot update or delete a query once a slice has been taken.');
    const { where, having } = this.compileWhere();
    this.#skipOrder();
    this.decideJoins();
    if (where === EMPTY || having === EMPTY || this.state.none) return { sql: undefined, empty: true };
    const base = this.q(this.meta.dbTable);
    if (this.joins.list.length === 0 && typeof having !== 'string') {
      return { sql: typeof where === 'string' ? where : undefined, empty: false };
    }
    // Joins are not allowed in UPDATE/DELETE: select the primary keys in a subquery.
    const pk = this.column(this.joins.base, this.meta.pk.column);
    let inner = `SELECT ${pk} FROM ${this.fromSql()}`;
    if (typeof where === 'string') inner += ` WHERE ${where}`;
    if (this.hasAggregateAnnotation) inner += ` GROUP BY ${pk}`;
    if (typeof having === 'string') inner += ` HAVING ${having}`;
    // MySQL-style self-reference is fine in SQLite and PostgreSQL when wrapped once more.
    return { sql: `${base}.${this.q(this.meta.pk.column)} IN (SELECT * FROM (${inner}) "subquery")`, empty: false };
  }
}

function stripDirection(term: string): string {
  return term.replace(/ (ASC|DESC)( NULLS (FIRST|LAST))?$/, '');
}

/** A state selecting from `meta` with nothing set. */
export function emptyState(meta: Options): QueryState {
  return {
    meta,
    using: null,
    where: [],
    order: null,
    reversed: false,
    low: 0,
    high: null,
    distinct: null,
    related: null,
    annotations: [],
    values: null,
    forUpdate: null,
    combinator: null,
    none: false,
  };
}

export { F };
