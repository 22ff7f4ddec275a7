/**
 * The model checks of `manage.ts check`, as Django's model and field checks (same ids): each
 * message names the model and field and says what to change.
 */
import { CheckMessage, ERROR, WARNING } from '../../core/checks/index.ts';
import type { AnyField } from './fields/base.ts';
import type { ForeignKey } from './fields/related.ts';
import { getModels, type Options, type RelationField } from './options.ts';

function error(msg: string, obj: string, id: string, hint?: string): CheckMessage {
  return new CheckMessage(ERROR, msg, { obj, id, hint });
}

function fieldChecks(meta: Options, field: AnyField, vendors: readonly string[]): CheckMessage[] {
  const out: CheckMessage[] = [];
  const obj = `${meta.label}.${field.name}`;
  const options = field.options as Record<string, unknown>;
  if (
    field.internalType === 'CharField' &&
    field.constructor.name === 'CharField' &&
    !(Number.isInteger(options.maxLength) && (options.maxLength as number) > 0)
  ) {
    out.push(error("CharFields must define a 'maxLength' attribute (a positive integer).", obj, 'fields.E120'));
  }
  if (field.internalType === 'DecimalField') {
    const digits = options.maxDigits;
    const places = options.decimalPlaces;
    if (!Number.isInteger(places) || (places as number) < 0) {
      out.push(
        error("DecimalFields must define a 'decimalPlaces' attribute (a non-negative integer).", obj, 'fields.E131'),
      );
    }
    if (!Number.isInteger(digits) || (digits as number) <= 0) {
      out.push(error("DecimalFields must define a 'maxDigits' attribute (a positive integer).", obj, 'fields.E133'));
    } else if (Number.isInteger(places) && (places as number) > (digits as number)) {
      out.push(error("'maxDigits' must be greater or equal to 'decimalPlaces'.", obj, 'fields.E134'));
    } else if ((digits as number) > 15 && vendors.includes('sqlite')) {
      out.push(
        new CheckMessage(
          WARNING,
          `SQLite keeps 15 significant digits of a decimal, and ${obj} has maxDigits ${String(digits)}.`,
          {
            obj,
            id: 'fields.W340',
            hint: 'Use PostgreSQL for exact decimals of more digits, or lower maxDigits to 15.',
          },
        ),
      );
    }
  }
  if (field.isRelation) {
    const relation = field as unknown as RelationField;
    if (!relation.resolve()) {
      const to = (field as unknown as { to: unknown }).to;
      out.push(
        error(
          `Field defines a relation with model ${typeof to === 'string' ? `'${to}'` : 'a class'}, which is either not installed, or is abstract.`,
          obj,
          'fields.E300',
          'Check the model name, and that its app is in INSTALLED_APPS.',
        ),
      );
    } else if (
      !relation.manyToMany &&
      (field as unknown as ForeignKey).onDelete.onDeleteName === 'SET_NULL' &&
      !field.null
    ) {
      out.push(
        error(
          'Field specifies onDelete SET_NULL, but cannot be null.',
          obj,
          'fields.E320',
          'Set null: true on the field, or change onDelete.',
        ),
      );
    }
  }
  return out;
}

function modelChecks(meta: Options): CheckMessage[] {
  const out: CheckMessage[] = [];
  const exists = (name: string) =>
    name === 'pk' || name === '?' || meta.findField(name.replace(/^-/, '').split('__')[0]!) !== undefined;
  for (const term of meta.ordering) {
    if (!exists(term)) {
      out.push(
        error(
          `'ordering' refers to the nonexistent field, related field, or lookup '${term}'.`,
          meta.label,
          'models.E015',
        ),
      );
    }
  }
  for (const names of meta.uniqueTogether) {
    for (const name of names) {
      if (meta.findField(name) === undefined) {
        out.push(error(`'uniqueTogether' refers to the nonexistent field '${name}'.`, meta.label, 'models.E012'));
      }
    }
  }
  for (const index of meta.indexes) {
    for (const name of index.fields) {
      if (meta.findField(name.replace(/^-/, '')) === undefined) {
        out.push(error(`'indexes' refers to the nonexistent field '${name}'.`, meta.label, 'models.E012'));
      }
    }
  }
  // Two relations giving the target the same reverse accessor (Django's fields.E304).
  const seen = new Map<string, string>();
  for (const related of meta.relatedObjects) {
    if (related.hidden) continue;
    const key = related.accessorName;
    const other = seen.get(key);
    const name = `${related.relatedModel.label}.${related.field.name}`;
    if (other !== undefined) {
      out.push(
        error(
          `Reverse accessor '${meta.objectName}.${key}' for '${name}' clashes with reverse accessor for '${other}'.`,
          name,
          'fields.E304',
          `Add or change a relatedName argument to the definition for '${name}' or '${other}'.`,
        ),
      );
    } else seen.set(key, name);
    if (meta.findField(key) !== undefined) {
      out.push(
        error(
          `Reverse accessor '${meta.objectName}.${key}' for '${name}' clashes with field name '${meta.label}.${key}'.`,
          name,
          'fields.E302',
          `Rename field '${meta.label}.${key}', or add/change a relatedName argument to the definition for field '${name}'.`,
        ),
      );
    }
  }
  return out;
}

/** The messages of every model's checks (the vendors of DATABASES decide the backend-specific ones). */
export function checkModels(vendors: readonly string[] = []): CheckMessage[] {
  const out: CheckMessage[] = [];
  for (const meta of getModels()) {
    if (meta.autoCreated) continue;
    for (const field of meta.fields) out.push(...fieldChecks(meta, field, vendors));
    out.push(...modelChecks(meta));
  }
  return out;
}
