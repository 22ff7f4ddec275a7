// reverse(): Django's documented rules, table-driven, and the round trip
// resolve(reverse(name, args)) for every named pattern.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  path,
  rePath,
  include,
  resolve,
  reverse,
  reverseLazy,
  registerConverter,
  NoReverseMatch,
  setScriptPrefix,
  getScriptPrefix,
} from '../../src/urls/index.ts';
import type { ReverseOptions, UrlEntry } from '../../src/urls/index.ts';

function v(name: string) {
  const f = () => name;
  Object.defineProperty(f, 'name', { value: name });
  return f;
}
const view = v('view');
const other = v('other');
const unnamed = v('unnamedView');

registerConverter('upper', {
  regex: '[A-Z]+',
  toPython: (value: string) => value.toLowerCase(),
  toUrl(value: string) {
    if (value === 'refuse') throw new Error('refused');
    return value.toUpperCase();
  },
});

const app: UrlEntry[] = [path('', view, { name: 'index' }), path('<int:pk>/', view, { name: 'detail' })];
const nestedApp = { appName: 'nested', urlpatterns: [path('<slug:s>/', view, { name: 'leaf' })] };
const withNested = { appName: 'outer', urlpatterns: [path('in/<int:n>/', include(nestedApp))] };

const urlpatterns: UrlEntry[] = [
  path('articles/<int:year>/', view, { name: 'year' }),
  path('articles/<int:year>/<int:month>/<slug:slug>/', view, { name: 'detail' }),
  path('text/<str:s>/', view, { name: 'text' }),
  path('any/<path:p>', view, { name: 'any' }),
  path('uuid/<uuid:u>/', view, { name: 'uuid' }),
  path('upper/<upper:w>/', view, { name: 'upper' }),
  path('static/', view, { name: 'static' }),
  path('defaults/', view, { name: 'defaults', kwargs: { page: 1 } }),
  path('defaults/<int:page>/', view, { name: 'defaults' }),
  // A parameter that is also an extra kwarg: the extra value is what the view gets.
  path('extra/<int:year>/', view, { name: 'extra', kwargs: { year: 1999 } }),
  // Two patterns with one name: reverse() prefers the LAST one that fits (Django's docs).
  path('dup/first/', view, { name: 'dup' }),
  path('dup/second/', view, { name: 'dup' }),
  rePath('^re/(?P<year>[0-9]{4})/$', view, { name: 're-year' }),
  rePath('^re-opt/(?P<a>[0-9]+)/(?:(?P<b>[0-9]+)/)?$', view, { name: 're-optional' }),
  rePath('^re-pos/([0-9]+)/([a-z]+)/$', view, { name: 're-pos' }),
  rePath('^re-alt/a|b/$', view, { name: 're-alt' }),
  rePath(String.raw`^re-esc/\d+\.html$`, view, { name: 're-escape' }),
  path('inc/<int:outer>/', include([path('x/<int:inner>/', view, { name: 'included' })])),
  path('first/', include([app, 'app'], { namespace: 'first' })),
  path('app/', include([app, 'app'])),
  path('second/', include([app, 'app'], { namespace: 'second' })),
  path('third/', include([app, 'other-app'], { namespace: 'third' })),
  path('deep/', include(withNested)),
  path('café/<str:x>/', view, { name: 'cafe' }),
  path('fn/', other),
  path('unnamed/', unnamed),
];
const urlconf = { urlpatterns };
const r = (name: string, options: ReverseOptions = {}) => reverse(name, { urlconf, ...options });

interface Case {
  name: string;
  options?: ReverseOptions;
  url: string;
}
const cases: Case[] = [
  { name: 'year', options: { kwargs: { year: 2024 } }, url: '/articles/2024/' },
  { name: 'year', options: { args: [2024] }, url: '/articles/2024/' },
  { name: 'year', options: { args: ['2024'] }, url: '/articles/2024/' },
  { name: 'year', options: { args: [9007199254740991] }, url: '/articles/9007199254740991/' },
  { name: 'detail', options: { kwargs: { year: 2003, month: 3, slug: 'a-b' } }, url: '/articles/2003/3/a-b/' },
  // Percent-encoding keeps RFC 3986 sub-delimiters and /~:@; the rest is UTF-8 %XX.
  { name: 'text', options: { args: ['a b'] }, url: '/text/a%20b/' },
  { name: 'text', options: { args: ['é'] }, url: '/text/%C3%A9/' },
  { name: 'text', options: { args: ["!$&'()*+,;=:@~"] }, url: "/text/!$&'()*+,;=:@~/" },
  { name: 'text', options: { args: ['%?#'] }, url: '/text/%25%3F%23/' },
  { name: 'any', options: { args: ['a/b c'] }, url: '/any/a/b%20c' },
  { name: 'year', options: { args: [9007199254740993n] }, url: '/articles/9007199254740993/' },
  { name: 'extra', options: { kwargs: { year: 1999 } }, url: '/extra/1999/' },
  { name: 'extra', options: { kwargs: { year: 1999n } }, url: '/extra/1999/' },
  // Not Django (KeyError there): the parameter is filled from the extra kwargs (docs/urls.md).
  { name: 'extra', options: {}, url: '/extra/1999/' },
  // As Django: positional args are not checked against extra kwargs.
  { name: 'extra', options: { args: [2015] }, url: '/extra/2015/' },
  { name: 'year', options: { args: ['1234567890123456789012'] }, url: '/articles/1234567890123456789012/' },
  { name: 'upper', options: { args: ['abc'] }, url: '/upper/ABC/' },
  { name: 'static', url: '/static/' },
  // Extra kwargs: omitted or equal to the pattern's value.
  { name: 'defaults', url: '/defaults/' },
  // The last-declared pattern is tried first, and it takes page=1 as its parameter.
  { name: 'defaults', options: { kwargs: { page: 1 } }, url: '/defaults/1/' },
  { name: 'defaults', options: { kwargs: { page: 2 } }, url: '/defaults/2/' },
  { name: 'dup', url: '/dup/second/' },
  { name: 're-year', options: { kwargs: { year: '1999' } }, url: '/re/1999/' },
  { name: 're-year', options: { args: [1999] }, url: '/re/1999/' },
  { name: 're-optional', options: { kwargs: { a: 1 } }, url: '/re-opt/1/' },
  { name: 're-optional', options: { kwargs: { a: 1, b: 2 } }, url: '/re-opt/1/2/' },
  { name: 're-pos', options: { args: [1, 'x'] }, url: '/re-pos/1/x/' },
  { name: 're-escape', url: '/re-esc/0.html' },
  { name: 'included', options: { kwargs: { outer: 1, inner: 2 } }, url: '/inc/1/x/2/' },
  { name: 'included', options: { args: [1, 2] }, url: '/inc/1/x/2/' },
  { name: 'first:index', url: '/first/' },
  { name: 'second:detail', options: { args: [5] }, url: '/second/5/' },
  // The default instance of an app: the one whose instance namespace is the app name.
  { name: 'app:index', url: '/app/' },
  // currentApp picks the instance.
  { name: 'app:index', options: { currentApp: 'second' }, url: '/second/' },
  { name: 'app:index', options: { currentApp: 'nope' }, url: '/app/' },
  // With no default instance, the last deployed one.
  { name: 'other-app:index', url: '/third/' },
  { name: 'outer:nested:leaf', options: { kwargs: { n: 1, s: 'x' } }, url: '/deep/in/1/x/' },
  {
    name: 'year',
    options: { args: [1], query: { a: [1, 2], b: 'x y', c: "!'()*~" } },
    url: '/articles/1/?a=1&a=2&b=x+y&c=%21%27%28%29%2A~',
  },
  { name: 'year', options: { args: [1], query: new URLSearchParams('q=a b') }, url: '/articles/1/?q=a+b' },
  { name: 'year', options: { args: [1], query: {} }, url: '/articles/1/' },
  { name: 'year', options: { args: [1], fragment: 'top' }, url: '/articles/1/#top' },
];

describe('reverse()', () => {
  after(() => setScriptPrefix('/'));
  for (const c of cases) {
    test(`${c.name} ${JSON.stringify(c.options ?? {}, (_k, x) => (x instanceof URLSearchParams || typeof x === 'bigint' ? String(x) : x))} → ${c.url}`, () => {
      assert.equal(r(c.name, c.options), c.url);
    });
  }

  test('non-ASCII literal text is percent-encoded as UTF-8', () => {
    assert.equal(r('cafe', { args: ['crème'] }), '/caf%C3%A9/cr%C3%A8me/');
  });

  test('reverseLazy() reverses each time it is used as a string', () => {
    const lazy = reverseLazy('year', { urlconf, args: [5] });
    assert.equal(String(lazy), '/articles/5/');
    setScriptPrefix('/mounted/');
    try {
      assert.equal(String(lazy), '/mounted/articles/5/');
    } finally {
      setScriptPrefix('/');
    }
    assert.equal(`${lazy}`, '/articles/5/');
    assert.equal(JSON.stringify({ u: lazy }), '{"u":"/articles/5/"}');
    const broken = reverseLazy('nope', { urlconf });
    assert.throws(() => String(broken), NoReverseMatch);
  });

  test("a module included under two roots reverses with each root's prefix", () => {
    const sub = [path('x/', view, { name: 'x' })];
    const appModule = { appName: 'app', urlpatterns: [path('in/', include([sub, 's']))] };
    const rootA = [path('a/', include(appModule))];
    const rootB = [path('b/', include(appModule))];
    assert.equal(reverse('app:s:x', { urlconf: rootA }), '/a/in/x/');
    assert.equal(reverse('app:s:x', { urlconf: rootB }), '/b/in/x/');
  });

  test('reverses a view function', () => {
    assert.equal(reverse(other, { urlconf }), '/fn/');
    assert.equal(reverse(unnamed, { urlconf }), '/unnamed/');
  });

  test('puts the script prefix in front', () => {
    setScriptPrefix('/mount');
    try {
      assert.equal(getScriptPrefix(), '/mount/');
      assert.equal(r('year', { args: [1] }), '/mount/articles/1/');
    } finally {
      setScriptPrefix('/');
    }
  });

  test('never produces a scheme-relative URL', () => {
    const conf = [path('<path:p>/', view, { name: 'p' })];
    assert.equal(reverse('p', { urlconf: conf, args: ['/evil.example'] }), '/%2Fevil.example/');
  });

  const errors: Array<[string, ReverseOptions, string]> = [
    [
      'year',
      { kwargs: { year: 'x' } },
      "Reverse for 'year' with keyword arguments {'year': 'x'} not found. 1 pattern(s) tried: ['articles/<int:year>/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    [
      'year',
      { args: [-1] },
      "Reverse for 'year' with arguments [-1] not found. 1 pattern(s) tried: ['articles/<int:year>/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    // int refuses numbers it could not resolve back exactly.
    [
      'year',
      { args: [2 ** 60] },
      "Reverse for 'year' with arguments [1152921504606847000] not found. 1 pattern(s) tried: ['articles/<int:year>/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    [
      'year',
      { args: [1.5] },
      "Reverse for 'year' with arguments [1.5] not found. 1 pattern(s) tried: ['articles/<int:year>/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    [
      'year',
      {},
      "Reverse for 'year' with no arguments not found. 1 pattern(s) tried: ['articles/<int:year>/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    [
      'year',
      { kwargs: { year: 1, extra: 2 } },
      "Reverse for 'year' with keyword arguments {'year': 1, 'extra': 2} not found. 1 pattern(s) tried: ['articles/<int:year>/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    // toUrl throwing: that candidate cannot be reversed.
    [
      'upper',
      { args: ['refuse'] },
      "Reverse for 'upper' with arguments ['refuse'] not found. 1 pattern(s) tried: ['upper/<upper:w>/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    [
      'defaults',
      { kwargs: { page: 'x' } },
      "Reverse for 'defaults' with keyword arguments {'page': 'x'} not found. 2 pattern(s) tried: ['defaults/<int:page>/', 'defaults/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    // A regex with '|' cannot be reversed (as in Django).
    [
      're-alt',
      {},
      "Reverse for 're-alt' with no arguments not found. 1 pattern(s) tried: ['re-alt/a|b/$']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    // Every extra kwarg given must have its own value, a route parameter too (as Django): this
    // URL would resolve to year 1999.
    [
      'extra',
      { kwargs: { year: 2015 } },
      "Reverse for 'extra' with keyword arguments {'year': 2015} not found. 1 pattern(s) tried: ['extra/<int:year>/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    // uuid keeps the value as given (as Django): an upper-case UUID does not match its pattern.
    [
      'uuid',
      { args: ['12345678-1234-5678-1234-56781234567A'] },
      "Reverse for 'uuid' with arguments ['12345678-1234-5678-1234-56781234567A'] not found. 1 pattern(s) tried: ['uuid/<uuid:u>/']. Pass the arguments the pattern captures, with values its converters accept.",
    ],
    [
      'nope',
      {},
      "Reverse for 'nope' not found. 'nope' is not a valid view function or pattern name. Check the spelling, the namespace, and that a pattern has name='nope'.",
    ],
    [
      'missing:index',
      {},
      "'missing' is not a registered namespace. Check the name, or include() a URLconf with namespace 'missing' (or appName 'missing').",
    ],
    [
      'outer:missing:leaf',
      {},
      "'missing' is not a registered namespace inside 'outer'. Check the name, or include() the URLconf with namespace 'missing' there.",
    ],
    [
      'first:nope',
      {},
      "Reverse for 'first:nope' not found. 'first:nope' is not a valid view function or pattern name. Check the spelling, the namespace, and that a pattern has name='nope'.",
    ],
  ];
  for (const [name, options, message] of errors) {
    test(`NoReverseMatch: ${message.slice(0, 70)}`, () => {
      assert.throws(
        () => r(name, options),
        (e: Error) => {
          assert.ok(e instanceof NoReverseMatch);
          assert.equal(e.message, message);
          return true;
        },
      );
    });
  }

  test('mixing args and kwargs is an error', () => {
    assert.throws(() => r('year', { args: [1], kwargs: { year: 1 } }), {
      name: 'TypeError',
      message:
        "reverse() was given both args [1] and kwargs {'year': 1}. Pass one or the other: a pattern captures either positional or named arguments.",
    });
  });
});

describe('round trip: resolve(reverse(...)) gives back the view and the arguments', () => {
  // Valid arguments for every named pattern (kwargs form); the positional form is derived.
  const samples: Record<string, Array<Record<string, unknown>>> = {
    year: [{ year: 0 }, { year: 2024 }, { year: 9007199254740991 }, { year: 123456789012345678901234567890n }],
    extra: [{ year: 1999 }],
    detail: [{ year: 2003, month: 12, slug: 'a_b-c' }],
    text: [{ s: 'a b' }, { s: 'é€😀' }, { s: "!$&'()*+,;=:@~%?#" }],
    any: [{ p: 'a/b/c' }, { p: '//x' }],
    uuid: [{ u: '12345678-1234-5678-1234-567812345678' }],
    upper: [{ w: 'abc' }],
    static: [{}],
    defaults: [{}, { page: 7 }],
    dup: [{}],
    're-year': [{ year: '1999' }],
    're-optional': [{ a: '1' }, { a: '1', b: '2' }],
    're-escape': [{}],
    included: [{ outer: 1, inner: 2 }],
    'first:index': [{}],
    'app:index': [{}],
    'second:index': [{}],
    'third:detail': [{ pk: 6 }],
    'app:detail': [{ pk: 5 }],
    'first:detail': [{ pk: 3 }],
    'second:detail': [{ pk: 4 }],
    'third:index': [{}],
    cafe: [{ x: 'crème brûlée' }],
    'outer:nested:leaf': [{ n: 1, s: 'x' }],
  };

  function namedPatterns(entries: readonly UrlEntry[], prefix: string, out: Set<string>): Set<string> {
    for (const e of entries) {
      if ('callback' in e) {
        if (e.name) out.add(prefix + e.name);
      } else {
        const ns = e.namespace ? `${prefix}${e.namespace}:` : prefix;
        namedPatterns(e.urlPatterns, ns, out);
      }
    }
    return out;
  }

  test('every named pattern has samples', () => {
    const names = namedPatterns(urlpatterns, '', new Set());
    for (const name of names) {
      if (name === 're-pos' || name === 're-alt') continue; // positional / unreversible, below
      assert.ok(name in samples, `no round-trip samples for '${name}'`);
    }
  });

  for (const [name, list] of Object.entries(samples)) {
    for (const kwargs of list) {
      test(`${name} ${JSON.stringify(kwargs, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))}`, () => {
        const url = r(name, { kwargs });
        const decoded = decodeURIComponent(url);
        const match = resolve(decoded, urlconf);
        const expected = name === 'upper' ? { w: 'abc' } : kwargs;
        const extra = name === 'defaults' && !('page' in kwargs) ? { page: 1 } : {};
        assert.deepEqual(match.kwargs, { ...expected, ...extra });
        assert.equal(match.func, view);
        const short = name.split(':').pop();
        assert.equal(match.urlName, short);
        // The positional form gives the same URL.
        if (Object.keys(kwargs).length) assert.equal(r(name, { args: Object.values(kwargs) }), url);
      });
    }
  }

  test('re-pos round trip with positional args', () => {
    const match = resolve(decodeURIComponent(r('re-pos', { args: [12, 'ab'] })), urlconf);
    assert.deepEqual(match.args, ['12', 'ab']);
  });
});
