// The ORM's tests run once per backend: SQLite (a temporary file) and a real PostgreSQL started
// by test/db/postgres.ts. `eachBackend(title, body)` declares the suite twice, with DATABASES
// overridden for each. Without PostgreSQL installed its half is skipped, with the reason, except
// in CI (CI=true), where it fails instead: a suite that could pass without running is a defect.
import { after, before, describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { overrideSettings, settings } from '../../src/conf/index.ts';
import type { DatabaseConfig } from '../../src/conf/global-settings.ts';
import { connections } from '../../src/db/connections.ts';
import { postgresBinDir, startPostgres, type PostgresServer } from './postgres.ts';
import { skipUnlessPresent } from '../prerequisites.ts';

export type BackendName = 'sqlite' | 'postgresql';

/** What a suite body gets: the backend's name and its DATABASES (filled in by `before`). */
export interface BackendContext {
  name: BackendName;
  databases: Record<string, DatabaseConfig>;
  /** The PostgreSQL server (postgresql only). */
  server?: PostgresServer;
}

if (!settings.configured) settings.configure({ USE_TZ: true, TIME_ZONE: 'UTC' });

const pgMissing = postgresBinDir() === undefined;

/** Why the PostgreSQL half is skipped, or false (in CI a missing PostgreSQL is a failing test: test/prerequisites.ts). */
export function postgresSkip(): string | false {
  return skipUnlessPresent(pgMissing ? 'PostgreSQL is not installed (apt-get install -y postgresql)' : undefined);
}

/** Declares `body` once per backend, each in its own describe() with DATABASES overridden. */
export function eachBackend(
  title: string,
  body: (backend: BackendContext) => void,
  options: { extraSettings?: Record<string, unknown>; aliases?: string[]; skip?: string | false } = {},
): void {
  for (const name of ['sqlite', 'postgresql'] as const) {
    const skip = options.skip || (name === 'postgresql' ? postgresSkip() : false);
    describe(`${title} [${name}]`, { skip }, () => {
      const context: BackendContext = { name, databases: {} };
      let restore: (() => void) | undefined;
      let folder: string | undefined;
      before(async () => {
        const aliases = options.aliases ?? ['default'];
        if (name === 'sqlite') {
          folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-sqlite-'));
          for (const alias of aliases) {
            context.databases[alias] = {
              ENGINE: 'tsgi.db.backends.sqlite3',
              NAME: path.join(folder, `${alias}.sqlite3`),
            };
          }
        } else {
          context.server = await startPostgres();
          for (const alias of aliases) {
            context.databases[alias] = {
              ENGINE: 'tsgi.db.backends.postgresql',
              NAME: context.server.name,
              USER: context.server.user,
              HOST: context.server.host,
              PORT: context.server.port,
            };
          }
        }
        restore = overrideSettings({ DATABASES: context.databases, ...(options.extraSettings ?? {}) });
      });
      after(async () => {
        await connections.closeAll();
        restore?.();
        await connections.reset();
        await context.server?.stop();
        if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
      });
      body(context);
    });
  }
}
