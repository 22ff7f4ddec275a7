// The built-in filters, one test per filter, with the examples of Django's documentation of the
// built-in filters and cases from its test suite (rewritten as tables). The differential tests
// under test/differential compare thousands more cases with Django itself.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { register } from '../../src/template/defaultfilters.ts';
import { SafeString, markSafe } from '../../src/utils/safestring.ts';
import { override } from '../../src/utils/timezone.ts';

before(() => {
  settings.configure({ USE_TZ: true, TIME_ZONE: 'America/Chicago' });
});

/** Calls a filter as the engine does for a safe input (re-marking an isSafe filter's result safe). */
function apply(name: string, value: unknown, arg?: unknown, autoescape = true): unknown {
  const f = register.filters.get(name);
  assert.ok(f, `the filter ${name} is registered`);
  const result = f.fn(value, arg, autoescape);
  if (f.isSafe && value instanceof SafeString && !(result instanceof SafeString)) return markSafe(String(result));
  return result;
}

/** The text of a result and whether it is safe. */
function out(name: string, value: unknown, arg?: unknown, autoescape = true): [string, boolean] {
  const result = apply(name, value, arg, autoescape);
  return [String(result), result instanceof SafeString];
}

const eq = (name: string, value: unknown, arg: unknown, expected: unknown) =>
  assert.deepEqual(apply(name, value, arg), expected, `${name}(${String(value)}, ${String(arg)})`);

const date = (s: string) => Temporal.PlainDate.from(s);
const naive = (s: string) => Temporal.PlainDateTime.from(s);
const aware = (s: string) => Temporal.ZonedDateTime.from(s);

describe('the library', () => {
  test('registers every built-in filter of Django 3.2 under its name', () => {
    const names = [
      'add',
      'addslashes',
      'capfirst',
      'center',
      'cut',
      'date',
      'default',
      'default_if_none',
      'dictsort',
      'dictsortreversed',
      'divisibleby',
      'escape',
      'escapejs',
      'filesizeformat',
      'first',
      'floatformat',
      'force_escape',
      'get_digit',
      'iriencode',
      'join',
      'json_script',
      'last',
      'length',
      'length_is',
      'linebreaks',
      'linebreaksbr',
      'linenumbers',
      'ljust',
      'lower',
      'make_list',
      'phone2numeric',
      'pluralize',
      'pprint',
      'random',
      'rjust',
      'safe',
      'safeseq',
      'slice',
      'slugify',
      'stringformat',
      'striptags',
      'time',
      'timesince',
      'timeuntil',
      'title',
      'truncatechars',
      'truncatechars_html',
      'truncatewords',
      'truncatewords_html',
      'unordered_list',
      'upper',
      'urlencode',
      'urlize',
      'urlizetrunc',
      'wordcount',
      'wordwrap',
      'yesno',
    ];
    assert.deepEqual([...register.filters.keys()].sort(), names.sort());
  });

  test("flags are Django's", () => {
    const flagged = (flag: 'isSafe' | 'needsAutoescape' | 'expectsLocaltime') =>
      [...register.filters.values()]
        .filter((f) => f[flag])
        .map((f) => f.name)
        .sort();
    assert.deepEqual(flagged('needsAutoescape'), [
      'join',
      'linebreaks',
      'linebreaksbr',
      'linenumbers',
      'unordered_list',
      'urlize',
      'urlizetrunc',
    ]);
    assert.deepEqual(flagged('expectsLocaltime'), ['date', 'time']);
    const unsafe = [...register.filters.values()]
      .filter((f) => !f.isSafe)
      .map((f) => f.name)
      .sort();
    assert.deepEqual(unsafe, [
      'add',
      'cut',
      'date',
      'default',
      'default_if_none',
      'dictsort',
      'dictsortreversed',
      'divisibleby',
      'escapejs',
      'first',
      'get_digit',
      'length',
      'length_is',
      'make_list',
      'pluralize',
      'time',
      'timesince',
      'timeuntil',
      'upper',
      'urlencode',
      'wordcount',
      'yesno',
    ]);
  });

  test('arguments: required, optional or none, as the Python signatures', () => {
    const arg = (name: string) => register.filters.get(name)!.arg;
    assert.equal(arg('add'), 'required');
    assert.equal(arg('floatformat'), 'optional');
    assert.equal(arg('date'), 'optional');
    assert.equal(arg('pluralize'), 'optional');
    assert.equal(arg('yesno'), 'optional');
    assert.equal(arg('urlencode'), 'optional');
    assert.equal(arg('json_script'), 'required');
    assert.equal(arg('lower'), 'none');
    assert.equal(arg('unordered_list'), 'none');
  });
});

describe('strings', () => {
  test('add', () => {
    eq('add', 4, 2, 6);
    eq('add', '4', '2', 6);
    eq('add', 'abc', 'def', 'abcdef');
    eq('add', [1, 2], [3], [1, 2, 3]);
    eq('add', 'abc', 2, '');
    eq('add', 2n ** 60n, 1, 2n ** 60n + 1n);
    eq('add', date('2020-02-28'), Temporal.Duration.from({ days: 2 }), date('2020-03-01'));
  });

  test('addslashes', () =>
    assert.deepEqual(out('addslashes', `I'm using "Django" \\o/`), [`I\\'m using \\"Django\\" \\\\o/`, false]));

  test('capfirst', () => {
    eq('capfirst', 'django', undefined, 'Django');
    eq('capfirst', '', undefined, '');
    assert.deepEqual(out('capfirst', markSafe('<b>x')), ['<b>x', true]);
  });

  test('center, ljust, rjust', () => {
    eq('center', 'Django', 15, '     Django    ');
    eq('center', 'abc', 6, ' abc  ');
    eq('ljust', 'Django', 10, 'Django    ');
    eq('rjust', 'Django', '10', '    Django');
    eq('rjust', '😀', 3, '  😀');
  });

  test('cut', () => {
    eq('cut', 'String with spaces', ' ', 'Stringwithspaces');
    assert.deepEqual(out('cut', markSafe('&amp;a'), 'a'), ['&mp;', true]);
    assert.deepEqual(out('cut', markSafe('&amp;a'), ';'), ['&ampa', false]);
  });

  test('escapejs', () => {
    assert.deepEqual(out('escapejs', 'testing\r\njavascript \'string" <b>escaping</b>'), [
      'testing\\u000D\\u000Ajavascript \\u0027string\\u0022 \\u003Cb\\u003Eescaping\\u003C/b\\u003E',
      true,
    ]);
    eq(
      'escapejs',
      'paragraph separator:\u2029and line separator:\u2028',
      undefined,
      markSafe('paragraph separator:\\u2029and line separator:\\u2028'),
    );
  });

  test('iriencode', () => eq('iriencode', '?test=1&me=2 é', undefined, '?test=1&me=2%20%C3%A9'));

  test('linenumbers', () => {
    assert.deepEqual(out('linenumbers', 'one\n<two>\nthree'), ['1. one\n2. &lt;two&gt;\n3. three', true]);
    assert.deepEqual(out('linenumbers', 'x\n'.repeat(10).trimEnd(), undefined, false), [
      Array.from({ length: 10 }, (_, i) => `${String(i + 1).padStart(2, '0')}. x`).join('\n'),
      true,
    ]);
  });

  test('lower, upper, title', () => {
    eq('lower', 'Totally LOVELY', undefined, 'totally lovely');
    eq('upper', 'Joel is a slug', undefined, 'JOEL IS A SLUG');
    eq('upper', 'straße', undefined, 'STRASSE');
    eq('title', 'my FIRST post', undefined, 'My First Post');
    eq('title', "joel's 1st book", undefined, "Joel's 1st Book");
    eq('title', 'a string with 1st 2nd 3rd', undefined, 'A String With 1st 2nd 3rd');
  });

  test('make_list', () => {
    eq('make_list', 'Joel', undefined, ['J', 'o', 'e', 'l']);
    eq('make_list', 123, undefined, ['1', '2', '3']);
    eq('make_list', 'a😀', undefined, ['a', '😀']);
  });

  test('slugify', () => {
    eq('slugify', ' Joel is a slug ', undefined, 'joel-is-a-slug');
    eq('slugify', "Un \xe9l\xe9phant \xe0 l'or\xe9e du bois", undefined, 'un-elephant-a-loree-du-bois');
  });

  test('stringformat (Python % formatting)', () => {
    eq('stringformat', 10, 'E', '1.000000E+01');
    eq('stringformat', 42, '05d', '00042');
    eq('stringformat', 0.125, '.2f', '0.12');
    eq('stringformat', 'test', '10s', '      test');
    eq('stringformat', 255, '#x', '0xff');
    eq('stringformat', [1, 'a'], 's', "[1, 'a']");
    eq('stringformat', 'x', 'd', '');
    eq('stringformat', 1, 's %s', '');
  });

  test('truncatechars, truncatechars_html', () => {
    eq('truncatechars', 'Joel is a slug', 7, 'Joel i…');
    eq('truncatechars', 'Joel is a slug', 'abc', 'Joel is a slug');
    eq('truncatechars', 'abc', 3, 'abc');
    eq('truncatechars_html', '<p>Joel is a slug</p>', 7, '<p>Joel i…</p>');
    eq(
      'truncatechars_html',
      '<p>one <a href="#">two - three <br>four</a> five</p>',
      10,
      '<p>one <a href="#">two -…</a></p>',
    );
  });

  test('truncatewords, truncatewords_html', () => {
    eq('truncatewords', 'Joel is a slug', 2, 'Joel is …');
    eq('truncatewords', 'A sentence with a few words in it', 1, 'A …');
    eq('truncatewords', 'A sentence with a few words in it', 100, 'A sentence with a few words in it');
    eq('truncatewords', 'A   sentence\nwith  spaces', 'x', 'A   sentence\nwith  spaces');
    eq('truncatewords_html', '<p>Joel is a slug</p>', 2, '<p>Joel is …</p>');
    eq(
      'truncatewords_html',
      '<p>one <a href="#">two - three <br>four</a> five</p>',
      4,
      '<p>one <a href="#">two - three …</a></p>',
    );
    eq('truncatewords_html', '<p>one two</p>', 0, '');
  });

  test('urlencode', () => {
    eq('urlencode', 'https://www.example.org/foo?a=b&c=d', undefined, 'https%3A//www.example.org/foo%3Fa%3Db%26c%3Dd');
    eq('urlencode', 'https://www.example.org/foo?a=b&c=d', '', 'https%3A%2F%2Fwww.example.org%2Ffoo%3Fa%3Db%26c%3Dd');
    eq('urlencode', 'é/', undefined, '%C3%A9/');
  });

  test('urlize, urlizetrunc', () => {
    assert.deepEqual(out('urlize', 'Check out www.djangoproject.com'), [
      'Check out <a href="http://www.djangoproject.com" rel="nofollow">www.djangoproject.com</a>',
      true,
    ]);
    eq(
      'urlize',
      'Send a message to foo@example.com',
      undefined,
      markSafe('Send a message to <a href="mailto:foo@example.com">foo@example.com</a>'),
    );
    eq(
      'urlize',
      '<b>http://x.com</b>',
      undefined,
      markSafe('&lt;b&gt;<a href="http://x.com" rel="nofollow">http://x.com</a>&lt;/b&gt;'),
    );
    assert.equal(
      String(apply('urlize', '<b>http://x.com</b>', undefined, false)),
      '<b><a href="http://x.com" rel="nofollow">http://x.com</a></b>',
    );
    eq(
      'urlizetrunc',
      'Check out www.djangoproject.com',
      15,
      markSafe('Check out <a href="http://www.djangoproject.com" rel="nofollow">www.djangoproj…</a>'),
    );
  });

  test('wordcount, wordwrap', () => {
    eq('wordcount', 'Joel is a slug', undefined, 4);
    eq('wordcount', '', undefined, 0);
    eq('wordwrap', 'Joel is a slug', 5, 'Joel\nis a\nslug');
    eq(
      'wordwrap',
      "this is a long paragraph of text that really needs to be wrapped I'm afraid",
      14,
      "this is a long\nparagraph of\ntext that\nreally needs\nto be wrapped\nI'm afraid",
    );
  });
});

describe('HTML', () => {
  test('escape and force_escape', () => {
    assert.deepEqual(out('escape', `<a href="x">'&'</a>`), [
      '&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;',
      true,
    ]);
    assert.deepEqual(out('escape', markSafe('<b>')), ['<b>', true]);
    assert.deepEqual(out('force_escape', markSafe('<b>')), ['&lt;b&gt;', true]);
  });

  test('linebreaks, linebreaksbr', () => {
    assert.deepEqual(out('linebreaks', 'Joel\nis a slug'), ['<p>Joel<br>is a slug</p>', true]);
    eq('linebreaks', 'line 1\r\n\r\nline <2>', undefined, markSafe('<p>line 1</p>\n\n<p>line &lt;2&gt;</p>'));
    assert.equal(String(apply('linebreaks', 'a <b>', undefined, false)), '<p>a <b></p>');
    eq('linebreaksbr', 'Joel\nis a <slug>', undefined, markSafe('Joel<br>is a &lt;slug&gt;'));
    eq('linebreaksbr', markSafe('<b>\r\n'), undefined, markSafe('<b><br>'));
  });

  test('safe, safeseq', () => {
    assert.deepEqual(out('safe', '<b>'), ['<b>', true]);
    const seq = apply('safeseq', ['<a>', 1]) as unknown[];
    assert.ok(seq.every((x) => x instanceof SafeString));
    assert.deepEqual(seq.map(String), ['<a>', '1']);
  });

  test('striptags', () => {
    eq('striptags', '<b>Joel</b> <button>is</button> a <span>slug</span>', undefined, 'Joel is a slug');
    eq(
      'striptags',
      'some <b>html</b> with <script>alert("You smell")</script> disallowed <img /> tags',
      undefined,
      'some html with alert("You smell") disallowed  tags',
    );
    eq('striptags', '&amp; &copy', undefined, '&amp; &copy');
    eq('striptags', '<b>&amp; &copy</b> <p>x &#39 y</p>', undefined, '&amp; &copy; x &#39; y');
  });
});

describe('lists', () => {
  const people = [
    { name: 'zed', age: 19 },
    { name: 'amy', age: 22 },
    { name: 'joe', age: 31 },
  ];

  test('dictsort, dictsortreversed', () => {
    assert.deepEqual(apply('dictsort', people, 'name'), [people[1], people[2], people[0]]);
    assert.deepEqual(apply('dictsortreversed', people, 'age'), [people[2], people[1], people[0]]);
    const books = [
      { title: '1984', author: { name: 'George', age: 45 } },
      { title: 'Timequake', author: { name: 'Kurt', age: 75 } },
      { title: 'Alice', author: { name: 'Lewis', age: 33 } },
    ];
    assert.deepEqual(
      (apply('dictsort', books, 'author.age') as typeof books).map((b) => b.title),
      ['Alice', '1984', 'Timequake'],
    );
    assert.deepEqual(
      apply(
        'dictsort',
        [
          ['a', 'b'],
          ['1', '2'],
          ['z', 'x'],
        ],
        0,
      ),
      [
        ['1', '2'],
        ['a', 'b'],
        ['z', 'x'],
      ],
    );
    eq('dictsort', people, '_private', '');
    eq('dictsort', [{ a: 1 }, { a: 'x' }], 'a', '');
    eq('dictsort', 'not a list of dicts', 'a', '');
    const map = new Map([['k', 2]]);
    assert.deepEqual(apply('dictsort', [map, new Map([['k', 1]])], 'k'), [new Map([['k', 1]]), map]);
  });

  test('first, last', () => {
    eq('first', ['a', 'b', 'c'], undefined, 'a');
    eq('first', [], undefined, '');
    eq('first', 'test', undefined, 't');
    eq('last', ['a', 'b', 'c'], undefined, 'c');
    eq('last', '', undefined, '');
    assert.throws(() => apply('first', { a: 1 }), { name: 'KeyError' });
    assert.throws(() => apply('last', null), TypeError);
  });

  test('join', () => {
    assert.deepEqual(out('join', ['alpha', 'beta & me'], ' // '), ['alpha // beta &amp; me', true]);
    assert.deepEqual(out('join', ['<a>', markSafe('<b>')], '<br/>'), ['&lt;a&gt;&lt;br/&gt;<b>', true]);
    // Django 3.2 escapes the separator even with autoescape off.
    assert.deepEqual(out('join', ['<a>', '<b>'], '<br/>', false), ['<a>&lt;br/&gt;<b>', true]);
    assert.deepEqual(apply('join', [1, 2], ', ', false), [1, 2]);
  });

  test('length, length_is', () => {
    eq('length', [1, 2, 3, 4], undefined, 4);
    eq('length', 'a😀', undefined, 2);
    eq('length', new Map([[1, 2]]), undefined, 1);
    eq('length', null, undefined, 0);
    eq('length_is', [1, 2, 3, 4], 4, true);
    eq('length_is', 'abc', '2', false);
    eq('length_is', null, 1, '');
  });

  test('random', () => {
    for (let i = 0; i < 20; i++) assert.ok(['a', 'b'].includes(apply('random', ['a', 'b']) as string));
    assert.throws(() => apply('random', []), { name: 'IndexError' });
  });

  test('slice', () => {
    eq('slice', ['a', 'b', 'c'], ':2', ['a', 'b']);
    eq('slice', 'abcdefg', '0', '');
    eq('slice', 'abcdefg', '1', 'a');
    eq('slice', 'abcdefg', '-1', 'abcdef');
    eq('slice', 'abcdefg', '1:2', 'b');
    eq('slice', 'abcdefg', '1:3', 'bc');
    eq('slice', 'abcdefg', '0::2', 'aceg');
    eq('slice', 'abcdefg', 'a', 'abcdefg');
    eq('slice', 123, '1', 123);
  });

  test('unordered_list', () => {
    const states = ['States', ['Kansas', ['Lawrence', 'Topeka'], 'Illinois']];
    assert.equal(
      String(apply('unordered_list', states)),
      '\t<li>States\n\t<ul>\n\t\t<li>Kansas\n\t\t<ul>\n\t\t\t<li>Lawrence</li>\n\t\t\t<li>Topeka</li>\n\t\t</ul>\n' +
        '\t\t</li>\n\t\t<li>Illinois</li>\n\t</ul>\n\t</li>',
    );
    assert.deepEqual(out('unordered_list', ['<a>', markSafe('<b>')]), ['\t<li>&lt;a&gt;</li>\n\t<li><b></li>', true]);
    assert.deepEqual(out('unordered_list', ['<a>'], undefined, false), ['\t<li><a></li>', true]);
  });
});

describe('numbers', () => {
  test('divisibleby, get_digit', () => {
    eq('divisibleby', 21, 3, true);
    eq('divisibleby', 4, '3', false);
    assert.throws(() => apply('divisibleby', 4, 0), RangeError);
    eq('get_digit', 123456789, 2, 8);
    eq('get_digit', 123, 4, 0);
    eq('get_digit', 123, 0, 123);
    eq('get_digit', 'abc', 1, 'abc');
  });

  test('filesizeformat', () => {
    eq('filesizeformat', 123456789, undefined, '117.7\xa0MB');
    eq('filesizeformat', 1023, undefined, '1023\xa0bytes');
    eq('filesizeformat', 1, undefined, '1\xa0byte');
    eq('filesizeformat', 1024, undefined, '1.0\xa0KB');
    eq('filesizeformat', 1024 ** 5 * 2, undefined, '2.0\xa0PB');
    eq('filesizeformat', -1024, undefined, '-1.0\xa0KB');
    eq('filesizeformat', 'x', undefined, '0\xa0bytes');
  });

  test('floatformat: every argument form of Django 3.2', () => {
    // [value, argument, text, safe]: a rounded number is safe, a value printed back is not.
    const cases: Array<[unknown, unknown, string, boolean]> = [
      [34.23234, undefined, '34.2', true],
      [34.0, undefined, '34', true],
      [34.26, undefined, '34.3', true],
      [34.23234, 3, '34.232', true],
      [34.0, 3, '34.000', true],
      [34.26, 3, '34.260', true],
      [34.23234, '0', '34', true],
      [34.0, '0', '34', true],
      [39.56, '0', '40', true],
      [34.23234, '-3', '34.232', true],
      [34.0, '-3', '34', true],
      [34.26, '-3', '34.260', true],
      [6666.6666, '2g', '6666.67', true],
      [10000, 'g', '10000', true],
      ['34.235', 2, '34.24', true],
      [2.675, 2, '2.68', true],
      [1.005, 2, '1.01', true],
      [-0.001, 2, '0.00', true],
      [Infinity, undefined, 'inf', false],
      [NaN, undefined, 'nan', false],
      ['abc', undefined, '', false],
      [null, undefined, '', false],
      [34.2, 'abc', '34.2', false],
      ['34.2', 'abc', "'34.2'", false],
      [2n ** 70n, 2, '1180591620717411303424.00', true],
    ];
    for (const [value, arg, text, safe] of cases) {
      assert.deepEqual(out('floatformat', value, arg), [text, safe], `floatformat(${String(value)}, ${String(arg)})`);
    }
  });

  test('floatformat: g groups with the locale, or with NUMBER_GROUPING without it', () => {
    using _ = overrideSettings({ USE_L10N: true });
    eq('floatformat', 6666.6666, '2g', markSafe('6,666.67'));
    eq('floatformat', 10000, 'g', markSafe('10,000'));
    eq('floatformat', -1234567.891, '-2g', markSafe('-1,234,567.89'));
  });

  test('floatformat: a decimal is rounded exactly, half up', () => {
    class Decimal {
      readonly #text: string;
      constructor(text: string) {
        this.#text = text;
      }
      toString() {
        return this.#text;
      }
    }
    eq('floatformat', new Decimal('1.2345678901234567890125'), 21, markSafe('1.234567890123456789013'));
    eq('floatformat', new Decimal('-0.5'), 0, markSafe('-1'));
  });
});

describe('dates', () => {
  test('date, with formats and named formats', () => {
    const d = naive('2008-01-02T10:30:00');
    eq('date', d, 'D d M Y', 'Wed 02 Jan 2008');
    eq('date', d, undefined, 'Jan. 2, 2008');
    eq('date', d, 'SHORT_DATE_FORMAT', '01/02/2008');
    eq('date', d, 'DATETIME_FORMAT', 'Jan. 2, 2008, 10:30 a.m.');
    eq('date', d, 'jS \\o\\f F', '2nd of January');
    eq('date', date('2003-10-07'), 'jS F Y', '7th October 2003');
    eq('date', null, 'Y', '');
    eq('date', 'not a date', 'Y', '');
    assert.throws(() => apply('date', date('2003-10-07'), 'H:i'), TypeError);
  });

  test('date on aware values: the engine converts to the current zone first', () => {
    const f = register.filters.get('date')!;
    assert.equal(f.expectsLocaltime, true);
    const utc = aware('2020-07-01T12:00:00+00:00[UTC]');
    eq('date', utc, 'H:i T', '12:00 UTC');
    override('Europe/Paris', () => eq('date', utc.withTimeZone('Europe/Paris'), 'H:i T O', '14:00 CEST +0200'));
    eq('date', new Date(Date.UTC(2020, 6, 1, 12)), 'c', '2020-07-01T12:00:00+00:00');
  });

  test('time', () => {
    eq('time', Temporal.PlainTime.from('13:05'), 'H:i', '13:05');
    eq('time', Temporal.PlainTime.from('00:00'), undefined, 'midnight');
    eq('time', naive('2020-01-01T12:00'), undefined, 'noon');
    eq('time', naive('2020-01-01T12:00'), 'Y', '');
    eq('time', date('2020-01-01'), 'H', '');
  });

  test('timesince, timeuntil', () => {
    const blog = naive('2006-06-01T00:00');
    const comment = naive('2006-06-01T08:00');
    eq('timesince', blog, comment, '8\xa0hours');
    eq('timeuntil', naive('2006-06-29T00:00'), naive('2006-06-01T00:00'), '4\xa0weeks');
    eq('timesince', comment, blog, '0\xa0minutes');
    eq('timesince', null, blog, '');
    eq('timesince', naive('2006-06-01T00:00'), aware('2006-06-01T00:00Z[UTC]'), '');
    assert.match(String(apply('timesince', naive('2000-01-01T00:00'))), /^\d+\xa0years, \d+\xa0(month|week)s?$/);
  });
});

describe('logic and misc', () => {
  test('default, default_if_none', () => {
    eq('default', '', 'nothing', 'nothing');
    eq('default', [], 'nothing', 'nothing');
    eq('default', 0, 'nothing', 'nothing');
    eq('default', NaN, 'nothing', NaN);
    eq('default', 'x', 'nothing', 'x');
    eq('default_if_none', null, 'nothing', 'nothing');
    eq('default_if_none', undefined, 'nothing', 'nothing');
    eq('default_if_none', '', 'nothing', '');
  });

  test('yesno', () => {
    eq('yesno', true, 'yeah,no,maybe', 'yeah');
    eq('yesno', false, 'yeah,no,maybe', 'no');
    eq('yesno', null, 'yeah,no,maybe', 'maybe');
    eq('yesno', null, 'yeah,no', 'no');
    eq('yesno', true, undefined, 'yes');
    eq('yesno', 'x', 'certainly', 'x');
  });

  test('pluralize', () => {
    eq('pluralize', 1, undefined, '');
    eq('pluralize', 2, undefined, 's');
    eq('pluralize', 0, 'es', 'es');
    eq('pluralize', 1, 'y,ies', 'y');
    eq('pluralize', 2, 'y,ies', 'ies');
    eq('pluralize', [1], undefined, '');
    eq('pluralize', [1, 2], undefined, 's');
    eq('pluralize', '1', undefined, '');
    eq('pluralize', 2, 'y,ies,error', '');
    eq('pluralize', 'x', undefined, '');
  });

  test('phone2numeric', () => eq('phone2numeric', '0800 flowers', undefined, '0800 3569377'));

  test('json_script', () => {
    assert.deepEqual(out('json_script', { hello: 'world', html: '</script>&' }, 'hello-data'), [
      '<script id="hello-data" type="application/json">{"hello": "world", "html": "\\u003C/script\\u003E\\u0026"}</script>',
      true,
    ]);
  });

  test('pprint', () => {
    eq('pprint', { b: 1, a: [1, 'x', null, true] }, undefined, "{'a': [1, 'x', None, True], 'b': 1}");
    const long = Array.from({ length: 30 }, (_, i) => i * 1000);
    assert.equal(String(apply('pprint', long)).split('\n').length, 30);
  });
});
