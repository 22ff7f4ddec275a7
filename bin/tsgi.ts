#!/usr/bin/env node
/**
 * The `tsgi` command: a table of subcommands, each loaded only when used.
 * A subcommand module exports `main(argv): Promise<number>` (the exit code).
 *
 * The Node.js version is checked before anything else loads: this module's only static import is
 * node-version.ts, which imports nothing, because a static import of something an old Node lacks
 * (node:module's enableCompileCache) fails before any line of the module runs.
 */
import { nodeVersionProblem } from '../src/core/management/node-version.ts';

const COMMANDS: Record<
  string,
  { help: string; load: () => Promise<{ main(argv: readonly string[]): Promise<number> }> }
> = {
  serve: { help: 'Run an application with the production server.', load: () => import('../src/server/cli.ts') },
  startproject: {
    help: 'Create a project: manage.ts, settings, urls, wsgi.ts, package.json.',
    load: () => management('startproject'),
  },
  startapp: {
    help: 'Create an app in the current directory: apps.ts, views.ts, urls.ts, templates, a test.',
    load: () => management('startapp'),
  },
  manage: {
    help: "Run the project's manage.ts in the current directory: tsgi manage runserver, tsgi manage test.",
    load: () => manage(),
  },
};

/**
 * `tsgi manage ARGS`: the project's `manage.ts` (in the current folder) run with ARGS in this
 * process, after the Node.js check. A new project's npm scripts use it, so that `npm test` on an
 * old Node says which version it needs: `node manage.ts` cannot, since an old Node refuses the
 * `.ts` file before running any of it.
 */
async function manage(): Promise<{ main(argv: readonly string[]): Promise<number> }> {
  const [{ existsSync }, path, { pathToFileURL }] = await Promise.all([
    import('node:fs'),
    import('node:path'),
    import('node:url'),
  ]);
  return {
    async main(argv) {
      const file = path.resolve('manage.ts');
      if (!existsSync(file)) {
        process.stderr.write(
          `There is no manage.ts in ${process.cwd()}: run tsgi manage in a project's folder (the one with manage.ts), or make a project with tsgi startproject.\n`,
        );
        return 2;
      }
      // manage.ts reads its command line from process.argv, as `node manage.ts ARGS` gives it;
      // the runserver reloader restarts it from there too.
      process.argv = [process.argv[0]!, file, ...argv];
      await import(pathToFileURL(file).href);
      return Number(process.exitCode ?? 0);
    },
  };
}

/** A framework management command run outside a project, as `django-admin` does. */
async function management(command: string): Promise<{ main(argv: readonly string[]): Promise<number> }> {
  const { executeFromCommandLine } = await import('../src/core/management/index.ts');
  return { main: (argv) => executeFromCommandLine(['node', 'tsgi', command, ...argv], { prog: 'tsgi' }) };
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL(import.meta.resolve('tsgi/package.json')), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`tsgi ${pkg.version}\n`);
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    if (name === 'help' && rest[0] && COMMANDS[rest[0]]) return (await COMMANDS[rest[0]]!.load()).main(['--help']);
    const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
    const list = Object.entries(COMMANDS)
      .map(([c, { help }]) => `  ${c.padEnd(width)}  ${help}`)
      .join('\n');
    process.stdout.write(
      `Usage: tsgi COMMAND [ARGS]\n\nCommands:\n${list}\n\ntsgi help COMMAND shows a command's options; tsgi --version its version.\n`,
    );
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const { closestName } = await import('../src/utils/suggest.ts');
    const match = closestName(name, Object.keys(COMMANDS));
    process.stderr.write(
      `Unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}.${match ? ` Did you mean ${match}?` : ''} See tsgi help.\n`,
    );
    return 2;
  }
  return (await command.load()).main(rest);
}

const problem = nodeVersionProblem();
if (problem === undefined) {
  // Every module loaded from here on (the server or the framework, then the project) is
  // type-stripped and compiled once, then read from Node's cache (os.tmpdir(); NODE_COMPILE_CACHE
  // moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off).
  process.getBuiltinModule('node:module').enableCompileCache();
  process.exitCode = await run(process.argv.slice(2));
} else {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
}
