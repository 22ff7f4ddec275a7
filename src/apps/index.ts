/** `tsgi/apps`: the apps registry and AppConfig, as Django's `django.apps`. */
export { AppConfig, appPath, createAppConfig } from './config.ts';
export { Apps, apps, AppRegistryNotReady, LookupError } from './registry.ts';
