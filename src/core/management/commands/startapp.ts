/** `manage.ts startapp NAME [DIR]`: a new app with apps.ts, views.ts, urls.ts and a test. */
import { defineCommand } from '../base.ts';
import { renderTemplate } from '../templates.ts';

const command = defineCommand({
  help: 'Creates a tsgi app directory structure for the given app name in the current directory or optionally in the given directory.',
  requiresSettings: false,
  requiresSystemChecks: false,
  positionals: [
    { name: 'name', help: 'Name of the application.' },
    { name: 'directory', help: 'Optional destination directory.', optional: true },
  ],
  handle({ args, verbosity }, io) {
    const name = args.name as string;
    const { top, files } = renderTemplate('app', name, args.directory as string | undefined);
    if (verbosity >= 2) for (const file of files) io.stdout.write(`Creating ${file}\n`);
    io.stdout.write(
      io.style.SUCCESS(`Created the app '${name}' in ${top}.`) +
        `\nAdd '${name}' to INSTALLED_APPS, and include its URLs in your URLconf: path('${name}/', include(${name})), with ${name}/urls.ts imported as a module (import * as ${name}), so that the compiler knows their names.\n`,
    );
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
