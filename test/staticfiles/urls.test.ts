import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { setProjectRoot } from '../../src/utils/module-loading.ts';
import { resolve } from '../../src/urls/index.ts';
import { HttpRequest } from '../../src/http/request.ts';
import { Http404 } from '../../src/http/exceptions.ts';
import { FileResponse } from '../../src/http/file-response.ts';
import { staticPatterns, staticfilesUrlpatterns, serve } from '../../src/staticfiles/urls.ts';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-media-urls-'));
const media = path.join(tmp, 'media');
mkdirSync(path.join(media, 'docs'), { recursive: true });
writeFileSync(path.join(media, 'docs', 'a b.txt'), 'hello media');
writeFileSync(path.join(tmp, 'secret.txt'), 'SECRET');
symlinkSync(path.join(tmp, 'secret.txt'), path.join(media, 'link.txt'));
const project = path.resolve(import.meta.dirname, '../fixtures/static-project');
setProjectRoot(project);
settings.configure({
  DEBUG: true,
  MEDIA_URL: '/media/',
  MEDIA_ROOT: media,
  STATIC_URL: '/static/',
  STATICFILES_DIRS: [path.join(project, 'static')],
  INSTALLED_APPS: ['app1'],
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function get(p: string, headers: Record<string, string> = {}): HttpRequest {
  const request = new HttpRequest();
  request.method = 'GET';
  request.path = p;
  request.pathInfo = p;
  request.META = Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [`HTTP_${k.toUpperCase().replace(/-/g, '_')}`, v]),
  );
  return request;
}

type AnyView = (request: HttpRequest, kwargs: unknown) => Promise<unknown>;
function call(match: { func: unknown; kwargs: unknown }, request: HttpRequest): Promise<unknown> {
  return (match.func as AnyView)(request, match.kwargs);
}

async function body(response: unknown): Promise<string> {
  return Buffer.from(await (response as FileResponse).getValue()).toString();
}

describe('serving media and static files in DEBUG', () => {
  test('staticPatterns(MEDIA_URL) resolves and serves a file, with the static responder semantics', async () => {
    const urlconf = { urlpatterns: staticPatterns('/media/', { documentRoot: media }) };
    const match = resolve('/media/docs/a b.txt', urlconf);
    assert.deepEqual(match.kwargs, { path: 'docs/a b.txt', documentRoot: media });
    const response = await call(match, get('/media/docs/a b.txt'));
    assert.ok(response instanceof FileResponse);
    assert.equal(response.statusCode, 200);
    assert.equal(await body(response), 'hello media');
    assert.equal(response.headers.get('Cache-Control'), 'public, max-age=0');
    const ranged = await serve(get('/media/docs/a b.txt', { Range: 'bytes=0-4' }), {
      path: 'docs/a b.txt',
      documentRoot: media,
    });
    assert.equal(ranged.statusCode, 206);
    assert.equal(await body(ranged), 'hello');
    const etag = response.headers.get('ETag')!;
    const cached = await serve(get('/media/docs/a b.txt', { 'If-None-Match': etag }), {
      path: 'docs/a b.txt',
      documentRoot: media,
    });
    assert.equal(cached.statusCode, 304);
  });

  test('traversal, symlinks out and missing files are 404', async () => {
    for (const rel of [
      '../secret.txt',
      'docs/../../secret.txt',
      'link.txt',
      'nope.txt',
      'docs',
      '',
      'docs\\..\\..\\secret.txt',
      'a\0b',
    ]) {
      await assert.rejects(
        serve(get('/media/' + rel), { path: rel, documentRoot: media }),
        (e: unknown) => e instanceof Http404,
        JSON.stringify(rel),
      );
    }
  });

  test("staticfilesUrlpatterns() serves the finders' files", async () => {
    const urlconf = { urlpatterns: staticfilesUrlpatterns() };
    const match = resolve('/static/app1/app.js', urlconf);
    const response = await call(match, get('/static/app1/app.js'));
    assert.equal(await body(response), 'console.log("app1")\n');
    const css = resolve('/static/css/base.css', urlconf);
    assert.equal(await body(await call(css, get('/static/css/base.css'))), 'html { margin: 0 }\n');
    const bad = resolve('/static/../app1/index.ts', urlconf);
    await assert.rejects(async () => call(bad, get('/static/../app1/index.ts')), Http404);
  });

  test('nothing is served when DEBUG is off, or for a full URL prefix', () => {
    assert.equal(staticPatterns('https://cdn.example.com/media/', { documentRoot: media }).length, 0);
    using _r = overrideSettings({ DEBUG: false });
    assert.deepEqual(staticPatterns('/media/', { documentRoot: media }), []);
    assert.deepEqual(staticfilesUrlpatterns(), []);
  });

  test('an empty prefix is refused', () => {
    assert.throws(
      () => staticPatterns('', { documentRoot: media }),
      (e: unknown) =>
        e instanceof ImproperlyConfigured &&
        e.message === 'Empty static prefix not permitted. Set STATIC_URL or MEDIA_URL, as "/media/".',
    );
  });
});
