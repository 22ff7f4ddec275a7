/**
 * Writing instances, as Django's `Model.save()` and `QuerySet.bulk_create()/bulk_update()`:
 * an UPDATE by primary key when the object has one (an INSERT when that changes no row), an
 * INSERT ... RETURNING otherwise; the statements are compiled once per model and set of fields
 * and kept as plans, as queries are.
 */
import type { BaseDatabaseWrapper } from '../backends/base/wrapper.ts';
import { connections, DEFAULT_DB_ALIAS } from '../connections.ts';
import { DatabaseError } from '../errors.ts';
import { runStatement } from '../transaction.ts';
import { isExpression } from './expressions.ts';
import type { AnyField } from './fields/base.ts';
import { instanceState } from './instance-state.ts';
import { getMeta, type Options, type RelationField } from './options.ts';
import { postSave, preSave } from './signals.ts';
import { bind, cachedPlan, type Plan } from './sql/plan.ts';
import type { Slot } from './sql/compiler.ts';

/** Options of save(). */
export interface SaveOptions {
  /** The database (the instance's own, else `default`). */
  using?: string;
  /** Always INSERT (create() uses it). */
  forceInsert?: boolean;
  /** Always UPDATE; an error when no row changed. */
  forceUpdate?: boolean;
  /** Only these fields (an UPDATE, an error when no row changed). */
  updateFields?: readonly string[];
}

function q(wrapper: BaseDatabaseWrapper, name: string): string {
  return wrapper.ops.quoteName(name);
}

function slot(index: number, field: AnyField, wrapper: BaseDatabaseWrapper): Slot {
  return { index, convert: (value) => field.getDbPrepValue(value, wrapper) };
}

/** The value of a field to write, with the related object's key when it was saved after assignment. */
function checkRelated(meta: Options, instance: Record<string, unknown>, operation: string): void {
  const cache = instanceState(instance).cache;
  if (cache === undefined) return;
  for (const field of meta.concreteFields) {
    if (!field.isRelation || !cache.has(field.name)) continue;
    const related = cache.get(field.name);
    if (related === null || related === undefined || typeof related !== 'object' || related instanceof Promise)
      continue;
    const target = (field as unknown as { targetField(): AnyField }).targetField();
    const key = (related as Record<string, unknown>)[target.attname];
    if (key === null || key === undefined) {
      throw new TypeError(
        `${operation}() prohibited to prevent data loss due to unsaved related object '${field.name}'.`,
      );
    }
    if (instance[field.attname] === null || instance[field.attname] === undefined) instance[field.attname] = key;
    else if (instance[field.attname] !== key) cache.delete(field.name);
  }
}

/** Saves one instance (Model.save()). */
export async function saveInstance(target: object, options: SaveOptions = {}): Promise<void> {
  const instance = target as Record<string, unknown>;
  const Model = target.constructor;
  const meta = getMeta(Model);
  const state = instanceState(target);
  const using = options.using ?? state.db ?? DEFAULT_DB_ALIAS;
  if (options.forceInsert && (options.forceUpdate || options.updateFields !== undefined)) {
    throw new TypeError('Cannot force both insert and updating in model saving.');
  }
  checkRelated(meta, instance, 'save');
  let updateFields: AnyField[] | undefined;
  if (options.updateFields !== undefined) {
    if (options.updateFields.length === 0) return;
    const unknown = options.updateFields.filter((name) => {
      const f = meta.findField(name);
      return f === undefined || !f.concrete || (f.primaryKey && name !== f.attname && false);
    });
    if (unknown.length > 0) {
      throw new TypeError(
        `The following fields do not exist in this model, are m2m fields, or are non-concrete fields: ${unknown.join(', ')}`,
      );
    }
    updateFields = meta.concreteFields.filter(
      (f) => options.updateFields!.includes(f.name) || options.updateFields!.includes(f.attname),
    );
  }
  const wrapper = connections.get(using);
  for (const field of meta.concreteFields) {
    const prepare = (field as { prepareForSave?: (instance: Record<string, unknown>) => Promise<void> }).prepareForSave;
    if (prepare !== undefined) await prepare.call(field, instance);
  }
  if (preSave.hasListeners(Model)) {
    await preSave.sendAsync(Model, { instance: target, raw: false, using, updateFields: options.updateFields ?? null });
  }
  const pk = meta.pk;
  let pkValue = instance[pk.attname];
  let updated = false;
  if (pkValue !== null && pkValue !== undefined && !options.forceInsert && !(state.adding && pk.hasDefault())) {
    const fields = (updateFields ?? meta.concreteFields).filter((f) => !f.primaryKey);
    if (fields.length > 0) {
      const values = fields.map((f) => f.preSave(instance, false));
      for (const v of values) {
        if (isExpression(v))
          throw new TypeError(
            'save() does not take expressions: use QuerySet.update({ field: F(...) }) for an update computed by the database.',
          );
      }
      const plan = cachedPlan<Plan>(wrapper, `UP${meta.label}|${fields.map((f) => f.name).join(',')}`, () => ({
        sql: `UPDATE ${q(wrapper, meta.dbTable)} SET ${fields.map((f, i) => `${q(wrapper, f.column)} = ${wrapper.ops.placeholder(i + 1)}`).join(', ')} WHERE ${q(wrapper, meta.dbTable)}.${q(wrapper, pk.column)} = ${wrapper.ops.placeholder(fields.length + 1)}`,
        slots: [...fields.map((f, i) => slot(i, f, wrapper)), slot(fields.length, pk, wrapper)],
        empty: false,
        bigints: false,
      }));
      const result = await runStatement(wrapper, plan.sql, bind(plan.slots, [...values, pkValue]), {
        prepared: plan.prepared,
        write: true,
      });
      updated = result.rowCount > 0;
    } else {
      const plan = cachedPlan<Plan>(wrapper, `EX${meta.label}`, () => ({
        sql: `SELECT 1 FROM ${q(wrapper, meta.dbTable)} WHERE ${q(wrapper, pk.column)} = ${wrapper.ops.placeholder(1)} LIMIT 1`,
        slots: [slot(0, pk, wrapper)],
        empty: false,
        bigints: false,
      }));
      const result = await runStatement(wrapper, plan.sql, bind(plan.slots, [pkValue]), {
        prepared: plan.prepared,
        arrays: true,
      });
      updated = result.rows.length > 0;
    }
    if (options.forceUpdate && !updated) throw new DatabaseError('Forced update did not affect any rows.');
    if (updateFields !== undefined && !updated)
      throw new DatabaseError('Save with update_fields did not affect any rows.');
  }
  if (!updated) {
    const generated = pk.dbGenerated && (pkValue === null || pkValue === undefined);
    const fields = meta.concreteFields.filter((f) => !(generated && f === pk));
    const values = fields.map((f) => f.preSave(instance, true));
    const returning = generated ? ` RETURNING ${q(wrapper, pk.column)}` : '';
    const plan = cachedPlan<Plan>(
      wrapper,
      `IN${meta.label}|${fields.map((f) => f.name).join(',')}|${returning}`,
      () => ({
        sql:
          fields.length === 0
            ? `INSERT INTO ${q(wrapper, meta.dbTable)} DEFAULT VALUES${returning}`
            : `INSERT INTO ${q(wrapper, meta.dbTable)} (${fields.map((f) => q(wrapper, f.column)).join(', ')}) VALUES (${fields.map((_f, i) => wrapper.ops.placeholder(i + 1)).join(', ')})${returning}`,
        slots: fields.map((f, i) => slot(i, f, wrapper)),
        empty: false,
        bigints: false,
      }),
    );
    const result = await runStatement(wrapper, plan.sql, bind(plan.slots, values), {
      prepared: plan.prepared,
      write: true,
      arrays: true,
    });
    if (generated) {
      const raw = (result.rows[0] as unknown[])[0];
      const convert = pk.fromDbConverter(wrapper, typeof raw === 'bigint');
      pkValue = convert === undefined ? raw : convert(raw);
      instance[pk.attname] = pkValue;
    }
  }
  state.adding = false;
  state.db = using;
  if (postSave.hasListeners(Model)) {
    await postSave.sendAsync(Model, {
      instance: target,
      created: !updated,
      raw: false,
      using,
      updateFields: options.updateFields ?? null,
    });
  }
}

/** Inserts instances in batches (bulkCreate), setting their primary keys. */
export async function insertRows(
  meta: Options,
  objects: object[],
  options: { using: string; batchSize?: number; ignoreConflicts: boolean },
): Promise<void> {
  const wrapper = connections.get(options.using);
  const pk = meta.pk;
  for (const obj of objects) checkRelated(meta, obj as Record<string, unknown>, 'bulkCreate');
  const withPk = objects.filter(
    (o) =>
      (o as Record<string, unknown>)[pk.attname] !== null && (o as Record<string, unknown>)[pk.attname] !== undefined,
  );
  const withoutPk = objects.filter((o) => !withPk.includes(o));
  for (const [group, includePk] of [
    [withPk, true],
    [withoutPk, !pk.dbGenerated],
  ] as const) {
    if (group.length === 0) continue;
    const fields = meta.concreteFields.filter((f) => includePk || f !== pk);
    const returning = !includePk && !options.ignoreConflicts;
    const perRow = Math.max(1, fields.length);
    const maxRows = Math.max(1, Math.floor(wrapper.ops.maxQueryParams / perRow));
    const batch = Math.min(options.batchSize ?? maxRows, maxRows);
    const [insert, suffix] = options.ignoreConflicts ? wrapper.ops.ignoreConflictsSql() : ['INSERT', ''];
    for (let start = 0; start < group.length; start += batch) {
      const rows = group.slice(start, start + batch);
      const values: unknown[] = [];
      for (const obj of rows) for (const f of fields) values.push(f.preSave(obj as Record<string, unknown>, true));
      const plan = cachedPlan<Plan>(
        wrapper,
        `BI${meta.label}|${fields.map((f) => f.name).join(',')}|${rows.length}|${returning}|${insert}`,
        () => {
          const slots: Slot[] = [];
          const tuples = rows.map(
            (_row, r) =>
              `(${fields
                .map((f, i) => {
                  slots.push(slot(r * fields.length + i, f, wrapper));
                  return wrapper.ops.placeholder(slots.length);
                })
                .join(', ')})`,
          );
          const columns = fields.map((f) => q(wrapper, f.column)).join(', ');
          const sql =
            fields.length === 0
              ? `${insert} INTO ${q(wrapper, meta.dbTable)} DEFAULT VALUES`
              : `${insert} INTO ${q(wrapper, meta.dbTable)} (${columns}) VALUES ${tuples.join(', ')}${suffix ? ` ${suffix}` : ''}${returning ? ` RETURNING ${q(wrapper, pk.column)}` : ''}`;
          return { sql, slots, empty: false, bigints: false };
        },
      );
      const result = await runStatement(wrapper, plan.sql, bind(plan.slots, values), {
        prepared: plan.prepared,
        write: true,
        arrays: true,
      });
      if (returning) {
        result.rows.forEach((row, i) => {
          const raw = (row as unknown[])[0];
          const convert = pk.fromDbConverter(wrapper, typeof raw === 'bigint');
          (rows[i] as Record<string, unknown>)[pk.attname] = convert === undefined ? raw : convert(raw);
        });
      }
      for (const obj of rows) {
        const state = instanceState(obj);
        state.adding = false;
        state.db = options.using;
      }
    }
  }
}

/** bulkUpdate(): `UPDATE ... SET f = CASE WHEN pk = ? THEN ? ... END WHERE pk IN (...)` per batch. */
export async function bulkUpdateRows(
  meta: Options,
  objects: object[],
  fields: AnyField[],
  options: { using: string; batchSize?: number },
): Promise<number> {
  if (objects.length === 0) return 0;
  const wrapper = connections.get(options.using);
  const pk = meta.pk;
  const perObject = fields.length * 2 + 1;
  const maxRows = Math.max(1, Math.floor(wrapper.ops.maxQueryParams / perObject));
  const batch = Math.min(options.batchSize ?? maxRows, maxRows);
  const { columnType } = await import('../backends/base/schema.ts');
  let total = 0;
  for (let start = 0; start < objects.length; start += batch) {
    const rows = objects.slice(start, start + batch) as Array<Record<string, unknown>>;
    for (const obj of rows) checkRelated(meta, obj, 'bulkUpdate');
    const values: unknown[] = [];
    for (const field of fields) for (const obj of rows) values.push(obj[pk.attname], obj[field.attname]);
    for (const obj of rows) values.push(obj[pk.attname]);
    const plan = cachedPlan<Plan>(
      wrapper,
      `BU${meta.label}|${fields.map((f) => f.name).join(',')}|${rows.length}`,
      () => {
        const slots: Slot[] = [];
        const ph = (index: number, field: AnyField) => {
          slots.push(slot(index, field, wrapper));
          return wrapper.ops.placeholder(slots.length);
        };
        let index = 0;
        const sets = fields.map((field) => {
          const cast = wrapper.vendor === 'postgresql' ? columnType(wrapper, field) : undefined;
          const cases = rows.map(() => {
            const key = ph(index++, pk);
            const value = ph(index++, field);
            return `WHEN ${q(wrapper, pk.column)} = ${key} THEN ${cast !== undefined ? `CAST(${value} AS ${cast})` : value}`;
          });
          return `${q(wrapper, field.column)} = CASE ${cases.join(' ')} ELSE ${q(wrapper, field.column)} END`;
        });
        const keys = rows.map(() => ph(index++, pk));
        return {
          sql: `UPDATE ${q(wrapper, meta.dbTable)} SET ${sets.join(', ')} WHERE ${q(wrapper, pk.column)} IN (${keys.join(', ')})`,
          slots,
          empty: false,
          bigints: false,
        };
      },
    );
    const result = await runStatement(wrapper, plan.sql, bind(plan.slots, values), {
      prepared: plan.prepared,
      write: true,
    });
    total += result.rowCount;
  }
  return total;
}

/** Whether a field is a forward relation. */
export function isForwardRelation(field: AnyField): field is AnyField & RelationField {
  return field.isRelation && !(field as unknown as RelationField).manyToMany;
}
