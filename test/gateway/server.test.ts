/**
 * The reference server: the conformance suite over serve(), then what is particular to
 * serve() and createListener() (options, app.ready, close()).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, test } from 'node:test';
import { ClientDisconnectedError } from '../../src/gateway/exchange.ts';
import { RequestBodyError } from '../../src/gateway/input.ts';
import { createListener, serve } from '../../src/gateway/server.ts';
import type { Application, ErrorStream } from '../../src/gateway/types.ts';
import { validator } from '../../src/gateway/validator.ts';
import { runConformance } from './conformance.ts';
import { request } from './conformance-client.ts';

function captureErrors(): ErrorStream & { text(): string } {
  const parts: string[] = [];
  return { write: (t) => void parts.push(t), flush() {}, text: () => parts.join('') };
}

// The gateway validator checks both sides of every exchange.
runConformance(
  'serve(), apps wrapped in validator()',
  async (app) => {
    const errors = captureErrors();
    const handle = await serve(app, { port: 0, errors });
    return { port: handle.port, errorOutput: errors.text, close: handle.close };
  },
  { wrap: validator },
);

const encoder = new TextEncoder();
const hello: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [encoder.encode('hi')];
};
/** An app answering with chosen environ keys as JSON. */
const environApp: Application = (environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  const keys = [
    'SCRIPT_NAME',
    'PATH_INFO',
    'wsgi.url_scheme',
    'wsgi.multiprocess',
    'REMOTE_ADDR',
    'SERVER_NAME',
    'SERVER_PORT',
    'x.custom',
  ];
  const out = Object.fromEntries(keys.map((k) => [k, environ[k]]));
  out['has.signal'] = 'tsgi.signal' in environ;
  return [encoder.encode(JSON.stringify(out))];
};

describe('serve()', () => {
  test('resolves a handle with the bound port and URL; close() stops it', async () => {
    const handle = await serve(hello, { port: 0 });
    assert.equal(handle.host, '127.0.0.1');
    assert.ok(handle.port > 0);
    assert.equal(handle.url, `http://127.0.0.1:${handle.port}`);
    const response = await fetch(handle.url + '/');
    assert.equal(await response.text(), 'hi');
    await handle.close();
    await handle.close();
    await assert.rejects(fetch(handle.url + '/'));
  });

  test('an IPv6 host gets a bracketed URL', async (t) => {
    let handle;
    try {
      handle = await serve(hello, { host: '::1', port: 0 });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return t.skip('this machine has no IPv6 loopback');
      throw error;
    }
    assert.equal(handle.host, '::1');
    assert.equal(handle.url, `http://[::1]:${handle.port}`);
    assert.equal(await (await fetch(handle.url + '/')).text(), 'hi');
    await handle.close();
  });

  test('waits for app.ready before listening', async () => {
    let resolveReady!: () => void;
    const app: Application = Object.assign(((environ, startResponse) => hello(environ, startResponse)) as Application, {
      ready: new Promise<void>((r) => (resolveReady = r)),
    });
    let listening = false;
    const serving = serve(app, { port: 0 }).then((h) => {
      listening = true;
      return h;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(listening, false);
    resolveReady();
    const handle = await serving;
    assert.equal(await (await fetch(handle.url)).text(), 'hi');
    await handle.close();
  });

  test('rejects when app.ready rejects', async () => {
    const app = Object.assign(((e, s) => hello(e, s)) as Application, {
      ready: Promise.reject(new Error('no database')),
    });
    await assert.rejects(serve(app, { port: 0 }), /no database/);
  });

  test('rejects with the listen error when the port is taken', async () => {
    const first = await serve(hello, { port: 0 });
    await assert.rejects(serve(hello, { port: first.port }), /EADDRINUSE/);
    await first.close();
  });

  test('environ options: scriptName, urlScheme, multiprocess, adjustEnviron, signal', async () => {
    const handle = await serve(environApp, {
      port: 0,
      scriptName: '/app',
      urlScheme: 'https',
      multiprocess: true,
      signal: false,
      adjustEnviron(environ) {
        environ['x.custom'] = 'adjusted';
        if (environ.HTTP_X_FORWARDED_FOR) environ.REMOTE_ADDR = environ.HTTP_X_FORWARDED_FOR;
      },
    });
    const response = await request(handle.port, 'GET', '/app/page', { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    assert.deepEqual(JSON.parse(response.body.toString()), {
      SCRIPT_NAME: '/app',
      PATH_INFO: '/page',
      'wsgi.url_scheme': 'https',
      'wsgi.multiprocess': true,
      REMOTE_ADDR: '203.0.113.7',
      SERVER_NAME: '127.0.0.1',
      SERVER_PORT: String(handle.port),
      'x.custom': 'adjusted',
      'has.signal': false,
    });
    // A path outside the mount point is left whole.
    const outside = await request(handle.port, 'GET', '/application');
    assert.equal(JSON.parse(outside.body.toString()).PATH_INFO, '/application');
    await handle.close();
  });

  test('SERVER_NAME and SERVER_PORT come from the socket without a Host header (HTTP/1.0)', async () => {
    const handle = await serve(environApp, { port: 0 });
    const { exchangeRaw, parseResponses } = await import('./conformance-client.ts');
    const [response] = parseResponses(await exchangeRaw(handle.port, 'GET /x HTTP/1.0\r\n\r\n'));
    const environ = JSON.parse(response!.body.toString());
    assert.equal(environ.SERVER_NAME, '127.0.0.1');
    assert.equal(environ.SERVER_PORT, String(handle.port));
    await handle.close();
  });

  test('maxHeaderSize: a head over the limit gets 431 with a reason', async () => {
    const handle = await serve(hello, { port: 0, maxHeaderSize: 1024 });
    const { exchangeRaw, parseResponses } = await import('./conformance-client.ts');
    const small = parseResponses(
      await exchangeRaw(handle.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    assert.equal(small[0]!.status, 200);
    const [big] = parseResponses(
      await exchangeRaw(handle.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(2048)}\r\n\r\n`),
    );
    assert.equal(big!.statusLine, 'HTTP/1.1 431 Request Header Fields Too Large');
    assert.equal(big!.header('connection'), 'close');
    assert.equal(
      big!.body.toString(),
      'Request Header Fields Too Large: the request headers exceed the server limit.\n',
    );
    await handle.close();
  });

  test('close() lets an in-flight request finish', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const app: Application = async (_environ, startResponse) => {
      await gate;
      startResponse('200 OK', []);
      return [encoder.encode('finished')];
    };
    const handle = await serve(app, { port: 0 });
    const inFlight = request(handle.port, 'GET', '/');
    await new Promise((r) => setTimeout(r, 30));
    const closing = handle.close();
    release();
    assert.equal((await inFlight).body.toString(), 'finished');
    await closing;
  });

  test('a truncated request body makes wsgi.input reads fail with a clear error', async () => {
    let seen: unknown;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const app: Application = async (environ, startResponse) => {
      try {
        await environ['wsgi.input'].read();
      } catch (error) {
        seen = error;
        done();
      }
      startResponse('200 OK', []);
      return [];
    };
    const handle = await serve(app, { port: 0 });
    const { connect } = await import('./conformance-client.ts');
    const socket = await connect(handle.port);
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789');
    await new Promise((r) => setTimeout(r, 30));
    socket.destroy();
    await finished;
    assert.equal(
      (seen as Error).message,
      'The client closed the connection before the request body was complete (received 10 of 100 bytes).',
    );
    await handle.close();
  });

  test('write() after the client went away rejects with ClientDisconnectedError', async () => {
    let seen: unknown;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const app: Application = async (environ, startResponse) => {
      const write = startResponse('200 OK', []);
      await write(encoder.encode('first'));
      await new Promise((r) => environ['tsgi.signal']!.addEventListener('abort', r));
      try {
        await write(encoder.encode('second'));
      } catch (error) {
        seen = error;
      }
      done();
      return [];
    };
    const handle = await serve(app, { port: 0 });
    const { connect, readUntil } = await import('./conformance-client.ts');
    const socket = await connect(handle.port);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await readUntil(socket, (b) => b.includes('first'));
    // A reset, so that the next write fails: after a FIN alone the server keeps sending, for a
    // client that half-closed may still read (§3.5); only the signal aborts then.
    socket.resetAndDestroy();
    await finished;
    assert.ok(seen instanceof ClientDisconnectedError);
    assert.equal((seen as Error).message, 'The client closed the connection before the response was complete.');
    await handle.close();
  });
});

test('serve(): a client that leaves while an async body waits gets close() called at once', async () => {
  let closed = 0;
  let release!: (r: IteratorResult<Uint8Array>) => void;
  const app: Application = async (_environ, startResponse) => {
    const write = startResponse('200 OK', []);
    await write(encoder.encode('start'));
    return {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Uint8Array>>((r) => (release = r)) }),
      close() {
        closed++;
        release({ done: true, value: undefined });
      },
    };
  };
  const handle = await serve(app, { port: 0 });
  const { connect, readUntil } = await import('./conformance-client.ts');
  const socket = await connect(handle.port);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await readUntil(socket, (b) => b.includes('start'));
  socket.resetAndDestroy(); // gone for sure: after a FIN alone the body is kept for a half-closed client (§3.5)
  const deadline = Date.now() + 10_000;
  while (closed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(closed, 1);
  await handle.close();
});

test('serve(): a client that closes (FIN) while the application computes aborts tsgi.signal at once (§3.5)', async () => {
  let aborted!: (reason: unknown) => void;
  const abortedWith = new Promise((resolve) => (aborted = resolve));
  const app: Application = async (environ, startResponse) => {
    const signal = environ['tsgi.signal']!;
    // Long work that stops when the client is gone, as an application should write it.
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    aborted(signal.reason);
    startResponse('200 OK', []);
    return [];
  };
  const handle = await serve(app, { port: 0 });
  const { connect } = await import('./conformance-client.ts');
  const socket = await connect(handle.port);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  socket.end(); // a FIN, as a closed browser tab sends: no reset
  assert.ok((await abortedWith) instanceof ClientDisconnectedError);
  socket.destroy();
  await handle.close();
});

describe('serve() with body limits (BodyLimits)', () => {
  /** An app that reads the whole body, answers what it read or the error it got, and records the error. */
  function reader() {
    const seen: unknown[] = [];
    const app: Application = async (environ, startResponse) => {
      let text: string;
      try {
        text = `read ${(await environ['wsgi.input'].read()).length}`;
      } catch (error) {
        seen.push(error);
        text = `error ${(error as Error).message}`;
      }
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [encoder.encode(text)];
    };
    return { app, seen };
  }

  async function exchangeRaw(port: number, head: string, then?: (s: Socket) => Promise<void>) {
    const { connect } = await import('./conformance-client.ts');
    const socket = await connect(port);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    const closed = new Promise<string>((resolve) =>
      socket.on('close', () => resolve(Buffer.concat(chunks).toString())),
    );
    socket.write(head);
    if (then) await then(socket);
    return closed;
  }

  test("a chunked body past maxBytes: 413 on the wire, the read rejects with RequestBodyError, the app's answer is dropped", async () => {
    const { app, seen } = reader();
    const handle = await serve(app, { port: 0, body: { maxBytes: 10, idleTimeoutMs: 0, timeoutMs: 0 } });
    const reply = await exchangeRaw(
      handle.port,
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n',
    );
    assert.match(reply, /^HTTP\/1\.1 413 Content Too Large\r\n/);
    assert.match(reply, /\r\n\r\nThe request body is larger than 10 bytes\.\n$/);
    assert.doesNotMatch(reply, /error|read \d/);
    assert.equal(seen.length, 1);
    assert.ok(seen[0] instanceof RequestBodyError);
    assert.equal((seen[0] as RequestBodyError).status, 413);
    assert.equal((seen[0] as RequestBodyError).code, 'ERR_TSGI_BODY_TOO_LARGE');
    await handle.close();
  });

  test('idleTimeoutMs: 408 when a read waits that long for the next byte', async () => {
    const { app, seen } = reader();
    const handle = await serve(app, { port: 0, body: { maxBytes: 0, idleTimeoutMs: 300, timeoutMs: 0 } });
    const reply = await exchangeRaw(handle.port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123');
    assert.match(reply, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(reply, /No byte of the request body arrived for 0\.3 s\.\n$/);
    assert.equal((seen[0] as RequestBodyError).code, 'ERR_TSGI_BODY_TIMEOUT');
    await handle.close();
  });

  test('the clocks do not run before the application reads', async () => {
    const app: Application = async (environ, startResponse) => {
      await new Promise((r) => setTimeout(r, 600));
      const body = await environ['wsgi.input'].read();
      startResponse('200 OK', []);
      return [body];
    };
    const handle = await serve(app, { port: 0, body: { maxBytes: 0, idleTimeoutMs: 200, timeoutMs: 200 } });
    const reply = await exchangeRaw(
      handle.port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n',
      async (socket) => {
        await new Promise((r) => setTimeout(r, 400));
        socket.write('hello');
      },
    );
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nhello$/);
    await handle.close();
  });

  test('without body limits nothing changes: a slow body is waited for', async () => {
    const { app } = reader();
    const handle = await serve(app, { port: 0 });
    const reply = await exchangeRaw(
      handle.port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\n01',
      async (socket) => {
        await new Promise((r) => setTimeout(r, 300));
        socket.write('23');
      },
    );
    assert.match(reply, /read 4$/);
    await handle.close();
  });
});

test('createServer(): an unknown method in a well-formed request line gets 501, garbage gets 400 (RFC 9110 §15.6.2)', async () => {
  const handle = await serve(hello, { port: 0 });
  const { connect } = await import('./conformance-client.ts');
  const send = async (bytes: string) => {
    const socket = await connect(handle.port);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.write(bytes);
    await new Promise((r) => socket.on('close', r));
    return Buffer.concat(chunks).toString();
  };
  const foo = await send('FOO /hello/ HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(foo, /^HTTP\/1\.1 501 Not Implemented\r\n/);
  assert.match(foo, /\r\nConnection: close\r\n/);
  assert.match(foo, /\r\n\r\nNot Implemented: this server does not implement the method FOO\.\n$/);
  assert.match(await send('THIS IS NOT HTTP\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(await send('G(T / HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
  await handle.close();
});

describe('createListener()', () => {
  test('works as a plain node:http listener, with checkContinue wired by hand', async () => {
    const listener = createListener(hello);
    const server = http.createServer(listener).on('checkContinue', listener.checkContinue);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    assert.equal((await request(port, 'GET', '/')).body.toString(), 'hi');
    await new Promise((r) => server.close(r));
  });

  test('requests wait for app.ready; a rejected ready answers 503 and is logged', async () => {
    let rejectReady!: (e: Error) => void;
    const app = Object.assign(((e, s) => hello(e, s)) as Application, {
      ready: new Promise<void>((_, r) => (rejectReady = r)),
    });
    const errors = captureErrors();
    const listener = createListener(app, { errors });
    const server = http.createServer(listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const pending = request(port, 'GET', '/');
    await new Promise((r) => setTimeout(r, 20));
    rejectReady(new Error('settings are broken'));
    const response = await pending;
    assert.equal(response.status, 503);
    assert.equal(response.body.toString(), 'Service Unavailable: the application failed to load.\n');
    assert.match(
      errors.text(),
      /the application failed to load \(its ready promise rejected\):\nError: settings are broken/,
    );
    await new Promise((r) => server.close(r));
  });

  test('refuses something that is not an application', () => {
    assert.throws(() => createListener({} as Application), {
      message: 'createListener() takes a TSGI application (a function (environ, startResponse) => body), not object.',
    });
  });
});

describe('single-chunk bodies', () => {
  // Small bodies are written with the head as one latin1 string (exchange.ts, #sendArray): every
  // byte value must come through unchanged, from a Buffer, from a plain Uint8Array and from a
  // view into a larger buffer, on both sides of the size limit.
  const every = Uint8Array.from({ length: 256 }, (_, i) => i);
  const backing = new Uint8Array(600);
  backing.set(every, 100);
  const bodies: Array<[string, Uint8Array]> = [
    ['a Buffer of every byte value', Buffer.from(every)],
    ['a plain Uint8Array of every byte value', every],
    ['a view at an offset into a larger buffer', backing.subarray(100, 356)],
    ['a body just under the limit', Uint8Array.from({ length: 2048 }, (_, i) => (i * 7) & 255)],
    ['a body over the limit (sent as a buffer)', Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) & 255)],
  ];
  for (const [what, body] of bodies) {
    test(what, async () => {
      const app: Application = (_environ, startResponse) => {
        startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
        return [body];
      };
      const handle = await serve(app, { port: 0 });
      try {
        const response = await request(handle.port, 'GET', '/');
        assert.equal(response.status, 200);
        assert.equal(response.header('content-length'), String(body.length));
        assert.ok(response.complete);
        assert.deepEqual(new Uint8Array(response.body), new Uint8Array(body));
      } finally {
        await handle.close();
      }
    });
  }
});
