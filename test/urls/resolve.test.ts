// resolve(): Django's documented matching rules, table-driven, and the dispatch tree checked
// against Django's linear algorithm (URLResolver.resolveLinear) on every case.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  path,
  rePath,
  include,
  resolve,
  registerConverter,
  Resolver404,
  ResolverMatch,
  getResolver,
  isValidPath,
} from '../../src/urls/index.ts';
import type { UrlEntry, URLResolver } from '../../src/urls/index.ts';
import { Http404 } from '../../src/http/exceptions.ts';

function v(name: string) {
  const f = () => name;
  Object.defineProperty(f, 'name', { value: name });
  return f;
}
const empty = v('empty');
const year = v('year');
const special = v('special');
const month = v('month');
const detail = v('detail');
const regex = v('regex');
const positional = v('positional');
const inner = v('inner');
const fallback = v('fallback');

registerConverter('even', {
  regex: '[0-9]+',
  toPython(value: string) {
    const n = Number(value);
    if (n % 2) throw new Error(`${value} is odd`);
    return n;
  },
  toUrl: (value: number) => String(value),
});

const included: UrlEntry[] = [
  path('', inner, { name: 'inner-index' }),
  path('<int:pk>/', inner, { name: 'inner-pk', kwargs: { pk: 'extra-wins' } }),
  rePath('^re/(?P<x>[a-z]+)/$', inner, { name: 'inner-re' }),
  rePath('^pos/([0-9]+)/$', inner, { name: 'inner-pos' }),
];

const nestedInner = { appName: 'inner', urlpatterns: [path('leaf/<slug:s>/', inner, { name: 'leaf' })] };
const nestedOuter = { appName: 'outer', urlpatterns: [path('mid/', include(nestedInner))] };

const urlpatterns: UrlEntry[] = [
  path('articles/2003/', special, { name: 'special' }),
  path('articles/<int:year>/', year, { name: 'year' }),
  path('articles/<int:year>/<int:month>/', month, { name: 'month' }),
  path('articles/<int:year>/<int:month>/<slug:slug>/', detail, { name: 'detail' }),
  path('uuid/<uuid:id>/', empty, { name: 'uuid' }),
  path('files/<path:rest>', empty, { name: 'files' }),
  path('str/<name>/', empty, { name: 'str-default' }),
  path('even/<even:n>/', empty, { name: 'even' }),
  path('even/<int:n>/', fallback, { name: 'odd-fallback' }),
  path('big/<int:n>/', empty, { name: 'big' }),
  path('page-<int:n>/', empty, { name: 'page' }),
  path('extra/<int:x>/', empty, { name: 'extra', kwargs: { x: 'overridden', flag: true } }),
  rePath('^re/(?P<year>[0-9]{4})/$', regex, { name: 're-year' }),
  rePath('^opt/(?P<a>[0-9]+)/(?:(?P<b>[0-9]+)/)?$', regex, { name: 're-optional' }),
  rePath('^pos/([0-9]+)/([a-z]+)/$', positional, { name: 'pos' }),
  rePath('^mixed/(?P<named>[0-9]+)/([a-z]+)/$', regex, { name: 'mixed' }),
  rePath('^unanchored/$', regex, { name: 'unanchored' }),
  rePath('tail/', regex, { name: 'tail' }),
  path('inc/', include(included), { kwargs: { fromInclude: 1, pk: 'include-default' } }),
  rePath('^incre/(?P<lang>[a-z]{2})/', include(included)),
  rePath('^incpos/([0-9]+)/', include(included)),
  path('ns/', include([included, 'app'], { namespace: 'inst' })),
  path('nested/', include(nestedOuter)),
  path('about', empty, { name: 'about' }),
  path('', empty, { name: 'home' }),
  path('<slug:catchall>/', fallback, { name: 'catchall' }),
];
const urlconf = { urlpatterns };

interface Case {
  path: string;
  func?: unknown;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  urlName?: string;
  route?: string;
  namespaces?: string[];
  appNames?: string[];
  viewName?: string;
}

const cases: Case[] = [
  // First match in declaration order: the static route is declared first, so it wins.
  { path: '/articles/2003/', func: special, kwargs: {}, urlName: 'special', route: 'articles/2003/' },
  { path: '/articles/2004/', func: year, kwargs: { year: 2004 }, route: 'articles/<int:year>/' },
  { path: '/articles/0042/', func: year, kwargs: { year: 42 } },
  { path: '/articles/2003/03/', func: month, kwargs: { year: 2003, month: 3 } },
  {
    path: '/articles/2003/03/building-a-django-site/',
    func: detail,
    kwargs: { year: 2003, month: 3, slug: 'building-a-django-site' },
  },
  {
    path: '/uuid/12345678-1234-5678-1234-567812345678/',
    func: empty,
    kwargs: { id: '12345678-1234-5678-1234-567812345678' },
  },
  { path: '/files/a/b/c.txt', func: empty, kwargs: { rest: 'a/b/c.txt' } },
  { path: '/str/some thing/', func: empty, kwargs: { name: 'some thing' } },
  // A converter whose toPython throws makes the pattern not match: the next one is tried.
  { path: '/even/4/', func: empty, kwargs: { n: 4 }, urlName: 'even' },
  { path: '/even/3/', func: fallback, kwargs: { n: 3 }, urlName: 'odd-fallback' },
  { path: '/big/9007199254740991/', func: empty, kwargs: { n: 9007199254740991 } },
  // Beyond Number.MAX_SAFE_INTEGER `int` gives an exact bigint (Python's int has every digit).
  { path: '/big/9007199254740992/', func: empty, kwargs: { n: 9007199254740992n } },
  { path: '/big/1234567890123456789012/', func: empty, kwargs: { n: 1234567890123456789012n } },
  { path: '/big/00000000000000000000042/', func: empty, kwargs: { n: 42 } },
  { path: '/page-7/', func: empty, kwargs: { n: 7 }, route: 'page-<int:n>/' },
  // Extra kwargs win over captured ones.
  { path: '/extra/5/', func: empty, kwargs: { x: 'overridden', flag: true } },
  { path: '/re/2024/', func: regex, args: [], kwargs: { year: '2024' }, route: '^re/(?P<year>[0-9]{4})/$' },
  // A missing optional named group is left out.
  { path: '/opt/1/', func: regex, kwargs: { a: '1' } },
  { path: '/opt/1/2/', func: regex, kwargs: { a: '1', b: '2' } },
  // Unnamed groups are positional args only when there are no named groups.
  { path: '/pos/12/ab/', func: positional, args: ['12', 'ab'], kwargs: {} },
  { path: '/mixed/12/ab/', func: regex, args: [], kwargs: { named: '12' } },
  { path: '/unanchored/', func: regex },
  // A regex without '^' is searched anywhere (Django uses re.search; fullmatch for '$' endpoints).
  { path: '/xyz/tail/more', func: regex, urlName: 'tail' },
  { path: '/tail/', func: regex, urlName: 'tail' },
  // Includes: captured < include kwargs < the inner pattern's own extra kwargs.
  { path: '/inc/', func: inner, kwargs: { fromInclude: 1, pk: 'include-default' }, route: 'inc/' },
  { path: '/inc/7/', func: inner, kwargs: { fromInclude: 1, pk: 'extra-wins' }, route: 'inc/<int:pk>/' },
  {
    path: '/inc/re/abc/',
    func: inner,
    kwargs: { fromInclude: 1, pk: 'include-default', x: 'abc' },
    route: 'inc/re/(?P<x>[a-z]+)/$',
  },
  {
    path: '/incre/en/re/abc/',
    func: inner,
    kwargs: { lang: 'en', x: 'abc' },
    route: '^incre/(?P<lang>[a-z]{2})/re/(?P<x>[a-z]+)/$',
  },
  // An include capturing unnamed groups adds them in front of the inner positional args.
  { path: '/incpos/5/pos/6/', func: inner, args: ['5', '6'], kwargs: {} },
  // Named groups in the include drop only the include's unnamed groups, as in Django.
  { path: '/incre/en/pos/6/', func: inner, args: ['6'], kwargs: { lang: 'en' } },
  { path: '/ns/3/', func: inner, namespaces: ['inst'], appNames: ['app'], viewName: 'inst:inner-pk' },
  {
    path: '/nested/mid/leaf/x-y/',
    func: inner,
    kwargs: { s: 'x-y' },
    namespaces: ['outer', 'inner'],
    appNames: ['outer', 'inner'],
    viewName: 'outer:inner:leaf',
    route: 'nested/mid/leaf/<slug:s>/',
  },
  { path: '/about', func: empty, urlName: 'about' },
  { path: '/', func: empty, urlName: 'home', route: '' },
  { path: '/anything/', func: fallback, kwargs: { catchall: 'anything' } },
  { path: '/ns/', func: inner, urlName: 'inner-index', namespaces: ['inst'] },
];

const resolver = () => getResolver(urlconf) as URLResolver;

describe('resolve()', () => {
  for (const c of cases) {
    test(`resolves ${JSON.stringify(c.path)}`, () => {
      const match = resolve(c.path, urlconf);
      assert.ok(match instanceof ResolverMatch);
      if (c.func) assert.equal(match.func, c.func);
      if (c.args) assert.deepEqual(match.args, c.args);
      if (c.kwargs) assert.deepEqual(match.kwargs, c.kwargs);
      if (c.urlName) assert.equal(match.urlName, c.urlName);
      if (c.route !== undefined) assert.equal(match.route, c.route);
      if (c.namespaces) assert.deepEqual(match.namespaces, c.namespaces);
      if (c.appNames) assert.deepEqual(match.appNames, c.appNames);
      if (c.viewName) assert.equal(match.viewName, c.viewName);
      // The dispatch tree and Django's one-by-one scan agree.
      const linear = resolver().resolveLinear(c.path).hit;
      assert.ok(linear);
      assert.equal(linear.func, match.func);
      assert.deepEqual(linear.kwargs, match.kwargs);
      assert.deepEqual(linear.args, match.args);
    });
  }

  const misses = [
    '/articles/x/y/z/',
    'no-leading-slash/',
    '/about/x/y',
    '/unanchored/x',
    '/uuid/12345678-1234-5678-1234-56781234567Z/x/',
    '/articles/2003/\n',
  ];
  for (const p of misses) {
    test(`raises Resolver404 for ${JSON.stringify(p)}`, () => {
      assert.throws(() => resolve(p, urlconf), Resolver404);
      assert.equal(resolver().resolveLinear(p).hit, null);
    });
  }

  test('Resolver404 is an Http404 with a message naming the path, and lists every pattern tried', () => {
    const error = (() => {
      try {
        resolve('/nope/x/', urlconf);
      } catch (e) {
        return e as Resolver404;
      }
      throw new Error('no error');
    })();
    assert.ok(error instanceof Http404);
    assert.equal(error.message, "The current path, 'nope/x/', didn't match any of the URL patterns.");
    assert.equal(error.path, 'nope/x/');
    const tried = error.tried as UrlEntry[][];
    // Every top-level pattern once, except the includes whose prefix did not match either.
    assert.equal(tried.length, urlpatterns.length);
    assert.deepEqual(
      tried.map((t) => t[0]),
      urlpatterns,
    );
  });

  test('Resolver404 for a path without the leading slash has no tried list', () => {
    assert.throws(
      () => resolve('articles/2003/', urlconf),
      (e: Resolver404) => {
        assert.equal(e.message, "The path 'articles/2003/' does not match the URLconf's root pattern '^/'.");
        assert.equal(e.tried, undefined);
        return true;
      },
    );
  });

  test('tried expands an include whose prefix matched into its patterns', () => {
    const error = (() => {
      try {
        resolve('/inc/zzz/', urlconf);
      } catch (e) {
        return e as Resolver404;
      }
      throw new Error('no error');
    })();
    const tried = error.tried as UrlEntry[][];
    const incIndex = urlpatterns.findIndex((p) => String(p.pattern) === 'inc/');
    const viaInclude = tried.filter((t) => t[0] === urlpatterns[incIndex]);
    assert.equal(viaInclude.length, included.length);
    assert.deepEqual(
      viaInclude.map((t) => t[1]),
      included,
    );
  });

  test('ResolverMatch.tried on success lists the patterns tried up to the match', () => {
    const match = resolve('/articles/2004/', urlconf);
    assert.deepEqual(match.tried, [[urlpatterns[0]], [urlpatterns[1]]]);
  });

  test('ResolverMatch exposes captured and extra kwargs separately', () => {
    const match = resolve('/extra/5/', urlconf);
    assert.deepEqual(match.capturedKwargs, { x: 5 });
    assert.deepEqual(match.extraKwargs, { x: 'overridden', flag: true });
    const inc = resolve('/inc/7/', urlconf);
    assert.deepEqual(inc.capturedKwargs, { pk: 7 });
    assert.deepEqual(inc.extraKwargs, { fromInclude: 1, pk: 'extra-wins' });
  });

  test('isValidPath() gives the match or false', () => {
    assert.equal((isValidPath('/about', urlconf) as ResolverMatch).urlName, 'about');
    assert.equal(isValidPath('/about/x/y', urlconf), false);
  });

  test('a ResolverMatch unpacks as [func, args, kwargs]', () => {
    const [func, args, kwargs] = resolve('/articles/2004/', urlconf);
    assert.equal(func, year);
    assert.deepEqual(args, []);
    assert.deepEqual(kwargs, { year: 2004 });
  });

  test('the same URLconf object gives the same cached resolver', () => {
    assert.equal(getResolver(urlconf), getResolver(urlconf));
    assert.notEqual(getResolver({ urlpatterns }), getResolver(urlconf));
  });

  test('patterns appended after the first resolve are found', () => {
    const conf: UrlEntry[] = [path('a/', empty, { name: 'a' })];
    assert.equal(resolve('/a/', conf).urlName, 'a');
    conf.push(path('b/', empty, { name: 'b' }));
    assert.equal(resolve('/b/', conf).urlName, 'b');
  });

  test('non-ASCII literal text matches the decoded path', () => {
    const conf = [path('café/<str:x>/', empty, { name: 'cafe' })];
    assert.deepEqual(resolve('/café/crème/', conf).kwargs, { x: 'crème' });
  });

  test('viewName falls back to the function name when the pattern has no name', () => {
    function unnamedView() {}
    const match = resolve('/x/', [path('x/', unnamedView)]);
    assert.equal(match.viewName, 'unnamedView');
    assert.equal(match.urlName, undefined);
  });

  test('callView passes positional args, or else one kwargs object', () => {
    const seen: unknown[][] = [];
    const record = (...a: unknown[]) => seen.push(a);
    const conf = [rePath('^p/([0-9]+)/([0-9]+)/$', record), path('k/<int:a>/', record)];
    resolve('/p/1/2/', conf).callView('REQ');
    resolve('/k/3/', conf).callView('REQ');
    assert.deepEqual(seen, [
      ['REQ', '1', '2'],
      ['REQ', { a: 3 }],
    ]);
  });

  test('the first pattern in declaration order wins among many that match', () => {
    const a = v('a');
    const b = v('b');
    const c = v('c');
    const conf = [path('x/<int:n>/', a), path('<str:s>/<int:n>/', b), path('x/1/', c), rePath('^x/', c)];
    assert.equal(resolve('/x/1/', conf).func, a);
    assert.equal(resolve('/y/1/', conf).func, b);
    const conf2 = [rePath('^x/', c), path('x/1/', a)];
    assert.equal(resolve('/x/1/', conf2).func, c);
    const conf3 = [path('<str:s>/', b), path('about/', a)];
    assert.equal(resolve('/about/', conf3).func, b);
  });

  test('the dispatch tree agrees with the linear scan on many generated paths', () => {
    const segments = [
      'articles',
      '2003',
      '2004',
      '03',
      'x-y',
      'inc',
      're',
      'abc',
      'incre',
      'en',
      'pos',
      '12',
      'ab',
      'ns',
      'nested',
      'mid',
      'leaf',
      'even',
      '3',
      '4',
      'about',
      'page-7',
      'tail',
      '',
    ];
    let count = 0;
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed >>> 8) % n;
    };
    const known = cases.map((c) => c.path);
    for (let i = 0; i < 3000; i++) {
      // A known path with 0-2 segments replaced, dropped or doubled.
      const parts = known[rand(known.length)].split('/');
      for (let m = rand(3); m > 0; m--) {
        const at = 1 + rand(Math.max(parts.length - 1, 1));
        const op = rand(3);
        if (op === 0) parts[at] = segments[rand(segments.length)];
        else if (op === 1) parts.splice(at, 1);
        else parts.splice(at, 0, parts[at] ?? '');
      }
      const p = parts.join('/');
      const fast = resolver().matchPath(p);
      const slow = resolver().resolveLinear(p).hit;
      assert.equal(fast?.func, slow?.func, p);
      assert.deepEqual(fast?.kwargs, slow?.kwargs, p);
      assert.deepEqual(fast?.args, slow?.args, p);
      if (fast) count++;
    }
    assert.ok(count > 20, `only ${count} generated paths matched`);
  });
});

describe('names, kwargs and tried through levels that capture nothing', () => {
  const leaf = v('leaf');
  const deep = [path('leaf/', leaf, { name: 'leaf' })];
  const plain = [path('plain/', include(deep)), rePath('^re-plain/', include(deep))];
  const conf = {
    urlpatterns: [
      path('outer/', include([plain, 'outerapp'], { namespace: 'outerns' })),
      path('static-inc/', include(deep), { kwargs: { extra: 1 } }),
      rePath('^lit/', include([deep, 'litapp'])),
    ],
  };

  test('a level without a namespace adds no empty name; namespaced levels are kept root first', () => {
    for (const p of ['/outer/plain/leaf/', '/outer/re-plain/leaf/']) {
      const match = resolve(p, conf);
      assert.equal(match.func, leaf);
      assert.deepEqual(match.namespaces, ['outerns']);
      assert.deepEqual(match.appNames, ['outerapp']);
      assert.equal(match.viewName, 'outerns:leaf');
      assert.deepEqual(match.kwargs, {});
      assert.deepEqual(match.args, []);
    }
    const lit = resolve('/lit/leaf/', conf);
    assert.deepEqual(lit.namespaces, ['litapp']);
    assert.deepEqual(lit.appNames, ['litapp']);
    assert.equal(lit.route, '^lit/leaf/');
  });

  test('include kwargs reach the view and extraKwargs; each match has its own kwargs and args', () => {
    const a = resolve('/static-inc/leaf/', conf);
    const b = resolve('/static-inc/leaf/', conf);
    assert.deepEqual(a.kwargs, { extra: 1 });
    assert.deepEqual(a.extraKwargs, { extra: 1 });
    assert.deepEqual(a.capturedKwargs, {});
    assert.notEqual(a.kwargs, b.kwargs);
    assert.notEqual(a.args, b.args);
    const c = resolve('/outer/plain/leaf/', conf);
    const d = resolve('/outer/plain/leaf/', conf);
    assert.notEqual(c.kwargs, d.kwargs);
    assert.notEqual(c.namespaces, d.namespaces);
  });

  test('tried is found on first read, then the same list', () => {
    const match = resolve('/lit/leaf/', conf);
    const tried = match.tried;
    assert.equal(match.tried, tried);
    assert.deepEqual(
      tried.map((chain) => chain.map((e) => String(e.pattern))),
      [
        // The includes whose prefix did not match are tried as a whole.
        ['outer/'],
        ['static-inc/'],
        ['^lit/', 'leaf/'],
      ],
    );
    const alone = deep[0]!.resolve('leaf/');
    assert.ok(alone);
    assert.deepEqual(alone.tried, []);
    assert.equal(alone.tried, alone.tried);
    assert.deepEqual(new ResolverMatch({ func: leaf, args: [], kwargs: {} }).tried, []);
    const given: UrlEntry[][] = [[deep[0]!]];
    assert.equal(new ResolverMatch({ func: leaf, args: [], kwargs: {}, tried: given }).tried, given);
    let calls = 0;
    const lazy = new ResolverMatch({ func: leaf, args: [], kwargs: {}, tried: () => (calls++, given) });
    assert.equal(lazy.tried, given);
    assert.equal(lazy.tried, given);
    assert.equal(calls, 1);
  });
});
