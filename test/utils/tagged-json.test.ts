// utils/tagged-json: what caches and sessions store. Every supported type round-trips, plain
// JSON stays plain, objects that look like tags stay objects, and what is not data is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { dumps, loads, TaggedJSONError } from '../../src/utils/tagged-json.ts';
import { SafeString } from '../../src/utils/safestring.ts';

const roundTrip = (value: unknown) => loads(dumps(value));

test('plain JSON is written as plain JSON', () => {
  assert.equal(dumps('text'), '"text"');
  assert.equal(dumps(42), '42');
  assert.equal(dumps({ a: [1, 'b', null, true] }), '{"a":[1,"b",null,true]}');
  assert.deepEqual(loads('{"a":[1,"b",null,true]}'), { a: [1, 'b', null, true] });
  assert.equal(loads('12'), 12);
});

test('each supported type comes back as itself', () => {
  const cases: Array<[string, unknown]> = [
    ['undefined', undefined],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['-0', -0],
    ['bigint', -(2n ** 80n)],
    ['Date', new Date('2020-02-29T23:59:59.999Z')],
    ['invalid Date', new Date(NaN)],
  ];
  for (const [name, value] of cases) assert.deepEqual(roundTrip(value), value, name);
  assert.ok(Object.is(roundTrip(-0), -0));
  const bytes = roundTrip(Buffer.from('héllo')) as Uint8Array;
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(Buffer.from(bytes).toString(), 'héllo');
  const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
  assert.deepEqual([...(roundTrip(view) as Uint8Array)], [8, 7]);
  const temporals = [
    Temporal.Instant.from('2024-01-01T00:00:00.000000001Z'),
    Temporal.ZonedDateTime.from('2024-03-31T03:30:00+02:00[Europe/Paris]'),
    Temporal.PlainDate.from('0001-01-01'),
    Temporal.PlainTime.from('23:59:59.999999'),
    Temporal.PlainDateTime.from('2024-05-01T08:00'),
    Temporal.PlainYearMonth.from('2024-05'),
    Temporal.PlainMonthDay.from('--02-29'),
    Temporal.Duration.from('-P1Y2M3DT4H5M6.007008009S'),
  ];
  for (const value of temporals) {
    const back = roundTrip(value) as { toString(): string; [Symbol.toStringTag]: string };
    assert.equal(back[Symbol.toStringTag], value[Symbol.toStringTag]);
    assert.equal(String(back), String(value));
  }
  const safe = roundTrip(new SafeString('<i>x</i>'));
  assert.ok(safe instanceof SafeString);
  assert.equal(String(safe), '<i>x</i>');
  assert.deepEqual(
    roundTrip(new Map<unknown, unknown>([[1n, new Set([undefined, 'a'])]])),
    new Map([[1n, new Set([undefined, 'a'])]]),
  );
});

test('an object that has the tag key is an object, at any depth, and __proto__ stays data', () => {
  const value = { $t: 'bytes', v: 'AAAA', nested: { $t: 'Map', v: [] as unknown[], deeper: [{ $t: 'x' }] } };
  assert.deepEqual(roundTrip(value), value);
  const proto = JSON.parse('{"__proto__": {"polluted": true}, "$t": 1}') as Record<string, unknown>;
  const back = roundTrip(proto) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(Object.keys(back), ['__proto__', '$t']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const plain = loads('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(plain), Object.prototype);
});

test('code, class instances, symbols and cycles are refused, naming where they are', () => {
  class Model {}
  const cases: Array<[unknown, string]> = [
    [() => 1, 'The value is a function (anonymous)'],
    [{ a: { b: [1, function handler() {}] } }, 'The value at a.b[1] is a function (handler)'],
    [{ 'odd key': new Model() }, 'The value at ["odd key"] is an instance of Model'],
    [[Symbol('s')], 'The value at [0] is a symbol (Symbol(s))'],
    [new Map([['k', new Int32Array(1)]]), 'The value at .get(0) is an instance of Int32Array'],
    [new WeakMap(), 'The value is an instance of WeakMap'],
    [{ re: /x/ }, 'The value at re is an instance of RegExp'],
  ];
  for (const [value, start] of cases) {
    assert.throws(
      () => dumps(value),
      (error: Error) => error instanceof TypeError && error.message.startsWith(start + ', which cannot be stored'),
      start,
    );
  }
  const cycle: unknown[] = [];
  cycle.push({ back: cycle });
  assert.throws(() => dumps(cycle), {
    message: /^The value at \[0\]\.back is a reference back to one of its own containers/,
  });
  // A value met twice without a cycle is fine.
  const shared = { x: 1 };
  assert.deepEqual(roundTrip([shared, shared]), [{ x: 1 }, { x: 1 }]);
});

test('text it did not write is refused with TaggedJSONError', () => {
  for (const text of [
    '{"$t":"nope"}',
    '{"$t":"bigint","v":"1.5"}',
    '{"$t":"bytes","v":3}',
    '{"$t":"Temporal.PlainDate","v":"2024-13-45"}',
    '{"$t":"Map","v":[1]}',
    '{"$t":"undefined","v":1,"w":2}',
    '{"$t":7}',
  ]) {
    assert.throws(() => loads(text), TaggedJSONError, text);
  }
  assert.throws(() => loads('{'), SyntaxError);
});
