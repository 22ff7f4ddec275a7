/**
 * Static files in front of any TSGI application, at the gateway level, as WhiteNoise's WSGI
 * wrapper and Django's `StaticFilesHandler`: a request for a static file is answered before the
 * framework sees it (no request object, no middleware), everything else goes to the application.
 * The file goes out through `wsgi.file_wrapper`, so a server with sendfile uses it.
 */
import type { Application, Environ, StartResponse, ClosableBody } from '../gateway/types.ts';
import { fileWrapper } from '../gateway/file-wrapper.ts';
import { REASON_PHRASES } from '../gateway/http-rules.ts';
import { StaticServing, metaHeader, type StaticServingOptions } from './serving.ts';
import type { StaticPlan } from './responder.ts';

const EMPTY: ClosableBody = [];

/** Starts the response and returns its body: the bytes when the file is in memory, else the file. */
function send(
  plan: StaticPlan,
  environ: Environ,
  startResponse: StartResponse,
  bytes: Uint8Array | undefined,
): ClosableBody {
  startResponse(`${plan.status} ${REASON_PHRASES[plan.status] ?? ''}`, plan.headers);
  if (plan.file === undefined) return EMPTY;
  if (bytes !== undefined) return [bytes];
  const wrapper = environ['wsgi.file_wrapper'] ?? fileWrapper;
  // One read for files up to 1 MiB: half the syscalls and writes of 64 KiB blocks for a 100 KB file.
  return wrapper(plan.file, Math.min(Math.max(plan.file.length ?? 0, 65536), 1 << 20));
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
    const plan = serving.plan(entry, environ.REQUEST_METHOD, (name) => metaHeader(environ, name));
    const bytes = serving.bytes(plan);
    if (bytes === undefined || bytes instanceof Uint8Array) return send(plan, environ, startResponse, bytes);
    return bytes.then((loaded) => send(plan, environ, startResponse, loaded));
  };
  // Build the index while the application boots, not on the first request.
  const boot = async (): Promise<void> => {
    if (app.ready) await app.ready;
    serving ??= new StaticServing(options);
  };
  wrapped.ready = boot();
  return wrapped;
}
