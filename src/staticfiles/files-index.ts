/**
 * The static files a server may send, and nothing else. At start-up every file under the roots is
 * indexed by its URL path (symlinks followed only when their target stays inside the root), so a
 * request is answered by one Map lookup: a `..`, an encoded `..`, a backslash or a NUL byte can't
 * name an indexed file, so traversal is impossible by construction rather than by filtering.
 * With `autorefresh` (DEBUG), files are looked up per request instead, through the same checks.
 */
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentTypeFor } from './media-types.ts';

/** A file that can be sent: its path, size and validators, computed once. */
export interface FileVariant {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** Strong validator: size and modification time, quoted (RFC 9110 §8.8.3). */
  readonly etag: string;
  /** IMF-fixdate of the modification time (RFC 9110 §5.6.7). */
  readonly lastModified: string;
}

/** An indexed static file with its precompressed siblings (`.br`, `.gz`) when present. */
export interface StaticEntry {
  readonly urlPath: string;
  readonly contentType: string;
  /** Named with a content hash: cache forever. */
  readonly immutable: boolean;
  readonly identity: FileVariant;
  readonly br: FileVariant | undefined;
  readonly gzip: FileVariant | undefined;
}

export interface StaticFilesOptions {
  /** Directories served, first match wins; `[prefix, dir]` serves `dir` under `prefix/`. */
  roots: ReadonlyArray<string | readonly [string, string]>;
  /** Look files up on each request (development) instead of indexing once. */
  autorefresh?: boolean;
  /** Decides which URL paths are content-hashed; default: a 12-hex-digit hash before the extension. */
  isImmutable?: (urlPath: string) => boolean;
  /** More files (the finders' sources in DEBUG), indexed after the roots, which win. */
  files?: () => Iterable<{ readonly path: string; readonly source: string }>;
  /** In autorefresh mode, where to look when the roots miss (the finders); gets safe paths only. */
  find?: (urlPath: string) => string | undefined;
  /**
   * Files up to this many bytes are kept in memory after their first request (default 64 KiB; 0
   * turns it off). Never in autorefresh mode.
   */
  memoryFileMax?: number;
  /** At most this many bytes of files in memory in all (default 32 MiB). */
  memoryTotalMax?: number;
}

/** Defaults of {@link StaticFilesOptions.memoryFileMax} and {@link StaticFilesOptions.memoryTotalMax}. */
export const MEMORY_FILE_MAX = 64 * 1024;
export const MEMORY_TOTAL_MAX = 32 * 1024 * 1024;

const HASHED = /\.[0-9a-f]{12}\.[^/.]+$/;

function variant(file: string, st: Stats): FileVariant {
  const mtimeMs = Math.floor(st.mtimeMs / 1000) * 1000;
  return {
    path: file,
    size: st.size,
    mtimeMs,
    etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
    lastModified: new Date(mtimeMs).toUTCString(),
  };
}

function statFile(file: string): Stats | undefined {
  try {
    const st = statSync(file);
    return st.isFile() ? st : undefined;
  } catch {
    return undefined;
  }
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** A URL path is only ever looked up if every segment is a plain name. */
export function isSafeUrlPath(urlPath: string): boolean {
  if (urlPath === '' || urlPath.includes('\0') || urlPath.includes('\\') || urlPath.includes('%')) return false;
  for (const segment of urlPath.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return false;
  }
  return true;
}

interface Root {
  prefix: string;
  dir: string;
  real: string;
}

/**
 * The set of static files under some roots, looked up by URL path (without the STATIC_URL prefix).
 *
 * @example
 * const files = new StaticFileIndex({ roots: ['/srv/app/staticfiles'] });
 * files.get('css/site.3f2a9c1b0d4e.css'); // StaticEntry | undefined
 */
export class StaticFileIndex {
  readonly #roots: Root[];
  readonly #autorefresh: boolean;
  readonly #isImmutable: (urlPath: string) => boolean;
  readonly #files: StaticFilesOptions['files'];
  readonly #find: StaticFilesOptions['find'];
  #index = new Map<string, StaticEntry>();
  readonly #memoryFileMax: number;
  readonly #memoryTotalMax: number;
  // The bytes of small files, by variant (a refresh makes new variants, so old bytes are dropped
  // with the old index). Opening, reading and closing a 2 KB stylesheet on every request cost
  // more than the rest of the response: three round trips through libuv's thread pool.
  #bodies = new WeakMap<FileVariant, Uint8Array>();
  #loading = new Map<FileVariant, Promise<Uint8Array | undefined>>();
  #bodyBytes = 0;

  constructor(options: StaticFilesOptions) {
    this.#roots = [];
    for (const r of options.roots) {
      const [prefix, dir] = typeof r === 'string' ? ['', r] : r;
      const abs = path.resolve(dir);
      let real: string;
      try {
        real = realpathSync(abs);
      } catch {
        continue; // a missing root serves nothing (collectstatic not run yet)
      }
      this.#roots.push({ prefix: prefix.replace(/^\/+|\/+$/g, ''), dir: abs, real });
    }
    this.#autorefresh = options.autorefresh ?? false;
    this.#isImmutable = options.isImmutable ?? ((p) => HASHED.test(p));
    this.#files = options.files;
    this.#find = options.find;
    this.#memoryFileMax = this.#autorefresh ? 0 : (options.memoryFileMax ?? MEMORY_FILE_MAX);
    this.#memoryTotalMax = options.memoryTotalMax ?? MEMORY_TOTAL_MAX;
    if (!this.#autorefresh) this.refresh();
  }

  /** Number of indexed files (0 in autorefresh mode). */
  get size(): number {
    return this.#index.size;
  }

  /** Re-reads the roots (after collectstatic, say). */
  refresh(): void {
    const index = new Map<string, StaticEntry>();
    if (this.#files) {
      for (const file of this.#files()) {
        if (index.has(file.path)) continue; // the first finder wins, as collectstatic
        const entry = this.#entryFor(file.path, file.source);
        if (entry) index.set(file.path, entry);
      }
    }
    // Later roots must not shadow earlier ones: walk in reverse, overwrite.
    for (const root of [...this.#roots].reverse()) {
      for (const rel of walk(root.real, root.real, 0)) {
        const urlPath = root.prefix ? `${root.prefix}/${rel}` : rel;
        const entry = this.#entryFor(urlPath, path.join(root.real, rel));
        if (entry) index.set(urlPath, entry);
      }
    }
    this.#index = index;
    this.#bodies = new WeakMap();
    this.#loading = new Map();
    this.#bodyBytes = 0;
  }

  /** The bytes of `variant` when they are in memory; undefined otherwise (see {@link loadBody}). */
  body(variant: FileVariant): Uint8Array | undefined {
    return this.#bodies.get(variant);
  }

  /**
   * Reads a small file into memory, once; undefined when it is too large, over the budget, or no
   * longer the file that was indexed (then it is sent from disk, as before).
   */
  loadBody(variant: FileVariant): Promise<Uint8Array | undefined> | undefined {
    const known = this.#bodies.get(variant);
    if (known !== undefined) return Promise.resolve(known);
    if (variant.size > this.#memoryFileMax || this.#bodyBytes + variant.size > this.#memoryTotalMax) return undefined;
    let pending = this.#loading.get(variant);
    if (pending === undefined) {
      const bodies = this.#bodies;
      const loading = this.#loading;
      pending = readFile(variant.path).then(
        (bytes) => {
          loading.delete(variant);
          // Changed since it was indexed: the headers (size, ETag) describe another file.
          if (bytes.byteLength !== variant.size || bodies !== this.#bodies) return undefined;
          if (this.#bodyBytes + bytes.byteLength > this.#memoryTotalMax) return undefined;
          this.#bodyBytes += bytes.byteLength;
          bodies.set(variant, bytes);
          return bytes;
        },
        () => {
          loading.delete(variant);
          return undefined;
        },
      );
      loading.set(variant, pending);
    }
    return pending;
  }

  /** The file for a URL path, or undefined (also for any unsafe path). */
  get(urlPath: string): StaticEntry | undefined {
    if (!this.#autorefresh) return this.#index.get(urlPath);
    if (!isSafeUrlPath(urlPath)) return undefined;
    for (const root of this.#roots) {
      let rel = urlPath;
      if (root.prefix) {
        if (!urlPath.startsWith(root.prefix + '/')) continue;
        rel = urlPath.slice(root.prefix.length + 1);
      }
      const candidate = path.join(root.dir, rel);
      let real: string;
      try {
        real = realpathSync(candidate);
      } catch {
        continue;
      }
      if (!isInside(root.real, real)) continue; // a symlink pointing out of the root
      const entry = this.#entryFor(urlPath, real);
      if (entry) return entry;
    }
    const found = this.#find?.(urlPath);
    return found === undefined ? undefined : this.#entryFor(urlPath, found);
  }

  #entryFor(urlPath: string, file: string): StaticEntry | undefined {
    const st = statFile(file);
    if (!st) return undefined;
    const br = statFile(file + '.br');
    const gz = statFile(file + '.gz');
    return {
      urlPath,
      contentType: contentTypeFor(urlPath),
      immutable: this.#isImmutable(urlPath),
      identity: variant(file, st),
      br: br ? variant(file + '.br', br) : undefined,
      gzip: gz ? variant(file + '.gz', gz) : undefined,
    };
  }
}

/** Relative paths (with `/`) of the files under `dir`; symlinks kept only when they resolve inside `root`. */
function* walk(root: string, dir: string, depth: number): Generator<string> {
  if (depth > 64) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.name.includes('\\')) continue; // never addressable safely by URL
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      let real: string;
      try {
        real = realpathSync(full);
      } catch {
        continue;
      }
      if (!isInside(root, real)) continue;
      const st = statSync(real);
      if (!st.isDirectory() && !st.isFile()) continue;
      isDirectory = st.isDirectory();
    } else if (!isDirectory && !entry.isFile()) {
      continue;
    }
    if (isDirectory) {
      for (const rel of walk(root, full, depth + 1)) yield `${entry.name}/${rel}`;
    } else {
      yield entry.name;
    }
  }
}
