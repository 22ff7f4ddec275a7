/**
 * The databases of `DATABASES`, as Django's `django.db.connections`: one wrapper per alias and
 * process, made from the settings on first use (a wrong ENGINE is reported then, naming the
 * setting and the fix) and dropped when `DATABASES` changes. Connections themselves are opened
 * lazily by the wrappers; which one a query uses is the transaction layer's business
 * (transaction.ts).
 */
import { fromSettings, settings, settingChanged } from '../conf/index.ts';
import type { DatabaseConfig } from '../conf/global-settings.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { enableRequestScopes } from '../core/request-scope.ts';
import { getLogger } from '../utils/log.ts';
import { importModule, ModuleNotFoundError } from '../utils/module-loading.ts';
import { closestName } from '../utils/suggest.ts';
import type { BaseDatabaseWrapper, DatabaseSettings } from './backends/base/wrapper.ts';

/** The alias queries use unless told otherwise. */
export const DEFAULT_DB_ALIAS = 'default';

/** The backends tsgi ships, and Django's names for them. */
const BUILTIN_ENGINES: Record<string, string> = {
  'tsgi.db.backends.sqlite3': 'tsgi.db.backends.sqlite3',
  'tsgi.db.backends.postgresql': 'tsgi.db.backends.postgresql',
  'django.db.backends.sqlite3': 'tsgi.db.backends.sqlite3',
  'django.db.backends.postgresql': 'tsgi.db.backends.postgresql',
  'django.db.backends.postgresql_psycopg2': 'tsgi.db.backends.postgresql',
};

type WrapperClass = new (alias: string, settingsDict: DatabaseSettings) => BaseDatabaseWrapper;

/** A `DATABASES` entry with its defaults filled in (Django's `ConnectionHandler.ensure_defaults`). */
export function normalizeDatabaseSettings(alias: string, entry: DatabaseConfig | undefined): DatabaseSettings {
  if (entry === undefined || entry === null || typeof entry !== 'object') {
    throw new ImproperlyConfigured(
      `The database '${alias}' is not in DATABASES: add DATABASES = { ${alias}: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: path.join(BASE_DIR, 'db.sqlite3') } } ` +
        `to your settings (or databaseUrl() from tsgi/db).`,
    );
  }
  if (typeof entry.ENGINE !== 'string' || entry.ENGINE === '') {
    throw new ImproperlyConfigured(
      `DATABASES['${alias}'] has no ENGINE: set ENGINE to 'tsgi.db.backends.sqlite3' or 'tsgi.db.backends.postgresql'.`,
    );
  }
  const maxAge = entry.CONN_MAX_AGE === undefined ? 0 : entry.CONN_MAX_AGE;
  if (maxAge !== null && (typeof maxAge !== 'number' || !(maxAge >= 0))) {
    throw new ImproperlyConfigured(
      `DATABASES['${alias}'].CONN_MAX_AGE is ${JSON.stringify(maxAge)}: use a number of seconds (0 for none) or null (no limit).`,
    );
  }
  return {
    ENGINE: entry.ENGINE,
    NAME: entry.NAME ?? '',
    USER: entry.USER ?? '',
    PASSWORD: entry.PASSWORD ?? '',
    HOST: entry.HOST ?? '',
    PORT: entry.PORT === undefined || entry.PORT === null ? '' : String(entry.PORT),
    OPTIONS: { ...(entry.OPTIONS ?? {}) },
    CONN_MAX_AGE: maxAge,
    CONN_HEALTH_CHECKS: entry.CONN_HEALTH_CHECKS === true,
    ATOMIC_REQUESTS: entry.ATOMIC_REQUESTS === true,
    TEST: { ...(entry.TEST ?? {}) },
  };
}

/** The wrapper class of an ENGINE, or a one-sentence error naming the setting and the fix. */
export function loadBackend(alias: string, engine: string): WrapperClass {
  const dotted = BUILTIN_ENGINES[engine] ?? engine;
  let module: Record<string, unknown>;
  try {
    module = importModule(dotted);
  } catch (error) {
    if (error instanceof ModuleNotFoundError && error.moduleName === dotted) {
      const last = engine.slice(engine.lastIndexOf('.') + 1);
      const hint = closestName(last, ['sqlite3', 'postgresql']);
      throw new ImproperlyConfigured(
        `DATABASES['${alias}'].ENGINE is '${engine}', which is not a database backend: ` +
          (hint !== undefined
            ? `did you mean 'tsgi.db.backends.${hint}'?`
            : `use 'tsgi.db.backends.sqlite3' or 'tsgi.db.backends.postgresql'.`),
      );
    }
    throw new ImproperlyConfigured(
      `The database backend '${engine}' of DATABASES['${alias}'] failed to load: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const wrapper = module.DatabaseWrapper;
  if (typeof wrapper !== 'function') {
    throw new ImproperlyConfigured(
      `DATABASES['${alias}'].ENGINE is '${engine}', whose module has no DatabaseWrapper class: it is not a database backend. ` +
        `Use 'tsgi.db.backends.sqlite3' or 'tsgi.db.backends.postgresql'.`,
    );
  }
  return wrapper as WrapperClass;
}

const databases = fromSettings(() => {
  const value = settings.DATABASES as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImproperlyConfigured(
      `The DATABASES setting must be an object of aliases, as { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: 'db.sqlite3' } }, not ${JSON.stringify(value)}.`,
    );
  }
  return withTestDatabases(value as Record<string, DatabaseConfig>);
});

/** The variable `manage.ts test` points its processes at the test databases with (JSON: alias -> settings over DATABASES'). */
export const TEST_DATABASES_ENV = 'TSGI_TEST_DATABASES';

/**
 * DATABASES as the process sees it: under `manage.ts test`, each alias's settings overlaid with
 * its test database's (read when DATABASES is, never per query).
 */
function withTestDatabases(databases: Record<string, DatabaseConfig>): Record<string, DatabaseConfig> {
  const raw = process.env[TEST_DATABASES_ENV];
  if (raw === undefined || raw === '') return databases;
  let overrides: Record<string, DatabaseConfig>;
  try {
    overrides = JSON.parse(raw) as Record<string, DatabaseConfig>;
  } catch (error) {
    throw new ImproperlyConfigured(
      `The environment variable ${TEST_DATABASES_ENV} is not JSON (${(error as Error).message}): it is set by manage.ts test; unset it to use DATABASES as they are.`,
    );
  }
  const result: Record<string, DatabaseConfig> = { ...databases };
  for (const [alias, override] of Object.entries(overrides)) {
    if (alias in result) result[alias] = { ...result[alias], ...override } as DatabaseConfig;
  }
  return result;
}

/**
 * The databases by alias.
 *
 * @example
 * import { connections } from 'tsgi/db';
 * const db = connections.get('default');
 * await db.execute('SELECT 1');
 */
export class ConnectionHandler {
  #wrappers = new Map<string, BaseDatabaseWrapper>();

  /** The aliases of DATABASES. */
  get aliases(): string[] {
    return Object.keys(databases());
  }

  /** The wrapper of a database, made from its settings on first use. */
  get(alias: string = DEFAULT_DB_ALIAS): BaseDatabaseWrapper {
    const existing = this.#wrappers.get(alias);
    if (existing !== undefined) return existing;
    const settingsDict = normalizeDatabaseSettings(alias, databases()[alias]);
    const Wrapper = loadBackend(alias, settingsDict.ENGINE);
    const wrapper = new Wrapper(alias, settingsDict);
    this.#wrappers.set(alias, wrapper);
    return wrapper;
  }

  /** The wrappers made so far. */
  all(): BaseDatabaseWrapper[] {
    return [...this.#wrappers.values()];
  }

  /** Closes every connection of every database (at shutdown, or between tests). */
  async closeAll(): Promise<void> {
    const wrappers = [...this.#wrappers.values()];
    await Promise.all(wrappers.map((w) => w.close()));
  }

  /** Forgets the wrappers (after DATABASES changed), closing their connections. */
  reset(): Promise<void> {
    const wrappers = [...this.#wrappers.values()];
    this.#wrappers.clear();
    return Promise.all(wrappers.map((w) => w.close())).then(() => undefined);
  }
}

/** The project's databases. */
export const connections = new ConnectionHandler();

// Requests run in scopes (their connections and transactions) from the moment the database layer
// is loaded, which is at boot for a project with models.
enableRequestScopes();

settingChanged.connect(({ setting }) => {
  // The connections' time zone follows USE_TZ and TIME_ZONE (Django closes them too).
  if (setting !== 'DATABASES' && setting !== 'USE_TZ' && setting !== 'TIME_ZONE') return;
  connections.reset().catch((error: unknown) => {
    getLogger('tsgi.db').warning(`Closing the databases after DATABASES changed failed: ${(error as Error).message}`, {
      error,
    });
  });
});
