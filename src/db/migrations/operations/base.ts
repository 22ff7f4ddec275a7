/**
 * `Operation`, as Django's `django.db.migrations.operations.base`: one step of a migration. It
 * changes the project's state (`stateForwards`), applies the matching change to the database
 * (`databaseForwards`) and undoes it (`databaseBackwards`), describes itself for `migrate` and
 * `sqlmigrate`, and tells the optimizer how it combines with a later operation (`reduce`).
 */
import type { BaseSchemaEditor } from '../../backends/base/schema.ts';
import type { AnyField } from '../../models/fields/base.ts';
import type { Options } from '../../models/options.ts';
import type { ProjectState } from '../state.ts';

export abstract class Operation {
  /** The class's name in a migration file (`CreateModel`). */
  abstract readonly kind: string;
  /** Whether `databaseBackwards` can undo it. */
  get reversible(): boolean {
    return true;
  }
  /** Whether it is plain SQL (sqlmigrate can show it). */
  readonly reducesToSql: boolean = true;
  /** Run in a transaction even in a non-atomic migration (RunCode). */
  readonly atomic: boolean = false;
  /** Dropped when migrations are squashed (data migrations that only matter once). */
  readonly elidable: boolean = false;

  /** The argument of its constructor, for the migration writer (keys in the order written). */
  abstract args(): Record<string, unknown>;

  /** Changes the state as the operation changes the models. */
  abstract stateForwards(appLabel: string, state: ProjectState): void;

  /** Changes the database from `fromState`'s models to `toState`'s. */
  abstract databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    fromState: ProjectState,
    toState: ProjectState,
  ): Promise<void>;

  /** Undoes it: `fromState` is the state after the operation, `toState` the one before. */
  abstract databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    fromState: ProjectState,
    toState: ProjectState,
  ): Promise<void>;

  /** One line for `migrate` and `sqlmigrate` ("Create model Post"). */
  abstract describe(): string;

  /** A part of a migration's name (`post_title`), or undefined. */
  get migrationNameFragment(): string | undefined {
    return undefined;
  }

  /** Whether the operation involves that model (conservatively true). */
  referencesModel(_name: string, _appLabel: string): boolean {
    return true;
  }

  /** Whether the operation involves that field (conservatively, whether it involves its model). */
  referencesField(modelName: string, _name: string, appLabel: string): boolean {
    return this.referencesModel(modelName, appLabel);
  }

  /**
   * How this operation combines with a later one (the optimizer): a list of operations replacing
   * both, true when `operation` may move across this one, false when neither.
   */
  reduce(operation: Operation, _appLabel: string): Operation[] | boolean {
    if (this.elidable) return [operation];
    if (operation.elidable) return [this];
    return false;
  }

  /** Whether the database holds this model's table (not swapped out, managed), as Django's `allow_migrate_model`. */
  allowMigrateModel(meta: Options): boolean {
    return meta.managed && meta.swapped === null;
  }

  toString(): string {
    return `<${this.kind}: ${this.describe()}>`;
  }
}

/** The lower-case form used to compare model and field names. */
export function lower(name: string): string {
  return name.toLowerCase();
}

/** Whether a (state) field points at a model: its target or its through model. */
export function fieldReferencesModel(field: AnyField, label: string): boolean {
  if (!field.isRelation) return false;
  const to = (field as unknown as { to: unknown }).to;
  const through = (field.options as { through?: unknown }).through;
  return (
    (typeof to === 'string' && to.toLowerCase() === label) ||
    (typeof through === 'string' && through.toLowerCase() === label)
  );
}
