/**
 * URL encodings as Django's `django.utils.encoding` (`iriToUri`, `punycode`), with the parts of
 * Python's `urllib.parse` they and utils/html stand on (`quote`, `unquote`, `urlsplit`, ...), so
 * that the `urlencode`, `iriencode` and `urlize` filters quote exactly as Django does.
 */
const ALWAYS_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~';
const encoder = new TextEncoder();

/**
 * Python's `urllib.parse.quote()`: percent-encodes the UTF-8 bytes of every character outside
 * letters, digits, `_.-~` and `safe` (default `'/'`).
 *
 * @example
 * quote('a b/ü'); // 'a%20b/%C3%BC'
 */
export function quote(text: string, safe = '/'): string {
  let out = '';
  for (const char of text) {
    if (char.length === 1 && (ALWAYS_SAFE.includes(char) || (char.charCodeAt(0) < 128 && safe.includes(char)))) {
      out += char;
      continue;
    }
    const cp = char.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      throw new RangeError(`'utf-8' codec can't encode character '\\u${cp.toString(16)}': surrogates not allowed`);
    }
    for (const byte of encoder.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Python's `quote_plus()`: `quote()` with spaces as `+`. */
export function quotePlus(text: string, safe = ''): string {
  return text.includes(' ') ? quote(text, safe + ' ').replaceAll(' ', '+') : quote(text, safe);
}

const utf8 = new TextDecoder('utf-8');

/** Python's `urllib.parse.unquote()`: `%XX` runs decoded as UTF-8, bad bytes as U+FFFD. */
export function unquote(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return utf8.decode(bytes);
  });
}

/** Python's `parse_qsl(query, keep_blank_values=True)`. */
export function parseQsl(query: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const field of query ? query.split('&') : []) {
    if (!field) continue;
    const eq = field.indexOf('=');
    const name = eq < 0 ? field : field.slice(0, eq);
    const value = eq < 0 ? '' : field.slice(eq + 1);
    pairs.push([unquote(name.replaceAll('+', ' ')), unquote(value.replaceAll('+', ' '))]);
  }
  return pairs;
}

/** Python's `urlencode(pairs)`: `quote_plus` on both sides. */
export function urlencode(pairs: Iterable<[string, string]>): string {
  return [...pairs].map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&');
}

/** A URL split as Python's `urlsplit()` splits it. */
export interface SplitUrl {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

const SCHEME_CHARS = /^[A-Za-z][A-Za-z0-9+\-.]*$/;

/** Python's `urlsplit()`; throws a ValueError-like `RangeError` for unbalanced IPv6 brackets. */
export function urlsplit(url: string): SplitUrl {
  // eslint-disable-next-line no-control-regex
  let rest = url.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  let netloc = '';
  let query = '';
  let fragment = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && SCHEME_CHARS.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  if (rest.startsWith('//')) {
    let end = rest.length;
    for (const delimiter of '/?#') {
      const at = rest.indexOf(delimiter, 2);
      if (at >= 0) end = Math.min(end, at);
    }
    netloc = rest.slice(2, end);
    rest = rest.slice(end);
    if (netloc.includes('[') !== netloc.includes(']')) throw new RangeError('Invalid IPv6 URL');
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const question = rest.indexOf('?');
  if (question >= 0) {
    query = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }
  return { scheme, netloc, path: rest, query, fragment };
}

const USES_NETLOC = new Set([
  '',
  'ftp',
  'http',
  'gopher',
  'nntp',
  'telnet',
  'imap',
  'wais',
  'file',
  'mms',
  'https',
  'shttp',
  'snews',
  'prospero',
  'rtsp',
  'rtspu',
  'rsync',
  'svn',
  'svn+ssh',
  'sftp',
  'nfs',
  'git',
  'git+ssh',
  'ws',
  'wss',
]);

/** Python's `urlunsplit()`. */
export function urlunsplit({ scheme, netloc, path, query, fragment }: SplitUrl): string {
  let url = path;
  if (netloc || (scheme && USES_NETLOC.has(scheme) && !url.startsWith('//'))) {
    if (url && !url.startsWith('/')) url = '/' + url;
    url = '//' + netloc + url;
  }
  if (scheme) url = `${scheme}:${url}`;
  if (query) url += `?${query}`;
  if (fragment) url += `#${fragment}`;
  return url;
}

// -- IDNA 2003, as Python's idna codec ---------------------------------------------------------

const BASE = 36;

/** RFC 3492's Bootstring encoding of a label (the part after `xn--`). */
function punycodeEncode(label: string): string {
  const input = [...label].map((c) => c.codePointAt(0)!);
  let out = input
    .filter((c) => c < 0x80)
    .map((c) => String.fromCharCode(c))
    .join('');
  const basic = out.length;
  let handled = basic;
  if (basic) out += '-';
  const digit = (d: number) => String.fromCharCode(d < 26 ? 97 + d : 22 + d);
  let n = 128;
  let delta = 0;
  let bias = 72;
  const adapt = (d: number, points: number, first: boolean) => {
    d = first ? Math.floor(d / 700) : d >> 1;
    d += Math.floor(d / points);
    let k = 0;
    while (d > ((BASE - 1) * 26) >> 1) {
      d = Math.floor(d / (BASE - 1));
      k += BASE;
    }
    return k + Math.floor((BASE * d) / (d + 38));
  };
  while (handled < input.length) {
    const m = Math.min(...input.filter((c) => c >= n));
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of input) {
      if (c < n) delta++;
      if (c !== n) continue;
      let q = delta;
      for (let k = BASE; ; k += BASE) {
        const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
        if (q < t) break;
        out += digit(t + ((q - t) % (BASE - t)));
        q = Math.floor((q - t) / (BASE - t));
      }
      out += digit(q);
      bias = adapt(delta, handled + 1, handled === basic);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return out;
}

// These are invisible joiners and variation selectors: a class of single code points, on purpose.
// eslint-disable-next-line no-misleading-character-class
const MAPPED_TO_NOTHING = /[\u00ad\u034f\u1806\u180b-\u180d\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff]/gu;
const PROHIBITED =
  /[\p{Cn}\p{Co}\p{Cs}\u0080-\u009f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2063\u206a-\u206f\u3000\ufff9-\ufffd\u{e0001}\u{e0020}-\u{e007f}\u{fdd0}-\u{fdef}]/u;
const RAND_AL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
const FOLD = (text: string) => [...text].map((c) => c.toUpperCase().toLowerCase()).join('');

/** RFC 3491's nameprep, close enough for Django's uses: mapping, case folding, NFKC, the prohibited characters and the bidi rule. */
function nameprep(label: string): string {
  const mapped = FOLD(FOLD(label.replace(MAPPED_TO_NOTHING, '')).normalize('NFKC')).normalize('NFKC');
  if (PROHIBITED.test(mapped))
    throw new RangeError(`The domain label ${JSON.stringify(label)} has a prohibited character.`);
  const chars = [...mapped];
  if (chars.some((c) => RAND_AL.test(c))) {
    const letters = chars.filter((c) => /\p{L}/u.test(c));
    if (letters.some((c) => !RAND_AL.test(c)) || !RAND_AL.test(chars[0]!) || !RAND_AL.test(chars[chars.length - 1]!)) {
      throw new RangeError(`The domain label ${JSON.stringify(label)} violates the bidi rule of IDNA.`);
    }
  }
  return mapped;
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

function toAscii(label: string): string {
  let ascii = label;
  if (!ASCII.test(label)) {
    ascii = nameprep(label);
    if (!ASCII.test(ascii)) {
      if (/^xn--/i.test(ascii)) throw new RangeError('Label starts with ACE prefix');
      ascii = `xn--${punycodeEncode(ascii)}`;
    }
  }
  if (ascii.length === 0 || ascii.length > 63) throw new RangeError('label empty or too long');
  return ascii;
}

/**
 * A domain in its ASCII (IDNA 2003) form, as Django's `punycode()` (Python's `idna` codec):
 * ASCII labels kept as they are, others nameprepped and punycoded; a RangeError for an empty
 * or over-long label or a prohibited character.
 *
 * @example
 * punycode('bücher.example'); // 'xn--bcher-kva.example'
 */
export function punycode(domain: string): string {
  if (ASCII.test(domain)) {
    const labels = domain.split('.');
    for (const label of labels.slice(0, -1)) {
      if (label.length === 0 || label.length > 63) throw new RangeError('label empty or too long');
    }
    if (labels[labels.length - 1]!.length > 63) throw new RangeError('label too long');
    return domain;
  }
  const labels = domain.split(/[.\u3002\uff0e\uff61]/);
  const trailing = labels.length > 1 && labels[labels.length - 1] === '' ? labels.pop() : undefined;
  return labels.map(toAscii).join('.') + (trailing === undefined ? '' : '.');
}

/**
 * Percent-encodes what a URI may not contain, keeping the characters RFC 3987 §3.1 allows and
 * existing `%XX` escapes, as Django's `iri_to_uri` (the `iriencode` filter).
 *
 * @example
 * iriToUri('/blog/for/Jürgen Münster/'); // '/blog/for/J%C3%BCrgen%20M%C3%BCnster/'
 */
export function iriToUri(iri: string): string {
  return quote(iri, "/#%[]=:;$&()+,!?*@'~");
}
