/**
 * The protocol-agnostic request handler, as Django's `django.core.handlers.base.BaseHandler`:
 * loads `MIDDLEWARE` once into a chain (each layer wrapped so its exceptions become responses
 * there), resolves the URL, runs `processView`, reads the request body when the view will use
 * it, calls the view, checks what it returned, runs `processTemplateResponse` and renders
 * template responses.
 *
 * The body is read at the last moment (docs/architecture.md): a URL that does not resolve (404),
 * a view that does not answer the method (405) or middleware that refuses the request (a CSRF
 * failure decided from the headers) reads none of it.
 */
import { settings } from '../../conf/index.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { getResolver, setUrlconf } from '../../urls/base.ts';
import { funcPath } from '../../urls/resolvers.ts';
import { getLogger } from '../../utils/log.ts';
import { importString } from '../../utils/module-loading.ts';
import { viewWantsBody } from '../../utils/decorators.ts';
import { ImproperlyConfigured, MiddlewareNotUsed } from '../exceptions.ts';
import { getViewWrapper } from '../request-scope.ts';
import type {
  GetResponse,
  MiddlewareClass,
  MiddlewareFactory,
  MiddlewareHandler,
  ProcessException,
  ProcessTemplateResponse,
  ProcessView,
  HandlerView,
} from '../../middleware/index.ts';
import { convertExceptionToResponse, convertInstanceToResponse, isResponse } from './exception.ts';
import { describe } from '../../gateway/describe.ts';

const logger = getLogger('tsgi.request');

/** Calls the view, through the view wrapper an extension registered (request-scope.ts), if any. */
function callView(request: HttpRequest, match: ViewMatch, view: HandlerView): unknown {
  const wrap = getViewWrapper();
  return wrap === undefined ? match.callView(request) : wrap(request, view, () => match.callView(request));
}

/** What the handler uses of a resolver match. */
interface ViewMatch {
  args: readonly unknown[];
  kwargs: Readonly<Record<string, unknown>>;
  callView(request: unknown): unknown;
}

function isClass(value: unknown): value is MiddlewareClass {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

function entryName(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  return (entry as { name?: string }).name || '(anonymous middleware)';
}

/**
 * The handler core, shared by the gateway adapter and the test client.
 *
 * @example
 * const handler = new BaseHandler();
 * handler.loadMiddleware();
 * const response = await handler.getResponse(request);
 */
export class BaseHandler {
  #chain: GetResponse | undefined;
  #viewMiddleware: ProcessView[] = [];
  #templateResponseMiddleware: Array<[hook: ProcessTemplateResponse, name: string]> = [];
  #exceptionMiddleware: ProcessException[] = [];

  /** Whether `loadMiddleware()` has run. */
  get loaded(): boolean {
    return this.#chain !== undefined;
  }

  /**
   * Builds the middleware chain from `MIDDLEWARE` (innermost last), once. A factory that returns
   * nothing is an error; one that throws `MiddlewareNotUsed` is left out.
   */
  loadMiddleware(entries: readonly unknown[] = settings.MIDDLEWARE as readonly unknown[]): void {
    if (!Array.isArray(entries)) {
      throw new ImproperlyConfigured(`The MIDDLEWARE setting must be a list, got ${describe(entries)}.`);
    }
    const viewMw: ProcessView[] = [];
    const templateMw: Array<[ProcessTemplateResponse, string]> = [];
    const exceptionMw: ProcessException[] = [];
    let handler = convertExceptionToResponse((request) => this.#getResponseInner(request));
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i];
      const name = entryName(entry);
      const factory = typeof entry === 'string' ? importString(entry) : entry;
      if (typeof factory !== 'function') {
        throw new ImproperlyConfigured(
          `The middleware ${name} is not a function or a class (got ${describe(factory)}). A MIDDLEWARE entry must name a factory (getResponse) => handler or a class.`,
        );
      }
      // The layer's hooks, and the layer wrapped so that its exceptions become responses.
      let layer: Pick<MiddlewareHandler, 'processView' | 'processException' | 'processTemplateResponse'>;
      let wrapped: GetResponse;
      try {
        if (isClass(factory)) {
          const instance = new factory(handler);
          if (typeof instance.call !== 'function') {
            throw new ImproperlyConfigured(
              `The middleware class ${name} has no call(request) method. Add one that returns the response.`,
            );
          }
          layer = {
            processView: instance.processView?.bind(instance),
            processException: instance.processException?.bind(instance),
            processTemplateResponse: instance.processTemplateResponse?.bind(instance),
          };
          // call() straight from the wrapper, not through a function made to call it: one call
          // less per layer and request, where every layer shares the same call sites.
          wrapped = convertInstanceToResponse(instance);
        } else {
          const made = (factory as MiddlewareFactory)(handler);
          if (made === undefined || made === null) {
            throw new ImproperlyConfigured(
              `Middleware factory ${name} returned ${made === null ? 'null' : 'undefined'}. It must return the handler (request) => response.`,
            );
          }
          if (typeof made !== 'function') {
            throw new ImproperlyConfigured(
              `Middleware factory ${name} returned ${describe(made)}. It must return the handler (request) => response.`,
            );
          }
          layer = made;
          wrapped = convertExceptionToResponse(made);
        }
      } catch (error) {
        if (error instanceof MiddlewareNotUsed) {
          if (settings.DEBUG)
            logger.debug(
              error.message ? `MiddlewareNotUsed('${name}'): ${error.message}` : `MiddlewareNotUsed: '${name}'`,
            );
          continue;
        }
        throw error;
      }
      if (layer.processView) viewMw.unshift(layer.processView);
      if (layer.processTemplateResponse) templateMw.push([layer.processTemplateResponse, name]);
      if (layer.processException) exceptionMw.push(layer.processException);
      handler = wrapped;
    }
    this.#viewMiddleware = viewMw;
    this.#templateResponseMiddleware = templateMw;
    this.#exceptionMiddleware = exceptionMw;
    this.#chain = handler;
  }

  /** Runs a request through the chain. The response is never an exception. */
  getResponse(request: HttpRequest): Promise<HttpResponseBase> {
    const response = this.respond(request);
    return response instanceof Promise ? response : Promise.resolve(response);
  }

  /**
   * As `getResponse()`, but the response itself when the whole chain answered synchronously (no
   * promise to wait for): what the gateway handler calls on every request.
   */
  respond(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    if (this.#chain === undefined) this.loadMiddleware();
    return this.#chain!(request);
  }

  /**
   * Resolves and calls the view. Synchronous as long as the view middleware and the view are
   * (the common case): a promise is awaited only when one is returned.
   */
  #getResponseInner(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    let resolver;
    if (request.urlconf !== undefined && request.urlconf !== null) {
      setUrlconf(request.urlconf);
      resolver = getResolver(request.urlconf);
    } else {
      resolver = getResolver();
    }
    const match = resolver.resolve(request.pathInfo);
    request.resolverMatch = match;
    const view = match.func as HandlerView;
    const hooks = this.#viewMiddleware;
    for (let i = 0; i < hooks.length; i++) {
      const answer = hooks[i]!(request, view, match.args, match.kwargs);
      if (answer instanceof Promise) return this.#continueAfterViewMiddleware(request, match, view, i, answer);
      if (answer !== undefined && answer !== null) return this.#finish(request, answer, view);
    }
    if (!request.bodyLoaded && viewWantsBody(view, request.method)) return this.#callWithBody(request, match, view);
    let result: unknown;
    try {
      result = callView(request, match, view);
    } catch (error) {
      return this.#recover(request, error, view);
    }
    if (result instanceof Promise) {
      return result.then(
        (response: unknown) => this.#finish(request, response, view),
        (error: unknown) => this.#recover(request, error, view),
      );
    }
    return this.#finish(request, result, view);
  }

  async #continueAfterViewMiddleware(
    request: HttpRequest,
    match: ViewMatch,
    view: HandlerView,
    index: number,
    pending: Promise<unknown>,
  ): Promise<HttpResponseBase> {
    let response: unknown = await pending;
    const hooks = this.#viewMiddleware;
    for (let i = index + 1; (response === undefined || response === null) && i < hooks.length; i++) {
      response = await hooks[i]!(request, view, match.args, match.kwargs);
    }
    if (response === undefined || response === null) {
      if (!request.bodyLoaded && viewWantsBody(view, request.method)) await request.loadBody();
      try {
        response = await callView(request, match, view);
      } catch (error) {
        return this.#recover(request, error, view);
      }
    }
    return this.#finish(request, response, view);
  }

  /**
   * Reads the body, then calls the view. A body that cannot be stored (UploadStorageError) is
   * answered at once, without the view; one that broke a size or count limit is read no further,
   * and the view meets the error when it uses `POST`/`FILES`/`body`, as in Django.
   */
  async #callWithBody(request: HttpRequest, match: ViewMatch, view: HandlerView): Promise<HttpResponseBase> {
    await request.loadBody();
    let response: unknown;
    try {
      response = await callView(request, match, view);
    } catch (error) {
      return this.#recover(request, error, view);
    }
    return this.#finish(request, response, view);
  }

  async #recover(request: HttpRequest, error: unknown, view: HandlerView): Promise<HttpResponseBase> {
    const response = await this.#processExceptionByMiddleware(error, request);
    if (response === undefined) throw error;
    return this.#finish(request, response, view);
  }

  /** Checks the view's answer and renders a template response. */
  #finish(request: HttpRequest, response: unknown, view: HandlerView): HttpResponseBase | Promise<HttpResponseBase> {
    checkResponse(response, view);
    const templated = response as HttpResponseBase & { render?: () => unknown; isRendered?: boolean };
    if (typeof templated.render === 'function') return this.#render(request, templated);
    return response;
  }

  async #render(request: HttpRequest, templated: HttpResponseBase): Promise<HttpResponseBase> {
    let current: HttpResponseBase = templated;
    for (const [hook, name] of this.#templateResponseMiddleware) {
      current = await hook(request, current);
      checkResponse(current, hook, `${name}.processTemplateResponse`);
    }
    try {
      const renderable = current as HttpResponseBase & { render?: () => unknown };
      if (typeof renderable.render === 'function') {
        const rendered = await renderable.render();
        if (isResponse(rendered)) current = rendered;
      }
    } catch (error) {
      const replacement = await this.#processExceptionByMiddleware(error, request);
      if (replacement === undefined) throw error;
      current = replacement;
    }
    return current;
  }

  async #processExceptionByMiddleware(error: unknown, request: HttpRequest): Promise<HttpResponseBase | undefined> {
    for (const hook of this.#exceptionMiddleware) {
      const response = await hook(request, error);
      if (response !== undefined && response !== null) return response;
    }
    return undefined;
  }
}

/**
 * Throws when a view (or a `processTemplateResponse` hook) returned something that is not a
 * response, naming it: "The view markup.views.home didn't return an HttpResponse object. It
 * returned undefined instead."
 */
export function checkResponse(
  response: unknown,
  callback: unknown,
  name?: string,
): asserts response is HttpResponseBase {
  if (isResponse(response)) return;
  const what = name !== undefined ? `${name}` : `The view ${funcPath(callback)}`;
  throw new TypeError(`${what} didn't return an HttpResponse object. It returned ${describe(response)} instead.`);
}
