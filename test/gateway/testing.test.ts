/**
 * The gateway-level test client (src/gateway/testing.ts): the environ it builds and the
 * response it collects, with the server's rules for startResponse and close().
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildTestEnviron, BytesInput, callApplication, MemoryErrorStream } from '../../src/gateway/testing.ts';
import type { Application, Environ } from '../../src/gateway/types.ts';

const encoder = new TextEncoder();
const echoEnviron: Application = (environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(environ)) if (typeof v === 'string') out[k] = v;
  return [encoder.encode(JSON.stringify(out))];
};

describe('buildTestEnviron()', () => {
  test('fills the CGI keys like a server', () => {
    const environ = buildTestEnviron({
      method: 'post',
      path: '/café/x%2Fy?a=1',
      query: { b: ['2', '3'] },
      headers: [
        ['Cookie', 'a=1'],
        ['Cookie', 'b=2'],
        ['X-Under_Score', 'dropped'],
        ['Content-Type', 'text/plain'],
      ],
      body: 'héllo',
    });
    assert.equal(environ.REQUEST_METHOD, 'POST');
    assert.equal(environ.PATH_INFO, '/café/x/y');
    assert.equal(environ.RAW_URI, '/caf%C3%A9/x%2Fy?a=1&b=2&b=3');
    assert.equal(environ.QUERY_STRING, 'a=1&b=2&b=3');
    assert.equal(environ.HTTP_COOKIE, 'a=1; b=2');
    assert.equal(environ.HTTP_X_UNDER_SCORE, undefined);
    assert.equal(environ.CONTENT_TYPE, 'text/plain');
    assert.equal(environ.CONTENT_LENGTH, '6');
    assert.equal(environ.HTTP_HOST, 'testserver');
    assert.equal(environ.SERVER_NAME, 'testserver');
    assert.equal(environ.SERVER_PORT, '80');
    assert.equal(environ['wsgi.url_scheme'], 'http');
    assert.ok(environ['tsgi.signal'] instanceof AbortSignal);
    assert.equal(typeof environ['wsgi.file_wrapper'], 'function');
  });

  test('https, a Host with a port, a script name and extra keys', () => {
    const environ = buildTestEnviron({
      scheme: 'https',
      headers: { Host: 'example.com:8443' },
      path: '/app/page',
      scriptName: '/app',
      environ: { 'x.extra': 1 },
    });
    assert.equal(environ.SERVER_NAME, 'example.com');
    assert.equal(environ.SERVER_PORT, '8443');
    assert.equal(environ.SCRIPT_NAME, '/app');
    assert.equal(environ.PATH_INFO, '/page');
    assert.equal(environ['x.extra'], 1);
    assert.equal(buildTestEnviron({ scheme: 'https' }).SERVER_PORT, '443');
  });
});

describe('BytesInput', () => {
  test('read, sized read, readline with a limit, iteration', async () => {
    const input = new BytesInput(encoder.encode('one\ntwo\nthree'));
    assert.equal(Buffer.from(await input.readline()).toString(), 'one\n');
    assert.equal(Buffer.from(await input.readline(2)).toString(), 'tw');
    assert.equal(Buffer.from(await input.read(3)).toString(), 'o\nt');
    assert.equal(Buffer.from(await input.read()).toString(), 'hree');
    assert.equal((await input.read()).length, 0);
    assert.equal((await input.readline()).length, 0);
    const parts: string[] = [];
    for await (const chunk of new BytesInput(encoder.encode('abc'))) parts.push(Buffer.from(chunk).toString());
    assert.deepEqual(parts, ['abc']);
    await assert.rejects(input.read(-5), {
      message: 'read(size) takes a non-negative integer (or nothing for the whole body), not -5.',
    });
  });
});

describe('callApplication()', () => {
  test('collects status, headers and body; close() once', async () => {
    let closed = 0;
    const app: Application = (_environ, startResponse) => {
      startResponse('201 Created', [
        ['Content-Type', 'text/plain'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
      ]);
      return Object.assign([encoder.encode('made '), encoder.encode('it')], { close: () => void closed++ });
    };
    const response = await callApplication(app, { method: 'POST', path: '/things' });
    assert.equal(response.status, '201 Created');
    assert.equal(response.statusCode, 201);
    assert.equal(response.reason, 'Created');
    assert.deepEqual(response.headers, [
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
    assert.equal(response.header('content-type'), 'text/plain');
    assert.equal(response.text, 'made it');
    assert.equal(closed, 1);
  });

  test('async apps, async bodies, write() and reading the request body', async () => {
    const app: Application = async (environ, startResponse) => {
      const body = await environ['wsgi.input'].read();
      const write = startResponse('200 OK', []);
      await write(encoder.encode('got '));
      return (async function* () {
        yield body;
      })();
    };
    const response = await callApplication(app, { method: 'PUT', body: 'data' });
    assert.equal(response.text, 'got data');
  });

  test('json() and the environ are exposed', async () => {
    const response = await callApplication(echoEnviron, { path: '/x', headers: { 'X-Test': 'yes' } });
    assert.equal(response.json<Record<string, string>>().HTTP_X_TEST, 'yes');
    assert.equal(response.environ.PATH_INFO, '/x');
  });

  test('accepts an environ built beforehand', async () => {
    const environ: Environ = buildTestEnviron({ path: '/prebuilt' });
    const response = await callApplication(echoEnviron, environ);
    assert.equal(response.json<Record<string, string>>().PATH_INFO, '/prebuilt');
  });

  test('HEAD, 204 and 304 have no body', async () => {
    const app: Application = (environ, startResponse) => {
      startResponse(environ.PATH_INFO === '/204' ? '204 No Content' : '200 OK', []);
      return [encoder.encode('body')];
    };
    assert.equal((await callApplication(app, { method: 'HEAD' })).body.length, 0);
    assert.equal((await callApplication(app, { path: '/204' })).body.length, 0);
  });

  test('excInfo replaces the headers before any body', async () => {
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      startResponse('500 Internal Server Error', [['X-Error', '1']], new Error('handled'));
      return [encoder.encode('oops')];
    };
    const response = await callApplication(app);
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.headers, [['X-Error', '1']]);
  });

  test('errors are re-thrown by default, and close() is still called', async () => {
    let closed = 0;
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return Object.assign(
        (function* () {
          yield encoder.encode('a');
          throw new Error('boom in the body');
        })(),
        { close: () => void closed++ },
      );
    };
    await assert.rejects(callApplication(app), { message: 'boom in the body' });
    assert.equal(closed, 1);
  });

  test('raiseErrors: false gives the 500 a server sends, with the stack in errors', async () => {
    const app: Application = () => {
      throw new Error('boom');
    };
    const response = await callApplication(app, {}, { raiseErrors: false });
    assert.equal(response.statusCode, 500);
    assert.equal(response.text, 'Internal Server Error\n');
    assert.match(response.errors, /tsgi: error while handling GET \/:\nError: boom\n\s+at /);
  });

  test('the server rules for startResponse and the body apply', async () => {
    const cases: [Application, string][] = [
      [
        (_e, s) => {
          s('200 OK', [['Transfer-Encoding', 'chunked']]);
          return [];
        },
        'startResponse() got the hop-by-hop header "Transfer-Encoding": connection management belongs to the server; remove it (spec §4.2).',
      ],
      [
        (_e, s) => {
          s('200 OK', []);
          s('200 OK', []);
          return [];
        },
        'startResponse() was called a second time without excInfo: call it once, or pass the error being handled as the third argument to replace headers not yet sent (spec §4.3).',
      ],
      [
        (_e, s) => (s('OK', []), []),
        'startResponse() got the status "OK": a status is three digits, a space and a reason phrase, e.g. "200 OK" (spec §4.1).',
      ],
      [
        () => [encoder.encode('x')],
        'The application produced a body chunk before calling startResponse(): call startResponse() first (spec §4.3).',
      ],
      [
        () => [],
        'The application returned its body without calling startResponse(): call startResponse(status, headers) before the body ends (spec §4.3).',
      ],
      [
        () => null as unknown as [],
        "The application returned null, which is not a body: return an Iterable<Uint8Array> or an AsyncIterable<Uint8Array>, e.g. [new TextEncoder().encode('text')] (spec §5).",
      ],
      [
        (_e, s) => (s('200 OK', []), encoder.encode('x') as unknown as []),
        'The application returned a bare Uint8Array, which is not a body: wrap it in an array (return [bytes]) (spec §5).',
      ],
    ];
    for (const [app, message] of cases) await assert.rejects(callApplication(app), { message });
  });

  test('a caller-supplied error stream receives the errors', async () => {
    const errors = new MemoryErrorStream();
    const app: Application = (environ, startResponse) => {
      environ['wsgi.errors'].write('note\n');
      startResponse('200 OK', []);
      return [];
    };
    const response = await callApplication(app, { errors });
    assert.equal(errors.text(), 'note\n');
    assert.equal(response.errors, 'note\n');
  });
});
