/**
 * `Migration`, as Django's `django.db.migrations.Migration`: the default export of a migration
 * file, holding its dependencies and operations (docs/migrations.md, "The format of a migration
 * file"). Its app and name come from where the file is (`blog/migrations/0002_post_slug.ts`).
 *
 * @example
 * export default new Migration({
 *   dependencies: [['blog', '0001_initial']],
 *   operations: [new AddField({ modelName: 'post', name: 'slug', field: new SlugField({ default: '' }) })],
 * });
 */
import type { BaseSchemaEditor } from '../backends/base/schema.ts';
import { settingLabel } from './deconstruct.ts';
import type { Operation } from './operations/base.ts';
import type { ProjectState } from './state.ts';

/** A migration by app label and name: `['blog', '0001_initial']`. */
export type MigrationKey = readonly [appLabel: string, name: string];

/** The first migration of the app of the model a setting names (Django's `swappable_dependency`). */
export class SwappableDependency {
  readonly setting: string;

  constructor(setting: string) {
    this.setting = setting;
  }

  /** `[app, '__first__']` for the model the setting names now. */
  resolve(): MigrationKey {
    const label = settingLabel(this.setting);
    return [label.slice(0, label.indexOf('.')), '__first__'];
  }
}

/** A dependency: a migration (`['blog', '0001_initial']`, `'__first__'`, `'__latest__'`), or a swappable one. */
export type Dependency = MigrationKey | SwappableDependency;

/**
 * The dependency on the app of the model a setting names (`'AUTH_USER_MODEL'`), for migrations
 * with a relation written `swappable('AUTH_USER_MODEL')`.
 */
export function swappableDependency(setting: string): SwappableDependency {
  return new SwappableDependency(setting);
}

/**
 * The label of the model a setting names (`swappable('AUTH_USER_MODEL')` is `'accounts.User'` in
 * a project that sets it so): Django's `settings.AUTH_USER_MODEL` in a migration.
 */
export function swappable(setting: string): `${string}.${string}` {
  return settingLabel(setting) as `${string}.${string}`;
}

/** What `new Migration()` takes. */
export interface MigrationSpec {
  dependencies?: readonly Dependency[];
  operations?: readonly Operation[];
  /** It creates its app's first tables (what --fake-initial looks for). */
  initial?: boolean;
  /** The migrations a squashed migration replaces. */
  replaces?: readonly MigrationKey[];
  /** Run in one transaction (the default); false for statements refused inside one. */
  atomic?: boolean;
  /** Migrations of other apps that must run after this one. */
  runBefore?: readonly MigrationKey[];
}

/** The name of a migration key: `blog.0001_initial`. */
export function keyName(key: MigrationKey): string {
  return `${key[0]}.${key[1]}`;
}

export class Migration {
  /** Set by the loader from the file's place. */
  appLabel = '';
  name = '';
  readonly dependencies: readonly Dependency[];
  readonly operations: readonly Operation[];
  readonly initial: boolean | undefined;
  readonly replaces: readonly MigrationKey[];
  readonly atomic: boolean;
  readonly runBefore: readonly MigrationKey[];

  constructor(spec: MigrationSpec = {}) {
    if (spec === null || typeof spec !== 'object') {
      throw new TypeError('new Migration() takes { dependencies, operations }: see docs/migrations.md.');
    }
    for (const dependency of spec.dependencies ?? []) {
      if (dependency instanceof SwappableDependency) continue;
      if (
        !Array.isArray(dependency) ||
        dependency.length !== 2 ||
        dependency.some((part) => typeof part !== 'string')
      ) {
        throw new TypeError(
          `A migration's dependency must be [appLabel, migrationName] (or swappableDependency('AUTH_USER_MODEL')), not ${JSON.stringify(dependency)}.`,
        );
      }
    }
    this.dependencies = spec.dependencies ?? [];
    this.operations = spec.operations ?? [];
    this.initial = spec.initial;
    this.replaces = spec.replaces ?? [];
    this.atomic = spec.atomic !== false;
    this.runBefore = spec.runBefore ?? [];
  }

  get key(): MigrationKey {
    return [this.appLabel, this.name];
  }

  /** The dependencies with swappable ones resolved. */
  resolvedDependencies(): MigrationKey[] {
    return this.dependencies.map((d) => (d instanceof SwappableDependency ? d.resolve() : d));
  }

  /** The state after this migration's operations (the given state is changed, unless `preserve`). */
  mutateState(state: ProjectState, preserve = true): ProjectState {
    const next = preserve ? state.clone() : state;
    for (const operation of this.operations) operation.stateForwards(this.appLabel, next);
    return next;
  }

  /**
   * Applies the operations to the database and the state; returns the state after. Collecting
   * SQL (sqlmigrate), each operation is introduced by a comment.
   */
  async apply(state: ProjectState, editor: BaseSchemaEditor): Promise<ProjectState> {
    let current = state;
    for (const operation of this.operations) {
      if (editor.collectSql) {
        editor.executed.push(`--\n-- ${operation.describe()}\n--`);
        if (!operation.reducesToSql) {
          editor.executed.push('-- THIS OPERATION CANNOT BE WRITTEN AS SQL');
          continue;
        }
      }
      const next = current.clone();
      operation.stateForwards(this.appLabel, next);
      await operation.databaseForwards(this.appLabel, editor, current, next);
      current = next;
    }
    return current;
  }

  /** Undoes the operations, last first; `state` is the state before this migration. */
  async unapply(state: ProjectState, editor: BaseSchemaEditor): Promise<ProjectState> {
    const steps: Array<[Operation, ProjectState, ProjectState]> = [];
    let current = state;
    for (const operation of this.operations) {
      if (!operation.reversible) {
        throw new IrreversibleError(
          `Operation ${operation.toString()} in ${keyName(this.key)} is not reversible: the migration cannot be unapplied ` +
            '(give RunSQL a reverseSql, RunCode a reverseCode; RunSQL.noop and RunCode.noop undo nothing).',
        );
      }
      const next = current.clone();
      operation.stateForwards(this.appLabel, next);
      steps.unshift([operation, current, next]);
      current = next;
    }
    for (const [operation, before, after] of steps) {
      if (editor.collectSql) {
        editor.executed.push(`--\n-- ${operation.describe()}\n--`);
        if (!operation.reducesToSql) {
          editor.executed.push('-- THIS OPERATION CANNOT BE WRITTEN AS SQL');
          continue;
        }
      }
      await operation.databaseBackwards(this.appLabel, editor, after, before);
    }
    return state;
  }

  /** A name from the operations (`post_title`, `delete_post`), or 'auto' when they have none in common. */
  suggestName(): string {
    if (this.initial) return 'initial';
    const fragments = this.operations.map((o) => o.migrationNameFragment);
    if (fragments.length === 0 || fragments.some((f) => f === undefined)) return 'auto';
    const name = fragments.join('_');
    return name.length > 52 ? `${fragments[0]}_and_more` : name;
  }

  toString(): string {
    return `${this.appLabel}.${this.name}`;
  }
}

/** A migration (or an operation) cannot be unapplied. */
export class IrreversibleError extends Error {
  override name = 'IrreversibleError';
}
