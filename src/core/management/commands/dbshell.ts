/**
 * `manage.ts dbshell`: the database's own command-line client (`sqlite3`, `psql`), opened with
 * the connection settings of DATABASES, as Django's `dbshell`. Arguments after `--` go to the
 * client (`manage.ts dbshell -- -c 'SELECT 1'`).
 */
import { spawn } from 'node:child_process';
import { CommandError, defineCommand } from '../base.ts';

/** The Debian package of each client, for the message when it is missing. */
const PACKAGES: Record<string, string> = { sqlite3: 'sqlite3', psql: 'postgresql-client' };

const command = defineCommand({
  help: 'Runs the command-line client for the specified database (sqlite3, psql), with the connection settings of DATABASES.',
  requiresSystemChecks: false,
  positionals: [{ name: 'parameters', help: 'Arguments for the client, after --.', variadic: true }],
  options: {
    database: {
      type: 'string',
      default: 'default',
      help: 'Nominates a database onto which to open a shell. Defaults to the "default" database.',
    },
  },
  async handle({ database, args }) {
    const { connections } = await import('../../../db/connections.ts');
    const wrapper = connections.get(database);
    const parameters = (args.parameters as string[] | undefined) ?? [];
    const client = wrapper.shellCommand(parameters);
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(client.command, client.args, { stdio: 'inherit', env: { ...process.env, ...client.env } });
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          reject(
            new CommandError(
              `You appear not to have the '${client.command}' program installed or on your path: install it (apt-get install ${PACKAGES[client.command] ?? client.command}) to use dbshell on the ${wrapper.displayName} database '${database}'.`,
            ),
          );
        } else reject(error);
      });
      child.on('exit', (status, signal) => resolve(status ?? (signal !== null ? 1 : 0)));
    });
    if (code !== 0) {
      throw new CommandError(`"${[client.command, ...client.args].join(' ')}" returned non-zero exit status ${code}.`, {
        returncode: code,
      });
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
