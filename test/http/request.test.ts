import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '../../src/gateway/server.ts';
import type { ServerHandle } from '../../src/gateway/server.ts';
import type { Application } from '../../src/gateway/types.ts';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { HttpRequest } from '../../src/http/request.ts';
import { loadedRequest } from './helpers.ts';
import { TemporaryUploadedFile } from '../../src/core/files/uploadedfile.ts';

type Probe = (request: HttpRequest) => unknown;
let probe: Probe = () => null;
let lastRequest: Promise<HttpRequest>;
let resolveLast: (r: HttpRequest) => void = () => {};
let server: ServerHandle;
let uploadDir: string;

/** Runs the probe on the request built by fromEnviron and answers its result, or the error, as JSON. */
const app: Application = async (environ, startResponse) => {
  const request = await loadedRequest(environ);
  let payload: unknown;
  try {
    payload = await probe(request);
  } catch (error) {
    payload = { error: (error as Error).name, message: (error as Error).message };
  }
  resolveLast(request);
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  return [Buffer.from(JSON.stringify(payload ?? null))];
};

async function ask(p: Probe, pathAndQuery: string, init: RequestInit = {}): Promise<unknown> {
  probe = p;
  lastRequest = new Promise((resolve) => (resolveLast = resolve));
  const response = await fetch(server.url + pathAndQuery, init);
  return response.json();
}

before(async () => {
  uploadDir = mkdtempSync(path.join(tmpdir(), 'tsgi-uploads-'));
  settings.configure({ ALLOWED_HOSTS: ['127.0.0.1', 'testserver', '.example.com'], FILE_UPLOAD_TEMP_DIR: uploadDir });
  server = await serve(app, { port: 0 });
});

after(async () => {
  await server.close();
  rmSync(uploadDir, { recursive: true, force: true });
});

describe('request line, headers, query and cookies', () => {
  test('method, path, GET, headers and COOKIES from a real request', async () => {
    const result = await ask(
      (r) => ({
        method: r.method,
        path: r.path,
        pathInfo: r.pathInfo,
        a: r.GET.getlist('a'),
        b: r.GET.get('b'),
        ua: r.headers.get('user-agent'),
        custom: r.headers.get('X_CUSTOM'),
        cookies: r.COOKIES,
        fullPath: r.getFullPath(),
        body: r.body.byteLength,
        post: r.POST.size,
      }),
      '/caf%C3%A9/page?a=1&a=2&b=x+y',
      { headers: { 'User-Agent': 'probe/1', 'X-Custom': 'yes', Cookie: 'sid=abc; theme="dark mode"' } },
    );
    assert.deepEqual(result, {
      method: 'GET',
      path: '/café/page',
      pathInfo: '/café/page',
      a: ['1', '2'],
      b: 'x y',
      ua: 'probe/1',
      custom: 'yes',
      cookies: { sid: 'abc', theme: 'dark mode' },
      fullPath: '/caf%C3%A9/page?a=1&a=2&b=x+y',
      body: 0,
      post: 0,
    });
  });

  test('too many query fields fail only when GET is used', async () => {
    using _s = overrideSettings({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 2 });
    assert.deepEqual(await ask((r) => r.path, '/x?a=1&b=2&c=3'), '/x');
    assert.deepEqual(await ask((r) => r.GET.size, '/x?a=1&b=2&c=3'), {
      error: 'TooManyFieldsSent',
      message:
        'The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS (2). Send fewer fields, or raise the setting if such requests are legitimate.',
    });
  });

  test('FORCE_SCRIPT_NAME prefixes the path', async () => {
    using _s = overrideSettings({ FORCE_SCRIPT_NAME: '/mount/' });
    assert.deepEqual(await ask((r) => [r.scriptName, r.path, r.pathInfo], '/a/b'), ['/mount/', '/mount/a/b', '/a/b']);
  });
});

describe('bodies', () => {
  test('an urlencoded POST fills POST; body stays readable', async () => {
    const result = await ask(
      (r) => ({ post: r.POST.lists(), body: Buffer.from(r.body).toString(), files: r.FILES.size }),
      '/',
      {
        method: 'POST',
        body: new URLSearchParams([
          ['name', 'Zoë'],
          ['tag', 'a'],
          ['tag', 'b c'],
        ]),
      },
    );
    assert.deepEqual(result, {
      post: [
        ['name', ['Zoë']],
        ['tag', ['a', 'b c']],
      ],
      body: 'name=Zo%C3%AB&tag=a&tag=b+c',
      files: 0,
    });
  });

  test('a multipart POST without a body has empty POST and FILES', async () => {
    assert.deepEqual(
      await ask((r) => [r.POST.size, r.FILES.size], '/', {
        method: 'POST',
        body: '',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      }),
      [0, 0],
    );
  });

  test('POST is empty for other methods and content types', async () => {
    assert.deepEqual(
      await ask((r) => r.POST.size, '/', {
        method: 'PUT',
        body: 'a=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      0,
    );
    assert.deepEqual(
      await ask((r) => r.POST.size, '/', { method: 'POST', body: 'a=1', headers: { 'content-type': 'text/plain' } }),
      0,
    );
  });

  test('urlencoded with a latin-1 charset is decoded with it, as Django 3.2 (test/http/django-charsets.test.ts)', async () => {
    assert.deepEqual(
      await ask((r) => [r.encoding, r.POST.lists(), r.GET.lists()], '/?q=%E9', {
        method: 'POST',
        body: 'a=%E9t%E9&b=caf%C3%A9',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=latin1' },
      }),
      [
        'latin1',
        [
          ['a', ['été']],
          ['b', ['cafÃ©']],
        ],
        [['q', ['é']]],
      ],
    );
  });

  test('json() parses the body; bad JSON is a BadRequest naming the problem', async () => {
    assert.deepEqual(
      await ask((r) => r.json(), '/', {
        method: 'POST',
        body: '{"a":[1,"é"]}',
        headers: { 'content-type': 'application/json' },
      }),
      { a: [1, 'é'] },
    );
    assert.deepEqual(
      await ask((r) => r.json(), '/', {
        method: 'POST',
        body: '{"a":',
        headers: { 'content-type': 'application/json' },
      }),
      {
        error: 'BadRequest',
        message:
          'The request body is not valid JSON (Unexpected end of JSON input). Send a JSON document, for example with Content-Type: application/json.',
      },
    );
  });

  test('a body past DATA_UPLOAD_MAX_MEMORY_SIZE fails only when body or POST is used', async () => {
    using _s = overrideSettings({ DATA_UPLOAD_MAX_MEMORY_SIZE: 10 });
    const init = {
      method: 'POST',
      body: 'a=12345678901234567890',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    };
    assert.deepEqual(await ask((r) => r.method, '/', init), 'POST');
    const tooBig = {
      error: 'RequestDataTooBig',
      message:
        'Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE (10 bytes). Send less data, or raise the setting if such requests are legitimate.',
    };
    assert.deepEqual(await ask((r) => r.body, '/', init), tooBig);
    assert.deepEqual(await ask((r) => r.POST, '/', init), tooBig);
  });

  test('a chunked body past FILE_UPLOAD_MAX_MEMORY_SIZE is spooled to a temporary file and read back', async () => {
    using _s = overrideSettings({ FILE_UPLOAD_MAX_MEMORY_SIZE: 1000, DATA_UPLOAD_MAX_MEMORY_SIZE: null });
    const payload = 'x'.repeat(5000) + '\nsecond line\n';
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(payload.slice(0, 3000)));
        controller.enqueue(new TextEncoder().encode(payload.slice(3000)));
        controller.close();
      },
    });
    const result = await ask(
      (r) => {
        const spooled = readdirSync(uploadDir).length;
        const first = r.readline().byteLength;
        const second = Buffer.from(r.readline()).toString();
        const rest = r.read().byteLength;
        let bodyError = '';
        try {
          void r.body;
        } catch (e) {
          bodyError = `${(e as Error).name}: ${(e as Error).message}`;
        }
        return { spooled, first, second, rest, bodyError };
      },
      '/',
      { method: 'PUT', body: stream, duplex: 'half' } as RequestInit,
    );
    assert.deepEqual(result, {
      spooled: 1,
      first: 5001,
      second: 'second line\n',
      rest: 0,
      bodyError:
        "RawPostDataException: You cannot access body after reading from request's data stream: read request.body first, then use request.POST, request.FILES or request.read().",
    });
    (await lastRequest).close();
    assert.deepEqual(readdirSync(uploadDir), [], 'close() removes the spooled body');
  });

  test('a body past DATA_UPLOAD_MAX_MEMORY_SIZE is not kept, in memory or on disk', async () => {
    using _s = overrideSettings({ FILE_UPLOAD_MAX_MEMORY_SIZE: 100, DATA_UPLOAD_MAX_MEMORY_SIZE: 1000 });
    const result = await ask(
      (r) => {
        const onDisk = readdirSync(uploadDir).length;
        try {
          r.read(10);
          return 'read worked';
        } catch (e) {
          return { onDisk, error: `${(e as Error).name}: ${(e as Error).message}` };
        }
      },
      '/',
      { method: 'PUT', body: 'z'.repeat(5000) },
    );
    assert.deepEqual(result, {
      onDisk: 0,
      error:
        'RequestDataTooBig: Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE (1000 bytes). Send less data, or raise the setting if such requests are legitimate.',
    });
  });

  test('body first, then read() reads the same bytes', async () => {
    assert.deepEqual(
      await ask((r) => [r.body.byteLength, Buffer.from(r.read(3)).toString(), Buffer.from(r.read()).toString()], '/', {
        method: 'POST',
        body: 'abcdef',
      }),
      [6, 'abc', 'def'],
    );
  });

  test('a client that goes away mid-body: the request is built, body access raises UnreadablePostError', async () => {
    probe = () => null;
    lastRequest = new Promise((resolve) => (resolveLast = resolve));
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789');
    setTimeout(() => socket.destroy(), 50);
    const request = await lastRequest;
    assert.throws(
      () => request.body,
      (e: unknown) => {
        assert.equal((e as Error).name, 'UnreadablePostError');
        assert.match((e as Error).message, /^The request body could not be read: /);
        return true;
      },
    );
  });
});

/** As `ask`, through node:http, which (unlike fetch) sends the Host header it is given. */
async function askWithHost(p: Probe, pathAndQuery: string, headers: Record<string, string>): Promise<unknown> {
  probe = p;
  lastRequest = new Promise((resolve) => (resolveLast = resolve));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
    });
    req.on('error', reject);
    req.end();
  });
}

function form(fields: Array<[string, string | Blob, string?]>): FormData {
  const data = new FormData();
  for (const [name, value, filename] of fields) {
    if (typeof value === 'string') data.append(name, value);
    else data.append(name, value, filename);
  }
  return data;
}

describe('multipart', () => {
  test('fields and files; small files in memory, large ones on disk until close()', async () => {
    using _s = overrideSettings({ FILE_UPLOAD_MAX_MEMORY_SIZE: 100 });
    const big = 'B'.repeat(1000);
    const result = await ask(
      (r) => {
        const small = r.FILES.get('small')!;
        const large = r.FILES.get('large')!;
        return {
          title: r.POST.get('title'),
          tags: r.POST.getlist('tag'),
          small: [small.name, small.size, small.contentType, small.text(), small instanceof TemporaryUploadedFile],
          large: [
            large.name,
            large.size,
            large instanceof TemporaryUploadedFile,
            large.read().byteLength,
            [...large.chunks(300)].length,
          ],
          onDisk: large instanceof TemporaryUploadedFile && existsSync(large.temporaryFilePath()),
          intl: [r.FILES.get('intl')!.name, r.FILES.get('intl')!.size, r.FILES.get('intl')!.contentType],
          empty: r.FILES.has('empty'),
        };
      },
      '/upload',
      {
        method: 'POST',
        body: form([
          ['title', 'Zoë'],
          ['tag', 'a'],
          ['tag', 'b'],
          ['small', new Blob(['hello'], { type: 'text/plain' }), '../../etc/hello.txt'],
          ['large', new Blob([big], { type: 'application/octet-stream' }), 'C:\\docs\\big.bin'],
          ['empty', new Blob([]), ''],
          ['intl', new Blob(['ü'], { type: 'text/plain; charset=utf-8' }), 'résumé ✓.txt'],
        ]),
      },
    );
    assert.deepEqual(result, {
      title: 'Zoë',
      tags: ['a', 'b'],
      small: ['hello.txt', 5, 'text/plain', 'hello', false],
      large: ['big.bin', 1000, true, 1000, 4],
      onDisk: true,
      intl: ['résumé ✓.txt', 2, 'text/plain'],
      empty: false,
    });
    const request = await lastRequest;
    const large = request.FILES.get('large') as TemporaryUploadedFile;
    request.close();
    assert.equal(existsSync(large.temporaryFilePath()), false);
    assert.throws(() => large.read(), {
      message:
        "The uploaded file 'big.bin' was removed when its request was closed; save it before the response is sent.",
    });
  });

  test('POST before body makes body unavailable; body before POST works (small bodies)', async () => {
    const init = { method: 'POST', body: form([['a', '1']]) };
    assert.deepEqual(
      await ask(
        (r) => [
          r.POST.get('a'),
          (() => {
            try {
              return r.body.byteLength;
            } catch (e) {
              return (e as Error).name;
            }
          })(),
        ],
        '/',
        init,
      ),
      ['1', 'RawPostDataException'],
    );
    const second = await ask((r) => [r.body.byteLength > 0, r.POST.get('a')], '/', {
      method: 'POST',
      body: form([['a', '1']]),
    });
    assert.deepEqual(second, [true, '1']);
  });

  test('the raw body of a large multipart request is not kept', async () => {
    using _s = overrideSettings({ DATA_UPLOAD_MAX_MEMORY_SIZE: null, FILE_UPLOAD_MAX_MEMORY_SIZE: 50 });
    const errors = await ask(
      (r) =>
        [() => r.body, () => r.read()]
          .map((f) => {
            try {
              f();
              return 'no error';
            } catch (e) {
              return `${(e as Error).name}: ${(e as Error).message.replace(/\d+ bytes/, 'N bytes')}`;
            }
          })
          .concat([String(r.FILES.get('f')?.size)]),
      '/',
      { method: 'POST', body: form([['f', new Blob(['q'.repeat(500)]), 'q.txt']]) },
    );
    const message =
      'RawPostDataException: The raw body of this multipart request (N bytes) was not kept in memory: use request.POST and request.FILES.';
    assert.deepEqual(errors, [message, message, '500']);
    (await lastRequest).close();
  });

  test('too many files, too many fields, too much field data', async () => {
    {
      using _s = overrideSettings({ DATA_UPLOAD_MAX_NUMBER_FILES: 1 });
      const init = {
        method: 'POST',
        body: form([
          ['f', new Blob(['1']), 'a.txt'],
          ['f', new Blob(['2']), 'b.txt'],
        ]),
      };
      assert.deepEqual(await ask((r) => r.FILES.size, '/', init), {
        error: 'TooManyFilesSent',
        message:
          'The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES (1). Send fewer files, or raise the setting if such requests are legitimate.',
      });
      assert.deepEqual(readdirSync(uploadDir), []);
    }
    {
      using _s = overrideSettings({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 2 });
      assert.deepEqual(
        await ask((r) => r.POST.size, '/', {
          method: 'POST',
          body: form([
            ['a', '1'],
            ['b', '2'],
            ['c', '3'],
          ]),
        }),
        {
          error: 'TooManyFieldsSent',
          message:
            'The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS (2). Send fewer fields, or raise the setting if such requests are legitimate.',
        },
      );
    }
    {
      using _s = overrideSettings({ DATA_UPLOAD_MAX_MEMORY_SIZE: 20 });
      assert.deepEqual(await ask((r) => r.POST.size, '/', { method: 'POST', body: form([['a', 'x'.repeat(30)]]) }), {
        error: 'RequestDataTooBig',
        message:
          'Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE (20 bytes). Send less data, or raise the setting if such requests are legitimate.',
      });
      // Files do not count against the field data limit.
      assert.deepEqual(
        await ask((r) => r.FILES.get('f')?.size, '/', {
          method: 'POST',
          body: form([['f', new Blob(['y'.repeat(100)]), 'y.txt']]),
        }),
        100,
      );
    }
  });

  test('a malformed body is a MultiPartParserError once, then POST reads as empty', async () => {
    const result = await ask(
      (r) => {
        const errors: string[] = [];
        try {
          void r.POST;
        } catch (e) {
          errors.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
        return { errors, after: r.POST.size, flagged: r.postParseError };
      },
      '/',
      {
        method: 'POST',
        body: '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      },
    );
    assert.deepEqual(result, {
      errors: ['MultiPartParserError: Invalid multipart/form-data body: Unexpected end of form.'],
      after: 0,
      flagged: true,
    });
    assert.deepEqual(
      await ask((r) => r.POST.size, '/', {
        method: 'POST',
        body: 'x',
        headers: { 'content-type': 'multipart/form-data' },
      }),
      {
        error: 'MultiPartParserError',
        message:
          'Invalid multipart/form-data request: Multipart: Boundary not found in the Content-Type "multipart/form-data". Send a boundary parameter, as browsers do.',
      },
    );
  });
});

describe('host, scheme and URIs', () => {
  test('getHost checks ALLOWED_HOSTS, with subdomain patterns', async () => {
    assert.deepEqual(
      await askWithHost((r) => r.getHost(), '/', { host: 'api.example.com:8080' }),
      'api.example.com:8080',
    );
    assert.deepEqual(await askWithHost((r) => r.getHost(), '/', { host: 'evil.test' }), {
      error: 'DisallowedHost',
      message: 'Invalid HTTP_HOST header: "evil.test". You may need to add "evil.test" to ALLOWED_HOSTS.',
    });
    assert.deepEqual(await askWithHost((r) => r.getHost(), '/', { host: 'bad_host!' }), {
      error: 'DisallowedHost',
      message:
        'Invalid HTTP_HOST header: "bad_host!". The domain name provided is not valid according to RFC 1034/1035.',
    });
  });

  test('with DEBUG and no ALLOWED_HOSTS, only localhost names are allowed', async () => {
    using _s = overrideSettings({ DEBUG: true, ALLOWED_HOSTS: [] });
    for (const host of ['localhost', 'app.localhost:8000', '127.0.0.1:1', '[::1]:8000']) {
      assert.equal(await askWithHost((r) => r.getHost(), '/', { host }), host);
    }
    assert.equal(
      ((await askWithHost((r) => r.getHost(), '/', { host: 'example.org' })) as { error: string }).error,
      'DisallowedHost',
    );
  });

  test('X-Forwarded-Host and -Port are used only when enabled', async () => {
    const headers = { host: '127.0.0.1', 'x-forwarded-host': 'www.example.com', 'x-forwarded-port': '8443' };
    // The reference server derives SERVER_PORT from the Host header, as gunicorn does.
    assert.deepEqual(await askWithHost((r) => [r.getHost(), r.getPort()], '/', headers), ['127.0.0.1', '80']);
    using _s = overrideSettings({ USE_X_FORWARDED_HOST: true, USE_X_FORWARDED_PORT: true });
    assert.deepEqual(await askWithHost((r) => [r.getHost(), r.getPort()], '/', headers), ['www.example.com', '8443']);
  });

  test('scheme and isSecure honour SECURE_PROXY_SSL_HEADER; a malformed setting is explained', async () => {
    const headers = { 'x-forwarded-proto': 'https, http' };
    assert.deepEqual(await askWithHost((r) => [r.scheme, r.isSecure()], '/', headers), ['http', false]);
    {
      using _s = overrideSettings({ SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'] });
      assert.deepEqual(await askWithHost((r) => [r.scheme, r.isSecure()], '/', headers), ['https', true]);
      assert.deepEqual(await askWithHost((r) => r.scheme, '/', {}), 'http');
    }
    using _s = overrideSettings({ SECURE_PROXY_SSL_HEADER: 'HTTP_X_FORWARDED_PROTO' as never });
    assert.deepEqual(await askWithHost((r) => r.scheme, '/', {}), {
      error: 'ImproperlyConfigured',
      message:
        "The SECURE_PROXY_SSL_HEADER setting must be a list of two values, as ['HTTP_X_FORWARDED_PROTO', 'https'], got \"HTTP_X_FORWARDED_PROTO\".",
    });
  });

  test('buildAbsoluteUri and getFullPath', async () => {
    const result = await askWithHost(
      (r) => [
        r.buildAbsoluteUri(),
        r.buildAbsoluteUri('/login/'),
        r.buildAbsoluteUri('other/'),
        r.buildAbsoluteUri('https://elsewhere.test/x'),
        r.buildAbsoluteUri('//cdn.example.com/a.js'),
        r.buildAbsoluteUri('/a/../b'),
        r.getFullPath(true),
      ],
      '/dir/page?q=1',
      { host: 'testserver' },
    );
    assert.deepEqual(result, [
      'http://testserver/dir/page?q=1',
      'http://testserver/login/',
      'http://testserver/dir/other/',
      'https://elsewhere.test/x',
      'http://cdn.example.com/a.js',
      'http://testserver/b',
      '/dir/page/?q=1',
    ]);
  });
});

test('accepts() and acceptedTypes() read the Accept header by preference', () => {
  const r = new HttpRequest();
  assert.equal(r.accepts('text/html'), true, 'no Accept header accepts anything');
  r.META = { HTTP_ACCEPT: 'text/html;q=0.5, application/json, image/*;q=0.8, text/plain;q=0' };
  assert.deepEqual(
    r.acceptedTypes().map((t) => [t.type, t.q]),
    [
      ['application/json', 1],
      ['image/*', 0.8],
      ['text/html', 0.5],
    ],
  );
  assert.equal(r.accepts('application/json'), true);
  assert.equal(r.accepts('image/png'), true);
  assert.equal(r.accepts('text/plain'), false);
  assert.equal(r.accepts('application/xml'), false);
  r.method = 'GET';
  r.path = '/a b';
  assert.equal(String(r), '<HttpRequest: GET "/a%20b">');
});

test('an empty HttpRequest is constructible and settable, as Django', () => {
  const r = new HttpRequest();
  assert.equal(r.method, null);
  assert.equal(r.path, '');
  assert.equal(r.GET.mutable, true);
  assert.equal(r.POST.size, 0);
  assert.equal(r.FILES.size, 0);
  assert.deepEqual(r.COOKIES, {});
  assert.equal(r.headers.size, 0);
  assert.equal(r.body.byteLength, 0);
  assert.equal(r.read().byteLength, 0);
  r.method = 'POST';
  r.GET.set('a', '1');
  r.body = '{"x":1}';
  assert.deepEqual(r.json(), { x: 1 });
  assert.equal(r.GET.get('a'), '1');
  r.META = { HTTP_HOST: 'testserver', SERVER_PORT: '80', 'wsgi.url_scheme': 'http' };
  r.path = '/p';
  assert.equal(r.buildAbsoluteUri(), 'http://testserver/p');
});
