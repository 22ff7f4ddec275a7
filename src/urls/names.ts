/**
 * URL names and their parameters as types, so that `reverse('blog:detail', ...)` and
 * `redirect('blog:detail', { slug })` are checked by the compiler instead of failing with
 * `NoReverseMatch` at run time (docs/http.md, "Typed reverse() and redirect()").
 *
 * `path()`, `rePath()` and `include()` carry, in their types only, the names their patterns can
 * be reversed by and the parameters each takes (read from the route: `<int:year>` is a number or
 * a bigint, `<slug:slug>` a string; a `rePath()` named group a string). A project registers its
 * root URLconf once, by declaration merging:
 *
 * ```ts
 * // mysite/urls.ts
 * import { path, include, type UrlNamesOf } from 'tsgi/urls';
 * import * as blog from '../blog/urls'; // the app's URLconf module (with its extension)
 * export const urlpatterns = [path('blog/', include(blog)), path('', home, { name: 'home' })];
 * declare module 'tsgi/urls' {
 *   interface UrlRegistry extends UrlNamesOf<typeof urlpatterns> {}
 * }
 * ```
 *
 * Without that, `UrlRegistry` is empty and every name and argument is accepted, as before.
 * Nothing here exists at run time.
 */

/** The types `reverse()` accepts for a parameter, by converter name; augment it for your own converters. */
export interface ConverterValueTypes {
  int: number | bigint | `${bigint}`;
  str: string | number | bigint;
  slug: string | number | bigint;
  path: string | number | bigint;
  uuid: string;
}

/**
 * The names of the root URLconf and their parameters: empty (anything goes) until a project
 * extends it with `UrlNamesOf<typeof urlpatterns>` (see the module comment).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface UrlRegistry {}

/** No names, or no parameters: an object type without members (`{}`, spelt so that lint accepts it). */
export type Empty = Record<never, never>;

declare const URL_NAMES: unique symbol;
declare const INCLUDED: unique symbol;

/**
 * The type-only mark a pattern carries: the names it can be reversed by, and their parameters.
 * Invariant in `M` (a function of it, to it), so that the patterns of one list never reduce to
 * one another in the list's type: one with more names is not taken for a kind of the other.
 */
export interface Named<M> {
  readonly [URL_NAMES]?: (names: M) => M;
}

/** The type-only mark `include()` gives: the included names, and the namespaces they go under. */
export interface IncludedInfo<M, Namespaces extends string> {
  readonly [INCLUDED]?: { names: M; namespaces: Namespaces };
}

/** The `appName` of an included module, when it has a literal one. */
export type AppNameOf<M> = M extends { readonly appName: infer A extends string }
  ? string extends A
    ? never
    : A
  : never;

type ValueOf<C extends string> = C extends keyof ConverterValueTypes ? ConverterValueTypes[C] : unknown;

type Simplify<T> = { [K in keyof T]: T[K] } & Empty;

/** The parameters of a `path()` route: `'<int:year>/<slug>/'` gives `{ year: ...; slug: ... }`. */
export type RouteParams<R extends string> = string extends R
  ? Record<string, unknown>
  : R extends `${string}<${infer Inside}>${infer Rest}`
    ? (Inside extends `${infer Converter}:${infer Name}`
        ? { [K in Name]: ValueOf<Converter> }
        : { [K in Inside]: ValueOf<'str'> }) &
        RouteParams<Rest>
    : Empty;

/** The named groups of a `rePath()` regex, Python's `(?P<name>...)` or JavaScript's `(?<name>...)`. */
export type RegexParams<R extends string> = string extends R
  ? Record<string, unknown>
  : R extends `${string}(?P<${infer Name}>${infer Rest}`
    ? { [K in Name]: string | number | bigint } & RegexParams<Rest>
    : R extends `${string}(?<${infer After}`
      ? After extends `${'=' | '!'}${infer Rest}`
        ? RegexParams<Rest>
        : After extends `${infer Name}>${infer Rest}`
          ? { [K in Name]: string | number | bigint } & RegexParams<Rest>
          : Empty
      : Empty;

/**
 * What a name takes: the route's parameters, optional when the pattern's extra kwargs give them
 * (reverse() then requires the same value), and those extra kwargs themselves, optional.
 */
export type Reversal<P, E> = Simplify<
  { [K in Exclude<keyof P, keyof E>]: P[K] } & { [K in keyof E]?: K extends keyof P ? P[K] : E[K] }
>;

/** The names a `path()`/`rePath()` endpoint adds: none without a name. A name without parameters takes none. */
export type EndpointNames<N extends string, P, E> = [N] extends [never]
  ? Empty
  : { [K in N]: [keyof P | keyof E] extends [never] ? NoArguments : Reversal<P, E> };

/** The parameters of a name that takes none: an empty object, nothing in it. */
export type NoArguments = Record<string, never>;

type AllKeys<U> = U extends unknown ? keyof U : never;
type ValuesAt<U, K extends PropertyKey> = U extends unknown ? (K extends keyof U ? U[K] : never) : never;

/** Several name maps as one; a name found in several (two patterns, one name) takes either's parameters. */
export type MergeNames<U> = { [K in AllKeys<U> & string]: ValuesAt<U, K> };

type NamesOfEntry<E> = E extends Named<infer M> ? (unknown extends M ? Empty : M) : Empty;

/**
 * The names of a URLconf and their parameters, from the type of its `urlpatterns`: what a
 * project's `UrlRegistry` extends.
 *
 * @example
 * declare module 'tsgi/urls' { interface UrlRegistry extends UrlNamesOf<typeof urlpatterns> {} }
 */
export type UrlNamesOf<T> = T extends readonly unknown[] ? MergeNames<NamesOfEntry<T[number]>> : never;

/** The parameters of an included name: the include's prefix's, then its own. */
type Joined<P, Q> = [keyof P] extends [never]
  ? Q
  : Q extends NoArguments
    ? string extends keyof Q
      ? Simplify<P>
      : Simplify<P & Q>
    : Simplify<P & Q>;

/** The names of an included URLconf under its namespaces, with the prefix's parameters added. */
export type IncludedNames<M, Namespaces extends string, P> = MergeNames<
  | ([Namespaces] extends [never] ? { [K in keyof M & string]: Joined<P, M[K]> } : never)
  | (Namespaces extends string ? { [K in keyof M & string as `${Namespaces}:${K}`]: Joined<P, M[K]> } : never)
>;

/** The URL names a project registered (`string` when it registered none). */
export type UrlName = [keyof UrlRegistry] extends [never] ? string : keyof UrlRegistry & string;

/** The parameters of a registered name (anything when none are registered). */
export type UrlParams<N extends string> = N extends keyof UrlRegistry ? UrlRegistry[N] : Record<string, unknown>;

type RequiredKeys<T> = { [K in keyof T]-?: Empty extends Pick<T, K> ? never : K }[keyof T];

/** Whether a name can be reversed without arguments. */
export type TakesNoArguments<N extends string> = [RequiredKeys<UrlParams<N>>] extends [never] ? true : false;
