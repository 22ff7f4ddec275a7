/**
 * `npm start` serves markup under the production server: every page answers 200, the stylesheet
 * loads, the API answers, errors get markup's own pages, and TERM stops it cleanly. The README's
 * first command is this test's command (its bind moved to a free port through TSGI_CMD_ARGS).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, REPO_ROOT, start, type Running } from './helpers.ts';

describe('npm start', () => {
  let server: Running;

  before(async () => {
    const port = await freePort();
    // As a user runs it: on the compiled build (npm start builds it first), not on the .ts sources
    // that the rest of the suite runs through NODE_OPTIONS=--conditions=tsgi-source.
    server = await start('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      port,
      env: { TSGI_CMD_ARGS: `--bind 127.0.0.1:${port}`, NODE_OPTIONS: '' },
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('every page answers 200 with HTML', async () => {
    for (const url of ['/', '/docs/getting-started/', '/docs/the-gateway/', '/docs/deployment/', '/preview/']) {
      const response = await fetch(server.base + url);
      assert.equal(response.status, 200, url);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html; charset=utf-8$/, url);
      assert.match(await response.text(), /<link rel="stylesheet" href="[^"]+site[^"]*\.css">/, url);
    }
    const hello = await fetch(`${server.base}/hello/`);
    assert.equal(await hello.text(), 'Hello, world!');
  });

  test('the stylesheet the pages link loads', async () => {
    const html = await (await fetch(`${server.base}/`)).text();
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)![1];
    const css = await fetch(new URL(href, server.base));
    assert.equal(css.status, 200, href);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.match(await css.text(), /--accent: #0b6e4f/);
    // collectstatic ran first: the page links the content-hashed copy, cached for a year.
    assert.match(href, /^\/static\/css\/site\.[0-9a-f]{12}\.css$/);
    assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });

  test('the JSON API renders Markdown, and says what is wrong with a bad request', async () => {
    const ok = await fetch(`${server.base}/api/render/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ markdown: '# Hi\n\n<script>alert(1)</script>' }),
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { html: '<h1>Hi</h1>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n' });
    const bad = await fetch(`${server.base}/api/render/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      error: 'The request body is not valid JSON. Send {"markdown": "..."} with Content-Type: application/json.',
    });
    const get = await fetch(`${server.base}/api/render/`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });

  test("an unknown page gets markup's 404 page, and DEBUG is off", async () => {
    const response = await fetch(`${server.base}/docs/nothing-here/`);
    assert.equal(response.status, 404);
    const text = await response.text();
    assert.match(text, /<h1>Page not found<\/h1>/);
    assert.doesNotMatch(text, /tried|urlpatterns|Traceback|stack/i);
    assert.equal((await fetch(`${server.base}/debug/error/`)).status, 404, 'the crash route exists only in DEBUG');
  });

  test('the preview refuses a POST without the CSRF token, and renders the form with the token it takes', async () => {
    const response = await fetch(`${server.base}/preview/`, {
      method: 'POST',
      body: new URLSearchParams({ markdown: '# x' }),
    });
    assert.equal(response.status, 403);
    const form = await fetch(`${server.base}/preview/`);
    const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(await form.text())?.[1];
    assert.ok(token, 'the form has a CSRF token');
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
    const posted = await fetch(`${server.base}/preview/`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ markdown: '# Posted', csrfmiddlewaretoken: token }),
    });
    assert.equal(posted.status, 200);
    assert.match(await posted.text(), /<h1>Posted<\/h1>/);
  });

  test('TERM stops the server cleanly', async () => {
    const output = await server.stop('SIGTERM');
    assert.match(output, /Shutting down gracefully \(TERM\)\./);
    assert.match(output, /Worker \d+ exited \(code 0\)\./);
    assert.match(output, /Shutdown complete\.\n/);
    // The access log is on stdout, in gunicorn's format.
    assert.match(output, /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/hello\/ HTTP\/1\.1" 200 13 "-" "[^"]*"$/m);
    assert.doesNotMatch(output, /ERROR|Traceback|Error:/);
  });
});
