/**
 * `preMigrate` and `postMigrate`, as Django's `pre_migrate` and `post_migrate`: sent by
 * `migrate` (and the test database's creation) once per installed app, with its AppConfig as
 * the sender, before and after the migrations run; apps create their default rows there (an
 * auth app its permissions). Async receivers are awaited, one after the other.
 *
 * @example
 * postMigrate.connect(async ({ appConfig, using }) => { ... }, { sender: myAppConfig });
 */
import type { AppConfig } from '../../apps/config.ts';
import { Signal } from '../../dispatch/signal.ts';
import type { PlanStep } from './executor.ts';
import type { StateApps } from './state.ts';

/** The payload of preMigrate and postMigrate. */
export interface MigrateEvent {
  appConfig: AppConfig;
  verbosity: number;
  interactive: boolean;
  /** The database alias. */
  using: string;
  /** What migrate ran (or runs). */
  plan: readonly PlanStep[];
  /** The historical models before (preMigrate) or after (postMigrate) the migrations. */
  apps: StateApps;
}

export const preMigrate = new Signal<MigrateEvent>();
export const postMigrate = new Signal<MigrateEvent>();
