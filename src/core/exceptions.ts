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

/** A query for one object found none; each model has its own subclass, `Post.DoesNotExist`. */
export class ObjectDoesNotExist extends Error {
  override name = 'ObjectDoesNotExist';
}

/** A query for one object found several; each model has its own subclass, `Post.MultipleObjectsReturned`. */
export class MultipleObjectsReturned extends Error {
  override name = 'MultipleObjectsReturned';
}

/** A model field name or lookup in a query is wrong (an unknown field, a lookup the field lacks). */
export class FieldError extends Error {
  override name = 'FieldError';
}

/** A model has no field of the asked name. */
export class FieldDoesNotExist extends Error {
  override name = 'FieldDoesNotExist';
}

/**
 * A value failed validation (`fullClean()`, a validator, a form field). Holds one message, a list,
 * or messages per field (`messageDict`), as Django's `ValidationError`.
 *
 * @example
 * throw new ValidationError('Enter a valid email address.', { code: 'invalid' });
 * throw new ValidationError({ title: ['This field cannot be blank.'] });
 */
export class ValidationError extends Error {
  override name = 'ValidationError';
  /** The messages per field, when built from an object of them. */
  readonly errorDict: Record<string, ValidationError[]> | undefined;
  /** The single errors this one holds (itself when it is a single message). */
  readonly errorList: ValidationError[];
  readonly code: string | undefined;
  readonly params: Record<string, unknown> | undefined;

  constructor(
    message: string | readonly (string | ValidationError)[] | Readonly<Record<string, unknown>>,
    options: { code?: string; params?: Record<string, unknown> } = {},
  ) {
    super(typeof message === 'string' ? message : '');
    this.code = options.code;
    this.params = options.params;
    const toList = (value: unknown): ValidationError[] =>
      (Array.isArray(value) ? value : [value]).flatMap((item: unknown) =>
        item instanceof ValidationError ? item.errorList : [new ValidationError(String(item))],
      );
    if (typeof message === 'string') {
      this.errorDict = undefined;
      this.errorList = [this];
    } else if (Array.isArray(message)) {
      this.errorDict = undefined;
      this.errorList = toList(message);
    } else {
      this.errorDict = {};
      for (const [field, value] of Object.entries(message as Record<string, unknown>)) {
        this.errorDict[field] =
          value instanceof ValidationError && value.errorDict
            ? toList(Object.values(value.errorDict).flat())
            : toList(value);
      }
      this.errorList = Object.values(this.errorDict).flat();
    }
    if (typeof message !== 'string') this.message = this.messages.join(' ');
  }

  /** Every message, with `%(name)s` placeholders filled from `params`. */
  get messages(): string[] {
    if (this.errorDict !== undefined) return Object.values(this.errorDict).flatMap((list) => list.map((e) => e.text));
    return this.errorList.map((e) => e.text);
  }

  /** The messages per field (`__all__` for the ones not tied to a field). */
  get messageDict(): Record<string, string[]> {
    const dict = this.errorDict ?? { __all__: this.errorList };
    return Object.fromEntries(Object.entries(dict).map(([field, list]) => [field, list.map((e) => e.text)]));
  }

  private get text(): string {
    const params = this.params;
    if (params === undefined) return this.message;
    return this.message.replace(/%\((\w+)\)[sd]/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  }
}
