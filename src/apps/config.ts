/**
 * `AppConfig`, as Django's `django.apps.AppConfig`: what the registry knows of one installed app
 * (its dotted name, label, folder and module) and its `ready()` hook.
 */
import path from 'node:path';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import {
  getProjectRoot,
  importModule,
  ModuleNotFoundError,
  resolveModule,
  suggestModule,
} from '../utils/module-loading.ts';
import { isDirectory } from '../utils/fs.ts';
import { describe } from '../gateway/describe.ts';

const LABEL = /^[A-Za-z_][\w-]*$/;

/**
 * One installed app. Subclass it to give an app a label, a verbose name or a `ready()` hook, and
 * export the subclass from the app's `apps.ts` (picked up automatically) or list it in
 * INSTALLED_APPS by its dotted path.
 *
 * @example
 * // markup/blog/apps.ts
 * export class BlogConfig extends AppConfig {
 *   override name = 'markup.blog';
 *   override verboseName = 'The blog';
 *   override async ready() { await warmCaches(); }
 * }
 */
export class AppConfig {
  /** Whether the registry picks this class from the app's `apps` module (Django's `default`). */
  static default: boolean | undefined = undefined;
  /** The app's dotted module name, e.g. `markup.blog`. Required in subclasses named directly. */
  name = '';
  /** A short unique name; the last part of `name` by default. */
  label = '';
  verboseName = '';
  /** The app's folder (templates/ and static/ are found under it). */
  path = '';
  /** The app's module exports (empty for a folder without an index module). */
  module: Record<string, unknown> = {};
  /** The exports of the app's `models` module, once the registry imported it (undefined: it has none). */
  modelsModule: Record<string, unknown> | undefined;

  constructor(appName?: string, appModule?: Record<string, unknown>) {
    if (appName !== undefined) this.name = appName;
    if (appModule !== undefined) this.module = appModule;
  }

  /** Fills what the subclass left out; called by the registry after construction. */
  setup(): void {
    if (this.name === '') {
      throw new ImproperlyConfigured(
        `${this.constructor.name} must supply a name: add \`override name = 'dotted.app.name';\` to the class.`,
      );
    }
    if (this.label === '') this.label = this.name.slice(this.name.lastIndexOf('.') + 1);
    if (!LABEL.test(this.label)) {
      throw new ImproperlyConfigured(
        `The app label '${this.label}' (app '${this.name}') is not a valid identifier: set \`label\` in its AppConfig to letters, digits, _ or -.`,
      );
    }
    if (this.verboseName === '') this.verboseName = this.label.charAt(0).toUpperCase() + this.label.slice(1);
    if (this.path === '') this.path = appPath(this.name);
  }

  /**
   * Imports the app's `models` module (`blog/models.ts`), as Django's `import_models()`: its
   * models then belong to this app (src/db/models finds them there).
   */
  importModels(): void {
    try {
      this.modelsModule = importModule(`${this.name}.models`);
    } catch (error) {
      if (error instanceof ModuleNotFoundError && error.moduleName === `${this.name}.models`) return;
      throw new ImproperlyConfigured(
        `The models module of the app '${this.label}' failed to load: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Runs once all apps are loaded; may be async. Override it for start-up work. */
  ready(): void | Promise<void> {}

  toString(): string {
    return `<${this.constructor.name}: ${this.label}>`;
  }
}

/** The app's folder: `<root>/a/b` if it is a folder, else the folder of its module file. */
export function appPath(name: string): string {
  const root = name.startsWith('tsgi.') ? path.resolve(import.meta.dirname, '..') : getProjectRoot();
  const dir = path.join(root, ...(name.startsWith('tsgi.') ? name.split('.').slice(1) : name.split('.')));
  if (isDirectory(dir)) return dir;
  try {
    return path.dirname(resolveModule(name));
  } catch {
    throw new ImproperlyConfigured(
      `The app '${name}' has no folder at ${dir} and no module file: create it, or set \`path\` in its AppConfig.`,
    );
  }
}

function isAppConfigClass(value: unknown): value is typeof AppConfig {
  return typeof value === 'function' && (value === AppConfig || value.prototype instanceof AppConfig);
}

/** Loads a module, treating a folder without an index module as an empty app module. */
function loadAppModule(name: string): Record<string, unknown> | undefined {
  try {
    return importModule(name);
  } catch (error) {
    if (!(error instanceof ModuleNotFoundError) || error.moduleName !== name) throw error;
    const root = name.startsWith('tsgi.') ? undefined : path.join(getProjectRoot(), ...name.split('.'));
    if (root !== undefined && isDirectory(root)) return {};
    return undefined;
  }
}

/**
 * Builds the AppConfig for one INSTALLED_APPS entry, as Django's `AppConfig.create`: a dotted
 * app name (its `apps` module's AppConfig subclass is used when there is exactly one, or one
 * marked `static default = true`), a dotted path to an AppConfig subclass, or the class itself.
 */
export function createAppConfig(entry: unknown): AppConfig {
  if (isAppConfigClass(entry)) return instantiate(entry, undefined);
  if (typeof entry !== 'string') {
    throw new ImproperlyConfigured(
      `INSTALLED_APPS entries must be dotted app names or AppConfig classes, got ${describe(entry)}.`,
    );
  }
  let module: Record<string, unknown> | undefined;
  try {
    module = loadAppModule(entry);
  } catch (error) {
    throw new ImproperlyConfigured(`The app '${entry}' in INSTALLED_APPS failed to load: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (module !== undefined) {
    const configClass = defaultConfigClass(entry);
    if (configClass !== undefined) {
      return instantiate(configClass, module, entry);
    }
    const config = new AppConfig(entry, module);
    config.setup();
    return config;
  }
  // Not a module: maybe the dotted path of an AppConfig class.
  const dot = entry.lastIndexOf('.');
  const parent = dot === -1 ? undefined : loadAppModule(entry.slice(0, dot));
  const candidate = parent?.[entry.slice(dot + 1)];
  if (candidate !== undefined) {
    if (!isAppConfigClass(candidate)) {
      throw new ImproperlyConfigured(`'${entry}' in INSTALLED_APPS isn't an app module nor a subclass of AppConfig.`);
    }
    return instantiate(candidate, undefined);
  }
  const suggestion = suggestModule(entry, { folders: true });
  throw new ImproperlyConfigured(
    `The app '${entry}' in INSTALLED_APPS cannot be found: no module or folder ${entry.replace(/\./g, '/')} ` +
      `under ${getProjectRoot()}, and no AppConfig class of that name. ` +
      (suggestion === undefined ? '' : `Did you mean '${suggestion}'? `) +
      'Check the spelling and the project root.',
  );
}

function defaultConfigClass(appName: string): typeof AppConfig | undefined {
  let appsModule: Record<string, unknown>;
  try {
    appsModule = importModule(`${appName}.apps`);
  } catch (error) {
    if (error instanceof ModuleNotFoundError && error.moduleName === `${appName}.apps`) return undefined;
    throw new ImproperlyConfigured(`The module '${appName}.apps' failed to load: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const classes = Object.values(appsModule).filter(
    (value): value is typeof AppConfig => isAppConfigClass(value) && value !== AppConfig && value.default !== false,
  );
  const explicit = classes.filter((c) => c.default === true);
  if (explicit.length > 1) {
    throw new ImproperlyConfigured(
      `'${appName}.apps' declares more than one default AppConfig: ${explicit.map((c) => c.name).join(', ')}. Keep \`static default = true\` on one.`,
    );
  }
  if (explicit.length === 1) return explicit[0];
  return classes.length === 1 ? classes[0] : undefined;
}

function instantiate(
  configClass: typeof AppConfig,
  module: Record<string, unknown> | undefined,
  appName?: string,
): AppConfig {
  const config = new configClass();
  if (config.name === '' && appName !== undefined) config.name = appName;
  if (module !== undefined) config.module = module;
  if (config.name !== '' && Object.keys(config.module).length === 0) {
    config.module = loadAppModule(config.name) ?? {};
  }
  config.setup();
  return config;
}
