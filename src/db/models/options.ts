/**
 * A model's metadata, as Django's `Options` (`Post._meta`): its fields, primary key, table,
 * default ordering, indexes and constraints, its app, and the relations pointing at it.
 *
 * Models are declared by `Model.define()`, which records the declaration; the metadata is
 * built ("prepared") on first use, when the classes the relations name exist. Every declared
 * model is prepared together the first time any is used, so that reverse relations
 * (`author.posts`) are in place whichever model is touched first.
 */
import {
  FieldDoesNotExist,
  ImproperlyConfigured,
  MultipleObjectsReturned,
  ObjectDoesNotExist,
} from '../../core/exceptions.ts';
import { apps } from '../../apps/registry.ts';
import { settings } from '../../conf/index.ts';
import { closestName } from '../../utils/suggest.ts';
import type { AnyField } from './fields/base.ts';
import { AutoField, BigAutoField, SmallAutoField } from './fields/scalar.ts';
import type { Constraint } from './constraints.ts';
import type { Index } from './indexes.ts';
import type { Manager } from './manager.ts';

/** The `Meta` options of `Model.define()`, as Django's `class Meta`. */
export interface MetaOptions {
  /** The table (`<app>_<model>` by default). */
  dbTable?: string;
  /** The app the model belongs to; found from INSTALLED_APPS (the app whose models module exports it) when left out. */
  appLabel?: string;
  /** The model's name, for a model used without a class of its own (`export const Tag = Model.define(...)`). */
  name?: string;
  /** Default ordering: field names, `-` for descending, `?` for random. */
  ordering?: readonly string[];
  indexes?: readonly Index[];
  constraints?: readonly Constraint[];
  /** Sets of fields unique together. */
  uniqueTogether?: ReadonlyArray<readonly string[]>;
  /** A base for other models: no table, fields copied into each model defined from it. */
  abstract?: boolean;
  verboseName?: string;
  verboseNamePlural?: string;
  /** The field `latest()` and `earliest()` use when given none. */
  getLatestBy?: string | readonly string[];
  /** The related name of this model's relations when they give none (`%(class)s` and `%(app_label)s` filled in). */
  defaultRelatedName?: string;
  /** False: tsgi does not create or drop the table (migrations leave it alone). */
  managed?: boolean;
  /** Made by tsgi (the through model of a ManyToManyField). */
  autoCreated?: boolean;
  /**
   * The setting that may name a replacement for this model (`'AUTH_USER_MODEL'` for auth's
   * User): when it names another model, this one is swapped out (no reverse relations, left out
   * of getModels() and the checks).
   */
  swappable?: string;
  /** Extra permissions of the model, `[codename, name]` (contrib.auth creates them after migrate). */
  permissions?: ReadonlyArray<readonly [string, string]>;
  /** The default permissions contrib.auth creates (`['add', 'change', 'delete', 'view']`). */
  defaultPermissions?: readonly string[];
}

/** A relation pointing at a model, seen from that model (`author.posts`): Django's ForeignObjectRel. */
export interface RelatedObject {
  /** The field that declares the relation (Post.author). */
  readonly field: RelationField;
  /** The model of that field (Post). */
  readonly relatedModel: Options;
  /** The attribute on the target's instances (`posts`, or `postSet`). */
  readonly accessorName: string;
  /** The name in lookups (`posts__title`, or `post__title`). */
  readonly queryName: string;
  /** Many objects on this side (reverse ForeignKey, many-to-many). */
  readonly multiple: boolean;
  readonly manyToMany: boolean;
  readonly oneToOne: boolean;
  /** Hidden relations (relatedName ending in '+') have no accessor and no query name. */
  readonly hidden: boolean;
}

/** What Options needs of a relation field (ForeignKey, OneToOneField, ManyToManyField). */
export interface RelationField extends AnyField {
  readonly isRelation: true;
  readonly manyToMany: boolean;
  readonly oneToOne: boolean;
  /** The model it points at, once resolved. */
  remote(): Options;
  /** Resolves the target; false while its class does not exist yet. */
  resolve(): boolean;
  relatedObject(): RelatedObject;
}

/** A model class, as Options sees it. */
export type ModelClassLike = (abstract new (...args: never[]) => object) & { name: string };

/** The declaration `Model.define()` records on the class it makes. */
export interface Declaration {
  fields: Record<string, AnyField>;
  meta: MetaOptions;
  /** Built on first use. */
  options?: Options;
}

export const DECLARATION = Symbol('tsgi.db.declaration');

/** Classes made by Model.define() whose metadata is not built yet (or whose relations wait for a class). */
const pending: Array<ModelClassLike & { [DECLARATION]: Declaration }> = [];
/** Every prepared model, for getModel() and the schema of a whole project. */
const prepared: Options[] = [];
let preparing = false;

/** Records a class made by Model.define(); its metadata is built on first use. */
export function declare(defined: ModelClassLike, declaration: Declaration): void {
  (defined as unknown as { [DECLARATION]: Declaration })[DECLARATION] = declaration;
  if (!declaration.meta.abstract) pending.push(defined as ModelClassLike & { [DECLARATION]: Declaration });
}

/** The class made by Model.define() that `cls` is, or extends. */
export function definedClassOf(cls: unknown): (ModelClassLike & { [DECLARATION]: Declaration }) | undefined {
  for (
    let c = cls as { [DECLARATION]?: Declaration } | null;
    c !== null && typeof c === 'function';
    c = Object.getPrototypeOf(c)
  ) {
    if (Object.prototype.hasOwnProperty.call(c, DECLARATION))
      return c as unknown as ModelClassLike & { [DECLARATION]: Declaration };
  }
  return undefined;
}

/** The app label and the exported name of a model, from the installed apps' models modules. */
function findInApps(defined: ModelClassLike): { label: string; name: string; cls: ModelClassLike } | undefined {
  if (!apps.appsReady) return undefined;
  const configs = apps.getAppConfigs();
  for (const config of configs) {
    for (const [name, value] of Object.entries(config.modelsModule ?? {})) {
      if (typeof value === 'function' && (value === defined || value.prototype instanceof defined)) {
        return { label: config.label, name, cls: value as ModelClassLike };
      }
    }
  }
  return undefined;
}

/**
 * The metadata of a model class, built on first use.
 *
 * @throws ImproperlyConfigured for an abstract model, or one without an app.
 */
export function getMeta(cls: unknown): Options {
  const cached = metaCache.get(cls as object);
  if (cached !== undefined && pending.length === 0) return cached;
  const defined = definedClassOf(cls);
  if (defined === undefined) {
    throw new TypeError(
      `${String((cls as { name?: string })?.name ?? cls)} is not a model: declare models with Model.define({ ...fields }).`,
    );
  }
  const declaration = defined[DECLARATION];
  if (declaration.meta.abstract) {
    throw new TypeError(
      `${defined.name || 'This model'} is abstract: it has no table. Define a model from it (${defined.name}.define({ ... })) and use that.`,
    );
  }
  if (declaration.options === undefined || pending.length > 0) prepareAll(defined, cls as ModelClassLike);
  const options = declaration.options!;
  if (cls !== defined && cls !== options.model) options.adoptClass(cls as ModelClassLike);
  metaCache.set(cls as object, options);
  return options;
}

let shapeIds = 0;

/** Model class to metadata, once resolved (getMeta runs on every instance made). */
const metaCache = new WeakMap<object, Options>();

/** Prepares every pending model; only `wanted`'s own failure is thrown (the others wait for their classes). */
function prepareAll(wanted?: ModelClassLike, cls: ModelClassLike | undefined = wanted): void {
  if (wanted !== undefined) {
    const wantedDeclaration = (wanted as unknown as { [DECLARATION]: Declaration })[DECLARATION];
    if (wantedDeclaration.options === undefined) buildOptions(wanted, wantedDeclaration, cls!);
  }
  if (preparing) return;
  preparing = true;
  try {
    for (const defined of pending) {
      const declaration = defined[DECLARATION];
      if (declaration.options !== undefined) continue;
      try {
        buildOptions(defined, declaration, defined);
      } catch {
        // Its class or app is not known yet: built when it is first used.
      }
    }
    // Relations: resolve what can be; what cannot (a class not yet declared) stays pending.
    for (let i = pending.length - 1; i >= 0; i--) {
      const options = pending[i]![DECLARATION].options;
      if (options !== undefined && options.resolveRelations()) pending.splice(i, 1);
    }
  } finally {
    preparing = false;
  }
}

function buildOptions(defined: ModelClassLike, declaration: Declaration, cls: ModelClassLike): Options {
  const found = findInApps(defined);
  const appLabel = declaration.meta.appLabel ?? found?.label;
  const className = declaration.meta.name ?? (cls !== defined ? cls.name : found?.name);
  if (className === undefined) {
    throw new ImproperlyConfigured(
      "A model made by Model.define() has no name: subclass it (class Tag extends Model.define({ ... }) {}) or give it { name: 'Tag' }.",
    );
  }
  if (appLabel === undefined) {
    throw new ImproperlyConfigured(
      `Model class ${className} doesn't declare an explicit appLabel and isn't in an application in INSTALLED_APPS: ` +
        `export it from an installed app's models module (blog/models.ts), or give it { appLabel: 'blog' } in Model.define().`,
    );
  }
  const options = new Options(defined, declaration, appLabel, className);
  declaration.options = options;
  if (cls !== defined) options.adoptClass(cls);
  else if (found !== undefined && found.cls !== defined) options.adoptClass(found.cls);
  prepared.push(options);
  return options;
}

/**
 * Builds the metadata of a model that is not registered: getModel() and getModels() do not see
 * it, and it takes no part in the reverse relations of the project's models. Migrations render
 * the models of their states so (historical models), and the SQLite schema editor the copy of a
 * table it rebuilds. Call `resolveRelations()` on each once all the models they point at exist.
 */
export function detachedModel(
  cls: ModelClassLike,
  fields: Record<string, AnyField>,
  meta: MetaOptions & { appLabel: string; name: string },
): Options {
  const declaration: Declaration = { fields, meta };
  (cls as unknown as { [DECLARATION]: Declaration })[DECLARATION] = declaration;
  const options = new Options(cls, declaration, meta.appLabel, meta.name);
  options.detached = true;
  declaration.options = options;
  return options;
}

/** A model by its label (`'blog.Post'`), or by app label and name. */
export function getModel(label: string, name?: string): Options {
  const [app, model] = name === undefined ? label.split('.') : [label, name];
  if (pending.length > 0) prepareAll();
  const found = prepared.find((o) => o.appLabel === app && o.modelName === model?.toLowerCase());
  if (found === undefined) {
    const hint = closestName(
      `${app}.${model}`,
      prepared.map((o) => o.label),
    );
    throw new LookupError(
      `App '${app}' doesn't have a '${model}' model.` + (hint !== undefined ? ` Did you mean '${hint}'?` : ''),
    );
  }
  return found;
}

/** Every prepared model; swapped-out ones (`swappable`) only with `includeSwapped`. */
export function getModels(options: { includeSwapped?: boolean } = {}): Options[] {
  if (pending.length > 0) prepareAll();
  return options.includeSwapped ? [...prepared] : prepared.filter((o) => o.swapped === null);
}

/** The models of the installed apps' models modules, by class name (what `manage.ts shell` puts in scope). */
export function installedModels(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!apps.appsReady) return out;
  for (const config of apps.getAppConfigs()) {
    for (const [name, value] of Object.entries(config.modelsModule ?? {})) {
      if (definedClassOf(value) !== undefined && !definedClassOf(value)![DECLARATION].meta.abstract) out[name] = value;
    }
  }
  return out;
}

/** getModel() found no such model. */
export class LookupError extends Error {
  override name = 'LookupError';
}

function defaultAutoField(): AnyField {
  const name = settings.configured ? String(settings.DEFAULT_AUTO_FIELD ?? '') : '';
  if (name.endsWith('BigAutoField')) return new BigAutoField();
  if (name.endsWith('SmallAutoField')) return new SmallAutoField();
  return new AutoField();
}

/** Fills `%(class)s` and `%(app_label)s` in a related name. */
export function fillRelatedName(template: string, options: Options): string {
  return template
    .replace(/%\(class\)s/g, options.modelName)
    .replace(/%\(app_label\)s/g, options.appLabel.toLowerCase());
}

export class Options {
  /** The class instances are made of (the declared subclass once seen). */
  model: ModelClassLike;
  readonly defined: ModelClassLike;
  readonly appLabel: string;
  /** The class name (`Post`). */
  readonly objectName: string;
  /** A short name of the model in query shapes (sql/state.ts): shorter keys hash faster. */
  readonly shapeId: string;
  /** Lower-case class name (`post`). */
  readonly modelName: string;
  readonly dbTable: string;
  readonly ordering: readonly string[];
  readonly uniqueTogether: ReadonlyArray<readonly string[]>;
  readonly indexes: readonly Index[];
  readonly constraints: readonly Constraint[];
  readonly verboseName: string;
  readonly verboseNamePlural: string;
  readonly getLatestBy: readonly string[] | undefined;
  readonly defaultRelatedName: string | undefined;
  readonly managed: boolean;
  readonly autoCreated: boolean;
  readonly swappable: string | undefined;
  readonly permissions: ReadonlyArray<readonly [string, string]>;
  readonly defaultPermissions: readonly string[];
  /** Made by detachedModel(): not registered (a historical model of a migration). */
  detached = false;
  /** Fields in declaration order (an automatic `id` first). */
  readonly fields: AnyField[] = [];
  /** The fields with a column. */
  readonly concreteFields: AnyField[] = [];
  readonly manyToMany: RelationField[] = [];
  pk!: AnyField;
  /** Relations of other models pointing here. */
  readonly relatedObjects: RelatedObject[] = [];
  readonly DoesNotExist: typeof ObjectDoesNotExist;
  readonly MultipleObjectsReturned: typeof MultipleObjectsReturned;
  /** Per-backend caches of compiled pieces (the select list): cleared never, keyed by the wrapper. */
  readonly cache = new Map<unknown, unknown>();
  /** The shape keys of `get({ lookup: scalar })` on unfiltered querysets, by lookup (QuerySet.get's fast path). */
  readonly getShapes = new Map<string, string>();
  #byName = new Map<string, AnyField>();
  #defaultManager: Manager<never> | undefined;

  constructor(defined: ModelClassLike, declaration: Declaration, appLabel: string, objectName: string) {
    this.defined = defined;
    this.model = defined;
    this.appLabel = appLabel;
    this.objectName = objectName;
    this.modelName = objectName.toLowerCase();
    this.shapeId = `#${(++shapeIds).toString(36)}`;
    const meta = declaration.meta;
    this.dbTable = meta.dbTable ?? `${appLabel}_${this.modelName}`.toLowerCase();
    this.ordering = meta.ordering ?? [];
    this.uniqueTogether = meta.uniqueTogether ?? [];
    this.indexes = meta.indexes ?? [];
    this.constraints = meta.constraints ?? [];
    this.verboseName = meta.verboseName ?? objectName.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
    this.verboseNamePlural = meta.verboseNamePlural ?? `${this.verboseName}s`;
    this.getLatestBy = typeof meta.getLatestBy === 'string' ? [meta.getLatestBy] : meta.getLatestBy;
    this.defaultRelatedName = meta.defaultRelatedName;
    this.managed = meta.managed !== false;
    this.autoCreated = meta.autoCreated === true;
    this.swappable = meta.swappable;
    this.permissions = meta.permissions ?? [];
    this.defaultPermissions = meta.defaultPermissions ?? ['add', 'change', 'delete', 'view'];
    const entries = Object.entries(declaration.fields);
    if (!entries.some(([, field]) => field.primaryKey)) {
      if (Object.prototype.hasOwnProperty.call(declaration.fields, 'id')) {
        throw new ImproperlyConfigured(
          `${objectName} has a field named 'id' that is not a primary key: add { primaryKey: true } to it, or rename it (the automatic primary key is 'id').`,
        );
      }
      entries.unshift(['id', defaultAutoField()]);
    }
    for (const [name, field] of entries) this.#addField(name, field);
    const pks = this.fields.filter((f) => f.primaryKey);
    if (pks.length > 1) {
      throw new ImproperlyConfigured(
        `${objectName} has more than one primary key (${pks.map((f) => f.name).join(', ')}): keep { primaryKey: true } on one field.`,
      );
    }
    this.pk = pks[0]!;
    const label = `${appLabel}.${objectName}`;
    this.DoesNotExist = class DoesNotExist extends ObjectDoesNotExist {
      override name = 'DoesNotExist';
      static readonly model = label;
    };
    this.MultipleObjectsReturned = class extends MultipleObjectsReturned {
      override name = 'MultipleObjectsReturned';
      static readonly model = label;
    };
  }

  #addField(name: string, field: AnyField): void {
    field.contribute(this, name);
    this.fields.push(field);
    if ((field as unknown as Partial<RelationField>).manyToMany)
      this.manyToMany.push(field as unknown as RelationField);
    else if (field.concrete) this.concreteFields.push(field);
    this.#byName.set(name, field);
    if (field.attname !== name) this.#byName.set(field.attname, field);
    (field as { install?: (model: ModelClassLike) => void }).install?.(this.defined);
  }

  /** `blog.Post`. */
  get label(): string {
    return `${this.appLabel}.${this.objectName}`;
  }

  /** `blog.post`. */
  get labelLower(): string {
    return `${this.appLabel}.${this.modelName}`;
  }

  /**
   * The label of the model that replaces this one (the value of its `swappable` setting, when
   * that names another model), or null (Django's `Options.swapped`).
   */
  get swapped(): string | null {
    if (this.swappable === undefined || !settings.configured) return null;
    const value = (settings as unknown as Record<string, unknown>)[this.swappable];
    if (typeof value !== 'string' || value === '') return null;
    const [app, model] = value.split('.');
    if (model === undefined) return value;
    return `${app}.${model.toLowerCase()}` === this.labelLower ? null : value;
  }

  /** Resolves this model's relations and installs the reverse ones on their targets; false while a target class is missing. */
  resolveRelations(): boolean {
    // A swapped-out model gives its targets no reverse relations: the model replacing it does.
    if (this.swapped !== null) return true;
    let done = true;
    for (const field of this.fields) {
      if (!field.isRelation) continue;
      const relation = field as RelationField;
      if (!relation.resolve()) {
        done = false;
        continue;
      }
      const related = relation.relatedObject();
      const target = relation.remote();
      if (!target.relatedObjects.includes(related)) target.addRelatedObject(related);
    }
    return done;
  }

  addRelatedObject(related: RelatedObject): void {
    this.relatedObjects.push(related);
    if (!related.hidden)
      (related.field as { installReverse?: (target: Options, related: RelatedObject) => void }).installReverse?.(
        this,
        related,
      );
  }

  /** Uses a subclass of the declared class for instances (the class body's methods). */
  adoptClass(cls: ModelClassLike): void {
    if (cls === this.model || this.model.prototype instanceof cls) return;
    if (this.model !== this.defined && !(cls.prototype instanceof this.model)) {
      throw new ImproperlyConfigured(
        `${cls.name} and ${this.model.name} both extend the model ${this.label}: a model has one class. Define another model from an abstract base instead.`,
      );
    }
    this.model = cls;
  }

  /** The field of a name or attname, or undefined. */
  findField(name: string): AnyField | undefined {
    return name === 'pk' ? this.pk : this.#byName.get(name);
  }

  /** The relation pointing here under a query name, or undefined. */
  findRelatedObject(queryName: string): RelatedObject | undefined {
    return this.relatedObjects.find((r) => !r.hidden && r.queryName === queryName);
  }

  /** A field by name. @throws FieldDoesNotExist */
  getField(name: string): AnyField {
    const field = this.findField(name);
    if (field !== undefined) return field;
    throw new FieldDoesNotExist(`${this.objectName} has no field named '${name}'`);
  }

  /** The names a lookup may start with, for "Choices are: ..." messages. */
  lookupNames(): string[] {
    const names = this.fields.map((f) => f.name);
    for (const related of this.relatedObjects) if (!related.hidden) names.push(related.queryName);
    return [...new Set(['pk', ...names])].filter((n) => n !== 'pk').sort();
  }

  /** The manager `Post.objects` gives when the class declares none (made by `makeManager` on first use). */
  baseManager(makeManager: (model: ModelClassLike) => Manager<never>): Manager<never> {
    return (this.#defaultManager ??= makeManager(this.model));
  }

  /** The default manager: the class's own `objects`, or the base one. */
  get defaultManager(): Manager<never> {
    return (this.model as unknown as { objects: Manager<never> }).objects;
  }

  toString(): string {
    return this.label;
  }
}
