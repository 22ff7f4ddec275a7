// Differential test of the utilities under the filters against Django 3.2's: django.utils.html
// (escape, conditional_escape, format_html, strip_tags, urlize with its options...), text
// (Truncator, wrap, slugify with allow_unicode), timesince (depth), numberformat (grouping
// sequences), dateformat, formats, timezone (make_aware, make_naive, localtime), encoding.
// Each case is called in Django (filters_oracle.py) and in tsgi; str(), type and safeness must
// agree, or both must raise.
//
// Deliberate differences: numberformat's int fast path returns a SafeString of the digits in
// Django and a plain string in tsgi (safeness is not compared there); tsgi names a fixed-offset
// zone '+05:30' (Temporal's id) where Django's fixed zones are tzinfo objects; make_aware() of a
// wall time that does not exist (DST starts) with is_dst gives the same instant as pytz, but
// written as a real local time (pytz keeps the impossible 02:30), as Django 4 does.
//
// Skipped when python3-django is missing, except in CI (CI=true), where it fails instead.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import * as dateformat from '../../src/utils/dateformat.ts';
import { iriToUri, punycode, quote } from '../../src/utils/encoding.ts';
import * as formats from '../../src/utils/formats.ts';
import * as html from '../../src/utils/html.ts';
import { format as numberformat } from '../../src/utils/numberformat.ts';
import { pformat } from '../../src/utils/pprint.ts';
import { pyStr, pyType } from '../../src/utils/python.ts';
import { SafeString, markSafe } from '../../src/utils/safestring.ts';
import * as text from '../../src/utils/text.ts';
import { timesince, timeuntil } from '../../src/utils/timesince.ts';
import * as timezone from '../../src/utils/timezone.ts';
import { B, DATE, DT, DEC, DICT, F, I, L, N, S, SAFE, TD, TIME } from './filter-cases.ts';
import type { Tagged } from './filter-cases.ts';
import { skipUnlessPresent } from '../prerequisites.ts';

const PYTHON = '/usr/bin/python3';
const hasDjango = spawnSync(PYTHON, ['-c', 'import django, pytz'], { encoding: 'utf8' }).status === 0;
const oracle = path.join(import.meta.dirname, 'filters_oracle.py');
const skip = skipUnlessPresent(hasDjango ? undefined : 'needs python3-django (apt-get install -y python3-django)');

interface CallCase {
  call: string;
  args: Tagged[];
  kwargs?: Record<string, Tagged>;
  settings?: Record<string, unknown>;
  tz?: string;
  ignoreSafe?: boolean;
}

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
      return v.tz === undefined ? plain : plain.toZonedDateTime(v.tz);
    }
    case 'timedelta':
      return Temporal.Duration.from({ days: v.days, seconds: v.seconds, microseconds: v.us });
  }
}

type Fn = (args: unknown[], kw: Record<string, unknown>) => unknown;
const opt = <T>(value: unknown): T | undefined => (value === null ? undefined : (value as T));

const CALLS: Record<string, Fn> = {
  escape: ([x]) => html.escape(x),
  conditional_escape: ([x]) => html.conditionalEscape(x),
  format_html: ([format, ...args], kw) =>
    html.formatHtml(String(format), ...args, ...(Object.keys(kw).length ? [kw] : [])),
  format_html_join: ([sep, format, list]) => html.formatHtmlJoin(sep, String(format), list as unknown[][]),
  linebreaks: ([x], kw) => html.linebreaks(x, Boolean(kw.autoescape)),
  strip_tags: ([x]) => html.stripTags(x),
  strip_spaces_between_tags: ([x]) => html.stripSpacesBetweenTags(x),
  escapejs: ([x]) => html.escapejs(x),
  json_script: ([x, id]) => html.jsonScript(x, id),
  avoid_wrapping: ([x]) => html.avoidWrapping(String(x)),
  smart_urlquote: ([x]) => html.smartUrlquote(String(x)),
  urlize: ([x], kw) =>
    html.urlize(x, {
      trimUrlLimit: opt<number>(kw.trim_url_limit),
      nofollow: Boolean(kw.nofollow),
      autoescape: Boolean(kw.autoescape),
    }),
  'Truncator.chars': ([x, n], kw) => new text.Truncator(x).chars(Number(n), opt<string>(kw.truncate), Boolean(kw.html)),
  'Truncator.words': ([x, n], kw) => new text.Truncator(x).words(Number(n), opt<string>(kw.truncate), Boolean(kw.html)),
  wrap: ([x, width]) => text.wrap(String(x), Number(width)),
  slugify: ([x], kw) => text.slugify(String(x), Boolean(kw.allow_unicode)),
  capfirst: ([x]) => text.capfirst(String(x)),
  phone2numeric: ([x]) => text.phone2numeric(String(x)),
  normalize_newlines: ([x]) => text.normalizeNewlines(String(x)),
  timesince: ([d], kw) =>
    timesince(d, { now: opt(kw.now), reversed: Boolean(kw.reversed), depth: opt<number>(kw.depth) }),
  timeuntil: ([d], kw) => timeuntil(d, { now: opt(kw.now), depth: opt<number>(kw.depth) }),
  'numberformat.format': ([n, sep], kw) =>
    numberformat(n, {
      decimalSep: String(sep),
      decimalPos: opt<number>(kw.decimal_pos),
      grouping: opt<number | number[]>(kw.grouping),
      thousandSep: opt<string>(kw.thousand_sep),
      forceGrouping: Boolean(kw.force_grouping),
      // Django reads USE_L10N and USE_THOUSAND_SEPARATOR here; tsgi's caller passes them.
      useGrouping: Boolean(opt<boolean>(kw.use_l10n) ?? settings.USE_L10N) && Boolean(settings.USE_THOUSAND_SEPARATOR),
    }),
  'dateformat.format': ([v, f]) => dateformat.format(v, f),
  'dateformat.time_format': ([v, f]) => dateformat.timeFormat(v, f),
  'formats.get_format': ([name], kw) => formats.getFormat(name, opt<boolean>(kw.use_l10n)),
  'formats.date_format': ([v], kw) => formats.dateFormat(v, opt(kw.format), opt<boolean>(kw.use_l10n)),
  'formats.time_format': ([v], kw) => formats.timeFormat(v, opt(kw.format), opt<boolean>(kw.use_l10n)),
  'formats.number_format': ([v], kw) =>
    formats.numberFormat(v, opt<number>(kw.decimal_pos), opt<boolean>(kw.use_l10n), Boolean(kw.force_grouping)),
  'formats.localize': ([v], kw) => formats.localize(v, opt<boolean>(kw.use_l10n)),
  'timezone.make_aware': ([v], kw) =>
    timezone.makeAware(v as Temporal.PlainDateTime, opt<string>(kw.tz), opt<boolean>(kw.is_dst)),
  'timezone.make_naive': ([v], kw) => timezone.makeNaive(v, opt<string>(kw.tz)),
  'timezone.localtime': ([v], kw) => timezone.localtime(v, opt<string>(kw.tz)),
  'timezone.localdate': ([v], kw) => timezone.localdate(v, opt<string>(kw.tz)),
  'timezone.is_aware': ([v]) => timezone.isAware(v),
  'timezone.is_naive': ([v]) => timezone.isNaive(v),
  'timezone.template_localtime': ([v]) => timezone.templateLocaltime(v),
  'timezone.get_current_timezone_name': () => timezone.getCurrentTimezoneName(),
  iri_to_uri: ([x]) => iriToUri(String(x)),
  punycode: ([x]) => punycode(String(x)),
  quote: ([x], kw) => (kw.safe === undefined ? quote(String(x)) : quote(String(x), String(kw.safe))),
  pformat: ([x]) => pformat(x),
};

const cases: CallCase[] = [];
const call = (name: string, args: Tagged[], kwargs?: Record<string, Tagged>, extra: Partial<CallCase> = {}) =>
  cases.push({ call: name, args, ...(kwargs ? { kwargs } : {}), ...extra });

// django.utils.html
for (const x of [S('<a href="x">Tom & \'Jerry\'</a>'), SAFE('<b>&amp;</b>'), I(5), N, L(S('<')), F(1.5)]) {
  call('escape', [x]);
  call('conditional_escape', [x]);
  call('escapejs', [x]);
}
call('format_html', [S('<a href="{}">{}</a>'), S('/x?a=1&b=2'), S('<Tom>')]);
call('format_html', [S('{1} {0} {0}'), S('<a>'), SAFE('<b>')]);
call('format_html', [S('<b>{name}</b> {}'), I(5)], { name: S('"quoted"') });
call('format_html', [S('{{literal}} {}'), S('&')]);
call('format_html', [S('{} {}'), S('only one')]);
call('format_html', [S('single } brace'), S('x')]);
call('format_html_join', [S('\n'), S('<li>{} {}</li>'), L(L(S('a'), S('<b>')), L(SAFE('<c>'), I(1)))]);
call('format_html_join', [SAFE('<br>'), S('{}'), L(L(S('x')), L(S('y')))]);
call('format_html_join', [S('<br>'), S('{}'), L()]);
for (const x of [S('a\nb\n\nc\r\n\r\nd'), S('<b>x</b>\ny'), S(''), SAFE('<i>\n</i>')]) {
  call('linebreaks', [x]);
  call('linebreaks', [x], { autoescape: B(true) });
}
for (const x of [
  S('<p>Hello <b>world</b></p>'),
  S('<' + 'a'.repeat(1100)),
  S('<x' + '<'.repeat(60) + 'a'.repeat(1000)),
  S('a < b > c'),
  S('<<<<p>>>>'),
  I(3),
]) {
  call('strip_tags', [x]);
}
call('strip_spaces_between_tags', [S('<p>  <b> x </b>\n\n\t<i></i></p>')]);
call('json_script', [DICT({ a: S('</script>'), b: L(I(1), F(2.5), N, B(true)), c: DEC('1.10') }), S('my-id')]);
call('json_script', [S('x'), S('"><script>')]);
call('avoid_wrapping', [S('10 minutes ago')]);
for (const url of [
  'http://example.com/path with spaces/?q=a b&r=é#frag ment',
  'https://user:pass@bücher.de:8080/ä?x=1&x=2',
  'http://[::1]:80/a%20b',
  'http://[bad/x',
  'http://a..b/',
  'www.example.com/~user/%7Euser',
]) {
  call('smart_urlquote', [S(url)]);
}
const URLIZE_TEXTS = [
  S('Go to http://example.com/a-long-path/with/segments?and=query or www.djangoproject.com.'),
  S('mail someone@example.com and (http://x.org/).'),
  SAFE('<b>safe</b> www.example.org'),
  S('<tag> www.example.org &amp; more'),
];
for (const x of URLIZE_TEXTS) {
  call('urlize', [x]);
  call('urlize', [x], { nofollow: B(true) });
  call('urlize', [x], { autoescape: B(true), trim_url_limit: I(12) });
  call('urlize', [x], { autoescape: B(true), nofollow: B(true), trim_url_limit: I(1) });
}

// django.utils.text
const TRUNCATE = [
  S('The quick brown fox jumps over the lazy dog'),
  S('<p>The <b>quick</b> brown <br/>fox <i>jumps</i> over</p>'),
  S('<p>unclosed <b>bold and <i>italic</p>'),
  S('café é\u0301 combining'),
  S('word...'),
];
for (const x of TRUNCATE) {
  for (const n of [0, 1, 4, 9, 100]) {
    call('Truncator.chars', [x, I(n)]);
    call('Truncator.chars', [x, I(n)], { html: B(true) });
    call('Truncator.chars', [x, I(n)], { truncate: S('[%(truncated_text)s]') });
    call('Truncator.chars', [x, I(n)], { truncate: S('...') });
    call('Truncator.words', [x, I(n)]);
    call('Truncator.words', [x, I(n)], { html: B(true), truncate: S(' (more)') });
    call('Truncator.words', [x, I(n)], { truncate: S('...') });
  }
}
for (const x of [S('Ｈello Wörld! ß ǅ 你好 ---__'), S('  Joel is a slug  '), S('Ελληνικά κείμενα'), S('İstanbul')]) {
  call('slugify', [x]);
  call('slugify', [x], { allow_unicode: B(true) });
  call('capfirst', [x]);
  call('phone2numeric', [x]);
}
for (const w of [1, 8, 20]) {
  call('wrap', [S('a\tb  c\n\nd e f g h i j k l m n o p q r s t u v w x y z word wordword'), I(w)]);
}
call('normalize_newlines', [S('a\r\nb\rc\nd')]);

// django.utils.timesince with depth
for (const depth of [1, 2, 3, 6]) {
  call('timesince', [DT('2000-01-01T00:00:00')], { now: DT('2003-05-20T13:47:59'), depth: I(depth) });
  call('timeuntil', [DT('2003-05-20T13:47:59')], { now: DT('2000-01-01T00:00:00'), depth: I(depth) });
}
call('timesince', [DT('2000-01-01T00:00:00')], { now: DT('2001-01-01T00:00:00'), depth: I(0) });
call('timesince', [DATE('2020-02-29')], { now: DATE('2021-02-28') });
call('timesince', [DT('2020-01-01T00:00:00', 'UTC')], { now: DT('2020-01-01T00:00:00') });

// django.utils.numberformat and formats
for (const n of [
  I(1234567),
  F(-1234567.891),
  DEC('1234567.891'),
  S('-1234.5'),
  F(1e-7),
  DEC('1E+5'),
  I(0),
  DEC('1E-250'),
]) {
  call(
    'numberformat.format',
    [n, S(',')],
    { decimal_pos: I(2), grouping: I(3), thousand_sep: S('.'), force_grouping: B(true) },
    { ignoreSafe: true },
  );
  call(
    'numberformat.format',
    [n, S('.')],
    { grouping: L(I(3), I(2), I(0)), thousand_sep: S(','), force_grouping: B(true) },
    { ignoreSafe: true },
  );
  call(
    'numberformat.format',
    [n, S('.')],
    { grouping: L(I(3), I(2)), thousand_sep: S(' '), force_grouping: B(true) },
    { ignoreSafe: true },
  );
  call('numberformat.format', [n, S('.')], { decimal_pos: I(0) }, { ignoreSafe: true });
  call('formats.number_format', [n], { decimal_pos: I(3) }, { ignoreSafe: true });
  call('formats.number_format', [n], { use_l10n: B(true), force_grouping: B(true) }, { ignoreSafe: true });
  call('formats.localize', [n], {}, { ignoreSafe: true, settings: { USE_L10N: true, USE_THOUSAND_SEPARATOR: true } });
  call('formats.localize', [n], { use_l10n: B(false) }, { ignoreSafe: true });
}
for (const name of [
  'DATE_FORMAT',
  'TIME_FORMAT',
  'NUMBER_GROUPING',
  'THOUSAND_SEPARATOR',
  'FIRST_DAY_OF_WEEK',
  'Y-m-d',
]) {
  call('formats.get_format', [S(name)]);
  call('formats.get_format', [S(name)], { use_l10n: B(true) });
}
for (const v of [
  DATE('2020-02-03'),
  DT('2020-02-03T04:05:06'),
  DT('2020-02-03T04:05:06', 'UTC'),
  TIME('16:00:00'),
  B(true),
  S('x'),
  N,
]) {
  call('formats.localize', [v]);
  call('formats.date_format', [v], { format: S('SHORT_DATETIME_FORMAT') });
  call('formats.time_format', [v]);
}

// django.utils.dateformat, called directly
for (const v of [
  DATE('2003-10-07'),
  DT('2003-10-07T11:39:05.000123'),
  DT('2003-10-07T11:39:05', 'UTC'),
  TIME('11:39:05'),
]) {
  call('dateformat.format', [v, S('jS F Y H:i')]);
  call('dateformat.time_format', [v, S('P')]);
  call('dateformat.time_format', [v, S('Y')]);
}

// django.utils.timezone
for (const v of [DT('2020-07-01T12:00:00'), DT('2020-11-01T01:30:00'), DT('2020-03-08T02:30:00')]) {
  call('timezone.make_aware', [v]);
  call('timezone.make_aware', [v], { tz: S('Europe/Paris') });
  if (v.t === 'datetime' && v.v !== '2020-03-08T02:30:00') {
    call('timezone.make_aware', [v], { is_dst: B(true) });
    call('timezone.make_aware', [v], { is_dst: B(false) });
  }
  call('timezone.is_aware', [v]);
  call('timezone.is_naive', [v]);
  call('timezone.template_localtime', [v]);
  call('timezone.localtime', [v]);
  call('timezone.make_naive', [v]);
}
for (const v of [DT('2020-07-01T12:00:00', 'UTC'), DT('2020-12-31T23:30:00.5', 'Asia/Tokyo')]) {
  call('timezone.make_naive', [v]);
  call('timezone.make_naive', [v], { tz: S('Asia/Kolkata') });
  call('timezone.localtime', [v]);
  call('timezone.localtime', [v], { tz: S('UTC') });
  call('timezone.localdate', [v]);
  call('timezone.localtime', [v], {}, { tz: 'Europe/Paris' });
  call('timezone.template_localtime', [v], {}, { tz: 'Australia/Sydney' });
  call('timezone.template_localtime', [v], {}, { settings: { USE_TZ: false } });
  call('timezone.is_aware', [v]);
}
call('timezone.get_current_timezone_name', []);
call('timezone.get_current_timezone_name', [], {}, { tz: 'Asia/Tokyo' });
call('timezone.get_current_timezone_name', [], {}, { settings: { TIME_ZONE: 'Europe/Paris' } });

// django.utils.encoding, urllib's quote, pprint
for (const x of ['/blog/for/Jürgen Münster/', "a b/c?d=é&f#g%20h~!*'()", '😀', '%zz%41']) {
  call('iri_to_uri', [S(x)]);
  call('quote', [S(x)]);
  call('quote', [S(x)], { safe: S('') });
}
for (const x of ['bücher.example', 'EXAMPLE.com', 'a..b', 'x'.repeat(64) + '.com', 'straße.de.', ''])
  call('punycode', [S(x)]);
call('pformat', [L(...Array.from({ length: 12 }, (_, i) => DICT({ id: I(i), name: S(`item number ${i}`) })))]);
call('pformat', [DICT({ nested: L(S('a'.repeat(70)), L(S('b'.repeat(40)), S('c'.repeat(40)))), set: TD(1) })]);

interface Described {
  type?: string;
  str?: string;
  safe?: boolean;
  raises?: string;
}

function describeResult(x: unknown, ignoreSafe: boolean): Described {
  return { type: pyType(x), str: pyStr(x), safe: ignoreSafe ? false : x instanceof SafeString };
}

function runTsgi(c: CallCase): Described {
  const restore = c.settings ? overrideSettings(c.settings) : undefined;
  try {
    const fn = CALLS[c.call];
    assert.ok(fn, `no function for ${c.call}`);
    const args = c.args.map(decodeValue);
    const kw = Object.fromEntries(Object.entries(c.kwargs ?? {}).map(([k, v]) => [k, decodeValue(v)]));
    const run = () => describeResult(fn(args, kw), Boolean(c.ignoreSafe));
    return c.tz ? timezone.override(c.tz, run) : run();
  } catch (error) {
    return { raises: (error as Error).name };
  } finally {
    restore?.();
  }
}

describe('utilities under the filters against Django 3.2', { skip }, () => {
  let django: Described[] = [];

  before(() => {
    settings.configure({ USE_TZ: true, TIME_ZONE: 'America/Chicago', USE_L10N: false, LANGUAGE_CODE: 'en-us' });
    assert.ok(hasDjango, 'python3-django is not installed: CI must install it (.ci/run)');
    const run = spawnSync(PYTHON, [oracle], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(run.status, 0, run.stderr);
    django = (JSON.parse(run.stdout) as Described[]).map((d, i) =>
      cases[i]!.ignoreSafe && d.raises === undefined ? { ...d, safe: false } : d,
    );
  });

  test('every call gives what Django gives', () => {
    assert.ok(cases.length > 400, `${cases.length} cases`);
    const failures: string[] = [];
    cases.forEach((c, i) => {
      const expected = django[i]!;
      const actual = runTsgi(c);
      const same =
        expected.raises !== undefined
          ? actual.raises !== undefined
          : JSON.stringify(actual) === JSON.stringify(expected);
      if (!same)
        failures.push(
          `${JSON.stringify(c)}\n    django: ${JSON.stringify(expected)}\n    tsgi:   ${JSON.stringify(actual)}`,
        );
    });
    assert.equal(failures.length, 0, `${failures.length} of ${cases.length} calls differ:\n${failures.join('\n')}`);
  });
});
