/**
 * `manage.ts createsessiontable`: makes the table of the `db` and `cached_db` session engines
 * (`django_session`) on `--database` unless it exists. Kept for the scripts that ran it before
 * the sessions app had a migration: it now runs that migration (`migrate sessions`), and takes a
 * table it made in those days as migrated (`--fake-initial`), so a later `migrate` never trips
 * on it.
 */
import { defineCommand } from '../../../../core/management/base.ts';

const command = defineCommand({
  help: "Makes the table of the database session engines (db, cached_db) unless it exists: the sessions app's migration.",
  requiresSystemChecks: false,
  options: {
    database: {
      type: 'string',
      default: 'default',
      help: 'Nominates a database onto which the table will be installed. Defaults to the "default" database.',
    },
  },
  async handle({ database, verbosity }, io) {
    const { Session } = await import('../../models.ts');
    const { connections } = await import('../../../../db/index.ts');
    const { migrate } = await import('../../../../db/migrations/project.ts');
    try {
      const table = Session._meta.dbTable;
      const existed = (await connections.get(database).introspection.tableNames()).includes(table);
      await migrate([['sessions', '0001_initial']], { using: database, fakeInitial: true, verbosity: 0 });
      if (verbosity > 0) io.stdout.write(`Session table '${table}' ${existed ? 'already exists' : 'created'}.\n`);
    } finally {
      await connections.closeAll();
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
