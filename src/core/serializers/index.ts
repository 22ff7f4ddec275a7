/**
 * Django's JSON serialization format (`django.core.serializers.json`), the format of fixtures:
 * a list of `{ "model": "app.model", "pk": 1, "fields": { ... } }`, a foreign key as the target's
 * primary key, a many-to-many relation as the list of the targets' keys, dates and times as ISO
 * text (datetimes to the millisecond with `Z` for UTC, as DjangoJSONEncoder), decimals as text.
 * `dumpdata` writes it, `loaddata` reads it.
 */
import { connections, DEFAULT_DB_ALIAS } from '../../db/connections.ts';
import { atomic, inAtomicBlock, runStatement } from '../../db/transaction.ts';
import { getModel, type Options } from '../../db/models/options.ts';
import type { AnyField } from '../../db/models/fields/base.ts';
import type { Model } from '../../db/models/base.ts';

/** One object of a fixture. */
export interface SerializedObject {
  model: string;
  pk?: unknown;
  fields: Record<string, unknown>;
}

/** A fixture that cannot be loaded: which object and why. */
export class DeserializationError extends Error {
  override name = 'DeserializationError';
}

interface ManyToMany {
  name: string;
  throughFields(): [AnyField & { attname: string }, AnyField & { attname: string }];
  through(): Options;
}

function manyToManyFields(meta: Options): ManyToMany[] {
  return meta.manyToMany as unknown as ManyToMany[];
}

/** A field's value as DjangoJSONEncoder writes it. */
export function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return jsonValue(value.toISOString());
  if (typeof value === 'object') {
    const tag = (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
    if (tag === 'Temporal.Instant' || tag === 'Temporal.ZonedDateTime') {
      const instant = tag === 'Temporal.Instant' ? value : (value as { toInstant(): unknown }).toInstant();
      return isoMillis(String(instant).replace(/\+00:00$/, 'Z'));
    }
    if (tag === 'Temporal.PlainDateTime' || tag === 'Temporal.PlainTime') return isoMillis(String(value));
    if (tag === 'Temporal.Duration' || tag === 'Temporal.PlainDate') return String(value);
    if (Array.isArray(value)) return value.map(jsonValue);
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return String(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  }
  return value;
}

/** Fractions of a second cut to milliseconds, as DjangoJSONEncoder does. */
function isoMillis(text: string): string {
  return text.replace(/(\.\d{3})\d+/, '$1');
}

/** The objects of a model's rows (ordered by primary key), with their many-to-many keys. */
export async function serializeModel(
  meta: Options,
  options: { using?: string; pks?: readonly unknown[] } = {},
): Promise<SerializedObject[]> {
  const using = options.using ?? DEFAULT_DB_ALIAS;
  let query = (meta.model as unknown as typeof Model).objects.using(using).orderBy('pk' as never);
  if (options.pks !== undefined) query = query.filter({ pk__in: options.pks } as never);
  const out: SerializedObject[] = [];
  for (const instance of (await query) as unknown as Array<Record<string, unknown>>) {
    const fields: Record<string, unknown> = {};
    for (const field of meta.concreteFields) {
      if (field === meta.pk) continue;
      fields[field.name] = jsonValue(instance[field.attname]);
    }
    const pk = instance[meta.pk.attname];
    for (const m2m of manyToManyFields(meta)) {
      const [source, target] = m2m.throughFields();
      const through = m2m.through().model as unknown as typeof Model;
      const keys = await through.objects
        .using(using)
        .filter({ [source.attname]: pk } as never)
        .orderBy(target.attname as never)
        .valuesList(target.attname as never, { flat: true });
      fields[m2m.name] = (keys as unknown[]).map(jsonValue);
    }
    out.push({ model: meta.labelLower, pk: jsonValue(pk), fields });
  }
  return out;
}

/**
 * Saves the objects of a fixture (Django's loaddata of one file): each row inserted or updated
 * by primary key, its many-to-many rows replaced; the foreign keys are checked once all are in,
 * so objects may come in any order. Returns how many were saved.
 */
export async function loadObjects(
  objects: unknown,
  options: { using?: string; source?: string } = {},
): Promise<{ count: number; models: Set<Options> }> {
  const using = options.using ?? DEFAULT_DB_ALIAS;
  const where = options.source ?? 'the fixture';
  if (!Array.isArray(objects)) {
    throw new DeserializationError(
      `${where} is not a JSON list of objects ([{ "model": "app.model", "pk": 1, "fields": { ... } }, ...]).`,
    );
  }
  const wrapper = connections.get(using);
  const models = new Set<Options>();
  let count = 0;
  // Inside a caller's transaction the checks cannot be switched (SQLite ignores the PRAGMA there,
  // and the connection is the transaction's): the rows must then come in dependency order.
  const wasOn = inAtomicBlock(using) ? false : await wrapper.disableConstraintChecking();
  try {
    await atomic({ using }, async () => {
      for (const [index, raw] of objects.entries()) {
        const object = raw as SerializedObject;
        if (object === null || typeof object !== 'object' || typeof object.model !== 'string') {
          throw new DeserializationError(`Object ${index} of ${where} has no "model" ("app.model").`);
        }
        let meta: Options;
        try {
          meta = getModel(object.model);
        } catch (error) {
          throw new DeserializationError(
            `Invalid model identifier: '${object.model}' (object ${index} of ${where}): ${(error as Error).message}`,
          );
        }
        const init: Record<string, unknown> = {};
        const manyToMany: Array<[ManyToMany, unknown[]]> = [];
        if (object.pk !== undefined && object.pk !== null) init[meta.pk.attname] = meta.pk.toJs(object.pk);
        for (const [name, value] of Object.entries(object.fields ?? {})) {
          const m2m = manyToManyFields(meta).find((f) => f.name === name);
          if (m2m !== undefined) {
            if (!Array.isArray(value))
              throw new DeserializationError(
                `${object.model}.${name} of object ${index} of ${where} must be a list of keys.`,
              );
            manyToMany.push([m2m, value]);
            continue;
          }
          let field: AnyField;
          try {
            field = meta.getField(name);
          } catch {
            throw new DeserializationError(
              `${object.model} has no field named '${name}' (object ${index} of ${where}).`,
            );
          }
          try {
            init[field.attname] = value === null ? null : field.toJs(field.isRelation ? value : fromJson(field, value));
          } catch (error) {
            throw new DeserializationError(
              `${object.model}.${name} of object ${index} of ${where}: ${(error as Error).message}`,
            );
          }
        }
        const Cls = meta.model as unknown as new (init: Record<string, unknown>) => Model;
        const instance = new Cls(init);
        await instance.save({ using });
        const pk = (instance as unknown as Record<string, unknown>)[meta.pk.attname];
        for (const [m2m, keys] of manyToMany) {
          const [source, target] = m2m.throughFields();
          const through = m2m.through().model as unknown as typeof Model;
          await through.objects
            .using(using)
            .filter({ [source.attname]: pk } as never)
            .delete();
          for (const key of keys)
            await through.objects.using(using).create({ [source.attname]: pk, [target.attname]: key } as never);
          models.add(m2m.through());
        }
        models.add(meta);
        count++;
      }
      await wrapper.checkConstraints();
      await resetSequences(using, [...models]);
    });
  } finally {
    if (wasOn) await wrapper.enableConstraintChecking();
  }
  return { count, models };
}

/** A JSON value as the field takes it (binary fields are base64 in fixtures). */
function fromJson(field: AnyField, value: unknown): unknown {
  if (field.internalType === 'BinaryField' && typeof value === 'string')
    return new Uint8Array(Buffer.from(value, 'base64'));
  return value;
}

/** PostgreSQL's serial sequences past the loaded keys (Django's sequence_reset_sql). */
async function resetSequences(using: string, models: readonly Options[]): Promise<void> {
  const wrapper = connections.get(using);
  if (wrapper.vendor !== 'postgresql') return;
  for (const meta of models) {
    const pk = meta.pk;
    if (!['AutoField', 'BigAutoField', 'SmallAutoField'].includes(pk.internalType)) continue;
    const table = wrapper.ops.quoteName(meta.dbTable);
    const column = wrapper.ops.quoteName(pk.column);
    await runStatement(
      wrapper,
      `SELECT setval(pg_get_serial_sequence('${meta.dbTable.replaceAll("'", "''")}', '${pk.column.replaceAll("'", "''")}'), coalesce(max(${column}), 1), max(${column}) IS NOT null) FROM ${table}`,
      [],
      { write: true },
    );
  }
}
