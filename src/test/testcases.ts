/**
 * `TestCase` and `TransactionTestCase` (Django's `django.test.testcases`), shaped for node:test:
 * `TestCase.setUp(options)` inside a `describe()` (or at the top of a test file) registers the
 * hooks that give every test of that suite its database isolation.
 *
 * - TestCase: the suite runs in one transaction (its fixtures and `setUpTestData` in it), each
 *   test in a savepoint of it rolled back after the test; nothing is ever committed. The
 *   transaction is the process's (transaction.ts's pinned blocks): the test's code and the views
 *   the test Client calls use it, so a row made in the test is seen by the view and the view's
 *   writes go with the test's. onCommit callbacks never run (capture them with
 *   `captureOnCommitCallbacks`).
 * - TransactionTestCase: real commits; fixtures loaded before each test, every table emptied
 *   after it (and postMigrate sent again, as Django's flush), sequences reset on demand.
 *
 * Both need the test databases of `manage.ts test`: anywhere else they refuse to run, so that a
 * flush never reaches the project's own database.
 */
import { after, afterEach, before, beforeEach } from 'node:test';
import { overrideSettings, settings } from '../conf/index.ts';
import { loadObjects } from '../core/serializers/index.ts';
import { getWsgiApplication } from '../core/wsgi.ts';
import { serve, type ServerHandle } from '../gateway/server.ts';
import { findFixtures, readFixtures } from '../core/serializers/fixtures.ts';
import { connections, DEFAULT_DB_ALIAS, TEST_DATABASES_ENV } from '../db/connections.ts';
import { execute } from '../db/index.ts';
import { Model } from '../db/models/base.ts';
import { atomic, pendingOnCommit, pinTestAtomic, unpinTestAtomic } from '../db/transaction.ts';

/** Options shared by TestCase and TransactionTestCase. */
export interface BaseTestCaseOptions {
  /** The databases the tests use (Django's `databases`): aliases of DATABASES, or '__all__'. Default: ['default']. */
  databases?: readonly string[] | '__all__';
  /** Fixtures to load (labels, as `manage.ts loaddata` takes them) into each of the databases. */
  fixtures?: readonly string[];
}

/** Options of {@link TestCase.setUp}. */
export interface TestCaseOptions<D> extends BaseTestCaseOptions {
  /**
   * Makes the suite's data once, in the suite's transaction (Django's `setUpTestData`); what it
   * returns is `tc.data`, a fresh copy for each test (model instances, arrays, maps and plain
   * objects are copied; other values are shared).
   */
  setUpTestData?: () => D | Promise<D>;
}

/** Options of {@link TransactionTestCase.setUp}. */
export interface TransactionTestCaseOptions extends BaseTestCaseOptions {
  /** Restart the tables' id sequences before each test (Django's `reset_sequences`). */
  resetSequences?: boolean;
}

/** Whether this process runs on the test databases of `manage.ts test`. */
export function testDatabasesConfigured(): boolean {
  const value = process.env[TEST_DATABASES_ENV];
  return value !== undefined && value !== '';
}

function requireTestDatabases(what: string): void {
  if (testDatabasesConfigured()) return;
  throw new Error(
    `${what} needs the test databases that manage.ts test creates, and this process has none: ` +
      'run the tests with `node manage.ts test` (or `npm test`) rather than `node --test`. ' +
      `${what} never runs against the project's own databases.`,
  );
}

function aliasesOf(databases: BaseTestCaseOptions['databases']): string[] {
  if (databases === '__all__') return connections.aliases;
  const aliases = databases === undefined ? [DEFAULT_DB_ALIAS] : [...databases];
  for (const alias of aliases) {
    if (!connections.aliases.includes(alias)) {
      throw new Error(
        `The test case's databases name '${alias}', which is not in DATABASES (${connections.aliases.join(', ')}).`,
      );
    }
  }
  return aliases;
}

async function loadFixtures(labels: readonly string[] | undefined, aliases: readonly string[]): Promise<void> {
  if (labels === undefined || labels.length === 0) return;
  const { objects, source } = readFixtures(findFixtures(labels));
  for (const using of aliases) await loadObjects(objects, { using, source });
}

/**
 * A copy of test data for one test: model instances (with their state), arrays, maps, sets and
 * plain objects are copied, deeply and once each; anything else (dates, Temporal values,
 * functions, class instances) is shared.
 */
function copyTestData<T>(value: T, seen = new Map<unknown, unknown>()): T {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value) as T;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(copyTestData(item, seen));
    return copy as T;
  }
  if (value instanceof Map) {
    const copy = new Map();
    seen.set(value, copy);
    for (const [k, v] of value) copy.set(k, copyTestData(v, seen));
    return copy as T;
  }
  if (value instanceof Set) {
    const copy = new Set();
    seen.set(value, copy);
    for (const v of value) copy.add(copyTestData(v, seen));
    return copy as T;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (!(value instanceof Model) && proto !== Object.prototype && proto !== null) return value;
  const copy = Object.create(proto) as Record<PropertyKey, unknown>;
  seen.set(value, copy);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    if ('value' in descriptor) descriptor.value = copyTestData(descriptor.value, seen);
    Object.defineProperty(copy, key, descriptor);
  }
  return copy as T;
}

/**
 * Each test in a transaction rolled back after it, as Django's `TestCase`.
 *
 * @example
 * import { describe, test } from 'node:test';
 * import assert from 'node:assert/strict';
 * import { Client, TestCase } from 'tsgi/test';
 * // Post: a model of the app under test.
 *
 * describe('posts', () => {
 *   const tc = TestCase.setUp({
 *     fixtures: ['authors'],
 *     setUpTestData: async () => ({ post: await Post.objects.create({ title: 'Hello' }) }),
 *   });
 *
 *   test('the list shows the post', async () => {
 *     const response = await new Client().get('/posts/');
 *     assert.match(response.text, /Hello/);
 *   });
 *
 *   test('a deleted post is gone for this test only', async () => {
 *     await tc.data.post.delete();
 *     assert.equal(await Post.objects.count(), 0);
 *   });
 * });
 */
export class TestCase<D = undefined> {
  readonly #aliases: () => string[];
  #classData: D | undefined;
  #data: D | undefined;

  private constructor(aliases: () => string[]) {
    this.#aliases = aliases;
  }

  /** The value `setUpTestData` returned, copied afresh for each test. */
  get data(): D {
    return this.#data as D;
  }

  /** Registers the suite's hooks (call it in a describe(), or at the top of a test file). */
  static setUp<D = undefined>(options: TestCaseOptions<D> = {}): TestCase<D> {
    let aliases: string[] = [];
    const tc = new TestCase<D>(() => aliases);
    // Django's setUpClass: the class-level transaction, the fixtures, setUpTestData.
    const opened: string[] = [];
    before(async () => {
      requireTestDatabases('TestCase');
      aliases = aliasesOf(options.databases);
      for (const alias of aliases) {
        await pinTestAtomic(alias);
        opened.push(alias);
      }
      await loadFixtures(options.fixtures, aliases);
      if (options.setUpTestData !== undefined) tc.#classData = await options.setUpTestData();
    });
    after(async () => {
      for (const alias of opened.splice(0).reverse()) await unpinTestAtomic(alias);
    });
    const entered: string[] = [];
    beforeEach(async () => {
      for (const alias of aliases) {
        await pinTestAtomic(alias);
        entered.push(alias);
      }
      tc.#data = copyTestData(tc.#classData) as D;
    });
    afterEach(async () => {
      for (const alias of entered.splice(0).reverse()) await unpinTestAtomic(alias);
    });
    return tc;
  }

  /** The databases of the suite. */
  get databases(): readonly string[] {
    return this.#aliases();
  }
}

/**
 * Real commits, every table emptied after each test, as Django's `TransactionTestCase`: for
 * code that needs a commit to happen (onCommit callbacks, another connection or process seeing
 * the rows, a live server).
 *
 * @example
 * describe('the mail sent on commit', () => {
 *   TransactionTestCase.setUp({ resetSequences: true });
 *   test('goes once the order is saved', async () => {
 *     await atomic(() => Order.objects.create({ total: 10 }));
 *     assert.equal(outbox.length, 1);
 *   });
 * });
 */
export class TransactionTestCase {
  readonly #aliases: () => string[];

  private constructor(aliases: () => string[]) {
    this.#aliases = aliases;
  }

  /** The databases of the suite. */
  get databases(): readonly string[] {
    return this.#aliases();
  }

  /** Registers the suite's hooks (call it in a describe(), or at the top of a test file). */
  static setUp(options: TransactionTestCaseOptions = {}): TransactionTestCase {
    let aliases: string[] = [];
    before(() => {
      requireTestDatabases('TransactionTestCase');
      aliases = aliasesOf(options.databases);
    });
    beforeEach(async () => {
      if (options.resetSequences) for (const alias of aliases) await resetSequences(alias);
      await loadFixtures(options.fixtures, aliases);
    });
    afterEach(async () => {
      for (const alias of aliases) await flush(alias);
    });
    return new TransactionTestCase(() => aliases);
  }
}

/**
 * A real server on an ephemeral port of the loopback, serving the project over the test database
 * for the suite, with TransactionTestCase's semantics (the server's requests use connections of
 * their own, so they see what the test committed): Django's `LiveServerTestCase`. The project is
 * served by the reference server of tsgi/gateway, in the test's process.
 *
 * @example
 * describe('the site over HTTP', () => {
 *   const live = LiveServerTestCase.setUp();
 *   test('the home page answers', async () => {
 *     const response = await fetch(`${live.liveServerUrl}/`);
 *     assert.equal(response.status, 200);
 *   });
 * });
 */
export class LiveServerTestCase {
  #server: ServerHandle | undefined;

  private constructor() {}

  /** `http://127.0.0.1:PORT`, once the suite's `before` hook has started the server. */
  get liveServerUrl(): string {
    if (this.#server === undefined) {
      throw new Error(
        "The live server runs from the suite's before hook to its after hook: read liveServerUrl inside a test, not while the suite is declared.",
      );
    }
    return this.#server.url;
  }

  /** Registers the suite's hooks (call it in a describe(), or at the top of a test file). */
  static setUp(options: TransactionTestCaseOptions = {}): LiveServerTestCase {
    TransactionTestCase.setUp(options);
    const live = new LiveServerTestCase();
    let restore: (() => void) | undefined;
    before(async () => {
      // As Django: the server's host is allowed while the suite runs.
      restore = overrideSettings({ ALLOWED_HOSTS: [...settings.ALLOWED_HOSTS, '127.0.0.1'] });
      live.#server = await serve(getWsgiApplication(), { host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await live.#server?.close();
      live.#server = undefined;
      restore?.();
    });
    return live;
  }
}

/** The tables a flush empties: all but the migrations' record. */
async function flushedTables(using: string): Promise<string[]> {
  const tables = await connections.get(using).introspection.tableNames();
  return tables.filter((t) => t !== 'django_migrations' && !t.startsWith('sqlite_'));
}

/** Empties every table of a database (Django's `flush`), then sends postMigrate as flush does. */
async function flush(using: string): Promise<void> {
  const wrapper = connections.get(using);
  const tables = await flushedTables(using);
  if (tables.length > 0) {
    const ops = wrapper.ops;
    if (wrapper.vendor === 'postgresql') {
      await atomic({ using }, () => execute(`TRUNCATE ${tables.map((t) => ops.quoteName(t)).join(', ')}`, [], using));
    } else {
      // Foreign keys are checked per statement on SQLite: off while the tables empty.
      const wasOn = await wrapper.disableConstraintChecking();
      try {
        await atomic({ using }, async () => {
          for (const table of tables) await execute(`DELETE FROM ${ops.quoteName(table)}`, [], using);
        });
      } finally {
        if (wasOn) await wrapper.enableConstraintChecking();
      }
    }
  }
  const { emitMigrateSignal } = await import('../db/migrations/project.ts');
  const { MigrationExecutor } = await import('../db/migrations/executor.ts');
  const state = (await MigrationExecutor.create(using)).createProjectState(true);
  await emitMigrateSignal('post', { verbosity: 0, interactive: false, using, plan: [], apps: state.apps });
}

/** Restarts the id sequences of a database's tables (Django's `reset_sequences`). */
async function resetSequences(using: string): Promise<void> {
  const wrapper = connections.get(using);
  if (wrapper.vendor === 'postgresql') {
    const { rows } = await execute(
      'SELECT schemaname, sequencename FROM pg_sequences WHERE schemaname = current_schema()',
      [],
      using,
    );
    for (const row of rows as Array<{ schemaname: string; sequencename: string }>) {
      await execute(
        `ALTER SEQUENCE ${wrapper.ops.quoteName(row.schemaname)}.${wrapper.ops.quoteName(row.sequencename)} RESTART`,
        [],
        using,
      );
    }
    return;
  }
  const { rows } = await execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'", [], using);
  if (rows.length > 0) await execute('DELETE FROM sqlite_sequence', [], using);
}

/**
 * Captures the onCommit callbacks `fn` registers in the test's transaction (which never
 * commits in a TestCase), and runs them after `fn` with `execute` (Django's
 * `captureOnCommitCallbacks`). Returns them.
 *
 * @example
 * const callbacks = await captureOnCommitCallbacks(() => new Client().post('/contact/', data), { execute: true });
 * assert.equal(callbacks.length, 1);
 * assert.equal(outbox.length, 1);
 */
export async function captureOnCommitCallbacks(
  fn: () => unknown,
  options: { using?: string; execute?: boolean } = {},
): Promise<Array<() => unknown>> {
  const pending = pendingOnCommit(options.using ?? DEFAULT_DB_ALIAS);
  const start = pending?.length ?? 0;
  await fn();
  const callbacks = (pending ?? []).slice(start).map(([callback]) => callback);
  if (options.execute) for (const callback of callbacks) await callback();
  return callbacks;
}
