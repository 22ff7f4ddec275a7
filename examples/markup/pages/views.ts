/** The views of the pages app: the docs pages, the Markdown preview, and the JSON API. */
import { Http404, HttpResponse, JsonResponse, type HttpRequest } from 'tsgi/http';
import { render } from 'tsgi/template';
import { requirePOST, requireHttpMethods } from 'tsgi/views';
import { csrfExempt } from 'tsgi/middleware/csrf';
import { allPages, getPage } from './content.ts';
import { renderMarkdown } from './markdown.ts';

/** Longest Markdown the preview and the API accept: beyond it, 413 rather than a slow page. */
export const MAX_MARKDOWN_LENGTH = 100_000;

const SAMPLE = '# A title\n\nSome *emphasis*, a [link](https://example.com) and a list:\n\n- one\n- two\n';

export function home(request: HttpRequest) {
  return render(request, 'pages/home.html', { pages: allPages() });
}

export function page(request: HttpRequest, { slug }: { slug: string }) {
  const found = getPage(slug);
  if (!found) throw new Http404(`There is no page called "${slug}".`);
  return render(request, 'pages/page.html', { page: found, pages: allPages() });
}

/** GET shows the form; POST (CSRF-protected by the middleware) renders what was submitted. */
export const preview = requireHttpMethods(['GET', 'POST'])(function preview(request: HttpRequest) {
  if (request.method === 'GET') return render(request, 'pages/preview.html', { source: SAMPLE });
  const source = request.POST.get('markdown') ?? '';
  if (source.length > MAX_MARKDOWN_LENGTH) {
    return render(
      request,
      'pages/preview.html',
      {
        source: '',
        error: `The text is ${source.length} characters long; the preview takes at most ${MAX_MARKDOWN_LENGTH}.`,
      },
      { status: 413 },
    );
  }
  return render(request, 'pages/preview.html', { source, html: renderMarkdown(source) });
});

/**
 * POST /api/render/ with `{"markdown": "..."}` → `{"html": "..."}`. A JSON API for programs, so
 * it is exempt from the CSRF check (no cookies are involved).
 */
export const apiRender = csrfExempt(
  requirePOST(function apiRender(request: HttpRequest) {
    let data: unknown;
    try {
      data = request.json();
    } catch {
      return new JsonResponse(
        { error: 'The request body is not valid JSON. Send {"markdown": "..."} with Content-Type: application/json.' },
        { status: 400 },
      );
    }
    const markdown = (data as { markdown?: unknown } | null)?.markdown;
    if (typeof markdown !== 'string') {
      return new JsonResponse(
        { error: 'The JSON object needs a "markdown" string, e.g. {"markdown": "# Title"}.' },
        { status: 400 },
      );
    }
    if (markdown.length > MAX_MARKDOWN_LENGTH) {
      return new JsonResponse(
        { error: `The markdown is ${markdown.length} characters long; the API takes at most ${MAX_MARKDOWN_LENGTH}.` },
        { status: 413 },
      );
    }
    return new JsonResponse({ html: renderMarkdown(markdown) });
  }),
);

/** The seed's first view. */
export function hello(_request: HttpRequest) {
  return new HttpResponse('Hello, world!');
}

/** Raises on purpose, to see the error pages: only routed when DEBUG is on. */
export function crash(_request: HttpRequest): never {
  throw new Error('This view fails on purpose, to show the DEBUG error page.');
}
