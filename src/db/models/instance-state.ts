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
  /** Shared by the rows read from one database until one of them needs its own (see loadedState). */
  shared?: boolean;
}

const loaded = new Map<string, ModelState>();

/**
 * The state rows read from a database start with: one object per alias, shared, so that a
 * 100-row list does not make 100 of them; an instance gets its own copy when it is first asked
 * for it (instanceState).
 */
export function loadedState(db: string): ModelState {
  let state = loaded.get(db);
  if (state === undefined) {
    state = { adding: false, db, cache: undefined, prefetched: undefined, shared: true };
    loaded.set(db, state);
  }
  return state;
}

/** The state of an instance (its own: a shared one is copied first). */
export function instanceState(instance: object): ModelState {
  let state = (instance as { [STATE]: ModelState })[STATE];
  if (state.shared === true) {
    state = { adding: state.adding, db: state.db, cache: undefined, prefetched: undefined };
    (instance as { [STATE]: ModelState })[STATE] = state;
  }
  return state;
}

/** The related-object cache of an instance, made on first use. */
export function relatedCache(instance: object): Map<string, unknown> {
  const state = instanceState(instance);
  return (state.cache ??= new Map());
}
