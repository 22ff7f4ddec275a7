/** `tsgi startproject` and `manage.ts startapp`: the files, the refusals, the messages. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, tsgi, REPO_ROOT } from './helpers.ts';

describe('tsgi startproject', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir()));
  after(() => tmp.remove());

  test('writes manage.ts, settings, urls, views, wsgi, package.json and tsconfig.json', async () => {
    const result = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Created the project 'mysite' in .*mysite\./);
    const top = path.join(tmp.dir, 'mysite');
    for (const file of [
      'manage.ts',
      'mysite/settings.ts',
      'mysite/urls.ts',
      'mysite/views.ts',
      'mysite/wsgi.ts',
      'package.json',
      'tsconfig.json',
      '.gitignore',
      '.npmrc',
    ]) {
      assert.ok(existsSync(path.join(top, file)), `${file} is missing`);
    }
    assert.ok(statSync(path.join(top, 'templates')).isDirectory());
    assert.ok(statSync(path.join(top, 'static')).isDirectory());
    assert.equal(statSync(path.join(top, 'manage.ts')).mode & 0o111, 0o111, 'manage.ts is executable');
    const wsgi = readFileSync(path.join(top, 'mysite/wsgi.ts'), 'utf8');
    assert.match(
      wsgi,
      /process\.env\.TSGI_SETTINGS_MODULE \?\?= 'mysite\.settings';\n\nexport const application = getWsgiApplication\(\);/,
    );
    const settings = readFileSync(path.join(top, 'mysite/settings.ts'), 'utf8');
    assert.match(settings, /SECRET_KEY = process\.env\.TSGI_SECRET_KEY \?\? 'tsgi-insecure-.{50}';/);
    assert.match(settings, /ROOT_URLCONF = 'mysite\.urls'/);
    assert.doesNotMatch(readFileSync(path.join(top, 'mysite/urls.ts'), 'utf8'), /\{\{/);
    const pkg = JSON.parse(readFileSync(path.join(top, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'mysite');
    assert.equal(pkg.dependencies.tsgi, `file:${REPO_ROOT}`);
    assert.deepEqual(Object.keys(pkg.scripts).sort(), ['check', 'dev', 'start', 'test', 'typecheck']);
    assert.equal(pkg.scripts.start, 'exec tsgi serve mysite.wsgi:application', 'no hard-coded bind; exec for TERM');
    assert.deepEqual(Object.keys(pkg.devDependencies).sort(), ['@types/node', 'typescript']);
    assert.match(readFileSync(path.join(top, '.npmrc'), 'utf8'), /^engine-strict=true$/m);
  });

  test('gives every project its own random secret key', async () => {
    assert.equal((await tsgi(['startproject', 'other'], { cwd: tmp.dir })).code, 0);
    const key = (p: string) =>
      /tsgi-insecure-(.{50})'/.exec(readFileSync(path.join(tmp.dir, p, p, 'settings.ts'), 'utf8'))![1];
    assert.notEqual(key('mysite'), key('other'));
  });

  test('refuses an existing folder and leaves it alone', async () => {
    writeFileSync(path.join(tmp.dir, 'mysite', 'manage.ts'), '// mine\n');
    const result = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `CommandError: '${path.join(tmp.dir, 'mysite')}' already exists. Choose another project name, or give an existing empty folder as the destination.\n`,
    );
    assert.equal(readFileSync(path.join(tmp.dir, 'mysite', 'manage.ts'), 'utf8'), '// mine\n');
  });

  test('into a given folder: it must exist, and no file in it is overwritten', async () => {
    const missing = path.join(tmp.dir, 'nowhere');
    let result = await tsgi(['startproject', 'site2', missing], { cwd: tmp.dir });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `CommandError: Destination directory '${missing}' does not exist, please create it first.\n`,
    );
    const dest = path.join(tmp.dir, 'dest');
    mkdirSync(dest);
    writeFileSync(path.join(dest, 'manage.ts'), '// keep\n');
    result = await tsgi(['startproject', 'site2', dest], { cwd: tmp.dir });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `CommandError: ${path.join(dest, 'manage.ts')} already exists. Overlaying a project into an existing directory won't replace conflicting files; remove them or choose another destination.\n`,
    );
    assert.equal(readFileSync(path.join(dest, 'manage.ts'), 'utf8'), '// keep\n');
    assert.ok(!existsSync(path.join(dest, 'site2')), 'nothing was written');
  });

  for (const [name, message] of [
    [
      '1site',
      "'1site' is not a valid project name. Please make sure the name is a valid identifier: letters, digits and underscores, not starting with a digit.",
    ],
    [
      'my-site',
      "'my-site' is not a valid project name. Please make sure the name is a valid identifier: letters, digits and underscores, not starting with a digit.",
    ],
    [
      'http',
      "'http' conflicts with the name of an existing module and cannot be used as a project name. Please try another name.",
    ],
    [
      'tsgi',
      "'tsgi' conflicts with the name of an existing module and cannot be used as a project name. Please try another name.",
    ],
  ]) {
    test(`refuses the name ${name}`, async () => {
      const result = await tsgi(['startproject', name], { cwd: tmp.dir });
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `CommandError: ${message}\n`);
      assert.ok(!existsSync(path.join(tmp.dir, name)));
    });
  }

  test('without a name says what is missing', async () => {
    const result = await tsgi(['startproject'], { cwd: tmp.dir });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "CommandError: The command 'startproject' needs the argument name (Name of the project). Run 'manage.ts help startproject' for usage.\n",
    );
  });

  test('startapp writes apps, views, urls, templates/, static/, an empty migrations/ and a test', async () => {
    const result = await tsgi(['startapp', 'blog'], { cwd: path.join(tmp.dir, 'other') });
    assert.equal(result.code, 0, result.stderr);
    const app = path.join(tmp.dir, 'other', 'blog');
    for (const file of ['apps.ts', 'views.ts', 'urls.ts', 'views.test.ts'])
      assert.ok(existsSync(path.join(app, file)), file);
    assert.ok(statSync(path.join(app, 'templates', 'blog')).isDirectory());
    assert.ok(statSync(path.join(app, 'static', 'blog')).isDirectory());
    // The loader needs only the folder: makemigrations writes the app's 0001 there.
    assert.deepEqual(readdirSync(path.join(app, 'migrations')), []);
    assert.match(
      readFileSync(path.join(app, 'apps.ts'), 'utf8'),
      /export default class BlogConfig extends AppConfig \{\n {2}override name = 'blog';/,
    );
    const again = await tsgi(['startapp', 'blog'], { cwd: path.join(tmp.dir, 'other') });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^CommandError: '.*blog' already exists\./);
  });

  test('startapp --crud adds a model, its form, CRUD views, URLs, templates with CSRF and their test', async () => {
    const result = await tsgi(['startapp', 'library', '--crud', 'BookReview'], { cwd: path.join(tmp.dir, 'other') });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /\nThen create the table of BookReview \(library\/models\.ts\): node manage\.ts makemigrations library && node manage\.ts migrate\.\n$/,
    );
    const app = path.join(tmp.dir, 'other', 'library');
    for (const file of ['apps.ts', 'models.ts', 'forms.ts', 'views.ts', 'urls.ts', 'views.test.ts'])
      assert.ok(existsSync(path.join(app, file)), file);
    const templates = path.join(app, 'templates', 'library');
    for (const suffix of ['list', 'detail', 'form', 'confirm_delete'])
      assert.ok(existsSync(path.join(templates, `bookreview_${suffix}.html`)), suffix);
    for (const suffix of ['form', 'confirm_delete'])
      assert.match(
        readFileSync(path.join(templates, `bookreview_${suffix}.html`), 'utf8'),
        /<form method="post">\{% csrf_token %\}/,
      );
    assert.match(readFileSync(path.join(templates, 'bookreview_list.html'), 'utf8'), /No book reviews yet\./);
    assert.match(readFileSync(path.join(app, 'models.ts'), 'utf8'), /export class BookReview extends Model\.define\(/);
    assert.match(
      readFileSync(path.join(app, 'urls.ts'), 'utf8'),
      /path\('<int:pk>\/edit\/', BookReviewUpdate\.asView\(\), \{ name: 'bookreview_update' \}\)/,
    );
    const bad = await tsgi(['startapp', 'other_app', '--crud', 'book'], { cwd: path.join(tmp.dir, 'other') });
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      "CommandError: 'book' is not a valid model name for --crud. Give it as a class name: letters and digits, a capital letter first (--crud Post).\n",
    );
    const shadow = await tsgi(['startapp', 'other_app', '--crud', 'Model'], { cwd: path.join(tmp.dir, 'other') });
    assert.equal(shadow.code, 1);
    assert.match(
      shadow.stderr,
      /^CommandError: 'Model' is the name of something the generated app imports \(Model, Manager, /,
    );
    assert.ok(!existsSync(path.join(tmp.dir, 'other', 'other_app')), 'nothing written');
  });
});
