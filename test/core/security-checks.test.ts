/**
 * The deployment security checks (`check --deploy`): each id is raised by exactly the settings
 * Django raises it for, and a hardened configuration raises none.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings, settings } from '../../src/conf/index.ts';
import {
  checkAllowedHosts,
  checkContentTypeNosniff,
  checkCrossOriginOpenerPolicy,
  checkCsrfCookieSecure,
  checkCsrfMiddleware,
  checkDebug,
  checkReferrerPolicy,
  checkSecretKey,
  checkSecretKeyFallbacks,
  checkSecurityMiddleware,
  checkSslRedirect,
  checkStsHeader,
  checkStsIncludeSubdomains,
  checkStsPreload,
  checkXFrameDeny,
  checkXFrameOptionsMiddleware,
} from '../../src/core/checks/security.ts';
import type { Settings } from '../../src/conf/global-settings.ts';

const ALL = [
  checkSecurityMiddleware,
  checkXFrameOptionsMiddleware,
  checkCsrfMiddleware,
  checkStsHeader,
  checkStsIncludeSubdomains,
  checkStsPreload,
  checkContentTypeNosniff,
  checkSslRedirect,
  checkSecretKey,
  checkSecretKeyFallbacks,
  checkCsrfCookieSecure,
  checkDebug,
  checkXFrameDeny,
  checkAllowedHosts,
  checkReferrerPolicy,
  checkCrossOriginOpenerPolicy,
];

const MIDDLEWARE = [
  'tsgi.middleware.security.SecurityMiddleware',
  'tsgi.middleware.common.CommonMiddleware',
  'tsgi.middleware.csrf.CsrfViewMiddleware',
  'tsgi.middleware.clickjacking.XFrameOptionsMiddleware',
];

const HARDENED: Partial<Settings> = {
  DEBUG: false,
  SECRET_KEY: 'k8Vt3pQz9Lr2Xw7Yh5Nc1Bm4Gf6Dj0Sa8Ue3Io7Py2Tq5Wr9Zx',
  ALLOWED_HOSTS: ['example.com'],
  MIDDLEWARE,
  SECURE_HSTS_SECONDS: 31536000,
  SECURE_HSTS_INCLUDE_SUBDOMAINS: true,
  SECURE_HSTS_PRELOAD: true,
  SECURE_SSL_REDIRECT: true,
  CSRF_COOKIE_SECURE: true,
};

function ids(values: Partial<Settings>): string[] {
  using _restore = overrideSettings(values);
  return ALL.flatMap((check) => check()).map((m) => m.id ?? '?');
}

const without = (name: string) => MIDDLEWARE.filter((m) => !m.endsWith(name));

describe('security checks', () => {
  before(() => {
    if (!settings.configured) settings.configure(HARDENED);
  });

  test('a hardened configuration raises nothing', () => {
    assert.deepEqual(ids(HARDENED), []);
  });

  const cases: Array<[string, Partial<Settings>, string[]]> = [
    ['no SecurityMiddleware', { MIDDLEWARE: without('SecurityMiddleware') }, ['security.W001']],
    ['no XFrameOptionsMiddleware', { MIDDLEWARE: without('XFrameOptionsMiddleware') }, ['security.W002']],
    ['no CsrfViewMiddleware', { MIDDLEWARE: without('CsrfViewMiddleware') }, ['security.W003']],
    ['no HSTS', { SECURE_HSTS_SECONDS: 0 }, ['security.W004']],
    ['HSTS without subdomains', { SECURE_HSTS_INCLUDE_SUBDOMAINS: false }, ['security.W005']],
    ['nosniff off', { SECURE_CONTENT_TYPE_NOSNIFF: false }, ['security.W006']],
    ['no SSL redirect', { SECURE_SSL_REDIRECT: false }, ['security.W008']],
    ['a short secret key', { SECRET_KEY: 'short-but-unique-123' }, ['security.W009']],
    ['a secret key with few distinct characters', { SECRET_KEY: 'ab'.repeat(30) }, ['security.W009']],
    [
      'the generated development key',
      { SECRET_KEY: 'tsgi-insecure-' + 'x1y2z3w4v5u6t7s8r9q0p1o2n3m4l5k6j7i8h9g0' },
      ['security.W009'],
    ],
    ['insecure CSRF cookie', { CSRF_COOKIE_SECURE: false }, ['security.W016']],
    ['DEBUG on', { DEBUG: true }, ['security.W018']],
    ['X_FRAME_OPTIONS not DENY', { X_FRAME_OPTIONS: 'SAMEORIGIN' }, ['security.W019']],
    ['empty ALLOWED_HOSTS', { ALLOWED_HOSTS: [] }, ['security.W020']],
    ['HSTS without preload', { SECURE_HSTS_PRELOAD: false }, ['security.W021']],
    ['no Referrer-Policy', { SECURE_REFERRER_POLICY: null }, ['security.W022']],
    ['an invalid Referrer-Policy', { SECURE_REFERRER_POLICY: 'same-origin, sometimes' }, ['security.E023']],
    ['an invalid COOP', { SECURE_CROSS_ORIGIN_OPENER_POLICY: 'open' }, ['security.E024']],
    [
      'a weak fallback key',
      { SECRET_KEY_FALLBACKS: ['k8Vt3pQz9Lr2Xw7Yh5Nc1Bm4Gf6Dj0Sa8Ue3Io7Py2Tq5Wr9Zy', 'weak'] },
      ['security.W025'],
    ],
    // Without SecurityMiddleware, its settings have no effect, so only W001 is raised (as Django).
    [
      'no SecurityMiddleware and no HSTS',
      { MIDDLEWARE: without('SecurityMiddleware'), SECURE_HSTS_SECONDS: 0, SECURE_SSL_REDIRECT: false },
      ['security.W001'],
    ],
  ];
  for (const [name, values, expected] of cases) {
    test(`${name} raises ${expected.join(', ')}`, () => {
      assert.deepEqual(ids({ ...HARDENED, ...values }), expected);
    });
  }

  test('the invalid values are named in the message, with the valid ones in the hint', () => {
    using _restore = overrideSettings({ ...HARDENED, SECURE_REFERRER_POLICY: ['origin', 'bogus'] });
    const [message] = checkReferrerPolicy();
    assert.equal(message?.msg, "You have set the SECURE_REFERRER_POLICY setting to an invalid value: 'bogus'.");
    assert.match(message?.hint ?? '', /^Valid values are: .*strict-origin-when-cross-origin/);
  });
});
