/**
 * Compiled statements kept per query shape (state.ts), per database: the SQL, its parameter
 * slots, how rows are read, and the prepared statement. A query builds its shape key and
 * values, finds its plan (compiling it the first time), binds the values and runs it.
 */
import type { BaseDatabaseWrapper, PreparedSlot } from '../../backends/base/wrapper.ts';
import { newPreparedSlot } from '../../backends/base/wrapper.ts';
import { FROM_DB, loadedState, relatedCache, STATE } from '../instance-state.ts';
import type { ModelLayout, RowLayout, Slot } from './compiler.ts';

/** What every plan has. */
export interface Plan {
  readonly sql: string;
  readonly slots: readonly Slot[];
  readonly prepared: PreparedSlot;
  /** Nothing can match: run no query. */
  readonly empty: boolean;
  readonly bigints: boolean;
}

/** A plan reading rows. */
export interface SelectPlan extends Plan {
  readonly layout: RowLayout;
}

/** The plan of a key, compiled by `compile` on first use. */
export function cachedPlan<P extends Plan>(
  wrapper: BaseDatabaseWrapper,
  key: string,
  compile: () => Omit<P, 'prepared'>,
  label?: string,
): P {
  const plans = wrapper.plans as Map<string, P>;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = { ...compile(), prepared: newPreparedSlot(label) } as P;
    // Bounded: a project's query shapes are finite, but a generated one (an IN list of varying
    // length) must not grow the cache forever.
    if (plans.size >= 5000) plans.delete(plans.keys().next().value!);
    plans.set(key, plan);
  }
  return plan;
}

/** The parameters of a plan for a shape's values. */
export function bind(slots: readonly Slot[], values: readonly unknown[]): unknown[] {
  const params = new Array<unknown>(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if (slot.index === -1) params[i] = (slot as { constant: unknown }).constant;
    else {
      const value = values[slot.index];
      const convert = (slot as { convert: ((v: unknown) => unknown) | undefined }).convert;
      params[i] = convert === undefined ? value : convert(value);
    }
  }
  return params;
}

type ModelCtor = new (init: typeof FROM_DB) => Record<string | symbol, unknown>;
type Fill = (instance: Record<string, unknown>, row: readonly unknown[], converters: ModelLayout['converters']) => void;

const fills = new WeakMap<ModelLayout, Fill>();
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The function copying a row's columns into an instance, made once per layout: its stores are
 * plain property assignments (`o.title = row[1]`), monomorphic for the model, where a loop over
 * the fields would store through one megamorphic keyed site for every model (measured: a
 * quarter of the ORM's time on a 100-row list). Attribute names are validated identifiers.
 */
function filler(layout: ModelLayout): Fill {
  let fill = fills.get(layout);
  if (fill === undefined) {
    const lines = layout.fields.map((field, i) => {
      const target = IDENTIFIER.test(field.attname) ? `o.${field.attname}` : `o[${JSON.stringify(field.attname)}]`;
      const column = `row[${layout.start + i}]`;
      return layout.converters[i] === undefined
        ? `${target} = ${column};`
        : `v = ${column}; ${target} = v === null ? null : c[${i}](v);`;
    });
    fill = new Function('o', 'row', 'c', `let v; ${lines.join(' ')}`) as Fill;
    fills.set(layout, fill);
  }
  return fill;
}

/** An instance from its columns of a row (and its selectRelated objects). */
function buildInstance(layout: ModelLayout, row: readonly unknown[], db: string): Record<string | symbol, unknown> {
  const Model = layout.meta.model as unknown as ModelCtor;
  const instance = new Model(FROM_DB);
  filler(layout)(instance as Record<string, unknown>, row, layout.converters);
  // The constructor gave it the shared state of 'default'.
  if (db !== 'default') instance[STATE] = loadedState(db);
  if (layout.related.length > 0) {
    const cache = relatedCache(instance);
    for (const { field, layout: child } of layout.related) {
      const pkIndex = child.start + child.fields.indexOf(child.meta.pk);
      cache.set(field.name, row[pkIndex] === null ? null : buildInstance(child, row, db));
    }
  }
  return instance;
}

/** The results of rows read with a layout. */
export function readRows(layout: RowLayout, rows: readonly unknown[], db: string): unknown[] {
  const out = new Array<unknown>(rows.length);
  if (layout.kind === 'models') {
    const annotations = layout.annotations;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as unknown[];
      const instance = buildInstance(layout.model, row, db);
      for (const { name, index, convert } of annotations) {
        const value = row[index];
        instance[name] = convert === undefined || value === null ? value : convert(value);
      }
      out[r] = instance;
    }
    return out;
  }
  const { mode, names, converters } = layout;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as unknown[];
    const values = converters.map((convert, i) =>
      convert === undefined || row[i] === null ? row[i] : convert(row[i]),
    );
    if (mode === 'flat') out[r] = values[0];
    else if (mode === 'list') out[r] = values;
    else {
      const record: Record<string, unknown> = {};
      names.forEach((name, i) => (record[name] = values[i]));
      out[r] = mode === 'named' ? Object.freeze(record) : record;
    }
  }
  return out;
}
