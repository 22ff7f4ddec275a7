// Logging in and out over real sockets, through SessionMiddleware, CsrfViewMiddleware and
// AuthenticationMiddleware, on both databases: the session key and the CSRF token change at
// login (a planted session key is worth nothing), logout ends the session for good, a password
// changed in one session logs the others out (but not the one that changed it), the decorators
// and mixins send anonymous users to the login page and refuse users without the permission,
// request.user before auser() is a clear error, and a visitor who never asks for the user costs
// no session read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apps } from '../../../src/apps/registry.ts';
import { WSGIHandler } from '../../../src/core/handlers/wsgi.ts';
import { caches } from '../../../src/core/cache/index.ts';
import { serve, type ServerHandle } from '../../../src/gateway/server.ts';
import type { HttpRequest } from '../../../src/http/request.ts';
import { HttpResponse, HttpResponseRedirect } from '../../../src/http/response.ts';
import { getToken } from '../../../src/middleware/csrf.ts';
import { path } from '../../../src/urls/index.ts';
import { render } from '../../../src/template/shortcuts.ts';
import { Client } from '../../../src/test/index.ts';
import { View } from '../../../src/views/generic/base.ts';
import {
  authenticate,
  loadUser,
  login,
  loginRequired,
  LoginRequiredMixin,
  logout,
  permissionRequired,
  PermissionRequiredMixin,
  safeNextUrl,
  updateSessionAuthHash,
  userLoggedIn,
  userLoggedOut,
  userLoginFailed,
  UserPassesTestMixin,
} from '../../../src/contrib/auth/index.ts';
import { Permission, User } from '../../../src/contrib/auth/models.ts';
import { eachBackend } from '../../db/helpers.ts';
import { captureLogs } from '../../core/helpers.ts';
import { Browser } from './fixtures/browser.ts';
import { createAuthTables, FAST_HASHERS } from './helpers.ts';

const name = (user: { isAuthenticated: boolean; getUsername(): string }) =>
  user.isAuthenticated ? user.getUsername() : 'anonymous';

class MixinView extends LoginRequiredMixin(View) {
  get(request: HttpRequest) {
    return new HttpResponse(`mixin ${name(request.user)}`);
  }
}

class PermView extends PermissionRequiredMixin(View) {
  override permissionRequired = 'auth.view_user';
  get() {
    return new HttpResponse('may view users');
  }
}

class StaffView extends UserPassesTestMixin(View) {
  override raiseException = true;
  override testFunc() {
    return this.request.user.isStaff;
  }
  get() {
    return new HttpResponse('staff');
  }
}

const urlconf = {
  urlpatterns: [
    path('csrf/', (request: HttpRequest) => new HttpResponse(getToken(request))),
    path('login/', async (request: HttpRequest) => {
      const user = await authenticate(request, {
        username: request.POST.get('username'),
        password: request.POST.get('password'),
      });
      if (user === null) return new HttpResponse('bad credentials', { status: 401 });
      await login(request, user);
      return new HttpResponseRedirect(safeNextUrl(request, request.POST.get('next')) || '/whoami/');
    }),
    path('whoami/', async (request: HttpRequest) => new HttpResponse(name(await request.auser()))),
    path('logout/', async (request: HttpRequest) => {
      await logout(request);
      return new HttpResponse('bye');
    }),
    path(
      'password/',
      loginRequired(async (request: HttpRequest) => {
        const user = request.user as User;
        await user.setPassword(request.POST.get('password')!);
        await user.save();
        await updateSessionAuthHash(request, user);
        return new HttpResponse('changed');
      }),
    ),
    path(
      'private/',
      loginRequired((request: HttpRequest) => new HttpResponse(`private page of ${name(request.user)}`)),
    ),
    path(
      'elsewhere/',
      loginRequired({ loginUrl: '/sign-in/?lang=en', redirectFieldName: 'back' })(() => new HttpResponse('ok')),
    ),
    path(
      'publish/',
      permissionRequired('auth.change_user', { raiseException: true })(() => new HttpResponse('published')),
    ),
    path(
      'publish-soft/',
      permissionRequired(['auth.change_user'])(() => new HttpResponse('published')),
    ),
    path('mixin/', MixinView.asView()),
    path('perm/', PermView.asView()),
    path('staff/', StaffView.asView()),
    path(
      'sync/',
      loadUser((request: HttpRequest) => new HttpResponse(`sync ${name(request.user)}`)),
    ),
    path('forgot/', (request: HttpRequest) => new HttpResponse(String(request.user))),
    path('untouched/', () => new HttpResponse('no user asked')),
    path('page/', (request: HttpRequest) => render(request, 'page.html')),
    path('plain/', (request: HttpRequest) => render(request, 'plain.html')),
  ],
};

const TEMPLATES = {
  'page.html':
    '{% if user.isAuthenticated %}Hello {{ user.username }}{% else %}Hello stranger{% endif %}' +
    '|{% if perms.auth %}auth-app{% endif %}|{% if perms.news %}news-app{% endif %}' +
    '|{% if perms.auth.view_user %}view{% endif %}|{% if perms.auth.delete_user %}delete{% endif %}' +
    "|{% if 'auth.view_user' in perms %}in{% endif %}|{% if 'auth' in perms %}app-in{% endif %}" +
    "|{% if 'view_user' in perms.auth %}short-in{% endif %}|{% if 'auth.add_user' in perms %}add{% endif %}",
  'plain.html': 'plain page',
};

eachBackend(
  'login and logout over sockets',
  () => {
    let server: ServerHandle;
    let base: string;
    const events: string[] = [];
    const disconnect: Array<() => unknown> = [];

    before(async () => {
      await apps.populate();
      await createAuthTables();
      await User.objects.createUser({ username: 'ada', password: 'correct horse' });
      const staff = await User.objects.createUser({ username: 'staff', password: 'pw', isStaff: true });
      await staff.userPermissions.add(await Permission.objects.get({ codename: 'view_user' }));
      const handler = new WSGIHandler();
      handler.loadMiddleware();
      server = await serve(handler.call, { port: 0 });
      base = `http://127.0.0.1:${server.port}`;
      disconnect.push(
        userLoggedIn.connect(({ user }) => void events.push(`in ${String(user)}`)),
        userLoggedOut.connect(({ user }) => void events.push(`out ${String(user)}`)),
        userLoginFailed.connect(({ credentials }) => void events.push(`failed ${JSON.stringify(credentials)}`)),
      );
    });
    after(async () => {
      for (const d of disconnect) d();
      await server.close();
      await caches.closeAll();
    });

    test('login: a new session key and a new CSRF token; the planted key is worth nothing; lastLogin set', async () => {
      const browser = new Browser(base);
      await browser.get('/csrf/');
      // An anonymous session first (as an attacker would plant one).
      const anonymous = await browser.post('/login/', { username: 'ada', password: 'wrong' });
      assert.equal(anonymous.status, 401);
      const csrfBefore = browser.cookies.get('csrftoken');
      assert.ok(csrfBefore);
      const login = await browser.post('/login/', { username: 'ada', password: 'correct horse' });
      assert.equal(login.status, 302);
      assert.equal(login.headers.get('location'), '/whoami/');
      const sessionKey = browser.cookies.get('sessionid');
      assert.ok(sessionKey, 'a session cookie after login');
      assert.notEqual(browser.cookies.get('csrftoken'), csrfBefore, 'the CSRF secret is rotated at login');
      assert.equal(await browser.text('/whoami/'), 'ada');
      const ada = await User.objects.get({ username: 'ada' });
      assert.ok(ada.lastLogin !== null, 'lastLogin recorded by the userLoggedIn receiver');
      // Log in again in the same session: the key changes again, the user stays.
      await browser.post('/login/', { username: 'ada', password: 'correct horse' });
      assert.notEqual(browser.cookies.get('sessionid'), sessionKey);
      const stolen = new Browser(base);
      stolen.cookies.set('sessionid', sessionKey);
      assert.equal(await stolen.text('/whoami/'), 'anonymous', 'the previous key no longer logs anyone in');
      assert.equal(await browser.text('/whoami/'), 'ada');
      assert.ok(events.includes('in ada'));
      assert.ok(events.includes('failed {"username":"ada","password":"********************"}'));
    });

    test("a session key set before login (fixation) is replaced: the attacker's copy stays anonymous", async () => {
      const attacker = new Browser(base);
      await attacker.get('/csrf/');
      // The attacker gets a session key of their own and gives it to the victim.
      await attacker.post('/login/', { username: 'staff', password: 'pw' });
      const key = attacker.cookies.get('sessionid')!;
      const victim = new Browser(base);
      victim.cookies.set('sessionid', key);
      victim.cookies.set('csrftoken', attacker.cookies.get('csrftoken')!);
      await victim.post('/login/', { username: 'ada', password: 'correct horse' });
      assert.notEqual(victim.cookies.get('sessionid'), key);
      assert.equal(await victim.text('/whoami/'), 'ada');
      assert.equal(await attacker.text('/whoami/'), 'anonymous', "another user's session is emptied, not reused");
    });

    test('logout ends the session: its cookie is deleted and its key is dead', async () => {
      const browser = new Browser(base);
      await browser.get('/csrf/');
      await browser.post('/login/', { username: 'ada', password: 'correct horse' });
      const key = browser.cookies.get('sessionid')!;
      const response = await browser.post('/logout/');
      assert.equal(await response.text(), 'bye');
      assert.equal(browser.cookies.has('sessionid'), false, 'the session cookie is deleted');
      const replay = new Browser(base);
      replay.cookies.set('sessionid', key);
      assert.equal(await replay.text('/whoami/'), 'anonymous');
      assert.ok(events.includes('out ada'));
    });

    test('a password change logs out the other sessions, not the one that made it', async () => {
      const first = new Browser(base);
      const second = new Browser(base);
      for (const b of [first, second]) {
        await b.get('/csrf/');
        await b.post('/login/', { username: 'ada', password: 'correct horse' });
        assert.equal(await b.text('/whoami/'), 'ada');
      }
      const changed = await first.post('/password/', { password: 'battery staple' });
      assert.equal(await changed.text(), 'changed');
      assert.equal(await first.text('/whoami/'), 'ada', 'updateSessionAuthHash keeps this session');
      assert.equal(await second.text('/whoami/'), 'anonymous', 'the other session ends');
      // And the new password works, the old does not.
      const third = new Browser(base);
      await third.get('/csrf/');
      assert.equal((await third.post('/login/', { username: 'ada', password: 'correct horse' })).status, 401);
      assert.equal((await third.post('/login/', { username: 'ada', password: 'battery staple' })).status, 302);
      const ada = await User.objects.get({ username: 'ada' });
      await ada.setPassword('correct horse');
      await ada.save();
    });

    test('loginRequired and the mixins: anonymous users go to LOGIN_URL with next; others get the page', async () => {
      const browser = new Browser(base);
      let response = await browser.get('/private/?tab=1');
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), '/accounts/login/?next=/private/%3Ftab%3D1');
      response = await browser.get('/elsewhere/');
      assert.equal(response.headers.get('location'), '/sign-in/?lang=en&back=/elsewhere/');
      response = await browser.get('/mixin/');
      assert.equal(response.headers.get('location'), '/accounts/login/?next=/mixin/');
      response = await browser.get('/publish-soft/');
      assert.equal(response.headers.get('location'), '/accounts/login/?next=/publish-soft/');
      assert.equal((await browser.get('/publish/')).status, 403, 'raiseException: 403 even for anonymous users');
      assert.equal((await browser.get('/staff/')).status, 403);
      await browser.get('/csrf/');
      await browser.post('/login/', { username: 'ada', password: 'correct horse' });
      assert.equal(await browser.text('/private/'), 'private page of ada');
      assert.equal(await browser.text('/mixin/'), 'mixin ada');
      assert.equal(await browser.text('/sync/'), 'sync ada');
      assert.equal((await browser.get('/perm/')).status, 403, 'a logged-in user without the permission: 403');
      assert.equal((await browser.get('/staff/')).status, 403);
      const staff = new Browser(base);
      await staff.get('/csrf/');
      await staff.post('/login/', { username: 'staff', password: 'pw' });
      assert.equal(await staff.text('/perm/'), 'may view users');
      assert.equal(await staff.text('/staff/'), 'staff');
    });

    test('the next of a login is followed only on this site', async () => {
      const browser = new Browser(base);
      await browser.get('/csrf/');
      for (const [next, expected] of [
        ['/private/', '/private/'],
        ['https://evil.example/', '/whoami/'],
        ['//evil.example/', '/whoami/'],
        ['/\\evil.example', '/whoami/'],
        [`http://127.0.0.1:${server.port}/private/`, `http://127.0.0.1:${server.port}/private/`],
      ]) {
        const response = await browser.post('/login/', { username: 'ada', password: 'correct horse', next: next! });
        assert.equal(response.headers.get('location'), expected, next);
      }
    });

    test('templates: user and perms from the auth context processor, read only when used', async () => {
      const browser = new Browser(base);
      assert.equal(await browser.text('/page/'), 'Hello stranger||||||||');
      await browser.get('/csrf/');
      await browser.post('/login/', { username: 'staff', password: 'pw' });
      assert.equal(await browser.text('/page/'), 'Hello staff|auth-app||view||in|app-in|short-in|');
      const plain = await browser.get('/plain/');
      assert.equal(await plain.text(), 'plain page');
      assert.equal(plain.headers.get('vary'), null, 'the processor read no session for a page that shows no user');
      const root = await User.objects.createSuperuser({ username: 'root-page', password: 'pw' });
      const superuser = new Browser(base);
      await superuser.get('/csrf/');
      await superuser.post('/login/', { username: root.username, password: 'pw' });
      assert.equal(
        await superuser.text('/page/'),
        'Hello root-page|auth-app|news-app|view|delete|in|app-in|short-in|add',
      );
    });

    test('the test client: login() through the backends, forceLogin() without a password, logout()', async () => {
      const client = new Client();
      assert.equal(await client.login({ username: 'ada', password: 'wrong' }), false);
      assert.equal(await client.login({ username: 'ada', password: 'correct horse' }), true);
      assert.equal((await client.get('/whoami/')).text, 'ada');
      const session = await client.session();
      assert.equal(session.get('_auth_user_backend'), 'tsgi.contrib.auth.backends.ModelBackend');
      await client.forceLogin(await User.objects.get({ username: 'staff' }));
      assert.equal((await client.get('/whoami/')).text, 'staff');
      await client.logout();
      assert.equal((await client.get('/whoami/')).text, 'anonymous');
      assert.equal(client.cookies.size, 0);
    });

    test('request.user before auser() is a 500 naming the fix; a view that never asks reads no session', async () => {
      const browser = new Browser(base);
      await browser.get('/csrf/');
      await browser.post('/login/', { username: 'ada', password: 'correct horse' });
      const logs = captureLogs('tsgi.request');
      const forgot = await browser.get('/forgot/');
      logs.stop();
      assert.equal(forgot.status, 500);
      assert.match(
        String((logs.records[0] as unknown as { error?: Error }).error ?? logs.records[0]?.message),
        /request\.user was read before it was loaded\. .*call `await request\.auser\(\)` first/,
      );
      const untouched = await browser.get('/untouched/');
      assert.equal(await untouched.text(), 'no user asked');
      assert.equal(untouched.headers.get('vary'), null, 'no session read: no Vary: Cookie');
    });
  },
  {
    extraSettings: {
      SECRET_KEY: 'login-test',
      ALLOWED_HOSTS: ['127.0.0.1'],
      ROOT_URLCONF: urlconf,
      INSTALLED_APPS: ['tsgi.contrib.contenttypes', 'tsgi.contrib.auth'],
      MIDDLEWARE: [
        'tsgi.contrib.sessions.middleware.SessionMiddleware',
        'tsgi.middleware.csrf.CsrfViewMiddleware',
        'tsgi.contrib.auth.middleware.AuthenticationMiddleware',
      ],
      CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'auth-login' } },
      SESSION_ENGINE: 'tsgi.contrib.sessions.backends.cache',
      PASSWORD_HASHERS: FAST_HASHERS,
      TEMPLATES: [
        {
          BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
          OPTIONS: {
            contextProcessors: ['tsgi.contrib.auth.context-processors.auth'],
            loaders: [['tsgi.template.loaders.locmem.Loader', TEMPLATES]],
          },
        },
      ],
    },
  },
);
