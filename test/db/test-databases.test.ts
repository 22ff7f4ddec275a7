// The test database as a user meets it: a project made by startproject with a `blog` app and its
// migration, whose own test files (written below) use TestCase, TransactionTestCase, fixtures,
// the test Client and captureOnCommitCallbacks; `manage.ts test` runs them on SQLite and on
// PostgreSQL. Each inner test asserts one rule (rollback between tests, setUpTestData copied per
// test, the Client inside the test's transaction, flush after a TransactionTestCase, two files
// running at once never seeing each other's rows); this file checks they all ran and passed, then
// --keepdb, the leftover-database prompt and --noinput, an interrupted run, and TestCase outside
// manage.ts test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import type { DatabaseConfig } from '../../src/conf/global-settings.ts';
import { normalizeDatabaseSettings } from '../../src/db/connections.ts';
import { creationFor } from '../../src/test/databases.ts';
import { linkTsgi, manage, run, tempDir, tsgi, type RunResult } from '../management/helpers.ts';
import { eachBackend } from './helpers.ts';

const SLOW = { timeout: 600_000 };

const FILES: Record<string, string> = {
  'blog/models.ts': `import { CharField, Model } from 'tsgi/db/models';

export class Post extends Model.define({ title: new CharField({ maxLength: 200, unique: true }) }) {}
`,
  'blog/outbox.ts': `/** What the views "send" once their transaction commits. */
export const outbox: string[] = [];
`,
  'blog/views.ts': `import { onCommit } from 'tsgi/db/transaction';
import { HttpResponse, type HttpRequest } from 'tsgi/http';
import { Post } from './models.ts';
import { outbox } from './outbox.ts';

export async function index(request: HttpRequest): Promise<HttpResponse> {
  if (request.method === 'POST') {
    const post = await Post.objects.create({ title: String(request.POST.get('title')) });
    onCommit(() => {
      outbox.push(\`created \${post.title}\`);
    });
    return new HttpResponse('created', { status: 201 });
  }
  const titles = await Post.objects.orderBy('title').valuesList('title', { flat: true });
  return new HttpResponse(titles.join(','));
}
`,
  'blog/urls.ts': `import { path } from 'tsgi/urls';
import { index } from './views.ts';

export const appName = 'blog';
export const urlpatterns = [path('', index, { name: 'index' })];
`,
  'blog/fixtures/posts.json': JSON.stringify([
    { model: 'blog.post', pk: 1, fields: { title: 'from the fixture' } },
    { model: 'blog.post', pk: 2, fields: { title: 'from the fixture too' } },
  ]),
  'blog/views.test.ts': `import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IntegrityError } from 'tsgi/db';
import { assertNumQueries, captureOnCommitCallbacks, Client, overrideSettings, TestCase } from 'tsgi/test';
import { include, path } from 'tsgi/urls';
import { Post } from './models.ts';
import { outbox } from './outbox.ts';
import * as urls from './urls.ts';

let restore: () => void;
before(() => {
  restore = overrideSettings({ ROOT_URLCONF: { urlpatterns: [path('blog/', include(urls))] } });
});
after(() => restore());

describe('TestCase', () => {
  const tc = TestCase.setUp({
    fixtures: ['posts'],
    setUpTestData: async () => ({ post: await Post.objects.create({ title: 'class-level' }), tags: ['a'] }),
  });

  test('tc1 sees the fixtures and the suite data, and changes them', async () => {
    assert.equal(await Post.objects.count(), 3);
    await Post.objects.create({ title: 'made in the test' });
    await Post.objects.filter({ title: 'from the fixture' }).delete();
    tc.data.post.title = 'changed in memory';
    tc.data.tags.push('b');
    assert.equal(await Post.objects.count(), 3);
  });

  test('tc2 finds them as they were: the test rolled back, the suite data copied afresh', async () => {
    assert.deepEqual(await Post.objects.orderBy('title').valuesList('title', { flat: true }), [
      'class-level',
      'from the fixture',
      'from the fixture too',
    ]);
    assert.equal(tc.data.post.title, 'class-level');
    assert.deepEqual(tc.data.tags, ['a']);
    assert.equal((await Post.objects.get({ pk: tc.data.post.pk })).title, 'class-level');
  });

  test("tc3 the client's view sees the test's rows, and its writes are the test's", async () => {
    await Post.objects.create({ title: 'seen by the view' });
    const listed = await new Client().get('/blog/');
    assert.equal(listed.text, 'class-level,from the fixture,from the fixture too,seen by the view');
    const created = await new Client().post('/blog/', { title: 'made by the view' });
    assert.equal(created.statusCode, 201);
    assert.equal(await Post.objects.filter({ title: 'made by the view' }).count(), 1);
  });

  test("tc4 the view's row went with the test", async () => {
    assert.equal(await Post.objects.filter({ title: 'made by the view' }).count(), 0);
    assert.equal(await Post.objects.count(), 3);
  });

  test('tc5 onCommit callbacks never run, unless captured and executed', async () => {
    outbox.length = 0;
    await new Client().post('/blog/', { title: 'not sent' });
    assert.deepEqual(outbox, []);
    const callbacks = await captureOnCommitCallbacks(() => new Client().post('/blog/', { title: 'sent' }), {
      execute: true,
    });
    assert.equal(callbacks.length, 1);
    assert.deepEqual(outbox, ['created sent']);
  });

  test("tc6 assertNumQueries counts the test's queries", async () => {
    await assertNumQueries(1, () => Post.objects.count());
  });

  test("tc7 a database error ends the test's transaction, not the suite's", async () => {
    await assert.rejects(Post.objects.create({ title: 'class-level' }), IntegrityError);
  });

  test('tc8 the next test runs as usual', async () => {
    assert.equal(await Post.objects.count(), 3);
  });
});
`,
  'blog/live.test.ts': `import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveServerTestCase, overrideSettings } from 'tsgi/test';
import { include, path } from 'tsgi/urls';
import { Post } from './models.ts';
import * as urls from './urls.ts';

let restore: () => void;
before(() => {
  restore = overrideSettings({ ROOT_URLCONF: { urlpatterns: [path('blog/', include(urls))] } });
});
after(() => restore());

describe('LiveServerTestCase', () => {
  const live = LiveServerTestCase.setUp();

  test('live1 a real server on a free port serves the rows the test committed', async () => {
    await Post.objects.create({ title: 'served over HTTP' });
    assert.match(live.liveServerUrl, /^http:\\/\\/127\\.0\\.0\\.1:\\d+$/);
    const response = await fetch(\`\${live.liveServerUrl}/blog/\`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'served over HTTP');
  });

  test('live2 and the tables are flushed after each test', async () => {
    const response = await fetch(\`\${live.liveServerUrl}/blog/\`);
    assert.equal(await response.text(), '');
  });
});
`,
  'blog/transaction.test.ts': `import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { atomic } from 'tsgi/db/transaction';
import { onCommit } from 'tsgi/db/transaction';
import { TransactionTestCase } from 'tsgi/test';
import { Post } from './models.ts';

describe('TransactionTestCase', () => {
  TransactionTestCase.setUp({ fixtures: ['posts'], resetSequences: true });
  const committed: string[] = [];

  test('ttc1 commits for real: onCommit runs', async () => {
    assert.equal(await Post.objects.count(), 2);
    await atomic(async () => {
      const post = await Post.objects.create({ title: 'committed' });
      assert.equal(post.pk, 3);
      onCommit(() => {
        committed.push('ran');
      });
    });
    assert.deepEqual(committed, ['ran']);
  });

  test('ttc1b a TEST.MIRROR database is the test database it mirrors, another alias of the same database too', async () => {
    await Post.objects.create({ title: 'seen by the mirror' });
    assert.equal(await Post.objects.using('replica').filter({ title: 'seen by the mirror' }).count(), 1);
    assert.equal(await Post.objects.using('same').filter({ title: 'seen by the mirror' }).count(), 1);
  });

  test('ttc2 the tables were flushed after the last test, the fixtures loaded again, the sequences reset', async () => {
    assert.deepEqual(await Post.objects.orderBy('pk').valuesList('title', { flat: true }), [
      'from the fixture',
      'from the fixture too',
    ]);
    // The sequence restarted before the fixtures loaded (pks 1 and 2): the next is 3 again, not 4.
    const post = await Post.objects.create({ title: 'after the reset' });
    assert.equal(post.pk, 3);
  });
});
`,
};

/** Two test files that run at once: each commits a row, waits for the other's, and sees only its own. */
function parallelFile(name: string, other: string): string {
  return `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransactionTestCase } from 'tsgi/test';
import { Post } from './models.ts';

TransactionTestCase.setUp();

test('${name} sees only its own rows while ${other} runs', async () => {
  await Post.objects.create({ title: '${name}' });
  writeFileSync(process.env.BARRIER + '/${name}', '');
  for (let i = 0; i < 600 && !existsSync(process.env.BARRIER + '/${other}'); i++) await sleep(100);
  assert.ok(existsSync(process.env.BARRIER + '/${other}'), 'the other file ran at the same time');
  assert.deepEqual(await Post.objects.valuesList('title', { flat: true }), ['${name}']);
});
`;
}

/**
 * The suite's DATABASES with a `replica` whose test database mirrors `default`'s, and `same`,
 * another alias of the database of `default` (one test database for both).
 */
function withReplica(databases: Record<string, DatabaseConfig>): Record<string, DatabaseConfig> {
  const primary = databases['default']!;
  const name = String(primary.NAME);
  return {
    ...databases,
    replica: {
      ...primary,
      NAME: name.endsWith('.sqlite3') ? name.replace(/\.sqlite3$/, '-replica.sqlite3') : name,
      TEST: { MIRROR: 'default' },
    },
    same: { ...primary },
  };
}

/** Runs manage.ts in the project with `input` on its stdin. */
function manageWithInput(
  project: string,
  args: readonly string[],
  input: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['manage.ts', ...args], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1', TSGI_SETTINGS_MODULE: undefined, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

eachBackend('the test database', (backend) => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;
  let barrier: string;

  /** Whether the project's test database of `default` exists now. */
  function testDatabase() {
    const settingsDict = normalizeDatabaseSettings('default', backend.databases['default']);
    const vendor = backend.name === 'sqlite' ? 'sqlite' : 'postgresql';
    return creationFor(vendor, settingsDict, tmp.dir);
  }

  /** The PostgreSQL server's databases named test_*. */
  async function testDatabaseNames(): Promise<string[]> {
    const config = backend.databases['default']!;
    const sql = postgres({ host: config.HOST, port: Number(config.PORT), user: config.USER, database: 'postgres' });
    try {
      return (await sql<Array<{ datname: string }>>`SELECT datname FROM pg_database WHERE datname LIKE 'test\_%'`).map(
        (r) => r.datname,
      );
    } finally {
      await sql.end();
    }
  }

  before(async () => {
    tmp = tempDir('tsgi-test-databases-');
    barrier = path.join(tmp.dir, 'barrier');
    mkdirSync(barrier);
    const created = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    linkTsgi(project);
    const app = await manage(project, ['startapp', 'blog']);
    assert.equal(app.code, 0, app.stderr);
    for (const [file, source] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
      writeFileSync(path.join(project, file), source);
    }
    writeFileSync(path.join(project, 'blog', 'one.test.ts'), parallelFile('one', 'two'));
    writeFileSync(path.join(project, 'blog', 'two.test.ts'), parallelFile('two', 'one'));
    const settingsFile = path.join(project, 'mysite', 'settings.ts');
    writeFileSync(
      settingsFile,
      readFileSync(settingsFile, 'utf8')
        .replace("  'tsgi.staticfiles',\n];", "  'tsgi.staticfiles',\n  'blog',\n];")
        .replace(
          /export const DATABASES = \{[^]*?\n\};\n/,
          `export const DATABASES = ${JSON.stringify(withReplica(backend.databases))};\n`,
        ),
    );
    const made = await manage(project, ['makemigrations', 'blog']);
    assert.equal(made.code, 0, made.stderr);
  });

  after(() => tmp?.remove());

  test('manage.ts test runs the files on a migrated test database, each file on its own copy', SLOW, async () => {
    const result = await manage(project, ['test', '--concurrency', '2', '--noinput', 'blog/*.test.ts'], {
      BARRIER: barrier,
    });
    const output = result.stdout + result.stderr;
    assert.equal(result.code, 0, output);
    for (const name of [
      'tc1',
      'tc2',
      'tc3',
      'tc4',
      'tc5',
      'tc6',
      'tc7',
      'tc8',
      'ttc1',
      'ttc2',
      'one sees',
      'two sees',
    ]) {
      assert.match(result.stdout, new RegExp(`✔ ${name}`), output);
    }
    assert.match(result.stdout, /ℹ fail 0/);
    assert.match(result.stderr, /^Creating test database for alias 'default'\.\.\.\n/);
    assert.match(result.stderr, /Destroying test database for alias 'default'\.\.\.\n$/);
    assert.equal(await testDatabase().exists(testDatabase().testName), false);
    // The project's own database was never touched.
    if (backend.name === 'sqlite') assert.equal(existsSync(backend.databases['default']!.NAME as string), false);
  });

  test(
    '--keepdb keeps the test database and reuses it; a leftover one is dropped on "yes" or --noinput, kept on "no"',
    SLOW,
    async () => {
      const kept = await manage(project, ['test', '--keepdb', 'blog/views.test.ts']);
      assert.equal(kept.code, 0, kept.stdout + kept.stderr);
      assert.match(kept.stderr, /Preserving test database for alias 'default'\.\.\./);
      assert.equal(await testDatabase().exists(testDatabase().testName), true);
      const reused = await manage(project, ['test', '--keepdb', 'blog/views.test.ts']);
      assert.equal(reused.code, 0, reused.stdout + reused.stderr);
      assert.match(reused.stderr, /^Using existing test database for alias 'default'\.\.\.\n/);

      const declined = await manageWithInput(project, ['test', 'blog/views.test.ts'], 'no\n');
      assert.equal(declined.code, 1, declined.stdout + declined.stderr);
      assert.match(declined.stderr, /Got an error creating the test database: database ".*" already exists\n/);
      assert.match(
        declined.stdout + declined.stderr,
        /Type 'yes' if you would like to try deleting the test database '.*', or 'no' to cancel: /,
      );
      assert.match(declined.stderr, /Tests cancelled\.\n/);
      assert.equal(await testDatabase().exists(testDatabase().testName), true);

      const accepted = await manageWithInput(project, ['test', 'blog/views.test.ts'], 'yes\n');
      assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
      assert.match(accepted.stderr, /Destroying old test database for alias 'default'\.\.\./);
      assert.equal(await testDatabase().exists(testDatabase().testName), false);

      assert.equal((await manage(project, ['test', '--keepdb', 'blog/views.test.ts'])).code, 0);
      const noinput = await manage(project, ['test', '--noinput', 'blog/views.test.ts']);
      assert.equal(noinput.code, 0, noinput.stdout + noinput.stderr);
      assert.match(noinput.stderr, /Destroying old test database for alias 'default'\.\.\./);
      assert.equal(await testDatabase().exists(testDatabase().testName), false);
    },
  );

  test('an interrupted run leaves no test database, copy or temporary file behind', SLOW, async () => {
    writeFileSync(
      path.join(project, 'blog', 'hang.test.ts'),
      `import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { TestCase } from 'tsgi/test';
import { Post } from './models.ts';
TestCase.setUp();
test('hangs', async () => {
  await Post.objects.create({ title: 'in the copy' });
  writeFileSync(process.env.BARRIER + '/hanging', '');
  await new Promise(() => setInterval(() => undefined, 1000));
});
`,
    );
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const tmpdir = path.join(tmp.dir, `tmp-${signal}`);
      mkdirSync(tmpdir);
      const child = spawn(process.execPath, ['manage.ts', 'test', '--noinput', 'blog/hang.test.ts'], {
        cwd: project,
        env: { ...process.env, NO_COLOR: '1', TSGI_SETTINGS_MODULE: undefined, BARRIER: barrier, TMPDIR: tmpdir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d));
      child.stderr.on('data', (d: Buffer) => (output += d));
      const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
      for (let i = 0; i < 1200 && !existsSync(path.join(barrier, 'hanging')); i++) await sleep(100);
      assert.ok(existsSync(path.join(barrier, 'hanging')), output);
      if (backend.name === 'postgresql') {
        assert.match((await testDatabaseNames()).join(','), /test_\w+_\d+/);
      }
      child.kill(signal);
      const code = await closed;
      assert.notEqual(code, 0, output);
      assert.match(output, new RegExp(`The test run was interrupted \\(${signal}\\)`));
      assert.match(output, /Destroying test database for alias 'default'\.\.\./);
      // (Node's own compile cache may be there.)
      assert.deepEqual(
        readdirSync(tmpdir).filter((f) => f !== 'node-compile-cache'),
        [],
        output,
      );
      if (backend.name === 'postgresql') {
        assert.deepEqual(await testDatabaseNames(), []);
      }
      rmSync(path.join(barrier, 'hanging'), { force: true });
    }
  });

  test('a migration that fails stops the run before the tests, and the test database is destroyed', SLOW, async () => {
    const broken = path.join(project, 'blog', 'migrations', '0002_broken.ts');
    writeFileSync(
      broken,
      `import { Migration, RunSQL } from 'tsgi/db/migrations';
export default new Migration({
  dependencies: [['blog', '0001_initial']],
  operations: [new RunSQL({ sql: 'SELECT * FROM no_such_table' })],
});
`,
    );
    try {
      const result = await manage(project, ['test', '--noinput', 'blog/views.test.ts']);
      const output = result.stdout + result.stderr;
      assert.equal(result.code, 1, output);
      assert.match(result.stderr, /no_such_table/);
      assert.doesNotMatch(result.stdout, /✔ tc1/);
      assert.match(result.stderr, /Destroying test database for alias 'default'\.\.\./);
      assert.equal(await testDatabase().exists(testDatabase().testName), false);
    } finally {
      rmSync(broken);
    }
  });

  test('a suite whose fixtures or setUpTestData fail reports it, and the next suite starts clean', SLOW, async () => {
    const file = path.join(project, 'blog', 'errors.test.ts');
    writeFileSync(
      file,
      `import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestCase } from 'tsgi/test';
import { Post } from './models.ts';

describe('missing fixture', () => {
  TestCase.setUp({ fixtures: ['missing'] });
  test('never runs', () => assert.fail('ran'));
});

describe('failing setUpTestData', () => {
  TestCase.setUp({
    setUpTestData: async () => {
      await Post.objects.create({ title: 'made before the failure' });
      throw new Error('setUpTestData failed on purpose');
    },
  });
  test('never runs either', () => assert.fail('ran'));
});

describe('the next suite', () => {
  TestCase.setUp();
  test('errors3 starts on an empty table', async () => {
    assert.equal(await Post.objects.count(), 0);
  });
});
`,
    );
    try {
      const result = await manage(project, ['test', '--noinput', 'blog/errors.test.ts']);
      const output = result.stdout + result.stderr;
      assert.equal(result.code, 1, output);
      assert.match(result.stdout, /No fixture named 'missing' found\./);
      assert.match(result.stdout, /setUpTestData failed on purpose/);
      assert.match(result.stdout, /✔ errors3 starts on an empty table/);
      assert.doesNotMatch(result.stdout, /✔ never runs/);
    } finally {
      rmSync(file);
    }
  });

  test('TestCase outside manage.ts test refuses to run, in a full sentence', SLOW, async () => {
    const result = await run(['--test', 'blog/views.test.ts'], {
      cwd: project,
      env: { TSGI_SETTINGS_MODULE: 'mysite.settings', NODE_TEST_CONTEXT: undefined },
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /TestCase needs the test databases that manage\.ts test creates, and this process has none: run the tests with `node manage\.ts test` \(or `npm test`\) rather than `node --test`\. TestCase never runs against the project's own databases\./,
    );
  });
});

test('the test database names: TEST.NAME, else test_<NAME> on PostgreSQL and a file of the temporary folder on SQLite', () => {
  const pg = (extra: Partial<DatabaseConfig>) =>
    creationFor(
      'postgresql',
      normalizeDatabaseSettings('default', { ENGINE: 'tsgi.db.backends.postgresql', NAME: 'shop', ...extra }),
      '/run',
    );
  assert.equal(pg({}).testName, 'test_shop');
  assert.equal(pg({ TEST: { NAME: 'shop_tests' } }).testName, 'shop_tests');
  assert.equal(pg({}).cloneName('4242'), 'test_shop_4242');
  assert.equal(pg({}).cloneName('4242').length <= 63, true);
  assert.equal(pg({ NAME: 'x'.repeat(70) }).cloneName('4242').length, 63);
  const lite = (extra: Partial<DatabaseConfig>) =>
    creationFor(
      'sqlite',
      normalizeDatabaseSettings('default', {
        ENGINE: 'tsgi.db.backends.sqlite3',
        NAME: '/srv/app/db.sqlite3',
        ...extra,
      }),
      '/run',
    );
  assert.equal(lite({ TEST: { NAME: '/srv/app/test.sqlite3' } }).testName, '/srv/app/test.sqlite3');
  assert.match(lite({}).testName, /tsgi-test-[0-9a-f]{10}-db\.sqlite3$/);
  assert.equal(lite({}).testName, lite({}).testName);
  assert.equal(lite({ TEST: { NAME: '/srv/app/test.sqlite3' } }).cloneName('4242'), '/run/test_4242.sqlite3');
});

test('a backend without test databases is named in the error', () => {
  assert.throws(
    () =>
      creationFor(
        'oracle',
        normalizeDatabaseSettings('default', { ENGINE: 'myorg.backends.oracle', NAME: 'x' }),
        '/run',
      ),
    {
      message:
        "The database backend 'myorg.backends.oracle' (vendor 'oracle') cannot make test databases: manage.ts test supports SQLite and PostgreSQL.",
    },
  );
});
