/**
 * The applications measured by bench/static.bench.ts, chosen by $BENCH_APP:
 *   static    a 100 KB file through staticFilesHandler (gateway level) in front of an app
 *   template  a page with inheritance and a loop of 100 rows, rendered per request
 *   hello     "Hello, world!" (the template page's reference)
 *   middleware       the 100 KB file through StaticFilesMiddleware in getWsgiApplication()
 *   view-template    the template page from a view (URLconf, TemplateResponse) in getWsgiApplication()
 *   view-hello       "Hello, world!" from a view in getWsgiApplication() (the template view's reference)
 * $BENCH_DIR holds `staticfiles/` and `templates/` (written by the bench).
 */
import path from 'node:path';
import type { Application } from '../src/gateway/types.ts';
import { staticFilesHandler } from '../src/staticfiles/handler.ts';
import { getTemplate } from '../src/template/engines.ts';
import { settings } from '../src/conf/index.ts';
import { getWsgiApplication } from '../src/core/wsgi.ts';
import type { HttpRequest } from '../src/http/request.ts';
import { HttpResponse } from '../src/http/response.ts';
import { path as route } from '../src/urls/index.ts';
import { TemplateResponse } from '../src/template/response.ts';

const dir = process.env.BENCH_DIR ?? '.';
const HELLO = new TextEncoder().encode('Hello, world!');
const NOT_FOUND = new TextEncoder().encode('Not Found');
const rows = Array.from({ length: 100 }, (_, i) => ({ id: i, name: `Row <${i}>`, price: (i * 1.25).toFixed(2) }));
settings.configure({
  DEBUG: false,
  STATIC_URL: '/static/',
  STATIC_ROOT: path.join(dir, 'staticfiles'),
  TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', DIRS: [path.join(dir, 'templates')] }],
  ALLOWED_HOSTS: ['*'],
  MIDDLEWARE: process.env.BENCH_APP === 'middleware' ? ['tsgi.staticfiles.middleware.StaticFilesMiddleware'] : [],
  ROOT_URLCONF: {
    urlpatterns: [
      route('', () => new HttpResponse('Hello, world!', { contentType: 'text/plain; charset=utf-8' })),
      route('page/', (request: HttpRequest) => new TemplateResponse(request, 'page.html', { title: 'Rows', rows })),
    ],
  },
});

const hello: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return [HELLO];
};

const template: Application = async (_environ, startResponse) => {
  const html = await getTemplate('page.html').render({ title: 'Rows', rows });
  const body = Buffer.from(html);
  startResponse('200 OK', [
    ['Content-Type', 'text/html; charset=utf-8'],
    ['Content-Length', String(body.length)],
  ]);
  return [body];
};

const staticApp = staticFilesHandler((_environ, startResponse) => {
  startResponse('404 Not Found', [['Content-Type', 'text/plain']]);
  return [NOT_FOUND];
});

const apps: Record<string, () => Application> = {
  hello: () => hello,
  template: () => template,
  static: () => staticApp,
  middleware: () => getWsgiApplication(),
  'view-template': () => getWsgiApplication(),
  'view-hello': () => getWsgiApplication(),
};
const chosen = apps[process.env.BENCH_APP ?? 'hello'];
if (!chosen) throw new Error(`BENCH_APP must be one of ${Object.keys(apps).join(', ')}, not ${process.env.BENCH_APP}.`);
export const application: Application = chosen();
