// tsgi/utils/html: Django's django.utils.html (issue 12's bullet and what the filters use).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SuspiciousOperation } from '../../src/core/exceptions.ts';
import {
  SafeString,
  avoidWrapping,
  conditionalEscape,
  escape,
  escapejs,
  formatHtml,
  formatHtmlJoin,
  jsonScript,
  linebreaks,
  markSafe,
  smartUrlquote,
  stripSpacesBetweenTags,
  stripTags,
  urlize,
} from '../../src/utils/html.ts';

describe('escaping', () => {
  test("escape(): Django's five entities, always, and a safe result", () => {
    const out = escape(`<a href="x">Tom & 'Jerry'</a>`);
    assert.ok(out instanceof SafeString);
    assert.equal(out.value, '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt;');
    assert.equal(escape(markSafe('<b>')).value, '&lt;b&gt;');
    assert.equal(escape(null).value, 'None');
    assert.equal(escape(1.5).value, '1.5');
    assert.equal(escape('&amp;').value, '&amp;amp;');
  });

  test('conditionalEscape() leaves safe strings and __html__ objects alone', () => {
    const safe = markSafe('<b>ok</b>');
    assert.equal(conditionalEscape(safe), safe);
    assert.equal(conditionalEscape('<b>').value, '&lt;b&gt;');
    assert.equal(conditionalEscape({ __html__: () => '<i>mine</i>' }).value, '<i>mine</i>');
  });

  test('escapejs()', () => {
    assert.equal(
      escapejs(`"'\\<>&=-;\`\u2028\n`).value,
      '\\u0022\\u0027\\u005C\\u003C\\u003E\\u0026\\u003D\\u002D\\u003B\\u0060\\u2028\\u000A',
    );
  });
});

describe('formatHtml', () => {
  test('escapes every argument unless safe, and marks the result safe', () => {
    const out = formatHtml('<a href="{}">{}</a>', '/x?a=1&b=2', '<Tom>');
    assert.ok(out instanceof SafeString);
    assert.equal(out.value, '<a href="/x?a=1&amp;b=2">&lt;Tom&gt;</a>');
    assert.equal(formatHtml('{1}{0}{1}', '<a>', markSafe('<b>')).value, '<b>&lt;a&gt;<b>');
    assert.equal(formatHtml('<b>{name}</b>', { name: '"x"' }).value, '<b>&quot;x&quot;</b>');
    assert.equal(formatHtml('{{}} {}', '&').value, '{} &amp;');
  });

  test('errors say what is wrong and how to fix it', () => {
    assert.throws(() => formatHtml('{} {}', 'one'), { message: 'formatHtml(): the field {} #2 has no argument.' });
    assert.throws(() => formatHtml('{3}', 'one'), { message: 'formatHtml(): the field {3} has no argument.' });
    assert.throws(() => formatHtml('{name}', 'x'), {
      message: 'formatHtml(): the field {name} has no value; pass { name: ... } as the last argument.',
    });
    assert.throws(() => formatHtml('a } b'), {
      message: `formatHtml(): a single '}' in "a } b"; write '}}' for a literal brace.`,
    });
    assert.throws(() => formatHtml('{:.2f}', 1), /does not support conversions or format specs/);
  });

  test('formatHtmlJoin', () => {
    const out = formatHtmlJoin('\n', '<li>{} {}</li>', [
      ['Ada', '<Lovelace>'],
      ['Alan', markSafe('<b>Turing</b>')],
    ]);
    assert.equal(out.value, '<li>Ada &lt;Lovelace&gt;</li>\n<li>Alan <b>Turing</b></li>');
    assert.equal(formatHtmlJoin('<br>', '{}', [['a'], ['b']]).value, 'a&lt;br&gt;b');
  });
});

describe('text to HTML', () => {
  test('linebreaks', () => {
    assert.equal(linebreaks('a\nb\n\nc'), '<p>a<br>b</p>\n\n<p>c</p>');
    assert.equal(linebreaks('<x>\r\ny', true), '<p>&lt;x&gt;<br>y</p>');
  });

  test('stripTags', () => {
    assert.equal(stripTags('<p>Hello <b>world</b>!</p>'), 'Hello world!');
    assert.equal(stripTags('<adf>a<asdf>b</adf>c<!-- x -->d'), 'abcd');
    assert.equal(stripTags('a < b > c'), 'a < b > c');
    assert.equal(stripTags('<sc<script>ript>x</script>'), 'ript>x');
    assert.throws(() => stripTags('<x' + '<'.repeat(60) + 'a'.repeat(1000)), SuspiciousOperation);
  });

  test('stripSpacesBetweenTags, avoidWrapping', () => {
    assert.equal(stripSpacesBetweenTags('<p> <b> x </b>\n</p>'), '<p><b> x </b></p>');
    assert.equal(avoidWrapping('10 minutes'), '10\xa0minutes');
  });

  test('urlize', () => {
    assert.equal(
      urlize('See www.djangoproject.com.', { nofollow: true }),
      'See <a href="http://www.djangoproject.com" rel="nofollow">www.djangoproject.com</a>.',
    );
    assert.equal(urlize('(http://x.org/a_(b))'), '(<a href="http://x.org/a_(b)">http://x.org/a_(b)</a>)');
    assert.equal(urlize('me@example.com'), '<a href="mailto:me@example.com">me@example.com</a>');
    assert.equal(
      urlize('<x> http://a.com/é', { autoescape: true }),
      '&lt;x&gt; <a href="http://a.com/%C3%A9">http://a.com/é</a>',
    );
    assert.equal(
      urlize('http://example.com/long/path', { trimUrlLimit: 10 }),
      '<a href="http://example.com/long/path">http://ex…</a>',
    );
    assert.equal(urlize('http://bücher.de'), '<a href="http://xn--bcher-kva.de">http://bücher.de</a>');
  });

  test('smartUrlquote', () => {
    assert.equal(smartUrlquote('http://example.com/a b?q=x y&r=é'), 'http://example.com/a%20b?q=x+y&r=%C3%A9');
    assert.equal(smartUrlquote('http://example.com/%20already'), 'http://example.com/%20already');
  });

  test('jsonScript', () => {
    const out = jsonScript({ a: '</script>', b: [1, 2.5, null, true], c: 'é' }, 'id"x');
    assert.ok(out instanceof SafeString);
    assert.equal(
      out.value,
      '<script id="id&quot;x" type="application/json">{"a": "\\u003C/script\\u003E", "b": [1, 2.5, null, true], "c": "\\u00e9"}</script>',
    );
  });
});
