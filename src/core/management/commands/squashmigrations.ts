/**
 * `manage.ts squashmigrations app_label [start_migration_name] migration_name`: writes one
 * migration replacing a run of an app's migrations (Django's `squashmigrations`), its operations
 * optimized, with `replaces` naming the originals: a new database applies it alone, one that
 * applied the originals records it as applied, and the originals can be deleted once every
 * database has moved past them.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CommandError, defineCommand } from '../base.ts';

function stamp(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

const command = defineCommand({
  help: 'Squashes an existing set of migrations (from first until specified) into a single new one.',
  requiresSystemChecks: false,
  positionals: [
    { name: 'app_label', help: 'App label of the application to squash migrations for.' },
    {
      name: 'start_migration_name',
      help: 'Migrations will be squashed starting from and including this migration.',
      optional: true,
    },
    { name: 'migration_name', help: 'Migrations will be squashed until and including this migration.', optional: true },
  ],
  options: {
    'no-optimize': { type: 'boolean', default: false, help: 'Do not try to optimize the squashed operations.' },
    noinput: { type: 'boolean', default: false, help: 'Tells tsgi to NOT prompt the user for input of any kind.' },
    'no-input': { type: 'boolean', default: false, help: 'Same as --noinput.' },
    'squashed-name': { type: 'string', help: 'Sets the name of the new squashed migration.' },
    'no-header': {
      type: 'boolean',
      default: false,
      help: 'Do not add a header comment to the new squashed migration.',
    },
  },
  async handle(options, io) {
    const m = await import('../../../db/migrations/index.ts');
    const { apps } = await import('../../../apps/index.ts');
    const { migrationsFolder } = await import('../../../db/migrations/loader.ts');
    const appLabel = options.args['app_label'] as string;
    // One name is the end; two are the start and the end (as Django's positionals).
    const second = options.args['migration_name'] as string | undefined;
    const first = options.args['start_migration_name'] as string | undefined;
    const endName = second ?? first;
    const startName = second === undefined ? undefined : first;
    if (endName === undefined)
      throw new CommandError('Give the migration to squash until: squashmigrations app_label migration_name.');
    let config;
    try {
      config = apps.getAppConfig(appLabel);
    } catch (error) {
      throw new CommandError((error as Error).message);
    }
    const loader = await m.MigrationLoader.load({ replaceMigrations: false });
    if (!loader.migratedApps.has(appLabel))
      throw new CommandError(`App '${appLabel}' does not have migrations (so squashmigrations on it makes no sense)`);
    const find = (name: string) => {
      try {
        return loader.getMigrationByPrefix(appLabel, name);
      } catch (error) {
        if (error instanceof m.AmbiguityError) {
          throw new CommandError(
            `More than one migration matches '${name}' in app '${appLabel}'. Please be more specific.`,
          );
        }
        if (error instanceof m.KeyNotFoundError)
          throw new CommandError(`Cannot find a migration matching '${name}' from app '${appLabel}'.`);
        throw error;
      }
    };
    const end = find(endName);
    let toSquash = loader.graph
      .forwardsPlan(end.key)
      .filter(([app]) => app === appLabel)
      .map((key) => loader.graph.get(key));
    let start: InstanceType<typeof m.Migration> | undefined;
    if (startName !== undefined) {
      start = find(startName);
      const index = toSquash.indexOf(start);
      if (index === -1) {
        throw new CommandError(
          `The migration '${start.toString()}' cannot be found. Maybe it comes after the migration '${end.toString()}'?\nHave a look at:\n  node manage.ts showmigrations ${appLabel}\nto debug this issue.`,
        );
      }
      toSquash = toSquash.slice(index);
    }
    const interactive = !(options.noinput || options.noInput) && Boolean(process.stdin.isTTY);
    if (options.verbosity > 0 || interactive) {
      io.stdout.write(`${io.style.HTTP_INFO('Will squash the following migrations:')}\n`);
      for (const migration of toSquash) io.stdout.write(` - ${migration.name}\n`);
    }
    if (interactive) {
      const answer = (await io.prompt('Do you wish to proceed? [yN] ')).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        io.stdout.write('Aborting squash.\n');
        return 0;
      }
    }
    const operations = [];
    const dependencies: Array<InstanceType<typeof m.Migration>['dependencies'][number]> = [];
    const seen = new Set<string>();
    let firstMigration = true;
    for (const migration of toSquash) {
      if (migration.replaces.length > 0) {
        throw new CommandError(
          'You cannot squash squashed migrations! Please transition it to a normal migration first: https://docs.djangoproject.com/en/3.2/topics/migrations/#squashing-migrations',
        );
      }
      operations.push(...migration.operations);
      for (const dependency of migration.dependencies) {
        const id =
          dependency instanceof m.SwappableDependency
            ? `swappable:${dependency.setting}`
            : `${dependency[0]}.${dependency[1]}`;
        const inside = !(dependency instanceof m.SwappableDependency) && dependency[0] === appLabel;
        if ((inside && !firstMigration) || seen.has(id)) continue;
        seen.add(id);
        dependencies.push(dependency);
      }
      firstMigration = false;
    }
    let newOperations = operations;
    if (!options.noOptimize) {
      if (options.verbosity > 0) io.stdout.write(`${io.style.HTTP_INFO('Optimizing...')}\n`);
      newOperations = m.optimize(operations, appLabel);
      if (options.verbosity > 0) {
        if (newOperations.length === operations.length) io.stdout.write('  No optimizations possible.\n');
        else
          io.stdout.write(`  Optimized from ${operations.length} operations to ${newOperations.length} operations.\n`);
      }
    }
    const number = (start ?? toSquash[0]!).name.slice(0, 4);
    const name =
      options.squashedName !== undefined
        ? `${number}_${options.squashedName}`
        : start !== undefined
          ? `${start.name}_squashed_${end.name}`
          : `0001_squashed_${end.name}`;
    const folder = migrationsFolder(config.path);
    const file = path.join(folder, `${name}.ts`);
    if (existsSync(file)) throw new CommandError(`Migration ${name} already exists. Use a different name.`);
    const squashed = new m.Migration({
      dependencies,
      operations: newOperations,
      replaces: toSquash.map((migration) => migration.key),
      initial: toSquash.some((migration) => migration.initial === true) ? true : undefined,
    });
    squashed.appLabel = appLabel;
    squashed.name = name;
    let source: string;
    try {
      source = m.writeMigration(squashed, {
        folder,
        header: options.noHeader ? undefined : `Generated by tsgi on ${stamp()}`,
      });
    } catch (error) {
      if (error instanceof m.SerializationError) throw new CommandError(error.message);
      throw error;
    }
    writeFileSync(file, source);
    if (options.verbosity > 0) {
      io.stdout.write(`${io.style.HTTP_INFO(`Created new squashed migration ${file}`)}\n`);
      io.stdout.write(
        '  You should commit this migration but leave the old ones in place;\n' +
          '  the new migration will be used for new installs. Once you are sure\n' +
          '  all instances of the codebase have applied the migrations you squashed,\n' +
          '  you can delete them.\n',
      );
    }
    return 0;
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
