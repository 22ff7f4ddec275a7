/**
 * The gateway's HTTP rules (src/gateway/http-rules.ts), stated once for the node:http exchange,
 * the validator, the Fetch adapters, the test client and the production server: the hop-by-hop
 * fields as docs/spec.md lists them, the reason phrases, status lines, header lists and the
 * decoding of PATH_INFO.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { checkHeaders, decodePath, HOP_BY_HOP, parseStatus, REASON_PHRASES } from '../../src/gateway/http-rules.ts';

test('docs/spec.md §4.2 lists the hop-by-hop fields the gateway refuses, no more and no fewer', () => {
  const spec = readFileSync(new URL('../../docs/spec.md', import.meta.url), 'utf8');
  const sentence = /MUST NOT send hop-by-hop headers \(RFC 9110 §7\.6\.1\):([^.]*)\./.exec(spec.replace(/\s+/g, ' '));
  assert.ok(sentence, 'the sentence of §4.2 that lists the hop-by-hop headers is missing from docs/spec.md');
  const listed = [...sentence[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.toLowerCase()).sort();
  assert.deepEqual(listed, [...HOP_BY_HOP].sort());
});

test("the reason phrases are node:http's, but for RFC 9110's new names of 413 and 422", () => {
  const { STATUS_CODES } = process.getBuiltinModule('node:http');
  const renamed: Record<number, string> = { 413: 'Content Too Large', 422: 'Unprocessable Content' };
  for (const code of new Set([...Object.keys(STATUS_CODES), ...Object.keys(REASON_PHRASES)].map(Number))) {
    assert.equal(REASON_PHRASES[code], renamed[code] ?? STATUS_CODES[code], String(code));
  }
});

describe('parseStatus()', () => {
  test('code and reason phrase, 200 to 999, the reason phrase may be empty', () => {
    assert.deepEqual(parseStatus('200 OK'), [200, 'OK']);
    assert.deepEqual(parseStatus('404 Not Found'), [404, 'Not Found']);
    assert.deepEqual(parseStatus('299 '), [299, '']);
    assert.deepEqual(parseStatus('999 Custom\tphrase'), [999, 'Custom\tphrase']);
  });
  const example = 'a status is three digits, a space and a reason phrase, e.g. "200 OK" (spec §4.1).';
  for (const [status, shown] of [
    ['200', '"200"'],
    ['2e2 OK', '"2e2 OK"'],
    ['099 Low', '"099 Low"'],
    ['1000 Big', '"1000 Big"'],
    ['200 O\r\nSet-Cookie: x', '"200 O\\r\\nSet-Cookie: x"'],
    [200, 'the number 200'],
  ] as const) {
    test(`refuses ${JSON.stringify(status)}`, () => {
      assert.throws(() => parseStatus(status), { message: `startResponse() got the status ${shown}: ${example}` });
    });
  }
  test('refuses a 1xx: the server owns informational responses', () => {
    assert.throws(() => parseStatus('103 Early Hints'), {
      message:
        'startResponse() got the status "103 Early Hints": a 1xx status is informational and cannot be the final response (spec §4.1).',
    });
  });
});

describe('checkHeaders()', () => {
  test('returns the declared Content-Length, or -1', () => {
    assert.equal(checkHeaders([['Content-Type', 'text/plain']]), -1);
    assert.equal(checkHeaders([['content-length', ' 12 ']]), 12);
  });
  for (const name of HOP_BY_HOP) {
    test(`refuses the hop-by-hop ${name}, in any case`, () => {
      const shown = name.toUpperCase();
      assert.throws(() => checkHeaders([[shown, 'x']]), {
        message: `startResponse() got the hop-by-hop header "${shown}": connection management belongs to the server; remove it (spec §4.2).`,
      });
    });
  }
  test('refuses two Content-Length headers, and one that is not digits', () => {
    assert.throws(
      () =>
        checkHeaders([
          ['Content-Length', '1'],
          ['Content-Length', '1'],
        ]),
      {
        message: 'startResponse() got two Content-Length headers: send one (spec §4.2).',
      },
    );
    assert.throws(() => checkHeaders([['Content-Length', '-1']]), {
      message: 'startResponse() got the Content-Length "-1": it must be a non-negative integer (spec §4.2).',
    });
  });
});

describe('decodePath(): PATH_INFO from the request target (spec §3.1)', () => {
  const cases: [string, string, string][] = [
    ['/plain/path', '/plain/path', 'no escapes'],
    ['/caf%C3%A9', '/café', 'two-byte UTF-8'],
    ['/caf%c3%a9', '/café', 'lower-case hex'],
    ['/%E2%82%AC/%F0%9F%98%80', '/€/😀', 'three- and four-byte UTF-8'],
    ['/a%2Fb%20c', '/a/b c', 'reserved characters are decoded too (RAW_URI keeps them)'],
    ['/%FF', '/%FF', 'a byte that is never UTF-8 stays encoded'],
    ['/%C3', '/%C3', 'a truncated sequence stays encoded'],
    ['/%E2%82', '/%E2%82', 'a truncated three-byte sequence stays encoded'],
    ['/%C0%AF', '/%C0%AF', 'an overlong encoding stays encoded'],
    ['/%ED%A0%80', '/%ED%A0%80', 'a UTF-16 surrogate stays encoded'],
    ['/%F4%90%80%80', '/%F4%90%80%80', 'beyond U+10FFFF stays encoded'],
    ['/%FFcaf%C3%A9', '/%FFcafé', 'valid and invalid side by side'],
    ['/%C3%A9%FF%C3%A9', '/é%FFé', 'an invalid byte inside a run'],
    ['/100%', '/100%', 'a lone percent sign'],
    ['/%zz%4', '/%zz%4', 'percent signs without two hex digits'],
    ['/%41%42', '/AB', 'ASCII escapes'],
    ['/%C3%28', '/%C3(', 'a lead byte followed by an ASCII escape'],
    ['/%E2%82%AC%20euro', '/€ euro', 'an escaped space after a character'],
  ];
  for (const [input, expected, why] of cases) {
    test(`${why}: ${input}`, () => assert.equal(decodePath(input), expected));
  }
});
