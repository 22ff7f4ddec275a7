/**
 * markup's own error pages with DEBUG off, as production shows them: a crashing view gets
 * templates/500.html (and nothing of the error), an unknown page templates/404.html. In process,
 * through the framework's test client with the gateway validator around the application.
 */
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import assert from 'node:assert/strict';
import path from 'node:path';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { overrideSettings, settings } from '../../src/conf/index.ts';
import { Client } from '../../src/test/index.ts';
import { validator } from '../../src/gateway/validator.ts';
import { include, path as route } from '../../src/urls/index.ts';
import { collectstatic } from '../../src/staticfiles/index.ts';
import { REPO_ROOT } from './helpers.ts';

describe("markup's error pages with DEBUG off", () => {
  let client: Client;

  before(async () => {
    process.env.TSGI_SETTINGS_MODULE = 'markup.settings';
    process.env.TSGI_DEBUG = 'false';
    process.env.TSGI_ALLOWED_HOSTS = 'testserver';
    setProjectRoot(path.join(REPO_ROOT, 'examples', 'markup'));
    assert.equal(settings.DEBUG, false);
    // markup routes its crash view only in DEBUG; mount it here to see the production 500 page.
    const { crash } = await import('../../examples/markup/pages/views.ts');
    // As in production: the pages link hashed static files, so collectstatic runs first (into a
    // temporary STATIC_ROOT, leaving the checkout alone).
    const staticRoot = mkdtempSync(path.join(tmpdir(), 'markup-static-'));
    after(() => rmSync(staticRoot, { recursive: true, force: true }));
    overrideSettings({
      STATIC_ROOT: staticRoot,
      ROOT_URLCONF: { urlpatterns: [route('boom/', crash), route('', include('markup.urls'))] },
    });
    await collectstatic({ interactive: false, verbosity: 0 });
    client = new Client({ raiseRequestException: false, wrap: validator });
  });

  test('a crashing view gets templates/500.html and reveals nothing', async () => {
    const response = await client.get('/boom/');
    assert.equal(response.statusCode, 500);
    const html = response.content.toString();
    assert.match(html, /<h1>Something went wrong<\/h1>/);
    assert.doesNotMatch(html, /This view fails on purpose|at |\.ts/);
  });

  test('an unknown page gets templates/404.html', async () => {
    const response = await client.get('/no/such/page/');
    assert.equal(response.statusCode, 404);
    assert.match(response.content.toString(), /<h1>Page not found<\/h1>/);
    assert.doesNotMatch(response.content.toString(), /didn't match|URLconf/);
  });

  test('the DEBUG-only route does not exist', async () => {
    assert.equal((await client.get('/debug/error/')).statusCode, 404);
  });
});
