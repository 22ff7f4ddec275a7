// Differential test against Django itself: the same URLconf, built from one description, is
// resolved and reversed by tsgi and by Django 3.2 (Debian's python3-django, /usr/bin/python3),
// on hand-picked and generated paths; the answers must be identical. Skipped when Django is not
// installed (apt-get install -y python3-django), and failed instead in CI, which installs it.
//
// Left out on purpose, where tsgi follows current Django rather than 3.2 or differs by design
// (docs/urls.md, "Differences from Django"): trailing newlines (Django 3.2's `$` accepted one),
// unanchored regexes ending in `$` (Django >= 4.1 uses fullmatch()), and reverse() with a
// parameter given only as an extra kwarg (Django raises KeyError; tsgi fills it in). `int`
// beyond Number.MAX_SAFE_INTEGER is compared exactly: Django's answers are parsed with their
// digits (bigints).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path_ from 'node:path';
import { fileURLToPath } from 'node:url';
import { include, path, rePath, resolve, reverse, NoReverseMatch, Resolver404 } from '../../src/urls/index.ts';
import type { UrlEntry } from '../../src/urls/index.ts';
import { skipUnlessPresent } from '../prerequisites.ts';

const PYTHON = '/usr/bin/python3';
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
const oracle = path_.join(path_.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'django_oracle.py');

interface Spec {
  kind: 'path' | 're';
  route: string;
  view?: string;
  name?: string;
  kwargs?: Record<string, unknown>;
  include?: Spec[];
  appName?: string;
  namespace?: string;
}

let counter = 0;
const p = (route: string, name?: string, kwargs?: Record<string, unknown>): Spec => ({
  kind: 'path',
  route,
  view: `v${counter++}`,
  name,
  kwargs,
});
const r = (route: string, name?: string, kwargs?: Record<string, unknown>): Spec => ({
  kind: 're',
  route,
  view: `v${counter++}`,
  name,
  kwargs,
});

const app: Spec[] = [
  p('', 'index'),
  p('<int:pk>/', 'detail'),
  p('<int:pk>/edit/', 'edit', { mode: 'edit' }),
  r(String.raw`^(?P<slug>[-\w]+)/comments/(?:(?P<page>[0-9]+)/)?$`, 'comments'),
  r(String.raw`^raw/([0-9]+)/([a-z]+)/$`, 'raw'),
];
const nested: Spec[] = [p('leaf/<slug:s>/', 'leaf'), p('<path:rest>', 'rest')];

const spec: Spec[] = [
  p('articles/2003/', 'special'),
  p('articles/<int:year>/', 'year'),
  p('articles/<int:year>/<int:month>/', 'month'),
  p('articles/<int:year>/<int:month>/<slug:slug>/', 'article'),
  p('users/<str:username>/', 'user'),
  p('users/<str:username>/posts/<int:n>/', 'user-post', { source: 'users' }),
  p('files/<path:fp>', 'file'),
  p('ids/<uuid:id>/', 'uuid'),
  p('about/', 'about'),
  p('about', 'about-noslash'),
  p('page-<int:n>/', 'page'),
  r(String.raw`^re/(?P<year>[0-9]{4})/$`, 're-year'),
  r(String.raw`^re/([0-9]{2})/([0-9]{2})/$`, 're-pos'),
  r(String.raw`^re/(?P<a>[a-z]+)(?:-(?P<b>[a-z]+))?/$`, 're-opt'),
  r(String.raw`^mixed/(?P<named>[0-9]+)/([a-z]+)/$`, 'mixed'),
  { kind: 'path', route: 'blog/', include: app, appName: 'blog' },
  { kind: 'path', route: 'news/', include: app, appName: 'blog', namespace: 'news' },
  { kind: 'path', route: 'plain/', include: app, kwargs: { section: 'plain' } },
  { kind: 're', route: String.raw`^lang/(?P<lang>[a-z]{2})/`, include: app, appName: 'i18n', namespace: 'i18n' },
  { kind: 're', route: String.raw`^num/([0-9]+)/`, include: app },
  {
    kind: 'path',
    route: 'deep/<slug:section>/',
    include: [{ kind: 'path', route: 'in/', include: nested, appName: 'inner' }],
    appName: 'outer',
  },
  p('extra/<int:year>/', 'extra', { year: 1999 }),
  p('big/<int:n>/', 'big'),
  p('<slug:catchall>/', 'catchall'),
  p('<slug:a>/<slug:b>/', 'two'),
];

function build(entries: Spec[]): UrlEntry[] {
  return entries.map((s) => {
    const fn = s.kind === 're' ? rePath : path;
    if (s.include) {
      const target = s.appName
        ? include([build(s.include), s.appName], { namespace: s.namespace })
        : include(build(s.include));
      return fn(s.route, target, { kwargs: s.kwargs });
    }
    const view = () => s.view;
    Object.defineProperty(view, 'name', { value: s.view });
    return fn(s.route, view, { name: s.name, kwargs: s.kwargs });
  });
}

const urlconf = { urlpatterns: build(spec) };

const handPicked = [
  '/articles/2003/',
  '/articles/2004/',
  '/articles/0042/',
  '/articles/2004/05/',
  '/articles/2004/05/a-b_c/',
  '/articles/x/',
  '/users/bob/',
  '/users/bob smith/',
  '/users/bob/posts/3/',
  '/files/a/b/c.txt',
  '/files/',
  '/ids/12345678-1234-5678-1234-567812345678/',
  '/ids/12345678-1234-5678-1234-56781234567G/',
  '/about/',
  '/about',
  '/page-3/',
  '/page-/',
  '/re/2024/',
  '/re/12/34/',
  '/re/ab/',
  '/re/ab-cd/',
  '/re/ab-/',
  '/mixed/1/x/',
  '/blog/',
  '/blog/7/',
  '/blog/7/edit/',
  '/blog/hello/comments/',
  '/blog/hello/comments/2/',
  '/blog/raw/1/z/',
  '/news/7/',
  '/plain/7/edit/',
  '/lang/en/7/',
  '/lang/en/raw/1/z/',
  '/num/5/raw/1/z/',
  '/num/5/',
  '/num/5/7/',
  '/deep/x/in/leaf/y/',
  '/deep/x/in/some/where',
  '/extra/2015/',
  '/big/9007199254740993/',
  '/big/123456789012345678901234567890/',
  '/big/0009007199254740993/',
  '/anything/',
  '/a/b/',
  '/a/b/c/',
  '/',
  '',
  'no-slash/',
];

const segments = [
  'articles',
  '2003',
  '2004',
  '05',
  'a-b',
  'users',
  'bob',
  'posts',
  '3',
  'files',
  'about',
  'page-3',
  're',
  '2024',
  '12',
  'ab-cd',
  'mixed',
  'blog',
  'news',
  'plain',
  'edit',
  'comments',
  'raw',
  'z',
  'lang',
  'en',
  'num',
  'deep',
  'in',
  'leaf',
  'x',
  '',
];
let seed = 12345;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return (seed >>> 8) % n;
};
const generated: string[] = [];
for (let i = 0; i < 1500; i++) {
  const parts = handPicked[rand(handPicked.length)].split('/');
  for (let m = 1 + rand(2); m > 0; m--) {
    const at = 1 + rand(Math.max(parts.length - 1, 1));
    const op = rand(3);
    if (op === 0) parts[at] = segments[rand(segments.length)];
    else if (op === 1) parts.splice(at, 1);
    else parts.splice(at, 0, segments[rand(segments.length)]);
  }
  generated.push(parts.join('/'));
}
const paths = [...handPicked, ...generated];

const reverses: Array<[string, unknown[], Record<string, unknown>]> = [
  ['year', [2024], {}],
  ['year', [], { year: 7 }],
  ['year', ['x'], {}],
  ['year', [-1], {}],
  ['article', [], { year: 2003, month: 3, slug: 'a-b' }],
  ['article', [2003, 3, 'a b'], {}],
  ['user', ['bob smith'], {}],
  ['user', ['a/b'], {}],
  ['user-post', [], { username: 'x', n: 1 }],
  ['user-post', [], { username: 'x', n: 1, source: 'users' }],
  ['user-post', [], { username: 'x', n: 1, source: 'other' }],
  ['file', ['a/b c/d.txt'], {}],
  ['file', ['/etc/passwd'], {}],
  ['uuid', ['12345678-1234-5678-1234-567812345678'], {}],
  ['about', [], {}],
  ['about-noslash', [], {}],
  ['page', [3], {}],
  ['re-year', ['2024'], {}],
  ['re-year', ['24'], {}],
  ['re-pos', ['12', '34'], {}],
  ['re-opt', [], { a: 'ab' }],
  ['re-opt', [], { a: 'ab', b: 'cd' }],
  ['re-opt', [], { b: 'cd' }],
  ['mixed', [], { named: '1' }],
  ['blog:index', [], {}],
  ['blog:detail', [5], {}],
  ['blog:edit', [], { pk: 5 }],
  ['blog:edit', [], { pk: 5, mode: 'edit' }],
  ['blog:edit', [], { pk: 5, mode: 'view' }],
  ['blog:comments', [], { slug: 'x' }],
  ['blog:comments', [], { slug: 'x', page: 2 }],
  ['blog:raw', [1, 'z'], {}],
  ['news:detail', [5], {}],
  ['index', [], {}],
  ['detail', [5], {}],
  ['detail', [], { pk: 5, section: 'plain' }],
  ['i18n:detail', [], { lang: 'en', pk: 5 }],
  ['i18n:detail', ['en', 5], {}],
  ['outer:inner:leaf', [], { section: 's', s: 'x' }],
  ['outer:inner:rest', [], { section: 's', rest: 'a/b' }],
  ['catchall', ['x'], {}],
  ['two', ['a', 'b'], {}],
  ['nope', [], {}],
  ['extra', [], { year: 1999 }],
  ['extra', [], { year: 2015 }],
  ['extra', [], { year: '1999' }],
  ['extra', [2015], {}],
  ['big', ['9007199254740993'], {}],
  ['big', [], { n: '123456789012345678901234567890' }],
  ['uuid', ['12345678-1234-5678-1234-56781234567A'], {}],
  ['raw', ['5', 1, 'z'], {}],
];

describe(
  'tsgi and Django 3.2 resolve and reverse alike',
  {
    skip: skipUnlessPresent(
      hasDjango ? undefined : `Django is not installed for ${PYTHON} (apt-get install -y python3-django)`,
    ),
  },
  () => {
    const run = () => {
      const out = spawnSync(PYTHON, [oracle], {
        input: JSON.stringify({ spec, paths, reverses }),
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (out.status !== 0) throw new Error(`Django failed: ${out.stderr}`);
      // Python's ints keep every digit: those past Number.MAX_SAFE_INTEGER are read as bigints.
      const exact = (_key: string, value: unknown, context?: { source?: string }) =>
        typeof value === 'number' && !Number.isSafeInteger(value) && /^\d+$/.test(context?.source ?? '')
          ? BigInt(context!.source!)
          : value;
      return JSON.parse(out.stdout, exact as never) as { resolved: unknown[]; reversed: Array<string | null> };
    };
    let django: { resolved: unknown[]; reversed: Array<string | null> } | undefined;
    const answers = () => (django ??= run());

    test(`${paths.length} paths resolve to the same pattern, arguments, route and namespaces, or 404 with the same patterns tried`, () => {
      const expected = answers().resolved;
      let matched = 0;
      paths.forEach((p, i) => {
        let ours: unknown = null;
        try {
          const m = resolve(p, urlconf);
          ours = {
            func: m.func.name,
            args: [...m.args],
            kwargs: { ...m.kwargs },
            route: m.route,
            namespaces: [...m.namespaces],
            appNames: [...m.appNames],
            urlName: m.urlName ?? null,
            tried: m.tried.map((chain) => chain.map((entry) => String(entry.pattern))),
          };
          matched++;
        } catch (error) {
          if (!(error instanceof Resolver404)) throw error;
          // The patterns tried, as the DEBUG 404 page lists them.
          ours = {
            tried: error.tried?.map((chain) => chain.map((entry) => String((entry as UrlEntry).pattern))) ?? null,
          };
        }
        assert.deepEqual(ours, expected[i], `path ${JSON.stringify(p)}`);
      });
      assert.ok(matched > 300, `only ${matched} paths matched`);
    });

    test(`${reverses.length} reverse() calls give the same URL or the same failure`, () => {
      const expected = answers().reversed;
      // Both outcomes are exercised.
      assert.ok(expected.filter((x) => x !== null).length > 25);
      assert.ok(expected.filter((x) => x === null).length >= 8);
      reverses.forEach(([name, args, kwargs], i) => {
        let ours: string | null;
        try {
          ours = reverse(name, { urlconf, args, kwargs });
        } catch (error) {
          if (!(error instanceof NoReverseMatch)) throw error;
          ours = null;
        }
        assert.equal(
          ours,
          expected[i],
          `reverse(${JSON.stringify(name)}, ${JSON.stringify(args)}, ${JSON.stringify(kwargs)})`,
        );
      });
    });
  },
);
