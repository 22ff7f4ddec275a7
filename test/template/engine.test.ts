/**
 * The DjangoTemplates backend through the TEMPLATES setting: loading (DIRS, APP_DIRS, the
 * directories' walls), inheritance and includes from files, `{% static %}`, `{% url %}`,
 * `{% csrf_token %}`, promises in the context, and the errors a user sees.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, writeFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { getTemplate, renderToString, selectTemplate, engines, getEngine } from '../../src/template/engines.ts';
import { TemplateDoesNotExist, TemplateSyntaxError } from '../../src/template/exceptions.ts';
import type { TemplateDebugInfo } from '../../src/template/exceptions.ts';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';
import { markSafe } from '../../src/utils/safestring.ts';
import { path as path_ } from '../../src/urls/index.ts';

const project = path.resolve(import.meta.dirname, '../fixtures/static-project');
const templates = path.join(project, 'templates');
setProjectRoot(project);
settings.configure({
  INSTALLED_APPS: ['app1'],
  STATIC_URL: '/static/',
  TEMPLATES: [
    {
      BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
      DIRS: [templates],
      APP_DIRS: true,
    },
  ],
});

describe('the DjangoTemplates backend', () => {
  test('inheritance with blocks, block.super, loops, includes, and the static tag', async () => {
    const html = await renderToString('page.html', { title: 'Rows', rows: [1, 2, 3] });
    assert.equal(
      html,
      '<!doctype html>\n<html><head><title>Rows | Site</title><link rel="stylesheet" href="/static/css/site.css"></head>\n' +
        '<body><ul><li>1</li><li>2</li><li>3</li></ul><footer>ROWS</footer>\n</body></html>\n',
    );
  });

  test('a render is synchronous unless the context holds a promise; both give the same page', async () => {
    const sync = renderToString('page.html', { title: 'A', rows: [1] });
    assert.equal(typeof sync, 'string');
    const deferred = renderToString('page.html', { title: Promise.resolve('A'), rows: Promise.resolve([1]) });
    assert.ok(deferred instanceof Promise);
    assert.equal(await deferred, sync);
    const nested = await renderToString('page.html', { title: 'A', rows: [Promise.resolve(1)] });
    assert.equal(nested, sync);
    const getter = await renderToString('page.html', {
      title: 'A',
      get rows() {
        return Promise.resolve([1]);
      },
    });
    assert.equal(getter, sync);
    assert.equal(await renderToString('page.html', { title: 'A', rows: [1] }), sync);
  });

  test('every value is escaped unless marked safe', async () => {
    const out = await renderToString('page.html', {
      title: '<script>"x"&\'y\'</script>',
      rows: ['<b>', markSafe('<i>ok</i>')],
    });
    assert.match(out, /<title>&lt;script&gt;&quot;x&quot;&amp;&#x27;y&#x27;&lt;\/script&gt; \| Site<\/title>/);
    assert.match(out, /<li>&lt;b&gt;<\/li><li><i>ok<\/i><\/li>/);
    assert.match(out, /<footer>&lt;SCRIPT&gt;/);
  });

  test('the safe filter and csrf_token', async () => {
    const out = await renderToString('form.html', { html: '<em>', csrf_token: 'tok"en' });
    assert.equal(
      out,
      '<form><input type="hidden" name="csrfmiddlewaretoken" value="tok&quot;en"></form>&lt;em&gt;<em>\n',
    );
    assert.equal(await renderToString('form.html', { html: '', csrf_token: 'NOTPROVIDED' }), '<form></form>\n');
  });

  test("an installed app's templates/ folder is searched after DIRS", async () => {
    assert.equal(await renderToString('app1/hello.html', { word: 'hi' }), '<p>app1 says hi</p>\n');
    assert.deepEqual(getEngine().templateDirs, [templates, path.join(project, 'app1', 'templates')]);
  });

  test('the url tag reverses with positional or keyword arguments, or into a variable', async () => {
    const view = () => undefined;
    const urlconf = { urlpatterns: [path_('posts/<int:year>/<slug:slug>/', view as never, { name: 'post' })] };
    using _r = overrideSettings({ ROOT_URLCONF: urlconf });
    const t = getEngine().fromString(
      '{% url "post" 2024 slug %}|{% url "post" year=y slug="a-b" %}|{% url "post" 1 "x" as u %}[{{ u }}]|{% url "nope" as v %}[{{ v }}]',
    );
    assert.equal(await t.render({ slug: 'hello', y: 1999 }), '/posts/2024/hello/|/posts/1999/a-b/|[/posts/1/x/]|[]');
    assert.throws(() => getEngine().fromString('{% url "nope" %}').render({}), /Reverse for 'nope' not found/);
  });

  test('tag arguments are parsed with the template, and rendered the same on both paths', async () => {
    const view = () => undefined;
    const urlconf = { urlpatterns: [path_('p/<str:slug>/', view as never, { name: 'p' })] };
    using _r = overrideSettings({ ROOT_URLCONF: urlconf });
    const t = getEngine().fromString(
      `{% load static %}{% url "p" "it's" %}|{% url 'p' s|upper %}|{% url "p" "x y" %}|{% static name %}`,
    );
    const sync = await t.render({ s: 'q', name: 'css/a.css' });
    assert.equal(sync, '/p/it&#x27;s/|/p/Q/|/p/x%20y/|/static/css/a.css');
    assert.equal(await t.render({ s: Promise.resolve('q'), name: 'css/a.css' }), sync);
    assert.throws(() => getEngine().fromString('{% url "p" s|nope %}'), TemplateSyntaxError);
  });

  test('{% static %} needs {% load static %}, as in Django', () => {
    assert.throws(
      () => getEngine().fromString("{% static 'a.css' %}"),
      /Invalid block tag on line 1: 'static'\. Did you forget to register or load this tag\?/,
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

  test('a syntax error names the template, the line and the column, and shows the line', () => {
    assert.throws(
      () => getTemplate('broken.html'),
      (error: unknown) => {
        assert.ok(error instanceof TemplateSyntaxError);
        assert.equal(
          error.message,
          "Unclosed tag on line 2: 'if'. Looking for one of: elif, else, endif.\n" +
            `In template broken.html (${templates}/broken.html), line 2, column 4:\n` +
            '     1 | <p>one</p>\n' +
            '>    2 | <p>{% if user %}\n' +
            '       |    ^^^^^^^^^^^^^\n' +
            '     3 | <p>three</p>\n' +
            '     4 | ',
        );
        assert.equal(error.reason, "Unclosed tag on line 2: 'if'. Looking for one of: elif, else, endif.");
        assert.equal(error.line, 2);
        assert.equal(error.column, 4);
        assert.equal(error.file, `${templates}/broken.html`);
        assert.equal(error.templateName, 'broken.html');
        return true;
      },
    );
  });

  test('a misspelt closing tag suggests the one meant', () => {
    assert.throws(
      () => getEngine().fromString('<ul>\n{% for x in xs %}\n  <li>{{ x }}</li>\n{% endfro %}\n</ul>'),
      (error: unknown) => {
        assert.ok(error instanceof TemplateSyntaxError);
        assert.equal(
          error.reason,
          "Invalid block tag on line 4: 'endfro', expected 'empty' or 'endfor'. Did you forget to register or load this tag? Did you mean 'endfor'?",
        );
        assert.equal(error.line, 4);
        assert.match(error.message, /> {4}4 \| \{% endfro %\}\n {7}\| \^{12}/);
        return true;
      },
    );
  });

  test('an unknown filter is a syntax error, with the likely one', () => {
    assert.throws(
      () => getEngine().fromString('a\n{{ x|uper }}'),
      (error: unknown) => {
        assert.ok(error instanceof TemplateSyntaxError);
        assert.equal(error.reason, "Invalid filter: 'uper'. Did you mean 'upper'?");
        assert.equal(error.line, 2);
        assert.equal(error.column, 1);
        return true;
      },
    );
  });

  test('a missing include says which template asked for it, and where', () => {
    assert.throws(
      () => renderToString('includes-missing.html', { x: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof TemplateDoesNotExist);
        assert.equal(
          error.message,
          `The template "partials/nope.html" was not found (asked for by ${templates}/includes-missing.html, line 2). ` +
            `Tried: ${templates}/partials/nope.html (Source does not exist), ${project}/app1/templates/partials/nope.html (Source does not exist). ` +
            'Create the file in one of these directories, or correct the name.',
        );
        return true;
      },
    );
  });

  test('an error thrown while rendering carries the template frame (templateDebug)', () => {
    const t = getEngine().fromString('x\n{{ obj.boom }}');
    const boom = new Error('kaboom');
    assert.throws(
      () =>
        t.render({
          obj: {
            get boom() {
              throw boom;
            },
          },
        }),
      (error: unknown) => {
        assert.equal(error, boom);
        const info = (error as unknown as { templateDebug: TemplateDebugInfo }).templateDebug;
        assert.equal(info.name, '<unknown source>');
        assert.equal(info.line, 2);
        assert.equal(info.column, 1);
        assert.equal(info.during, '{{ obj.boom }}');
        assert.equal(info.message, 'kaboom');
        assert.deepEqual(info.sourceLines, [
          [1, 'x\n'],
          [2, '{{ obj.boom }}'],
        ]);
        return true;
      },
    );
  });

  test('an unknown OPTIONS name is a configuration error naming the likely one', () => {
    using _r = overrideSettings({
      TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', OPTIONS: { context_processor: [] } }],
    });
    assert.throws(
      () => engines(),
      (error: unknown) =>
        error instanceof ImproperlyConfigured &&
        error.message.startsWith(
          "TEMPLATES OPTIONS of the 'django' engine has an unknown option 'context_processor'. Did you mean 'context_processors'?",
        ),
    );
  });
});

describe('TEMPLATES BACKEND by dotted name', () => {
  test('any backend class loads by its dotted name, as every dotted setting does', async () => {
    using _r = overrideSettings({
      TEMPLATES: [{ BACKEND: 'backends.upper.UpperTemplates', NAME: 'upper', OPTIONS: { greeting: 'hi' } }],
    });
    const template = getTemplate('anything');
    assert.equal(await template.render({ name: 'ann' }), 'HI ANYTHING ANN');
  });

  test('a backend that does not load says why', () => {
    using _r = overrideSettings({ TEMPLATES: [{ BACKEND: 'backends.upper.Nope' }] });
    assert.throws(() => engines(), /Module 'backends\.upper' does not define a 'Nope' attribute/);
  });

  test('a BACKEND without a dot is refused as Django refuses it', () => {
    using _r = overrideSettings({ TEMPLATES: [{ BACKEND: 'django' }] });
    assert.throws(() => engines(), /Invalid BACKEND for a template engine: "django"\. Check your TEMPLATES setting/);
  });
});

describe('template directories and symlinks', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-tpl-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('an include through a symlink that leaves the directory is refused', () => {
    const dir = path.join(tmp, 'templates');
    mkdirSync(dir);
    writeFileSync(path.join(tmp, 'secret.txt'), 'SECRET');
    symlinkSync(path.join(tmp, 'secret.txt'), path.join(dir, 'link.html'));
    writeFileSync(path.join(dir, 'inc.html'), '{% include "link.html" %}');
    using _restore = overrideSettings({
      TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', DIRS: [dir] }],
    });
    assert.throws(() => getTemplate('link.html'), /Outside the template directory/);
    assert.throws(
      () => renderToString('inc.html'),
      (error: unknown) => error instanceof TemplateDoesNotExist && !error.message.includes('SECRET'),
    );
  });

  test('with DEBUG on, an edited template is read again; with DEBUG off it is kept', () => {
    const dir = path.join(tmp, 'edits');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'x.html'), 'one');
    {
      using _restore = overrideSettings({
        DEBUG: true,
        TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', DIRS: [dir] }],
      });
      assert.equal(renderToString('x.html'), 'one');
      writeFileSync(path.join(dir, 'x.html'), 'two');
      assert.equal(renderToString('x.html'), 'two');
    }
    using _restore = overrideSettings({
      DEBUG: false,
      TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', DIRS: [dir] }],
    });
    assert.equal(renderToString('x.html'), 'two');
    writeFileSync(path.join(dir, 'x.html'), 'three');
    assert.equal(renderToString('x.html'), 'two');
    assert.strictEqual(getTemplate('x.html').origin, getTemplate('x.html').origin);
  });

  test('with no engine configured the error says how to add one', () => {
    using _restore = overrideSettings({ TEMPLATES: [] });
    assert.throws(() => getTemplate('x.html'), /No template engine is configured\. Add one to the TEMPLATES setting/);
  });
});
