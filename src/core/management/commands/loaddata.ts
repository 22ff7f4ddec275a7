/**
 * `manage.ts loaddata fixture ...`: loads Django JSON fixtures (Django's `loaddata`): a path, or
 * a name found in the installed apps' `fixtures/` folders and FIXTURE_DIRS (`.json` may be left
 * out). Everything loads in one transaction: a bad object leaves the database as it was.
 */
import { CommandError, defineCommand } from '../base.ts';

const command = defineCommand({
  help: 'Installs the named fixture(s) in the database.',
  positionals: [{ name: 'fixture', help: 'Fixture labels.', variadic: true }],
  options: {
    database: {
      type: 'string',
      default: 'default',
      help: 'Nominates a specific database to load fixtures into. Defaults to the "default" database.',
    },
    app: { type: 'string', help: 'Only look for fixtures in the specified app.' },
  },
  async handle(options, io) {
    const { connections } = await import('../../../db/connections.ts');
    try {
      const { loadObjects, DeserializationError } = await import('../../serializers/index.ts');
      const { findFixtures, readFixtures, FixtureNotFound } = await import('../../serializers/fixtures.ts');
      const using = options.database;
      if (!connections.aliases.includes(using)) {
        throw new CommandError(`The database '${using}' is not in DATABASES (${connections.aliases.join(', ')}).`);
      }
      const labels = (options.args['fixture'] as string[] | undefined) ?? [];
      if (labels.length === 0)
        throw new CommandError(
          'No database fixture specified. Please provide the path of at least one fixture in the command line.',
        );
      // One load for all the files: one transaction, the foreign keys checked once at the end.
      let files: string[];
      let count = 0;
      try {
        files = findFixtures(labels, { app: options.app });
        const { objects, source } = readFixtures(files);
        count = (await loadObjects(objects, { using, source })).count;
      } catch (error) {
        if (error instanceof DeserializationError || error instanceof FixtureNotFound)
          throw new CommandError(error.message);
        throw error;
      }
      if (options.verbosity >= 1) io.stdout.write(`Installed ${count} object(s) from ${files.length} fixture(s)\n`);
      return 0;
    } finally {
      await connections.closeAll();
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
