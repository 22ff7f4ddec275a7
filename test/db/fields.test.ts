// Every field type round trips on both backends with Django's value types: Temporal dates and
// times (microseconds, aware datetimes in UTC, a JS Date accepted), exact decimals, 64-bit
// integers as bigint, UUIDs, durations, bytes, JSON, files; and fullClean() validates them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { overrideSettings } from '../../src/conf/index.ts';
import { execute, withSchemaEditor } from '../../src/db/index.ts';
import {
  BigIntegerField,
  BinaryField,
  BooleanField,
  CharField,
  DateField,
  DateTimeField,
  Decimal,
  DecimalField,
  DurationField,
  EmailField,
  FileField,
  FloatField,
  JSONField,
  Model,
  PositiveIntegerField,
  SlugField,
  TimeField,
  URLField,
  UUIDField,
  ValidationError,
} from '../../src/db/models/index.ts';
import { temporal } from '../../src/db/temporal.ts';
import { eachBackend } from './helpers.ts';

class Sample extends Model.define(
  {
    name: new CharField({ maxLength: 10 }),
    email: new EmailField({ null: true, blank: true }),
    slug: new SlugField({ null: true, blank: true }),
    url: new URLField({ null: true, blank: true }),
    big: new BigIntegerField({ null: true, blank: true }),
    positive: new PositiveIntegerField({ null: true, blank: true }),
    ratio: new FloatField({ null: true, blank: true }),
    price: new DecimalField({ maxDigits: 8, decimalPlaces: 2, null: true, blank: true }),
    flag: new BooleanField({ default: true }),
    day: new DateField({ null: true, blank: true }),
    time: new TimeField({ null: true, blank: true }),
    at: new DateTimeField({ null: true, blank: true }),
    span: new DurationField({ null: true, blank: true }),
    uuid: new UUIDField({ null: true, blank: true }),
    blob: new BinaryField({ null: true, blank: true }),
    doc: new JSONField({ null: true, blank: true }),
    created: new DateTimeField({ autoNowAdd: true }),
    size: new CharField({
      maxLength: 1,
      choices: [
        ['s', 'Small'],
        ['l', 'Large'],
      ],
      default: 's',
    }),
    upload: new FileField({ uploadTo: 'docs/', null: true, blank: true }),
  },
  { appLabel: 'fields' },
) {}

const T = temporal();
let media: string;

eachBackend('fields', () => {
  let restore: () => void;
  before(async () => {
    media = mkdtempSync(path.join(os.tmpdir(), 'tsgi-media-'));
    restore = overrideSettings({ MEDIA_ROOT: media, MEDIA_URL: '/media/' });
    await withSchemaEditor((editor) => editor.createModel(Sample));
  });
  after(() => {
    restore();
    rmSync(media, { recursive: true, force: true });
  });

  test('every type comes back as it went in', async () => {
    const at = T.ZonedDateTime.from('2024-02-29T13:14:15.123456+01:00[Europe/Paris]');
    const made = await Sample.objects.create({
      name: 'all',
      big: 9007199254740993n,
      positive: 7,
      ratio: 0.25,
      price: new Decimal('12345.60'),
      flag: false,
      day: T.PlainDate.from('2024-02-29'),
      time: T.PlainTime.from('23:59:58.000001'),
      at,
      span: T.Duration.from({ days: 3, hours: 4, microseconds: 5 }),
      uuid: '1B4E28BA-2FA1-11D2-883F-0016D3CCA427',
      blob: new Uint8Array([0, 1, 254, 255]),
      doc: { list: [1, 'two', null], nested: { ok: true } },
    });
    const got = await Sample.objects.get({ pk: made.id });
    assert.equal(got.big, 9007199254740993n);
    assert.equal(got.positive, 7);
    assert.equal(got.ratio, 0.25);
    assert.ok(got.price instanceof Decimal);
    assert.equal(got.price!.toString(), '12345.60');
    assert.equal(got.flag, false);
    assert.equal(got.day!.toString(), '2024-02-29');
    assert.equal(got.time!.toString(), '23:59:58.000001');
    assert.equal(got.at!.toString(), '2024-02-29T12:14:15.123456+00:00[UTC]');
    assert.ok(got.at!.equals(at.withTimeZone('UTC')));
    assert.equal(got.span!.toString(), 'P3DT4H0.000005S');
    assert.equal(got.uuid, '1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    assert.deepEqual([...got.blob!], [0, 1, 254, 255]);
    assert.deepEqual(got.doc, { list: [1, 'two', null], nested: { ok: true } });
    assert.equal(got.size, 's');
    assert.equal(got.created.epochNanoseconds % 1000n, 0n, 'microseconds, as Python');
  });

  test('a JS Date is an aware instant; filters take Temporal values and Dates', async () => {
    await Sample.objects.create({
      name: 'date',
      at: new Date('2021-06-01T10:00:00.5Z'),
      day: new Date('2021-06-01T10:00:00Z'),
    });
    const got = await Sample.objects.get({ name: 'date' });
    assert.equal(got.at!.toString(), '2021-06-01T10:00:00.5+00:00[UTC]');
    assert.equal(got.day!.toString(), '2021-06-01');
    assert.equal(await Sample.objects.filter({ at__gte: new Date('2021-06-01T10:00:00Z'), name: 'date' }).count(), 1);
    assert.equal(await Sample.objects.filter({ at__date: T.PlainDate.from('2021-06-01') }).count(), 1);
    assert.equal(await Sample.objects.filter({ at__year: 2021, at__month: 6, at__hour: 10 }).count(), 1);
    assert.equal(await Sample.objects.filter({ time__lt: T.PlainTime.from('23:59:59') }).count(), 1);
    assert.equal(await Sample.objects.filter({ span__gt: T.Duration.from({ days: 3 }) }).count(), 1);
    assert.equal(await Sample.objects.filter({ uuid: '1b4e28ba2fa111d2883f0016d3cca427' }).count(), 1);
    assert.equal(await Sample.objects.filter({ big__gt: 9007199254740992n }).count(), 1);
    assert.equal(await Sample.objects.filter({ price__gte: '12345.6' }).count(), 1);
  });

  test('USE_TZ off: DateTimeFields hold PlainDateTime in TIME_ZONE', async () => {
    const restoreTz = overrideSettings({ USE_TZ: false, TIME_ZONE: 'America/Chicago' });
    try {
      await Sample.objects.create({ name: 'naive', at: T.PlainDateTime.from('2020-01-02T03:04:05.000006') });
      const got = await Sample.objects.get({ name: 'naive' });
      assert.equal(
        String((got.at as unknown as { constructor: { name: string } }).constructor.name).includes('PlainDateTime'),
        true,
      );
      assert.equal(got.at!.toString(), '2020-01-02T03:04:05.000006');
    } finally {
      restoreTz();
    }
  });

  test("decimals are exact; out-of-range or malformed values are refused with Django's messages", async () => {
    const row = await Sample.objects.create({ name: 'dec', price: new Decimal('0.10') });
    await Sample.objects.filter({ pk: row.id }).update({ price: new Decimal('0.20') });
    await row.refreshFromDb();
    assert.equal(row.price!.plus('0.10').toString(), '0.30');
    await assert.rejects(Sample.objects.filter({ positive: 'x' as unknown as number }), {
      name: 'TypeError',
      message: "Field 'positive' expected a number but got 'x'.",
    });
    await assert.rejects(Sample.objects.filter({ uuid: 'nope' }), {
      message: "Field 'uuid' expected a UUID but got 'nope'.",
    });
  });

  test("fullClean() reports every field with Django's messages and codes", async () => {
    const bad = new Sample({
      name: 'x'.repeat(11),
      email: 'nope',
      slug: 'a b',
      url: 'htp:/x',
      positive: -1,
      price: new Decimal('1234567.891'),
      size: 'm' as 's',
    });
    const error = await bad.fullClean().then(
      () => assert.fail('no error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(error.messageDict, {
      name: ['Ensure this value has at most 10 characters (it has 11).'],
      email: ['Enter a valid email address.'],
      slug: ['Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.'],
      url: ['Enter a valid URL.'],
      positive: ['Ensure this value is greater than or equal to 0.'],
      price: ['Ensure that there are no more than 8 digits in total.'],
      size: ["Value 'm' is not a valid choice."],
    });
    const empty = new Sample({});
    await assert.rejects(empty.fullClean(), (e: unknown) => {
      assert.deepEqual((e as ValidationError).messageDict, { name: ['This field cannot be blank.'] });
      return true;
    });
  });

  test('a FileField stores an assigned upload under uploadTo when the row is saved', async () => {
    const row = new Sample({ name: 'file' });
    (row as unknown as { upload: unknown }).upload = { name: 'report 1.txt', content: 'hello' };
    await row.save();
    const got = await Sample.objects.get({ pk: row.id });
    assert.equal(got.upload.name, 'docs/report_1.txt');
    assert.equal(got.upload.url, '/media/docs/report_1.txt');
    assert.equal(readFileSync(path.join(media, 'docs', 'report_1.txt'), 'utf8'), 'hello');
    assert.equal(await got.upload.size(), 5);
    const { rows } = await execute(`SELECT upload FROM fields_sample WHERE id = ${row.id}`);
    assert.equal((rows[0] as { upload: string }).upload, 'docs/report_1.txt');
  });
});
