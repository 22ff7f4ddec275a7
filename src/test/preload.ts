/**
 * Loaded by `manage.ts test` into each test process (`node --import`) before the test file: in a
 * process node:test runs a test file in (NODE_TEST_CONTEXT set), copies each test database for
 * this process alone (SQLite: the file; PostgreSQL: CREATE DATABASE ... TEMPLATE), so that the
 * test files running at once never see nor lock each other's rows (Django's parallel clones),
 * and points DATABASES at the copies (TSGI_TEST_DATABASES). The copies are recorded in the run's
 * folder first: `manage.ts test` drops them at the end, even those of a process that crashed.
 * Processes the tests start inherit the copies' settings, not the run: they share the copies.
 * Then the project is set up (Django's runner calls django.setup()).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_DATABASES_ENV } from '../db/connections.ts';
import { creationFor, TEST_RUN_ENV, testDatabaseOverrides, type CloneRecord, type TestRun } from './databases.ts';

async function copyTestDatabases(run: TestRun): Promise<void> {
  const names = new Map<string, string>();
  for (const db of run.databases) {
    const creation = creationFor(db.vendor, db.settings, run.dir);
    const name = creation.cloneName(String(process.pid));
    const record: CloneRecord = { vendor: db.vendor, settings: db.settings, name };
    writeFileSync(path.join(run.dir, 'clones', `${db.alias}-${process.pid}.json`), JSON.stringify(record));
    await creation.clone(db.testName, name);
    names.set(db.alias, name);
  }
  process.env[TEST_DATABASES_ENV] = JSON.stringify(testDatabaseOverrides(run, names));
}

const raw = process.env[TEST_RUN_ENV];
if (raw !== undefined && process.env['NODE_TEST_CONTEXT'] !== undefined) {
  delete process.env[TEST_RUN_ENV];
  await copyTestDatabases(JSON.parse(raw) as TestRun);
  // As Django's runner: the project is set up (INSTALLED_APPS loaded, their ready() run) before the tests.
  const { setup } = await import('../core/wsgi.ts');
  await setup();
}
