/**
 * `manage.ts createcachetable`: creates the tables of the database caches, as Django's
 * `createcachetable`: the tables named on the command line, else the LOCATION of every
 * `tsgi.core.cache.backends.db.DatabaseCache` in CACHES, on `--database` (default). A table that
 * exists is left alone; `--dry-run` prints the SQL instead of running it.
 */
import { CommandError, defineCommand } from '../base.ts';

const command = defineCommand({
  help: 'Creates the tables needed to use the SQL cache backend.',
  requiresSystemChecks: false,
  positionals: [
    {
      name: 'table_name',
      help: 'Optional table names. Otherwise, settings.CACHES is used to find cache tables.',
      variadic: true,
      optional: true,
    },
  ],
  options: {
    database: {
      type: 'string',
      default: 'default',
      help: 'Nominates a database onto which the cache tables will be installed. Defaults to the "default" database.',
    },
    'dry-run': { type: 'boolean', help: 'Does not create the table, just prints the SQL that would be run.' },
  },
  async handle({ database, dryRun, verbosity, args }, io) {
    const { settings } = await import('../../../conf/index.ts');
    const { caches } = await import('../../cache/index.ts');
    const { DatabaseCache, createCacheTable } = await import('../../cache/backends/db.ts');
    const { connections, DatabaseError } = await import('../../../db/index.ts');
    let tables = (args.table_name as string[] | undefined) ?? [];
    if (tables.length === 0) {
      for (const alias of Object.keys(settings.CACHES ?? {})) {
        const cache = caches.get(alias);
        if (cache instanceof DatabaseCache) tables.push(cache.table);
      }
    }
    tables = [...new Set(tables)];
    try {
      for (const table of tables) {
        let outcome: Awaited<ReturnType<typeof createCacheTable>>;
        try {
          outcome = await createCacheTable(table, { database, dryRun });
        } catch (error) {
          if (!(error instanceof DatabaseError)) throw error;
          throw new CommandError(`Cache table '${table}' could not be created.\nThe error was: ${error.message}.`, {
            cause: error,
          });
        }
        if (outcome.result === 'dry-run') io.stdout.write(outcome.statements.join('\n') + '\n');
        else if (outcome.result === 'exists' && verbosity > 0)
          io.stdout.write(`Cache table '${table}' already exists.\n`);
        else if (outcome.result === 'created' && verbosity > 1) io.stdout.write(`Cache table '${table}' created.\n`);
      }
    } finally {
      await caches.closeAll();
      await connections.closeAll();
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
