// createsuperuser and changepassword on both databases: run in-process with a scripted terminal
// (the answers a person would type, in order), and once as a real `manage.ts` process, found
// through INSTALLED_APPS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CommandError, parseCommandLine, type Command, type CommandIO } from '../../../src/core/management/base.ts';
import createsuperuser from '../../../src/contrib/auth/management/commands/createsuperuser.ts';
import changepassword from '../../../src/contrib/auth/management/commands/changepassword.ts';
import { User } from '../../../src/contrib/auth/models.ts';
import { eachBackend } from '../../db/helpers.ts';
import { manage, REPO_ROOT, run, tempDir } from '../../management/helpers.ts';
import { createAuthTables, FAST_HASHERS } from './helpers.ts';

/** Runs a command in-process with these answers to its questions; returns what it wrote and asked. */
async function call(
  command: Command,
  argv: string[],
  answers: string[] = [],
  options: { tty?: boolean } = {},
): Promise<{ stdout: string; stderr: string; asked: string[] }> {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const io: CommandIO & { stdin: { isTTY: boolean } } = {
    stdout: { write: (text: string) => void (stdout += text) },
    stderr: { write: (text: string) => void (stderr += text) },
    stdin: { isTTY: options.tty ?? true },
    style: new Proxy({}, { get: () => (text: string) => text }) as CommandIO['style'],
    async prompt(question: string) {
      asked.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`No answer left for ${JSON.stringify(question)}`);
      return answer;
    },
  };
  const parsed = parseCommandLine('test', command, argv);
  await command.handle(
    {
      ...parsed.options,
      args: parsed.args,
      verbosity: parsed.globals.verbosity,
      traceback: false,
      noColor: true,
    } as never,
    io,
  );
  return { stdout, stderr, asked };
}

eachBackend(
  'createsuperuser and changepassword',
  () => {
    before(async () => {
      await createAuthTables();
    });

    test('createsuperuser --noinput: from the options and TSGI_SUPERUSER_PASSWORD; errors named', async () => {
      await assert.rejects(call(createsuperuser, ['--noinput']), {
        name: 'CommandError',
        message: 'You must use --username with --noinput.',
      });
      await assert.rejects(call(createsuperuser, ['--noinput', '--username', 'admin']), {
        message: 'You must use --email with --noinput.',
      });
      process.env.TSGI_SUPERUSER_PASSWORD = 'from-the-environment';
      try {
        const { stdout } = await call(createsuperuser, [
          '--noinput',
          '--username',
          'admin',
          '--email',
          'admin@example.com',
        ]);
        assert.equal(stdout, 'Superuser created successfully.\n');
      } finally {
        delete process.env.TSGI_SUPERUSER_PASSWORD;
      }
      const admin = await User.objects.get({ username: 'admin' });
      assert.equal(admin.isSuperuser && admin.isStaff, true);
      assert.equal(await admin.checkPassword('from-the-environment'), true);
      await assert.rejects(call(createsuperuser, ['--noinput', '--username', 'admin', '--email', 'a@b.c']), {
        message: 'Error: That username is already taken.',
      });
      await assert.rejects(call(createsuperuser, ['--noinput', '--username', 'bad name!', '--email', 'a@b.c']), {
        message: 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
      });
      await assert.rejects(call(createsuperuser, ['--noinput', '--username', 'nopw', '--email', 'not-an-email']), {
        message: 'Enter a valid email address.',
      });
      await call(createsuperuser, ['--noinput', '--username', 'nopw', '--email', 'nopw@example.com']);
      assert.equal((await User.objects.get({ username: 'nopw' })).hasUsablePassword(), false);
    });

    test('createsuperuser in a terminal: asks again after a taken name, mismatched, blank and refused passwords', async () => {
      if (!(await User.objects.filter({ username: 'admin' }).exists()))
        await User.objects.createUser({ username: 'admin' });
      using _ = (await import('../../../src/conf/index.ts')).overrideSettings({
        AUTH_PASSWORD_VALIDATORS: [{ NAME: 'tsgi.contrib.auth.password-validation.CommonPasswordValidator' }],
      });
      const { stdout, stderr, asked } = await call(
        createsuperuser,
        [],
        [
          'admin',
          'grace',
          'grace@example.com',
          'one',
          'two',
          ' ',
          ' ',
          'password',
          'password',
          'n',
          'password',
          'password',
          'y',
        ],
      );
      assert.deepEqual(asked.slice(2), [
        'Email address: ',
        'Password: ',
        'Password (again): ',
        'Password: ',
        'Password (again): ',
        'Password: ',
        'Password (again): ',
        'Bypass password validation and create user anyway? [y/N]: ',
        'Password: ',
        'Password (again): ',
        'Bypass password validation and create user anyway? [y/N]: ',
      ]);
      for (const question of asked.slice(0, 2))
        assert.match(question, /^Username( \(leave blank to use '[^']+'\))?: $/);
      assert.equal(
        stderr,
        [
          'Error: That username is already taken.',
          "Error: Your passwords didn't match.",
          "Error: Blank passwords aren't allowed.",
          'This password is too common.',
          'This password is too common.',
          '',
        ].join('\n'),
      );
      assert.equal(stdout, 'Superuser created successfully.\n');
      const grace = await User.objects.get({ username: 'grace' });
      assert.equal(await grace.checkPassword('password'), true);
      assert.equal(grace.email, 'grace@example.com');
    });

    test('createsuperuser without a terminal and without --noinput does nothing, and says so', async () => {
      const { stdout } = await call(createsuperuser, [], [], { tty: false });
      assert.match(stdout, /^Superuser creation skipped due to not running in a TTY\./);
    });

    test('changepassword: twice the same password, validated, three tries; an unknown user is named', async () => {
      await User.objects.createUser({ username: 'ada', password: 'old' });
      const { stdout } = await call(changepassword, ['ada'], ['new-one', 'new-one']);
      assert.equal(stdout, "Changing password for user 'ada'\nPassword changed successfully for user 'ada'\n");
      assert.equal(await (await User.objects.get({ username: 'ada' })).checkPassword('new-one'), true);
      await assert.rejects(call(changepassword, ['ada'], ['a', 'b', 'c', 'd', 'e', 'f']), {
        message: "Aborting password change for user 'ada' after 3 attempts",
      });
      await assert.rejects(call(changepassword, ['ada'], ['']), { message: 'aborted' });
      await assert.rejects(call(changepassword, ['nobody'], []), (error: Error) => {
        assert.ok(error instanceof CommandError);
        assert.equal(error.message, "user 'nobody' does not exist");
        return true;
      });
    });
  },
  { extraSettings: { SECRET_KEY: 'commands', PASSWORD_HASHERS: FAST_HASHERS } },
);

const tmp = tempDir('tsgi-auth-commands-');
after(() => tmp.remove());

test('manage.ts: the commands come with the app, and createsuperuser --noinput makes a user that logs in', async () => {
  const db = path.join(tmp.dir, 'db.sqlite3');
  writeFileSync(
    path.join(tmp.dir, 'authsettings.ts'),
    `export const SECRET_KEY = 'auth-commands';
export const INSTALLED_APPS = ['tsgi.contrib.contenttypes', 'tsgi.contrib.auth'];
export const DATABASES = { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: ${JSON.stringify(db)} } };
export const PASSWORD_HASHERS = ['tsgi.contrib.auth.hashers.MD5PasswordHasher'];
`,
  );
  writeFileSync(
    path.join(tmp.dir, 'manage.ts'),
    `import { executeFromCommandLine } from ${JSON.stringify(path.join(REPO_ROOT, 'src/core/management/index.ts'))};
process.env.TSGI_SETTINGS_MODULE ??= 'authsettings';
process.exitCode = await executeFromCommandLine(process.argv);
`,
  );
  // The tables, until migrate exists.
  const script = `
    import { setup } from ${JSON.stringify(path.join(REPO_ROOT, 'src/core/wsgi.ts'))};
    import { withSchemaEditor } from ${JSON.stringify(path.join(REPO_ROOT, 'src/db/index.ts'))};
    import { connections } from ${JSON.stringify(path.join(REPO_ROOT, 'src/db/connections.ts'))};
    import { ContentType } from ${JSON.stringify(path.join(REPO_ROOT, 'src/contrib/contenttypes/models.ts'))};
    import { Group, Permission, User } from ${JSON.stringify(path.join(REPO_ROOT, 'src/contrib/auth/models.ts'))};
    await setup();
    await withSchemaEditor(async (e) => { for (const m of [ContentType, Permission, Group, User]) await e.createModel(m); });
    await connections.closeAll();`;
  const env = { TSGI_SETTINGS_MODULE: 'authsettings', NODE_OPTIONS: '--conditions=tsgi-source' };
  const made = await run(['--input-type=module', '-e', script], { cwd: tmp.dir, env });
  assert.equal(made.code, 0, made.stderr);
  const help = await manage(tmp.dir, ['help'], env);
  assert.match(help.stdout, /\[auth\]\n\s+changepassword\n\s+createsuperuser/);
  const created = await manage(
    tmp.dir,
    ['createsuperuser', '--noinput', '--username', 'root', '--email', 'root@example.com'],
    {
      ...env,
      TSGI_SUPERUSER_PASSWORD: 's3cret',
    },
  );
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /Superuser created successfully\.\n$/);
  const check = await run(
    [
      '--input-type=module',
      '-e',
      `import { setup } from ${JSON.stringify(path.join(REPO_ROOT, 'src/core/wsgi.ts'))};
       import { authenticate } from ${JSON.stringify(path.join(REPO_ROOT, 'src/contrib/auth/index.ts'))};
       await setup();
       const user = await authenticate(null, { username: 'root', password: 's3cret' });
       console.log(user ? user.username + ' ' + user.isSuperuser : 'refused');`,
    ],
    { cwd: tmp.dir, env },
  );
  assert.equal(check.stdout.trim(), 'root true', check.stderr);
});
