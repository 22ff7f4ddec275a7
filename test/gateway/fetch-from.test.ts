/**
 * fromFetchHandler: a real Hono application served by the reference server (`serve`), asked over
 * real sockets (node:http as the client, raw node:net where the exact bytes matter).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { stream } from 'hono/streaming';
import { fromFetchHandler } from '../../src/gateway/fetch.ts';
import { serve } from '../../src/gateway/server.ts';
import type { ServerHandle } from '../../src/gateway/server.ts';
import type { Application, Environ, ErrorStream } from '../../src/gateway/types.ts';

interface Answer {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

function ask(
  port: number,
  method: string,
  target: string,
  options: { headers?: http.OutgoingHttpHeaders; body?: string | Buffer[] } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: target, headers: options.headers, agent: false, timeout: 20_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            statusMessage: res.statusMessage!,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`No answer to ${method} ${target} within 20 s.`)));
    req.on('error', reject);
    if (Array.isArray(options.body)) {
      for (const part of options.body) req.write(part);
      req.end();
    } else req.end(options.body);
  });
}

/** Sends raw bytes and returns everything the server answers until it closes the connection. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setTimeout(20_000, () => socket.destroy(new Error('No complete answer within 20 s.')));
    socket.on('data', (data) => (text += data.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(request);
  });
}

/** A promise and its resolver, to step a handler from the test. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('fromFetchHandler: a Hono application under the reference server', () => {
  let handle: ServerHandle;
  let logged = '';
  const errors: ErrorStream = {
    write: (text) => void (logged += text),
    flush: () => {},
  };
  const release = gate();
  const streamState = { aborted: gate(), finished: false };

  const hono = new Hono();
  hono.get('/', (c) => c.text('Hello from Hono'));
  hono.get('/users/:id{[0-9]+}', (c) => c.json({ id: Number(c.req.param('id')), sort: c.req.query('sort') ?? null }));
  hono.get('/files/:name', (c) => c.json({ name: c.req.param('name'), path: new URL(c.req.url).pathname }));
  hono.get('/request', (c) =>
    c.json({
      url: c.req.url,
      method: c.req.method,
      host: c.req.header('host') ?? null,
      cookie: c.req.header('cookie') ?? null,
      accept: c.req.header('accept') ?? null,
      connection: c.req.header('connection') ?? null,
      hasSignal: c.req.raw.signal instanceof AbortSignal,
    }),
  );
  hono.post('/json', async (c) => {
    const received = await c.req.json<{ name: string; tags: string[] }>();
    return c.json({ hello: received.name, tags: received.tags.length }, 201);
  });
  hono.put('/upload', async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    let sum = 0;
    for (const byte of body) sum = (sum + byte) % 65521;
    return c.json({ length: body.byteLength, sum, type: c.req.header('content-type') ?? null });
  });
  hono.post('/first-chunk', async (c) => {
    // Answers from the first chunk, while the client is still sending: the body streams in.
    const reader = c.req.raw.body!.getReader();
    const { value } = await reader.read();
    void reader.cancel();
    return c.text(`got ${new TextDecoder().decode(value)}`);
  });
  hono.get('/cookies', (c) => {
    setCookie(c, 'session', 'abc123', { path: '/', httpOnly: true });
    setCookie(c, 'theme', 'dark', { path: '/', maxAge: 3600, sameSite: 'Lax' });
    return c.text('two cookies');
  });
  hono.get('/hop', (c) => {
    c.header('Upgrade', 'h2c');
    c.header('Connection', 'X-Private');
    c.header('X-Private', 'secret');
    c.header('X-Public', 'fine');
    return c.text('hop-by-hop stripped');
  });
  hono.get('/stream', (c) =>
    stream(c, async (s) => {
      s.onAbort(() => streamState.aborted.open());
      await s.write('first chunk\n');
      await release.promise;
      await s.write('second chunk\n');
      streamState.finished = true;
    }),
  );
  hono.get('/endless', (c) =>
    stream(c, async (s) => {
      s.onAbort(() => streamState.aborted.open());
      for (let i = 0; i < 10_000 && !s.aborted; i += 1) {
        await s.write(`line ${i}\n`);
        await s.sleep(5);
      }
    }),
  );
  const waiting = { entered: gate(), aborted: gate() };
  hono.get('/wait', (c) => {
    waiting.entered.open();
    return new Promise<Response>((resolve) => {
      c.req.raw.signal.addEventListener('abort', () => {
        waiting.aborted.open();
        resolve(c.text('the client left'));
      });
    });
  });
  hono.get('/teapot', (c) => c.text('short and stout', 418));
  hono.get('/empty', (c) => c.body(null, 204));
  hono.get('/throws', () => {
    throw new Error('Hono handler failed');
  });
  hono.onError((error, c) => c.text(`Hono caught: ${error.message}`, 500));

  before(async () => {
    handle = await serve(fromFetchHandler(hono), { host: '127.0.0.1', port: 0, errors });
  });

  after(async () => {
    release.open();
    await handle?.close();
  });

  test('GET / answers with the text and a reason phrase', async () => {
    const answer = await ask(handle.port, 'GET', '/');
    assert.equal(answer.status, 200);
    assert.equal(answer.statusMessage, 'OK');
    assert.equal(answer.headers['content-type'], 'text/plain;charset=UTF-8');
    assert.equal(answer.body, 'Hello from Hono');
  });

  test('routes with params and the query string', async () => {
    const user = await ask(handle.port, 'GET', '/users/42?sort=desc');
    assert.equal(user.status, 200);
    assert.deepEqual(JSON.parse(user.body), { id: 42, sort: 'desc' });
    const missing = await ask(handle.port, 'GET', '/users/abc');
    assert.equal(missing.status, 404);
    assert.equal(missing.statusMessage, 'Not Found');
  });

  test('percent-encoded targets reach Hono as the client sent them', async () => {
    const answer = await ask(handle.port, 'GET', '/files/caf%C3%A9%20menu.txt');
    assert.deepEqual(JSON.parse(answer.body), { name: 'café menu.txt', path: '/files/caf%C3%A9%20menu.txt' });
    const slash = await ask(handle.port, 'GET', '/files/a%2Fb');
    assert.deepEqual(JSON.parse(slash.body), { name: 'a/b', path: '/files/a%2Fb' });
  });

  test('the Request: URL from the Host, the method, the headers without hop-by-hop ones, a signal', async () => {
    const answer = await ask(handle.port, 'GET', '/request?x=1&y=%20', {
      headers: { Host: 'shop.example:8080', Cookie: 'a=1; b=2', Accept: 'application/json', Connection: 'keep-alive' },
    });
    assert.deepEqual(JSON.parse(answer.body), {
      url: 'http://shop.example:8080/request?x=1&y=%20',
      method: 'GET',
      host: 'shop.example:8080',
      cookie: 'a=1; b=2',
      accept: 'application/json',
      connection: null,
      hasSignal: true,
    });
  });

  test('POST JSON in, JSON out with the status Hono chose', async () => {
    const answer = await ask(handle.port, 'POST', '/json', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'tsgi', tags: ['a', 'b', 'c'] }),
    });
    assert.equal(answer.status, 201);
    assert.equal(answer.statusMessage, 'Created');
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(answer.body), { hello: 'tsgi', tags: 3 });
  });

  test('a large chunked request body streams from wsgi.input into the Request', async () => {
    const parts = Array.from({ length: 64 }, (_, i) => Buffer.alloc(16_384, i));
    let sum = 0;
    for (const part of parts) for (const byte of part) sum = (sum + byte) % 65521;
    const answer = await ask(handle.port, 'PUT', '/upload', {
      headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
      body: parts,
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { length: 64 * 16_384, sum, type: 'application/octet-stream' });
  });

  test('the request body reaches the Fetch handler chunk by chunk, before the client has finished', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: handle.port,
          method: 'POST',
          path: '/first-chunk',
          agent: false,
          headers: { 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        },
      );
      const timer = setTimeout(
        () => req.destroy(new Error('No answer within 10 s: the body was not streamed to the Fetch handler.')),
        10_000,
      );
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      req.write('hello, still sending\n'); // and not ending the request until the answer came
      req.on('response', () => req.end());
    });
    assert.equal(answer, 'got hello, still sending\n');
  });

  test('two Set-Cookie fields stay two fields on the wire', async () => {
    const text = await raw(handle.port, 'GET /cookies HTTP/1.1\r\nHost: x.test\r\nConnection: close\r\n\r\n');
    const cookies = text.split('\r\n').filter((line) => /^set-cookie:/i.test(line));
    assert.deepEqual(
      cookies.map((line) => line.replace(/^set-cookie:\s*/i, '')),
      ['session=abc123; Path=/; HttpOnly', 'theme=dark; Max-Age=3600; Path=/; SameSite=Lax'],
    );
    assert.match(text, /\r\n\r\n(.*\r\n)?two cookies/);
  });

  test('hop-by-hop headers set by the Fetch application are stripped', async () => {
    const answer = await ask(handle.port, 'GET', '/hop');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['x-public'], 'fine');
    assert.equal(answer.headers['x-private'], undefined);
    assert.equal(answer.headers.upgrade, undefined);
    assert.notEqual(answer.headers.connection, 'X-Private');
    assert.equal(answer.body, 'hop-by-hop stripped');
  });

  test('a streaming Hono response: the first chunk arrives before the handler finishes', async () => {
    const { first, rest } = await new Promise<{ first: string; rest: Promise<string> }>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: handle.port, path: '/stream', agent: false, timeout: 20_000 },
        (res) => {
          let body = '';
          let firstSeen = false;
          let finish!: (text: string) => void;
          const rest = new Promise<string>((done) => (finish = done));
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
            if (!firstSeen) {
              firstSeen = true;
              resolve({ first: body, rest });
            }
          });
          res.on('end', () => finish(body));
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error('The first chunk did not arrive within 20 s: the response was not streamed.')),
      );
      req.on('error', reject);
    });
    assert.equal(first, 'first chunk\n');
    assert.equal(streamState.finished, false);
    release.open();
    assert.equal(await rest, 'first chunk\nsecond chunk\n');
    assert.equal(streamState.finished, true);
  });

  test('a client that hangs up mid-stream cancels the Response body (close() cancels the reader)', async () => {
    streamState.aborted = gate();
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: handle.port, path: '/endless', agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
          if (body.includes('line 2\n')) {
            req.destroy();
            resolve();
          }
        });
        res.on('error', () => {});
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error('The Hono stream was not aborted within 10 s of the hang-up.')),
        10_000,
      ).unref(),
    );
    await Promise.race([streamState.aborted.promise, timeout]);
  });

  test('a client that leaves before the answer aborts the Request signal the Fetch handler holds', async () => {
    const req = http.get({ host: '127.0.0.1', port: handle.port, path: '/wait', agent: false });
    req.on('error', () => {});
    await waiting.entered.promise;
    // A plain close (a FIN, as a closed browser tab sends): enough for the signal (docs/spec.md §3.5).
    req.destroy();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('request.signal did not abort within 10 s of the hang-up.')), 10_000).unref(),
    );
    await Promise.race([waiting.aborted.promise, timeout]);
  });

  test('HEAD gets the headers of GET and no body', async () => {
    const text = await raw(handle.port, 'HEAD / HTTP/1.1\r\nHost: x.test\r\nConnection: close\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\ncontent-type: text\/plain;charset=UTF-8\r\n/i);
    assert.ok(text.endsWith('\r\n\r\n'), `a body followed the headers: ${JSON.stringify(text)}`);
  });

  test('statuses Hono picks: 418 with its reason phrase, 204 without a body', async () => {
    const teapot = await ask(handle.port, 'GET', '/teapot');
    assert.equal(teapot.status, 418);
    assert.equal(teapot.statusMessage, "I'm a Teapot");
    assert.equal(teapot.body, 'short and stout');
    const empty = await raw(handle.port, 'GET /empty HTTP/1.1\r\nHost: x.test\r\nConnection: close\r\n\r\n');
    assert.match(empty, /^HTTP\/1\.1 204 No Content\r\n/);
    assert.ok(empty.endsWith('\r\n\r\n'));
  });

  test('a Hono handler that throws: Hono answers 500 itself, the server keeps serving', async () => {
    const failed = await ask(handle.port, 'GET', '/throws');
    assert.equal(failed.status, 500);
    assert.equal(failed.statusMessage, 'Internal Server Error');
    assert.equal(failed.body, 'Hono caught: Hono handler failed');
    assert.equal((await ask(handle.port, 'GET', '/')).status, 200);
  });

  test('a Fetch handler that throws gets a 500 from the server, its stack on wsgi.errors', async () => {
    const failing = await serve(
      fromFetchHandler(() => {
        throw new Error('the bare Fetch handler failed');
      }),
      { host: '127.0.0.1', port: 0, errors },
    );
    try {
      const answer = await ask(failing.port, 'GET', '/anything');
      assert.equal(answer.status, 500);
      assert.match(logged, /Error: the bare Fetch handler failed\n\s+at /);
    } finally {
      await failing.close();
    }
  });

  test('a Host that cannot form a URL gets a 400 that says why', async () => {
    const text = await raw(handle.port, 'GET / HTTP/1.1\r\nHost: bad host\r\nConnection: close\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.ok(
      text.includes(`The request's Host "bad host" and target do not form a valid URL ("http://bad host/").`),
      text,
    );
  });

  test('TRACE, which a Fetch Request cannot carry, gets a 501 that says why', async () => {
    const answer = await ask(handle.port, 'TRACE', '/');
    assert.equal(answer.status, 501);
    assert.equal(
      answer.body,
      'The method TRACE cannot be passed to a Fetch application: the Fetch standard forbids it in a Request.\n',
    );
  });
});

describe('fromFetchHandler: handlers and their mistakes', () => {
  /** Calls the application in-process with a minimal environ; returns status, headers and body. */
  async function call(
    app: Application,
    extra: Partial<Environ> = {},
  ): Promise<{ status: string; headers: Array<[string, string]>; body: string }> {
    let status = '';
    let headers: Array<[string, string]> = [];
    const environ = {
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '',
      PATH_INFO: '/',
      QUERY_STRING: '',
      SERVER_NAME: 'localhost',
      SERVER_PORT: '8000',
      SERVER_PROTOCOL: 'HTTP/1.1',
      'wsgi.version': [1, 0],
      'wsgi.url_scheme': 'http',
      'wsgi.input': {
        read: async () => new Uint8Array(0),
        readline: async () => new Uint8Array(0),
        async *[Symbol.asyncIterator]() {},
      },
      'wsgi.errors': { write() {}, flush() {} },
      'wsgi.multithread': false,
      'wsgi.multiprocess': false,
      'wsgi.run_once': false,
      ...extra,
    } as Environ;
    const body = await app(environ, (s, h) => {
      status = s;
      headers = h;
      return async () => {};
    });
    const parts: Uint8Array[] = [];
    for await (const chunk of body) parts.push(chunk);
    return { status, headers, body: Buffer.concat(parts).toString() };
  }

  test('a plain function and an object with fetch() are both accepted', async () => {
    const fn = await call(fromFetchHandler((request) => new Response(`fn ${new URL(request.url).pathname}`)));
    assert.equal(fn.body, 'fn /');
    const obj = await call(fromFetchHandler({ fetch: async (request) => new Response(`obj ${request.method}`) }));
    assert.equal(obj.body, 'obj GET');
  });

  test('the URL falls back to SERVER_NAME:SERVER_PORT and SCRIPT_NAME + PATH_INFO, encoded', async () => {
    const app = fromFetchHandler((request) => new Response(request.url));
    const { body } = await call(app, { SCRIPT_NAME: '/mount', PATH_INFO: '/café au lait/%FF', QUERY_STRING: 'a=1' });
    assert.equal(body, 'http://localhost:8000/mount/caf%C3%A9%20au%20lait/%FF?a=1');
    const ipv6 = await call(app, { SERVER_NAME: '::1', SERVER_PORT: '80' });
    assert.equal(ipv6.body, 'http://[::1]/');
  });

  test('RAW_URI is used only while it still matches SCRIPT_NAME + PATH_INFO', async () => {
    const app = fromFetchHandler((request) => new Response(request.url));
    const kept = await call(app, { PATH_INFO: '/a/b', RAW_URI: '/a%2Fb', HTTP_HOST: 'x.test' });
    assert.equal(kept.body, 'http://x.test/a%2Fb');
    const rewritten = await call(app, { PATH_INFO: '/rewritten', RAW_URI: '/original', HTTP_HOST: 'x.test' });
    assert.equal(rewritten.body, 'http://x.test/rewritten');
    const absolute = await call(app, { PATH_INFO: '/p', RAW_URI: 'http://proxy.example/p', HTTP_HOST: 'x.test' });
    assert.equal(absolute.body, 'http://x.test/p');
  });

  test('a handler that does not return a Response is an error that says what it returned', async () => {
    const app = fromFetchHandler((() => 'text') as never);
    await assert.rejects(call(app), {
      name: 'TypeError',
      message: 'The Fetch application returned a string ("text"); it must return a Response or a promise of one.',
    });
  });

  test("a handler that throws: the error reaches the server as the application's own", async () => {
    const app = fromFetchHandler(async () => {
      throw new RangeError('the Fetch handler failed');
    });
    await assert.rejects(call(app), { name: 'RangeError', message: 'the Fetch handler failed' });
  });

  test('a response stream that produces strings is an error, not garbage on the wire', async () => {
    const app = fromFetchHandler(() => new Response(new ReadableStream({ start: (c) => c.enqueue('not bytes') })));
    await assert.rejects(call(app), {
      name: 'TypeError',
      message:
        'The Fetch application\'s response body produced a string ("not bytes"); a Response body stream must produce Uint8Array chunks.',
    });
  });

  test('close() before reading cancels the Response body', async () => {
    let cancelled = false;
    const app = fromFetchHandler(() => new Response(new ReadableStream({ cancel: () => void (cancelled = true) })));
    const body = (await app(
      {
        REQUEST_METHOD: 'GET',
        SCRIPT_NAME: '',
        PATH_INFO: '/',
        QUERY_STRING: '',
        SERVER_NAME: 'h',
        SERVER_PORT: '80',
        'wsgi.url_scheme': 'http',
      } as Environ,
      () => async () => {},
    )) as { close(): Promise<void> };
    await body.close();
    assert.equal(cancelled, true);
  });

  test('fromFetchHandler refuses what is not a handler', () => {
    assert.throws(() => fromFetchHandler({ handle() {} } as never), {
      name: 'TypeError',
      message:
        'fromFetchHandler() takes a function (request) => Response or an object with a fetch(request) method, such as a Hono app; it was given a plain object.',
    });
  });
});
