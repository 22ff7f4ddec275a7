/**
 * Shortcuts, as Django's `django.shortcuts`: `redirect()` and `resolveUrl()`. (`render()` is in
 * `tsgi/template`.)
 */
import { HttpResponsePermanentRedirect, HttpResponseRedirect } from './http/response.ts';
import { reverse } from './urls/base.ts';
import { NoReverseMatch } from './urls/exceptions.ts';

/** Something with its own URL, as a Django model with `get_absolute_url()`. */
export interface HasAbsoluteUrl {
  getAbsoluteUrl(): string;
}

/** What `redirect()` and `resolveUrl()` accept. */
export type UrlTarget = string | URL | HasAbsoluteUrl | ((...args: never[]) => unknown);

/** Options given as a plain object after the positional args. */
export interface ResolveUrlOptions {
  kwargs?: Record<string, unknown>;
  /** `redirect()` only: 301 instead of 302. */
  permanent?: boolean;
}

function splitOptions(rest: unknown[]): { args: unknown[]; options: ResolveUrlOptions } {
  const last = rest[rest.length - 1];
  if (last !== null && typeof last === 'object' && Object.getPrototypeOf(last) === Object.prototype) {
    return { args: rest.slice(0, -1), options: last as ResolveUrlOptions };
  }
  return { args: rest, options: {} };
}

/**
 * A URL for `to`, as Django's `resolve_url`: an object's `getAbsoluteUrl()`; a relative URL
 * (`./`, `../`) as is; a view name or view function reversed with the args (or `{ kwargs }`);
 * and, when that fails for a string that looks like a URL (has `/` or `.`), the string itself.
 *
 * @example
 * resolveUrl('article', 42);                       // '/articles/42/'
 * resolveUrl('blog:detail', { kwargs: { slug } }); // '/blog/x/'
 * resolveUrl('https://example.com/');              // as is
 */
export function resolveUrl(to: UrlTarget, ...rest: unknown[]): string {
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
  const { args, options } = splitOptions(rest);
  try {
    return reverse(to, args.length ? { args } : { kwargs: options.kwargs ?? {} });
  } catch (error) {
    if (!(error instanceof NoReverseMatch)) throw error;
    if (typeof to === 'function') throw error;
    if (!to.includes('/') && !to.includes('.')) throw error;
  }
  return to;
}

/**
 * A redirect response to `to` (see `resolveUrl()`): 302, or 301 with `{ permanent: true }`.
 *
 * @example
 * return redirect('article', article.id);
 * return redirect('/login/', { permanent: true });
 */
export function redirect(to: UrlTarget, ...rest: unknown[]): HttpResponseRedirect | HttpResponsePermanentRedirect {
  const { options } = splitOptions(rest);
  const url = resolveUrl(to, ...rest);
  return options.permanent ? new HttpResponsePermanentRedirect(url) : new HttpResponseRedirect(url);
}
