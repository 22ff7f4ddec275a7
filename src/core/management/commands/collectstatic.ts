/** `manage.ts collectstatic`: gathers static files into STATIC_ROOT (Django's `collectstatic`). */
import { CommandError, defineCommand } from '../base.ts';

const command = defineCommand({
  help: 'Collect static files in a single location.',
  requiresSystemChecks: ['staticfiles'],
  options: {
    noinput: { type: 'boolean', default: false, help: 'Do NOT prompt the user for input of any kind.' },
    'no-input': { type: 'boolean', default: false, help: 'Same as --noinput.' },
    clear: {
      type: 'boolean',
      short: 'c',
      default: false,
      help: 'Clear the existing files using the storage before trying to copy or link the original file.',
    },
    'dry-run': { type: 'boolean', short: 'n', default: false, help: 'Do everything except modify the filesystem.' },
    ignore: {
      type: 'strings',
      short: 'i',
      help: 'Ignore files, directories, or paths matching this glob-style pattern. Use multiple times to ignore more.',
    },
    'no-default-ignore': {
      type: 'boolean',
      default: false,
      help: "Don't ignore the common private glob-style patterns (defaults to '.*' and '*~').",
    },
  },
  async handle(options, io) {
    const staticfiles = (await import('../../../staticfiles/index.ts')) as {
      collectstatic?: (options: Record<string, unknown>) => Promise<unknown>;
    };
    if (typeof staticfiles.collectstatic !== 'function')
      throw new CommandError('The staticfiles module has no collectstatic() function; this tsgi build is incomplete.');
    await staticfiles.collectstatic({
      interactive: !(options.noinput || options.noInput),
      clear: options.clear,
      dryRun: options.dryRun,
      ignorePatterns: options.ignore,
      useDefaultIgnorePatterns: !options.noDefaultIgnore,
      verbosity: options.verbosity,
      stdout: io.stdout,
      stderr: io.stderr,
      prompt: io.prompt,
    });
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
