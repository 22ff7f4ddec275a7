/**
 * Temporal, loaded on first use. The polyfill takes ~25-30 ms to import, and a process that
 * loads the template filters or the time zone helpers may never format a date: modules that
 * need Temporal's values call `temporal()` when they do, and import its types only.
 */
import type * as Polyfill from 'temporal-polyfill';

let loaded: typeof Polyfill.Temporal | undefined;

/**
 * The Temporal namespace of the `temporal-polyfill` package.
 *
 * @example
 * const today = temporal().Now.plainDateISO();
 */
export function temporal(): typeof Polyfill.Temporal {
  if (loaded === undefined) {
    const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);
    loaded = (require('temporal-polyfill') as typeof Polyfill).Temporal;
  }
  return loaded;
}
