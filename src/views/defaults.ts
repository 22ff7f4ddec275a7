/**
 * The default error views, as Django's `django.views.defaults`: plain pages that reveal nothing
 * about the application. A project replaces them with `400.html` / `403.html` / `404.html` /
 * `500.html` templates, or with `handler400` ... `handler500` views in the root URLconf.
 */
import type { HttpRequest } from '../http/request.ts';
import {
  HttpResponseBadRequest,
  HttpResponseForbidden,
  HttpResponseNotFound,
  HttpResponseServerError,
} from '../http/response.ts';
import { HttpResponse } from '../http/response.ts';

/** Django's built-in page shape: a title and a heading, nothing from the request. */
function page(title: string, body: string): string {
  return `\n<!doctype html>\n<html lang="en">\n<head>\n  <title>${title}</title>\n</head>\n<body>\n  <h1>${title}</h1><p>${body}</p>\n</body>\n</html>\n`;
}

const NOT_FOUND = page('Not Found', 'The requested resource was not found on this server.');
const SERVER_ERROR = page('Server Error (500)', '');
const BAD_REQUEST = page('Bad Request (400)', '');
const FORBIDDEN = page('403 Forbidden', '');

/** The project's `<status>.html` template, when the template layer is configured and has one. */
async function projectTemplate(
  status: number,
  request: HttpRequest | undefined,
  context: Record<string, unknown>,
): Promise<string | undefined> {
  // Loaded on demand: a project without error templates never pays for the template engine.
  const { renderErrorTemplate } = await import('../template/error-pages.ts');
  return renderErrorTemplate(status, request as never, context);
}

function exceptionText(exception: unknown): string {
  return exception instanceof Error ? exception.message : exception === undefined ? '' : String(exception);
}

/**
 * The 404 view: `404.html` with `requestPath` and `exception`, else a plain page (`text/html`,
 * no charset, as Django's).
 *
 * @example
 * export const handler404 = (request, exception) => pageNotFound(request, exception);
 */
export async function pageNotFound(request: HttpRequest, exception?: unknown): Promise<HttpResponse> {
  const html = await projectTemplate(404, request, { requestPath: request.path, exception: exceptionText(exception) });
  return html !== undefined
    ? new HttpResponseNotFound(html)
    : new HttpResponseNotFound(NOT_FOUND, { contentType: 'text/html' });
}

/**
 * The 500 view: `500.html` rendered without the request (context processors may be what failed),
 * else a plain page.
 */
export async function serverError(request?: HttpRequest): Promise<HttpResponse> {
  void request;
  const html = await projectTemplate(500, undefined, {});
  return html !== undefined
    ? new HttpResponseServerError(html)
    : new HttpResponseServerError(SERVER_ERROR, { contentType: 'text/html' });
}

/** The 400 view: `400.html`, else a plain page. The exception is not shown: it may carry user input. */
export async function badRequest(request: HttpRequest, exception?: unknown): Promise<HttpResponse> {
  void exception;
  const html = await projectTemplate(400, request, {});
  return html !== undefined
    ? new HttpResponseBadRequest(html)
    : new HttpResponseBadRequest(BAD_REQUEST, { contentType: 'text/html' });
}

/** The 403 view: `403.html` with `exception`, else a plain page. */
export async function permissionDenied(request: HttpRequest, exception?: unknown): Promise<HttpResponse> {
  const html = await projectTemplate(403, request, { exception: exceptionText(exception) });
  return html !== undefined
    ? new HttpResponseForbidden(html)
    : new HttpResponseForbidden(FORBIDDEN, { contentType: 'text/html' });
}

const UPLOAD_PAGES = {
  413: page('Content Too Large (413)', 'The request body is larger than this server accepts.'),
  507: page('Insufficient Storage (507)', 'The server has no room to store the request body now.'),
} as const;

/**
 * The answer to an upload that was refused while it streamed in: 413 for a file past
 * `FILE_UPLOAD_MAX_SIZE` (or past the size the process may write), 507 when the disk is full
 * (`<status>.html` when the project has one, else a plain page). Django has no such view: it has
 * no file size limit, and a failed spool write is a 500 there.
 */
export async function uploadRefused(request: HttpRequest, status: 413 | 507): Promise<HttpResponse> {
  const html = await projectTemplate(status, request, {});
  return new HttpResponse(html ?? UPLOAD_PAGES[status], {
    status,
    ...(html === undefined ? { contentType: 'text/html' } : {}),
  });
}
