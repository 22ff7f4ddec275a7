import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, writeFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { getTemplate, renderToString, selectTemplate, engines } from '../../src/template/engines.ts';
import { TemplateDoesNotExist, TemplateSyntaxError } from '../../src/template/exceptions.ts';
import { markSafe } from '../../src/utils/safestring.ts';
import { path as path_ } from '../../src/urls/index.ts';

const project = path.resolve(import.meta.dirname, '../fixtures/static-project');
const templates = path.join(project, 'templates');
setProjectRoot(project);
settings.configure({
  INSTALLED_APPS: ['app1'],
  STATIC_URL: '/static/',
  TEMPLATES: [{ BACKEND: 'tsgi.template.backends.liquid.LiquidTemplates', DIRS: [templates], APP_DIRS: true }],
});

describe('the Liquid backend', () => {
  test('inheritance with blocks, block.super, loops, includes, and the static tag', async () => {
    const html = await renderToString('page.html', { title: 'Rows', rows: [1, 2, 3] });
    assert.equal(
      html,
      '<!doctype html>\n<html><head><title>Rows | Site</title><link rel="stylesheet" href="/static/css/site.css"></head>\n' +
        '<body><ul><li>1</li><li>2</li><li>3</li></ul><footer>ROWS</footer>\n</body></html>\n',
    );
  });

  test('promises in the context are awaited, at any depth, and the same template renders both ways', async () => {
    const sync = await renderToString('page.html', { title: 'A', rows: [1] });
    const deferred = await renderToString('page.html', { title: Promise.resolve('A'), rows: Promise.resolve([1]) });
    const nested = await renderToString('page.html', {
      title: 'A',
      rows: [{ toString: () => '1' }].map(() => Promise.resolve(1)),
    });
    const again = await renderToString('page.html', { title: 'A', rows: [1] });
    assert.equal(deferred, sync);
    assert.equal(nested, sync);
    assert.equal(again, sync);
    const getter = await renderToString('page.html', {
      title: 'A',
      get rows() {
        return Promise.resolve([1]);
      },
    });
    assert.equal(getter, sync);
  });

  test('every value is escaped unless marked safe', async () => {
    const out = await renderToString('page.html', {
      title: '<script>"x"&\'y\'</script>',
      rows: ['<b>', markSafe('<i>ok</i>')],
    });
    assert.match(out, /<title>&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;\/script&gt; \| Site<\/title>/);
    assert.match(out, /<li>&lt;b&gt;<\/li><li><i>ok<\/i><\/li>/);
    assert.match(out, /<footer>&lt;SCRIPT&gt;/);
  });

  test('the safe filter and csrf_token', async () => {
    const out = await renderToString('form.html', { html: '<em>', csrfToken: 'tok"en' });
    assert.equal(
      out,
      '<form><input type="hidden" name="csrfmiddlewaretoken" value="tok&quot;en"></form>&lt;em&gt;<em>\n',
    );
  });

  test("an installed app's templates/ folder is searched after DIRS", async () => {
    assert.equal(await renderToString('app1/hello.html', { word: 'hi' }), '<p>app1 says hi</p>\n');
    const engine = [...engines().values()][0]!;
    assert.deepEqual(engine.templateDirs, [templates, path.join(project, 'app1', 'templates')]);
  });

  test('the url tag reverses with positional or keyword arguments', async () => {
    const view = () => undefined;
    const urlconf = { urlpatterns: [path_('posts/<int:year>/<slug:slug>/', view as never, { name: 'post' })] };
    using _r = overrideSettings({ ROOT_URLCONF: urlconf });
    const engine = [...engines().values()][0]!;
    const t = engine.fromString('{% url "post" 2024 slug %}|{% url "post" year=y slug="a-b" %}');
    assert.equal(await t.render({ slug: 'hello', y: 1999 }), '/posts/2024/hello/|/posts/1999/a-b/');
  });

  test('tag arguments are parsed with the template: literals, filters, variables, both render modes', async () => {
    const view = () => undefined;
    const urlconf = { urlpatterns: [path_('p/<str:slug>/', view as never, { name: 'p' })] };
    using _r = overrideSettings({ ROOT_URLCONF: urlconf });
    const engine = [...engines().values()][0]!;
    const t = engine.fromString(
      `{% load static %}{% url "p" "it's" %}|{% url 'p' s|upcase %}|{% url "p" "x y" %}|{% static name %}`,
    );
    const sync = await t.render({ s: 'q', name: 'css/a.css' });
    assert.equal(sync, '/p/it&#39;s/|/p/Q/|/p/x%20y/|/static/css/a.css');
    // The same parsed tags, rendered asynchronously (a promise in the context).
    assert.equal(await t.render({ s: Promise.resolve('q'), name: 'css/a.css' }), sync);
    // An unknown filter in a tag argument is found when the template is parsed.
    assert.throws(() => engine.fromString('{% url "p" s|nope %}'), TemplateSyntaxError);
  });

  test('fromString templates and Django filter names', async () => {
    const engine = [...engines().values()][0]!;
    const t = engine.fromString(
      '{{ a | length }} {{ b | upper }} {{ b | title }} {{ ok | yesno: "on,off" }} {{ text | linebreaksbr }}',
    );
    assert.equal(
      await t.render({ a: [1, 2], b: 'hello world', ok: false, text: 'a<\nb' }),
      '2 HELLO WORLD Hello World off a&lt;<br>b',
    );
    assert.equal(
      await engine.fromString('{{ h | raw }}{{ h | safe }}{{ h | escape }}{{ h }}').render({ h: '<i>' }),
      '<i><i>&lt;i&gt;&lt;i&gt;',
    );
  });

  test('a missing template lists every path tried', () => {
    assert.throws(
      () => getTemplate('nope.html'),
      (error: unknown) => {
        assert.ok(error instanceof TemplateDoesNotExist);
        assert.equal(
          error.message,
          `The template "nope.html" was not found. Tried: ${templates}/nope.html (Source does not exist), ` +
            `${project}/app1/templates/nope.html (Source does not exist). Create the file in one of these directories, or correct the name.`,
        );
        return true;
      },
    );
  });

  test('selectTemplate returns the first that exists', () => {
    assert.equal(selectTemplate(['nope.html', 'base.html']).name, 'base.html');
    assert.throws(() => selectTemplate(['a.html', 'b.html']), /The template "a.html, b.html" was not found/);
  });

  test('a name climbing out of the template folders is refused', () => {
    assert.throws(
      () => getTemplate('../static/css/site.css'),
      (error: unknown) => {
        assert.ok(error instanceof TemplateDoesNotExist);
        assert.deepEqual(error.tried[0], {
          path: path.join(project, 'static/css/site.css'),
          reason: 'Outside the template directory',
        });
        return true;
      },
    );
    assert.throws(() => getTemplate('/etc/passwd'), /Outside the template directory/);
  });

  test('a syntax error names the file, the line and the column', () => {
    assert.throws(
      () => getTemplate('broken.html'),
      (error: unknown) => {
        assert.ok(error instanceof TemplateSyntaxError);
        assert.equal(
          error.message,
          `Invalid template syntax in ${templates}/broken.html, line 2, column 4: tag {% if user %} not closed.`,
        );
        assert.equal(error.line, 2);
        assert.equal(error.file, `${templates}/broken.html`);
        assert.match(error.source, />> {3}2\| <p>\{% if user %\}/);
        return true;
      },
    );
  });

  test("Django's 'not' is a syntax error that gives the fix, not a silent false", async () => {
    const engine = [...engines().values()][0]!;
    assert.throws(
      () => engine.fromString('<p>\n  {% if user and not user.active %}x{% endif %}'),
      (error: unknown) => {
        assert.ok(error instanceof TemplateSyntaxError);
        assert.equal(
          error.message,
          "Invalid template syntax in <string>, line 2, column 3: {% if user and not user.active %} uses 'not', which Liquid does not have: " +
            'write {% unless x %} instead of {% if not x %}, nesting tags for compound conditions.',
        );
        return true;
      },
    );
    // 'not' inside a string, or as part of a name, is fine.
    assert.equal(
      await engine
        .fromString('{% if a == "not x" %}1{% endif %}{% if nothing %}2{% endif %}{% unless x %}3{% endunless %}')
        .render({ a: 'not x' }),
      '13',
    );
  });

  test('an unknown filter is a syntax error', async () => {
    const engine = [...engines().values()][0]!;
    assert.throws(
      () => engine.fromString('a\n{{ x | nosuch }}'),
      (error: unknown) => {
        assert.ok(error instanceof TemplateSyntaxError);
        assert.equal(error.message, 'Invalid template syntax in <string>, line 2, column 1: undefined filter: nosuch.');
        return true;
      },
    );
  });

  test('a missing include says which template asked for it, and where', async () => {
    await assert.rejects(renderToString('includes-missing.html', { x: 1 }), (error: unknown) => {
      assert.ok(error instanceof TemplateDoesNotExist);
      assert.equal(
        error.message,
        `The template "partials/nope.html" was not found (asked for by ${templates}/includes-missing.html, line 2). ` +
          `Tried: ${templates}/partials/nope.html (Source does not exist), ${project}/app1/templates/partials/nope.html (Source does not exist). ` +
          'Create the file in one of these directories, or correct the name.',
      );
      return true;
    });
  });

  test('the error of a value that throws while rendering carries the template position', async () => {
    const engine = [...engines().values()][0]!;
    const t = engine.fromString('x\n{{ obj.boom }}');
    const boom = new Error('kaboom');
    await assert.rejects(
      t.render({
        obj: {
          get boom() {
            throw boom;
          },
        },
      }),
      (error: unknown) => {
        assert.equal(error, boom);
        assert.deepEqual((error as { template?: unknown }).template, {
          name: '<string>',
          file: '<string>',
          line: 2,
          column: 4,
        });
        return true;
      },
    );
  });
});

describe('template directories and symlinks', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-tpl-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('an include through a symlink that leaves the directory is refused', async () => {
    const dir = path.join(tmp, 'templates');
    mkdirSync(dir);
    writeFileSync(path.join(tmp, 'secret.txt'), 'SECRET');
    symlinkSync(path.join(tmp, 'secret.txt'), path.join(dir, 'link.html'));
    writeFileSync(path.join(dir, 'inc.html'), '{% include "link.html" %}');
    using _restore = overrideSettings({
      TEMPLATES: [{ BACKEND: 'tsgi.template.backends.liquid.LiquidTemplates', DIRS: [dir] }],
    });
    assert.throws(() => getTemplate('link.html'), /Outside the template directory/);
    await assert.rejects(
      renderToString('inc.html'),
      (error: unknown) => !String((error as Error).message).includes('SECRET'),
    );
  });

  test('with no engine configured the error says how to add one', () => {
    using _restore = overrideSettings({ TEMPLATES: [] });
    assert.throws(() => getTemplate('x.html'), /No template engine is configured\. Add one to the TEMPLATES setting/);
  });
});
