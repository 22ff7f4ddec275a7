/** Exceptions of the HTTP layer, as Django's `django.http`. */
import { BadRequest, RequestDataTooBig } from '../core/exceptions.ts';

/** Raised by a view (or `resolve()`) to answer 404 Not Found. */
export class Http404 extends Error {
  override name = 'Http404';
}

/** A header name or value contains CR or LF, which would split the response. */
export class BadHeaderError extends Error {
  override name = 'BadHeaderError';
}

/** The request body could not be read (the client went away mid-upload). */
export class UnreadablePostError extends Error {
  override name = 'UnreadablePostError';
}

/** The raw body was asked for after the request's data stream had been consumed. */
export class RawPostDataException extends Error {
  override name = 'RawPostDataException';
}

/** A `multipart/form-data` body is malformed: a 400 answer, as Django's `MultiPartParserError`. */
export class MultiPartParserError extends BadRequest {
  override name = 'MultiPartParserError';
}

/**
 * An uploaded file is larger than `FILE_UPLOAD_MAX_SIZE`. Found while the body streams in, so the
 * rest of the body is not read; answered 413 Content Too Large (RFC 9110 §15.5.14). A
 * `RequestDataTooBig`, so code that catches that catches this too.
 */
export class FileTooBig extends RequestDataTooBig {
  override name = 'FileTooBig';
}

/**
 * The request body (a spooled upload) could not be written to disk: answered at once, its
 * temporary file deleted. `statusCode` is 507 Insufficient Storage when the disk or quota is full
 * (ENOSPC, EDQUOT; RFC 4918 §11.5), 413 Content Too Large when the file outgrew the size the
 * process may write (EFBIG), 500 otherwise; `code` is the system error code.
 */
export class UploadStorageError extends Error {
  override name = 'UploadStorageError';
  readonly statusCode: 413 | 500 | 507;
  readonly code: string | undefined;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.statusCode =
      options.code === 'ENOSPC' || options.code === 'EDQUOT' ? 507 : options.code === 'EFBIG' ? 413 : 500;
  }
}

/** The error for field data past `DATA_UPLOAD_MAX_MEMORY_SIZE`, as Django words it. */
export function tooBig(limit: number): RequestDataTooBig {
  return new RequestDataTooBig(
    `Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE (${limit} bytes). ` +
      'Send less data, or raise the setting if such requests are legitimate.',
  );
}
