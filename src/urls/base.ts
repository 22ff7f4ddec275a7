/**
 * The dispatcher's entry points, as Django's `django.urls.base`: `resolve()`, `reverse()`, the
 * resolver cache, the script prefix and the per-request URLconf.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { fromSettings, settings } from '../conf/index.ts';
import { settingChanged } from '../conf/signals.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { NoReverseMatch, Resolver404 } from './exceptions.ts';
import { RegexPattern } from './patterns.ts';
import { escapeRegExp, fillVariant } from './regex-helper.ts';
import { URLResolver, joinPossibility, joinPrefix } from './resolvers.ts';
import type { NamespacePrefix, ResolverMatch, ReversePossibility, Urlconf } from './resolvers.ts';
import { describe } from '../gateway/describe.ts';
import type { TakesNoArguments, UrlName, UrlParams } from './names.ts';

/**
 * What `reverse()` takes after a registered name: its parameters as `kwargs` (or positional
 * `args`), required when the name has any; optional options otherwise.
 */
export type ReverseArguments<N extends string> =
  TakesNoArguments<N> extends true
    ? [options?: ReverseOptions<UrlParams<N>>]
    : [options: ReverseOptions<UrlParams<N>> & ({ kwargs: UrlParams<N> } | { args: readonly unknown[] })];

/** A view function, which `reverse()` also takes instead of a name. */
type ViewTarget = (...args: never[]) => unknown;

/** `reverse()` for a name or view only known at run time (no registry check): for the framework's own callers. */
export const reverseAny = (viewName: string | ViewTarget, options: ReverseOptions = {}): string =>
  (reverse as (viewName: string | ViewTarget, options: ReverseOptions) => string)(viewName, options);

// Module names by string; module objects and pattern lists by identity, weakly, so that a URLconf
// built on the fly (tests, per-request urlconf) does not stay in memory for ever.
const resolversByName = new Map<string, URLResolver>();
let resolversByObject = new WeakMap<object, URLResolver>();
// The script prefix of the request being handled lives in its async context (Django keeps it
// thread-local), so two mounts served by one process never read each other's. Outside any
// request (boot, scripts, tests), the process default set by setScriptPrefix() applies.
let defaultScriptPrefix = '/';
const scriptPrefixStore = new AsyncLocalStorage<string>();
// Whether a context with a prefix of its own was ever entered: until then none exists, and the
// handler's check on every request needs no lookup in the async context.
let prefixContexts = false;
const urlconfStore = new AsyncLocalStorage<{ urlconf: Urlconf | undefined }>();

// ROOT_URLCONF, read once per settings change: every request resolves against it.
const rootUrlconf = fromSettings(() => settings.ROOT_URLCONF as Urlconf | null);

/**
 * The resolver of a URLconf (by default `settings.ROOT_URLCONF`), built once and cached until
 * `clearUrlCaches()`.
 *
 * @example
 * getResolver('markup.urls').resolve('/articles/2003/');
 */
export function getResolver(urlconf?: Urlconf | null): URLResolver {
  const conf = urlconf ?? rootUrlconf();
  if (conf === null || conf === undefined || conf === '') {
    throw new ImproperlyConfigured(
      "The ROOT_URLCONF setting is not set. Set it to the dotted name of your URLconf module, such as ROOT_URLCONF = 'mysite.urls'.",
    );
  }
  let resolver = typeof conf === 'string' ? resolversByName.get(conf) : resolversByObject.get(conf);
  if (resolver === undefined) {
    resolver = new URLResolver(new RegexPattern('^/'), conf);
    if (typeof conf === 'string') resolversByName.set(conf, resolver);
    else resolversByObject.set(conf, resolver);
  }
  return resolver;
}

/**
 * Forgets every cached resolver (and the URLconf modules' compiled dispatch trees with them).
 * Called automatically when `ROOT_URLCONF` is overridden.
 */
export function clearUrlCaches(): void {
  resolversByName.clear();
  resolversByObject = new WeakMap();
}

settingChanged.connect(
  ({ setting }) => {
    if (setting === 'ROOT_URLCONF') {
      clearUrlCaches();
      setUrlconf(undefined);
    }
  },
  { dispatchUid: 'tsgi.urls.clearUrlCaches' },
);

/**
 * Resolves a path (`/articles/2003/`) against the current URLconf. Throws `Resolver404`.
 *
 * @example
 * const match = resolve('/articles/2003/');
 * match.func; match.kwargs; // { year: 2003 }
 */
export function resolve(path: string, urlconf?: Urlconf | null): ResolverMatch {
  return getResolver(urlconf ?? getUrlconf()).resolve(path);
}

/**
 * The match for `path` if it resolves, else `false`, as Django's `is_valid_path` (CommonMiddleware
 * uses it to decide whether `/path/` exists before redirecting `/path` there).
 *
 * @example
 * if (!isValidPath(request.pathInfo) && isValidPath(request.pathInfo + '/')) ...
 */
export function isValidPath(path: string, urlconf?: Urlconf | null): ResolverMatch | false {
  try {
    return resolve(path, urlconf);
  } catch (error) {
    if (error instanceof Resolver404) return false;
    throw error;
  }
}

/**
 * The prefix `reverse()` puts in front of every URL: the mount point (`SCRIPT_NAME`, or
 * `FORCE_SCRIPT_NAME`) of the request being handled, else the process default.
 */
export function getScriptPrefix(): string {
  return scriptPrefixStore.getStore() ?? defaultScriptPrefix;
}

/**
 * A relative `STATIC_URL` / `MEDIA_URL` ('static/') under the script prefix ('/static/'), as
 * Django's settings do since 3.1; absolute paths and `http(s)://` URLs are left alone.
 *
 * @example
 * addScriptPrefix('static/'); // '/static/' (or '/mount/static/' under SCRIPT_NAME=/mount)
 */
export function addScriptPrefix(url: string): string {
  if (url === '' || url.startsWith('/') || /^https?:\/\//i.test(url)) return url;
  return getScriptPrefix() + url;
}

/**
 * Sets the process default of the script prefix (a trailing `/` is added when missing): what
 * `reverse()` uses outside a request. `setup()` sets it from `FORCE_SCRIPT_NAME`; each request
 * gets its own from its `SCRIPT_NAME` (see `runWithScriptPrefix()`), which this does not change.
 */
export function setScriptPrefix(prefix: string): void {
  defaultScriptPrefix = withSlash(prefix);
}

/**
 * Runs `fn(...args)` with `prefix` as the script prefix of its async context (everything it
 * calls and awaits), as the request handler does with each request's `SCRIPT_NAME`. When the
 * prefix is already the current one, `fn` runs in the current context: entering a new one costs
 * about 0.3 µs, a fifth of a hello request.
 *
 * @example
 * runWithScriptPrefix('/blog', () => reverse('index')); // '/blog/'
 */
export function runWithScriptPrefix<A extends unknown[], R>(prefix: string, fn: (...args: A) => R, ...args: A): R {
  const slashed = withSlash(prefix);
  if (slashed === getScriptPrefix()) return fn(...args);
  prefixContexts = true;
  return scriptPrefixStore.run(slashed, fn, ...args);
}

/** Whether `prefix` (with or without its trailing `/`) is the current script prefix. */
export function isScriptPrefix(prefix: string): boolean {
  const slashed = prefix === '' ? '/' : withSlash(prefix);
  return slashed === (prefixContexts ? getScriptPrefix() : defaultScriptPrefix);
}

function withSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix : prefix + '/';
}

/** The URLconf of the current request (`request.urlconf`) if one was set, else `fallback`. */
export function getUrlconf<T = undefined>(fallback?: T): Urlconf | T {
  const store = urlconfStore.getStore();
  return store?.urlconf ?? (fallback as T);
}

/**
 * Sets the URLconf for the rest of the current asynchronous context (the request being handled);
 * `undefined` goes back to `ROOT_URLCONF`. Concurrent requests each keep their own, provided it is
 * called inside the request's own async context (after the handler's first `await`); before
 * that, it would also change the caller's. `runWithUrlconf()` has no such caveat.
 *
 * @example
 * await null; // in the request's own async function
 * setUrlconf(request.urlconf);
 */
export function setUrlconf(urlconf: Urlconf | undefined | null): void {
  urlconfStore.enterWith({ urlconf: urlconf ?? undefined });
}

/** Runs `fn` with `urlconf` as the current URLconf. */
export function runWithUrlconf<R>(urlconf: Urlconf | undefined, fn: () => R): R {
  return urlconfStore.run({ urlconf }, fn);
}

/**
 * A query string for `reverse()`: an object (arrays repeat the key), a list of `[key, value]`
 * pairs, `URLSearchParams`, or a `QueryDict` (anything with `urlencode()`).
 */
export type ReverseQuery =
  URLSearchParams | { urlencode(): string } | readonly (readonly [string, unknown])[] | Record<string, unknown>;

/** Options of `reverse()`; `P`, the parameters of the name reversed (docs/http.md, typed reverse). */
export interface ReverseOptions<P = Record<string, unknown>> {
  urlconf?: Urlconf;
  args?: readonly unknown[];
  kwargs?: P;
  /** The current application instance (`request.resolverMatch.namespace`), for namespaced names. */
  currentApp?: string;
  /** Appended as `?query`, form-encoded. */
  query?: ReverseQuery;
  /** Appended as `#fragment`. */
  fragment?: string;
}

/**
 * The URL of a named pattern (or of a view function), percent-encoded, with the script prefix.
 * Throws `NoReverseMatch`.
 *
 * @example
 * reverse('news:archive', { kwargs: { year: 2024 } });           // '/news/2024/'
 * reverse('article', { args: ['x'], query: { page: 2 } });       // '/articles/x/?page=2'
 */
export function reverse<N extends UrlName>(viewName: N, ...options: ReverseArguments<N>): string;
export function reverse(viewName: string, options: ReverseOptions & { urlconf: Urlconf }): string;
export function reverse(viewName: ViewTarget, options?: ReverseOptions): string;
export function reverse(viewName: string | ViewTarget, options: ReverseOptions = {}): string {
  const root = getResolver(options.urlconf ?? getUrlconf());
  let resolver = root;
  const args = options.args ?? [];
  const kwargs = options.kwargs ?? {};
  const prefix = getScriptPrefix();
  let view: unknown = viewName;
  let nsPrefix: NamespacePrefix | undefined;
  let nsKey = '';
  if (typeof viewName === 'string') {
    const path = viewName.split(':');
    view = path.pop();
    let currentPath = options.currentApp ? options.currentApp.split(':').reverse() : undefined;
    const resolvedPath: string[] = [];
    for (let ns of path) {
      const currentNs = currentPath?.length ? currentPath.pop() : undefined;
      const appList = resolver.appDict.get(ns);
      if (appList !== undefined) {
        if (currentNs && appList.includes(currentNs)) ns = currentNs;
        else if (!appList.includes(ns)) ns = appList[0]; // no default instance: the last deployed
      }
      if (ns !== currentNs) currentPath = undefined;
      const entry = resolver.namespaceDict.get(ns);
      if (entry === undefined) {
        throw new NoReverseMatch(
          resolvedPath.length
            ? `'${ns}' is not a registered namespace inside '${resolvedPath.join(':')}'. Check the name, or include() the URLconf with namespace '${ns}' there.`
            : `'${ns}' is not a registered namespace. Check the name, or include() a URLconf with namespace '${ns}' (or appName '${ns}').`,
        );
      }
      resolvedPath.push(ns);
      nsPrefix = nsPrefix ? joinPrefix(nsPrefix, entry.prefix) : entry.prefix;
      resolver = entry.resolver;
    }
    nsKey = resolvedPath.join(':');
  }
  let possibilities: readonly ReversePossibility[] = resolver.reverseDict.get(view) ?? [];
  if (nsPrefix !== undefined && possibilities.length) {
    // Cached on the root: an included module's resolvers may sit under several roots.
    let byName = root.nsCache.get(nsKey);
    if (byName === undefined) root.nsCache.set(nsKey, (byName = new Map()));
    let joined = byName.get(view);
    if (joined === undefined) {
      const p = nsPrefix;
      joined = possibilities.map((x) => joinPossibility(p, x));
      byName.set(view, joined);
    }
    possibilities = joined;
  }
  let url = reverseWithPrefix(viewName, possibilities, prefix, args, kwargs);
  if (options.query !== undefined && options.query !== null) {
    const qs = urlencode(options.query);
    if (qs) url += '?' + qs;
  }
  if (options.fragment !== undefined && options.fragment !== null) {
    if (typeof options.fragment !== 'string') {
      throw new TypeError(
        `reverse() fragment must be a string, got ${describe(options.fragment)}. Pass fragment: 'section-id'.`,
      );
    }
    // Not encoded, as Django's reverse(fragment=...).
    url += '#' + options.fragment;
  }
  return url;
}

/**
 * A URL reversed when first used as a string, as Django's `reverse_lazy`: for values computed at
 * import time, before the URLconf can be loaded (a class field such as `successUrl`).
 *
 * @example
 * const HOME = reverseLazy('home');        // at import time: nothing is resolved yet
 * RedirectView.asView({ url: HOME });       // reversed on the first request
 * String(HOME);                              // '/'
 */
export function reverseLazy<N extends UrlName>(viewName: N, ...options: ReverseArguments<N>): LazyUrl;
export function reverseLazy(viewName: string, options: ReverseOptions & { urlconf: Urlconf }): LazyUrl;
export function reverseLazy(viewName: ViewTarget, options?: ReverseOptions): LazyUrl;
export function reverseLazy(viewName: string | ViewTarget, options: ReverseOptions = {}): LazyUrl {
  return new LazyUrl(() => reverseAny(viewName, options));
}

/**
 * The value of `reverseLazy()`: reversed each time it is turned into a string, as Django's lazy
 * strings are, so that it follows the current URLconf, script prefix and settings overrides.
 */
export class LazyUrl {
  readonly #compute: () => string;
  constructor(compute: () => string) {
    this.#compute = compute;
  }
  toString(): string {
    return this.#compute();
  }
  [Symbol.toPrimitive](): string {
    return this.#compute();
  }
  toJSON(): string {
    return this.#compute();
  }
}

const verifiers = new WeakMap<ReversePossibility, { prefix: string; regex: RegExp }>();

function verifier(p: ReversePossibility, prefix: string): RegExp {
  const cached = verifiers.get(p);
  if (cached !== undefined && cached.prefix === prefix) return cached.regex;
  const regex = new RegExp('^' + escapeRegExp(prefix) + p.source);
  verifiers.set(p, { prefix, regex });
  return regex;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
    return `{${Object.entries(value)
      .map(([k, v]) => `'${k}': ${formatValue(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Python's `==` for the values reverse() compares: numbers and bigints by value, else identity. */
function sameValue(a: unknown, b: unknown): boolean {
  const numeric = (x: unknown) => typeof x === 'number' || typeof x === 'bigint';
  // 1999 == 1999n, as Python's ints compare.
  if (numeric(a) && numeric(b)) return a == b;
  return a === b;
}

function reverseWithPrefix(
  lookup: unknown,
  possibilities: readonly ReversePossibility[],
  prefix: string,
  args: readonly unknown[],
  kwargs: Record<string, unknown>,
): string {
  const kwargKeys = Object.keys(kwargs);
  if (args.length && kwargKeys.length) {
    throw new TypeError(
      `reverse() was given both args ${formatValue(args)} and kwargs ${formatValue(kwargs)}. Pass one or the other: a pattern captures either positional or named arguments.`,
    );
  }
  for (const p of possibilities) {
    variants: for (const variant of p.variants) {
      const params = variant.names ?? variant.params;
      let subs: Record<string, unknown>;
      if (args.length) {
        if (args.length !== params.length) continue;
        subs = {};
        for (let i = 0; i < params.length; i++) subs[params[i]] = args[i];
      } else {
        // The kwargs must be exactly the parameters, give or take the pattern's extra kwargs,
        // and every extra kwarg given must have its own value (as Django: a parameter that is
        // also an extra kwarg would resolve to the extra value whatever the URL says).
        for (const k of kwargKeys) if (!params.includes(k) && !(k in p.defaults)) continue variants;
        for (const k of params) if (!(k in kwargs) && !(k in p.defaults)) continue variants;
        for (const k in p.defaults) {
          if (k in kwargs && !sameValue(kwargs[k], p.defaults[k])) continue variants;
        }
        subs = kwargs;
      }
      const text: Record<string, string> = {};
      for (const k of params) {
        const converter = p.converters.get(k);
        const value = k in subs ? subs[k] : p.defaults[k];
        try {
          text[k] = converter ? converter.toUrl(value) : String(value);
        } catch {
          continue variants;
        }
      }
      const candidate = prefix + fillVariant(variant, text);
      if (verifier(p, prefix).test(candidate)) {
        const url = quote(candidate);
        // Never produce a scheme-relative URL ('//evil.example/').
        return url.startsWith('//') ? '/%2F' + url.slice(2) : url;
      }
    }
  }
  const name = typeof lookup === 'function' ? lookup.name || '<anonymous view>' : String(lookup);
  const shortName = name.split(':').pop();
  if (possibilities.length) {
    const argMsg = args.length
      ? `arguments ${formatValue(args)}`
      : kwargKeys.length
        ? `keyword arguments ${formatValue(kwargs)}`
        : 'no arguments';
    const tried = possibilities.map((p) => `'${p.display}'`).join(', ');
    throw new NoReverseMatch(
      `Reverse for '${name}' with ${argMsg} not found. ${possibilities.length} pattern(s) tried: [${tried}]. ` +
        `Pass the arguments the pattern captures, with values its converters accept.`,
    );
  }
  throw new NoReverseMatch(
    `Reverse for '${name}' not found. '${name}' is not a valid view function or pattern name. ` +
      `Check the spelling, the namespace, and that a pattern has name='${shortName}'.`,
  );
}

const KEEP = /%(24|26|2B|2C|3B|3D|2F|3A|40)/g;
const ALL_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

/**
 * Percent-encodes a URL path as Django's `quote(url, safe=RFC3986_SUBDELIMS + '/~:@')`: the
 * sub-delimiters and `/~:@` stay, everything else outside `A-Za-z0-9-._` becomes UTF-8 `%XX`.
 */
export function quote(text: string): string {
  if (ALL_SAFE.test(text)) return text;
  return encodeURIComponent(text.toWellFormed()).replace(KEEP, (m) => decodeURIComponent(m));
}

function quotePlus(text: string): string {
  return encodeURIComponent(text.toWellFormed())
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

function isPairList(value: readonly unknown[]): value is readonly (readonly [string, unknown])[] {
  return value.every((pair) => Array.isArray(pair) && pair.length === 2);
}

function pushPair(parts: string[], key: string, value: unknown): void {
  if (Array.isArray(value)) for (const item of value) parts.push(`${quotePlus(key)}=${quotePlus(String(item))}`);
  else parts.push(`${quotePlus(key)}=${quotePlus(String(value))}`);
}

/**
 * Form-encodes a query as Django's `urlencode(query, doseq=True)`: spaces as `+`, arrays repeat
 * the key. Throws `TypeError` for anything that is not a query.
 */
export function urlencode(query: ReverseQuery): string {
  if (query instanceof URLSearchParams) {
    return [...query].map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&');
  }
  if (
    query !== null &&
    typeof query === 'object' &&
    typeof (query as { urlencode?: unknown }).urlencode === 'function'
  ) {
    return (query as { urlencode(): string }).urlencode();
  }
  const parts: string[] = [];
  if (Array.isArray(query)) {
    if (!isPairList(query)) {
      throw new TypeError(
        `reverse() query must be an object, a list of [key, value] pairs, URLSearchParams or a QueryDict, got ${JSON.stringify(query)}.`,
      );
    }
    for (const [k, v] of query) pushPair(parts, String(k), v);
    return parts.join('&');
  }
  if (query === null || typeof query !== 'object') {
    throw new TypeError(
      `reverse() query must be an object, a list of [key, value] pairs, URLSearchParams or a QueryDict, got ${describe(query)}.`,
    );
  }
  for (const [k, v] of Object.entries(query)) pushPair(parts, k, v);
  return parts.join('&');
}
