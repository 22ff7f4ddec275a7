/**
 * toFetchHandler in-process: a TSGI application called with WHATWG Requests, its Responses read
 * as a runtime would read them (docs/fetch.md, docs/spec.md).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toFetchHandler } from '../../src/gateway/fetch.ts';
import type { Application, Environ, ErrorStream, HeaderList } from '../../src/gateway/types.ts';

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

/** A wsgi.errors that keeps what it is given, for assertions. */
function collector(): ErrorStream & { text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
    flush() {},
  };
}

/** A promise and its resolver, to step an application from the test. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Runs one request and returns the environ the application saw. */
async function environOf(
  request: Request,
  options: Parameters<typeof toFetchHandler>[1] = {},
  ...context: unknown[]
): Promise<Environ> {
  let seen: Environ | undefined;
  const app: Application = (environ, startResponse) => {
    seen = environ;
    startResponse('200 OK', []);
    return [];
  };
  const response = await toFetchHandler(app, options)(request, ...context);
  await response.arrayBuffer();
  return seen!;
}

describe('toFetchHandler: the environ', () => {
  test('carries the CGI keys, the HTTP_* headers and the wsgi.* keys', async () => {
    const headers = new Headers({
      'X-Custom-Header': 'one',
      Accept: 'text/html',
      'Content-Type': 'text/plain',
      'Content-Length': '5',
    });
    headers.append('X-Custom-Header', 'two');
    headers.append('Cookie', 'a=1');
    headers.append('Cookie', 'b=2; c=3');
    headers.append('X_Underscore', 'dropped');
    const environ = await environOf(
      new Request('https://example.com:8443/caf%C3%A9/%FF?q=%C3%A9&x=1', { method: 'POST', headers, body: 'hello' }),
    );
    assert.equal(environ.REQUEST_METHOD, 'POST');
    assert.equal(environ.SCRIPT_NAME, '');
    assert.equal(environ.PATH_INFO, '/café/%FF');
    assert.equal(environ.QUERY_STRING, 'q=%C3%A9&x=1');
    assert.equal(environ.RAW_URI, '/caf%C3%A9/%FF?q=%C3%A9&x=1');
    assert.equal(environ.SERVER_NAME, 'example.com');
    assert.equal(environ.SERVER_PORT, '8443');
    assert.equal(environ.SERVER_PROTOCOL, 'HTTP/1.1');
    assert.equal(environ.CONTENT_TYPE, 'text/plain');
    assert.equal(environ.CONTENT_LENGTH, '5');
    assert.equal(environ.HTTP_CONTENT_TYPE, undefined);
    assert.equal(environ.HTTP_CONTENT_LENGTH, undefined);
    assert.equal(environ.HTTP_X_CUSTOM_HEADER, 'one, two');
    assert.equal(environ.HTTP_ACCEPT, 'text/html');
    assert.equal(environ.HTTP_COOKIE, 'a=1; b=2; c=3');
    assert.equal(environ.HTTP_X_UNDERSCORE, undefined);
    assert.equal(environ.HTTP_HOST, 'example.com:8443');
    assert.equal(environ.REMOTE_ADDR, undefined);
    assert.deepEqual(environ['wsgi.version'], [1, 0]);
    assert.equal(environ['wsgi.url_scheme'], 'https');
    assert.equal(environ['wsgi.multithread'], false);
    assert.equal(environ['wsgi.multiprocess'], false);
    assert.equal(environ['wsgi.run_once'], false);
    assert.ok(environ['tsgi.signal'] instanceof AbortSignal);
  });

  test('default ports, IPv6 hosts and the Host field the client sent', async () => {
    const plain = await environOf(new Request('http://example.com/'));
    assert.equal(plain.SERVER_PORT, '80');
    assert.equal(plain.HTTP_HOST, 'example.com');
    const secure = await environOf(new Request('https://[::1]/x'));
    assert.equal(secure.SERVER_NAME, '::1');
    assert.equal(secure.SERVER_PORT, '443');
    const hosted = await environOf(new Request('http://127.0.0.1:9000/', { headers: { Host: 'app.example' } }));
    assert.equal(hosted.HTTP_HOST, 'app.example');
  });

  test('scriptName splits the mount point from PATH_INFO, only for paths under it', async () => {
    const under = await environOf(new Request('http://x.test/app/users/7'), { scriptName: '/app' });
    assert.equal(under.SCRIPT_NAME, '/app');
    assert.equal(under.PATH_INFO, '/users/7');
    const exact = await environOf(new Request('http://x.test/app'), { scriptName: '/app' });
    assert.equal(exact.PATH_INFO, '');
    const beside = await environOf(new Request('http://x.test/application'), { scriptName: '/app' });
    assert.equal(beside.PATH_INFO, '/application');
    const slashed = await environOf(new Request('http://x.test/app/x'), { scriptName: '/app/' });
    assert.equal(slashed.SCRIPT_NAME, '/app');
    assert.equal(slashed.PATH_INFO, '/x');
  });

  test('remoteAddress and environ options get the request and the runtime arguments', async () => {
    const info = { remoteAddr: { hostname: '203.0.113.9', port: 51234 } };
    const environ = await environOf(
      new Request('http://x.test/'),
      {
        remoteAddress: (_request, given) => ({
          address: (given as typeof info).remoteAddr.hostname,
          port: (given as typeof info).remoteAddr.port,
        }),
        environ: (request, given) => ({ 'example.info': given, 'example.url': request.url }),
        multiprocess: true,
      },
      info,
    );
    assert.equal(environ.REMOTE_ADDR, '203.0.113.9');
    assert.equal(environ.REMOTE_PORT, '51234');
    assert.equal(environ['example.info'], info);
    assert.equal(environ['example.url'], 'http://x.test/');
    assert.equal(environ['wsgi.multiprocess'], true);
    const plain = await environOf(new Request('http://x.test/'), { remoteAddress: () => '198.51.100.1' });
    assert.equal(plain.REMOTE_ADDR, '198.51.100.1');
    assert.equal(plain.REMOTE_PORT, undefined);
  });
});

describe('toFetchHandler: wsgi.input', () => {
  const echo: Application = async (environ, startResponse) => {
    const input = environ['wsgi.input'];
    const first = await input.readline();
    const two = await input.read(2);
    const limited = await input.readline(3);
    const parts: Uint8Array[] = [];
    for await (const chunk of input) parts.push(chunk);
    const rest = new TextDecoder().decode(Buffer.concat(parts));
    const after = await input.read();
    startResponse('200 OK', [['Content-Type', 'application/json']]);
    const decode = (b: Uint8Array): string => new TextDecoder().decode(b);
    return [
      bytes(
        JSON.stringify({
          first: decode(first),
          two: decode(two),
          limited: decode(limited),
          rest,
          after: after.byteLength,
        }),
      ),
    ];
  };

  test('readline(), read(size), readline(limit) and iteration share one buffer', async () => {
    const response = await toFetchHandler(echo)(
      new Request('http://x.test/', { method: 'POST', body: 'line 1\nabcdefgh\nlast' }),
    );
    assert.deepEqual(await response.json(), {
      first: 'line 1\n',
      two: 'ab',
      limited: 'cde',
      rest: 'fgh\nlast',
      after: 0,
    });
  });

  test('a streamed request body is read chunk by chunk as it arrives', async () => {
    const chunks = ['first\n', 'second\n', 'third'];
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === chunks.length) controller.close();
        else controller.enqueue(bytes(chunks[pulled++]!));
      },
    });
    const request = new Request('http://x.test/', { method: 'PUT', body, duplex: 'half' } as RequestInit);
    const response = await toFetchHandler(echo)(request);
    assert.deepEqual(await response.json(), {
      first: 'first\n',
      two: 'se',
      limited: 'con',
      rest: 'd\nthird',
      after: 0,
    });
  });

  test('read(size) waits for size bytes across chunks; a large body in small chunks arrives whole', async () => {
    const streamOf = (parts: Uint8Array[]): ReadableStream<Uint8Array> => {
      let i = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (i === parts.length) controller.close();
          else controller.enqueue(parts[i++]!);
        },
      });
    };
    const app: Application = async (environ, startResponse) => {
      const input = environ['wsgi.input'];
      const five = await input.read(5);
      const all = await input.read();
      startResponse('200 OK', []);
      return [bytes(`${new TextDecoder().decode(five)}|${all.byteLength}|${all[all.byteLength - 1]}`)];
    };
    const parts = [
      bytes('ab'),
      bytes('cd'),
      bytes('ef'),
      ...Array.from({ length: 2048 }, (_, i) => new Uint8Array(1024).fill(i % 251)),
    ];
    const request = new Request('http://x.test/', {
      method: 'POST',
      body: streamOf(parts),
      duplex: 'half',
    } as RequestInit);
    assert.equal(await (await toFetchHandler(app)(request)).text(), `abcde|${1 + 2048 * 1024}|${2047 % 251}`);
  });

  test('a body shorter than its Content-Length is an error, not a short body', async () => {
    let message = '';
    const app: Application = async (environ, startResponse) => {
      await environ['wsgi.input'].read().catch((error: Error) => (message = error.message));
      startResponse('200 OK', []);
      return [];
    };
    await toFetchHandler(app)(
      new Request('http://x.test/', { method: 'POST', body: 'abc', headers: { 'Content-Length': '10' } }),
    );
    assert.equal(message, 'The request body ended after 3 of the 10 bytes its Content-Length announced.');
  });

  test('reads stop at the declared Content-Length', async () => {
    const app: Application = async (environ, startResponse) => {
      const all = await environ['wsgi.input'].read();
      startResponse('200 OK', []);
      return [all];
    };
    const request = new Request('http://x.test/', {
      method: 'POST',
      body: 'abcdef',
      headers: { 'Content-Length': '3' },
    });
    assert.equal(await (await toFetchHandler(app)(request)).text(), 'abc');
  });

  test('a GET has an empty input; a bad read size is a clear error', async () => {
    const app: Application = async (environ, startResponse) => {
      const empty = await environ['wsgi.input'].read();
      let message = '';
      await environ['wsgi.input'].read(-2).catch((error: Error) => (message = error.message));
      startResponse('200 OK', []);
      return [bytes(`${empty.byteLength}|${message}`)];
    };
    const text = await (await toFetchHandler(app)(new Request('http://x.test/'))).text();
    assert.equal(text, '0|read(size) takes a non-negative integer (or nothing for the whole body), not -2.');
  });
});

describe('toFetchHandler: the response', () => {
  test('status, reason phrase, headers in order and each Set-Cookie kept', async () => {
    const headers: HeaderList = [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Set-Cookie', 'a=1; Path=/'],
      ['X-Multi', 'one'],
      ['Set-Cookie', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT'],
      ['X-Multi', 'two'],
    ];
    const app: Application = (_environ, startResponse) => {
      startResponse('201 Created Just Now', headers);
      return [bytes('made')];
    };
    const response = await toFetchHandler(app)(new Request('http://x.test/'));
    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Created Just Now');
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(response.headers.get('x-multi'), 'one, two');
    assert.deepEqual(response.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT']);
    assert.equal(await response.text(), 'made');
  });

  test('an array body gets its Content-Length, also on HEAD; a generator body gets none', async () => {
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      if (environ.PATH_INFO === '/generator')
        return (function* () {
          yield bytes('abc');
        })();
      return [bytes('ab'), bytes(''), bytes('cde')];
    };
    const handler = toFetchHandler(app);
    const array = await handler(new Request('http://x.test/'));
    assert.equal(array.headers.get('content-length'), '5');
    assert.equal(await array.text(), 'abcde');
    const head = await handler(new Request('http://x.test/', { method: 'HEAD' }));
    assert.equal(head.headers.get('content-length'), '5');
    assert.equal(head.body, null);
    const generator = await handler(new Request('http://x.test/generator'));
    assert.equal(generator.headers.get('content-length'), null);
    assert.equal(await generator.text(), 'abc');
  });

  test('sync iterables, generators and async generators are all bodies', async () => {
    const bodies: Array<() => Iterable<Uint8Array> | AsyncIterable<Uint8Array>> = [
      () => [bytes('a'), bytes(''), bytes('bc')],
      () =>
        (function* () {
          yield bytes('a');
          yield bytes('bc');
        })(),
      () =>
        (async function* () {
          yield bytes('a');
          yield bytes('bc');
        })(),
    ];
    for (const body of bodies) {
      const app: Application = (_environ, startResponse) => {
        startResponse('200 OK', []);
        return body();
      };
      assert.equal(await (await toFetchHandler(app)(new Request('http://x.test/'))).text(), 'abc');
    }
  });

  test('a streamed body: the first chunk arrives before the application has finished', async () => {
    const second = gate();
    let finished = false;
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return (async function* () {
        yield bytes('first');
        await second.promise;
        yield bytes('second');
        finished = true;
      })();
    };
    const response = await toFetchHandler(app)(new Request('http://x.test/'));
    const reader = response.body!.getReader();
    const one = await reader.read();
    assert.equal(new TextDecoder().decode(one.value), 'first');
    assert.equal(finished, false);
    second.open();
    const two = await reader.read();
    assert.equal(new TextDecoder().decode(two.value), 'second');
    assert.equal((await reader.read()).done, true);
    assert.equal(finished, true);
  });

  test('backpressure: the body is pulled only as fast as the response is read', async () => {
    let produced = 0;
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return (function* () {
        for (let i = 0; i < 1000; i += 1) {
          produced += 1;
          yield bytes(`chunk ${i}\n`);
        }
      })();
    };
    const response = await toFetchHandler(app)(new Request('http://x.test/'));
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(produced <= 3, `the application produced ${produced} chunks for 2 reads`);
    await reader.cancel();
  });

  test('close() and return() are called once when the body completes', async () => {
    const calls: string[] = [];
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      const generator = (async function* () {
        try {
          yield bytes('x');
        } finally {
          calls.push('finally');
        }
      })();
      return { [Symbol.asyncIterator]: () => generator, close: () => void calls.push('close') };
    };
    const response = await toFetchHandler(app)(new Request('http://x.test/'));
    assert.equal(await response.text(), 'x');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['finally', 'close']);
  });

  test('cancelling the response closes the body at once and aborts tsgi.signal', async () => {
    const calls: string[] = [];
    const never = gate();
    const waiting = gate();
    let signal: AbortSignal | undefined;
    const app: Application = (environ, startResponse) => {
      signal = environ['tsgi.signal'];
      startResponse('200 OK', []);
      const generator = (async function* () {
        try {
          yield bytes('first');
          waiting.open();
          await never.promise;
          yield bytes('never sent');
        } finally {
          calls.push('return');
        }
      })();
      return { [Symbol.asyncIterator]: () => generator, close: () => void calls.push('close') };
    };
    const response = await toFetchHandler(app)(new Request('http://x.test/'));
    const reader = response.body!.getReader();
    await reader.read();
    const stuck = reader.read();
    await waiting.promise; // the generator is now stuck in an await
    await reader.cancel('client went away');
    assert.equal((await stuck).done, true);
    assert.equal(signal!.aborted, true);
    assert.deepEqual(calls, ['close']); // at once, though the generator is stuck in an await
    never.open();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(calls, ['close', 'return']); // return() ran when the await settled; nothing twice
  });

  test('an aborted request signal closes the body of a response in progress', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return {
        *[Symbol.iterator]() {
          yield bytes('one');
          yield bytes('two');
        },
        close: () => void calls.push('close'),
      };
    };
    const response = await toFetchHandler(app)(new Request('http://x.test/', { signal: controller.signal }));
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['close']);
    await assert.rejects(reader.read());
  });

  test('write() sends before the body; its promise settles as the chunk is read', async () => {
    const steps: string[] = [];
    const app: Application = async (_environ, startResponse) => {
      const write = startResponse('200 OK', []);
      await write(bytes('written '));
      steps.push('first write accepted');
      await write(bytes('twice '));
      steps.push('second write accepted');
      return [bytes('then returned')];
    };
    const response = await toFetchHandler(app)(new Request('http://x.test/'));
    const reader = response.body!.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'written ');
    assert.deepEqual(steps, []);
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'twice ');
    assert.deepEqual(steps, ['first write accepted']);
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'then returned');
    assert.deepEqual(steps, ['first write accepted', 'second write accepted']);
    assert.equal((await reader.read()).done, true);
  });

  test('HEAD: headers and no body, the body closed unread; 204 and 304: no body', async () => {
    const calls: string[] = [];
    const app: Application = (environ, startResponse) => {
      const status =
        environ.PATH_INFO === '/none'
          ? '204 No Content'
          : environ.PATH_INFO === '/same'
            ? '304 Not Modified'
            : '200 OK';
      startResponse(
        status,
        [
          ['Content-Length', '5'],
          ['Content-Type', 'text/plain'],
        ].filter(() => status === '200 OK') as HeaderList,
      );
      return {
        *[Symbol.iterator]() {
          yield bytes('hello');
        },
        close: () => void calls.push('close'),
      };
    };
    const handler = toFetchHandler(app);
    const head = await handler(new Request('http://x.test/', { method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
    assert.equal(head.headers.get('content-length'), '5');
    for (const [path, status] of [
      ['/none', 204],
      ['/same', 304],
    ] as const) {
      const response = await handler(new Request(`http://x.test${path}`));
      assert.equal(response.status, status);
      assert.equal(response.body, null);
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['close', 'close', 'close']);
  });

  test('excInfo replaces headers not yet sent', async () => {
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/html']]);
      try {
        throw new Error('the view failed');
      } catch (error) {
        startResponse('500 Internal Server Error', [['Content-Type', 'text/plain']], error);
        return [bytes('handled')];
      }
    };
    const response = await toFetchHandler(app)(new Request('http://x.test/'));
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('content-type'), 'text/plain');
    assert.equal(await response.text(), 'handled');
  });

  test('excInfo after the headers are sent re-throws it: the stream errors and the error is logged', async () => {
    const errors = collector();
    let rethrown: unknown;
    const failure = new Error('failed after the first chunk');
    const app: Application = async (_environ, startResponse) => {
      const write = startResponse('200 OK', []);
      await write(bytes('partial'));
      try {
        startResponse('500 Internal Server Error', [], failure);
      } catch (error) {
        rethrown = error;
        throw error;
      }
      return [];
    };
    const response = await toFetchHandler(app, { errors })(new Request('http://x.test/'));
    const reader = response.body!.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'partial');
    await assert.rejects(reader.read(), (error) => error === failure);
    assert.equal(rethrown, failure);
    assert.match(
      errors.text,
      /^Error in the application for GET http:\/\/x\.test\/:\nError: failed after the first chunk\n/,
    );
  });

  test('an application that throws before its headers gives a 500, its stack in wsgi.errors', async () => {
    const errors = collector();
    const app: Application = () => {
      throw new Error('boom');
    };
    const response = await toFetchHandler(app, { errors })(new Request('http://x.test/boom'));
    assert.equal(response.status, 500);
    assert.equal(response.statusText, 'Internal Server Error');
    assert.equal(await response.text(), '500 Internal Server Error\n');
    assert.match(errors.text, /^Error in the application for GET http:\/\/x\.test\/boom:\nError: boom\n {4}at /);
  });

  test('a failure after the headers aborts the stream and still closes the body once', async () => {
    const errors = collector();
    const calls: string[] = [];
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      const generator = (function* () {
        yield bytes('ok');
        throw new Error('broken mid-stream');
      })();
      return { [Symbol.iterator]: () => generator, close: () => void calls.push('close') };
    };
    const response = await toFetchHandler(app, { errors })(new Request('http://x.test/'));
    await assert.rejects(response.text(), /broken mid-stream/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['close']);
    assert.match(errors.text, /Error: broken mid-stream/);
  });

  test('app.ready is awaited; a rejected ready answers 500 and says why', async () => {
    const ready = gate();
    let called = false;
    const app: Application = Object.assign(
      (_environ: Environ, startResponse: Parameters<Application>[1]) => {
        called = true;
        startResponse('200 OK', []);
        return [bytes('ready')];
      },
      { ready: ready.promise },
    );
    const pending = toFetchHandler(app)(new Request('http://x.test/'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(called, false);
    ready.open();
    assert.equal(await (await pending).text(), 'ready');

    const errors = collector();
    const broken: Application = Object.assign(() => [], { ready: Promise.reject(new Error('no database')) });
    const response = await toFetchHandler(broken, { errors })(new Request('http://x.test/'));
    assert.equal(response.status, 500);
    assert.match(
      errors.text,
      /^The application failed to load \(its ready promise rejected\) for GET http:\/\/x\.test\/:\nError: no database/,
    );
  });

  const violations: Array<[string, Application, string]> = [
    [
      'returns something that is not a body',
      (_e, sr) => (sr('200 OK', []), 42 as never),
      "The application returned the number 42, which is not a body: return an Iterable<Uint8Array> or an AsyncIterable<Uint8Array>, e.g. [new TextEncoder().encode('text')] (spec §5).",
    ],
    [
      'returns a string',
      (_e, sr) => (sr('200 OK', []), 'text' as never),
      'The application returned a string ("text"), which is not a body: return an Iterable<Uint8Array> or an AsyncIterable<Uint8Array>, e.g. [new TextEncoder().encode(\'text\')] (spec §5).',
    ],
    [
      'returns bare bytes',
      (_e, sr) => (sr('200 OK', []), bytes('x') as never),
      'The application returned a bare Uint8Array, which is not a body: wrap it in an array (return [bytes]) (spec §5).',
    ],
    [
      'yields a chunk that is not bytes',
      (_e, sr) => (sr('200 OK', []), ['text'] as never),
      'The application\'s body produced a string ("text"); every chunk must be a Uint8Array (encode text with TextEncoder) (spec §5).',
    ],
    [
      'never calls startResponse',
      () => [],
      'The application returned its body without calling startResponse(): call startResponse(status, headers) before the body ends (spec §4.3).',
    ],
    [
      'yields before startResponse',
      () => [bytes('x')],
      'The application produced a body chunk before calling startResponse(): call startResponse() first (spec §4.3).',
    ],
    [
      'calls startResponse twice',
      (_e, sr) => (sr('200 OK', []), sr('200 OK', []), []),
      'startResponse() was called a second time without excInfo: call it once, or pass the error being handled as the third argument to replace headers not yet sent (spec §4.3).',
    ],
    [
      'gives a bad status',
      (_e, sr) => (sr('200', []), []),
      'startResponse() got the status "200": a status is three digits, a space and a reason phrase, e.g. "200 OK" (spec §4.1).',
    ],
    [
      'gives a 1xx status',
      (_e, sr) => (sr('103 Early Hints', []), []),
      'startResponse() got the status "103 Early Hints": a 1xx status is informational and cannot be the final response (spec §4.1).',
    ],
    [
      'gives a status Fetch cannot carry',
      (_e, sr) => (sr('600 Custom', []), []),
      'startResponse() got the status "600 Custom": a Fetch Response only carries statuses 200 to 599 (docs/fetch.md).',
    ],
    [
      'gives headers that are not a list',
      (_e, sr) => (sr('200 OK', {} as never), []),
      'startResponse() takes the headers as an array of [name, value] pairs, not a plain object (spec §4.2).',
    ],
    [
      'gives a header that is not a pair',
      (_e, sr) => (sr('200 OK', [['X-One'] as never]), []),
      'startResponse() got the header an object of class Array: each header is a [name, value] pair of strings (spec §4.2).',
    ],
    [
      'sets a hop-by-hop header',
      (_e, sr) => (sr('200 OK', [['Connection', 'close']]), []),
      'startResponse() got the hop-by-hop header "Connection": connection management belongs to the server; remove it (spec §4.2).',
    ],
    [
      'sets a header with a newline',
      (_e, sr) => (sr('200 OK', [['X-Bad', 'a\r\nb']]), []),
      'startResponse() got the header "X-Bad": "a\\r\\nb", which is not a valid HTTP field (RFC 9110 §5.5): remove control characters from the name and value (spec §4.2).',
    ],
    [
      'sets a bad Content-Length',
      (_e, sr) => (sr('200 OK', [['Content-Length', '-1']]), []),
      'startResponse() got the Content-Length "-1": it must be a non-negative integer (spec §4.2).',
    ],
    [
      'sets two Content-Length headers',
      (_e, sr) => (
        sr('200 OK', [
          ['Content-Length', '1'],
          ['Content-Length', '1'],
        ]),
        []
      ),
      'startResponse() got two Content-Length headers: send one (spec §4.2).',
    ],
    [
      'sends fewer bytes than its Content-Length',
      (_e, sr) => (sr('200 OK', [['Content-Length', '10']]), (function* () {})()),
      'The application sent 0 bytes but its Content-Length is 10; the response was cut short (spec §5.2).',
    ],
    [
      'writes something that is not bytes',
      async (_e, sr) => (await sr('200 OK', [])('text' as never), []),
      'write() takes a Uint8Array, not a string ("text") (encode text with TextEncoder) (spec §4.4).',
    ],
  ];
  for (const [what, app, message] of violations) {
    test(`an application that ${what}: 500, and wsgi.errors says so`, async () => {
      const errors = collector();
      const response = await toFetchHandler(app, { errors })(new Request('http://x.test/'));
      assert.equal(response.status, 500);
      assert.ok(errors.text.includes(message), `wsgi.errors said:\n${errors.text}`);
    });
  }

  test('more bytes than the Content-Length: the stream is aborted after the declared bytes', async () => {
    const errors = collector();
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Content-Length', '3']]);
      return (function* () {
        yield bytes('ab');
        yield bytes('cdef');
      })();
    };
    const response = await toFetchHandler(app, { errors })(new Request('http://x.test/'));
    const reader = response.body!.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'ab');
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'c');
    await assert.rejects(
      reader.read(),
      /^Error: The application sent more than its Content-Length of 3 bytes; only 3 bytes were sent \(spec §5\.2\)\.$/,
    );
  });

  test('toFetchHandler refuses what is not an application', () => {
    assert.throws(() => toFetchHandler({} as never), {
      name: 'TypeError',
      message:
        'toFetchHandler() takes a TSGI application (a function (environ, startResponse) => body); it was given a plain object.',
    });
  });
});
