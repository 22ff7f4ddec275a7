// The auth models on both backends (SQLite and PostgreSQL): Django's tables and columns, users
// with hashed passwords, ModelBackend (hash upgrades at login, inactive users, the hasher run for
// an unknown username), permissions from groups and direct grants cached on the user, superusers,
// withPerm(), the permissions made after migrate, content types, AnonymousUser.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings } from '../../../src/conf/index.ts';
import { execute } from '../../../src/db/index.ts';
import { CharField, Model } from '../../../src/db/models/index.ts';
import { ContentType } from '../../../src/contrib/contenttypes/models.ts';
import { authenticate, getUserModel } from '../../../src/contrib/auth/index.ts';
import { clearPermissionCache, ModelBackend } from '../../../src/contrib/auth/backends.ts';
import { makePassword } from '../../../src/contrib/auth/hashers.ts';
import { createPermissions } from '../../../src/contrib/auth/management/index.ts';
import { AnonymousUser, Group, Permission, User, UserManager } from '../../../src/contrib/auth/models.ts';
import { eachBackend } from '../../db/helpers.ts';
import { calls } from './fixtures/hashers.ts';
import { createAuthTables, FAST_HASHERS } from './helpers.ts';

class Article extends Model.define(
  { title: new CharField({ maxLength: 50 }) },
  { appLabel: 'news', permissions: [['publish_article', 'Can publish articles']] },
) {}

eachBackend(
  'auth models',
  (backend) => {
    before(async () => {
      await createAuthTables([Article], ['contenttypes', 'auth', 'news']);
    });

    test("Django's tables and columns", async () => {
      const columns = async (table: string) => {
        const sql =
          backend.name === 'sqlite'
            ? `SELECT name FROM pragma_table_info('${table}') ORDER BY cid`
            : `SELECT column_name AS name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`;
        return (await execute(sql)).rows.map((r) => (r as { name: string }).name);
      };
      assert.deepEqual(await columns('auth_user'), [
        'id',
        'password',
        'last_login',
        'is_superuser',
        'username',
        'first_name',
        'last_name',
        'email',
        'is_staff',
        'is_active',
        'date_joined',
      ]);
      assert.deepEqual(await columns('auth_user_groups'), ['id', 'user_id', 'group_id']);
      assert.deepEqual(await columns('auth_user_user_permissions'), ['id', 'user_id', 'permission_id']);
      assert.deepEqual(await columns('auth_group'), ['id', 'name']);
      assert.deepEqual(await columns('auth_group_permissions'), ['id', 'group_id', 'permission_id']);
      assert.deepEqual(await columns('auth_permission'), ['id', 'name', 'content_type_id', 'codename']);
      assert.deepEqual(await columns('django_content_type'), ['id', 'app_label', 'model']);
    });

    test("the permissions migrate makes: four per model and the model's own, once", async () => {
      const news = await Permission.objects
        .filter({ contentType__appLabel: 'news' })
        .orderBy('codename')
        .valuesList('codename', 'name');
      assert.deepEqual(news, [
        ['add_article', 'Can add article'],
        ['change_article', 'Can change article'],
        ['delete_article', 'Can delete article'],
        ['publish_article', 'Can publish articles'],
        ['view_article', 'Can view article'],
      ]);
      const auth = await Permission.objects
        .filter({ contentType__appLabel: 'auth' })
        .valuesList('codename', { flat: true });
      assert.deepEqual([...auth].sort(), [
        'add_group',
        'add_permission',
        'add_user',
        'change_group',
        'change_permission',
        'change_user',
        'delete_group',
        'delete_permission',
        'delete_user',
        'view_group',
        'view_permission',
        'view_user',
      ]);
      const count = await Permission.objects.count();
      assert.deepEqual(await createPermissions({ label: 'news' }), [], 'nothing new the second time');
      assert.equal(await Permission.objects.count(), count);
      const ct = await ContentType.objects.getForModel(Article);
      assert.equal(ct.toString(), 'news | article');
      assert.equal(ct.modelClass(), Article);
      assert.equal((await ContentType.objects.getForId(ct.id)).model, 'article');
      const perm = await Permission.objects.selectRelated('contentType').get({ codename: 'publish_article' });
      assert.equal(perm.toString(), 'news | article | Can publish articles');
    });

    test('createUser() hashes the password, normalizes the e-mail and the username; createSuperuser() sets the flags', async () => {
      const ada = await User.objects.createUser({ username: 'ａｄａ', email: 'Ada@Example.COM', password: 'pw-ada' });
      assert.equal(ada.username, 'ada', 'NFKC: full-width letters are the same user');
      assert.equal(ada.email, 'Ada@example.com');
      assert.match(ada.password, /^md5\$/);
      assert.equal(ada.isStaff, false);
      assert.equal(ada.isActive, true);
      assert.equal(await ada.checkPassword('pw-ada'), true);
      assert.equal(await ada.checkPassword('nope'), false);
      const root = await User.objects.createSuperuser({ username: 'root', email: null, password: null });
      assert.equal(root.isSuperuser && root.isStaff, true);
      assert.equal(root.hasUsablePassword(), false);
      await assert.rejects(User.objects.createSuperuser({ username: 'x', isStaff: false }), {
        message: 'Superuser must have isStaff=true.',
      });
      await assert.rejects(User.objects.createUser({ username: '' }), { message: 'The given username must be set.' });
      const fetched = await User.objects.getByNaturalKey('ada');
      assert.equal(fetched.getFullName(), '');
      assert.equal(String(fetched), 'ada');
      assert.equal(getUserModel(), User);
      assert.ok(User.objects instanceof UserManager);
    });

    test('ModelBackend: a correct password logs in and upgrades an old hash; wrong or inactive does not', async () => {
      const user = await User.objects.create({
        username: 'grace',
        password: await makePassword('pw', { hasher: 'pbkdf2_sha256' }),
      });
      assert.equal(await authenticate(null, { username: 'grace', password: 'wrong' }), null);
      assert.match(
        (await User.objects.get({ pk: user.pk })).password,
        /^pbkdf2_sha256\$/,
        'a wrong password changes nothing',
      );
      const found = await authenticate(null, { username: 'grace', password: 'pw' });
      assert.ok(found instanceof User);
      assert.equal((found as { backend?: string }).backend, 'tsgi.contrib.auth.backends.ModelBackend');
      assert.match((await User.objects.get({ pk: user.pk })).password, /^md5\$/, 'upgraded to the first hasher');
      await User.objects.filter({ pk: user.pk }).update({ isActive: false });
      assert.equal(await authenticate(null, { username: 'grace', password: 'pw' }), null);
      assert.equal(await authenticate(null, { password: 'pw' }), null, 'no username: not this backend');
    });

    test('an unknown username runs the default hasher once (no timing difference)', async () => {
      using _ = overrideSettings({ PASSWORD_HASHERS: ['test.contrib.auth.fixtures.hashers.CountingHasher'] });
      calls.length = 0;
      assert.equal(await authenticate(null, { username: 'nobody', password: 'pw' }), null);
      assert.deepEqual(calls, ['encode 10']);
    });

    test('permissions: direct and through groups, cached on the user; superusers have all; inactive none', async () => {
      const editors = await Group.objects.create({ name: 'editors' });
      const change = await Permission.objects.get({ codename: 'change_article' });
      const publish = await Permission.objects.get({ codename: 'publish_article' });
      await editors.permissions.add(change);
      const joe = await User.objects.createUser({ username: 'joe', password: 'pw' });
      await joe.groups.add(editors);
      await joe.userPermissions.add(publish);
      const fresh = await User.objects.get({ pk: joe.pk });
      assert.deepEqual(await fresh.getGroupPermissions(), new Set(['news.change_article']));
      assert.deepEqual(await fresh.getUserPermissions(), new Set(['news.publish_article']));
      assert.deepEqual(await fresh.getAllPermissions(), new Set(['news.change_article', 'news.publish_article']));
      assert.equal(await fresh.hasPerm('news.change_article'), true);
      assert.equal(await fresh.hasPerm('news.delete_article'), false);
      assert.equal(await fresh.hasPerms(['news.change_article', 'news.publish_article']), true);
      assert.equal(await fresh.hasModulePerms('news'), true);
      assert.equal(await fresh.hasModulePerms('auth'), false);
      await assert.rejects(fresh.hasPerms('news.change_article' as never), /takes a list/);
      // Cached: a permission granted now is not seen by this object...
      await joe.userPermissions.add(await Permission.objects.get({ codename: 'delete_article' }));
      assert.equal(await fresh.hasPerm('news.delete_article'), false);
      clearPermissionCache(fresh);
      assert.equal(await fresh.hasPerm('news.delete_article'), true, '...until the cache is cleared');
      const root = await User.objects.createSuperuser({ username: 'boss', password: 'pw' });
      assert.equal(await root.hasPerm('anything.at_all'), true);
      assert.equal((await root.getAllPermissions()).has('auth.add_user'), true);
      await User.objects.filter({ pk: joe.pk }).update({ isActive: false });
      const inactive = await User.objects.get({ pk: joe.pk });
      assert.equal(await inactive.hasPerm('news.change_article'), false);
      assert.deepEqual(await new ModelBackend().getAllPermissions(inactive), new Set());
      // withPerm(): the active users with it (and superusers).
      const withChange = await User.objects
        .withPerm('news.change_article')
        .orderBy('username')
        .valuesList('username', { flat: true });
      assert.deepEqual([...withChange], ['boss', 'root'], 'the superusers; joe is inactive');
      await User.objects.filter({ pk: joe.pk }).update({ isActive: true });
      const again = await User.objects
        .withPerm(change, { includeSuperusers: false })
        .valuesList('username', { flat: true });
      assert.deepEqual([...again], ['joe']);
      assert.throws(() => User.objects.withPerm('nodot'), /app_label\.permission_codename/);
      assert.deepEqual(
        [...(await Group.objects.filter({ user__username: 'joe' } as never).valuesList('name', { flat: true }))],
        ['editors'],
        "Django's related query name: group__user",
      );
    });

    test('AnonymousUser: no permissions, no row, equal to any other', async () => {
      const anonymous = new AnonymousUser();
      assert.equal(anonymous.isAuthenticated, false);
      assert.equal(anonymous.isAnonymous, true);
      assert.equal(String(anonymous), 'AnonymousUser');
      assert.equal(anonymous.equals(new AnonymousUser()), true);
      assert.equal(await anonymous.hasPerm('news.change_article'), false);
      assert.deepEqual(await anonymous.getAllPermissions(), new Set());
      assert.deepEqual(await anonymous.groups.all(), []);
      assert.throws(() => anonymous.save(), /doesn't provide a DB representation for AnonymousUser/);
    });
  },
  { extraSettings: { SECRET_KEY: 'models', PASSWORD_HASHERS: FAST_HASHERS } },
);
