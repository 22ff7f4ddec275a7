/**
 * Form renderers, as Django's `django.forms.renderers`: what widgets render their templates
 * with. `FORM_RENDERER` names the project's (a dotted path, resolved once):
 *
 * - `tsgi.forms.renderers.DjangoTemplates` (the default): an engine of its own over tsgi's
 *   widget templates (`django/forms/widgets/*.html`, Django's names) and every installed app's
 *   `templates/` folder, so an app overrides a widget by putting a template of the same name in
 *   its own folder.
 * - `tsgi.forms.renderers.TemplatesSetting`: the project's TEMPLATES engines, so templates in
 *   the project's DIRS override widgets too (add tsgi's folder, `widgetTemplatesDir()`, to DIRS
 *   or list `tsgi.forms` in INSTALLED_APPS to keep the built-in ones).
 *
 * @example
 * // settings.ts
 * export const FORM_RENDERER = 'tsgi.forms.renderers.TemplatesSetting';
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { settings } from '../conf/index.ts';
import { settingChanged } from '../conf/signals.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { Context } from '../template/context.ts';
import { Engine } from '../template/engine.ts';
import { getTemplate } from '../template/engines.ts';
import { importString } from '../utils/module-loading.ts';

/** What a widget renders its template with. */
export interface FormRenderer {
  /** The template named `templateName` rendered with `context`, as HTML (trimmed, as Django's). */
  render(templateName: string, context: Record<string, unknown>): string;
}

/**
 * The folder of tsgi's own widget templates (`django/forms/widgets/input.html`...): shipped as
 * files with the package, found from its root so the compiled build finds them too.
 */
export function widgetTemplatesDir(): string {
  const root = path.dirname(fileURLToPath(import.meta.resolve('tsgi/package.json')));
  return path.join(root, 'src', 'forms', 'templates');
}

function finish(rendered: string | Promise<string>, templateName: string): string {
  if (typeof rendered !== 'string') {
    throw new TypeError(
      `The widget template ${templateName} met a promise while rendering: a widget's context must hold values, not promises. Resolve them before rendering the form.`,
    );
  }
  return rendered.trim();
}

/** tsgi's widget templates and the installed apps' templates, in an engine of their own (the default). */
export class DjangoTemplates implements FormRenderer {
  #engine: Engine | undefined;

  /** The renderer's own engine (Django's `renderer.engine`). */
  get engine(): Engine {
    this.#engine ??= new Engine({ dirs: [widgetTemplatesDir()], appDirs: true, debug: Boolean(settings.DEBUG) });
    return this.#engine;
  }

  render(templateName: string, context: Record<string, unknown>): string {
    return finish(this.engine.getTemplate(templateName).render(new Context(context)), templateName);
  }
}

/** The project's TEMPLATES engines (`getTemplate()`), so project templates override widgets. */
export class TemplatesSetting implements FormRenderer {
  render(templateName: string, context: Record<string, unknown>): string {
    return finish(getTemplate(templateName).render(context), templateName);
  }
}

let defaultRenderer: FormRenderer | undefined;

settingChanged.connect(({ setting }) => {
  if (setting === 'FORM_RENDERER' || setting === 'DEBUG' || setting === 'INSTALLED_APPS') defaultRenderer = undefined;
});

/** The renderer FORM_RENDERER names, made once (Django's `get_default_renderer`). */
export function getDefaultRenderer(): FormRenderer {
  if (defaultRenderer !== undefined) return defaultRenderer;
  const name = (settings as { FORM_RENDERER?: unknown }).FORM_RENDERER ?? 'tsgi.forms.renderers.DjangoTemplates';
  const cls = typeof name === 'string' ? importString(name) : name;
  if (typeof cls !== 'function') {
    throw new ImproperlyConfigured(
      `FORM_RENDERER ${JSON.stringify(name)} is not a class. Name a renderer class, as 'tsgi.forms.renderers.DjangoTemplates'.`,
    );
  }
  defaultRenderer = new (cls as new () => FormRenderer)();
  return defaultRenderer;
}
