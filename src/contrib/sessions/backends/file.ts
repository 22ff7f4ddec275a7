/**
 * Sessions in files, as Django's `backends.file`: one file per session in SESSION_FILE_PATH (the
 * system's temporary folder when null), named SESSION_COOKIE_NAME + a hash of the key. The
 * workers of one machine share them; machines do not. A file holds the signed, compressed data;
 * it is written whole to a temporary file and renamed into place, so a reader never sees half a
 * session, and a new session's file is created exclusively, so two workers cannot take the same
 * key. A folder that cannot be read or written is SessionStoreUnavailable (a 503), not an empty
 * session, and a write that fails is never silently dropped (Django ignores both).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { settings, settingsGeneration } from '../../../conf/index.ts';
import { ImproperlyConfigured } from '../../../core/exceptions.ts';
import { CreateError, SessionStoreUnavailable, UpdateError } from '../exceptions.ts';
import { hashSessionKey, SessionBase } from './base.ts';

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** SESSION_FILE_PATH (or the temporary folder), found to be a folder once per settings change. */
let checked: { generation: number; folder: string } | undefined;

async function storagePath(): Promise<string> {
  const generation = settingsGeneration();
  if (checked?.generation === generation) return checked.folder;
  const folder = await checkStoragePath((settings.SESSION_FILE_PATH as string | null) || os.tmpdir());
  checked = { generation, folder };
  return folder;
}

async function checkStoragePath(folder: string): Promise<string> {
  let isFolder = false;
  try {
    isFolder = (await stat(folder)).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isFolder) {
    throw new ImproperlyConfigured(
      `The session storage path ${JSON.stringify(folder)} doesn't exist. Set SESSION_FILE_PATH to an existing folder ` +
        'in which tsgi can store session data.',
    );
  }
  return folder;
}

/**
 * A session file's text and time, read synchronously: a small file of a local disk reads in
 * ~10 µs so (open, fstat, read, close), against ~120-160 µs through libuv's thread pool
 * (fs.promises.readFile, or open/stat/read as promises), measured on the benchmark machine; the
 * session read is every request's. As the static files' stat(). Keep SESSION_FILE_PATH local.
 */
function readSessionFile(file: string): { text: string; modified: number } {
  const fd = openSync(file, 'r');
  try {
    const info = fstatSync(fd);
    const buffer = Buffer.allocUnsafe(info.size);
    let read = 0;
    while (read < info.size) {
      const n = readSync(fd, buffer, read, info.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { text: buffer.toString('ascii', 0, read), modified: info.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * @example
 * SESSION_ENGINE = 'tsgi.contrib.sessions.backends.file';
 * SESSION_FILE_PATH = '/var/lib/mysite/sessions';
 */
export class SessionStore extends SessionBase {
  readonly filePrefix: string;

  constructor(sessionKey: string | null = null) {
    super(sessionKey);
    this.filePrefix = settings.SESSION_COOKIE_NAME;
  }

  async #file(sessionKey: string): Promise<string> {
    return path.join(await storagePath(), this.filePrefix + hashSessionKey(sessionKey));
  }

  #unavailable(error: unknown): SessionStoreUnavailable {
    return new SessionStoreUnavailable(`The session store (files) could not be used: ${(error as Error).message}.`, {
      cause: error,
    });
  }

  /** When a stored session expires: its own expiry, else the file's time + SESSION_COOKIE_AGE. */
  #expiresInSeconds(data: Record<string, unknown>, modifiedMs: number): number {
    const own = data._session_expiry;
    let deadline = modifiedMs + this.getSessionCookieAge() * 1000;
    if (typeof own === 'string' && !Number.isNaN(Date.parse(own))) deadline = Date.parse(own);
    else if (typeof own === 'number' && own > 0) deadline = modifiedMs + own * 1000;
    return (deadline - Date.now()) / 1000;
  }

  protected async loadData(): Promise<Record<string, unknown>> {
    const file = await this.#file(this.sessionKey!);
    let text: string;
    let modified: number;
    try {
      ({ text, modified } = readSessionFile(file));
    } catch (error) {
      if (code(error) === 'ENOENT') {
        this.setSessionKey(null);
        return {};
      }
      throw this.#unavailable(error);
    }
    // An empty file is a placeholder of a session being created.
    if (text === '') return {};
    const data = this.decode(text);
    if (this.#expiresInSeconds(data, modified) <= 0) {
      await this.deleteSession();
      this.setSessionKey(null);
      return {};
    }
    return data;
  }

  async exists(sessionKey: string): Promise<boolean> {
    const file = await this.#file(sessionKey);
    try {
      await stat(file);
      return true;
    } catch (error) {
      if (code(error) === 'ENOENT') return false;
      throw this.#unavailable(error);
    }
  }

  async create(): Promise<void> {
    for (;;) {
      this.setSessionKey(await this.getNewSessionKey());
      try {
        await this.save(true);
      } catch (error) {
        if (error instanceof CreateError) continue;
        throw error;
      }
      this.modified = true;
      return;
    }
  }

  async save(mustCreate = false): Promise<void> {
    const sessionKey = this.sessionKey;
    if (sessionKey === null) return this.create();
    const data = await this.sessionData(mustCreate);
    const file = await this.#file(sessionKey);
    try {
      // The file must exist for an update, and must not for a new session (created here, empty,
      // so the key is taken before the data is written).
      const handle = await open(file, mustCreate ? 'wx' : 'r+', 0o600);
      await handle.close();
    } catch (error) {
      if (code(error) === 'EEXIST' && mustCreate) throw new CreateError();
      if (code(error) === 'ENOENT' && !mustCreate) throw new UpdateError();
      throw this.#unavailable(error);
    }
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temporary, this.encode(data), { mode: 0o600 });
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw this.#unavailable(error);
    }
  }

  async deleteSession(sessionKey: string | null = this.sessionKey): Promise<void> {
    if (sessionKey === null) return;
    const file = await this.#file(sessionKey);
    try {
      await unlink(file);
    } catch (error) {
      if (code(error) !== 'ENOENT') throw this.#unavailable(error);
    }
  }

  /** Removes the files of expired sessions (`clearsessions`). */
  static async clearExpired(): Promise<void> {
    const folder = await storagePath();
    const prefix = settings.SESSION_COOKIE_NAME;
    const probe = new SessionStore();
    for (const name of await readdir(folder)) {
      if (!name.startsWith(prefix) || !/^[0-9a-f]{64}$/.test(name.slice(prefix.length))) continue;
      const file = path.join(folder, name);
      try {
        const [text, info] = await Promise.all([readFile(file, 'ascii'), stat(file)]);
        const data = text === '' ? {} : probe.decode(text);
        if (probe.#expiresInSeconds(data, info.mtimeMs) <= 0) await unlink(file);
      } catch (error) {
        if (code(error) !== 'ENOENT') throw error;
      }
    }
  }
}
