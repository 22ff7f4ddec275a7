/**
 * `manage.ts migrate [app_label] [migration_name]`: brings the database to the migrations'
 * state (Django's `migrate`), forwards or backwards to a target (`zero` unapplies all of an
 * app), with `--plan` (say what would run), `--fake`, `--fake-initial`, `--run-syncdb` and
 * `--check` (exit 1 when migrations are unapplied). Each migration runs in its own transaction
 * with its record; on PostgreSQL under an advisory lock, so two runs at once take turns.
 */
import { CommandError, defineCommand, type CommandIO } from '../base.ts';
import type { Migration, MigrationTarget, Operation, PlanStep, ProgressEvent } from '../../../db/migrations/index.ts';

/** Django's Truncator(text).chars(40): at most 40 characters, the last an ellipsis. */
function truncate(text: string, length = 40): string {
  return [...text].length <= length ? text : `${[...text].slice(0, length - 1).join('')}…`;
}

/** One line of `--plan` (Django's describe_operation) and whether it is an error. */
export function describeOperation(operation: Operation, backwards: boolean): [string, boolean] {
  let prefix = '';
  let action: string | null;
  const op = operation as Operation & { code?: unknown; reverseCode?: unknown; sql?: unknown; reverseSql?: unknown };
  if (operation.kind === 'RunCode') {
    const code = backwards ? op.reverseCode : op.code;
    action = code === undefined ? null : '';
  } else if (operation.kind === 'RunSQL') {
    const sql = backwards ? op.reverseSql : op.sql;
    action = sql === undefined ? null : Array.isArray(sql) ? sql.map(String).join('') : String(sql);
  } else {
    action = '';
    if (backwards) prefix = 'Undo ';
  }
  let isError = false;
  if (action !== null) action = action.replaceAll('\n', '');
  else if (backwards) {
    action = 'IRREVERSIBLE';
    isError = true;
  }
  const tail = action ? ` -> ${action}` : '';
  return [prefix + operation.describe() + truncate(tail), isError];
}

function writePlan(io: CommandIO, plan: readonly PlanStep[]): void {
  io.stdout.write(`${io.style.HTTP_INFO('Planned operations:')}\n`);
  if (plan.length === 0) io.stdout.write('  No planned migration operations.\n');
  for (const [migration, backwards] of plan) {
    io.stdout.write(`${io.style.HTTP_INFO(migration.toString())}\n`);
    for (const operation of migration.operations) {
      const [message, isError] = describeOperation(operation, backwards);
      io.stdout.write(`${isError ? io.style.WARNING(`    ${message}`) : `    ${message}`}\n`);
    }
  }
}

const command = defineCommand({
  help: 'Updates database schema. Manages both apps with migrations and those without.',
  positionals: [
    { name: 'app_label', help: 'App label of an application to synchronize the state.', optional: true },
    {
      name: 'migration_name',
      help: 'Database state will be brought to the state after that migration. Use the name "zero" to unapply all migrations.',
      optional: true,
    },
  ],
  options: {
    noinput: { type: 'boolean', default: false, help: 'Tells tsgi to NOT prompt the user for input of any kind.' },
    'no-input': { type: 'boolean', default: false, help: 'Same as --noinput.' },
    database: {
      type: 'string',
      default: 'default',
      help: 'Nominates a database to synchronize. Defaults to the "default" database.',
    },
    fake: { type: 'boolean', default: false, help: 'Mark migrations as run without actually running them.' },
    'fake-initial': {
      type: 'boolean',
      default: false,
      help: 'Detect if tables already exist and fake-apply initial migrations if so. Make sure that the current database schema matches your initial migration before using this flag.',
    },
    plan: { type: 'boolean', default: false, help: 'Shows a list of the migration actions that will be performed.' },
    'run-syncdb': { type: 'boolean', default: false, help: 'Creates tables for apps without migrations.' },
    check: { type: 'boolean', default: false, help: 'Exits with a non-zero status if unapplied migrations exist.' },
  },
  async handle(options, io) {
    const { connections } = await import('../../../db/connections.ts');
    // The database connections would keep the process alive (PostgreSQL's pool): close them.
    try {
      const m = await import('../../../db/migrations/index.ts');
      const project = await import('../../../db/migrations/project.ts');
      const { apps } = await import('../../../apps/index.ts');
      const using = options.database;
      if (!connections.aliases.includes(using)) {
        throw new CommandError(`The database '${using}' is not in DATABASES (${connections.aliases.join(', ')}).`);
      }
      const appLabel = options.args['app_label'] as string | undefined;
      const migrationName = options.args['migration_name'] as string | undefined;
      const verbosity = options.verbosity;
      const executor = await m.MigrationExecutor.create(using);
      const loader = executor.loader;
      try {
        loader.checkConsistentHistory();
      } catch (error) {
        if (error instanceof m.InconsistentMigrationHistory) throw new CommandError(error.message);
        throw error;
      }
      const conflicts = loader.detectConflicts();
      if (conflicts.size > 0) {
        const list = [...conflicts].map(([app, names]) => `${names.join(', ')} in ${app}`).join('; ');
        throw new CommandError(
          `Conflicting migrations detected; multiple leaf nodes in the migration graph: (${list}). ` +
            'Make a migration that depends on each of them (dependencies: [[app, name], ...], no operations) to merge them.',
        );
      }
      if (appLabel !== undefined) {
        try {
          apps.getAppConfig(appLabel);
        } catch (error) {
          throw new CommandError((error as Error).message);
        }
        if (!options.runSyncdb && !loader.migratedApps.has(appLabel)) {
          throw new CommandError(`App '${appLabel}' does not have migrations.`);
        }
        if (options.runSyncdb && loader.migratedApps.has(appLabel)) {
          throw new CommandError(`Can't use run_syncdb with app '${appLabel}' as it has migrations.`);
        }
      }
      let targets: MigrationTarget[];
      let runSyncdb = options.runSyncdb;
      if (appLabel !== undefined && migrationName !== undefined) {
        if (migrationName === 'zero') targets = [[appLabel, null]];
        else {
          let migration: Migration;
          try {
            migration = loader.getMigrationByPrefix(appLabel, migrationName);
          } catch (error) {
            if (error instanceof m.AmbiguityError) {
              throw new CommandError(
                `More than one migration matches '${migrationName}' in app '${appLabel}'. Please be more specific.`,
              );
            }
            if (error instanceof m.KeyNotFoundError) {
              throw new CommandError(`Cannot find a migration matching '${migrationName}' from app '${appLabel}'.`);
            }
            throw error;
          }
          targets = [[appLabel, migration.name]];
        }
      } else if (appLabel !== undefined) {
        targets = loader.graph.leafNodes(appLabel).map(([a, n]) => [a, n] as const);
      } else {
        targets = loader.graph.leafNodes().map(([a, n]) => [a, n] as const);
      }
      if (appLabel !== undefined && options.runSyncdb) targets = [];
      const plan = executor.migrationPlan(targets);
      if (options.plan) {
        writePlan(io, plan);
        return 0;
      }
      if (options.check) return plan.length > 0 ? 1 : 0;
      if (appLabel !== undefined && !loader.migratedApps.has(appLabel)) runSyncdb = true;
      const unmigrated = [...loader.unmigratedApps].sort();
      if (verbosity >= 1) {
        io.stdout.write(`${io.style.HTTP_INFO('Operations to perform:')}\n`);
        if (runSyncdb) {
          const which = appLabel !== undefined ? [appLabel] : unmigrated;
          io.stdout.write(`${io.style.HTTP_INFO('  Synchronize unmigrated apps: ')}${which.join(', ')}\n`);
        }
        if (appLabel === undefined) {
          const all = [...new Set(targets.map(([a]) => a))].sort();
          io.stdout.write(
            `${io.style.HTTP_INFO('  Apply all migrations: ')}${all.length > 0 ? all.join(', ') : '(none)'}\n`,
          );
        } else if (!options.runSyncdb) {
          const [, name] = targets[0] ?? [appLabel, null];
          if (name === null || name === undefined) {
            io.stdout.write(`${io.style.HTTP_INFO('  Unapply all migrations: ')}${appLabel}\n`);
          } else if (migrationName === undefined) {
            io.stdout.write(`${io.style.HTTP_INFO('  Apply all migrations: ')}${appLabel}\n`);
          } else {
            io.stdout.write(`${io.style.HTTP_INFO('  Target specific migration: ')}${name}, from ${appLabel}\n`);
          }
        }
      }
      const progress = (event: ProgressEvent | { action: 'syncdb'; table: string }) => {
        if (verbosity < 1) return;
        switch (event.action) {
          case 'apply_start':
            io.stdout.write(`  Applying ${event.migration.toString()}...`);
            break;
          case 'unapply_start':
            io.stdout.write(`  Unapplying ${event.migration.toString()}...`);
            break;
          case 'apply_success':
          case 'unapply_success':
            io.stdout.write(`${io.style.SUCCESS(event.fake ? ' FAKED' : ' OK')}\n`);
            break;
          case 'render_start':
            if (verbosity >= 2) io.stdout.write('  Rendering model states...');
            break;
          case 'render_success':
            if (verbosity >= 2) io.stdout.write(`${io.style.SUCCESS(' DONE')}\n`);
            break;
          case 'syncdb':
            if (verbosity >= 1) io.stdout.write(`    Creating table ${event.table}\n`);
            break;
        }
      };
      let headerWritten = false;
      const syncLabels = new Set(appLabel !== undefined ? [appLabel] : unmigrated);
      try {
        await project.migrate(targets, {
          using,
          fake: options.fake,
          fakeInitial: options.fakeInitial,
          runSyncdb: false,
          verbosity,
          interactive: !(options.noinput || options.noInput),
          progress: (event) => {
            if (!headerWritten && event.action !== 'syncdb' && verbosity >= 1) {
              io.stdout.write(`${io.style.HTTP_INFO('Running migrations:')}\n`);
              headerWritten = true;
            }
            progress(event);
          },
          onPlan: async (current) => {
            if (runSyncdb) {
              if (verbosity >= 1)
                io.stdout.write(
                  `${io.style.HTTP_INFO('Synchronizing apps without migrations:')}\n  Creating tables...\n`,
                );
              await project.syncdb(using, syncLabels, progress);
            }
            if (current.length === 0 && verbosity >= 1) {
              io.stdout.write(`${io.style.HTTP_INFO('Running migrations:')}\n`);
              headerWritten = true;
              io.stdout.write('  No migrations to apply.\n');
            }
          },
        });
      } catch (error) {
        if (headerWritten) io.stdout.write('\n');
        if (error instanceof m.InvalidMigrationPlan || error instanceof m.IrreversibleError)
          throw new CommandError(error.message);
        throw error;
      }
      if (verbosity >= 1 && plan.length === 0) {
        // Nothing to apply: say when the models have changes no migration has yet (Django's notice).
        const pending = await project.pendingChanges({ appLabels: appLabel !== undefined ? [appLabel] : undefined });
        if (pending.size > 0) {
          const labels = [...pending.keys()].sort();
          io.stdout.write(
            io.style.NOTICE(
              `  Your models in app(s): ${labels.map((l) => `'${l}'`).join(', ')} have changes that are not yet reflected in a migration, and so won't be applied.\n`,
            ),
          );
          io.stdout.write(
            io.style.NOTICE(
              "  Run 'manage.ts makemigrations' to make new migrations, and then re-run 'manage.ts migrate' to apply them.\n",
            ),
          );
        }
      }
      return 0;
    } finally {
      await connections.closeAll();
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
