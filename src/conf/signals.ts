/**
 * Signals of the settings layer. `settingChanged` fires when `overrideSettings()` applies
 * (`enter: true`) or restores (`enter: false`) a value, so that caches derived from a setting (URL
 * resolvers, template engines) can clear themselves, as Django's `setting_changed`.
 * src/core/signals.ts re-exports it.
 */
import { Signal } from '../dispatch/signal.ts';

/** The payload of `settingChanged`: the setting's name, its value now, and whether an override begins. */
export interface SettingChangedEvent {
  setting: string;
  value: unknown;
  enter: boolean;
}

/**
 * Fired for each setting an override changes.
 *
 * @example
 * settingChanged.connect(({ setting }) => { if (setting === 'ROOT_URLCONF') clearUrlCaches(); });
 */
export const settingChanged = new Signal<SettingChangedEvent>();
