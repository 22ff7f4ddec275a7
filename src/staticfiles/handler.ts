/**
 * Static files in front of any TSGI application, at the gateway level, as WhiteNoise's WSGI
 * wrapper and Django's `StaticFilesHandler`: a request for a static file is answered before the
 * framework sees it (no request object, no middleware), everything else goes to the application.
 * The file goes out through `wsgi.file_wrapper`, so a server with sendfile uses it.
 */
import type { Application, Environ, StartResponse, ClosableBody } from '../gateway/types.ts';
import { fileWrapper } from '../gateway/file-wrapper.ts';
import { StaticServing, type StaticServingOptions } from './serving.ts';

const REASONS: Record<number, string> = { 200: 'OK', 206: 'Partial Content', 304: 'Not Modified', 405: 'Method Not Allowed', 416: 'Range Not Satisfiable' };
const EMPTY: ClosableBody = [];

function headerGetter(environ: Environ): (name: string) => string | undefined {
  return (name) => environ[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] as string | undefined;
}

/**
 * Wraps `app` so that STATIC_URL is served from STATIC_ROOT (and the finders in DEBUG).
 *
 * @example
 * // markup/wsgi.ts
 * export const application = staticFilesHandler(getWsgiApplication());
 */
export function staticFilesHandler(app: Application, options: StaticServingOptions = {}): Application {
  let serving: StaticServing | undefined;
  const wrapped: Application = (environ, startResponse: StartResponse) => {
    serving ??= new StaticServing(options);
    const entry = serving.match(environ.PATH_INFO);
    if (entry === undefined) return app(environ, startResponse);
    const plan = serving.plan(entry, environ.REQUEST_METHOD, headerGetter(environ));
    startResponse(`${plan.status} ${REASONS[plan.status] ?? ''}`, plan.headers);
    if (plan.file === undefined) return EMPTY;
    const wrapper = environ['wsgi.file_wrapper'] ?? fileWrapper;
    // One read for files up to 1 MiB: half the syscalls and writes of 64 KiB blocks for a 100 KB file.
    return wrapper(plan.file, Math.min(Math.max(plan.file.length ?? 0, 65536), 1 << 20));
  };
  // Build the index while the application boots, not on the first request.
  const boot = async (): Promise<void> => {
    if (app.ready) await app.ready;
    serving ??= new StaticServing(options);
  };
  wrapped.ready = boot();
  return wrapped;
}
