/** `tsgi startproject NAME [DIR]`: a new project with manage.ts, settings, urls and wsgi. */
import { defineCommand } from '../base.ts';
import { renderTemplate } from '../templates.ts';

const command = defineCommand({
  help: 'Creates a tsgi project directory structure for the given project name in the current directory or optionally in the given directory.',
  requiresSettings: false,
  requiresSystemChecks: false,
  positionals: [
    { name: 'name', help: 'Name of the project.' },
    { name: 'directory', help: 'Optional destination directory.', optional: true },
  ],
  handle({ args, verbosity }, io) {
    const name = args.name as string;
    const { top, files } = renderTemplate('project', name, args.directory as string | undefined);
    if (verbosity >= 2) for (const file of files) io.stdout.write(`Creating ${file}\n`);
    io.stdout.write(
      io.style.SUCCESS(`Created the project '${name}' in ${top}.`) +
        `\nNext: cd ${top} && npm install && node manage.ts runserver\n`,
    );
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
