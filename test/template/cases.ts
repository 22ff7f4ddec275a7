/**
 * The conformance cases of the template language, from Django 3.2's documentation of it
 * ("The Django template language", "Built-in template tags and filters", "How to create custom
 * template tags"): every built-in tag, variables and their resolution, autoescaping, and
 * inheritance. Each case is a set of templates ('main' is rendered), a context, and the output
 * Django 3.2 gives, or the error it raises. conformance.test.ts checks tsgi against the expected
 * output (on both render paths); differential.test.ts renders every case with Django itself.
 *
 * Context values are JSON with markers (decoded by both sides, see fixtures/django_render.py):
 * { $safe }, { $fn }, { $fnArgs }, { $alters }, { $noCall }, { $obj }, { $silent }, { $raise },
 * { $tuple }. Only the filters of fixtures/filters.ts are used, on values they handle as Django.
 */

export interface Case {
  /** `tag: what`, unique. */
  readonly name: string;
  /** The templates; `main` (or the one named by `main`) is rendered. A string is `{ main: it }`. */
  readonly templates: string | Readonly<Record<string, string>>;
  readonly context?: Readonly<Record<string, unknown>>;
  readonly options?: { readonly autoescape?: boolean; readonly string_if_invalid?: string };
  /** Django's output. */
  readonly expected?: string;
  /** Or the class of the error Django raises (TemplateSyntaxError, ...), and a part of its message. */
  readonly error?: readonly [string, string];
}

const rows = [
  { name: 'Ann', city: 'Oslo', age: 31 },
  { name: 'Bob', city: 'Oslo', age: 25 },
  { name: 'Cid', city: 'Rome', age: 40 },
];

export const CASES: readonly Case[] = [
  // Variables and their resolution.
  {
    name: 'variables: a value',
    templates: 'My first name is {{ first_name }}.',
    context: { first_name: 'John' },
    expected: 'My first name is John.',
  },
  {
    name: 'variables: dict key',
    templates: '{{ section.title }}',
    context: { section: { title: 'News' } },
    expected: 'News',
  },
  {
    name: 'variables: attribute',
    templates: '{{ post.title }}',
    context: { post: { $obj: { title: 'Hi' } } },
    expected: 'Hi',
  },
  {
    name: 'variables: list index',
    templates: '{{ items.1 }}|{{ items.5 }}',
    context: { items: ['a', 'b'] },
    expected: 'b|',
  },
  { name: 'variables: string index', templates: '{{ s.0 }}', context: { s: 'xyz' }, expected: 'x' },
  { name: 'variables: nested', templates: '{{ a.b.0.c }}', context: { a: { b: [{ c: 'deep' }] } }, expected: 'deep' },
  {
    name: 'variables: missing prints nothing',
    templates: '[{{ nope }}][{{ a.nope }}][{{ a.b.c }}]',
    context: { a: { b: 1 } },
    expected: '[][][]',
  },
  {
    name: 'variables: a key named like a number',
    templates: '{{ d.0 }}',
    context: { d: { '0': 'zero' } },
    expected: 'zero',
  },
  {
    name: 'variables: callable called',
    templates: '{{ f }}|{{ o.m }}',
    context: { f: { $fn: 'called' }, o: { $obj: { m: { $fn: 'method' } } } },
    expected: 'called|method',
  },
  {
    name: 'variables: callable needing arguments is invalid',
    templates: '[{{ f }}]',
    context: { f: { $fnArgs: 'x' } },
    expected: '[]',
  },
  {
    name: 'variables: alters_data is not called',
    templates: '[{{ delete }}]',
    context: { delete: { $alters: 'deleted' } },
    expected: '[]',
  },
  {
    name: 'variables: do_not_call_in_templates',
    templates: '{{ thing.value }}',
    context: { thing: { $noCall: 'kept' } },
    expected: 'kept',
  },
  {
    name: 'variables: silent_variable_failure',
    templates: '[{{ f }}]',
    context: { f: { $silent: 'gone' } },
    expected: '[]',
  },
  {
    name: 'variables: silent failure gives string_if_invalid',
    templates: '[{{ f }}]',
    context: { f: { $silent: 'gone' } },
    options: { string_if_invalid: 'INVALID' },
    expected: '[INVALID]',
  },
  {
    name: 'variables: other errors propagate',
    templates: '{{ f }}',
    context: { f: { $raise: 'broken' } },
    error: ['ValueError', 'broken'],
  },
  {
    name: 'variables: None True False',
    templates: '{{ None }} {{ True }} {{ False }} {{ n }}',
    context: { n: null },
    expected: 'None True False None',
  },
  {
    name: 'variables: numbers',
    templates: '{{ 12 }} {{ -3 }} {{ 1.5 }} {{ i }}',
    context: { i: 7 },
    expected: '12 -3 1.5 7',
  },
  { name: 'variables: string literals are safe', templates: "{{ \"<b>\" }}|{{ 'it\\'s' }}", expected: "<b>|it's" },
  {
    name: 'variables: lists and dicts print as Python',
    templates: '{{ l }} {{ d }}',
    context: { l: [1, 'a', null, true], d: { k: 'v' } },
    expected: '[1, &#x27;a&#x27;, None, True] {&#x27;k&#x27;: &#x27;v&#x27;}',
  },
  {
    name: 'variables: dict items',
    templates: '{% for k, v in d.items %}{{ k }}={{ v }};{% endfor %}',
    context: { d: { a: 1, b: 2 } },
    expected: 'a=1;b=2;',
  },
  {
    name: 'variables: a key named items wins over the method',
    templates: '{{ d.items }}',
    context: { d: { items: 'mine' } },
    expected: 'mine',
  },
  {
    name: 'variables: underscore is refused',
    templates: '{{ _private }}',
    error: ['TemplateSyntaxError', 'Variables and attributes may not begin with underscores'],
  },
  {
    name: 'variables: underscore attribute is refused',
    templates: '{{ a._b }}',
    error: ['TemplateSyntaxError', "may not begin with underscores: 'a._b'"],
  },
  {
    name: 'variables: string_if_invalid',
    templates: '[{{ nope }}][{{ nope|upper }}]',
    options: { string_if_invalid: 'INVALID' },
    expected: '[INVALID][INVALID]',
  },
  {
    name: 'variables: string_if_invalid with %s',
    templates: '[{{ a.nope }}]',
    context: { a: {} },
    options: { string_if_invalid: 'bad:%s' },
    expected: '[bad:a.nope]',
  },
  {
    name: 'variables: empty variable tag',
    templates: 'a {{ }} b',
    error: ['TemplateSyntaxError', 'Empty variable tag on line 1'],
  },
  {
    name: 'variables: remainder',
    templates: '{{ a b }}',
    error: ['TemplateSyntaxError', "Could not parse the remainder: ' b' from 'a b'"],
  },
  { name: 'variables: tags do not span lines', templates: '{{ a\n}}', context: { a: 1 }, expected: '{{ a\n}}' },
  {
    name: 'variables: a missing filter argument raises',
    templates: '{{ x|default:nope }}',
    context: { x: 1 },
    error: ['VariableDoesNotExist', 'Failed lookup for key [nope]'],
  },

  // Filters: arguments, chaining, the argument count checked when parsing.
  {
    name: 'filters: chained',
    templates: '{{ name|lower|title }}',
    context: { name: 'JOHN SMITH' },
    expected: 'John Smith',
  },
  { name: 'filters: spaces around the bar', templates: '{{ name | upper }}', context: { name: 'x' }, expected: 'X' },
  {
    name: 'filters: literal argument',
    templates: '{{ v|default:"nothing" }}|{{ w|default:"nothing" }}',
    context: { v: '', w: 'w' },
    expected: 'nothing|w',
  },
  {
    name: 'filters: variable argument',
    templates: '{{ v|default:fallback }}',
    context: { v: 0, fallback: 'fb' },
    expected: 'fb',
  },
  { name: 'filters: numeric argument', templates: '{{ n|add:2 }}', context: { n: 3 }, expected: '5' },
  { name: 'filters: applied to a missing variable', templates: '{{ nope|default:"d" }}', expected: 'd' },
  {
    name: 'filters: too many arguments',
    templates: '{{ v|upper:"x" }}',
    error: ['TemplateSyntaxError', 'upper requires 1 arguments, 2 provided'],
  },
  {
    name: 'filters: a missing argument',
    templates: '{{ v|cut }}',
    error: ['TemplateSyntaxError', 'cut requires 2 arguments, 1 provided'],
  },
  { name: 'filters: unknown', templates: '{{ v|nosuch }}', error: ['TemplateSyntaxError', "Invalid filter: 'nosuch'"] },
  {
    name: 'filters: literal argument is safe',
    templates: '{{ v|default:"<i>" }}',
    context: { v: '' },
    expected: '<i>',
  },

  // Autoescaping.
  {
    name: 'autoescape: escapes the five characters',
    templates: '{{ v }}',
    context: { v: `<a href="x">&'</a>` },
    expected: '&lt;a href=&quot;x&quot;&gt;&amp;&#x27;&lt;/a&gt;',
  },
  {
    name: 'autoescape: safe values are not escaped',
    templates: '{{ v }}|{{ w|safe }}',
    context: { v: { $safe: '<b>' }, w: '<i>' },
    expected: '<b>|<i>',
  },
  { name: 'autoescape: escape marks safe', templates: '{{ v|escape }}', context: { v: '<b>' }, expected: '&lt;b&gt;' },
  {
    name: 'autoescape: escape is not applied twice',
    templates: '{{ v|escape|escape }}',
    context: { v: '<b>&' },
    expected: '&lt;b&gt;&amp;',
  },
  {
    name: 'autoescape: force_escape escapes again',
    templates: '{{ v|escape|force_escape }}',
    context: { v: '<b>' },
    expected: '&amp;lt;b&amp;gt;',
  },
  {
    name: 'autoescape: an is_safe filter keeps safety',
    templates: '{{ v|lower }}',
    context: { v: { $safe: '<B>' } },
    expected: '<b>',
  },
  {
    name: 'autoescape: a filter that is not is_safe loses it',
    templates: '{{ v|upper }}',
    context: { v: { $safe: '<b>' } },
    expected: '&lt;B&gt;',
  },
  {
    name: 'autoescape: needs_autoescape gets the flag',
    templates: '{{ l|join:"<br>" }}|{% autoescape off %}{{ l|join:"<br>" }}{% endautoescape %}',
    context: { l: ['<a>', 'b'] },
    expected: '&lt;a&gt;<br>b|<a><br>b',
  },
  {
    name: 'autoescape: off',
    templates: '{% autoescape off %}{{ v }}{% endautoescape %}{{ v }}',
    context: { v: '<b>' },
    expected: '<b>&lt;b&gt;',
  },
  {
    name: 'autoescape: on inside off',
    templates: '{% autoescape off %}{{ v }}{% autoescape on %}{{ v }}{% endautoescape %}{{ v }}{% endautoescape %}',
    context: { v: '<b>' },
    expected: '<b>&lt;b&gt;<b>',
  },
  {
    name: 'autoescape: the engine option',
    templates: '{{ v }}',
    context: { v: '<b>' },
    options: { autoescape: false },
    expected: '<b>',
  },
  {
    name: 'autoescape: reaches included templates',
    templates: { main: '{% autoescape off %}{% include "inc" %}{% endautoescape %}', inc: '{{ v }}' },
    context: { v: '<b>' },
    expected: '<b>',
  },
  {
    name: 'autoescape: bad argument',
    templates: '{% autoescape maybe %}{% endautoescape %}',
    error: ['TemplateSyntaxError', "'autoescape' argument should be 'on' or 'off'"],
  },
  {
    name: 'autoescape: needs one argument',
    templates: '{% autoescape %}{% endautoescape %}',
    error: ['TemplateSyntaxError', "'autoescape' tag requires exactly one argument."],
  },
  {
    name: 'autoescape: numbers and None are escaped text',
    templates: '{{ n }}{{ x }}',
    context: { n: 5, x: null },
    expected: '5None',
  },

  // Comments.
  { name: 'comment: single line', templates: 'a{# greeting #}b', expected: 'ab' },
  { name: 'comment: block', templates: 'a{% comment %}\n{{ x }} {% if %} anything\n{% endcomment %}b', expected: 'ab' },
  { name: 'comment: with a note', templates: 'a{% comment "Optional note" %}x{% endcomment %}b', expected: 'ab' },
  {
    name: 'comment: unclosed',
    templates: '{% comment %}x',
    error: ['TemplateSyntaxError', "Unclosed tag on line 1: 'comment'. Looking for one of: endcomment."],
  },

  // csrf_token.
  {
    name: 'csrf_token: renders the field',
    templates: '{% csrf_token %}',
    context: { csrf_token: 'abc"d' },
    expected: '<input type="hidden" name="csrfmiddlewaretoken" value="abc&quot;d">',
  },
  { name: 'csrf_token: nothing without a token', templates: '[{% csrf_token %}]', expected: '[]' },
  {
    name: 'csrf_token: NOTPROVIDED',
    templates: '[{% csrf_token %}]',
    context: { csrf_token: 'NOTPROVIDED' },
    expected: '[]',
  },

  // cycle and resetcycle.
  {
    name: 'cycle: in a loop',
    templates: "{% for o in l %}<tr class=\"{% cycle 'row1' 'row2' %}\">{% endfor %}",
    context: { l: [1, 2, 3] },
    expected: '<tr class="row1"><tr class="row2"><tr class="row1">',
  },
  {
    name: 'cycle: variables, escaped',
    templates: '{% for o in l %}{% cycle a b %}{% endfor %}',
    context: { l: [1, 2, 3], a: '<x>', b: 'y' },
    expected: '&lt;x&gt;y&lt;x&gt;',
  },
  {
    name: 'cycle: named and reused',
    templates: '{% cycle "a" "b" "c" as c %}{% cycle c %}{% cycle c %}{% cycle c %}',
    expected: 'abca',
  },
  {
    name: 'cycle: as sets the variable',
    templates: '{% for o in l %}{% cycle "x" "y" as v %}-{{ v }};{% endfor %}',
    context: { l: [1, 2] },
    expected: 'x-x;y-y;',
  },
  {
    name: 'cycle: silent',
    templates: '{% for o in l %}{% cycle "r1" "r2" as rc silent %}[{{ rc }}]{% endfor %}',
    context: { l: [1, 2, 3] },
    expected: '[r1][r2][r1]',
  },
  {
    name: 'cycle: a new cycle per include',
    templates: { main: '{% include "c" %}{% include "c" %}', c: '{% cycle "a" "b" %}' },
    expected: 'aa',
  },
  {
    name: 'cycle: needs two arguments',
    templates: '{% cycle %}',
    error: ['TemplateSyntaxError', "'cycle' tag requires at least two arguments"],
  },
  {
    name: 'cycle: unknown name',
    templates: '{% cycle "a" "b" as x %}{% cycle y %}',
    error: ['TemplateSyntaxError', "Named cycle 'y' does not exist"],
  },
  {
    name: 'cycle: no named cycles',
    templates: '{% cycle y %}',
    error: ['TemplateSyntaxError', "No named cycles in template. 'y' is not defined"],
  },
  {
    name: 'cycle: only silent after the name',
    templates: '{% cycle "a" "b" as x loud %}',
    error: ['TemplateSyntaxError', "Only 'silent' flag is allowed after cycle's name, not 'loud'."],
  },
  {
    name: 'resetcycle: restarts',
    templates: '{% for g in groups %}{% for i in g %}{% cycle "a" "b" "c" %}{% endfor %}{% resetcycle %}|{% endfor %}',
    context: {
      groups: [
        [1, 2],
        [1, 2, 3, 4],
      ],
    },
    expected: 'ab|abca|',
  },
  {
    name: 'resetcycle: a named one',
    templates:
      '{% for i in l %}{% cycle "x" "y" as one %}{% cycle "p" "q" "r" as two %}{% if forloop.counter == 2 %}{% resetcycle two %}{% endif %} {% endfor %}',
    context: { l: [1, 2, 3] },
    expected: 'xp yq xp ',
  },
  {
    name: 'resetcycle: no cycles',
    templates: '{% resetcycle %}',
    error: ['TemplateSyntaxError', 'No cycles in template.'],
  },
  {
    name: 'resetcycle: unknown name',
    templates: '{% cycle "a" "b" as x %}{% resetcycle y %}',
    error: ['TemplateSyntaxError', "Named cycle 'y' does not exist."],
  },

  // debug.
  { name: 'debug: nothing when DEBUG is off', templates: '[{% debug %}]', expected: '[]' },

  // extends and block.
  {
    name: 'extends: blocks replaced',
    templates: {
      main: '{% extends "base" %}{% block title %}Mine{% endblock %}',
      base: '<title>{% block title %}Base{% endblock %}</title>{% block body %}B{% endblock %}',
    },
    expected: '<title>Mine</title>B',
  },
  {
    name: 'extends: block.super',
    templates: {
      main: '{% extends "base" %}{% block t %}[{{ block.super }}]{% endblock %}',
      base: '{% block t %}base<{% endblock %}',
    },
    expected: '[base<]',
  },
  {
    name: 'extends: three levels with super',
    templates: {
      main: '{% extends "mid" %}{% block t %}C {{ block.super }}{% endblock %}',
      mid: '{% extends "base" %}{% block t %}B {{ block.super }}{% endblock %}',
      base: '{% block t %}A{% endblock %}',
    },
    expected: 'C B A',
  },
  {
    name: 'extends: a middle template that leaves the block',
    templates: {
      main: '{% extends "mid" %}',
      mid: '{% extends "base" %}{% block x %}mid{% endblock %}',
      base: '[{% block x %}base{% endblock %}]',
    },
    expected: '[mid]',
  },
  {
    name: 'extends: nested blocks',
    templates: {
      main: '{% extends "base" %}{% block inner %}I{% endblock %}',
      base: '{% block outer %}<{% block inner %}i{% endblock %}>{% endblock %}',
    },
    expected: '<I>',
  },
  {
    name: 'extends: a child overrides the outer, keeps the inner',
    templates: {
      main: '{% extends "base" %}{% block outer %}({% block inner %}new{% endblock %}){% endblock %}',
      base: '{% block outer %}<{% block inner %}i{% endblock %}>{% endblock %}',
    },
    expected: '(new)',
  },
  {
    name: 'extends: content outside blocks is ignored',
    templates: {
      main: '{% extends "base" %}ignored{% block a %}A{% endblock %}ignored',
      base: '{% block a %}{% endblock %}',
    },
    expected: 'A',
  },
  {
    name: 'extends: text before extends is kept',
    templates: { main: '\n{% extends "base" %}{% block a %}A{% endblock %}', base: '<{% block a %}{% endblock %}>' },
    expected: '\n<A>',
  },
  {
    name: 'extends: parent from a variable',
    templates: { main: '{% extends parent %}{% block a %}A{% endblock %}', base: '[{% block a %}{% endblock %}]' },
    context: { parent: 'base' },
    expected: '[A]',
  },
  {
    name: 'extends: must be first',
    templates: { main: '{% if 1 %}{% endif %}{% extends "base" %}', base: '' },
    error: ['TemplateSyntaxError', 'must be the first tag in the template.'],
  },
  {
    name: 'extends: only once',
    templates: { main: '{% extends "base" %}{% extends "base" %}', base: '' },
    error: ['TemplateSyntaxError', "'extends' cannot appear more than once in the same template"],
  },
  {
    name: 'extends: an empty name',
    templates: '{% extends parent %}',
    error: ['TemplateSyntaxError', "Invalid template name in 'extends' tag: ''. Got this from the 'parent' variable."],
  },
  { name: 'extends: a missing parent', templates: '{% extends "nope" %}', error: ['TemplateDoesNotExist', 'nope'] },
  {
    name: 'extends: relative names',
    templates: {
      'dir/main': '{% extends "./base" %}{% block a %}A{% endblock %}',
      'dir/base': '<{% block a %}{% endblock %}>',
    },
    context: {},
    expected: '<A>',
  },
  {
    name: 'extends: a relative name leaving the tree',
    templates: { main: '{% extends "../base" %}' },
    error: [
      'TemplateSyntaxError',
      "The relative path '\"../base\"' points outside the file hierarchy that template 'main' is in.",
    ],
  },
  {
    name: 'block: the variables of the block are its own',
    templates: {
      main: '{% extends "base" %}{% block a %}{{ block.name }}{% endblock %}',
      base: '{% block a %}{% endblock %}',
    },
    expected: 'a',
  },
  {
    name: 'block: duplicate names',
    templates: '{% block a %}{% endblock %}{% block a %}{% endblock %}',
    error: ['TemplateSyntaxError', "'block' tag with name 'a' appears more than once"],
  },
  { name: 'block: endblock with the name', templates: '{% block a %}x{% endblock a %}', expected: 'x' },
  {
    name: 'block: endblock with another name',
    templates: '{% block a %}x{% endblock b %}',
    error: ['TemplateSyntaxError', "Invalid block tag on line 1: 'endblock', expected 'endblock' or 'endblock a'."],
  },
  {
    name: 'block: block.super in a base template',
    templates: '{% block a %}{{ block.super }}{% endblock %}',
    error: ['TemplateSyntaxError', 'Did you use {{ block.super }} in a base template?'],
  },
  {
    name: 'block: renders alone',
    templates: '{% block a %}[{{ v }}]{% endblock %}',
    context: { v: 1 },
    expected: '[1]',
  },
  {
    name: 'extends: blocks inside loops',
    templates: {
      main: '{% extends "base" %}{% block row %}<{{ r }}>{% endblock %}',
      base: '{% for r in rows %}{% block row %}{{ r }}{% endblock %}{% endfor %}',
    },
    context: { rows: [1, 2] },
    expected: '<1><2>',
  },

  // filter.
  {
    name: 'filter: the body through filters',
    templates: '{% filter force_escape|lower %}This <B>text</B>{% endfilter %}',
    expected: 'this &lt;b&gt;text&lt;/b&gt;',
  },
  {
    name: 'filter: escape is refused',
    templates: '{% filter escape %}x{% endfilter %}',
    error: ['TemplateSyntaxError', '"filter escape" is not permitted.  Use the "autoescape" tag instead.'],
  },
  {
    name: 'filter: safe is refused',
    templates: '{% filter upper|safe %}x{% endfilter %}',
    error: ['TemplateSyntaxError', '"filter safe" is not permitted.'],
  },
  {
    name: 'filter: output is not escaped again',
    templates: '{% filter upper %}{{ v }}<i>{% endfilter %}',
    context: { v: '<b>' },
    expected: '&LT;B&GT;<I>',
  },

  // firstof.
  {
    name: 'firstof: the first true value',
    templates: '{% firstof a b c %}',
    context: { a: 0, b: '', c: 'C' },
    expected: 'C',
  },
  { name: 'firstof: a literal fallback', templates: '{% firstof a b "fallback" %}', expected: 'fallback' },
  { name: 'firstof: nothing', templates: '[{% firstof a b %}]', expected: '[]' },
  {
    name: 'firstof: escaped, literals safe',
    templates: '{% firstof a "<b>" %}|{% firstof b "<b>" %}',
    context: { a: '<i>' },
    expected: '&lt;i&gt;|<b>',
  },
  {
    name: 'firstof: as a variable',
    templates: '{% firstof a b as v %}[{{ v }}]',
    context: { b: '<x>' },
    expected: '[&lt;x&gt;]',
  },
  {
    name: 'firstof: needs an argument',
    templates: '{% firstof %}',
    error: ['TemplateSyntaxError', "'firstof' statement requires at least one argument"],
  },

  // for and empty.
  {
    name: 'for: a list',
    templates: '<ul>{% for a in l %}<li>{{ a.name }}</li>{% endfor %}</ul>',
    context: { l: rows },
    expected: '<ul><li>Ann</li><li>Bob</li><li>Cid</li></ul>',
  },
  {
    name: 'for: reversed',
    templates: '{% for a in l reversed %}{{ a }}{% endfor %}',
    context: { l: [1, 2, 3] },
    expected: '321',
  },
  {
    name: 'for: unpacking',
    templates: '{% for x, y in points %}({{ x }},{{ y }}){% endfor %}',
    context: {
      points: [
        [1, 2],
        [3, 4],
      ],
    },
    expected: '(1,2)(3,4)',
  },
  {
    name: 'for: unpacking with spaces around the comma',
    templates: '{% for x , y in points %}{{ x }}{{ y }}{% endfor %}',
    context: { points: [['a', 'b']] },
    expected: 'ab',
  },
  {
    name: 'for: unpacking strings',
    templates: '{% for a, b in l %}{{ b }}{{ a }}{% endfor %}',
    context: { l: ['ab', 'cd'] },
    expected: 'badc',
  },
  {
    name: 'for: unpacking the wrong count',
    templates: '{% for a, b in l %}{% endfor %}',
    context: { l: [[1, 2, 3]] },
    error: ['ValueError', 'Need 2 values to unpack in for loop; got 3.'],
  },
  {
    name: 'for: forloop counters',
    templates:
      '{% for a in l %}{{ forloop.counter }}{{ forloop.counter0 }}{{ forloop.revcounter }}{{ forloop.revcounter0 }}{% if forloop.first %}F{% endif %}{% if forloop.last %}L{% endif %} {% endfor %}',
    context: { l: ['a', 'b', 'c'] },
    expected: '1032F 2121 3210L ',
  },
  {
    name: 'for: parentloop',
    templates:
      '{% for a in outer %}{% for b in inner %}{{ forloop.parentloop.counter }}.{{ forloop.counter }} {% endfor %}{% endfor %}',
    context: { outer: [1, 2], inner: [1, 2] },
    expected: '1.1 1.2 2.1 2.2 ',
  },
  {
    name: 'for: empty',
    templates: '{% for a in l %}{{ a }}{% empty %}none{% endfor %}',
    context: { l: [] },
    expected: 'none',
  },
  {
    name: 'for: empty for a missing list',
    templates: '{% for a in nope %}{{ a }}{% empty %}none{% endfor %}',
    expected: 'none',
  },
  {
    name: 'for: a string',
    templates: '{% for c in s %}[{{ c }}]{% endfor %}',
    context: { s: 'ab' },
    expected: '[a][b]',
  },
  {
    name: 'for: a dict gives its keys',
    templates: '{% for k in d %}{{ k }}{% endfor %}',
    context: { d: { x: 1, y: 2 } },
    expected: 'xy',
  },
  {
    name: 'for: the loop variable goes away',
    templates: '{% for a in l %}{% endfor %}[{{ a }}][{{ forloop }}]',
    context: { l: [1] },
    expected: '[][]',
  },
  {
    name: 'for: shadows and restores',
    templates: '{{ a }}{% for a in l %}{{ a }}{% endfor %}{{ a }}',
    context: { a: 'A', l: [1, 2] },
    expected: 'A12A',
  },
  {
    name: 'for: a filtered sequence',
    templates: '{% for c in s|upper %}{{ c }}.{% endfor %}',
    context: { s: 'ab' },
    expected: 'A.B.',
  },
  {
    name: 'for: too few words',
    templates: '{% for x in %}{% endfor %}',
    error: ['TemplateSyntaxError', "'for' statements should have at least four words: for x in"],
  },
  {
    name: 'for: without in',
    templates: '{% for x from y %}{% endfor %}',
    error: ['TemplateSyntaxError', "'for' statements should use the format 'for x in y': for x from y"],
  },
  {
    name: 'for: a bad loop variable',
    templates: '{% for x|y in l %}{% endfor %}',
    error: ['TemplateSyntaxError', "'for' tag received an invalid argument: for x|y in l"],
  },
  {
    name: 'for: unclosed',
    templates: '{% for x in l %}',
    error: ['TemplateSyntaxError', "Unclosed tag on line 1: 'for'. Looking for one of: empty, endfor."],
  },
  {
    name: 'for: a misspelt end',
    templates: '{% for x in l %}{% endfro %}',
    error: [
      'TemplateSyntaxError',
      "Invalid block tag on line 1: 'endfro', expected 'empty' or 'endfor'. Did you forget to register or load this tag?",
    ],
  },
  {
    name: 'for: ints are not iterable',
    templates: '{% for x in n %}{% endfor %}',
    context: { n: 5 },
    error: ['TypeError', 'object is not iterable'],
  },

  // if, elif, else and the operators.
  {
    name: 'if: true and false values',
    templates:
      '{% if a %}a{% endif %}{% if b %}b{% endif %}{% if c %}c{% endif %}{% if d %}d{% endif %}{% if e %}e{% endif %}{% if f %}f{% endif %}',
    context: { a: [], b: {}, c: '', d: 0, e: [0], f: 'x' },
    expected: 'ef',
  },
  {
    name: 'if: elif and else',
    templates: '{% for n in l %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}',
    context: { l: [1, 2, 3] },
    expected: 'one two many ',
  },
  {
    name: 'if: not',
    templates: '{% if not a %}A{% endif %}{% if not b %}B{% endif %}',
    context: { a: false, b: true },
    expected: 'A',
  },
  {
    name: 'if: and, or',
    templates: '{% if a and b %}1{% endif %}{% if a or b %}2{% endif %}{% if c or d %}3{% endif %}',
    context: { a: true, b: false, c: false, d: false },
    expected: '2',
  },
  {
    name: 'if: and binds tighter than or',
    templates: '{% if a or b and c %}1{% endif %}{% if a and b or c %}2{% endif %}',
    context: { a: true, b: false, c: false },
    expected: '1',
  },
  {
    name: 'if: not binds tighter than and',
    templates: '{% if not a and b %}1{% endif %}{% if not a or b %}2{% endif %}',
    context: { a: false, b: false },
    expected: '2',
  },
  {
    name: 'if: comparisons',
    templates:
      '{% if a == 1 %}eq{% endif %}{% if a != 2 %}ne{% endif %}{% if a < 2 %}lt{% endif %}{% if a > 0 %}gt{% endif %}{% if a <= 1 %}le{% endif %}{% if a >= 1 %}ge{% endif %}',
    context: { a: 1 },
    expected: 'eqneltgtlege',
  },
  {
    name: 'if: strings compared',
    templates: '{% if s == "x" %}1{% endif %}{% if s < "y" %}2{% endif %}{% if "abc" > "abd" %}3{% endif %}',
    context: { s: 'x' },
    expected: '12',
  },
  { name: 'if: True equals 1', templates: '{% if t == 1 %}yes{% endif %}', context: { t: true }, expected: 'yes' },
  {
    name: 'if: lists compared',
    templates: '{% if a == b %}eq{% endif %}{% if a < c %}lt{% endif %}',
    context: { a: [1, 2], b: [1, 2], c: [1, 3] },
    expected: 'eqlt',
  },
  {
    name: 'if: in',
    templates:
      '{% if "b" in l %}1{% endif %}{% if "ell" in s %}2{% endif %}{% if "k" in d %}3{% endif %}{% if "z" in l %}4{% endif %}',
    context: { l: ['a', 'b'], s: 'hello', d: { k: 1 } },
    expected: '123',
  },
  {
    name: 'if: not in',
    templates: '{% if "z" not in l %}1{% endif %}{% if "a" not in l %}2{% endif %}',
    context: { l: ['a'] },
    expected: '1',
  },
  {
    name: 'if: is and is not',
    templates:
      '{% if x is None %}1{% endif %}{% if y is not None %}2{% endif %}{% if t is True %}3{% endif %}{% if missing is None %}4{% endif %}',
    context: { x: null, y: 0, t: true },
    expected: '1234',
  },
  {
    name: 'if: a failing comparison is false',
    templates: '{% if 1 < "a" %}yes{% else %}no{% endif %}{% if not 1 < "a" %}!{% endif %}',
    expected: 'no!',
  },
  {
    name: 'if: in a missing value is false',
    templates: '{% if "a" in nope %}yes{% else %}no{% endif %}',
    expected: 'no',
  },
  {
    name: 'if: filters in conditions',
    templates: '{% if l|length >= 2 %}many{% endif %}',
    context: { l: [1, 2] },
    expected: 'many',
  },
  {
    name: 'if: or returns the value',
    templates: '{% if a or b %}x{% endif %}',
    context: { a: 0, b: 'b' },
    expected: 'x',
  },
  {
    name: 'if: a missing filter argument is false',
    templates: '{% if x|default:nope %}yes{% else %}no{% endif %}',
    context: { x: 1 },
    expected: 'no',
  },
  {
    name: 'if: compared with a missing filter argument',
    templates: '{% if x|default:nope == 1 %}yes{% else %}no{% endif %}',
    context: { x: 1 },
    expected: 'no',
  },
  {
    name: 'if: an unused operator',
    templates: '{% if a b %}{% endif %}',
    error: ['TemplateSyntaxError', "Unused 'b' at end of if expression."],
  },
  {
    name: 'if: a missing operand',
    templates: '{% if a and %}{% endif %}',
    error: ['TemplateSyntaxError', 'Unexpected end of expression in if tag.'],
  },
  {
    name: 'if: an operator where a value goes',
    templates: '{% if == a %}{% endif %}',
    error: ['TemplateSyntaxError', "Not expecting '==' in this position in if tag."],
  },
  {
    name: 'if: no condition',
    templates: '{% if %}{% endif %}',
    error: ['TemplateSyntaxError', 'Unexpected end of expression in if tag.'],
  },
  {
    name: 'if: not as infix',
    templates: '{% if a not b %}{% endif %}',
    error: ['TemplateSyntaxError', "Not expecting 'not' as infix operator in if tag."],
  },
  {
    name: 'if: unclosed',
    templates: '{% if a %}x',
    error: ['TemplateSyntaxError', "Unclosed tag on line 1: 'if'. Looking for one of: elif, else, endif."],
  },
  {
    name: 'if: an error in a comparison operand is false',
    templates: '{% if f == 1 %}y{% else %}n{% endif %}',
    context: { f: { $raise: 'x' } },
    expected: 'n',
  },
  {
    name: 'if: an error in a bare condition propagates',
    templates: '{% if f %}y{% endif %}',
    context: { f: { $raise: 'boom' } },
    error: ['ValueError', 'boom'],
  },

  // ifchanged.
  {
    name: 'ifchanged: its own content',
    templates: '{% for d in days %}{% ifchanged %}<h3>{{ d.m }}</h3>{% endifchanged %}{{ d.d }} {% endfor %}',
    context: {
      days: [
        { m: 'Jan', d: 1 },
        { m: 'Jan', d: 2 },
        { m: 'Feb', d: 1 },
      ],
    },
    expected: '<h3>Jan</h3>1 2 <h3>Feb</h3>1 ',
  },
  {
    name: 'ifchanged: values',
    templates: '{% for p in l %}{% ifchanged p.city %}[{{ p.city }}]{% endifchanged %}{{ p.name }} {% endfor %}',
    context: { l: rows },
    expected: '[Oslo]Ann Bob [Rome]Cid ',
  },
  {
    name: 'ifchanged: several values',
    templates: '{% for p in l %}{% ifchanged p.a p.b %}*{% endifchanged %}{% endfor %}',
    context: {
      l: [
        { a: 1, b: 1 },
        { a: 1, b: 1 },
        { a: 1, b: 2 },
        { a: 2, b: 2 },
      ],
    },
    expected: '***',
  },
  {
    name: 'ifchanged: else',
    templates: '{% for n in l %}{% ifchanged n %}{{ n }}{% else %}-{% endifchanged %}{% endfor %}',
    context: { l: [1, 1, 2, 2, 2] },
    expected: '1-2--',
  },
  {
    name: 'ifchanged: nested loops start over',
    templates:
      '{% for o in outer %}{% for i in inner %}{% ifchanged i %}{{ i }}{% endifchanged %}{% endfor %}|{% endfor %}',
    context: { outer: [1, 2], inner: [1, 1, 2] },
    expected: '12|12|',
  },

  // include.
  {
    name: 'include: the current context',
    templates: { main: '{% include "inc" %}', inc: 'Hi {{ name }}' },
    context: { name: 'Ann' },
    expected: 'Hi Ann',
  },
  {
    name: 'include: with',
    templates: { main: '{% include "inc" with name="Bob" greeting=g %}|{{ name }}', inc: '{{ greeting }} {{ name }}' },
    context: { name: 'Ann', g: 'Yo' },
    expected: 'Yo Bob|Ann',
  },
  {
    name: 'include: only',
    templates: {
      main: '{% include "inc" only %}|{% include "inc" with name="B" only %}',
      inc: '[{{ name }}{{ other }}]',
    },
    context: { name: 'A', other: 'O' },
    expected: '[]|[B]',
  },
  {
    name: 'include: a variable name',
    templates: { main: '{% include t %}', inc: 'included' },
    context: { t: 'inc' },
    expected: 'included',
  },
  {
    name: 'include: a list of names',
    templates: { main: '{% include names %}', b: 'B' },
    context: { names: ['a', 'b'] },
    expected: 'B',
  },
  {
    name: 'include: in a loop',
    templates: { main: '{% for i in l %}{% include "inc" %}{% endfor %}', inc: '<{{ i }}>' },
    context: { l: [1, 2, 3] },
    expected: '<1><2><3>',
  },
  {
    name: 'include: changes stay inside',
    templates: { main: '{% include "inc" %}[{{ x }}]', inc: '{% firstof "set" as x %}{{ x }}' },
    expected: 'set[]',
  },
  {
    name: 'include: relative names',
    templates: { 'a/main': '{% include "./inc" %}{% include "../top" %}', 'a/inc': 'I', top: 'T' },
    context: {},
    expected: 'IT',
  },
  { name: 'include: missing', templates: '{% include "nope" %}', error: ['TemplateDoesNotExist', 'nope'] },
  {
    name: 'include: an unknown option',
    templates: '{% include "inc" also %}',
    error: ['TemplateSyntaxError', "Unknown argument for 'include' tag: 'also'."],
  },
  {
    name: 'include: with needs an argument',
    templates: '{% include "inc" with %}',
    error: ['TemplateSyntaxError', '"with" in \'include\' tag needs at least one keyword argument.'],
  },
  {
    name: 'include: an option twice',
    templates: '{% include "inc" only only %}',
    error: ['TemplateSyntaxError', "The 'only' option was specified more than once."],
  },
  {
    name: 'include: no name',
    templates: '{% include %}',
    error: [
      'TemplateSyntaxError',
      "'include' tag takes at least one argument: the name of the template to be included.",
    ],
  },
  {
    name: 'include: an included syntax error',
    templates: { main: '{% include "bad" %}', bad: '{% if %}' },
    error: ['TemplateSyntaxError', 'Unexpected end of expression in if tag.'],
  },
  {
    name: 'include: blocks of an included template',
    templates: { main: '{% include "inc" %}', inc: '{% block x %}X{% endblock %}' },
    expected: 'X',
  },

  // load, and custom tags.
  {
    name: 'load: a library',
    templates: '{% load testtags %}{% greet "Ann" %}|{% greet "Bob" greeting="Hi" %}',
    expected: 'Hello, Ann!|Hi, Bob!',
  },
  {
    name: 'load: selected tags',
    templates: '{% load greet from testtags %}{% greet "Ann" %}',
    expected: 'Hello, Ann!',
  },
  {
    name: 'load: only the selected',
    templates: '{% load greet from testtags %}{% html %}',
    error: ['TemplateSyntaxError', "Invalid block tag on line 1: 'html'. Did you forget to register or load this tag?"],
  },
  {
    name: 'load: an unknown library',
    templates: '{% load nope %}',
    error: ['TemplateSyntaxError', "'nope' is not a registered tag library. Must be one of:"],
  },
  {
    name: 'load: an unknown tag of a library',
    templates: '{% load nope from testtags %}',
    error: ['TemplateSyntaxError', "'nope' is not a valid tag or filter in tag library 'testtags'"],
  },
  {
    name: 'load: tags are needed',
    templates: '{% greet "x" %}',
    error: [
      'TemplateSyntaxError',
      "Invalid block tag on line 1: 'greet'. Did you forget to register or load this tag?",
    ],
  },
  {
    name: 'simple_tag: output is escaped',
    templates: '{% load testtags %}{% html %}|{% safe_html %}',
    expected: '&lt;b&gt;bold&lt;/b&gt;|<b>bold</b>',
  },
  {
    name: 'simple_tag: as a variable',
    templates: '{% load testtags %}{% greet "Ann" as g %}[{{ g }}]',
    expected: '[Hello, Ann!]',
  },
  {
    name: 'simple_tag: takes_context',
    templates: '{% load testtags %}{% from_context "x" %}|{% from_context "y" %}',
    context: { x: 'X' },
    expected: 'X|none',
  },
  {
    name: 'simple_tag: variables as arguments',
    templates: '{% load testtags %}{% greet who greeting=g|upper %}',
    context: { who: '<A>', g: 'hey' },
    expected: 'HEY, &lt;A&gt;!',
  },
  {
    name: 'simple_tag: too many arguments',
    templates: '{% load testtags %}{% greet "a" "b" "c" %}',
    error: ['TemplateSyntaxError', "'greet' received too many positional arguments"],
  },
  {
    name: 'simple_tag: a missing argument',
    templates: '{% load testtags %}{% greet %}',
    error: ['TemplateSyntaxError', "'greet' did not receive value(s) for the argument(s): 'name'"],
  },
  {
    name: 'simple_tag: an unknown keyword',
    templates: '{% load testtags %}{% greet "a" nope=1 %}',
    error: ['TemplateSyntaxError', "'greet' received unexpected keyword argument 'nope'"],
  },
  {
    name: 'simple_tag: a keyword twice',
    templates: '{% load testtags %}{% greet name="a" name="b" %}',
    error: ['TemplateSyntaxError', "'greet' received multiple values for keyword argument 'name'"],
  },
  {
    name: 'simple_tag: positional after keyword',
    templates: '{% load testtags %}{% greet name="a" "b" %}',
    error: ['TemplateSyntaxError', "'greet' received some positional argument(s) after some keyword argument(s)"],
  },
  {
    name: 'inclusion_tag: renders its template',
    templates: {
      main: '{% load testtags %}{% show_item "<x>" %}{% show_item "y" prefix="-" %}{% show_item x %}',
      'item.html': '<li>{{ prefix }}{{ item }}</li>',
    },
    context: { x: '<x>' },
    expected: '<li>*<x></li><li>-y</li><li>*&lt;x&gt;</li>',
  },
  {
    name: 'inclusion_tag: its own context',
    templates: { main: '{% load testtags %}{% show_item "a" %}', 'item.html': '[{{ item }}{{ outside }}]' },
    context: { outside: 'O' },
    expected: '[a]',
  },

  // lorem.
  {
    name: 'lorem: the common paragraph',
    templates: '{% lorem %}',
    expected:
      'Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.',
  },
  { name: 'lorem: words', templates: '{% lorem 3 w %}', expected: 'lorem ipsum dolor' },
  {
    name: 'lorem: a paragraph in p',
    templates: '{% lorem 1 p %}',
    expected:
      '<p>Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.</p>',
  },
  { name: 'lorem: a count from a variable', templates: '{% lorem n w %}', context: { n: 2 }, expected: 'lorem ipsum' },
  {
    name: 'lorem: a bad format',
    templates: '{% lorem 1 2 3 %}',
    error: ['TemplateSyntaxError', "Incorrect format for 'lorem' tag"],
  },

  // regroup.
  {
    name: 'regroup: by an attribute',
    templates:
      '{% regroup people by city as groups %}{% for g in groups %}{{ g.grouper }}:{% for p in g.list %}{{ p.name }},{% endfor %};{% endfor %}',
    context: { people: rows },
    expected: 'Oslo:Ann,Bob,;Rome:Cid,;',
  },
  {
    name: 'regroup: unpacked',
    templates:
      '{% regroup people by city as groups %}{% for city, people in groups %}{{ city }}={{ people|length }} {% endfor %}',
    context: { people: rows },
    expected: 'Oslo=2 Rome=1 ',
  },
  {
    name: 'regroup: only consecutive items',
    templates: '{% regroup l by k as g %}{% for x in g %}{{ x.grouper }}{% endfor %}',
    context: { l: [{ k: 1 }, { k: 2 }, { k: 1 }] },
    expected: '121',
  },
  {
    name: 'regroup: a missing list',
    templates: '{% regroup nope by k as g %}[{% for x in g %}x{% endfor %}]',
    expected: '[]',
  },
  {
    name: 'regroup: by a filtered key',
    templates: '{% regroup l by name|first as g %}{% for x in g %}{{ x.grouper }}{{ x.list|length }}{% endfor %}',
    context: { l: [{ name: 'ab' }, { name: 'ac' }, { name: 'b' }] },
    expected: 'a2b1',
  },
  {
    name: 'regroup: the syntax',
    templates: '{% regroup l by k into g %}',
    error: ['TemplateSyntaxError', "next-to-last argument to 'regroup' tag must be 'as'"],
  },
  {
    name: 'regroup: by',
    templates: '{% regroup l with k as g %}',
    error: ['TemplateSyntaxError', "second argument to 'regroup' tag must be 'by'"],
  },
  {
    name: 'regroup: five arguments',
    templates: '{% regroup l by k %}',
    error: ['TemplateSyntaxError', "'regroup' tag takes five arguments"],
  },

  // spaceless.
  {
    name: 'spaceless: between tags',
    templates: '{% spaceless %}\n  <p>\n    <a href="foo/">Foo</a>\n  </p>\n{% endspaceless %}',
    expected: '<p><a href="foo/">Foo</a></p>',
  },
  {
    name: 'spaceless: not around text',
    templates: '{% spaceless %}<strong>\n    Hello\n</strong>{% endspaceless %}',
    expected: '<strong>\n    Hello\n</strong>',
  },

  // templatetag.
  {
    name: 'templatetag: every bit',
    templates:
      '{% templatetag openblock %}{% templatetag closeblock %}{% templatetag openvariable %}{% templatetag closevariable %}{% templatetag openbrace %}{% templatetag closebrace %}{% templatetag opencomment %}{% templatetag closecomment %}',
    expected: '{%%}{{}}{}{##}',
  },
  {
    name: 'templatetag: unknown',
    templates: '{% templatetag nope %}',
    error: [
      'TemplateSyntaxError',
      "Invalid templatetag argument: 'nope'. Must be one of: ['openblock', 'closeblock', 'openvariable', 'closevariable', 'openbrace', 'closebrace', 'opencomment', 'closecomment']",
    ],
  },

  // url.
  { name: 'url: positional arguments', templates: '{% url "post" 2024 "hello" %}', expected: '/posts/2024/hello/' },
  {
    name: 'url: keyword arguments',
    templates: '{% url "post" year=y slug=s %}',
    context: { y: 1999, s: 'a-b' },
    expected: '/posts/1999/a-b/',
  },
  {
    name: 'url: the name from a variable',
    templates: '{% url name %}',
    context: { name: 'about' },
    expected: '/about/',
  },
  { name: 'url: as a variable', templates: '{% url "about" as u %}<a href="{{ u }}">', expected: '<a href="/about/">' },
  { name: 'url: as, when missing, is empty', templates: '{% url "nope" as u %}[{{ u }}]', expected: '[]' },
  { name: 'url: missing', templates: '{% url "nope" %}', error: ['NoReverseMatch', "Reverse for 'nope' not found."] },
  {
    name: 'url: no name',
    templates: '{% url %}',
    error: ['TemplateSyntaxError', "'url' takes at least one argument, a URL pattern name."],
  },

  // verbatim.
  {
    name: 'verbatim: leaves tags alone',
    templates: '{% verbatim %}{{ if dying }}Still alive.{% endif %}{# x #}{% endverbatim %}',
    expected: '{{ if dying }}Still alive.{% endif %}{# x #}',
  },
  {
    name: 'verbatim: a named block',
    templates: '{% verbatim myblock %}Avoid {% endverbatim %}.{% endverbatim myblock %}',
    expected: 'Avoid {% endverbatim %}.',
  },
  {
    name: 'verbatim: then tags again',
    templates: '{% verbatim %}{{ a }}{% endverbatim %}{{ a }}',
    context: { a: 1 },
    expected: '{{ a }}1',
  },

  // widthratio.
  {
    name: 'widthratio: the ratio',
    templates: '{% widthratio this max 100 %}',
    context: { this: 175, max: 200 },
    expected: '88',
  },
  {
    name: 'widthratio: rounds half to even',
    templates: '{% widthratio 5 2 1 %}|{% widthratio 7 2 1 %}',
    expected: '2|4',
  },
  { name: 'widthratio: zero maximum', templates: '{% widthratio 1 0 100 %}', expected: '0' },
  { name: 'widthratio: not numbers', templates: '[{% widthratio "a" 2 100 %}]', expected: '[]' },
  { name: 'widthratio: as', templates: '{% widthratio 1 2 10 as w %}[{{ w }}]', expected: '[5]' },
  {
    name: 'widthratio: numeric strings',
    templates: '{% widthratio a b 100 %}',
    context: { a: '50', b: '200' },
    expected: '25',
  },
  {
    name: 'widthratio: a bad width',
    templates: '{% widthratio 1 2 "x" %}',
    error: ['TemplateSyntaxError', 'widthratio final argument must be a number'],
  },
  {
    name: 'widthratio: arguments',
    templates: '{% widthratio 1 2 %}',
    error: ['TemplateSyntaxError', 'widthratio takes at least three arguments'],
  },

  // with.
  {
    name: 'with: a value',
    templates: '{% with total=business.employees|length %}{{ total }} employee{% endwith %}',
    context: { business: { employees: [1, 2] } },
    expected: '2 employee',
  },
  { name: 'with: several', templates: '{% with a=1 b="x" %}{{ a }}{{ b }}{% endwith %}', expected: '1x' },
  {
    name: 'with: the legacy form',
    templates: '{% with v as name %}{{ name }}{% endwith %}',
    context: { v: 'V' },
    expected: 'V',
  },
  { name: 'with: scoped', templates: '{% with a=1 %}{{ a }}{% endwith %}[{{ a }}]', expected: '1[]' },
  {
    name: 'with: needs an assignment',
    templates: '{% with %}{% endwith %}',
    error: ['TemplateSyntaxError', "'with' expected at least one variable assignment"],
  },
  {
    name: 'with: a bad token',
    templates: '{% with a=1 b %}{% endwith %}',
    error: ['TemplateSyntaxError', "'with' received an invalid token: 'b'"],
  },

  // ifequal (deprecated, still in 3.2).
  {
    name: 'ifequal: equal',
    templates: '{% ifequal a b %}yes{% else %}no{% endifequal %}',
    context: { a: 1, b: 1 },
    expected: 'yes',
  },
  {
    name: 'ifnotequal: not equal',
    templates: '{% ifnotequal a "x" %}yes{% endifnotequal %}',
    context: { a: 'y' },
    expected: 'yes',
  },

  // Dates, numbers and the built-in filters, as the engine prints them (localized).
  {
    name: 'values: a date prints with DATE_FORMAT',
    templates: '{{ d }}|{{ dt }}',
    context: { d: { $date: '2024-01-02' }, dt: { $datetime: '2024-03-04T05:06:07' } },
    expected: 'Jan. 2, 2024|March 4, 2024, 5:06 a.m.',
  },
  {
    name: 'values: the date filter',
    templates: '{{ d|date:"Y-m-d l" }}|{{ dt|date:"H:i" }}|{{ dt|time }}',
    context: { d: { $date: '2024-01-02' }, dt: { $datetime: '2024-03-04T15:06:07' } },
    expected: '2024-01-02 Tuesday|15:06|3:06 p.m.',
  },
  {
    name: 'values: dates compared in if',
    templates: '{% if a < b %}earlier{% endif %}{% if a == c %}same{% endif %}',
    context: { a: { $date: '2024-01-02' }, b: { $date: '2024-02-01' }, c: { $date: '2024-01-02' } },
    expected: 'earliersame',
  },
  {
    name: 'values: filters of every kind',
    templates:
      '{{ n|floatformat:2 }} {{ l|join:", " }} {{ s|truncatewords:2 }} {{ count }} item{{ count|pluralize }} {{ l|length }} {{ s|slugify }}',
    context: { n: 3.14159, l: ['a', '<b>'], s: 'Hello big world', count: 2 },
    expected: '3.14 a, &lt;b&gt; Hello big … 2 items 2 hello-big-world',
  },
  {
    name: 'values: dictsort and first',
    templates: '{% for p in people|dictsort:"age" %}{{ p.name }} {% endfor %}{{ people|first }}',
    context: {
      people: [
        { name: 'A', age: 30 },
        { name: 'B', age: 20 },
      ],
    },
    expected: 'B A {&#x27;name&#x27;: &#x27;A&#x27;, &#x27;age&#x27;: 30}',
  },

  // The lexer and the parser.
  {
    name: 'syntax: an unknown tag',
    templates: '{% frobnicate %}',
    error: [
      'TemplateSyntaxError',
      "Invalid block tag on line 1: 'frobnicate'. Did you forget to register or load this tag?",
    ],
  },
  { name: 'syntax: an empty tag', templates: 'x\n{% %}', error: ['TemplateSyntaxError', 'Empty block tag on line 2'] },
  {
    name: 'syntax: a stray end tag',
    templates: '{% endif %}',
    error: [
      'TemplateSyntaxError',
      "Invalid block tag on line 1: 'endif'. Did you forget to register or load this tag?",
    ],
  },
  {
    name: 'syntax: single braces are text',
    templates: '{ a } {a} {%b%}',
    error: ['TemplateSyntaxError', "Invalid block tag on line 1: 'b'."],
  },
  {
    name: 'syntax: text with braces',
    templates: 'function() { return {x: 1}; } {{ v }}',
    context: { v: 'ok' },
    expected: 'function() { return {x: 1}; } ok',
  },
  { name: 'syntax: unicode', templates: '{{ naïve }} – ✓', context: { naïve: 'é' }, expected: 'é – ✓' },
];
