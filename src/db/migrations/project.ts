/**
 * What the commands, the checks and the test database ask of the project's migrations: the
 * model changes no migration has yet, the migrations a database has not applied, a whole
 * `migrate` run (lock, plan, signals, the tables of apps without migrations), the migrate
 * signals.
 */
import { apps } from '../../apps/registry.ts';
import { connections, DEFAULT_DB_ALIAS } from '../connections.ts';
import { withSchemaEditor } from '../index.ts';
import { getModels } from '../models/options.ts';
import { MigrationAutodetector } from './autodetector.ts';
import {
  MigrationExecutor,
  type MigrateOptions,
  type MigrationTarget,
  type PlanStep,
  type ProgressEvent,
} from './executor.ts';
import { MigrationLoader } from './loader.ts';
import type { Migration } from './migration.ts';
import { NonInteractiveQuestioner } from './questioner.ts';
import { postMigrate, preMigrate } from '../models/signals.ts';
import { ProjectState, type StateApps } from './state.ts';

/**
 * The migrations makemigrations would write now (none when every model change has one), by
 * app; nothing is written.
 */
export async function pendingChanges(
  options: { appLabels?: readonly string[] } = {},
): Promise<Map<string, Migration[]>> {
  const loader = await MigrationLoader.load();
  const autodetector = new MigrationAutodetector(
    loader.projectState(),
    ProjectState.fromApps(),
    new NonInteractiveQuestioner(),
  );
  const changes = await autodetector.changes({
    graph: loader.graph,
    trimToApps: options.appLabels === undefined ? undefined : new Set(options.appLabels),
  });
  // Apps without migrations are not the migrations' business until they get some.
  for (const app of [...changes.keys()]) if (loader.unmigratedApps.has(app)) changes.delete(app);
  return changes;
}

/** The migrations a database has not applied, in the order migrate would apply them. */
export async function unappliedMigrations(using: string = DEFAULT_DB_ALIAS): Promise<Migration[]> {
  const executor = await MigrationExecutor.create(using);
  return executor.migrationPlan(executor.loader.graph.leafNodes()).map(([migration]) => migration);
}

/** Sends preMigrate or postMigrate for every installed app. */
export async function emitMigrateSignal(
  which: 'pre' | 'post',
  options: { verbosity: number; interactive: boolean; using: string; plan: readonly PlanStep[]; apps: StateApps },
): Promise<void> {
  const signal = which === 'pre' ? preMigrate : postMigrate;
  for (const appConfig of apps.getAppConfigs()) {
    await signal.sendAsync(appConfig, { appConfig, ...options });
  }
}

/** Options of {@link migrate}. */
export interface MigrateRunOptions extends MigrateOptions {
  using?: string;
  /** Create the tables of apps without migrations (Django's --run-syncdb). */
  runSyncdb?: boolean;
  verbosity?: number;
  interactive?: boolean;
  /** Called with the executor's progress and what syncdb creates. */
  progress?: (event: ProgressEvent | { action: 'syncdb'; table: string }) => void;
  /** Told the plan before it runs (under the lock). */
  onPlan?: (plan: PlanStep[], executor: MigrationExecutor) => void | Promise<void>;
}

/**
 * A whole `migrate`: under the database's migration lock, loads what is applied, plans, sends
 * preMigrate, creates the tables of apps without migrations (with `runSyncdb`), migrates,
 * sends postMigrate. Returns the plan it ran.
 */
export async function migrate(
  targets: readonly MigrationTarget[] | undefined,
  options: MigrateRunOptions = {},
): Promise<PlanStep[]> {
  const using = options.using ?? DEFAULT_DB_ALIAS;
  return MigrationExecutor.withLock(using, async () => {
    const executor = await MigrationExecutor.create(using, options.progress);
    executor.loader.checkConsistentHistory();
    const goals = targets ?? executor.loader.graph.leafNodes();
    const plan = executor.migrationPlan(goals);
    await options.onPlan?.(plan, executor);
    const signalOptions = { verbosity: options.verbosity ?? 1, interactive: options.interactive ?? false, using, plan };
    const before = executor.createProjectState(true);
    await emitMigrateSignal('pre', { ...signalOptions, apps: before.apps });
    if (options.runSyncdb) await syncdb(using, executor.loader.unmigratedApps, options.progress);
    const after = await executor.migrate(goals, plan, options);
    await emitMigrateSignal('post', { ...signalOptions, apps: after.apps });
    return plan;
  });
}

/** Creates the missing tables of the apps without migrations (Django's syncdb). */
export async function syncdb(
  using: string,
  appLabels: ReadonlySet<string>,
  progress?: (event: { action: 'syncdb'; table: string }) => void,
): Promise<void> {
  const wrapper = connections.get(using);
  const existing = new Set(await wrapper.introspection.tableNames());
  const models = getModels().filter(
    (m) =>
      appLabels.has(m.appLabel) &&
      m.managed &&
      m.swapped === null &&
      !m.autoCreated &&
      !m.detached &&
      !existing.has(m.dbTable),
  );
  if (models.length === 0) return;
  await withSchemaEditor(
    async (editor) => {
      for (const meta of models) {
        progress?.({ action: 'syncdb', table: meta.dbTable });
        await editor.createModel(meta);
      }
    },
    { using },
  );
}
