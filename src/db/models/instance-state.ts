/**
 * What an instance knows of itself besides its field values (Django's `Model._state`): whether
 * it is saved yet, the database it came from, and the related objects loaded for it.
 */

/** The key of an instance's state. */
export const STATE: unique symbol = Symbol('tsgi.db.state');

/** The constructor argument that makes an empty instance for rows read from the database. */
export const FROM_DB: unique symbol = Symbol('tsgi.db.fromDb');

export interface ModelState {
  /** Not saved yet: save() inserts. */
  adding: boolean;
  /** The alias it was read from or saved to. */
  db: string | null;
  /** Related objects and related managers loaded for it, by accessor name. */
  cache: Map<string, unknown> | undefined;
  /** Results of prefetchRelated(), by accessor name. */
  prefetched: Map<string, unknown[]> | undefined;
}

/** The state of an instance. */
export function instanceState(instance: object): ModelState {
  return (instance as { [STATE]: ModelState })[STATE];
}

/** The related-object cache of an instance, made on first use. */
export function relatedCache(instance: object): Map<string, unknown> {
  const state = instanceState(instance);
  return (state.cache ??= new Map());
}
