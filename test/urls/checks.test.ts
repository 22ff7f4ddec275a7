// URL system checks: Django's ids and our messages, asserted exactly.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { checkUrlConfig, include, path, rePath, registerUrlChecks } from '../../src/urls/index.ts';
import { runChecks } from '../../src/core/checks/registry.ts';

const view = () => 'x';
settings.configure({ ROOT_URLCONF: { urlpatterns: [path('fine/', view)] } });

function messages(urlpatterns: unknown[]) {
  return checkUrlConfig({ urlpatterns } as never).map((m) => [m.id, m.levelName, m.msg]);
}

describe('checkUrlConfig()', () => {
  test('a clean URLconf has no findings', () => {
    assert.deepEqual(messages([path('a/', view, { name: 'a' }), path('b/', include([path('c/', view)]))]), []);
  });

  test('urls.W002: a route beginning with a slash', () => {
    assert.deepEqual(messages([path('/a', view, { name: 'a' })]), [
      [
        'urls.W002',
        'WARNING',
        "Your URL pattern '/a' [name='a'] has a route beginning with a '/'. Remove this slash as it is unnecessary. If this pattern is targeted in an include(), ensure the include() pattern has a trailing '/'.",
      ],
    ]);
    assert.deepEqual(messages([rePath('^/a$', view)])[0]?.[0], 'urls.W002');
    // Not when APPEND_SLASH is off.
    const restore = overrideSettings({ APPEND_SLASH: false });
    try {
      assert.deepEqual(messages([path('/a', view)]), []);
    } finally {
      restore();
    }
  });

  test('urls.W003: a colon in a name', () => {
    assert.deepEqual(messages([path('a/', view, { name: 'x:y' })]), [
      [
        'urls.W003',
        'WARNING',
        "Your URL pattern 'a/' [name='x:y'] has a name including a ':'. Remove the colon, to avoid ambiguous namespace references.",
      ],
    ]);
  });

  test('urls.W001: an include whose regex ends with $', () => {
    assert.deepEqual(messages([rePath('^inc/$', include([path('x/', view)]))]), [
      [
        'urls.W001',
        'WARNING',
        "Your URL pattern '^inc/$' uses include with a route ending with a '$'. Remove the dollar from the route to avoid problems including URLs.",
      ],
    ]);
  });

  test('urls.W010: unmatched angle brackets', () => {
    assert.deepEqual(messages([path('a/<int:x/', view), path('b/x>/', view)]), [
      [
        'urls.W010',
        'WARNING',
        "Your URL pattern 'a/<int:x/' has an unmatched '<' bracket. Write parameters as <converter:name>, with both brackets.",
      ],
      [
        'urls.W010',
        'WARNING',
        "Your URL pattern 'b/x>/' has an unmatched '>' bracket. Write parameters as <converter:name>, with both brackets.",
      ],
    ]);
  });

  test('urls.W005: a namespace used twice', () => {
    const app = [path('', view)];
    assert.deepEqual(messages([path('a/', include([app, 'app'])), path('b/', include([app, 'app']))]), [
      [
        'urls.W005',
        'WARNING',
        "URL namespace 'app' isn't unique. You may not be able to reverse all URLs in this namespace. Give each include() of the same URLconf its own namespace.",
      ],
    ]);
    assert.deepEqual(
      messages([path('a/', include([app, 'app'])), path('b/', include([app, 'app'], { namespace: 'b' }))]),
      [],
    );
  });

  test('urls.E004: an entry that is not a pattern', () => {
    assert.deepEqual(messages(['a/']), [
      [
        'urls.E004',
        'ERROR',
        'Your URL pattern, a string ("a/"), is invalid. Ensure that urlpatterns is a list of path() and/or rePath() instances.',
      ],
    ]);
  });

  test('urls.E004 once, and nothing else, for a root URLconf that cannot load', () => {
    const found = checkUrlConfig('no_such_project.urls').map((m) => [m.id, m.levelName]);
    assert.deepEqual(found, [['urls.E004', 'ERROR']]);
    assert.match(checkUrlConfig('no_such_project.urls')[0]!.msg, /no_such_project\.urls/);
  });

  test('urls.E006: STATIC_URL without a trailing slash', () => {
    const restore = overrideSettings({ STATIC_URL: '/static' });
    try {
      assert.deepEqual(messages([]), [
        ['urls.E006', 'ERROR', "The STATIC_URL setting must end with a slash. Change it to '/static/'."],
      ]);
    } finally {
      restore();
    }
  });

  test('registerUrlChecks() registers the check once under the urls tag; it reads ROOT_URLCONF', async () => {
    registerUrlChecks();
    registerUrlChecks();
    const restore = overrideSettings({ ROOT_URLCONF: { urlpatterns: [path('/bad', view)] } });
    try {
      const found = await runChecks({ tags: ['urls'] });
      assert.deepEqual(
        found.map((m) => m.id),
        ['urls.W002'],
      );
    } finally {
      restore();
    }
  });
});

describe('error handler checks', () => {
  test('urls.E008 and urls.E007 for handlers that do not load or take too many arguments', async () => {
    const path_ = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const { setProjectRoot } = await import('../../src/utils/module-loading.ts');
    setProjectRoot(path_.join(path_.dirname(fileURLToPath(import.meta.url)), 'fixtures'));
    try {
      const found = checkUrlConfig('urlsfix.handlers_urls').map((m) => [m.id, m.msg]);
      assert.equal(found.length, 3);
      assert.deepEqual(found[0], [
        'urls.E007',
        "The custom handler400 view 'handler400' does not take the correct number of arguments (request, exception). It declares 3; accept at most 2.",
      ]);
      assert.deepEqual(found[1], [
        'urls.E008',
        'The custom handler403 view handler403 is not a function (got number). Set handler403 to a view function or its dotted name.',
      ]);
      assert.equal(found[2][0], 'urls.E008');
      assert.ok(
        (found[2][1] as string).startsWith(
          "The custom handler500 view 'urlsfix.views.missingView' could not be imported: ",
        ),
        found[2][1] as string,
      );
    } finally {
      setProjectRoot(undefined);
    }
  });
});
