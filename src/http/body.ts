/**
 * The request body as it arrives from the client, read only when something asks for it
 * (docs/architecture.md, "The request body is read when something asks for it"): the handler
 * before a view that accepts the request's method, middleware through `request.loadBody()`, the
 * CSRF check through `request.readFormField()`.
 *
 * The limits are enforced while the body streams in, and reading stops at the first one broken:
 * the rest of the body is neither read nor spooled. `DATA_UPLOAD_MAX_MEMORY_SIZE` bounds a body
 * that is not multipart (checked against Content-Length before anything is read, as Django does,
 * and against the bytes of a chunked body) and the non-file fields of a multipart one;
 * `FILE_UPLOAD_MAX_SIZE` each file, `DATA_UPLOAD_MAX_NUMBER_FIELDS`/`_FILES` the counts. Those
 * errors are raised when `body`, `POST` or `FILES` are used, as in Django. A spool that cannot be
 * written (disk full, the file size limit of the process) deletes its file and fails the load
 * itself, so that the request is answered at once.
 */
import { settings } from '../conf/index.ts';
import type { UploadedFile } from '../core/files/uploadedfile.ts';
import type { MultiValueDict } from '../utils/datastructures.ts';
import { RawPostDataException, UnreadablePostError, UploadStorageError, tooBig } from './exceptions.ts';
import type { MultipartParser, MultipartResult } from './multipartparser.ts';
import type { QueryDict } from './querydict.ts';
import { Spool } from './spool.ts';

/** Where a request's body comes from: what a request handler gives `HttpRequest`. */
export interface BodySource {
  /** The body, chunk by chunk as it arrives (`wsgi.input` under the gateway). */
  readonly input: AsyncIterable<Uint8Array>;
  /** The declared length (Content-Length), or null when it is not known (chunked). */
  readonly contentLength: number | null;
  /**
   * The folder the server wants temporary files in (`environ['tsgi.tmpdir']`), used when
   * `FILE_UPLOAD_TEMP_DIR` is not set; the system's (`os.tmpdir()`) when null.
   */
  readonly tempDir: string | null;
}

/** What the body's reader needs to know of its request. */
export interface BodyFormat {
  /** A POST with a `multipart/form-data` body: parsed into fields and files as it streams. */
  readonly multipart: boolean;
  /** The Content-Type header as sent (the parser needs its boundary). */
  readonly contentTypeHeader: string;
  /** The charset of the form fields. */
  readonly encoding: string;
}

/**
 * Reads one request's body on demand, under the limits of the settings.
 *
 * @example
 * const body = new RequestBody(source, { multipart: false, contentTypeHeader: 'text/plain', encoding: 'utf-8' });
 * await body.load();
 * body.raw(); // the bytes, or the limit they broke
 */
export class RequestBody {
  readonly #source: BodySource;
  readonly #format: BodyFormat;
  #iterator: AsyncIterator<Uint8Array> | undefined;
  #running: Promise<void> | undefined;
  /** The raw body: all of it, or (multipart) a copy kept in memory while it is small. */
  #raw: Spool | undefined;
  #parser: MultipartParser | undefined;
  #form: MultipartResult | undefined;
  /** Raised by any use of the body: it could not be read, or stored, or broke its size limit. */
  #error: Error | undefined;
  /** Raised by POST/FILES of a multipart body: malformed, or past a field, file or size limit. */
  #formError: Error | undefined;
  #done = false;
  #limit: number | null = null;
  /** Bytes received from the client so far. */
  received = 0;

  constructor(source: BodySource, format: BodyFormat) {
    this.#source = source;
    this.#format = format;
  }

  /** True once nothing more will be read: the end came, or a limit or an error stopped it. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Reads the body to its end, or until a limit is broken (raised later, on use).
   * @throws UploadStorageError when a spool could not be written; the request is answered with
   *   it at once (507, 413 or 500).
   */
  async load(): Promise<void> {
    await this.#pump(undefined);
    if (this.#error instanceof UploadStorageError) throw this.#error;
  }

  /**
   * Reads a multipart body only until the form field `name` has arrived (or the body ended, or
   * broke a limit), and returns its first value; the rest stays unread until `load()`.
   * @throws what reading `POST` would raise (a malformed body, a limit, a storage failure).
   */
  async multipartField(name: string): Promise<string | undefined> {
    await this.#pump(() => this.#parser?.firstValue(name) !== undefined);
    const value = this.#parser?.firstValue(name);
    if (value !== undefined) return value;
    const error = this.#error ?? this.#formError;
    if (error !== undefined) throw error;
    return undefined;
  }

  /** The input itself, for a view that reads the body as a stream (nothing may have been read yet). */
  takeInput(): AsyncIterable<Uint8Array> {
    if (this.#iterator !== undefined) {
      throw new RawPostDataException(
        'Part of the request body was already read (by the CSRF check, for the form token), so it cannot be streamed from the start. ' +
          'Send the token in the X-CSRFToken header, or exempt the view with csrfExempt() if it checks the request another way.',
      );
    }
    this.#done = true;
    return this.#source.input;
  }

  async #pump(stop: (() => boolean) | undefined): Promise<void> {
    while (this.#running !== undefined) await this.#running;
    if (this.#done || (stop !== undefined && stop())) return;
    this.#running = this.#read(stop);
    try {
      await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  async #read(stop: (() => boolean) | undefined): Promise<void> {
    if (this.#iterator === undefined) {
      await this.#start();
      if (this.#done) return;
    }
    const iterator = this.#iterator!;
    while (!this.#done) {
      if (stop !== undefined && stop()) return;
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        this.#abandon(
          new UnreadablePostError(`The request body could not be read: ${(error as Error).message}`, {
            cause: error,
          }),
        );
        return;
      }
      if (next.done === true) {
        await this.#end();
        return;
      }
      await this.#feed(next.value);
    }
  }

  /** Decides what to keep, and refuses a declared length past the limit before reading anything. */
  async #start(): Promise<void> {
    const maxBody = settings.DATA_UPLOAD_MAX_MEMORY_SIZE;
    const fileMemoryLimit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE;
    const tempDir = settings.FILE_UPLOAD_TEMP_DIR ?? this.#source.tempDir;
    const declared = this.#source.contentLength;
    if (this.#format.multipart) {
      // busboy and the upload classes are loaded by the first multipart request, not at boot.
      const { MultipartParser } = await import('./multipartparser.ts');
      this.#parser = new MultipartParser(this.#format.contentTypeHeader, {
        encoding: this.#format.encoding,
        maxFields: settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        maxFiles: settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        maxFieldBytes: maxBody,
        fileMemoryLimit,
        maxFileSize: settings.FILE_UPLOAD_MAX_SIZE,
        tempDir,
      });
      if (this.#parser.error !== undefined) {
        // No boundary: nothing in the body can be parsed, so none of it is read.
        this.#formError = this.#parser.error;
        this.#done = true;
        return;
      }
      // The raw multipart body is kept only while small (request.body of a small form); the
      // parsed fields and files are what count.
      const keep = maxBody ?? fileMemoryLimit;
      this.#limit = keep;
      if (declared === null || declared <= keep) this.#raw = new Spool({ threshold: Infinity, limit: keep });
    } else {
      this.#limit = maxBody;
      if (maxBody !== null && declared !== null && declared > maxBody) {
        // As Django: the declared length alone decides, and nothing is read.
        this.#abandon(tooBig(maxBody));
        return;
      }
      this.#raw = new Spool({ threshold: fileMemoryLimit, tempDir });
    }
    this.#iterator = this.#source.input[Symbol.asyncIterator]();
  }

  async #feed(chunk: Uint8Array): Promise<void> {
    this.received += chunk.byteLength;
    try {
      if (this.#parser === undefined) {
        const limit = this.#limit;
        if (limit !== null && this.received > limit) {
          this.#abandon(tooBig(limit));
          return;
        }
        await this.#raw!.write(chunk);
        return;
      }
      if (this.#raw !== undefined) await this.#raw.write(chunk);
      await this.#parser.write(chunk);
      const error = this.#parser.error;
      if (error === undefined) return;
      if (error instanceof UploadStorageError) this.#abandon(error);
      else {
        this.#formError = error;
        this.#abandon(undefined);
      }
    } catch (error) {
      // The raw spool could not be written (UploadStorageError) or created (ImproperlyConfigured).
      this.#abandon(error as Error);
    }
  }

  async #end(): Promise<void> {
    this.#done = true;
    try {
      await this.#raw?.finish();
    } catch (error) {
      this.#abandon(
        new UploadStorageError(`The spooled request body could not be closed: ${(error as Error).message}`, {
          code: (error as NodeJS.ErrnoException).code,
          cause: error,
        }),
      );
      return;
    }
    if (this.#parser !== undefined) {
      this.#form = await this.#parser.end();
      if (this.#form.error !== undefined) {
        this.#formError = this.#form.error;
        if (this.#form.error instanceof UploadStorageError) this.#error ??= this.#form.error;
      }
    }
  }

  /** Stops reading for good: what was spooled or parsed so far is deleted. */
  #abandon(error: Error | undefined): void {
    if (error !== undefined) this.#error ??= error;
    this.#done = true;
    this.#raw?.discard();
    this.#parser?.discard();
  }

  /**
   * The raw body, once loaded.
   * @throws the error that stopped reading; RequestDataTooBig past DATA_UPLOAD_MAX_MEMORY_SIZE;
   *   RawPostDataException for a multipart body too large to have been kept.
   */
  raw(): Uint8Array {
    const raw = this.#checkRaw();
    return raw === undefined ? new Uint8Array(0) : raw.bytes();
  }

  /** Up to `length` bytes of the raw body from `position` (as `raw()` for the errors). */
  readAt(position: number, length: number): Uint8Array {
    const raw = this.#checkRaw();
    return raw === undefined ? new Uint8Array(0) : raw.readAt(position, length);
  }

  /** The length of the raw body (as `raw()` for the errors). */
  size(): number {
    return this.#checkRaw()?.size ?? 0;
  }

  #checkRaw(): Spool | undefined {
    if (this.#error !== undefined) throw this.#error;
    const raw = this.#raw;
    if (this.#parser === undefined) return raw;
    const limit = this.#limit!;
    const size = Math.max(this.received, this.#source.contentLength ?? 0);
    if (settings.DATA_UPLOAD_MAX_MEMORY_SIZE !== null && size > limit) throw tooBig(limit);
    if (raw === undefined || raw.dropped || this.#formError !== undefined) {
      if (this.#formError !== undefined) throw this.#formError;
      throw new RawPostDataException(
        `The raw body of this multipart request (${size} bytes) was not kept in memory: use request.POST and request.FILES.`,
      );
    }
    return raw;
  }

  /**
   * The fields and files of a multipart body, once loaded.
   * @throws the error that stopped the parse (malformed body, a limit, a storage failure).
   */
  form(): { post: QueryDict | undefined; files: MultiValueDict<UploadedFile> | undefined } {
    const error = this.#error ?? this.#formError;
    if (error !== undefined) throw error;
    return { post: this.#form?.post, files: this.#form?.files };
  }

  /** Deletes the temporary files (spooled body, uploads). */
  close(): void {
    this.#done = true;
    this.#raw?.discard();
    this.#parser?.discard();
    if (this.#form !== undefined) {
      for (const [, files] of this.#form.files.lists()) for (const file of files) file.close();
    }
  }
}
