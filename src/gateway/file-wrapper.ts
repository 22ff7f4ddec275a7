/**
 * `wsgi.file_wrapper` (spec §5.5): a file body the server recognises. node:http has no sendfile
 * (its sockets take buffers only), so the reference server streams the file in `blockSize` reads
 * with backpressure; the body is also a plain async iterable, so any server can send it.
 */
import type { FileBody, FileSource } from './types.ts';
// Not ESM imports: building the namespaces of node:fs and node:util runs their lazy getters
// (fs/promises, readline, streams), ~5 ms of every cold start for what this module never uses.
const { close, open, read } = process.getBuiltinModule('node:fs');
const { promisify } = process.getBuiltinModule('node:util');

/** The default read size: large enough that per-read overhead does not matter. */
export const DEFAULT_BLOCK_SIZE = 64 * 1024;

const openFile = promisify(open);
const readFile = promisify(read);
const closeFile = promisify(close);

/**
 * A file as a response body. Owns the file: `close()` closes it, including an `fd` passed in
 * (as PEP 3333's wrapper closes the file it wraps).
 */
export class FileWrapperBody implements FileBody {
  readonly file: FileSource;
  readonly blockSize: number;
  #fd: number | undefined;
  #closed = false;

  constructor(file: FileSource, blockSize = DEFAULT_BLOCK_SIZE) {
    if (file === null || typeof file !== 'object' || (typeof file.path !== 'string' && typeof file.fd !== 'number')) {
      throw new TypeError(
        `wsgi.file_wrapper takes { path } or { fd } (with optional offset and length), not ${file !== null && typeof file === 'object' ? JSON.stringify(file) : String(file)}.`,
      );
    }
    if (!Number.isInteger(blockSize) || blockSize <= 0) {
      throw new TypeError(`wsgi.file_wrapper's blockSize must be a positive integer, not ${String(blockSize)}.`);
    }
    for (const key of ['offset', 'length'] as const) {
      const value = file[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
        throw new TypeError(`wsgi.file_wrapper's ${key} must be a non-negative integer, not ${String(value)}.`);
      }
    }
    this.file = file;
    this.blockSize = blockSize;
  }

  async #open(): Promise<number> {
    if (this.#fd === undefined)
      this.#fd = typeof this.file.fd === 'number' ? this.file.fd : await openFile(this.file.path!, 'r');
    return this.#fd;
  }

  /** Reads the file (from `offset`, `length` bytes or to its end) block by block. */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#closed) throw new Error('This file body was already closed: a wsgi.file_wrapper body can be sent once.');
    const fd = await this.#open();
    let position = this.file.offset ?? 0;
    let remaining = this.file.length ?? Infinity;
    while (remaining > 0 && !this.#closed) {
      const size = Math.min(this.blockSize, remaining);
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await readFile(fd, buffer, 0, size, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      remaining -= bytesRead;
      yield bytesRead === size ? buffer : buffer.subarray(0, bytesRead);
    }
  }

  /** Closes the file; safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const fd = this.#fd ?? this.file.fd;
    this.#fd = undefined;
    if (fd !== undefined) await closeFile(fd);
  }
}

/**
 * The default `wsgi.file_wrapper`.
 *
 * @example
 * const wrapper = environ['wsgi.file_wrapper'] ?? fileWrapper;
 * startResponse('200 OK', [['Content-Type', 'application/pdf']]);
 * return wrapper({ path: '/srv/report.pdf' });
 */
export function fileWrapper(file: FileSource, blockSize?: number): FileWrapperBody {
  return new FileWrapperBody(file, blockSize);
}
