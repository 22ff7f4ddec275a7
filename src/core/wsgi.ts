/**
 * The public entry point, as Django's `django.core.wsgi`: `getWsgiApplication()` returns the
 * framework's TSGI application.
 */
import { apps } from '../apps/registry.ts';
import { settings } from '../conf/index.ts';
import type { Application, ClosableBody, Environ, StartResponse } from '../gateway/types.ts';
import { setScriptPrefix } from '../urls/base.ts';
import { configureLogging } from '../utils/log.ts';
import { WSGIHandler } from './handlers/wsgi.ts';

let setupDone: Promise<void> | undefined;

/**
 * Boots the framework once, as Django's `django.setup()`: logging from `LOGGING`, the script
 * prefix from `FORCE_SCRIPT_NAME`, then the apps of `INSTALLED_APPS` and their `ready()` hooks.
 * Later calls return the same promise.
 */
export function setup(): Promise<void> {
  setupDone ??= (async () => {
    configureLogging(settings.LOGGING, { debug: settings.DEBUG });
    setScriptPrefix(typeof settings.FORCE_SCRIPT_NAME === 'string' ? settings.FORCE_SCRIPT_NAME : '/');
    await apps.populate();
  })();
  return setupDone;
}

/**
 * The framework's TSGI application. Returns at once; the boot (settings, logging, apps, the
 * middleware chain, built once) finishes in `application.ready`, which servers await before they
 * accept traffic (spec §2.3) and which requests arriving earlier wait for.
 *
 * @example
 * // markup/wsgi.ts
 * process.env.TSGI_SETTINGS_MODULE ??= 'markup.settings';
 * export const application = getWsgiApplication();
 */
export function getWsgiApplication(): Application {
  const handler = new WSGIHandler();
  let booted = false;
  const ready = (async () => {
    await setup();
    handler.loadMiddleware();
    booted = true;
  })();
  // A failed boot is reported by whoever awaits `ready` (the server); it must not also crash
  // the process as an unhandled rejection.
  ready.catch(() => {});
  const application = ((environ: Environ, startResponse: StartResponse): Promise<ClosableBody> => {
    if (booted) return handler.call(environ, startResponse);
    return ready.then(() => handler.call(environ, startResponse));
  }) as Application;
  application.ready = ready;
  return application;
}
