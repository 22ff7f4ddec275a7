/**
 * The URL configuration of the markup project: `urlpatterns` routes URLs to views.
 *
 * Function views:  import { home } from './views.ts';   path('', home, { name: 'home' })
 * Class views:     import { Home } from './views.ts';   path('', Home.asView(), { name: 'home' })
 * Another URLconf: path('blog/', include('blog.urls'))
 */
import { settings } from 'tsgi/conf';
import { include, path } from 'tsgi/urls';
import { crash, hello } from '../pages/views.ts';

export const urlpatterns = [
  path('hello/', hello, { name: 'hello' }),
  path('', include('pages.urls')),
  ...(settings.DEBUG ? [path('debug/error/', crash, { name: 'debug-error' })] : []),
];
