// reverse() of rePath() patterns: the cases of Django's tests/urlpatterns_reverse (test_data),
// written in Python's regex dialect, with Django's results as the expected values.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { include, rePath, resolve, reverse, NoReverseMatch, setScriptPrefix } from '../../src/urls/index.ts';
import type { ReverseOptions, UrlEntry } from '../../src/urls/index.ts';
import { QueryDict } from '../../src/http/querydict.ts';

const view = () => 'v';
const re = (regex: string, name: string, kwargs?: Record<string, unknown>) => rePath(regex, view, { name, kwargs });

const includedUrls: UrlEntry[] = [
  re(String.raw`^$`, 'inner-nothing'),
  re(String.raw`extra/(?P<extra>\w+)/$`, 'inner-extra'),
  re(String.raw`(?P<one>[0-9]+)|(?P<two>[0-9]+)/$`, 'inner-disjunction'),
];
const includedNoKwargs: UrlEntry[] = [re(String.raw`^inner-no-kwargs/([0-9]+)/$`, 'inner-no-kwargs')];
const extraUrls: UrlEntry[] = [
  re(String.raw`^e-places/([0-9]+)/$`, 'extra-places'),
  re(String.raw`^e-people/(?P<name>\w+)/$`, 'extra-people'),
  re('', 'extra-empty'),
];
const otherPatterns: UrlEntry[] = [re('non_path_include/$', 'non_path_include')];

const urlpatterns: UrlEntry[] = [
  re(String.raw`^places/([0-9]+)/$`, 'places'),
  re(String.raw`^places?/$`, 'places?'),
  re(String.raw`^places+/$`, 'places+'),
  re(String.raw`^places*/$`, 'places*'),
  re(String.raw`^(?:places/)?$`, 'places2?'),
  re(String.raw`^(?:places/)+$`, 'places2+'),
  re(String.raw`^(?:places/)*$`, 'places2*'),
  re(String.raw`^places/([0-9]+|[a-z_]+)/`, 'places3'),
  re(String.raw`^places/(?P<id>[0-9]+)/$`, 'places4'),
  re(String.raw`^people/(?P<name>\w+)/$`, 'people'),
  re(String.raw`^people/(?:name/)$`, 'people2'),
  re(String.raw`^people/(?:name/(\w+)/)?$`, 'people2a'),
  re(String.raw`^people/(?P<name>\w+)-(?P=name)/$`, 'people_backref'),
  re(String.raw`^optional/(?P<name>.*)/(?:.+/)?`, 'optional'),
  re(String.raw`^optional/(?P<arg1>\d+)/(?:(?P<arg2>\d+)/)?`, 'named_optional'),
  re(String.raw`^optional/(?P<arg1>\d+)/(?:(?P<arg2>\d+)/)?$`, 'named_optional_terminated'),
  re(String.raw`^hardcoded/$`, 'hardcoded'),
  re(String.raw`^hardcoded/doc\.pdf$`, 'hardcoded2'),
  re(String.raw`^people/(?P<state>\w\w)/(?P<name>\w+)/$`, 'people3'),
  re(String.raw`^people/(?P<state>\w\w)/(?P<name>[0-9])/$`, 'people4'),
  re(String.raw`^people/((?P<state>\w\w)/test)?/(\w+)/$`, 'people6'),
  re(String.raw`^character_set/[abcdef0-9]/$`, 'range'),
  re(String.raw`^character_set/[\w]/$`, 'range2'),
  re(String.raw`^price/\$([0-9]+)/$`, 'price'),
  re(String.raw`^price/[$]([0-9]+)/$`, 'price2'),
  re(String.raw`^price/[\$]([0-9]+)/$`, 'price3'),
  re(String.raw`^product/(?P<product>\w+)\+\(\$(?P<price>[0-9]+(\.[0-9]+)?)\)/$`, 'product'),
  re(String.raw`^headlines/(?P<year>[0-9]+)\.(?P<month>[0-9]+)\.(?P<day>[0-9]+)/$`, 'headlines'),
  re(String.raw`^windows_path/(?P<drive_name>[A-Z]):\\(?P<path>.+)/$`, 'windows'),
  re(String.raw`^special_chars/(?P<chars>.+)/$`, 'special'),
  re(String.raw`^(?P<name>.+)/[0-9]+/$`, 'mixed'),
  re(String.raw`^repeats/a{1,2}/$`, 'repeats'),
  re(String.raw`^repeats/a{2,4}/$`, 'repeats2'),
  re(String.raw`^repeats/a{2}/$`, 'repeats3'),
  re(String.raw`^test/1/?`, 'test'),
  re(String.raw`^outer/(?P<outer>[0-9]+)/`, 'unused') as UrlEntry,
  rePath(String.raw`^outer/(?P<outer>[0-9]+)/`, include(includedUrls)),
  rePath(String.raw`^outer-no-kwargs/([0-9]+)/`, include(includedNoKwargs)),
  rePath('', include(extraUrls)),
  re(String.raw`^(?:foo|bar)(\w+)/$`, 'disjunction'),
  re(String.raw`^nested/noncapture/(?:(?P<p>\w+))$`, 'nested-noncapture'),
  re(String.raw`^nested/capture/((\w+)/)?$`, 'nested-capture'),
  re(String.raw`^nested/capture/mixed/((?P<p>\w+))$`, 'nested-mixedcapture'),
  re(String.raw`^nested/capture/named/(?P<outer>(?P<inner>\w+)/)?$`, 'nested-namedcapture'),
  rePath('^includes/', include(otherPatterns)),
  re(String.raw`defaults_view1/(?P<arg1>[0-9]+)/$`, 'defaults', { arg2: 1 }),
  re(String.raw`defaults_view2/(?P<arg1>[0-9]+)/$`, 'defaults', { arg2: 2 }),
  re('(.+)/security/$', 'security'),
];
const urlconf = { urlpatterns };

type Expected = string | typeof NoReverseMatch;
const testData: Array<[string, Expected, unknown[], Record<string, unknown>]> = [
  ['places', '/places/3/', [3], {}],
  ['places', '/places/3/', ['3'], {}],
  ['places', NoReverseMatch, ['a'], {}],
  ['places', NoReverseMatch, [], {}],
  ['places?', '/place/', [], {}],
  ['places+', '/places/', [], {}],
  ['places*', '/place/', [], {}],
  ['places2?', '/', [], {}],
  ['places2+', '/places/', [], {}],
  ['places2*', '/', [], {}],
  ['places3', '/places/4/', [4], {}],
  ['places3', '/places/harlem/', ['harlem'], {}],
  ['places3', NoReverseMatch, ['harlem64'], {}],
  ['places4', '/places/3/', [], { id: 3 }],
  ['people', NoReverseMatch, [], {}],
  ['people', '/people/adrian/', ['adrian'], {}],
  ['people', '/people/adrian/', [], { name: 'adrian' }],
  ['people', NoReverseMatch, ['name with spaces'], {}],
  ['people', NoReverseMatch, [], { name: 'name with spaces' }],
  ['people2', '/people/name/', [], {}],
  ['people2a', '/people/name/fred/', ['fred'], {}],
  ['people_backref', '/people/nate-nate/', ['nate'], {}],
  ['people_backref', '/people/nate-nate/', [], { name: 'nate' }],
  ['optional', '/optional/fred/', [], { name: 'fred' }],
  ['optional', '/optional/fred/', ['fred'], {}],
  ['named_optional', '/optional/1/', [1], {}],
  ['named_optional', '/optional/1/', [], { arg1: 1 }],
  ['named_optional', '/optional/1/2/', [1, 2], {}],
  ['named_optional', '/optional/1/2/', [], { arg1: 1, arg2: 2 }],
  ['named_optional_terminated', '/optional/1/', [1], {}],
  ['named_optional_terminated', '/optional/1/', [], { arg1: 1 }],
  ['named_optional_terminated', '/optional/1/2/', [1, 2], {}],
  ['named_optional_terminated', '/optional/1/2/', [], { arg1: 1, arg2: 2 }],
  ['hardcoded', '/hardcoded/', [], {}],
  ['hardcoded2', '/hardcoded/doc.pdf', [], {}],
  ['people3', '/people/il/adrian/', [], { state: 'il', name: 'adrian' }],
  ['people3', NoReverseMatch, [], { state: 'il' }],
  ['people3', NoReverseMatch, [], { name: 'adrian' }],
  ['people4', NoReverseMatch, [], { state: 'il', name: 'adrian' }],
  ['people6', '/people/il/test/adrian/', ['il/test', 'adrian'], {}],
  ['people6', '/people//adrian/', ['adrian'], {}],
  ['range', '/character_set/a/', [], {}],
  ['range2', '/character_set/x/', [], {}],
  ['price', '/price/$10/', ['10'], {}],
  ['price2', '/price/$10/', ['10'], {}],
  ['price3', '/price/$10/', ['10'], {}],
  ['product', '/product/chocolate+($2.00)/', [], { price: '2.00', product: 'chocolate' }],
  ['headlines', '/headlines/2007.5.21/', [], { year: 2007, month: 5, day: 21 }],
  [
    'windows',
    '/windows_path/C:%5CDocuments%20and%20Settings%5Cspam/',
    [],
    { drive_name: 'C', path: String.raw`Documents and Settings\spam` },
  ],
  ['special', '/special_chars/~@+%5C$*%7C/', [String.raw`~@+\$*|`], {}],
  ['special', '/special_chars/some%20resource/', ['some resource'], {}],
  ['special', '/special_chars/10%25%20complete/', ['10% complete'], {}],
  ['special', '/special_chars/some%20resource/', [], { chars: 'some resource' }],
  ['special', '/special_chars/10%25%20complete/', [], { chars: '10% complete' }],
  ['special', NoReverseMatch, [''], {}],
  ['mixed', '/john/0/', [], { name: 'john' }],
  ['repeats', '/repeats/a/', [], {}],
  ['repeats2', '/repeats/aa/', [], {}],
  ['repeats3', '/repeats/aa/', [], {}],
  ['test', '/test/1', [], {}],
  ['inner-nothing', '/outer/42/', [], { outer: '42' }],
  ['inner-nothing', '/outer/42/', ['42'], {}],
  ['inner-nothing', NoReverseMatch, ['foo'], {}],
  ['inner-extra', '/outer/42/extra/inner/', [], { extra: 'inner', outer: '42' }],
  ['inner-extra', '/outer/42/extra/inner/', ['42', 'inner'], {}],
  ['inner-extra', NoReverseMatch, ['fred', 'inner'], {}],
  ['inner-no-kwargs', '/outer-no-kwargs/42/inner-no-kwargs/1/', ['42', '1'], {}],
  ['disjunction', NoReverseMatch, ['foo'], {}],
  ['inner-disjunction', NoReverseMatch, ['10', '11'], {}],
  ['extra-places', '/e-places/10/', ['10'], {}],
  ['extra-people', '/e-people/fred/', ['fred'], {}],
  ['extra-people', '/e-people/fred/', [], { name: 'fred' }],
  ['nested-noncapture', '/nested/noncapture/opt', [], { p: 'opt' }],
  ['nested-capture', '/nested/capture/opt/', ['opt/'], {}],
  ['nested-capture', NoReverseMatch, [], { p: 'opt' }],
  ['nested-mixedcapture', '/nested/capture/mixed/opt', ['opt'], {}],
  ['nested-mixedcapture', NoReverseMatch, [], { p: 'opt' }],
  ['nested-namedcapture', '/nested/capture/named/opt/', [], { outer: 'opt/' }],
  ['nested-namedcapture', NoReverseMatch, [], { outer: 'opt/', inner: 'opt' }],
  ['nested-namedcapture', NoReverseMatch, [], { inner: 'opt' }],
  ['non_path_include', '/includes/non_path_include/', [], {}],
  ['defaults', '/defaults_view1/3/', [], { arg1: 3, arg2: 1 }],
  ['defaults', '/defaults_view2/3/', [], { arg1: 3, arg2: 2 }],
  ['defaults', NoReverseMatch, [], { arg1: 3, arg2: 3 }],
  ['defaults', NoReverseMatch, [], { arg2: 1 }],
  // Security: never a scheme-relative URL.
  ['security', '/%2Fexample.com/security/', ['/example.com'], {}],
];

describe("reverse() of regex patterns (Django's urlpatterns_reverse cases)", () => {
  after(() => setScriptPrefix('/'));
  for (const [name, expected, args, kwargs] of testData) {
    test(`${name} args=${JSON.stringify(args)} kwargs=${JSON.stringify(kwargs)}`, () => {
      const options: ReverseOptions = { urlconf, args, kwargs };
      if (expected === NoReverseMatch) assert.throws(() => reverse(name, options), NoReverseMatch);
      else assert.equal(reverse(name, options), expected);
    });
  }

  const prefixes: Array<[string, string, unknown[], string]> = [
    ['/{{invalid}}/', 'non_path_include', [], '/%7B%7Binvalid%7D%7D/includes/non_path_include/'],
    ['/bogus)/', 'non_path_include', [], '/bogus)/includes/non_path_include/'],
    ['/(bogus)/', 'non_path_include', [], '/(bogus)/includes/non_path_include/'],
    ['/bump%20map/', 'non_path_include', [], '/bump%2520map/includes/non_path_include/'],
    ['/%7Eme/', 'places', [1], '/%257Eme/places/1/'],
    ['/script:name/', 'optional', ['foo:bar'], '/script:name/optional/foo:bar/'],
  ];
  for (const [prefix, name, args, expected] of prefixes) {
    test(`script prefix ${prefix}`, () => {
      setScriptPrefix(prefix);
      try {
        assert.equal(reverse(name, { urlconf, args }), expected);
      } finally {
        setScriptPrefix('/');
      }
    });
  }

  test('the patterns tried are reported as written', () => {
    assert.throws(() => reverse('people', { urlconf }), {
      message: String.raw`Reverse for 'people' with no arguments not found. 1 pattern(s) tried: ['people/(?P<name>\w+)/$']. Pass the arguments the pattern captures, with values its converters accept.`,
    });
  });

  const queries: Array<[string, ReverseOptions, string]> = [
    ['query object', { query: { hello: 'world', foo: 123 } }, '/test/1?hello=world&foo=123'],
    [
      'query pairs',
      {
        query: [
          ['hello', 'world'],
          ['foo', 123],
          ['foo', 456],
        ],
      },
      '/test/1?hello=world&foo=123&foo=456',
    ],
    ['query arrays', { query: { hello: 'world', foo: [123, 456] } }, '/test/1?hello=world&foo=123&foo=456'],
    [
      'query encoding',
      { query: { 'hello world': 'django project', foo: [123, 456], '@invalid': ['?', '!', 'a b'] } },
      '/test/1?hello+world=django+project&foo=123&foo=456&%40invalid=%3F&%40invalid=%21&%40invalid=a+b',
    ],
    ['QueryDict', { query: new QueryDict('a=1&b=2&b=3&c=4') }, '/test/1?a=1&b=2&b=3&c=4'],
    ['fragment', { fragment: 'tab-1' }, '/test/1#tab-1'],
    ['fragment not encoded', { fragment: 'tab 1 is the best!' }, '/test/1#tab 1 is the best!'],
    [
      'query and fragment',
      { query: { hello: 'world', foo: 123 }, fragment: 'tab-1' },
      '/test/1?hello=world&foo=123#tab-1',
    ],
    ['empty fragment', { fragment: '' }, '/test/1#'],
    ['empty query object', { query: {} }, '/test/1'],
    ['empty query list', { query: [] }, '/test/1'],
    ['empty QueryDict', { query: new QueryDict('') }, '/test/1'],
  ];
  for (const [what, options, expected] of queries) {
    test(what, () => assert.equal(reverse('test', { urlconf, ...options }), expected));
  }

  const invalidQueries: Array<[unknown, string]> = [
    [
      0,
      'reverse() query must be an object, a list of [key, value] pairs, URLSearchParams or a QueryDict, got the number 0.',
    ],
    [
      false,
      'reverse() query must be an object, a list of [key, value] pairs, URLSearchParams or a QueryDict, got a boolean false.',
    ],
    [
      [1, 3, 5],
      'reverse() query must be an object, a list of [key, value] pairs, URLSearchParams or a QueryDict, got [1,3,5].',
    ],
  ];
  for (const [query, message] of invalidQueries) {
    test(`invalid query ${JSON.stringify(query)}`, () => {
      assert.throws(() => reverse('test', { urlconf, query: query as never }), { name: 'TypeError', message });
    });
  }
  for (const fragment of [0, false, {}, []]) {
    test(`invalid fragment ${JSON.stringify(fragment)}`, () => {
      assert.throws(() => reverse('test', { urlconf, fragment: fragment as never }), { name: 'TypeError' });
    });
  }

  test('every URL reversed above resolves', () => {
    for (const [, expected] of testData) {
      if (typeof expected !== 'string') continue;
      assert.doesNotThrow(() => resolve(decodeURIComponent(expected), urlconf), expected);
    }
  });
});
