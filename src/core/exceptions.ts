/**
 * The framework's exceptions, named as Django's `django.core.exceptions` so a Django user finds
 * them where expected. The request handler maps them to responses (core/handlers/exception.ts).
 */

/** The project's configuration is wrong; the message says what and how to fix it. */
export class ImproperlyConfigured extends Error {
  override name = 'ImproperlyConfigured';
}

/** The user may not do this: a 403 answer. */
export class PermissionDenied extends Error {
  override name = 'PermissionDenied';
}

/** The request looks like an attack or is otherwise unsafe to serve: a 400 answer, logged under `security`. */
export class SuspiciousOperation extends Error {
  override name = 'SuspiciousOperation';
}

/** The Host header is not in `ALLOWED_HOSTS`. */
export class DisallowedHost extends SuspiciousOperation {
  override name = 'DisallowedHost';
}

/** A redirect to a URL scheme that is not allowed (`javascript:`, `data:`). */
export class DisallowedRedirect extends SuspiciousOperation {
  override name = 'DisallowedRedirect';
}

/** The request body is larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`. */
export class RequestDataTooBig extends SuspiciousOperation {
  override name = 'RequestDataTooBig';
}

/** More form fields than `DATA_UPLOAD_MAX_NUMBER_FIELDS`. */
export class TooManyFieldsSent extends SuspiciousOperation {
  override name = 'TooManyFieldsSent';
}

/** More uploaded files than `DATA_UPLOAD_MAX_NUMBER_FILES`. */
export class TooManyFilesSent extends SuspiciousOperation {
  override name = 'TooManyFilesSent';
}

/** The request is malformed: a 400 answer, not logged as a security event. */
export class BadRequest extends Error {
  override name = 'BadRequest';
}

/** A middleware factory throws this to take itself out of the chain. */
export class MiddlewareNotUsed extends Error {
  override name = 'MiddlewareNotUsed';
}

/** A view named by a dotted path or in a URLconf cannot be found. */
export class ViewDoesNotExist extends Error {
  override name = 'ViewDoesNotExist';
}
