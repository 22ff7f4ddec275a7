/**
 * Uploaded files, as Django's `django.core.files.uploadedfile`: small ones are kept in memory,
 * large ones (past `FILE_UPLOAD_MAX_MEMORY_SIZE`) are spooled to a temporary file, which is
 * removed when the request is closed.
 */
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { closeSync, openSync, readFileSync, readSync, rmSync } = process.getBuiltinModule('node:fs');

/** What every uploaded file has. */
export abstract class UploadedFile {
  /** The file name sent by the client, reduced to its last path component. */
  readonly name: string;
  /** The form field it came in. */
  readonly fieldName: string;
  readonly size: number;
  /** The media type the client sent, e.g. `image/png`. */
  readonly contentType: string;
  /** The charset parameter of that type, when sent. */
  readonly charset: string | null;

  constructor(fields: { name: string; fieldName: string; size: number; contentType: string; charset?: string | null }) {
    this.name = fields.name;
    this.fieldName = fields.fieldName;
    this.size = fields.size;
    this.contentType = fields.contentType;
    this.charset = fields.charset ?? null;
  }

  /** The whole content. */
  abstract read(): Uint8Array;

  /** The content in chunks of at most `chunkSize` bytes. */
  abstract chunks(chunkSize?: number): Generator<Uint8Array>;

  /** Whether `chunks(chunkSize)` yields more than one chunk. */
  multipleChunks(chunkSize = 64 * 1024): boolean {
    return this.size > chunkSize;
  }

  /** The content decoded as text (with the file's charset, else utf-8). */
  text(): string {
    return new TextDecoder(this.charset ?? 'utf-8').decode(this.read());
  }

  /** Releases what the file holds (deletes a temporary file). Safe to call twice. */
  close(): void {}
}

/** An upload held in memory. */
export class InMemoryUploadedFile extends UploadedFile {
  readonly #content: Uint8Array;

  constructor(
    content: Uint8Array,
    fields: { name: string; fieldName: string; contentType: string; charset?: string | null },
  ) {
    super({ ...fields, size: content.byteLength });
    this.#content = content;
  }

  read(): Uint8Array {
    return this.#content;
  }

  *chunks(chunkSize = 64 * 1024): Generator<Uint8Array> {
    for (let offset = 0; offset < this.#content.byteLength; offset += chunkSize) {
      yield this.#content.subarray(offset, offset + chunkSize);
    }
  }
}

/** An upload spooled to a temporary file. */
export class TemporaryUploadedFile extends UploadedFile {
  readonly #path: string;
  #removed = false;

  constructor(
    path: string,
    fields: { name: string; fieldName: string; size: number; contentType: string; charset?: string | null },
  ) {
    super(fields);
    this.#path = path;
  }

  /** Where the content is on disk (until the request is closed): move or copy it from here. */
  temporaryFilePath(): string {
    return this.#path;
  }

  #check(): void {
    if (this.#removed) {
      throw new Error(
        `The uploaded file '${this.name}' was removed when its request was closed; save it before the response is sent.`,
      );
    }
  }

  read(): Uint8Array {
    this.#check();
    return readFileSync(this.#path);
  }

  *chunks(chunkSize = 64 * 1024): Generator<Uint8Array> {
    this.#check();
    const fd = openSync(this.#path, 'r');
    try {
      while (true) {
        const buffer = Buffer.allocUnsafe(chunkSize);
        const n = readSync(fd, buffer, 0, chunkSize, null);
        if (n === 0) return;
        yield buffer.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
  }

  override close(): void {
    if (this.#removed) return;
    this.#removed = true;
    rmSync(this.#path, { force: true });
  }
}
