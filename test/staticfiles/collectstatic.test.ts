import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  utimesSync,
  readdirSync,
} from 'node:fs';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { collectstatic, CommandCancelled } from '../../src/staticfiles/collect.ts';
import { find } from '../../src/staticfiles/finders.ts';
import type { ManifestStaticFilesStorage } from '../../src/staticfiles/storage.ts';
import { staticUrl, staticfilesStorage, MissingManifestEntry } from '../../src/staticfiles/storage.ts';
import { renderToString } from '../../src/template/engines.ts';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';

const fixture = path.resolve(import.meta.dirname, '../fixtures/static-project');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-collect-'));
const project = path.join(tmp, 'project');
cpSync(fixture, project, { recursive: true });
const root = path.join(tmp, 'staticfiles');
setProjectRoot(project);
settings.configure({
  INSTALLED_APPS: ['app1'],
  STATIC_URL: '/static/',
  STATIC_ROOT: root,
  STATICFILES_DIRS: [path.join(project, 'static')],
  TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', DIRS: [path.join(project, 'templates')] }],
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function md5name(name: string, manifest: Record<string, string>): string {
  return manifest[name]!;
}

describe('finders', () => {
  test('find() searches STATICFILES_DIRS, then app static/ folders', () => {
    assert.deepEqual(find('css/site.css'), [path.join(project, 'static/css/site.css')]);
    assert.deepEqual(find('app1/app.js'), [path.join(project, 'app1/static/app1/app.js')]);
    assert.deepEqual(find('nope.css'), []);
    for (const bad of [
      '../static/css/site.css',
      'css/../../app1/index.ts',
      '/etc/passwd',
      'css\\site.css',
      'css/site.css\0',
    ]) {
      assert.deepEqual(find(bad), [], bad);
    }
  });

  test('STATICFILES_DIRS containing STATIC_ROOT is refused with the reason', () => {
    using _r = overrideSettings({ STATICFILES_DIRS: [root] });
    assert.throws(
      () => find('x'),
      (e: unknown) => e instanceof ImproperlyConfigured && /should not contain the STATIC_ROOT setting/.test(e.message),
    );
  });
});

describe('collectstatic with the manifest storage', () => {
  let restore: () => void;
  before(() => {
    restore = overrideSettings({
      STORAGES: { staticfiles: { BACKEND: 'tsgi.staticfiles.storage.ManifestStaticFilesStorage' } },
    } as never);
  });
  after(() => restore());

  test('copies, hashes, rewrites CSS, writes the manifest', async () => {
    const lines: string[] = [];
    const result = await collectstatic({ stdout: { write: (t: string) => lines.push(t) } });
    assert.deepEqual(result.copied.sort(), ['app1/app.js', 'css/base.css', 'css/site.css', 'img/logo.png']);
    assert.equal(result.summary, `4 static files copied to '${root}', 4 post-processed.`);
    const manifest = JSON.parse(readFileSync(path.join(root, 'staticfiles.json'), 'utf8')) as {
      paths: Record<string, string>;
      version: string;
    };
    assert.equal(manifest.version, '1.1');
    assert.deepEqual(Object.keys(manifest.paths).sort(), [
      'app1/app.js',
      'css/base.css',
      'css/site.css',
      'img/logo.png',
    ]);
    for (const hashed of Object.values(manifest.paths)) {
      assert.match(hashed, /\.[0-9a-f]{12}\.(css|js|png)$/);
      assert.ok(existsSync(path.join(root, hashed)), hashed);
    }
    const css = readFileSync(path.join(root, md5name('css/site.css', manifest.paths)), 'utf8');
    const base = path.posix.basename(manifest.paths['css/base.css']!);
    const logo = path.posix.basename(manifest.paths['img/logo.png']!);
    assert.equal(
      css,
      `@import url("${base}");\nbody { background: url('../img/${logo}') no-repeat; }\n` +
        '.x { background: url("data:image/png;base64,AAAA"); }\n.y { background: url(https://example.com/a.png); }\n.z { background: url(#frag); }\n',
    );
    // static() and the template tag return the hashed URL.
    (staticfilesStorage() as ManifestStaticFilesStorage).reload();
    assert.equal(staticUrl('css/site.css'), `/static/${manifest.paths['css/site.css']}`);
    assert.equal(staticUrl('img/logo.png?v=1#x'), `/static/${manifest.paths['img/logo.png']}?v=1#x`);
    assert.match(
      await renderToString('base.html'),
      new RegExp(`href="/static/${manifest.paths['css/site.css']!.replace(/\./g, '\\.')}"`),
    );
    assert.throws(
      () => staticUrl('missing.css'),
      (e: unknown) =>
        e instanceof MissingManifestEntry &&
        e.message ===
          "Missing staticfiles manifest entry for 'missing.css'. Run collectstatic, and check that the file exists in a static folder.",
    );
  });

  test('a second run keeps the manifest whole, and a changed file gets a new hash (and its referrers too)', async () => {
    const first = JSON.parse(readFileSync(path.join(root, 'staticfiles.json'), 'utf8')).paths as Record<string, string>;
    const again = await collectstatic();
    assert.deepEqual(again.copied, []);
    assert.equal(again.unmodified.length, 4);
    const second = JSON.parse(readFileSync(path.join(root, 'staticfiles.json'), 'utf8')).paths as Record<
      string,
      string
    >;
    assert.deepEqual(second, first);

    const logo = path.join(project, 'static/img/logo.png');
    writeFileSync(logo, 'a different picture');
    const future = new Date(Date.now() + 5000);
    utimesSync(logo, future, future);
    const third = await collectstatic();
    assert.deepEqual(third.copied, ['img/logo.png']);
    const manifest = JSON.parse(readFileSync(path.join(root, 'staticfiles.json'), 'utf8')).paths as Record<
      string,
      string
    >;
    assert.deepEqual(Object.keys(manifest).sort(), Object.keys(first).sort());
    assert.notEqual(manifest['img/logo.png'], first['img/logo.png']);
    assert.notEqual(
      manifest['css/site.css'],
      first['css/site.css'],
      'site.css refers to the logo, so its hash changes',
    );
    assert.equal(manifest['css/base.css'], first['css/base.css']);
    assert.equal(manifest['app1/app.js'], first['app1/app.js']);
    // Old hashed files stay for pages still cached by browsers.
    assert.ok(existsSync(path.join(root, first['img/logo.png']!)));
    assert.match(
      readFileSync(path.join(root, manifest['css/site.css']!), 'utf8'),
      new RegExp(path.posix.basename(manifest['img/logo.png']!).replace(/\./g, '\\.')),
    );
  });

  test('--clear removes what is there first; --dry-run changes nothing', async () => {
    writeFileSync(path.join(root, 'stale.txt'), 'old');
    const dry = await collectstatic({ clear: true, dryRun: true });
    assert.ok(existsSync(path.join(root, 'stale.txt')));
    assert.ok(dry.deleted.includes(path.join(root, 'stale.txt')));
    assert.equal(dry.copied.length, 4);
    const real = await collectstatic({ clear: true });
    assert.ok(!existsSync(path.join(root, 'stale.txt')));
    assert.equal(real.copied.length, 4);
    assert.deepEqual(readdirSync(root).sort(), ['app1', 'css', 'img', 'staticfiles.json']);
  });

  test('interactive mode asks, and "no" cancels', async () => {
    let asked = '';
    await assert.rejects(
      collectstatic({
        interactive: true,
        confirm: async (q) => {
          asked = q;
          return false;
        },
      }),
      (e: unknown) => e instanceof CommandCancelled && e.message === 'Collecting static files cancelled.',
    );
    assert.match(asked, /This will overwrite existing files!/);
    // manage.ts passes its prompt: only "yes" goes on.
    await assert.rejects(collectstatic({ interactive: true, clear: true, prompt: async () => 'y' }), CommandCancelled);
    assert.ok(existsSync(path.join(root, 'staticfiles.json')), 'nothing was cleared');
    const yes = await collectstatic({ interactive: true, prompt: async () => 'yes\n' });
    assert.equal(yes.copied.length + yes.unmodified.length, 4);
  });

  test('a progress bar is drawn on a terminal; duplicates and dangling CSS references are reported', async () => {
    const dir2 = path.join(tmp, 'static2');
    cpSync(path.join(project, 'static'), dir2, { recursive: true });
    writeFileSync(path.join(dir2, 'css', 'extra.css'), 'a { background: url(missing.png) }');
    symlinkSync('/etc/passwd', path.join(dir2, 'css', 'escape.css'));
    using _r = overrideSettings({ STATICFILES_DIRS: [path.join(project, 'static'), dir2] });
    let text = '';
    const result = await collectstatic({ stdout: { write: (t: string) => (text += t), isTTY: true } });
    assert.match(text, /\r\[#{30}\] 5\/5\n/);
    assert.ok(
      result.warnings.includes(
        "Found another file with the destination path 'css/site.css'. It will be ignored since only the first encountered file is collected. If this is not what you want, make sure every static file has a unique path.",
      ),
    );
    assert.ok(
      result.warnings.includes(
        "css/extra.css refers to 'missing.png', which is not a collected static file; the reference was left unchanged.",
      ),
    );
    assert.ok(!existsSync(path.join(root, 'css', 'escape.css')), 'a symlink out of the folder is not collected');
  });
});

describe('without the manifest', () => {
  test('collectstatic only copies, honours ignore patterns, and writes no manifest', async () => {
    const plainRoot = path.join(tmp, 'plain-root');
    using _r = overrideSettings({ STATIC_ROOT: plainRoot });
    writeFileSync(path.join(project, 'static', '.hidden'), 'x');
    writeFileSync(path.join(project, 'static', 'notes.txt~'), 'x');
    const result = await collectstatic({ ignorePatterns: ['img'] });
    assert.deepEqual(result.copied.sort(), ['app1/app.js', 'css/base.css', 'css/site.css']);
    assert.deepEqual(result.postProcessed, []);
    assert.ok(!existsSync(path.join(plainRoot, 'staticfiles.json')));
    assert.ok(!existsSync(path.join(plainRoot, '.hidden')));
    assert.ok(!existsSync(path.join(plainRoot, 'notes.txt~')));
    assert.ok(!existsSync(path.join(plainRoot, 'img')));
    const noDefaults = await collectstatic({ useDefaultIgnorePatterns: false });
    assert.ok(noDefaults.copied.includes('.hidden') && noDefaults.copied.includes('notes.txt~'));
  });

  test('static() is STATIC_URL + the path, encoded', () => {
    assert.equal(staticUrl('css/site.css'), '/static/css/site.css');
    assert.equal(staticUrl('a b/é.png'), '/static/a%20b/%C3%A9.png');
  });
  test('a missing STATIC_URL is a clear error', () => {
    using _r = overrideSettings({ STATIC_URL: null });
    assert.throws(
      () => staticUrl('x.css'),
      /You're using the staticfiles app without having set the required STATIC_URL setting\. Set STATIC_URL, as '\/static\/'\./,
    );
  });
});
