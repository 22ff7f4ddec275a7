// QuerySet.dates() and datetimes() on both backends: the Temporal types they give, the time
// zone a datetime is truncated in (current when the query runs, given, and none with USE_TZ
// off), wall times that DST makes ambiguous, and every error. Their values are compared with Django 3.2's by
// test/db/differential.test.ts (the dates-* and datetimes-* cases).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withSchemaEditor } from '../../src/db/index.ts';
import {
  CASCADE,
  CharField,
  Count,
  DateField,
  DateTimeField,
  ForeignKey,
  Manager,
  Model,
  Trunc,
} from '../../src/db/models/index.ts';
import { temporal, temporalKind } from '../../src/db/temporal.ts';
import { override } from '../../src/utils/timezone.ts';
import { eachBackend } from './helpers.ts';

const app = { appLabel: 'datesqs' } as const;

class Event extends Model.define(
  {
    name: new CharField({ maxLength: 30 }),
    day: new DateField({ null: true }),
    at: new DateTimeField({ null: true }),
  },
  app,
) {
  static override objects = new Manager(this);
}

class Note extends Model.define(
  { event: new ForeignKey(() => Event, { onDelete: CASCADE, relatedName: 'notes' }), on: new DateField() },
  app,
) {
  static override objects = new Manager(this);
}

const T = () => temporal();
const date = (text: string) => T().PlainDate.from(text);
const instant = (text: string) => T().Instant.from(text).toZonedDateTimeISO('UTC');

function strings(values: readonly unknown[]): string[] {
  return values.map((v) => String(v));
}

eachBackend('dates() and datetimes()', () => {
  before(async () => {
    await withSchemaEditor(async (editor) => {
      await editor.createModel(Event as never);
      await editor.createModel(Note as never);
    });
    const rows: Array<[string, string | null, string | null]> = [
      ['a', '2021-03-04', '2021-03-04T10:20:30.123456Z'],
      ['b', '2021-03-28', '2021-03-28T00:30:00Z'],
      ['c', '2021-01-03', '2021-01-03T23:30:00Z'],
      ['d', null, null],
      // 05:30Z and 06:30Z are both 01:30 in New York on 7 November 2021 (EDT, then EST).
      ['e', '2021-11-07', '2021-11-07T05:30:00Z'],
      ['f', '2021-11-07', '2021-11-07T06:30:00Z'],
    ];
    for (const [name, day, at] of rows) {
      await Event.objects.create({ name, day: day === null ? null : date(day), at: at === null ? null : instant(at) });
    }
    const a = await Event.objects.get({ name: 'a' });
    await Note.objects.create({ event: a, on: date('2020-05-05') });
    await Note.objects.create({ event: a, on: date('2020-05-06') });
  });

  test('dates() gives PlainDates, distinct, NULLs left out, in order', async () => {
    const months = await Event.objects.dates('day', 'month');
    assert.ok(months.every((d) => temporalKind(d) === 'PlainDate'));
    assert.deepEqual(strings(months), ['2021-01-01', '2021-03-01', '2021-11-01']);
    assert.deepEqual(strings(await Event.objects.dates('day', 'year', 'DESC')), ['2021-01-01']);
    // 2021-01-03 is a Sunday: its week starts on Monday 2020-12-28 (ISO weeks, as Django's).
    assert.deepEqual(strings(await Event.objects.dates('day', 'week')), [
      '2020-12-28',
      '2021-03-01',
      '2021-03-22',
      '2021-11-01',
    ]);
    assert.deepEqual(strings(await Event.objects.filter({ name__in: ['a', 'b'] }).dates('day', 'day', 'DESC')), [
      '2021-03-28',
      '2021-03-04',
    ]);
    assert.deepEqual(strings(await Event.objects.none().dates('day', 'day')), []);
  });

  test("dates() of a DateTimeField takes each instant's day in the current time zone", async () => {
    assert.deepEqual(strings(await Event.objects.dates('at', 'day')), [
      '2021-01-03',
      '2021-03-04',
      '2021-03-28',
      '2021-11-07',
    ]);
    // In Tokyo (UTC+9) 2021-01-03T23:30Z is already the 4th.
    const tokyo = await override('Asia/Tokyo', async () => await Event.objects.dates('at', 'day'));
    assert.deepEqual(strings(tokyo), ['2021-01-04', '2021-03-04', '2021-03-28', '2021-11-07']);
  });

  test('dates() across a relation, and counted', async () => {
    assert.deepEqual(strings(await Note.objects.dates('event__day', 'month')), ['2021-03-01']);
    assert.deepEqual(strings(await Event.objects.dates('notes__on', 'day')), ['2020-05-05', '2020-05-06']);
    assert.equal(await Event.objects.dates('day', 'month').count(), 3);
  });

  test('datetimes() gives ZonedDateTimes in the current time zone with USE_TZ', async () => {
    const utc = await Event.objects.datetimes('at', 'month');
    assert.ok(utc.every((d) => temporalKind(d) === 'ZonedDateTime'));
    assert.deepEqual(strings(utc), [
      '2021-01-01T00:00:00+00:00[UTC]',
      '2021-03-01T00:00:00+00:00[UTC]',
      '2021-11-01T00:00:00+00:00[UTC]',
    ]);
    const paris = await override('Europe/Paris', async () => await Event.objects.datetimes('at', 'day'));
    assert.deepEqual(strings(paris), [
      '2021-01-04T00:00:00+01:00[Europe/Paris]',
      '2021-03-04T00:00:00+01:00[Europe/Paris]',
      '2021-03-28T00:00:00+01:00[Europe/Paris]',
      '2021-11-07T00:00:00+01:00[Europe/Paris]',
    ]);
    // The same queryset shape, run again in UTC, is not answered from the Paris plan.
    assert.deepEqual(strings(await Event.objects.datetimes('at', 'day')).slice(0, 1), [
      '2021-01-03T00:00:00+00:00[UTC]',
    ]);
  });

  test('datetimes() with tzinfo, down to the second', async () => {
    const hours = await Event.objects.filter({ name: 'a' }).datetimes('at', 'hour', 'ASC', { tzinfo: 'Asia/Kolkata' });
    assert.deepEqual(strings(hours), ['2021-03-04T15:00:00+05:30[Asia/Kolkata]']);
    const seconds = await Event.objects.filter({ name: 'a' }).datetimes('at', 'second');
    assert.deepEqual(strings(seconds), ['2021-03-04T10:20:30+00:00[UTC]']);
    const minutes = await Event.objects.filter({ name: 'b' }).datetimes('at', 'minute', 'DESC');
    assert.deepEqual(strings(minutes), ['2021-03-28T00:30:00+00:00[UTC]']);
    const weeks = await Event.objects.datetimes('at', 'week', 'DESC', { tzinfo: 'Europe/Paris' });
    assert.equal(String(weeks[0]), '2021-11-01T00:00:00+01:00[Europe/Paris]');
  });

  test('a truncated wall time that DST makes ambiguous needs isDst, as Django with pytz', async () => {
    const qs = Event.objects.filter({ name__in: ['e', 'f'] });
    await assert.rejects(qs.datetimes('at', 'hour', 'ASC', { tzinfo: 'America/New_York' }), {
      name: 'RangeError',
      message: /^2021-11-07T01:00:00 happens twice in America\/New_York/,
    });
    const daylight = await qs.datetimes('at', 'hour', 'ASC', { tzinfo: 'America/New_York', isDst: true });
    assert.deepEqual(strings(daylight), ['2021-11-07T01:00:00-04:00[America/New_York]']);
    const standard = await qs.datetimes('at', 'hour', 'ASC', { tzinfo: 'America/New_York', isDst: false });
    assert.deepEqual(strings(standard), ['2021-11-07T01:00:00-05:00[America/New_York]']);
  });

  test("Trunc in annotations: the output is the source's type unless given", async () => {
    const rows = await Event.objects
      .filter({ name__in: ['a', 'b'] })
      .annotate({ month: new Trunc('at', 'month'), onDay: new Trunc('at', 'day', { output: 'date' }) })
      .annotate({ quarter: new Trunc('day', 'quarter') })
      .values('month', 'onDay', 'quarter')
      .orderBy('onDay');
    assert.deepEqual(
      rows.map((r) => [
        temporalKind(r.month),
        String(r.month),
        temporalKind(r.onDay),
        String(r.onDay),
        String(r.quarter),
      ]),
      [
        ['ZonedDateTime', '2021-03-01T00:00:00+00:00[UTC]', 'PlainDate', '2021-03-04', '2021-01-01'],
        ['ZonedDateTime', '2021-03-01T00:00:00+00:00[UTC]', 'PlainDate', '2021-03-28', '2021-01-01'],
      ],
    );
    const perMonth = await Event.objects
      .exclude({ at: null })
      .annotate({ month: new Trunc('at', 'month', { tzinfo: 'Asia/Tokyo' }) })
      .values('month')
      .annotate({ n: Count('id') })
      .orderBy('month');
    assert.deepEqual(
      perMonth.map((r) => [String(r.month), r.n]),
      [
        ['2021-01-01T00:00:00+09:00[Asia/Tokyo]', 1],
        ['2021-03-01T00:00:00+09:00[Asia/Tokyo]', 2],
        ['2021-11-01T00:00:00+09:00[Asia/Tokyo]', 2],
      ],
    );
    assert.throws(() => new Trunc('at', 'fortnight' as never), {
      message:
        "Cannot truncate to 'fortnight': use 'year', 'quarter', 'month', 'week', 'day', 'hour', 'minute' or 'second'.",
    });
    assert.throws(() => new Trunc('at', 'hour', { output: 'date' }), {
      message: "Cannot truncate to 'hour' with a date output: use { output: 'datetime' }.",
    });
    await assert.rejects(Event.objects.annotate({ h: new Trunc('day', 'hour') }).valuesList('h'), {
      message: "Cannot truncate DateField 'day' to DateTimeField.",
    });
    await assert.rejects(
      Event.objects.annotate({ h: new Trunc('day', 'year', { tzinfo: 'Asia/Tokyo' }) }).valuesList('h'),
      {
        message: "tzinfo can only be used with DateTimeField ('day' is a DateField).",
      },
    );
  });

  test('the errors, with their messages', async () => {
    assert.throws(() => Event.objects.dates('day', 'hour' as never), {
      name: 'TypeError',
      message: "'kind' must be one of 'year', 'month', 'week', or 'day' (got 'hour').",
    });
    assert.throws(() => Event.objects.dates('day', 'year', 'UP' as never), {
      name: 'TypeError',
      message: "'order' must be either 'ASC' or 'DESC' (got 'UP').",
    });
    assert.throws(() => Event.objects.datetimes('at', 'quarter' as never), {
      name: 'TypeError',
      message: "'kind' must be one of 'year', 'month', 'week', 'day', 'hour', 'minute', or 'second' (got 'quarter').",
    });
    assert.throws(() => Event.objects.dates('name', 'year'), {
      name: 'TypeError',
      message: "Trunc only valid on DateField, TimeField, or DateTimeField ('name' is CharField).",
    });
    assert.throws(() => Event.objects.datetimes('day', 'year'), {
      name: 'TypeError',
      message: "Cannot truncate DateField 'day' to DateTimeField.",
    });
    assert.throws(() => Event.objects.dates('nothing', 'year'), /nothing/);
    // A path across relations is checked when the query runs.
    await assert.rejects(Note.objects.dates('event__name', 'year'), {
      name: 'TypeError',
      message: "Trunc only valid on DateField, TimeField, or DateTimeField ('name' is CharField).",
    });
    await assert.rejects(Note.objects.datetimes('event__day', 'year'), {
      name: 'TypeError',
      message: "Cannot truncate DateField 'day' to DateTimeField.",
    });
  });
});

eachBackend(
  'datetimes() with USE_TZ off',
  () => {
    before(async () => {
      await withSchemaEditor(async (editor) => {
        await editor.createModel(Event as never);
      });
      await Event.objects.create({ name: 'a', at: T().PlainDateTime.from('2021-03-04T23:20:30') });
      await Event.objects.create({ name: 'b', at: T().PlainDateTime.from('2021-03-05T00:10:00') });
    });

    test('gives PlainDateTimes of the stored wall times; tzinfo is ignored', async () => {
      const days = await Event.objects.datetimes('at', 'day');
      assert.ok(days.every((d) => temporalKind(d) === 'PlainDateTime'));
      assert.deepEqual(strings(days), ['2021-03-04T00:00:00', '2021-03-05T00:00:00']);
      const hours = await Event.objects.datetimes('at', 'hour', 'DESC', { tzinfo: 'Asia/Tokyo' });
      assert.deepEqual(strings(hours), ['2021-03-05T00:00:00', '2021-03-04T23:00:00']);
      assert.deepEqual(strings(await Event.objects.dates('at', 'month')), ['2021-03-01']);
    });
  },
  { extraSettings: { USE_TZ: false } },
);
