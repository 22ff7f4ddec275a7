/**
 * The scaffold of `startapp --crud` in a real browser (Debian's chromium, driven by
 * playwright-core) against the production server (`manage.ts serve`) of a fresh project: create
 * a blog post submitting an invalid form first (the error shown next to its field, what was typed
 * kept), fix it and see it saved and listed; edit it; delete it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, linkTsgi, manage, run, tempDir, tsgi } from '../management/helpers.ts';
import { start, type Running } from '../markup/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';

function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.getuid?.() !== 0)
    return "Debian's chromium is not installed and this user cannot install it (apt-get install chromium).";
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return existsSync(CHROMIUM) ? undefined : 'apt-get could not install chromium.';
}

const missing = ensureChromium();

describe('startapp --crud in a browser', { skip: missing }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: Running;
  let browser: Browser;
  let page: Page;

  before(async () => {
    tmp = tempDir('tsgi-crud-browser-');
    const created = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(created.code, 0, created.stderr);
    const project = path.join(tmp.dir, 'mysite');
    linkTsgi(project);
    const app = await manage(project, ['startapp', 'blog', '--crud', 'BlogPost']);
    assert.equal(app.code, 0, app.stderr);
    // As startapp says: the app installed, its URLs included, its table created.
    const settingsFile = path.join(project, 'mysite', 'settings.ts');
    writeFileSync(
      settingsFile,
      readFileSync(settingsFile, 'utf8').replace("  'tsgi.staticfiles',\n", "  'tsgi.staticfiles',\n  'blog',\n"),
    );
    const urlsFile = path.join(project, 'mysite', 'urls.ts');
    writeFileSync(
      urlsFile,
      readFileSync(urlsFile, 'utf8')
        .replace(
          "import { path, type UrlNamesOf } from 'tsgi/urls';\n",
          "import { include, path, type UrlNamesOf } from 'tsgi/urls';\nimport * as blog from '../blog/urls.ts';\n",
        )
        .replace(
          "  path('', home, { name: 'home' }),\n",
          "  path('', home, { name: 'home' }),\n  path('blog/', include(blog)),\n",
        ),
    );
    writeFileSync(
      path.join(project, 'tables.ts'),
      `import { connections, withSchemaEditor } from 'tsgi/db';
import { BlogPost } from './blog/models.ts';
await withSchemaEditor(async (editor) => {
  await editor.createModel(BlogPost);
});
await connections.closeAll();
`,
    );
    const tables = await run(['tables.ts'], { cwd: project, env: { TSGI_SETTINGS_MODULE: 'mysite.settings' } });
    assert.equal(tables.code, 0, tables.stderr);

    const port = await freePort();
    server = await start(process.execPath, ['manage.ts', 'serve', '--', '--bind', `127.0.0.1:${port}`], {
      cwd: project,
      port,
      env: { TSGI_DEBUG: 'false', TSGI_ALLOWED_HOSTS: '127.0.0.1', TSGI_SETTINGS_MODULE: undefined },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.stop('SIGTERM');
    tmp?.remove();
  });

  test('create (invalid first, then fixed), list, update and delete a blog post', async () => {
    const listed = await page.goto(`${server.base}/blog/`);
    assert.equal(listed?.status(), 200);
    assert.equal(await page.locator('h1').textContent(), 'Blog posts');
    assert.match((await page.locator('ul').textContent()) ?? '', /No blog posts yet\./);

    // Invalid: no title. The page comes back with the error beside the field and the body kept.
    await page.getByRole('link', { name: 'New blog post' }).click();
    await page.waitForURL(`${server.base}/blog/new/`);
    await page.locator('textarea[name=body]').fill('Typed before the title.');
    // The browser's own check of `required` would stop the submission: the server's is tested.
    await page.locator('input[name=title]').evaluate((input) => input.removeAttribute('required'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState();
    assert.equal(page.url(), `${server.base}/blog/new/`);
    const titleField = page.locator('div.field', { has: page.locator('input[name=title]') });
    assert.equal(await titleField.locator('ul.errorlist li').textContent(), 'This field is required.');
    assert.equal(await page.locator('input[name=title]').getAttribute('aria-invalid'), 'true');
    assert.equal(
      await page
        .locator('div.field', { has: page.locator('textarea') })
        .locator('ul.errorlist')
        .count(),
      0,
    );
    assert.equal(await page.locator('textarea[name=body]').inputValue(), 'Typed before the title.');

    // Fixed: saved, shown, listed.
    await page.locator('input[name=title]').fill('First post');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/blog\/\d+\/$/);
    const detailUrl = page.url();
    assert.equal(await page.locator('h1').textContent(), 'First post');
    assert.match((await page.locator('.body').textContent()) ?? '', /Typed before the title\./);
    await page.getByRole('link', { name: 'All blog posts' }).click();
    await page.waitForURL(`${server.base}/blog/`);
    assert.deepEqual(await page.locator('ul li a').allTextContents(), ['First post']);

    // Update: the form starts from the saved values.
    await page.getByRole('link', { name: 'First post' }).click();
    await page.waitForURL(detailUrl);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(`${detailUrl}edit/`);
    assert.equal(await page.locator('input[name=title]').inputValue(), 'First post');
    await page.locator('input[name=title]').fill('First post, edited');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(detailUrl);
    assert.equal(await page.locator('h1').textContent(), 'First post, edited');

    // Delete, after the confirmation page.
    await page.getByRole('link', { name: 'Delete' }).click();
    await page.waitForURL(`${detailUrl}delete/`);
    assert.equal(await page.locator('h1').textContent(), 'Delete First post, edited?');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${server.base}/blog/`);
    assert.match((await page.locator('ul').textContent()) ?? '', /No blog posts yet\./);
    const gone = await page.goto(detailUrl);
    assert.equal(gone?.status(), 404);
  });
});
