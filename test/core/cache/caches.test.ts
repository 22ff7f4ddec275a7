// tsgi/core/cache's entry points: CACHES by alias, the `cache` proxy, the errors for a bad
// configuration, and the caches forgotten when an override changes CACHES.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { settings, overrideSettings } from '../../../src/conf/index.ts';
import {
  cache,
  caches,
  makeTemplateFragmentKey,
  InvalidCacheBackendError,
  BaseCache,
} from '../../../src/core/cache/index.ts';
import { LocMemCache } from '../../../src/core/cache/backends/locmem.ts';
import { DummyCache } from '../../../src/core/cache/backends/dummy.ts';

before(() => {
  settings.configure({
    CACHES: {
      default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'default-test' },
      other: { BACKEND: DummyCache, KEY_PREFIX: 'o', TIMEOUT: null, VERSION: 3 },
    },
  });
});

test("the default CACHES is Django's: one local-memory cache", async () => {
  const { globalSettings } = await import('../../../src/conf/index.ts');
  assert.deepEqual(globalSettings.CACHES, { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache' } });
});

test('caches.get(alias) makes each cache once, from its CACHES entry; caches.default and cache are the default', async () => {
  const other = caches.get('other');
  assert.ok(other instanceof DummyCache);
  assert.equal(caches.get('other'), other);
  assert.equal(other.alias, 'other');
  assert.equal(other.keyPrefix, 'o');
  assert.equal(other.defaultTimeout, null);
  assert.equal(other.makeKey('k'), 'o:3:k');
  assert.ok(caches.default instanceof LocMemCache);
  assert.equal(caches.get(), caches.default);
  await cache.set('through-proxy', 1);
  assert.equal(await caches.default.get('through-proxy'), 1);
  assert.equal(cache.alias, 'default');
  assert.ok(cache instanceof BaseCache === false, 'the proxy is not itself a backend');
});

test('an unknown alias names the ones that exist', () => {
  assert.throws(() => caches.get('sessions'), {
    name: 'InvalidCacheBackendError',
    message:
      "The cache 'sessions' doesn't exist: CACHES defines 'default', 'other'. Add 'sessions' to CACHES or use one of those.",
  });
});

test('a BACKEND that cannot be loaded, or is missing, is an InvalidCacheBackendError', () => {
  using _ = overrideSettings({
    CACHES: {
      default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCach' },
      none: {} as never,
    },
  });
  assert.throws(
    () => caches.get('default'),
    (error: Error) =>
      error instanceof InvalidCacheBackendError &&
      error.message.startsWith(
        "Could not find backend 'tsgi.core.cache.backends.locmem.LocMemCach' of CACHES['default']: ",
      ) &&
      error.message.includes("Did you mean 'tsgi.core.cache.backends.locmem.LocMemCache'?"),
  );
  assert.throws(() => caches.get('none'), {
    message: /^CACHES\['none'\] has no BACKEND: set it to a backend class or its dotted name/,
  });
});

test("Django's backend names are understood", () => {
  using _ = overrideSettings({ CACHES: { default: { BACKEND: 'django.core.cache.backends.dummy.DummyCache' } } });
  assert.ok(caches.default instanceof DummyCache);
});

test('overriding CACHES forgets the caches made before, and restoring it does too', async () => {
  const before = caches.default;
  {
    using _ = overrideSettings({ CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.dummy.DummyCache' } } });
    assert.ok(caches.default instanceof DummyCache);
  }
  assert.ok(caches.default instanceof LocMemCache);
  assert.notEqual(caches.default, before);
  await caches.closeAll();
  assert.deepEqual(caches.all(), []);
});

test("makeTemplateFragmentKey() is Django's make_template_fragment_key", () => {
  // Values from Django 3.2: make_template_fragment_key('a.fragment') and with ['abc', 'def'].
  assert.equal(makeTemplateFragmentKey('a.fragment'), 'template.cache.a.fragment.d41d8cd98f00b204e9800998ecf8427e');
  assert.equal(makeTemplateFragmentKey('spam', ['abc', 'def']), 'template.cache.spam.17c1a507a0cb58384f4c639067a93520');
});
