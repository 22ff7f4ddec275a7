/**
 * `manage.ts dumpdata [app_label[.ModelName] ...]`: writes the rows of the database as a Django
 * JSON fixture (Django's `dumpdata`), every model of the installed apps or the ones named, in
 * primary key order; `--output` writes a file, `--indent` pretty-prints, `-e` leaves out.
 */
import { writeFileSync } from 'node:fs';
import { CommandError, defineCommand } from '../base.ts';

const command = defineCommand({
  help: 'Output the contents of the database as a fixture of the given format (only json).',
  positionals: [
    {
      name: 'app_label',
      help: 'Restricts dumped data to the specified app_label or app_label.ModelName.',
      variadic: true,
    },
  ],
  options: {
    format: {
      type: 'string',
      default: 'json',
      choices: ['json'],
      help: 'Specifies the output serialization format for fixtures.',
    },
    indent: { type: 'number', help: 'Specifies the indent level to use when pretty-printing output.' },
    database: {
      type: 'string',
      default: 'default',
      help: 'Nominates a specific database to dump fixtures from. Defaults to the "default" database.',
    },
    exclude: {
      type: 'strings',
      short: 'e',
      help: 'An app_label or app_label.ModelName to exclude (use multiple --exclude to exclude multiple apps/models).',
    },
    pks: {
      type: 'string',
      help: 'Only dump objects with given primary keys. Accepts a comma-separated list of keys. This option only works when you specify one model.',
    },
    output: { type: 'string', short: 'o', help: 'Specifies file to which the output is written.' },
  },
  async handle(options, io) {
    const { connections } = await import('../../../db/connections.ts');
    try {
      const { apps } = await import('../../../apps/index.ts');
      const { getModels } = await import('../../../db/models/options.ts');
      const { serializeModel } = await import('../../serializers/index.ts');
      const using = options.database;
      if (!connections.aliases.includes(using)) {
        throw new CommandError(`The database '${using}' is not in DATABASES (${connections.aliases.join(', ')}).`);
      }
      const labels = (options.args['app_label'] as string[] | undefined) ?? [];
      const excluded = options.exclude ?? [];
      const all = getModels().filter((m) => !m.autoCreated && !m.detached && m.managed && m.swapped === null);
      const known = (label: string) => {
        const [app, model] = label.split('.');
        try {
          apps.getAppConfig(app!);
        } catch {
          throw new CommandError(`No installed app with label '${app}'.`);
        }
        if (model !== undefined && !all.some((m) => m.appLabel === app && m.modelName === model.toLowerCase())) {
          throw new CommandError(`Unknown model: ${label}`);
        }
      };
      for (const label of [...labels, ...excluded]) known(label);
      const matches = (meta: (typeof all)[number], label: string) => {
        const [app, model] = label.split('.');
        return meta.appLabel === app && (model === undefined || meta.modelName === model.toLowerCase());
      };
      const models = all.filter(
        (m) => (labels.length === 0 || labels.some((l) => matches(m, l))) && !excluded.some((l) => matches(m, l)),
      );
      let pks: string[] | undefined;
      if (options.pks !== undefined) {
        if (labels.length !== 1 || !labels[0]!.includes('.')) {
          throw new CommandError('You can only use --pks option with one model');
        }
        pks = options.pks.split(',');
      }
      const objects = [];
      for (const meta of models) objects.push(...(await serializeModel(meta, { using, pks })));
      const text =
        options.indent !== undefined ? JSON.stringify(objects, null, options.indent) : JSON.stringify(objects);
      if (options.output !== undefined) writeFileSync(options.output, `${text}\n`);
      else io.stdout.write(`${text}\n`);
      return 0;
    } finally {
      await connections.closeAll();
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
