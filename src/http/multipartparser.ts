/**
 * `multipart/form-data` bodies (RFC 7578) through busboy, a well-kept streaming parser, with
 * Django's limits: `DATA_UPLOAD_MAX_NUMBER_FIELDS`, `DATA_UPLOAD_MAX_NUMBER_FILES`, and
 * `DATA_UPLOAD_MAX_MEMORY_SIZE` for the non-file fields. Files go to a Spool, so those past
 * `FILE_UPLOAD_MAX_MEMORY_SIZE` are written to disk as they arrive.
 *
 * The parser never throws while reading: the first error is kept and raised when the request's
 * `POST` or `FILES` is used (docs/architecture.md).
 */
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { TooManyFieldsSent, TooManyFilesSent } from '../core/exceptions.ts';
import { tooBig } from './request.ts';
import { InMemoryUploadedFile, TemporaryUploadedFile } from '../core/files/uploadedfile.ts';
import type { UploadedFile } from '../core/files/uploadedfile.ts';
import { MultiValueDict } from '../utils/datastructures.ts';
import { MultiPartParserError } from './exceptions.ts';
import { QueryDict } from './querydict.ts';
import { Spool } from './spool.ts';

/** The limits and places a parse uses (read from settings by the request). */
export interface MultipartOptions {
  encoding: string;
  maxFields: number | null;
  maxFiles: number | null;
  maxFieldBytes: number | null;
  fileMemoryLimit: number;
  tempDir: string | null;
}

/** What a parse produced: the fields and files, or the error to raise. */
export interface MultipartResult {
  post: QueryDict;
  files: MultiValueDict<UploadedFile>;
  error: Error | undefined;
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
    this.#fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (truncated || (maxFieldBytes !== null && this.#fieldBytes > maxFieldBytes)) {
      this.#fail(tooBig(maxFieldBytes!));
      return;
    }
    this.#post.appendlist(name, value);
  }

  #onFile(fieldName: string, stream: Readable, filename: string | undefined, contentType: string): void {
    const name = filename === undefined ? undefined : sanitizeFileName(filename);
    if (this.#error !== undefined || name === undefined) {
      // As Django: a file input left empty (no file name) is not a file.
      stream.resume();
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
      stream.resume();
      return;
    }
    const spool = new Spool({ threshold: this.#options.fileMemoryLimit, tempDir: this.#options.tempDir });
    this.#spools.push(spool);
    this.#saving.push(this.#save(fieldName, name, contentType, stream, spool));
  }

  async #save(fieldName: string, name: string, contentType: string, stream: Readable, spool: Spool): Promise<void> {
    try {
      for await (const chunk of stream) {
        if (this.#error === undefined) await spool.write(chunk as Uint8Array);
      }
      await spool.finish();
    } catch (error) {
      const known = error instanceof MultiPartParserError || (error as Error).name === 'ImproperlyConfigured';
      this.#fail(
        known
          ? (error as Error)
          : new MultiPartParserError(`Invalid multipart/form-data body: ${(error as Error).message}.`),
      );
      stream.resume();
      return;
    }
    if (this.#error !== undefined) return;
    const fields = { name, fieldName, contentType };
    const file = spool.inMemory
      ? new InMemoryUploadedFile(spool.bytes(), fields)
      : new TemporaryUploadedFile(spool.path!, { ...fields, size: spool.size });
    this.#files.appendlist(fieldName, file);
  }

  /** Feeds a chunk, waiting while the parser (or a file being written) applies backpressure. */
  async write(chunk: Uint8Array): Promise<void> {
    const parser = this.#parser;
    if (parser === undefined || parser.writableEnded || parser.destroyed) return;
    if (!parser.write(chunk)) {
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
