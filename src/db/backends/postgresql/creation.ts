/**
 * PostgreSQL's test databases (Django's postgresql `DatabaseCreation`): `test_<NAME>` (or
 * TEST.NAME), created, cloned (`CREATE DATABASE ... TEMPLATE`) and dropped through the
 * `postgres` maintenance database, as Django does, on a short-lived connection of its own.
 */
import postgres from 'postgres';
import { DatabaseExists, type DatabaseCreation } from '../base/creation.ts';
import type { DatabaseSettings } from '../base/wrapper.ts';

/** PostgreSQL's longest identifier. */
const MAX_NAME = 63;

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export class PostgresCreation implements DatabaseCreation {
  readonly #settings: DatabaseSettings;
  readonly testName: string;

  constructor(settingsDict: DatabaseSettings) {
    this.#settings = settingsDict;
    const testName = settingsDict.TEST['NAME'];
    this.testName = typeof testName === 'string' && testName !== '' ? testName : `test_${settingsDict.NAME}`;
  }

  settingsFor(name: string): DatabaseSettings {
    return { ...this.#settings, NAME: name };
  }

  cloneName(suffix: string): string {
    return `${this.testName.slice(0, MAX_NAME - suffix.length - 1)}_${suffix}`;
  }

  /** Runs `fn` on a connection to the maintenance database, closed after. */
  async #maintenance<R>(fn: (sql: postgres.Sql) => Promise<R>): Promise<R> {
    const s = this.#settings;
    const sql = postgres({
      host: s.HOST || undefined,
      port: s.PORT === '' ? undefined : Number(s.PORT),
      user: s.USER || undefined,
      password: s.PASSWORD || undefined,
      database: 'postgres',
      max: 1,
      onnotice: () => undefined,
      connect_timeout: 30,
    });
    try {
      return await fn(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }

  async exists(name: string): Promise<boolean> {
    return this.#maintenance(async (sql) => {
      const rows = await sql.unsafe('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      return rows.length > 0;
    });
  }

  async #createDatabase(name: string, template: string | undefined): Promise<void> {
    const test = this.#settings.TEST;
    const parts = [`CREATE DATABASE ${quote(name)}`];
    const source = template ?? (typeof test['TEMPLATE'] === 'string' ? test['TEMPLATE'] : undefined);
    if (source !== undefined) parts.push(`TEMPLATE ${quote(source)}`);
    if (typeof test['CHARSET'] === 'string') parts.push(`ENCODING '${test['CHARSET'].replaceAll("'", "''")}'`);
    await this.#maintenance(async (sql) => {
      try {
        await sql.unsafe(parts.join(' '));
      } catch (error) {
        if ((error as { code?: unknown }).code === '42P04') throw new DatabaseExists(name);
        throw error;
      }
    });
  }

  create(name: string): Promise<void> {
    return this.#createDatabase(name, undefined);
  }

  clone(source: string, target: string): Promise<void> {
    return this.#createDatabase(target, source);
  }

  async destroy(name: string): Promise<void> {
    // WITH (FORCE) (PostgreSQL 13+) ends the connections a killed run left behind.
    await this.#maintenance(async (sql) => {
      const [row] = await sql.unsafe<Array<{ v: number }>>("SELECT current_setting('server_version_num')::int AS v");
      await sql.unsafe(`DROP DATABASE IF EXISTS ${quote(name)}${row!.v >= 130000 ? ' WITH (FORCE)' : ''}`);
    });
  }
}
