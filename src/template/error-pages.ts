/**
 * The project's own error pages: `400.html`, `403.html`, `404.html`, `500.html` in a template
 * folder replace the framework's plain ones (Django's `django.views.defaults`). The exception
 * handler asks here first and falls back to its built-in page when this returns undefined.
 */
import type { RequestLike } from './backends/base.ts';
import { engines } from './engines.ts';
import { TemplateDoesNotExist } from './exceptions.ts';

/**
 * The rendered `<status>.html`, or undefined when no engine is configured or none has it.
 * A template that exists but fails (syntax error) throws, so the fault is seen, not hidden.
 *
 * @example
 * const html = await renderErrorTemplate(404, request, { requestPath: request.path, exception: 'No route' });
 * if (html !== undefined) return new HttpResponseNotFound(html);
 */
export async function renderErrorTemplate(
  status: number,
  request: RequestLike | undefined,
  context: Record<string, unknown> = {},
): Promise<string | undefined> {
  const name = `${status}.html`;
  for (const engine of engines().values()) {
    let template;
    try {
      template = engine.getTemplate(name);
    } catch (error) {
      if (error instanceof TemplateDoesNotExist && error.templateName === name) continue;
      throw error;
    }
    // The 500 page is rendered without context processors, as Django: they may be what failed.
    return template.render(context, status === 500 ? undefined : request);
  }
  return undefined;
}
