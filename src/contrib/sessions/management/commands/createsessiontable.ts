/**
 * `manage.ts createsessiontable`: creates the table of the `db` and `cached_db` session engines
 * (`django_session`) on `--database` unless it exists, as createcachetable does for a database
 * cache. The sessions app's migration will make it once `migrate` exists.
 */
import { defineCommand } from '../../../../core/management/base.ts';

const command = defineCommand({
  help: 'Creates the table of the database session engines (db, cached_db) unless it exists.',
  requiresSystemChecks: false,
  options: {
    database: {
      type: 'string',
      default: 'default',
      help: 'Nominates a database onto which the table will be installed. Defaults to the "default" database.',
    },
  },
  async handle({ database, verbosity }, io) {
    const { createSessionTable, Session } = await import('../../models.ts');
    const { connections } = await import('../../../../db/index.ts');
    try {
      const result = await createSessionTable({ database });
      const table = Session._meta.dbTable;
      if (result === 'exists' && verbosity > 0) io.stdout.write(`Session table '${table}' already exists.\n`);
      else if (result === 'created' && verbosity > 0) io.stdout.write(`Session table '${table}' created.\n`);
    } finally {
      await connections.closeAll();
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
