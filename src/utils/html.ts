/**
 * HTML utilities, as Django's `django.utils.html`: escaping (`escape`, `conditionalEscape`),
 * building markup safely (`formatHtml`, `formatHtmlJoin`), and the text-to-HTML helpers the
 * template filters use (`linebreaks`, `stripTags`, `urlize`, `escapejs`, `jsonScript`,
 * `avoidWrapping`).
 *
 * Escaping uses Django's entities: `&amp; &lt; &gt; &quot; &#x27;`.
 */
import type * as EntitiesDecode from 'entities/decode';
import { SuspiciousOperation } from '../core/exceptions.ts';
import { punycode, parseQsl, quote, unquote, urlencode, urlsplit, urlunsplit } from './encoding.ts';
import { stripOnce } from './htmlparser.ts';
import { djangoJsonDumps } from './json.ts';
import { PY_WHITESPACE, codePoints, pyStr } from './python.ts';
import { SafeString, markSafe } from './safestring.ts';
import { normalizeNewlines } from './text.ts';

export { SafeString, markSafe };

let entities: typeof EntitiesDecode | undefined;

/** Python's `html.unescape()` (HTML5 named and numeric references), loaded on first use: only urlize needs it. */
function unescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  entities ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)(
    'entities/decode',
  ) as typeof EntitiesDecode;
  return entities.decodeHTML(text);
}

const SPECIAL = /[&<>"']/;

/**
 * `text` with `& < > " '` replaced by Django's entities; the same string when there is nothing
 * to replace (no copy). The string-to-string core of `escape()`, for hot paths such as a
 * template engine's autoescaping.
 */
export function escapeText(text: string): string {
  // The regex scan finds the first special character fastest (most text has none); from there
  // a loop over the characters beats replace() with a callback.
  const first = text.search(SPECIAL);
  if (first < 0) return text;
  let out = '';
  let last = 0;
  for (let i = first; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 0x26:
        entity = '&amp;';
        break;
      case 0x3c:
        entity = '&lt;';
        break;
      case 0x3e:
        entity = '&gt;';
        break;
      case 0x22:
        entity = '&quot;';
        break;
      case 0x27:
        entity = '&#x27;';
        break;
      default:
        continue;
    }
    out += text.slice(last, i) + entity;
    last = i + 1;
  }
  return out + text.slice(last);
}

/**
 * Escapes `& < > " '` in the text of `value` (always, even if it is already safe: use
 * `conditionalEscape` to leave safe strings alone) and marks the result safe.
 *
 * @example
 * escape('<b>"Tom" & \'Jerry\'</b>'); // '&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;'
 */
export function escape(value: unknown): SafeString {
  return new SafeString(escapeText(typeof value === 'string' ? value : pyStr(value)));
}

/** An object that renders itself as HTML (the `__html__` convention of Django and markupsafe). */
export interface HtmlRenderable {
  __html__(): string;
}

function isHtmlRenderable(value: unknown): value is HtmlRenderable {
  return typeof value === 'object' && value !== null && typeof (value as HtmlRenderable).__html__ === 'function';
}

/**
 * Escapes `value` unless it is already safe: a `SafeString` (or an object with `__html__()`) is
 * returned as it is.
 *
 * @example
 * conditionalEscape(markSafe('<b>ok</b>')); // '<b>ok</b>'
 * conditionalEscape('<b>'); // '&lt;b&gt;'
 */
export function conditionalEscape(value: unknown): SafeString {
  if (value instanceof SafeString) return value;
  if (isHtmlRenderable(value)) return markSafe(String(value.__html__()));
  return escape(value);
}

const FIELD = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;

/**
 * Builds HTML from a `str.format`-style template: every argument is escaped with
 * `conditionalEscape`, the result is safe. Fields are `{}` (next argument), `{0}` (by position) or
 * `{name}` (from a last argument that is a plain object); `{{` and `}}` are literal braces.
 *
 * @example
 * formatHtml('<a href="{}">{}</a>', url, title);
 * formatHtml('<b>{name}</b>', { name: user.name });
 */
export function formatHtml(format: string, ...args: unknown[]): SafeString {
  const last = args[args.length - 1];
  const named =
    typeof last === 'object' && last !== null && Object.getPrototypeOf(last) === Object.prototype
      ? (last as Record<string, unknown>)
      : undefined;
  let auto = 0;
  const out = format.replace(FIELD, (match, field: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (field === undefined)
      throw new SyntaxError(
        `formatHtml(): a single '${match}' in ${JSON.stringify(format)}; write '${match}${match}' for a literal brace.`,
      );
    const name = field;
    if (/[!:]/.test(name)) {
      throw new TypeError(
        `formatHtml() does not support conversions or format specs ({${name}}): format the value first.`,
      );
    }
    if (name === '') {
      if (auto >= args.length) throw new RangeError(`formatHtml(): the field {} #${auto + 1} has no argument.`);
      return conditionalEscape(args[auto++]).value;
    }
    if (/^\d+$/.test(name)) {
      const index = Number(name);
      if (index >= args.length) throw new RangeError(`formatHtml(): the field {${name}} has no argument.`);
      return conditionalEscape(args[index]).value;
    }
    if (named === undefined || !Object.hasOwn(named, name)) {
      throw new RangeError(
        `formatHtml(): the field {${name}} has no value; pass { ${name}: ... } as the last argument.`,
      );
    }
    return conditionalEscape(named[name]).value;
  });
  return new SafeString(out);
}

/**
 * `formatHtml(format, ...args)` for each entry of `argsList`, joined with `separator` (escaped
 * unless safe).
 *
 * @example
 * formatHtmlJoin('\n', '<li>{} {}</li>', users.map((u) => [u.firstName, u.lastName]));
 */
export function formatHtmlJoin(separator: unknown, format: string, argsList: Iterable<unknown[]>): SafeString {
  const parts = [...argsList].map((args) => formatHtml(format, ...args).value);
  return new SafeString(parts.join(conditionalEscape(separator).value));
}

/**
 * Paragraphs (`<p>`) from blank-line-separated text, `<br>` for single newlines (Django's
 * `linebreaks`); the text is escaped first when `autoescape`.
 */
export function linebreaks(value: unknown, autoescape = false): string {
  const paragraphs = normalizeNewlines(pyStr(value)).split(/\n{2,}/);
  return paragraphs.map((p) => `<p>${(autoescape ? escape(p).value : p).replaceAll('\n', '<br>')}</p>`).join('\n\n');
}

const MAX_STRIP_TAGS_DEPTH = 50;
const LONG_OPEN_TAG = /<[a-zA-Z][^>]{1000,}/g;

const count = (text: string, c: string) => text.split(c).length - 1;

/**
 * The text of `value` without its HTML tags and comments (Django's `strip_tags`, which parses as
 * Python's html.parser does, repeating until nothing more is removed). Entities are kept as
 * they are. Raises SuspiciousOperation on input nested deeply enough to be an attack.
 *
 * @example
 * stripTags('<p>Hello <b>world</b>!</p>'); // 'Hello world!'
 */
export function stripTags(value: unknown): string {
  let text = pyStr(value);
  for (const m of text.matchAll(LONG_OPEN_TAG)) {
    if (count(m[0], '<') >= MAX_STRIP_TAGS_DEPTH) {
      throw new SuspiciousOperation('stripTags() refused an opening tag nested more than 50 deep.');
    }
  }
  let depth = 0;
  while (text.includes('<') && text.includes('>')) {
    if (depth >= MAX_STRIP_TAGS_DEPTH) {
      throw new SuspiciousOperation('stripTags() refused markup that still had tags after 50 passes.');
    }
    const stripped = stripOnce(text);
    if (count(text, '<') === count(stripped, '<')) break;
    text = stripped;
    depth += 1;
  }
  return text;
}

/** The HTML with the whitespace between tags removed (Django's `strip_spaces_between_tags`). */
export function stripSpacesBetweenTags(value: unknown): string {
  return pyStr(value).replace(new RegExp(`>${PY_WHITESPACE}+<`, 'gu'), '><');
}

/** Spaces as no-break spaces, so that a short phrase never wraps (Django's `avoid_wrapping`). */
export function avoidWrapping(value: string): string {
  return value.replaceAll(' ', '\xa0');
}

const JS_ESCAPES: Record<string, string> = {
  '\\': '\\u005C',
  "'": '\\u0027',
  '"': '\\u0022',
  '>': '\\u003E',
  '<': '\\u003C',
  '&': '\\u0026',
  '=': '\\u003D',
  '-': '\\u002D',
  ';': '\\u003B',
  '`': '\\u0060',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};
for (let c = 0; c < 32; c++) JS_ESCAPES[String.fromCharCode(c)] = `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
// eslint-disable-next-line no-control-regex
const JS_ESCAPE_RE = /[\\'"<>&=\-;`\u2028\u2029\x00-\x1f]/g;

/**
 * The text with the characters that could end a JavaScript string or a `<script>` written as
 * `\uXXXX` escapes (Django's `escapejs`); safe to put between quotes in a script, not an
 * attribute.
 */
export function escapejs(value: unknown): SafeString {
  return new SafeString(pyStr(value).replace(JS_ESCAPE_RE, (c) => JS_ESCAPES[c]!));
}

/**
 * `value` as JSON inside `<script id="..." type="application/json">`, with `<`, `>` and `&`
 * escaped so that the data cannot close the script (Django's `json_script`). Read it with
 * `JSON.parse(document.getElementById(id).textContent)`.
 */
export function jsonScript(value: unknown, elementId: unknown): SafeString {
  const json = djangoJsonDumps(value).replace(/[<>&]/g, (c) =>
    c === '<' ? '\\u003C' : c === '>' ? '\\u003E' : '\\u0026',
  );
  return formatHtml('<script id="{}" type="application/json">{}</script>', elementId, markSafe(json));
}

// -- urlize ------------------------------------------------------------------------------------

const WRAPPING_PUNCTUATION: Array<[string, string]> = [
  ['(', ')'],
  ['[', ']'],
];
const WORD_SPLIT = new RegExp(`([${PY_WHITESPACE.slice(1, -1)}<>"']+)`, 'u');
const SIMPLE_URL = /^https?:\/\/\[?[\p{L}\p{N}_]/iu;
const SIMPLE_URL_2 = /^www\.|^(?!http)[\p{L}\p{N}_][^@]+\.(com|edu|gov|int|mil|net|org)($|\/.*)$/iu;
const MAX_URL_LENGTH = 2048;
const GENDELIMS = ':/?#[]@';
const SUBDELIMS = "!$&'()*+,;=";

/** Quotes a URL unless it is already quoted (Django's `smart_urlquote`). */
export function smartUrlquote(url: string): string {
  const unquoteQuote = (segment: string) => quote(unquote(segment), SUBDELIMS + GENDELIMS + '~');
  let parts;
  try {
    parts = urlsplit(url);
  } catch {
    return unquoteQuote(url);
  }
  try {
    parts.netloc = punycode(parts.netloc);
  } catch {
    return unquoteQuote(url);
  }
  if (parts.query) parts.query = urlencode(parseQsl(parts.query));
  parts.path = unquoteQuote(parts.path);
  parts.fragment = unquoteQuote(parts.fragment);
  return urlunsplit(parts);
}

const len = (s: string) => codePoints(s).length;
const cpSlice = (s: string, start: number, end?: number) => codePoints(s).slice(start, end).join('');

function trimPunctuation(lead: string, middle: string, trail: string): [string, string, string] {
  let trimmed = true;
  while (trimmed) {
    trimmed = false;
    for (const [opening, closing] of WRAPPING_PUNCTUATION) {
      if (middle.startsWith(opening)) {
        middle = middle.slice(opening.length);
        lead += opening;
        trimmed = true;
      }
      if (middle.endsWith(closing) && count(middle, closing) === count(middle, opening) + 1) {
        middle = middle.slice(0, -closing.length);
        trail = closing + trail;
        trimmed = true;
      }
    }
    // Trailing punctuation (.,:;!) is trimmed on the unescaped text, so that `&lt;` keeps its `;`.
    const unescaped = unescapeHtml(middle);
    const stripped = unescaped.replace(/[.,:;!]+$/, '');
    if (unescaped !== stripped) {
      trail = cpSlice(middle, len(stripped)) + trail;
      middle = cpSlice(middle, 0, len(stripped) - len(unescaped));
      trimmed = true;
    }
  }
  return [lead, middle, trail];
}

function isEmailSimple(value: string): boolean {
  if (!value.includes('@') || value.startsWith('@') || value.endsWith('@')) return false;
  const parts = value.split('@');
  if (parts.length !== 2) return false;
  const domain = parts[1]!;
  if (len(domain) > 63) return false;
  return domain.includes('.') && !domain.startsWith('.');
}

/** Options of `urlize()`. */
export interface UrlizeOptions {
  /** Link text longer than this is cut to `limit - 1` characters and `…`. */
  trimUrlLimit?: number | null;
  /** Adds `rel="nofollow"` to web links. */
  nofollow?: boolean;
  /** Escapes the text around and inside the links (a SafeString input is never escaped). */
  autoescape?: boolean;
}

/**
 * Turns the URLs (`http://`, `https://`, `www.`, bare domains of the original gTLDs) and email
 * addresses in plain text into links (Django's `urlize`); punctuation around a link stays outside it.
 *
 * @example
 * urlize('See www.djangoproject.com.', { nofollow: true });
 * // 'See <a href="http://www.djangoproject.com" rel="nofollow">www.djangoproject.com</a>.'
 */
export function urlize(text: unknown, options: UrlizeOptions = {}): string {
  const { trimUrlLimit = null, nofollow = false, autoescape = false } = options;
  const safeInput = text instanceof SafeString;
  const trimUrl = (x: string) => {
    if (trimUrlLimit === null || len(x) <= trimUrlLimit) return x;
    return `${cpSlice(x, 0, Math.max(0, trimUrlLimit - 1))}…`;
  };
  const words = pyStr(text).split(WORD_SPLIT);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.includes('.') || word.includes('@') || word.includes(':')) {
      const trimmedParts = trimPunctuation('', word, '');
      let [lead, , trail] = trimmedParts;
      const middle = trimmedParts[1];
      let url: string | undefined;
      let nofollowAttr = nofollow ? ' rel="nofollow"' : '';
      if (len(middle) <= MAX_URL_LENGTH && SIMPLE_URL.test(middle)) url = smartUrlquote(unescapeHtml(middle));
      else if (len(middle) <= MAX_URL_LENGTH && SIMPLE_URL_2.test(middle)) {
        url = smartUrlquote(`http://${unescapeHtml(middle)}`);
      } else if (!middle.includes(':') && isEmailSimple(middle)) {
        const at = middle.lastIndexOf('@');
        let domain: string;
        try {
          domain = punycode(middle.slice(at + 1));
        } catch {
          continue; // Django leaves the word as it is, unescaped
        }
        url = `mailto:${middle.slice(0, at)}@${domain}`;
        nofollowAttr = '';
      }
      if (url) {
        let trimmed = trimUrl(middle);
        if (autoescape && !safeInput) {
          lead = escape(lead).value;
          trail = escape(trail).value;
          trimmed = escape(trimmed).value;
        }
        words[i] = `${lead}<a href="${escape(url).value}"${nofollowAttr}>${trimmed}</a>${trail}`;
      } else if (!safeInput && autoescape) words[i] = escape(word).value;
    } else if (!safeInput && autoescape) words[i] = escape(word).value;
  }
  return words.join('');
}
