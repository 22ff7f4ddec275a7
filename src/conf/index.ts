/**
 * `tsgi/conf`: the project's settings, as Django's `django.conf.settings`.
 *
 * `settings` is lazy: the module named by `TSGI_SETTINGS_MODULE` is loaded on the first read,
 * its UPPER_CASE exports laid over the defaults of global-settings.ts. `settings.configure()`
 * sets them without a module; `overrideSettings()` changes them for a test and fires
 * `settingChanged`.
 */
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { importModule, ModuleNotFoundError } from '../utils/module-loading.ts';
import { globalSettings, LIST_SETTINGS } from './global-settings.ts';
import type { Settings } from './global-settings.ts';
import { settingChanged } from './signals.ts';

export type {
  Settings,
  LoggingConfig,
  LoggingHandlerConfig,
  LoggerConfig,
  TemplateEngineConfig,
  DatabaseConfig,
} from './global-settings.ts';
import { describe } from '../gateway/describe.ts';
export { globalSettings } from './global-settings.ts';
export { settingChanged } from './signals.ts';
export type { SettingChangedEvent } from './signals.ts';

/** The environment variable that names the settings module. */
export const ENVIRONMENT_VARIABLE = 'TSGI_SETTINGS_MODULE';

const UPPER = /^[A-Z][A-Z0-9_]*$/;

/**
 * Bumped whenever the values of any settings object change (first load, `configure()`,
 * `settings.X = ...`, an override and its restore), so that code on the request path can keep
 * settings in plain variables and re-read them only when this number moved: reading through the
 * settings proxy costs a regex and several calls per read.
 */
let generation = 0;

/**
 * The current settings generation: a number that changes whenever settings values change. For
 * caches on the request path; `fromSettings()` is the simpler way to use it.
 */
export function settingsGeneration(): number {
  return generation;
}

/** A function that undoes an override; also disposable, for `using`. */
export type RestoreSettings = (() => void) & Disposable;

function copyDefaults(): Record<string, unknown> {
  return structuredClone({ ...globalSettings }) as Record<string, unknown>;
}

/**
 * The settings object. Use the shared `settings` instance; a new one is only useful in tests of
 * the settings machinery itself.
 */
export class LazySettings {
  /** The merged values: defaults, then the module or configure() values, then overrides. */
  #values: Record<string, unknown> | undefined;
  #base: Record<string, unknown> = {};
  #explicit = new Set<string>();
  #overrides: Array<Record<string, unknown>> = [];
  #loading = false;

  /** Whether settings have been loaded or configured. */
  get configured(): boolean {
    return this.#values !== undefined;
  }

  #setup(name: string): Record<string, unknown> {
    if (this.#values !== undefined) return this.#values;
    const moduleName = process.env[ENVIRONMENT_VARIABLE];
    if (moduleName === undefined || moduleName === '') {
      throw new ImproperlyConfigured(
        `Requested setting ${name}, but settings are not configured. Set the environment variable ` +
          `${ENVIRONMENT_VARIABLE} to your settings module (for example ${ENVIRONMENT_VARIABLE}=markup.settings), ` +
          'or call settings.configure() before reading settings.',
      );
    }
    if (this.#loading) {
      throw new ImproperlyConfigured(
        `Requested setting ${name} while the settings module '${moduleName}' is still loading: a settings module ` +
          'cannot read settings; compute the value from its own variables instead.',
      );
    }
    let module: Record<string, unknown>;
    this.#loading = true;
    try {
      module = importModule(moduleName);
    } catch (error) {
      const fix =
        error instanceof ModuleNotFoundError
          ? ` Check ${ENVIRONMENT_VARIABLE} and the project root.`
          : ` Fix the settings module.`;
      throw new ImproperlyConfigured(
        `The settings module '${moduleName}' (from ${ENVIRONMENT_VARIABLE}) could not be loaded: ` +
          `${(error as Error).message}${fix}`,
        { cause: error },
      );
    } finally {
      this.#loading = false;
    }
    const user: Record<string, unknown> = {};
    for (const key of Object.keys(module)) {
      if (UPPER.test(key)) user[key] = module[key];
    }
    user.SETTINGS_MODULE = moduleName;
    this.#install(user, `the settings module '${moduleName}'`);
    return this.#values!;
  }

  #install(user: Record<string, unknown>, source: string): void {
    for (const key of LIST_SETTINGS) {
      if (key in user && !Array.isArray(user[key])) {
        const value = user[key];
        const example = typeof value === 'string' ? `[${JSON.stringify(value)}]` : '[...]';
        throw new ImproperlyConfigured(
          `The ${key} setting must be a list (an array), but ${source} sets it to ${describe(value)}. ` +
            `Write ${key} = ${example}.`,
        );
      }
    }
    this.#base = { ...copyDefaults(), ...user };
    this.#explicit = new Set(Object.keys(user));
    this.#merge();
  }

  #merge(): void {
    this.#values = Object.assign({}, this.#base, ...this.#overrides);
    generation++;
  }

  /**
   * Configures settings without a settings module. Call it once, before any setting is read.
   *
   * @example
   * settings.configure({ DEBUG: true, ALLOWED_HOSTS: ['localhost'], ROOT_URLCONF: 'app.urls' });
   */
  configure(values: Partial<Settings> = {}): void {
    if (this.#values !== undefined) {
      throw new ImproperlyConfigured(
        'Settings are already configured: call settings.configure() once, before any setting is read ' +
          '(use overrideSettings() to change settings in tests).',
      );
    }
    for (const key of Object.keys(values)) {
      if (!UPPER.test(key)) {
        throw new ImproperlyConfigured(`Setting '${key}' must be uppercase: write '${key.toUpperCase()}'.`);
      }
    }
    this.#install({ ...values }, 'settings.configure()');
  }

  /** Reads a setting (the Proxy routes `settings.NAME` here). */
  get(name: string): unknown {
    const values = this.#setup(name);
    const value = values[name];
    if (name === 'SECRET_KEY' && (value === '' || value === undefined || value === null)) {
      throw new ImproperlyConfigured(
        'The SECRET_KEY setting must not be empty. Set SECRET_KEY in your settings to a long random string, ' +
          "for example the output of: node -e \"console.log(require('node:crypto').randomBytes(50).toString('base64url'))\"",
      );
    }
    return value;
  }

  /** Sets a setting for the rest of the process (as Django's `settings.X = ...`). */
  set(name: string, value: unknown): void {
    this.#setup(name);
    this.#base[name] = value;
    this.#explicit.add(name);
    this.#merge();
  }

  /** Whether the settings module or `configure()` set this setting explicitly. */
  isOverridden(name: string): boolean {
    this.#setup(name);
    return this.#explicit.has(name);
  }

  /** Every setting and its value (SECRET_KEY raw, even if empty), e.g. for the debug page. */
  entries(): Array<[string, unknown]> {
    return Object.entries(this.#setup('(all settings)')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Overrides settings until the returned function is called (or, with `using`, the scope ends),
   * firing `settingChanged` for each setting on both edges. Overrides nest and may be restored in
   * any order.
   *
   * @example
   * using _ = settings.override({ DEBUG: true });
   */
  override(values: Partial<Settings>): RestoreSettings {
    this.#setup(Object.keys(values)[0] ?? '(override)');
    for (const key of Object.keys(values)) {
      if (!UPPER.test(key)) {
        throw new ImproperlyConfigured(`Setting '${key}' must be uppercase: write '${key.toUpperCase()}'.`);
      }
    }
    const layer = { ...values } as Record<string, unknown>;
    this.#overrides.push(layer);
    this.#merge();
    for (const [setting, value] of Object.entries(layer)) {
      settingChanged.send(this, { setting, value, enter: true });
    }
    let restored = false;
    const restore = () => {
      if (restored) return;
      restored = true;
      const index = this.#overrides.indexOf(layer);
      if (index !== -1) this.#overrides.splice(index, 1);
      this.#merge();
      for (const setting of Object.keys(layer)) {
        settingChanged.send(this, { setting, value: this.#values![setting], enter: false });
      }
    };
    return Object.assign(restore, { [Symbol.dispose]: restore });
  }
}

/** The settings object type: the known settings, user settings, and the LazySettings methods. */
export type SettingsObject = Settings & LazySettings;

/** Wraps a LazySettings so `settings.NAME` reads (and assigns) settings. */
export function createSettingsProxy(target: LazySettings = new LazySettings()): SettingsObject {
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'string' && UPPER.test(prop)) return t.get(prop);
      const value = Reflect.get(t, prop);
      return typeof value === 'function' ? value.bind(t) : value;
    },
    set(t, prop, value) {
      if (typeof prop === 'string' && UPPER.test(prop)) {
        t.set(prop, value);
        return true;
      }
      return false;
    },
    has(t, prop) {
      if (typeof prop === 'string' && UPPER.test(prop)) return t.entries().some(([k]) => k === prop);
      return Reflect.has(t, prop);
    },
  }) as SettingsObject;
}

/**
 * The project's settings.
 *
 * @example
 * import { settings } from 'tsgi/conf';
 * if (settings.DEBUG) console.log(settings.ALLOWED_HOSTS);
 */
export const settings: SettingsObject = createSettingsProxy();

/**
 * A function returning a value computed from settings, recomputed only after settings changed
 * (any load, assignment or override: see `generation`). For the request path, where the settings
 * proxy is too slow to read on every request. `compute` must depend on settings only; when it
 * throws (settings not configured, say) nothing is kept and the next call tries again.
 *
 * @example
 * const allowedHosts = fromSettings(() => settings.ALLOWED_HOSTS);
 * allowedHosts(); // read once per settings change
 */
export function fromSettings<T>(compute: () => T): () => T {
  let seen = -1;
  let value: T;
  return () => {
    if (seen !== generation) {
      value = compute();
      // Read after compute(): the first read may load the settings, which moves the generation.
      seen = generation;
    }
    return value;
  };
}

/**
 * Overrides settings for a test; returns the function that restores them (also usable with
 * `using`). Fires `settingChanged` so caches derived from settings clear.
 *
 * @example
 * const restore = overrideSettings({ ROOT_URLCONF: 'tests.urls' });
 * try { ... } finally { restore(); }
 */
export function overrideSettings(values: Partial<Settings>): RestoreSettings {
  return settings.override(values);
}
