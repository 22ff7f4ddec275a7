/**
 * The test databases of a `manage.ts test` run (Django's `DiscoverRunner.setup_databases` and
 * `teardown_databases`): for each database of DATABASES, its test database created (or reused
 * with `keepdb`), migrated with the tables of apps without migrations (postMigrate sent), and
 * destroyed at the end with every per-process copy the run made (see ./preload.ts).
 *
 * The run is described to its processes by the environment variable TSGI_TEST_RUN (the run's
 * temporary folder and the test databases); each test process copies the test databases and
 * points DATABASES at its copies through TSGI_TEST_DATABASES (src/db/connections.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { overrideSettings, settings } from '../conf/index.ts';
import type { DatabaseConfig } from '../conf/global-settings.ts';
import { DatabaseExists, type DatabaseCreation } from '../db/backends/base/creation.ts';
import type { DatabaseSettings } from '../db/backends/base/wrapper.ts';
import { PostgresCreation } from '../db/backends/postgresql/creation.ts';
import { SqliteCreation } from '../db/backends/sqlite3/creation.ts';
import { connections, loadBackend, normalizeDatabaseSettings, TEST_DATABASES_ENV } from '../db/connections.ts';

/** The variable describing the run to its test processes. */
export const TEST_RUN_ENV = 'TSGI_TEST_RUN';

/** One test database of a run, as its processes are told. */
export interface RunDatabase {
  alias: string;
  vendor: string;
  /** The test database's own name (the source of the processes' copies). */
  testName: string;
  /** The settings to reach it. */
  settings: DatabaseSettings;
  /** The aliases whose TEST.MIRROR is this one: they use the same database. */
  mirrors: string[];
}

/** What TSGI_TEST_RUN holds. */
export interface TestRun {
  /** The run's temporary folder: SQLite copies, and a record of each copy made (clones/). */
  dir: string;
  databases: RunDatabase[];
}

/** What the set-up says and asks. */
export interface SetupIO {
  /** Messages (Django writes them to stderr). */
  log(message: string): void;
  /** Asks the user; undefined when `interactive` is off. */
  prompt?: (question: string) => Promise<string>;
}

/** Options of {@link setupTestDatabases}. */
export interface SetupOptions {
  keepdb: boolean;
  interactive: boolean;
  verbosity: number;
  io: SetupIO;
}

/** The test run was cancelled (the user said no): exit code 1, as Django's. */
export class TestsCancelled extends Error {
  constructor() {
    super('Tests cancelled.');
  }
}

/** The creation of a database's test databases, by its backend. */
export function creationFor(vendor: string, settingsDict: DatabaseSettings, dir: string): DatabaseCreation {
  if (vendor === 'sqlite') return new SqliteCreation(settingsDict, dir);
  if (vendor === 'postgresql') return new PostgresCreation(settingsDict);
  throw new Error(
    `The database backend '${settingsDict.ENGINE}' (vendor '${vendor}') cannot make test databases: manage.ts test supports SQLite and PostgreSQL.`,
  );
}

function display(alias: string, name: string, verbosity: number): string {
  return `'${alias}'${verbosity >= 2 ? ` ('${name}')` : ''}`;
}

/** Creates, or reuses, one test database; false when the user declined to drop a leftover one. */
async function createTestDatabase(
  alias: string,
  creation: DatabaseCreation,
  options: SetupOptions,
): Promise<'created' | 'kept'> {
  const name = creation.testName;
  const { io, verbosity } = options;
  if (options.keepdb && (await creation.exists(name))) {
    if (verbosity >= 1) io.log(`Using existing test database for alias ${display(alias, name, verbosity)}...`);
    return 'kept';
  }
  if (verbosity >= 1) io.log(`Creating test database for alias ${display(alias, name, verbosity)}...`);
  try {
    if (await creation.exists(name)) throw new DatabaseExists(name);
    await creation.create(name);
    return 'created';
  } catch (error) {
    if (!(error instanceof DatabaseExists)) throw error;
  }
  io.log(`Got an error creating the test database: database "${name}" already exists`);
  if (options.interactive && io.prompt !== undefined) {
    const answer = await io.prompt(
      `Type 'yes' if you would like to try deleting the test database '${name}', or 'no' to cancel: `,
    );
    if (answer.trim() !== 'yes') throw new TestsCancelled();
  }
  if (verbosity >= 1) io.log(`Destroying old test database for alias ${display(alias, name, verbosity)}...`);
  await creation.destroy(name);
  await creation.create(name);
  return 'created';
}

/**
 * Creates and migrates the test databases of DATABASES into `run` (its folder made by the
 * caller), to hand to the test processes. `teardownTestDatabases(run)` undoes it: call it even
 * when this throws (what was made so far is in `run`).
 */
export async function setupTestDatabases(run: TestRun, options: SetupOptions): Promise<void> {
  const { migrate } = await import('../db/migrations/project.ts');
  const configured = (settings.DATABASES ?? {}) as Record<string, DatabaseConfig>;
  mkdirSync(path.join(run.dir, 'clones'), { recursive: true });
  const mirrors = new Map<string, string[]>();
  for (const alias of Object.keys(configured)) {
    const target = normalizeDatabaseSettings(alias, configured[alias]).TEST['MIRROR'];
    if (typeof target !== 'string' || target === '') continue;
    if (!(target in configured)) {
      throw new Error(
        `DATABASES['${alias}'].TEST.MIRROR is '${target}', which is not in DATABASES (${Object.keys(configured).join(', ')}).`,
      );
    }
    mirrors.set(target, [...(mirrors.get(target) ?? []), alias]);
  }
  for (const alias of Object.keys(configured)) {
    const settingsDict = normalizeDatabaseSettings(alias, configured[alias]);
    if (typeof settingsDict.TEST['MIRROR'] === 'string' && settingsDict.TEST['MIRROR'] !== '') continue;
    const vendor = new (loadBackend(alias, settingsDict.ENGINE))(alias, settingsDict).vendor;
    const creation = creationFor(vendor, settingsDict, run.dir);
    // Two aliases of one database (same server and name) share its test database, as Django's
    // test signature makes them.
    const same = run.databases.find(
      (db) =>
        db.vendor === vendor &&
        db.testName === creation.testName &&
        db.settings.HOST === settingsDict.HOST &&
        db.settings.PORT === settingsDict.PORT,
    );
    if (same !== undefined) {
      same.mirrors.push(alias, ...(mirrors.get(alias) ?? []));
      continue;
    }
    await createTestDatabase(alias, creation, options);
    run.databases.push({
      alias,
      vendor,
      testName: creation.testName,
      settings: creation.settingsFor(creation.testName),
      mirrors: mirrors.get(alias) ?? [],
    });
  }
  // Migrated with the project's connections pointed at the test databases, then closed: a
  // PostgreSQL database cannot be copied while someone is connected to it.
  const restore = overrideSettings({ DATABASES: testDatabases(configured, run, undefined) });
  try {
    for (const db of run.databases) {
      await migrate(undefined, {
        using: db.alias,
        runSyncdb: true,
        verbosity: Math.max(options.verbosity - 1, 0),
        interactive: false,
      });
    }
  } finally {
    await connections.closeAll();
    restore();
    await connections.reset();
  }
}

/**
 * DATABASES' overrides pointing each alias (and its mirrors) at a test database, or at the
 * process's copies (`names`: alias -> name of its copy).
 */
export function testDatabaseOverrides(
  run: TestRun,
  names: Map<string, string> | undefined,
): Record<string, DatabaseConfig> {
  const overrides: Record<string, DatabaseConfig> = {};
  for (const db of run.databases) {
    const NAME = names?.get(db.alias) ?? db.testName;
    overrides[db.alias] = { NAME } as DatabaseConfig;
    for (const mirror of db.mirrors) overrides[mirror] = { ...(db.settings as DatabaseConfig), NAME };
  }
  return overrides;
}

function testDatabases(
  configured: Record<string, DatabaseConfig>,
  run: TestRun,
  names: Map<string, string> | undefined,
): Record<string, DatabaseConfig> {
  const result = { ...configured };
  for (const [alias, override] of Object.entries(testDatabaseOverrides(run, names))) {
    result[alias] = { ...configured[alias], ...override } as DatabaseConfig;
  }
  return result;
}

/** The environment of the test processes. */
export function runEnvironment(run: TestRun): Record<string, string> {
  return {
    [TEST_RUN_ENV]: JSON.stringify(run),
    [TEST_DATABASES_ENV]: JSON.stringify(testDatabaseOverrides(run, undefined)),
  };
}

/** One copy of a test database made by a test process, recorded before it is made. */
export interface CloneRecord {
  vendor: string;
  settings: DatabaseSettings;
  name: string;
}

/**
 * Drops the copies the test processes made (recorded in the run's folder, so that those of a
 * process that crashed go too) and, unless kept, the test databases. Never throws: each
 * failure is logged and the others are still dropped.
 */
export async function teardownTestDatabases(
  run: TestRun,
  options: { keepdb: boolean; verbosity: number; io: SetupIO },
): Promise<void> {
  const { io, verbosity } = options;
  const records = path.join(run.dir, 'clones');
  const files = existsSync(records) ? readdirSync(records).filter((f) => f.endsWith('.json')) : [];
  for (const file of files) {
    try {
      const record = JSON.parse(readFileSync(path.join(records, file), 'utf8')) as CloneRecord;
      await creationFor(record.vendor, record.settings, run.dir).destroy(record.name);
    } catch (error) {
      io.log(`Got an error destroying a copy of a test database (${file}): ${(error as Error).message}`);
    }
  }
  for (const db of run.databases) {
    if (options.keepdb) {
      if (verbosity >= 1) io.log(`Preserving test database for alias ${display(db.alias, db.testName, verbosity)}...`);
      continue;
    }
    if (verbosity >= 1) io.log(`Destroying test database for alias ${display(db.alias, db.testName, verbosity)}...`);
    try {
      await creationFor(db.vendor, db.settings, run.dir).destroy(db.testName);
    } catch (error) {
      io.log(`Got an error destroying the test database '${db.testName}': ${(error as Error).message}`);
    }
  }
}
