import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { QueryDict, ImmutableQueryDictError, parseQsl, unquotePlus } from '../../src/http/querydict.ts';
import { MultiValueDict } from '../../src/utils/datastructures.ts';
import { TooManyFieldsSent } from '../../src/core/exceptions.ts';
import { parseCookie } from '../../src/http/cookie.ts';

describe('QueryDict parsing, as Django (parse_qsl with blank values kept)', () => {
  test('multi-valued keys, + as space, blank values, empty pairs skipped', () => {
    const q = new QueryDict('a=1&a=2&b=x+y&e&=f&&g=');
    assert.equal(q.get('a'), '2');
    assert.deepEqual(q.getlist('a'), ['1', '2']);
    assert.equal(q.get('b'), 'x y');
    assert.equal(q.get('e'), '');
    assert.equal(q.get(''), 'f');
    assert.equal(q.get('g'), '');
    assert.deepEqual(q.keys(), ['a', 'b', 'e', '', 'g']);
    assert.equal(q.get('missing'), undefined);
    assert.equal(q.get('missing', 'dflt'), 'dflt');
    assert.deepEqual(q.getlist('missing'), []);
  });

  test('percent-escapes: UTF-8, bad escapes kept, bad bytes replaced; ; is not a separator', () => {
    assert.deepEqual(parseQsl('d=%E2%82%AC&c=%zz&h=%ff&s=a;b&p=100%'), [
      ['d', '€'],
      ['c', '%zz'],
      ['h', '\ufffd'],
      ['s', 'a;b'],
      ['p', '100%'],
    ]);
    assert.equal(unquotePlus('a%2Bb+c'), 'a+b c');
    assert.equal(new QueryDict('x=%E9', { encoding: 'iso-8859-1' }).get('x'), 'é');
  });

  test('bytes that are not valid in the encoding are read as ISO-8859-1, as Django', () => {
    assert.equal(new QueryDict(new Uint8Array([0x61, 0x3d, 0xe9])).get('a'), 'é');
    assert.equal(new QueryDict(Buffer.from('a=é')).get('a'), 'é');
  });

  test('the field limit counts separators, as Python does', () => {
    assert.equal(new QueryDict('a=1&b=2', { maxNumFields: 2 }).size, 2);
    assert.throws(
      () => new QueryDict('a=1&b=2&c=3', { maxNumFields: 2 }),
      (e: unknown) => {
        assert.ok(e instanceof TooManyFieldsSent);
        assert.equal(
          e.message,
          'The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS (2). ' +
            'Send fewer fields, or raise the setting if such requests are legitimate.',
        );
        return true;
      },
    );
  });

  test('immutable unless copied; the copy is independent', () => {
    const q = new QueryDict('a=1');
    assert.equal(q.mutable, false);
    for (const change of [
      () => q.set('a', '2'),
      () => q.appendlist('a', '2'),
      () => q.delete('a'),
      () => q.clear(),
      () => q.setlist('a', []),
    ]) {
      assert.throws(change, (e: unknown) => {
        assert.ok(e instanceof ImmutableQueryDictError);
        assert.equal(e.message, 'This QueryDict instance is immutable: change a copy (query.copy()) instead.');
        return true;
      });
    }
    const copy = q.copy();
    copy.appendlist('a', '2');
    copy.set('b', 'x y&z');
    assert.deepEqual(q.getlist('a'), ['1']);
    assert.equal(copy.urlencode(), 'a=1&a=2&b=x+y%26z');
    assert.equal(copy.urlencode('/&'), 'a=1&a=2&b=x%20y&z');
    assert.equal(new QueryDict(null, { mutable: true }).mutable, true);
    assert.equal(String(new QueryDict('é=ü')), '%C3%A9=%C3%BC');
  });

  test('fromKeys and fromLists', () => {
    const q = QueryDict.fromKeys(['a', 'b', 'a'], 'v');
    assert.deepEqual(q.getlist('a'), ['v', 'v']);
    assert.equal(q.mutable, false);
    assert.deepEqual(QueryDict.fromLists([['k', ['1', '2']]]).getlist('k'), ['1', '2']);
  });
});

test('MultiValueDict', () => {
  const d = new MultiValueDict<number>([
    ['a', 1],
    ['a', 2],
    ['b', 3],
  ]);
  assert.deepEqual(d.items(), [
    ['a', 2],
    ['b', 3],
  ]);
  assert.deepEqual(d.lists(), [
    ['a', [1, 2]],
    ['b', [3]],
  ]);
  assert.deepEqual(d.dict(), { a: 2, b: 3 });
  assert.deepEqual(
    [...d],
    [
      ['a', 2],
      ['b', 3],
    ],
  );
  assert.equal(d.setdefault('c', 9), 9);
  assert.equal(d.setdefault('a', 9), 2);
  d.update({ a: 5 });
  assert.deepEqual(d.getlist('a'), [1, 2, 5]);
  assert.deepEqual(d.pop('a'), [1, 2, 5]);
  assert.equal(d.has('a'), false);
  assert.deepEqual(new MultiValueDict({ x: [1, 2], y: 3 }).lists(), [
    ['x', [1, 2]],
    ['y', [3]],
  ]);
  const list = d.getlist('b');
  list.push(99);
  assert.deepEqual(d.getlist('b'), [3], 'getlist returns a copy');
});

test('parseCookie, as Django', () => {
  assert.deepEqual(parseCookie('a=1; b="x\\073y\\"z"; c; d=e=f;  ; g=%20'), {
    a: '1',
    b: 'x;y"z',
    '': 'c',
    d: 'e=f',
    g: '%20',
  });
  assert.deepEqual(parseCookie('a=1; a=2'), { a: '2' });
  assert.deepEqual(parseCookie('n="\\303\\251"'), { n: 'é' });
  const evil = parseCookie('__proto__=x; ok=1');
  assert.equal(Object.getPrototypeOf(evil), Object.prototype);
  assert.equal(evil.ok, '1');
});
