/** Exceptions of the HTTP layer, as Django's `django.http`. */
import { BadRequest } from '../core/exceptions.ts';

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
