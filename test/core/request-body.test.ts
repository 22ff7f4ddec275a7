// The request body is read only when something needs it, under the upload limits, and reading
// stops at the first limit broken (docs/architecture.md, docs/http.md). Over real sockets: the
// framework behind the gateway's reference server, bodies sent as fast as the server reads them
// by a raw client; what the framework read of wsgi.input is counted, and the temporary folder
// (the server's `tsgi.tmpdir`) is checked to hold nothing once the answer is in.
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { serve } from '../../src/gateway/server.ts';
import type { ServerHandle } from '../../src/gateway/server.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse, JsonResponse } from '../../src/http/response.ts';
import type { HttpResponseBase } from '../../src/http/response.ts';
import type { GetResponse } from '../../src/middleware/index.ts';
import { CsrfViewMiddleware } from '../../src/middleware/csrf.ts';
import { path as route } from '../../src/urls/index.ts';
import { View, requireGET, streamRequestBody } from '../../src/views/index.ts';
import { captureLogs } from './helpers.ts';
import { InputCounter, multipart, repeated, sendRaw } from './body-helpers.ts';
import { closingHead, lostAnswers, sendAllThenRead } from '../gateway/early-answer-client.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const SECRET = 'abcdefghijklmnopqrstuvwxyzABCDEF'; // a CSRF secret: 32 allowed characters
const BOUNDARY = 'tsgi-test-boundary';
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;
const csrfOk = { Cookie: `csrftoken=${SECRET}`, 'X-CSRFToken': SECRET };

let spoolDir: string;
const counter = new InputCounter();

function listSpool(): string[] {
  return readdirSync(spoolDir);
}

function describeUpload(request: HttpRequest): JsonResponse {
  const files = request.FILES.lists().map(([field, list]) => [field, list.map((f) => [f.name, f.size])]);
  return new JsonResponse({ post: request.POST.lists(), files, spooled: listSpool().length });
}

class OnlyGet extends View {
  get(): HttpResponse {
    return new HttpResponse('got');
  }
}

const views = {
  upload: (request: HttpRequest) => describeUpload(request),
  onlyGet: requireGET(() => new HttpResponse('got')),
  raw: (request: HttpRequest) => new JsonResponse({ length: request.body.byteLength }),
  streamed: streamRequestBody(async (request: HttpRequest) => {
    const before = request.bodyLoaded;
    let size = 0;
    let chunks = 0;
    for await (const chunk of request.stream()) {
      size += chunk.byteLength;
      chunks += 1;
    }
    return new JsonResponse({ size, chunks, spooled: listSpool().length, before });
  }),
};

/** Reads request.POST in its call(), before the handler has read the body. */
class EagerMiddleware {
  readonly getResponse: GetResponse;
  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
  }
  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    if (request.path.startsWith('/eager/')) void request.POST;
    return this.getResponse(request);
  }
}

/** Awaits loadBody() first, as middleware that needs the body must. */
class LoadingMiddleware {
  readonly getResponse: GetResponse;
  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
  }
  async call(request: HttpRequest): Promise<HttpResponseBase> {
    if (!request.path.startsWith('/loading/')) return this.getResponse(request);
    await request.loadBody();
    const response = await this.getResponse(request);
    response.set('X-Seen-Title', request.POST.get('title') ?? '');
    return response;
  }
}

let server: ServerHandle;

before(async () => {
  spoolDir = mkdtempSync(path.join(tmpdir(), 'tsgi-spool-'));
  counter.tmpdir = spoolDir;
  settings.configure({
    ALLOWED_HOSTS: ['*'],
    DEBUG: false,
    MIDDLEWARE: [CsrfViewMiddleware, EagerMiddleware, LoadingMiddleware] as unknown as string[],
    FILE_UPLOAD_MAX_MEMORY_SIZE: 64 * 1024,
    ROOT_URLCONF: {
      urlpatterns: [
        route('upload/', views.upload),
        route('only-get/', views.onlyGet),
        route('class-only-get/', OnlyGet.asView()),
        route('raw/', views.raw),
        route('streamed/', views.streamed),
        route('eager/', views.upload),
        route('loading/', views.upload),
      ],
    },
  });
  server = await serve(counter.wrap(new WSGIHandler().call), { port: 0 });
});

after(async () => {
  await server.close();
  rmSync(spoolDir, { recursive: true, force: true });
});

afterEach(() => {
  counter.read = 0;
});

const bigUpload = () =>
  multipart(BOUNDARY, [
    { name: 'title', value: 'holiday' },
    { name: 'video', filename: 'video.bin', size: GiB },
  ]);

describe('nothing of the body is read when the answer does not need it', () => {
  test('1 GiB multipart to a URL that does not exist: 404, nothing read or written to disk', async () => {
    const answer = await sendRaw(server.port, {
      path: '/no-such-page/',
      headers: { 'Content-Type': MULTIPART, ...csrfOk },
      body: bigUpload(),
    });
    assert.equal(answer.status, 404);
    assert.equal(counter.read, 0, 'the framework read nothing of wsgi.input');
    assert.deepEqual(listSpool(), []);
    // What the socket buffers took before the answer came: a few MiB, not the GiB.
    assert.ok(answer.sent < 64 * MiB, `the client sent ${answer.sent} bytes`);
  });

  test('the 404 reaches a client that sends Connection: close and its whole body before it reads (50 runs of each pace)', async () => {
    // The server closes that connection with the body still coming: by lingering, or the reset
    // it would get can erase the answer (RFC 9112 §9.6).
    for (const [pace, size] of [
      ['fast', 4 * MiB],
      ['slow', 256 * 1024],
    ] as const) {
      const head = closingHead('POST', '/no-such-page/', size, `Content-Type: ${MULTIPART}\r\n`);
      const lost = await lostAnswers(50, () => sendAllThenRead(server.port, head, size, pace), /<h1>Not Found<\/h1>/);
      assert.deepEqual(lost, [], `${pace}: ${lost.length} answers lost`);
    }
    assert.equal(counter.read, 0);
  });

  for (const [label, url] of [
    ['requireGET', '/only-get/'],
    ['a View with only get()', '/class-only-get/'],
  ] as const) {
    test(`1 GiB multipart POST to a view that does not answer POST (${label}): 405, nothing read`, async () => {
      const answer = await sendRaw(server.port, {
        path: url,
        headers: { 'Content-Type': MULTIPART, ...csrfOk },
        body: bigUpload(),
      });
      assert.equal(answer.status, 405);
      assert.equal(counter.read, 0);
      assert.deepEqual(listSpool(), []);
      assert.ok(answer.sent < 64 * MiB, `the client sent ${answer.sent} bytes`);
    });
  }

  test('a POST to such a view without the CSRF header is answered 405 too, without reading the form token', async () => {
    const answer = await sendRaw(server.port, {
      path: '/only-get/',
      headers: { 'Content-Type': MULTIPART, Cookie: `csrftoken=${SECRET}` },
      body: bigUpload(),
    });
    assert.equal(answer.status, 405);
    assert.equal(counter.read, 0);
  });

  const refusals: Array<[string, Record<string, string>, RegExp]> = [
    ['a foreign Origin', { ...csrfOk, Origin: 'https://evil.example' }, /Origin checking failed/],
    ['no CSRF cookie', { 'X-CSRFToken': SECRET }, /CSRF cookie not set/],
    [
      'a wrong X-CSRFToken header',
      { Cookie: `csrftoken=${SECRET}`, 'X-CSRFToken': 'Z'.repeat(32) },
      /CSRF token from the 'X-Csrftoken' HTTP header incorrect/,
    ],
  ];
  for (const [label, headers, reason] of refusals) {
    test(`CSRF failure decided from the headers (${label}): 403, nothing read`, async () => {
      const logs = captureLogs('tsgi.security.csrf');
      try {
        const answer = await sendRaw(server.port, {
          path: '/upload/',
          headers: { 'Content-Type': MULTIPART, ...headers },
          body: bigUpload(),
        });
        assert.equal(answer.status, 403);
        assert.equal(counter.read, 0);
        assert.deepEqual(listSpool(), []);
        assert.match(String(logs.records[0]?.message), reason);
      } finally {
        logs.stop();
      }
    });
  }

  test("a CSRF failure decided from the form's token reads the body only as far as that field", async () => {
    const answer = await sendRaw(server.port, {
      path: '/upload/',
      headers: { 'Content-Type': MULTIPART, Cookie: `csrftoken=${SECRET}` },
      body: multipart(BOUNDARY, [
        { name: 'csrfmiddlewaretoken', value: 'Y'.repeat(32) },
        { name: 'video', filename: 'video.bin', size: GiB },
      ]),
    });
    assert.equal(answer.status, 403);
    assert.ok(counter.read < MiB, `the framework read ${counter.read} bytes`);
    assert.deepEqual(listSpool(), []);
  });

  test("the form's right token: the check reads up to it, the handler reads the rest for the view", async () => {
    const answer = await sendRaw(server.port, {
      path: '/upload/',
      headers: { 'Content-Type': MULTIPART, Cookie: `csrftoken=${SECRET}` },
      body: multipart(BOUNDARY, [
        { name: 'csrfmiddlewaretoken', value: SECRET },
        { name: 'title', value: 'notes' },
        { name: 'doc', filename: 'notes.txt', size: 300_000 },
      ]),
    });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(JSON.parse(answer.text), {
      post: [
        ['csrfmiddlewaretoken', [SECRET]],
        ['title', ['notes']],
      ],
      files: [['doc', [['notes.txt', 300_000]]]],
      spooled: 1,
    });
    assert.deepEqual(listSpool(), [], 'the spooled file is deleted with the request');
  });
});

describe('upload limits are enforced while the body streams in', () => {
  test('a file past FILE_UPLOAD_MAX_SIZE: 413 at once, the rest not read, its spooled part deleted', async () => {
    using _s = overrideSettings({ FILE_UPLOAD_MAX_SIZE: MiB });
    const logs = captureLogs('tsgi.security.FileTooBig');
    try {
      const answer = await sendRaw(server.port, {
        path: '/upload/',
        headers: { 'Content-Type': MULTIPART, ...csrfOk },
        body: bigUpload(),
      });
      assert.equal(answer.status, 413);
      assert.match(answer.text, /Content Too Large \(413\)/);
      assert.ok(counter.read < 16 * MiB, `the framework read ${counter.read} bytes`);
      assert.ok(answer.sent < 64 * MiB, `the client sent ${answer.sent} bytes`);
      assert.deepEqual(listSpool(), []);
      assert.equal(
        logs.records[0]?.message,
        'The uploaded file "video.bin" exceeded settings.FILE_UPLOAD_MAX_SIZE (1048576 bytes). Send a smaller file, or raise the setting if such uploads are legitimate.',
      );
    } finally {
      logs.stop();
    }
  });

  test('a declared Content-Length past DATA_UPLOAD_MAX_MEMORY_SIZE: 400 (RequestDataTooBig, as Django) before anything is read', async () => {
    const answer = await sendRaw(server.port, {
      path: '/raw/',
      headers: { 'Content-Type': 'application/octet-stream', ...csrfOk },
      body: repeated(GiB),
    });
    assert.equal(answer.status, 400);
    assert.equal(counter.read, 0);
    assert.deepEqual(listSpool(), []);
  });

  test('a chunked body (no declared length) is read only up to DATA_UPLOAD_MAX_MEMORY_SIZE', async () => {
    using _s = overrideSettings({ DATA_UPLOAD_MAX_MEMORY_SIZE: MiB });
    const answer = await sendRaw(server.port, {
      path: '/raw/',
      headers: { 'Content-Type': 'application/octet-stream', ...csrfOk },
      body: repeated(GiB),
      chunked: true,
    });
    assert.equal(answer.status, 400);
    assert.ok(counter.read <= MiB + 64 * 1024, `the framework read ${counter.read} bytes`);
    assert.deepEqual(listSpool(), []);
  });

  test('multipart field data past DATA_UPLOAD_MAX_MEMORY_SIZE: 400, read no further', async () => {
    using _s = overrideSettings({ DATA_UPLOAD_MAX_MEMORY_SIZE: MiB });
    const answer = await sendRaw(server.port, {
      path: '/upload/',
      headers: { 'Content-Type': MULTIPART, ...csrfOk },
      body: multipart(BOUNDARY, [{ name: 'essay', size: GiB }]),
    });
    assert.equal(answer.status, 400);
    assert.ok(counter.read < 16 * MiB, `the framework read ${counter.read} bytes`);
  });
});

describe('who reads the body', () => {
  test('middleware that uses request.POST before the body was read gets an error saying what to await', async () => {
    const logs = captureLogs('tsgi.request');
    try {
      const answer = await sendRaw(server.port, {
        path: '/eager/',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...csrfOk },
        body: {
          length: 7,
          *chunks() {
            yield Buffer.from('title=a');
          },
        },
      });
      assert.equal(answer.status, 500);
      assert.equal(
        (logs.records[0]?.error as Error | undefined)?.message,
        'request.POST and request.FILES were used before the request body was read. Await request.loadBody() first: ' +
          'the handler does it before calling a view that accepts the request method, so this is middleware (or a view ' +
          'decorated with streamRequestBody) reading the body too early.',
      );
    } finally {
      logs.stop();
    }
  });

  test('middleware that awaits request.loadBody() first can read POST', async () => {
    const answer = await sendRaw(server.port, {
      path: '/loading/',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...csrfOk },
      body: {
        length: 11,
        *chunks() {
          yield Buffer.from('title=hello');
        },
      },
    });
    assert.equal(answer.status, 200);
    assert.match(answer.head, /\r\nX-Seen-Title: hello/i);
  });

  test('a view decorated with streamRequestBody reads the body itself: nothing preloaded or spooled', async () => {
    const size = 40 * MiB;
    const answer = await sendRaw(server.port, {
      path: '/streamed/',
      headers: { 'Content-Type': 'application/octet-stream', ...csrfOk },
      body: repeated(size),
    });
    assert.equal(answer.status, 200, answer.text);
    const result = JSON.parse(answer.text) as { size: number; chunks: number; spooled: number; before: boolean };
    assert.equal(result.size, size);
    assert.equal(result.spooled, 0);
    assert.equal(result.before, false, 'the handler did not load the body');
    assert.ok(result.chunks > 1);
  });

  test('spooled uploads go to the folder the server gives (tsgi.tmpdir); FILE_UPLOAD_TEMP_DIR wins when set', async () => {
    const body = () => multipart(BOUNDARY, [{ name: 'doc', filename: 'a.bin', size: 200_000 }]);
    const viaServer = await sendRaw(server.port, {
      path: '/upload/',
      headers: { 'Content-Type': MULTIPART, ...csrfOk },
      body: body(),
    });
    assert.equal((JSON.parse(viaServer.text) as { spooled: number }).spooled, 1);
    const own = mkdtempSync(path.join(tmpdir(), 'tsgi-own-spool-'));
    try {
      using _s = overrideSettings({ FILE_UPLOAD_TEMP_DIR: own });
      const viaSetting = await sendRaw(server.port, {
        path: '/upload/',
        headers: { 'Content-Type': MULTIPART, ...csrfOk },
        body: body(),
      });
      assert.equal((JSON.parse(viaSetting.text) as { spooled: number }).spooled, 0);
      assert.deepEqual(readdirSync(own), [], 'deleted after the response');
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
