/**
 * `tsgi/server`: the production server behind `tsgi serve`, for programs that start it
 * themselves or read its settings.
 */
export { main, helpText } from './cli.ts';
export { Arbiter } from './arbiter.ts';
export { resolveConfig, parseArgs, formatConfig, ConfigError } from './config.ts';
export { loadApplication, AppLoadError, APP_LOAD_ERROR, WORKER_BOOT_ERROR } from './loader.ts';
export { SETTINGS, type ServerConfig, type SettingSpec } from './settings.ts';
export { compileAccessFormat, escapeLogValue } from './access-log.ts';
