/**
 * `{% load cache %}`: the template fragment cache. Scenarios (a template rendered several times
 * with different contexts) are run by Django 3.2 itself (fixtures/django_cache_tag.py) and by
 * tsgi, and must give the same outputs and error classes; the fragment keys must be Django's.
 * Then what is tsgi's own: one cache read per render on the asynchronous path, the
 * `template_fragments` alias, an unreachable cache, the tag through the DjangoTemplates backend.
 *
 * The Django half is skipped when Django 3.2 is not installed (apt-get install -y python3-django),
 * except in CI (CI=true), where that is a failing test (test/prerequisites.ts).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { overrideSettings, settings } from '../../src/conf/index.ts';
import { caches, makeTemplateFragmentKey, type CacheParams } from '../../src/core/cache/index.ts';
import { LocMemCache } from '../../src/core/cache/backends/locmem.ts';
import { Context } from '../../src/template/context.ts';
import { Engine } from '../../src/template/engine.ts';
import { engines } from '../../src/template/engines.ts';
import { markSafe } from '../../src/utils/safestring.ts';
import { captureLogs } from '../core/helpers.ts';
import { skipUnlessPresent } from '../prerequisites.ts';

const PYTHON = '/usr/bin/python3';
const ORACLE = path.join(import.meta.dirname, 'fixtures', 'django_cache_tag.py');
const hasDjango =
  spawnSync(PYTHON, ['-c', 'import django; assert django.VERSION[:2] == (3, 2)'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessPresent(
  hasDjango ? undefined : `Django 3.2 is not installed at ${PYTHON} (apt-get install -y python3-django)`,
);

/** Counts the reads of a local-memory cache (one per get()). */
class CountingCache extends LocMemCache {
  static reads = 0;
  constructor(params: CacheParams) {
    super(params);
  }
  protected override load(keys: readonly string[]): Promise<Array<string | undefined>> {
    CountingCache.reads++;
    return super.load(keys);
  }
}

settings.configure({
  CACHES: {
    default: { BACKEND: CountingCache, LOCATION: 'cache-tag-default' },
    other: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'cache-tag-other' },
  },
});

const LOAD = '{% load cache %}';

interface Render {
  main: string;
  context?: Record<string, unknown>;
}
interface Scenario {
  name: string;
  templates: Record<string, string>;
  renders: Render[];
  /** What every render gives, as recorded from Django (checked against it when it runs). */
  expected: Array<string | { error: string }>;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'the body is rendered once and kept',
    templates: { main: `${LOAD}[{% cache 60 frag %}{{ x }}{% endcache %}]{{ x }}` },
    renders: [
      { main: 'main', context: { x: 1 } },
      { main: 'main', context: { x: 2 } },
    ],
    expected: ['[1]1', '[1]2'],
  },
  {
    name: 'vary-on values make their own entries',
    templates: { main: `${LOAD}{% cache 60 frag user lang %}{{ x }}{% endcache %}` },
    renders: [
      { main: 'main', context: { user: 'ann', lang: 'en', x: 1 } },
      { main: 'main', context: { user: 'bob', lang: 'en', x: 2 } },
      { main: 'main', context: { user: 'ann', lang: 'fr', x: 3 } },
      { main: 'main', context: { user: 'ann', lang: 'en', x: 4 } },
      { main: 'main', context: { user: 'bob', lang: 'en', x: 5 } },
    ],
    expected: ['1', '2', '3', '1', '2'],
  },
  {
    name: 'vary-on values count as their printed text: 1 and "1" are the same fragment',
    templates: { main: `${LOAD}{% cache 60 frag v %}{{ x }}{% endcache %}` },
    renders: [
      { main: 'main', context: { v: 1, x: 'int' } },
      { main: 'main', context: { v: '1', x: 'str' } },
      { main: 'main', context: { v: null, x: 'none' } },
      { main: 'main', context: { v: 'None', x: 'text' } },
      { main: 'main', context: { v: true, x: 'bool' } },
      { main: 'main', context: { x: 'missing' } },
    ],
    expected: ['int', 'int', 'none', 'none', 'bool', 'missing'],
  },
  {
    name: 'the fragment name is a word, shared by every template that uses it',
    templates: {
      one: `${LOAD}{% cache 60 sidebar %}one {{ x }}{% endcache %}`,
      two: `${LOAD}{% cache 60 sidebar %}two {{ x }}{% endcache %}`,
      three: `${LOAD}{% cache 60 "sidebar" %}three {{ x }}{% endcache %}`,
    },
    renders: [
      { main: 'one', context: { x: 1 } },
      { main: 'two', context: { x: 2 } },
      { main: 'three', context: { x: 3 } },
    ],
    expected: ['one 1', 'one 1', 'three 3'],
  },
  {
    name: 'timeouts: 0 keeps nothing, None keeps it, a variable or a numeric string is read as an integer',
    templates: {
      zero: `${LOAD}{% cache 0 z %}{{ x }}{% endcache %}`,
      none: `${LOAD}{% cache None n %}{{ x }}{% endcache %}`,
      variable: `${LOAD}{% cache t v %}{{ x }}{% endcache %}`,
      text: `${LOAD}{% cache "30" s %}{{ x }}{% endcache %}`,
      float: `${LOAD}{% cache 2.5 fl %}{{ x }}{% endcache %}`,
    },
    renders: [
      { main: 'zero', context: { x: 1 } },
      { main: 'zero', context: { x: 2 } },
      { main: 'none', context: { x: 1 } },
      { main: 'none', context: { x: 2 } },
      { main: 'variable', context: { t: '120', x: 1 } },
      { main: 'variable', context: { t: 120, x: 2 } },
      { main: 'text', context: { x: 1 } },
      { main: 'text', context: { x: 2 } },
      { main: 'float', context: { x: 1 } },
      { main: 'float', context: { x: 2 } },
    ],
    expected: ['1', '2', '1', '1', '1', '1', '1', '1', '1', '1'],
  },
  {
    name: 'a timeout that is not an integer is a TemplateSyntaxError when rendered',
    templates: {
      text: `${LOAD}{% cache "soon" f %}x{% endcache %}`,
      missing: `${LOAD}{% cache nothing f %}x{% endcache %}`,
      list: `${LOAD}{% cache t f %}x{% endcache %}`,
    },
    renders: [{ main: 'text' }, { main: 'missing' }, { main: 'list', context: { t: [1] } }],
    expected: [{ error: 'TemplateSyntaxError' }, { error: 'TemplateSyntaxError' }, { error: 'TemplateSyntaxError' }],
  },
  {
    name: 'using="alias" picks the cache; an unknown alias is a TemplateSyntaxError',
    templates: {
      other: `${LOAD}{% cache 60 f using="other" %}{{ x }}{% endcache %}`,
      plain: `${LOAD}{% cache 60 f %}{{ x }}{% endcache %}`,
      variable: `${LOAD}{% cache 60 f using=alias %}{{ x }}{% endcache %}`,
      unknown: `${LOAD}{% cache 60 f using="nope" %}{{ x }}{% endcache %}`,
    },
    renders: [
      { main: 'other', context: { x: 'other' } },
      { main: 'plain', context: { x: 'default' } },
      { main: 'variable', context: { alias: 'other', x: 'again' } },
      { main: 'unknown', context: { x: 1 } },
    ],
    expected: ['other', 'default', 'other', { error: 'TemplateSyntaxError' }],
  },
  {
    name: 'the fragment is kept as rendered: escaped, safe values as they are, nested fragments',
    templates: {
      main: `${LOAD}{% cache 60 outer %}{{ html }} {{ safe }} {% cache 60 inner %}{{ x }}{% endcache %}{% endcache %} {% cache 60 inner %}{{ x }}{% endcache %}`,
    },
    renders: [
      { main: 'main', context: { html: '<b>', safe: { $safe: '<i>' }, x: 1 } },
      { main: 'main', context: { html: '<u>', safe: { $safe: '<s>' }, x: 2 } },
    ],
    expected: ['&lt;b&gt; <i> 1 1', '&lt;b&gt; <i> 1 1'],
  },
  {
    name: 'inside a loop, with forloop values to vary on',
    templates: { main: `${LOAD}{% for i in items %}{% cache 60 row i %}{{ i }}{{ x }}{% endcache %},{% endfor %}` },
    renders: [
      { main: 'main', context: { items: [1, 2], x: 'a' } },
      { main: 'main', context: { items: [1, 2, 3], x: 'b' } },
    ],
    expected: ['1a,2a,', '1a,2a,3b,'],
  },
  {
    name: 'fewer than two arguments is a TemplateSyntaxError when parsed',
    templates: { one: `${LOAD}{% cache 60 %}x{% endcache %}`, unclosed: `${LOAD}{% cache 60 f %}x` },
    renders: [{ main: 'one' }, { main: 'unclosed' }],
    expected: [{ error: 'TemplateSyntaxError' }, { error: 'TemplateSyntaxError' }],
  },
];

/** Vary-on values whose keys must be Django's. */
const KEYS: Array<{ name: string; fragment: string; varyOn: unknown[] }> = [
  { name: 'none', fragment: 'sidebar', varyOn: [] },
  { name: 'strings', fragment: 'sidebar', varyOn: ['ann', 'en-gb'] },
  { name: 'unicode and separators', fragment: 'frag', varyOn: ['Iñtërnâtiônàl 🎉', 'a:b', ''] },
  { name: 'python scalars', fragment: 'frag', varyOn: [1, -7, 2.5, true, false, null] },
  { name: 'lists and dicts print as Python', fragment: 'frag', varyOn: [[1, 'a', null], { k: 'v', n: 2 }] },
  { name: 'a safe string', fragment: 'frag', varyOn: [{ $safe: '<b>' }] },
];

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === '$safe') return markSafe(String(entries[0]![1]));
    return Object.fromEntries(entries.map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

type Answer = { output: string } | { error: string; message: string };

async function runScenario(scenario: Scenario): Promise<Answer[]> {
  await caches.get('default').clear();
  await caches.get('other').clear();
  const engine = new Engine({
    loaders: [['tsgi.template.loaders.locmem.Loader', scenario.templates]],
    libraries: { cache: 'tsgi.templatetags.cache' },
  });
  const answers: Answer[] = [];
  for (const render of scenario.renders) {
    try {
      const template = engine.getTemplate(render.main);
      answers.push({
        output: await template.render(new Context(decode(render.context ?? {}) as Record<string, unknown>)),
      });
    } catch (error) {
      answers.push({ error: (error as Error).name, message: (error as Error).message });
    }
  }
  return answers;
}

function simplify(answers: Answer[]): Array<string | { error: string }> {
  return answers.map((a) => ('output' in a ? a.output : { error: a.error }));
}

describe('{% cache %}', () => {
  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      assert.deepEqual(simplify(await runScenario(scenario)), scenario.expected);
    });
  }

  test('the fragment keys are makeTemplateFragmentKey(name, varyOn)', async () => {
    await caches.get('default').clear();
    const engine = new Engine({ libraries: { cache: 'tsgi.templatetags.cache' } });
    const template = engine.fromString(`${LOAD}{% cache 60 sidebar user n %}<p>{{ user }}</p>{% endcache %}`);
    assert.equal(await template.render(new Context({ user: 'ann', n: 1 })), '<p>ann</p>');
    const key = makeTemplateFragmentKey('sidebar', ['ann', 1]);
    assert.equal(await caches.get('default').get(key), '<p>ann</p>');
    // Invalidating one fragment, as Django's documentation shows.
    await caches.get('default').delete(key);
    assert.equal(await template.render(new Context({ user: 'ann', n: 1 })), '<p>ann</p>');
    await caches.get('default').set(key, 'replaced');
    assert.equal(await template.render(new Context({ user: 'ann', n: 1 })), 'replaced');
  });

  test('error messages name the value and the fix', async () => {
    const engine = new Engine({ libraries: { cache: 'tsgi.templatetags.cache' } });
    assert.throws(() => engine.fromString(`${LOAD}{% cache 60 %}{% endcache %}`), {
      name: 'TemplateSyntaxError',
      message:
        /^'cache' tag requires at least 2 arguments: \{% cache timeout fragment_name \[vary_on \.\.\.\] \[using="alias"\] %\}\./,
    });
    await assert.rejects(
      engine.fromString(`${LOAD}{% cache "soon" f %}{% endcache %}`).render(new Context()) as Promise<string>,
      {
        name: 'TemplateSyntaxError',
        message:
          /^"cache" tag got a non-integer timeout value: 'soon'\. Give a number of seconds, or None for no expiry\./,
      },
    );
    await assert.rejects(
      engine.fromString(`${LOAD}{% cache 1 f using="nope" %}{% endcache %}`).render(new Context()) as Promise<string>,
      {
        name: 'TemplateSyntaxError',
        message:
          /^Invalid cache name specified for cache tag: 'nope'\. The cache 'nope' doesn't exist: CACHES defines 'default', 'other'\. Add 'nope' to CACHES or use one of those\./,
      },
    );
  });

  test('a template with the tag renders asynchronously, reading the cache once per render', async () => {
    await caches.get('default').clear();
    const engine = new Engine({ libraries: { cache: 'tsgi.templatetags.cache' } });
    let calls = 0;
    const template = engine.fromString(`${LOAD}{{ counted }}{% cache 60 once %}{{ x }}{% endcache %}`);
    const context = () =>
      new Context({
        counted: () => {
          calls++;
          return 'c';
        },
        x: 'body',
      });
    for (let i = 0; i < 3; i++) {
      const before = CountingCache.reads;
      const output = template.render(context());
      assert.ok(output instanceof Promise, 'the render is a promise');
      assert.equal(await output, 'cbody');
      assert.equal(CountingCache.reads - before, 1, `render ${i} read the cache once`);
    }
    // The first render started synchronously and went asynchronous at the tag; later ones start
    // asynchronously (the engine remembers that the template meets promises).
    assert.equal(calls, 4);
  });

  test('CACHES["template_fragments"] is used when it exists', async () => {
    using _caches = overrideSettings({
      CACHES: {
        default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'tf-default' },
        template_fragments: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'tf-fragments' },
      },
    });
    const engine = new Engine({ libraries: { cache: 'tsgi.templatetags.cache' } });
    await engine.fromString(`${LOAD}{% cache 60 f %}kept{% endcache %}`).render(new Context());
    const key = makeTemplateFragmentKey('f');
    assert.equal(await caches.get('template_fragments').get(key), 'kept');
    assert.equal(await caches.get('default').get(key), undefined);
  });

  test('a cache that cannot be used: the body is rendered every time, and the failure logged', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-cache-tag-'));
    after(() => rmSync(folder, { recursive: true, force: true }));
    const file = path.join(folder, 'not-a-folder');
    writeFileSync(file, '');
    using _caches = overrideSettings({
      CACHES: {
        default: { BACKEND: 'tsgi.core.cache.backends.filebased.FileBasedCache', LOCATION: path.join(file, 'cache') },
      },
    });
    const engine = new Engine({ libraries: { cache: 'tsgi.templatetags.cache' } });
    const template = engine.fromString(`${LOAD}{% cache 60 f %}{{ x }}{% endcache %}`);
    const logs = captureLogs('tsgi.cache');
    try {
      assert.equal(await template.render(new Context({ x: 1 })), '1');
      assert.equal(await template.render(new Context({ x: 2 })), '2');
    } finally {
      logs.stop();
    }
    assert.match(logs.records[0]!.message, /^The cache 'default' \(FileBasedCache at .*\) could not be used: /);
  });

  test('{% load cache %} works through the DjangoTemplates backend without configuration', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-cache-tag-dirs-'));
    after(() => rmSync(folder, { recursive: true, force: true }));
    writeFileSync(path.join(folder, 'page.html'), `${LOAD}{% cache 60 page %}{{ x }}{% endcache %}`);
    using _templates = overrideSettings({
      TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', DIRS: [folder] }],
    });
    await caches.get('default').clear();
    const template = engines().get('django')!.getTemplate('page.html');
    assert.equal(await template.render({ x: 'first' }), 'first');
    assert.equal(await template.render({ x: 'second' }), 'first');
  });
});

describe('{% cache %} and Django 3.2 agree', { skip }, () => {
  let django: { scenarios: Record<string, Answer[]>; keys: Record<string, string> };
  before(() => {
    const input = {
      scenarios: SCENARIOS.map(({ name, templates, renders }) => ({ name, templates, renders })),
      keys: KEYS,
    };
    const run = spawnSync(PYTHON, [ORACLE], { input: JSON.stringify(input), encoding: 'utf8' });
    assert.equal(run.status, 0, `${ORACLE} failed: ${run.stderr}`);
    django = JSON.parse(run.stdout) as typeof django;
  });
  beforeEach(async () => {
    await caches.get('default').clear();
  });

  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      const theirs = django.scenarios[scenario.name]!;
      assert.deepEqual(simplify(theirs), scenario.expected, 'the recorded expectation is not what Django gives');
      assert.deepEqual(simplify(await runScenario(scenario)), simplify(theirs));
    });
  }

  test("makeTemplateFragmentKey() gives Django's make_template_fragment_key()", () => {
    for (const { name, fragment, varyOn } of KEYS) {
      assert.equal(makeTemplateFragmentKey(fragment, decode(varyOn) as unknown[]), django.keys[name], name);
    }
  });
});
