/**
 * `TemplateView`, as Django's `django.views.generic.TemplateView`: renders a template with the
 * URL's keyword arguments in the context.
 */
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { HttpResponse, HttpResponseNotAllowed } from '../http/response.ts';
import type { Context, RequestLike } from './backends/base.ts';
import { TemplateResponse } from './response.ts';

/** What a URL pattern calls: `view(request, kwargs)` or `view(request, ...args)`. */
export type TemplateViewFunction = ((request: RequestLike, ...args: unknown[]) => Promise<HttpResponse>) & {
  viewClass: typeof TemplateView;
  viewInitkwargs: Record<string, unknown>;
};

/**
 * Renders `templateName`. Subclass and override `getContextData()` to add values.
 *
 * @example
 * path('about/', TemplateView.asView({ templateName: 'about.html' })),
 *
 * class HomeView extends TemplateView {
 *   override templateName = 'home.html';
 *   override async getContextData(kwargs) { return { ...(await super.getContextData(kwargs)), posts: await latest() }; }
 * }
 */
export class TemplateView {
  static httpMethodNames = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];
  templateName: string | readonly string[] | undefined = undefined;
  templateEngine: string | undefined = undefined;
  contentType: string | undefined = undefined;
  extraContext: Context | undefined = undefined;
  request!: RequestLike;
  args: unknown[] = [];
  kwargs: Record<string, unknown> = {};

  /**
   * The view function for a URL pattern; `initkwargs` set attributes of each instance
   * (`templateName`, `extraContext`, ...).
   */
  static asView<T extends typeof TemplateView>(this: T, initkwargs: Partial<InstanceType<T>> & Record<string, unknown> = {}): TemplateViewFunction {
    for (const key of Object.keys(initkwargs)) {
      if (TemplateView.httpMethodNames.includes(key)) {
        throw new TypeError(`The method name ${key} is not accepted as a keyword argument to ${this.name}.asView().`);
      }
      if (!(key in new this())) {
        throw new TypeError(`${this.name}.asView() received an invalid keyword ${JSON.stringify(key)}. asView only accepts arguments that are already attributes of the class.`);
      }
    }
    const view = async (request: RequestLike, ...rest: unknown[]): Promise<HttpResponse> => {
      const self = new this();
      Object.assign(self, initkwargs);
      self.request = request;
      const only = rest.length === 1 ? rest[0] : undefined;
      if (only !== null && typeof only === 'object' && !Array.isArray(only)) self.kwargs = only as Record<string, unknown>;
      else self.args = rest;
      return self.dispatch(request);
    };
    return Object.assign(view, { viewClass: this as typeof TemplateView, viewInitkwargs: initkwargs as Record<string, unknown> });
  }

  /** Calls the handler for the request method (`get`, `head` falls back to `get`), 405 otherwise. */
  async dispatch(request: RequestLike): Promise<HttpResponse> {
    const method = String((request as { method?: string | null }).method ?? 'GET').toLowerCase();
    if (method === 'get' || method === 'head') return this.get(request);
    if (method === 'options') {
      const response = new HttpResponse('');
      response.headers.set('Allow', 'GET, HEAD, OPTIONS');
      response.headers.set('Content-Length', '0');
      return response;
    }
    return new HttpResponseNotAllowed(['GET', 'HEAD', 'OPTIONS']);
  }

  async get(request: RequestLike): Promise<HttpResponse> {
    const context = await this.getContextData(this.kwargs);
    return this.renderToResponse(context, request);
  }

  /** The context: the URL's keyword arguments, `view`, and `extraContext`. */
  async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    return { ...kwargs, view: this, ...(this.extraContext ?? {}) };
  }

  getTemplateNames(): string[] {
    if (this.templateName === undefined) {
      throw new ImproperlyConfigured(`${this.constructor.name} requires either a definition of 'templateName' or an implementation of 'getTemplateNames()'.`);
    }
    return typeof this.templateName === 'string' ? [this.templateName] : [...this.templateName];
  }

  renderToResponse(context: Context, request: RequestLike = this.request): TemplateResponse {
    return new TemplateResponse(request, this.getTemplateNames(), context, {
      ...(this.contentType !== undefined ? { contentType: this.contentType } : {}),
      ...(this.templateEngine !== undefined ? { using: this.templateEngine } : {}),
    });
  }
}
