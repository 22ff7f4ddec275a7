// The auth views over real sockets, with their own templates and forms, on both databases:
// LoginView (the session key changes, a safe next is followed), LogoutView (POST only),
// PasswordChangeView (Django's errors, the other sessions end), the password reset flow (the
// mail in outbox, the link moved into the session, the token dies with the password change and
// with a login, and expires after PASSWORD_RESET_TIMEOUT), and every redirect that takes a
// next refusing an off-site one.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { apps } from '../../../src/apps/registry.ts';
import { overrideSettings } from '../../../src/conf/index.ts';
import { WSGIHandler } from '../../../src/core/handlers/wsgi.ts';
import { caches } from '../../../src/core/cache/index.ts';
import { outbox } from '../../../src/core/mail/index.ts';
import { serve, type ServerHandle } from '../../../src/gateway/server.ts';
import type { HttpRequest } from '../../../src/http/request.ts';
import { HttpResponse } from '../../../src/http/response.ts';
import { include, path } from '../../../src/urls/index.ts';
import * as authUrls from '../../../src/contrib/auth/urls.ts';
import { loginRequired } from '../../../src/contrib/auth/index.ts';
import { User } from '../../../src/contrib/auth/models.ts';
import { PasswordResetTokenGenerator, defaultTokenGenerator, uidEncode } from '../../../src/contrib/auth/tokens.ts';
import { LoginView, LogoutView } from '../../../src/contrib/auth/views.ts';
import { eachBackend } from '../../db/helpers.ts';
import { Browser } from './fixtures/browser.ts';
import { createAuthTables, FAST_HASHERS } from './helpers.ts';

const urlconf = {
  urlpatterns: [
    path('accounts/', include(authUrls)),
    path('remembering/login/', LoginView.asView({ redirectAuthenticatedUser: true }), { name: 'remembering' }),
    path('logout-to-login/', LogoutView.asView({ nextPage: 'login' })),
    path(
      'accounts/profile/',
      loginRequired((request: HttpRequest) => new HttpResponse(`profile of ${request.user.getUsername()}`)),
    ),
    path(
      'private/',
      loginRequired((request: HttpRequest) => new HttpResponse(`private ${request.user.getUsername()}`)),
    ),
    path('whoami/', async (request: HttpRequest) => {
      const user = await request.auser();
      return new HttpResponse(user.isAuthenticated ? user.getUsername() : 'anonymous');
    }),
  ],
};

const EVIL = [
  'https://evil.example/',
  '//evil.example/',
  '/\\evil.example/',
  'http:evil.example',
  ' https://evil.example',
];

/** The csrfmiddlewaretoken of a page's form. */
function formToken(html: string): string {
  const match = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
  assert.ok(match, `a CSRF token in the form: ${html.slice(0, 300)}`);
  return match[1]!;
}

/** GETs the form page, then posts the fields with the page's CSRF token. */
async function submit(browser: Browser, page: string, fields: Record<string, string>): Promise<Response> {
  const html = await browser.text(page);
  return browser.post(page, { csrfmiddlewaretoken: formToken(html), ...fields });
}

async function logIn(browser: Browser, username: string, password: string, next?: string): Promise<Response> {
  const page = next === undefined ? '/accounts/login/' : `/accounts/login/?next=${encodeURIComponent(next)}`;
  return submit(browser, page, { username, password });
}

eachBackend(
  'the auth views over sockets',
  () => {
    let server: ServerHandle;
    let base: string;

    before(async () => {
      await apps.populate();
      await createAuthTables();
      await User.objects.createUser({ username: 'ada', email: 'ada@example.com', password: 'correct horse' });
      await User.objects.createUser({ username: 'bob', email: 'BOB@example.com', password: 'pw-of-bob' });
      const handler = new WSGIHandler();
      handler.loadMiddleware();
      server = await serve(handler.call, { port: 0 });
      base = `http://127.0.0.1:${server.port}`;
    });
    after(async () => {
      await server.close();
      await caches.closeAll();
    });
    beforeEach(() => {
      outbox.length = 0;
    });

    test("LoginView: the form, Django's error, a new session key, then LOGIN_REDIRECT_URL or the safe next", async () => {
      const browser = new Browser(base);
      const page = await browser.text('/accounts/login/?next=/private/');
      assert.match(page, /<title>Log in<\/title>/);
      assert.match(
        page,
        /<input type="text" name="username" autofocus autocapitalize="none" autocomplete="username" maxlength="150" required id="id_username">/,
      );
      assert.match(
        page,
        /<input type="password" name="password" autocomplete="current-password" required id="id_password">/,
      );
      assert.match(page, /<input type="hidden" name="next" value="\/private\/">/);
      const wrong = await submit(browser, '/accounts/login/', { username: 'ada', password: 'nope' });
      assert.equal(wrong.status, 200);
      assert.match(
        await wrong.text(),
        /Please enter a correct username and password\. Note that both fields may be case-sensitive\./,
      );
      const before = browser.cookies.get('sessionid');
      const ok = await logIn(browser, 'ada', 'correct horse');
      assert.equal(ok.status, 302);
      assert.equal(ok.headers.get('location'), '/accounts/profile/');
      assert.match(ok.headers.get('cache-control') ?? '', /no-cache/);
      assert.notEqual(browser.cookies.get('sessionid'), before, 'the session key changes at login');
      assert.equal(await browser.text('/accounts/profile/'), 'profile of ada');
      const again = new Browser(base);
      const next = await logIn(again, 'ada', 'correct horse', '/private/?x=1');
      assert.equal(next.headers.get('location'), '/private/?x=1');
    });

    test('LogoutView: GET is refused (405); POST logs out and redirects, or shows logged_out.html', async () => {
      const browser = new Browser(base);
      await logIn(browser, 'ada', 'correct horse');
      const key = browser.cookies.get('sessionid')!;
      assert.equal((await browser.get('/accounts/logout/')).status, 405);
      assert.equal(await browser.text('/whoami/'), 'ada', 'a GET logs nobody out');
      const out = await browser.post('/accounts/logout/');
      assert.equal(out.status, 200);
      assert.match(await out.text(), /<title>Logged out<\/title>/);
      assert.equal(browser.cookies.has('sessionid'), false);
      const replay = new Browser(base);
      replay.cookies.set('sessionid', key);
      assert.equal(await replay.text('/whoami/'), 'anonymous');
      await logIn(browser, 'ada', 'correct horse');
      const toLogin = await browser.post('/logout-to-login/');
      assert.equal(toLogin.headers.get('location'), '/accounts/login/');
      await logIn(browser, 'ada', 'correct horse');
      const toNext = await browser.post('/accounts/logout/?next=/private/');
      assert.equal(toNext.headers.get('location'), '/private/');
      {
        using _ = overrideSettings({ LOGOUT_REDIRECT_URL: 'login' });
        await logIn(browser, 'ada', 'correct horse');
        assert.equal((await browser.post('/accounts/logout/')).headers.get('location'), '/accounts/login/');
      }
    });

    test("PasswordChangeView: login required, Django's errors, then done; the user's other sessions end", async () => {
      const anonymous = new Browser(base);
      const refused = await anonymous.get('/accounts/password_change/');
      assert.equal(refused.headers.get('location'), '/accounts/login/?next=/accounts/password_change/');
      const browser = new Browser(base);
      const other = new Browser(base);
      await logIn(browser, 'bob', 'pw-of-bob');
      await logIn(other, 'bob', 'pw-of-bob');
      const cases: Array<[Record<string, string>, RegExp]> = [
        [
          { old_password: 'wrong', new_password1: 'Tr0ub4dor&3x', new_password2: 'Tr0ub4dor&3x' },
          /Your old password was entered incorrectly\. Please enter it again\./,
        ],
        [
          { old_password: 'pw-of-bob', new_password1: 'Tr0ub4dor&3x', new_password2: 'Tr0ub4dor&3y' },
          /The two password fields didn’t match\./,
        ],
        [
          { old_password: 'pw-of-bob', new_password1: 'short', new_password2: 'short' },
          /This password is too short\. It must contain at least 8 characters\./,
        ],
      ];
      for (const [fields, error] of cases) {
        const response = await submit(browser, '/accounts/password_change/', fields);
        assert.equal(response.status, 200);
        assert.match(await response.text(), error);
      }
      const done = await submit(browser, '/accounts/password_change/', {
        old_password: 'pw-of-bob',
        new_password1: 'Tr0ub4dor&3x',
        new_password2: 'Tr0ub4dor&3x',
      });
      assert.equal(done.headers.get('location'), '/accounts/password_change/done/');
      assert.match(await browser.text('/accounts/password_change/done/'), /Your password was changed\./);
      assert.equal(await browser.text('/whoami/'), 'bob');
      assert.equal(await other.text('/whoami/'), 'anonymous');
      const bob = await User.objects.get({ username: 'bob' });
      assert.equal(await bob.checkPassword('Tr0ub4dor&3x'), true);
    });

    test('password reset: a mail with a one-use link; the same answer for an unknown address', async () => {
      const browser = new Browser(base);
      const unknown = await submit(browser, '/accounts/password_reset/', { email: 'nobody@example.com' });
      assert.equal(unknown.headers.get('location'), '/accounts/password_reset/done/');
      assert.equal(outbox.length, 0);
      const sent = await submit(browser, '/accounts/password_reset/', { email: 'ADA@example.com' });
      assert.equal(sent.headers.get('location'), '/accounts/password_reset/done/');
      assert.match(await browser.text('/accounts/password_reset/done/'), /We’ve emailed you instructions/);
      assert.equal(outbox.length, 1);
      const mail = outbox[0]!;
      assert.equal(mail.subject, `Password reset on 127.0.0.1:${server.port}`);
      assert.deepEqual(mail.to, ['ada@example.com']);
      assert.match(mail.body, /Your username, in case you’ve forgotten: ada/);
      const link = /http:\/\/127\.0\.0\.1:\d+(\/accounts\/reset\/[^/]+\/[^/]+\/)/.exec(mail.body)![1]!;
      const ada = await User.objects.get({ username: 'ada' });
      assert.equal(link.split('/')[3], uidEncode(ada.pk));
      // The link moves the token into the session and drops it from the URL.
      const moved = await browser.get(link);
      assert.equal(moved.status, 302);
      const setPassword = moved.headers.get('location')!;
      assert.match(setPassword, /\/accounts\/reset\/[^/]+\/set-password\/$/);
      const elsewhere = new Browser(base);
      assert.match(
        await elsewhere.text(setPassword),
        /The password reset link was invalid/,
        'no token in that session',
      );
      const mismatch = await submit(browser, setPassword, { new_password1: 'n3w-Secret!', new_password2: 'other' });
      assert.match(await mismatch.text(), /The two password fields didn’t match\./);
      const complete = await submit(browser, setPassword, {
        new_password1: 'n3w-Secret!',
        new_password2: 'n3w-Secret!',
      });
      assert.equal(complete.headers.get('location'), '/accounts/reset/done/');
      assert.match(
        await browser.text('/accounts/reset/done/'),
        /Your password has been set\.[\s\S]*href="\/accounts\/login\/"/,
      );
      assert.equal(await (await User.objects.get({ username: 'ada' })).checkPassword('n3w-Secret!'), true);
      // Used once: the token dies with the password it was made for.
      const reused = new Browser(base);
      const dead = await reused.get(link);
      assert.equal(dead.status, 200);
      assert.match(await dead.text(), /The password reset link was invalid/);
      const fresh = await User.objects.get({ username: 'ada' });
      await fresh.setPassword('correct horse');
      await fresh.save();
    });

    test('a reset token expires after PASSWORD_RESET_TIMEOUT and dies with a login or a password change', async () => {
      const ada = await User.objects.get({ username: 'ada' });
      const generator = new PasswordResetTokenGenerator();
      let clock = generator.now();
      generator.now = () => clock;
      const token = generator.makeToken(ada);
      assert.match(token, /^[0-9a-z]+-[0-9a-f]{32}$/);
      assert.equal(generator.checkToken(ada, token), true);
      using _ = overrideSettings({ PASSWORD_RESET_TIMEOUT: 60 });
      clock += 60;
      assert.equal(generator.checkToken(ada, token), true, 'valid for PASSWORD_RESET_TIMEOUT seconds');
      clock += 1;
      assert.equal(generator.checkToken(ada, token), false, 'then expired');
      assert.equal(generator.checkToken(ada, 'zzz-0'), false);
      assert.equal(generator.checkToken(ada, ''), false);
      // A login (lastLogin changes) kills the token.
      const before = defaultTokenGenerator.makeToken(ada);
      const browser = new Browser(base);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await logIn(browser, 'ada', 'correct horse');
      const loggedIn = await User.objects.get({ username: 'ada' });
      assert.equal(defaultTokenGenerator.checkToken(loggedIn, before), false, 'dies with a login');
      const afterLogin = defaultTokenGenerator.makeToken(loggedIn);
      await loggedIn.setPassword('correct horse');
      assert.equal(defaultTokenGenerator.checkToken(loggedIn, afterLogin), false, 'dies with a password change');
      await loggedIn.save();
    });

    test('every redirect that takes a next refuses an off-site one', async () => {
      for (const evil of EVIL) {
        const browser = new Browser(base);
        const login = await logIn(browser, 'ada', 'correct horse', evil);
        assert.equal(login.headers.get('location'), '/accounts/profile/', `login, next=${evil}`);
        const remembered = await browser.get(`/remembering/login/?next=${encodeURIComponent(evil)}`);
        assert.equal(remembered.headers.get('location'), '/accounts/profile/', `authenticated user, next=${evil}`);
        const logout = await browser.post(`/logout-to-login/?next=${encodeURIComponent(evil)}`);
        assert.equal(logout.headers.get('location'), '/accounts/login/', `logout, next=${evil}`);
        const anonymous = await browser.get(`/private/?next=${encodeURIComponent(evil)}`);
        assert.equal(
          anonymous.headers.get('location'),
          `/accounts/login/?next=/private/%3Fnext%3D${encodeURIComponent(encodeURIComponent(evil))}`,
        );
      }
      // The same site, by absolute URL, is followed; another host only when the view allows it.
      const browser = new Browser(base);
      const own = `${base}/private/`;
      assert.equal((await logIn(browser, 'ada', 'correct horse', own)).headers.get('location'), own);
    });
  },
  {
    extraSettings: {
      SECRET_KEY: 'auth-views-test',
      ALLOWED_HOSTS: ['127.0.0.1'],
      ROOT_URLCONF: urlconf,
      INSTALLED_APPS: ['tsgi.contrib.contenttypes', 'tsgi.contrib.auth'],
      MIDDLEWARE: [
        'tsgi.contrib.sessions.middleware.SessionMiddleware',
        'tsgi.middleware.csrf.CsrfViewMiddleware',
        'tsgi.contrib.auth.middleware.AuthenticationMiddleware',
      ],
      CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'auth-views' } },
      SESSION_ENGINE: 'tsgi.contrib.sessions.backends.cache',
      PASSWORD_HASHERS: FAST_HASHERS,
      AUTH_PASSWORD_VALIDATORS: [{ NAME: 'tsgi.contrib.auth.password-validation.MinimumLengthValidator' }],
      EMAIL_BACKEND: 'tsgi.core.mail.backends.locmem.EmailBackend',
      TEMPLATES: [
        {
          BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
          APP_DIRS: true,
          OPTIONS: { contextProcessors: ['tsgi.contrib.auth.context-processors.auth'] },
        },
      ],
    },
  },
);
