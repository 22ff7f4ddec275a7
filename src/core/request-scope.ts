/**
 * The request's async context: an extension point of the request handler for layers that keep
 * state per request rather than per process (the database connections and transactions of
 * src/db). One worker serves many requests at once, so such state cannot live in module globals:
 * it lives in a `RequestScope`, which the handler opens around each request (AsyncLocalStorage)
 * once a layer has asked for scopes, and closes after `requestFinished`.
 *
 * A leaf module: it imports nothing of the framework, so the handler and the layers can both use it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** One request's scope. */
export interface RequestScope {
  /** Per-layer state, keyed by the layer's own key (a symbol or an object). */
  readonly state: Map<unknown, unknown>;
  /** Run after `requestFinished`, in registration order; failures are reported to `onError`. */
  readonly finishers: Array<() => unknown>;
}

/** Wraps the call of a view: `call()` runs the view and returns what it returned. */
export type ViewWrapper = (request: unknown, view: unknown, call: () => unknown) => unknown;

const storage = new AsyncLocalStorage<RequestScope>();
let enabled = false;
let viewWrapper: ViewWrapper | undefined;

/** Asks the handler to open a scope around every request from now on (called by src/db). */
export function enableRequestScopes(): void {
  enabled = true;
}

/** Whether requests run in scopes. */
export function requestScopesEnabled(): boolean {
  return enabled;
}

/** The scope of the request running in this async context, if any. */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

/** Runs `fn` in a new request scope (the handler calls it per request). */
export function runInRequestScope<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
  return storage.run({ state: new Map(), finishers: [] }, fn, ...args);
}

/**
 * Runs the scope's finishers (the handler calls it once the response is closed). Never throws:
 * a failing finisher is passed to `onError` and the others still run.
 */
export async function finishRequestScope(
  scope: RequestScope | undefined,
  onError: (error: unknown) => void,
): Promise<void> {
  if (scope === undefined) return;
  for (const finisher of scope.finishers.splice(0)) {
    try {
      await finisher();
    } catch (error) {
      onError(error);
    }
  }
}

/**
 * Installs the wrapper the handler calls views through (src/db's ATOMIC_REQUESTS), or removes it
 * with `undefined`. One wrapper: the database layer composes its own.
 */
export function setViewWrapper(wrapper: ViewWrapper | undefined): void {
  viewWrapper = wrapper;
}

/** The installed view wrapper, if any. */
export function getViewWrapper(): ViewWrapper | undefined {
  return viewWrapper;
}
