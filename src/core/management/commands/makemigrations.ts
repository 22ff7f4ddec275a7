/**
 * `manage.ts makemigrations`: writes the migrations the model changes need (Django's
 * `makemigrations`), one file per app, as TypeScript modules in the app's `migrations/` folder.
 * On a terminal it asks before taking a removed and an added field (or model) for a rename, and
 * for a one-off default; `--noinput` (or no terminal) takes the safe answers.
 */
import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { CommandError, defineCommand } from '../base.ts';

function stamp(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

const command = defineCommand({
  help: 'Creates new migration(s) for apps.',
  positionals: [{ name: 'app_label', help: 'Specify the app label(s) to create migrations for.', variadic: true }],
  options: {
    'dry-run': {
      type: 'boolean',
      default: false,
      help: "Just show what migrations would be made; don't actually write them.",
    },
    empty: { type: 'boolean', default: false, help: 'Create an empty migration.' },
    noinput: { type: 'boolean', default: false, help: 'Tells tsgi to NOT prompt the user for input of any kind.' },
    'no-input': { type: 'boolean', default: false, help: 'Same as --noinput.' },
    name: { type: 'string', short: 'n', help: 'Use this name for migration file(s).' },
    check: {
      type: 'boolean',
      default: false,
      help: 'Exit with a non-zero status if model changes are missing migrations (and write nothing).',
    },
  },
  async handle(options, io) {
    const { connections } = await import('../../../db/connections.ts');
    // The system checks may have opened a connection (PostgreSQL's pool keeps the process alive): close it.
    try {
      const m = await import('../../../db/migrations/index.ts');
      const { apps } = await import('../../../apps/index.ts');
      const { migrationsFolder } = await import('../../../db/migrations/loader.ts');
      const labels = (options.args['app_label'] as string[] | undefined) ?? [];
      for (const label of labels) {
        try {
          apps.getAppConfig(label);
        } catch (error) {
          throw new CommandError((error as Error).message);
        }
      }
      if (options.name !== undefined && !/^[A-Za-z_]\w*$/.test(options.name)) {
        throw new CommandError(
          `The migration name '${options.name}' must be a valid identifier (letters, digits and _).`,
        );
      }
      const interactive = !(options.noinput || options.noInput) && Boolean(process.stdin.isTTY);
      const dryRun = options.dryRun || options.check;
      const loader = await m.MigrationLoader.load();
      const conflicts = loader.detectConflicts();
      const relevant = [...conflicts].filter(([app]) => labels.length === 0 || labels.includes(app));
      if (relevant.length > 0) {
        const list = relevant.map(([app, names]) => `${names.join(', ')} in ${app}`).join('; ');
        throw new CommandError(
          `Conflicting migrations detected; multiple leaf nodes in the migration graph: (${list}). ` +
            'Make a migration that depends on each of them (dependencies: [[app, name], ...], no operations) to merge them.',
        );
      }
      // Apps whose migrations folder is there but empty (a new app) get an initial migration.
      const emptyFolders = apps
        .getAppConfigs()
        .filter((c) => {
          const folder = migrationsFolder(c.path);
          return (
            existsSync(folder) &&
            !readdirSync(folder).some(
              (f) => /^[^_.~].*\.(m?ts|m?js)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('index.'),
            )
          );
        })
        .map((c) => c.label);
      const questionerOptions = { specifiedApps: labels, emptyMigrationFolders: emptyFolders };
      const questioner = interactive
        ? new m.InteractiveQuestioner(io.prompt, (text) => io.stdout.write(text), questionerOptions)
        : new m.NonInteractiveQuestioner(questionerOptions);

      let changes: Map<string, InstanceType<typeof m.Migration>[]>;
      if (options.empty) {
        if (labels.length === 0) throw new CommandError('You must supply at least one app label when using --empty.');
        changes = new Map();
        for (const label of labels) {
          const leaf = loader.graph.leafNodes(label)[0];
          const number = leaf === undefined ? 1 : Number(/^\d+/.exec(leaf[1])?.[0] ?? 0) + 1;
          const migration = new m.Migration({
            dependencies: leaf === undefined ? [] : [leaf],
            initial: leaf === undefined ? true : undefined,
          });
          migration.appLabel = label;
          migration.name = `${String(number).padStart(4, '0')}_${options.name ?? (leaf === undefined ? 'initial' : 'auto')}`;
          if (options.name === undefined && leaf !== undefined)
            migration.name += `_${stamp()
              .replace(/[-: ]/g, '')
              .replace(/^(\d{8})(\d{4})$/, '$1_$2')}`;
          changes.set(label, [migration]);
        }
      } else {
        const autodetector = new m.MigrationAutodetector(loader.projectState(), m.ProjectState.fromApps(), questioner);
        try {
          changes = await autodetector.changes({
            graph: loader.graph,
            trimToApps: labels.length > 0 ? new Set(labels) : undefined,
            convertApps: labels.length > 0 ? new Set(labels) : undefined,
            migrationName: options.name,
          });
        } catch (error) {
          if (error instanceof m.QuestionerError) {
            io.stderr.write(`${error.message}\n`);
            return error.exitCode;
          }
          throw error;
        }
      }
      if (changes.size === 0) {
        if (options.verbosity >= 1) {
          if (labels.length === 1) io.stdout.write(`No changes detected in app '${labels[0]}'\n`);
          else if (labels.length > 1) io.stdout.write(`No changes detected in apps '${labels.join("', '")}'\n`);
          else io.stdout.write('No changes detected\n');
        }
        return 0;
      }
      for (const [app, migrations] of [...changes].sort(([a], [b]) => a.localeCompare(b))) {
        const config = apps.getAppConfig(app);
        const folder = migrationsFolder(config.path);
        if (options.verbosity >= 1) io.stdout.write(`${io.style.HTTP_INFO(`Migrations for '${app}':`)}\n`);
        for (const migration of migrations) {
          const file = path.join(folder, `${migration.name}.ts`);
          let source: string;
          try {
            source = m.writeMigration(migration, { folder, header: `Generated by tsgi on ${stamp()}` });
          } catch (error) {
            if (error instanceof m.SerializationError) throw new CommandError(error.message);
            throw error;
          }
          if (options.verbosity >= 1) {
            io.stdout.write(`  ${io.style.SQL_FIELD(path.relative(process.cwd(), file) || file)}\n`);
            for (const operation of migration.operations) io.stdout.write(`    - ${operation.describe()}\n`);
          }
          if (!dryRun) {
            mkdirSync(folder, { recursive: true });
            writeFileSync(file, source);
          } else if (options.verbosity >= 3) {
            io.stdout.write(`${source}\n`);
          }
        }
      }
      return options.check ? 1 : 0;
    } finally {
      await connections.closeAll();
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
