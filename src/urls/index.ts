/**
 * The URL dispatcher (`tsgi/urls`), as Django's `django.urls`.
 *
 * @example
 * import { path, include, reverse } from 'tsgi/urls';
 * export const urlpatterns = [
 *   path('articles/<int:year>/', yearArchive, { name: 'year-archive' }),
 *   path('blog/', include('blog.urls')),
 * ];
 * reverse('year-archive', { kwargs: { year: 2024 } }); // '/articles/2024/'
 */
export { path, rePath, include, Included } from './conf.ts';
export type { PathOptions, IncludeTarget } from './conf.ts';
export {
  resolve, reverse, getResolver, clearUrlCaches, getScriptPrefix, setScriptPrefix, addScriptPrefix,
  getUrlconf, setUrlconf, runWithUrlconf, isValidPath, reverseLazy, LazyUrl,
} from './base.ts';
export type { ReverseOptions, ReverseQuery } from './base.ts';
export { registerConverter, getConverter, IntConverter, StringConverter, SlugConverter, PathConverter, UUIDConverter } from './converters.ts';
export type { Converter } from './converters.ts';
export { Resolver404, NoReverseMatch } from './exceptions.ts';
export { ResolverMatch, URLPattern, URLResolver } from './resolvers.ts';
export type { ViewFunction, ResolvedView, UrlEntry, UrlconfModule, Urlconf } from './resolvers.ts';
export { RoutePattern, RegexPattern } from './patterns.ts';
export { checkUrlConfig, registerUrlChecks } from './checks.ts';
