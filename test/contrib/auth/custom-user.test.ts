// AUTH_USER_MODEL swapped for a project's model (an e-mail as the username), on both databases:
// auth's User steps aside (no table of its own in getModels(), no reverse relations), the
// project's model gets the groups and permissions, logs in by e-mail, and createsuperuser asks
// for its fields; the user model and permission checks with Django's ids.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings } from '../../../src/conf/index.ts';
import { execute } from '../../../src/db/index.ts';
import { BooleanField, CharField, DateField, EmailField, getModels, Model } from '../../../src/db/models/index.ts';
import { authenticate, getUserModel } from '../../../src/contrib/auth/index.ts';
import { checkModelsPermissions, checkUserModel } from '../../../src/contrib/auth/checks.ts';
import createsuperuser from '../../../src/contrib/auth/management/commands/createsuperuser.ts';
import { AbstractBaseUser, BaseUserManager } from '../../../src/contrib/auth/base-user.ts';
import { Group, Permission, PermissionsMixin, User, UserManager } from '../../../src/contrib/auth/models.ts';
import { parseCommandLine } from '../../../src/core/management/base.ts';
import { withSchemaEditor } from '../../../src/db/index.ts';
import { ContentType } from '../../../src/contrib/contenttypes/models.ts';
import { createPermissions } from '../../../src/contrib/auth/management/index.ts';
import { eachBackend } from '../../db/helpers.ts';
import { FAST_HASHERS } from './helpers.ts';

class Customer extends PermissionsMixin.define(
  {
    email: new EmailField({ unique: true, verboseName: 'email address' }),
    dateOfBirth: new DateField({ dbColumn: 'date_of_birth', verboseName: 'date of birth' }),
    isActive: new BooleanField({ default: true, dbColumn: 'is_active' }),
    isStaff: new BooleanField({ default: false, dbColumn: 'is_staff' }),
  },
  { appLabel: 'accounts' },
) {
  static override USERNAME_FIELD = 'email';
  static override REQUIRED_FIELDS: readonly string[] = ['dateOfBirth'];
  static override objects: UserManager<Customer> = new UserManager<Customer>(this);
}

// A user model without permissions, whose username is not unique (auth.E003 / W004).
class Kiosk extends AbstractBaseUser.define({ badge: new CharField({ maxLength: 20 }) }, { appLabel: 'accounts' }) {
  static override USERNAME_FIELD = 'badge';
  static override REQUIRED_FIELDS: readonly string[] = ['badge'];
  static override objects = new BaseUserManager<Kiosk>(this);
}

class Report extends Model.define(
  { title: new CharField({ maxLength: 20 }) },
  {
    // Its own app, whose permissions are only checked, never created (the codename is too long).
    appLabel: 'reports',
    permissions: [
      ['add_report', 'Clashes with a default one'],
      ['export_report', 'Can export'],
      ['export_report', 'Twice'],
      ['x'.repeat(101), 'Too long a codename'],
    ],
  },
) {}

eachBackend(
  'a custom user model (AUTH_USER_MODEL)',
  (backend) => {
    before(async () => {
      await withSchemaEditor(async (editor) => {
        for (const model of [ContentType, Permission, Group, Customer, Kiosk]) await editor.createModel(model);
      });
      ContentType.objects.clearCache();
      await createPermissions({ label: 'auth' });
      await createPermissions({ label: 'accounts' });
    });

    test("auth's User is swapped out: not in getModels(), no relations; the project's model is the user model", async () => {
      assert.equal(getUserModel(), Customer);
      assert.equal(User._meta.swapped, 'accounts.Customer');
      assert.equal(Customer._meta.swapped, null);
      assert.equal(
        getModels().some((m) => m.label === 'auth.User'),
        false,
      );
      assert.equal(
        getModels({ includeSwapped: true }).some((m) => m.label === 'auth.User'),
        true,
      );
      const tables =
        backend.name === 'sqlite'
          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'a%' ORDER BY name"
          : "SELECT table_name AS name FROM information_schema.tables WHERE table_name LIKE 'a%' ORDER BY table_name";
      const names = (await execute(tables)).rows.map((r) => (r as { name: string }).name);
      assert.ok(names.includes('accounts_customer_groups') && names.includes('accounts_customer_user_permissions'));
      assert.ok(!names.includes('auth_user'), 'no table for the swapped model');
      assert.equal(await ContentType.objects.filter({ appLabel: 'auth', model: 'user' }).count(), 0);
    });

    test('the custom model logs in by e-mail and has the permissions of its groups', async () => {
      const ann = await Customer.objects.createUser({
        email: 'ann@example.com',
        password: 'pw',
        dateOfBirth: '1990-01-02',
      });
      assert.equal(ann.getUsername(), 'ann@example.com');
      const found = await authenticate(null, { username: 'ann@example.com', password: 'pw' });
      assert.equal((found as Customer | null)?.pk, ann.pk);
      assert.equal(
        ((await authenticate(null, { email: 'ann@example.com', password: 'pw' })) as Customer | null)?.pk,
        ann.pk,
      );
      const group = await Group.objects.create({ name: 'reporters' });
      await group.permissions.add(await Permission.objects.get({ codename: 'view_group' }));
      await ann.groups.add(group);
      assert.equal(await (await Customer.objects.get({ pk: ann.pk })).hasPerm('auth.view_group'), true);
      const members = (group as unknown as { userSet: { all(): Promise<Customer[]> } }).userSet;
      assert.deepEqual(
        (await members.all()).map((c) => c.email),
        ['ann@example.com'],
      );
    });

    test("createsuperuser asks for the model's username and required fields", async () => {
      const parsed = parseCommandLine('createsuperuser', createsuperuser, [
        '--noinput',
        '--email',
        'boss@example.com',
        '--date-of-birth',
        '1970-05-06',
      ]);
      let out = '';
      await createsuperuser.handle(
        { ...parsed.options, args: parsed.args, verbosity: 1, traceback: false, noColor: true } as never,
        {
          stdout: { write: (t: string) => void (out += t) },
          stderr: { write: () => {} },
          style: {} as never,
          prompt: async () => '',
        },
      );
      assert.equal(out, 'Superuser created successfully.\n');
      const boss = await Customer.objects.get({ email: 'boss@example.com' });
      assert.equal(boss.isSuperuser, true);
      assert.equal(String(boss.dateOfBirth), '1970-05-06');
    });

    test('the checks: auth.E002, E003 and W004 for the user model, E005, E006 and E012 for permissions', () => {
      assert.deepEqual(checkUserModel(), []);
      {
        using _ = overrideSettings({ AUTH_USER_MODEL: 'accounts.Kiosk' });
        const messages = checkUserModel();
        assert.deepEqual(
          messages.map((m) => [m.id, m.msg]),
          [
            [
              'auth.E002',
              "The field named as the 'USERNAME_FIELD' for a custom user model must not be included in 'REQUIRED_FIELDS'.",
            ],
            ['auth.E003', "'Kiosk.badge' must be unique because it is named as the 'USERNAME_FIELD'."],
          ],
        );
      }
      {
        using _ = overrideSettings({
          AUTH_USER_MODEL: 'accounts.Kiosk',
          AUTHENTICATION_BACKENDS: ['tsgi.contrib.auth.backends.ModelBackend', 'myproject.backends.Badge'],
        });
        assert.deepEqual(
          checkUserModel().map((m) => m.id),
          ['auth.E002', 'auth.W004'],
        );
      }
      {
        using _ = overrideSettings({ AUTH_USER_MODEL: 'auth' });
        assert.throws(
          () => checkUserModel(),
          /AUTH_USER_MODEL must be of the form 'app_label\.ModelName', got 'auth'\./,
        );
      }
      {
        using _ = overrideSettings({ AUTH_USER_MODEL: 'shop.Buyer' });
        assert.throws(
          () => getUserModel(),
          /AUTH_USER_MODEL refers to model 'shop\.Buyer' that has not been installed/,
        );
      }
      // A model outside INSTALLED_APPS is known once used (an installed app's models module names them all).
      const label = Report._meta.label;
      const report = checkModelsPermissions().filter((m) => m.obj === label);
      assert.deepEqual(
        report.map((m) => [m.id, m.msg]),
        [
          [
            'auth.E005',
            "The permission codenamed 'add_report' clashes with a builtin permission for model 'reports.Report'.",
          ],
          ['auth.E006', "The permission codenamed 'export_report' is duplicated for model 'reports.Report'."],
          [
            'auth.E012',
            `The permission codenamed '${'x'.repeat(101)}' of model 'reports.Report' is longer than 100 characters.`,
          ],
        ],
      );
    });
  },
  {
    extraSettings: { SECRET_KEY: 'custom-user', AUTH_USER_MODEL: 'accounts.Customer', PASSWORD_HASHERS: FAST_HASHERS },
  },
);
