/**
 * Uploads end to end over a real socket: a multipart POST through getWsgiApplication(), the view
 * saves request.FILES into FileSystemStorage (MEDIA_ROOT) under a safe, free name, and in DEBUG
 * staticPatterns(MEDIA_URL) serves it back.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { settings } from '../../src/conf/index.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import { JsonResponse } from '../../src/http/response.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { path as route, type UrlEntry } from '../../src/urls/index.ts';
import { FileSystemStorage } from '../../src/core/files/storage.ts';
import { staticPatterns } from '../../src/staticfiles/urls.ts';
import { csrfExempt } from '../../src/middleware/csrf.ts';
import { rawRequest } from './helpers/raw-http.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-upload-'));
const media = path.join(tmp, 'media');
const storage = new FileSystemStorage();

const upload = csrfExempt(async (request: HttpRequest) => {
  const saved: string[] = [];
  for (const file of request.FILES.getlist('f')) saved.push(await storage.save(`uploads/${file.name}`, file));
  return new JsonResponse({ saved, urls: saved.map((n) => storage.url(n)) });
});

const urlconf = { urlpatterns: [] as UrlEntry[] };
settings.configure({
  DEBUG: true,
  ALLOWED_HOSTS: ['127.0.0.1'],
  MEDIA_URL: '/media/',
  MEDIA_ROOT: media,
  FILE_UPLOAD_MAX_MEMORY_SIZE: 1024,
  ROOT_URLCONF: urlconf,
});
// staticPatterns() reads DEBUG, so the patterns are added once settings exist.
urlconf.urlpatterns.push(route('upload/', upload), ...staticPatterns('/media/', { documentRoot: media }));

let server: ServerHandle;
before(async () => {
  server = await serve(getWsgiApplication(), { port: 0 });
});
after(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function post(files: Array<[string, string | Uint8Array]>): Promise<{ saved: string[]; urls: string[] }> {
  const form = new FormData();
  for (const [name, content] of files)
    form.append('f', new Blob([typeof content === 'string' ? content : Buffer.from(content)]), name);
  const res = await fetch(`${server.url}/upload/`, { method: 'POST', body: form });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { saved: string[]; urls: string[] };
}

describe('uploads into MEDIA_ROOT', () => {
  test('small (in memory) and large (spooled) uploads are saved and served back in DEBUG', async () => {
    const big = new Uint8Array(200_000).map((_, i) => i % 251);
    const { saved, urls } = await post([
      ['notes.txt', 'hello'],
      ['photo.bin', big],
    ]);
    assert.deepEqual(saved, ['uploads/notes.txt', 'uploads/photo.bin']);
    assert.deepEqual(urls, ['/media/uploads/notes.txt', '/media/uploads/photo.bin']);
    assert.equal(readFileSync(path.join(media, 'uploads/notes.txt'), 'utf8'), 'hello');
    assert.deepEqual(new Uint8Array(readFileSync(path.join(media, 'uploads/photo.bin'))), big);
    const back = await fetch(`${server.url}/media/uploads/photo.bin`);
    assert.equal(back.status, 200);
    assert.deepEqual(new Uint8Array(await back.arrayBuffer()), big);
  });

  test('a second upload of the same name does not overwrite the first', async () => {
    const { saved } = await post([['notes.txt', 'second']]);
    assert.match(saved[0]!, /^uploads\/notes_[A-Za-z0-9]{7}\.txt$/);
    assert.equal(readFileSync(path.join(media, 'uploads/notes.txt'), 'utf8'), 'hello');
    assert.equal(readFileSync(path.join(media, saved[0]!), 'utf8'), 'second');
  });

  test('a hostile file name stays inside MEDIA_ROOT with a clean name', async () => {
    const { saved } = await post([['../../evil <script>.txt', 'x']]);
    assert.equal(saved.length, 1);
    assert.ok(saved[0]!.startsWith('uploads/'), saved[0]);
    assert.ok(!saved[0]!.includes('..') && !saved[0]!.includes('<'), saved[0]);
    assert.ok(existsSync(path.join(media, saved[0]!)));
    assert.ok(!existsSync(path.join(tmp, 'evil <script>.txt')));
  });

  test('MEDIA_URL serves nothing outside MEDIA_ROOT', async () => {
    // Raw request lines: an HTTP client would normalise the dots away.
    for (const target of [
      '/media/../media/uploads/notes.txt',
      '/media/uploads/../uploads/notes.txt',
      '/media/%2e%2e/media/uploads/notes.txt',
      '/media/uploads%2f..%2f..%2fx',
    ]) {
      const res = await rawRequest(server.port, 'GET', target);
      assert.equal(res.status, 404, target);
    }
  });
});
