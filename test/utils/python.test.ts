// Python's semantics over tsgi's values (utils/python, pyops, printf, pprint, json, encoding): the
// ground the filters stand on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { iriToUri, punycode, quote, unquote, urlsplit } from '../../src/utils/encoding.ts';
import { djangoJsonDumps } from '../../src/utils/json.ts';
import { pformat } from '../../src/utils/pprint.ts';
import { percentFormat } from '../../src/utils/printf.ts';
import { addValues, pyCompare, pyFloat, pyGetItem, pyInt, pyLen, pySlice, pySorted } from '../../src/utils/pyops.ts';
import { floatRepr, isTruthy, pyRepr, pyStr, pyType } from '../../src/utils/python.ts';
import { SafeString, markSafe } from '../../src/utils/safestring.ts';

describe('the value mapping', () => {
  test('types', () => {
    assert.equal(pyType(1), 'int');
    assert.equal(pyType(1.5), 'float');
    assert.equal(pyType(NaN), 'float');
    assert.equal(pyType(10n), 'int');
    assert.equal(pyType(markSafe('x')), 'str');
    assert.equal(pyType(new Map()), 'dict');
    assert.equal(pyType({}), 'dict');
    assert.equal(pyType(Temporal.PlainDate.from('2020-01-01')), 'date');
    assert.equal(pyType(Temporal.PlainDateTime.from('2020-01-01T00:00')), 'datetime');
    assert.equal(pyType(new Date()), 'datetime');
    assert.equal(pyType(Temporal.Duration.from({ hours: 1 })), 'timedelta');
    assert.equal(pyType(undefined), 'None');
  });

  test("truthiness is Python's", () => {
    for (const falsy of [
      null,
      undefined,
      false,
      0,
      0n,
      '',
      markSafe(''),
      [],
      {},
      new Map(),
      new Set(),
      Temporal.Duration.from({ seconds: 0 }),
    ]) {
      assert.equal(isTruthy(falsy), false, String(falsy));
    }
    for (const truthy of [NaN, ' ', [0], { a: 0 }, Temporal.PlainTime.from('00:00'), () => 0]) {
      assert.equal(isTruthy(truthy), true, String(truthy));
    }
  });

  test('str() and repr()', () => {
    assert.equal(pyStr(null), 'None');
    assert.equal(pyStr(true), 'True');
    assert.equal(pyStr(2 ** 70), '1180591620717411303424');
    assert.equal(pyStr(1e-5), '1e-05');
    assert.equal(pyStr(0.1), '0.1');
    assert.equal(pyStr(Infinity), 'inf');
    assert.equal(pyStr(['a', "it's", 1, null, [true]]), `['a', "it's", 1, None, [True]]`);
    assert.equal(
      pyStr(
        new Map<unknown, unknown>([
          ['k', 1],
          [2, 'v'],
        ]),
      ),
      "{'k': 1, 2: 'v'}",
    );
    assert.equal(pyStr(new Set()), 'set()');
    assert.equal(pyStr(Temporal.PlainDateTime.from('2020-01-02T03:04:05.000006')), '2020-01-02 03:04:05.000006');
    assert.equal(
      pyStr(Temporal.ZonedDateTime.from('2020-01-02T03:04:05-06:00[America/Chicago]')),
      '2020-01-02 03:04:05-06:00',
    );
    assert.equal(pyStr(Temporal.Duration.from({ days: 2, seconds: 5 })), '2 days, 0:00:05');
    assert.equal(pyRepr('a\n\x00\u2028é'), "'a\\n\\x00\\u2028é'");
    assert.equal(pyRepr(Temporal.PlainTime.from('03:04')), 'datetime.time(3, 4)');
    assert.equal(floatRepr(1.5e16), '1.5e+16');
    assert.equal(floatRepr(123456789012345.6), '123456789012345.6');
  });
});

describe('operations', () => {
  test('int() and float()', () => {
    assert.equal(pyInt(' -42 '), -42n);
    assert.equal(pyInt('1_000'), 1000n);
    assert.equal(pyInt('٤٢'), 42n);
    assert.equal(pyInt(3.99), 3n);
    assert.throws(() => pyInt('4.5'), { name: 'ValueError', message: "invalid literal for int() with base 10: '4.5'" });
    assert.throws(() => pyInt(null), TypeError);
    assert.throws(() => pyInt(Infinity), RangeError);
    assert.equal(pyFloat(' 1e3 '), 1000);
    assert.equal(pyFloat('-Infinity'), -Infinity);
    assert.throws(() => pyFloat('1,5'), { name: 'ValueError' });
  });

  test('len(), indexing, slicing', () => {
    assert.equal(pyLen('a😀'), 2);
    assert.throws(() => pyLen(5), TypeError);
    assert.equal(pyGetItem('a😀b', 1), '😀');
    assert.equal(pyGetItem([1, 2, 3], -1), 3);
    assert.equal(pyGetItem(new Map([[1, 'x']]), 1n), 'x');
    assert.throws(() => pyGetItem([], 0), { name: 'IndexError' });
    assert.throws(() => pyGetItem({}, 'k'), { name: 'KeyError' });
    assert.deepEqual(pySlice([1, 2, 3, 4], null, null, -2), [4, 2]);
    assert.equal(pySlice('a😀bc', 1, 3, null), '😀b');
  });

  test('ordering and sorted()', () => {
    assert.ok(pyCompare(1, 1.5) < 0);
    assert.ok(pyCompare('\uffff', '😀') < 0);
    assert.throws(() => pyCompare(1, 'a'), TypeError);
    assert.throws(() => pyCompare(null, null), TypeError);
    const rows = [
      { k: 2, n: 'a' },
      { k: 1, n: 'b' },
      { k: 2, n: 'c' },
    ];
    assert.deepEqual(
      pySorted(rows, (r) => r.k, true).map((r) => r.n),
      ['a', 'c', 'b'],
    );
  });

  test('+', () => {
    assert.equal(addValues('a', 'b'), 'a' + 'b');
    assert.ok(addValues(markSafe('a'), markSafe('b')) instanceof SafeString);
    assert.ok(!(addValues(markSafe('a'), 'b') instanceof SafeString));
    assert.throws(() => addValues('a', 1), TypeError);
  });
});

describe('formatting', () => {
  test('% formatting rounds the exact binary value, half to even', () => {
    assert.equal(percentFormat('%.2f', 0.125), '0.12');
    assert.equal(percentFormat('%.2f', 0.375), '0.38');
    assert.equal(percentFormat('%.0f', 2.5), '2');
    assert.equal(percentFormat('%.1f', 2.675), '2.7');
    assert.equal(percentFormat('%.2f', 2.675), '2.67');
    assert.equal(percentFormat('%f', 1e22), '10000000000000000000000.000000');
    assert.equal(percentFormat('%.3e', 123456), '1.235e+05');
    assert.equal(percentFormat('%g', 0.0001), '0.0001');
    assert.equal(percentFormat('%g', 0.00001), '1e-05');
    assert.equal(percentFormat('%#o', 8), '0o10');
    assert.equal(percentFormat('%(name)s is %(age)d', { name: 'Ada', age: 36.9 }), 'Ada is 36');
    assert.throws(() => percentFormat('%s %s', 1), { message: 'not enough arguments for format string' });
    assert.throws(() => percentFormat('%', 1), { name: 'ValueError', message: 'incomplete format' });
  });

  test('pformat', () => {
    assert.equal(pformat({ b: [1, 2], a: 'x' }), "{'a': 'x', 'b': [1, 2]}");
    assert.equal(pformat(['x'.repeat(50), 'y'.repeat(50)]), `['${'x'.repeat(50)}',\n '${'y'.repeat(50)}']`);
  });

  test("json.dumps with Django's encoder", () => {
    assert.equal(djangoJsonDumps({ a: [1, 1.5, null], é: 'ü' }), '{"a": [1, 1.5, null], "\\u00e9": "\\u00fc"}');
    assert.equal(
      djangoJsonDumps(Temporal.ZonedDateTime.from('2020-01-01T00:00:00.123456Z[UTC]')),
      '"2020-01-01T00:00:00.123Z"',
    );
    assert.equal(
      djangoJsonDumps(Temporal.Duration.from({ days: 1, hours: 2, minutes: 3, seconds: 4 })),
      '"P1DT02H03M04S"',
    );
    assert.equal(djangoJsonDumps(NaN), 'NaN');
    assert.throws(() => djangoJsonDumps(new Set([1])), /Object of type set is not JSON serializable/);
    const loop: unknown[] = [];
    loop.push(loop);
    assert.throws(() => djangoJsonDumps(loop), /Circular reference detected/);
  });
});

describe('URLs', () => {
  test("quote, unquote, iriToUri: Python's and Django's", () => {
    assert.equal(quote('a b/é~'), 'a%20b/%C3%A9~');
    assert.equal(quote('a/b', ''), 'a%2Fb');
    assert.equal(unquote('%C3%A9%FF'), 'é\ufffd');
    assert.equal(iriToUri('/blog/for/Jürgen Münster/'), '/blog/for/J%C3%BCrgen%20M%C3%BCnster/');
    assert.equal(iriToUri('/a%20b?c=d#e'), '/a%20b?c=d#e');
  });

  test('urlsplit', () => {
    assert.deepEqual(urlsplit('HTTP://u@h:1/p?q#f'), {
      scheme: 'http',
      netloc: 'u@h:1',
      path: '/p',
      query: 'q',
      fragment: 'f',
    });
    assert.throws(() => urlsplit('http://[::1/'), /Invalid IPv6 URL/);
  });

  test('punycode: IDNA 2003 as Python encodes it', () => {
    assert.equal(punycode('bücher.example'), 'xn--bcher-kva.example');
    assert.equal(punycode('straße.de'), 'strasse.de');
    assert.equal(punycode('例え.jp'), 'xn--r8jz45g.jp');
    assert.equal(punycode('EXAMPLE.com.'), 'EXAMPLE.com.');
    assert.throws(() => punycode('a..b'), /label empty or too long/);
    assert.throws(() => punycode('\u05d0a.com'), /bidi/);
  });
});
