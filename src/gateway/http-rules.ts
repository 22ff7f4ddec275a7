/**
 * The HTTP rules of the gateway, each stated once (RFC 9110, RFC 9112, docs/spec.md §3.1 and §4):
 * hop-by-hop fields, field names and values, status lines and reason phrases, and the decoding of
 * a request path. The node:http exchange, the validator, both Fetch adapters, the test client and
 * the production server's strict parser all use these. Web standards only: the Fetch adapters
 * run this module in workerd, Deno and Bun.
 */
import { describe } from './describe.ts';
import type { HeaderList } from './types.ts';

/**
 * Connection-specific fields (RFC 9110 §7.6.1, RFC 9112 §6.1, RFC 9113 §8.2.2): they describe one
 * hop, so an application never sends them and neither adapter passes them on. docs/spec.md §4.2
 * lists the same names (test/gateway/http-rules.test.ts holds them equal).
 * `Trailers` is RFC 2616's spelling of `Trailer`, which PEP 3333's wsgiref still refuses;
 * `HTTP2-Settings` belongs to the h2c upgrade (RFC 7540 §3.2.1).
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** The names a `Connection` field lists: hop-by-hop too (RFC 9110 §7.6.1). */
export function connectionTokens(value: string | null | undefined): Set<string> {
  const tokens = new Set<string>();
  for (const token of (value ?? '').split(',')) {
    const name = token.trim().toLowerCase();
    if (name) tokens.add(name);
  }
  return tokens;
}

/** A field name, a method: an HTTP token (RFC 9110 §5.6.2). */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Digits only: a Content-Length (RFC 9110 §8.6), a port. */
export const DIGITS = /^\d+$/;

/** Control characters other than HTAB: never in a field value or a reason phrase (RFC 9110 §5.5, §15). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Statuses whose response never has content (RFC 9110 §6.4.1; Fetch's "null body status"). */
export function isNullBodyStatus(code: number): boolean {
  return code === 204 || code === 205 || code === 304 || (code >= 100 && code < 200);
}

/**
 * The reason phrases of RFC 9110 §15 (and of the registry for 102, 103, 207, 208, 226, 506-511),
 * for a response that names none.
 */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a Teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  509: 'Bandwidth Limit Exceeded',
  510: 'Not Extended',
  511: 'Network Authentication Required',
};

// Status lines seen before, parsed: an application sends the same few again and again.
const parsedStatuses = new Map<string, readonly [code: number, reason: string]>();

/**
 * Parses the status an application gives `startResponse` (spec §4.1): three digits, a space and a
 * reason phrase without control characters. A server may send codes 200 to 999 and an empty
 * reason phrase, so those pass; a 1xx is refused (the server owns informational responses).
 * @throws Error a sentence naming the bad status.
 * @example parseStatus('404 Not Found') // [404, 'Not Found']
 */
export function parseStatus(status: unknown): readonly [code: number, reason: string] {
  if (typeof status === 'string') {
    const seen = parsedStatuses.get(status);
    if (seen !== undefined) return seen;
    if (/^[1-9]\d\d /.test(status) && !CONTROL.test(status)) {
      const code = Number(status.slice(0, 3));
      if (code < 200) {
        throw new Error(
          `startResponse() got the status ${JSON.stringify(status)}: a 1xx status is informational and cannot be the final response (spec §4.1).`,
        );
      }
      const parsed = [code, status.slice(4)] as const;
      // Bounded: reason phrases are the application's to choose.
      if (parsedStatuses.size < 256) parsedStatuses.set(status, parsed);
      return parsed;
    }
  }
  throw new Error(
    `startResponse() got the status ${typeof status === 'string' ? JSON.stringify(status) : describe(status)}: a status is three digits, a space and a reason phrase, e.g. "200 OK" (spec §4.1).`,
  );
}

// The lengths of the names checkHeaders() must look at: a header of another length is neither
// hop-by-hop nor Content-Length, so most headers are passed over without lower-casing them.
const CHECKED_LENGTHS = new Set([...HOP_BY_HOP, 'content-length'].map((name) => name.length));

/**
 * Checks the headers an application gives `startResponse` (spec §4.2): `[name, value]` pairs of
 * strings, no hop-by-hop field, at most one Content-Length, a non-negative integer. Returns that
 * length, or -1. Field syntax (tokens, control characters) is left to whoever writes the fields:
 * node:http and the Fetch `Headers` refuse them, the validator names them.
 * @throws TypeError or Error, a sentence naming the bad header.
 */
export function checkHeaders(headers: HeaderList): number {
  if (!Array.isArray(headers)) {
    throw new TypeError(
      `startResponse() takes the headers as an array of [name, value] pairs, not ${describe(headers)} (spec §4.2).`,
    );
  }
  let declared = -1;
  for (const pair of headers) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new TypeError(
        `startResponse() got the header ${describe(pair)}: each header is a [name, value] pair of strings (spec §4.2).`,
      );
    }
    const name = pair[0];
    if (CHECKED_LENGTHS.has(name.length)) {
      const lower = name === 'Content-Length' ? 'content-length' : name.toLowerCase();
      if (HOP_BY_HOP.has(lower)) {
        throw new Error(
          `startResponse() got the hop-by-hop header ${JSON.stringify(name)}: connection management belongs to the server; remove it (spec §4.2).`,
        );
      }
      if (lower === 'content-length') {
        const value = pair[1].trim();
        if (!/^\d{1,15}$/.test(value) || declared >= 0) {
          throw new Error(
            declared >= 0
              ? 'startResponse() got two Content-Length headers: send one (spec §4.2).'
              : `startResponse() got the Content-Length ${JSON.stringify(pair[1])}: it must be a non-negative integer (spec §4.2).`,
          );
        }
        declared = Number(value);
      }
    }
  }
  return declared;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** The length of the valid UTF-8 sequence at `bytes[i]`, or 0 when it is invalid (RFC 3629 §4). */
function utf8Length(bytes: readonly number[], i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf) => j < bytes.length && bytes[j]! >= lo && bytes[j]! <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

/** The code point of the valid `length`-byte UTF-8 sequence at `bytes[i]`. */
function codePoint(bytes: readonly number[], i: number, length: number): number {
  const b0 = bytes[i]!;
  if (length === 1) return b0;
  let point = b0 & (0xff >> (length + 1));
  for (let j = 1; j < length; j++) point = (point << 6) | (bytes[i + j]! & 0x3f);
  return point;
}

/**
 * Percent-decodes a request path as UTF-8 (spec §3.1). A byte that is not part of a valid UTF-8
 * sequence keeps its `%XX` escape as received, so nothing is lost and the result is a valid
 * string; a `%` not followed by two hex digits stays as it is.
 *
 * @example
 * decodePath('/caf%C3%A9/%FF') // '/café/%FF'
 */
export function decodePath(path: string): string {
  let percent = path.indexOf('%');
  if (percent < 0) return path;
  let out = path.slice(0, percent);
  let i = percent;
  while (i < path.length) {
    if (
      path.charCodeAt(i) === 37 &&
      i + 2 < path.length &&
      hexValue(path.charCodeAt(i + 1)) >= 0 &&
      hexValue(path.charCodeAt(i + 2)) >= 0
    ) {
      // A run of %XX escapes: decoded as one UTF-8 byte sequence.
      const start = i;
      const bytes: number[] = [];
      while (i + 2 < path.length && path.charCodeAt(i) === 37) {
        const hi = hexValue(path.charCodeAt(i + 1));
        const lo = hexValue(path.charCodeAt(i + 2));
        if (hi < 0 || lo < 0) break;
        bytes.push(hi * 16 + lo);
        i += 3;
      }
      for (let j = 0; j < bytes.length;) {
        const length = utf8Length(bytes, j);
        if (length === 0) {
          out += path.slice(start + 3 * j, start + 3 * j + 3);
          j += 1;
        } else {
          out += String.fromCodePoint(codePoint(bytes, j, length));
          j += length;
        }
      }
      continue;
    }
    percent = path.indexOf('%', i + 1);
    const next = percent < 0 ? path.length : percent;
    out += path.slice(i, next);
    i = next;
  }
  return out;
}
