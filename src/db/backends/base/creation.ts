/**
 * The test databases of a backend (Django's `BaseDatabaseCreation`): what `manage.ts test`
 * creates for each alias, migrates, clones once per test process and destroys. A creation
 * works on settings alone (a `DATABASES` entry with its defaults), never through the project's
 * connections, so that it can run while they point at the test databases.
 */
import type { DatabaseSettings } from './wrapper.ts';

export interface DatabaseCreation {
  /** The settings the processes of the run use for a database named `name` (its clone or the test database). */
  settingsFor(name: string): DatabaseSettings;
  /** The test database's name: TEST.NAME, or the backend's default. */
  readonly testName: string;
  /** The name of a test process's copy of the test database. */
  cloneName(suffix: string): string;
  /** Whether a database of this name exists. */
  exists(name: string): Promise<boolean>;
  /** Creates an empty database (SQLite: removes any file of that name); `DatabaseExists` when it exists. */
  create(name: string): Promise<void>;
  /** Copies the database `source` to a new `target` (nobody may be connected to `source`). */
  clone(source: string, target: string): Promise<void>;
  /** Drops a database, if it exists (connections to it are ended). */
  destroy(name: string): Promise<void>;
}

/** A test database already exists (a run that was killed, or `--keepdb`). */
export class DatabaseExists extends Error {
  readonly databaseName: string;
  constructor(name: string) {
    super(`The database '${name}' already exists.`);
    this.databaseName = name;
  }
}
