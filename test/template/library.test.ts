/**
 * Custom tags and filters: `{% load %}` of an installed app's templatetags/ module, of
 * OPTIONS.libraries and OPTIONS.builtins by dotted name, full tags with a parser hook (a node
 * that renders its body, synchronous or async), simple tags with any arguments, and the errors.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { engines, getEngine } from '../../src/template/engines.ts';
import { Engine } from '../../src/template/engine.ts';
import { Context } from '../../src/template/context.ts';
import { Library } from '../../src/template/library.ts';
import { InvalidTemplateLibrary, TemplateSyntaxError } from '../../src/template/exceptions.ts';

const project = path.resolve(import.meta.dirname, '../fixtures/static-project');
setProjectRoot(project);
settings.configure({
  INSTALLED_APPS: ['app1'],
  STATIC_URL: '/static/',
  TEMPLATES: [
    {
      BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
      OPTIONS: { libraries: { extra: 'libs.extra', broken: 'libs.not_a_library' }, builtins: ['libs.extra'] },
    },
  ],
});

describe('{% load %} libraries', () => {
  test("an installed app's templatetags/ modules load by file name", async () => {
    const t = getEngine().fromString('{% load app1_tags %}{% shout %}hi {{ name }}{% endshout %}|{{ name|reverse }}');
    const output = t.render({ name: 'ann' });
    assert.ok(output instanceof Promise, 'an async node makes the render asynchronous');
    assert.equal(await output, 'HI ANN|nna');
  });

  test("tsgi's own libraries are there too, and the engine lists every one", () => {
    const engine = (getEngine() as unknown as { engine: Engine }).engine;
    assert.deepEqual(engine.templateLibraries.names().sort(), ['app1_tags', 'broken', 'cache', 'extra', 'static']);
  });

  test('OPTIONS.libraries and OPTIONS.builtins by dotted name', () => {
    assert.equal(getEngine().fromString('{{ "ab"|double }}|{% load extra %}{{ "c"|double }}').render({}), 'abab|cc');
  });

  test('a module without register is refused with the reason', () => {
    assert.throws(
      () => getEngine().fromString('{% load broken %}'),
      (error: unknown) =>
        error instanceof InvalidTemplateLibrary &&
        error.message.startsWith(
          "Invalid template library specified. ImportError raised when trying to load 'libs.not_a_library'",
        ),
    );
  });

  test('an unknown library lists the registered ones', () => {
    assert.throws(
      () => getEngine().fromString('{% load nope %}'),
      (error: unknown) =>
        error instanceof TemplateSyntaxError &&
        error.reason ===
          "'nope' is not a registered tag library. Must be one of:\napp1_tags\nbroken\ncache\nextra\nstatic",
    );
  });

  test('a synchronous custom node reads its arguments through FilterExpression.resolve', () => {
    assert.equal(getEngine().fromString('{% load app1_tags %}{% countdown n %}').render({ n: 3 }), '3 2 1');
  });

  test('a tag with a rest parameter takes any number of arguments', () => {
    assert.equal(getEngine().fromString('{% load sum from app1_tags %}{% sum 1 2 x %}').render({ x: 4 }), '7');
  });

  test('a compile function error is pinned to the tag', () => {
    assert.throws(
      () => getEngine().fromString('{% load app1_tags %}\n{% shout loud %}{% endshout %}'),
      (error: unknown) =>
        error instanceof TemplateSyntaxError && error.reason === "'shout' takes no arguments" && error.line === 2,
    );
  });

  test('changing INSTALLED_APPS changes the libraries', () => {
    using _r = overrideSettings({ INSTALLED_APPS: [] });
    assert.throws(() => getEngine().fromString('{% load app1_tags %}'), /'app1_tags' is not a registered tag library/);
    assert.ok(engines().size === 1);
  });
});

describe('Library', () => {
  test('simpleTag without params passes positional arguments, then keyword ones as an object', () => {
    const library = new Library();
    library.simpleTag('show', (...args: unknown[]) => JSON.stringify(args));
    const engine = new Engine({ libraries: { lib: library } });
    assert.equal(
      engine.fromString('{% load lib %}{% show 1 "a" b=2 %}').render(new Context()),
      '[1,&quot;a&quot;,{&quot;b&quot;:2}]',
    );
  });

  test('simpleTag with varkw collects unknown keywords', () => {
    const library = new Library();
    library.simpleTag('link', (href: unknown, attrs: Record<string, unknown>) => `${href} ${JSON.stringify(attrs)}`, {
      params: ['href'],
      varkw: true,
    });
    const engine = new Engine({ libraries: { lib: library } });
    const raw = () => new Context({}, { autoescape: false });
    assert.equal(engine.fromString('{% load lib %}{% link "/x" rel="me" %}').render(raw()), '/x {"rel":"me"}');
    assert.equal(engine.fromString('{% load lib %}{% link href="/y" %}').render(raw()), '/y {}');
  });

  test('a simple tag may return a promise', async () => {
    const library = new Library();
    library.simpleTag('later', async (value: unknown) => `<${value}>`, { params: ['value'] });
    const engine = new Engine({ libraries: { lib: library } });
    const output = engine
      .fromString('{% load lib %}{% later "x" %}{% later "y" as v %}[{{ v }}]')
      .render(new Context());
    assert.equal(await output, '&lt;x&gt;[&lt;y&gt;]');
  });

  test('names are checked', () => {
    const library = new Library();
    assert.throws(() => library.filter('a-b', (v) => v), /The filter name "a-b" is not valid/);
    assert.throws(() => library.tag('a b', () => undefined as never), /The tag name "a b" is not valid/);
  });
});

describe('built-in nodes rendered by hand', () => {
  test("a node's render() works for built-in nodes too, as in Django", () => {
    const engine = new Engine();
    const template = engine.fromString('{% for x in xs %}{{ x }}{% endfor %}|{% if a %}A{% endif %}');
    const context = new Context({ xs: [1, 2], a: true });
    context.renderContext.template = template;
    assert.deepEqual(
      template.nodelist.map((node) => node.render(context)),
      ['12', '|', 'A'],
    );
  });
});
