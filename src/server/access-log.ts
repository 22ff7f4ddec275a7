/**
 * The access log: gunicorn's `--access-log-format` atoms (`%(h)s %(r)s ...`) or JSON lines.
 * Every value is escaped (`"` → `\"`, `\` → `\\`, control and non-ASCII characters → `\xHH`),
 * so that a header cannot forge a field or a line — which gunicorn does not guarantee.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What is known about one request when its response has finished. */
export interface AccessRecord {
  req: IncomingMessage;
  res: ServerResponse;
  /** The client address after trusted proxy headers. */
  remoteAddr: string;
  /** Body bytes sent. */
  bytes: number;
  /** The response headers as sent, names and values in turn (undefined when none went out). */
  headers: readonly string[] | undefined;
  /** When the request arrived, from `performance.now()`. */
  startMs: number;
  endMs: number;
  /** When the request arrived (wall clock). */
  start: Date;
}

/** Escapes a value for a log line (Apache's mod_log_config rules). */
export function escapeLogValue(value: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    out += value.slice(from, i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c > 0xff) out += encodeURIComponent(value[i]!).replaceAll('%', '\\x');
    else out += '\\x' + c.toString(16).padStart(2, '0');
    from = i + 1;
  }
  return from === 0 ? value : out + value.slice(from);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `[10/Oct/2000:13:55:36 +0000]`, Common Log Format's time. */
export function clfTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const tz = `${off >= 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  return `[${p(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${tz}]`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** A response header as sent (repeats joined with ", "). */
function responseHeader(headers: readonly string[] | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const found: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() === name) found.push(headers[i + 1]!);
  return found.length ? found.join(', ') : undefined;
}

function user(req: IncomingMessage): string {
  const auth = header(req, 'authorization');
  if (!auth || !/^basic /i.test(auth)) return '-';
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '-' : decoded.slice(0, colon);
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

type Atom = (r: AccessRecord) => string;

const ATOMS: Record<string, Atom> = {
  h: (r) => r.remoteAddr || '-',
  l: () => '-',
  u: (r) => user(r.req),
  t: (r) => clfTime(r.start),
  r: (r) => `${r.req.method} ${r.req.url} HTTP/${r.req.httpVersion}`,
  m: (r) => r.req.method ?? '-',
  U: (r) => splitUrl(r.req.url ?? '')[0],
  q: (r) => splitUrl(r.req.url ?? '')[1],
  H: (r) => `HTTP/${r.req.httpVersion}`,
  s: (r) => String(r.res.statusCode),
  B: (r) => String(r.bytes),
  b: (r) => (r.bytes ? String(r.bytes) : '-'),
  f: (r) => header(r.req, 'referer') ?? '-',
  a: (r) => header(r.req, 'user-agent') ?? '-',
  T: (r) => String(Math.floor((r.endMs - r.startMs) / 1000)),
  M: (r) => String(Math.round(r.endMs - r.startMs)),
  D: (r) => String(Math.round((r.endMs - r.startMs) * 1000)),
  L: (r) => ((r.endMs - r.startMs) / 1000).toFixed(6),
  p: () => `<${process.pid}>`,
};

/** A compiled access log format: record → line (without the newline). */
export type AccessFormatter = (r: AccessRecord) => string;

/**
 * Compiles a gunicorn access log format. Unknown atoms are an error, so a typo shows at start-up.
 *
 * @example
 * compileAccessFormat('%(h)s "%(r)s" %(s)s %({x-request-id}i)s')
 */
export function compileAccessFormat(format: string): AccessFormatter {
  const parts: Array<string | Atom> = [];
  const re = /%\(([^)]*)\)s|%%/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    parts.push(format.slice(last, m.index));
    last = re.lastIndex;
    if (m[0] === '%%') {
      parts.push('%');
      continue;
    }
    const name = m[1]!;
    const braced = /^\{([^}]*)\}([ioe])$/.exec(name);
    if (braced) {
      const key = braced[1]!.toLowerCase();
      const kind = braced[2];
      if (kind === 'i') parts.push((r) => header(r.req, key) ?? '-');
      else if (kind === 'o') parts.push((r) => responseHeader(r.headers, key) ?? '-');
      else {
        const envName = braced[1]!;
        parts.push(() => process.env[envName] ?? '-');
      }
      continue;
    }
    const atom = ATOMS[name];
    if (!atom)
      throw new Error(
        `--access-log-format: unknown atom "%(${name})s"; use one of ${Object.keys(ATOMS).join(' ')}, {header}i, {header}o or {variable}e.`,
      );
    parts.push(atom);
  }
  parts.push(format.slice(last));
  const compiled = parts.filter((p) => p !== '');
  return (r) => {
    let line = '';
    for (const p of compiled) line += typeof p === 'string' ? p : escapeLogValue(p(r));
    return line;
  };
}

/** One JSON object per request; strings are JSON-escaped, so nothing can be forged. */
export function jsonAccessLine(r: AccessRecord): string {
  const [path, query] = splitUrl(r.req.url ?? '');
  return JSON.stringify({
    time: r.start.toISOString(),
    remote_addr: r.remoteAddr,
    method: r.req.method,
    path,
    query,
    protocol: `HTTP/${r.req.httpVersion}`,
    status: r.res.statusCode,
    bytes: r.bytes,
    duration_ms: Math.round((r.endMs - r.startMs) * 1000) / 1000,
    referer: header(r.req, 'referer') ?? null,
    user_agent: header(r.req, 'user-agent') ?? null,
    pid: process.pid,
  });
}
