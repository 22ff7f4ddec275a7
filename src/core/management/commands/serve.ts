/**
 * `manage.ts serve [flags]`: the production server on this project's application, with the flags
 * of `tsgi serve`. The module is the project's `wsgi` next to its settings unless given.
 */
import { CommandError, defineCommand } from '../base.ts';
import { OWN_EXTENSION } from '../../../utils/module-loading.ts';

const command = defineCommand({
  help: "Runs the production server (tsgi serve) on this project's wsgi.ts. Every flag of `tsgi serve` is accepted after `--`, e.g. `manage.ts serve -- --bind 0.0.0.0:8000 --workers 4`.",
  requiresSystemChecks: true,
  positionals: [{ name: 'flags', help: 'Flags for tsgi serve (put them after --).', variadic: true }],
  async handle({ args }, io) {
    const flags = (args.flags as string[] | undefined) ?? [];
    const settingsModule = process.env.TSGI_SETTINGS_MODULE ?? '';
    const project = settingsModule.split('.').slice(0, -1).join('.');
    const hasTarget = flags.length > 0 && !flags[0].startsWith('-');
    if (!hasTarget && !project)
      throw new CommandError(
        'Cannot tell which application to serve: TSGI_SETTINGS_MODULE is not a dotted name like "markup.settings". Pass the module, e.g. `manage.ts serve -- markup.wsgi:application`.',
      );
    const argv = hasTarget ? flags : [`${project}.wsgi:application`, ...flags];
    await migrationsNotice(io.stderr);
    // The framework never imports the server statically (docs/architecture.md).
    const cli = (await import(`../../../server/cli${OWN_EXTENSION}`)) as { main?: (argv: string[]) => Promise<number> };
    if (typeof cli.main !== 'function')
      throw new CommandError(
        'The production server has no main(argv) entry in src/server/cli.ts; this tsgi build is incomplete.',
      );
    return cli.main(argv);
  },
});

/**
 * runserver's notice about unapplied migrations (Django's check_migrations), on stderr: stdout
 * may be the access log. The server starts anyway, as runserver does.
 */
async function migrationsNotice(stderr: { write(text: string): unknown }): Promise<void> {
  const { settings } = await import('../../../conf/index.ts');
  if (Object.keys((settings.DATABASES as object | undefined) ?? {}).length === 0) return;
  const { connections } = await import('../../../db/connections.ts');
  try {
    const { unappliedMigrationsNotice } = await import('../../../db/migrations/checks.ts');
    const notice = await unappliedMigrationsNotice();
    if (notice !== undefined) stderr.write(`${notice}\n`);
  } catch {
    // An unreachable database was reported by the checks; the server still starts.
  } finally {
    // The master forks workers: it keeps no connection (a PostgreSQL pool would keep it alive).
    await connections.closeAll();
  }
}

export default command; // not `export default defineCommand(...)`: see defineCommand()
