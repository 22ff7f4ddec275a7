/**
 * The executor, as Django's `MigrationExecutor`: plans which migrations to apply or unapply to
 * reach a target, and runs them, each in its own transaction with its record in
 * `django_migrations` (unless the migration says `atomic: false`). On PostgreSQL a failed
 * migration leaves nothing behind (DDL is transactional there), and `migrate` holds an advisory
 * lock while it plans and runs, so two `migrate` at once run one after the other instead of
 * interleaving (the second finds the work done).
 */
import { connections, DEFAULT_DB_ALIAS } from '../connections.ts';
import { withSchemaEditor } from '../index.ts';
import type { BaseDatabaseWrapper } from '../backends/base/wrapper.ts';
import { runStatement } from '../transaction.ts';
import { MigrationLoader } from './loader.ts';
import { keyName, type Migration, type MigrationKey } from './migration.ts';
import { CreateModel } from './operations/models.ts';
import { AddField } from './operations/fields.ts';
import { MigrationRecorder } from './recorder.ts';
import type { ProjectState } from './state.ts';
import { isManyToMany } from '../backends/base/schema.ts';

/** A step of a plan: a migration, and whether it is unapplied. */
export type PlanStep = [migration: Migration, backwards: boolean];

/** A target: a migration, or `[app, null]` for "unapply all of this app". */
export type MigrationTarget = readonly [appLabel: string, name: string | null];

/** What the executor reports while it works (migrate prints it). */
export type ProgressEvent =
  | {
      action: 'apply_start' | 'apply_success' | 'unapply_start' | 'unapply_success';
      migration: Migration;
      fake: boolean;
    }
  | { action: 'render_start' | 'render_success' };

/** A plan both applies and unapplies. */
export class InvalidMigrationPlan extends Error {
  override name = 'InvalidMigrationPlan';
}

/** Options of {@link MigrationExecutor.migrate}. */
export interface MigrateOptions {
  /** Record the migrations as applied (or unapplied) without running them. */
  fake?: boolean;
  /** Fake the initial migrations whose tables already exist. */
  fakeInitial?: boolean;
}

/** The key PostgreSQL's advisory lock of `migrate` is taken on (one per database). */
const LOCK = "hashtext('tsgi.migrate')";

export class MigrationExecutor {
  readonly wrapper: BaseDatabaseWrapper;
  loader: MigrationLoader;
  readonly recorder: MigrationRecorder;
  readonly progress: ((event: ProgressEvent) => void) | undefined;

  private constructor(
    wrapper: BaseDatabaseWrapper,
    loader: MigrationLoader,
    progress?: (event: ProgressEvent) => void,
  ) {
    this.wrapper = wrapper;
    this.loader = loader;
    this.recorder = new MigrationRecorder(wrapper);
    this.progress = progress;
  }

  /** An executor for a database, with the migrations loaded and what it applied read. */
  static async create(
    using: string = DEFAULT_DB_ALIAS,
    progress?: (event: ProgressEvent) => void,
  ): Promise<MigrationExecutor> {
    const wrapper = connections.get(using);
    return new MigrationExecutor(wrapper, await MigrationLoader.load({ wrapper }), progress);
  }

  /**
   * Runs `fn` holding the database's migration lock (PostgreSQL's advisory lock; nothing to take
   * on SQLite, whose writers already take turns). Plan inside it: what is applied may change
   * while waiting.
   */
  static async withLock<R>(using: string, fn: () => Promise<R>): Promise<R> {
    const wrapper = connections.get(using);
    if (wrapper.vendor !== 'postgresql') return fn();
    await runStatement(wrapper, `SELECT pg_advisory_lock(${LOCK})`, [], {});
    try {
      return await fn();
    } finally {
      await runStatement(wrapper, `SELECT pg_advisory_unlock(${LOCK})`, [], {});
    }
  }

  /** Reads the files and the applied migrations again. */
  async reload(): Promise<void> {
    this.loader = await MigrationLoader.load({ wrapper: this.wrapper });
  }

  /** The steps reaching the targets, as Django's `migration_plan`. */
  migrationPlan(targets: readonly MigrationTarget[], cleanStart = false): PlanStep[] {
    const plan: PlanStep[] = [];
    const graph = this.loader.graph;
    const applied = new Set(cleanStart ? [] : this.loader.appliedMigrations.keys());
    const unapply = (key: MigrationKey) => {
      for (const step of graph.backwardsPlan(key)) {
        if (!applied.has(keyName(step))) continue;
        plan.push([graph.get(step), true]);
        applied.delete(keyName(step));
      }
    };
    for (const [app, name] of targets) {
      if (name === null) {
        for (const root of graph.rootNodes(app)) unapply(root);
      } else if (applied.has(keyName([app, name]))) {
        // Back to the target: undo what follows it in its app (and what needs that), no further.
        for (const child of graph.children([app, name]).filter(([a]) => a === app)) unapply(child);
      } else {
        for (const step of graph.forwardsPlan([app, name])) {
          if (applied.has(keyName(step))) continue;
          plan.push([graph.get(step), false]);
          applied.add(keyName(step));
        }
      }
    }
    return plan;
  }

  /** The state with the applied migrations (or none of them). */
  createProjectState(withApplied = false): ProjectState {
    const state = this.loader.projectState([], true);
    if (!withApplied) return state;
    for (const [migration] of this.migrationPlan(this.loader.graph.leafNodes(), true)) {
      if (this.loader.appliedMigrations.has(keyName(migration.key))) migration.mutateState(state, false);
    }
    return state;
  }

  /** Applies or unapplies to reach the targets; returns the state after. */
  async migrate(
    targets: readonly MigrationTarget[],
    plan?: PlanStep[],
    options: MigrateOptions = {},
  ): Promise<ProjectState> {
    await this.recorder.ensureSchema();
    const steps = plan ?? this.migrationPlan(targets);
    const fullPlan = this.migrationPlan(this.loader.graph.leafNodes(), true);
    const forwards = steps.every(([, backwards]) => !backwards);
    const backwards = steps.every(([, b]) => b);
    let state: ProjectState;
    if (steps.length === 0) state = this.createProjectState(true);
    else if (forwards === backwards) {
      throw new InvalidMigrationPlan(
        'Migration plans with both forwards and backwards migrations are not supported: migrate to the target in two steps (first back, then forwards).',
      );
    } else if (forwards) state = await this.#migrateForwards(steps, fullPlan, options);
    else state = await this.#migrateBackwards(steps, fullPlan, options);
    await this.checkReplacements();
    return state;
  }

  async #migrateForwards(plan: PlanStep[], fullPlan: PlanStep[], options: MigrateOptions): Promise<ProjectState> {
    let state = this.createProjectState(true);
    const toRun = new Set(plan.map(([m]) => m));
    for (const [migration] of fullPlan) {
      if (toRun.size === 0) break;
      if (!toRun.has(migration)) continue;
      state = await this.applyMigration(state, migration, options);
      toRun.delete(migration);
    }
    return state;
  }

  async #migrateBackwards(plan: PlanStep[], fullPlan: PlanStep[], options: MigrateOptions): Promise<ProjectState> {
    const toRun = new Set(plan.map(([m]) => m));
    const states = new Map<Migration, ProjectState>();
    let state = this.createProjectState();
    const applied = new Set(
      [...this.loader.appliedMigrations.keys()]
        .filter((k) => this.loader.graph.has(splitKey(k)))
        .map((k) => this.loader.graph.get(splitKey(k))),
    );
    this.progress?.({ action: 'render_start' });
    for (const [migration] of fullPlan) {
      if (toRun.size === 0) break;
      if (toRun.has(migration)) {
        states.set(migration, state);
        state = migration.mutateState(state, true);
        toRun.delete(migration);
      } else if (applied.has(migration)) {
        migration.mutateState(state, false);
      }
    }
    this.progress?.({ action: 'render_success' });
    for (const [migration] of plan) {
      await this.unapplyMigration(states.get(migration)!, migration, options);
      applied.delete(migration);
    }
    const last = plan[plan.length - 1]![0];
    state = states.get(last)!;
    const index = fullPlan.findIndex(([m]) => m === last);
    for (const [migration] of fullPlan.slice(index)) if (applied.has(migration)) migration.mutateState(state, false);
    return state;
  }

  async #record(migration: Migration): Promise<void> {
    if (migration.replaces.length > 0) {
      for (const [app, name] of migration.replaces) await this.recorder.recordApplied(app, name);
    } else {
      await this.recorder.recordApplied(migration.appLabel, migration.name);
    }
  }

  /** Applies one migration (its record in the same transaction); returns the state after it. */
  async applyMigration(state: ProjectState, migration: Migration, options: MigrateOptions = {}): Promise<ProjectState> {
    let fake = options.fake === true;
    this.progress?.({ action: 'apply_start', migration, fake });
    if (!fake && options.fakeInitial) {
      const [applied, after] = await this.detectSoftApplied(state, migration);
      if (applied) {
        fake = true;
        state = after;
      }
    }
    if (fake) {
      if (options.fake) state = migration.mutateState(state, true);
      await this.#record(migration);
    } else {
      state = await withSchemaEditor(
        async (editor) => {
          const after = await migration.apply(state, editor);
          await editor.flush();
          await this.#record(migration);
          return after;
        },
        { using: this.wrapper.alias, atomic: migration.atomic },
      );
    }
    this.progress?.({ action: 'apply_success', migration, fake });
    return state;
  }

  /** Unapplies one migration; `state` is the state before it. */
  async unapplyMigration(
    state: ProjectState,
    migration: Migration,
    options: MigrateOptions = {},
  ): Promise<ProjectState> {
    const fake = options.fake === true;
    this.progress?.({ action: 'unapply_start', migration, fake });
    const unrecord = async () => {
      for (const [app, name] of migration.replaces) await this.recorder.recordUnapplied(app, name);
      await this.recorder.recordUnapplied(migration.appLabel, migration.name);
    };
    if (fake) await unrecord();
    else {
      await withSchemaEditor(
        async (editor) => {
          await migration.unapply(state, editor);
          await editor.flush();
          await unrecord();
        },
        { using: this.wrapper.alias, atomic: migration.atomic },
      );
    }
    this.progress?.({ action: 'unapply_success', migration, fake });
    return state;
  }

  /** Marks squashed migrations applied once everything they replace is (Django's check_replacements). */
  async checkReplacements(): Promise<void> {
    const applied = await this.recorder.appliedMigrations();
    for (const migration of this.loader.diskMigrations.values()) {
      if (migration.replaces.length === 0) continue;
      const all = migration.replaces.every((k) => applied.has(keyName(k)));
      if (all && !applied.has(keyName(migration.key)))
        await this.recorder.recordApplied(migration.appLabel, migration.name);
    }
  }

  /**
   * Whether an initial migration's tables and columns are all in the database already (so
   * `--fake-initial` records it without running it), and the state after it.
   */
  async detectSoftApplied(state: ProjectState, migration: Migration): Promise<[boolean, ProjectState]> {
    if (migration.initial === false) return [false, state];
    if (
      migration.initial === undefined &&
      migration.resolvedDependencies().some(([app]) => app === migration.appLabel)
    ) {
      return [false, state];
    }
    const after = migration.mutateState(state, true);
    const tables = new Set(await this.wrapper.introspection.tableNames());
    let found = false;
    for (const operation of migration.operations) {
      if (operation instanceof CreateModel) {
        const meta = after.apps.getMeta(migration.appLabel, operation.name);
        if (!meta.managed || meta.swapped !== null) continue;
        if (!tables.has(meta.dbTable)) return [false, state];
        found = true;
      } else if (operation instanceof AddField) {
        const meta = after.apps.getMeta(migration.appLabel, operation.modelName);
        if (!meta.managed || meta.swapped !== null) continue;
        const field = meta.getField(operation.name);
        if (isManyToMany(field)) {
          if (!tables.has(field.through().dbTable)) return [false, state];
          found = true;
          continue;
        }
        const columns = await this.wrapper.introspection.getTableDescription(meta.dbTable);
        if (!columns.some((c) => c.name === field.column)) return [false, state];
        found = true;
      }
    }
    return [found, after];
  }
}

function splitKey(name: string): MigrationKey {
  const dot = name.indexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}
