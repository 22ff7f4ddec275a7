/**
 * The gateway validator (src/gateway/validator.ts): every rule of RULES is tripped here, by a
 * broken application (in-process through callApplication, and over real sockets under serve()
 * where the server's answer matters) or by a broken server (a hand-rolled caller misusing the
 * wrapped application).
 *
 * That the reference server passes the validator is not repeated here: test/gateway/server.test.ts
 * runs the whole conformance suite (plain, streaming, async bodies, write(), excInfo before the
 * headers, HEAD, 204, 304, a client leaving mid-stream with close() still called, a 16 MiB body
 * under backpressure, Expect: 100-continue, chunked request bodies, wsgi.file_wrapper) with every
 * well-behaved app wrapped in validator() and no onViolation, so any server-side violation
 * fails that run. What the conformance suite leaves out (excInfo after the headers) is below.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { serve } from '../../src/gateway/server.ts';
import { buildTestEnviron, callApplication, MemoryErrorStream, type TestRequest } from '../../src/gateway/testing.ts';
import type { Application, ClosableBody, Environ, HeaderList, StartResponse, Write } from '../../src/gateway/types.ts';
import { RULES, ValidationError, validator, type Rule, type ValidatorOptions } from '../../src/gateway/validator.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const plain: HeaderList = [['Content-Type', 'text/plain']];
const ok: Application = (_environ, startResponse) => {
  startResponse('200 OK', plain);
  return [text('ok')];
};

/** Options that collect violations; `first` settles with the first one (no clock involved). */
function collector(): { options: ValidatorOptions; found: ValidationError[]; first: Promise<ValidationError> } {
  const found: ValidationError[] = [];
  let resolve!: (error: ValidationError) => void;
  const first = new Promise<ValidationError>((r) => (resolve = r));
  const onViolation = (error: ValidationError): void => {
    found.push(error);
    resolve(error);
  };
  return { options: { onViolation }, found, first };
}

/** Asserts that `error` is the ValidationError of `rule`, its message a sentence ending with the rule and section. */
function assertRule(error: unknown, rule: Rule): ValidationError {
  assert.ok(error instanceof ValidationError, `expected a ValidationError for ${rule}, got ${String(error)}`);
  assert.equal(error.rule, rule, error.message);
  assert.equal(error.section, RULES[rule][0]);
  assert.equal(error.side, RULES[rule][1]);
  assert.ok(error.message.endsWith(`(rule ${rule}, docs/spec.md ${error.section}).`), error.message);
  assert.match(error.message, /^[A-Z]/);
  return error;
}

/** Runs `app` under the validator in the gateway test client and expects `rule` to be thrown and reported. */
async function appTrips(rule: Rule, app: Application, request: TestRequest = {}): Promise<ValidationError> {
  const { options, found } = collector();
  let thrown: unknown;
  await callApplication(validator(app, options), request).catch((error: unknown) => (thrown = error));
  assertRule(thrown, rule);
  assert.equal(found[0], thrown, 'onViolation saw the violation first');
  return thrown as ValidationError;
}

// ---------------------------------------------------------------------------------------------
describe('validator: the application side, in-process', () => {
  test('validator() refuses what is not an application, and a ready that is not a promise (§2)', () => {
    assert.throws(
      () => validator(42 as unknown as Application),
      (e) => !!assertRule(e, 'app-type'),
    );
    const app = Object.assign((() => []) as unknown as Application, { ready: 'soon' as unknown as Promise<void> });
    assert.throws(
      () => validator(app),
      (e) => !!assertRule(e, 'ready-type'),
    );
  });

  test('a correct exchange passes unchanged, ready is kept, and nothing is reported', async () => {
    const ready = Promise.resolve();
    const { options, found } = collector();
    const checked = validator(Object.assign(ok, { ready }), options);
    assert.equal(checked.ready, ready);
    const response = await callApplication(checked, { method: 'POST', body: 'abc' });
    assert.equal(response.text, 'ok');
    assert.ok(
      response.errors === '' && response.environ['wsgi.errors'] instanceof MemoryErrorStream,
      'the server finds its own streams back',
    );
    assert.deepEqual(found, []);
  });

  const statusCases: Array<[Rule, unknown]> = [
    ['status-format', '200'],
    ['status-format', 'OK 200'],
    ['status-format', '200 '],
    ['status-format', '600 Too Far'],
    ['status-format', 200],
    ['status-format', '200 O\nK'],
    ['status-informational', '103 Early Hints'],
  ];
  for (const [rule, status] of statusCases) {
    test(`${rule}: startResponse(${JSON.stringify(status)}) (§4.1)`, async () => {
      const error = await appTrips(rule, start(status, plain));
      if (typeof status === 'string')
        assert.ok(error.message.includes(JSON.stringify(status).slice(0, 6)), 'the message names the status');
    });
  }

  const headerCases: Array<[Rule, unknown]> = [
    ['headers-list', { 'Content-Type': 'text/plain' }],
    ['headers-list', [['Content-Type', 5]]],
    ['headers-list', [['Content-Type']]],
    ['header-name', [['Bad Name', 'x']]],
    ['header-name', [['X-Colon:', 'x']]],
    ['header-value', [['X-Split', 'a\r\nSet-Cookie: evil=1']]],
    ['header-value', [['X-Nul', 'a\0b']]],
    ['header-status', [['Status', '200 OK']]],
    ['hop-by-hop', [['Connection', 'close']]],
    ['hop-by-hop', [['transfer-encoding', 'chunked']]],
    ['hop-by-hop', [['Keep-Alive', 'timeout=5']]],
    ['content-length-header', [['Content-Length', '1e3']]],
    [
      'content-length-header',
      [
        ['Content-Length', '1'],
        ['Content-Length', '1'],
      ],
    ],
  ];
  for (const [rule, headers] of headerCases) {
    test(`${rule}: startResponse('200 OK', ${JSON.stringify(headers)}) (§4.2)`, async () => {
      await appTrips(rule, start('200 OK', headers));
    });
  }

  test('start-args: startResponse with one argument (§4)', async () => {
    await appTrips('start-args', (_e, startResponse) => {
      (startResponse as (...args: unknown[]) => Write)('200 OK');
      return [];
    });
  });

  test('content-type-missing: content without a Content-Type; an empty 302 without one is fine (§4.2)', async () => {
    await appTrips('content-type-missing', start('200 OK', []));
    const redirect: Application = (_e, startResponse) => {
      startResponse('302 Found', [['Location', '/there']]);
      return [];
    };
    assert.equal((await callApplication(validator(redirect))).statusCode, 302);
  });

  test('start-twice: a second startResponse without excInfo; with excInfo before the headers it is fine (§4.3)', async () => {
    await appTrips('start-twice', (_e, startResponse) => {
      startResponse('200 OK', plain);
      startResponse('404 Not Found', plain);
      return [];
    });
    const replaced = await callApplication(
      validator((_e, startResponse) => {
        startResponse('200 OK', plain);
        startResponse('500 Internal Server Error', plain, new Error('caught'));
        return [text('error page')];
      }),
    );
    assert.equal(replaced.statusCode, 500);
  });

  test('start-late and write-late: startResponse or write after the server closed the body (§4.3, §4.4)', async () => {
    let saved: StartResponse | undefined;
    let savedWrite: Write | undefined;
    const app: Application = (_e, startResponse) => {
      saved = startResponse;
      savedWrite = startResponse('200 OK', plain);
      return [text('done')];
    };
    const { options } = collector();
    await callApplication(validator(app, options));
    assert.throws(
      () => saved!('500 Internal Server Error', plain, new Error('late')),
      (e) => !!assertRule(e, 'start-late'),
    );
    assert.throws(
      () => savedWrite!(text('late')),
      (e) => !!assertRule(e, 'write-late'),
    );
  });

  test('body-before-start: a chunk before startResponse, or a body that ends without it (§4.3)', async () => {
    await appTrips('body-before-start', () =>
      (function* () {
        yield text('too early');
      })(),
    );
    await appTrips('body-before-start', () => []);
    // startResponse from inside the body, before its first chunk, is on time.
    const lazy: Application = (_e, startResponse) =>
      (function* () {
        startResponse('200 OK', plain);
        yield text('on time');
      })();
    assert.equal((await callApplication(validator(lazy))).text, 'on time');
  });

  test('write-chunk, write-overlap: write() takes one Uint8Array and is awaited (§4.4)', async () => {
    await appTrips('write-chunk', async (_e, startResponse) => {
      await startResponse('200 OK', plain)('text' as unknown as Uint8Array);
      return [];
    });
    await appTrips('write-overlap', async (_e, startResponse) => {
      const write = startResponse('200 OK', plain);
      // The test client's write() is an async function: its promise settles a tick later.
      void write(text('a'));
      await write(text('b'));
      return [];
    });
  });

  const bodyCases: Array<[string, unknown]> = [
    ['a string', 'hello'],
    ['a bare Uint8Array', text('hello')],
    ['null', null],
    ['a plain object', { length: 1 }],
    ['a body whose close is not a function', Object.assign([text('x')], { close: 'no' })],
    ['a non-Promise thenable', { then: () => undefined }],
  ];
  for (const [what, body] of bodyCases) {
    test(`body-type: the application returns ${what} (§5)`, async () => {
      await appTrips('body-type', (_e, startResponse) => {
        startResponse('200 OK', plain);
        return body as ClosableBody;
      });
    });
  }

  test('body-type: a rejected body is closed by the validator, since the server never gets it', async () => {
    let closed = false;
    await appTrips(
      'body-type',
      () => Object.assign(text('x'), { close: () => void (closed = true) }) as unknown as ClosableBody,
    );
    await tick();
    assert.ok(closed);
  });

  test('body-chunk: a string in an array, a generator or an async generator (§5.1)', async () => {
    const chunks = ['a string' as unknown as Uint8Array];
    await appTrips('body-chunk', (_e, s) => (s('200 OK', plain), chunks));
    await appTrips('body-chunk', (_e, s) => {
      s('200 OK', plain);
      return (function* () {
        yield* chunks;
      })();
    });
    await appTrips('body-chunk', async (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        yield 42 as unknown as Uint8Array;
      })();
    });
  });

  test('content-length-mismatch: more bytes, fewer bytes, an array that does not add up (§5.2)', async () => {
    const declared: HeaderList = [...plain, ['Content-Length', '5']];
    const more = await appTrips('content-length-mismatch', (_e, s) => {
      s('200 OK', declared);
      return (function* () {
        yield text('1234');
        yield text('5678');
      })();
    });
    assert.match(more.message, /8 bytes so far .* Content-Length of 5/);
    await appTrips('content-length-mismatch', (_e, s) => {
      s('200 OK', declared);
      return (function* () {
        yield text('123');
      })();
    });
    await appTrips('content-length-mismatch', async (_e, s) => {
      await s('200 OK', declared)(text('123'));
      return [text('456')];
    });
    // HEAD may announce the GET length with or without the body (§5.4).
    const head: Application = (_e, s) => (s('200 OK', declared), []);
    assert.equal((await callApplication(validator(head), { method: 'HEAD' })).statusCode, 200);
  });

  test('no-content-body, content-length-forbidden, content-type-forbidden: 204 and 304 (§5.4)', async () => {
    await appTrips('no-content-body', (_e, s) => (s('204 No Content', []), [text('x')]));
    await appTrips('no-content-body', (_e, s) => (s('304 Not Modified', []), [text('x')]));
    await appTrips('content-length-forbidden', (_e, s) => (s('204 No Content', [['Content-Length', '0']]), []));
    await appTrips('content-type-forbidden', (_e, s) => (s('304 Not Modified', plain), []));
    await appTrips('content-type-forbidden', (_e, s) => (s('204 No Content', plain), []));
  });

  const readCases: Array<[string, (input: Environ['wsgi.input']) => Promise<unknown>]> = [
    ['read(-5)', (input) => input.read(-5)],
    ['read(1.5)', (input) => input.read(1.5)],
    ['read("10")', (input) => input.read('10' as unknown as number)],
    ['read(1, 2)', (input) => (input.read as (...a: unknown[]) => Promise<Uint8Array>)(1, 2)],
    ['readline(-2)', (input) => input.readline(-2)],
  ];
  for (const [call, use] of readCases) {
    test(`input-args: wsgi.input.${call} (§3.3)`, async () => {
      await appTrips(
        'input-args',
        async (environ, s) => {
          await use(environ['wsgi.input']);
          s('200 OK', plain);
          return [];
        },
        { method: 'POST', body: 'abcdef' },
      );
    });
  }

  test('input-overlap, input-close: one read at a time; the input is never closed (§3.3)', async () => {
    await appTrips(
      'input-overlap',
      async (environ, s) => {
        const input = environ['wsgi.input'];
        await Promise.all([input.read(1), input.read(1)]);
        s('200 OK', plain);
        return [];
      },
      { method: 'POST', body: 'abcdef' },
    );
    await appTrips('input-close', (environ) => {
      (environ['wsgi.input'] as unknown as { close(): void }).close();
      return [];
    });
  });

  test('errors-write, errors-close: wsgi.errors takes strings and is never closed (§3.4)', async () => {
    await appTrips('errors-write', (environ) => {
      environ['wsgi.errors'].write(42 as unknown as string);
      return [];
    });
    await appTrips('errors-close', (environ) => {
      (environ['wsgi.errors'] as unknown as { close(): void }).close();
      return [];
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('validator: broken applications under the reference server, over real sockets', () => {
  /** Serves `app` wrapped in the validator; returns what a raw client got and what went to wsgi.errors. */
  async function served(
    app: Application,
    raw: string,
  ): Promise<{ response: string; log: string; found: ValidationError[] }> {
    const log: string[] = [];
    const { options, found } = collector();
    const handle = await serve(validator(app, options), {
      port: 0,
      errors: { write: (t) => void log.push(t), flush() {} },
    });
    try {
      const response = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(handle.port, '127.0.0.1');
        const parts: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => parts.push(chunk));
        socket.on('error', reject);
        socket.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
        socket.write(raw);
      });
      return { response, log: log.join(''), found };
    } finally {
      await handle.close();
    }
  }
  const GET = 'GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';

  test('a violation before the headers gets a 500, and the sentence reaches wsgi.errors', async () => {
    const { response, log, found } = await served(start('200 OK', [['Connection', 'close']]), GET);
    assert.match(response, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    assert.doesNotMatch(response, /never/);
    assert.match(
      log,
      /ValidationError: The application sent the hop-by-hop header Connection; .* \(rule hop-by-hop, docs\/spec\.md §4\.2\)\./,
    );
    assertRule(found[0], 'hop-by-hop');
  });

  test('a violation after the headers cuts the connection: never more than Content-Length, never a complete-looking response', async () => {
    const { response, log } = await served((_e, s) => {
      s('200 OK', [...plain, ['Content-Length', '6']]);
      return (function* () {
        yield text('abc');
        yield text('defghi');
      })();
    }, GET);
    assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(response.endsWith('\r\n\r\nabc'), JSON.stringify(response));
    assert.match(log, /rule content-length-mismatch, docs\/spec\.md §5\.2/);
  });

  test('a chunked response whose body yields a string mid-stream ends without its last chunk', async () => {
    const { response, log } = await served((_e, s) => {
      s('200 OK', plain);
      return (function* () {
        yield text('abc');
        yield 'def' as unknown as Uint8Array;
      })();
    }, GET);
    assert.match(response, /transfer-encoding: chunked/i);
    assert.doesNotMatch(response, /\r\n0\r\n\r\n$/);
    assert.match(log, /rule body-chunk, docs\/spec\.md §5\.1/);
  });

  test('excInfo after the headers: the server re-throws it, no violation, the connection is cut; close() is called', async () => {
    let closed = false;
    const { response, log, found } = await served((_e, s) => {
      s('200 OK', plain);
      const body = (function* () {
        yield text('partial');
        try {
          throw new Error('failed after the headers');
        } catch (error) {
          s('500 Internal Server Error', plain, error);
        }
      })();
      return Object.assign(body, { close: () => void (closed = true) });
    }, GET);
    assert.match(response, /^HTTP\/1\.1 200 OK\r\n[\s\S]*partial/);
    assert.doesNotMatch(response, /\r\n0\r\n\r\n$/);
    assert.match(log, /failed after the headers/);
    assert.deepEqual(found, []);
    assert.ok(closed);
  });

  test('HEAD with a body, 204 and 304 without: no violation, no body bytes on the wire', async () => {
    const head = await served(
      (_e, s) => (s('200 OK', [...plain, ['Content-Length', '5']]), [text('hello')]),
      'HEAD /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    );
    assert.ok(head.response.endsWith('\r\n\r\n') && /content-length: 5/i.test(head.response), head.response);
    assert.deepEqual(head.found, []);
    const empty = await served((_e, s) => (s('304 Not Modified', [['ETag', '"v1"']]), []), GET);
    assert.match(empty.response, /^HTTP\/1\.1 304 Not Modified\r\n/);
    assert.deepEqual(empty.found, []);
  });
});

// ---------------------------------------------------------------------------------------------
/** A well-formed environ from the gateway test client, with `changes` applied (undefined deletes). */
function environWith(changes: Record<string, unknown> = {}): Environ {
  const environ = buildTestEnviron({ method: 'POST', body: 'abc', headers: { 'Content-Type': 'text/plain' } });
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete environ[key];
    else environ[key] = value;
  }
  return environ;
}
const noStart: StartResponse = () => async () => {};

/** Calls the validated `app` like a broken server would and expects `rule`: thrown to the caller and reported. */
function serverTrips(rule: Rule, call: (checked: Application) => unknown, app: Application = ok): ValidationError {
  const { options, found } = collector();
  assert.throws(
    () => call(validator(app, options)),
    (e) => !!assertRule(e, rule),
  );
  assertRule(found[0], rule);
  return found[0]!;
}

describe('validator: broken servers (hand-rolled callers)', () => {
  test('app-call: the application called without startResponse (§2.1)', () => {
    serverTrips('app-call', (app) => (app as (...a: unknown[]) => unknown)(environWith()));
  });

  test('ready-failed: the application served although its ready promise rejected (§2.3)', async () => {
    const ready = Promise.reject(new Error('boot failed'));
    ready.catch(() => {});
    const { options } = collector();
    const checked = validator(Object.assign((() => []) as unknown as Application, { ready }), options);
    await ready.catch(() => {});
    assert.throws(
      () => checked(environWith(), noStart),
      (e) => !!assertRule(e, 'ready-failed'),
    );
  });

  class NotPlain {}
  const environCases: Array<[Rule, unknown]> = [
    ['environ-object', null],
    ['environ-object', new NotPlain()],
    ['environ-object', Object.freeze(environWith())],
    ['environ-required', environWith({ SERVER_PROTOCOL: undefined })],
    ['environ-required', environWith({ 'wsgi.input': undefined })],
    ['environ-cgi-string', environWith({ SERVER_PORT: 80 })],
    ['http-content-keys', environWith({ HTTP_CONTENT_TYPE: 'text/plain' })],
    ['http-content-keys', environWith({ HTTP_CONTENT_LENGTH: '3' })],
    ['request-method', environWith({ REQUEST_METHOD: 'GE T' })],
    ['script-name', environWith({ SCRIPT_NAME: 'app' })],
    ['script-name', environWith({ SCRIPT_NAME: '/app/' })],
    ['script-name', environWith({ SCRIPT_NAME: '/' })],
    ['path-info', environWith({ PATH_INFO: 'x' })],
    ['path-info', environWith({ PATH_INFO: '' })],
    ['server-name', environWith({ SERVER_NAME: '' })],
    ['server-port', environWith({ SERVER_PORT: 'http' })],
    ['server-protocol', environWith({ SERVER_PROTOCOL: 'HTTP1.1' })],
    ['content-length-environ', environWith({ CONTENT_LENGTH: '-1' })],
    ['remote-port', environWith({ REMOTE_PORT: 'x' })],
    ['wsgi-version', environWith({ 'wsgi.version': [1, 1] })],
    ['url-scheme', environWith({ 'wsgi.url_scheme': 'ftp' })],
    ['wsgi-flags', environWith({ 'wsgi.multithread': 'no' })],
    ['input-shape', environWith({ 'wsgi.input': { read: async () => new Uint8Array(0) } })],
    ['errors-shape', environWith({ 'wsgi.errors': { write() {} } })],
    ['signal-type', environWith({ 'tsgi.signal': 'abort' })],
    ['tmpdir-type', environWith({ 'tsgi.tmpdir': 'tmp' })],
    ['file-wrapper-type', environWith({ 'wsgi.file_wrapper': 'sendfile' })],
  ];
  for (const [rule, environ] of environCases) {
    test(`${rule}: a bad environ is refused before the application runs (§3)`, () => {
      let ran = false;
      serverTrips(
        rule,
        (app) => app(environ as Environ, noStart),
        () => ((ran = true), []),
      );
      assert.equal(ran, false);
    });
  }

  test('OPTIONS * is the one PATH_INFO that does not start with "/"', () => {
    const { options, found } = collector();
    validator(ok, options)(environWith({ REQUEST_METHOD: 'OPTIONS', PATH_INFO: '*' }), noStart);
    assert.deepEqual(found, []);
  });

  test('a server violation is written to wsgi.errors as well', () => {
    const errors = new MemoryErrorStream();
    serverTrips('server-port', (app) => app(environWith({ 'wsgi.errors': errors, SERVER_PORT: '' }), noStart));
    assert.match(
      errors.text(),
      /^tsgi validator: The environ's SERVER_PORT is ""; .* \(rule server-port, docs\/spec\.md §3\.1\)\.\n$/,
    );
  });

  /** Runs `use` as the application, over an environ whose wsgi.input is `input`, and expects `rule`. */
  async function inputTrips(
    rule: Rule,
    input: Partial<Environ['wsgi.input']>,
    use: (input: Environ['wsgi.input']) => Promise<unknown>,
    length = '3',
  ): Promise<void> {
    const { options, first } = collector();
    const app: Application = async (environ, s) => {
      await use(environ['wsgi.input']);
      s('200 OK', plain);
      return [];
    };
    const full = {
      read: async () => text('abc'),
      readline: async () => text('abc'),
      [Symbol.asyncIterator]: async function* () {},
      ...input,
    };
    const body = validator(app, options)(environWith({ 'wsgi.input': full, CONTENT_LENGTH: length }), noStart);
    await assert.rejects(body as Promise<unknown>, (e) => !!assertRule(e, rule));
    assertRule(await first, rule);
  }

  test("input-result: what the server's wsgi.input returns (§3.3)", async () => {
    await inputTrips('input-result', { read: async () => 'abc' as unknown as Uint8Array }, (input) => input.read());
    await inputTrips('input-result', { read: async () => text('abcdef') }, (input) => input.read(2), '6');
    await inputTrips('input-result', { read: (() => text('abc')) as unknown as () => Promise<Uint8Array> }, (input) =>
      input.read(),
    );
    await inputTrips('input-result', { readline: async () => text('a\nb') }, (input) => input.readline());
    await inputTrips(
      'input-result',
      {
        [Symbol.asyncIterator]: async function* () {
          yield 'abc' as unknown as Uint8Array;
        },
      },
      async (input) => {
        for await (const chunk of input) void chunk;
      },
    );
  });

  test('input-length: input ends at CONTENT_LENGTH, and a short body is an error, not an end (§3.3)', async () => {
    await inputTrips('input-length', { read: async () => text('abcdef') }, (input) => input.read());
    await inputTrips('input-length', { read: async () => text('abc') }, (input) => input.read(), '10');
    let calls = 0;
    await inputTrips(
      'input-length',
      { read: async () => (calls++ === 0 ? text('ab') : new Uint8Array(0)) },
      async (input) => {
        while ((await input.read(2)).length > 0);
      },
      '5',
    );
  });

  test('start-result, write-result: startResponse returns write, write returns a promise (§4, §4.4)', async () => {
    const starts = (_e: Environ, s: StartResponse): ClosableBody => (s('200 OK', plain), []);
    serverTrips('start-result', (app) => app(environWith(), (() => undefined) as unknown as StartResponse), starts);
    const { options, first } = collector();
    const writes: Application = async (_e, s) => {
      await s('200 OK', plain)(text('x'));
      return [];
    };
    await assert.rejects(
      validator(writes, options)(
        environWith(),
        (() => () => undefined) as unknown as StartResponse,
      ) as Promise<unknown>,
      (e) => !!assertRule(e, 'write-result'),
    );
    assertRule(await first, 'write-result');
  });

  test('exc-info-rethrow: a server that accepts excInfo after the headers went out (§4.3)', () => {
    const { options, found } = collector();
    const body = validator((_e, s) => {
      s('200 OK', plain);
      return (function* () {
        yield text('out');
        s('500 Internal Server Error', plain, new Error('late'));
      })();
    }, options)(environWith(), noStart) as Iterable<Uint8Array>;
    const iterator = body[Symbol.iterator]();
    iterator.next();
    assert.throws(
      () => iterator.next(),
      (e) => !!assertRule(e, 'exc-info-rethrow'),
    );
    assertRule(found[0], 'exc-info-rethrow');
  });

  test('headers-early: a server that re-throws excInfo before any body byte went out (§4.3)', () => {
    const { options, found } = collector();
    const failing = new Error('caught');
    const eager: StartResponse = (_status, _headers, excInfo) => {
      if (excInfo) throw excInfo;
      return async () => {};
    };
    const app: Application = (_e, s) => {
      s('200 OK', plain);
      s('500 Internal Server Error', plain, failing);
      return [];
    };
    assert.throws(
      () => validator(app, options)(environWith(), eager),
      (e) => e === failing,
    );
    assertRule(found[0], 'headers-early');
  });

  /** The validated body of a streaming app, for a server to misuse. */
  function streamed(options: ValidatorOptions, isAsync = false): ClosableBody {
    const app: Application = (_e, s) => {
      s('200 OK', plain);
      return isAsync
        ? (async function* () {
            yield text('a');
            yield text('b');
          })()
        : (function* () {
            yield text('a');
          })();
    };
    return validator(app, options)(environWith(), noStart) as ClosableBody;
  }

  test("body-iterate-twice, body-next-late, close-twice: the server's use of the body (§5.1, §5.3)", () => {
    const twice = collector();
    const body = streamed(twice.options) as Iterable<Uint8Array> & ClosableBody;
    assert.deepEqual([...body], [text('a')]);
    assert.throws(
      () => [...body],
      (e) => !!assertRule(e, 'body-iterate-twice'),
    );
    void body.close?.();
    assert.throws(
      () => body.close?.(),
      (e) => !!assertRule(e, 'close-twice'),
    );

    const late = collector();
    const after = streamed(late.options) as Iterable<Uint8Array> & ClosableBody;
    const iterator = after[Symbol.iterator]();
    void after.close?.();
    assert.throws(
      () => iterator.next(),
      (e) => !!assertRule(e, 'body-next-late'),
    );

    const ended = collector();
    const done = streamed(ended.options) as Iterable<Uint8Array> & ClosableBody;
    const it = done[Symbol.iterator]();
    while (!it.next().done);
    assert.throws(
      () => it.next(),
      (e) => !!assertRule(e, 'body-next-late'),
    );
    void done.close?.();
  });

  test('body-next-overlap: next() before the previous one settled (§5.1)', async () => {
    const { options, found } = collector();
    const body = streamed(options, true) as AsyncIterable<Uint8Array> & ClosableBody;
    const iterator = body[Symbol.asyncIterator]();
    const pending = iterator.next();
    assert.throws(
      () => void iterator.next(),
      (e) => !!assertRule(e, 'body-next-overlap'),
    );
    await pending;
    await iterator.return?.();
    await body.close?.();
    assertRule(found[0], 'body-next-overlap');
  });

  test('close-missing: iterated to the end, return()ed early, or read by index, and never closed (§5.3)', async () => {
    const ended = collector();
    for (const chunk of streamed(ended.options) as Iterable<Uint8Array>) void chunk;
    assert.match(
      assertRule(await ended.first, 'close-missing').message,
      /POST \/ .* by the next turn of the event loop/,
    );

    const early = collector();
    const asyncBody = streamed(early.options, true) as AsyncIterable<Uint8Array>;
    for await (const chunk of asyncBody) {
      void chunk;
      break; // return() is called; close() never is.
    }
    assertRule(await early.first, 'close-missing');

    const indexed = collector();
    const array = validator(ok, indexed.options)(environWith(), noStart) as Uint8Array[];
    assert.ok(Array.isArray(array), 'an array body stays an array');
    void array[0];
    assertRule(await indexed.first, 'close-missing');
  });

  test('close-missing: a body dropped unread and collected unclosed is reported by the garbage collector (§5.3)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const { options, found, first } = collector();
    (() => void validator(ok, options)(environWith(), noStart))();
    for (let i = 0; i < 50 && found.length === 0; i++) {
      gc();
      await tick();
    }
    assertRule(await first, 'close-missing');
  });

  test('without onViolation, a server violation is raised as an uncaught exception (a child process, so that it may crash)', () => {
    const script = `
      import { validator } from ${JSON.stringify(new URL('../../src/gateway/validator.ts', import.meta.url).href)};
      import { buildTestEnviron } from ${JSON.stringify(new URL('../../src/gateway/testing.ts', import.meta.url).href)};
      const environ = { ...buildTestEnviron(), SERVER_NAME: '' };
      try { validator(() => [])(environ, () => async () => {}); } catch { console.log('thrown to the caller'); }`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.match(child.stdout, /thrown to the caller/);
    assert.notEqual(child.status, 0);
    assert.match(
      child.stderr,
      /ValidationError: The environ's SERVER_NAME is empty; .*\(rule server-name, docs\/spec\.md §3\.1\)\./,
    );
  });

  test('every rule of RULES is tripped in this file', () => {
    const source = readFileSync(import.meta.filename, 'utf8');
    const missing = Object.keys(RULES).filter((rule) => !source.includes(`'${rule}'`));
    assert.deepEqual(missing, []);
  });
});

function start(status: unknown, headers: unknown): Application {
  return (_environ, startResponse) => {
    (startResponse as (...args: unknown[]) => Write)(status, headers);
    return [text('never')];
  };
}
