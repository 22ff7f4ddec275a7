/**
 * markup's own error pages with DEBUG off, as production shows them: a crashing view gets
 * templates/500.html (and nothing of the error), an unknown page templates/404.html. In process,
 * through the framework's test client with the gateway validator around the application.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { overrideSettings, settings } from '../../src/conf/index.ts';
import { Client } from '../../src/test/index.ts';
import { validator } from '../../src/gateway/validator.ts';
import { include, path as route } from '../../src/urls/index.ts';
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
    overrideSettings({ ROOT_URLCONF: { urlpatterns: [route('boom/', crash), route('', include('markup.urls'))] } });
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
