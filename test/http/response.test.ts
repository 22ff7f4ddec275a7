import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, openSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REASON_PHRASES } from '../../src/gateway/http-rules.ts';
import { settings } from '../../src/conf/index.ts';
import {
  HttpResponse,
  StreamingHttpResponse,
  FileResponse,
  JsonResponse,
  HttpResponseRedirect,
  HttpResponsePermanentRedirect,
  HttpResponseNotModified,
  HttpResponseBadRequest,
  HttpResponseNotFound,
  HttpResponseForbidden,
  HttpResponseNotAllowed,
  HttpResponseGone,
  HttpResponseServerError,
  BadHeaderError,
  HttpHeaders,
  iriToUri,
} from '../../src/http/index.ts';
import { DisallowedRedirect } from '../../src/core/exceptions.ts';

before(() => settings.configure({}));

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('HttpResponse', () => {
  test('defaults: 200 OK, text/html with the default charset, empty body', () => {
    const r = new HttpResponse();
    assert.equal(r.statusCode, 200);
    assert.equal(r.reasonPhrase, 'OK');
    assert.equal(r.statusLine, '200 OK');
    assert.equal(r.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.content.byteLength, 0);
    assert.equal(r.streaming, false);
  });

  test('text is encoded with the charset; bytes and iterables are kept', () => {
    assert.equal(new HttpResponse('héllo').content.byteLength, 6);
    const latin = new HttpResponse('héllo', { charset: 'iso-8859-1' });
    assert.equal(latin.content.byteLength, 5);
    assert.equal(latin.text, 'héllo');
    assert.equal(latin.get('Content-Type'), 'text/html; charset=iso-8859-1');
    assert.equal(new HttpResponse('x', { contentType: 'text/plain; charset=latin1' }).charset, 'latin1');
    assert.equal(new HttpResponse(new Uint8Array([1, 2])).content.byteLength, 2);
    let closed = false;
    const iterable = Object.assign(['a', new Uint8Array([98]), 'c'], { close: () => (closed = true) });
    assert.equal(new HttpResponse(iterable).text, 'abc');
    assert.equal(closed, true);
    assert.equal(new HttpResponse(12).text, '12');
  });

  test('write() appends, and the response is its own body', async () => {
    const r = new HttpResponse('a');
    r.write('b');
    r.write(new Uint8Array([99]));
    assert.equal(r.tell(), 3);
    assert.deepEqual(
      [...r].map((c) => Buffer.from(c).toString()),
      ['a', 'b', 'c'],
    );
    assert.equal(await collect(r), 'abc');
    assert.equal(r.text, 'abc');
  });

  test("the standard reason phrases are the gateway's (RFC 9110's)", () => {
    for (let status = 100; status <= 599; status++) {
      assert.equal(
        new HttpResponse('', { status }).reasonPhrase,
        REASON_PHRASES[status] ?? 'Unknown Status Code',
        String(status),
      );
    }
    assert.equal(new HttpResponse('', { status: 413 }).reasonPhrase, 'Content Too Large');
  });

  test('status, reason and their errors', () => {
    assert.equal(new HttpResponse('', { status: 418 }).reasonPhrase, "I'm a Teapot");
    assert.equal(new HttpResponse('', { status: 599 }).reasonPhrase, 'Unknown Status Code');
    assert.equal(new HttpResponse('', { status: 200, reason: 'Fine' }).statusLine, '200 Fine');
    assert.throws(() => new HttpResponse('', { status: 99 }), {
      name: 'RangeError',
      message: 'HTTP status code must be an integer from 100 to 599, got 99.',
    });
    assert.throws(() => new HttpResponse('', { status: '200' as never }), {
      name: 'TypeError',
      message: 'HTTP status code must be an integer, got "200".',
    });
    assert.throws(() => new HttpResponse('', { reason: 'a\r\nb' }), {
      message: 'The reason phrase can\'t contain newlines (got "a\\r\\nb").',
    });
  });

  test('contentType and a Content-Type header together are refused', () => {
    assert.throws(() => new HttpResponse('', { contentType: 'text/plain', headers: { 'content-type': 'x/y' } }), {
      message: "'headers' must not contain 'Content-Type' when the 'contentType' option is provided.",
    });
    assert.equal(new HttpResponse('', { headers: [['Content-Type', 'x/y']] }).get('content-type'), 'x/y');
  });

  test('an async iterable is refused with the fix', () => {
    async function* gen() {
      yield 'a';
    }
    assert.throws(() => new HttpResponse(gen() as never), {
      message: 'HttpResponse content cannot be an async iterable: use StreamingHttpResponse for streamed content.',
    });
  });

  test('charsets Node cannot encode, and text a charset cannot hold', () => {
    assert.throws(() => new HttpResponse('x', { charset: 'koi8-r' }), {
      message:
        'Cannot encode text as "koi8-r": tsgi encodes utf-8, iso-8859-1, us-ascii and utf-16le; pass bytes (a Uint8Array) for other charsets.',
    });
    assert.throws(() => new HttpResponse('a€b', { charset: 'iso-8859-1' }), {
      message: 'Cannot encode "a€b" as iso-8859-1: the character "€" has no iso-8859-1 form. Use utf-8.',
    });
    assert.throws(() => new HttpResponse(new Uint8Array([1]), { charset: 'nope-9' }).text, {
      message: 'Cannot decode bytes as "nope-9": it is not a charset this runtime knows.',
    });
  });
});

describe('headers', () => {
  test('case-insensitive, keep the first spelling, and appear in headerList in order', () => {
    const r = new HttpResponse('', { headers: { 'X-One': '1' } });
    r.set('x-two', 2);
    r.set('X-ONE', 'uno');
    assert.equal(r.get('x-one'), 'uno');
    assert.equal(r.has('X-TWO'), true);
    r.setDefault('X-Two', 'ignored');
    assert.equal(r.get('x-two'), '2');
    assert.equal(r.delete('x-two'), true);
    assert.equal(r.get('missing', 'alt'), 'alt');
    assert.deepEqual(r.headerList(), [
      ['X-One', 'uno'],
      ['Content-Type', 'text/html; charset=utf-8'],
    ]);
  });

  test('delete in the middle keeps the order of the others; a header set again goes last', () => {
    const r = new HttpResponse('', {
      headers: [
        ['A', '1'],
        ['B', '2'],
        ['C', '3'],
      ],
    });
    assert.equal(r.headers.size, 4);
    assert.equal(r.delete('b'), true);
    assert.equal(r.delete('b'), false);
    assert.equal(r.has('B'), false);
    assert.equal(r.get('c'), '3');
    r.set('b', 'again');
    r.set('A', 'one');
    assert.deepEqual(r.headers.keys(), ['A', 'C', 'Content-Type', 'b']);
    assert.deepEqual(r.headers.entries(), [
      ['A', 'one'],
      ['C', '3'],
      ['Content-Type', 'text/html; charset=utf-8'],
      ['b', 'again'],
    ]);
    assert.deepEqual([...r.headers], r.headers.entries());
    assert.deepEqual(r.headerList(), r.headers.entries());
    assert.equal(r.headers.size, 4);
    // The lists handed out are copies: changing them changes nothing.
    r.headers.entries()[0]![1] = 'changed';
    r.headerList().pop();
    assert.equal(r.get('a'), 'one');
    assert.equal(r.headers.size, 4);
    r.delete('content-type');
    assert.equal(r.charset, 'utf-8', 'without a Content-Type, DEFAULT_CHARSET');
    r.set('content-type', 'text/plain; charset=iso-8859-1');
    assert.equal(r.charset, 'iso-8859-1', 'the charset follows the Content-Type');
  });

  test('CR or LF in a value or name is a BadHeaderError', () => {
    const r = new HttpResponse();
    assert.throws(
      () => r.set('X-Evil', 'a\r\nSet-Cookie: x=1'),
      (e: unknown) => {
        assert.ok(e instanceof BadHeaderError);
        assert.equal(
          e.message,
          "Header values can't contain newlines (got \"a\\r\\nSet-Cookie: x=1\" for header 'X-Evil').",
        );
        return true;
      },
    );
    r.set('X-Known', 'fine');
    assert.throws(() => r.set('X-Known', 'a\nb'), { name: 'BadHeaderError' }, 'a name seen before is still checked');
    assert.throws(() => r.set('X-Evil\n', 'a'), {
      name: 'BadHeaderError',
      message: 'Header names can\'t contain newlines (got "X-Evil\\n").',
    });
    assert.throws(() => r.set('Bad Name', 'a'), {
      name: 'BadHeaderError',
      message: '"Bad Name" is not a valid header name: use letters, digits and !#$%&\'*+-.^_`|~ (RFC 9110 §5.1).',
    });
    assert.throws(() => r.set('X-Nul', 'a\0b'), {
      name: 'BadHeaderError',
      message: "Header values can't contain control characters (got \"a\\u0000b\" for header 'X-Nul').",
    });
    assert.equal(
      new HttpResponseRedirect('/a\r\nb').url,
      '/a%0D%0Ab',
      'a redirect target is percent-encoded, never split',
    );
  });

  test('text beyond Latin-1 is MIME-encoded, Latin-1 is kept', () => {
    const r = new HttpResponse();
    r.set('X-Name', 'café');
    assert.equal(r.get('x-name'), 'café');
    r.set('X-Name', '€');
    assert.equal(r.get('x-name'), '=?utf-8?b?4oKs?=');
  });
});

test('request HttpHeaders: from HTTP_* and CONTENT_*, case- and _-insensitive, Django names', () => {
  const h = new HttpHeaders({
    HTTP_X_FORWARDED_FOR: '1.2.3.4',
    CONTENT_TYPE: 'text/plain',
    CONTENT_LENGTH: '3',
    HTTP_HOST: 'h',
    SERVER_NAME: 'x',
    'wsgi.input': {},
  });
  assert.deepEqual(h.keys(), ['X-Forwarded-For', 'Content-Type', 'Content-Length', 'Host']);
  assert.equal(h.get('x-forwarded-for'), '1.2.3.4');
  assert.equal(h.get('X_FORWARDED_FOR'), '1.2.3.4');
  assert.equal(h.has('content-length'), true);
  assert.equal(h.has('Server-Name'), false);
  assert.deepEqual(Object.fromEntries(h), {
    'X-Forwarded-For': '1.2.3.4',
    'Content-Type': 'text/plain',
    'Content-Length': '3',
    Host: 'h',
  });
});

describe('cookies', () => {
  test('every attribute, in the order Django writes them, one Set-Cookie each', () => {
    const r = new HttpResponse();
    r.setCookie('a', '1', {
      maxAge: 60,
      path: '/p',
      domain: 'example.com',
      secure: true,
      httponly: true,
      samesite: 'strict',
    });
    r.setCookie('b', 'two words; "quoted"');
    const headers = r
      .headerList()
      .filter(([n]) => n === 'Set-Cookie')
      .map(([, v]) => v);
    assert.equal(headers.length, 2);
    assert.match(
      headers[0]!,
      /^a=1; Domain=example\.com; expires=\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT; HttpOnly; Max-Age=60; Path=\/p; SameSite=Strict; Secure$/,
    );
    const expires = Date.parse(/expires=([^;]+)/.exec(headers[0]!)![1]!);
    assert.ok(Math.abs(expires - (Date.now() + 60_000)) < 5000);
    assert.equal(headers[1], 'b="two words\\073 \\"quoted\\""; Path=/');
  });

  test('expires as a Date sets Max-Age too; as a string it is kept', () => {
    const r = new HttpResponse();
    r.setCookie('d', 'v', { expires: new Date(Date.now() + 3_600_000) });
    assert.ok(/Max-Age=(3599|3600)/.test(r.cookies.get('d')!.toHeader()));
    r.setCookie('s', 'v', { expires: 'Wed, 21 Oct 2015 07:28:00 GMT' });
    assert.equal(r.cookies.get('s')!.toHeader(), 's=v; expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/');
  });

  test('deleteCookie expires it, with Secure for prefixed and SameSite=None cookies', () => {
    const r = new HttpResponse();
    r.deleteCookie('a', { path: '/x', domain: 'ex.com' });
    r.deleteCookie('__Host-b');
    r.deleteCookie('c', { samesite: 'None' });
    assert.deepEqual(
      r
        .headerList()
        .filter(([n]) => n === 'Set-Cookie')
        .map(([, v]) => v),
      [
        'a=""; Domain=ex.com; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/x',
        '__Host-b=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure',
        'c=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=None; Secure',
      ],
    );
  });

  test('bad cookies are refused with the reason', () => {
    const r = new HttpResponse();
    assert.throws(() => r.setCookie('a', 'b', { samesite: 'sometimes' }), {
      message: 'samesite must be "lax", "none", or "strict", got "sometimes" (cookie \'a\').',
    });
    assert.throws(() => r.setCookie('a b', 'x'), {
      message:
        '"a b" is not a valid cookie name: use letters, digits and !#$%&\'*+-.^_`|~: and not an attribute name (Path, Domain, Expires, ...).',
    });
    assert.throws(() => r.setCookie('Path', 'x'), { message: /"Path" is not a valid cookie name/ });
    assert.throws(() => r.setCookie('a', 'b', { expires: new Date(), maxAge: 5 }), {
      message: "'expires' and 'maxAge' can't be used together (cookie 'a'): give one of them.",
    });
    assert.throws(() => r.setCookie('a', 'b', { maxAge: Infinity }), {
      message: "maxAge must be a finite number of seconds, got Infinity (cookie 'a').",
    });
    assert.throws(() => r.setCookie('a', 'b', { path: '/; Domain=evil' }), {
      message: "The cookie path \"/; Domain=evil\" can't contain ';', CR, LF or NUL.",
    });
  });
});

describe('close()', () => {
  test('runs the resource closers once, all of them even when one fails', async () => {
    const r = new HttpResponse();
    const ran: number[] = [];
    r.addResourceCloser(() => ran.push(1));
    r.addResourceCloser(() => {
      throw new Error('closer failed');
    });
    r.addResourceCloser(async () => ran.push(3));
    await assert.rejects(r.close(), { message: 'closer failed' });
    assert.deepEqual(ran, [1, 3]);
    assert.equal(r.closed, true);
    await r.close();
    assert.deepEqual(ran, [1, 3]);
  });
});

describe('StreamingHttpResponse', () => {
  test('streams a sync iterable, encoding text chunks', async () => {
    const r = new StreamingHttpResponse(['a', new Uint8Array([98]), 'é'], { contentType: 'text/plain' });
    assert.equal(r.streaming, true);
    assert.equal(r.isAsync, false);
    assert.equal(await collect(r.streamingContent), 'abé');
  });

  test('streams an async generator; closing early stops it (its finally runs)', async () => {
    let cleaned = false;
    async function* gen() {
      try {
        yield 'one';
        yield 'two';
        yield 'three';
      } finally {
        cleaned = true;
      }
    }
    const r = new StreamingHttpResponse(gen());
    assert.equal(r.isAsync, true);
    const iterator = r[Symbol.asyncIterator]();
    assert.equal(Buffer.from((await iterator.next()).value as Uint8Array).toString(), 'one');
    await r.close();
    assert.equal(cleaned, true);
  });

  test('abandoning the iteration stops the source', async () => {
    let cleaned = false;
    function* gen() {
      try {
        yield 'a';
        yield 'b';
      } finally {
        cleaned = true;
      }
    }
    const r = new StreamingHttpResponse(gen());
    for await (const _chunk of r) break;
    assert.equal(cleaned, true);
  });

  test('has no content; the source must be an iterable', () => {
    const r = new StreamingHttpResponse([]);
    assert.throws(() => r.content, {
      message: 'This StreamingHttpResponse instance has no `content` attribute. Use `streamingContent` instead.',
    });
    assert.throws(() => new StreamingHttpResponse('text' as never), {
      message:
        'StreamingHttpResponse content must be an iterable or async iterable of strings or bytes, got a string; use HttpResponse for content in memory.',
    });
  });

  test('getValue reads the whole stream', async () => {
    async function* gen() {
      yield 'x';
      yield 'y';
    }
    assert.equal(Buffer.from(await new StreamingHttpResponse(gen()).getValue()).toString(), 'xy');
  });
});

describe('FileResponse', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsgi-file-'));
    writeFileSync(path.join(dir, 'report.pdf'), 'PDF-DATA');
    writeFileSync(path.join(dir, 'archive.tar.gz'), 'GZ');
    writeFileSync(path.join(dir, 'résumé.txt'), 'CV');
    return () => rmSync(dir, { recursive: true, force: true });
  });

  test('a path: fileSource, Content-Length, type from the name, inline disposition', async () => {
    const file = path.join(dir, 'report.pdf');
    const r = new FileResponse(file);
    assert.deepEqual(r.fileSource, { path: file });
    assert.equal(r.get('Content-Length'), '8');
    assert.equal(r.get('Content-Type'), 'application/pdf');
    assert.equal(r.get('Content-Disposition'), 'inline; filename="report.pdf"');
    assert.equal(await collect(r), 'PDF-DATA');
  });

  test('attachment, explicit filename (non-ASCII), compressed types, explicit content type', () => {
    const r = new FileResponse(path.join(dir, 'report.pdf'), { asAttachment: true, filename: 'my "report".pdf' });
    assert.equal(r.get('Content-Disposition'), 'attachment; filename="my \\"report\\".pdf"');
    assert.equal(new FileResponse(path.join(dir, 'archive.tar.gz')).get('Content-Type'), 'application/gzip');
    assert.equal(
      new FileResponse(path.join(dir, 'résumé.txt')).get('Content-Disposition'),
      "inline; filename*=utf-8''r%C3%A9sum%C3%A9.txt",
    );
    assert.equal(new FileResponse(path.join(dir, 'report.pdf'), { contentType: 'x/y' }).get('Content-Type'), 'x/y');
  });

  test('a file descriptor is sent and closed on close()', async () => {
    const fd = openSync(path.join(dir, 'report.pdf'), 'r');
    const r = new FileResponse(fd, { asAttachment: true });
    assert.deepEqual(r.fileSource, { fd });
    assert.equal(r.get('Content-Disposition'), 'attachment');
    assert.equal(r.get('Content-Type'), 'application/octet-stream');
    assert.equal(await collect(r), 'PDF-DATA');
    await r.close();
    assert.throws(() => new FileResponse(fd), {
      message: `FileResponse cannot send file descriptor ${fd}: it is not open.`,
    });
  });

  test('a stream: no fileSource, name and length from a file stream', async () => {
    const r = new FileResponse(createReadStream(path.join(dir, 'report.pdf')));
    assert.equal(r.fileSource, undefined);
    assert.equal(r.get('Content-Length'), '8');
    assert.equal(r.get('Content-Type'), 'application/pdf');
    assert.equal(await collect(r), 'PDF-DATA');
    await r.close();
  });

  test('a missing file or a folder is refused at once', () => {
    const missing = path.join(dir, 'nope.txt');
    assert.throws(() => new FileResponse(missing), { message: `FileResponse cannot send '${missing}': no such file.` });
    assert.throws(() => new FileResponse(dir), {
      message: `FileResponse cannot send '${dir}': it is not a regular file.`,
    });
  });
});

describe('JsonResponse', () => {
  test('serializes objects as application/json', () => {
    const r = new JsonResponse({ a: [1, 'é'] }, { status: 201 });
    assert.equal(r.statusCode, 201);
    assert.equal(r.get('Content-Type'), 'application/json');
    assert.equal(r.text, '{"a":[1,"é"]}');
    assert.equal(new JsonResponse([1, 2], { safe: false }).text, '[1,2]');
    assert.equal(new JsonResponse(Object.assign(Object.create(null), { a: 1 })).text, '{"a":1}');
    assert.equal(new JsonResponse({ a: 1 }, { space: 2 }).text, '{\n  "a": 1\n}');
  });

  test('bigints are JSON numbers with every digit (as Python writes its ints), through a replacer too', () => {
    assert.equal(
      new JsonResponse({ id: 1234567890123456789012n, list: [1n, -2n], n: 1 }).text,
      '{"id":1234567890123456789012,"list":[1,-2],"n":1}',
    );
    assert.equal(
      new JsonResponse({ a: 1 }, { replacer: (_k, v) => (typeof v === 'number' ? BigInt(v) * 10n ** 20n : v) }).text,
      '{"a":100000000000000000000}',
    );
    assert.equal(new JsonResponse({ id: 2n ** 64n }, { space: 1 }).text, '{\n "id": 18446744073709551616\n}');
  });

  test('safe mode refuses non-objects; unserializable data is refused', () => {
    for (const data of [[1], 'x', null, 3, new Map([['a', 1]]), new Date(0)]) {
      assert.throws(() => new JsonResponse(data), {
        name: 'TypeError',
        message: 'In order to allow non-object values to be serialized set the safe option to false.',
      });
    }
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.throws(() => new JsonResponse(circular), {
      message: /^JsonResponse data is not JSON serializable: Converting circular structure to JSON/,
    });
    assert.throws(() => new JsonResponse(undefined, { safe: false }), {
      message: 'JsonResponse data is not JSON serializable: undefined has no JSON form.',
    });
  });
});

describe('redirects and status shortcuts', () => {
  test('redirects set Location (IRI encoded) and the status', () => {
    const r = new HttpResponseRedirect('/café/?q=a b');
    assert.equal(r.statusCode, 302);
    assert.equal(r.url, '/caf%C3%A9/?q=a%20b');
    assert.equal(new HttpResponsePermanentRedirect('https://example.com/').statusCode, 301);
    assert.equal(new HttpResponseRedirect(new URL('http://x.test/a')).url, 'http://x.test/a');
    assert.equal(iriToUri('/a%20b/ü'), '/a%20b/%C3%BC');
  });

  test('javascript:, data: and other schemes are refused', () => {
    for (const [url, scheme] of [
      ['javascript:alert(1)', 'javascript'],
      ['  JavaScript:alert(1)', 'javascript'],
      ['java\tscript:alert(1)', 'javascript'],
      ['data:text/html,x', 'data'],
      ['file:///etc/passwd', 'file'],
    ]) {
      assert.throws(
        () => new HttpResponseRedirect(url!),
        (e: unknown) => {
          assert.ok(e instanceof DisallowedRedirect);
          assert.equal(e.message, `Unsafe redirect to URL with protocol '${scheme}'.`);
          return true;
        },
      );
    }
  });

  test('304 has no body and no Content-Type, and refuses content', () => {
    const r = new HttpResponseNotModified();
    assert.equal(r.statusCode, 304);
    assert.equal(r.has('Content-Type'), false);
    assert.throws(
      () => {
        r.content = 'x';
      },
      { message: 'You cannot set content to a 304 (Not Modified) response.' },
    );
  });

  test('status shortcuts and Allow', () => {
    const cases: Array<[HttpResponse, number]> = [
      [new HttpResponseBadRequest(), 400],
      [new HttpResponseNotFound('nope'), 404],
      [new HttpResponseForbidden(), 403],
      [new HttpResponseGone(), 410],
      [new HttpResponseServerError(), 500],
    ];
    for (const [r, status] of cases) assert.equal(r.statusCode, status);
    const notAllowed = new HttpResponseNotAllowed(['GET', 'HEAD']);
    assert.equal(notAllowed.statusCode, 405);
    assert.equal(notAllowed.get('Allow'), 'GET, HEAD');
  });
});
