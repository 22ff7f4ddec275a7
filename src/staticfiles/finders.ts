/**
 * Static file finders, as Django's `django.contrib.staticfiles.finders`: where the source static
 * files live before collectstatic gathers them. `FileSystemFinder` searches STATICFILES_DIRS
 * (an entry may be `[prefix, dir]`), `AppDirectoriesFinder` each installed app's `static/`.
 * The first finder (and folder) that has a path wins.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { settings } from '../conf/index.ts';
import { settingChanged } from '../conf/signals.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { isFile } from '../utils/fs.ts';
import { importString } from '../utils/module-loading.ts';
import { appSubdirectories } from '../apps/app-dirs.ts';
import { isSafeUrlPath } from './files-index.ts';

/** A found file: its relative (URL) path and absolute source path. */
export interface FoundFile {
  readonly path: string;
  readonly source: string;
}

/** The interface a finder meets. */
export interface BaseFinder {
  /** The absolute path of `relPath` in this finder's folders (all matches with `all`). */
  find(relPath: string, options?: { all?: boolean }): string[];
  /** Every file it has, minus those matching `ignorePatterns` (shell-style, on each path segment). */
  list(ignorePatterns?: readonly string[]): Iterable<FoundFile>;
}

/** Django's default ignore patterns for collectstatic. */
export const DEFAULT_IGNORE_PATTERNS: readonly string[] = ['CVS', '.*', '*~'];

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function isIgnored(relPath: string, patterns: readonly RegExp[]): boolean {
  return (
    relPath.split('/').some((segment) => patterns.some((re) => re.test(segment))) ||
    patterns.some((re) => re.test(relPath))
  );
}

/** Files under `root` with their path relative to it; symlinks that leave `root` are skipped. */
function* walkFiles(root: string, dir: string, rel: string, depth = 0): Generator<[string, string]> {
  if (depth > 64) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    let kind: 'dir' | 'file' | undefined = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : undefined;
    if (entry.isSymbolicLink()) {
      try {
        const real = realpathSync(full);
        const r = path.relative(root, real);
        if (r.startsWith('..') || path.isAbsolute(r)) continue;
        const st = statSync(real);
        kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
      } catch {
        continue;
      }
    }
    if (kind === 'dir') yield* walkFiles(root, full, childRel, depth + 1);
    else if (kind === 'file') yield [childRel, full];
  }
}

/** A set of `[prefix, folder]` locations searched in order. */
class LocationsFinder implements BaseFinder {
  protected readonly locations: Array<{ prefix: string; root: string }>;

  constructor(locations: Array<{ prefix: string; root: string }>) {
    this.locations = locations;
  }

  find(relPath: string, options: { all?: boolean } = {}): string[] {
    const found: string[] = [];
    const clean = relPath.replace(/^\/+/, '');
    if (!isSafeUrlPath(clean)) return found;
    for (const { prefix, root } of this.locations) {
      let rest = clean;
      if (prefix) {
        if (!clean.startsWith(prefix + '/')) continue;
        rest = clean.slice(prefix.length + 1);
      }
      const candidate = path.join(root, rest);
      if (!isFile(candidate)) continue;
      try {
        const r = path.relative(realpathSync(root), realpathSync(candidate));
        if (r.startsWith('..') || path.isAbsolute(r)) continue;
      } catch {
        continue;
      }
      found.push(candidate);
      if (!options.all) break;
    }
    return found;
  }

  *list(ignorePatterns: readonly string[] = DEFAULT_IGNORE_PATTERNS): Iterable<FoundFile> {
    const patterns = ignorePatterns.map(globToRegExp);
    for (const { prefix, root } of this.locations) {
      let real: string;
      try {
        real = realpathSync(root);
      } catch {
        continue;
      }
      for (const [rel, full] of walkFiles(real, real, '')) {
        if (isIgnored(rel, patterns)) continue;
        yield { path: prefix ? `${prefix}/${rel}` : rel, source: full };
      }
    }
  }
}

/** Searches STATICFILES_DIRS. */
export class FileSystemFinder extends LocationsFinder {
  constructor(dirs: ReadonlyArray<string | readonly [string, string]> = settings.STATICFILES_DIRS) {
    if (!Array.isArray(dirs)) {
      throw new ImproperlyConfigured(
        'The STATICFILES_DIRS setting is not a list. Write it as a list of folders, as [path.join(BASE_DIR, "static")].',
      );
    }
    const root = settings.STATIC_ROOT ? path.resolve(settings.STATIC_ROOT) : undefined;
    super(
      dirs.map((entry) => {
        const [prefix, dir] = typeof entry === 'string' ? ['', entry] : entry;
        const abs = path.resolve(dir);
        if (root !== undefined && abs === root) {
          throw new ImproperlyConfigured(
            `The STATICFILES_DIRS setting should not contain the STATIC_ROOT setting (${abs}): collectstatic would copy the folder onto itself. Keep source files in another folder.`,
          );
        }
        if (prefix.endsWith('/')) {
          throw new ImproperlyConfigured(
            `The prefix ${JSON.stringify(prefix)} in the STATICFILES_DIRS setting must not end with a slash.`,
          );
        }
        return { prefix, root: abs };
      }),
    );
  }
}

/** Searches the `static/` folder of each installed app. */
export class AppDirectoriesFinder extends LocationsFinder {
  constructor() {
    super(appSubdirectories('static').map((root) => ({ prefix: '', root })));
  }
}

let cached: BaseFinder[] | undefined;

/** The finders of STATICFILES_FINDERS (default: file system, then app directories). */
export function getFinders(): BaseFinder[] {
  if (cached) return cached;
  const configured = (settings as unknown as { STATICFILES_FINDERS?: Array<string | (new () => BaseFinder)> })
    .STATICFILES_FINDERS;
  const entries = configured ?? [
    'tsgi.staticfiles.finders.FileSystemFinder',
    'tsgi.staticfiles.finders.AppDirectoriesFinder',
  ];
  cached = entries.map((entry) => {
    let cls: unknown = entry;
    if (entry === 'tsgi.staticfiles.finders.FileSystemFinder') cls = FileSystemFinder;
    else if (entry === 'tsgi.staticfiles.finders.AppDirectoriesFinder') cls = AppDirectoriesFinder;
    else if (typeof entry === 'string') cls = importString(entry);
    if (typeof cls !== 'function') {
      throw new ImproperlyConfigured(
        `The staticfiles finder ${JSON.stringify(String(entry))} is not a class. List finder classes in STATICFILES_FINDERS.`,
      );
    }
    return new (cls as new () => BaseFinder)();
  });
  return cached;
}

/** Forget the finders (settings changed). */
export function resetFinders(): void {
  cached = undefined;
}

settingChanged.connect((event) => {
  if (['STATICFILES_DIRS', 'STATICFILES_FINDERS', 'INSTALLED_APPS', 'STATIC_ROOT'].includes(event.setting))
    cached = undefined;
});

/**
 * The absolute path of a static file in the source folders, as Django's `finders.find()`.
 *
 * @example
 * find('css/site.css');          // '/srv/app/static/css/site.css'
 * find('css/site.css', { all: true }); // every match, first wins when collecting
 */
export function find(relPath: string, options: { all?: boolean } = {}): string[] {
  const found: string[] = [];
  for (const finder of getFinders()) {
    const result = finder.find(relPath, options);
    found.push(...result);
    if (!options.all && found.length > 0) return found.slice(0, 1);
  }
  return found;
}
