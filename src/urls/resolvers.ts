/**
 * URL resolution, as Django's `django.urls.resolvers`: `URLPattern` (a pattern and its view),
 * `URLResolver` (a pattern and an included URLconf), `ResolverMatch` (what `resolve()` gives).
 *
 * Django tries the patterns of a URLconf one by one. Here each resolver compiles its patterns
 * once into a tree keyed by the literal path segments every match must start with
 * (dispatch-tree.ts), so resolving touches only the patterns that can match, still in
 * declaration order: the first pattern that matches wins, exactly as in Django.
 */
import { ImproperlyConfigured, ViewDoesNotExist } from '../core/exceptions.ts';
import { importModule, importString } from '../utils/module-loading.ts';
import type { Converter } from './converters.ts';
import { DispatchTree } from './dispatch-tree.ts';
import { Resolver404 } from './exceptions.ts';
import { NO_KWARGS } from './patterns.ts';
import type { PatternMatch, UrlPatternShape } from './patterns.ts';
import { joinVariants } from './regex-helper.ts';
import type { ReverseVariant } from './regex-helper.ts';
import { describe } from '../gateway/describe.ts';

/**
 * A view: called with the request, then either the positional arguments a regex captured
 * (`view(request, ...args)`) or one object of named arguments (`view(request, kwargs)`).
 */
export type ViewFunction = (...args: never[]) => unknown;

/**
 * A resolved view as the request handler calls it. The URLconf accepts any view function
 * (`ViewFunction`); the dispatcher's contract is to call it with the request and what its
 * pattern captured, so `ResolverMatch.func` is typed for that call.
 */
export type ResolvedView = (request: unknown, ...args: unknown[]) => unknown;

/** An entry of `urlpatterns`. */
export type UrlEntry = URLPattern | URLResolver;

/** A URLconf module: `urlpatterns`, optionally `appName` and the error handlers. */
export interface UrlconfModule {
  readonly urlpatterns: readonly UrlEntry[];
  readonly appName?: string;
  readonly handler400?: unknown;
  readonly handler403?: unknown;
  readonly handler404?: unknown;
  readonly handler500?: unknown;
}

/** What names a URLconf: a dotted module name, the module itself, or its list of patterns. */
export type Urlconf = string | UrlconfModule | readonly UrlEntry[];

/** Makes `match.tried` the patterns `resolver` tries for `path`, found when first read. */
let triedFrom: (match: ResolverMatch, resolver: URLResolver, path: string) => ResolverMatch;

/** What `new ResolverMatch()` takes. */
export interface ResolverMatchInit {
  func: ViewFunction;
  args: readonly unknown[];
  kwargs: Record<string, unknown>;
  urlName?: string | undefined;
  route?: string;
  appNames?: readonly (string | undefined)[] | undefined;
  namespaces?: readonly (string | undefined)[] | undefined;
  /** `appNames` and `namespaces` are given leaf first (as the resolvers collect them). */
  leafFirst?: boolean;
  capturedKwargs?: Record<string, unknown>;
  extraKwargs?: Record<string, unknown>;
  tried?: (() => UrlEntry[][]) | UrlEntry[][] | undefined;
}

/** The result of `resolve()`: the view and its arguments, and where they came from. */
export class ResolverMatch {
  readonly func: ResolvedView;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly urlName: string | undefined;
  readonly route: string;
  readonly appNames: readonly string[];
  readonly namespaces: readonly string[];
  /** The arguments the pattern captured, before extra kwargs were merged in. */
  readonly capturedKwargs: Readonly<Record<string, unknown>>;
  /** The extra kwargs of `path(..., { kwargs })` and of the enclosing includes. */
  readonly extraKwargs: Readonly<Record<string, unknown>>;
  // The patterns tried, or how to find them when first read: a function, or (for a match made
  // by URLResolver.resolve(), without a closure per request) the resolver and the path.
  #tried: (() => UrlEntry[][]) | UrlEntry[][] | URLResolver | undefined;
  #triedPath = '';
  #viewName: string | undefined;

  constructor(init: ResolverMatchInit) {
    this.func = init.func as unknown as ResolvedView;
    this.args = init.args;
    this.kwargs = init.kwargs;
    this.urlName = init.urlName;
    this.route = init.route ?? '';
    this.appNames = compact(init.appNames, init.leafFirst);
    this.namespaces = compact(init.namespaces, init.leafFirst);
    this.capturedKwargs = init.capturedKwargs ?? {};
    this.extraKwargs = init.extraKwargs ?? {};
    this.#tried = init.tried;
  }

  static {
    triedFrom = (match, resolver, path) => {
      match.#tried = resolver;
      match.#triedPath = path;
      return match;
    };
  }

  /** The application namespaces joined with `:`. */
  get appName(): string {
    return this.appNames.join(':');
  }

  /** The instance namespaces joined with `:`. */
  get namespace(): string {
    return this.namespaces.join(':');
  }

  /** `namespace:urlName`, or the view's name when the pattern has none: what `reverse()` takes. */
  get viewName(): string {
    return (this.#viewName ??= [...this.namespaces, this.urlName || funcPath(this.func)].join(':'));
  }

  /**
   * The patterns tried before (and including) the one that matched, each as the chain from the
   * root URLconf down to it. Computed on first read.
   */
  get tried(): UrlEntry[][] {
    const tried = this.#tried;
    if (Array.isArray(tried)) return tried;
    if (tried === undefined) return (this.#tried = []);
    if (tried instanceof URLResolver) return (this.#tried = tried.resolveLinear(this.#triedPath).tried ?? []);
    return (this.#tried = tried());
  }

  /** `const [func, args, kwargs] = match`, as Django's ResolverMatch unpacks. */
  *[Symbol.iterator](): Iterator<unknown> {
    yield this.func;
    yield this.args;
    yield this.kwargs;
  }

  /** Calls the view with the tsgi convention: positional args if any, else the kwargs object. */
  callView(request: unknown): unknown {
    return this.args.length ? this.func(request, ...this.args) : this.func(request, this.kwargs);
  }

  toString(): string {
    return (
      `ResolverMatch(func=${funcPath(this.func)}, args=${JSON.stringify(this.args)}, ` +
      `kwargs=${JSON.stringify(this.kwargs)}, urlName=${JSON.stringify(this.urlName ?? null)}, ` +
      `appNames=${JSON.stringify(this.appNames)}, namespaces=${JSON.stringify(this.namespaces)}, ` +
      `route=${JSON.stringify(this.route)})`
    );
  }
}

/** Drops the empty names of resolvers without a namespace (Django does the same). */
function compact(names: readonly (string | undefined)[] | undefined, leafFirst = false): string[] {
  const out: string[] = [];
  if (names === undefined) return out;
  if (leafFirst) {
    for (let i = names.length - 1; i >= 0; i--) if (names[i]) out.push(names[i] as string);
  } else {
    for (const n of names) if (n) out.push(n);
  }
  return out;
}

/** The name `viewName` falls back to: the view class's name for `asView()`, else the function's. */
export function funcPath(func: unknown): string {
  const f = func as { viewClass?: { name?: string }; name?: string };
  return f.viewClass?.name || f.name || '<anonymous view>';
}

/**
 * An internal match on its way up from the pattern that matched to the root resolver; shaped as
 * what `new ResolverMatch()` takes, so that it is given as it is (no second object per request).
 */
interface Hit extends ResolverMatchInit {
  func: ViewFunction;
  args: readonly unknown[];
  kwargs: Record<string, unknown>;
  urlName: string | undefined;
  route: string;
  /**
   * The application and instance namespaces, leaf first; only the non-empty ones (ResolverMatch
   * drops the others), and no array at all while there are none (the usual case).
   */
  appNames: string[] | undefined;
  namespaces: string[] | undefined;
  leafFirst: true;
  capturedKwargs: Record<string, unknown>;
  extraKwargs: Record<string, unknown>;
  tried: undefined;
}

const EMPTY_OBJECT: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_ARGS: readonly unknown[] = Object.freeze([]);

function isEmpty(o: Record<string, unknown>): boolean {
  if (o === NO_KWARGS || o === EMPTY_OBJECT) return true;
  for (const _ in o) return false;
  return true;
}

/** A pattern and its view: one `path()` or `rePath()` endpoint. */
export class URLPattern {
  readonly pattern: UrlPatternShape;
  /** The pattern as written, for `ResolverMatch.route`. */
  readonly routeText: string;
  readonly callback: ViewFunction;
  readonly defaultArgs: Readonly<Record<string, unknown>>;
  readonly name: string | undefined;
  // The pattern's plainText (see UrlPatternShape), and whether the path must equal it.
  readonly #plain: string | undefined;
  readonly #exact: boolean;

  constructor(pattern: UrlPatternShape, callback: ViewFunction, defaultArgs?: Record<string, unknown>, name?: string) {
    this.pattern = pattern;
    this.routeText = String(pattern);
    this.callback = callback;
    this.defaultArgs = defaultArgs && !isEmpty(defaultArgs) ? defaultArgs : EMPTY_OBJECT;
    this.name = name;
    this.#plain = pattern.plainText;
    this.#exact = pattern.isEndpoint;
  }

  /** @internal Resolves `path` against this pattern, or `null`. */
  matchPath(path: string): Hit | null {
    const plain = this.#plain;
    if (plain !== undefined) {
      // Literal text, no captures: no PatternMatch to make (the rest of the path is not used here).
      if (this.#exact ? path !== plain : !path.startsWith(plain)) return null;
      return this.#hit([], NO_KWARGS);
    }
    const m = this.pattern.match(path);
    if (m === null) return null;
    return this.#hit(m.args.length ? m.args : [], m.kwargs);
  }

  #hit(args: readonly unknown[], captured: Record<string, unknown>): Hit {
    const extra = this.defaultArgs;
    return {
      func: this.callback,
      args,
      // Views get their own kwargs object, never the shared empty one.
      kwargs: extra === EMPTY_OBJECT ? (captured === NO_KWARGS ? {} : captured) : { ...captured, ...extra },
      urlName: this.name,
      route: this.routeText,
      appNames: undefined,
      namespaces: undefined,
      leafFirst: true,
      capturedKwargs: captured,
      extraKwargs: extra,
      tried: undefined,
    };
  }

  /** Resolves `path` (already stripped of the including prefixes) against this pattern alone. */
  resolve(path: string): ResolverMatch | null {
    const hit = this.matchPath(path);
    return hit && toMatch(hit);
  }

  /** A string identifying the view, for messages. */
  get lookupStr(): string {
    return funcPath(this.callback);
  }

  toString(): string {
    return `<URLPattern ${this.pattern.describe()}>`;
  }
}

function toMatch(hit: Hit): ResolverMatch {
  return new ResolverMatch(hit);
}

/** How `reverse()` may write one named pattern: its variants, the regex to check, defaults. */
export interface ReversePossibility {
  readonly variants: readonly ReverseVariant[];
  /** JavaScript regex source, without `^`, a candidate URL must match. */
  readonly source: string;
  /** The pattern as written, for messages (`articles/<int:year>/`). */
  readonly display: string;
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly converters: ReadonlyMap<string, Converter>;
}

/** The prefix a namespace adds in front of its patterns. */
export interface NamespacePrefix {
  readonly variants: readonly ReverseVariant[];
  readonly source: string;
  readonly display: string;
  readonly converters: ReadonlyMap<string, Converter>;
}

function prefixOf(pattern: UrlPatternShape): NamespacePrefix {
  return {
    variants: pattern.variants,
    source: pattern.reverseSource,
    display: String(pattern).replace(/^\^/, ''),
    converters: pattern.converters,
  };
}

function mergeMaps<K, V>(...maps: ReadonlyMap<K, V>[]): Map<K, V> {
  const out = new Map<K, V>();
  for (const m of maps) for (const [k, v] of m) out.set(k, v);
  return out;
}

/** Joins a prefix in front of a possibility (Django's `normalize(p_pattern + pat)`). */
export function joinPossibility(
  prefix: NamespacePrefix,
  p: ReversePossibility,
  extraDefaults: Readonly<Record<string, unknown>> = EMPTY_OBJECT,
  outerConverters?: ReadonlyMap<string, Converter>,
): ReversePossibility {
  const variants: ReverseVariant[] = [];
  for (const a of prefix.variants) for (const b of p.variants) variants.push(joinVariants(a, b));
  return {
    variants,
    source: prefix.source + p.source,
    display: prefix.display + p.display,
    defaults: isEmpty(extraDefaults) ? p.defaults : { ...p.defaults, ...extraDefaults },
    converters: mergeMaps(outerConverters ?? new Map(), prefix.converters, p.converters),
  };
}

/** Joins two namespace prefixes (a namespace inside a namespace). */
export function joinPrefix(a: NamespacePrefix, b: NamespacePrefix): NamespacePrefix {
  const variants: ReverseVariant[] = [];
  for (const x of a.variants) for (const y of b.variants) variants.push(joinVariants(x, y));
  return {
    variants,
    source: a.source + b.source,
    display: a.display + b.display,
    converters: mergeMaps(a.converters, b.converters),
  };
}

interface ReverseIndex {
  lookups: Map<unknown, ReversePossibility[]>;
  namespaces: Map<string, { prefix: NamespacePrefix; resolver: URLResolver }>;
  apps: Map<string, string[]>;
}

function urlconfLabel(urlconf: unknown): string {
  if (typeof urlconf === 'string') return urlconf;
  if (Array.isArray(urlconf)) return '<list of patterns>';
  return '<URLconf module>';
}

/** A pattern and the URLconf it includes: one `path('blog/', include(...))`, or the root. */
export class URLResolver {
  readonly pattern: UrlPatternShape;
  /** The pattern as written, for `ResolverMatch.route`. */
  readonly routeText: string;
  readonly urlconfName: Urlconf;
  readonly defaultKwargs: Readonly<Record<string, unknown>>;
  readonly appName: string | undefined;
  readonly namespace: string | undefined;
  #module: unknown;
  #patterns: readonly UrlEntry[] | undefined;
  #tree: DispatchTree<UrlEntry> | undefined;
  #treeSize = -1;
  #index: ReverseIndex | undefined;
  #populating = false;
  // The pattern's plainText (see UrlPatternShape), and whether the path must equal it.
  readonly #plain: string | undefined;
  readonly #exact: boolean;
  /** On a root resolver: possibilities under a namespace path, joined with its prefix, per name. */
  readonly nsCache = new Map<string, Map<unknown, ReversePossibility[]>>();

  constructor(
    pattern: UrlPatternShape,
    urlconfName: Urlconf,
    defaultKwargs?: Record<string, unknown>,
    appName?: string,
    namespace?: string,
  ) {
    this.pattern = pattern;
    this.routeText = String(pattern);
    this.urlconfName = urlconfName;
    this.defaultKwargs = defaultKwargs && !isEmpty(defaultKwargs) ? defaultKwargs : EMPTY_OBJECT;
    this.appName = appName;
    this.namespace = namespace;
    this.#plain = pattern.plainText;
    this.#exact = pattern.isEndpoint;
  }

  /** The URLconf module (imported by name on first use) or the list itself. */
  get urlconfModule(): unknown {
    if (this.#module === undefined) {
      this.#module = typeof this.urlconfName === 'string' ? importModule(this.urlconfName) : this.urlconfName;
    }
    return this.#module;
  }

  /** The URLconf's `urlpatterns`. */
  get urlPatterns(): readonly UrlEntry[] {
    if (this.#patterns === undefined) {
      const mod = this.urlconfModule as { urlpatterns?: unknown };
      const patterns = Array.isArray(mod) ? mod : mod?.urlpatterns;
      if (!Array.isArray(patterns)) {
        throw new ImproperlyConfigured(
          `The included URLconf '${urlconfLabel(this.urlconfName)}' does not appear to have any patterns in it. ` +
            `Export 'urlpatterns' as an array of path() and rePath() entries; if it does, the problem is probably a circular import.`,
        );
      }
      this.#patterns = patterns as UrlEntry[];
    }
    return this.#patterns;
  }

  #getTree(): DispatchTree<UrlEntry> {
    // Rebuilt if urlpatterns grew after the first resolve (`urlpatterns.push(...)` at startup).
    if (this.#tree === undefined || this.#treeSize !== this.urlPatterns.length) {
      const patterns = this.urlPatterns;
      this.#treeSize = patterns.length;
      this.#index = undefined;
      for (const entry of patterns) {
        if (!(entry instanceof URLPattern) && !(entry instanceof URLResolver)) {
          throw new ImproperlyConfigured(
            `Your URL pattern, ${describe(entry)}, in '${urlconfLabel(this.urlconfName)}' is invalid. ` +
              `Ensure that urlpatterns is a list of path() and/or rePath() instances.`,
          );
        }
      }
      this.#tree = new DispatchTree(patterns, (e) => ({
        prefix: e.pattern.literalPrefix,
        exact: e instanceof URLPattern && e.pattern.isEndpoint && e.pattern.staticText !== undefined,
      }));
    }
    return this.#tree;
  }

  /**
   * Resolves `path`: the first pattern, in declaration order, that matches it.
   * Throws `Resolver404` when none does.
   */
  resolve(path: string): ResolverMatch {
    const hit = this.matchPath(path);
    if (hit === null) {
      const m = this.pattern.match(path);
      if (m === null) {
        throw new Resolver404(`The path '${path}' does not match the URLconf's root pattern '${this.pattern}'.`, path);
      }
      throw new Resolver404(
        `The current path, '${m.rest}', didn't match any of the URL patterns.`,
        m.rest,
        () => this.resolveLinear(path).tried ?? [],
      );
    }
    return triedFrom(toMatch(hit), this, path);
  }

  /** @internal The fast resolution: `null` when nothing matches. */
  matchPath(path: string): Hit | null {
    let m: PatternMatch | null = null;
    let rest: string;
    const plain = this.#plain;
    if (plain !== undefined) {
      // Literal text, no captures (the root's '^/', most include() prefixes): no PatternMatch.
      if (this.#exact) {
        if (path !== plain) return null;
        rest = '';
      } else {
        if (!path.startsWith(plain)) return null;
        rest = path.slice(plain.length);
      }
    } else {
      m = this.pattern.match(path);
      if (m === null) return null;
      rest = m.rest;
    }
    const candidates = this.#getTree().candidates(rest);
    const entries = this.urlPatterns;
    for (let k = 0; k < candidates.length; k++) {
      const entry = entries[candidates[k]!]!;
      const sub = entry.matchPath(rest);
      if (sub !== null) return this.#lift(m, entry, sub);
    }
    return null;
  }

  /**
   * Merges this level's captures (`m`; `null` for a pattern that captures nothing) into a hit
   * from below, as Django's `URLResolver.resolve`.
   */
  #lift(m: PatternMatch | null, entry: UrlEntry, sub: Hit): Hit {
    const defaults = this.defaultKwargs;
    const hasDefaults = defaults !== EMPTY_OBJECT;
    const captured = m === null ? NO_KWARGS : m.kwargs;
    const args = m === null ? NO_ARGS : m.args;
    let kwargs = sub.kwargs;
    if (hasDefaults || !isEmpty(captured)) kwargs = { ...captured, ...defaults, ...sub.kwargs };
    if (args.length && isEmpty(kwargs)) sub.args = [...args, ...sub.args];
    sub.kwargs = kwargs;
    if (entry instanceof URLResolver) {
      const inner = sub.route;
      sub.route = entry.routeText + (inner.charCodeAt(0) === 94 /* ^ */ ? inner.slice(1) : inner);
    }
    // Collected leaf first; ResolverMatch reads them in reverse (root first). Empty names are
    // left out here rather than there.
    if (this.appName) (sub.appNames ??= []).push(this.appName);
    if (this.namespace) (sub.namespaces ??= []).push(this.namespace);
    if (hasDefaults) sub.extraKwargs = { ...defaults, ...sub.extraKwargs };
    return sub;
  }

  /**
   * Django's own algorithm, one pattern after the other, recording every pattern tried. Used
   * for `Resolver404.tried` / `ResolverMatch.tried`, and by the tests as the reference the
   * dispatch tree must agree with.
   */
  resolveLinear(path: string): { hit: Hit | null; tried: UrlEntry[][] | undefined } {
    const m = this.pattern.match(path);
    if (m === null) return { hit: null, tried: undefined };
    const tried: UrlEntry[][] = [];
    for (const entry of this.urlPatterns) {
      if (entry instanceof URLPattern) {
        const sub = entry.matchPath(m.rest);
        tried.push([entry]);
        if (sub !== null) return { hit: this.#lift(m, entry, sub), tried };
      } else {
        const sub = entry.resolveLinear(m.rest);
        if (sub.tried === undefined) tried.push([entry]);
        else for (const t of sub.tried) tried.push([entry, ...t]);
        if (sub.hit !== null) return { hit: this.#lift(m, entry, sub.hit), tried };
      }
    }
    return { hit: null, tried };
  }

  #populate(): ReverseIndex {
    this.#getTree();
    if (this.#index) return this.#index;
    if (this.#populating) {
      throw new ImproperlyConfigured(
        `The URLconf '${urlconfLabel(this.urlconfName)}' includes itself. Remove the include() that leads back to it.`,
      );
    }
    this.#populating = true;
    try {
      const lookups = new Map<unknown, ReversePossibility[]>();
      const namespaces = new Map<string, { prefix: NamespacePrefix; resolver: URLResolver }>();
      const apps = new Map<string, string[]>();
      const add = (key: unknown, p: ReversePossibility) => {
        const list = lookups.get(key);
        if (list) list.push(p);
        else lookups.set(key, [p]);
      };
      this.#getTree();
      const patterns = this.urlPatterns;
      // Django walks the patterns last to first: reverse() prefers the LAST pattern with a name,
      // and the default instance of an app is the last one deployed (documented behaviour).
      for (let i = patterns.length - 1; i >= 0; i--) {
        const entry = patterns[i];
        if (entry instanceof URLPattern) {
          const p: ReversePossibility = {
            variants: entry.pattern.variants,
            source: entry.pattern.reverseSource,
            display: String(entry.pattern).replace(/^\^/, ''),
            defaults: entry.defaultArgs,
            converters: entry.pattern.converters,
          };
          add(entry.callback, p);
          if (entry.name !== undefined) add(entry.name, p);
        } else {
          const sub = entry.#populate();
          const prefix = prefixOf(entry.pattern);
          if (entry.appName) {
            const list = apps.get(entry.appName);
            if (list) list.push(entry.namespace as string);
            else apps.set(entry.appName, [entry.namespace as string]);
            namespaces.set(entry.namespace as string, { prefix, resolver: entry });
          } else {
            for (const [name, list] of sub.lookups) {
              for (const p of list) add(name, joinPossibility(prefix, p, entry.defaultKwargs, this.pattern.converters));
            }
            for (const [ns, { prefix: subPrefix, resolver }] of sub.namespaces) {
              namespaces.set(ns, { prefix: joinPrefix(prefix, subPrefix), resolver });
            }
            for (const [app, list] of sub.apps) {
              const existing = apps.get(app);
              if (existing) existing.push(...list);
              else apps.set(app, [...list]);
            }
          }
        }
      }
      this.#index = { lookups, namespaces, apps };
      return this.#index;
    } finally {
      this.#populating = false;
    }
  }

  /** Names and views to the ways of writing them, last-declared first. */
  get reverseDict(): ReadonlyMap<unknown, readonly ReversePossibility[]> {
    return this.#populate().lookups;
  }

  /** Instance namespaces to their prefix and resolver. */
  get namespaceDict(): ReadonlyMap<string, { prefix: NamespacePrefix; resolver: URLResolver }> {
    return this.#populate().namespaces;
  }

  /** Application namespaces to their instance namespaces, last-deployed first. */
  get appDict(): ReadonlyMap<string, readonly string[]> {
    return this.#populate().apps;
  }

  /**
   * The error view the URLconf module names as `handler400`/`handler403`/`handler404`/`handler500`
   * (a function, or a dotted name loaded with `importString`), or `undefined` when it names none,
   * so the caller uses the default view. Throws `ViewDoesNotExist` when the name cannot be loaded
   * or is not a function.
   */
  resolveErrorHandler(status: 400 | 403 | 404 | 500): ((...args: never[]) => unknown) | undefined {
    const mod = this.urlconfModule as Record<string, unknown> | null;
    if (mod === null || typeof mod !== 'object' || Array.isArray(mod)) return undefined;
    const handler = mod[`handler${status}`];
    if (handler === undefined || handler === null) return undefined;
    let view: unknown = handler;
    if (typeof handler === 'string') {
      try {
        view = importString(handler);
      } catch (error) {
        throw new ViewDoesNotExist(
          `The custom handler${status} view '${handler}' could not be imported: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    if (typeof view !== 'function') {
      const name = typeof handler === 'string' ? `'${handler}'` : `handler${status}`;
      throw new ViewDoesNotExist(
        `The custom handler${status} view ${name} is not a function (got ${view === null ? 'null' : typeof view}). ` +
          `Set handler${status} to a view function or its dotted name.`,
      );
    }
    return view as (...args: never[]) => unknown;
  }

  toString(): string {
    return `<URLResolver ${urlconfLabel(this.urlconfName)} (${this.appName ?? 'None'}:${this.namespace ?? 'None'}) ${this.pattern.describe()}>`;
  }
}
