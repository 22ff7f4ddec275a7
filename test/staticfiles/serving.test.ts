/**
 * Static serving over real sockets: the gateway-level handler (staticFilesHandler) in front of an
 * application that records what reaches it. The same cases run against the framework middleware
 * in middleware.test.ts.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { settings } from '../../src/conf/index.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import type { Application } from '../../src/gateway/types.ts';
import { staticFilesHandler } from '../../src/staticfiles/handler.ts';
import { makeStaticTree } from './helpers/static-tree.ts';
import { rawRequest } from './helpers/raw-http.ts';
import { staticServingCases } from './helpers/cases.ts';

const tree = makeStaticTree();
settings.configure({ STATIC_URL: '/static/', STATIC_ROOT: tree.root, DEBUG: false });

const seen: string[] = [];
const app: Application = (environ, startResponse) => {
  seen.push(environ.PATH_INFO);
  startResponse('404 Not Found', [
    ['Content-Type', 'text/plain'],
    ['X-App', 'yes'],
  ]);
  return [Buffer.from('app 404')];
};

let server: ServerHandle;
before(async () => {
  server = await serve(staticFilesHandler(app), { port: 0 });
});
after(async () => {
  await server.close();
  rmSync(tree.base, { recursive: true, force: true });
});

describe('staticFilesHandler (gateway level)', () => {
  staticServingCases(
    () => server.port,
    tree,
    () => seen,
  );

  test('the application never sees a request for a static file', async () => {
    seen.length = 0;
    await rawRequest(server.port, 'GET', '/static/css/site.css');
    await rawRequest(server.port, 'GET', '/static/js/app.js', { 'Accept-Encoding': 'br' });
    assert.deepEqual(seen, []);
    await rawRequest(server.port, 'GET', '/other');
    assert.deepEqual(seen, ['/other']);
  });
});
