/**
 * `TemplateResponse`, as Django's: a response that knows its template and context and renders
 * late, after the view returned, so middleware (`processTemplateResponse`) can still change the
 * template or the context. The handler calls `render()`; reading the content before that is an
 * error, as in Django.
 */
import { HttpResponse, type ResponseOptions } from '../http/response.ts';
import type { Context, RequestLike, Template } from './backends/base.ts';
import { getTemplate, selectTemplate } from './engines.ts';

/** The content of a TemplateResponse was read before it was rendered. */
export class ContentNotRenderedError extends Error {
  override name = 'ContentNotRenderedError';
}

/** Options of TemplateResponse: those of HttpResponse, plus the engine alias. */
export interface TemplateResponseOptions extends ResponseOptions {
  /** Alias of the template engine to use (TEMPLATES[].NAME); default: each in turn. */
  using?: string;
}

/** Runs after rendering; may return a response that replaces this one. */
export type PostRenderCallback = (response: TemplateResponse) => unknown;

// Outside the class: HttpResponse's constructor sets `content` before subclass fields exist.
const rendered = new WeakSet<object>();

/**
 * A response rendered from a template after the view returns.
 *
 * @example
 * function home(request: HttpRequest) {
 *   return new TemplateResponse(request, 'home.html', { items });
 * }
 */
export class TemplateResponse extends HttpResponse {
  /** The template name (or names, first existing wins), or a compiled template. */
  templateName: string | readonly string[] | Template;
  /** The context the template gets; middleware may change it before rendering. */
  contextData: Context;
  readonly request: RequestLike | undefined;
  using: string | undefined;
  readonly #callbacks: PostRenderCallback[] = [];

  constructor(
    request: RequestLike | undefined,
    template: string | readonly string[] | Template,
    context: Context = {},
    options: TemplateResponseOptions = {},
  ) {
    const { using, ...rest } = options;
    super('', rest);
    rendered.delete(this);
    this.request = request;
    this.templateName = template;
    this.contextData = context;
    this.using = using;
  }

  /** Whether `render()` has run (or content was set directly). */
  get isRendered(): boolean {
    return rendered.has(this);
  }

  /** The template to use: `templateName` resolved through the engines. */
  resolveTemplate(template: string | readonly string[] | Template): Template {
    if (typeof template === 'string') return getTemplate(template, this.using);
    if (Array.isArray(template)) return selectTemplate(template as readonly string[], this.using);
    return template as Template;
  }

  /** The rendered text, without changing the response (a promise when the render is asynchronous). */
  get renderedContent(): string | Promise<string> {
    const template = this.resolveTemplate(this.templateName);
    return template.render(this.contextData, this.request);
  }

  /** Adds a function run after rendering (or at once if already rendered). */
  addPostRenderCallback(callback: PostRenderCallback): void {
    if (this.isRendered) callback(this);
    else this.#callbacks.push(callback);
  }

  /**
   * Renders the template into the content, once; runs the post-render callbacks. Returns the
   * response (or the one a callback returned instead).
   */
  async render(): Promise<HttpResponse> {
    let replacement: HttpResponse | undefined;
    if (!this.isRendered) {
      this.content = await this.renderedContent;
      for (const callback of this.#callbacks.splice(0)) {
        const replaced = await callback(this);
        if (replaced instanceof HttpResponse) replacement = replaced;
      }
    }
    return replacement ?? this;
  }

  override get content(): Uint8Array {
    if (!this.isRendered) {
      throw new ContentNotRenderedError(
        'The response content must be rendered before it can be accessed. Call and await response.render() first.',
      );
    }
    return super.content;
  }

  override set content(value: ConstructorParameters<typeof HttpResponse>[0]) {
    super.content = value;
    rendered.add(this);
  }

  override [Symbol.iterator](): Iterator<Uint8Array> {
    if (!this.isRendered) {
      throw new ContentNotRenderedError(
        'The response content must be rendered before it can be iterated over. Call and await response.render() first.',
      );
    }
    return super[Symbol.iterator]();
  }

  override async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (!this.isRendered) {
      throw new ContentNotRenderedError(
        'The response content must be rendered before it can be iterated over. Call and await response.render() first.',
      );
    }
    yield* { [Symbol.asyncIterator]: () => super[Symbol.asyncIterator]() };
  }
}
