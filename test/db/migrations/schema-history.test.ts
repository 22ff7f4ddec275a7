// The differential schema test: one model history of twenty steps (create, add fields with a
// default, relations, rename fields, rename models, nullability, types, indexes, constraints,
// uniqueTogether, dbTable, remove a field, delete a model, then a OneToOneField, renames of fields
// that indexes and constraints name, the owner of a many-to-many renamed, removals of what was
// added), written once as Django 3.2 models
// (test/db/django/schema_history/step_NN.py) and once as tsgi models
// (schema-history/stepNN.ts), is brought step by step to a SQLite file by each framework's own
// makemigrations and migrate. After every step both files have the same schema, read by the one
// normaliser of sqlite-schema.ts (names of indexes and constraints included: the schema editor
// names them as Django does), and the same rows: those inserted at step 1 are all there at the
// end, renamed columns with their data. Then the history is unapplied one migration at a time
// down to zero on both sides, with the same comparison after each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { linkTsgi, run, runCommand, tempDir } from '../../management/helpers.ts';
import { skipUnlessPresent } from '../../prerequisites.ts';
import { readRows, readSchema } from './sqlite-schema.ts';

const PYTHON = '/usr/bin/python3';
const DJANGO_STEP = path.join(import.meta.dirname, '..', 'django', 'schema_history.py');
const TSGI_STEP = path.join(import.meta.dirname, 'schema-history', 'step.ts');
const STEPS = 20;
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
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

function write(file: string, statements: readonly string[]): void {
  const db = new DatabaseSync(file);
  try {
    for (const sql of statements) db.exec(sql);
  } finally {
    db.close();
  }
}

describe('a model history migrated by Django 3.2 and by tsgi gives the same SQLite schema', { skip }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let djangoProject: string;
  let tsgiProject: string;
  const djangoDb = () => path.join(djangoProject, 'db.sqlite3');
  const tsgiDb = () => path.join(tsgiProject, 'db.sqlite3');

  before(() => {
    tmp = tempDir('tsgi-schema-history-');
    djangoProject = path.join(tmp.dir, 'django');
    tsgiProject = path.join(tmp.dir, 'tsgi');
    mkdirSync(djangoProject);
    mkdirSync(path.join(tsgiProject, 'shelf'), { recursive: true });
    linkTsgi(tsgiProject);
    writeFileSync(
      path.join(tsgiProject, 'settings.ts'),
      `export const INSTALLED_APPS = ['shelf'];\n` +
        `export const DATABASES = { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: ${JSON.stringify(tsgiDb())} } };\n` +
        `export const DEFAULT_AUTO_FIELD = 'tsgi.db.models.AutoField';\n`,
    );
    writeFileSync(
      path.join(tsgiProject, 'manage.ts'),
      "import { executeFromCommandLine } from 'tsgi/core/management';\n" +
        "process.env.TSGI_SETTINGS_MODULE ??= 'settings';\n" +
        'process.exitCode = await executeFromCommandLine(process.argv);\n',
    );
  });

  /** Both sides' rows and schemas are the same (the migrations table's rows aside: names and dates differ). */
  function assertSame(when: string): void {
    assert.deepEqual(readSchema(tsgiDb()), readSchema(djangoDb()), `the schemas ${when}`);
    assert.deepEqual(
      readRows(tsgiDb(), ['django_migrations', 'sqlite_sequence']),
      readRows(djangoDb(), ['django_migrations', 'sqlite_sequence']),
      `the rows ${when}`,
    );
  }

  after(() => tmp?.remove());

  for (let step = 1; step <= STEPS; step++) {
    const number = String(step).padStart(2, '0');
    test(`step ${number}: makemigrations and migrate on each side, then the same schema and rows`, SLOW, async () => {
      copyFileSync(
        path.join(import.meta.dirname, 'schema-history', `step${number}.ts`),
        path.join(tsgiProject, 'shelf', 'models.ts'),
      );
      // The two sides share nothing: they run at once.
      const [django, ours] = await Promise.all([
        runCommand(PYTHON, [DJANGO_STEP, djangoProject, String(step)], { timeoutMs: 240_000 }),
        run([TSGI_STEP], { cwd: tsgiProject, env: { TSGI_SETTINGS_MODULE: 'settings' }, timeoutMs: 240_000 }),
      ]);
      assert.equal(django.code, 0, `Django, step ${step}:\n${django.stdout}${django.stderr}`);
      assert.equal(ours.code, 0, `tsgi, step ${step}:\n${ours.stdout}${ours.stderr}`);
      assert.doesNotMatch(ours.stdout, /No changes detected/);
      for (const file of [djangoDb(), tsgiDb()]) {
        if (step === 1) write(file, STEP_1_ROWS);
        if (step === 3) write(file, STEP_3_ROWS);
        if (step === 15) write(file, STEP_15_ROWS);
      }
      assertSame(`after step ${step}`);
    });
  }

  test('the rows of step 1 are all there at the end, renamed columns and tables with their data', () => {
    const rows = readRows(tsgiDb());
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
    assert.deepEqual(Object.keys(rows).sort(), ['django_migrations', 'shelf_volume', 'shelf_writer']);
  });

  for (let step = STEPS - 1; step >= 0; step--) {
    const target = step === 0 ? 'zero' : String(step).padStart(4, '0');
    test(`backwards: migrate shelf ${target} on each side, then the same schema and rows`, SLOW, async () => {
      const [django, ours] = await Promise.all([
        runCommand(PYTHON, [DJANGO_STEP, djangoProject, '--to', target], { timeoutMs: 240_000 }),
        run(['manage.ts', 'migrate', 'shelf', target], { cwd: tsgiProject, timeoutMs: 240_000 }),
      ]);
      assert.equal(django.code, 0, `Django, migrate shelf ${target}:\n${django.stdout}${django.stderr}`);
      assert.equal(ours.code, 0, `tsgi, migrate shelf ${target}:\n${ours.stdout}${ours.stderr}`);
      assertSame(`after migrate shelf ${target}`);
    });
  }
});
