/**
 * `DATABASE_URL`: a database given as one URL, as the twelve-factor apps (and Django's
 * `dj-database-url`) do, so that credentials come from the environment, not from the settings
 * file.
 *
 * @example
 * // settings.ts
 * import { databaseUrl } from 'tsgi/db';
 * export const DATABASES = { default: databaseUrl({ default: 'sqlite:///db.sqlite3' }) };
 * // then: DATABASE_URL=postgres://app:secret@db.internal:5432/app node manage.ts runserver
 */
import path from 'node:path';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import type { DatabaseConfig } from '../conf/global-settings.ts';

const ENGINES: Record<string, string> = {
  sqlite: 'tsgi.db.backends.sqlite3',
  sqlite3: 'tsgi.db.backends.sqlite3',
  postgres: 'tsgi.db.backends.postgresql',
  postgresql: 'tsgi.db.backends.postgresql',
  pgsql: 'tsgi.db.backends.postgresql',
};

/**
 * Parses a database URL into a `DATABASES` entry.
 *
 * - `sqlite:///db.sqlite3` (relative to `baseDir`), `sqlite:////srv/app/db.sqlite3` (absolute),
 *   `sqlite://:memory:`;
 * - `postgres://user:password@host:5432/name?sslmode=require` (`postgresql://` too); a unix
 *   socket folder as the host, percent-encoded (`postgres://%2Fvar%2Frun%2Fpostgresql/name`) or
 *   as `?host=/var/run/postgresql`. Other query parameters go to `OPTIONS`.
 *
 * @example
 * parseDatabaseUrl('postgres://app:s3cret@localhost/app');
 * // { ENGINE: 'tsgi.db.backends.postgresql', NAME: 'app', USER: 'app', PASSWORD: 's3cret', HOST: 'localhost', PORT: '', OPTIONS: {} }
 */
export function parseDatabaseUrl(url: string, options: { baseDir?: string } = {}): DatabaseConfig {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const engine = scheme === undefined ? undefined : ENGINES[scheme];
  if (engine === undefined) {
    throw new ImproperlyConfigured(
      `The database URL ${JSON.stringify(redact(url))} has ${scheme === undefined ? 'no scheme' : `the unknown scheme '${scheme}'`}: ` +
        `write sqlite:///path/to/db.sqlite3 or postgres://user:password@host:5432/name.`,
    );
  }
  if (engine.endsWith('sqlite3')) {
    const rest = url.slice(url.indexOf('://') + 3).replace(/\?.*$/, '');
    let name: string;
    if (rest === ':memory:' || rest === '' || rest === '/:memory:') name = ':memory:';
    else if (rest.startsWith('//')) name = decodeURIComponent(rest.slice(1));
    else if (rest.startsWith('/'))
      name = path.resolve(options.baseDir ?? process.cwd(), decodeURIComponent(rest.slice(1)));
    else {
      throw new ImproperlyConfigured(
        `The SQLite URL ${JSON.stringify(url)} names no file: write sqlite:///relative/db.sqlite3 or sqlite:////absolute/db.sqlite3.`,
      );
    }
    return { ENGINE: engine, NAME: name, OPTIONS: queryOptions(url) };
  }
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^[a-z0-9+.-]+:/i, 'tsgi:'));
  } catch {
    throw new ImproperlyConfigured(
      `The database URL ${JSON.stringify(redact(url))} is not a valid URL: percent-encode special characters of the password (@ as %40, / as %2F).`,
    );
  }
  const opts = queryOptions(url);
  let host = decodeURIComponent(parsed.hostname);
  if (typeof opts.host === 'string') {
    host = opts.host;
    delete opts.host;
  }
  return {
    ENGINE: engine,
    NAME: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    USER: decodeURIComponent(parsed.username),
    PASSWORD: decodeURIComponent(parsed.password),
    HOST: host,
    PORT: parsed.port,
    OPTIONS: opts,
  };
}

function queryOptions(url: string): Record<string, unknown> {
  const query = url.indexOf('?');
  if (query === -1) return {};
  return Object.fromEntries(new URLSearchParams(url.slice(query + 1)));
}

function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1********@');
}

/** Options of {@link databaseUrl}. */
export interface DatabaseUrlOptions {
  /** The environment variable to read (`DATABASE_URL`). */
  env?: string;
  /** The URL used when the variable is unset. Without it, an unset variable is an error. */
  default?: string;
  /** Where relative SQLite paths start (the current folder). */
  baseDir?: string;
  /** Copied into the entry: `CONN_MAX_AGE`, `CONN_HEALTH_CHECKS`, `ATOMIC_REQUESTS`, `OPTIONS`... */
  extra?: Partial<DatabaseConfig>;
}

/**
 * A `DATABASES` entry from the `DATABASE_URL` environment variable (or another one), falling
 * back to `default`.
 *
 * @example
 * export const DATABASES = {
 *   default: databaseUrl({ default: `sqlite:///${BASE_DIR}/db.sqlite3`, extra: { CONN_MAX_AGE: 60 } }),
 * };
 */
export function databaseUrl(options: DatabaseUrlOptions = {}): DatabaseConfig {
  const env = options.env ?? 'DATABASE_URL';
  const url = process.env[env] || options.default;
  if (url === undefined) {
    throw new ImproperlyConfigured(
      `The environment variable ${env} is not set and databaseUrl() has no default: set ${env}=postgres://user:password@host/name, ` +
        `or pass databaseUrl({ default: 'sqlite:///db.sqlite3' }).`,
    );
  }
  const config = parseDatabaseUrl(url, { baseDir: options.baseDir });
  const extra = options.extra ?? {};
  return { ...config, ...extra, OPTIONS: { ...config.OPTIONS, ...(extra.OPTIONS ?? {}) } };
}
