// The request body read on demand (src/http/body.ts through HttpRequest): loadBody(),
// readFormField(), stream(), and the errors for using the body too early or twice.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { settings } from '../../src/conf/index.ts';
import { requestFromEnviron } from '../../src/core/handlers/wsgi.ts';
import { buildTestEnviron } from '../../src/gateway/testing.ts';
import { HttpRequest } from '../../src/http/request.ts';
import { UploadStorageError } from '../../src/http/exceptions.ts';

before(() => settings.configure({ ALLOWED_HOSTS: ['*'] }));

function request(body: string, contentType = 'application/x-www-form-urlencoded', method = 'POST'): HttpRequest {
  return requestFromEnviron(buildTestEnviron({ method, path: '/', headers: { 'Content-Type': contentType }, body }));
}

const form = (parts: Array<[string, string]>, boundary = 'B') =>
  parts
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('') + `--${boundary}--\r\n`;

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts).toString();
}

const NOT_LOADED =
  'used before the request body was read. Await request.loadBody() first: the handler does it before calling a view ' +
  'that accepts the request method, so this is middleware (or a view decorated with streamRequestBody) reading the body too early.';

describe('loadBody()', () => {
  test('before it, the body, POST, FILES and read() throw a sentence naming what to await; after it they work', async () => {
    const r = request('a=1&b=2');
    assert.equal(r.bodyLoaded, false);
    assert.throws(() => r.body, { message: `request.body was ${NOT_LOADED}` });
    assert.throws(() => r.POST, { message: `request.POST and request.FILES were ${NOT_LOADED}` });
    assert.throws(() => r.FILES, { message: `request.POST and request.FILES were ${NOT_LOADED}` });
    assert.throws(() => r.read(), { message: `request.read() was ${NOT_LOADED}` });
    await r.loadBody();
    await r.loadBody();
    assert.equal(r.bodyLoaded, true);
    assert.deepEqual(r.POST.lists(), [
      ['a', ['1']],
      ['b', ['2']],
    ]);
    assert.equal(Buffer.from(r.body).toString(), 'a=1&b=2');
  });

  test('a request without a body, or built by hand, has nothing to load', async () => {
    const get = requestFromEnviron(buildTestEnviron({ path: '/' }));
    assert.equal(get.bodyLoaded, true);
    assert.equal(get.body.byteLength, 0);
    assert.equal(get.POST.size, 0);
    const manual = new HttpRequest();
    assert.equal(manual.bodyLoaded, true);
    await manual.loadBody();
    assert.equal(manual.POST.mutable, true);
  });

  test('POST of a body that is not a form needs no loading (it is empty, as in Django)', () => {
    const r = request('{"a": 1}', 'application/json');
    assert.equal(r.POST.size, 0);
    assert.equal(r.bodyLoaded, false);
  });
});

describe('readFormField()', () => {
  test('multipart: reads up to the field; loadBody() then reads the rest', async () => {
    const r = request(
      form([
        ['token', 'abc'],
        ['title', 'hello'],
      ]),
      'multipart/form-data; boundary=B',
    );
    assert.equal(await r.readFormField('token'), 'abc');
    assert.equal(r.bodyLoaded, false);
    await r.loadBody();
    assert.deepEqual(r.POST.lists(), [
      ['token', ['abc']],
      ['title', ['hello']],
    ]);
  });

  test('urlencoded: the whole form (POST.get, the last value); other methods and types: null', async () => {
    assert.equal(await request('t=1&t=2').readFormField('t'), '2');
    assert.equal(await request('t=1').readFormField('missing'), null);
    assert.equal(await request('t=1', 'text/plain').readFormField('t'), null);
    assert.equal(await request('t=1', 'application/x-www-form-urlencoded', 'PUT').readFormField('t'), null);
  });
});

describe('stream()', () => {
  test('before loading: the chunks as they arrive; afterwards the body is gone, as in Django', async () => {
    const r = request('raw bytes', 'application/octet-stream');
    assert.equal(await collect(r.stream()), 'raw bytes');
    assert.equal(r.bodyLoaded, true);
    assert.throws(() => r.body, { name: 'RawPostDataException' });
    await assert.rejects(r.loadBody(), { name: 'RawPostDataException' });
  });

  test('the request itself is async-iterable, as request.stream()', async () => {
    const r = request('iterated', 'application/octet-stream');
    assert.equal(await collect(r), 'iterated');
  });

  test('after loading: the loaded body, and the body is still there', async () => {
    const r = request('loaded', 'application/octet-stream');
    await r.loadBody();
    assert.equal(await collect(r.stream()), 'loaded');
    assert.equal(Buffer.from(r.body).toString(), 'loaded');
  });

  test('after the CSRF check read part of a multipart body: a sentence saying what to do instead', async () => {
    const r = request(form([['csrfmiddlewaretoken', 'x']]), 'multipart/form-data; boundary=B');
    await r.readFormField('csrfmiddlewaretoken');
    assert.throws(() => r.stream(), {
      name: 'RawPostDataException',
      message:
        'Part of the request body was already read (by the CSRF check, for the form token), so it cannot be streamed from the start. ' +
        'Send the token in the X-CSRFToken header, or exempt the view with csrfExempt() if it checks the request another way.',
    });
  });
});

test('UploadStorageError: 507 for a full disk or quota, 413 for the file size limit, 500 otherwise', () => {
  assert.equal(new UploadStorageError('x', { code: 'ENOSPC' }).statusCode, 507);
  assert.equal(new UploadStorageError('x', { code: 'EDQUOT' }).statusCode, 507);
  assert.equal(new UploadStorageError('x', { code: 'EFBIG' }).statusCode, 413);
  assert.equal(new UploadStorageError('x', { code: 'EIO' }).statusCode, 500);
});
