/**
 * File storage, as Django's `django.core.files.storage.FileSystemStorage`: where uploads (media)
 * and collected static files are written. Names are relative, safe and never overwrite: a name
 * that climbs out of the storage's folder is refused, and a taken name gets a random suffix.
 */
import { createWriteStream, constants as fsConstants } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, copyFile, rename } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { settings } from '../../conf/index.ts';
import { SuspiciousOperation } from '../exceptions.ts';
import { addScriptPrefix } from '../../urls/base.ts';

/** A file name tried to leave its storage (`..`, an absolute path, a NUL byte). */
export class SuspiciousFileOperation extends SuspiciousOperation {
  override name = 'SuspiciousFileOperation';
}

/** An upload from `request.FILES` (InMemoryUploadedFile or TemporaryUploadedFile). */
export interface UploadedFileLike {
  chunks(chunkSize?: number): Iterable<Uint8Array>;
  temporaryFilePath?(): string;
}

/**
 * What `save()` accepts: bytes, text, a stream of bytes, a file on disk (`{ path }`), or an
 * upload from `request.FILES` (a spooled one is copied from its temporary file).
 */
export type FileContent =
  Uint8Array | string | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | { readonly path: string } | UploadedFileLike;

export interface FileSystemStorageOptions {
  /** Folder (default MEDIA_ROOT). */
  location?: string;
  /** URL prefix (default MEDIA_URL). */
  baseUrl?: string;
  /** Mode of saved files (default FILE_UPLOAD_PERMISSIONS). */
  filePermissionsMode?: number | null;
  /** Mode of created folders (default FILE_UPLOAD_DIRECTORY_PERMISSIONS). */
  directoryPermissionsMode?: number | null;
}

/**
 * A storage on the local file system.
 *
 * @example
 * const storage = new FileSystemStorage();            // MEDIA_ROOT, MEDIA_URL
 * const name = await storage.save('avatars/me.png', upload);
 * storage.url(name);                                  // '/media/avatars/me.png'
 */
export class FileSystemStorage {
  readonly #options: FileSystemStorageOptions;

  constructor(options: FileSystemStorageOptions = {}) {
    this.#options = options;
  }

  /** The absolute folder; read from settings on each use so overrides apply. */
  get location(): string {
    const location = this.#options.location ?? settings.MEDIA_ROOT;
    return path.resolve(location || '.');
  }

  get baseUrl(): string {
    let base = this.#options.baseUrl ?? settings.MEDIA_URL;
    if (base && !base.endsWith('/')) base += '/';
    return addScriptPrefix(base);
  }

  /** The absolute path of `name`, refusing anything outside `location`. */
  path(name: string): string {
    if (name.includes('\0'))
      throw new SuspiciousFileOperation(`The file name ${JSON.stringify(name)} contains a NUL byte.`);
    const root = this.location;
    const full = path.resolve(root, name);
    const rel = path.relative(root, full);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || path.isAbsolute(name)) {
      throw new SuspiciousFileOperation(
        `Detected path traversal attempt in ${JSON.stringify(name)}: the file would be outside ${root}. Use a relative name without '..'.`,
      );
    }
    return full;
  }

  /**
   * A name safe on every file system: spaces become `_`, anything but letters, digits, `-`, `_`
   * and `.` is dropped (Django's `get_valid_name`).
   */
  getValidName(name: string): string {
    const cleaned = String(name)
      .trim()
      .replace(/ /g, '_')
      .replace(/[^-\p{L}\p{N}_.]/gu, '');
    if (cleaned === '' || cleaned === '.' || cleaned === '..') {
      throw new SuspiciousFileOperation(
        `Could not derive a file name from ${JSON.stringify(name)}. Give the file a name with letters or digits.`,
      );
    }
    return cleaned;
  }

  /** Cleans each segment of a relative name (uploads keep their folder, lose `..`). */
  generateFilename(filename: string): string {
    const parts = filename
      .replace(/\\/g, '/')
      .split('/')
      .filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => p === '..')) {
      throw new SuspiciousFileOperation(
        `Detected path traversal attempt in ${JSON.stringify(filename)}. Use a relative name without '..'.`,
      );
    }
    if (parts.length === 0) throw new SuspiciousFileOperation(`The file name ${JSON.stringify(filename)} is empty.`);
    const base = parts.pop() as string;
    return [...parts, this.getValidName(base)].join('/');
  }

  async exists(name: string): Promise<boolean> {
    try {
      await stat(this.path(name));
      return true;
    } catch (error) {
      if (error instanceof SuspiciousFileOperation) throw error;
      return false;
    }
  }

  /** `name` if free, else `name` with `_` and 7 random characters before the extension. */
  async getAvailableName(name: string, maxLength?: number): Promise<string> {
    let candidate = name;
    const dir = path.posix.dirname(name);
    const ext = path.posix.extname(name);
    const stem = path.posix.basename(name, ext);
    for (let attempt = 0; attempt < 100; attempt++) {
      if (maxLength !== undefined && candidate.length > maxLength) {
        const over = candidate.length - maxLength;
        const shorter = stem.slice(0, Math.max(0, stem.length - over));
        if (shorter === '')
          throw new SuspiciousFileOperation(
            `Storage can not find an available filename for ${JSON.stringify(name)}. Allow a longer name.`,
          );
        candidate = path.posix.join(
          dir,
          shorter + candidate.slice(dir === '.' ? stem.length : dir.length + 1 + stem.length),
        );
      }
      if (!(await this.exists(candidate))) return candidate;
      const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 7);
      candidate = path.posix.join(dir, `${stem}_${suffix}${ext}`);
    }
    throw new SuspiciousFileOperation(`Storage can not find an available filename for ${JSON.stringify(name)}.`);
  }

  /**
   * Writes `content` under a safe, free name derived from `name`, and returns that name. Never
   * replaces an existing file: the file is created exclusively, so two uploads racing for one
   * name both survive.
   */
  async save(name: string, content: FileContent, options: { maxLength?: number } = {}): Promise<string> {
    let candidate = await this.getAvailableName(this.generateFilename(name), options.maxLength);
    for (let attempt = 0; attempt < 100; attempt++) {
      const full = this.path(candidate);
      await mkdir(path.dirname(full), { recursive: true, mode: this.#dirMode() ?? 0o777 });
      let handle;
      try {
        handle = await open(
          full,
          fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL,
          this.#fileMode() ?? 0o666,
        );
      } catch (error) {
        if ((error as { code?: string }).code === 'EEXIST') {
          candidate = await this.getAvailableName(candidate, options.maxLength);
          continue;
        }
        throw error;
      }
      try {
        await writeContent(handle.fd, content);
      } catch (error) {
        await handle.close().catch(() => {});
        await rm(full, { force: true });
        throw error;
      }
      await handle.close();
      const mode = this.#fileMode();
      if (mode !== null && mode !== undefined) await (await import('node:fs/promises')).chmod(full, mode);
      return candidate.split(path.sep).join('/');
    }
    throw new SuspiciousFileOperation(`Storage can not find an available filename for ${JSON.stringify(name)}.`);
  }

  /** The bytes of a stored file. */
  async read(name: string): Promise<Buffer> {
    return readFile(this.path(name));
  }

  async delete(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }

  async size(name: string): Promise<number> {
    return (await stat(this.path(name))).size;
  }

  async getModifiedTime(name: string): Promise<Date> {
    return (await stat(this.path(name))).mtime;
  }

  /** `[directories, files]` directly under `dir` (`''` for the root). */
  async listdir(dir: string): Promise<[string[], string[]]> {
    const full = dir === '' ? this.location : this.path(dir);
    const dirs: string[] = [];
    const files: string[] = [];
    for (const entry of await readdir(full, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(entry.name);
      else files.push(entry.name);
    }
    return [dirs, files];
  }

  /** The URL of a stored file, each segment percent-encoded. */
  url(name: string): string {
    const base = this.baseUrl;
    if (!base)
      throw new Error('This storage has no base URL: set MEDIA_URL (or pass baseUrl) to build URLs for its files.');
    const encoded = name.replace(/\\/g, '/').replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/');
    return base + encoded;
  }

  #fileMode(): number | null | undefined {
    return this.#options.filePermissionsMode !== undefined
      ? this.#options.filePermissionsMode
      : settings.FILE_UPLOAD_PERMISSIONS;
  }

  #dirMode(): number | null | undefined {
    return this.#options.directoryPermissionsMode !== undefined
      ? this.#options.directoryPermissionsMode
      : settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS;
  }
}

async function writeContent(fd: number, content: FileContent): Promise<void> {
  const out = createWriteStream('', { fd, autoClose: false });
  const upload = content as Partial<UploadedFileLike>;
  if (typeof upload.temporaryFilePath === 'function') {
    const { createReadStream } = await import('node:fs');
    await pipeline(createReadStream(upload.temporaryFilePath()), out);
  } else if (typeof upload.chunks === 'function') {
    await pipeline(Readable.from(upload.chunks()), out);
  } else if (typeof content === 'string' || content instanceof Uint8Array) {
    await pipeline(Readable.from([typeof content === 'string' ? Buffer.from(content) : content]), out);
  } else if (
    typeof (content as { path?: unknown }).path === 'string' &&
    !(Symbol.asyncIterator in content) &&
    !(Symbol.iterator in content)
  ) {
    const { createReadStream } = await import('node:fs');
    await pipeline(createReadStream((content as { path: string }).path), out);
  } else {
    await pipeline(Readable.from(content as AsyncIterable<Uint8Array>), out);
  }
}

/** Copies a file into place atomically (write to a temporary name, then rename). */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await copyFile(from, tmp);
  await rename(tmp, to);
}
