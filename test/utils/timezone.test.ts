// tsgi/utils/timezone: the current time zone lives in the async context of the request that set
// it (never in a module variable), and the conversions follow Django's.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Temporal } from 'temporal-polyfill';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import {
  activate,
  deactivate,
  getCurrentTimezone,
  getDefaultTimezone,
  getFixedTimezone,
  isAware,
  isNaive,
  localdate,
  localtime,
  makeAware,
  makeNaive,
  now,
  override,
  templateLocaltime,
} from '../../src/utils/timezone.ts';

before(() => {
  settings.configure({ USE_TZ: true, TIME_ZONE: 'America/Chicago' });
});

describe('the current time zone', () => {
  test('defaults to TIME_ZONE and follows it', () => {
    assert.equal(getDefaultTimezone(), 'America/Chicago');
    assert.equal(getCurrentTimezone(), 'America/Chicago');
    using _ = overrideSettings({ TIME_ZONE: 'Asia/Tokyo' });
    assert.equal(getCurrentTimezone(), 'Asia/Tokyo');
  });

  test('a bad TIME_ZONE is an error naming the value and the fix', () => {
    using _ = overrideSettings({ TIME_ZONE: 'Mars/Olympus' });
    assert.throws(() => getDefaultTimezone(), {
      message:
        "The TIME_ZONE setting is \"Mars/Olympus\", which is not a time zone: use an IANA name such as 'Europe/Paris' or 'UTC', or an offset such as '+05:30'.",
    });
    assert.throws(() => override('Nowhere', () => 1), /The time zone is "Nowhere", which is not a time zone/);
  });

  test('override() sets it for a function and its awaits, then restores', async () => {
    const seen = await override('Europe/Paris', async () => {
      const before = getCurrentTimezone();
      await sleep(5);
      return [before, getCurrentTimezone(), override(null, () => getCurrentTimezone())];
    });
    assert.deepEqual(seen, ['Europe/Paris', 'Europe/Paris', 'America/Chicago']);
    assert.equal(getCurrentTimezone(), 'America/Chicago');
  });

  test('concurrent requests each keep their own zone (activate is per async context)', async () => {
    // Two "requests" served at once, interleaving their awaits: what one activates, the other never sees.
    const request = (zone: string, delays: number[]) =>
      override(null, async () => {
        activate(zone);
        const seen: string[] = [];
        for (const delay of delays) {
          await sleep(delay);
          seen.push(getCurrentTimezone());
        }
        return seen;
      });
    const [a, b, c] = await Promise.all([
      request('Europe/Paris', [5, 1, 8, 2]),
      request('Asia/Kolkata', [1, 6, 1, 7]),
      override(null, async () => {
        await sleep(4);
        return [getCurrentTimezone()];
      }),
    ]);
    assert.deepEqual(a, Array(4).fill('Europe/Paris'));
    assert.deepEqual(b, Array(4).fill('Asia/Kolkata'));
    assert.deepEqual(c, ['America/Chicago']);
    assert.equal(getCurrentTimezone(), 'America/Chicago');
  });

  test('deactivate() goes back to the default', async () => {
    await override('UTC', async () => {
      deactivate();
      assert.equal(getCurrentTimezone(), 'America/Chicago');
      activate('+05:30');
      assert.equal(getCurrentTimezone(), '+05:30');
    });
    assert.throws(() => activate(5 as unknown as string), /Invalid timezone: 5/);
  });

  test('getFixedTimezone', () => {
    assert.equal(getFixedTimezone(330), '+05:30');
    assert.equal(getFixedTimezone(-90), '-01:30');
  });
});

describe('conversions', () => {
  const utcNoon = Temporal.ZonedDateTime.from('2020-07-01T12:00:00+00:00[UTC]');

  test('now() is aware UTC with USE_TZ, naive TIME_ZONE wall time without, to the microsecond', () => {
    const n = now();
    assert.ok(isAware(n));
    assert.equal((n as Temporal.ZonedDateTime).timeZoneId, 'UTC');
    assert.equal(n.nanosecond, 0);
    using _ = overrideSettings({ USE_TZ: false });
    const plain = now() as Temporal.PlainDateTime;
    assert.ok(isNaive(plain));
    const chicago = Temporal.Now.plainDateTimeISO('America/Chicago');
    assert.ok(Math.abs(plain.until(chicago).total('seconds')) < 60);
  });

  test('localtime, localdate', () => {
    assert.equal(localtime(utcNoon).toString(), '2020-07-01T07:00:00-05:00[America/Chicago]');
    assert.equal(localtime(utcNoon, 'Asia/Tokyo').toPlainTime().toString(), '21:00:00');
    assert.equal(localtime(new Date(Date.UTC(2020, 0, 1))).toString(), '2019-12-31T18:00:00-06:00[America/Chicago]');
    assert.equal(localtime(utcNoon.toInstant()).hour, 7);
    assert.equal(localdate(Temporal.Instant.from('2020-01-01T03:00Z')).toString(), '2019-12-31');
    assert.throws(() => localtime(Temporal.PlainDateTime.from('2020-01-01T00:00')), /naive datetime/);
    assert.equal(
      override('Europe/Paris', () => localtime(utcNoon).hour),
      14,
    );
  });

  test('makeAware: as Django 3.2, an ambiguous or missing wall time needs isDst', () => {
    const summer = Temporal.PlainDateTime.from('2020-07-01T12:00');
    assert.equal(makeAware(summer).toString(), '2020-07-01T12:00:00-05:00[America/Chicago]');
    assert.equal(makeAware(summer, 'UTC').offset, '+00:00');
    const twice = Temporal.PlainDateTime.from('2020-11-01T01:30');
    assert.throws(
      () => makeAware(twice),
      /2020-11-01T01:30:00 happens twice in America\/Chicago \(a daylight saving time change: -05:00 or -06:00\); pass isDst/,
    );
    assert.equal(makeAware(twice, undefined, true).offset, '-05:00');
    assert.equal(makeAware(twice, undefined, false).offset, '-06:00');
    const never = Temporal.PlainDateTime.from('2020-03-08T02:30');
    assert.throws(() => makeAware(never), /does not exist in America\/Chicago/);
    // The same instants as pytz's localize(is_dst=...), written as real local times.
    assert.equal(makeAware(never, undefined, true).toInstant().toString(), '2020-03-08T07:30:00Z');
    assert.equal(makeAware(never, undefined, false).toInstant().toString(), '2020-03-08T08:30:00Z');
    assert.throws(() => makeAware(utcNoon as unknown as Temporal.PlainDateTime), /makeAware expects a naive datetime/);
  });

  test('makeNaive', () => {
    assert.equal(makeNaive(utcNoon).toString(), '2020-07-01T07:00:00');
    assert.equal(makeNaive(utcNoon, 'Asia/Kolkata').toString(), '2020-07-01T17:30:00');
    assert.throws(() => makeNaive(Temporal.PlainDateTime.from('2020-01-01T00:00')), /naive datetime/);
  });

  test('templateLocaltime converts aware values only, and only with USE_TZ', () => {
    assert.equal((templateLocaltime(utcNoon) as Temporal.ZonedDateTime).timeZoneId, 'America/Chicago');
    const plain = Temporal.PlainDateTime.from('2020-01-01T00:00');
    assert.equal(templateLocaltime(plain), plain);
    assert.equal(templateLocaltime('text'), 'text');
    assert.equal(templateLocaltime(utcNoon, false), utcNoon);
    const marked = Object.assign(Object.create(utcNoon) as object, { convertToLocalTime: false });
    assert.equal(templateLocaltime(marked), marked);
    using _ = overrideSettings({ USE_TZ: false });
    assert.equal(templateLocaltime(utcNoon), utcNoon);
  });
});
