// An app's URLconf, as a project writes it: tsgi is imported by its package name, so its types
// come from the build (dist/*.d.ts), as in a project that installed tsgi.
import { HttpResponse, type HttpRequest } from 'tsgi/http';
import { path, rePath } from 'tsgi/urls';

const page = (request: HttpRequest) => new HttpResponse(request.path);

export const appName = 'blog';
export const urlpatterns = [
  path('', page, { name: 'index' }),
  path('<slug:slug>/', page, { name: 'detail' }),
  path('archive/<int:year>/<int:month>/', page, { name: 'archive' }),
  path('legacy/<int:year>/', page, { name: 'legacy', kwargs: { year: 1999 } }),
  rePath('^tag/(?P<tag>[a-z]+)/$', page, { name: 'tag' }),
];
