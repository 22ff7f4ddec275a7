// tsgi/utils/dateformat and tsgi/utils/formats: every date format character (the table of
// Django's `date` filter documentation), named formats from settings and the English locale.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { AttributeError, format, timeFormat } from '../../src/utils/dateformat.ts';
import {
  dateFormat,
  getFormat,
  localize,
  numberFormat,
  timeFormat as namedTimeFormat,
} from '../../src/utils/formats.ts';
import { zoneName } from '../../src/utils/tzinfo.ts';

before(() => {
  settings.configure({ USE_TZ: true, TIME_ZONE: 'America/Chicago' });
});

describe('format characters', () => {
  // Sunday 8 July 1979, 22:00:00.123456, naive: read in TIME_ZONE (Chicago, CDT) where a zone is needed.
  const d = Temporal.PlainDateTime.from('1979-07-08T22:00:00.123456');
  const expected: Record<string, string> = {
    a: 'p.m.',
    A: 'PM',
    b: 'jul',
    c: '1979-07-08T22:00:00.123456',
    d: '08',
    D: 'Sun',
    e: '',
    E: 'July',
    f: '10',
    F: 'July',
    g: '10',
    G: '22',
    h: '10',
    H: '22',
    i: '00',
    I: '1',
    j: '8',
    l: 'Sunday',
    L: 'False',
    m: '07',
    M: 'Jul',
    n: '7',
    N: 'July',
    o: '1979',
    O: '-0500',
    P: '10 p.m.',
    r: 'Sun, 08 Jul 1979 22:00:00 -0500',
    s: '00',
    S: 'th',
    t: '31',
    T: 'CDT',
    U: '300337200',
    u: '123456',
    w: '0',
    W: '27',
    y: '79',
    Y: '1979',
    z: '189',
    Z: '-18000',
  };

  for (const [char, text] of Object.entries(expected)) {
    test(`${char} → ${JSON.stringify(text)}`, () => assert.equal(format(d, char), text));
  }

  test('aware datetimes use their own zone', () => {
    const paris = Temporal.ZonedDateTime.from('2009-05-16T05:30:30+02:00[Europe/Paris]');
    assert.equal(
      format(paris, 'e T O Z I U r c'),
      'CEST CEST +0200 7200 1 1242444630 Sat, 16 May 2009 05:30:30 +0200 2009-05-16T05:30:30+02:00',
    );
    const fixed = Temporal.ZonedDateTime.from('2009-05-16T05:30:30+05:30[+05:30]');
    assert.equal(format(fixed, 'e T O I'), 'UTC+05:30 UTC+05:30 +0530 0');
    assert.equal(format(new Date(Date.UTC(2009, 4, 16)), 'c e'), '2009-05-16T00:00:00+00:00 UTC');
  });

  test('dates: ISO week-numbering year, week, leap year, day of year, days in month, suffix', () => {
    assert.equal(format(Temporal.PlainDate.from('2021-01-01'), 'o W L z t S'), '2020 53 False 1 31 st');
    assert.equal(format(Temporal.PlainDate.from('2000-02-22'), 'L t S jS'), 'True 29 nd 22nd');
    assert.equal(format(Temporal.PlainDate.from('2000-02-13'), 'S N'), 'th Feb.');
  });

  test('P and f: midnight, noon, minutes left off', () => {
    const t = (s: string) => Temporal.PlainTime.from(s);
    assert.equal(format(t('00:00'), 'P'), 'midnight');
    assert.equal(format(t('12:00'), 'P'), 'noon');
    assert.equal(format(t('12:30'), 'P'), '12:30 p.m.');
    assert.equal(format(t('01:05'), 'P f'), '1:05 a.m. 1:05');
  });

  test('backslash escapes, and characters that are not format characters', () => {
    const day = Temporal.PlainDate.from('2003-10-07');
    assert.equal(format(day, String.raw`jS \o\f F Y`), '7th of October 2003');
    // As Django: the second backslash escapes Y from the pattern, then the first escapes the second.
    assert.equal(format(day, String.raw`\\Y`), '\\Y');
    assert.equal(format(day, '%Y-%m # x'), '%2003-%10 # x');
  });

  test('a time character on a date is an error; a missing field an AttributeError', () => {
    assert.throws(() => format(Temporal.PlainDate.from('2003-10-07'), 'H'), {
      name: 'TypeError',
      message: "The format for date objects may not contain time-related format specifiers (found 'H').",
    });
    assert.throws(() => format(Temporal.PlainTime.from('10:00'), 'Y'), AttributeError);
    assert.throws(() => format('2003-10-07', 'Y'), AttributeError);
    assert.equal(format('2003-10-07', 'x'), 'x');
    assert.throws(() => timeFormat(Temporal.PlainDateTime.from('2003-10-07T10:00'), 'Y'), AttributeError);
  });

  test('a naive wall time that happens twice in TIME_ZONE prints no zone, and r fails', () => {
    const twice = Temporal.PlainDateTime.from('2020-11-01T01:30');
    assert.equal(format(twice, 'O|T|Z|I|e'), '||||');
    assert.throws(() => format(twice, 'r'), /happens twice or never in America\/Chicago/);
  });
});

describe('named formats', () => {
  const d = Temporal.PlainDateTime.from('2003-02-04T16:05:00');

  test("Django's defaults", () => {
    assert.equal(dateFormat(d), 'Feb. 4, 2003');
    assert.equal(dateFormat(d, 'DATETIME_FORMAT'), 'Feb. 4, 2003, 4:05 p.m.');
    assert.equal(dateFormat(d, 'SHORT_DATE_FORMAT'), '02/04/2003');
    assert.equal(dateFormat(d, 'SHORT_DATETIME_FORMAT'), '02/04/2003 4:05 p.m.');
    assert.equal(dateFormat(d, 'YEAR_MONTH_FORMAT'), 'February 2003');
    assert.equal(dateFormat(d, 'MONTH_DAY_FORMAT'), 'February 4');
    assert.equal(namedTimeFormat(d), '4:05 p.m.');
    assert.equal(getFormat('FIRST_DAY_OF_WEEK'), 0);
    assert.equal(getFormat('j.n.Y'), 'j.n.Y');
  });

  test('from settings, or from the English locale with USE_L10N', () => {
    using _ = overrideSettings({ DATE_FORMAT: 'd/m/Y', NUMBER_GROUPING: 3, USE_THOUSAND_SEPARATOR: true });
    assert.equal(dateFormat(d), '04/02/2003');
    assert.equal(numberFormat(1234567.5), '1234567.5');
    using _l10n = overrideSettings({ USE_L10N: true });
    assert.equal(dateFormat(d), 'Feb. 4, 2003');
    assert.equal(numberFormat(1234567.5), '1,234,567.5');
    assert.equal(localize(1234567), '1,234,567');
  });

  test('localize() prints what a template prints', () => {
    assert.equal(localize(d), 'Feb. 4, 2003, 4:05 p.m.');
    assert.equal(localize(d.toPlainDate()), 'Feb. 4, 2003');
    assert.equal(localize(d.toPlainTime()), '4:05 p.m.');
    assert.equal(localize(true), 'True');
    assert.equal(localize(1.5), '1.5');
    assert.equal(localize('text'), 'text');
    const list = [1];
    assert.equal(localize(list), list);
  });
});

describe('zone names from the tz database', () => {
  test('abbreviations and DST flags at an instant', () => {
    assert.deepEqual(zoneName('America/Chicago', 1593604800n, -18000), { abbreviation: 'CDT', isDst: true });
    assert.deepEqual(zoneName('America/Chicago', 1577836800n, -21600), { abbreviation: 'CST', isDst: false });
    assert.deepEqual(zoneName('Europe/Paris', 1593604800n, 7200), { abbreviation: 'CEST', isDst: true });
    // Past the last transition of the file: from its POSIX TZ footer.
    assert.deepEqual(zoneName('America/Chicago', 4102444800n, -21600), { abbreviation: 'CST', isDst: false });
    assert.deepEqual(zoneName('America/Chicago', 4118169600n, -18000), { abbreviation: 'CDT', isDst: true });
  });

  test('a zone with no TZif file falls back to Intl', () => {
    const name = zoneName('Not/AZone', 0n, 0);
    assert.equal(typeof name.abbreviation, 'string');
    assert.equal(name.isDst, false);
  });
});
