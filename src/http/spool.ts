/**
 * A spool for bytes that arrive in chunks: kept in memory up to a threshold, then moved to a
 * temporary file (Python's `SpooledTemporaryFile`). Used for the raw request body and for
 * uploaded files, so a large upload never sits in memory.
 */
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { nodeCrypto, nodeFsPromises } from '../utils/builtins.ts';
import { UploadStorageError } from './exceptions.ts';
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { closeSync, openSync, readFileSync, readSync, rmSync } = process.getBuiltinModule('node:fs');

/** Options of a Spool. */
export interface SpoolOptions {
  /** Bytes kept in memory before spooling to disk. */
  threshold: number;
  /** Folder for the temporary file (`FILE_UPLOAD_TEMP_DIR`, else the server's); the system's when null. */
  tempDir?: string | null;
  /** Past this many bytes the content is dropped (only `size` stays known); null for no limit. */
  limit?: number | null;
}

/** Bytes in memory or in a temporary file. */
export class Spool {
  readonly #options: SpoolOptions;
  #chunks: Uint8Array[] = [];
  #handle: FileHandle | undefined;
  #onDisk = 0;
  #discarded = false;
  /** The temporary file, once the content went to disk. */
  path: string | undefined;
  /** Bytes written so far. */
  size = 0;
  /** True when the content passed the threshold and was dropped. */
  dropped = false;

  constructor(options: SpoolOptions) {
    this.#options = options;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.size += chunk.byteLength;
    if (this.dropped) return;
    const limit = this.#options.limit ?? null;
    if (limit !== null && this.size > limit) {
      // Nothing will read content past the limit: free the memory and the disk now.
      this.discard();
      this.dropped = true;
      return;
    }
    if (this.#handle === undefined && this.size > this.#options.threshold) await this.#toDisk();
    if (this.#handle !== undefined) await this.#writeToDisk(chunk);
    else this.#chunks.push(chunk);
  }

  /**
   * Writes all of `chunk` (a write may take only part of it, as when the file reaches the
   * process's size limit). On failure the temporary file is deleted and UploadStorageError says
   * why: nothing is left on disk for a request that cannot be answered with its content.
   */
  async #writeToDisk(chunk: Uint8Array): Promise<void> {
    try {
      let offset = 0;
      while (offset < chunk.byteLength) {
        const { bytesWritten } = await this.#handle!.write(chunk, offset, chunk.byteLength - offset);
        offset += bytesWritten;
        this.#onDisk += bytesWritten;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const file = this.path;
      this.discard();
      throw new UploadStorageError(
        `The request body could not be written to the temporary file ${file} after ${this.#onDisk} bytes (${code ?? (error as Error).message}): ` +
          (code === 'ENOSPC' || code === 'EDQUOT'
            ? 'the disk is full. Free space in FILE_UPLOAD_TEMP_DIR (or the folder the server gives), or set it to a larger one.'
            : code === 'EFBIG'
              ? 'the file outgrew the size this process may write (ulimit -f). Raise that limit or lower FILE_UPLOAD_MAX_SIZE.'
              : 'check FILE_UPLOAD_TEMP_DIR (or the folder the server gives).'),
        { code, cause: error },
      );
    }
  }

  async #toDisk(): Promise<void> {
    const dir = this.#options.tempDir ?? tmpdir();
    const file = path.join(dir, `tsgi-upload-${nodeCrypto().randomUUID()}`);
    let handle: FileHandle;
    try {
      handle = await nodeFsPromises().open(file, 'wx', 0o600);
    } catch (error) {
      throw new ImproperlyConfigured(
        `Cannot create a temporary file for the request body in '${dir}' (${(error as NodeJS.ErrnoException).code}): ` +
          'set FILE_UPLOAD_TEMP_DIR to a folder the server can write to.',
        { cause: error },
      );
    }
    if (this.#discarded) {
      // Discarded (the request ended) while the file was being created: leave nothing behind.
      void handle.close().catch(() => {});
      rmSync(file, { force: true });
      throw new UploadStorageError(`The request ended while its body was being spooled to ${file}.`);
    }
    this.#handle = handle;
    this.path = file;
    const pending = this.#chunks;
    this.#chunks = [];
    for (const chunk of pending) await this.#writeToDisk(chunk);
  }

  /** Closes the temporary file after the last write (its content stays until `discard`). */
  async finish(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  /** Whether the content is in memory (neither on disk nor dropped). */
  get inMemory(): boolean {
    return this.path === undefined && !this.dropped;
  }

  /** All the content, read synchronously. */
  bytes(): Uint8Array {
    if (this.dropped) throw new Error('The spooled content was dropped past its threshold.');
    if (this.path !== undefined) return readFileSync(this.path);
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? new Uint8Array(0);
  }

  /** Up to `length` bytes from `position`, synchronously; empty at the end. */
  readAt(position: number, length: number): Uint8Array {
    if (this.path !== undefined) {
      const fd = openSync(this.path, 'r');
      try {
        const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
        const n = readSync(fd, buffer, 0, buffer.byteLength, position);
        return buffer.subarray(0, n);
      } finally {
        closeSync(fd);
      }
    }
    return this.bytes().subarray(position, position + length);
  }

  /** Frees memory and deletes the temporary file (now, and if one is being created, once it is). */
  discard(): void {
    this.#discarded = true;
    this.#chunks = [];
    if (this.#handle !== undefined) {
      const handle = this.#handle;
      this.#handle = undefined;
      void handle.close().catch(() => {});
    }
    if (this.path !== undefined) rmSync(this.path, { force: true });
    this.path = undefined;
  }
}
