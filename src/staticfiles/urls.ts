/**
 * URL patterns that serve files in development, as Django's `django.conf.urls.static.static`,
 * `django.views.static.serve` and `staticfiles_urlpatterns()`. They give nothing unless DEBUG is on:
 * in production nginx (or the static files middleware) serves these folders.
 *
 * @example
 * // markup/urls.ts
 * export const urlpatterns = [
 *   path('', views.home),
 *   ...staticPatterns(settings.MEDIA_URL, { documentRoot: settings.MEDIA_ROOT }),
 * ];
 */
import { settings } from '../conf/index.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { Http404 } from '../http/exceptions.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { rePath } from '../urls/conf.ts';
import type { UrlEntry, ViewFunction } from '../urls/resolvers.ts';
import { StaticFileIndex, isSafeUrlPath } from './files-index.ts';
import { find } from './finders.ts';
import { responseFromPlan } from './middleware.ts';
import { planStaticResponse } from './responder.ts';

interface RequestLike {
  method: string | null;
  META: Record<string, unknown>;
}

function header(request: RequestLike): (name: string) => string | undefined {
  return (name) => request.META[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] as string | undefined;
}

const indexes = new Map<string, StaticFileIndex>();

/**
 * The view that sends `path` from `documentRoot` (Django's `django.views.static.serve`), with the
 * same safety and HTTP semantics as the static files middleware. Development only.
 */
export async function serve(
  request: RequestLike,
  kwargs: { path: string; documentRoot: string },
): Promise<HttpResponseBase> {
  const { path: rel, documentRoot } = kwargs;
  let index = indexes.get(documentRoot);
  if (!index) {
    index = new StaticFileIndex({ roots: [documentRoot], autorefresh: true });
    indexes.set(documentRoot, index);
  }
  const entry = isSafeUrlPath(rel) ? index.get(rel) : undefined;
  if (!entry) throw new Http404(`“${rel}” does not exist`);
  return responseFromPlan(planStaticResponse(entry, request.method ?? 'GET', header(request), { maxAge: 0 }));
}

/** The view behind `staticfilesUrlpatterns()`: files found by the finders, no collectstatic needed. */
export async function serveFromFinders(request: RequestLike, kwargs: { path: string }): Promise<HttpResponseBase> {
  const rel = kwargs.path;
  const absolute = isSafeUrlPath(rel) ? find(rel)[0] : undefined;
  if (absolute === undefined) throw new Http404(`“${rel}” could not be found`);
  const root = absolute.slice(0, absolute.length - rel.length);
  return serve(request, { path: rel, documentRoot: root });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Patterns serving `prefix` from `documentRoot` when DEBUG is on; none otherwise, and none for a
 * full URL prefix (a CDN).
 */
export function staticPatterns(prefix: string, options: { documentRoot: string; view?: ViewFunction }): UrlEntry[] {
  if (!prefix)
    throw new ImproperlyConfigured('Empty static prefix not permitted. Set STATIC_URL or MEDIA_URL, as "/media/".');
  if (!settings.DEBUG || /^[a-z][a-z0-9+.-]*:\/\//i.test(prefix) || prefix.startsWith('//')) return [];
  const route = `^${escapeRegExp(prefix.replace(/^\/+/, ''))}(?<path>.*)$`;
  return [
    rePath(route, options.view ?? (serve as unknown as ViewFunction), {
      kwargs: { documentRoot: options.documentRoot },
    }),
  ];
}
export { staticPatterns as static };

/** Patterns serving STATIC_URL from the finders when DEBUG is on (Django's `staticfiles_urlpatterns`). */
export function staticfilesUrlpatterns(prefix: string | null = settings.STATIC_URL): UrlEntry[] {
  if (!prefix) throw new ImproperlyConfigured('Empty static prefix not permitted. Set STATIC_URL, as "/static/".');
  if (!settings.DEBUG || /^[a-z][a-z0-9+.-]*:\/\//i.test(prefix) || prefix.startsWith('//')) return [];
  return [
    rePath(`^${escapeRegExp(prefix.replace(/^\/+/, ''))}(?<path>.*)$`, serveFromFinders as unknown as ViewFunction),
  ];
}
