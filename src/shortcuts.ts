/**
 * Shortcuts, as Django's `django.shortcuts`: `redirect()` and `resolveUrl()`, `getObjectOr404()`
 * and `getListOr404()`. (`render()` is in `tsgi/template`.) A view name is checked by the
 * compiler, with its parameters, once the project registers its URLconf (docs/http.md, "Typed
 * reverse() and redirect()").
 */
import type { FilterArg, Manager, QuerySet } from './db/models/index.ts';
import { Http404 } from './http/exceptions.ts';
import { HttpResponsePermanentRedirect, HttpResponseRedirect } from './http/response.ts';
import { reverseAny } from './urls/base.ts';
import { NoReverseMatch } from './urls/exceptions.ts';
import type { TakesNoArguments, UrlName, UrlParams } from './urls/names.ts';

export type { UrlName, UrlParams } from './urls/names.ts';

/** Something with its own URL, as a Django model with `get_absolute_url()`. */
export interface HasAbsoluteUrl {
  getAbsoluteUrl(): string;
}

/** A URL given as such (not a view name): what Django's `resolve_url` returns as it is. */
export type UrlString = `${string}/${string}` | `${string}.${string}`;

/** What `redirect()` and `resolveUrl()` accept. */
export type UrlTarget = string | URL | HasAbsoluteUrl | ((...args: never[]) => unknown);

/** Options given as a plain object after the arguments. */
export interface ResolveUrlOptions<P = Record<string, unknown>> {
  kwargs?: P;
  /** `redirect()` only: 301 instead of 302. */
  permanent?: boolean;
}

/** A positional argument of a pattern. */
type Positional = string | number | bigint;

/**
 * What follows a registered view name: its parameters as one object (`{ slug }`, Django's
 * `**kwargs`), or positionally, then optionally `{ permanent }`; nothing (or only options) when it
 * takes none.
 */
export type UrlArguments<N extends string> =
  | [kwargs: UrlParams<N>, options?: { permanent?: boolean }]
  | [options: ResolveUrlOptions<UrlParams<N>> & { kwargs: UrlParams<N> }]
  | [first: Positional, ...args: Positional[]]
  | [first: Positional, ...args: [...Positional[], { permanent?: boolean }]]
  | (TakesNoArguments<N> extends true ? [options?: { permanent?: boolean }] : never);

function isPlain(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `{ permanent: true }`, `{ kwargs: {...} }` or both: options, not a pattern's kwargs. */
function isOptions(value: unknown): value is ResolveUrlOptions {
  if (!isPlain(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length > 0 &&
    keys.every(
      (key) =>
        (key === 'permanent' && typeof value.permanent === 'boolean') || (key === 'kwargs' && isPlain(value.kwargs)),
    )
  );
}

/**
 * The arguments after `to`: positional args, or one object of kwargs (`{ slug }`), then
 * optionally the options (`{ permanent }`, or the older `{ kwargs }`).
 */
function splitArguments(rest: readonly unknown[]): {
  args: unknown[];
  kwargs: Record<string, unknown> | undefined;
  permanent: boolean;
} {
  let items = rest;
  let options: ResolveUrlOptions = {};
  const last = items[items.length - 1];
  if (isOptions(last)) {
    options = last;
    items = items.slice(0, -1);
  }
  let kwargs = options.kwargs;
  let args = [...items];
  if (items.length === 1 && isPlain(items[0])) {
    if (kwargs !== undefined) {
      throw new TypeError(
        'redirect() and resolveUrl() were given the kwargs twice (an object and { kwargs }). Pass them once: redirect(name, { slug }).',
      );
    }
    kwargs = items[0];
    args = [];
  }
  return { args, kwargs, permanent: options.permanent === true };
}

function resolveTarget(to: UrlTarget, args: unknown[], kwargs: Record<string, unknown> | undefined): string {
  if (to !== null && typeof to === 'object' && typeof (to as HasAbsoluteUrl).getAbsoluteUrl === 'function') {
    return (to as HasAbsoluteUrl).getAbsoluteUrl();
  }
  if (to instanceof URL) return to.href;
  if (typeof to === 'string' && (to.startsWith('./') || to.startsWith('../'))) return to;
  if (typeof to !== 'string' && typeof to !== 'function') {
    throw new TypeError(
      `resolveUrl() was given ${to === null ? 'null' : typeof to}. Pass a URL, a view name, a view function, or an object with getAbsoluteUrl().`,
    );
  }
  try {
    return reverseAny(to, args.length ? { args } : { kwargs: kwargs ?? {} });
  } catch (error) {
    if (!(error instanceof NoReverseMatch)) throw error;
    if (typeof to === 'function') throw error;
    if (!to.includes('/') && !to.includes('.')) throw error;
  }
  return to;
}

/**
 * A URL for `to`, as Django's `resolve_url`: an object's `getAbsoluteUrl()`; a relative URL
 * (`./`, `../`) as is; a view name or view function reversed with the args, or with one object
 * of kwargs; and, when that fails for a string that looks like a URL (has `/` or `.`), the string
 * itself.
 *
 * @example
 * resolveUrl('article', 42);               // '/articles/42/'
 * resolveUrl('blog:detail', { slug });     // '/blog/x/'
 * resolveUrl('https://example.com/');      // as is
 */
export function resolveUrl<N extends UrlName>(to: N, ...rest: UrlArguments<N>): string;
export function resolveUrl(to: UrlString | URL | HasAbsoluteUrl): string;
export function resolveUrl(to: (...args: never[]) => unknown, ...rest: unknown[]): string;
export function resolveUrl(to: UrlTarget, ...rest: unknown[]): string {
  const { args, kwargs } = splitArguments(rest);
  return resolveTarget(to, args, kwargs);
}

/**
 * A redirect response to `to` (see `resolveUrl()`): 302, or 301 with `{ permanent: true }`.
 *
 * @example
 * return redirect('article', article.id);
 * return redirect('blog:detail', { slug: post.slug });
 * return redirect('/login/', { permanent: true });
 */
export function redirect<N extends UrlName>(
  to: N,
  ...rest: UrlArguments<N>
): HttpResponseRedirect | HttpResponsePermanentRedirect;
export function redirect(
  to: UrlString | URL | HasAbsoluteUrl,
  options?: { permanent?: boolean },
): HttpResponseRedirect | HttpResponsePermanentRedirect;
export function redirect(
  to: (...args: never[]) => unknown,
  ...rest: unknown[]
): HttpResponseRedirect | HttpResponsePermanentRedirect;
export function redirect(to: UrlTarget, ...rest: unknown[]): HttpResponseRedirect | HttpResponsePermanentRedirect {
  const { args, kwargs, permanent } = splitArguments(rest);
  const url = resolveTarget(to, args, kwargs);
  return permanent ? new HttpResponsePermanentRedirect(url) : new HttpResponseRedirect(url);
}

/** A model class (with its default manager `objects`), a manager, or a queryset. */
export type ObjectSource<T, R = T> = { readonly objects: Manager<T> } | Manager<T> | QuerySet<T, R>;

// Told apart by shape, not instanceof: importing the ORM here would load it into every project
// that imports redirect().
function isQuerySet(value: unknown): value is QuerySet<unknown, unknown> {
  return typeof value === 'object' && value !== null && 'queryState' in value && 'meta' in value;
}

function isManager(value: unknown): value is Manager<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Manager<unknown>).getQueryset === 'function';
}

/** Django's `_get_queryset`: the queryset a model class, a manager or a queryset stands for. */
function querysetOf(source: unknown, caller: string): QuerySet<unknown, unknown> {
  if (isQuerySet(source)) return source;
  if (isManager(source)) return source.all();
  if (typeof source === 'function' && isManager((source as { objects?: unknown }).objects)) {
    return (source as unknown as { objects: Manager<unknown> }).objects.all();
  }
  const name =
    typeof source === 'function'
      ? source.name
      : source === null || source === undefined
        ? String(source)
        : ((source as object).constructor?.name ?? typeof source);
  throw new TypeError(`First argument to ${caller}() must be a Model, Manager, or QuerySet, not '${name}'.`);
}

/**
 * The one object matching `lookups` (as `QuerySet.get()`), or Http404 when there is none:
 * `No Post matches the given query.` Several matches raise the model's MultipleObjectsReturned,
 * as `get()` does. `source` is a model class, a manager or a queryset.
 *
 * @example
 * export async function postDetail(request: HttpRequest, { slug }: { slug: string }) {
 *   const post = await getObjectOr404(Post, { slug, published: true });
 *   return render(request, 'blog/post_detail.html', { post });
 * }
 * await getObjectOr404(Post.objects.filter({ author: request.user.pk }), { pk });
 */
export async function getObjectOr404<T, R>(source: QuerySet<T, R>, ...lookups: Array<FilterArg<T>>): Promise<R>;
export async function getObjectOr404<T>(
  source: { readonly objects: Manager<T> } | Manager<T>,
  ...lookups: Array<FilterArg<T>>
): Promise<T>;
export async function getObjectOr404(source: unknown, ...lookups: Array<FilterArg<unknown>>): Promise<unknown> {
  const queryset = querysetOf(source, 'getObjectOr404');
  try {
    return await queryset.get(...lookups);
  } catch (error) {
    if (error instanceof queryset.meta.DoesNotExist) {
      throw new Http404(`No ${queryset.meta.objectName} matches the given query.`);
    }
    throw error;
  }
}

/**
 * The objects matching `lookups` (as `QuerySet.filter()`), as an array, or Http404 when there
 * are none: `No Post matches the given query.`
 *
 * @example
 * const posts = await getListOr404(Post, { author__username: username });
 */
export async function getListOr404<T, R>(source: QuerySet<T, R>, ...lookups: Array<FilterArg<T>>): Promise<R[]>;
export async function getListOr404<T>(
  source: { readonly objects: Manager<T> } | Manager<T>,
  ...lookups: Array<FilterArg<T>>
): Promise<T[]>;
export async function getListOr404(source: unknown, ...lookups: Array<FilterArg<unknown>>): Promise<unknown[]> {
  const queryset = querysetOf(source, 'getListOr404');
  const objects = await queryset.filter(...lookups);
  if (objects.length === 0) throw new Http404(`No ${queryset.meta.objectName} matches the given query.`);
  return objects;
}
