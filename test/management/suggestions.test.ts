/**
 * A mistyped name gets the closest one that exists: a settings module, an app in INSTALLED_APPS,
 * an include() (any dotted module: ROOT_URLCONF, middleware too), and a `tsgi` command. Real
 * processes in a new project, then suggestModule() itself.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setProjectRoot, suggestModule } from '../../src/utils/module-loading.ts';
import { linkTsgi, manage, REPO_ROOT, run, tempDir, tsgi } from './helpers.ts';

describe('did you mean', () => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;

  before(async () => {
    tmp = tempDir('tsgi-suggest-');
    const created = await run([path.join(REPO_ROOT, 'bin/tsgi.ts'), 'startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    linkTsgi(project);
    const app = await manage(project, ['startapp', 'blog']);
    assert.equal(app.code, 0, app.stderr);
  });

  after(() => {
    setProjectRoot(undefined);
    tmp?.remove();
  });

  /** Runs `args` (default: check) with `file` edited by `edit`, then puts the file back. */
  async function checkWith(file: string, edit: (text: string) => string, args = ['check']) {
    const full = path.join(project, file);
    const original = readFileSync(full, 'utf8');
    const edited = edit(original);
    assert.notEqual(edited, original, `the edit of ${file} changed nothing`);
    writeFileSync(full, edited);
    try {
      return await manage(project, args);
    } finally {
      writeFileSync(full, original);
    }
  }

  test('a settings module with a typo in the file name', async () => {
    const result = await manage(project, ['check', '--settings', 'mysite.setings']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /No module named 'mysite\.setings' \(did you mean 'mysite\.settings'\?\): /);
  });

  test('a settings module with a typo in the folder name (TSGI_SETTINGS_MODULE)', async () => {
    // manage.ts only fills TSGI_SETTINGS_MODULE in when it is unset.
    const result = await manage(project, ['check'], { TSGI_SETTINGS_MODULE: 'mysit.settings' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /No module named 'mysit\.settings' \(did you mean 'mysite\.settings'\?\): /);
  });

  test('a settings module nothing is close to gets no suggestion', async () => {
    const result = await manage(project, ['check', '--settings', 'production.config']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /No module named 'production\.config': /);
    assert.doesNotMatch(result.stderr, /did you mean/);
  });

  test('an app in INSTALLED_APPS', async () => {
    const result = await checkWith('mysite/settings.ts', (text) =>
      text.replace("  'tsgi.staticfiles',\n", "  'tsgi.staticfiles',\n  'blgo',\n"),
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /The app 'blgo' in INSTALLED_APPS cannot be found: .* Did you mean 'blog'\? Check the spelling and the project root\./,
    );
  });

  test('a middleware module of tsgi (loaded when the application boots)', async () => {
    const result = await checkWith(
      'mysite/settings.ts',
      (text) => text.replace("'tsgi.middleware.common.CommonMiddleware'", "'tsgi.middleware.comon.CommonMiddleware'"),
      ['runserver', '--noreload', '--skip-checks', '127.0.0.1:0'],
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stdout + result.stderr,
      /No module named 'tsgi\.middleware\.comon' \(did you mean 'tsgi\.middleware\.common'\?\)/,
    );
  });

  test('an include()', async () => {
    const result = await checkWith('mysite/urls.ts', (text) =>
      text
        .replace(
          "import { path, type UrlNamesOf } from 'tsgi/urls';",
          "import { include, path, type UrlNamesOf } from 'tsgi/urls';",
        )
        .replace(
          "  path('', home, { name: 'home' }),\n",
          "  path('', home, { name: 'home' }),\n  path('blog/', include('blog.urlz')),\n",
        ),
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /No module named 'blog\.urlz' \(did you mean 'blog\.urls'\?\): /);
  });

  test('a tsgi command', async () => {
    const result = await tsgi(['startprojet', 'x'], { cwd: tmp.dir });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'Unknown command "startprojet". Commands: serve, startproject, startapp, manage. Did you mean startproject? See tsgi help.\n',
    );
  });

  test('suggestModule() matches each part against what exists where it is looked for', () => {
    setProjectRoot(project);
    assert.equal(suggestModule('mysite.setings'), 'mysite.settings');
    assert.equal(suggestModule('mysit.setings'), 'mysite.settings');
    assert.equal(suggestModule('blog.view'), 'blog.views');
    assert.equal(suggestModule('tsgi.middleware.securty'), 'tsgi.middleware.security');
    assert.equal(suggestModule('blgo'), undefined, 'a folder without an index module is not a module');
    assert.equal(suggestModule('blgo', { folders: true }), 'blog');
    assert.equal(suggestModule('mysite.settings'), undefined, 'nothing to suggest for a name that exists');
    assert.equal(suggestModule('nothing.like.this'), undefined);
  });
});
