/**
 * `manage.ts showmigrations [app_label ...]`: the migrations of each app with `[X]` for applied
 * ones (Django's `showmigrations`), or with `--plan` every migration in the order migrate
 * applies them.
 */
import { CommandError, defineCommand } from '../base.ts';

const command = defineCommand({
  help: 'Shows all available migrations for the current project',
  positionals: [{ name: 'app_label', help: 'App labels of applications to limit the output to.', variadic: true }],
  options: {
    database: {
      type: 'string',
      default: 'default',
      help: 'Nominates a database to synchronize. Defaults to the "default" database.',
    },
    list: {
      type: 'boolean',
      short: 'l',
      default: false,
      help: 'Shows a list of all migrations and which are applied (the default).',
    },
    plan: {
      type: 'boolean',
      short: 'p',
      default: false,
      help: 'Shows all migrations in the order they will be applied. With a verbosity level of 2 or above all direct migration dependencies and reverse dependencies (run_before) will be included.',
    },
  },
  async handle(options, io) {
    const { connections } = await import('../../../db/connections.ts');
    // The database connections would keep the process alive (PostgreSQL's pool): close them.
    try {
      const { apps } = await import('../../../apps/index.ts');
      const m = await import('../../../db/migrations/index.ts');
      const { MigrationRecorder } = await import('../../../db/migrations/recorder.ts');
      const using = options.database;
      if (!connections.aliases.includes(using)) {
        throw new CommandError(`The database '${using}' is not in DATABASES (${connections.aliases.join(', ')}).`);
      }
      const labels = (options.args['app_label'] as string[] | undefined) ?? [];
      const unknown = labels.filter((label) => !apps.getAppConfigs().some((c) => c.label === label));
      if (unknown.length > 0)
        throw new CommandError(unknown.map((l) => `No installed app with label '${l}'.`).join('\n'));
      const wrapper = connections.get(using);
      const loader = await m.MigrationLoader.load({ wrapper });
      const graph = loader.graph;
      const key = (k: readonly [string, string]) => `${k[0]}.${k[1]}`;
      if (options.plan) {
        const targets = labels.length > 0 ? labels.flatMap((l) => graph.leafNodes(l)) : graph.leafNodes();
        const seen = new Set<string>();
        const plan: Array<readonly [string, string]> = [];
        for (const target of targets) {
          for (const node of graph.forwardsPlan(target)) {
            if (seen.has(key(node))) continue;
            seen.add(key(node));
            plan.push(node);
          }
        }
        for (const node of plan) {
          let deps = '';
          if (options.verbosity >= 2) {
            const parents = graph.parents(node).map(key).sort();
            if (parents.length > 0) deps = ` ... (${parents.join(', ')})`;
          }
          io.stdout.write(`${loader.appliedMigrations.has(key(node)) ? '[X]' : '[ ]'}  ${key(node)}${deps}\n`);
        }
        if (plan.length === 0) io.stdout.write(`${io.style.ERROR('(no migrations)')}\n`);
        return 0;
      }
      const recorded = await new MigrationRecorder(wrapper).appliedMigrations();
      const names = labels.length > 0 ? labels : [...loader.migratedApps].sort();
      for (const app of names) {
        io.stdout.write(`${io.style.HTTP_INFO(app)}\n`);
        const shown = new Set<string>();
        for (const leaf of graph.leafNodes(app)) {
          for (const node of graph.forwardsPlan(leaf)) {
            if (shown.has(key(node)) || node[0] !== app) continue;
            shown.add(key(node));
            const migration = graph.get(node);
            let title = node[1];
            if (migration.replaces.length > 0) title += ` (${migration.replaces.length} squashed migrations)`;
            const applied = loader.appliedMigrations.get(key(node));
            if (applied === undefined) {
              io.stdout.write(` [ ] ${title}\n`);
              continue;
            }
            let line: string;
            if (recorded.has(key(node))) line = ` [X] ${title}`;
            else line = ` [-] ${title} Run 'manage.ts migrate' to finish recording.`;
            const at = (applied as { applied?: unknown }).applied;
            if (options.verbosity >= 2 && at !== undefined && at !== null) line += ` (applied at ${formatApplied(at)})`;
            io.stdout.write(`${line}\n`);
          }
        }
        if (shown.size === 0) io.stdout.write(`${io.style.ERROR(' (no migrations)')}\n`);
      }
      return 0;
    } finally {
      await connections.closeAll();
    }
  },
});

/** When a migration was applied, as Django prints it (`%Y-%m-%d %H:%M:%S`). */
function formatApplied(value: unknown): string {
  const text = String(value).replace('T', ' ');
  const match = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/.exec(text);
  return match === null ? text : match[1]!;
}

export default command; // not `export default defineCommand(...)`: see defineCommand()
