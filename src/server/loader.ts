/**
 * Loading the application named `MODULE[:ATTR]` (`markup.wsgi:application`), as gunicorn does:
 * the dotted module is a file under the working directory (`.ts`, compiled `.js`, `.mjs`,
 * `.mts`, or a directory's index), the attribute defaults to `application`. A Fetch handler
 * (`{ fetch }`, e.g. a Hono app, or a function of exactly one parameter, the `Request`; see
 * isFetchFunction for the rule) is adapted to a TSGI application.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Application } from '../gateway/types.ts';
import { closeEnough } from './config.ts';
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { existsSync } = process.getBuiltinModule('node:fs');

/** Exit codes, as gunicorn's arbiter: the master stops instead of respawning forever. */
export const WORKER_BOOT_ERROR = 3;
export const APP_LOAD_ERROR = 4;

/** The application could not be loaded; the message says which and how to fix it. */
export class AppLoadError extends Error {
  override name = 'AppLoadError';
}

const EXTENSIONS = ['.ts', '.js', '.mjs', '.mts', '/index.ts', '/index.js', '/index.mjs'];

/** The file a dotted module name stands for, or an error naming every path tried. */
export function resolveModule(dotted: string, root: string): string {
  if (!/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/.test(dotted)) {
    throw new AppLoadError(
      `"${dotted}" is not a module name; write it dotted, relative to the working directory, as in markup.wsgi:application.`,
    );
  }
  const base = path.join(root, ...dotted.split('.'));
  const tried = EXTENSIONS.map((ext) => base + ext);
  const found = tried.find((p) => existsSync(p));
  if (!found) {
    throw new AppLoadError(
      `No module named "${dotted}": none of ${tried.map((p) => path.relative(root, p)).join(', ')} exists in ${root}. Check the name, or use --chdir to serve from the project's directory.`,
    );
  }
  return found;
}

type FetchHandler = (request: Request, ...rest: unknown[]) => Response | Promise<Response>;

function isFetchObject(v: unknown): v is { fetch: FetchHandler } {
  return typeof v === 'object' && v !== null && typeof (v as { fetch?: unknown }).fetch === 'function';
}

/**
 * Whether a function is a Fetch handler rather than a TSGI application. Only its declared
 * parameters can tell, and the rule is:
 *
 * - exactly one parameter, `(request) => Response`: a Fetch handler;
 * - two or more, `(environ, startResponse)`: a TSGI application;
 * - none (`(...args) => ...`, or only parameters with defaults): a TSGI application, because the
 *   wrappers of applications are written that way (the gateway's own `validator(app)` is), and
 *   an application must take `startResponse` somehow, while a Fetch handler names its request;
 * - a function with `ready` (§2.3) is always a TSGI application.
 *
 * So a Fetch handler that declares no parameter, or more than one (`(request, env, ctx)` of
 * Workers-style runtimes), must be exported as an object, `{ fetch: handler }`, which is never
 * ambiguous (a Hono app is one).
 */
function isFetchFunction(v: unknown): v is FetchHandler {
  return typeof v === 'function' && !('ready' in v) && v.length === 1 && !isFetchObject(v);
}

async function adaptFetch(handler: FetchHandler, name: string): Promise<Application> {
  const specifier = new URL(
    import.meta.url.endsWith('.ts') ? '../gateway/fetch.ts' : '../gateway/fetch.js',
    import.meta.url,
  ).href;
  let fromFetchHandler: ((h: FetchHandler) => Application) | undefined;
  try {
    ({ fromFetchHandler } = (await import(specifier)) as { fromFetchHandler?: (h: FetchHandler) => Application });
  } catch {
    fromFetchHandler = undefined;
  }
  if (typeof fromFetchHandler !== 'function') {
    throw new AppLoadError(
      `${name} is a Fetch handler, but this tsgi has no fromFetchHandler in src/gateway/fetch.ts to adapt it.`,
    );
  }
  return fromFetchHandler(handler);
}

/** Where an application came from, for the banner. */
export interface LoadedApp {
  app: Application;
  file: string;
  kind: 'tsgi' | 'fetch';
}

/**
 * Imports `MODULE[:ATTR]` from `root` and returns the application, adapted if it is a Fetch
 * handler. The module is imported fresh in each process: a reload starts new processes.
 *
 * @example
 * const { app } = await loadApplication('markup.wsgi:application', process.cwd());
 */
export async function loadApplication(spec: string, root: string): Promise<LoadedApp> {
  const colon = spec.indexOf(':');
  const moduleName = colon < 0 ? spec : spec.slice(0, colon);
  const attr = colon < 0 ? 'application' : spec.slice(colon + 1);
  if (attr === '') throw new AppLoadError(`"${spec}" names no attribute after ":"; write ${moduleName}:application.`);
  const file = resolveModule(moduleName, root);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    throw new AppLoadError(
      `The module ${moduleName} (${path.relative(root, file) || file}) failed to load:\n${detail}`,
    );
  }
  let target: unknown = mod;
  for (const part of attr.split('.')) {
    const holder = target as Record<string, unknown>;
    if (holder === null || (typeof holder !== 'object' && typeof holder !== 'function') || !(part in holder)) {
      const names = Object.keys(holder ?? {}).filter((k) => k !== 'default' || holder === mod);
      const near = names.filter((n) => closeEnough(n.toLowerCase(), part.toLowerCase()));
      const hint = near.length
        ? ` Did you mean "${moduleName}:${near[0]}"?`
        : names.length
          ? ` It exports: ${names.join(', ')}.`
          : '';
      throw new AppLoadError(`The module ${moduleName} has no attribute "${attr}".${hint}`);
    }
    target = holder[part];
  }
  const name = `${moduleName}:${attr}`;
  if (isFetchObject(target)) return { app: await adaptFetch(target.fetch.bind(target), name), file, kind: 'fetch' };
  if (isFetchFunction(target)) return { app: await adaptFetch(target, name), file, kind: 'fetch' };
  if (typeof target !== 'function') {
    throw new AppLoadError(
      `${name} is not an application: it is ${target === null ? 'null' : typeof target}. It must be a TSGI application (environ, startResponse), a Fetch handler object { fetch(request) } or a function of one parameter, (request) => Response.`,
    );
  }
  const app = target as Application;
  if (app.ready !== undefined) {
    try {
      await app.ready;
    } catch (err) {
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      throw new AppLoadError(`${name} failed to get ready (its ready promise rejected):\n${detail}`);
    }
  }
  return { app, file, kind: 'tsgi' };
}
