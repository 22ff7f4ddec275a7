/**
 * The database's part of the request cycle: `ATOMIC_REQUESTS` runs each view in a transaction
 * on every database that asks for it (Django's `make_view_atomic`), unless the view is marked
 * with `nonAtomicRequests()`. Installed through the handler's view wrapper
 * (src/core/request-scope.ts). The connections a request leased are given back by the backends
 * themselves when its scope finishes (after `requestFinished`).
 */
import { fromSettings, settings } from '../conf/index.ts';
import type { DatabaseConfig } from '../conf/global-settings.ts';
import { setViewWrapper } from '../core/request-scope.ts';
import { atomic, isNonAtomic } from './transaction.ts';

const atomicAliases = fromSettings(() => {
  const databases = (settings.DATABASES ?? {}) as Record<string, DatabaseConfig>;
  return Object.keys(databases).filter((alias) => databases[alias]?.ATOMIC_REQUESTS === true);
});

/** Runs the view in `atomic()` on each database with ATOMIC_REQUESTS (outermost first, in DATABASES order). */
export function atomicView(_request: unknown, view: unknown, call: () => unknown): unknown {
  const aliases = atomicAliases();
  if (aliases.length === 0) return call();
  let run = call;
  for (let i = aliases.length - 1; i >= 0; i--) {
    const alias = aliases[i]!;
    if (isNonAtomic(view, alias)) continue;
    const inner = run;
    run = () => atomic({ using: alias }, inner);
  }
  return run();
}

setViewWrapper(atomicView);
