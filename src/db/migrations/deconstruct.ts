/**
 * Fields as declarations: the class and the options a field was made with, what migrations
 * store and write (Django's `Field.deconstruct()`). A relation's target is a label
 * (`'blog.author'`), never a class, so that a migration describes the models as they were.
 *
 * Options that change nothing (`null: false`, `editable: true`...) are left out, so that two
 * spellings of one field compare equal; options that are code the migration cannot hold
 * (`validators`, `storage`) are left out too, as they never reach the database.
 */
import { settings } from '../../conf/index.ts';
import * as models from '../models/index.ts';
import type { AnyField } from '../models/fields/base.ts';
import { getModels, type Options } from '../models/options.ts';

/** A field class of tsgi/db/models, by the name it is exported under. */
const BUILTIN_FIELDS = new Map<unknown, string>();
for (const [name, value] of Object.entries(models)) {
  if (typeof value === 'function' && value.prototype instanceof models.Field) BUILTIN_FIELDS.set(value, name);
}

/** The exported name of a built-in field class, or undefined for a project's own class. */
export function builtinFieldName(cls: unknown): string | undefined {
  return BUILTIN_FIELDS.get(cls);
}

/** Options never stored in a migration: code, and nothing the database sees. */
const NOT_STORED = new Set(['validators', 'storage']);

/** Options whose value is the default when missing. */
const DEFAULTS: Readonly<Record<string, unknown>> = {
  null: false,
  blank: false,
  primaryKey: false,
  unique: false,
  editable: true,
  helpText: '',
  autoNow: false,
  autoNowAdd: false,
  dbConstraint: true,
};

/** Classes whose column is indexed unless told otherwise. */
function indexedByDefault(field: AnyField): boolean {
  return field instanceof models.ForeignKey || field instanceof models.SlugField;
}

/** A field as a declaration. */
export interface FieldDeclaration {
  /** The field's class. */
  cls: new (...args: never[]) => AnyField;
  /** The target of a relation, as a lower-case label (`'blog.author'`). */
  to?: string;
  /** The setting naming the target, for a relation to a swappable model (`'AUTH_USER_MODEL'`). */
  swappableSetting?: string;
  /** The options that matter, in declaration order. */
  options: Record<string, unknown>;
}

/** A relation field's declared target, before resolution. */
interface RelationDeclared {
  to: unknown;
  remote?(): Options;
}

/** The label (lower case) of a relation's target: from the resolved model, or the declared label. */
export function relationLabel(field: AnyField, owner?: { appLabel: string; labelLower: string }): string {
  const declared = (field as unknown as RelationDeclared).to;
  if (typeof declared === 'string') {
    if (declared === 'self') {
      if (owner === undefined)
        throw new TypeError(`The relation ${String(field)} points at 'self' but its model is not known.`);
      return owner.labelLower;
    }
    const label = declared.includes('.') ? declared : `${owner?.appLabel ?? ''}.${declared}`;
    const dot = label.indexOf('.');
    return `${label.slice(0, dot)}.${label.slice(dot + 1).toLowerCase()}`;
  }
  return (field as unknown as { remote(): Options }).remote().labelLower;
}

/** The setting a relation to this label goes through, as Django's `get_swappable_settings_name`. */
export function swappableSettingFor(label: string): string | undefined {
  const lower = label.toLowerCase();
  // The swapped-out model (auth.User when AUTH_USER_MODEL names another) is the one declaring the setting.
  for (const meta of getModels({ includeSwapped: true })) {
    if (meta.swappable === undefined) continue;
    const swapped = meta.swapped;
    if (swapped !== null && swapped.toLowerCase() === lower) return meta.swappable;
    if (meta.labelLower === lower) return meta.swappable;
  }
  return undefined;
}

/** Whether a setting names a model (`'accounts.User'`), for the swappable label it holds. */
export function settingLabel(setting: string): string {
  const value = settings.configured ? (settings as unknown as Record<string, unknown>)[setting] : undefined;
  if (typeof value !== 'string' || !/^[\w-]+\.\w+$/.test(value)) {
    throw new TypeError(
      `The setting ${setting} must name a model as 'app_label.ModelName' (it is ${JSON.stringify(value)}): set it in your settings.`,
    );
  }
  return value;
}

/** The declaration of a field (bound to a model or not). */
export function deconstructField(field: AnyField, owner?: { appLabel: string; labelLower: string }): FieldDeclaration {
  const own = field.constructor as FieldDeclaration['cls'] & { deconstructAs?: FieldDeclaration['cls'] };
  // A subclass that only computes an option (contrib.auth's user relations name their table)
  // is written as the class it declares, as Django's deconstruct() returning its parent's path.
  const cls = own.deconstructAs ?? own;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(field.options as Record<string, unknown>)) {
    if (value === undefined || NOT_STORED.has(key)) continue;
    if (key in DEFAULTS && DEFAULTS[key] === value) continue;
    if (key === 'dbIndex' && value === indexedByDefault(field)) continue;
    if (key === 'through') {
      options.through =
        typeof value === 'string'
          ? relationLabel({ to: value } as unknown as AnyField, owner ?? ownerOf(field))
          : (field as unknown as { through(): Options }).through().labelLower;
      continue;
    }
    options[key] = value;
  }
  const declaration: FieldDeclaration = { cls, options };
  if (field.isRelation) {
    declaration.to = relationLabel(field, owner ?? ownerOf(field));
    const setting = swappableSettingFor(declaration.to);
    if (setting !== undefined) declaration.swappableSetting = setting;
  }
  return declaration;
}

function ownerOf(field: AnyField): { appLabel: string; labelLower: string } | undefined {
  return (field as { model?: Options }).model;
}

/** A new, unbound field from a declaration. */
export function fieldFromDeclaration(declaration: FieldDeclaration, to?: unknown): AnyField {
  const Ctor = declaration.cls as unknown as new (...args: unknown[]) => AnyField;
  if (declaration.to !== undefined) return new Ctor(to ?? declaration.to, { ...declaration.options });
  return new Ctor({ ...declaration.options });
}

/** A copy of a field with its relation target replaced (a label, or a function returning a class). */
export function withTarget(field: AnyField, to: unknown, extra: Record<string, unknown> = {}): AnyField {
  const Ctor = field.constructor as new (...args: unknown[]) => AnyField;
  return new Ctor(to, { ...(field.options as Record<string, unknown>), ...extra });
}

const functionIds = new WeakMap<object, number>();
let nextFunctionId = 0;

/**
 * A value as comparable text: equal text, equal value. Functions compare by identity (a
 * migration imports the very function the model names), model objects by their fields.
 */
export function canonical(value: unknown): string {
  return JSON.stringify(canonicalValue(value));
}

function canonicalValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (typeof value === 'function') {
    const name = (value as { onDeleteName?: string }).onDeleteName;
    if (name !== undefined)
      return { $onDelete: name, value: canonicalValue((value as { setValue?: unknown }).setValue) };
    let id = functionIds.get(value);
    if (id === undefined) functionIds.set(value, (id = ++nextFunctionId));
    return { $function: id };
  }
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as { constructor: { name: string } }).constructor.name;
      if (
        typeof (value as { toJSON?: unknown }).toJSON === 'function' ||
        kind === 'Decimal' ||
        kind.startsWith('Plain') ||
        kind === 'ZonedDateTime' ||
        kind === 'Duration' ||
        kind === 'Instant'
      ) {
        if (kind !== 'Index' && kind !== 'UniqueConstraint' && kind !== 'CheckConstraint')
          return { [`$${kind}`]: String(value) };
      }
      if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('hex') };
      return { [`$${kind}`]: canonicalValue({ ...(value as Record<string, unknown>) }) };
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = canonicalValue(item);
    }
    return out;
  }
  return value;
}

/** A field's declaration as comparable text (the autodetector's equality of fields). */
export function fieldSignature(declaration: FieldDeclaration): string {
  return canonical({
    cls: builtinFieldName(declaration.cls) ?? declaration.cls,
    to: declaration.to,
    options: declaration.options,
  });
}
