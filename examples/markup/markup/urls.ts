/**
 * The URL configuration of the markup project: `urlpatterns` routes URLs to views.
 *
 * Function views:  import { home } from './views.ts';   path('', home, { name: 'home' })
 * Class views:     import { Home } from './views.ts';   path('', Home.asView(), { name: 'home' })
 * Another URLconf: import * as blog from '../blog/urls.ts';   path('blog/', include(blog))
 *
 * The `declare module` at the end registers these URL names with the compiler: `npm run
 * typecheck` then checks every reverse('home') and redirect('blog:detail', { slug }), names and
 * arguments (tsgi's docs/http.md). Include other URLconfs as modules, as above, for their names
 * to count; include('blog.urls') works as well, but the compiler cannot see into it.
 */
import { settings } from 'tsgi/conf';
import { include, path, type UrlNamesOf } from 'tsgi/urls';
import * as pages from '../pages/urls.ts';
import { crash, hello } from '../pages/views.ts';

export const urlpatterns = [
  path('hello/', hello, { name: 'hello' }),
  path('', include(pages)),
  ...(settings.DEBUG ? [path('debug/error/', crash, { name: 'debug-error' })] : []),
];

declare module 'tsgi/urls' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the members come from the extended type
  interface UrlRegistry extends UrlNamesOf<typeof urlpatterns> {}
}
