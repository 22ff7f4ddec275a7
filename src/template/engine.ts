/**
 * The template engine, as Django's `django.template.Engine`: where templates are found (loaders),
 * which tags and filters they have (built-in libraries and `{% load %}` ones), and how they
 * render (autoescape, `stringIfInvalid`, context processors). The DjangoTemplates backend makes
 * one from TEMPLATES; one can also be made directly.
 */
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { importString, lazyModule } from '../utils/module-loading.ts';
import { Context, type ContextDict } from './context.ts';
import { resolveContextProcessors, type ContextProcessor } from './context-processors.ts';
import { InvalidTemplateLibrary, TemplateDoesNotExist, type TriedOrigin } from './exceptions.ts';
import { Library } from './library.ts';
import { BaseLoader } from './loaders/base.ts';
import type { LoaderSpec } from './loaders/cached.ts';
import type { Origin } from './nodes.ts';
import type { LibraryIndex } from './parser.ts';
import type * as Engines from './engines.ts';
import { setDefaultEngine, Template, type TemplateEngine } from './template.ts';

/** A `{% load %}` library: its module's dotted name (the module exports `register`), or the Library. */
export type LibrarySpec = string | Library;

/** The options of `new Engine()` (Django's, camelCased). */
export interface EngineOptions {
  /** Directories the filesystem loader searches, in order. */
  dirs?: readonly string[];
  /** Search each installed app's `templates/` folder too (not with `loaders`). */
  appDirs?: boolean;
  /** Functions of the request (or their dotted names) whose values a RequestContext adds. */
  contextProcessors?: ReadonlyArray<string | ContextProcessor>;
  /** Development mode: templates are read again on every use unless `loaders` says otherwise. */
  debug?: boolean;
  /** The loaders, as dotted class names with their arguments; default: filesystem (and app directories), cached unless `debug`. */
  loaders?: readonly LoaderSpec[];
  /** What a missing variable prints (`%s` is replaced by its name); default `''`. */
  stringIfInvalid?: string;
  /** The encoding of template files; default `utf-8`. */
  fileCharset?: string;
  /** `{% load name %}` libraries, by name. */
  libraries?: Readonly<Record<string, LibrarySpec>>;
  /** Libraries every template has without `{% load %}`, after the built-in ones. */
  builtins?: readonly LibrarySpec[];
  /** Escape every printed value (default true). */
  autoescape?: boolean;
}

/** The built-in libraries of every engine (Django's `Engine.default_builtins`). */
const DEFAULT_BUILTINS = ['tsgi.template.defaulttags', 'tsgi.template.defaultfilters', 'tsgi.template.loader-tags'];

/** Django adds the CSRF processor to every RequestContext. */
const BUILTIN_CONTEXT_PROCESSORS = ['tsgi.template.context-processors.csrf'];

/** A library by its dotted module name: the module's `register` (Django's `import_library`). */
export function importLibrary(spec: LibrarySpec): Library {
  if (spec instanceof Library) return spec;
  let module: unknown;
  try {
    module = importString(`${spec}.register`);
  } catch (error) {
    throw new InvalidTemplateLibrary(
      `Invalid template library specified. ImportError raised when trying to load '${spec}': ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!(module instanceof Library)) {
    throw new InvalidTemplateLibrary(`Module ${spec} does not have a variable named 'register' holding a Library.`);
  }
  return module;
}

/**
 * A template engine.
 *
 * @example
 * const engine = new Engine({ dirs: ['templates'], libraries: { blog: 'blog.templatetags.blog' } });
 * const html = await engine.renderToString('index.html', { posts });
 */
export class Engine implements TemplateEngine {
  readonly dirs: readonly string[];
  readonly appDirs: boolean;
  readonly autoescape: boolean;
  readonly contextProcessors: ReadonlyArray<string | ContextProcessor>;
  readonly debug: boolean;
  readonly loaders: readonly LoaderSpec[];
  readonly stringIfInvalid: string;
  readonly fileCharset: string;
  readonly libraries: Readonly<Record<string, LibrarySpec>>;
  readonly builtins: readonly LibrarySpec[];
  readonly templateBuiltins: readonly Library[];
  readonly templateLibraries: LibraryIndex;
  #loaders: BaseLoader[] | undefined;
  #processors: ReadonlyArray<(request: object) => unknown> | undefined;

  constructor(options: EngineOptions = {}) {
    this.dirs = options.dirs ?? [];
    this.appDirs = options.appDirs ?? false;
    this.debug = options.debug ?? false;
    let loaders = options.loaders;
    if (loaders === undefined) {
      const found: LoaderSpec[] = ['tsgi.template.loaders.filesystem.Loader'];
      if (this.appDirs) found.push('tsgi.template.loaders.app_directories.Loader');
      loaders = this.debug ? found : [['tsgi.template.loaders.cached.Loader', found]];
    } else if (this.appDirs) {
      throw new ImproperlyConfigured(
        'app_dirs must not be set when loaders is defined. Remove APP_DIRS, or list the app_directories loader in OPTIONS.loaders.',
      );
    }
    this.loaders = loaders;
    this.autoescape = options.autoescape ?? true;
    this.contextProcessors = options.contextProcessors ?? [];
    this.stringIfInvalid = options.stringIfInvalid ?? '';
    this.fileCharset = options.fileCharset ?? 'utf-8';
    this.libraries = options.libraries ?? {};
    this.builtins = [...DEFAULT_BUILTINS, ...(options.builtins ?? [])];
    this.templateBuiltins = this.builtins.map((spec) => importLibrary(spec));
    this.templateLibraries = libraryIndex(this.libraries);
  }

  /** The context processors, Django's CSRF one first, resolved on first use. */
  get templateContextProcessors(): ReadonlyArray<(request: object) => unknown> {
    if (this.#processors === undefined) {
      const names = [
        ...BUILTIN_CONTEXT_PROCESSORS,
        ...this.contextProcessors.filter((p) => !BUILTIN_CONTEXT_PROCESSORS.includes(p as string)),
      ];
      this.#processors = resolveContextProcessors(names);
    }
    return this.#processors;
  }

  /** The loaders, made on first use. */
  get templateLoaders(): readonly BaseLoader[] {
    this.#loaders ??= this.getTemplateLoaders(this.loaders);
    return this.#loaders;
  }

  /** Makes loaders from their specifications (the cached loader uses this for the ones it wraps). */
  getTemplateLoaders(specs: readonly LoaderSpec[]): BaseLoader[] {
    return specs.map((spec) => this.findTemplateLoader(spec));
  }

  findTemplateLoader(spec: LoaderSpec): BaseLoader {
    if (spec instanceof BaseLoader) return spec;
    let target: unknown = spec;
    let args: unknown[] = [];
    if (Array.isArray(spec)) [target, ...args] = spec as unknown[];
    const cls = typeof target === 'string' ? importString(target) : target;
    if (typeof cls !== 'function') {
      throw new ImproperlyConfigured(
        `Invalid value in template loaders configuration: ${JSON.stringify(spec)}. Name a loader class, as 'tsgi.template.loaders.filesystem.Loader', or [name, ...arguments].`,
      );
    }
    return new (cls as new (engine: Engine, ...a: unknown[]) => BaseLoader)(this, ...args);
  }

  /**
   * The first template called `name` a loader finds, and where, skipping the origins in `skip`.
   * @throws TemplateDoesNotExist listing every place tried.
   */
  findTemplate(name: string, skip?: readonly Origin[]): [Template, Origin] {
    const tried: TriedOrigin[] = [];
    for (const loader of this.templateLoaders) {
      try {
        const template = loader.getTemplate(name, skip);
        return [template, template.origin];
      } catch (error) {
        if (!(error instanceof TemplateDoesNotExist)) throw error;
        tried.push(...error.tried);
      }
    }
    throw new TemplateDoesNotExist(name, tried);
  }

  /** A template compiled from `source`. */
  fromString(source: string): Template {
    return new Template(source, undefined, undefined, this);
  }

  /** The template called `name`. */
  getTemplate(name: string): Template {
    return this.findTemplate(name)[0];
  }

  /** The first of `names` that exists. */
  selectTemplate(names: readonly string[]): Template {
    if (names.length === 0) throw new TemplateDoesNotExist('No template names provided', []);
    const tried: TriedOrigin[] = [];
    for (const name of names) {
      try {
        return this.getTemplate(name);
      } catch (error) {
        if (!(error instanceof TemplateDoesNotExist)) throw error;
        tried.push(...error.tried);
      }
    }
    throw new TemplateDoesNotExist(names.join(', '), tried);
  }

  /**
   * Renders a template (or the first that exists of a list) with `context`: an object of values,
   * or a Context.
   */
  renderToString(names: string | readonly string[], context?: ContextDict | Context): string | Promise<string> {
    const template = typeof names === 'string' ? this.getTemplate(names) : this.selectTemplate(names);
    if (context instanceof Context) return template.render(context);
    return template.render(new Context(context, { autoescape: this.autoescape }));
  }

  /** Forgets the templates the cached loader kept. */
  reset(): void {
    for (const loader of this.#loaders ?? []) loader.reset();
  }

  /** The engine of the first DjangoTemplates backend in TEMPLATES (Django's `Engine.get_default()`). */
  static getDefault(): Engine {
    for (const backend of engineModule().engines().values()) {
      const engine = (backend as { engine?: unknown }).engine;
      if (engine instanceof Engine) return engine;
    }
    throw new ImproperlyConfigured('No DjangoTemplates backend is configured. Add one to the TEMPLATES setting.');
  }
}

/** The libraries `{% load %}` finds, imported on first use. */
function libraryIndex(specs: Readonly<Record<string, LibrarySpec>>): LibraryIndex {
  const loaded = new Map<string, Library>();
  return {
    get(name: string): Library | undefined {
      if (!Object.hasOwn(specs, name)) return undefined;
      let library = loaded.get(name);
      if (library === undefined) loaded.set(name, (library = importLibrary(specs[name]!)));
      return library;
    },
    names: () => Object.keys(specs),
  };
}

// engines.ts loads the backends, which import this module.
const engineModule = lazyModule<typeof Engines>(import.meta.url, './engines');

setDefaultEngine(() => Engine.getDefault());
