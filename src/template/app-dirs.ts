/**
 * The `templates/` and `static/` folders of installed apps, in INSTALLED_APPS order (the first app
 * wins, as in Django). Shared by the template engines (APP_DIRS) and the static files finders.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { settings } from '../conf/index.ts';
import { getProjectRoot } from '../utils/module-loading.ts';

const require = createRequire(import.meta.url);

function isDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The folder of each installed app: from the apps registry when it is ready, else from INSTALLED_APPS. */
export function appPaths(): string[] {
  try {
    const registry = (require('../apps/index.ts') as { apps?: { ready?: boolean; getAppConfigs?: () => Iterable<{ path: string }> } }).apps;
    if (registry?.ready && typeof registry.getAppConfigs === 'function') return [...registry.getAppConfigs()].map((c) => c.path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
  // Registry not populated: a dotted app name maps to its folder under the project root (or the package).
  const out: string[] = [];
  for (const entry of settings.INSTALLED_APPS) {
    if (typeof entry !== 'string') continue;
    const parts = entry.split('.');
    const base = parts[0] === 'tsgi' ? path.resolve(import.meta.dirname, '..', ...parts.slice(1)) : path.join(getProjectRoot(), ...parts);
    out.push(base);
  }
  return out;
}

/** The existing `<app>/<name>/` folders, in app order. */
export function appSubdirectories(name: string): string[] {
  return appPaths().map((p) => path.join(p, name)).filter(isDir);
}
