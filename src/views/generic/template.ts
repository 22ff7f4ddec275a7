/**
 * `TemplateView`, as Django's `django.views.generic.TemplateView`: renders a template with the
 * URL's keyword arguments in the context.
 */
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponse } from '../../http/response.ts';
import type { Context, RequestLike } from '../../template/backends/base.ts';
import type * as Response from '../../template/response.ts';
import type { TemplateResponse } from '../../template/response.ts';
import { lazyModule } from '../../utils/module-loading.ts';
import { View } from './base.ts';

// Loaded when a TemplateView first renders: tsgi/views exports this class, and a project that
// imports View or a decorator from it should not load the template engine at start-up.
const response = lazyModule<typeof Response>(import.meta.url, '../../template/response');

/**
 * Renders `templateName`. Subclass and override `getContextData()` to add values.
 *
 * @example
 * path('about/', TemplateView.asView({ templateName: 'about.html' })),
 *
 * class HomeView extends TemplateView {
 *   override templateName = 'home.html';
 *   override async getContextData(kwargs: Record<string, unknown>) {
 *     return { ...(await super.getContextData(kwargs)), posts: await latest() };
 *   }
 * }
 */
export class TemplateView extends View {
  templateName: string | readonly string[] | undefined = undefined;
  /** Alias of the template engine (TEMPLATES[].NAME). */
  templateEngine: string | undefined = undefined;
  contentType: string | undefined = undefined;
  extraContext: Context | undefined = undefined;

  async get(request: HttpRequest, ..._rest: unknown[]): Promise<HttpResponse> {
    const context = await this.getContextData(this.kwargs);
    return this.renderToResponse(context, request);
  }

  /** The context: the URL's keyword arguments, `view`, and `extraContext`. */
  async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    return { ...kwargs, view: this, ...(this.extraContext ?? {}) };
  }

  getTemplateNames(): string[] {
    if (this.templateName === undefined) {
      throw new ImproperlyConfigured(
        `${this.constructor.name} requires either a definition of 'templateName' or an implementation of 'getTemplateNames()'.`,
      );
    }
    return typeof this.templateName === 'string' ? [this.templateName] : [...this.templateName];
  }

  /** A TemplateResponse of the template with `context`, rendered by the handler. */
  renderToResponse(context: Context, request: RequestLike = this.request): TemplateResponse {
    return new (response().TemplateResponse)(request, this.getTemplateNames(), context, {
      ...(this.contentType !== undefined ? { contentType: this.contentType } : {}),
      ...(this.templateEngine !== undefined ? { using: this.templateEngine } : {}),
    });
  }
}
