/**
 * The file-based cache, as Django's `FileBasedCache`: one file per key in the LOCATION folder
 * (an absolute path, created when missing), named after a hash of the key. The workers of one
 * machine share it; machines do not. A file holds the expiry time on its first line and the
 * value's text after it; it is written to a temporary file and renamed into place, so a reader
 * never sees half a value, and `add()` creates the file with a hard link, which fails when the
 * file exists: two workers adding the same key cannot both succeed. `incr()` reads and rewrites
 * the file, so increments from two processes at the same moment can be lost (as Django's); use
 * Redis for counters.
 *
 * When there are `MAX_ENTRIES` (300) files, a random 1/`CULL_FREQUENCY` (3) of them are removed
 * before a new one is written, as Django does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ImproperlyConfigured } from '../../exceptions.ts';
import { BaseCache, CacheUnavailable, notAnInteger, type CacheParams } from './base.ts';

const SUFFIX = '.tsgicache';

interface Stored {
  text: string;
  expiresAt: number | null;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * @example
 * CACHES = { default: { BACKEND: 'tsgi.core.cache.backends.filebased.FileBasedCache', LOCATION: '/var/tmp/mysite_cache' } };
 */
export class FileBasedCache extends BaseCache {
  readonly directory: string;
  #created = false;

  constructor(params: CacheParams) {
    super(params);
    const location = params.LOCATION;
    if (typeof location !== 'string' || location === '' || !path.isAbsolute(location)) {
      throw new ImproperlyConfigured(
        `The file-based cache '${this.alias}' needs LOCATION set to an absolute folder path, got ${JSON.stringify(location ?? null)}. ` +
          "For example LOCATION: '/var/tmp/mysite_cache'.",
      );
    }
    this.directory = location;
  }

  override describe(): string {
    return `FileBasedCache at ${this.directory}`;
  }

  #file(key: string): string {
    return path.join(this.directory, createHash('md5').update(key).digest('hex') + SUFFIX);
  }

  #unavailable(error: unknown): CacheUnavailable {
    return new CacheUnavailable(
      `The cache '${this.alias}' (${this.describe()}) could not be used: ${(error as Error).message}.`,
      { cause: error },
    );
  }

  /** Runs a file operation; errors other than a missing file mean the folder cannot be used. */
  async #io<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof CacheUnavailable || error instanceof TypeError) throw error;
      throw this.#unavailable(error);
    }
  }

  async #read(file: string): Promise<Stored | undefined> {
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      if (code(error) === 'ENOENT') return undefined;
      throw error;
    }
    const newline = content.indexOf('\n');
    const header = newline === -1 ? '' : content.slice(0, newline);
    const expiresAt = header === '' ? null : Number(header);
    if (newline === -1 || (expiresAt !== null && !Number.isFinite(expiresAt))) {
      // Not a file this cache wrote whole: treat it as absent.
      await this.#unlink(file);
      return undefined;
    }
    if (expiresAt !== null && expiresAt <= Date.now()) {
      await this.#unlink(file);
      return undefined;
    }
    return { text: content.slice(newline + 1), expiresAt };
  }

  async #unlink(file: string): Promise<boolean> {
    try {
      await unlink(file);
      return true;
    } catch (error) {
      if (code(error) === 'ENOENT') return false;
      throw error;
    }
  }

  /** Writes a complete file beside its final name; resolves to the temporary name. */
  async #writeTemporary(stored: Stored): Promise<string> {
    if (!this.#created) {
      await mkdir(this.directory, { recursive: true, mode: 0o700 });
      this.#created = true;
    }
    const temporary = path.join(this.directory, `.${randomBytes(8).toString('hex')}.tmp`);
    await writeFile(temporary, `${stored.expiresAt ?? ''}\n${stored.text}`, { mode: 0o600 });
    return temporary;
  }

  async #replace(file: string, stored: Stored): Promise<void> {
    const temporary = await this.#writeTemporary(stored);
    try {
      await rename(temporary, file);
    } catch (error) {
      await this.#unlink(temporary);
      throw error;
    }
  }

  async #entries(): Promise<string[]> {
    try {
      return (await readdir(this.directory)).filter((name) => name.endsWith(SUFFIX));
    } catch (error) {
      if (code(error) === 'ENOENT') return [];
      throw error;
    }
  }

  async #cull(): Promise<void> {
    const names = await this.#entries();
    if (names.length < this.maxEntries) return;
    if (this.cullFrequency === 0) {
      await this.removeAll();
      return;
    }
    // A random sample of 1/CULL_FREQUENCY of the files (Fisher-Yates on a prefix).
    const count = Math.floor(names.length / this.cullFrequency);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (names.length - i));
      [names[i], names[j]] = [names[j]!, names[i]!];
      await this.#unlink(path.join(this.directory, names[i]!));
    }
  }

  protected load(keys: readonly string[]): Promise<Array<string | undefined>> {
    return this.#io(() => Promise.all(keys.map(async (key) => (await this.#read(this.#file(key)))?.text)));
  }

  protected store(key: string, text: string, ttl: number | null, onlyIfAbsent: boolean): Promise<boolean> {
    return this.#io(async () => {
      const file = this.#file(key);
      await this.#cull();
      const stored = { text, expiresAt: ttl === null ? null : Date.now() + ttl * 1000 };
      if (!onlyIfAbsent) {
        await this.#replace(file, stored);
        return true;
      }
      const temporary = await this.#writeTemporary(stored);
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          try {
            // link() fails when the file exists: the add is atomic between processes.
            await link(temporary, file);
            return true;
          } catch (error) {
            if (code(error) !== 'EEXIST') throw error;
            // An expired file does not count: #read removes it, and the link is tried again.
            if ((await this.#read(file)) !== undefined) return false;
          }
        }
        return false;
      } finally {
        await this.#unlink(temporary);
      }
    });
  }

  protected retime(key: string, ttl: number | null): Promise<boolean> {
    return this.#io(async () => {
      const file = this.#file(key);
      const stored = await this.#read(file);
      if (stored === undefined) return false;
      await this.#replace(file, { text: stored.text, expiresAt: ttl === null ? null : Date.now() + ttl * 1000 });
      return true;
    });
  }

  protected remove(keys: readonly string[]): Promise<number> {
    return this.#io(async () => {
      let removed = 0;
      for (const key of keys) if (await this.#unlink(this.#file(key))) removed++;
      return removed;
    });
  }

  protected increment(key: string, delta: number): Promise<number | undefined> {
    return this.#io(async () => {
      const file = this.#file(key);
      const stored = await this.#read(file);
      if (stored === undefined) return undefined;
      const value = Number(stored.text);
      if (!/^-?\d+$/.test(stored.text) || !Number.isSafeInteger(value + delta)) throw notAnInteger(key, stored.text);
      await this.#replace(file, { text: String(value + delta), expiresAt: stored.expiresAt });
      return value + delta;
    });
  }

  protected removeAll(): Promise<void> {
    return this.#io(async () => {
      for (const name of await this.#entries()) await this.#unlink(path.join(this.directory, name));
    });
  }
}
