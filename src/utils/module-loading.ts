/**
 * Loading a module or an attribute by its dotted name (`markup.settings`,
 * `tsgi.middleware.security.SecurityMiddleware`), as Django's `import_module` / `import_string`.
 *
 * Loading is synchronous on purpose: settings, middleware and URLconfs are named by strings and
 * read from synchronous code paths. Node >= 22.12 can `require()` an ES module, and with type
 * stripping a `.ts` one, so `module.createRequire` gives us a synchronous `import`. The only
 * modules it cannot load are those with top-level `await`; the error says so.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dirent } from 'node:fs';
import { isDirectory, isFile } from './fs.ts';
import type * as Suggest from './suggest.ts';
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { readdirSync } = process.getBuiltinModule('node:fs');

/** The package's own `src/` folder: `tsgi.x.y` names resolve inside it. */
const PACKAGE_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];
const SEGMENT = /^[A-Za-z_$][\w$-]*$/;

const requireModule = createRequire(import.meta.url);

/**
 * The extension of tsgi's own modules: `.ts` from the sources, `.js` from the compiled build
 * (dist/). For the framework's lazy `require()`s and computed imports, which tsc does not rewrite.
 * @example require(`../../urls/index${OWN_EXTENSION}`)
 */
export const OWN_EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const OWN_FIRST = [OWN_EXTENSION, ...EXTENSIONS.filter((ext) => ext !== OWN_EXTENSION)];

/**
 * One of the framework's modules, loaded (synchronously) on the first call and then kept: for a
 * module only some requests or commands need, so that start-up does not load it
 * (docs/performance.md, Framework, start-up). `specifier` is relative to `importerUrl` and has no
 * extension; use `import type` for its types.
 *
 * @example
 * const signing = lazyModule<typeof Signing>(import.meta.url, '../core/signing');
 * signing().getCookieSigner(name);
 */
export function lazyModule<T>(importerUrl: string, specifier: string): () => T {
  let module: T | undefined;
  return () => (module ??= createRequire(importerUrl)(specifier + OWN_EXTENSION) as T);
}

// The "did you mean" rule, for a name that cannot be found: a start-up that finds them all never loads it.
const suggest = lazyModule<typeof Suggest>(import.meta.url, './suggest');
let projectRoot: string | undefined;
const resolved = new Map<string, string>();

/** A module or an attribute named by a dotted path cannot be found or loaded. */
export class ImportError extends Error {
  override name = 'ImportError';
}

/** No file exists for the dotted module name; `triedPaths` lists where it was looked for. */
export class ModuleNotFoundError extends ImportError {
  override name = 'ModuleNotFoundError';
  readonly moduleName: string;
  readonly triedPaths: readonly string[];
  constructor(message: string, moduleName: string, triedPaths: readonly string[]) {
    super(message);
    this.moduleName = moduleName;
    this.triedPaths = triedPaths;
  }
}

/** The folder that dotted module names are resolved against; `process.cwd()` unless set. */
export function getProjectRoot(): string {
  return projectRoot ?? process.cwd();
}

/**
 * Sets the folder that dotted module names are resolved against (`markup.settings` →
 * `<dir>/markup/settings.ts`). Pass `undefined` to go back to `process.cwd()`.
 *
 * @example
 * setProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
 */
export function setProjectRoot(dir: string | undefined): void {
  projectRoot = dir === undefined ? undefined : path.resolve(dir);
  resolved.clear();
}

/** The files a dotted module name may live in, in the order they are tried. */
export function moduleCandidates(dotted: string): string[] {
  const parts = dotted.split('.');
  let base: string;
  let extensions = EXTENSIONS;
  if (parts[0] === 'tsgi' && parts.length > 1) {
    base = path.join(PACKAGE_SRC, ...parts.slice(1));
    // The framework's own extension first: from dist/, `tsgi.middleware.security` is a .js file.
    extensions = OWN_FIRST;
  } else {
    base = path.join(getProjectRoot(), ...parts);
  }
  return [...extensions.map((ext) => base + ext), ...extensions.map((ext) => path.join(base, 'index' + ext))];
}

function checkDottedName(dotted: unknown, what: string): asserts dotted is string {
  if (typeof dotted !== 'string' || !dotted.split('.').every((part) => SEGMENT.test(part))) {
    throw new ImportError(
      `${JSON.stringify(dotted)} is not a valid dotted ${what} name: write names separated by dots, ` +
        `as 'markup.settings' for markup/settings.ts under the project root.`,
    );
  }
}

/**
 * An installed package (node_modules, as Python's site-packages): `blog_app.apps` →
 * `blog_app/apps` resolved from the project root through the package's exports.
 */
function resolvePackage(dotted: string): string | undefined {
  try {
    const resolved = createRequire(path.join(getProjectRoot(), 'package.json')).resolve(dotted.split('.').join('/'));
    return path.isAbsolute(resolved) ? resolved : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file a dotted module name resolves to.
 * @throws ModuleNotFoundError naming every path tried.
 */
export function resolveModule(dotted: string): string {
  checkDottedName(dotted, 'module');
  const key = getProjectRoot() + '\0' + dotted;
  const cached = resolved.get(key);
  if (cached !== undefined) return cached;
  const candidates = moduleCandidates(dotted);
  const file = candidates.find(isFile) ?? (dotted.startsWith('tsgi.') ? undefined : resolvePackage(dotted));
  if (file === undefined) {
    const tsgi = dotted.startsWith('tsgi.');
    const where = tsgi ? `the tsgi package (${PACKAGE_SRC})` : `the project root ${getProjectRoot()}`;
    const orPackage = tsgi ? '' : ` and no installed package exports '${dotted.split('.').join('/')}'`;
    const suggestion = suggestModule(dotted);
    throw new ModuleNotFoundError(
      `No module named '${dotted}'${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}: ` +
        `none of these files exists under ${where}: ` +
        `${candidates.map((c) => path.relative(tsgi ? PACKAGE_SRC : getProjectRoot(), c)).join(', ')}${orPackage}. ` +
        `Check the spelling, or set the project root (setProjectRoot(), or run from the project's folder).`,
      dotted,
      candidates,
    );
  }
  resolved.set(key, file);
  return file;
}

/** The folders and (when `modules`) module files of `dir` by the name a dotted path gives them. */
function dottedEntries(dir: string, modules: boolean): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    if (entry.isDirectory()) names.push(entry.name);
    else if (modules && !/\.d\.[cm]?ts$/.test(entry.name)) {
      const ext = EXTENSIONS.find((e) => entry.name.endsWith(e));
      if (ext !== undefined) names.push(entry.name.slice(0, -ext.length));
    }
  }
  return names.filter((name) => SEGMENT.test(name));
}

/**
 * The existing module (or, with `folders`, folder) closest to a dotted name that does not
 * exist, for a "did you mean": each part is matched against the folders and module files where
 * it is looked for (`mysite.setings` → `mysite.settings`, `mysit.settings` → `mysite.settings`,
 * `tsgi.middleware.securty` → `tsgi.middleware.security`). Undefined when nothing is close.
 *
 * @example
 * suggestModule('blog.urlz'); // 'blog.urls'
 */
export function suggestModule(dotted: string, options: { folders?: boolean } = {}): string | undefined {
  const parts = dotted.split('.');
  const tsgi = parts[0] === 'tsgi' && parts.length > 1;
  let dir = tsgi ? PACKAGE_SRC : getProjectRoot();
  const fixed = tsgi ? ['tsgi'] : [];
  const rest = tsgi ? parts.slice(1) : parts;
  for (const [i, part] of rest.entries()) {
    const names = dottedEntries(dir, i === rest.length - 1);
    const name = names.includes(part) ? part : suggest().closestName(part, names);
    if (name === undefined) return undefined;
    fixed.push(name);
    dir = path.join(dir, name);
  }
  const found = fixed.join('.');
  if (found === dotted) return undefined;
  const folder = options.folders === true && isDirectory(dir);
  return folder || moduleCandidates(found).some(isFile) ? found : undefined;
}

/**
 * Loads a module by its dotted name, synchronously, and returns its exports. Modules are cached
 * by Node: loading twice returns the same object.
 *
 * @throws ModuleNotFoundError when no file matches; ImportError when the module throws while
 *   loading (the original error is the `cause`) or uses top-level await.
 * @example
 * const conf = importModule('markup.settings');
 * conf.DEBUG; // true
 */
export function importModule(dotted: string): Record<string, unknown> {
  const file = resolveModule(dotted);
  try {
    return requireModule(file) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_REQUIRE_ASYNC_MODULE') {
      throw new ImportError(
        `The module '${dotted}' (${file}) uses top-level await, so it cannot be loaded synchronously. ` +
          `Move the await into a function, for example an app's ready() hook.`,
        { cause: error },
      );
    }
    const detail =
      error instanceof Error ? `${error.name}: ${error.message}${syntaxErrorLocation(error)}` : String(error);
    throw new ImportError(`The module '${dotted}' (${file}) raised an error while loading: ${detail}`, {
      cause: error,
    });
  }
}

/**
 * Where a syntax error is, as " (at file:///app/views.ts:4)": Node names the file and line only in
 * the stack's first line, and the module that failed may be one the loaded module imports.
 */
function syntaxErrorLocation(error: Error): string {
  if (!(error instanceof SyntaxError)) return '';
  const first = error.stack?.split('\n', 1)[0] ?? '';
  return /^(file:\/\/|\/|[A-Za-z]:\\).*:\d+$/.test(first) ? ` (at ${first})` : '';
}

/**
 * Loads the attribute named by the last part of a dotted path from the module named by the rest.
 *
 * @throws ImportError when the path has no dot or the module lacks the attribute ("did you mean").
 * @example
 * const SecurityMiddleware = importString('tsgi.middleware.security.SecurityMiddleware');
 */
export function importString(dotted: string): unknown {
  checkDottedName(dotted, 'attribute');
  const dot = dotted.lastIndexOf('.');
  if (dot === -1) {
    throw new ImportError(
      `'${dotted}' doesn't look like a module path: name the module and the attribute, as 'markup.views.home'.`,
    );
  }
  const moduleName = dotted.slice(0, dot);
  const attribute = dotted.slice(dot + 1);
  const module = importModule(moduleName);
  if (!Object.prototype.hasOwnProperty.call(module, attribute) || module[attribute] === undefined) {
    const names = Object.keys(module).filter((n) => n !== 'default' && n !== '__esModule' && n !== 'module.exports');
    const hint = suggest().closestName(attribute, names);
    const available = names.length > 0 ? `It exports: ${names.join(', ')}.` : 'It exports nothing.';
    throw new ImportError(
      `Module '${moduleName}' does not define a '${attribute}' attribute. ` +
        (hint !== undefined ? `Did you mean '${moduleName}.${hint}'? ` : '') +
        available,
    );
  }
  return module[attribute];
}
