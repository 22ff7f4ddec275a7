/**
 * `manage.ts startapp NAME [DIR] [--crud MODEL]`: a new app with apps.ts, views.ts, urls.ts, a
 * test and an empty `migrations/` folder (so `makemigrations` writes its 0001 there); with `--crud Post`, also a model, its ModelForm, the generic views to list, show,
 * create, edit and delete it, their templates and a test of them all.
 */
import { CommandError, defineCommand } from '../base.ts';
import { renderTemplate } from '../templates.ts';

const command = defineCommand({
  help: 'Creates a tsgi app directory structure for the given app name in the current directory or optionally in the given directory.',
  requiresSettings: false,
  requiresSystemChecks: false,
  positionals: [
    { name: 'name', help: 'Name of the application.' },
    { name: 'directory', help: 'Optional destination directory.', optional: true },
  ],
  options: {
    crud: {
      type: 'string',
      help: 'Also scaffold a model of this name (a class name: Post), its ModelForm, its list, detail, create, update and delete views, their URLs and templates.',
    },
  },
  handle({ args, verbosity, crud }, io) {
    const name = args.name as string;
    const model = crud as string | undefined;
    const extra = model === undefined ? {} : crudContext(model);
    const { top, files } = renderTemplate(
      'app',
      name,
      args.directory as string | undefined,
      extra,
      model === undefined ? undefined : 'app_crud',
    );
    if (verbosity >= 2) for (const file of files) io.stdout.write(`Creating ${file}\n`);
    io.stdout.write(
      io.style.SUCCESS(`Created the app '${name}' in ${top}.`) +
        `\nAdd '${name}' to INSTALLED_APPS, and include its URLs in your URLconf: path('${name}/', include(${name})), with ${name}/urls.ts imported as a module (import * as ${name}), so that the compiler knows their names.\n`,
    );
    if (model !== undefined) {
      io.stdout.write(
        `Then create the table of ${model} (${name}/models.ts): node manage.ts makemigrations ${name} && node manage.ts migrate.\n`,
      );
    }
  },
});

/** What the --crud files import: a model of one of these names would shadow it. */
const IMPORTED = new Set([
  'Model',
  'Manager',
  'CharField',
  'TextField',
  'ModelForm',
  'ListView',
  'DetailView',
  'CreateView',
  'UpdateView',
  'DeleteView',
]);

/** The names the --crud templates use, from the model's class name (Django's model_name and verbose_name). */
function crudContext(model: string): Record<string, string> {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(model)) {
    throw new CommandError(
      `'${model}' is not a valid model name for --crud. Give it as a class name: letters and digits, a capital letter first (--crud Post).`,
    );
  }
  if (IMPORTED.has(model)) {
    throw new CommandError(
      `'${model}' is the name of something the generated app imports (${[...IMPORTED].join(', ')}). Choose another model name.`,
    );
  }
  const verbose = model.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const plural = `${verbose}s`;
  return {
    model_class: model,
    model_name: model.toLowerCase(),
    model_verbose: verbose,
    model_verbose_plural: plural,
    model_verbose_plural_cap: plural.charAt(0).toUpperCase() + plural.slice(1),
  };
}

export default command; // not `export default defineCommand(...)`: see defineCommand()
