/** `manage.ts shell`: a REPL with the settings loaded and the apps ready (Django's `shell`). */
import repl from 'node:repl';
import { settings } from '../../../conf/index.ts';
import { defineCommand } from '../base.ts';

const command = defineCommand({
  help: "Runs an interactive Node.js shell with the project loaded: `settings`, `apps`, `reverse`, `resolve` and the installed apps' models are in scope.",
  requiresSystemChecks: false,
  options: {
    command: {
      type: 'string',
      short: 'c',
      help: 'Instead of opening an interactive shell, run a command as tsgi and exit.',
    },
  },
  async handle({ command }, io) {
    const { apps } = await import('../../../apps/index.ts');
    const urls = await import('../../../urls/index.ts').catch(() => ({}) as Record<string, unknown>);
    // The installed apps' models, by class name (src/db/models/options.ts).
    const models = apps.appsReady ? (await import('../../../db/models/options.ts')).installedModels() : {};
    const context: Record<string, unknown> = { settings, apps, ...urls, ...models };
    if (command !== undefined) {
      const names = Object.keys(context).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
      const fn = new Function(...names, `return (async () => { ${command}\n })();`) as (
        ...args: unknown[]
      ) => Promise<unknown>;
      await fn(...names.map((n) => context[n]));
      return;
    }
    io.stdout.write(`tsgi shell: ${Object.keys(context).join(', ')} are in scope. Ctrl-D to leave.\n`);
    const server = repl.start({ prompt: '>>> ' });
    Object.assign(server.context, context);
    await new Promise<void>((resolve) => server.on('exit', () => resolve()));
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
