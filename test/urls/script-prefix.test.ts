// The script prefix reverse() puts in front of URLs belongs to the request being handled (its
// async context), as Django keeps it thread-local: one process serving the same application at
// two mount points answers each request with its own prefix, even when their handling
// interleaves. Over real sockets: one node:http server, two gateway listeners (SCRIPT_NAME /a and
// /b) in front of one framework application.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { settings } from '../../src/conf/index.ts';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { createListener } from '../../src/gateway/server.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse } from '../../src/http/response.ts';
import {
  getScriptPrefix,
  path,
  reverse,
  reverseLazy,
  runWithScriptPrefix,
  setScriptPrefix,
} from '../../src/urls/index.ts';
import { addScriptPrefix } from '../../src/urls/base.ts';

// The first request to arrive waits here until the second has reversed its URL, so that the two
// are handled at the same time.
let releaseFirst: () => void = () => {};
const firstMayGo = new Promise<void>((resolve) => (releaseFirst = resolve));
let arrived = 0;

const lazyDetail = reverseLazy('detail', { args: [7] });

async function where(request: HttpRequest): Promise<HttpResponse> {
  const mine = arrived++;
  const before = reverse('detail', { args: [1] });
  if (mine === 0) await firstMayGo;
  else releaseFirst();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const after = reverse('detail', { args: [1] });
  return new HttpResponse(
    JSON.stringify({
      scriptName: request.scriptName,
      before,
      after,
      lazy: String(lazyDetail),
      static: addScriptPrefix('static/'),
    }),
  );
}

let server: http.Server;
let base: string;

before(async () => {
  settings.configure({
    ALLOWED_HOSTS: ['*'],
    MIDDLEWARE: [],
    ROOT_URLCONF: { urlpatterns: [path('where/', where), path('detail/<int:pk>/', where, { name: 'detail' })] },
  });
  const handler = new WSGIHandler();
  const a = createListener(handler.call, { scriptName: '/a' });
  const b = createListener(handler.call, { scriptName: '/b' });
  server = http.createServer((req, res) => (req.url!.startsWith('/a/') ? a(req, res) : b(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('two mounts of one application, requests interleaved: each reverses under its own SCRIPT_NAME', async () => {
  const [first, second] = await Promise.all([
    fetch(`${base}/a/where/`).then((r) => r.json()),
    // Sent once the first is waiting inside its view.
    new Promise((resolve) => setTimeout(resolve, 20)).then(() => fetch(`${base}/b/where/`).then((r) => r.json())),
  ]);
  assert.deepEqual(first, {
    scriptName: '/a',
    before: '/a/detail/1/',
    after: '/a/detail/1/',
    lazy: '/a/detail/7/',
    static: '/a/static/',
  });
  assert.deepEqual(second, {
    scriptName: '/b',
    before: '/b/detail/1/',
    after: '/b/detail/1/',
    lazy: '/b/detail/7/',
    static: '/b/static/',
  });
  // Nothing leaked into the process: outside a request, the default applies.
  assert.equal(getScriptPrefix(), '/');
});

test('runWithScriptPrefix() scopes a prefix to a call and what it awaits; setScriptPrefix() sets the default', async () => {
  const inside = await runWithScriptPrefix('/mount', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return reverse('detail', { args: [2] });
  });
  assert.equal(inside, '/mount/detail/2/');
  assert.equal(reverse('detail', { args: [2] }), '/detail/2/');
  setScriptPrefix('/default');
  try {
    assert.equal(reverse('detail', { args: [2] }), '/default/detail/2/');
    assert.equal(
      runWithScriptPrefix('/', () => reverse('detail', { args: [2] })),
      '/detail/2/',
    );
  } finally {
    setScriptPrefix('/');
  }
});
