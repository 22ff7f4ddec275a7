/** The static serving cases, run against every way of serving (gateway handler, middleware). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { rawRequest } from './raw-http.ts';
import { TRAVERSALS, type StaticTree } from './static-tree.ts';

export function staticServingCases(port: () => number, tree: StaticTree, seen: () => string[]): void {
  const css = tree.files['css/site.css']!;
  const js = tree.files['js/app.js']!;
  const lastModified = tree.mtime.toUTCString();

  test('GET sends the file with its type, length, validators and a short cache', async () => {
    const res = await rawRequest(port(), 'GET', '/static/css/site.css');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, css);
    assert.equal(res.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(res.headers.get('content-length'), String(css.length));
    assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
    assert.equal(res.headers.get('last-modified'), lastModified);
    assert.match(res.headers.get('etag')!, /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('vary'), undefined);
  });

  test('a content-hashed file is cached for a year, immutable', async () => {
    const res = await rawRequest(port(), 'GET', '/static/css/site.0123456789ab.css');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });

  test('percent-encoded names, an empty file, and a symlink inside the root are served', async () => {
    const res = await rawRequest(port(), 'GET', '/static/dir%20with%20space/%C3%A9.txt');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'unicode\n');
    const empty = await rawRequest(port(), 'GET', '/static/empty.txt');
    assert.equal(empty.status, 200);
    assert.equal(empty.headers.get('content-length'), '0');
    assert.equal(empty.body.length, 0);
    const link = await rawRequest(port(), 'GET', '/static/link-in.css');
    assert.equal(link.status, 200);
    assert.deepEqual(link.body, css);
  });

  test('HEAD sends the headers of GET and no body', async () => {
    const res = await rawRequest(port(), 'HEAD', '/static/css/site.css');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(css.length));
    assert.equal(res.body.length, 0);
  });

  test('other methods get 405 with Allow', async () => {
    const res = await rawRequest(port(), 'POST', '/static/css/site.css', { 'Content-Length': '0' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });

  test('If-None-Match and If-Modified-Since answer 304 without a body', async () => {
    const first = await rawRequest(port(), 'GET', '/static/css/site.css');
    const etag = first.headers.get('etag')!;
    for (const headers of [
      { 'If-None-Match': etag },
      { 'If-None-Match': `"other", W/${etag}` },
      { 'If-None-Match': '*' },
      { 'If-Modified-Since': lastModified },
      { 'If-Modified-Since': new Date(tree.mtime.getTime() + 86400_000).toUTCString() },
    ] as Array<Record<string, string>>) {
      const res = await rawRequest(port(), 'GET', '/static/css/site.css', headers);
      assert.equal(res.status, 304, JSON.stringify(headers));
      assert.equal(res.body.length, 0);
      assert.equal(res.headers.get('etag'), etag);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
    }
    for (const headers of [
      { 'If-None-Match': '"nope"' },
      { 'If-Modified-Since': new Date(tree.mtime.getTime() - 1000).toUTCString() },
      { 'If-Modified-Since': 'not a date' },
      // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
      { 'If-None-Match': '"nope"', 'If-Modified-Since': lastModified },
    ] as Array<Record<string, string>>) {
      const res = await rawRequest(port(), 'GET', '/static/css/site.css', headers);
      assert.equal(res.status, 200, JSON.stringify(headers));
      assert.deepEqual(res.body, css);
    }
  });

  test('Range answers 206 with the bytes asked for', async () => {
    const size = css.length;
    for (const [range, start, end] of [
      ['bytes=0-9', 0, 9],
      ['bytes=10-', 10, size - 1],
      ['bytes=-5', size - 5, size - 1],
      ['bytes=5-100000', 5, size - 1],
      ['bytes=-100000', 0, size - 1],
    ] as const) {
      const res = await rawRequest(port(), 'GET', '/static/css/site.css', { Range: range });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${size}`, range);
      assert.equal(res.headers.get('content-length'), String(end - start + 1), range);
      assert.deepEqual(res.body, css.subarray(start, end + 1), range);
    }
  });

  test('an unsatisfiable Range answers 416 with the size', async () => {
    for (const range of [`bytes=${css.length}-`, 'bytes=99999-100000', 'bytes=-0']) {
      const res = await rawRequest(port(), 'GET', '/static/css/site.css', { Range: range });
      assert.equal(res.status, 416, range);
      assert.equal(res.headers.get('content-range'), `bytes */${css.length}`);
      assert.equal(res.body.length, 0);
    }
  });

  test('a malformed or multiple Range, or a stale If-Range, sends the whole file', async () => {
    const etag = (await rawRequest(port(), 'GET', '/static/css/site.css')).headers.get('etag')!;
    for (const headers of [
      { Range: 'bytes=5-2' },
      { Range: 'items=0-5' },
      { Range: 'bytes=0-1,4-5' },
      { Range: 'bytes=abc' },
      { Range: 'bytes=0-4', 'If-Range': '"stale"' },
      { Range: 'bytes=0-4', 'If-Range': 'Wed, 01 Jan 2020 00:00:00 GMT' },
    ] as Array<Record<string, string>>) {
      const res = await rawRequest(port(), 'GET', '/static/css/site.css', headers);
      assert.equal(res.status, 200, JSON.stringify(headers));
      assert.deepEqual(res.body, css);
    }
    for (const ifRange of [etag, lastModified]) {
      const res = await rawRequest(port(), 'GET', '/static/css/site.css', { Range: 'bytes=0-4', 'If-Range': ifRange });
      assert.equal(res.status, 206, ifRange);
      assert.deepEqual(res.body, css.subarray(0, 5));
    }
  });

  test('precompressed siblings are chosen by Accept-Encoding, with Vary', async () => {
    const cases: Array<[string | undefined, string | undefined]> = [
      ['br, gzip', 'br'],
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['*', 'br'],
      ['identity', undefined],
      ['gzip;q=0', undefined],
      [undefined, undefined],
    ];
    for (const [accept, coding] of cases) {
      const res = await rawRequest(
        port(),
        'GET',
        '/static/js/app.js',
        accept === undefined ? {} : { 'Accept-Encoding': accept },
      );
      assert.equal(res.status, 200, accept);
      assert.equal(res.headers.get('vary'), 'Accept-Encoding', accept);
      assert.equal(res.headers.get('content-encoding'), coding, accept);
      assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
      const body =
        coding === 'br' ? brotliDecompressSync(res.body) : coding === 'gzip' ? gunzipSync(res.body) : res.body;
      assert.deepEqual(body, js, accept);
    }
    // Each representation has its own validator.
    const br = await rawRequest(port(), 'GET', '/static/js/app.js', { 'Accept-Encoding': 'br' });
    const plain = await rawRequest(port(), 'GET', '/static/js/app.js');
    assert.notEqual(br.headers.get('etag'), plain.headers.get('etag'));
    const notModified = await rawRequest(port(), 'GET', '/static/js/app.js', {
      'Accept-Encoding': 'br',
      'If-None-Match': br.headers.get('etag')!,
    });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.get('vary'), 'Accept-Encoding');
    // A Range is served from the identity file.
    const ranged = await rawRequest(port(), 'GET', '/static/js/app.js', {
      'Accept-Encoding': 'br',
      Range: 'bytes=0-6',
    });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-encoding'), undefined);
    assert.equal(ranged.body.toString(), 'console');
  });

  for (const target of TRAVERSALS) {
    test(`never outside the static root: ${JSON.stringify(target)} is not served`, async () => {
      seen().length = 0;
      const res = await rawRequest(port(), 'GET', target);
      assert.ok(res.status === 404 || res.status === 400, `${target} answered ${res.status}`);
      assert.ok(!res.raw.toString('latin1').includes('SECRET'), target);
      assert.ok(!res.raw.toString('latin1').includes('root:'), target);
    });
  }
}
