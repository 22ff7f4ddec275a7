/**
 * `multipart/form-data` bodies (RFC 7578) through busboy, a well-kept streaming parser, with
 * Django's limits: `DATA_UPLOAD_MAX_NUMBER_FIELDS`, `DATA_UPLOAD_MAX_NUMBER_FILES`, and
 * `DATA_UPLOAD_MAX_MEMORY_SIZE` for the non-file fields, and `FILE_UPLOAD_MAX_SIZE` for each
 * file. Files go to a Spool, so those past `FILE_UPLOAD_MAX_MEMORY_SIZE` are written to disk as
 * they arrive.
 *
 * The parser never throws while reading: the first error is kept (`error`), the body's reader
 * stops feeding it there, and the error is raised when the request's `POST` or `FILES` is used
 * (docs/architecture.md).
 */
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { TooManyFieldsSent, TooManyFilesSent } from '../core/exceptions.ts';
import { InMemoryUploadedFile, TemporaryUploadedFile } from '../core/files/uploadedfile.ts';
import type { UploadedFile } from '../core/files/uploadedfile.ts';
import { MultiValueDict } from '../utils/datastructures.ts';
import { FileTooBig, MultiPartParserError, UploadStorageError, tooBig } from './exceptions.ts';
import { QueryDict } from './querydict.ts';
import { Spool } from './spool.ts';

/** The limits and places a parse uses (read from settings by the request). */
export interface MultipartOptions {
  encoding: string;
  maxFields: number | null;
  maxFiles: number | null;
  maxFieldBytes: number | null;
  /** Bytes of one file kept in memory before it is spooled to disk (FILE_UPLOAD_MAX_MEMORY_SIZE). */
  fileMemoryLimit: number;
  /** The largest file accepted (FILE_UPLOAD_MAX_SIZE); null for no limit. */
  maxFileSize: number | null;
  tempDir: string | null;
}

/** What a parse produced: the fields and files, or the error to raise. */
export interface MultipartResult {
  post: QueryDict;
  files: MultiValueDict<UploadedFile>;
  error: Error | undefined;
}

function ignore(): void {}

/** Resolves when a stream has data to read, has ended, or was destroyed. */
function readableOrEnd(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('readable', done);
      stream.off('end', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('readable', done);
    stream.on('end', done);
    stream.on('close', done);
  });
}

/** The file name reduced as Django's `sanitize_file_name`; undefined when nothing usable is left. */
export function sanitizeFileName(name: string): string | undefined {
  const last = (name.split('/').pop() ?? '').split('\\').pop()!;
  // eslint-disable-next-line no-control-regex
  const base = last.replace(/[\x00-\x1f\x7f]/g, '');
  return base === '' || base === '.' || base === '..' ? undefined : base;
}

/**
 * Parses one multipart body fed chunk by chunk.
 *
 * @example
 * const parser = new MultipartParser(contentType, options);
 * for await (const chunk of input) await parser.write(chunk);
 * const { post, files, error } = await parser.end();
 */
export class MultipartParser {
  readonly #options: MultipartOptions;
  readonly #post: QueryDict;
  readonly #files = new MultiValueDict<UploadedFile>();
  readonly #saving: Promise<void>[] = [];
  readonly #spools: Spool[] = [];
  #parser: busboy.Busboy | undefined;
  #error: Error | undefined;
  #closed: Promise<void> = Promise.resolve();
  #fields = 0;
  #fileCount = 0;
  #fieldBytes = 0;
  /** Bytes written to the parser, and of them, bytes of file content taken out of file streams. */
  #fed = 0;
  #fileBytes = 0;
  /** File streams not yet ended: their buffered bytes are file content too. */
  readonly #open = new Set<Readable>();
  /** Bytes a part's boundary and headers may take (busboy refuses headers past 16 KiB). */
  #partOverhead = 16 * 1024;

  constructor(contentType: string, options: MultipartOptions) {
    this.#options = options;
    this.#post = new QueryDict(null, { mutable: true, encoding: options.encoding });
    const fieldLimit = options.maxFieldBytes === null ? Infinity : options.maxFieldBytes + 1;
    try {
      this.#parser = busboy({
        headers: { 'content-type': contentType },
        defParamCharset: 'utf8',
        defCharset: options.encoding,
        limits: { fieldSize: fieldLimit, fieldNameSize: fieldLimit },
      });
    } catch (error) {
      this.#fail(
        new MultiPartParserError(
          `Invalid multipart/form-data request: ${(error as Error).message} in the Content-Type ${JSON.stringify(contentType)}. ` +
            'Send a boundary parameter, as browsers do.',
        ),
      );
      return;
    }
    const parser = this.#parser;
    this.#partOverhead += Buffer.byteLength(/boundary="?([^";]*)/i.exec(contentType)?.[1] ?? '') + 8;
    this.#closed = new Promise<void>((resolve) => {
      parser.on('close', resolve);
      parser.on('error', (error: Error) => {
        this.#fail(new MultiPartParserError(`Invalid multipart/form-data body: ${error.message}.`));
        resolve();
      });
    });
    parser.on('field', (name, value, info) => this.#onField(name, value, info.valueTruncated || info.nameTruncated));
    parser.on('file', (name, stream, info) => this.#onFile(name, stream, info.filename, info.mimeType));
  }

  #fail(error: Error): void {
    this.#error ??= error;
  }

  /** The first error met, if any: the reader stops feeding the parser once there is one. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** The first value of the field `name` parsed so far (undefined until its part has arrived). */
  firstValue(name: string): string | undefined {
    return this.#post.getlist(name)[0];
  }

  #onField(name: string, value: string, truncated: boolean): void {
    if (this.#error !== undefined) return;
    this.#fields += 1;
    const { maxFields, maxFieldBytes } = this.#options;
    if (maxFields !== null && this.#fields > maxFields) {
      this.#fail(
        new TooManyFieldsSent(
          `The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS (${maxFields}). ` +
            'Send fewer fields, or raise the setting if such requests are legitimate.',
        ),
      );
      return;
    }
    // As Django: the field's data, its name and two bytes (the '&=' an urlencoded form would have).
    this.#fieldBytes += Buffer.byteLength(name) + 2 + Buffer.byteLength(value);
    if (truncated || (maxFieldBytes !== null && this.#fieldBytes > maxFieldBytes)) {
      this.#fail(tooBig(maxFieldBytes!));
      return;
    }
    this.#post.appendlist(name, value);
  }

  #onFile(fieldName: string, stream: Readable, filename: string | undefined, contentType: string): void {
    // A file cut short (the parse abandoned at a limit: discard() destroys the parser) errors its
    // stream; the parse's own error is what counts.
    stream.on('error', ignore);
    const name = filename === undefined ? undefined : sanitizeFileName(filename);
    if (this.#error !== undefined || name === undefined) {
      // As Django: a file input left empty (no file name) is not a file; its bytes are skipped.
      this.#skip(stream);
      return;
    }
    this.#fileCount += 1;
    const { maxFiles } = this.#options;
    if (maxFiles !== null && this.#fileCount > maxFiles) {
      this.#fail(
        new TooManyFilesSent(
          `The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES (${maxFiles}). ` +
            'Send fewer files, or raise the setting if such requests are legitimate.',
        ),
      );
      this.#skip(stream);
      return;
    }
    const spool = new Spool({ threshold: this.#options.fileMemoryLimit, tempDir: this.#options.tempDir });
    this.#spools.push(spool);
    this.#saving.push(this.#save(fieldName, name, contentType, stream, spool));
  }

  /** Reads a file part to nothing, counting it as file content. */
  #skip(stream: Readable): void {
    stream.on('data', (chunk: Buffer) => (this.#fileBytes += chunk.length));
  }

  /**
   * Reads a file part into its spool. Chunks are taken with `read()`, not async iteration, so
   * that each is counted as file content the moment it leaves the stream (see `#fieldDataPast`).
   */
  async #save(fieldName: string, name: string, contentType: string, stream: Readable, spool: Spool): Promise<void> {
    const { maxFileSize } = this.#options;
    this.#open.add(stream);
    try {
      for (;;) {
        const chunk = stream.read() as Buffer | null;
        if (chunk === null) {
          if (stream.readableEnded) break;
          if (stream.destroyed) throw stream.errored ?? new Error('Unexpected end of form');
          await readableOrEnd(stream);
          continue;
        }
        this.#fileBytes += chunk.length;
        if (this.#error !== undefined) continue;
        await spool.write(chunk);
        if (maxFileSize !== null && spool.size > maxFileSize) {
          spool.discard();
          this.#fail(
            new FileTooBig(
              `The uploaded file ${JSON.stringify(name)} exceeded settings.FILE_UPLOAD_MAX_SIZE (${maxFileSize} bytes). ` +
                'Send a smaller file, or raise the setting if such uploads are legitimate.',
            ),
          );
        }
      }
      await spool.finish();
    } catch (error) {
      const known =
        error instanceof MultiPartParserError ||
        error instanceof UploadStorageError ||
        (error as Error).name === 'ImproperlyConfigured';
      this.#fail(
        known
          ? (error as Error)
          : new MultiPartParserError(`Invalid multipart/form-data body: ${(error as Error).message}.`),
      );
      spool.discard();
      this.#skip(stream);
      return;
    } finally {
      this.#open.delete(stream);
    }
    if (this.#error !== undefined) return;
    const fields = { name, fieldName, contentType };
    const file = spool.inMemory
      ? new InMemoryUploadedFile(spool.bytes(), fields)
      : new TemporaryUploadedFile(spool.path!, { ...fields, size: spool.size });
    this.#files.appendlist(fieldName, file);
  }

  /**
   * Whether what was fed so far holds more non-file bytes than the field data may take, with room
   * for every part's boundary and headers: busboy reports a field only once it ends, and Django
   * reads no more of a field than `DATA_UPLOAD_MAX_MEMORY_SIZE` allows, so a huge field is
   * refused here while it streams in rather than read to its end. File content is counted when
   * it leaves a file stream, or while it waits in one.
   */
  #fieldDataPast(limit: number): boolean {
    let waiting = 0;
    for (const stream of this.#open) waiting += stream.readableLength;
    const parts = this.#fields + this.#fileCount + 1;
    return this.#fed - this.#fileBytes - waiting > limit + parts * this.#partOverhead;
  }

  /** Feeds a chunk, waiting while the parser (or a file being written) applies backpressure. */
  async write(chunk: Uint8Array): Promise<void> {
    const parser = this.#parser;
    if (parser === undefined || parser.writableEnded || parser.destroyed) return;
    this.#fed += chunk.byteLength;
    const accepted = parser.write(chunk);
    const limit = this.#options.maxFieldBytes;
    if (limit !== null && this.#error === undefined && this.#fieldDataPast(limit)) this.#fail(tooBig(limit));
    if (!accepted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          parser.off('drain', done);
          parser.off('close', done);
          parser.off('error', done);
          resolve();
        };
        parser.on('drain', done);
        parser.on('close', done);
        parser.on('error', done);
      });
    }
  }

  /** Deletes what the parse wrote so far (an abandoned body: the rest will not be read). */
  discard(): void {
    for (const spool of this.#spools) spool.discard();
    this.#parser?.destroy();
  }

  /** Ends the body; resolves when every file is saved. On error, files saved so far are removed. */
  async end(): Promise<MultipartResult> {
    if (this.#parser !== undefined && !this.#parser.writableEnded) this.#parser.end();
    await this.#closed;
    await Promise.all(this.#saving);
    if (this.#error !== undefined) {
      for (const spool of this.#spools) spool.discard();
      return {
        post: new QueryDict(null, { encoding: this.#options.encoding }),
        files: new MultiValueDict(),
        error: this.#error,
      };
    }
    return {
      post: QueryDict.fromLists(this.#post.lists(), { encoding: this.#options.encoding }),
      files: this.#files,
      error: undefined,
    };
  }
}
