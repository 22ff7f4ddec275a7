// tsgi/utils/text, numberformat and timesince: Django's django.utils.text, numberformat and
// timesince (cases from Django's documentation and test suite).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { settings } from '../../src/conf/index.ts';
import { format } from '../../src/utils/numberformat.ts';
import { Truncator, capfirst, phone2numeric, pyTitle, slugify, wrap } from '../../src/utils/text.ts';
import { timesince, timeuntil } from '../../src/utils/timesince.ts';

before(() => {
  settings.configure({ USE_TZ: true, TIME_ZONE: 'America/Chicago' });
});

describe('text', () => {
  test('Truncator.chars', () => {
    const t = new Truncator('The quick brown fox jumped over the lazy dog.');
    assert.equal(t.chars(100), 'The quick brown fox jumped over the lazy dog.');
    assert.equal(t.chars(10), 'The quick…');
    assert.equal(t.chars(10, '>'), 'The quick>');
    // The marker counts: 10 characters in all, brackets included.
    assert.equal(t.chars(10, '[%(truncated_text)s]'), '[The quic]');
    assert.equal(new Truncator('a\u0301b\u0301c\u0301d').chars(3), '\u00e1b\u0301…');
    assert.equal(new Truncator('<p>The <b>quick</b> brown</p>').chars(7, undefined, true), '<p>The <b>qu…</b></p>');
  });

  test('Truncator.words', () => {
    const t = new Truncator('The quick brown fox jumped over the lazy dog.');
    assert.equal(t.words(10), 'The quick brown fox jumped over the lazy dog.');
    assert.equal(t.words(4), 'The quick brown fox…');
    assert.equal(t.words(4, '[snip]'), 'The quick brown fox[snip]');
    const html = new Truncator(
      '<p id="par"><strong><em>The quick brown fox jumped over the lazy dog.</em></strong></p>',
    );
    assert.equal(html.words(4, undefined, true), '<p id="par"><strong><em>The quick brown fox…</em></strong></p>');
    assert.equal(
      new Truncator('<br>The <hr/>quick <img src="x"> fox').words(2, undefined, true),
      '<br>The <hr/>quick…',
    );
    assert.equal(
      new Truncator('<' + '<'.repeat(10000) + ' a').words(1, undefined, true),
      '<' + '<'.repeat(10000) + ' a',
    );
  });

  test('wrap keeps line breaks and long words', () => {
    assert.equal(wrap('1234 67 9', 100), '1234 67 9');
    assert.equal(wrap('1234 67 9', 9), '1234 67 9');
    assert.equal(wrap('1234 67 9', 8), '1234 67\n9');
    assert.equal(wrap('short\na long line', 7), 'short\na long\nline');
    assert.equal(wrap('do-not-break-hyphenated-words', 10), 'do-not-break-hyphenated-words');
    assert.throws(() => wrap('x', 0), /invalid width 0/);
  });

  test('slugify, capfirst, phone2numeric, title', () => {
    assert.equal(
      slugify(' Jack & Jill like numbers 1,2,3 and 4 and silly characters ?%.$!/'),
      'jack-jill-like-numbers-123-and-4-and-silly-characters',
    );
    assert.equal(slugify("Un \xe9l\xe9phant \xe0 l'or\xe9e du bois"), 'un-elephant-a-loree-du-bois');
    assert.equal(slugify('你好 World', true), '你好-world');
    assert.equal(slugify('--__-a-__--'), 'a');
    assert.equal(capfirst('élan'), 'Élan');
    assert.equal(phone2numeric('0800 flowers'), '0800 3569377');
    assert.equal(pyTitle("they're bill's friends from the UK"), "They'Re Bill'S Friends From The Uk");
    assert.equal(pyTitle('straße ǆemal'), 'Straße ǅemal');
  });
});

describe('numberformat', () => {
  test('decimals are cut or padded, never rounded', () => {
    assert.equal(format(1234, { decimalSep: '.' }), '1234');
    assert.equal(format(1234.2, { decimalSep: '.' }), '1234.2');
    assert.equal(format(1234, { decimalSep: '.', decimalPos: 2 }), '1234.00');
    assert.equal(format(1234.289, { decimalSep: ',', decimalPos: 2 }), '1234,28');
    assert.equal(format(-1234.33, { decimalSep: '.', decimalPos: 1 }), '-1234.3');
    assert.equal(format(1e-7, { decimalSep: '.', decimalPos: 8 }), '0.00000010');
    assert.equal(format(1e-7, { decimalSep: '.', decimalPos: 3 }), '0.000');
    assert.equal(format(2n ** 64n, { decimalSep: '.' }), '18446744073709551616');
  });

  test('grouping: uniform, a sequence, forced', () => {
    const options = { decimalSep: '.', thousandSep: ',', forceGrouping: true };
    assert.equal(format(1234567, { ...options, grouping: 3 }), '1,234,567');
    assert.equal(format(123456789, { ...options, grouping: [3, 2, 0] }), '12,34,56,789');
    assert.equal(format(123456789, { ...options, grouping: [3, 2] }), '12,34,56,789');
    assert.equal(format(123456789, { ...options, grouping: [3, 0] }), '123,456,789');
    assert.equal(format('-1234567.891', { ...options, grouping: 3, decimalPos: 2 }), '-1,234,567.89');
    assert.equal(format(1234567, { decimalSep: '.', thousandSep: ',', grouping: 3 }), '1234567');
  });
});

describe('timesince', () => {
  const t = Temporal.PlainDateTime.from('2007-08-14T13:46:00');

  test('units, depth and leap days', () => {
    assert.equal(timesince(t, { now: t.add({ minutes: 1 }) }), '1\xa0minute');
    assert.equal(timesince(t, { now: t.add({ seconds: 59 }) }), '0\xa0minutes');
    assert.equal(timesince(t, { now: t.add({ days: 1, hours: 6 }) }), '1\xa0day, 6\xa0hours');
    assert.equal(timesince(t, { now: t.add({ days: 16, hours: 1 }) }), '2\xa0weeks, 2\xa0days');
    assert.equal(timesince(t, { now: t.add({ days: 16, hours: 1 }), depth: 1 }), '2\xa0weeks');
    // Only adjacent units: 400 days have no whole week after the month, so no days either.
    assert.equal(timesince(t, { now: t.add({ days: 400, hours: 5 }), depth: 4 }), '1\xa0year, 1\xa0month');
    assert.equal(
      timesince(t, { now: t.add({ days: 404, hours: 5, minutes: 7 }), depth: 6 }),
      '1\xa0year, 1\xa0month, 1\xa0week, 2\xa0days, 5\xa0hours, 7\xa0minutes',
    );
    assert.equal(timesince(t, { now: t.subtract({ days: 1 }) }), '0\xa0minutes');
    assert.equal(
      timesince(Temporal.PlainDate.from('2020-02-28'), { now: Temporal.PlainDate.from('2021-02-28') }),
      '1\xa0year',
    );
    assert.throws(() => timesince(t, { depth: 0 }), /depth must be greater than 0/);
  });

  test('timeuntil, aware values, and mixing naive with aware', () => {
    assert.equal(timeuntil(t.add({ hours: 3 }), { now: t }), '3\xa0hours');
    const utc = Temporal.ZonedDateTime.from('2020-01-01T00:00Z[UTC]');
    assert.equal(timesince(utc, { now: utc.withTimeZone('Asia/Tokyo').add({ hours: 2 }) }), '2\xa0hours');
    assert.equal(
      timesince(new Date(Date.UTC(2020, 0, 1)), { now: Temporal.Instant.from('2020-01-08T00:00Z') }),
      '1\xa0week',
    );
    assert.throws(() => timesince(t, { now: utc }), TypeError);
  });
});
