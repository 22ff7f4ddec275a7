// The battery of (filter, value, argument, autoescape) cases that filters.test.ts runs through
// Django 3.2's built-in filters and through tsgi's. Values are tagged with the Python type they
// stand for (filters_oracle.py decodes them for Django, decodeValue() for tsgi).

export type Tagged =
  | { t: 'none' }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: string }
  | { t: 'float'; v: string }
  | { t: 'decimal'; v: string }
  | { t: 'str'; v: string }
  | { t: 'safe'; v: string }
  | { t: 'list'; v: Tagged[] }
  | { t: 'dict'; v: Array<[Tagged, Tagged]>; js?: 'map' | 'object' }
  | { t: 'date'; v: string }
  | { t: 'time'; v: string }
  | { t: 'datetime'; v: string; tz?: string; js?: 'instant' | 'date' }
  | { t: 'timedelta'; days: number; seconds: number; us: number };

export interface Case {
  filter: string;
  value: Tagged;
  arg?: Tagged;
  autoescape: boolean;
  settings?: Record<string, unknown>;
  tz?: string;
}

export const N: Tagged = { t: 'none' };
export const B = (v: boolean): Tagged => ({ t: 'bool', v });
export const I = (v: number | bigint | string): Tagged => ({
  t: 'int',
  v: typeof v === 'number' ? BigInt(v).toString() : String(v),
});
export const F = (v: number | string): Tagged => {
  const text = String(v);
  if (Number.isInteger(Number(text))) throw new Error(`F(${text}): an integral float cannot be a JS value; use I()`);
  return { t: 'float', v: text === 'Infinity' ? 'inf' : text === '-Infinity' ? '-inf' : text === 'NaN' ? 'nan' : text };
};
export const DEC = (v: string): Tagged => ({ t: 'decimal', v });
export const S = (v: string): Tagged => ({ t: 'str', v });
export const SAFE = (v: string): Tagged => ({ t: 'safe', v });
export const L = (...v: Tagged[]): Tagged => ({ t: 'list', v });
export const DICT = (entries: Record<string, Tagged>, js: 'map' | 'object' = 'object'): Tagged => ({
  t: 'dict',
  v: Object.entries(entries).map(([k, x]) => [S(k), x]),
  js,
});
export const DATE = (v: string): Tagged => ({ t: 'date', v });
export const TIME = (v: string): Tagged => ({ t: 'time', v });
export const DT = (v: string, tz?: string, js?: 'instant' | 'date'): Tagged =>
  tz === undefined ? { t: 'datetime', v } : { t: 'datetime', v, tz, ...(js ? { js } : {}) };
export const TD = (days: number, seconds = 0, us = 0): Tagged => ({ t: 'timedelta', days, seconds, us });

const cases: Case[] = [];

/** Adds a case for each autoescape setting (both for filters that take it). */
function c(filter: string, value: Tagged, arg?: Tagged, extra: Partial<Case> = {}): void {
  for (const autoescape of [true, false]) {
    cases.push({ filter, value, ...(arg === undefined ? {} : { arg }), autoescape, ...extra });
  }
}

/** Every value in `values` through `filter`, with each argument of `args` (undefined: none). */
function grid(filter: string, values: Tagged[], args: Array<Tagged | undefined> = [undefined], extra?: Partial<Case>) {
  for (const value of values) for (const arg of args) c(filter, value, arg, extra);
}

const TEXTS = [
  S(''),
  S('a'),
  S('hello world'),
  S('Joel is a slug'),
  S('<b>bold</b> & "quotes" \'single\''),
  S('  spaced   out  '),
  S('ünïcödé straße ǆ'),
  S('😀 emoji 𝒳 text'),
  S('line1\nline2\r\nline3\rline4\n\npara2\n\n\npara3'),
  S('tab\tseparated\ttext'),
  S("it's o'neil 1st 2nd 3rd"),
  S('ÀÉÎÕÜ ß ﬁ İ Σσς'),
  SAFE('<i>safe</i> & sound'),
  SAFE(''),
];
const NUMBERS = [
  I(0),
  I(1),
  I(2),
  I(-1),
  I(12345),
  I(-1234567),
  I('9007199254740993'),
  F(0.5),
  F(1.5),
  F(-2.5),
  F(34.23234),
  F(34.26),
  F(-0.001),
  F(1e-7),
  F(2.675),
  F(1234.5678),
  F(6666.6666),
  F(0.1),
  F('inf'),
  F('-inf'),
  F('nan'),
  DEC('34.2350'),
  DEC('-0.5'),
  DEC('1E+3'),
  DEC('0.00'),
];
const MISC = [N, B(true), B(false), L(), L(I(1), I(2), I(3)), L(S('a'), S('b')), DICT({}), DICT({ a: I(1) })];

// -- strings -----------------------------------------------------------------------------------
for (const name of ['addslashes', 'capfirst', 'escapejs', 'iriencode', 'lower', 'upper', 'make_list', 'slugify']) {
  grid(name, [...TEXTS, I(123), F(1.5), N, L(S('x'))]);
}
grid('title', [...TEXTS, S("joel's 1st BOOK"), S('the 2nd ROUND of 3RD'), S("don'T STOP"), S('a-b_c.d'), S('x1y2z')]);
grid('linenumbers', [...TEXTS, S(Array.from({ length: 12 }, (_, i) => `line <${i}>`).join('\n')), SAFE('a\n<b>\nc')]);
grid(
  'json_script',
  [S('<script>&</script>'), DICT({ a: L(I(1), S('é')), b: N, c: F(1.5) }), L(B(true), B(false)), I(5)],
  [S('data'), S('id"<x>')],
);
grid(
  'json_script',
  [
    DICT({
      d: DATE('2020-01-02'),
      dt: DT('2020-01-02T03:04:05.123456'),
      aware: DT('2020-01-02T03:04:05.000789', 'UTC'),
      chi: DT('2020-07-01T12:00:00', 'America/Chicago'),
      t: TIME('03:04:05.123456'),
      td: TD(1, 3723, 5),
      neg: TD(-1, 5),
      dec: DEC('1.50'),
    }),
  ],
  [S('dates')],
);
grid(
  'stringformat',
  [I(42), I(-42), F(3.14159), F(0.125), S('hello'), N, B(true), L(I(1), S('a')), DEC('1.25'), F('inf')],
  [
    S('s'),
    S('d'),
    S('i'),
    S('5d'),
    S('-5d'),
    S('05d'),
    S('+d'),
    S('x'),
    S('#X'),
    S('o'),
    S('.2f'),
    S('10.3f'),
    S('e'),
    S('.3E'),
    S('g'),
    S('G'),
    S('r'),
    S('.3s'),
    S('c'),
    S(''),
    S('5'),
    S('s %s'),
    S('%'),
    S('z'),
    I(5),
  ],
);
grid('stringformat', [DICT({ a: I(1), b: S('x') })], [S('(a)s'), S('(b)5s'), S('s'), S('%')]);
grid('stringformat', [I(65), S('x'), S('xy')], [S('c')]);
for (const name of ['truncatechars', 'truncatewords', 'truncatechars_html', 'truncatewords_html']) {
  grid(
    name,
    [
      S('Joel is a slug'),
      S('The quick brown fox jumped over the lazy dog'),
      S('short'),
      S('ünïcödé and e\u0301 combining'),
      S('<p>one <a href="#">two - three <br>four</a> five</p>'),
      S('<p>Hello <b>world</b><br/> and <i>more words here</i></p>'),
      S('<<<< not tags >>>> x y'),
      SAFE('<b>safe text here</b>'),
      S('  lots   of\n\n whitespace  '),
      I(12345678),
    ],
    [I(0), I(1), I(3), I(5), I(10), I(100), I(-1), S('3'), S('abc')],
  );
}
grid(
  'urlencode',
  [S('https://www.example.org/foo?a=b&c=d'), S('a b/c?d=é&f'), S("!*'();:@&=+$,/?#[]~"), I(1)],
  [undefined, S(''), S('/'), S(':/?')],
);
grid('urlize', [
  S('Visit www.djangoproject.com or http://example.com/path?x=1&y=2.'),
  S('Email me at foo@example.com, or foo@bar'),
  S('(see https://example.com/a_(b)) and [http://x.org/]!'),
  S('<script>alert("x")</script> www.evil.com'),
  S('djangoproject.com and example.net/page and not_a.link'),
  S('https://例え.jp/パス and http://bücher.de'),
  S('http://example.com/&lt;tag&gt; and trailing http://example.com/;'),
  S('http://example.com/%20already%20quoted?q=a+b'),
  SAFE('already <b>safe</b> http://example.com'),
  S('mailto:nobody and user@sub.example.co.uk.'),
  S('www.example.com:8080/path and https://[::1]/ and http://[bad/'),
  S('quoted \'http://example.com\' and "www.example.org"'),
]);
grid(
  'urlizetrunc',
  [S('Visit http://www.djangoproject.com/download/ now'), S('short http://x.co')],
  [I(5), I(15), I(1), I(0)],
);
grid('wordcount', [...TEXTS, S('one\u00a0two\u2003three\x1cfour')]);
grid(
  'wordwrap',
  [
    S('Joel is a slug'),
    S("this is a long paragraph of text that really needs to be wrapped I'm afraid"),
    S('this is a short paragraph of text.\n  But this line should be indented'),
    S('line with\ttabs\tinside and supercalifragilisticexpialidocious words'),
    S('  leading and trailing  '),
  ],
  [I(5), I(14), I(1), I(80)],
);
for (const name of ['ljust', 'rjust', 'center']) {
  grid(name, [S('django'), S('ab'), S('abc'), S('😀x'), SAFE('<b>'), I(7)], [I(0), I(5), I(10), I(11), S('8')]);
}
grid('cut', [S('a string to be mangled'), SAFE('&lt;safe&gt; text;'), S('a;b;c')], [S(' '), S('a'), S(';'), S('')]);

// -- HTML --------------------------------------------------------------------------------------
for (const name of ['escape', 'force_escape', 'linebreaks', 'linebreaksbr', 'safe', 'striptags']) {
  grid(name, [...TEXTS, I(5), N]);
}
grid('striptags', [
  S('<p>Hello <b>world</b>!</p>'),
  S('<adf>a<asdf>b</adf>c<!-- comment -->d<![CDATA[x]]>e<?pi?>f<!DOCTYPE html>g'),
  S('a < b and c > d'),
  S('<script>alert(1)</script>after'),
  S('<script>never closed'),
  S('&amp; &lt; &#39; &#x27; &nbsp &copy text&'),
  S('<<b>b>nested</b>'),
  S('<p class="a" data-x=\'y\' checked>attrs</p><br/><img src=x />'),
  S('</p>stray</p>end</ >x</3>y'),
  S('<a href="x">unterminated <b'),
  S('x&a'),
  S('x&#39'),
  S('<style>p{}</style><STYLE>q</STYLE>visible'),
  S('<3 is love > hate'),
  S('<![if !IE]>ie<![endif]>'),
]);
grid('safeseq', [L(S('<a>'), SAFE('<b>'), I(1), N), S('ab'), L()]);

// -- lists -------------------------------------------------------------------------------------
const PEOPLE = L(
  DICT({ name: S('Zed'), age: I(19), born: DATE('2004-01-01') }),
  DICT({ name: S('amy'), age: I(22), born: DATE('2001-06-15') }),
  DICT({ name: S('Bob'), age: I(19), born: DATE('2003-03-03') }),
);
const NESTED = L(DICT({ info: DICT({ rank: I(2) }), id: S('b') }), DICT({ info: DICT({ rank: I(1) }), id: S('a') }));
for (const name of ['dictsort', 'dictsortreversed']) {
  grid(name, [PEOPLE], [S('name'), S('age'), S('born'), S('missing'), S('_private'), S('name._x'), S('0'), I(0)]);
  grid(name, [NESTED], [S('info.rank'), S('id'), S('info.missing')]);
  grid(name, [L(L(I(3), S('c')), L(I(1), S('a')), L(I(2), S('b')))], [I(0), I(1), S('0'), S('1')]);
  grid(name, [L(S('b'), S('a')), L(DICT({ a: I(1) }), DICT({ a: S('x') })), N, I(5), L()], [S('a'), I(0)]);
  grid(name, [L(DICT({ a: N }), DICT({ a: I(1) }))], [S('a')]);
}
for (const name of ['first', 'last', 'length', 'random']) {
  grid(name, [L(I(7)), L(S('<only>')), S('x'), SAFE('y')]);
}
for (const name of ['first', 'last', 'length']) {
  grid(name, [
    L(),
    L(I(1), I(2), I(3)),
    S(''),
    S('abc😀'),
    SAFE('<b>x</b>'),
    N,
    I(5),
    DICT({}),
    DICT({ a: I(1) }),
    L(N),
  ]);
}
grid(
  'join',
  [
    L(S('a'), S('b'), S('c')),
    L(S('<a>'), SAFE('<b>')),
    L(I(1), I(2)),
    S('abc'),
    L(),
    N,
    I(5),
    DICT({ x: I(1), y: I(2) }),
  ],
  [S(', '), S('<br>'), SAFE('<br>'), S('')],
);
grid('length_is', [L(I(1), I(2)), S('abcd'), N, I(5)], [I(2), I(4), S('2'), S('x'), N]);
grid(
  'slice',
  [L(I(1), I(2), I(3), I(4), I(5)), S('abcdef😀g'), SAFE('<b>abc</b>'), N, I(5), DICT({ a: I(1) })],
  [S(':2'), S('1:'), S('1:3'), S('-2:'), S('::2'), S('::-1'), S('2'), S('a:b'), S('1:2:0'), S('1:2:3:4'), I(2), S('')],
);
grid('unordered_list', [
  L(S('States'), L(S('Kansas'), L(S('Lawrence'), S('Topeka')), S('Illinois'))),
  L(S('<a>'), SAFE('<b>'), L()),
  L(S('item 1'), S('item 2')),
  L(L(S('starts with list'))),
  L(),
  S('ab'),
  L(I(1), L(I(2), L(I(3), L(I(4)))), I(5)),
]);

// -- integers ----------------------------------------------------------------------------------
grid(
  'add',
  [I(4), S('4'), S(' 4 '), S('4.5'), F(4.7), I('9007199254740993'), S('abc'), N, L(I(1)), B(true), F('nan')],
  [I(6), S('6'), S('x'), F(1.5), L(I(2)), N],
);
grid('add', [SAFE('<a>'), S('a')], [SAFE('<b>'), S('b')]);
grid('add', [DATE('2020-02-28'), DT('2020-02-28T12:00:00')], [TD(1, 3600), TD(-1)]);
grid(
  'get_digit',
  [I(123456789), S('123'), I(-123), S('abc'), F(12.5), I(0)],
  [I(1), I(2), I(9), I(10), I(0), S('x'), S('3')],
);

// -- dates -------------------------------------------------------------------------------------
const ALL_CHARS = 'a A b c d D e E f F g G h H i I j l L m M n N o O P r s S t T U u w W y Y z Z';
const DATES = [
  DATE('2003-10-07'),
  DATE('2008-02-29'),
  DATE('2021-01-03'),
  DATE('1999-12-31'),
  DT('2003-10-07T11:39:05.000123'),
  DT('2020-12-31T00:00:00'),
  DT('2020-07-01T12:00:00'),
  DT('2021-01-01T23:59:59.999999'),
  DT('2020-07-01T12:34:56.789012', 'UTC'),
  DT('2020-01-15T08:05:00', 'America/Chicago'),
  DT('2020-07-15T08:05:00', 'America/Chicago'),
  DT('2020-07-01T12:00:00', 'Europe/Paris'),
  DT('2020-01-01T00:30:00', 'Asia/Kolkata'),
  DT('2020-07-01T12:00:00', 'America/Sao_Paulo'),
  DT('2020-07-01T12:00:00', '+05:30'),
  DT('2020-07-01T12:00:00', '-03:00'),
  DT('2021-03-04T05:06:07.123', 'UTC', 'date'),
  DT('2021-03-04T05:06:07.123456', 'UTC', 'instant'),
  TIME('13:05:07.000012'),
  TIME('00:00:00'),
  TIME('12:00:00'),
];
const FORMATS = [
  undefined,
  S(''),
  S('Y-m-d'),
  S('DATE_FORMAT'),
  S('DATETIME_FORMAT'),
  S('SHORT_DATE_FORMAT'),
  S('SHORT_DATETIME_FORMAT'),
  S('YEAR_MONTH_FORMAT'),
  S('MONTH_DAY_FORMAT'),
  S('TIME_FORMAT'),
  S(ALL_CHARS),
  S('jS F Y H:i'),
  S('\\Y\\m\\d Y \\\\Y x'),
  S('P f g:i a'),
  S('O T e Z I U'),
  S('c r'),
  S('H:i'),
  S('y n j'),
];
for (const name of ['date', 'time']) {
  grid(name, DATES, FORMATS);
  grid(name, [N, S(''), S('2020-01-01'), I(5), SAFE('')], [undefined, S('Y'), S('x')]);
}
for (const value of DATES.slice(0, 8)) {
  c('date', value, S(ALL_CHARS), { tz: 'Asia/Tokyo' });
  c('date', value, S(ALL_CHARS), { settings: { USE_TZ: false } });
  c('date', value, S('DATE_FORMAT'), { settings: { DATE_FORMAT: 'd/m/Y' } });
  c('date', value, S('DATE_FORMAT'), { settings: { USE_L10N: true, DATE_FORMAT: 'd/m/Y' } });
  c('date', value, S(ALL_CHARS), { settings: { TIME_ZONE: 'Europe/Paris' } });
}
for (const value of DATES.slice(8, 18)) {
  c('date', value, S(ALL_CHARS), { tz: 'Asia/Tokyo' });
  c('date', value, S(ALL_CHARS), { tz: 'Europe/London' });
  c('date', value, S(ALL_CHARS), { settings: { USE_TZ: false } });
  c('time', value, S(ALL_CHARS), { tz: 'Australia/Sydney' });
}
// DST: wall times that happen twice or never in Chicago.
for (const v of ['2020-11-01T01:30:00', '2020-03-08T02:30:00', '2020-11-01T00:59:59', '2020-03-08T03:00:00']) {
  for (const f of ['O', 'T', 'Z', 'I', 'U', 'e', 'c', 'r', 'P'])
    c('date', DT(v), S(f), { settings: { USE_TZ: false } });
}

const SINCE = [
  [DT('2020-01-01T00:00:00'), DT('2020-01-01T00:00:59')],
  [DT('2020-01-01T00:00:00'), DT('2020-01-01T00:01:00')],
  [DT('2020-01-01T00:00:00'), DT('2020-01-01T01:01:00')],
  [DT('2020-01-01T00:00:00'), DT('2020-01-08T01:00:00')],
  [DT('2020-01-01T00:00:00'), DT('2020-02-15T10:00:00')],
  [DT('2019-01-01T00:00:00'), DT('2021-03-01T00:00:00')],
  [DT('2020-02-28T00:00:00'), DT('2021-02-28T00:00:00')],
  [DT('2020-03-01T00:00:00'), DT('2024-03-01T00:00:00')],
  [DATE('2020-01-01'), DATE('2020-01-02')],
  [DATE('2020-01-01'), DT('2020-01-02T12:00:00')],
  [DT('2020-01-02T00:00:00'), DT('2020-01-01T00:00:00')],
  [DT('2020-01-01T00:00:00', 'UTC'), DT('2020-01-01T06:30:00', 'America/Chicago')],
  [DT('2020-01-01T00:00:00', 'UTC'), DT('2020-01-01T06:30:00')],
  [DT('2020-01-01T00:00:00', 'UTC', 'date'), DT('2021-06-01T00:00:00', 'UTC', 'instant')],
] as const;
for (const [a, b] of SINCE) {
  c('timesince', a, b);
  c('timeuntil', b, a);
  c('timeuntil', a, b);
}
grid('timesince', [N, S(''), I(0)], [DATE('2020-01-01')]);

// -- logic -------------------------------------------------------------------------------------
grid('default', [...MISC, S(''), I(0), F(0.5), DEC('0.00'), S('x'), SAFE(''), TD(0)], [S('fallback'), SAFE('<b>')]);
grid('default_if_none', [N, S(''), I(0), B(false)], [S('fallback')]);
grid('divisibleby', [I(21), I(20), S('21'), I(-9), F(21.5), B(true)], [I(3), S('7'), I(-3), I(1)]);
grid(
  'yesno',
  [B(true), B(false), N, I(0), I(1), S(''), S('x'), L()],
  [undefined, S('yeah,no,maybe'), S('yeah,no'), S('certainly'), S('a,b,c,d'), S(',,')],
);

// -- misc --------------------------------------------------------------------------------------
grid('filesizeformat', [
  I(0),
  I(1),
  I(1023),
  I(1024),
  I(10 * 1024),
  I(1024 * 1024 - 1),
  I(1024 * 1024 * 50),
  I(1024 ** 3),
  I(1024 ** 4),
  I(1024 ** 5),
  I(2 ** 70),
  I(-100),
  I(-1024 * 1024),
  F(1536.7),
  S('2048'),
  S('x'),
  N,
  L(),
  I(1536),
  I(1126),
  I(1177),
]);
grid(
  'pluralize',
  [I(0), I(1), I(2), S('1'), S('x'), F(1.0000001), DEC('1.0'), L(), L(I(1)), L(I(1), I(2)), N, DICT({ a: I(1) })],
  [undefined, S('es'), S('y,ies'), S('a,b,c'), S('')],
);
grid('phone2numeric', [S('0800 flowers'), S('1-800-COLLECT'), SAFE('<b>abc</b>'), S('+1 (555) JKL-PQRS')]);
grid('pprint', [
  N,
  S('text'),
  L(I(1), S('a'), N, B(true), F(1.5)),
  DICT({ b: I(2), a: I(1) }),
  DICT({ z: L(I(1), I(2)), a: DICT({ y: S('x'), b: N }) }, 'map'),
  L(...Array.from({ length: 30 }, (_, i) => I(i * 1000))),
  DICT(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`key${i}`, S('v'.repeat(i * 3))]))),
  S('word '.repeat(40)),
  S('line one\nline two\n'.repeat(6)),
  L(S('x'.repeat(100)), S('y')),
  DATE('2020-01-02'),
  DT('2020-01-02T03:04:05'),
  TIME('03:04:00'),
  TD(2, 5),
  DEC('1.50'),
]);

// -- floatformat -------------------------------------------------------------------------------
grid(
  'floatformat',
  [
    ...NUMBERS,
    S('34.23234'),
    S('abc'),
    S(''),
    S(' 7.55 '),
    S('1e5'),
    N,
    B(true),
    L(),
    DEC('1234567.891'),
    DEC('0.0005'),
    F(13.1031),
    F(11.1197),
    F(0.07),
    F(1.015),
    F(1.005),
    F(-1.5),
    F(-0.5),
    F(9.995),
    I(100000),
    S('-0.0'),
  ],
  [
    undefined,
    I(0),
    I(1),
    I(2),
    I(3),
    I(-1),
    I(-2),
    I(-3),
    S('2'),
    S('-2'),
    S('g'),
    S('2g'),
    S('-3g'),
    S('2u'),
    S('abc'),
    S('0g'),
    S('1.5'),
  ],
);
grid('floatformat', [F(6666.6666), I(10000), I(-1234567)], [S('2g'), S('g'), S('-2g')], {
  settings: { USE_L10N: true },
});
grid('floatformat', [F(6666.6666), I(10000)], [S('2g'), S('g'), I(2)], {
  settings: { USE_L10N: false, NUMBER_GROUPING: 3, THOUSAND_SEPARATOR: '.', DECIMAL_SEPARATOR: ',' },
});
grid('floatformat', [F(6666.6666), I(10000)], [I(2)], {
  settings: { USE_L10N: true, USE_THOUSAND_SEPARATOR: true },
});
grid('filesizeformat', [I(1024 * 1536), I(2 ** 70)], [undefined], { settings: { DECIMAL_SEPARATOR: ',' } });

// -- generated cases (a fixed seed: the same battery every run) -------------------------------
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(1234);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

/** A decimal literal: up to 9 integer digits, up to 6 decimals, often ending in 5 (ties). */
function decimalText(): string {
  const whole = String(int(0, 10 ** int(0, 9)));
  const decimals = int(0, 6);
  let frac = Array.from({ length: decimals }, () => String(int(0, 9))).join('');
  if (decimals && rand() < 0.4) frac = frac.slice(0, -1) + '5';
  return `${rand() < 0.3 ? '-' : ''}${whole}${decimals ? `.${frac}` : ''}`;
}

const generated: Case[] = [];
function g(filter: string, value: Tagged, arg?: Tagged, extra: Partial<Case> = {}): void {
  generated.push({ filter, value, ...(arg === undefined ? {} : { arg }), autoescape: rand() < 0.7, ...extra });
}

for (let i = 0; i < 500; i++) {
  const text = decimalText();
  const asNumber = Number(text);
  const value = pick(['num', 'str', 'dec'] as const);
  const tagged =
    value === 'str' ? S(text) : value === 'dec' ? DEC(text) : Number.isInteger(asNumber) ? I(text) : F(asNumber);
  const p = int(-5, 5);
  g('floatformat', tagged, pick([I(p), S(String(p)), S(`${p}g`), S('g'), undefined] as const));
}
const CONVERSIONS = 'diuxXoeEfFgGsrc';
for (let i = 0; i < 500; i++) {
  const conversion = pick([...CONVERSIONS]);
  const flags = [...'-+ #0'].filter(() => rand() < 0.25).join('');
  const width = rand() < 0.5 ? String(int(1, 14)) : '';
  const precision = rand() < 0.5 ? `.${int(0, 9)}` : '';
  const text = decimalText();
  const n = Number(text);
  const value =
    conversion === 'c'
      ? pick([I(int(32, 0x2fff)), S('x')])
      : pick([
          Number.isInteger(n) ? I(text) : F(n),
          I(int(-100000, 100000)),
          F(pick([1.5e-7, 123456789.125, -0.0001, 4503599627370495.5, 1e-300])),
        ]);
  g('stringformat', value, S(`${flags}${width}${precision}${conversion}`));
}

const TOKENS = [
  '<',
  '>',
  '&',
  ';',
  '#',
  'a',
  'b',
  ' ',
  '  ',
  '\n',
  '"',
  "'",
  '/',
  '!',
  '-',
  '=',
  '<b>',
  '</b>',
  '<p class="x">',
  '</p>',
  '<!--',
  '-->',
  '&amp;',
  '&#39;',
  '&lt',
  '&#x27',
  'http://',
  'https://',
  'www.',
  '.com',
  '.org',
  '@',
  'example',
  'é',
  '😀',
  '(',
  ')',
  '[',
  ']',
  '.',
  ',',
  ':',
  'script',
  '<script>',
  '</script>',
  '<br/>',
  '<br>',
  '\t',
  'word',
  'Word',
  'WORD',
  "'s",
  '1st',
  '2',
  '<a href="x">',
  '</a>',
  '<img src=x/>',
  '\r\n',
  '\u00a0',
  'ﬁ',
  'ß',
] as const;
const randomText = (max = 12) => Array.from({ length: int(1, max) }, () => pick(TOKENS)).join('');

for (let i = 0; i < 150; i++) {
  const text = randomText(16);
  for (const name of [
    'striptags',
    'urlize',
    'escapejs',
    'title',
    'slugify',
    'linebreaks',
    'linebreaksbr',
    'capfirst',
  ]) {
    g(name, rand() < 0.15 ? SAFE(text) : S(text));
  }
  g('truncatechars_html', S(text), I(int(0, 12)));
  g('truncatewords_html', S(text), I(int(0, 6)));
  g('truncatechars', S(text), I(int(0, 12)));
  g('truncatewords', S(text), I(int(0, 6)));
  g('wordwrap', S(text), I(int(1, 12)));
  g('urlizetrunc', S(text), I(int(1, 20)));
  g('wordcount', S(text));
  g('urlencode', S(text), pick([undefined, S(''), S('/&=')]));
  g('iriencode', S(text));
  g('center', S(text), I(int(0, 30)));
}

const ZONES = [
  'UTC',
  'America/Chicago',
  'Europe/Paris',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'America/St_Johns',
  '+09:00',
];
for (let i = 0; i < 300; i++) {
  const year = int(1946, 2036);
  const iso =
    `${String(year).padStart(4, '0')}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}` +
    `T${String(int(0, 23)).padStart(2, '0')}:${String(pick([0, 0, 30, int(0, 59)])).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}` +
    (rand() < 0.5 ? `.${String(int(0, 999999)).padStart(6, '0')}` : '');
  const kind = pick(['naive', 'aware', 'date'] as const);
  const zone = pick(ZONES);
  const value = kind === 'date' ? DATE(iso.slice(0, 10)) : kind === 'naive' ? DT(iso) : DT(iso, zone);
  const dateChars = kind === 'date' ? 'b d D E F j l L m M n N o S t U w W y Y z' : ALL_CHARS;
  g(
    'date',
    value,
    S(dateChars),
    rand() < 0.3 ? { tz: pick(ZONES) } : rand() < 0.2 ? { settings: { USE_TZ: false } } : {},
  );
  if (kind !== 'date') g('time', value, S('a A e f g G h H i O P s T u Z'), rand() < 0.3 ? { tz: pick(ZONES) } : {});
}
for (let i = 0; i < 200; i++) {
  const start = Date.UTC(int(1990, 2030), int(0, 11), int(1, 28), int(0, 23), int(0, 59), int(0, 59));
  const end = start + Math.floor(rand() ** 3 * 4e11) * (rand() < 0.1 ? -1 : 1);
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const aware = rand() < 0.5;
  const a = aware ? DT(iso(start), 'UTC') : DT(iso(start));
  const b = aware ? DT(iso(end), pick(['UTC', 'Europe/Paris'])) : DT(iso(end));
  g(pick(['timesince', 'timeuntil']), a, b);
}
for (let i = 0; i < 150; i++) {
  const bytes = BigInt(Math.floor(rand() * 10 ** int(0, 18))) * (rand() < 0.1 ? -1n : 1n);
  g('filesizeformat', I(bytes));
}

export const CASES: readonly Case[] = [...cases, ...generated];
