/**
 * The loader, as Django's `MigrationLoader`: finds the migration files of the installed apps
 * (`<app>/migrations/*.ts`), loads them, builds the graph of their dependencies (squashed
 * migrations standing for what they replace when they can), and reads which ones a database
 * has applied.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { apps } from '../../apps/registry.ts';
import type { BaseDatabaseWrapper } from '../backends/base/wrapper.ts';
import { MigrationGraph, NodeNotFoundError } from './graph.ts';
import { keyName, Migration, type MigrationKey } from './migration.ts';
import { MigrationRecorder, type AppliedMigration } from './recorder.ts';
import { ProjectState } from './state.ts';

/** A migration file that cannot be used: its path and why. */
export class BadMigrationError extends Error {
  override name = 'BadMigrationError';
}

/** Two migrations of one app are both its latest: they must be merged. */
export class InconsistentMigrationHistory extends Error {
  override name = 'InconsistentMigrationHistory';
}

/**
 * The migration files of a folder, by migration name: `.ts` files, and `.js` ones where there is
 * no `.ts` of the same name (an app shipped compiled, as tsgi's own in its package). Names
 * starting with `_`, `.` or `~`, declaration files and `index` are not migrations.
 */
export function migrationFiles(folder: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(folder)) return out;
  for (const file of readdirSync(folder).sort()) {
    const match = /^([^_.~][^.]*)\.(ts|mts|js|mjs)$/.exec(file);
    if (match === null || match[1] === 'index') continue;
    const name = match[1]!;
    const typescript = match[2] === 'ts' || match[2] === 'mts';
    if (out.has(name) && !typescript) continue;
    out.set(name, path.join(folder, file));
  }
  return out;
}

/** The migrations folder of an installed app. */
export function migrationsFolder(appPath: string): string {
  return path.join(appPath, 'migrations');
}

function looksLikeMigration(value: unknown): value is Migration {
  return (
    value instanceof Migration ||
    (value !== null &&
      typeof value === 'object' &&
      Array.isArray((value as Migration).operations) &&
      typeof (value as Migration).apply === 'function')
  );
}

export interface LoaderOptions {
  /** The database whose applied migrations are read (none: only the files). */
  wrapper?: BaseDatabaseWrapper;
  /** Read the squashed migrations as they are, replacing nothing (squashmigrations). */
  replaceMigrations?: boolean;
}

export class MigrationLoader {
  readonly wrapper: BaseDatabaseWrapper | undefined;
  /** Every migration on disk, by `app.name`. */
  readonly diskMigrations = new Map<string, Migration>();
  /** Apps with a migrations folder, and apps without. */
  readonly migratedApps = new Set<string>();
  readonly unmigratedApps = new Set<string>();
  /** The applied migrations, by `app.name` (empty without a database). */
  appliedMigrations = new Map<string, AppliedMigration | Migration>();
  graph = new MigrationGraph();
  readonly replaceMigrations: boolean;

  private constructor(options: LoaderOptions) {
    this.wrapper = options.wrapper;
    this.replaceMigrations = options.replaceMigrations !== false;
  }

  /** Loads the migration files of the installed apps and, with a database, what it applied. */
  static async load(options: LoaderOptions = {}): Promise<MigrationLoader> {
    const loader = new MigrationLoader(options);
    await loader.loadDisk();
    await loader.buildGraph();
    return loader;
  }

  async loadDisk(): Promise<void> {
    this.diskMigrations.clear();
    for (const config of apps.getAppConfigs()) {
      const folder = migrationsFolder(config.path);
      if (!existsSync(folder)) {
        this.unmigratedApps.add(config.label);
        continue;
      }
      this.migratedApps.add(config.label);
      for (const [name, file] of migrationFiles(folder)) {
        let module: Record<string, unknown>;
        try {
          module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        } catch (error) {
          throw new BadMigrationError(
            `The migration ${config.label}.${name} (${file}) failed to load: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        const migration = module.default;
        if (!looksLikeMigration(migration)) {
          throw new BadMigrationError(
            `The migration file ${file} has no default export of a Migration: end it with \`export default new Migration({ dependencies, operations })\` (docs/migrations.md).`,
          );
        }
        migration.appLabel = config.label;
        migration.name = name;
        this.diskMigrations.set(keyName([config.label, name]), migration);
      }
    }
  }

  /** A dependency key with `__first__` and `__latest__` resolved, or undefined for an app without migrations. */
  #resolveKey(key: MigrationKey, origin: Migration): MigrationKey | undefined {
    const [app, name] = key;
    if (app === origin.appLabel && name === '__first__') return undefined;
    if (name === '__first__' || name === '__latest__') {
      if (this.unmigratedApps.has(app)) return undefined;
      if (!this.migratedApps.has(app)) {
        throw new NodeNotFoundError(
          `Migration ${origin.toString()} depends on the app '${app}', which is not installed or has no migrations: add it to INSTALLED_APPS.`,
          key,
        );
      }
      const nodes = name === '__first__' ? this.graph.rootNodes(app) : this.graph.leafNodes(app);
      if (nodes.length === 0)
        throw new NodeNotFoundError(
          `Migration ${origin.toString()} depends on ${app}.${name}, but ${app} has no migrations.`,
          key,
        );
      return nodes[0];
    }
    return key;
  }

  async buildGraph(): Promise<void> {
    if (this.wrapper !== undefined) {
      this.appliedMigrations = new Map(await new MigrationRecorder(this.wrapper).appliedMigrations());
    }
    const graph = new MigrationGraph();
    this.graph = graph;
    for (const migration of this.diskMigrations.values()) graph.addNode(migration);
    // Dependencies within an app first, so that __first__ and __latest__ find their nodes.
    const all = [...this.diskMigrations.values()];
    const internal = (m: Migration) => m.resolvedDependencies().filter(([app]) => app === m.appLabel);
    const external = (m: Migration) => m.resolvedDependencies().filter(([app]) => app !== m.appLabel);
    for (const migration of all) {
      for (const dependency of internal(migration)) {
        const parent = this.#resolveKey(dependency, migration);
        if (parent !== undefined) graph.addDependency(migration, migration.key, parent);
      }
    }
    for (const migration of all) {
      for (const dependency of external(migration)) {
        const parent = this.#resolveKey(dependency, migration);
        if (parent !== undefined) graph.addDependency(migration, migration.key, parent);
      }
      for (const before of migration.runBefore) {
        const child = this.#resolveKey(before, migration);
        if (child !== undefined) graph.addDependency(migration, child, migration.key);
      }
    }
    if (this.replaceMigrations) {
      for (const migration of all) {
        if (migration.replaces.length === 0) continue;
        const applied = migration.replaces.map((k) => this.appliedMigrations.has(keyName(k)));
        const name = keyName(migration.key);
        if (applied.every(Boolean)) this.appliedMigrations.set(name, migration);
        else this.appliedMigrations.delete(name);
        if (applied.every(Boolean) || !applied.some(Boolean))
          graph.removeReplacedNodes(migration.key, migration.replaces);
        else graph.removeReplacementNode(migration.key, migration.replaces);
      }
    }
    graph.ensureNotCyclic();
  }

  /** A migration by app and name. */
  getMigration(app: string, name: string): Migration {
    return this.graph.get([app, name]);
  }

  /** The migration of an app whose name starts with `prefix` (`0002`). @throws naming the ambiguity or the absence. */
  getMigrationByPrefix(app: string, prefix: string): Migration {
    const found = [...this.diskMigrations.values()].filter((m) => m.appLabel === app && m.name.startsWith(prefix));
    if (found.length > 1) {
      throw new AmbiguityError(
        `There is more than one migration for '${app}' with the prefix '${prefix}': ${found.map((m) => m.name).join(', ')}.`,
      );
    }
    if (found.length === 0)
      throw new KeyNotFoundError(`Cannot find a migration matching '${prefix}' from app '${app}'.`);
    return found[0]!;
  }

  /** Apps with more than one latest migration: they need a merge. */
  detectConflicts(): Map<string, string[]> {
    const latest = new Map<string, string[]>();
    for (const [app, name] of this.graph.leafNodes()) {
      const list = latest.get(app) ?? [];
      list.push(name);
      latest.set(app, list);
    }
    return new Map([...latest].filter(([, names]) => names.length > 1));
  }

  /**
   * Refuses a history where a migration is applied but one it depends on is not (Django's
   * check_consistent_history).
   */
  checkConsistentHistory(): void {
    for (const name of this.appliedMigrations.keys()) {
      const [app, migrationName] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
      if (!this.graph.has([app, migrationName])) continue;
      for (const parent of this.graph.parents([app, migrationName])) {
        if (this.appliedMigrations.has(keyName(parent))) continue;
        const replaced = this.graph.get(parent).replaces;
        if (replaced.length > 0 && replaced.some((k) => this.appliedMigrations.has(keyName(k)))) continue;
        throw new InconsistentMigrationHistory(
          `Migration ${name} is applied before its dependency ${keyName(parent)} on database '${this.wrapper?.alias ?? 'default'}'.`,
        );
      }
    }
  }

  /**
   * The state after the given migrations (every app's latest by default), with the models of
   * the apps without migrations as they are (Django's real apps).
   */
  projectState(nodes?: readonly MigrationKey[], atEnd = true): ProjectState {
    const state = this.graph.makeState(nodes ?? this.graph.leafNodes(), atEnd, this.unmigratedApps);
    const real = ProjectState.fromApps(this.unmigratedApps);
    for (const [key, model] of real.models) if (!state.models.has(key)) state.models.set(key, model);
    return state;
  }
}

/** A migration prefix matches several migrations. */
export class AmbiguityError extends Error {
  override name = 'AmbiguityError';
}

/** A migration prefix matches none. */
export class KeyNotFoundError extends Error {
  override name = 'KeyNotFoundError';
}
