/**
 * HTTP helpers, as Django's `django.utils.http`: HTTP dates (RFC 9110 §5.6.7), ETags
 * (RFC 9110 §8.8.3), and the check that a redirect target stays on an allowed host.
 */

/** An HTTP date (RFC 9110 §5.6.7): `Thu, 01 Jan 1970 00:00:00 GMT`. */
export function httpDate(date: Date | number): string {
  return (typeof date === 'number' ? new Date(date) : date).toUTCString();
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const MON = '(\\w{3})';
const RFC1123 = new RegExp(`^\\w{3}, (\\d{2}) ${MON} (\\d{4}) ${TIME} GMT$`);
const RFC850 = new RegExp(`^\\w{6,9}, (\\d{2})-${MON}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^\\w{3} ${MON} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Seconds since the epoch for an HTTP date in any of the three formats RFC 9110 §5.6.7 requires
 * recipients to accept (IMF-fixdate, RFC 850, asctime).
 * @throws RangeError when the text is not such a date.
 * @example parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'); // 784111777
 */
export function parseHttpDate(text: string): number {
  let day: string, month: string, year: number, clock: string[];
  let m: RegExpExecArray | null;
  if ((m = RFC1123.exec(text))) {
    [day, month, year, clock] = [m[1]!, m[2]!, Number(m[3]), m.slice(4, 7)];
  } else if ((m = RFC850.exec(text))) {
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century.
    const current = new Date().getUTCFullYear();
    year = Number(m[3]) + 100 * Math.floor(current / 100);
    if (year > current + 50) year -= 100;
    [day, month, clock] = [m[1]!, m[2]!, m.slice(4, 7)];
  } else if ((m = ASCTIME.exec(text))) {
    [month, day, clock, year] = [m[1]!, m[2]!.trim(), m.slice(3, 6), Number(m[6])];
  } else {
    throw new RangeError(`${JSON.stringify(text)} is not in a valid HTTP date format.`);
  }
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  const [hh, mm, ss] = clock.map(Number) as [number, number, number];
  if (monthIndex === -1 || hh > 23 || mm > 59 || ss > 60 || Number(day) < 1 || Number(day) > 31) {
    throw new RangeError(`${JSON.stringify(text)} is not in a valid HTTP date format.`);
  }
  return Date.UTC(year, monthIndex, Number(day), hh, mm, ss) / 1000;
}

/** As `parseHttpDate`, but undefined instead of an error. */
export function parseHttpDateSafe(text: string | undefined | null): number | undefined {
  if (text === undefined || text === null) return undefined;
  try {
    return parseHttpDate(text);
  } catch {
    return undefined;
  }
}

const ETAG = /^((?:W\/)?"[^"]*")$/;

/**
 * The ETags of an `If-Match` / `If-None-Match` value: `['*']`, or the valid quoted tags (weak
 * ones keep their `W/`); invalid entries are skipped.
 */
export function parseEtags(header: string): string[] {
  if (header.trim() === '*') return ['*'];
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => ETAG.test(tag));
}

/** Wraps a tag in quotes unless it already is a valid (possibly weak) ETag. */
export function quoteEtag(tag: string): string {
  return ETAG.test(tag) ? tag : `"${tag}"`;
}

/**
 * Whether `host` (lower-case, without port) matches `pattern`: exactly, or as a subdomain when
 * the pattern starts with a dot (`.example.com` matches `example.com` and `a.example.com`).
 */
export function isSameDomain(host: string, pattern: string): boolean {
  if (pattern === '') return false;
  const p = pattern.toLowerCase();
  return (p.startsWith('.') && (host.endsWith(p) || host === p.slice(1))) || p === host;
}

/**
 * Escapes a leading `//` as `/%2F`, so a path built from user input is never read as a
 * scheme-relative URL to another host (Django's `escape_leading_slashes`).
 */
export function escapeLeadingSlashes(url: string): string {
  return url.startsWith('//') ? '/%2F' + url.slice(2) : url;
}

const SCHEME_CHARS = /^[A-Za-z0-9+.-]+$/;

/**
 * The scheme and host of a URL as Django 3.2's `_urlsplit` reads them: a scheme is whatever
 * precedes the first `:` when it is made of scheme characters (lower-cased); the host follows
 * `//` up to `/`, `?` or `#`. Undefined for an unbalanced IPv6 bracket (Python's ValueError).
 */
function splitUrl(url: string): { scheme: string; netloc: string } | undefined {
  let rest = url;
  let scheme = '';
  const colon = url.indexOf(':');
  if (colon > 0 && SCHEME_CHARS.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    rest = url.slice(colon + 1);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end === -1 ? rest.slice(2) : rest.slice(2, 2 + end);
    if (netloc.includes('[') !== netloc.includes(']')) return undefined;
  }
  return { scheme, netloc };
}

function allowedOne(url: string, allowedHosts: ReadonlySet<string>, requireHttps: boolean): boolean {
  // Browsers read three or more slashes as a host-relative URL.
  if (url.startsWith('///')) return false;
  const parts = splitUrl(url);
  if (parts === undefined) return false;
  const { scheme, netloc } = parts;
  // `http:///example.com`: a scheme without a host, which browsers still read as a host.
  if (netloc === '' && scheme !== '') return false;
  // Browsers ignore leading control characters and may read what follows as scheme-relative.
  if (/^\p{C}/u.test(url)) return false;
  const effectiveScheme = scheme === '' && netloc !== '' ? 'http' : scheme;
  const validSchemes = requireHttps ? ['https'] : ['http', 'https'];
  return (
    (netloc === '' || allowedHosts.has(netloc)) && (effectiveScheme === '' || validSchemes.includes(effectiveScheme))
  );
}

/** What Python's `str.strip()` removes: Unicode whitespace, and the separators \x1c-\x1f. */
const PY_WHITESPACE =
  '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+';
const PY_SPACE = new RegExp(`^${PY_WHITESPACE}|${PY_WHITESPACE}$`, 'g');

/**
 * Whether a URL (a `next` parameter, say) is safe to redirect to: a relative URL, or one on an
 * allowed host with an http(s) scheme (https only with `requireHttps`), as Django 3.2's
 * `url_has_allowed_host_and_scheme`. The URL must pass as given and as browsers read it: with
 * backslashes as slashes (as Django), and with TAB, CR and LF removed (the WHATWG URL parser drops
 * them anywhere, so `/\t/evil.com` is `//evil.com`; Django 3.2 accepts it, later Django refuses it
 * through Python's urlsplit, and so does tsgi).
 *
 * @example
 * urlHasAllowedHostAndScheme(next, [request.getHost()], request.isSecure()) ? next : '/'
 */
export function urlHasAllowedHostAndScheme(
  url: string | null | undefined,
  allowedHosts: Iterable<string> | string | null,
  requireHttps = false,
): boolean {
  const stripped = (url ?? '').replace(PY_SPACE, '');
  if (stripped === '') return false;
  const hosts = new Set(typeof allowedHosts === 'string' ? [allowedHosts] : (allowedHosts ?? []));
  const asRead = stripped.replace(/[\t\r\n]/g, '');
  for (const candidate of asRead === stripped ? [stripped] : [stripped, asRead]) {
    if (candidate === '') return false;
    if (!allowedOne(candidate, hosts, requireHttps)) return false;
    if (!allowedOne(candidate.replace(/\\/g, '/'), hosts, requireHttps)) return false;
  }
  return true;
}
