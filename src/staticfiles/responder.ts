/**
 * HTTP semantics of sending one static file, shared by the static files middleware and the
 * gateway wrapper: representation selection by Accept-Encoding, validators and 304
 * (RFC 9110 §13), byte ranges (RFC 9110 §14), caching headers. Pure: headers in, a plan out.
 */
import type { FileSource, HeaderList } from '../gateway/types.ts';
import type { FileVariant, StaticEntry } from './files-index.ts';

/** What to answer: status, headers, and the part of a file to send (none for HEAD/304/416). */
export interface StaticPlan {
  status: number;
  headers: HeaderList;
  file: FileSource | undefined;
  /** The indexed file `file` is a part of (for its bytes in memory); set whenever `file` is. */
  variant?: FileVariant;
}

/** Request headers by lower-case name. */
export type HeaderGetter = (lowerName: string) => string | undefined;

export interface ResponderOptions {
  /** `max-age` for files that are not content-hashed, in seconds (default 60). */
  maxAge?: number;
}

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Whether `coding` is acceptable (q > 0) in an Accept-Encoding value (RFC 9110 §12.5.3). */
export function acceptsEncoding(header: string | undefined, coding: string): boolean {
  if (!header) return false;
  let star: boolean | undefined;
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = (rawName ?? '').trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (name === coding) return q > 0;
    if (name === '*') star = q > 0;
  }
  return star ?? false;
}

function etagMatches(header: string, etag: string): boolean {
  // Weak comparison (RFC 9110 §13.1.2): W/ prefixes ignored.
  const bare = etag.replace(/^W\//, '');
  for (const candidate of header.split(',')) {
    const c = candidate.trim();
    if (c === '*' || c.replace(/^W\//, '') === bare) return true;
  }
  return false;
}

/** `[start, end]` inclusive, `'unsatisfiable'`, or undefined to ignore the header and send it all. */
export function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return undefined;
  const specs = (m[1] as string)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  // Several ranges would need multipart/byteranges; RFC 9110 §14.2 lets a server ignore Range.
  if (specs.length !== 1) return undefined;
  const spec = /^(\d*)-(\d*)$/.exec(specs[0] as string);
  if (!spec || (spec[1] === '' && spec[2] === '')) return undefined;
  if (spec[1] === '') {
    const suffix = Number(spec[2]);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(spec[1]);
  const end = spec[2] === '' ? size - 1 : Math.min(Number(spec[2]), size - 1);
  if (spec[2] !== '' && Number(spec[2]) < start) return undefined; // invalid: ignore (§14.1.1)
  if (start >= size) return 'unsatisfiable';
  return [start, end];
}

/**
 * Plans the answer to a GET or HEAD of `entry`.
 *
 * @example
 * const plan = planStaticResponse(entry, 'GET', (h) => req.headers[h] as string | undefined);
 */
export function planStaticResponse(
  entry: StaticEntry,
  method: string,
  header: HeaderGetter,
  options: ResponderOptions = {},
): StaticPlan {
  if (method !== 'GET' && method !== 'HEAD') {
    return {
      status: 405,
      headers: [
        ['Allow', 'GET, HEAD'],
        ['Content-Type', 'text/plain; charset=utf-8'],
        ['Content-Length', '0'],
      ],
      file: undefined,
    };
  }
  const hasAlternates = entry.br !== undefined || entry.gzip !== undefined;
  const rangeHeader = header('range');
  let chosen: FileVariant = entry.identity;
  let coding: string | undefined;
  // A Range applies to the identity file: resumed downloads and media seeking stay byte-exact.
  if (hasAlternates && rangeHeader === undefined) {
    const accept = header('accept-encoding');
    if (entry.br && acceptsEncoding(accept, 'br')) {
      chosen = entry.br;
      coding = 'br';
    } else if (entry.gzip && acceptsEncoding(accept, 'gzip')) {
      chosen = entry.gzip;
      coding = 'gzip';
    }
  }
  const cacheControl = entry.immutable ? IMMUTABLE_CACHE_CONTROL : `public, max-age=${options.maxAge ?? 60}`;
  const etag = coding ? `"${chosen.etag.slice(1, -1)}-${coding}"` : chosen.etag;
  const base: HeaderList = [
    ['Cache-Control', cacheControl],
    ['ETag', etag],
    ['Last-Modified', chosen.lastModified],
  ];
  if (hasAlternates) base.push(['Vary', 'Accept-Encoding']);

  // RFC 9110 §13.2.2: If-None-Match takes precedence; If-Modified-Since only without it.
  const inm = header('if-none-match');
  const ims = header('if-modified-since');
  let notModified = false;
  if (inm !== undefined) notModified = etagMatches(inm, etag);
  else if (ims !== undefined) {
    const since = Date.parse(ims);
    notModified = !Number.isNaN(since) && chosen.mtimeMs <= since;
  }
  if (notModified) return { status: 304, headers: base, file: undefined };

  const headers: HeaderList = [['Content-Type', entry.contentType], ...base, ['Accept-Ranges', 'bytes']];
  if (coding) headers.push(['Content-Encoding', coding]);
  const size = chosen.size;

  if (rangeHeader !== undefined && ifRangeAllows(header('if-range'), etag, chosen)) {
    const range = parseRange(rangeHeader, size);
    if (range === 'unsatisfiable') {
      return {
        status: 416,
        headers: [
          ['Content-Range', `bytes */${size}`],
          ['Content-Type', 'text/plain; charset=utf-8'],
          ['Content-Length', '0'],
          ...base,
        ],
        file: undefined,
      };
    }
    if (range) {
      const [start, end] = range;
      headers.push(['Content-Range', `bytes ${start}-${end}/${size}`], ['Content-Length', String(end - start + 1)]);
      if (method === 'HEAD') return { status: 206, headers, file: undefined };
      return {
        status: 206,
        headers,
        file: { path: chosen.path, offset: start, length: end - start + 1 },
        variant: chosen,
      };
    }
  }
  headers.push(['Content-Length', String(size)]);
  if (method === 'HEAD' || size === 0) return { status: 200, headers, file: undefined };
  return { status: 200, headers, file: { path: chosen.path, offset: 0, length: size }, variant: chosen };
}

/** If-Range (RFC 9110 §13.1.5): the range applies only if the validator still matches exactly. */
function ifRangeAllows(ifRange: string | undefined, etag: string, chosen: FileVariant): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag; // strong comparison, weak never matches
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === chosen.mtimeMs;
}
