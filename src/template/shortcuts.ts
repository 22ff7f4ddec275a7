/** `render()`, as Django's `django.shortcuts.render`: a template rendered into an HttpResponse. */
import { HttpResponse, type ResponseOptions } from '../http/response.ts';
import type { Context, RequestLike } from './backends/base.ts';
import { renderToString } from './engines.ts';

/**
 * Renders `templateName` with `context` (and the context processors, given the request) and
 * returns the page as an HttpResponse.
 *
 * @example
 * export async function home(request: HttpRequest) {
 *   return render(request, 'home.html', { posts: await latestPosts() });
 * }
 */
export async function render(
  request: RequestLike | undefined,
  templateName: string | readonly string[],
  context: Context = {},
  options: ResponseOptions & { using?: string } = {},
): Promise<HttpResponse> {
  const { using, ...rest } = options;
  const content = await renderToString(templateName, context, request, using);
  return new HttpResponse(content, rest);
}
