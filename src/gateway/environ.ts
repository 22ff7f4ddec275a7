/**
 * Building the environ (spec §3) from a node:http request: the CGI variables, the `HTTP_*`
 * headers and the `wsgi.*` / `tsgi.*` keys. Shared by the reference server and the production
 * server, which adjusts it through {@link EnvironOptions}.
 */
import type { IncomingMessage } from 'node:http';
import type { Environ, ErrorStream, FileWrapper, InputStream } from './types.ts';
import { fileWrapper } from './file-wrapper.ts';

/** How a server fills the environ. */
export interface EnvironOptions {
  /** The mount point, `SCRIPT_NAME` (no trailing slash); stripped from the front of PATH_INFO. Default `''`. */
  scriptName?: string;
  /** `wsgi.url_scheme`; default `'https'` on a TLS socket, else `'http'`. */
  urlScheme?: string;
  /** `wsgi.errors`; default {@link stderrErrorStream}. */
  errors?: ErrorStream;
  /** `wsgi.multithread`; default `false` (one event loop per process). */
  multithread?: boolean;
  /** `wsgi.multiprocess`; default `false`. A server with several worker processes sets it. */
  multiprocess?: boolean;
  /** `wsgi.run_once`; default `false`. */
  runOnce?: boolean;
  /** `wsgi.file_wrapper`; default {@link fileWrapper}; `null` leaves the key out. */
  fileWrapper?: FileWrapper | null;
  /**
   * Called with each environ before the application sees it, e.g. to apply `X-Forwarded-*`
   * headers from a trusted proxy (REMOTE_ADDR, `wsgi.url_scheme`, SERVER_NAME).
   */
  adjustEnviron?: (environ: Environ, req: IncomingMessage) => void;
}

/** `wsgi.errors` writing to the process's stderr. */
export const stderrErrorStream: ErrorStream = {
  write(text: string): void {
    process.stderr.write(text);
  },
  flush(): void {
    // process.stderr writes through; nothing is held back.
  },
};

const HEX = '0123456789ABCDEF';

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** The length of the valid UTF-8 sequence starting at `bytes[i]`, or 0 when it is invalid (RFC 3629 §4). */
function utf8Length(bytes: number[], i: number): number {
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

function decodeRun(bytes: number[], texts: string[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = utf8Length(bytes, i);
    if (n === 0) {
      out += texts[i];
      i += 1;
    } else {
      out += Buffer.from(bytes.slice(i, i + n)).toString('utf8');
      i += n;
    }
  }
  return out;
}

/**
 * Percent-decodes a path as UTF-8 (spec §3.1). A byte that is not part of a valid UTF-8
 * sequence stays percent-encoded as received, so no information is lost; a `%` not followed by
 * two hex digits stays as it is.
 *
 * @example
 * decodePathInfo('/caf%C3%A9/%FF') // '/café/%FF'
 */
export function decodePathInfo(path: string): string {
  let percent = path.indexOf('%');
  if (percent < 0) return path;
  let out = path.slice(0, percent);
  let i = percent;
  while (i < path.length) {
    const code = path.charCodeAt(i);
    if (
      code === 37 &&
      i + 2 < path.length &&
      hexValue(path.charCodeAt(i + 1)) >= 0 &&
      hexValue(path.charCodeAt(i + 2)) >= 0
    ) {
      // A run of %XX escapes: decode it as one UTF-8 byte sequence.
      const bytes: number[] = [];
      const texts: string[] = [];
      while (i + 2 < path.length && path.charCodeAt(i) === 37) {
        const hi = hexValue(path.charCodeAt(i + 1));
        const lo = hexValue(path.charCodeAt(i + 2));
        if (hi < 0 || lo < 0) break;
        bytes.push(hi * 16 + lo);
        texts.push(path.slice(i, i + 3));
        i += 3;
      }
      out += decodeRun(bytes, texts);
      continue;
    }
    percent = path.indexOf('%', i + 1);
    const next = percent < 0 ? path.length : percent;
    out += path.slice(i, next);
    i = next;
  }
  return out;
}

/** Percent-encodes one byte the way RFC 3986 §2.1 writes it (upper-case hex). */
export function percentByte(byte: number): string {
  return '%' + HEX[byte >> 4] + HEX[byte & 15];
}

// Header name → environ key, cached: header names repeat from request to request.
const keyCache = new Map<string, string | null>();

/** The environ key of a request header: `HTTP_X_FOO`, `CONTENT_TYPE`, or null when it is dropped (a `_` in the name, §3.2). */
export function headerKey(name: string): string | null {
  let key = keyCache.get(name);
  if (key !== undefined) return key;
  const upper = name.toUpperCase();
  if (upper.includes('_')) key = null;
  else if (upper === 'CONTENT-TYPE') key = 'CONTENT_TYPE';
  else if (upper === 'CONTENT-LENGTH') key = 'CONTENT_LENGTH';
  else key = 'HTTP_' + upper.replaceAll('-', '_');
  if (keyCache.size < 1000) keyCache.set(name, key);
  return key;
}

/** Splits a Host header into name and port (`[::1]:8000`, `example.com:80`, `example.com`). */
export function splitHost(host: string): [name: string, port: string | undefined] {
  if (host.charCodeAt(0) === 91 /* [ */) {
    const close = host.indexOf(']');
    if (close > 0) {
      const rest = host.slice(close + 1);
      return [host.slice(0, close + 1), rest.startsWith(':') && rest.length > 1 ? rest.slice(1) : undefined];
    }
    return [host, undefined];
  }
  const colon = host.lastIndexOf(':');
  if (colon < 0) return [host, undefined];
  return [host.slice(0, colon), colon + 1 < host.length ? host.slice(colon + 1) : undefined];
}

/**
 * The path and query of a request-target (origin-form, absolute-form, `*`). A fragment is not
 * part of a request-target (RFC 9112 §3.2) but some clients send one: it is cut at the first `#`
 * before the split, so `/p?q#f?x` gives `/p` and `q` (spec §3.1; gunicorn splits the same way).
 * A `%23` is not a fragment: it decodes to `#` in PATH_INFO.
 */
function splitTarget(target: string): [path: string, query: string] {
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  if (target.charCodeAt(0) !== 47 /* / */) {
    // absolute-form (RFC 9112 §3.2.2): drop "scheme://authority".
    const scheme = target.indexOf('://');
    if (scheme > 0) {
      const rest = target.slice(scheme + 3);
      const cut = rest.search(/[/?]/);
      const tail = cut < 0 ? '' : rest.slice(cut);
      target = tail.charCodeAt(0) === 47 ? tail : '/' + tail;
    }
  }
  const q = target.indexOf('?');
  return q < 0 ? [target, ''] : [target.slice(0, q), target.slice(q + 1)];
}

// One frozen array for every environ: its type is readonly and the spec gives it as a constant.
const WSGI_VERSION: readonly [1, 0] = Object.freeze([1, 0] as const);

/**
 * Builds the environ of one request.
 *
 * @example
 * const environ = buildEnviron(req, new RequestInput(req), { scriptName: '/app' });
 */
export function buildEnviron(
  req: IncomingMessage,
  input: InputStream,
  options: EnvironOptions = {},
  signal?: AbortSignal,
): Environ {
  const socket = req.socket;
  const target = req.url ?? '/';
  const [rawPath, query] = splitTarget(target);
  let pathInfo = decodePathInfo(rawPath);
  const scriptName = options.scriptName ?? '';
  if (
    scriptName !== '' &&
    pathInfo.startsWith(scriptName) &&
    (pathInfo.length === scriptName.length || pathInfo.charCodeAt(scriptName.length) === 47)
  ) {
    pathInfo = pathInfo.slice(scriptName.length);
  }
  const scheme = options.urlScheme ?? ((socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  const environ: Environ = {
    REQUEST_METHOD: req.method ?? 'GET',
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    RAW_URI: target,
    SERVER_NAME: '',
    SERVER_PORT: '',
    SERVER_PROTOCOL: req.httpVersion === '1.1' ? 'HTTP/1.1' : 'HTTP/' + req.httpVersion,
    REMOTE_ADDR: socket.remoteAddress,
    REMOTE_PORT: socket.remotePort === undefined ? undefined : String(socket.remotePort),
    'wsgi.version': WSGI_VERSION,
    'wsgi.url_scheme': scheme,
    'wsgi.input': input,
    'wsgi.errors': options.errors ?? stderrErrorStream,
    'wsgi.multithread': options.multithread ?? false,
    'wsgi.multiprocess': options.multiprocess ?? false,
    'wsgi.run_once': options.runOnce ?? false,
  };
  if (options.fileWrapper !== null) environ['wsgi.file_wrapper'] = options.fileWrapper ?? fileWrapper;
  if (signal) environ['tsgi.signal'] = signal;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const key = headerKey(raw[i]!);
    if (key === null) continue;
    const previous = environ[key] as string | undefined;
    // RFC 9110 §5.3 joins repeats with ", "; Cookie is the exception (RFC 6265 §5.4): "; ".
    environ[key] =
      previous === undefined ? raw[i + 1]! : previous + (key === 'HTTP_COOKIE' ? '; ' : ', ') + raw[i + 1]!;
  }
  const host = environ.HTTP_HOST;
  if (host) {
    const [name, port] = splitHost(host);
    environ.SERVER_NAME = name;
    environ.SERVER_PORT = port ?? (scheme === 'https' ? '443' : '80');
  } else {
    environ.SERVER_NAME = socket.localAddress ?? '';
    environ.SERVER_PORT = socket.localPort === undefined ? '' : String(socket.localPort);
  }
  if (options.adjustEnviron) options.adjustEnviron(environ, req);
  return environ;
}
