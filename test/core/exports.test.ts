// The framework core's public subpaths resolve through package.json "exports" and name what
// the docs promise.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('tsgi/core/wsgi, tsgi/core/signals, tsgi/test and tsgi/middleware/* export the public API', async () => {
  const wsgi = await import('tsgi/core/wsgi');
  assert.equal(typeof wsgi.getWsgiApplication, 'function');
  const signals = await import('tsgi/core/signals');
  for (const name of ['requestStarted', 'requestFinished', 'gotRequestException', 'settingChanged']) {
    assert.equal(typeof (signals as Record<string, { connect?: unknown }>)[name]?.connect, 'function', name);
  }
  const testing = await import('tsgi/test');
  assert.deepEqual(
    ['Client', 'RequestFactory', 'overrideSettings'].map((name) => typeof (testing as Record<string, unknown>)[name]),
    ['function', 'function', 'function'],
  );
  const expected: Record<string, string[]> = {
    security: ['SecurityMiddleware'],
    common: ['CommonMiddleware'],
    csrf: ['CsrfViewMiddleware', 'csrfExempt', 'getToken', 'rotateToken'],
    clickjacking: ['XFrameOptionsMiddleware', 'xframeOptionsExempt'],
    gzip: ['GZipMiddleware'],
    http: ['ConditionalGetMiddleware'],
  };
  for (const [module, names] of Object.entries(expected)) {
    const loaded = (await import(`tsgi/middleware/${module}`)) as Record<string, unknown>;
    for (const name of names) assert.equal(typeof loaded[name], 'function', `tsgi/middleware/${module} ${name}`);
  }
});

test('tsgi/middleware is the middleware contract: types only, so importing it loads nothing', async () => {
  // test/core/handler.test.ts writes its middleware against these types (checked by tsc).
  const contract = await import('tsgi/middleware');
  assert.deepEqual(Object.keys(contract), []);
});
