/**
 * The pieces of the reference server's environ (src/gateway/environ.ts) and wsgi.file_wrapper,
 * case by case: Host splitting, header keys, file bodies (PATH_INFO decoding: http-rules.test.ts).
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { headerKey, splitHost } from '../../src/gateway/environ.ts';
import { fileWrapper } from '../../src/gateway/file-wrapper.ts';

describe('splitHost()', () => {
  test('names, ports and IPv6 literals', () => {
    assert.deepEqual(splitHost('example.com'), ['example.com', undefined]);
    assert.deepEqual(splitHost('example.com:8080'), ['example.com', '8080']);
    assert.deepEqual(splitHost('[::1]:8000'), ['[::1]', '8000']);
    assert.deepEqual(splitHost('[::1]'), ['[::1]', undefined]);
    assert.deepEqual(splitHost('example.com:'), ['example.com', undefined]);
  });
});

describe('headerKey()', () => {
  test('maps header names to environ keys, dropping names with an underscore', () => {
    assert.equal(headerKey('X-Forwarded-For'), 'HTTP_X_FORWARDED_FOR');
    assert.equal(headerKey('content-type'), 'CONTENT_TYPE');
    assert.equal(headerKey('Content-Length'), 'CONTENT_LENGTH');
    assert.equal(headerKey('X_Forwarded_For'), null);
  });
});

describe('fileWrapper()', () => {
  test('reads a path or an fd, whole or a range, and closes the fd', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsgi-fw-'));
    try {
      const file = path.join(dir, 'data.bin');
      const data = Buffer.from('0123456789'.repeat(100));
      writeFileSync(file, data);
      const collect = async (body: AsyncIterable<Uint8Array>) => {
        const parts: Uint8Array[] = [];
        for await (const part of body) parts.push(part);
        return Buffer.concat(parts);
      };
      const whole = fileWrapper({ path: file }, 64);
      assert.ok((await collect(whole)).equals(data));
      await whole.close();
      const range = fileWrapper({ path: file, offset: 5, length: 20 });
      assert.equal((await collect(range)).toString(), '56789012345678901234');
      await range.close();
      const fd = openSync(file, 'r');
      const byFd = fileWrapper({ fd, offset: 990 });
      assert.equal((await collect(byFd)).toString(), '0123456789');
      await byFd.close();
      await byFd.close();
      assert.throws(() => closeSync(fd), { code: 'EBADF' }, 'close() closes the fd it was given');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses what it cannot send, with a clear message', () => {
    assert.throws(() => fileWrapper({}), {
      message: 'wsgi.file_wrapper takes { path } or { fd } (with optional offset and length), not {}.',
    });
    assert.throws(() => fileWrapper({ path: '/x' }, 0), {
      message: "wsgi.file_wrapper's blockSize must be a positive integer, not 0.",
    });
    assert.throws(() => fileWrapper({ path: '/x', offset: -1 }), {
      message: "wsgi.file_wrapper's offset must be a non-negative integer, not -1.",
    });
  });

  test('a missing file fails when the body is read, naming the path', async () => {
    const body = fileWrapper({ path: '/no/such/file.txt' });
    await assert.rejects(async () => {
      for await (const _ of body) break;
    }, /ENOENT.*\/no\/such\/file\.txt/);
  });
});
