/**
 * The model signals, as Django's `django.db.models.signals`: sent with the model class as the
 * sender, so a receiver can listen to one model (`preSave.connect(fn, { sender: Post })`).
 * Bulk operations (`bulkCreate`, `update`, a queryset `delete` that needs no per-object work)
 * send none, as in Django.
 *
 * @example
 * postSave.connect(({ instance, created }) => { if (created) notify(instance); }, { sender: Post });
 */
import type { AppConfig } from '../../apps/config.ts';
import { Signal } from '../../dispatch/signal.ts';
import type { PlanStep } from '../migrations/executor.ts';
import type { StateApps } from '../migrations/state.ts';

/** The payload of `preSave` and `postSave`. */
export interface SaveEvent {
  instance: object;
  /** Whether the row was inserted (postSave only). */
  created?: boolean;
  /** Loaded as-is from a fixture (always false outside loaddata). */
  raw: boolean;
  using: string;
  updateFields: readonly string[] | null;
}

/** The payload of `preDelete` and `postDelete`. */
export interface DeleteEvent {
  instance: object;
  using: string;
  /** The object whose deletion caused this one (a cascade), or null. */
  origin: object | null;
}

/** The payload of `m2mChanged`. */
export interface M2MChangedEvent {
  instance: object;
  action: 'pre_add' | 'post_add' | 'pre_remove' | 'post_remove' | 'pre_clear' | 'post_clear';
  /** True when `instance` is on the reverse side of the relation. */
  reverse: boolean;
  /** The model of the objects added or removed. */
  model: unknown;
  /** Their primary keys (null for clear). */
  pkSet: Set<unknown> | null;
  using: string;
}

/** The payload of `preInit` / `postInit`. */
export interface InitEvent {
  instance: object;
  /** The constructor's argument (preInit only). */
  kwargs?: Record<string, unknown>;
}

export const preInit = new Signal<InitEvent>();
export const postInit = new Signal<InitEvent>();
export const preSave = new Signal<SaveEvent>();
export const postSave = new Signal<SaveEvent>();
export const preDelete = new Signal<DeleteEvent>();
export const postDelete = new Signal<DeleteEvent>();
export const m2mChanged = new Signal<M2MChangedEvent>();

/** The payload of `preMigrate` and `postMigrate`: one send per installed app, the app config as sender. */
export interface MigrateEvent {
  /** The app. */
  appConfig: AppConfig;
  verbosity: number;
  interactive: boolean;
  /** The database alias migrated. */
  using: string;
  /** What migrate runs (preMigrate) or ran (postMigrate). */
  plan: readonly PlanStep[];
  /**
   * The historical models before (preMigrate) or after (postMigrate) the migrations: a receiver
   * checks there that the tables it writes exist (`apps.getMeta('auth', 'Permission')` throws
   * LookupError when no applied migration made them).
   */
  apps: StateApps;
}

/**
 * Sent by `migrate` (and the test database's creation) before it applies anything, once per
 * installed app, with its AppConfig as the sender (Django's `pre_migrate`). Async receivers are
 * awaited, one after the other.
 */
export const preMigrate = new Signal<MigrateEvent>();
/**
 * Sent by `migrate` when it is done, once per installed app (awaited: receivers may query), as
 * Django's `post_migrate`: contenttypes creates the apps' content types, auth their permissions.
 *
 * @example
 * postMigrate.connect(async ({ appConfig, using, apps }) => { ... }, { sender: myAppConfig });
 */
export const postMigrate = new Signal<MigrateEvent>();
