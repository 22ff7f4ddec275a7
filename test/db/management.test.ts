// The database commands as a user runs them, in a project made by startproject (DATABASES is
// its SQLite file): models registered with their app (no appLabel given), `shell` with the
// models in scope, `dbshell` (sqlite3, arguments after --), and `check` naming a wrong ENGINE.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { linkTsgi, manage, tempDir, tsgi } from '../management/helpers.ts';
import { postgresSkip } from './helpers.ts';
import { startPostgres } from './postgres.ts';

const hasSqlite3 = spawnSync('sqlite3', ['-version']).status === 0;
let tmp: ReturnType<typeof tempDir>;
let project: string;

before(async () => {
  tmp = tempDir('tsgi-db-commands-');
  const created = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
  assert.equal(created.code, 0, created.stderr);
  project = path.join(tmp.dir, 'mysite');
  linkTsgi(project);
  const app = await manage(project, ['startapp', 'blog']);
  assert.equal(app.code, 0, app.stderr);
  const settingsFile = path.join(project, 'mysite', 'settings.ts');
  writeFileSync(
    settingsFile,
    readFileSync(settingsFile, 'utf8').replace("  'tsgi.staticfiles',\n];", "  'tsgi.staticfiles',\n  'blog',\n];"),
  );
  writeFileSync(
    path.join(project, 'blog', 'models.ts'),
    `import { CASCADE, CharField, ForeignKey, Model } from 'tsgi/db/models';

export class Author extends Model.define({ name: new CharField({ maxLength: 100 }) }) {}

export class Post extends Model.define({
  title: new CharField({ maxLength: 200 }),
  author: new ForeignKey(() => Author, { onDelete: CASCADE }),
}) {}
`,
  );
  mkdirSync(path.join(project, 'blog', 'management', 'commands'), { recursive: true });
  writeFileSync(
    path.join(project, 'blog', 'management', 'commands', 'seed.ts'),
    `import { defineCommand } from 'tsgi/core/management';
import { withSchemaEditor } from 'tsgi/db';
import { Author, Post } from '../../models.ts';

export default defineCommand({
  help: 'Creates the tables and a few rows.',
  requiresSystemChecks: false,
  async handle(_options, io) {
    await withSchemaEditor(async (editor) => {
      await editor.createModel(Author);
      await editor.createModel(Post);
    });
    const ann = await Author.objects.create({ name: 'Ann' });
    for (const title of ['one', 'two', 'three']) await Post.objects.create({ title, author: ann });
    io.stdout.write(\`seeded \${await Post.objects.count()} posts\\n\`);
  },
});
`,
  );
});

after(() => tmp?.remove());

test('models of an installed app belong to it, and shell has them in scope', async () => {
  const seeded = await manage(project, ['seed']);
  assert.equal(seeded.code, 0, seeded.stderr);
  assert.equal(seeded.stdout, 'seeded 3 posts\n');
  const shell = await manage(project, [
    'shell',
    '-c',
    "console.log(Post._meta.label, Post._meta.dbTable, (await Post.objects.filter({ author__name: 'Ann' }).count()))",
  ]);
  assert.equal(shell.code, 0, shell.stderr);
  assert.equal(shell.stdout.trim(), 'blog.Post blog_post 3');
});

test(
  'dbshell opens sqlite3 on the project database, with the arguments after --',
  { skip: hasSqlite3 ? false : 'needs the sqlite3 client (apt-get install -y sqlite3); CI installs it' },
  async () => {
    const result = await manage(project, ['dbshell', '--', 'SELECT COUNT(*) FROM blog_post;']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), '3');
  },
);

test('dbshell without the client is one sentence saying what to install', async () => {
  const settingsFile = path.join(project, 'mysite', 'pgsettings.ts');
  writeFileSync(
    settingsFile,
    `export * from './settings.ts';\nexport const DATABASES = { default: { ENGINE: 'tsgi.db.backends.postgresql', NAME: 'app', HOST: '/nowhere' } };\n`,
  );
  const result = await manage(project, ['dbshell', '--settings', 'mysite.pgsettings'], { PATH: '/nonexistent' });
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /You appear not to have the 'psql' program installed or on your path: install it \(apt-get install postgresql-client\) to use dbshell on the PostgreSQL database 'default'\./,
  );
});

test('check reports a wrong ENGINE as db.E001, naming the setting and the fix', async () => {
  const settingsFile = path.join(project, 'mysite', 'badsettings.ts');
  writeFileSync(
    settingsFile,
    `export * from './settings.ts';\nexport const DATABASES = { default: { ENGINE: 'tsgi.db.backends.sqlite', NAME: 'x' } };\n`,
  );
  const result = await manage(project, ['check', '--settings', 'mysite.badsettings']);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /\(db\.E001\) DATABASES\['default'\]\.ENGINE is 'tsgi\.db\.backends\.sqlite', which is not a database backend: did you mean 'tsgi\.db\.backends\.sqlite3'\?/,
  );
});

test(
  'check on PostgreSQL exits when it is done: the pooled connection of its db.W001 ping does not keep the process alive until the pool closes it',
  { skip: postgresSkip() },
  async () => {
    const server = await startPostgres();
    try {
      const settingsFile = path.join(project, 'mysite', 'pgrealsettings.ts');
      // An idle timeout of an hour: before the fix, the command waited that long after its output
      // (and the test timed out).
      const database = {
        ENGINE: 'tsgi.db.backends.postgresql',
        NAME: server.name,
        USER: server.user,
        HOST: server.host,
        PORT: server.port,
        OPTIONS: { pool: { idleTimeout: 3600 } },
      };
      writeFileSync(
        settingsFile,
        `export * from './settings.ts';\nexport const DATABASES = { default: ${JSON.stringify(database)} };\n`,
      );
      const result = await manage(project, ['check', '--settings', 'mysite.pgrealsettings']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /System check identified no issues/);
    } finally {
      await server.stop();
    }
  },
);
