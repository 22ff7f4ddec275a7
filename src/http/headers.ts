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
    throw new BadHeaderError(`Header values can't contain newlines (got ${JSON.stringify(text)} for header '${name}').`);
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
  // Lower-cased names and `[name as first set, value]` pairs at the same index, in the order
  // first set. Arrays searched linearly rather than a Map: a response has a handful of headers,
  // and a Map costs more to create and grow than a scan of six short strings. A pair is never
  // changed once stored (set() stores a new one), so the framework may hand the stored pairs to
  // the server as they are.
  #keys: string[] = [];
  #pairs: Array<[string, string]> = [];

  #index(key: string): number {
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }

  #store(key: string, name: string, value: string): void {
    const index = this.#index(key);
    if (index === -1) {
      this.#keys.push(key);
      this.#pairs.push([name, value]);
    } else {
      this.#pairs[index] = [this.#pairs[index]![0], value];
    }
  }

  static {
    // `#keys in headers` is false for a duck-typed headers object: it gets the public methods.
    setKnownHeader = (headers, key, name, value) => {
      const other: ResponseHeaders = headers;
      if (!(#keys in headers)) return other.set(name, value);
      headers.#store(key, name, value);
    };
    setDefaultKnownHeader = (headers, key, name, value) => {
      const other: ResponseHeaders = headers;
      if (!(#keys in headers)) return other.setDefault(name, value);
      if (headers.#index(key) === -1) {
        headers.#keys.push(key);
        headers.#pairs.push([name, value]);
      }
    };
    hasKnownHeader = (headers, key) => {
      const other: ResponseHeaders = headers;
      return #keys in headers ? headers.#index(key) !== -1 : other.has(key);
    };
    headerPairs = (headers) => {
      const other: ResponseHeaders = headers;
      return #keys in headers ? headers.#pairs.slice() : other.entries();
    };
  }

  constructor(init?: Iterable<readonly [string, HeaderValue]> | Record<string, HeaderValue>) {
    if (init === undefined || init === null) return;
    const pairs = Symbol.iterator in init ? (init as Iterable<readonly [string, HeaderValue]>) : Object.entries(init);
    for (const [name, value] of pairs) this.set(name, value);
  }

  get(name: string): string | undefined {
    const index = this.#index(name.toLowerCase());
    return index === -1 ? undefined : this.#pairs[index]![1];
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
    this.#keys.splice(index, 1);
    this.#pairs.splice(index, 1);
    return true;
  }

  get size(): number {
    return this.#keys.length;
  }

  keys(): string[] {
    return this.#pairs.map(([name]) => name);
  }

  /** `[name, value]` pairs in the order headers were first set. */
  entries(): Array<[string, string]> {
    return this.#pairs.map(([name, value]) => [name, value]);
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
