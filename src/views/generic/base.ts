/**
 * Class-based views, as Django's `django.views.generic.base`: `View` dispatches on the request
 * method; `RedirectView` redirects to a URL or a named pattern.
 */
import type { HttpRequest } from '../../http/request.ts';
import {
  HttpResponse,
  HttpResponseGone,
  HttpResponseNotAllowed,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
} from '../../http/response.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { reverseAny } from '../../urls/base.ts';
import { getLogger } from '../../utils/log.ts';
import type { LazyUrl } from '../../urls/base.ts';

/** What a handler (`get`, `post`, ...) or a view may return. */
export type ViewResult = HttpResponseBase | Promise<HttpResponseBase>;

/** The function `asView()` returns: what a URL pattern calls. */
export type ClassViewFunction<V extends typeof View = typeof View> = ((
  request: HttpRequest,
  ...rest: unknown[]
) => Promise<HttpResponseBase>) & {
  readonly viewClass: V;
  readonly viewInitkwargs: Readonly<Record<string, unknown>>;
  /** The methods the class has handlers for: the handler reads no body for others (405). */
  readonly httpMethods: readonly string[];
};

/**
 * Splits what a URL pattern passed after the request into positional args and kwargs:
 * tsgi calls `view(request, ...args)` when the pattern captured positional args, else
 * `view(request, kwargs)` with one plain object.
 */
export function splitViewArguments(rest: readonly unknown[]): { args: unknown[]; kwargs: Record<string, unknown> } {
  if (rest.length === 0) return { args: [], kwargs: {} };
  if (rest.length === 1 && isPlainObject(rest[0])) return { args: [], kwargs: rest[0] as Record<string, unknown> };
  return { args: [...rest], kwargs: {} };
}

function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

type Handler = (request: HttpRequest, ...rest: unknown[]) => ViewResult;

/** Django's `django.request` logger: 4xx answers a view chose are logged as warnings. */
const requestLogger = getLogger('tsgi.request');

/**
 * The base class-based view. Define `get()`, `post()`, ... as methods; `asView()` gives the
 * function to put in a URL pattern. Handlers are called like the view itself:
 * `get(request, ...args)` when the pattern captured positional args, else `get(request, kwargs)`
 * (an empty object when nothing was captured).
 *
 * A request whose method has no handler gets 405 with `Allow`; `OPTIONS` is answered with
 * `Allow`; `HEAD` is served by `get()` when there is no `head()`.
 *
 * @example
 * class ArticleView extends View {
 *   get(request: HttpRequest, { pk }: { pk: number }) { return new HttpResponse(`article ${pk}`); }
 * }
 * path('articles/<int:pk>/', ArticleView.asView(), { name: 'article' });
 */
export class View {
  /** The methods this view may answer, lower-case, in the order `Allow` lists them. */
  static httpMethodNames: readonly string[] = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];

  request!: HttpRequest;
  args: unknown[] = [];
  kwargs: Record<string, unknown> = {};

  /**
   * The view function for a URL pattern. Each request gets a new instance with `initkwargs`
   * set as attributes; only attributes the class already has may be given.
   *
   * @example
   * path('about/', RedirectView.asView({ url: '/about-us/', permanent: true }));
   */
  static asView<V extends typeof View>(this: V, initkwargs: Record<string, unknown> = {}): ClassViewFunction<V> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class, captured for the view closure
    const cls: typeof View = this;
    const methods = cls.httpMethodNames;
    const probe = new cls();
    for (const key of Object.keys(initkwargs)) {
      if (methods.includes(key)) {
        throw new TypeError(
          `The method name ${key} is not accepted as a keyword argument to ${cls.name}.asView(). Define ${key}() as a method of ${cls.name} instead.`,
        );
      }
      if (!(key in probe)) {
        throw new TypeError(
          `${cls.name}.asView() received an invalid keyword '${key}'. asView only accepts arguments that are already attributes of the class; declare '${key}' as a field of ${cls.name} first.`,
        );
      }
    }
    const view = async (request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> => {
      // Assigned after construction: a subclass's field initialisers run after any base constructor.
      const self = Object.assign(new cls(), initkwargs);
      self.setup(request, ...rest);
      if (self.request === undefined) {
        throw new TypeError(
          `${cls.name} instance has no 'request' attribute. Did you override setup() and forget to call super.setup()?`,
        );
      }
      return self.dispatch(request, ...rest);
    };
    Object.defineProperty(view, 'name', { value: cls.name });
    // As Django: what is marked on dispatch (methodDecorator(csrfExempt, 'dispatch')) is marked
    // on the view; the methods it answers are the handlers', narrowed by a decorated dispatch's.
    const dispatch = (cls.prototype as unknown as Record<string, unknown>).dispatch as Record<string, unknown>;
    for (const key of Object.keys(dispatch)) (view as unknown as Record<string, unknown>)[key] = dispatch[key];
    const handlers = probe.allowedMethods();
    const narrowed = dispatch.httpMethods as readonly string[] | undefined;
    return Object.assign(view, {
      viewClass: this,
      viewInitkwargs: Object.freeze({ ...initkwargs }),
      httpMethods: Object.freeze(narrowed === undefined ? handlers : handlers.filter((m) => narrowed.includes(m))),
    });
  }

  /** Sets `request`, `args` and `kwargs` before `dispatch()`. */
  setup(request: HttpRequest, ...rest: unknown[]): void {
    const self = this as unknown as Record<string, unknown>;
    if (typeof self.get === 'function' && typeof self.head !== 'function') self.head = self.get;
    this.request = request;
    const { args, kwargs } = splitViewArguments(rest);
    this.args = args;
    this.kwargs = kwargs;
  }

  /** Calls the handler named after the request method, or `httpMethodNotAllowed()`. */
  dispatch(request: HttpRequest, ...rest: unknown[]): ViewResult {
    const { args, kwargs } = splitViewArguments(rest);
    const method = (request.method ?? '').toLowerCase();
    const methods = (this.constructor as typeof View).httpMethodNames;
    const candidate = methods.includes(method) ? (this as unknown as Record<string, unknown>)[method] : undefined;
    const handler = typeof candidate === 'function' ? (candidate as Handler) : this.httpMethodNotAllowed;
    return args.length ? handler.call(this, request, ...args) : handler.call(this, request, kwargs);
  }

  /** 405 Method Not Allowed, listing the methods this view has handlers for. */
  httpMethodNotAllowed(request: HttpRequest, ..._rest: unknown[]): ViewResult {
    requestLogger.warning(`Method Not Allowed (${request.method}): ${request.path}`, { statusCode: 405, request });
    return new HttpResponseNotAllowed(this.allowedMethods());
  }

  /** Answers `OPTIONS` with `Allow` and an empty body. */
  options(_request: HttpRequest, ..._rest: unknown[]): ViewResult {
    const response = new HttpResponse();
    response.headers.set('Allow', this.allowedMethods().join(', '));
    response.headers.set('Content-Length', '0');
    return response;
  }

  /** The upper-case methods this view has a handler for (`HEAD` when it has `get`). */
  allowedMethods(): string[] {
    const self = this as unknown as Record<string, unknown>;
    return (this.constructor as typeof View).httpMethodNames
      .filter((m) => typeof self[m] === 'function' || (m === 'head' && typeof self.get === 'function'))
      .map((m) => m.toUpperCase());
  }
}

/**
 * Redirects every method to `url` (with `%(name)s` filled from the URL's kwargs, as Django) or
 * to the pattern named `patternName` reversed with the same arguments. With neither, 410 Gone.
 *
 * @example
 * path('go/<int:pk>/', RedirectView.asView({ patternName: 'article' }));
 * path('old/', RedirectView.asView({ url: '/new/', permanent: true, queryString: true }));
 */
export class RedirectView extends View {
  /** 301/308-style permanent redirect instead of 302. */
  permanent = false;
  /** The target; `%(name)s` takes the URL's kwarg `name`. May be a `reverseLazy()` value. */
  url: string | LazyUrl | null = null;
  patternName: string | null = null;
  /** Keep the request's query string. */
  queryString = false;

  /** The target, or `null` for 410 Gone. Override to compute it. */
  getRedirectUrl(...rest: unknown[]): string | null {
    const { args, kwargs } = splitViewArguments(rest);
    let url: string;
    if (this.url) {
      url = interpolate(String(this.url), kwargs);
    } else if (this.patternName) {
      url = reverseAny(this.patternName, args.length ? { args } : { kwargs });
    } else {
      return null;
    }
    const qs = this.request?.META?.QUERY_STRING ?? '';
    if (qs && this.queryString) url = `${url}?${qs}`;
    return url;
  }

  get(request: HttpRequest, ...rest: unknown[]): ViewResult {
    const url = this.getRedirectUrl(...rest);
    if (!url) {
      requestLogger.warning(`Gone: ${request.path}`, { statusCode: 410, request });
      return new HttpResponseGone();
    }
    return this.permanent ? new HttpResponsePermanentRedirect(url) : new HttpResponseRedirect(url);
  }

  head(request: HttpRequest, ...rest: unknown[]): ViewResult {
    return this.get(request, ...rest);
  }

  post(request: HttpRequest, ...rest: unknown[]): ViewResult {
    return this.get(request, ...rest);
  }

  override options(request: HttpRequest, ...rest: unknown[]): ViewResult {
    return this.get(request, ...rest);
  }

  delete(request: HttpRequest, ...rest: unknown[]): ViewResult {
    return this.get(request, ...rest);
  }

  put(request: HttpRequest, ...rest: unknown[]): ViewResult {
    return this.get(request, ...rest);
  }

  patch(request: HttpRequest, ...rest: unknown[]): ViewResult {
    return this.get(request, ...rest);
  }
}

/** Python's `url % kwargs`: `%(name)s` takes the kwarg, `%%` is a literal `%`. */
function interpolate(template: string, kwargs: Record<string, unknown>): string {
  return template.replace(/%(?:\(([^)]*)\)s|%)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '%';
    if (!(name in kwargs)) {
      throw new TypeError(
        `RedirectView url '${template}' refers to %(${name})s, but the URL pattern captured no '${name}'. Capture it in the pattern or remove it from the url.`,
      );
    }
    return String(kwargs[name]);
  });
}
