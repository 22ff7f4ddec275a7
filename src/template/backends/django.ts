/**
 * The Django template language as a TEMPLATES backend (Django's
 * `django.template.backends.django.DjangoTemplates`): name it as
 * `'tsgi.template.backends.django.DjangoTemplates'`. OPTIONS are Django's, in either spelling
 * (`context_processors` or `contextProcessors`): autoescape, context_processors, debug (default:
 * the DEBUG setting), loaders, string_if_invalid, file_charset, libraries, builtins.
 *
 * The `{% load %}` libraries are tsgi's own (`static`) and every `templatetags/` module of an
 * installed app, by file name, then OPTIONS.libraries.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { settings } from '../../conf/index.ts';
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import { apps } from '../../apps/registry.ts';
import { appPath } from '../../apps/config.ts';
import { closestName } from '../../utils/suggest.ts';
import { makeContext } from '../context.ts';
import { Engine, type EngineOptions, type LibrarySpec } from '../engine.ts';
import { TemplateDoesNotExist } from '../exceptions.ts';
import type { Template as CompiledTemplate } from '../template.ts';
import { appSubdirectories } from '../../apps/app-dirs.ts';
import type { BaseEngine, Context, EngineParams, RequestLike, Template } from './base.ts';

const { readdirSync } = process.getBuiltinModule('node:fs');

/** OPTIONS names: Django's spelling and ours, to the Engine option. */
const OPTION_NAMES: Record<string, keyof EngineOptions> = {
  autoescape: 'autoescape',
  context_processors: 'contextProcessors',
  contextProcessors: 'contextProcessors',
  debug: 'debug',
  loaders: 'loaders',
  string_if_invalid: 'stringIfInvalid',
  stringIfInvalid: 'stringIfInvalid',
  file_charset: 'fileCharset',
  fileCharset: 'fileCharset',
  libraries: 'libraries',
  builtins: 'builtins',
};

/** tsgi's own libraries (Django's `django.templatetags`), beside this folder. */
const OWN_LIBRARIES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templatetags');
const MODULE = /^(?!index\.)(?!.*\.(?:d|test)\.[cm]?[jt]s$)(.+)\.(?:ts|mts|js|mjs|cjs)$/;

/** The library modules under `dir`: library name (`a.b` for `a/b.ts`) to dotted module name. */
function packageLibraries(dir: string, dotted: string): Array<[string, string]> {
  let files: string[];
  try {
    files = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
  const found = new Map<string, string>();
  for (const file of files.sort()) {
    const match = MODULE.exec(file.split(path.sep).join('/'));
    if (match === null) continue;
    const name = match[1]!.replaceAll('/', '.');
    found.set(name, `${dotted}.${name}`);
  }
  return [...found];
}

/**
 * The libraries of tsgi and of the installed apps' `templatetags/` folders, by name (Django's
 * `get_installed_libraries`; a later app's library of the same name wins, as there).
 */
export function installedLibraries(): Record<string, string> {
  const libraries: Record<string, string> = {};
  for (const [name, module] of packageLibraries(OWN_LIBRARIES, 'tsgi.templatetags')) libraries[name] = module;
  const installed = apps.appsReady
    ? apps.getAppConfigs().map((config) => ({ name: config.name, path: config.path }))
    : settings.INSTALLED_APPS.filter((entry): entry is string => typeof entry === 'string').map((name) => ({
        name,
        path: appPath(name),
      }));
  for (const app of installed) {
    for (const [name, module] of packageLibraries(path.join(app.path, 'templatetags'), `${app.name}.templatetags`)) {
      libraries[name] = module;
    }
  }
  return libraries;
}

function engineOptions(params: EngineParams): EngineOptions {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params.options)) {
    const name = OPTION_NAMES[key];
    if (name === undefined) {
      const hint = closestName(key, Object.keys(OPTION_NAMES));
      throw new ImproperlyConfigured(
        `TEMPLATES OPTIONS of the '${params.name}' engine has an unknown option '${key}'.` +
          (hint !== undefined ? ` Did you mean '${hint}'?` : '') +
          ` The DjangoTemplates options are: ${[...new Set(Object.values(OPTION_NAMES))].join(', ')}.`,
      );
    }
    options[name] = value;
  }
  options['autoescape'] ??= true;
  options['debug'] ??= Boolean(settings.DEBUG);
  options['fileCharset'] ??= 'utf-8';
  options['libraries'] = { ...installedLibraries(), ...((options['libraries'] as Record<string, LibrarySpec>) ?? {}) };
  return { ...(options as EngineOptions), dirs: params.dirs, appDirs: params.appDirs };
}

/**
 * The DjangoTemplates backend.
 *
 * @example
 * export const TEMPLATES = [{
 *   BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
 *   DIRS: [path.join(BASE_DIR, 'templates')],
 *   APP_DIRS: true,
 *   OPTIONS: { context_processors: ['tsgi.template.context-processors.request'] },
 * }];
 */
export class DjangoTemplates implements BaseEngine {
  readonly name: string;
  readonly engine: Engine;
  readonly #dirs: readonly string[];
  readonly #appDirs: boolean;
  readonly #wrappers = new WeakMap<CompiledTemplate, DjangoTemplate>();

  constructor(params: EngineParams) {
    this.name = params.name;
    this.#dirs = params.dirs.map((dir) => path.resolve(dir));
    this.#appDirs = params.appDirs;
    this.engine = new Engine(engineOptions({ ...params, dirs: [...this.#dirs] }));
  }

  get templateDirs(): readonly string[] {
    return this.#appDirs ? [...this.#dirs, ...appSubdirectories('templates')] : this.#dirs;
  }

  /** The context processors (resolving them is how the system checks find a bad name). */
  get contextProcessors(): ReadonlyArray<(request: object) => unknown> {
    return this.engine.templateContextProcessors;
  }

  fromString(source: string): Template {
    return new DjangoTemplate(this.engine.fromString(source), this);
  }

  getTemplate(name: string): Template {
    try {
      const compiled = this.engine.getTemplate(name);
      // One wrapper per compiled template: the cached loader returns the same one every time.
      let template = this.#wrappers.get(compiled);
      if (template === undefined) this.#wrappers.set(compiled, (template = new DjangoTemplate(compiled, this)));
      return template;
    } catch (error) {
      if (error instanceof TemplateDoesNotExist) error.backend = this.name;
      throw error;
    }
  }

  /** Forgets the cached templates (an edited file is read again). */
  clearCache(): void {
    this.engine.reset();
  }
}

/** A DjangoTemplates template, rendered with a plain object and an optional request. */
class DjangoTemplate implements Template {
  readonly template: CompiledTemplate;
  readonly backend: DjangoTemplates;

  constructor(template: CompiledTemplate, backend: DjangoTemplates) {
    this.template = template;
    this.backend = backend;
  }

  get name(): string {
    return this.template.name ?? '<string>';
  }

  get origin(): string | undefined {
    return this.template.name === undefined ? undefined : this.template.origin.name;
  }

  render(context?: Context, request?: RequestLike): string | Promise<string> {
    const ctx = makeContext(context, request, { autoescape: this.backend.engine.autoescape });
    return this.template.render(ctx);
  }
}
