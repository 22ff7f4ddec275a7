// Application and instance namespaces, as Django's documentation describes them: the default
// instance, currentApp, the last deployed instance, nested namespaces.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { include, path, resolve, reverse } from '../../src/urls/index.ts';
import type { ReverseOptions } from '../../src/urls/index.ts';

const view = () => 'v';
const testapp = [
  path('inner/', view, { name: 'urlobject-view' }),
  path('inner/<int:pk>/', view, { name: 'urlobject-detail' }),
];
const included = {
  appName: 'included',
  urlpatterns: [
    path('test3/', include([testapp, 'testapp'], { namespace: 'test-ns3' })),
    path('plain/', view, { name: 'plain' }),
  ],
};
const urlpatterns = [
  path('test1/', include([testapp, 'testapp'], { namespace: 'test-ns1' })),
  path('test2/', include([testapp, 'testapp'], { namespace: 'test-ns2' })),
  path('default/', include([testapp, 'testapp'])),
  path('other1/', include([testapp, 'nodefault'], { namespace: 'other-ns1' })),
  path('other2/', include([testapp, 'nodefault'], { namespace: 'other-ns2' })),
  path('ns-included1/', include(included, { namespace: 'inc-ns1' })),
  path('ns-included2/', include(included, { namespace: 'inc-ns2' })),
  path('<slug:lang>/captured/', include([testapp, 'captured'])),
];
const urlconf = { urlpatterns };

describe('namespaced reverse()', () => {
  const cases: Array<[string, ReverseOptions, string]> = [
    ['test-ns1:urlobject-view', {}, '/test1/inner/'],
    ['test-ns2:urlobject-detail', { args: [3] }, '/test2/inner/3/'],
    // The default instance: its instance namespace is the application namespace.
    ['testapp:urlobject-view', {}, '/default/inner/'],
    // currentApp selects an instance of the application.
    ['testapp:urlobject-view', { currentApp: 'test-ns1' }, '/test1/inner/'],
    ['testapp:urlobject-view', { currentApp: 'test-ns2' }, '/test2/inner/'],
    // A currentApp that is not an instance of the app falls back to the default.
    ['testapp:urlobject-view', { currentApp: 'other-ns1' }, '/default/inner/'],
    // Without a default instance, the last deployed one.
    ['nodefault:urlobject-view', {}, '/other2/inner/'],
    ['nodefault:urlobject-view', { currentApp: 'other-ns1' }, '/other1/inner/'],
    // Nested namespaces.
    ['inc-ns1:test-ns3:urlobject-view', {}, '/ns-included1/test3/inner/'],
    ['inc-ns1:testapp:urlobject-view', {}, '/ns-included1/test3/inner/'],
    ['inc-ns2:plain', {}, '/ns-included2/plain/'],
    ['included:plain', {}, '/ns-included2/plain/'],
    ['included:testapp:urlobject-view', {}, '/ns-included2/test3/inner/'],
    ['included:testapp:urlobject-view', { currentApp: 'inc-ns1:test-ns3' }, '/ns-included1/test3/inner/'],
    ['included:testapp:urlobject-view', { currentApp: 'inc-ns2:test-ns3' }, '/ns-included2/test3/inner/'],
    ['included:plain', { currentApp: 'inc-ns1' }, '/ns-included1/plain/'],
    // A namespace whose prefix captures: its parameters are given with the pattern's.
    ['captured:urlobject-detail', { kwargs: { lang: 'en', pk: 1 } }, '/en/captured/inner/1/'],
    ['captured:urlobject-detail', { args: ['fr', 2] }, '/fr/captured/inner/2/'],
  ];
  for (const [name, options, url] of cases) {
    test(`${name} ${JSON.stringify(options)} → ${url}`, () => {
      assert.equal(reverse(name, { urlconf, ...options }), url);
    });
  }

  test('resolve() reports application and instance namespaces', () => {
    const m = resolve('/ns-included1/test3/inner/', urlconf);
    assert.deepEqual(m.namespaces, ['inc-ns1', 'test-ns3']);
    assert.equal(m.namespace, 'inc-ns1:test-ns3');
    assert.deepEqual(m.appNames, ['included', 'testapp']);
    assert.equal(m.appName, 'included:testapp');
    assert.equal(m.viewName, 'inc-ns1:test-ns3:urlobject-view');
    const d = resolve('/default/inner/', urlconf);
    assert.equal(d.viewName, 'testapp:urlobject-view');
    const c = resolve('/en/captured/inner/1/', urlconf);
    assert.deepEqual(c.kwargs, { lang: 'en', pk: 1 });
    assert.equal(c.viewName, 'captured:urlobject-detail');
  });

  test('round trip through every instance namespace', () => {
    for (const ns of [
      'test-ns1',
      'test-ns2',
      'testapp',
      'other-ns1',
      'other-ns2',
      'inc-ns1:test-ns3',
      'inc-ns2:test-ns3',
    ]) {
      const url = reverse(`${ns}:urlobject-detail`, { urlconf, kwargs: { pk: 9 } });
      const m = resolve(url, urlconf);
      assert.equal(m.viewName, `${ns}:urlobject-detail`);
      assert.deepEqual(m.kwargs, { pk: 9 });
    }
  });
});
