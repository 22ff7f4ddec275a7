/**
 * The project's state, as Django's `django.db.migrations.state`: the models as the migrations
 * describe them at one point of their history. A `ModelState` is one model in a serialisable
 * form (its fields as declarations, relation targets as labels, its meta options); a
 * `ProjectState` is every model at that point. Operations change a state (`stateForwards`);
 * the autodetector compares the state the migrations build with the one of the current models.
 *
 * `state.apps` renders the state as real model classes, "historical models", that the schema
 * editor reads and `RunCode` queries with: detached from the project's registry, with relations
 * between themselves only.
 */
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import { defaultIndexName } from '../backends/base/schema.ts';
import { Model } from '../models/base.ts';
import { Index } from '../models/indexes.ts';
import type { Constraint } from '../models/constraints.ts';
import type { AnyField } from '../models/fields/base.ts';
import type { Manager } from '../models/manager.ts';
import {
  DECLARATION,
  definedClassOf,
  detachedModel,
  getModels,
  LookupError,
  type Declaration,
  type MetaOptions,
  type Options,
} from '../models/options.ts';
import { deconstructField, fieldFromDeclaration, relationLabel, withTarget } from './deconstruct.ts';

/** The meta options a migration keeps (Django's ModelState options). */
export interface StateOptions {
  dbTable?: string;
  ordering?: readonly string[];
  uniqueTogether?: ReadonlyArray<readonly string[]>;
  indexes?: readonly Index[];
  constraints?: readonly Constraint[];
  verboseName?: string;
  verboseNamePlural?: string;
  getLatestBy?: string | readonly string[];
  defaultRelatedName?: string;
  managed?: boolean;
  swappable?: string;
}

/** The options in the order migrations write them. */
export const STATE_OPTION_NAMES = [
  'dbTable',
  'ordering',
  'uniqueTogether',
  'indexes',
  'constraints',
  'verboseName',
  'verboseNamePlural',
  'getLatestBy',
  'defaultRelatedName',
  'managed',
  'swappable',
] as const satisfies ReadonlyArray<keyof StateOptions>;

/** The options AlterModelOptions changes (none of them reaches the database). */
export const ALTER_OPTION_NAMES = [
  'ordering',
  'verboseName',
  'verboseNamePlural',
  'getLatestBy',
  'defaultRelatedName',
  'managed',
] as const satisfies ReadonlyArray<keyof StateOptions>;

/** The key of a model in a state: `blog.post`. */
export function modelKey(appLabel: string, name: string): string {
  return `${appLabel}.${name.toLowerCase()}`;
}

/** The options worth keeping: no undefined, no empty lists. */
export function cleanOptions(options: StateOptions): StateOptions {
  const out: Record<string, unknown> = {};
  for (const name of STATE_OPTION_NAMES) {
    const value = options[name];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[name] = value;
  }
  return out as StateOptions;
}

/** One model as the migrations describe it. */
export class ModelState {
  readonly appLabel: string;
  readonly name: string;
  /** Unbound fields in order; relation targets are lower-case labels. */
  readonly fields: Map<string, AnyField>;
  options: StateOptions;

  constructor(
    appLabel: string,
    name: string,
    fields: Record<string, AnyField> | Map<string, AnyField>,
    options: StateOptions = {},
  ) {
    this.appLabel = appLabel;
    this.name = name;
    this.fields = new Map();
    const entries = fields instanceof Map ? [...fields] : Object.entries(fields);
    for (const [fieldName, field] of entries) this.fields.set(fieldName, this.normalizeField(field));
    this.options = cleanOptions(options);
  }

  get nameLower(): string {
    return this.name.toLowerCase();
  }

  /** `blog.post`. */
  get key(): string {
    return modelKey(this.appLabel, this.name);
  }

  /** A field with its relation target (and `through`) as a lower-case label. */
  normalizeField(field: AnyField): AnyField {
    if (!field.isRelation) return field;
    const owner = { appLabel: this.appLabel, labelLower: this.key };
    const declared = (field as unknown as { to: unknown }).to;
    const label = relationLabel(field, owner);
    const through = (field.options as { through?: unknown }).through;
    const extra: Record<string, unknown> = {};
    if (through !== undefined && through !== null)
      extra.through = relationLabel({ to: through } as unknown as AnyField, owner);
    if (declared === label && (through === undefined || extra.through === through)) return field;
    return withTarget(field, label, extra);
  }

  /** The field of a name. @throws a sentence naming the model when there is none. */
  getField(name: string): AnyField {
    const field = this.fields.get(name);
    if (field === undefined) {
      throw new LookupError(`The model ${this.appLabel}.${this.name} has no field '${name}' in the migration state.`);
    }
    return field;
  }

  getIndexByName(name: string): Index {
    const index = this.options.indexes?.find((i) => i.name === name);
    if (index === undefined)
      throw new LookupError(`The model ${this.appLabel}.${this.name} has no index named '${name}'.`);
    return index;
  }

  getConstraintByName(name: string): Constraint {
    const constraint = this.options.constraints?.find((c) => c.name === name);
    if (constraint === undefined)
      throw new LookupError(`The model ${this.appLabel}.${this.name} has no constraint named '${name}'.`);
    return constraint;
  }

  clone(): ModelState {
    return new ModelState(this.appLabel, this.name, new Map(this.fields), { ...this.options });
  }

  /** The state of a model of the project (Django's `ModelState.from_model`). */
  static fromModel(meta: Options): ModelState {
    const declaration = (definedClassOf(meta.defined) as unknown as { [DECLARATION]: Declaration } | undefined)?.[
      DECLARATION
    ];
    const raw: MetaOptions = declaration?.meta ?? {};
    const fields = new Map<string, AnyField>();
    for (const field of meta.fields) fields.set(field.name, fieldFromDeclaration(deconstructField(field)));
    const options: StateOptions = {};
    for (const name of STATE_OPTION_NAMES) {
      const value = (raw as Record<string, unknown>)[name];
      if (value !== undefined) (options as Record<string, unknown>)[name] = value;
    }
    // Migrations always name indexes (as Django's from_model does).
    if (options.indexes !== undefined) {
      options.indexes = options.indexes.map((index) =>
        index.name !== undefined
          ? index
          : new Index({ fields: index.fields, name: defaultIndexName(meta, index.fields), condition: index.condition }),
      );
    }
    return new ModelState(meta.appLabel, meta.objectName, fields, options);
  }
}

/** An instance of a historical model: its fields are read as unknown values. */
export type HistoricalInstance = Model & Record<string, unknown>;

/** A historical model class, as `apps.getModel('blog', 'Post')` returns it in `RunCode`. */
export interface HistoricalModel {
  new (init?: Record<string, unknown>): HistoricalInstance;
  readonly objects: Manager<HistoricalInstance>;
  readonly _meta: Options;
}

/** The models of a state rendered as classes, as Django's `StateApps`. */
export class StateApps {
  readonly #byKey = new Map<string, Options>();

  constructor(states: Iterable<ModelState>) {
    const classes = new Map<string, typeof Model>();
    const list = [...states];
    for (const state of list) {
      const cls = class extends Model {};
      Object.defineProperty(cls, 'name', { value: state.name });
      classes.set(state.key, cls);
    }
    const target = (label: string, from: ModelState) => () => {
      const cls = classes.get(label);
      if (cls === undefined) {
        throw new ImproperlyConfigured(
          `The field of ${from.appLabel}.${from.name} points at '${label}', which no migration applied before it creates: ` +
            `add a dependency on the migration that creates it (or, for an app without migrations, give it migrations).`,
        );
      }
      return cls;
    };
    for (const state of list) {
      const fields: Record<string, AnyField> = {};
      for (const [name, field] of state.fields) {
        if (!field.isRelation) {
          fields[name] = field.clone();
          continue;
        }
        const label = (field as unknown as { to: string }).to;
        const through = (field.options as { through?: string }).through;
        fields[name] = withTarget(
          field,
          target(label, state),
          through !== undefined ? { through: target(through, state) } : {},
        );
      }
      const options = detachedModel(classes.get(state.key)!, fields, {
        ...(state.options as MetaOptions),
        appLabel: state.appLabel,
        name: state.name,
      });
      this.#byKey.set(state.key, options);
    }
    for (const options of this.#byKey.values()) options.resolveRelations();
  }

  /** A historical model's metadata. @throws LookupError when the state has no such model. */
  getMeta(appLabel: string, name: string): Options {
    const options = this.#byKey.get(modelKey(appLabel, name));
    if (options === undefined) {
      throw new LookupError(
        `The migration state has no model ${appLabel}.${name}: check the name and the migration's dependencies.`,
      );
    }
    return options;
  }

  /** A historical model, for RunCode: `apps.getModel('blog', 'Post')` (or `apps.getModel('blog.Post')`). */
  getModel(appLabel: string, name?: string): HistoricalModel {
    const [app, model] = name === undefined ? appLabel.split('.') : [appLabel, name];
    return this.getMeta(app!, model ?? '').model as unknown as HistoricalModel;
  }

  /** Every rendered model. */
  all(): Options[] {
    return [...this.#byKey.values()];
  }
}

/** The apps a RunCode function gets: the historical models at that point of the history. */
export type MigrationApps = Pick<StateApps, 'getModel' | 'getMeta'>;

/** Every model at one point of the migration history. */
export class ProjectState {
  readonly models = new Map<string, ModelState>();
  /** Apps without migrations whose models are taken as they are (Django's real_apps). */
  readonly realApps: Set<string>;
  #apps: StateApps | undefined;

  constructor(models: Iterable<ModelState> = [], realApps: Iterable<string> = []) {
    for (const model of models) this.models.set(model.key, model);
    this.realApps = new Set(realApps);
  }

  addModel(model: ModelState): void {
    this.models.set(model.key, model);
    this.reload();
  }

  removeModel(appLabel: string, name: string): void {
    this.models.delete(modelKey(appLabel, name));
    this.reload();
  }

  /** A model's state. @throws LookupError naming it when the state has none. */
  getModel(appLabel: string, name: string): ModelState {
    const model = this.models.get(modelKey(appLabel, name));
    if (model === undefined) {
      throw new LookupError(
        `The migration state has no model ${appLabel}.${name}: the operation names a model no earlier migration created (check the name and the dependencies).`,
      );
    }
    return model;
  }

  /** Forgets the rendered models (the state changed). */
  reload(): void {
    this.#apps = undefined;
  }

  clone(): ProjectState {
    const copy = new ProjectState([], this.realApps);
    for (const [key, model] of this.models) copy.models.set(key, model.clone());
    return copy;
  }

  /** The models rendered as classes (made on first use after each change). */
  get apps(): StateApps {
    return (this.#apps ??= new StateApps(this.models.values()));
  }

  /** The state of the project's current models (the installed apps'), as Django's `from_apps`. */
  static fromApps(appLabels?: ReadonlySet<string>): ProjectState {
    const state = new ProjectState();
    // Swapped-out models too, as Django's: their app's migrations keep creating them in the state.
    for (const meta of getModels({ includeSwapped: true })) {
      if (meta.autoCreated || meta.detached) continue;
      if (appLabels !== undefined && !appLabels.has(meta.appLabel)) continue;
      const model = ModelState.fromModel(meta);
      state.models.set(model.key, model);
    }
    return state;
  }
}
