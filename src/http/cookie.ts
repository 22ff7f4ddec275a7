/**
 * Cookies: the `Set-Cookie` value of a response cookie (RFC 6265 §4.1) and the parsing of a
 * request's `Cookie` header as Django's `parse_cookie` does.
 *
 * Values outside the cookie-octet set are quoted as Python's `http.cookies` does (`"..."` with
 * `\ooo` octal escapes), so tsgi and Django read each other's cookies; non-ASCII text is
 * escaped byte by byte as UTF-8 and decoded back by `parseCookie`.
 */
import { httpDate } from '../utils/http.ts';

/** Characters a cookie name or unquoted value may hold (Python's `_LegalChars`). */
const LEGAL = /^[A-Za-z0-9!#$%&'*+\-.^_`|~:]*$/;
/** Characters that stay unescaped inside a quoted value (Python adds ` ()/<=>?@[]{}`). */
const QUOTED_SAFE = /[A-Za-z0-9!#$%&'*+\-.^_`|~: ()/<=>?@[\]{}]/;
const RESERVED = new Set([
  'expires',
  'path',
  'comment',
  'domain',
  'max-age',
  'secure',
  'httponly',
  'version',
  'samesite',
  'partitioned',
]);

/** The `SameSite` attribute (RFC 6265bis §4.1.2.7). */
export type SameSite = 'Lax' | 'Strict' | 'None';

/** Options of `setCookie`, as Django's `set_cookie`. */
export interface CookieOptions {
  /** Seconds until the cookie expires; also sets `expires` when that is not given. */
  maxAge?: number | null;
  /** A Date, or a preformatted HTTP date string. */
  expires?: Date | string | null;
  path?: string | null;
  domain?: string | null;
  secure?: boolean;
  httponly?: boolean;
  /** `'Lax'`, `'Strict'` or `'None'` (any case); `false`/null for no attribute. */
  samesite?: string | false | null;
}

function quote(value: string): string {
  // An empty value is written `""`, as Python does.
  if (value !== '' && LEGAL.test(value)) return value;
  let out = '"';
  for (const char of value) {
    if (char === '"' || char === '\\') out += '\\' + char;
    else if (QUOTED_SAFE.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += '\\' + byte.toString(8).padStart(3, '0');
  }
  return out + '"';
}

/** Undoes `quote`: strips the quotes and decodes `\ooo` and `\x` escapes (as UTF-8). */
export function unquote(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value;
  const inner = value.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i]!;
    if (char === '\\' && /^[0-3][0-7]{2}$/.test(inner.slice(i + 1, i + 4))) {
      bytes.push(parseInt(inner.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (char === '\\' && i + 1 < inner.length) {
      bytes.push(...Buffer.from(inner[++i]!, 'utf8'));
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A response cookie: one `Set-Cookie` header. */
export class ResponseCookie {
  readonly name: string;
  value: string;
  maxAge: number | null = null;
  expires: string | null = null;
  path: string | null = '/';
  domain: string | null = null;
  secure = false;
  httponly = false;
  samesite: SameSite | null = null;

  constructor(name: string, value: string) {
    if (name === '' || !LEGAL.test(name) || RESERVED.has(name.toLowerCase())) {
      throw new Error(
        `${JSON.stringify(name)} is not a valid cookie name: use letters, digits and !#$%&'*+-.^_\`|~: ` +
          'and not an attribute name (Path, Domain, Expires, ...).',
      );
    }
    this.name = name;
    this.value = value;
  }

  /** The `Set-Cookie` header value, attributes in the order Python's `http.cookies` writes them. */
  toHeader(): string {
    let out = `${this.name}=${quote(this.value)}`;
    if (this.domain !== null) out += `; Domain=${this.domain}`;
    if (this.expires !== null) out += `; expires=${this.expires}`;
    if (this.httponly) out += '; HttpOnly';
    if (this.maxAge !== null) out += `; Max-Age=${this.maxAge}`;
    if (this.path !== null) out += `; Path=${this.path}`;
    if (this.samesite !== null) out += `; SameSite=${this.samesite}`;
    if (this.secure) out += '; Secure';
    return out;
  }

  toString(): string {
    return this.toHeader();
  }
}

/**
 * Builds a response cookie from Django's `set_cookie` arguments.
 * @throws Error for a bad name, a bad SameSite value, a non-finite maxAge, or maxAge with a Date expires.
 */
export function makeCookie(name: string, value: string, options: CookieOptions = {}): ResponseCookie {
  const cookie = new ResponseCookie(name, String(value));
  const { maxAge = null, expires = null } = options;
  for (const [attr, attrValue] of [
    ['path', options.path],
    ['domain', options.domain],
  ] as const) {
    if (typeof attrValue === 'string' && /[;\r\n\0]/.test(attrValue)) {
      throw new Error(`The cookie ${attr} ${JSON.stringify(attrValue)} can't contain ';', CR, LF or NUL.`);
    }
  }
  if (expires instanceof Date) {
    if (maxAge !== null) {
      throw new Error(`'expires' and 'maxAge' can't be used together (cookie '${name}'): give one of them.`);
    }
    // As Django: a Date becomes both a Max-Age (for clients that prefer it) and an expires.
    cookie.maxAge = Math.max(0, Math.round((expires.getTime() - Date.now()) / 1000));
    cookie.expires = httpDate(expires);
  } else if (typeof expires === 'string') {
    cookie.expires = expires;
  }
  if (maxAge !== null) {
    if (typeof maxAge !== 'number' || !Number.isFinite(maxAge)) {
      throw new Error(`maxAge must be a finite number of seconds, got ${String(maxAge)} (cookie '${name}').`);
    }
    cookie.maxAge = Math.trunc(maxAge);
    if (expires === null) cookie.expires = httpDate(Date.now() + cookie.maxAge * 1000);
  }
  if (options.path !== undefined) cookie.path = options.path;
  if (options.domain !== undefined && options.domain !== null) cookie.domain = options.domain;
  cookie.secure = options.secure === true;
  cookie.httponly = options.httponly === true;
  if (options.samesite !== undefined && options.samesite !== null && options.samesite !== false) {
    const canonical = { lax: 'Lax', strict: 'Strict', none: 'None' }[String(options.samesite).toLowerCase()] as
      SameSite | undefined;
    if (canonical === undefined) {
      throw new Error(
        `samesite must be "lax", "none", or "strict", got ${JSON.stringify(options.samesite)} (cookie '${name}').`,
      );
    }
    cookie.samesite = canonical;
  }
  return cookie;
}

/**
 * Parses a `Cookie` header into name → value, as Django's `parse_cookie`: pairs split on `;`, a
 * chunk without `=` is a value with an empty name (as browsers send it), quoted values are
 * unquoted, and a later duplicate name wins.
 *
 * @example
 * parseCookie('a=1; b="x y"'); // { a: '1', b: 'x y' }
 */
export function parseCookie(header: string): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const chunk of header.split(';')) {
    const eq = chunk.indexOf('=');
    const key = (eq === -1 ? '' : chunk.slice(0, eq)).trim();
    const value = (eq === -1 ? chunk : chunk.slice(eq + 1)).trim();
    if (key === '__proto__')
      Object.defineProperty(cookies, key, {
        value: unquote(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else if (key !== '' || value !== '') cookies[key] = unquote(value);
  }
  return cookies;
}
