/**
 * `tsgi/core/management`: the `manage.ts` entry point, as Django's `django.core.management`.
 * Finds a command (built in, or in an installed app's `management/commands/`), parses its
 * arguments, runs the system checks it asks for, and turns errors into a message and an exit code.
 */
import { existsSync, readdirSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline/promises';
import {
  CommandError,
  SystemCheckError,
  commandUsage,
  makeStyle,
  parseCommandLine,
  type Command,
  type CommandIO,
} from './base.ts';
import { closestName } from '../../utils/suggest.ts';

export {
  CommandError,
  SystemCheckError,
  defineCommand,
  type Command,
  type CommandIO,
  type OptionSpec,
  type PositionalSpec,
} from './base.ts';
export { runSystemChecks } from './checks.ts';

/** The commands tsgi ships, by name; each module's default export is its `Command`. */
const BUILTIN: Record<string, { group: string; load: () => Promise<{ default: Command }> }> = {
  check: { group: 'tsgi', load: () => import('./commands/check.ts') as Promise<{ default: Command }> },
  createcachetable: {
    group: 'tsgi',
    load: () => import('./commands/createcachetable.ts') as Promise<{ default: Command }>,
  },
  dbshell: { group: 'tsgi', load: () => import('./commands/dbshell.ts') as Promise<{ default: Command }> },
  diffsettings: { group: 'tsgi', load: () => import('./commands/diffsettings.ts') as Promise<{ default: Command }> },
  dumpdata: { group: 'tsgi', load: () => import('./commands/dumpdata.ts') as Promise<{ default: Command }> },
  loaddata: { group: 'tsgi', load: () => import('./commands/loaddata.ts') as Promise<{ default: Command }> },
  makemigrations: {
    group: 'tsgi',
    load: () => import('./commands/makemigrations.ts') as Promise<{ default: Command }>,
  },
  migrate: { group: 'tsgi', load: () => import('./commands/migrate.ts') as Promise<{ default: Command }> },
  serve: { group: 'tsgi', load: () => import('./commands/serve.ts') as Promise<{ default: Command }> },
  shell: { group: 'tsgi', load: () => import('./commands/shell.ts') as Promise<{ default: Command }> },
  showurls: { group: 'tsgi', load: () => import('./commands/showurls.ts') as Promise<{ default: Command }> },
  showmigrations: {
    group: 'tsgi',
    load: () => import('./commands/showmigrations.ts') as Promise<{ default: Command }>,
  },
  squashmigrations: {
    group: 'tsgi',
    load: () => import('./commands/squashmigrations.ts') as Promise<{ default: Command }>,
  },
  sqlmigrate: { group: 'tsgi', load: () => import('./commands/sqlmigrate.ts') as Promise<{ default: Command }> },
  startapp: { group: 'tsgi', load: () => import('./commands/startapp.ts') as Promise<{ default: Command }> },
  startproject: { group: 'tsgi', load: () => import('./commands/startproject.ts') as Promise<{ default: Command }> },
  test: { group: 'tsgi', load: () => import('./commands/test.ts') as Promise<{ default: Command }> },
  collectstatic: {
    group: 'staticfiles',
    load: () => import('./commands/collectstatic.ts') as Promise<{ default: Command }>,
  },
  runserver: { group: 'staticfiles', load: () => import('./commands/runserver.ts') as Promise<{ default: Command }> },
};

const COMMAND_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

interface AppCommand {
  group: string;
  file: string;
}

/** Commands found in installed apps: `<app path>/management/commands/<name>.ts`. */
async function appCommands(): Promise<Record<string, AppCommand>> {
  const found: Record<string, AppCommand> = {};
  let configs: Array<{ label?: string; name?: string; path?: string }> = [];
  try {
    const { apps } = await import('../../apps/index.ts');
    configs = [...(apps.getAppConfigs() as Iterable<{ label?: string; name?: string; path?: string }>)];
  } catch {
    return found;
  }
  for (const config of configs) {
    if (!config.path) continue;
    const dir = path.join(config.path, 'management', 'commands');
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const ext = COMMAND_EXTENSIONS.find((e) => entry.endsWith(e));
      if (!ext || entry.startsWith('_') || entry.endsWith('.d.ts') || entry.includes('.test.')) continue;
      found[entry.slice(0, -ext.length)] = { group: config.label ?? config.name ?? 'app', file: path.join(dir, entry) };
    }
  }
  return found;
}

/** Loads the settings module (if any) and populates the apps registry, as `django.setup()`. */
async function setup(): Promise<void> {
  const { settings } = await import('../../conf/index.ts');
  const installed = settings.INSTALLED_APPS;
  const { apps } = await import('../../apps/index.ts');
  await apps.populate(installed);
}

function makeIO(noColor: boolean, forceColor: boolean): CommandIO {
  const color = forceColor || (!noColor && !process.env.NO_COLOR && Boolean(process.stdout.isTTY));
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    style: makeStyle(color),
    async prompt(question: string) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

/** Finds a command by name: apps' commands override built-ins, as in Django. */
async function fetchCommand(name: string, settingsReady: boolean): Promise<Command | undefined> {
  if (settingsReady) {
    const app = (await appCommands())[name];
    if (app) {
      const mod = (await import(pathToFileURL(app.file).href)) as { default?: Command };
      if (!mod.default || typeof mod.default.handle !== 'function') {
        throw new CommandError(
          `The command module ${app.file} has no default export made with defineCommand(); export default defineCommand({ help, handle }) from it.`,
        );
      }
      return mod.default;
    }
  }
  return (await BUILTIN[name]?.load())?.default;
}

async function mainHelp(prog: string, settingsReady: boolean, settingsError: unknown): Promise<string> {
  const groups: Record<string, string[]> = {};
  for (const [name, entry] of Object.entries(BUILTIN)) (groups[entry.group] ??= []).push(name);
  if (settingsReady)
    for (const [name, entry] of Object.entries(await appCommands())) (groups[entry.group] ??= []).push(name);
  const lines = [
    `Type '${prog} help <subcommand>' for help on a specific subcommand.`,
    '',
    'Available subcommands:',
    '',
  ];
  for (const group of Object.keys(groups).sort()) {
    lines.push(`[${group}]`, ...[...new Set(groups[group])].sort().map((n) => `    ${n}`), '');
  }
  if (settingsError)
    lines.push(
      `Note that only tsgi core commands are listed as settings are not properly configured (error: ${(settingsError as Error).message}).`,
      '',
    );
  return lines.join('\n');
}

/** The names of all commands, for suggestions. */
async function allCommandNames(settingsReady: boolean): Promise<string[]> {
  return [...Object.keys(BUILTIN), ...(settingsReady ? Object.keys(await appCommands()) : [])];
}

/**
 * Runs a management command from a command line and returns its exit code (it does not call
 * `process.exit`, so tests can call it; `manage.ts` sets `process.exitCode`).
 *
 * @example
 * // manage.ts
 * import { executeFromCommandLine } from 'tsgi/core/management';
 * process.env.TSGI_SETTINGS_MODULE ??= 'markup.settings';
 * process.exitCode = await executeFromCommandLine(process.argv);
 */
export async function executeFromCommandLine(
  argv: readonly string[] = process.argv,
  options: { prog?: string } = {},
): Promise<number> {
  // Node's compile cache (os.tmpdir()/node-compile-cache; off with NODE_DISABLE_COMPILE_CACHE=1)
  // before the command, the settings and the project are imported: each .ts file is then
  // type-stripped and compiled once, not on every manage.ts run.
  enableCompileCache();
  const prog = options.prog ?? (argv[1] ? path.basename(argv[1]) : 'manage.ts');
  const rest = argv.slice(2);
  const settingsFlag = rest.findIndex((a) => a === '--settings' || a.startsWith('--settings='));
  if (settingsFlag >= 0) {
    const arg = rest[settingsFlag];
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : rest[settingsFlag + 1];
    if (value) process.env.TSGI_SETTINGS_MODULE = value;
  }
  const traceback = rest.includes('--traceback');
  const io = makeIO(rest.includes('--no-color'), rest.includes('--force-color'));
  let name = rest[0];
  let settingsReady = false;
  let settingsError: unknown;

  try {
    if (name === '--version' || name === 'version') {
      const { createRequire } = await import('node:module');
      const pkg = createRequire(import.meta.url)('tsgi/package.json') as { version: string };
      io.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    const needsSettings = !(
      name === 'startproject' ||
      name === undefined ||
      name === 'help' ||
      name === '--help' ||
      name === '-h'
    );
    if (needsSettings || process.env.TSGI_SETTINGS_MODULE) {
      try {
        await setup();
        settingsReady = true;
      } catch (error) {
        settingsError = error;
      }
    }
    if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && rest.length === 1)) {
      io.stdout.write(await mainHelp(prog, settingsReady, settingsError));
      return 0;
    }
    let wantHelp = false;
    if (name === 'help') {
      name = rest[1];
      wantHelp = true;
    }
    const command = await fetchCommand(name, settingsReady);
    if (!command) {
      const match = closestName(name, await allCommandNames(settingsReady));
      const hint = match ? `\nDid you mean ${match}?` : '';
      const note =
        settingsError && process.env.TSGI_SETTINGS_MODULE
          ? `\nNote that the settings could not be loaded, so the commands of installed apps are not known: ${(settingsError as Error).message}`
          : '';
      io.stderr.write(`Unknown command: '${name}'${hint}\nType '${prog} help' for usage.${note}\n`);
      return 1;
    }
    if (wantHelp || rest.slice(1).some((a) => a === '--help' || a === '-h')) {
      io.stdout.write(commandUsage(prog, name, command));
      return 0;
    }
    if (command.requiresSettings && !settingsReady) throw settingsError;
    const parsed = parseCommandLine(name, command, rest.slice(1));
    const commandIO = makeIO(parsed.globals.noColor, parsed.globals.forceColor);
    if (command.requiresSystemChecks && !parsed.globals.skipChecks) {
      const { runSystemChecks } = await import('./checks.ts');
      const tags = Array.isArray(command.requiresSystemChecks) ? command.requiresSystemChecks : undefined;
      // As Django's BaseCommand.execute(): the count is shown only by check and runserver.
      await runSystemChecks(commandIO, { tags, displayNumIssues: false });
    }
    const handleArgs = {
      ...parsed.options,
      args: parsed.args,
      verbosity: parsed.globals.verbosity,
      traceback: parsed.globals.traceback,
      noColor: parsed.globals.noColor,
    };
    const code = await command.handle(handleArgs as Parameters<Command['handle']>[0], commandIO);
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    return reportError(error, io, traceback);
  }
}

/** As Django: a `CommandError` is one line; anything else its message; the stack only with --traceback. */
function reportError(error: unknown, io: CommandIO, traceback: boolean): number {
  const err = error instanceof Error ? error : new Error(String(error));
  if (traceback) io.stderr.write(`${err.stack ?? err.message}\n`);
  else if (err instanceof SystemCheckError) io.stderr.write(`${err.message}\n`);
  else if (err instanceof CommandError) io.stderr.write(`${io.style.ERROR(`CommandError: ${err.message}`)}\n`);
  else
    io.stderr.write(`${io.style.ERROR(`${err.name}: ${err.message}`)}\n(Run again with --traceback for the stack.)\n`);
  return err instanceof CommandError ? err.returncode : 1;
}
