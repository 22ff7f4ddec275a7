/**
 * The apps registry, as Django's `django.apps.registry.Apps`: loads INSTALLED_APPS once, then
 * runs each app's `ready()` in order (awaiting async ones).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { settings } from '../conf/index.ts';
import { lazyModule } from '../utils/module-loading.ts';
import type * as Suggest from '../utils/suggest.ts';
import { createAppConfig } from './config.ts';
import type { AppConfig } from './config.ts';

// Loaded by the first lookup of an app that is not installed.
const suggest = lazyModule<typeof Suggest>(import.meta.url, '../utils/suggest');

/** Which registry's ready() hooks are running in the current async context. */
const inReadyHook = new AsyncLocalStorage<Apps>();

/** The registry was used before `populate()` finished. */
export class AppRegistryNotReady extends Error {
  override name = 'AppRegistryNotReady';
}

/** No installed app has the asked label. */
export class LookupError extends Error {
  override name = 'LookupError';
}

/**
 * A registry of installed apps. The project's is `apps`; tests may build their own.
 *
 * @example
 * await apps.populate();               // from settings.INSTALLED_APPS
 * apps.getAppConfig('blog').path;      // '/srv/markup/blog'
 */
export class Apps {
  #configs = new Map<string, AppConfig>();
  #populating: Promise<void> | undefined;
  /** True once every AppConfig is created (before the ready() hooks). */
  appsReady = false;
  /** True once every ready() hook has run. */
  ready = false;

  /**
   * Loads the apps (the given entries, or settings.INSTALLED_APPS) and runs their ready()
   * hooks. Idempotent: later calls return the first call's promise.
   */
  populate(installedApps?: readonly unknown[]): Promise<void> {
    if (inReadyHook.getStore() === this) {
      return Promise.reject(new Error("populate() isn't reentrant: an app's ready() hook must not call it."));
    }
    this.#populating ??= this.#populate(installedApps).catch((error: unknown) => {
      // A failed load may be retried once the configuration is fixed.
      this.#populating = undefined;
      throw error;
    });
    return this.#populating;
  }

  async #populate(installedApps: readonly unknown[] | undefined): Promise<void> {
    this.#configs.clear();
    this.appsReady = false;
    const entries = installedApps ?? (settings.INSTALLED_APPS as readonly unknown[]);
    const configs: AppConfig[] = [];
    for (const entry of entries) configs.push(createAppConfig(entry));
    const labels = new Map<string, number>();
    const names = new Map<string, number>();
    for (const c of configs) {
      labels.set(c.label, (labels.get(c.label) ?? 0) + 1);
      names.set(c.name, (names.get(c.name) ?? 0) + 1);
    }
    const dupLabels = [...labels].filter(([, n]) => n > 1).map(([l]) => l);
    const dupNames = [...names].filter(([, n]) => n > 1).map(([l]) => l);
    if (dupNames.length > 0) {
      throw new ImproperlyConfigured(
        `Application names aren't unique, duplicates: ${dupNames.join(', ')}. List each app once in INSTALLED_APPS.`,
      );
    }
    if (dupLabels.length > 0) {
      throw new ImproperlyConfigured(
        `Application labels aren't unique, duplicates: ${dupLabels.join(', ')}. Give one of them another \`label\` in its AppConfig.`,
      );
    }
    for (const c of configs) this.#configs.set(c.label, c);
    this.appsReady = true;
    for (const c of configs) c.importModels();
    for (const c of configs) {
      try {
        await inReadyHook.run(this, () => c.ready());
      } catch (error) {
        throw new Error(`The ready() hook of the app '${c.label}' (${c.name}) failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    this.ready = true;
  }

  /** @throws AppRegistryNotReady until the apps are loaded. */
  checkAppsReady(): void {
    if (!this.appsReady) {
      throw new AppRegistryNotReady(
        "Apps aren't loaded yet: await apps.populate() (getWsgiApplication() does) before using the registry.",
      );
    }
  }

  /** The installed apps, in INSTALLED_APPS order. */
  getAppConfigs(): AppConfig[] {
    this.checkAppsReady();
    return [...this.#configs.values()];
  }

  /** The app with this label. @throws LookupError (with a suggestion) when none. */
  getAppConfig(label: string): AppConfig {
    this.checkAppsReady();
    const config = this.#configs.get(label);
    if (config !== undefined) return config;
    const hint = suggest().closestName(label, this.#configs.keys());
    throw new LookupError(
      `No installed app with label '${label}'.` +
        (hint !== undefined ? ` Did you mean '${hint}'?` : '') +
        ` Installed: ${[...this.#configs.keys()].join(', ') || 'none'}.`,
    );
  }

  /** Whether an app with this dotted name is installed. */
  isInstalled(appName: string): boolean {
    this.checkAppsReady();
    return [...this.#configs.values()].some((c) => c.name === appName);
  }
}

/** The project's apps registry. */
export const apps = new Apps();
