// strptime's week directives against Python's: %U and %W (weeks from Sunday or Monday, week 0
// before the first), %V with the ISO year %G, each with a weekday (%w, %u, %a), as Django's
// WeekArchiveView combines them. The expected dates were recorded from CPython 3.11 by
// test/fixtures/strptime/weeks.py; null is where Python raises ValueError (a year out of range).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { strptime } from '../../src/utils/strptime.ts';

const cases = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'strptime', 'weeks.json'), 'utf8'),
) as Array<[text: string, format: string, expected: string | null]>;

const iso = (p: { year: number; month: number; day: number }) =>
  `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;

test(`${cases.length} week-based dates parse to Python's`, () => {
  assert.ok(cases.length > 200);
  for (const [text, format, expected] of cases) {
    const parsed = strptime(text, format);
    assert.equal(parsed === undefined ? null : iso(parsed), expected, `${text} as ${format}`);
  }
});

test('a week number or a weekday alone leaves the date to the other directives', () => {
  assert.equal(iso(strptime('2021 10', '%Y %W')!), '2021-01-01');
  assert.equal(iso(strptime('2021 3', '%Y %w')!), '2021-01-01');
  assert.equal(iso(strptime('2021-03-04 Mon', '%Y-%m-%d %a')!), '2021-03-04');
});

test('text outside the ranges does not parse', () => {
  assert.equal(strptime('2021__1__54', '%Y__%w__%W'), undefined);
  assert.equal(strptime('2021__7__1', '%Y__%w__%W'), undefined);
  assert.equal(strptime('2021__0__1', '%G__%u__%V'), undefined);
});

test('ISO week directives used as Python refuses them are errors naming the fix', () => {
  assert.throws(() => strptime('2021__1__10', '%Y__%w__%V'), {
    name: 'RangeError',
    message:
      "The date format \"%Y__%w__%V\": ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead.",
  });
  assert.throws(() => strptime('2021__10', '%G__%V'), {
    name: 'RangeError',
    message:
      "The date format \"%G__%V\": ISO year directive '%G' must be used with the ISO week directive '%V' and a weekday directive ('%A', '%a', '%w', or '%u').",
  });
  assert.throws(() => strptime('2021__10', '%Y__%V'), {
    name: 'RangeError',
    message:
      "The date format \"%Y__%V\": ISO week directive '%V' must be used with the ISO year directive '%G' and a weekday directive ('%A', '%a', '%w', or '%u').",
  });
  assert.throws(() => strptime('2021 10 1 10', '%G %V %w %j'), /Day of the year directive '%j' is not compatible/);
});
