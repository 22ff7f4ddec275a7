// Errors at definition time: each one an ImproperlyConfigured (or TypeError) with the exact text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path_ from 'node:path';
import { fileURLToPath } from 'node:url';
import { path, rePath, include, registerConverter, resolve, reverse, getResolver } from '../../src/urls/index.ts';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';

const view = () => 'ok';
const here = path_.dirname(fileURLToPath(import.meta.url));

function throwsExactly(fn: () => unknown, cls: new (...a: never[]) => Error, message: string) {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e.name}: ${e.message}`);
    assert.equal(e.message, message);
    return true;
  });
}

describe('path() and rePath() definitions', () => {
  const cases: Array<[string, () => unknown, new (...a: never[]) => Error, string]> = [
    [
      'unknown converter',
      () => path('a/<foo:x>/', view),
      ImproperlyConfigured,
      "URL route 'a/<foo:x>/' uses invalid converter 'foo'. Use one of 'int', 'path', 'slug', 'str', 'uuid', 'even2', or register it with registerConverter() before defining the route.",
    ],
    [
      'parameter name not an identifier',
      () => path('a/<int:2x>/', view),
      ImproperlyConfigured,
      "URL route 'a/<int:2x>/' uses parameter name '2x' which isn't a valid identifier. Use letters, digits and underscores, not starting with a digit.",
    ],
    [
      'hyphen in parameter name',
      () => path('a/<int:my-id>/', view),
      ImproperlyConfigured,
      "URL route 'a/<int:my-id>/' uses parameter name 'my-id' which isn't a valid identifier. Use letters, digits and underscores, not starting with a digit.",
    ],
    [
      'space inside brackets',
      () => path('a/<int: x>/', view),
      ImproperlyConfigured,
      "URL route 'a/<int: x>/' cannot contain whitespace in angle brackets <…>. Remove the whitespace from '<int: x>'.",
    ],
    [
      'tab inside brackets',
      () => path('a/<str:\tx>/', view),
      ImproperlyConfigured,
      "URL route 'a/<str:\tx>/' cannot contain whitespace in angle brackets <…>. Remove the whitespace from '<str:\tx>'.",
    ],
    [
      'duplicate parameter',
      () => path('<int:x>/<int:x>/', view),
      ImproperlyConfigured,
      "URL route '<int:x>/<int:x>/' uses parameter name 'x' more than once. Give each parameter its own name.",
    ],
    [
      'regex-looking route (^)',
      () => path('^articles/', view),
      ImproperlyConfigured,
      "URL route '^articles/' looks like a regular expression: it contains '(?P<', begins with '^' or ends with '$'. Use rePath() for a regular expression, or remove those characters from the path() route.",
    ],
    [
      'regex-looking route ($)',
      () => path('articles/$', view),
      ImproperlyConfigured,
      "URL route 'articles/$' looks like a regular expression: it contains '(?P<', begins with '^' or ends with '$'. Use rePath() for a regular expression, or remove those characters from the path() route.",
    ],
    [
      'regex-looking route ((?P<)',
      () => path('a/(?P<x>[0-9]+)/', view),
      ImproperlyConfigured,
      "URL route 'a/(?P<x>[0-9]+)/' looks like a regular expression: it contains '(?P<', begins with '^' or ends with '$'. Use rePath() for a regular expression, or remove those characters from the path() route.",
    ],
    [
      'invalid regex',
      () => rePath('^a/(?P<x>[0-9+/$', view),
      ImproperlyConfigured,
      '"^a/(?P<x>[0-9+/$" is not a valid regular expression: Invalid regular expression: /^a/(?<x>[0-9+/$/: Unterminated character class. Fix the rePath() pattern.',
    ],
    [
      'view is a string',
      () => path('a/', 'app.views.a' as never),
      TypeError,
      "path('a/', ...) view must be a function or the result of include(), got string.",
    ],
    [
      'view is a class',
      () => path('a/', class ArticleView {} as never),
      TypeError,
      "path('a/', ArticleView) was given a class. Pass ArticleView.asView() instead of ArticleView.",
    ],
    [
      'view is an instance of a class-based view',
      () => {
        class Cbv {
          static asView() {
            return view;
          }
        }
        return path('a/', new Cbv() as never);
      },
      TypeError,
      "path('a/', ...) was given an instance of Cbv. Pass Cbv.asView(), not new Cbv().",
    ],
    [
      'kwargs not an object',
      () => path('a/', view, { kwargs: [] as never }),
      TypeError,
      "path('a/', ...) kwargs must be a plain object of extra arguments, got an array.",
    ],
    [
      'name not a string',
      () => path('a/', view, { name: 5 as never }),
      TypeError,
      "path('a/', ...) name must be a non-empty string such as 'article-detail', got number.",
    ],
    [
      'empty name',
      () => rePath('^a/$', view, { name: '' }),
      TypeError,
      "rePath('^a/$', ...) name must be a non-empty string such as 'article-detail', got an empty string.",
    ],
    [
      'regex not a string',
      () => rePath(/^a$/ as never, view),
      TypeError,
      "A URL regex must be a string, got object. Write it as rePath('^articles/(?P<year>[0-9]{4})/$', view).",
    ],
    [
      'options not an object',
      () => path('a/', view, 'detail' as never),
      TypeError,
      "path('a/', ...) options must be an object such as { name: 'detail' }, got string.",
    ],
    [
      'route not a string',
      () => path(5 as never, view),
      TypeError,
      "A URL route must be a string, got number. Write it as path('articles/<int:year>/', view).",
    ],
  ];
  registerConverter('even2', { regex: '[0-9]+', toPython: Number, toUrl: String });
  for (const [what, fn, cls, message] of cases) test(what, () => throwsExactly(fn, cls, message));

  test('whitespace outside the brackets is allowed', () => {
    const conf = [path('space here/<int:num>/', view)];
    assert.deepEqual(resolve('/space here/1/', conf).kwargs, { num: 1 });
  });

  test('a parameter without a converter uses str', () => {
    assert.deepEqual(resolve('/a/b c/', [path('a/<x>/', view)]).kwargs, { x: 'b c' });
  });

  test('unicode identifiers are accepted as parameter names', () => {
    assert.deepEqual(resolve('/a/1/', [path('a/<int:année>/', view)]).kwargs, { année: 1 });
  });
});

describe('registerConverter()', () => {
  test('refuses to replace a registered converter', () => {
    throwsExactly(
      () => registerConverter('int', { regex: '[0-9]+', toPython: Number, toUrl: String }),
      ImproperlyConfigured,
      "Converter 'int' is already registered. Register yours under another name.",
    );
  });
  test('refuses an incomplete converter', () => {
    throwsExactly(
      () => registerConverter('half', { regex: '[0-9]+' } as never),
      ImproperlyConfigured,
      "Converter 'half' must be an object with a string 'regex' and the functions 'toPython' and 'toUrl'.",
    );
  });
  test('refuses an invalid regex', () => {
    throwsExactly(
      () => registerConverter('bad', { regex: '[0-9', toPython: Number, toUrl: String }),
      ImproperlyConfigured,
      'Converter \'bad\' has the regex "[0-9", which is not a valid regular expression: Invalid regular expression: /[0-9/: Unterminated character class.',
    );
  });
  test('refuses a name with a colon', () => {
    throwsExactly(
      () => registerConverter('a:b', { regex: 'x', toPython: String, toUrl: String }),
      ImproperlyConfigured,
      "Converter name \"a:b\" is not valid. Use a name without ':', '>' or whitespace, such as 'yyyy'.",
    );
  });
  test('a registered converter works in both directions', () => {
    registerConverter('yyyy', {
      regex: '[0-9]{4}',
      toPython: (s: string) => Number(s),
      toUrl: (n: number) => String(n).padStart(4, '0'),
    });
    const conf = [path('y/<yyyy:year>/', view, { name: 'y' })];
    assert.deepEqual(resolve('/y/0999/', conf).kwargs, { year: 999 });
    assert.equal(reverse('y', { urlconf: conf, args: [999] }), '/y/0999/');
  });
});

describe('include()', () => {
  const patterns = [path('', view, { name: 'i' })];
  test('a namespace without an app name is an error', () => {
    throwsExactly(
      () => include(patterns, { namespace: 'ns' }),
      ImproperlyConfigured,
      'Specifying a namespace in include() without providing an appName is not supported. Set appName in the included module, or pass a 2-tuple containing the list of patterns and appName instead.',
    );
  });
  test('a 3-tuple is an error', () => {
    throwsExactly(
      () => include([patterns, 'app', 'ns'] as never),
      ImproperlyConfigured,
      'Passing a 3-tuple to include() is not supported. Pass a 2-tuple containing the list of patterns and appName, and provide the namespace option to include() instead.',
    );
  });
  test('null is an error', () => {
    throwsExactly(
      () => include(null as never),
      TypeError,
      "include() was given null. Pass a module name ('blog.urls'), a module with 'urlpatterns', a list of patterns, or [patterns, appName].",
    );
  });
  test('the app name defaults the instance namespace', () => {
    const inc = include([patterns, 'app']);
    assert.equal(inc.appName, 'app');
    assert.equal(inc.namespace, 'app');
    const mod = include({ appName: 'm', urlpatterns: patterns }, { namespace: 'inst' });
    assert.equal(mod.appName, 'm');
    assert.equal(mod.namespace, 'inst');
  });

  test('a dotted module name is loaded synchronously, with its appName', () => {
    setProjectRoot(path_.join(here, 'fixtures'));
    try {
      const conf = 'urlsfix.root_urls';
      assert.equal(resolve('/blog/hello/', conf).viewName, 'blog:detail');
      assert.equal(resolve('/weblog/hello/', conf).viewName, 'weblog:detail');
      assert.equal(reverse('blog:detail', { urlconf: conf, args: ['x'] }), '/blog/x/');
      assert.equal(reverse('blog:detail', { urlconf: conf, args: ['x'], currentApp: 'weblog' }), '/weblog/x/');
      const handler = getResolver(conf).resolveErrorHandler(404) as () => string;
      assert.equal(handler(), 'custom-404');
      assert.equal(getResolver(conf).resolveErrorHandler(500), undefined);
      // A dotted name is loaded with importString.
      const byName = getResolver('urlsfix.handlers_urls').resolveErrorHandler(404) as () => string;
      assert.equal(byName(), 'custom-404');
    } finally {
      setProjectRoot(undefined);
    }
  });

  test('a module without urlpatterns is reported when resolving', () => {
    setProjectRoot(path_.join(here, 'fixtures'));
    try {
      throwsExactly(
        () => resolve('/', 'urlsfix.no_patterns'),
        ImproperlyConfigured,
        "The included URLconf 'urlsfix.no_patterns' does not appear to have any patterns in it. Export 'urlpatterns' as an array of path() and rePath() entries; if it does, the problem is probably a circular import.",
      );
    } finally {
      setProjectRoot(undefined);
    }
  });

  test('a URLconf that includes itself is reported when reversing', () => {
    const loop: ReturnType<typeof path>[] = [path('x/', view, { name: 'x' })];
    loop.push(path('again/', include(loop)));
    throwsExactly(
      () => reverse('x', { urlconf: loop }),
      ImproperlyConfigured,
      "The URLconf '<list of patterns>' includes itself. Remove the include() that leads back to it.",
    );
    // Resolving still terminates: each level consumes part of the path.
    assert.equal(resolve('/again/again/x/', loop).urlName, 'x');
  });

  test('an invalid entry in urlpatterns is reported when resolving', () => {
    throwsExactly(
      () => resolve('/', ['not-a-pattern'] as never),
      ImproperlyConfigured,
      `Your URL pattern, a string ("not-a-pattern"), in '<list of patterns>' is invalid. Ensure that urlpatterns is a list of path() and/or rePath() instances.`,
    );
  });
});
