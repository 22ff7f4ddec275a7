/** The URLs of the pages app. */
import { path } from 'tsgi/urls';
import { apiRender, home, page, preview } from './views.ts';

export const appName = 'pages';

export const urlpatterns = [
  path('', home, { name: 'home' }),
  path('docs/<slug:slug>/', page, { name: 'page' }),
  path('preview/', preview, { name: 'preview' }),
  path('api/render/', apiRender, { name: 'api-render' }),
];
