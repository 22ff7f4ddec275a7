/**
 * The DEBUG pages, as Django's `django.views.debug`: the technical 404 (the URL patterns tried)
 * and the technical 500 (the error, its stack, the request and the settings). Values whose names
 * look secret are masked, so a page shown by mistake does not leak credentials.
 *
 * Only served with `DEBUG = true`; with DEBUG off the plain pages of views/defaults.ts answer.
 */
import { settings } from '../conf/index.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse } from '../http/response.ts';

/** Setting and META names matching this are masked (Django's `SafeExceptionReporterFilter`). */
export const HIDDEN_SETTINGS = /API|TOKEN|KEY|SECRET|PASS|SIGNATURE|AUTH|COOKIE/i;

/** What a masked value is replaced with. */
export const CLEANSED_SUBSTITUTE = '********************';

const escape = (value: unknown): string =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]!,
  );

/**
 * `value` with every entry whose key matches {@link HIDDEN_SETTINGS} masked, recursively through
 * plain objects and arrays.
 *
 * @example
 * cleanseSetting('SECRET_KEY', 'abc'); // '********************'
 * cleanseSetting('DATABASES', { default: { PASSWORD: 'x' } }); // { default: { PASSWORD: '********************' } }
 */
export function cleanseSetting(key: string, value: unknown, seen = new Set<unknown>()): unknown {
  if (HIDDEN_SETTINGS.test(key)) return CLEANSED_SUBSTITUTE;
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => cleanseSetting('', item, seen));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanseSetting(k, v, seen)]));
}

/** Every setting, masked, sorted by name. */
export function safeSettings(): Array<[string, unknown]> {
  return settings
    .entries()
    .map(([key, value]): [string, unknown] => [key, cleanseSetting(key, value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The request environ, masked; the gateway's own objects (streams) shown by their type only. */
function safeMeta(request: HttpRequest): Array<[string, unknown]> {
  return Object.entries(request.META)
    .map(([key, value]): [string, unknown] => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value))
        return [key, `<${value.constructor?.name ?? 'object'}>`];
      if (typeof value === 'function') return [key, `<function ${value.name || 'anonymous'}>`];
      return [key, cleanseSetting(key, value)];
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return (
      JSON.stringify(value, (_k, v: unknown) =>
        typeof v === 'function'
          ? `<function ${(v as { name: string }).name || 'anonymous'}>`
          : v instanceof RegExp
            ? String(v)
            : v,
      ) ?? String(value)
    );
  } catch {
    return String(value);
  }
}

function table(rows: Array<[string, unknown]>): string {
  if (rows.length === 0) return '<p>None</p>';
  return `<table><tbody>${rows.map(([k, v]) => `<tr><td>${escape(k)}</td><td><pre>${escape(show(v))}</pre></td></tr>`).join('')}</tbody></table>`;
}

const STYLE =
  'body{font:small sans-serif;margin:0}body>div{padding:10px 20px;border-bottom:1px solid #ddd}' +
  'h1{font-weight:normal}#summary{background:#ffc}table{border-collapse:collapse}td{padding:2px 8px;vertical-align:top}pre{margin:0;white-space:pre-wrap}' +
  '#template{background:#f6f6f6}#template .source th{text-align:right;color:#666;font-weight:normal}#template .source td{white-space:pre;font-family:monospace}#template tr.error td{background:#fcc}#template .specific{color:#c00;font-weight:bold}';

function document(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="robots" content="NONE,NOARCHIVE">\n<title>${escape(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`;
}

function wantsHtml(request: HttpRequest): boolean {
  const accept = request.headers.get('Accept');
  return accept === undefined || accept === null || request.accepts('text/html');
}

function urlconfName(request: HttpRequest): string {
  const conf = request.urlconf ?? settings.ROOT_URLCONF;
  return typeof conf === 'string' ? conf : '(a URLconf object)';
}

/** A tried entry: the chain of patterns from the root URLconf, as `route [name='x']`. */
function describeTried(chain: readonly unknown[]): string {
  return chain
    .map((entry) => {
      const e = entry as { pattern?: unknown; name?: string; namespace?: string };
      let text = String(e.pattern ?? entry);
      if (e.name) text += ` [name='${e.name}']`;
      if (e.namespace) text += ` [namespace='${e.namespace}']`;
      return text;
    })
    .join(' ');
}

/**
 * The DEBUG 404 page: the URLconf, the patterns tried in order and the path that matched none;
 * or, when a view raised Http404, the view and the message.
 */
export function technical404Response(request: HttpRequest, exception: unknown): HttpResponse {
  const tried = (exception as { tried?: readonly (readonly unknown[])[] }).tried;
  const remaining = (exception as { path?: unknown }).path;
  const message = exception instanceof Error ? exception.message : String(exception);
  const raisedBy = request.resolverMatch ? request.resolverMatch.viewName : undefined;
  const lines: string[] = [];
  if (tried !== undefined && tried.length > 0) {
    lines.push(`Using the URLconf defined in ${urlconfName(request)}, tsgi tried these URL patterns, in this order:`);
    tried.forEach((chain, i) => lines.push(`${i + 1}. ${describeTried(chain)}`));
    lines.push(
      typeof remaining === 'string' && remaining !== ''
        ? `The current path, ${request.pathInfo.replace(/^\//, '')}, didn't match any of these.`
        : "The empty path didn't match any of these.",
    );
  } else if (tried !== undefined) {
    lines.push(`The URLconf ${urlconfName(request)} has no URL patterns.`);
  } else {
    lines.push(message);
  }
  if (raisedBy !== undefined) lines.push(`Raised by: ${raisedBy}`);
  if (!wantsHtml(request)) {
    const text = `Page not found (404)\nRequest Method: ${request.method}\nRequest URL: ${request.buildAbsoluteUri()}\n\n${lines.join('\n')}\n`;
    return new HttpResponse(text, { status: 404, contentType: 'text/plain; charset=utf-8' });
  }
  const patterns =
    tried !== undefined && tried.length > 0
      ? `<p>Using the URLconf defined in <code>${escape(urlconfName(request))}</code>, tsgi tried these URL patterns, in this order:</p>\n<ol>${tried
          .map((chain) => `<li>${escape(describeTried(chain))}</li>`)
          .join('')}</ol>\n<p>${escape(lines[lines.length - (raisedBy !== undefined ? 2 : 1)]!)}</p>`
      : `<pre class="exception_value">${escape(lines[0])}</pre>`;
  const body =
    `<div id="summary"><h1>Page not found <span>(404)</span></h1>\n<table>` +
    `<tr><th>Request Method:</th><td>${escape(request.method)}</td></tr>` +
    `<tr><th>Request URL:</th><td>${escape(request.buildAbsoluteUri())}</td></tr>` +
    (raisedBy !== undefined ? `<tr><th>Raised by:</th><td>${escape(raisedBy)}</td></tr>` : '') +
    `</table></div>\n<div id="info">${patterns}</div>\n` +
    `<div id="explanation"><p>You're seeing this error because you have <code>DEBUG = true</code> in your settings. ` +
    `Change that to <code>false</code>, and tsgi will display a standard 404 page.</p></div>`;
  return new HttpResponse(document('Page not found at ' + request.pathInfo, body), {
    status: 404,
    contentType: 'text/html; charset=utf-8',
  });
}

/**
 * The DEBUG 500 page (also used for 400s in DEBUG): the error's class, message and stack (with
 * its causes), the request (GET, POST, cookies, META) and the settings, secrets masked.
 */
export function technical500Response(request: HttpRequest | undefined, error: unknown, status = 500): HttpResponse {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  const stacks: string[] = [];
  for (
    let e: unknown = error, depth = 0;
    e !== undefined && depth < 10;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    stacks.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e));
    if (!(e instanceof Error)) break;
  }
  const trace = stacks.join('\n\nThe above exception was the direct cause of the following exception:\n\n');
  const frame = templateFrame(error);
  const settingsRows = safeSettings();
  const query = failingQuery(error);
  if (request !== undefined && !wantsHtml(request)) {
    const text =
      `${name} at ${request.pathInfo}\n${message}\n\nRequest Method: ${request.method}\nRequest URL: ${request.buildAbsoluteUri()}\n\n` +
      (frame ? `${frame.text}\n\n` : '') +
      (query !== undefined ? `SQL:\n${query.sql}\nParameters: ${query.params}\n\n` : '') +
      `Traceback:\n${trace}\n\nSettings:\n${settingsRows.map(([k, v]) => `${k} = ${show(v)}`).join('\n')}\n`;
    return new HttpResponse(text, { status, contentType: 'text/plain; charset=utf-8' });
  }
  const requestInfo =
    request === undefined
      ? '<p>Request data not supplied</p>'
      : `<h3>GET</h3>${table([...request.GET.lists()].map(([k, v]): [string, unknown] => [k, v]))}` +
        `<h3>POST</h3>${table(safePost(request))}` +
        `<h3>COOKIES</h3>${table(Object.entries(request.COOKIES).map(([k, v]): [string, unknown] => [k, cleanseSetting(k, v)]))}` +
        `<h3>META</h3>${table(safeMeta(request))}`;
  const body =
    `<div id="summary"><h1>${escape(name)}${request ? ` at ${escape(request.pathInfo)}` : ''}</h1>\n<pre class="exception_value">${escape(message)}</pre>\n<table>` +
    (request
      ? `<tr><th>Request Method:</th><td>${escape(request.method)}</td></tr><tr><th>Request URL:</th><td>${escape(request.buildAbsoluteUri())}</td></tr>`
      : '') +
    `<tr><th>Exception Type:</th><td>${escape(name)}</td></tr><tr><th>Exception Value:</th><td><pre>${escape(message)}</pre></td></tr>` +
    `<tr><th>Node.js Version:</th><td>${escape(process.version)}</td></tr></table></div>\n` +
    (frame ? frame.html : '') +
    (query !== undefined
      ? `<div id="sql"><h2>SQL</h2><pre>${escape(query.sql)}</pre><h3>Parameters</h3><pre>${escape(query.params)}</pre></div>\n`
      : '') +
    `<div id="traceback"><h2>Traceback</h2><pre>${escape(trace)}</pre></div>\n` +
    `<div id="requestinfo"><h2>Request information</h2>${requestInfo}</div>\n` +
    `<div id="settings"><h2>Settings</h2>${table(settingsRows)}</div>\n` +
    `<div id="explanation"><p>You're seeing this error because you have <code>DEBUG = true</code> in your settings. ` +
    `Change that to <code>false</code>, and tsgi will display a standard page generated by the handler for this status code.</p></div>`;
  return new HttpResponse(document(`${name} at ${request?.pathInfo ?? ''}`, body), {
    status,
    contentType: 'text/html; charset=utf-8',
  });
}

/** Where in a template the error happened (the template engine's `templateDebug`, as Django's `template_debug`). */
interface TemplateFrame {
  name: string;
  message: string;
  line: number;
  sourceLines: ReadonlyArray<readonly [number, string]>;
  before: string;
  during: string;
  after: string;
}

/** The template frame of `error` or of one of its causes, as text and HTML, or undefined. */
function templateFrame(error: unknown): { text: string; html: string } | undefined {
  let info: TemplateFrame | undefined;
  for (
    let e = error, depth = 0;
    e !== null && typeof e === 'object' && depth < 10;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    info = (e as { templateDebug?: TemplateFrame }).templateDebug;
    if (info !== undefined) break;
  }
  if (info === undefined) return undefined;
  const width = String(info.sourceLines.at(-1)?.[0] ?? info.line).length;
  const lines = info.sourceLines.map(([n, text]) => [n, text.replace(/\r?\n$/, '')] as const);
  const text =
    `Template error:\nIn template ${info.name}, error at line ${info.line}\n   ${info.message}\n` +
    lines.map(([n, t]) => `${n === info.line ? '>' : ' '} ${String(n).padStart(width)} : ${t}`).join('\n');
  const rows = lines
    .map(([n, t]) =>
      n === info.line
        ? `<tr class="error"><th>${n}</th><td>${escape(info.before)}<span class="specific">${escape(info.during)}</span>${escape(info.after.replace(/\r?\n$/, ''))}</td></tr>`
        : `<tr><th>${n}</th><td>${escape(t)}</td></tr>`,
    )
    .join('');
  const html =
    `<div id="template"><h2>Error during template rendering</h2><p>In template <code>${escape(info.name)}</code>, error at line <strong>${info.line}</strong></p>` +
    `<h3>${escape(info.message)}</h3><table class="source">${rows}</table></div>\n`;
  return { text, html };
}

/** The SQL of a failed database query (tsgi/db errors carry `sql` and `params`), on the error or a cause. */
function failingQuery(error: unknown): { sql: string; params: string } | undefined {
  for (
    let e: unknown = error, depth = 0;
    e !== null && typeof e === 'object' && depth < 10;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { sql, params } = e as { sql?: unknown; params?: unknown };
    if (typeof sql === 'string')
      return { sql, params: Array.isArray(params) ? show(cleanseSetting('', params)) : '[]' };
  }
  return undefined;
}

function safePost(request: HttpRequest): Array<[string, unknown]> {
  try {
    return [...request.POST.lists()].map(([k, v]): [string, unknown] => [k, cleanseSetting(k, v)]);
  } catch (error) {
    return [['(unreadable)', (error as Error).message]];
  }
}
