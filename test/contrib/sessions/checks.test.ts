// Django's session cookie deployment checks (security.W010 to W015): the same ids for the same
// settings, the texts with tsgi's names.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { settings, overrideSettings } from '../../../src/conf/index.ts';
import { checkSessionCookieHttpOnly, checkSessionCookieSecure } from '../../../src/core/checks/security.ts';

before(() => settings.configure({ SECRET_KEY: 'checks' }));

const APP = ['tsgi.contrib.sessions'];
const MIDDLEWARE = ['tsgi.contrib.sessions.middleware.SessionMiddleware'];
const ids = (messages: Array<{ id?: string }>) => messages.map((m) => m.id);

test('SESSION_COOKIE_SECURE: W010 with the app, W011 with the middleware, W012 with both, nothing when set', () => {
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ INSTALLED_APPS: APP, MIDDLEWARE: [] }, ['security.W010']],
    [{ INSTALLED_APPS: [], MIDDLEWARE }, ['security.W011']],
    [{ INSTALLED_APPS: APP, MIDDLEWARE }, ['security.W012']],
    [{ INSTALLED_APPS: [], MIDDLEWARE: [] }, []],
    [{ INSTALLED_APPS: APP, MIDDLEWARE, SESSION_COOKIE_SECURE: true }, []],
  ];
  for (const [values, expected] of cases) {
    using _ = overrideSettings(values as never);
    assert.deepEqual(ids(checkSessionCookieSecure()), expected, JSON.stringify(values));
  }
  using _ = overrideSettings({ INSTALLED_APPS: APP, MIDDLEWARE: [] } as never);
  assert.equal(
    checkSessionCookieSecure()[0]!.msg,
    "You have 'tsgi.contrib.sessions' in your INSTALLED_APPS, but you have not set SESSION_COOKIE_SECURE to true. Using a secure-only session cookie makes it more difficult for network traffic sniffers to hijack user sessions.",
  );
});

test('SESSION_COOKIE_HTTPONLY: W013, W014, W015, nothing by default', () => {
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ INSTALLED_APPS: APP, MIDDLEWARE: [], SESSION_COOKIE_HTTPONLY: false }, ['security.W013']],
    [{ INSTALLED_APPS: [], MIDDLEWARE, SESSION_COOKIE_HTTPONLY: false }, ['security.W014']],
    [{ INSTALLED_APPS: APP, MIDDLEWARE, SESSION_COOKIE_HTTPONLY: false }, ['security.W015']],
    [{ INSTALLED_APPS: APP, MIDDLEWARE }, []],
  ];
  for (const [values, expected] of cases) {
    using _ = overrideSettings(values as never);
    assert.deepEqual(ids(checkSessionCookieHttpOnly()), expected, JSON.stringify(values));
  }
  using _ = overrideSettings({ INSTALLED_APPS: APP, MIDDLEWARE, SESSION_COOKIE_HTTPONLY: false } as never);
  assert.equal(
    checkSessionCookieHttpOnly()[0]!.msg,
    'SESSION_COOKIE_HTTPONLY is not set to true. Using an HttpOnly session cookie makes it more difficult for cross-site scripting attacks to hijack user sessions.',
  );
});
