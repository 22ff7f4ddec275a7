// The handler on the gateway reference server, over real sockets: the request signals, a
// streamed body, FileResponse through wsgi.file_wrapper.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settings } from '../../src/conf/index.ts';
import { getWsgiApplication } from '../../src/core/wsgi.ts';
import { gotRequestException, requestFinished, requestStarted } from '../../src/core/signals.ts';
import { serve } from '../../src/gateway/server.ts';
import type { ServerHandle } from '../../src/gateway/server.ts';
import type { Application, FileSource } from '../../src/gateway/types.ts';
import { FileResponse } from '../../src/http/file-response.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { StreamingHttpResponse } from '../../src/http/response.ts';
import { path as route } from '../../src/urls/index.ts';
import { validated } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-core-gateway-'));
const file = path.join(dir, 'report.csv');
const fileBytes = Buffer.from('a,b\n'.repeat(50_000));
writeFileSync(file, fileBytes);

const events: string[] = [];
const wrapped: FileSource[] = [];
let server: ServerHandle;

before(async () => {
  settings.configure({
    ALLOWED_HOSTS: ['127.0.0.1'],
    SECRET_KEY: 'gateway-test',
    MIDDLEWARE: ['tsgi.middleware.security.SecurityMiddleware', 'tsgi.middleware.common.CommonMiddleware'],
    ROOT_URLCONF: {
      urlpatterns: [
        route(
          'stream/',
          () =>
            new StreamingHttpResponse(
              (async function* () {
                for (let i = 1; i <= 3; i++) {
                  events.push(`chunk ${i}`);
                  yield `chunk ${i}\n`;
                }
              })(),
              { contentType: 'text/plain' },
            ),
        ),
        route('file/', () => new FileResponse(file, { asAttachment: true })),
        route('boom/', (request: HttpRequest) => {
          throw new Error(`boom at ${request.path}`);
        }),
      ],
    },
  });
  const application = getWsgiApplication();
  // A gateway-level spy on wsgi.file_wrapper: the framework must hand the file to the server.
  const spy: Application = (environ, startResponse) => {
    const wrapper = environ['wsgi.file_wrapper'];
    if (wrapper) {
      environ['wsgi.file_wrapper'] = (source, blockSize) => {
        wrapped.push(source);
        return wrapper(source, blockSize);
      };
    }
    return application(environ, startResponse);
  };
  spy.ready = application.ready;
  server = await serve(await validated(spy), { port: 0, host: '127.0.0.1' });
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('requestStarted before the view; requestFinished only after the streamed body was sent', async () => {
  events.length = 0;
  const finished = new Promise<void>((resolve) => {
    const off = requestFinished.connect(() => {
      events.push('finished');
      off();
      resolve();
    });
  });
  const offStarted = requestStarted.connect(({ environ }) => void events.push(`started ${environ.PATH_INFO}`));
  try {
    const response = await fetch(`${server.url}/stream/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('content-length'), null);
    assert.equal(await response.text(), 'chunk 1\nchunk 2\nchunk 3\n');
    await finished;
    assert.deepEqual(events, ['started /stream/', 'chunk 1', 'chunk 2', 'chunk 3', 'finished']);
  } finally {
    offStarted();
  }
});

test('a FileResponse goes out through wsgi.file_wrapper, byte for byte', async () => {
  wrapped.length = 0;
  const response = await fetch(`${server.url}/file/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/csv');
  assert.equal(response.headers.get('content-disposition'), 'attachment; filename="report.csv"');
  assert.equal(response.headers.get('content-length'), String(fileBytes.byteLength));
  assert.ok(Buffer.from(await response.arrayBuffer()).equals(fileBytes));
  assert.deepEqual(
    wrapped.map((s) => s.path),
    [file],
  );
});

test('gotRequestException carries the request and the error; the client gets the plain 500', async () => {
  const seen: string[] = [];
  const off = gotRequestException.connect(
    ({ request, error }) => void seen.push(`${(request as HttpRequest).path}: ${(error as Error).message}`),
  );
  try {
    const response = await fetch(`${server.url}/boom/`);
    assert.equal(response.status, 500);
    assert.doesNotMatch(await response.text(), /boom at/);
    assert.deepEqual(seen, ['/boom/: boom at /boom/']);
  } finally {
    off();
  }
});
