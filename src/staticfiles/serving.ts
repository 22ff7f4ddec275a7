/**
 * The static files a running application serves, configured from settings: STATIC_ROOT under
 * the path of STATIC_URL, plus (in DEBUG, or with STATICFILES_USE_FINDERS) the finders' source
 * folders so no collectstatic is needed while developing. In DEBUG files are looked up per request
 * (edits show at once); otherwise the index is built once, at start-up.
 */
import type { FileSource } from '../gateway/types.ts';
import { settings } from '../conf/index.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { StaticFileIndex, isSafeUrlPath, type StaticEntry } from './files-index.ts';
import { planStaticResponse, type HeaderGetter, type StaticPlan } from './responder.ts';
import { find, getFinders } from './finders.ts';
import { ManifestStaticFilesStorage, staticfilesStorage } from './storage.ts';

/** Options of the static files middleware and handler; all default from settings. */
export interface StaticServingOptions {
  /** URL path prefix (default: the path of STATIC_URL). */
  prefix?: string;
  /** Folder of collected files (default STATIC_ROOT). */
  root?: string | null;
  /** Also serve from the finders (default DEBUG, or the STATICFILES_USE_FINDERS setting). */
  useFinders?: boolean;
  /** Look up per request instead of indexing once (default DEBUG). */
  autorefresh?: boolean;
  /** max-age of files without a content hash, seconds (default 60, 0 in DEBUG; setting STATICFILES_MAX_AGE). */
  maxAge?: number;
  /** Files up to this many bytes are sent from memory after their first request (default 64 KiB, 0: never; never with autorefresh). */
  memoryFileMax?: number;
}

/** The static files of one application, with the answer to a request for one of them. */
export class StaticServing {
  /** Path prefix with leading and trailing `/`, e.g. `/static/`. */
  readonly prefix: string;
  readonly files: StaticFileIndex;
  readonly maxAge: number;

  constructor(options: StaticServingOptions = {}) {
    const extra = settings as unknown as { STATICFILES_USE_FINDERS?: boolean; STATICFILES_MAX_AGE?: number };
    this.prefix = normalisePrefix(options.prefix ?? urlPath(settings.STATIC_URL));
    const debug = Boolean(settings.DEBUG);
    const useFinders = options.useFinders ?? extra.STATICFILES_USE_FINDERS ?? debug;
    const autorefresh = options.autorefresh ?? debug;
    this.maxAge = options.maxAge ?? extra.STATICFILES_MAX_AGE ?? (debug ? 0 : 60);
    const root = options.root !== undefined ? options.root : settings.STATIC_ROOT;
    let isImmutable: ((p: string) => boolean) | undefined;
    try {
      const storage = staticfilesStorage();
      if (storage instanceof ManifestStaticFilesStorage) isImmutable = (p) => storage.isImmutable(p);
    } catch {
      /* no storage configured: fall back to recognising hashed names */
    }
    this.files = new StaticFileIndex({
      roots: root ? [root] : [],
      autorefresh,
      ...(options.memoryFileMax !== undefined ? { memoryFileMax: options.memoryFileMax } : {}),
      ...(isImmutable ? { isImmutable } : {}),
      ...(useFinders
        ? {
            files: () => getFinders().flatMap((f) => [...f.list([])]),
            find: (p: string) => find(p)[0],
          }
        : {}),
    });
  }

  /** The entry for a request path (PATH_INFO), or undefined when it is not a static file we have. */
  match(pathInfo: string): StaticEntry | undefined {
    if (!pathInfo.startsWith(this.prefix)) return undefined;
    const rel = pathInfo.slice(this.prefix.length);
    if (!isSafeUrlPath(rel)) return undefined;
    return this.files.get(rel);
  }

  plan(entry: StaticEntry, method: string, header: HeaderGetter): StaticPlan {
    return planStaticResponse(entry, method, header, { maxAge: this.maxAge });
  }

  /**
   * The bytes a plan sends, when its file is small enough to be held in memory: the part asked
   * for, or a promise of it on the first request for the file; undefined means "send the file".
   */
  bytes(plan: StaticPlan): Uint8Array | Promise<Uint8Array | undefined> | undefined {
    const { variant, file } = plan;
    if (variant === undefined || file === undefined) return undefined;
    const known = this.files.body(variant);
    if (known !== undefined) return part(known, file);
    return this.files.loadBody(variant)?.then((bytes) => (bytes === undefined ? undefined : part(bytes, file)));
  }
}

/** The bytes of `file` (offset, length) within the whole file's bytes; no copy. */
function part(bytes: Uint8Array, file: FileSource): Uint8Array {
  const offset = file.offset ?? 0;
  const length = file.length ?? bytes.byteLength - offset;
  return offset === 0 && length === bytes.byteLength ? bytes : bytes.subarray(offset, offset + length);
}

const META_KEYS = new Map<string, string>();

/**
 * A request header by lower-case name from a WSGI environ or `request.META`
 * (`if-none-match` → `HTTP_IF_NONE_MATCH`); the keys are computed once per name.
 */
export function metaHeader(meta: Record<string, unknown>, lowerName: string): string | undefined {
  let key = META_KEYS.get(lowerName);
  if (key === undefined) META_KEYS.set(lowerName, (key = `HTTP_${lowerName.toUpperCase().replace(/-/g, '_')}`));
  return meta[key] as string | undefined;
}

function urlPath(staticUrl: string | null): string {
  if (!staticUrl) {
    throw new ImproperlyConfigured("Serving static files needs the STATIC_URL setting. Set STATIC_URL, as '/static/'.");
  }
  // A full URL (a CDN) still has a path: requests that reach us under it are ours.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(staticUrl) || staticUrl.startsWith('//'))
    return new URL(staticUrl, 'http://x').pathname;
  return staticUrl;
}

function normalisePrefix(prefix: string): string {
  let p = prefix.startsWith('/') ? prefix : '/' + prefix;
  if (!p.endsWith('/')) p += '/';
  if (p === '/')
    throw new ImproperlyConfigured(
      'STATIC_URL must not be "/": static files need a prefix of their own, as "/static/".',
    );
  return p;
}
