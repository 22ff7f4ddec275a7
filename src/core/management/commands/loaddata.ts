/**
 * `manage.ts loaddata fixture ...`: loads Django JSON fixtures (Django's `loaddata`): a path, or
 * a name found in the installed apps' `fixtures/` folders and FIXTURE_DIRS (`.json` may be left
 * out). Everything loads in one transaction: a bad object leaves the database as it was.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
      const { apps } = await import('../../../apps/index.ts');
      const { settings } = await import('../../../conf/index.ts');
      const { loadObjects, DeserializationError } = await import('../../serializers/index.ts');
      const using = options.database;
      if (!connections.aliases.includes(using)) {
        throw new CommandError(`The database '${using}' is not in DATABASES (${connections.aliases.join(', ')}).`);
      }
      const labels = (options.args['fixture'] as string[] | undefined) ?? [];
      if (labels.length === 0)
        throw new CommandError(
          'No database fixture specified. Please provide the path of at least one fixture in the command line.',
        );
      const configs = apps.getAppConfigs().filter((c) => options.app === undefined || c.label === options.app);
      const dirs = [
        ...configs.map((c) => path.join(c.path, 'fixtures')),
        ...(((settings as unknown as { FIXTURE_DIRS?: string[] }).FIXTURE_DIRS ?? []) as string[]),
      ];
      const files: string[] = [];
      for (const label of labels) {
        const names = label.endsWith('.json') ? [label] : [label, `${label}.json`];
        const found =
          path.isAbsolute(label) || label.includes(path.sep)
            ? names
                .map((n) => path.resolve(n))
                .filter((f) => existsSync(f))
                .slice(0, 1)
            : dirs.flatMap((d) => names.map((n) => path.join(d, n))).filter((f) => existsSync(f));
        if (found.length === 0) throw new CommandError(`No fixture named '${path.basename(label, '.json')}' found.`);
        files.push(...found);
      }
      // One load for all the files: one transaction, the foreign keys checked once at the end.
      const objects: unknown[] = [];
      let count = 0;
      try {
        for (const file of files) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
          } catch (error) {
            throw new DeserializationError(`Problem installing fixture '${file}': ${(error as Error).message}`);
          }
          if (!Array.isArray(parsed)) {
            throw new DeserializationError(
              `Problem installing fixture '${file}': it is not a JSON list of objects ([{ "model": "app.model", "pk": 1, "fields": { ... } }, ...]).`,
            );
          }
          objects.push(...(parsed as unknown[]));
        }
        const source =
          files.length === 1 ? `fixture '${files[0]}'` : `the fixtures ${files.map((f) => `'${f}'`).join(', ')}`;
        count = (await loadObjects(objects, { using, source })).count;
      } catch (error) {
        if (error instanceof DeserializationError) throw new CommandError(error.message);
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
