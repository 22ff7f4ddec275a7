/**
 * Building URLconfs, as Django's `django.urls.conf`: `path()`, `rePath()` and `include()`.
 */
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { importModule } from '../utils/module-loading.ts';
import { RegexPattern, RoutePattern } from './patterns.ts';
import type { UrlPatternShape } from './patterns.ts';
import { URLPattern, URLResolver } from './resolvers.ts';
import type { UrlEntry, UrlconfModule, ViewFunction } from './resolvers.ts';
import type {
  AppNameOf,
  Empty,
  EndpointNames,
  IncludedInfo,
  IncludedNames,
  Named,
  RegexParams,
  RouteParams,
  UrlNamesOf,
} from './names.ts';

/** What `include()` returns: a URLconf, its application namespace and instance namespace. */
export class Included {
  readonly urlconfModule: UrlconfModule | readonly UrlEntry[];
  readonly appName: string | undefined;
  readonly namespace: string | undefined;
  constructor(
    urlconfModule: UrlconfModule | readonly UrlEntry[],
    appName: string | undefined,
    namespace: string | undefined,
  ) {
    this.urlconfModule = urlconfModule;
    this.appName = appName;
    this.namespace = namespace;
  }
}

/** Options of `path()` / `rePath()`. */
export interface PathOptions {
  /** The pattern's name, for `reverse()`. */
  name?: string;
  /** Extra keyword arguments given to the view (or to every view of an include); they win over captured ones. */
  kwargs?: Record<string, unknown>;
}

/** What `include()` accepts: a dotted module name, a module, a list of patterns, or `[patterns, appName]`. */
export type IncludeTarget =
  string | UrlconfModule | readonly UrlEntry[] | readonly [readonly UrlEntry[] | UrlconfModule | string, string];

function isTuple(arg: unknown): arg is readonly unknown[] {
  return (
    Array.isArray(arg) &&
    arg.length >= 2 &&
    typeof arg[1] === 'string' &&
    !(arg[0] instanceof URLPattern) &&
    !(arg[0] instanceof URLResolver)
  );
}

/**
 * Includes another URLconf under a prefix. `namespace` sets the instance namespace; the
 * application namespace comes from the module's `appName` or the `[patterns, appName]` pair.
 *
 * @example
 * path('blog/', include('blog.urls'));                       // blog/urls.ts, appName 'blog'
 * path('polls/', include([pollsPatterns, 'polls'], { namespace: 'author-polls' }));
 */
export function include<const T extends readonly UrlEntry[], const A extends string, const N extends string = never>(
  arg: readonly [T, A],
  options?: { namespace?: N },
): Included & IncludedInfo<UrlNamesOf<T>, A | N>;
export function include<const M extends UrlconfModule, const N extends string = never>(
  arg: M,
  options?: { namespace?: N },
): Included & IncludedInfo<UrlNamesOf<M['urlpatterns']>, AppNameOf<M> | N>;
export function include<const T extends readonly UrlEntry[]>(
  arg: T,
  options?: { namespace?: string },
): Included & IncludedInfo<UrlNamesOf<T>, never>;
export function include(arg: IncludeTarget, options?: { namespace?: string }): Included;
export function include(arg: IncludeTarget, options: { namespace?: string } = {}): Included {
  const namespace = options.namespace;
  let urlconf: unknown = arg;
  let appName: string | undefined;
  if (isTuple(arg)) {
    if (arg.length !== 2) {
      throw new ImproperlyConfigured(
        `Passing a ${arg.length}-tuple to include() is not supported. Pass a 2-tuple containing the list of patterns and appName, ` +
          `and provide the namespace option to include() instead.`,
      );
    }
    urlconf = arg[0];
    appName = arg[1] as string;
  }
  if (typeof urlconf === 'string') urlconf = importModule(urlconf);
  if (urlconf === null || typeof urlconf !== 'object') {
    throw new TypeError(
      `include() was given ${urlconf === null ? 'null' : typeof urlconf}. Pass a module name ('blog.urls'), a module with 'urlpatterns', ` +
        `a list of patterns, or [patterns, appName].`,
    );
  }
  const moduleAppName = Array.isArray(urlconf) ? undefined : (urlconf as UrlconfModule).appName;
  if (moduleAppName !== undefined) appName = moduleAppName;
  if (namespace && !appName) {
    throw new ImproperlyConfigured(
      `Specifying a namespace in include() without providing an appName is not supported. ` +
        `Set appName in the included module, or pass a 2-tuple containing the list of patterns and appName instead.`,
    );
  }
  return new Included(urlconf as UrlconfModule, appName, namespace || appName);
}

function isClass(view: unknown): boolean {
  return typeof view === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(view));
}

function makePath(
  kind: 'path' | 'rePath',
  route: string,
  view: unknown,
  options: PathOptions,
  Pattern: typeof RoutePattern | typeof RegexPattern,
): UrlEntry {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${kind}('${route}', ...) options must be an object such as { name: 'detail' }, got ${typeof options}.`,
    );
  }
  const { name, kwargs } = options;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError(
      `${kind}('${route}', ...) name must be a non-empty string such as 'article-detail', got ${name === '' ? 'an empty string' : typeof name}.`,
    );
  }
  if (kwargs !== undefined && (kwargs === null || typeof kwargs !== 'object' || Array.isArray(kwargs))) {
    throw new TypeError(
      `${kind}('${route}', ...) kwargs must be a plain object of extra arguments, got ${Array.isArray(kwargs) ? 'an array' : typeof kwargs}.`,
    );
  }
  if (view instanceof Included) {
    const pattern: UrlPatternShape = new Pattern(route, { isEndpoint: false });
    return new URLResolver(pattern, view.urlconfModule, kwargs, view.appName, view.namespace);
  }
  if (isClass(view)) {
    const cls = (view as { name: string }).name;
    throw new TypeError(`${kind}('${route}', ${cls}) was given a class. Pass ${cls}.asView() instead of ${cls}.`);
  }
  if (typeof view !== 'function') {
    if (
      view !== null &&
      typeof view === 'object' &&
      typeof (view.constructor as { asView?: unknown })?.asView === 'function'
    ) {
      const cls = view.constructor.name;
      throw new TypeError(
        `${kind}('${route}', ...) was given an instance of ${cls}. Pass ${cls}.asView(), not new ${cls}().`,
      );
    }
    throw new TypeError(
      `${kind}('${route}', ...) view must be a function or the result of include(), got ${view === null ? 'null' : typeof view}.`,
    );
  }
  const pattern: UrlPatternShape = new Pattern(route, { name, isEndpoint: true });
  return new URLPattern(pattern, view as ViewFunction, kwargs, name);
}

/**
 * A URL pattern with a route: literal text and `<converter:name>` parameters
 * (`int`, `str`, `slug`, `uuid`, `path`, or one from `registerConverter()`).
 *
 * @example
 * path('articles/<int:year>/<slug:slug>/', articleDetail, { name: 'article-detail' });
 * path('blog/', include('blog.urls'));
 */
export function path<
  const R extends string,
  const N extends string = never,
  const E extends Record<string, unknown> = Empty,
>(
  route: R,
  view: ViewFunction,
  options?: { name?: N; kwargs?: E },
): UrlEntry & Named<EndpointNames<N, RouteParams<R>, E>>;
export function path<const R extends string, M, NS extends string>(
  route: R,
  view: Included & IncludedInfo<M, NS>,
  options?: PathOptions,
): UrlEntry & Named<IncludedNames<M, NS, RouteParams<R>>>;
export function path(route: string, view: ViewFunction | Included, options?: PathOptions): UrlEntry;
export function path(route: string, view: ViewFunction | Included, options: PathOptions = {}): UrlEntry {
  return makePath('path', route, view, options, RoutePattern);
}

/**
 * A URL pattern with a regular expression (Python's `(?P<name>...)` or JavaScript's
 * `(?<name>...)`). Named groups are passed as string kwargs; without named groups, unnamed
 * groups are passed as positional args.
 *
 * @example
 * rePath('^articles/(?P<year>[0-9]{4})/$', yearArchive, { name: 'year-archive' });
 */
export function rePath<
  const R extends string,
  const N extends string = never,
  const E extends Record<string, unknown> = Empty,
>(
  regex: R,
  view: ViewFunction,
  options?: { name?: N; kwargs?: E },
): UrlEntry & Named<EndpointNames<N, RegexParams<R>, E>>;
export function rePath<const R extends string, M, NS extends string>(
  regex: R,
  view: Included & IncludedInfo<M, NS>,
  options?: PathOptions,
): UrlEntry & Named<IncludedNames<M, NS, RegexParams<R>>>;
export function rePath(regex: string, view: ViewFunction | Included, options?: PathOptions): UrlEntry;
export function rePath(regex: string, view: ViewFunction | Included, options: PathOptions = {}): UrlEntry {
  return makePath('rePath', regex, view, options, RegexPattern);
}
