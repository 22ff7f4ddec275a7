/**
 * `manage.ts sqlmigrate app_label migration_name`: prints the SQL a migration runs (Django's
 * `sqlmigrate`), or with `--backwards` the SQL unapplying it; nothing is run. An atomic
 * migration is shown inside BEGIN; ... COMMIT; as both backends roll DDL back.
 */
import { CommandError, defineCommand } from '../base.ts';

/** A recorded statement as a line of SQL: comments as they are, statements ending with `;`. */
function asSqlLine(statement: string): string {
  const trimmed = statement.trimEnd();
  if (trimmed.startsWith('--') || trimmed.includes('; -- params: ') || trimmed.endsWith(';')) return trimmed;
  return `${trimmed};`;
}

const command = defineCommand({
  help: 'Prints the SQL statements for the named migration.',
  positionals: [
    { name: 'app_label', help: 'App label of the application containing the migration.' },
    { name: 'migration_name', help: 'Migration name to print the SQL for.' },
  ],
  options: {
    database: {
      type: 'string',
      default: 'default',
      help: 'Nominates a database to create SQL for. Defaults to the "default" database.',
    },
    backwards: {
      type: 'boolean',
      default: false,
      help: 'Creates SQL to unapply the migration, rather than to apply it',
    },
  },
  async handle(options, io) {
    const { connections } = await import('../../../db/connections.ts');
    // The database connections would keep the process alive (PostgreSQL's pool): close them.
    try {
      const { withSchemaEditor } = await import('../../../db/index.ts');
      const m = await import('../../../db/migrations/index.ts');
      const using = options.database;
      if (!connections.aliases.includes(using)) {
        throw new CommandError(`The database '${using}' is not in DATABASES (${connections.aliases.join(', ')}).`);
      }
      const appLabel = options.args['app_label'] as string;
      const name = options.args['migration_name'] as string;
      const loader = await m.MigrationLoader.load({ wrapper: connections.get(using), replaceMigrations: false });
      if (!loader.migratedApps.has(appLabel)) throw new CommandError(`App '${appLabel}' does not have migrations`);
      let migration: InstanceType<typeof m.Migration>;
      try {
        migration = loader.getMigrationByPrefix(appLabel, name);
      } catch (error) {
        if (error instanceof m.AmbiguityError) {
          throw new CommandError(
            `More than one migration matches '${name}' in app '${appLabel}'. Please be more specific.`,
          );
        }
        if (error instanceof m.KeyNotFoundError) {
          throw new CommandError(
            `Cannot find a migration matching '${name}' from app '${appLabel}'. Is it in INSTALLED_APPS?`,
          );
        }
        throw error;
      }
      const state = loader.projectState([migration.key], false);
      const statements = await withSchemaEditor(
        async (editor) => {
          if (options.backwards) await migration.unapply(state, editor);
          else await migration.apply(state, editor);
          await editor.flush();
          return [...editor.executed];
        },
        { using, collectSql: true, atomic: false },
      );
      if (statements.length === 0) {
        if (options.verbosity >= 1) io.stderr.write('No operations found.\n');
        return 0;
      }
      const lines = statements.map(asSqlLine);
      if (migration.atomic) lines.unshift('BEGIN;');
      if (migration.atomic) lines.push('COMMIT;');
      io.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      await connections.closeAll();
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
