/**
 * Static files storages, as Django's `django.contrib.staticfiles.storage`: `StaticFilesStorage`
 * writes to STATIC_ROOT and builds URLs under STATIC_URL; `ManifestStaticFilesStorage` also writes
 * a content-hashed copy of each file (`css/site.3f2a9c1b0d4e.css`), rewrites `url(...)` and
 * `@import` in CSS to the hashed names, and records the mapping in `staticfiles.json`, so that
 * `static('css/site.css')` returns the hashed URL and the file can be cached forever.
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { settings } from '../conf/index.ts';
import { settingChanged } from '../conf/signals.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { FileSystemStorage } from '../core/files/storage.ts';
import { addScriptPrefix } from '../urls/base.ts';
import { importString } from '../utils/module-loading.ts';

/** Thrown by `url()` of a strict manifest storage for a name collectstatic never saw. */
export class MissingManifestEntry extends Error {
  override name = 'MissingManifestEntry';
}

function staticRoot(): string {
  const root = settings.STATIC_ROOT;
  if (!root) {
    throw new ImproperlyConfigured(
      "You're using the staticfiles app without having set the STATIC_ROOT setting to a filesystem path. Set STATIC_ROOT to the folder collectstatic fills, as path.join(BASE_DIR, 'staticfiles').",
    );
  }
  return path.resolve(root);
}

function staticUrlSetting(): string {
  const url = settings.STATIC_URL;
  if (url === null || url === undefined || url === '') {
    throw new ImproperlyConfigured(
      "You're using the staticfiles app without having set the required STATIC_URL setting. Set STATIC_URL, as '/static/'.",
    );
  }
  return url.endsWith('/') ? url : url + '/';
}

/** The storage of collected static files: STATIC_ROOT, STATIC_URL. */
export class StaticFilesStorage extends FileSystemStorage {
  constructor(options: { location?: string; baseUrl?: string } = {}) {
    super({ ...options, filePermissionsMode: null, directoryPermissionsMode: null });
    this.#loc = options.location;
    this.#base = options.baseUrl;
  }
  readonly #loc: string | undefined;
  readonly #base: string | undefined;

  override get location(): string {
    return this.#loc !== undefined ? path.resolve(this.#loc) : staticRoot();
  }

  override get baseUrl(): string {
    const base = this.#base ?? staticUrlSetting();
    return addScriptPrefix(base.endsWith('/') ? base : base + '/');
  }

  /** Names of immutable (content-hashed) files, when the storage knows them. */
  isImmutable(_urlPath: string): boolean | undefined {
    return undefined;
  }
}

/** What post-processing reports for each file: original name, hashed name, and whether it was written. */
export interface PostProcessed {
  name: string;
  hashedName: string;
  processed: boolean;
  warning?: string;
}

const MANIFEST_NAME = 'staticfiles.json';
const MANIFEST_VERSION = '1.1';
const MAX_PASSES = 5;

/** `url(...)` (any quoting) and `@import "..."` without url(). */
const CSS_URL = /url\(\s*(['"]?)\s*([^'")]*?)\s*\1\s*\)|@import\s*(['"])([^'"]+)\3/g;

/** The storage that writes hashed copies and a manifest; the recommended one in production. */
export class ManifestStaticFilesStorage extends StaticFilesStorage {
  /** Throw for names missing from the manifest (otherwise return the plain URL). */
  manifestStrict = true;
  #hashed: Map<string, string> | undefined;
  #hashedValues: Set<string> | undefined;

  /** The hashed name of every original, as in staticfiles.json (loaded lazily). */
  get hashedFiles(): Map<string, string> {
    if (this.#hashed === undefined) this.#hashed = this.loadManifest();
    return this.#hashed;
  }

  /** Where the manifest is: staticfiles.json in the storage's location (STATIC_ROOT). */
  get manifestPath(): string {
    return path.join(this.location, MANIFEST_NAME);
  }

  loadManifest(): Map<string, string> {
    const file = this.manifestPath;
    if (!existsSync(file)) return new Map();
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ImproperlyConfigured(
        `Couldn't load the manifest ${file}: ${(error as Error).message}. Run collectstatic again to rewrite it.`,
      );
    }
    const paths = (data as { paths?: Record<string, string>; version?: string }).paths;
    if ((data as { version?: string }).version !== MANIFEST_VERSION || paths === null || typeof paths !== 'object') {
      throw new ImproperlyConfigured(
        `Couldn't load the manifest ${file}: version ${JSON.stringify((data as { version?: string }).version)} is not supported. Run collectstatic again to rewrite it.`,
      );
    }
    return new Map(Object.entries(paths));
  }

  /** Forget the loaded manifest (after collectstatic). */
  reload(): void {
    this.#hashed = undefined;
    this.#hashedValues = undefined;
  }

  override isImmutable(urlPath: string): boolean {
    this.#hashedValues ??= new Set(this.hashedFiles.values());
    return this.#hashedValues.has(urlPath);
  }

  /** `name` with its content hash: `css/site.css` → `css/site.3f2a9c1b0d4e.css`. */
  hashedNameFor(name: string, content: Uint8Array): string {
    const digest = createHash('md5').update(content).digest('hex').slice(0, 12);
    const ext = path.posix.extname(name);
    return `${name.slice(0, name.length - ext.length)}.${digest}${ext}`;
  }

  /** The URL of `name`: hashed unless DEBUG, as Django. */
  override url(name: string): string {
    const clean = name.replace(/^\/+/, '');
    if (settings.DEBUG) return super.url(clean);
    const [bare, suffix] = splitSuffix(clean);
    const hashed = this.hashedFiles.get(bare);
    if (hashed === undefined) {
      if (this.manifestStrict) {
        throw new MissingManifestEntry(
          `Missing staticfiles manifest entry for '${bare}'. Run collectstatic, and check that the file exists in a static folder.`,
        );
      }
      return super.url(clean);
    }
    return super.url(hashed) + suffix;
  }

  /**
   * Writes the hashed copies of `names` (already collected into this storage) and the manifest.
   * CSS is rewritten in passes until references settle, since a stylesheet's hash depends on the
   * hashed names it points to.
   */
  async postProcess(names: readonly string[], options: { dryRun?: boolean } = {}): Promise<PostProcessed[]> {
    const results = new Map<string, PostProcessed>();
    if (options.dryRun) return [];
    const hashed = new Map<string, string>();
    const all = new Set(names.map((n) => n.split(path.sep).join('/')));
    const isCss = (n: string): boolean => n.toLowerCase().endsWith('.css');
    for (const name of all) {
      if (isCss(name)) continue;
      const content = await readFile(this.path(name));
      const hashedName = this.hashedNameFor(name, content);
      await this.#writeIfMissing(hashedName, content);
      hashed.set(name, hashedName);
      results.set(name, { name, hashedName, processed: true });
    }
    const css = [...all].filter(isCss);
    const sources = new Map<string, string>();
    for (const name of css) sources.set(name, await readFile(this.path(name), 'utf8'));
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      let changed = false;
      for (const name of css) {
        const warnings: string[] = [];
        const rewritten = this.rewriteCss(name, sources.get(name) as string, hashed, all, warnings);
        const hashedName = this.hashedNameFor(name, Buffer.from(rewritten));
        if (hashed.get(name) !== hashedName) {
          changed = true;
          hashed.set(name, hashedName);
        }
        results.set(name, {
          name,
          hashedName,
          processed: true,
          ...(warnings.length ? { warning: warnings.join(' ') } : {}),
        });
      }
      if (!changed) break;
    }
    for (const name of css) {
      const rewritten = this.rewriteCss(name, sources.get(name) as string, hashed, all, []);
      await this.#writeIfMissing(hashed.get(name) as string, Buffer.from(rewritten));
    }
    await this.saveManifest(hashed);
    return [...results.values()];
  }

  /** Rewrites each `url()` / `@import` of a collected file to its hashed name, keeping it relative. */
  rewriteCss(
    name: string,
    source: string,
    hashed: ReadonlyMap<string, string>,
    known: ReadonlySet<string>,
    warnings: string[],
  ): string {
    const dir = path.posix.dirname(name);
    let staticPrefix: string | undefined;
    try {
      staticPrefix = this.baseUrl;
    } catch {
      staticPrefix = undefined;
    }
    return source.replace(
      CSS_URL,
      (match: string, _q1: string, urlRef: string | undefined, _q2: string, importRef: string | undefined) => {
        const ref = (urlRef ?? importRef ?? '').trim();
        if (ref === '' || /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(ref)) return match; // data:, http:, //cdn, #fragment
        const [bare, suffix] = splitSuffix(ref);
        let target: string;
        let absolute = false;
        if (bare.startsWith('/')) {
          if (!staticPrefix || !bare.startsWith(staticPrefix)) return match;
          target = bare.slice(staticPrefix.length);
          absolute = true;
        } else {
          target = path.posix.normalize(path.posix.join(dir === '.' ? '' : dir, bare));
        }
        const hashedTarget = hashed.get(target);
        if (hashedTarget === undefined) {
          if (!known.has(target))
            warnings.push(
              `${name} refers to '${ref}', which is not a collected static file; the reference was left unchanged.`,
            );
          return match;
        }
        const replacement = absolute
          ? staticPrefix + hashedTarget
          : bare.slice(0, bare.length - path.posix.basename(bare).length) + path.posix.basename(hashedTarget);
        return match.replace(ref, replacement + suffix);
      },
    );
  }

  async saveManifest(hashed: ReadonlyMap<string, string>): Promise<void> {
    const file = path.join(this.location, MANIFEST_NAME);
    const sorted = Object.fromEntries([...hashed.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const hash = createHash('md5').update(JSON.stringify(sorted)).digest('hex').slice(0, 12);
    const body = JSON.stringify({ paths: sorted, version: MANIFEST_VERSION, hash }, null, 1);
    await mkdir(this.location, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, file); // readers never see half a manifest
    this.#hashed = new Map(Object.entries(sorted));
    this.#hashedValues = undefined;
  }

  async #writeIfMissing(name: string, content: Uint8Array): Promise<void> {
    const full = this.path(name);
    if (existsSync(full)) return; // same name, same content: the name is the hash
    await mkdir(path.dirname(full), { recursive: true });
    const tmp = `${full}.${process.pid}.tmp`;
    await writeFile(tmp, content);
    await rename(tmp, full);
  }
}

/** `'a.css?v=1#x'` → `['a.css', '?v=1#x']`. */
function splitSuffix(ref: string): [string, string] {
  const i = ref.search(/[?#]/);
  return i === -1 ? [ref, ''] : [ref.slice(0, i), ref.slice(i)];
}

let current: StaticFilesStorage | undefined;

/** The configured staticfiles storage: `STORAGES.staticfiles.BACKEND`, default `StaticFilesStorage`. */
export function staticfilesStorage(): StaticFilesStorage {
  if (current) return current;
  const storages = (
    settings as unknown as { STORAGES?: Record<string, { BACKEND?: unknown; OPTIONS?: Record<string, unknown> }> }
  ).STORAGES;
  const backend = storages?.['staticfiles']?.BACKEND;
  let cls: unknown = StaticFilesStorage;
  if (backend === 'tsgi.staticfiles.storage.ManifestStaticFilesStorage') cls = ManifestStaticFilesStorage;
  else if (backend === 'tsgi.staticfiles.storage.StaticFilesStorage' || backend === undefined) cls = StaticFilesStorage;
  else cls = typeof backend === 'string' ? importString(backend) : backend;
  if (typeof cls !== 'function') {
    throw new ImproperlyConfigured(
      `STORAGES.staticfiles.BACKEND ${JSON.stringify(String(backend))} is not a class. Name a storage class, as 'tsgi.staticfiles.storage.ManifestStaticFilesStorage'.`,
    );
  }
  current = new (cls as new (o: Record<string, unknown>) => StaticFilesStorage)(
    storages?.['staticfiles']?.OPTIONS ?? {},
  );
  return current;
}

settingChanged.connect((event) => {
  if (['STORAGES', 'STATIC_ROOT', 'STATIC_URL'].includes(event.setting)) current = undefined;
});

/**
 * The URL of a static file: hashed when the manifest storage is configured (and DEBUG is off).
 * The template tag `{% static 'css/site.css' %}` calls it.
 *
 * @example
 * staticUrl('css/site.css'); // '/static/css/site.3f2a9c1b0d4e.css'
 */
export function staticUrl(name: string): string {
  return staticfilesStorage().url(name);
}
