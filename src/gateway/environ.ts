/**
 * Building the environ (spec §3) from a node:http request: the CGI variables, the `HTTP_*`
 * headers and the `wsgi.*` / `tsgi.*` keys. Shared by the reference server and the production
 * server, which adjusts it through {@link NodeEnvironOptions}.
 */
import type { IncomingMessage } from 'node:http';
import type { Environ, EnvironOptions, ErrorStream, FileWrapper, InputStream } from './types.ts';
import { fileWrapper } from './file-wrapper.ts';
import { decodePath } from './http-rules.ts';

/** How the node:http adapter fills the environ, beyond what every adapter sets. */
export interface NodeEnvironOptions extends EnvironOptions {
  /** `wsgi.url_scheme`; default `'https'` on a TLS socket, else `'http'`. */
  urlScheme?: string;
  /** `wsgi.multithread`; default `false` (one event loop per process). */
  multithread?: boolean;
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
  options: NodeEnvironOptions = {},
  signal?: AbortSignal,
): Environ {
  const socket = req.socket;
  const target = req.url ?? '/';
  const [rawPath, query] = splitTarget(target);
  let pathInfo = decodePath(rawPath);
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
