// redirect() and resolveUrl(), as Django's django.shortcuts.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settings } from '../../src/conf/index.ts';
import { HttpResponse } from '../../src/http/response.ts';
import { redirect, resolveUrl } from '../../src/shortcuts.ts';
import { include, path, NoReverseMatch } from '../../src/urls/index.ts';
import { DisallowedRedirect } from '../../src/core/exceptions.ts';

function article() {
  return new HttpResponse();
}
const urlpatterns = [
  path('articles/<int:pk>/', article, { name: 'article' }),
  path('blog/', include([[path('<slug:slug>/', () => new HttpResponse(), { name: 'detail' })], 'blog'])),
  path('home/', () => new HttpResponse(), { name: 'home' }),
];

describe('resolveUrl()', () => {
  before(() => settings.configure({ ROOT_URLCONF: { urlpatterns } }));

  const cases: Array<[string, () => string, string]> = [
    ['a pattern name with positional args', () => resolveUrl('article', 42), '/articles/42/'],
    ['a pattern name with kwargs', () => resolveUrl('article', { kwargs: { pk: 42 } }), '/articles/42/'],
    ['a namespaced name', () => resolveUrl('blog:detail', 'x-y'), '/blog/x-y/'],
    ['a view function', () => resolveUrl(article, 1), '/articles/1/'],
    ['an object with getAbsoluteUrl()', () => resolveUrl({ getAbsoluteUrl: () => '/things/1/' }), '/things/1/'],
    ['a relative URL', () => resolveUrl('./next/'), './next/'],
    ['a parent-relative URL', () => resolveUrl('../up/'), '../up/'],
    ['an absolute URL', () => resolveUrl('https://example.com/a'), 'https://example.com/a'],
    ['a path that is not a pattern name', () => resolveUrl('/some/path/'), '/some/path/'],
    ['a dotted name that is not a pattern', () => resolveUrl('example.com'), 'example.com'],
    ['a URL object', () => resolveUrl(new URL('https://example.com/x?y=1')), 'https://example.com/x?y=1'],
  ];
  for (const [what, fn, expected] of cases) test(what, () => assert.equal(fn(), expected));

  test('a name that does not look like a URL re-raises NoReverseMatch', () => {
    assert.throws(
      () => resolveUrl('nope'),
      (e: Error) => {
        assert.ok(e instanceof NoReverseMatch);
        assert.equal(
          e.message,
          "Reverse for 'nope' not found. 'nope' is not a valid view function or pattern name. Check the spelling, the namespace, and that a pattern has name='nope'.",
        );
        return true;
      },
    );
  });

  test('a view function that cannot be reversed re-raises NoReverseMatch', () => {
    function notRouted() {}
    assert.throws(() => resolveUrl(notRouted), NoReverseMatch);
  });

  test('anything else is a TypeError', () => {
    assert.throws(() => resolveUrl(42 as never), {
      name: 'TypeError',
      message:
        'resolveUrl() was given number. Pass a URL, a view name, a view function, or an object with getAbsoluteUrl().',
    });
  });
});

describe('redirect()', () => {
  const cases: Array<[string, () => HttpResponse, number, string]> = [
    ['to a pattern name', () => redirect('article', 7), 302, '/articles/7/'],
    ['permanent', () => redirect('article', 7, { permanent: true }), 301, '/articles/7/'],
    ['with kwargs', () => redirect('blog:detail', { kwargs: { slug: 'a' } }), 302, '/blog/a/'],
    ['to a URL', () => redirect('https://example.com/'), 302, 'https://example.com/'],
    ['to an object', () => redirect({ getAbsoluteUrl: () => '/obj/' }, { permanent: true }), 301, '/obj/'],
  ];
  for (const [what, fn, status, location] of cases) {
    test(what, () => {
      const response = fn();
      assert.equal(response.statusCode, status);
      assert.equal(response.headers.get('Location'), location);
    });
  }

  test('refuses an unsafe scheme', () => {
    assert.throws(() => redirect('javascript://x/%0Aalert(1)'), DisallowedRedirect);
    // Without '/' or '.', it reads as a namespaced view name, as in Django.
    assert.throws(() => redirect('javascript:alert(1)'), NoReverseMatch);
  });
});
