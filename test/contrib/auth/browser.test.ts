// Logging in, out and resetting a password in a real browser (Debian's chromium driven by
// playwright-core) against the auth views over a real socket: the login form with next, the
// session key replaced at login (a planted key stays anonymous), logout by the POST form, and
// the password reset mail's link followed to a new password that then logs in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser as Chromium, type BrowserContext, type Page } from 'playwright-core';
import { apps } from '../../../src/apps/registry.ts';
import { overrideSettings, settings } from '../../../src/conf/index.ts';
import { caches } from '../../../src/core/cache/index.ts';
import { WSGIHandler } from '../../../src/core/handlers/wsgi.ts';
import { outbox } from '../../../src/core/mail/index.ts';
import { connections } from '../../../src/db/connections.ts';
import { serve, type ServerHandle } from '../../../src/gateway/server.ts';
import type { HttpRequest } from '../../../src/http/request.ts';
import { HttpResponse } from '../../../src/http/response.ts';
import { getToken } from '../../../src/middleware/csrf.ts';
import { include, path as urlPath } from '../../../src/urls/index.ts';
import * as authUrls from '../../../src/contrib/auth/urls.ts';
import { loginRequired } from '../../../src/contrib/auth/index.ts';
import { User } from '../../../src/contrib/auth/models.ts';
import { skipUnlessPresent } from '../../prerequisites.ts';
import { Browser } from './fixtures/browser.ts';
import { createAuthTables, FAST_HASHERS } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';

const home = loginRequired(
  (request: HttpRequest) =>
    new HttpResponse(
      `<!DOCTYPE html><title>Home</title><p id="who">Hello ${request.user.getUsername()}</p>` +
        `<form method="post" action="/accounts/logout/">` +
        `<input type="hidden" name="csrfmiddlewaretoken" value="${getToken(request)}">` +
        `<button type="submit">Log out</button></form>`,
    ),
);

const urlconf = {
  urlpatterns: [
    urlPath('accounts/', include(authUrls)),
    urlPath('home/', home),
    // Any page that keeps something in an anonymous visitor's session (a basket, a language).
    urlPath('visit/', async (request: HttpRequest) => {
      (await request.session.load()).set('visited', true);
      return new HttpResponse('visited');
    }),
    urlPath('whoami/', async (request: HttpRequest) => {
      const user = await request.auser();
      return new HttpResponse(user.isAuthenticated ? user.getUsername() : 'anonymous');
    }),
  ],
};

if (!settings.configured) settings.configure({ USE_TZ: true, TIME_ZONE: 'UTC' });

describe(
  'login, logout and password reset in chromium',
  { skip: skipUnlessPresent(existsSync(CHROMIUM) ? undefined : "Debian's chromium (apt-get install chromium)") },
  () => {
    let server: ServerHandle;
    let base: string;
    let chromiumBrowser: Chromium;
    let context: BrowserContext;
    let page: Page;
    let folder: string;
    let restore: () => void;

    /** The value of a cookie of the browser. */
    const cookie = async (name: string) => (await context.cookies(base)).find((c) => c.name === name)?.value;

    before(async () => {
      folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-auth-browser-'));
      restore = overrideSettings({
        DATABASES: { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: path.join(folder, 'db.sqlite3') } },
        SECRET_KEY: 'auth-browser-test',
        ALLOWED_HOSTS: ['127.0.0.1'],
        ROOT_URLCONF: urlconf,
        INSTALLED_APPS: ['tsgi.contrib.contenttypes', 'tsgi.contrib.auth'],
        MIDDLEWARE: [
          'tsgi.contrib.sessions.middleware.SessionMiddleware',
          'tsgi.middleware.csrf.CsrfViewMiddleware',
          'tsgi.contrib.auth.middleware.AuthenticationMiddleware',
        ],
        CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'auth-browser' } },
        SESSION_ENGINE: 'tsgi.contrib.sessions.backends.cache',
        PASSWORD_HASHERS: FAST_HASHERS,
        LOGIN_REDIRECT_URL: '/home/',
        EMAIL_BACKEND: 'tsgi.core.mail.backends.locmem.EmailBackend',
        TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', APP_DIRS: true }],
      });
      await apps.populate();
      await createAuthTables();
      await User.objects.createUser({ username: 'ada', email: 'ada@example.com', password: 'correct horse' });
      const handler = new WSGIHandler();
      handler.loadMiddleware();
      server = await serve(handler.call, { port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${server.port}`;
      chromiumBrowser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      });
      context = await chromiumBrowser.newContext();
      page = await context.newPage();
    });
    after(async () => {
      await chromiumBrowser?.close();
      await server?.close();
      await caches.closeAll();
      await connections.closeAll();
      restore?.();
      await connections.reset();
      rmSync(folder, { recursive: true, force: true });
    });

    async function logInWithTheForm(username: string, password: string): Promise<void> {
      await page.locator('input[name=username]').fill(username);
      await page.locator('input[name=password]').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
    }

    test('a protected page sends to the login form, which comes back to it; the planted session key is replaced', async () => {
      // An anonymous session key an attacker got from the site, planted in the victim's browser.
      const attacker = new Browser(base);
      await attacker.get('/visit/');
      const planted = attacker.cookies.get('sessionid')!;
      assert.ok(planted);
      await context.addCookies([{ name: 'sessionid', value: planted, url: base }]);

      await page.goto(`${base}/home/`);
      assert.equal(new URL(page.url()).pathname, '/accounts/login/');
      assert.equal(new URL(page.url()).searchParams.get('next'), '/home/');
      await logInWithTheForm('ada', 'wrong');
      assert.match((await page.locator('main').textContent()) ?? '', /Please enter a correct username and password\./);
      await logInWithTheForm('ada', 'correct horse');
      await page.waitForURL(`${base}/home/`);
      assert.equal(await page.locator('#who').textContent(), 'Hello ada');
      const key = await cookie('sessionid');
      assert.ok(key);
      assert.notEqual(key, planted, 'the session key changes at login');
      assert.equal(await attacker.text('/whoami/'), 'anonymous', 'the planted key is worth nothing');
    });

    test('the Log out button (POST) ends the session', async () => {
      await page.goto(`${base}/home/`);
      const key = await cookie('sessionid');
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(`${base}/accounts/logout/`);
      assert.equal(await page.locator('h1').textContent(), 'Logged out');
      assert.equal(await cookie('sessionid'), undefined);
      const replay = new Browser(base);
      replay.cookies.set('sessionid', key!);
      assert.equal(await replay.text('/whoami/'), 'anonymous');
      await page.goto(`${base}/home/`);
      assert.equal(new URL(page.url()).pathname, '/accounts/login/');
    });

    test('password reset: the mail’s link, a new password, then a login with it; the link works once', async () => {
      outbox.length = 0;
      await page.goto(`${base}/accounts/login/`);
      await page.getByRole('link', { name: 'Forgotten your password or username?' }).click();
      await page.waitForURL(`${base}/accounts/password_reset/`);
      await page.locator('input[name=email]').fill('ada@example.com');
      await page.getByRole('button', { name: 'Reset my password' }).click();
      await page.waitForURL(`${base}/accounts/password_reset/done/`);
      assert.equal(outbox.length, 1);
      const link = /http:\/\/\S+\/accounts\/reset\/\S+\//.exec(outbox[0]!.body)![0];
      await page.goto(link);
      assert.match(page.url(), /\/accounts\/reset\/[^/]+\/set-password\/$/, 'the token left the URL');
      await page.locator('input[name=new_password1]').fill('a brand new secret');
      await page.locator('input[name=new_password2]').fill('a brand new secret');
      await page.getByRole('button', { name: 'Change my password' }).click();
      await page.waitForURL(`${base}/accounts/reset/done/`);
      await page.getByRole('link', { name: 'Log in' }).click();
      await page.waitForURL(`${base}/accounts/login/`);
      await logInWithTheForm('ada', 'a brand new secret');
      await page.waitForURL(`${base}/home/`);
      assert.equal(await page.locator('#who').textContent(), 'Hello ada');
      await page.goto(link);
      assert.match((await page.locator('main').textContent()) ?? '', /The password reset link was invalid/);
    });
  },
);
