/**
 * The public entry point, as Django's `django.core.wsgi`: `getWsgiApplication()` returns the
 * framework's TSGI application.
 */
import type { Application, ClosableBody, Environ, StartResponse } from '../gateway/types.ts';
import type { WSGIHandler } from './handlers/wsgi.ts';

// The framework itself is imported when the boot starts, not with this module: by then
// getWsgiApplication() has turned Node's compile cache on, so it covers the whole framework
// (about 60 modules) as well as the project.

// node:module's compile cache is Node's own: under Deno, Bun or workerd (toFetchHandler,
// docs/fetch.md) this module loads without it.
const nodeModule = globalThis.process?.getBuiltinModule?.('node:module');

let setupDone: Promise<void> | undefined;

/**
 * Boots the framework once, as Django's `django.setup()`: logging from `LOGGING`, the script
 * prefix from `FORCE_SCRIPT_NAME`, then the apps of `INSTALLED_APPS` and their `ready()` hooks.
 * Later calls return the same promise.
 */
export function setup(): Promise<void> {
  setupDone ??= (async () => {
    const [{ apps }, { settings }, { setScriptPrefix }, { configureLogging }] = await Promise.all([
      import('../apps/registry.ts'),
      import('../conf/index.ts'),
      import('../urls/base.ts'),
      import('../conf/logging.ts'),
    ]);
    configureLogging(settings.LOGGING, { debug: settings.DEBUG });
    setScriptPrefix(typeof settings.FORCE_SCRIPT_NAME === 'string' ? settings.FORCE_SCRIPT_NAME : '/');
    await apps.populate();
  })();
  return setupDone;
}

/**
 * Loads the rest of the project as its first request would, so that what cannot load fails the
 * boot (and `tsgi serve --check-config`, `--preload`, a reload's new workers) instead of every
 * page: ROOT_URLCONF, every URLconf it includes and the views they import (the reverse index,
 * built here, walks them all); with DEBUG off, the static files manifest the pages will need.
 */
async function loadProject(): Promise<void> {
  const [{ settings }, { getResolver }] = await Promise.all([import('../conf/index.ts'), import('../urls/base.ts')]);
  if (settings.ROOT_URLCONF) void getResolver().reverseDict;
  // The default storage (plain names) has no manifest: only another one is worth loading here.
  const storages = (settings as unknown as { STORAGES?: { staticfiles?: { BACKEND?: unknown } } }).STORAGES;
  const backend = storages?.staticfiles?.BACKEND;
  if (!settings.DEBUG && backend !== undefined && backend !== 'tsgi.staticfiles.storage.StaticFilesStorage') {
    const { checkStaticManifest } = await import('../staticfiles/checks.ts');
    const [problem] = checkStaticManifest();
    if (problem !== undefined) {
      const { ImproperlyConfigured } = await import('./exceptions.ts');
      throw new ImproperlyConfigured(`${problem.msg} ${problem.hint} (${problem.id})`);
    }
  }
}

/**
 * The framework's TSGI application. Returns at once; the boot (settings, logging, apps, the
 * middleware chain, the URLconfs and their views: the whole project, loaded once) finishes in
 * `application.ready`, which servers await before they accept traffic (spec §2.3) and which
 * requests arriving earlier wait for; it rejects when any of it cannot load.
 *
 * @example
 * // markup/wsgi.ts
 * process.env.TSGI_SETTINGS_MODULE ??= 'markup.settings';
 * export const application = getWsgiApplication();
 */
export function getWsgiApplication(): Application {
  // Node's compile cache (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE; off with
  // NODE_DISABLE_COMPILE_CACHE=1): every module loaded from here on (the framework, see the
  // imports above, and the project's settings, URLconf, views, apps) is type-stripped and
  // compiled once, not at every start. Only what the project imported before this call (its
  // wsgi.ts) is left out.
  nodeModule?.enableCompileCache?.();
  let handler: WSGIHandler;
  let booted = false;
  const ready = (async () => {
    const { WSGIHandler } = await import('./handlers/wsgi.ts');
    await setup();
    handler = new WSGIHandler();
    handler.loadMiddleware();
    await loadProject();
    booted = true;
    // Written now rather than at exit, so that a server stopped by a signal leaves it too.
    nodeModule?.flushCompileCache?.();
  })();
  // A failed boot is reported by whoever awaits `ready` (the server); it must not also crash
  // the process as an unhandled rejection.
  ready.catch(() => {});
  const application = ((environ: Environ, startResponse: StartResponse): ClosableBody | Promise<ClosableBody> => {
    if (booted) return handler.call(environ, startResponse);
    return ready.then(() => handler.call(environ, startResponse));
  }) as Application;
  application.ready = ready;
  return application;
}
