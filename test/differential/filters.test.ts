// Differential test of the built-in filters against Django 3.2 itself: every case of
// filter-cases.ts goes through Django's own filter functions (filters_oracle.py, on Debian's
// python3-django) and through tsgi's, each called as its template engine calls a filter (the
// current time zone for expectsLocaltime, autoescape for needsAutoescape, a safe input keeping an
// isSafe filter's result safe). What str() prints, the Python type, the safeness (and the same
// for each item of a list) must be identical, or both must raise.
//
// Deliberate differences, left out of the battery:
// - Python floats with an integral value (2.0): a JS number that is an integer is an int.
// - `floatformat` of a decimal with more than 17 significant digits: Django 3.2 goes through
//   float() and loses digits, tsgi rounds the exact decimal.
// - `random` is only given one-item sequences.
//
// Skipped when python3-django is missing (apt-get install -y python3-django), except in CI
// (CI=true), where it fails instead.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { register } from '../../src/template/defaultfilters.ts';
import { SafeString, markSafe } from '../../src/utils/safestring.ts';
import { pyStr, pyType } from '../../src/utils/python.ts';
import { override, templateLocaltime } from '../../src/utils/timezone.ts';
import { CASES } from './filter-cases.ts';
import type { Case, Tagged } from './filter-cases.ts';
import { skipUnlessPresent } from '../prerequisites.ts';

const PYTHON = '/usr/bin/python3';
const hasDjango = spawnSync(PYTHON, ['-c', 'import django, pytz'], { encoding: 'utf8' }).status === 0;
const oracle = path.join(import.meta.dirname, 'filters_oracle.py');
const skip = skipUnlessPresent(hasDjango ? undefined : 'needs python3-django (apt-get install -y python3-django)');

/** A decimal as a decimal library gives one: an object named Decimal printing its digits. */
class Decimal {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

function decodeValue(v: Tagged): unknown {
  switch (v.t) {
    case 'none':
      return null;
    case 'bool':
      return v.v;
    case 'int': {
      const n = BigInt(v.v);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case 'float':
      return v.v === 'inf' ? Infinity : v.v === '-inf' ? -Infinity : v.v === 'nan' ? NaN : Number(v.v);
    case 'decimal':
      return new Decimal(v.v);
    case 'str':
      return v.v;
    case 'safe':
      return markSafe(v.v);
    case 'list':
      return v.v.map(decodeValue);
    case 'dict':
      if (v.js === 'map') return new Map(v.v.map(([k, x]) => [decodeValue(k), decodeValue(x)]));
      return Object.fromEntries(v.v.map(([k, x]) => [String(decodeValue(k)), decodeValue(x)]));
    case 'date':
      return Temporal.PlainDate.from(v.v);
    case 'time':
      return Temporal.PlainTime.from(v.v);
    case 'datetime': {
      const plain = Temporal.PlainDateTime.from(v.v);
      if (v.tz === undefined) return plain;
      const zoned = plain.toZonedDateTime(v.tz);
      if (v.js === 'instant') return zoned.toInstant();
      if (v.js === 'date') return new Date(zoned.epochMilliseconds);
      return zoned;
    }
    case 'timedelta': {
      // Python normalizes (days=-1, seconds=5); a Duration's fields share one sign.
      const total = (v.days * 86400 + v.seconds) * 1_000_000 + v.us;
      const sign = Math.sign(total);
      const abs = Math.abs(total);
      return Temporal.Duration.from({
        days: sign * Math.floor(abs / 86_400_000_000),
        seconds: sign * (Math.floor(abs / 1_000_000) % 86400),
        microseconds: sign * (abs % 1_000_000),
      });
    }
  }
}

interface Described {
  type?: string;
  str?: string;
  safe?: boolean;
  items?: Described[];
  raises?: string;
}

function describeResult(x: unknown): Described {
  const out: Described = { type: pyType(x), str: pyStr(x), safe: x instanceof SafeString };
  if (Array.isArray(x)) out.items = x.map(describeResult);
  return out;
}

/** A filter called as the template engine calls it. */
function callFilter(c: Case): unknown {
  const f = register.filters.get(c.filter);
  assert.ok(f, `no filter ${c.filter}`);
  let value = decodeValue(c.value);
  if (f.expectsLocaltime) value = templateLocaltime(value);
  const arg = c.arg === undefined ? undefined : decodeValue(c.arg);
  const result = f.fn(value, arg, c.autoescape);
  if (f.isSafe && value instanceof SafeString) return result instanceof SafeString ? result : markSafe(pyStr(result));
  return result;
}

function runTsgi(c: Case): Described {
  const restore = c.settings ? overrideSettings(c.settings) : undefined;
  try {
    return c.tz ? override(c.tz, () => describeResult(callFilter(c))) : describeResult(callFilter(c));
  } catch (error) {
    return { raises: (error as Error).name };
  } finally {
    restore?.();
  }
}

const label = (c: Case) =>
  `${c.filter} ${JSON.stringify(c.value)}${c.arg ? ` : ${JSON.stringify(c.arg)}` : ''}` +
  `${c.autoescape ? '' : ' (autoescape off)'}${c.settings ? ` ${JSON.stringify(c.settings)}` : ''}${c.tz ? ` in ${c.tz}` : ''}`;

describe('built-in filters against Django 3.2', { skip }, () => {
  let django: Described[] = [];

  before(() => {
    settings.configure({ USE_TZ: true, TIME_ZONE: 'America/Chicago', USE_L10N: false, LANGUAGE_CODE: 'en-us' });
    assert.ok(hasDjango, 'python3-django is not installed: CI must install it (.ci/run)');
    const run = spawnSync(PYTHON, [oracle], { input: JSON.stringify(CASES), encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(run.status, 0, run.stderr);
    django = JSON.parse(run.stdout) as Described[];
    assert.equal(django.length, CASES.length);
  });

  test('the battery covers every built-in filter', () => {
    const covered = new Set(CASES.map((c) => c.filter));
    const missing = [...register.filters.keys()].filter((name) => !covered.has(name));
    assert.deepEqual(missing, []);
    assert.ok(CASES.length > 2000, `${CASES.length} cases`);
  });

  test('every case gives what Django gives', () => {
    const failures: string[] = [];
    CASES.forEach((c, i) => {
      const expected = django[i]!;
      const actual = runTsgi(c);
      const same =
        expected.raises !== undefined
          ? actual.raises !== undefined
          : JSON.stringify(actual) === JSON.stringify(expected);
      if (!same)
        failures.push(`${label(c)}\n    django: ${JSON.stringify(expected)}\n    tsgi:   ${JSON.stringify(actual)}`);
    });
    assert.equal(
      failures.length,
      0,
      `${failures.length} of ${CASES.length} cases differ:\n${failures.slice(0, 60).join('\n')}`,
    );
  });
});
