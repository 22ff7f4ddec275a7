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
import type { CheckMessage } from '../core/checks/messages.ts';
import { lazyModule } from '../utils/module-loading.ts';
import type * as Checks from './checks.ts';
import type { Urlconf } from './resolvers.ts';

export { path, rePath, include, Included } from './conf.ts';
export type { PathOptions, IncludeTarget } from './conf.ts';
export {
  resolve,
  reverse,
  getResolver,
  clearUrlCaches,
  getScriptPrefix,
  setScriptPrefix,
  runWithScriptPrefix,
  addScriptPrefix,
  getUrlconf,
  setUrlconf,
  runWithUrlconf,
  isValidPath,
  reverseLazy,
  LazyUrl,
} from './base.ts';
export type { ReverseOptions, ReverseQuery, ReverseArguments } from './base.ts';
export type {
  ConverterValueTypes,
  UrlRegistry,
  UrlNamesOf,
  UrlName,
  UrlParams,
  RouteParams,
  RegexParams,
  Named,
  IncludedInfo,
} from './names.ts';
export {
  registerConverter,
  getConverter,
  IntConverter,
  StringConverter,
  SlugConverter,
  PathConverter,
  UUIDConverter,
} from './converters.ts';
export type { Converter } from './converters.ts';
export { Resolver404, NoReverseMatch } from './exceptions.ts';
export { ResolverMatch, URLPattern, URLResolver } from './resolvers.ts';
export type { ViewFunction, ResolvedView, UrlEntry, UrlconfModule, Urlconf } from './resolvers.ts';
export { RoutePattern, RegexPattern } from './patterns.ts';

// The URL checks (and the check framework's modules) are loaded when checks run (`manage.ts
// check`, runserver), not by every process that imports tsgi/urls: a request never needs them.
const loadChecks = lazyModule<typeof Checks>(import.meta.url, './checks');

/**
 * The URL checks for a URLconf (by default `ROOT_URLCONF`): invalid entries (urls.E004), a
 * leading '/' (urls.W002), an include ending in '$' (urls.W001), a ':' in a name (urls.W003),
 * non-unique namespaces (urls.W005), unmatched '<'/'>' (urls.W010), error handlers that do not
 * load (urls.E008) or take too many arguments (urls.E007), and `STATIC_URL` / `MEDIA_URL`
 * without a trailing slash (urls.E006).
 *
 * @example
 * for (const m of checkUrlConfig()) console.log(String(m));
 */
export function checkUrlConfig(urlconf?: Urlconf): CheckMessage[] {
  return loadChecks().checkUrlConfig(urlconf);
}

/**
 * Registers `checkUrlConfig` with the system check registry under the `urls` tag (once). The
 * management `check` command registers the URL checks itself; call this only when running the
 * registry by other means.
 */
export function registerUrlChecks(): void {
  loadChecks().registerUrlChecks();
}
