// The root URLconf, registered for the compiler by declaration merging (docs/http.md).
import { HttpResponse } from 'tsgi/http';
import { include, path, type UrlNamesOf } from 'tsgi/urls';
import * as blog from '../blog/urls.ts';

const home = () => new HttpResponse('home');

export const urlpatterns = [
  path('', home, { name: 'home' }),
  path('blog/', include(blog)),
  path('archive/', include(blog, { namespace: 'old-blog' })),
  path('users/<int:id>/', include([[path('', home, { name: 'profile' })], 'users'])),
];

declare module 'tsgi/urls' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the members come from the extended type
  interface UrlRegistry extends UrlNamesOf<typeof urlpatterns> {}
}
