/**
 * The `templates/` and `static/` folders of installed apps, in INSTALLED_APPS order (the first app
 * wins, as in Django). Shared by the template engines (APP_DIRS) and the static files finders.
 */
import path from 'node:path';
import { settings } from '../conf/index.ts';
import { appPath } from './config.ts';
import { apps } from './registry.ts';
import { isDirectory } from '../utils/fs.ts';

/** The folder of each installed app: from the apps registry once populated, else from INSTALLED_APPS. */
export function appPaths(): string[] {
  if (apps.appsReady) return apps.getAppConfigs().map((c) => c.path);
  // Not populated (a script, a test): a dotted app name maps to its folder as the registry would.
  return settings.INSTALLED_APPS.filter((entry): entry is string => typeof entry === 'string').map((name) =>
    appPath(name),
  );
}

/** The existing `<app>/<name>/` folders, in app order. */
export function appSubdirectories(name: string): string[] {
  return appPaths()
    .map((p) => path.join(p, name))
    .filter(isDirectory);
}
