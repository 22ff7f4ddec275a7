// resolve()/reverse() with no urlconf use settings.ROOT_URLCONF; resolvers are cached and the
// cache clears when ROOT_URLCONF is overridden; request.urlconf overrides per async context.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path_ from 'node:path';
import { fileURLToPath } from 'node:url';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';
import {
  clearUrlCaches,
  getResolver,
  getUrlconf,
  path,
  resolve,
  reverse,
  runWithUrlconf,
  setUrlconf,
} from '../../src/urls/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';

const here = path_.dirname(fileURLToPath(import.meta.url));

describe('ROOT_URLCONF', () => {
  before(() => {
    setProjectRoot(path_.join(here, 'fixtures'));
    settings.configure({ ROOT_URLCONF: 'urlsfix.root_urls' });
  });
  after(() => setProjectRoot(undefined));

  test('resolve and reverse use ROOT_URLCONF', () => {
    assert.equal(resolve('/articles/2020/').urlName, 'article-year');
    assert.equal(reverse('article-year', { args: [2020] }), '/articles/2020/');
  });

  test('the resolver is cached until clearUrlCaches()', () => {
    const first = getResolver();
    assert.equal(getResolver(), first);
    assert.equal(getResolver('urlsfix.root_urls'), first);
    clearUrlCaches();
    assert.notEqual(getResolver(), first);
  });

  test('overriding ROOT_URLCONF clears the cache, and restoring brings the old URLconf back', () => {
    const restore = overrideSettings({ ROOT_URLCONF: 'urlsfix.other_urls' });
    try {
      assert.equal(resolve('/other/').urlName, 'other');
      assert.throws(() => resolve('/articles/2020/'), { name: 'Resolver404' });
    } finally {
      restore();
    }
    assert.equal(resolve('/articles/2020/').urlName, 'article-year');
  });

  test('a URLconf given as a module object works as ROOT_URLCONF', () => {
    const restore = overrideSettings({ ROOT_URLCONF: { urlpatterns: [path('obj/', () => 'x', { name: 'obj' })] } });
    try {
      assert.equal(reverse('obj'), '/obj/');
    } finally {
      restore();
    }
  });

  test('an empty ROOT_URLCONF is a clear error', () => {
    const restore = overrideSettings({ ROOT_URLCONF: null });
    try {
      assert.throws(
        () => resolve('/'),
        (e: Error) => {
          assert.ok(e instanceof ImproperlyConfigured);
          assert.equal(
            e.message,
            "The ROOT_URLCONF setting is not set. Set it to the dotted name of your URLconf module, such as ROOT_URLCONF = 'mysite.urls'.",
          );
          return true;
        },
      );
    } finally {
      restore();
    }
  });

  test('setUrlconf() applies to the current async context only', async () => {
    const perRequest = [path('mine/', () => 'mine', { name: 'mine' })];
    const seen: string[] = [];
    await Promise.all([
      (async () => {
        // Inside the request's own async context: after its first await (or use runWithUrlconf).
        await null;
        setUrlconf(perRequest);
        await new Promise((r) => setTimeout(r, 5));
        seen.push(resolve('/mine/').urlName as string);
      })(),
      (async () => {
        await new Promise((r) => setTimeout(r, 1));
        seen.push(resolve('/articles/1/').urlName as string);
      })(),
    ]);
    assert.deepEqual(seen.sort(), ['article-year', 'mine']);
    assert.equal(
      runWithUrlconf(perRequest, () => getUrlconf()),
      perRequest,
    );
    assert.equal(
      runWithUrlconf(undefined, () => getUrlconf('fallback')),
      'fallback',
    );
  });
});
