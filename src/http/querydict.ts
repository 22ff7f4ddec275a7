/**
 * `QueryDict`, as Django's: the parsed query string or urlencoded form, multi-valued and
 * immutable unless copied. Parsing follows Python's `parse_qsl(keep_blank_values=True)`, which
 * Django uses: pairs split on `&` only, `+` is a space, invalid percent-escapes stay as they are,
 * invalid UTF-8 becomes U+FFFD.
 */
import { TooManyFieldsSent } from '../core/exceptions.ts';
import { MultiValueDict } from '../utils/datastructures.ts';
import { charsetDecoder, type Decoder } from './charset.ts';

/** Thrown when an immutable QueryDict is changed. */
export class ImmutableQueryDictError extends TypeError {
  override name = 'ImmutableQueryDictError';
}

/** Options of the QueryDict constructor. */
export interface QueryDictOptions {
  mutable?: boolean;
  /** The charset of percent-escaped bytes; utf-8 by default. */
  encoding?: string;
  /** Refuse more fields than this (DATA_UPLOAD_MAX_NUMBER_FIELDS); null for no limit. */
  maxNumFields?: number | null;
}

const HEX_DIGIT = /^[0-9A-Fa-f]$/;

/** Python's `unquote_to_bytes` of an ASCII run: `%XX` becomes the byte, anything else stays. */
function unquoteToBytes(run: string): Uint8Array {
  const bytes = new Uint8Array(run.length);
  let n = 0;
  for (let i = 0; i < run.length; i++) {
    const code = run.charCodeAt(i);
    if (code === 37 && HEX_DIGIT.test(run.charAt(i + 1)) && HEX_DIGIT.test(run.charAt(i + 2))) {
      bytes[n++] = parseInt(run.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      bytes[n++] = code;
    }
  }
  return bytes.subarray(0, n);
}

const utf8: Decoder = (bytes, errors) => new TextDecoder('utf-8', { fatal: errors === 'strict' }).decode(bytes);

/**
 * Decodes `+` and percent-escapes as Python's `unquote_plus(encoding, errors='replace')`, which
 * Django's query parsing uses: each run of ASCII characters becomes bytes (`%XX` unescaped,
 * invalid escapes kept) decoded with the charset as a whole; other characters stay as they are.
 */
export function unquotePlus(text: string, encoding = 'utf-8'): string {
  if (!text.includes('%')) return text.includes('+') ? text.replace(/\+/g, ' ') : text;
  const input = text.replace(/\+/g, ' ');
  const decode = charsetDecoder(encoding) ?? utf8;
  let out = '';
  let i = 0;
  while (i < input.length) {
    let end = i;
    const ascii = input.charCodeAt(i) < 0x80;
    while (end < input.length && input.charCodeAt(end) < 0x80 === ascii) end++;
    out += ascii ? decode(unquoteToBytes(input.slice(i, end)), 'replace') : input.slice(i, end);
    i = end;
  }
  return out;
}

/** Splits a query string into pairs, as Python's `parse_qsl(keep_blank_values=True)`. */
export function parseQsl(
  query: string,
  encoding = 'utf-8',
  maxNumFields: number | null = null,
): Array<[string, string]> {
  if (maxNumFields !== null) {
    let fields = 1;
    for (let i = query.indexOf('&'); i !== -1; i = query.indexOf('&', i + 1)) fields++;
    if (fields > maxNumFields) {
      throw new TooManyFieldsSent(
        `The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS (${maxNumFields}). ` +
          'Send fewer fields, or raise the setting if such requests are legitimate.',
      );
    }
  }
  const pairs: Array<[string, string]> = [];
  if (query === '') return pairs;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([unquotePlus(name, encoding), unquotePlus(value, encoding)]);
  }
  return pairs;
}

/** Characters Python's `quote` never escapes. */
const ALWAYS_SAFE = /[A-Za-z0-9_.\-~]/;

/** Percent-encodes as Python's `quote` (or `quote_plus`, turning spaces into `+`). */
export function quote(text: string, safe = '', plus = false): string {
  let out = '';
  for (const char of text) {
    if (ALWAYS_SAFE.test(char) || safe.includes(char)) out += char;
    else if (plus && char === ' ') out += '+';
    else for (const byte of Buffer.from(char, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * A query string or form, parsed.
 *
 * @example
 * const q = new QueryDict('a=1&a=2&b=x+y');
 * q.get('a');        // '2'
 * q.getlist('a');    // ['1', '2']
 * const m = q.copy(); m.set('c', '3'); m.urlencode(); // 'a=1&a=2&b=x+y&c=3'
 */
export class QueryDict extends MultiValueDict<string> {
  #mutable = true;
  readonly encoding: string;

  constructor(query: string | Uint8Array | null = null, options: QueryDictOptions = {}) {
    super();
    this.encoding = options.encoding ?? 'utf-8';
    let text = '';
    if (query instanceof Uint8Array) {
      // As Django: bytes that are not valid in the encoding are read as ISO-8859-1.
      try {
        text = (charsetDecoder(this.encoding) ?? utf8)(query, 'strict');
      } catch {
        text = Buffer.from(query.buffer, query.byteOffset, query.byteLength).toString('latin1');
      }
    } else if (query !== null) {
      text = query;
    }
    for (const [key, value] of parseQsl(text, this.encoding, options.maxNumFields ?? null)) this.appendlist(key, value);
    this.#mutable = options.mutable ?? false;
  }

  /** A QueryDict with each key set to `value`. */
  static fromKeys(keys: Iterable<string>, value = '', options: QueryDictOptions = {}): QueryDict {
    const q = new QueryDict(null, { ...options, mutable: true });
    for (const key of keys) q.appendlist(key, value);
    if (options.mutable !== true) q.#mutable = false;
    return q;
  }

  /** A QueryDict holding these `[key, values]` lists (immutable unless `mutable` is set). */
  static fromLists(lists: Iterable<[string, string[]]>, options: QueryDictOptions = {}): QueryDict {
    const q = new QueryDict(null, { ...options, mutable: true });
    for (const [key, values] of lists) q.setlist(key, values);
    if (options.mutable !== true) q.#mutable = false;
    return q;
  }

  get mutable(): boolean {
    return this.#mutable;
  }

  protected override assertMutable(): void {
    if (!this.#mutable) {
      throw new ImmutableQueryDictError('This QueryDict instance is immutable: change a copy (query.copy()) instead.');
    }
  }

  /** A mutable copy. */
  copy(): QueryDict {
    const q = new QueryDict(null, { mutable: true, encoding: this.encoding });
    for (const [key, values] of this.lists()) q.setlist(key, values);
    return q;
  }

  /**
   * Encodes the dict as a query string; `safe` lists characters left unescaped (then spaces
   * become `%20`, as Django's `urlencode(safe)`).
   */
  urlencode(safe?: string): string {
    const out: string[] = [];
    for (const [key, values] of this.lists()) {
      for (const value of values) {
        out.push(
          safe === undefined
            ? `${quote(key, '', true)}=${quote(value, '', true)}`
            : `${quote(key, safe)}=${quote(value, safe)}`,
        );
      }
    }
    return out.join('&');
  }

  override toString(): string {
    return this.urlencode();
  }
}
