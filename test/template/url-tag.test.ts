/**
 * {% url %}'s memo of reverse()'s answers must never give a stale URL: it follows the URLconf
 * (clearUrlCaches, a changed ROOT_URLCONF, a per-request urlconf), the script prefix, the current
 * namespace and the arguments, and stays bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings, settings } from '../../src/conf/index.ts';
import { Context, RequestContext } from '../../src/template/context.ts';
import { Engine } from '../../src/template/engine.ts';
import { clearUrlCaches, include, path, runWithUrlconf, setScriptPrefix } from '../../src/urls/index.ts';

const view = (() => null) as never;
const urlconf = (prefix: string) => ({
  urlpatterns: [path(`${prefix}/`, view, { name: 'home' }), path(`${prefix}/<int:n>/`, view, { name: 'item' })],
});
const mutable = urlconf('one');
settings.configure({ ROOT_URLCONF: mutable });
const engine = new Engine();
const t = engine.fromString('{% url "home" %} {% url "item" n %}');
const render = (n: unknown = 1) => t.render(new Context({ n })) as string;

test('the same tag follows a changed ROOT_URLCONF and clearUrlCaches()', () => {
  assert.equal(render(), '/one/ /one/1/');
  {
    using _r = overrideSettings({ ROOT_URLCONF: urlconf('two') });
    assert.equal(render(), '/two/ /two/1/');
  }
  assert.equal(render(), '/one/ /one/1/');
  mutable.urlpatterns = urlconf('three').urlpatterns;
  clearUrlCaches();
  assert.equal(render(), '/three/ /three/1/');
});

test('a per-request urlconf, the script prefix and the arguments are part of the answer', async () => {
  await runWithUrlconf(urlconf('req'), async () => {
    assert.equal(render(2), '/req/ /req/2/');
  });
  setScriptPrefix('/mount/');
  try {
    assert.equal(render(3), '/mount/three/ /mount/three/3/');
  } finally {
    setScriptPrefix('/');
  }
  assert.equal(render(4), '/three/ /three/4/');
});

test("the current namespace comes from the request's resolver match", () => {
  const app = { urlpatterns: [path('', view, { name: 'index' })], appName: 'polls' };
  using _r = overrideSettings({
    ROOT_URLCONF: {
      urlpatterns: [
        path('a/', include(app as never, { namespace: 'a' } as never)),
        path('b/', include(app as never, { namespace: 'b' } as never)),
      ],
    },
  });
  const tag = engine.fromString('{% url "polls:index" %}');
  const on = (namespace: string) => tag.render(new RequestContext({ resolverMatch: { namespace } })) as string;
  assert.equal(on('a'), '/a/');
  assert.equal(on('b'), '/b/');
  assert.equal(on('a'), '/a/');
});

test('a tag with ever new arguments keeps a bounded memo and right answers', () => {
  for (let n = 0; n < 2000; n++) assert.equal(render(n), `/three/ /three/${n}/`);
});
