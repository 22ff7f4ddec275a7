import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSettingsProxy,
  LazySettings,
  settings,
  overrideSettings,
  settingChanged,
  globalSettings,
} from '../../src/conf/index.ts';
import type { SettingChangedEvent } from '../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../fixtures/projects/settings');

function fresh(moduleName: string | undefined) {
  if (moduleName === undefined) delete process.env.TSGI_SETTINGS_MODULE;
  else process.env.TSGI_SETTINGS_MODULE = moduleName;
  return createSettingsProxy(new LazySettings());
}

describe('loading from TSGI_SETTINGS_MODULE', () => {
  beforeEach(() => setProjectRoot(root));
  afterEach(() => {
    setProjectRoot(undefined);
    delete process.env.TSGI_SETTINGS_MODULE;
  });

  test('UPPER_CASE exports override the defaults, lazily on first read', () => {
    const s = fresh('proj.settings');
    assert.equal(s.configured, false);
    assert.equal(s.DEBUG, true);
    assert.equal(s.configured, true);
    assert.deepEqual(s.ALLOWED_HOSTS, ['example.com']);
    assert.deepEqual(s.MY_OWN_SETTING, { answer: 42 });
    assert.equal(s.notASetting, undefined);
    assert.equal(s.APPEND_SLASH, true);
    assert.equal(s.SETTINGS_MODULE, 'proj.settings');
    assert.equal(s.isOverridden('DEBUG'), true);
    assert.equal(s.isOverridden('APPEND_SLASH'), false);
    assert.equal('DEBUG' in s, true);
    assert.equal('NOPE' in s, false);
  });

  test("the defaults are Django's", () => {
    const s = fresh('proj.nosecret');
    const expected: Record<string, unknown> = {
      DEBUG: false,
      ALLOWED_HOSTS: [],
      APPEND_SLASH: true,
      DEFAULT_CHARSET: 'utf-8',
      DATA_UPLOAD_MAX_MEMORY_SIZE: 2621440,
      FILE_UPLOAD_MAX_MEMORY_SIZE: 2621440,
      DATA_UPLOAD_MAX_NUMBER_FIELDS: 1000,
      DATA_UPLOAD_MAX_NUMBER_FILES: 100,
      FILE_UPLOAD_TEMP_DIR: null,
      SECURE_CONTENT_TYPE_NOSNIFF: true,
      SECURE_REFERRER_POLICY: 'same-origin',
      SECURE_CROSS_ORIGIN_OPENER_POLICY: 'same-origin',
      SECURE_HSTS_SECONDS: 0,
      SECURE_SSL_REDIRECT: false,
      SECURE_PROXY_SSL_HEADER: null,
      X_FRAME_OPTIONS: 'DENY',
      CSRF_COOKIE_NAME: 'csrftoken',
      CSRF_HEADER_NAME: 'HTTP_X_CSRFTOKEN',
      CSRF_COOKIE_SAMESITE: 'Lax',
      MIDDLEWARE: [],
      INSTALLED_APPS: [],
      TEMPLATES: [],
      USE_X_FORWARDED_HOST: false,
      FORCE_SCRIPT_NAME: null,
      PREPEND_WWW: false,
    };
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(s[key], value, key);
  });

  test('default lists are copies: mutating one does not leak into the defaults', () => {
    const s = fresh('proj.nosecret');
    s.ALLOWED_HOSTS.push('x');
    assert.deepEqual(globalSettings.ALLOWED_HOSTS, []);
  });

  test('an unset variable names the variable and both fixes', () => {
    const s = fresh(undefined);
    assert.throws(
      () => s.DEBUG,
      (e: unknown) => {
        assert.ok(e instanceof ImproperlyConfigured);
        assert.equal(
          e.message,
          'Requested setting DEBUG, but settings are not configured. Set the environment variable ' +
            'TSGI_SETTINGS_MODULE to your settings module (for example TSGI_SETTINGS_MODULE=markup.settings), ' +
            'or call settings.configure() before reading settings.',
        );
        return true;
      },
    );
  });

  test('a missing module', () => {
    const s = fresh('proj.nothere');
    assert.throws(() => s.DEBUG, {
      name: 'ImproperlyConfigured',
      message:
        "The settings module 'proj.nothere' (from TSGI_SETTINGS_MODULE) could not be loaded: No module named " +
        `'proj.nothere': none of these files exists under the project root ${root}: proj/nothere.ts, ` +
        'proj/nothere.mts, proj/nothere.js, proj/nothere.mjs, proj/nothere.cjs, proj/nothere/index.ts, ' +
        "proj/nothere/index.mts, proj/nothere/index.js, proj/nothere/index.mjs, proj/nothere/index.cjs and no installed package exports 'proj/nothere'. " +
        "Check the spelling, or set the project root (setProjectRoot(), or run from the project's folder). " +
        'Check TSGI_SETTINGS_MODULE and the project root.',
    });
  });

  test('a module that throws', () => {
    const s = fresh('proj.broken');
    assert.throws(
      () => s.DEBUG,
      (e: unknown) => {
        assert.ok(e instanceof ImproperlyConfigured);
        assert.match(
          e.message,
          /^The settings module 'proj\.broken' \(from TSGI_SETTINGS_MODULE\) could not be loaded: The module 'proj\.broken' \(.*broken\.ts\) raised an error while loading: TypeError: .* Fix the settings module\.$/,
        );
        assert.ok(e.cause instanceof Error);
        return true;
      },
    );
  });

  test('a list setting that is not a list', () => {
    const s = fresh('proj.badlist');
    assert.throws(() => s.DEBUG, {
      name: 'ImproperlyConfigured',
      message:
        "The ALLOWED_HOSTS setting must be a list (an array), but the settings module 'proj.badlist' sets it to " +
        'a string ("example.com"). Write ALLOWED_HOSTS = ["example.com"].',
    });
  });

  test('a settings module that reads settings while loading gets an explanation', () => {
    process.env.TSGI_SETTINGS_MODULE = 'proj.reentrant';
    assert.throws(
      () => settings.DEBUG,
      (e: unknown) => {
        assert.ok(e instanceof ImproperlyConfigured);
        assert.match(
          e.message,
          /Requested setting DEBUG while the settings module 'proj\.reentrant' is still loading: a settings module cannot read settings; compute the value from its own variables instead\./,
        );
        return true;
      },
    );
    assert.equal(settings.configured, false);
  });

  test('an empty SECRET_KEY is an error only when read', () => {
    const s = fresh('proj.nosecret');
    assert.equal(s.DEBUG, false);
    assert.throws(() => s.SECRET_KEY, {
      name: 'ImproperlyConfigured',
      message:
        'The SECRET_KEY setting must not be empty. Set SECRET_KEY in your settings to a long random string, ' +
        "for example the output of: node -e \"console.log(require('node:crypto').randomBytes(50).toString('base64url'))\"",
    });
    assert.equal(fresh('proj.settings').SECRET_KEY, 'not-a-real-secret');
  });
});

describe('configure()', () => {
  test('sets settings without a module, over the defaults', () => {
    const s = fresh(undefined);
    s.configure({ DEBUG: true, ROOT_URLCONF: 'app.urls' });
    assert.equal(s.DEBUG, true);
    assert.equal(s.ROOT_URLCONF, 'app.urls');
    assert.equal(s.X_FRAME_OPTIONS, 'DENY');
  });

  test('twice is an error', () => {
    const s = fresh(undefined);
    s.configure({});
    assert.throws(() => s.configure({}), {
      name: 'ImproperlyConfigured',
      message:
        'Settings are already configured: call settings.configure() once, before any setting is read ' +
        '(use overrideSettings() to change settings in tests).',
    });
  });

  test('lowercase names and non-list list settings are refused', () => {
    assert.throws(() => fresh(undefined).configure({ debug: true }), {
      message: "Setting 'debug' must be uppercase: write 'DEBUG'.",
    });
    assert.throws(() => fresh(undefined).configure({ MIDDLEWARE: 5 as never }), {
      message:
        'The MIDDLEWARE setting must be a list (an array), but settings.configure() sets it to the number 5. ' +
        'Write MIDDLEWARE = [...].',
    });
  });

  test('assignment sets a setting; entries() lists every setting sorted', () => {
    const s = fresh(undefined);
    s.configure({});
    s.DEBUG = true;
    assert.equal(s.DEBUG, true);
    assert.equal(s.isOverridden('DEBUG'), true);
    const names = s.entries().map(([k]) => k);
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('SECRET_KEY'));
  });
});

describe('overrideSettings', () => {
  test('overrides nest, restore in any order, and fire settingChanged on both edges', () => {
    settings.configure({ DEBUG: false });
    const events: SettingChangedEvent[] = [];
    const off = settingChanged.connect(({ setting, value, enter, sender }) => {
      assert.equal(sender !== undefined, true);
      events.push({ setting, value, enter });
    });
    try {
      const outer = overrideSettings({ DEBUG: true, APPEND_SLASH: false });
      const inner = overrideSettings({ DEBUG: false });
      assert.equal(settings.DEBUG, false);
      outer();
      assert.equal(settings.DEBUG, false, 'the inner override still applies');
      assert.equal(settings.APPEND_SLASH, true);
      inner();
      inner();
      assert.equal(settings.DEBUG, false);
      assert.deepEqual(events, [
        { setting: 'DEBUG', value: true, enter: true },
        { setting: 'APPEND_SLASH', value: false, enter: true },
        { setting: 'DEBUG', value: false, enter: true },
        { setting: 'DEBUG', value: false, enter: false },
        { setting: 'APPEND_SLASH', value: true, enter: false },
        { setting: 'DEBUG', value: false, enter: false },
      ]);
      {
        using _override = overrideSettings({ ALLOWED_HOSTS: ['a.test'] });
        assert.deepEqual(settings.ALLOWED_HOSTS, ['a.test']);
      }
      assert.deepEqual(settings.ALLOWED_HOSTS, []);
    } finally {
      off();
    }
  });

  test('refuses lowercase names', () => {
    assert.throws(() => overrideSettings({ debug: 1 }), {
      message: "Setting 'debug' must be uppercase: write 'DEBUG'.",
    });
  });
});
