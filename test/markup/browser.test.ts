/**
 * markup in a real browser: Debian's chromium driven by playwright-core (no downloaded browser
 * builds). Installs chromium with apt-get when it is missing and the test runs as root.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, MARKUP, start, type Running } from './helpers.ts';

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

describe('markup in a browser', { skip: missing }, () => {
  let server: Running;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const port = await freePort();
    server = await start(process.execPath, ['manage.ts', 'runserver', '--noreload', `127.0.0.1:${port}`], {
      cwd: MARKUP,
      port,
      env: { TSGI_DEBUG: 'true' },
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
    await server?.stop('SIGINT');
  });

  test('the home page, styled, links to the docs', async () => {
    const response = await page.goto(`${server.base}/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.locator('h1').textContent(), 'Markdown, rendered');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(251, 250, 247)', 'site.css applied');
    await page.getByRole('link', { name: 'The gateway' }).click();
    await page.waitForURL(`${server.base}/docs/the-gateway/`);
    assert.equal(await page.locator('article h1').textContent(), 'The gateway');
    assert.ok((await page.locator('article pre code').count()) >= 1, 'code blocks rendered');
  });

  test('the preview form renders submitted Markdown, and escapes raw HTML', async () => {
    await page.goto(`${server.base}/preview/`);
    await page.locator('textarea[name=markdown]').fill('# Previewed\n\nSome *stress* and <b>raw</b>.');
    await page.getByRole('button', { name: 'Render' }).click();
    await page.waitForSelector('#preview');
    assert.equal(await page.locator('#preview h1').textContent(), 'Previewed');
    assert.equal(await page.locator('#preview em').textContent(), 'stress');
    assert.equal(await page.locator('#preview b').count(), 0, 'raw HTML is not rendered');
    assert.match((await page.locator('#preview p').textContent()) ?? '', /<b>raw<\/b>/);
  });

  test('the DEBUG 500 page shows the error and its stack', async () => {
    const response = await page.goto(`${server.base}/debug/error/`);
    assert.equal(response?.status(), 500);
    const text = (await page.locator('body').textContent()) ?? '';
    assert.match(text, /This view fails on purpose, to show the DEBUG error page\./);
    assert.match(text, new RegExp(path.join('pages', 'views.ts').replace(/[.]/g, '\\.')));
  });
});
