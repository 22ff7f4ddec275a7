/**
 * What a QuerySet asks for, as an immutable description (Django's `sql.Query`, minus the
 * compiled parts), and its *shape*: a text key naming everything but the values, with the
 * values collected in the order the compiler consumes them. Two querysets with the same shape
 * share one compiled plan (SQL, parameter slots, row reader, prepared statement): only the key
 * is built per query, not the SQL.
 *
 * The order values are visited in is the contract with the compiler (compiler.ts): annotations,
 * where clauses (depth first, children in order, object keys sorted), ordering, then combined
 * queries. OFFSET and LIMIT are part of the key (written into the SQL).
 */
import type { Options } from '../options.ts';
import { QNode } from '../q.ts';

/** What an expression does to a shape: appends its key and its values. */
export interface Shaped {
  shape(shape: Shape): void;
}

/** A query's shape being built. */
export class Shape {
  key = '';
  readonly values: unknown[] = [];

  add(text: string): void {
    this.key += text;
  }

  value(value: unknown): void {
    this.values.push(value);
  }
}

/** One filter() or exclude() call. */
export interface WhereClause {
  readonly negated: boolean;
  readonly q: QNode;
}

/** `values()` / `valuesList()`. */
export interface ValuesSpec {
  readonly fields: readonly string[];
  readonly kind: 'dict' | 'list' | 'flat' | 'named';
}

export interface ForUpdateSpec {
  readonly nowait: boolean;
  readonly skipLocked: boolean;
  readonly of: readonly string[];
  readonly noKey: boolean;
}

export interface CombinatorSpec {
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly queries: readonly QueryState[];
}

/** An ordering term: a field path (`-title`, `author__name`, `?`) or an expression (OrderBy, F). */
export type OrderTerm = string | Shaped;

export interface QueryState {
  readonly meta: Options;
  readonly using: string | null;
  readonly where: readonly WhereClause[];
  /** null: the model's default ordering. */
  readonly order: readonly OrderTerm[] | null;
  readonly reversed: boolean;
  readonly low: number;
  readonly high: number | null;
  /** null: no DISTINCT; []: DISTINCT; names: DISTINCT ON (PostgreSQL). */
  readonly distinct: readonly string[] | null;
  /** selectRelated(): all non-null forward relations (true) or these paths. */
  readonly related: true | readonly string[] | null;
  /** Name, expression, and how many where clauses came before it (joins differ by that order). */
  readonly annotations: ReadonlyArray<readonly [name: string, expression: Shaped, whereCount: number]>;
  readonly values: ValuesSpec | null;
  readonly forUpdate: ForUpdateSpec | null;
  readonly combinator: CombinatorSpec | null;
  /** none(): matches nothing, runs no query. */
  readonly none: boolean;
}

/** A fresh state for a model. */
export function initialState(meta: Options): QueryState {
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

/** Whether a value is a QuerySet (anything with a query state), without importing query.ts. */
export function stateOf(value: unknown): QueryState | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const state = (value as { queryState?: QueryState }).queryState;
  return state !== undefined && typeof state === 'object' && 'meta' in state ? state : undefined;
}

function isShaped(value: unknown): value is Shaped {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Shaped).shape === 'function' &&
    !(value instanceof QNode)
  );
}

/** Lookups whose list value is one parameter per item (other lists, a JSON value say, are one parameter). */
const SPLIT_LOOKUP = /(?:^|__)(?:in|range|has_keys|has_any_keys)$/;

/** The shape of one lookup's value (see the module comment). */
export function shapeValue(shape: Shape, lookup: string, value: unknown): void {
  if (lookup.endsWith('__isnull') || lookup === 'isnull') {
    shape.add(value ? 'T' : 'F');
    return;
  }
  if (value === null) {
    shape.add('n');
    return;
  }
  if (value === undefined) {
    throw new TypeError(
      `The value of the lookup '${lookup}' is undefined: pass null to match NULL, or leave the lookup out.`,
    );
  }
  if (Array.isArray(value) && SPLIT_LOOKUP.test(lookup)) {
    shape.add(`a${value.length}`);
    for (const item of value) {
      if (isShaped(item)) {
        shape.add('e');
        item.shape(shape);
      } else {
        shape.add(item === null ? 'n' : 's');
        if (item !== null) shape.value(item);
      }
    }
    return;
  }
  const sub = stateOf(value);
  if (sub !== undefined) {
    shape.add('q(');
    describe(sub, shape);
    shape.add(')');
    return;
  }
  if (isShaped(value)) {
    shape.add('e');
    value.shape(shape);
    return;
  }
  shape.add('s');
  shape.value(value);
}

export function shapeQ(q: QNode, shape: Shape): void {
  shape.add(q.connector === 'AND' ? (q.negated ? '(!&' : '(&') : q.negated ? '(!|' : '(|');
  for (const child of q.children) {
    if (child instanceof QNode) shapeQ(child, shape);
    else {
      shape.add(child[0]);
      shape.add('=');
      shapeValue(shape, child[0], child[1]);
      shape.add(',');
    }
  }
  shape.add(')');
}

/** Appends a state's shape (everything but the values) and collects its values. */
export function describe(state: QueryState, shape: Shape): void {
  shape.add(state.meta.shapeId);
  if (state.none) shape.add('|N');
  for (const [name, expression, whereCount] of state.annotations) {
    shape.add(`|A${name}@${whereCount}=`);
    expression.shape(shape);
  }
  for (const clause of state.where) {
    shape.add(clause.negated ? '|X' : '|W');
    shapeQ(clause.q, shape);
  }
  if (state.order !== null) {
    shape.add('|O');
    for (const term of state.order) {
      if (typeof term === 'string') shape.add(term);
      else term.shape(shape);
      shape.add(',');
    }
  }
  if (state.reversed) shape.add('|R');
  if (state.distinct !== null) shape.add(`|D${state.distinct.join(',')}`);
  if (state.related !== null) shape.add(state.related === true ? '|S*' : `|S${state.related.join(',')}`);
  if (state.values !== null) shape.add(`|V${state.values.kind}:${state.values.fields.join(',')}`);
  if (state.forUpdate !== null) {
    const f = state.forUpdate;
    shape.add(`|U${f.nowait ? 'n' : ''}${f.skipLocked ? 's' : ''}${f.noKey ? 'k' : ''}${f.of.join(',')}`);
  }
  if (state.combinator !== null) {
    shape.add(`|C${state.combinator.op}${state.combinator.all ? 'A' : ''}(`);
    for (const query of state.combinator.queries) {
      describe(query, shape);
      shape.add(';');
    }
    shape.add(')');
  }
  // Limits are written into the SQL, not bound: SQLite runs `LIMIT ?` about three times slower
  // than `LIMIT 21` (measured with node:sqlite; Django writes them in too).
  if (state.low > 0) shape.add(`|o${state.low}`);
  if (state.high !== null) shape.add(`|l${state.high - state.low}`);
}
