/**
 * Case-insensitive header maps: `ResponseHeaders` (validated as they are set, so a response can
 * never be split, RFC 9112 §2.2) and `HttpHeaders` (a request's headers, read from the environ as
 * Django's `request.headers`).
 */
import { BadHeaderError } from './exceptions.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\0-\x08\x0a-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const NON_LATIN1 = /[^\x00-\xff]/;

/** A header value as given: strings, numbers and the like are converted with `String()`. */
export type HeaderValue = string | number | bigint | boolean;

const PLAIN_VALUE = /^[\t\x20-\x7e]*$/;
/** Names already checked: the same few names are set on every response. */
const knownNames = new Set<string>();

/** Checks a header name and converts a value to what can go on the wire; throws BadHeaderError. */
export function checkHeader(name: string, value: HeaderValue): string {
  if (typeof value === 'string' && knownNames.has(name) && PLAIN_VALUE.test(value)) return value;
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    if (typeof name === 'string' && /[\r\n]/.test(name)) {
      throw new BadHeaderError(`Header names can't contain newlines (got ${JSON.stringify(name)}).`);
    }
    throw new BadHeaderError(
      `${JSON.stringify(name)} is not a valid header name: use letters, digits and !#$%&'*+-.^_\`|~ (RFC 9110 §5.1).`,
    );
  }
  if (knownNames.size < 1000) knownNames.add(name);
  let text = String(value);
  if (text.includes('\n') || text.includes('\r')) {
    throw new BadHeaderError(
      `Header values can't contain newlines (got ${JSON.stringify(text)} for header '${name}').`,
    );
  }
  if (CONTROL.test(text)) {
    throw new BadHeaderError(
      `Header values can't contain control characters (got ${JSON.stringify(text)} for header '${name}').`,
    );
  }
  // As Django: text beyond Latin-1 is MIME-encoded (RFC 2047) rather than sent as raw bytes.
  if (NON_LATIN1.test(text)) text = `=?utf-8?b?${Buffer.from(text, 'utf8').toString('base64')}?=`;
  return text;
}

/**
 * Whether `value` goes on the wire as it is under `name` (a valid name, no control characters,
 * Latin-1 only): such a pair may be set with the `*KnownHeader` functions.
 */
export function isWireReady(name: string, value: string): boolean {
  try {
    return checkHeader(name, value) === value;
  } catch {
    return false;
  }
}

// The framework's own header writes (Content-Type, Content-Length, the security headers), for
// the request path: `key` is `name` lower-cased and the pair passed `isWireReady()`, so neither
// is checked again. Objects that are not ResponseHeaders (a duck-typed response) get the public
// methods. Assigned in ResponseHeaders' static block, which can reach its private map.
/** Sets a checked header (see above); internal to the framework. */
export let setKnownHeader: (headers: ResponseHeaders, key: string, name: string, value: string) => void;
/** Sets a checked header unless present (Django's `setdefault`); internal to the framework. */
export let setDefaultKnownHeader: (headers: ResponseHeaders, key: string, name: string, value: string) => void;
/** Whether a header is present, by its lower-cased name; internal to the framework. */
export let hasKnownHeader: (headers: ResponseHeaders, key: string) => boolean;
/** A header's value by its lower-cased name, or `undefined`; internal to the framework. */
export let getKnownHeader: (headers: ResponseHeaders, key: string) => string | undefined;
/** The stored `[name, value]` pairs (not copies: treat them as read-only); internal to the framework. */
export let headerPairs: (headers: ResponseHeaders) => Array<[string, string]>;

/**
 * A response's headers: names compare case-insensitively and keep the case they were first set
 * with; values are checked when set.
 *
 * @example
 * response.headers.set('Cache-Control', 'no-cache');
 * response.headers.get('cache-control'); // 'no-cache'
 */
export class ResponseHeaders implements Iterable<[string, string]> {
  // One array, in the order headers were first set: at 2i the lower-cased name, at 2i + 1 the
  // `[name as first set, value]` pair. Searched linearly rather than a Map: a response has a
  // handful of headers, and a Map costs more to create and grow than a scan of six short
  // strings; one array rather than two (names, pairs) halves what growing them allocates (the
  // first push makes room for 17 entries). A pair is never changed once stored (set() stores a
  // new one), so the framework may hand the stored pairs to the server as they are.
  #data: Array<string | [string, string]> = [];

  #index(key: string): number {
    const data = this.#data;
    for (let i = 0; i < data.length; i += 2) if (data[i] === key) return i;
    return -1;
  }

  #store(key: string, name: string, value: string): void {
    const data = this.#data;
    const index = this.#index(key);
    if (index === -1) data.push(key, [name, value]);
    else data[index + 1] = [(data[index + 1] as [string, string])[0], value];
  }

  static {
    // `#data in headers` is false for a duck-typed headers object: it gets the public methods.
    setKnownHeader = (headers, key, name, value) => {
      const other: ResponseHeaders = headers;
      if (!(#data in headers)) return other.set(name, value);
      headers.#store(key, name, value);
    };
    setDefaultKnownHeader = (headers, key, name, value) => {
      const other: ResponseHeaders = headers;
      if (!(#data in headers)) return other.setDefault(name, value);
      if (headers.#index(key) === -1) headers.#data.push(key, [name, value]);
    };
    hasKnownHeader = (headers, key) => {
      const other: ResponseHeaders = headers;
      return #data in headers ? headers.#index(key) !== -1 : other.has(key);
    };
    getKnownHeader = (headers, key) => {
      const other: ResponseHeaders = headers;
      if (!(#data in headers)) return other.get(key);
      const index = headers.#index(key);
      return index === -1 ? undefined : (headers.#data[index + 1] as [string, string])[1];
    };
    headerPairs = (headers) => {
      const other: ResponseHeaders = headers;
      if (!(#data in headers)) return other.entries();
      const data = headers.#data;
      const list = new Array<[string, string]>(data.length >> 1);
      for (let i = 1; i < data.length; i += 2) list[i >> 1] = data[i] as [string, string];
      return list;
    };
  }

  constructor(init?: Iterable<readonly [string, HeaderValue]> | Record<string, HeaderValue>) {
    if (init === undefined || init === null) return;
    const pairs = Symbol.iterator in init ? (init as Iterable<readonly [string, HeaderValue]>) : Object.entries(init);
    for (const [name, value] of pairs) this.set(name, value);
  }

  get(name: string): string | undefined {
    const index = this.#index(name.toLowerCase());
    return index === -1 ? undefined : (this.#data[index + 1] as [string, string])[1];
  }

  /** Sets (replaces) a header. @throws BadHeaderError for CR/LF or an invalid name. */
  set(name: string, value: HeaderValue): void {
    const text = checkHeader(name, value);
    this.#store(name.toLowerCase(), name, text);
  }

  /** Sets a header only if it is not set yet (Django's `setdefault`). */
  setDefault(name: string, value: HeaderValue): void {
    if (!this.has(name)) this.set(name, value);
  }

  has(name: string): boolean {
    return this.#index(name.toLowerCase()) !== -1;
  }

  delete(name: string): boolean {
    const index = this.#index(name.toLowerCase());
    if (index === -1) return false;
    this.#data.splice(index, 2);
    return true;
  }

  get size(): number {
    return this.#data.length >> 1;
  }

  keys(): string[] {
    const data = this.#data;
    const out: string[] = [];
    for (let i = 1; i < data.length; i += 2) out.push((data[i] as [string, string])[0]);
    return out;
  }

  /** `[name, value]` pairs in the order headers were first set. */
  entries(): Array<[string, string]> {
    const data = this.#data;
    const out: Array<[string, string]> = [];
    for (let i = 1; i < data.length; i += 2) {
      const [name, value] = data[i] as [string, string];
      out.push([name, value]);
    }
    return out;
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    return this.entries()[Symbol.iterator]();
  }
}

/**
 * A request's headers, built from the environ's `HTTP_*` keys plus `CONTENT_TYPE` and
 * `CONTENT_LENGTH`, as Django's `HttpHeaders`. Lookups are case-insensitive and accept `-` or
 * `_`; iteration yields names as `Content-Type`, `X-Forwarded-For`.
 */
export class HttpHeaders implements Iterable<[string, string]> {
  #map = new Map<string, [string, string]>();

  constructor(environ: Record<string, unknown> = {}) {
    for (const [key, value] of Object.entries(environ)) {
      if (typeof value !== 'string') continue;
      let name: string | undefined;
      if (key.startsWith('HTTP_')) name = key.slice(5);
      else if (key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH') name = key;
      if (name === undefined) continue;
      const pretty = name
        .split('_')
        .map((part) => part.charAt(0) + part.slice(1).toLowerCase())
        .join('-');
      this.#map.set(pretty.toLowerCase(), [pretty, value]);
    }
  }

  static #key(name: string): string {
    return name.replace(/_/g, '-').toLowerCase();
  }

  get(name: string): string | undefined {
    return this.#map.get(HttpHeaders.#key(name))?.[1];
  }

  has(name: string): boolean {
    return this.#map.has(HttpHeaders.#key(name));
  }

  keys(): string[] {
    return [...this.#map.values()].map(([name]) => name);
  }

  entries(): Array<[string, string]> {
    return [...this.#map.values()].map(([name, value]) => [name, value]);
  }

  get size(): number {
    return this.#map.size;
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    return this.entries()[Symbol.iterator]();
  }
}
