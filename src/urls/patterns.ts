/**
 * The two kinds of URL pattern, as Django's `RoutePattern` (`path()`) and `RegexPattern`
 * (`re_path()`): each matches the start of a path and gives back the rest and the captured
 * arguments, and knows how `reverse()` writes it back.
 */
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { converterNames, getConverter } from './converters.ts';
import type { Converter } from './converters.ts';
import { escapeRegExp, literalPrefix, normalize, pythonRegexToJs, stripGroupNames } from './regex-helper.ts';
import type { ReverseVariant } from './regex-helper.ts';

/** What a pattern's `match()` gives: the rest of the path, positional and named arguments. */
export interface PatternMatch {
  rest: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** What both pattern kinds offer to resolvers, checks and `reverse()`. */
export interface UrlPatternShape {
  readonly name: string | undefined;
  readonly isEndpoint: boolean;
  /** Converters by parameter name (empty for regex patterns). */
  readonly converters: ReadonlyMap<string, Converter>;
  /** Literal text every matching path starts with: the dispatch tree's key. */
  readonly literalPrefix: string;
  /** The whole pattern is this literal text (no parameters, no regex syntax). */
  readonly staticText: string | undefined;
  /**
   * When set, the pattern matches exactly the paths that start with this text (that equal it,
   * for an endpoint), captures nothing and leaves the rest of the path: resolvers then match it
   * without calling `match()`, which allocates.
   */
  readonly plainText?: string | undefined;
  /** The JavaScript regex source (without the leading `^`) `reverse()` checks candidates with. */
  readonly reverseSource: string;
  /** The ways `reverse()` may write this pattern. */
  readonly variants: readonly ReverseVariant[];
  match(path: string): PatternMatch | null;
  describe(): string;
  toString(): string;
}

/**
 * The kwargs of a match that captured none, shared to save an allocation per resolver level.
 * Frozen; `URLPattern` hands views a fresh object instead.
 */
export const NO_KWARGS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];

const PARAMETER = /<(?:([^>:]+):)?([^>]+)>/g;
const WHITESPACE = /\s/;
const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

function describe(text: string, name: string | undefined): string {
  return name ? `'${text}' [name='${name}']` : `'${text}'`;
}

/**
 * A `path()` route: literal text and `<converter:name>` parameters.
 */
export class RoutePattern implements UrlPatternShape {
  readonly route: string;
  readonly name: string | undefined;
  readonly isEndpoint: boolean;
  readonly converters: ReadonlyMap<string, Converter>;
  readonly literalPrefix: string;
  readonly staticText: string | undefined;
  readonly plainText: string | undefined;
  readonly reverseSource: string;
  readonly variants: readonly ReverseVariant[];
  readonly regex: RegExp;
  readonly #params: readonly string[];
  readonly #convs: readonly Converter[];

  constructor(route: string, options: { name?: string; isEndpoint?: boolean } = {}) {
    if (typeof route !== 'string') {
      throw new TypeError(
        `A URL route must be a string, got ${typeof route}. Write it as path('articles/<int:year>/', view).`,
      );
    }
    this.route = route;
    this.name = options.name;
    this.isEndpoint = options.isEndpoint ?? false;
    if (route.includes('(?P<') || route.includes('(?<') || route.startsWith('^') || route.endsWith('$')) {
      throw new ImproperlyConfigured(
        `URL route '${route}' looks like a regular expression: it contains '(?P<', begins with '^' or ends with '$'. ` +
          `Use rePath() for a regular expression, or remove those characters from the path() route.`,
      );
    }
    const converters = new Map<string, Converter>();
    const segments: string[] = [];
    const params: string[] = [];
    let source = '';
    let verify = '';
    let previousEnd = 0;
    for (const m of route.matchAll(PARAMETER)) {
      if (WHITESPACE.test(m[0])) {
        throw new ImproperlyConfigured(
          `URL route '${route}' cannot contain whitespace in angle brackets <…>. Remove the whitespace from '${m[0]}'.`,
        );
      }
      const converterName = m[1] ?? 'str';
      const parameter = m[2];
      if (!IDENTIFIER.test(parameter)) {
        throw new ImproperlyConfigured(
          `URL route '${route}' uses parameter name '${parameter}' which isn't a valid identifier. ` +
            `Use letters, digits and underscores, not starting with a digit.`,
        );
      }
      const converter = getConverter(converterName);
      if (!converter) {
        throw new ImproperlyConfigured(
          `URL route '${route}' uses invalid converter '${converterName}'. ` +
            `Use one of ${converterNames()
              .map((c) => `'${c}'`)
              .join(', ')}, or register it with registerConverter() before defining the route.`,
        );
      }
      if (converters.has(parameter)) {
        throw new ImproperlyConfigured(
          `URL route '${route}' uses parameter name '${parameter}' more than once. Give each parameter its own name.`,
        );
      }
      converters.set(parameter, converter);
      const literal = route.slice(previousEnd, m.index);
      segments.push(literal);
      params.push(parameter);
      source += escapeRegExp(literal) + `(?<${parameter}>${converter.regex})`;
      verify += escapeRegExp(literal) + `(?:${converter.regex})`;
      previousEnd = m.index + m[0].length;
    }
    const tail = route.slice(previousEnd);
    segments.push(tail);
    source += escapeRegExp(tail);
    verify += escapeRegExp(tail);
    if (this.isEndpoint) {
      source += '$';
      verify += '$';
    }
    this.converters = converters;
    this.#params = params;
    this.#convs = params.map((p) => converters.get(p) as Converter);
    this.literalPrefix = segments[0];
    this.staticText = params.length === 0 ? route : undefined;
    this.plainText = this.staticText;
    this.reverseSource = verify;
    this.variants = [{ segments, params }];
    this.regex = new RegExp('^' + source);
  }

  match(path: string): PatternMatch | null {
    const text = this.staticText;
    if (text !== undefined) {
      // No converters: a string comparison is enough (Django does the same since 4.1).
      if (this.isEndpoint) return path === text ? { rest: '', args: NO_ARGS, kwargs: NO_KWARGS } : null;
      return path.startsWith(text) ? { rest: path.slice(text.length), args: NO_ARGS, kwargs: NO_KWARGS } : null;
    }
    const m = this.regex.exec(path);
    if (m === null) return null;
    const groups = m.groups as Record<string, string>;
    const kwargs: Record<string, unknown> = {};
    const params = this.#params;
    for (let i = 0; i < params.length; i++) {
      try {
        kwargs[params[i]] = this.#convs[i].toPython(groups[params[i]]);
      } catch {
        return null;
      }
    }
    return { rest: path.slice(m[0].length), args: NO_ARGS, kwargs };
  }

  describe(): string {
    return describe(this.route, this.name);
  }

  toString(): string {
    return this.route;
  }
}

/**
 * A `rePath()` regular expression. Python's syntax (`(?P<name>...)`, `(?P=name)`, `\Z`, `\A`) is
 * accepted and translated; JavaScript's (`(?<name>...)`) works as is. The regex runs with
 * JavaScript's semantics and no flags: `\d` and `\w` are ASCII (Python's are Unicode), `$` is
 * the end of the path (Python's also matches before a final newline), and inline flags such as
 * `(?i)` are not supported.
 */
export class RegexPattern implements UrlPatternShape {
  /** The regex as the user wrote it. */
  readonly source: string;
  readonly name: string | undefined;
  readonly isEndpoint: boolean;
  readonly converters: ReadonlyMap<string, Converter> = new Map();
  readonly literalPrefix: string;
  readonly staticText: string | undefined = undefined;
  readonly plainText: string | undefined;
  readonly reverseSource: string;
  readonly regex: RegExp;
  readonly #js: string;
  readonly #literal: string | undefined;
  #variants: readonly ReverseVariant[] | undefined;
  readonly #hasNamedGroups: boolean;

  constructor(regex: string, options: { name?: string; isEndpoint?: boolean } = {}) {
    if (typeof regex !== 'string') {
      throw new TypeError(
        `A URL regex must be a string, got ${typeof regex}. Write it as rePath('^articles/(?P<year>[0-9]{4})/$', view).`,
      );
    }
    this.source = regex;
    this.name = options.name;
    this.isEndpoint = options.isEndpoint ?? false;
    let js = pythonRegexToJs(regex);
    // Django uses fullmatch() for an endpoint ending in '$', so it is anchored at both ends.
    if (this.isEndpoint && js.endsWith('$') && !js.startsWith('^')) js = `^(?:${js.slice(0, -1)})$`;
    try {
      this.regex = new RegExp(js);
    } catch (error) {
      throw new ImproperlyConfigured(
        `"${regex}" is not a valid regular expression: ${(error as Error).message}. Fix the rePath() pattern.`,
      );
    }
    this.#js = js;
    // '^blog/' and the root '^/': a literal prefix, matched with startsWith() instead of a regex.
    const literal = /^\^(?:[^\\^$.|?*+()[\]{}]|\\[^A-Za-z0-9])*$/.test(js) ? literalPrefix(js) : undefined;
    this.#literal = this.isEndpoint ? undefined : literal;
    this.plainText = this.#literal;
    this.#hasNamedGroups = /(^|[^\\])\(\?<(?![=!])/.test(js);
    this.literalPrefix = literalPrefix(js);
    this.reverseSource = stripGroupNames(js.startsWith('^') ? js.slice(1) : js);
  }

  get variants(): readonly ReverseVariant[] {
    this.#variants ??= normalize(this.#js);
    return this.#variants;
  }

  match(path: string): PatternMatch | null {
    const literal = this.#literal;
    if (literal !== undefined) {
      return path.startsWith(literal) ? { rest: path.slice(literal.length), args: NO_ARGS, kwargs: NO_KWARGS } : null;
    }
    const m = this.regex.exec(path);
    if (m === null) return null;
    if (this.#hasNamedGroups) {
      // Named groups become kwargs; unnamed ones are then ignored, and groups that did not
      // take part in the match are left out (Django 4.1+).
      const kwargs: Record<string, unknown> = {};
      const groups = m.groups as Record<string, string | undefined>;
      for (const key in groups) if (groups[key] !== undefined) kwargs[key] = groups[key];
      return { rest: path.slice(m.index + m[0].length), args: [], kwargs };
    }
    return { rest: path.slice(m.index + m[0].length), args: m.slice(1), kwargs: {} };
  }

  describe(): string {
    return describe(this.source, this.name);
  }

  toString(): string {
    return this.source;
  }
}
