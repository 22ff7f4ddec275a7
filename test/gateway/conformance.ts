/**
 * The gateway conformance suite: one set of checks, over real sockets, that every TSGI server
 * must pass (docs/spec.md), in the manner of Hono's `common.case.test`. It is not a test file
 * itself; a server's test file runs it:
 *
 * ```ts
 * import { runConformance } from './conformance.ts';
 * runConformance('serve()', async (app) => {
 *   const log: string[] = [];
 *   const handle = await serve(app, { port: 0, errors: { write: (t) => log.push(t), flush() {} } });
 *   return { port: handle.port, errorOutput: () => log.join(''), close: () => handle.close() };
 * });
 * ```
 *
 * `start(app)` gets the suite's application (conformance-apps.ts); with
 * `{ wrap: validator }` its well-behaved parts are wrapped in the gateway validator,
 * which then checks the server's side of every exchange too. A server in another process ignores it and loads
 * `test/gateway/conformance-apps.ts:application` (the same application) instead. `errorOutput`
 * returns what the server wrote to `wsgi.errors` (or its stderr); without it, the checks of the
 * error log are skipped.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Application } from '../../src/gateway/types.ts';
import { conformanceApplication, fileServed } from './conformance-apps.ts';
import { connect, exchangeRaw, parseResponses, readUntil, readUntilClose, request } from './conformance-client.ts';

/** A running server under test. */
export interface ConformanceServer {
  port: number;
  /** What the server wrote to `wsgi.errors` so far; optional. */
  errorOutput?(): string;
  close(): Promise<void>;
}

/** Starts a server for `app` on 127.0.0.1 (port 0 advised). */
export type StartConformanceServer = (app: Application) => Promise<ConformanceServer>;

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Wraps the well-behaved apps (default: none); pass the gateway validator to check both sides. */
  wrap?: (app: Application) => Application;
}

let idCounter = 0;
const newId = () => `r${process.pid}-${++idCounter}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Registers the conformance tests for one server under `describe(name)`.
 */
export function runConformance(name: string, start: StartConformanceServer, options: ConformanceOptions = {}): void {
  describe(`TSGI conformance: ${name}`, () => {
    let server: ConformanceServer;
    let port: number;

    before(async () => {
      server = await start(conformanceApplication(options.wrap));
      port = server.port;
    });
    after(async () => {
      await server?.close();
    });

    /** Polls the events recorded for a request until `predicate` holds (failure guard: 10 s). */
    async function eventsUntil(id: string, predicate: (events: string[]) => boolean): Promise<string[]> {
      const deadline = Date.now() + 10_000;
      let events: string[] = [];
      while (Date.now() < deadline) {
        const response = await request(port, 'GET', `/_events?id=${id}`);
        events = JSON.parse(response.body.toString()) as string[];
        if (predicate(events)) return events;
        await sleep(20);
      }
      assert.fail(`The expected events for request ${id} were not recorded; recorded: ${JSON.stringify(events)}`);
    }

    async function assertLogged(fragment: string): Promise<void> {
      if (!server.errorOutput) return;
      const deadline = Date.now() + 5000;
      while (!server.errorOutput().includes(fragment) && Date.now() < deadline) await sleep(10);
      assert.ok(
        server.errorOutput().includes(fragment),
        `wsgi.errors should contain ${JSON.stringify(fragment)}; it has:\n${server.errorOutput()}`,
      );
    }

    test('plain: an array body gets its Content-Length, and close() is called', async () => {
      const id = newId();
      const response = await request(port, 'GET', `/plain?id=${id}`);
      assert.equal(response.statusLine, 'HTTP/1.1 200 OK');
      assert.equal(response.header('content-type'), 'text/plain; charset=utf-8');
      assert.equal(response.header('content-length'), '13');
      assert.equal(response.body.toString(), 'Hello, world!');
      assert.deepEqual(await eventsUntil(id, (e) => e.includes('close')), ['close']);
    });

    test('streaming: a generator body goes out chunked on HTTP/1.1', async () => {
      const id = newId();
      const response = await request(port, 'GET', `/streaming?id=${id}`);
      assert.equal(response.status, 200);
      assert.equal(response.header('transfer-encoding'), 'chunked');
      assert.equal(response.header('content-length'), undefined);
      assert.ok(response.complete);
      assert.equal(response.body.toString(), 'one,two,three');
      assert.deepEqual(await eventsUntil(id, (e) => e.includes('close')), ['close']);
    });

    test('streaming on HTTP/1.0: no chunked encoding, the body ends with the connection', async () => {
      const data = await exchangeRaw(port, 'GET /streaming HTTP/1.0\r\nHost: x\r\n\r\n');
      const [response] = parseResponses(data);
      assert.equal(response!.status, 200);
      assert.equal(response!.header('transfer-encoding'), undefined);
      assert.equal(response!.body.toString(), 'one,two,three');
    });

    test('async: an async application with an async generator body', async () => {
      const id = newId();
      const response = await request(port, 'GET', `/async?id=${id}`);
      assert.equal(response.status, 200);
      assert.equal(response.body.toString(), 'abc');
      assert.ok(response.complete);
      await eventsUntil(id, (e) => e.includes('close'));
    });

    test('startResponse called from inside the body, before its first chunk', async () => {
      const response = await request(port, 'GET', '/lazy-start');
      assert.equal(response.statusLine, 'HTTP/1.1 201 Created');
      assert.equal(response.body.toString(), 'made');
    });

    test('write(): written chunks come before the returned body, empty writes send nothing', async () => {
      const id = newId();
      const response = await request(port, 'GET', `/write?id=${id}`);
      assert.equal(response.status, 200);
      assert.equal(response.body.toString(), 'written then returned');
      assert.ok(response.complete);
      await eventsUntil(id, (e) => e.includes('close'));
    });

    test('excInfo before the headers replaces the status and headers', async () => {
      const response = await request(port, 'GET', '/exc-before');
      assert.equal(response.statusLine, 'HTTP/1.1 500 Internal Server Error');
      assert.equal(response.body.toString(), 'error page');
    });

    test('excInfo after the headers: the error is re-thrown and the connection cut', async () => {
      const id = newId();
      const response = await request(port, 'GET', `/exc-after?id=${id}`);
      assert.equal(response.status, 200);
      assert.equal(response.body.toString(), 'partial');
      assert.equal(response.complete, false, 'the client must see an incomplete body');
      await eventsUntil(id, (e) => e.includes('close'));
      await assertLogged('failed after the headers');
    });

    test('HEAD: headers with the Content-Length, no body bytes (the next response follows at once)', async () => {
      const id = newId();
      const data = await exchangeRaw(
        port,
        `HEAD /head?id=${id} HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      const responses = parseResponses(data, ['HEAD', 'GET']);
      assert.equal(responses.length, 2);
      assert.equal(responses[0]!.header('content-length'), '13');
      assert.equal(responses[0]!.raw.toString('latin1').endsWith('\r\n\r\n'), true);
      assert.equal(responses[1]!.body.toString(), 'Hello, world!');
      await eventsUntil(id, (e) => e.includes('close'));
    });

    test('HEAD on a streaming body: no body bytes, close() called', async () => {
      const id = newId();
      const data = await exchangeRaw(
        port,
        `HEAD /streaming?id=${id} HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      const responses = parseResponses(data, ['HEAD', 'GET']);
      assert.equal(responses.length, 2);
      assert.equal(responses[0]!.status, 200);
      assert.equal(responses[1]!.body.toString(), 'Hello, world!');
      await eventsUntil(id, (e) => e.includes('close'));
    });

    test('HEAD with an empty body and no Content-Length: neither Content-Length nor chunked, and the connection is reused (RFC 9110 §9.3.2)', async () => {
      // The GET of /head-empty is 13 bytes: "Content-Length: 0" would misstate it (RFC 9110 §8.6).
      const data = await exchangeRaw(
        port,
        'HEAD /head-empty HTTP/1.1\r\nHost: x\r\n\r\nHEAD /head-empty-stream HTTP/1.1\r\nHost: x\r\n\r\n' +
          'HEAD /plain HTTP/1.1\r\nHost: x\r\n\r\nGET /head-empty HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      const responses = parseResponses(data, ['HEAD', 'HEAD', 'HEAD', 'GET']);
      assert.equal(responses.length, 4, data.toString('latin1'));
      for (const response of responses.slice(0, 2)) {
        assert.equal(response.status, 200);
        assert.equal(response.header('content-length'), undefined, response.raw.toString('latin1'));
        assert.equal(response.header('transfer-encoding'), undefined, response.raw.toString('latin1'));
        assert.equal(response.header('connection')?.toLowerCase() === 'close', false, 'the connection stays reusable');
      }
      // An array body with bytes on HEAD: its length is the one the GET sends.
      assert.equal(responses[2]!.header('content-length'), '13');
      assert.equal(responses[3]!.header('content-length'), '13');
      assert.equal(responses[3]!.body.toString(), 'Hello, world!');
    });

    for (const [path, status] of [
      ['/no-content', 204],
      ['/not-modified', 304],
    ] as const) {
      test(`${status}: no body, no Content-Length or Transfer-Encoding`, async () => {
        const data = await exchangeRaw(
          port,
          `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        );
        const responses = parseResponses(data);
        assert.equal(responses.length, 2);
        assert.equal(responses[0]!.status, status);
        assert.equal(responses[0]!.header('transfer-encoding'), undefined);
        assert.equal(responses[0]!.header('content-length'), undefined);
        assert.equal(responses[1]!.body.toString(), 'Hello, world!');
      });
    }

    test('client disconnect mid-stream: tsgi.signal aborts and close() is still called', async () => {
      const id = newId();
      const socket = await connect(port);
      socket.write(`GET /forever?id=${id} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await readUntil(socket, (received) => received.includes('tick 3'));
      socket.destroy();
      const events = await eventsUntil(id, (e) => e.includes('close') && e.includes('abort'));
      assert.equal(events.filter((e) => e === 'close').length, 1);
    });

    test('a client that half-closes after a large request body still gets the response; tsgi.signal aborts on its FIN (§3.5)', async () => {
      const id = newId();
      const size = 4 * 1024 * 1024;
      const socket = await connect(port);
      const received = readUntilClose(socket);
      socket.write(
        `POST /upload-wait?id=${id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(size, 120));
      socket.end(); // shutdown(SHUT_WR): nothing more to send, still reading
      const [response] = parseResponses(await received);
      assert.equal(response?.status, 200);
      // The whole body arrived, then the FIN: the application was told, and answered anyway.
      assert.deepEqual(JSON.parse(response!.body.toString()), { length: size, aborted: true });
      const events = await eventsUntil(id, (e) => e.includes('close'));
      assert.ok(events.includes('abort'), JSON.stringify(events));
    });

    test('overlapping write() calls (an application error, §4.4) all settle: the response completes', async () => {
      const size = 1024 * 1024;
      const [response] = parseResponses(
        await exchangeRaw(
          port,
          `GET /overlap-write?size=${size} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          5000,
        ),
      );
      assert.equal(response?.status, 200);
      assert.equal(response!.complete, true);
      assert.equal(response!.body.length, 3 * size + 3);
      assert.equal(response!.body.subarray(size - 1, size + 1).toString(), 'ab');
      assert.equal(response!.body.subarray(3 * size).toString(), 'end');
    });

    test('a large body with backpressure: the app waits for a slow client, every byte arrives', async () => {
      const id = newId();
      const size = 32 * 1024 * 1024;
      const socket = await connect(port);
      socket.pause();
      socket.write(`GET /large?id=${id}&size=${size} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const produced = (events: string[]) =>
        Number(
          events
            .filter((e) => e.startsWith('produced'))
            .at(-1)
            ?.split(' ')[1] ?? 0,
        );
      await eventsUntil(id, (e) => produced(e) > 0);
      // The client reads nothing: the app must stall far short of the whole body.
      let previous = -1;
      let current = 0;
      for (let i = 0; i < 50 && current !== previous; i++) {
        await sleep(50);
        previous = current;
        current = produced(await eventsUntil(id, () => true));
      }
      assert.ok(
        current < size,
        `the app produced ${current} of ${size} bytes while the client read nothing: no backpressure`,
      );
      const data = await readUntilClose(socket, 30_000, () => socket.resume());
      const [response] = parseResponses(data);
      assert.equal(response!.status, 200);
      assert.equal(response!.body.length, size);
      assert.ok(response!.complete);
      await eventsUntil(id, (e) => e.includes('close'));
    });

    test('Expect: 100-continue is answered when the app first reads the body', async () => {
      const socket = await connect(port);
      socket.write(
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      );
      const interim = await readUntil(socket, (received) => received.includes('\r\n\r\n'));
      assert.equal(interim.toString('latin1'), 'HTTP/1.1 100 Continue\r\n\r\n');
      const data = await readUntilClose(socket, 10_000, () => socket.write('hello world'));
      const [response] = parseResponses(data);
      assert.equal(response!.status, 200);
      assert.equal(JSON.parse(response!.body.toString()).body, 'hello world');
    });

    test('Expect: 100-continue not read by the app: no 100, the final answer, and the connection closes', async () => {
      const socket = await connect(port);
      const data = await readUntilClose(socket, 10_000, () =>
        socket.write('POST /ignore-body HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n'),
      );
      const responses = parseResponses(data);
      assert.equal(responses.length, 1);
      assert.equal(responses[0]!.status, 200);
      assert.equal(responses[0]!.body.toString(), 'ignored');
      assert.equal(responses[0]!.header('connection'), 'close');
    });

    for (const how of ['read', 'iterate', 'readline', 'sized']) {
      test(`a chunked request body is read to its end (${how})`, async () => {
        const body = 'line one\nline two\nthe end';
        const chunked = `9\r\nline one\n\r\n9\r\nline two\n\r\n7\r\nthe end\r\n0\r\n\r\n`;
        const response = await request(port, 'POST', `/echo?how=${how}`, {
          headers: { 'Transfer-Encoding': 'chunked' },
          body: chunked,
        });
        const json = JSON.parse(response.body.toString());
        assert.equal(json.body, body);
        assert.equal(json.contentLength, null);
        if (how === 'readline') assert.equal(json.parts, 3);
      });
    }

    test('a Content-Length request body ends at Content-Length', async () => {
      const response = await request(port, 'POST', '/echo?how=sized', { body: 'x'.repeat(100) });
      const json = JSON.parse(response.body.toString());
      assert.equal(json.length, 100);
      assert.equal(json.contentLength, '100');
    });

    for (const chunked of [false, true]) {
      test(`a large request body (${chunked ? 'chunked' : 'Content-Length'}) arrives whole`, async () => {
        const size = 8 * 1024 * 1024 + 3;
        const body = Buffer.alloc(size);
        for (let i = 0; i < size; i++) body[i] = (i * 7) & 255;
        const socket = await connect(port);
        const head = `POST /echo?how=hash HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`}\r\n\r\n`;
        const done = readUntilClose(socket, 30_000);
        socket.write(head);
        for (let at = 0; at < size; at += 1024 * 1024) {
          const piece = body.subarray(at, Math.min(size, at + 1024 * 1024));
          const bytes = chunked
            ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
            : piece;
          if (!socket.write(bytes)) await new Promise((r) => socket.once('drain', r));
        }
        if (chunked) socket.write('0\r\n\r\n');
        const [response] = parseResponses(await done);
        assert.equal(response!.status, 200);
        assert.deepEqual(JSON.parse(response!.body.toString()), {
          length: size,
          sha256: createHash('sha256').update(body).digest('hex'),
        });
      });
    }

    test('pipelined requests are answered in order', async () => {
      const data = await exchangeRaw(
        port,
        'GET /plain HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /streaming HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      const responses = parseResponses(data);
      assert.deepEqual(
        responses.map((r) => r.status),
        [200, 200, 200],
      );
      assert.equal(responses[0]!.body.toString(), 'Hello, world!');
      assert.equal(JSON.parse(responses[1]!.body.toString()).body, 'abc');
      assert.equal(responses[2]!.body.toString(), 'one,two,three');
    });

    for (const path of ['/cl-short', '/cl-short-stream']) {
      test(`Content-Length too long for the body (${path}): the connection is closed after the bytes sent`, async () => {
        // Keep-alive requested: only the server closing the connection ends this read.
        const data = await exchangeRaw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
        const [response] = parseResponses(data);
        assert.equal(response!.header('content-length'), '10');
        assert.equal(response!.body.toString(), '12345');
        assert.equal(response!.complete, false);
        await assertLogged('the application sent 5 bytes but its Content-Length is 10');
      });
    }

    test('Content-Length too short for the body: never more bytes than announced', async () => {
      const data = await exchangeRaw(
        port,
        'GET /cl-long HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      const responses = parseResponses(data);
      assert.equal(responses[0]!.body.toString(), '12345');
      if (responses.length > 1) assert.equal(responses[1]!.body.toString(), 'Hello, world!');
      await assertLogged('sent more than its Content-Length of 5 bytes');
    });

    test('a malformed request line gets 400 and the connection closes', async () => {
      const data = await exchangeRaw(port, 'THIS IS NOT HTTP\r\n\r\n');
      const [response] = parseResponses(data);
      assert.equal(response!.status, 400);
    });

    test('oversized request headers get 431', async () => {
      const data = await exchangeRaw(port, `GET /plain HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      const [response] = parseResponses(data);
      assert.equal(response!.status, 431);
    });

    for (const [path, fragment] of [
      ['/throw', 'conformance: the app threw'],
      ['/reject', 'conformance: the app rejected'],
      ['/throw-in-body', 'conformance: the body threw before its first chunk'],
    ]) {
      test(`an app that fails (${path}) gets 500, with its error and stack on wsgi.errors`, async () => {
        const response = await request(port, 'GET', path!);
        assert.equal(response.statusLine, 'HTTP/1.1 500 Internal Server Error');
        await assertLogged(fragment!);
        if (server.errorOutput) assert.match(server.errorOutput(), new RegExp(`${fragment}\\n\\s+at `));
      });
    }

    for (const [path, fragment] of [
      ['/bad-body', 'The application returned null, which is not a body'],
      ['/string-body', 'The application returned a string ("a string"), which is not a body'],
      ['/string-chunk', 'The application\'s body produced a string ("not bytes"); every chunk must be a Uint8Array'],
      ['/no-start', 'before calling startResponse()'],
      ['/hop-by-hop', 'hop-by-hop header "Connection"'],
      ['/twice', 'startResponse() was called a second time without excInfo'],
    ]) {
      test(`a broken app (${path}) gets 500 naming the problem`, async () => {
        const response = await request(port, 'GET', path!);
        assert.equal(response.status, 500);
        assert.equal(response.header('connection'), 'close');
        await assertLogged(fragment!);
      });
    }

    test('the environ: CGI keys, decoded PATH_INFO, headers joined, underscores dropped', async () => {
      const target = '/environ/caf%C3%A9/%FF%2Fx?a=1&b=%20';
      const raw =
        `GET ${target} HTTP/1.1\r\nHost: example.com:8080\r\nCookie: a=1\r\nCookie: b=2\r\nX-Multi: one\r\nX-Multi: two\r\n` +
        `X-Under_Score: hidden\r\nX-Under-Score: shown\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
      const [response] = parseResponses(await exchangeRaw(port, raw));
      const environ = JSON.parse(response!.body.toString());
      assert.equal(environ.REQUEST_METHOD, 'GET');
      assert.equal(environ.SCRIPT_NAME, '');
      assert.equal(environ.PATH_INFO, '/environ/café/%FF/x');
      assert.equal(environ.RAW_URI, target);
      assert.equal(environ.QUERY_STRING, 'a=1&b=%20');
      assert.equal(environ.SERVER_NAME, 'example.com');
      assert.equal(environ.SERVER_PORT, '8080');
      assert.equal(environ.SERVER_PROTOCOL, 'HTTP/1.1');
      assert.equal(environ.HTTP_HOST, 'example.com:8080');
      assert.equal(environ.HTTP_COOKIE, 'a=1; b=2');
      assert.equal(environ.HTTP_X_MULTI, 'one, two');
      assert.equal(environ.HTTP_X_UNDER_SCORE, 'shown');
      assert.equal(environ.CONTENT_TYPE, 'text/plain');
      assert.equal(environ.CONTENT_LENGTH, '0');
      assert.equal(environ.HTTP_CONTENT_TYPE, undefined);
      assert.equal(environ.REMOTE_ADDR, '127.0.0.1');
      assert.match(environ.REMOTE_PORT, /^\d+$/);
      assert.deepEqual(environ['wsgi.version'], [1, 0]);
      assert.equal(environ['wsgi.url_scheme'], 'http');
      assert.equal(typeof environ['wsgi.multithread'], 'boolean');
      assert.equal(typeof environ['wsgi.multiprocess'], 'boolean');
      assert.equal(environ['wsgi.run_once'], false);
      assert.equal(environ['has.signal'], true);
      assert.equal(environ['has.file_wrapper'], true);
    });

    test('the environ of an absolute-form request-target (RFC 9112 §3.2.2)', async () => {
      const target = 'http://example.com:8080/environ/abs?q=1';
      const [response] = parseResponses(
        await exchangeRaw(port, `GET ${target} HTTP/1.1\r\nHost: example.com:8080\r\nConnection: close\r\n\r\n`),
      );
      const environ = JSON.parse(response!.body.toString());
      assert.equal(environ.PATH_INFO, '/environ/abs');
      assert.equal(environ.QUERY_STRING, 'q=1');
      assert.equal(environ.RAW_URI, target);
    });

    test('a #fragment (never part of a request-target, RFC 9112 §3.2) is left out of PATH_INFO and QUERY_STRING; RAW_URI keeps it', async () => {
      for (const [target, pathInfo, query] of [
        ['/environ/page?a=1&b=2#section-2', '/environ/page', 'a=1&b=2'],
        ['/environ/page#top?not=query', '/environ/page', ''],
        ['/environ/caf%C3%A9%23x#y', '/environ/café#x', ''],
        ['/environ/p?q=%23#f#g', '/environ/p', 'q=%23'],
        ['/environ/p#', '/environ/p', ''],
        ['http://example.com/environ/abs?q=1#frag', '/environ/abs', 'q=1'],
      ] as const) {
        const [response] = parseResponses(
          await exchangeRaw(port, `GET ${target} HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`),
        );
        assert.equal(response?.status, 200, target);
        const environ = JSON.parse(response!.body.toString());
        assert.equal(environ.PATH_INFO, pathInfo, target);
        assert.equal(environ.QUERY_STRING, query, target);
        assert.equal(environ.RAW_URI, target, target);
      }
    });

    test('wsgi.file_wrapper streams a file, whole or a byte range, and is closed', async () => {
      const file = fileServed();
      const id = newId();
      const whole = await request(port, 'GET', `/file?id=${id}`);
      assert.equal(whole.status, 200);
      assert.ok(whole.body.equals(file));
      await eventsUntil(id, (e) => e.includes('close'));
      const range = await request(port, 'GET', '/file?offset=10&length=250');
      assert.ok(range.body.equals(file.subarray(10, 260)));
    });

    test('the server still answers after every failure above', async () => {
      const response = await request(port, 'GET', '/plain');
      assert.equal(response.body.toString(), 'Hello, world!');
    });
  });
}
