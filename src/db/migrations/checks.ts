/**
 * The migration checks of `check --deploy` (tsgi's addition to Django, which only prints
 * runserver's notice): `migrations.W001` when the default database has unapplied migrations,
 * `migrations.W002` when the models have changes no migration has yet. Both are warnings: the
 * deployment that forgot `migrate` (or `makemigrations`) hears about it before its first request.
 */
import { Warning, register, type CheckMessage } from '../../core/checks/index.ts';
import { DEFAULT_DB_ALIAS } from '../connections.ts';
import { pendingChanges, unappliedMigrations } from './project.ts';

/** runserver's notice (Django's check_migrations), or undefined when every migration is applied. */
export async function unappliedMigrationsNotice(using: string = DEFAULT_DB_ALIAS): Promise<string | undefined> {
  const plan = await unappliedMigrations(using);
  if (plan.length === 0) return undefined;
  const apps = [...new Set(plan.map((m) => m.appLabel))].sort();
  return (
    `You have ${plan.length} unapplied migration(s). Your project may not work properly until you apply the migrations for app(s): ${apps.join(', ')}.\n` +
    "Run 'node manage.ts migrate' to apply them."
  );
}

export async function checkMigrations(): Promise<CheckMessage[]> {
  const messages: CheckMessage[] = [];
  try {
    const plan = await unappliedMigrations(DEFAULT_DB_ALIAS);
    if (plan.length > 0) {
      const apps = [...new Set(plan.map((m) => m.appLabel))].sort();
      messages.push(
        Warning(
          `The database has ${plan.length} unapplied migration(s) (${plan.map((m) => m.toString()).join(', ')}), for app(s): ${apps.join(', ')}.`,
          { id: 'migrations.W001', hint: "Run 'node manage.ts migrate' to apply them before serving." },
        ),
      );
    }
  } catch {
    // An unreachable or misconfigured database is the database checks' business (db.W001, db.E001).
  }
  const pending = await pendingChanges();
  if (pending.size > 0) {
    const labels = [...pending.keys()].sort();
    messages.push(
      Warning(
        `Your models in app(s): ${labels.map((l) => `'${l}'`).join(', ')} have changes that are not yet reflected in a migration.`,
        {
          id: 'migrations.W002',
          hint: "Run 'node manage.ts makemigrations', review and commit the files, then migrate.",
        },
      ),
    );
  }
  return messages;
}

let registered = false;

/** Registers the migration checks as deployment checks (once). */
export function registerMigrationChecks(): void {
  if (registered) return;
  registered = true;
  register(checkMigrations, ['database'], { deploy: true });
}
