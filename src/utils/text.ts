/**
 * Text utilities, as Django's `django.utils.text`: `capfirst`, `wrap`, `Truncator` (plain and
 * HTML-aware), `slugify`, `phone2numeric`, `normalizeNewlines`; and Python's `str.title()`,
 * which the `title` filter stands on.
 */
import { percentFormat } from './printf.ts';
import { PY_WHITESPACE, codePoints, pySplit, pyStrLen, pyStrip } from './python.ts';

/**
 * The first character upper-cased, the rest untouched (Django's `capfirst`).
 *
 * @example
 * capfirst('hello world'); // 'Hello world'
 */
export function capfirst(text: string): string {
  if (!text) return text;
  const first = String.fromCodePoint(text.codePointAt(0)!);
  return first.toUpperCase() + text.slice(first.length);
}

/** CRLF and CR newlines as LF (Django's `normalize_newlines`). */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n|\r/g, '\n');
}

const PHONE: Record<string, string> = {};
for (const [digit, letters] of Object.entries({
  2: 'abc',
  3: 'def',
  4: 'ghi',
  5: 'jkl',
  6: 'mno',
  7: 'pqrs',
  8: 'tuv',
  9: 'wxyz',
})) {
  for (const letter of letters) PHONE[letter] = digit;
}

/**
 * A phone number's letters as their keypad digits (Django's `phone2numeric`); the result is
 * lower-cased, as Django's.
 *
 * @example
 * phone2numeric('0800 FLOWERS'); // '0800 3569377'
 */
export function phone2numeric(phone: string): string {
  let out = '';
  for (const c of phone.toLowerCase()) out += PHONE[c] ?? c;
  return out;
}

/**
 * A slug: ASCII (unless `allowUnicode`), lower case, runs of spaces and hyphens as one hyphen,
 * anything but letters, digits, underscores and hyphens removed, and no leading or trailing
 * hyphen or underscore (Django's `slugify`).
 *
 * @example
 * slugify(' Joel is a slug '); // 'joel-is-a-slug'
 */
export function slugify(value: string, allowUnicode = false): string {
  let text = String(value);
  if (allowUnicode) text = text.normalize('NFKC');
  // eslint-disable-next-line no-control-regex
  else text = text.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  text = text.toLowerCase().replace(new RegExp(`[^\\p{L}\\p{N}_${PY_WHITESPACE.slice(1, -1)}-]`, 'gu'), '');
  return text.replace(new RegExp(`[-${PY_WHITESPACE.slice(1, -1)}]+`, 'gu'), '-').replace(/^[-_]+|[-_]+$/g, '');
}

const CASED = /[\p{Lowercase}\p{Uppercase}\p{Lt}]/u;
const DIGRAPH_TITLE: Record<string, string> = {
  Ǆ: 'ǅ',
  ǅ: 'ǅ',
  ǆ: 'ǅ',
  Ǉ: 'ǈ',
  ǈ: 'ǈ',
  ǉ: 'ǈ',
  Ǌ: 'ǋ',
  ǋ: 'ǋ',
  ǌ: 'ǋ',
  Ǳ: 'ǲ',
  ǲ: 'ǲ',
  ǳ: 'ǲ',
};

function titleChar(c: string): string {
  const digraph = DIGRAPH_TITLE[c];
  if (digraph) return digraph;
  const upper = c.toUpperCase();
  // A letter whose upper case is several letters (ß, ﬁ) is title-cased as Upper + lower.
  const chars = codePoints(upper);
  return chars.length > 1 ? chars[0]! + chars.slice(1).join('').toLowerCase() : upper;
}

/** Python's `str.title()`: each run of cased letters starts upper case, the rest lower case. */
export function pyTitle(text: string): string {
  let out = '';
  let previousCased = false;
  for (const c of text) {
    out += previousCased ? c.toLowerCase() : titleChar(c);
    previousCased = CASED.test(c);
  }
  return out;
}

// -- wrap --------------------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/g;

/** Python's `str.splitlines(keepends=True)`. */
export function splitlinesKeepEnds(text: string): string[] {
  const lines: string[] = [];
  let at = 0;
  for (const m of text.matchAll(LINE_BREAK)) {
    lines.push(text.slice(at, m.index + m[0].length));
    at = m.index + m[0].length;
  }
  if (at < text.length) lines.push(text.slice(at));
  return lines;
}

function expandTabs(text: string, size = 8): string {
  let out = '';
  let column = 0;
  for (const c of text) {
    if (c === '\t') {
      const spaces = size - (column % size);
      out += ' '.repeat(spaces);
      column += spaces;
    } else {
      out += c;
      column = c === '\n' || c === '\r' ? 0 : column + 1;
    }
  }
  return out;
}

/** Python's `textwrap.TextWrapper(width, break_long_words=False, break_on_hyphens=False).wrap(line)`. */
function wrapLine(line: string, width: number): string[] {
  // eslint-disable-next-line no-control-regex
  const munged = expandTabs(line).replace(/[\t\n\x0b\x0c\r]/g, ' ');
  // eslint-disable-next-line no-control-regex
  const chunks = munged.split(/([\t\n\x0b\x0c\r ]+)/).filter((c) => c !== '');
  chunks.reverse();
  const lines: string[] = [];
  const blank = (s: string) => pyStrip(s) === '';
  while (chunks.length) {
    const current: string[] = [];
    let length = 0;
    if (blank(chunks[chunks.length - 1]!) && lines.length) chunks.pop();
    while (chunks.length) {
      const size = pyStrLen(chunks[chunks.length - 1]!);
      if (length + size <= width) {
        current.push(chunks.pop()!);
        length += size;
      } else break;
    }
    // A word longer than the width goes alone on its line, unbroken.
    if (chunks.length && pyStrLen(chunks[chunks.length - 1]!) > width && current.length === 0) {
      current.push(chunks.pop()!);
    }
    if (current.length && blank(current[current.length - 1]!)) current.pop();
    if (current.length) lines.push(current.join(''));
  }
  return lines;
}

/**
 * Wraps text at `width` columns, keeping existing line breaks and never breaking a word
 * (Django's `wrap`, the `wordwrap` filter).
 *
 * @example
 * wrap('Joel is a slug', 5); // 'Joel\nis a\nslug'
 */
export function wrap(text: string, width: number): string {
  if (width <= 0) throw new RangeError(`invalid width ${width} (must be > 0)`);
  return splitlinesKeepEnds(text)
    .flatMap((line) => wrapLine(line, width))
    .join('\n');
}

// -- Truncator ---------------------------------------------------------------------------------

const COMBINING = /\p{Mn}/u;
const HTML4_SINGLETS = new Set(['br', 'col', 'link', 'base', 'img', 'param', 'area', 'hr', 'input']);
const RE_CHARS = /<[^>]+?>|(.)/gsu;
const RE_PRT = new RegExp(`<|([^<>${PY_WHITESPACE.slice(1, -1)}]+)`, 'gu');
const RE_NOTAG = new RegExp(`([^<>${PY_WHITESPACE.slice(1, -1)}]+)`, 'gu');
const RE_TAG = new RegExp(
  `^<(/)?([^${PY_WHITESPACE.slice(1, -1)}]+?)(?:(${PY_WHITESPACE}*/)|${PY_WHITESPACE}.*?)?>$`,
  'su',
);

interface WordMatch {
  text: string;
  end: number;
  word: boolean;
}

/** The next word or tag from `pos` (Django's WordsRegex, linear on `<<<<`). */
function nextWord(text: string, pos: number): WordMatch | undefined {
  RE_PRT.lastIndex = pos;
  const partial = RE_PRT.exec(text);
  if (!partial) return undefined;
  if (partial[1] !== undefined) return { text: partial[0], end: RE_PRT.lastIndex, word: true };
  const close = text.indexOf('>', partial.index + 1);
  if (close < 0) {
    RE_NOTAG.lastIndex = pos + 1;
    const word = RE_NOTAG.exec(text);
    return word ? { text: word[0], end: RE_NOTAG.lastIndex, word: true } : undefined;
  }
  return { text: text.slice(partial.index, close + 1), end: close + 1, word: false };
}

function nextChar(text: string, pos: number): WordMatch | undefined {
  RE_CHARS.lastIndex = pos;
  const m = RE_CHARS.exec(text);
  if (!m) return undefined;
  return { text: m[0], end: RE_CHARS.lastIndex, word: m[1] !== undefined };
}

/**
 * Truncates text by characters or words, plain or HTML (tags kept and closed), as Django's
 * `Truncator`.
 *
 * @example
 * new Truncator('The quick brown fox').words(2); // 'The quick…'
 * new Truncator('<p>The <b>quick</b> fox</p>').chars(6, undefined, true); // '<p>The q…</p>'
 */
export class Truncator {
  /** HTML beyond this many characters is cut before truncating (Django's MAX_LENGTH_HTML). */
  static readonly MAX_LENGTH_HTML = 5_000_000;
  readonly text: string;

  constructor(text: unknown) {
    this.text = String(text);
  }

  /** `text` with the truncation marker: `truncate` may hold `%(truncated_text)s`; default `…`. */
  addTruncationText(text: string, truncate?: string): string {
    const marker = truncate ?? '%(truncated_text)s…';
    if (marker.includes('%(truncated_text)s')) return percentFormat(marker, { truncated_text: text });
    return text.endsWith(marker) ? text : text + marker;
  }

  /** At most `num` characters (combining marks not counted), the marker included. */
  chars(num: number, truncate?: string, html = false): string {
    const length = Math.trunc(num);
    const text = this.text.normalize('NFC');
    let truncateLength = length;
    for (const c of this.addTruncationText('', truncate)) {
      if (!COMBINING.test(c)) {
        truncateLength -= 1;
        if (truncateLength === 0) break;
      }
    }
    if (html) return this.#truncateHtml(length, truncate, text, truncateLength, false);
    let count = 0;
    let endIndex: number | undefined;
    const chars = codePoints(text);
    for (let i = 0; i < chars.length; i++) {
      if (COMBINING.test(chars[i]!)) continue;
      count += 1;
      if (endIndex === undefined && count > truncateLength) endIndex = i;
      if (count > length) return this.addTruncationText(chars.slice(0, endIndex ?? 0).join(''), truncate);
    }
    return text;
  }

  /** At most `num` words; plain text is re-joined with single spaces, HTML keeps its layout. */
  words(num: number, truncate?: string, html = false): string {
    const length = Math.trunc(num);
    if (html) return this.#truncateHtml(length, truncate, this.text, length, true);
    const words = pySplit(this.text);
    if (words.length > length) return this.addTruncationText(words.slice(0, length).join(' '), truncate);
    return words.join(' ');
  }

  #truncateHtml(length: number, truncate: string | undefined, input: string, truncateLength: number, words: boolean) {
    if (words && length <= 0) return '';
    let text = input;
    let sizeLimited = false;
    if (text.length > Truncator.MAX_LENGTH_HTML) {
      text = text.slice(0, Truncator.MAX_LENGTH_HTML);
      sizeLimited = true;
    }
    let pos = 0;
    let endTextPos = 0;
    let current = 0;
    let openTags: string[] = [];
    const next = words ? nextWord : nextChar;
    while (current <= length) {
      const m = next(text, pos);
      if (!m) break;
      pos = m.end;
      if (m.word) {
        current += 1;
        if (current === truncateLength) endTextPos = pos;
        continue;
      }
      const tag = RE_TAG.exec(m.text);
      if (!tag || current >= truncateLength) continue;
      const [, closing, rawName, selfClosing] = tag;
      const name = rawName!.toLowerCase();
      if (selfClosing || HTML4_SINGLETS.has(name)) continue;
      if (closing) {
        if (openTags[0] === name) openTags = openTags.slice(1);
      } else openTags.unshift(name);
    }
    const marker = this.addTruncationText('', truncate);
    if (current <= length) {
      if (sizeLimited && marker) text += marker;
      return text;
    }
    let out = text.slice(0, endTextPos);
    if (marker) out += marker;
    for (const tag of openTags) out += `</${tag}>`;
    return out;
  }
}
