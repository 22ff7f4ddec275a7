// The contrib apps' own migrations (contenttypes, auth, sessions) as a project runs them, on
// SQLite and PostgreSQL: `migrate` on a fresh database makes their tables and then, through the
// one postMigrate signal, the content types and the default permissions; `makemigrations` finds
// nothing to write for them; migrating auth back to zero and forwards again works; a project
// whose AUTH_USER_MODEL is its own (accounts.User) migrates accounts' 0001 before the apps that
// point at the user. Against Django 3.2 on SQLite: the tables, columns, indexes and constraints
// that Django's migrations make are the ones ours make, and `migrate` (and `migrate
// --fake-initial`) takes a database Django made as it is.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { linkTsgi, manage, tempDir, tsgi } from '../management/helpers.ts';
import { eachBackend, type BackendContext } from '../db/helpers.ts';
import { skipUnlessPresent } from '../prerequisites.ts';

/** Each test runs several commands in child processes: on a loaded 2-core machine that can take minutes. */
const SLOW = { timeout: 600_000 };

const CONTRIB_APPS = ['tsgi.contrib.auth', 'tsgi.contrib.contenttypes', 'tsgi.contrib.sessions'];

/** A `shell -c` snippet that closes the database connections after it (PostgreSQL's pool would keep the process alive). */
function closing(code: string): string {
  return `${code}; await (await import('tsgi/db')).connections.closeAll();`;
}

/** A project made by startproject whose settings name `apps` and the suite's database. */
async function makeProject(
  dir: string,
  databases: BackendContext['databases'],
  apps: readonly string[],
  extra = '',
): Promise<string> {
  const created = await tsgi(['startproject', 'mysite'], { cwd: dir });
  assert.equal(created.code, 0, created.stderr);
  const project = path.join(dir, 'mysite');
  linkTsgi(project);
  writeFileSync(
    path.join(project, 'mysite', 'settings.ts'),
    `export const SECRET_KEY = 'contrib-migrations-test';
export const DEBUG = true;
export const INSTALLED_APPS = ${JSON.stringify(apps)};
export const MIDDLEWARE: string[] = [];
export const ROOT_URLCONF = 'mysite.urls';
export const USE_TZ = true;
export const DATABASES = ${JSON.stringify(databases)};
${extra}`,
  );
  return project;
}

/** The content types and permissions of a project's database, as `app.model` and `app.codename` lists. */
async function rowsMigrateMade(project: string): Promise<{ types: string[]; perms: string[] }> {
  const shown = await manage(project, [
    'shell',
    '-c',
    closing(
      "const { ContentType } = await import('tsgi/contrib/contenttypes/models'); " +
        "const { Permission } = await import('tsgi/contrib/auth/models'); " +
        "const types = (await ContentType.objects.orderBy('appLabel', 'model').valuesList('appLabel', 'model')).map((r) => r.join('.')); " +
        "const perms = (await Permission.objects.orderBy('contentType__appLabel', 'codename').valuesList('contentType__appLabel', 'codename')).map((r) => r.join('.')); " +
        'console.log(JSON.stringify({ types, perms }))',
    ),
  ]);
  assert.equal(shown.code, 0, shown.stderr);
  return JSON.parse(shown.stdout.trim().split('\n').at(-1)!) as { types: string[]; perms: string[] };
}

/** The four default permissions of each model (`app.add_model`, ...), sorted as rowsMigrateMade() lists them. */
function defaults(...labels: string[]): string[] {
  return labels
    .flatMap((label) => {
      const [app, model] = label.split('.');
      return ['add', 'change', 'delete', 'view'].map((action) => `${app}.${action}_${model}`);
    })
    .sort();
}

eachBackend('the contrib apps migrate', (backend) => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;

  before(async () => {
    tmp = tempDir('tsgi-contrib-migrate-');
    project = await makeProject(tmp.dir, backend.databases, CONTRIB_APPS);
  });

  after(() => tmp?.remove());

  test('makemigrations finds nothing to write for contenttypes, auth and sessions', SLOW, async () => {
    const check = await manage(project, ['makemigrations', '--check', 'contenttypes', 'auth', 'sessions']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal(check.stdout, "No changes detected in apps 'contenttypes', 'auth', 'sessions'\n");
  });

  test('migrate on a fresh database: the tables, then the content types and default permissions', SLOW, async () => {
    const migrated = await manage(project, ['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.equal(
      migrated.stdout,
      'Operations to perform:\n  Apply all migrations: auth, contenttypes, sessions\nRunning migrations:\n' +
        '  Applying contenttypes.0001_initial... OK\n  Applying auth.0001_initial... OK\n' +
        '  Applying sessions.0001_initial... OK\n',
    );
    const { types, perms } = await rowsMigrateMade(project);
    assert.deepEqual(types, [
      'auth.group',
      'auth.permission',
      'auth.user',
      'contenttypes.contenttype',
      'sessions.session',
    ]);
    assert.deepEqual(
      perms,
      defaults('auth.group', 'auth.permission', 'auth.user', 'contenttypes.contenttype', 'sessions.session'),
    );
    const sessions = await manage(project, [
      'shell',
      '-c',
      closing(
        "const { SessionStore } = await import('tsgi/contrib/sessions/backends/db'); const s = new SessionStore(null); await s.load(); s.set('n', 1); await s.save(); " +
          'const back = new SessionStore(s.sessionKey); await back.load(); console.log(back.get("n"))',
      ),
    ]);
    assert.equal(sessions.stdout.trim(), '1', sessions.stderr);
  });

  test('migrate auth zero drops its tables (no permissions to make); migrate again makes them all', SLOW, async () => {
    const zero = await manage(project, ['migrate', 'auth', 'zero']);
    assert.equal(zero.code, 0, zero.stderr);
    assert.match(zero.stdout, /Unapplying auth\.0001_initial\.\.\. OK\n/);
    const tables = await manage(project, [
      'shell',
      '-c',
      closing("console.log((await (await import('tsgi/db')).connections.get().introspection.tableNames()).join(' '))"),
    ]);
    assert.doesNotMatch(tables.stdout, /auth_/);
    assert.match(tables.stdout, /django_content_type/);
    const again = await manage(project, ['migrate']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Applying auth\.0001_initial\.\.\. OK\n/);
    assert.equal((await rowsMigrateMade(project)).perms.length, 20);
  });

  test('migrate contenttypes alone (auth unapplied): its rows are made, no permission is attempted', SLOW, async () => {
    const zero = await manage(project, ['migrate', 'contenttypes', 'zero']);
    assert.equal(zero.code, 0, zero.stderr);
    assert.match(
      zero.stdout,
      /Unapplying auth\.0001_initial\.\.\. OK\n {2}Unapplying contenttypes\.0001_initial\.\.\. OK\n/,
    );
    const alone = await manage(project, ['migrate', 'contenttypes']);
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(alone.stdout, /Applying contenttypes\.0001_initial\.\.\. OK\n$/);
    const types = await manage(project, [
      'shell',
      '-c',
      closing(
        "const { ContentType } = await import('tsgi/contrib/contenttypes/models'); console.log(await ContentType.objects.count())",
      ),
    ]);
    assert.equal(types.stdout.trim(), '5', types.stderr);
    const rest = await manage(project, ['migrate']);
    assert.equal(rest.code, 0, rest.stderr);
    assert.equal((await rowsMigrateMade(project)).perms.length, 20);
  });
});

const ACCOUNTS_MODELS = `import { AbstractUser, UserManager } from 'tsgi/contrib/auth/models';

export class User extends AbstractUser.define({}, { appLabel: 'accounts' }) {
  static override objects: UserManager<User> = new UserManager<User>(this);
}
`;

const BLOG_MODELS = `import { CASCADE, CharField, ForeignKey, Model } from 'tsgi/db/models';

export class Post extends Model.define({
  title: new CharField({ maxLength: 100 }),
  author: new ForeignKey('accounts.User', { onDelete: CASCADE }),
}) {}
`;

eachBackend('a project with its own user model (AUTH_USER_MODEL) migrates', (backend) => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;

  before(async () => {
    tmp = tempDir('tsgi-contrib-swapped-');
    project = await makeProject(
      tmp.dir,
      backend.databases,
      [...CONTRIB_APPS, 'accounts', 'blog'],
      "export const AUTH_USER_MODEL = 'accounts.User';\n",
    );
    for (const [app, source] of [
      ['accounts', ACCOUNTS_MODELS],
      ['blog', BLOG_MODELS],
    ] as const) {
      mkdirSync(path.join(project, app, 'migrations'), { recursive: true });
      writeFileSync(path.join(project, app, 'models.ts'), source);
    }
  });

  after(() => tmp?.remove());

  test("accounts' 0001 runs after auth's and before the app pointing at the user", SLOW, async () => {
    // A dry run first: a regression would otherwise write into tsgi's own auth app.
    const dry = await manage(project, ['makemigrations', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    const made = await manage(project, ['makemigrations', 'accounts', 'blog']);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.stdout, dry.stdout);
    assert.equal(
      made.stdout,
      "Migrations for 'accounts':\n  accounts/migrations/0001_initial.ts\n    - Create model User\n" +
        "Migrations for 'blog':\n  blog/migrations/0001_initial.ts\n    - Create model Post\n",
    );
    const blog = readFileSync(path.join(project, 'blog', 'migrations', '0001_initial.ts'), 'utf8');
    assert.match(blog, /dependencies: \[swappableDependency\('AUTH_USER_MODEL'\)\]/);
    assert.match(blog, /new ForeignKey\(swappable\('AUTH_USER_MODEL'\), \{ onDelete: CASCADE \}\)/);
    const plan = await manage(project, ['migrate', '--plan']);
    assert.equal(plan.code, 0, plan.stderr);
    const order = [...plan.stdout.matchAll(/^(\w+\.\d{4}_\w+)$/gm)].map((m) => m[1]);
    assert.deepEqual(order, [
      'contenttypes.0001_initial',
      'auth.0001_initial',
      'accounts.0001_initial',
      'blog.0001_initial',
      'sessions.0001_initial',
    ]);
    const migrated = await manage(project, ['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    const tables = await manage(project, [
      'shell',
      '-c',
      closing("console.log((await (await import('tsgi/db')).connections.get().introspection.tableNames()).join(' '))"),
    ]);
    const names = tables.stdout.trim().split(' ');
    for (const table of ['accounts_user', 'accounts_user_groups', 'accounts_user_user_permissions', 'blog_post']) {
      assert.ok(names.includes(table), `${table} in ${tables.stdout}`);
    }
    assert.ok(!names.includes('auth_user'), tables.stdout);
    assert.ok(!names.includes('auth_user_groups'), tables.stdout);
    const { types, perms } = await rowsMigrateMade(project);
    assert.ok(types.includes('accounts.user') && !types.includes('auth.user'), types.join(' '));
    assert.ok(perms.includes('accounts.change_user') && perms.includes('blog.add_post'), perms.join(' '));
    const rows = await manage(project, [
      'shell',
      '-c',
      closing(
        "const ada = await User.objects.createUser({ username: 'ada', password: 'pw' }); await Post.objects.create({ title: 'x', author: ada }); " +
          "const { Group } = await import('tsgi/contrib/auth/models'); const g = await Group.objects.create({ name: 'editors' }); await ada.groups.add(g); " +
          'console.log(await Post.objects.filter({ author__groups__name: "editors" }).count())',
      ),
    ]);
    assert.equal(rows.stdout.trim(), '1', rows.stderr);
    const again = await manage(project, ['makemigrations', '--check']);
    assert.equal(again.code, 0, again.stdout);
  });
});

describe('a project as startproject and startapp make it [sqlite, its own settings]', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir('tsgi-contrib-fresh-')));
  after(() => tmp?.remove());

  test(
    'startapp blog, a model, a plain makemigrations, migrate: the contrib apps and blog, in order',
    SLOW,
    async () => {
      const created = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
      assert.equal(created.code, 0, created.stderr);
      const project = path.join(tmp.dir, 'mysite');
      linkTsgi(project);
      const app = await manage(project, ['startapp', 'blog']);
      assert.equal(app.code, 0, app.stderr);
      const settingsFile = path.join(project, 'mysite', 'settings.ts');
      writeFileSync(
        settingsFile,
        readFileSync(settingsFile, 'utf8').replace("  'tsgi.staticfiles',\n];", "  'tsgi.staticfiles',\n  'blog',\n];"),
      );
      writeFileSync(path.join(project, 'blog', 'models.ts'), BLOG_MODELS.replace("'accounts.User'", "'auth.User'"));
      // No app label: the empty migrations/ folder startapp made is enough.
      const made = await manage(project, ['makemigrations']);
      assert.equal(made.code, 0, made.stderr);
      assert.equal(made.stdout, "Migrations for 'blog':\n  blog/migrations/0001_initial.ts\n    - Create model Post\n");
      const migrated = await manage(project, ['migrate']);
      assert.equal(migrated.code, 0, migrated.stderr);
      assert.equal(
        migrated.stdout,
        'Operations to perform:\n  Apply all migrations: auth, blog, contenttypes, sessions\nRunning migrations:\n' +
          '  Applying contenttypes.0001_initial... OK\n  Applying auth.0001_initial... OK\n' +
          '  Applying blog.0001_initial... OK\n  Applying sessions.0001_initial... OK\n',
      );
      assert.ok((await rowsMigrateMade(project)).perms.includes('blog.view_post'));
    },
  );
});

/** Django's sqlite3 tables as data: columns by name (type, NOT NULL, primary key, default), indexes and foreign keys. */
const INTROSPECT = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out = {}
for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"):
    columns = {r[1]: {'type': r[2], 'notnull': r[3], 'default': r[4], 'pk': r[5]} for r in db.execute(f'PRAGMA table_info("{table}")')}
    indexes = {}
    for r in db.execute(f'PRAGMA index_list("{table}")'):
        name = r[1] if not r[1].startswith('sqlite_autoindex') else 'auto:' + ','.join(c[2] for c in db.execute(f'PRAGMA index_info("{r[1]}")'))
        indexes[name] = {'unique': r[2], 'origin': r[3], 'columns': [c[2] for c in db.execute(f'PRAGMA index_info("{r[1]}")')]}
    fks = sorted([r[3], r[2], r[4], r[5], r[6]] for r in db.execute(f'PRAGMA foreign_key_list("{table}")'))
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    out[table] = {'columns': columns, 'indexes': indexes, 'fks': fks, 'autoincrement': 'AUTOINCREMENT' in sql, 'deferred': 'DEFERRABLE INITIALLY DEFERRED' in sql}
print(json.dumps(out, sort_keys=True))
`;

const PYTHON = '/usr/bin/python3';
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;

function python(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const run = spawnSync(PYTHON, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

describe(
  'the contrib apps against Django 3.2 [sqlite]',
  { skip: skipUnlessPresent(hasDjango ? undefined : 'Django is not installed (apt-get install -y python3-django)') },
  () => {
    let tmp: ReturnType<typeof tempDir>;
    let djangoDb: string;

    before(() => {
      tmp = tempDir('tsgi-contrib-django-');
      const site = path.join(tmp.dir, 'djsite');
      mkdirSync(site);
      djangoDb = path.join(tmp.dir, 'django.sqlite3');
      writeFileSync(
        path.join(site, 'djsettings.py'),
        `SECRET_KEY = 'x'\nUSE_TZ = True\nINSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.sessions']\n` +
          `DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ${JSON.stringify(djangoDb)}}}\n`,
      );
      python(['-m', 'django', 'migrate', '-v', '0'], { PYTHONPATH: site, DJANGO_SETTINGS_MODULE: 'djsettings' });
    });

    after(() => tmp?.remove());

    test('the same tables, columns, indexes and constraints as Django 3.2 migrated', SLOW, async () => {
      const db = path.join(tmp.dir, 'tsgi', 'db.sqlite3');
      mkdirSync(path.dirname(db));
      const project = await makeProject(
        path.join(tmp.dir, 'tsgi'),
        { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: db } },
        CONTRIB_APPS,
      );
      const migrated = await manage(project, ['migrate']);
      assert.equal(migrated.code, 0, migrated.stderr);
      const ours = JSON.parse(python(['-c', INTROSPECT, db])) as Record<string, unknown>;
      const theirs = JSON.parse(python(['-c', INTROSPECT, djangoDb])) as Record<string, unknown>;
      // Compared by name: Django's SQLite tables keep the column order of their 12-step history
      // (auth_user's first_name last, rebuilt by 0012), ours that of the models.
      assert.deepEqual(ours, theirs);
    });

    test(
      'migrate takes a database Django migrated as it is; --fake-initial one whose records are gone',
      SLOW,
      async () => {
        const db = path.join(tmp.dir, 'fake', 'db.sqlite3');
        mkdirSync(path.dirname(db));
        copyFileSync(djangoDb, db);
        const project = await makeProject(
          path.join(tmp.dir, 'fake'),
          { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: db } },
          CONTRIB_APPS,
        );
        const nothing = await manage(project, ['migrate']);
        assert.equal(nothing.code, 0, nothing.stderr);
        assert.match(nothing.stdout, /No migrations to apply\./);
        python([
          '-c',
          `import sqlite3; c = sqlite3.connect(${JSON.stringify(db)}); c.execute("DELETE FROM django_migrations WHERE app IN ('auth', 'contenttypes', 'sessions')"); c.commit()`,
        ]);
        const refused = await manage(project, ['migrate']);
        assert.notEqual(refused.code, 0);
        assert.match(refused.stderr, /already exists/);
        const faked = await manage(project, ['migrate', '--fake-initial']);
        assert.equal(faked.code, 0, faked.stderr);
        assert.equal(
          faked.stdout,
          'Operations to perform:\n  Apply all migrations: auth, contenttypes, sessions\nRunning migrations:\n' +
            '  Applying contenttypes.0001_initial... FAKED\n  Applying auth.0001_initial... FAKED\n' +
            '  Applying sessions.0001_initial... FAKED\n',
        );
        const user = await manage(project, [
          'shell',
          '-c',
          closing(
            "const { User } = await import('tsgi/contrib/auth/models'); const u = await User.objects.createUser({ username: 'ada', password: 'pw' }); console.log(await u.hasPerm('auth.add_user'), await User.objects.count())",
          ),
        ]);
        assert.equal(user.stdout.trim(), 'false 1', user.stderr);
      },
    );
  },
);
