// The differential schema test: one model history of 24 steps (create, add fields with a
// default, relations, rename fields, rename models, nullability, types, indexes, constraints,
// uniqueTogether, dbTable, remove a field, delete a model, then a OneToOneField, renames of fields
// that indexes and constraints name, the owner of a many-to-many renamed, removals of what was
// added, every kind of column, a ForeignKey to a toField whose type changes, partial indexes and
// constraints), written once as Django 3.2 models
// (test/db/django/schema_history/step_NN.py) and once as tsgi models
// (schema-history/stepNN.ts), is brought step by step to a SQLite file by each framework's own
// makemigrations and migrate. After every step both files have the same schema, read by the one
// normaliser of sqlite-schema.ts (names of indexes and constraints included: the schema editor
// names them as Django does), and the same rows: those inserted at step 1 are all there at the
// end, renamed columns with their data. Then the history is unapplied one migration at a time
// down to zero on both sides, with the same comparison after each. The same on PostgreSQL (two
// databases of one server, read by postgres-schema.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { linkTsgi, run, runCommand, tempDir } from '../../management/helpers.ts';
import { skipUnlessPresent } from '../../prerequisites.ts';
import { postgresBinDir, startPostgres, type PostgresServer } from '../postgres.ts';
import { postgresSkip } from '../helpers.ts';
import { readRows, readSchema, type Schema, type TableSchema } from './sqlite-schema.ts';
import { connect, readPgRows, readPgSchema } from './postgres-schema.ts';

const PYTHON = '/usr/bin/python3';
const DJANGO_STEP = path.join(import.meta.dirname, '..', 'django', 'schema_history.py');
const TSGI_STEP = path.join(import.meta.dirname, 'schema-history', 'step.ts');
const STEPS = 24;
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
const hasPsycopg = spawnSync(PYTHON, ['-c', 'import psycopg2'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessPresent(
  hasDjango ? undefined : 'Django 3.2 is not installed (apt-get install -y python3-django)',
);

/** Two child processes per side and step: generous on a loaded 2-core machine. */
const SLOW = { timeout: 300_000 };

/** The rows inserted after step 1, the same SQL on both sides. */
const STEP_1_ROWS = [
  `INSERT INTO shelf_author (id, name, email) VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob "B." O''Neil', 'bob@example.com')`,
  `INSERT INTO shelf_book (id, title, pages) VALUES (1, 'Dune', 412), (2, 'Emma', NULL), (3, 'Ubik', 202)`,
  `INSERT INTO shelf_tag (id, name) VALUES (1, 'sf'), (2, 'classic')`,
];

/** After step 3: the new relations get values (the many-to-many rows then follow the renames). */
const STEP_3_ROWS = [
  'UPDATE shelf_author SET mentor_id = 1 WHERE id = 2',
  'UPDATE shelf_book SET author_id = 1 WHERE id IN (1, 3)',
  'INSERT INTO shelf_book_tags (id, book_id, tag_id) VALUES (1, 1, 1), (2, 1, 2), (3, 2, 2)',
];

/** After step 15: shelves, one owned, and books on them. */
const STEP_15_ROWS = [
  `INSERT INTO shelf_shelf (id, name, owner_id) VALUES (1, 'Top', 1), (2, 'Bottom', NULL)`,
  'INSERT INTO shelf_book_shelves (id, book_id, shelf_id) VALUES (1, 1, 1), (2, 3, 2), (3, 3, 1)',
];

type Rows = Record<string, Array<Record<string, unknown>>>;

/** One side's database, as the comparison reads and writes it. */
interface Store {
  schema(): Promise<unknown>;
  /** The rows of every table but the migrations' (names and dates differ) and SQLite's sequences. */
  rows(): Promise<Rows>;
  write(statements: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The one exception, stated: on SQLite the order of the columns after a table rebuild is not
 * compared. Django's follows its fields' creation counters, an artifact of how its migration
 * state renders models (an altered field goes last, or stays, or another moves, depending on
 * which model was rendered when); tsgi puts the altered column last (docs/migrations.md). On
 * PostgreSQL, where no table is rebuilt, the order is compared and matches.
 */
function withoutColumnOrder(schema: Schema): Record<string, Omit<TableSchema, 'order'>> {
  return Object.fromEntries(Object.entries(schema).map(([name, { order: _order, ...table }]) => [name, table]));
}

function sqliteStore(file: string): Store {
  return {
    schema: async () => withoutColumnOrder(readSchema(file)),
    rows: async () => readRows(file, ['django_migrations', 'sqlite_sequence']),
    async write(statements) {
      const db = new DatabaseSync(file);
      try {
        for (const sql of statements) db.exec(sql);
      } finally {
        db.close();
      }
    },
    async close() {},
  };
}

function postgresStore(server: PostgresServer, name: string): Store {
  const sql = connect({ ...server, name });
  return {
    schema: () => readPgSchema(sql),
    rows: () => readPgRows(sql, ['django_migrations']),
    async write(statements) {
      for (const statement of statements) await sql.unsafe(statement);
    },
    close: () => sql.end(),
  };
}

/** A backend: the DATABASES entry of each side, and their stores. */
interface Backend {
  djangoDatabase: Record<string, unknown> | undefined;
  tsgiDatabase: Record<string, unknown>;
  django: Store;
  tsgi: Store;
  stop(): Promise<void>;
}

const BACKENDS: Record<string, { skip: string | false; start(tmp: string): Promise<Backend> }> = {
  sqlite: {
    skip: false,
    async start(tmp) {
      const tsgiFile = path.join(tmp, 'tsgi', 'db.sqlite3');
      return {
        djangoDatabase: undefined,
        tsgiDatabase: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: tsgiFile },
        django: sqliteStore(path.join(tmp, 'django', 'db.sqlite3')),
        tsgi: sqliteStore(tsgiFile),
        async stop() {},
      };
    },
  },
  postgresql: {
    skip:
      postgresSkip() ||
      skipUnlessPresent(hasPsycopg ? undefined : 'psycopg2 is not installed (apt-get install -y python3-psycopg2)'),
    async start() {
      const server = await startPostgres();
      const made = spawnSync(
        path.join(postgresBinDir()!, 'createdb'),
        ['-h', server.host, '-p', String(server.port), '-U', server.user, 'django_side'],
        { encoding: 'utf8' },
      );
      assert.equal(made.status, 0, made.stderr);
      const database = { USER: server.user, HOST: server.host, PORT: server.port };
      const django = postgresStore(server, 'django_side');
      const tsgi = postgresStore(server, server.name);
      return {
        djangoDatabase: { ENGINE: 'django.db.backends.postgresql', NAME: 'django_side', ...database },
        tsgiDatabase: { ENGINE: 'tsgi.db.backends.postgresql', NAME: server.name, ...database },
        django,
        tsgi,
        async stop() {
          await Promise.all([django.close(), tsgi.close()]);
          await server.stop();
        },
      };
    },
  },
};

for (const [name, kind] of Object.entries(BACKENDS)) {
  describe(
    `a model history migrated by Django 3.2 and by tsgi gives the same schema [${name}]`,
    { skip: skip || kind.skip },
    () => {
      let tmp: ReturnType<typeof tempDir>;
      let djangoProject: string;
      let tsgiProject: string;
      let backend: Backend;
      let djangoEnv: NodeJS.ProcessEnv;

      before(async () => {
        tmp = tempDir('tsgi-schema-history-');
        djangoProject = path.join(tmp.dir, 'django');
        tsgiProject = path.join(tmp.dir, 'tsgi');
        mkdirSync(djangoProject);
        mkdirSync(path.join(tsgiProject, 'shelf'), { recursive: true });
        linkTsgi(tsgiProject);
        backend = await kind.start(tmp.dir);
        djangoEnv =
          backend.djangoDatabase === undefined
            ? {}
            : { SCHEMA_HISTORY_DATABASE: JSON.stringify(backend.djangoDatabase) };
        writeFileSync(
          path.join(tsgiProject, 'settings.ts'),
          `export const INSTALLED_APPS = ['shelf'];\n` +
            `export const DATABASES = { default: ${JSON.stringify(backend.tsgiDatabase)} };\n` +
            `export const DEFAULT_AUTO_FIELD = 'tsgi.db.models.AutoField';\n`,
        );
        writeFileSync(
          path.join(tsgiProject, 'manage.ts'),
          "import { executeFromCommandLine } from 'tsgi/core/management';\n" +
            "process.env.TSGI_SETTINGS_MODULE ??= 'settings';\n" +
            'process.exitCode = await executeFromCommandLine(process.argv);\n',
        );
      });

      after(async () => {
        await backend?.stop();
        tmp?.remove();
      });

      /** Both sides' schemas and rows are the same. */
      async function assertSame(when: string): Promise<void> {
        assert.deepEqual(await backend.tsgi.schema(), await backend.django.schema(), `the schemas ${when}`);
        assert.deepEqual(await backend.tsgi.rows(), await backend.django.rows(), `the rows ${when}`);
      }

      for (let step = 1; step <= STEPS; step++) {
        const number = String(step).padStart(2, '0');
        test(
          `step ${number}: makemigrations and migrate on each side, then the same schema and rows`,
          SLOW,
          async () => {
            copyFileSync(
              path.join(import.meta.dirname, 'schema-history', `step${number}.ts`),
              path.join(tsgiProject, 'shelf', 'models.ts'),
            );
            // The two sides share nothing: they run at once.
            const [django, ours] = await Promise.all([
              runCommand(PYTHON, [DJANGO_STEP, djangoProject, String(step)], { env: djangoEnv, timeoutMs: 240_000 }),
              run([TSGI_STEP], { cwd: tsgiProject, env: { TSGI_SETTINGS_MODULE: 'settings' }, timeoutMs: 240_000 }),
            ]);
            assert.equal(django.code, 0, `Django, step ${step}:\n${django.stdout}${django.stderr}`);
            assert.equal(ours.code, 0, `tsgi, step ${step}:\n${ours.stdout}${ours.stderr}`);
            assert.doesNotMatch(ours.stdout, /No changes detected/);
            const rows = { 1: STEP_1_ROWS, 3: STEP_3_ROWS, 15: STEP_15_ROWS }[step];
            if (rows !== undefined) await Promise.all([backend.django.write(rows), backend.tsgi.write(rows)]);
            await assertSame(`after step ${step}`);
          },
        );
      }

      test('the rows of step 1 are all there at the end, renamed columns and tables with their data', async () => {
        const rows = await backend.tsgi.rows();
        assert.deepEqual(rows.shelf_writer, [
          { id: 1, full_name: 'Ann', email: 'ann@example.com', nation: 'FR', mentor_id: null },
          { id: 2, full_name: 'Bob "B." O\'Neil', email: 'bob@example.com', nation: 'FR', mentor_id: 1 },
        ]);
        // Emma's NULL pages became the default 0 at step 7, her NULL author the default 1 at step 18.
        assert.deepEqual(rows.shelf_volume, [
          { id: 1, heading: 'Dune', pages: 412, rating: 3, writer_id: 1 },
          { id: 2, heading: 'Emma', pages: 0, rating: 3, writer_id: 1 },
          { id: 3, heading: 'Ubik', pages: 202, rating: 3, writer_id: 1 },
        ]);
        assert.deepEqual(Object.keys(rows).sort(), ['shelf_volume', 'shelf_writer']);
      });

      for (let step = STEPS - 1; step >= 0; step--) {
        const target = step === 0 ? 'zero' : String(step).padStart(4, '0');
        test(`backwards: migrate shelf ${target} on each side, then the same schema and rows`, SLOW, async () => {
          const [django, ours] = await Promise.all([
            runCommand(PYTHON, [DJANGO_STEP, djangoProject, '--to', target], { env: djangoEnv, timeoutMs: 240_000 }),
            run(['manage.ts', 'migrate', 'shelf', target], { cwd: tsgiProject, timeoutMs: 240_000 }),
          ]);
          assert.equal(django.code, 0, `Django, migrate shelf ${target}:\n${django.stdout}${django.stderr}`);
          assert.equal(ours.code, 0, `tsgi, migrate shelf ${target}:\n${ours.stdout}${ours.stderr}`);
          await assertSame(`after migrate shelf ${target}`);
        });
      }
    },
  );
}
