/**
 * The framework's exceptions, named as Django's `django.core.exceptions` so a Django user finds
 * them where expected. The request handler maps them to responses (core/handlers/exception.ts).
 */
import type * as Printf from '../utils/printf.ts';
import { lazyModule } from '../utils/module-loading.ts';

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

/** The key of the errors that belong to no field (Django's `NON_FIELD_ERRORS`). */
export const NON_FIELD_ERRORS = '__all__';

/** What a `ValidationError` is built from: a message, a list of them, or messages per field. */
export type ValidationErrorMessage =
  string | ValidationError | readonly (string | ValidationError)[] | Readonly<Record<string, unknown>>;

// Python's `%` formatting fills a message's params; loaded on the first message that has params.
const printf = lazyModule<typeof Printf>(import.meta.url, '../utils/printf');

/**
 * A value failed validation (`fullClean()`, a validator, a form field). Holds one message, a list,
 * or messages per field (`errorDict`), as Django's `ValidationError`. A single message keeps its
 * `code` and `params`: `%(name)s` placeholders are filled when the message is read (`messages`,
 * `text`), so a form field's `errorMessages` may replace the message and keep the params.
 *
 * @example
 * throw new ValidationError('Enter a valid email address.', { code: 'invalid' });
 * throw new ValidationError('%(value)s is taken.', { code: 'taken', params: { value: 'ann' } });
 * throw new ValidationError({ title: ['This field cannot be blank.'] });
 */
export class ValidationError extends Error {
  override name = 'ValidationError';
  /** The errors per field, when built from an object of them. */
  readonly errorDict: Record<string, ValidationError[]> | undefined;
  /** The single errors this one holds (itself when it is a single message; every field's for a dict). */
  readonly errorList: ValidationError[];
  readonly code: string | undefined;
  readonly params: Record<string, unknown> | undefined;

  constructor(message: ValidationErrorMessage, options: { code?: string; params?: Record<string, unknown> } = {}) {
    let code = options.code;
    let params = options.params;
    let source: unknown = message;
    if (message instanceof ValidationError) {
      if (message.errorDict !== undefined) source = message.errorDict;
      else if (!message.isSingle) source = message.errorList;
      else {
        source = message.message;
        code = message.code;
        params = message.params;
      }
    }
    super(typeof source === 'string' ? source : '');
    if (typeof source === 'string') {
      this.code = code;
      this.params = params;
      this.errorDict = undefined;
      this.errorList = [this];
      return;
    }
    this.code = undefined;
    this.params = undefined;
    if (Array.isArray(source)) {
      this.errorDict = undefined;
      this.errorList = toErrorList(source);
    } else {
      this.errorDict = {};
      for (const [field, value] of Object.entries(source as Record<string, unknown>)) {
        this.errorDict[field] = toErrorList(value);
      }
      this.errorList = Object.values(this.errorDict).flat();
    }
    this.message = this.messages.join(' ');
  }

  /** Whether this is one message (with its own code and params), not a list or a dict. */
  get isSingle(): boolean {
    return this.errorDict === undefined && this.errorList.length === 1 && this.errorList[0] === this;
  }

  /** Every message, with `%(name)s` placeholders filled from `params`. */
  get messages(): string[] {
    return this.errorList.map((e) => e.text);
  }

  /** The messages per field (`__all__` for the ones not tied to a field). */
  get messageDict(): Record<string, string[]> {
    const dict = this.errorDict ?? { [NON_FIELD_ERRORS]: this.errorList };
    return Object.fromEntries(Object.entries(dict).map(([field, list]) => [field, list.map((e) => e.text)]));
  }

  /** The message of a single error with its params filled in (Python's `message % params`). */
  get text(): string {
    if (!this.isSingle) return this.messages.join(' ');
    const params = this.params;
    if (params === undefined || !this.message.includes('%')) return this.message;
    return printf().percentFormat(this.message, params);
  }

  /**
   * Adds these errors to `errorDict` (field to errors), under NON_FIELD_ERRORS when they belong
   * to no field, and returns it (Django's `update_error_dict`).
   */
  updateErrorDict(errorDict: Record<string, ValidationError[]>): Record<string, ValidationError[]> {
    const dict = this.errorDict ?? { [NON_FIELD_ERRORS]: this.errorList };
    for (const [field, list] of Object.entries(dict)) (errorDict[field] ??= []).push(...list);
    return errorDict;
  }

  /** The messages; for errors per field, `[field, messages]` pairs (as iterating Django's does). */
  *[Symbol.iterator](): Generator<string | [string, string[]]> {
    if (this.errorDict !== undefined) {
      for (const [field, list] of Object.entries(this.errorDict)) yield [field, list.map((e) => e.text)];
    } else {
      yield* this.messages;
    }
  }
}

function toErrorList(value: unknown): ValidationError[] {
  return (Array.isArray(value) ? value : [value]).flatMap((item: unknown) => {
    const error = item instanceof ValidationError ? item : new ValidationError(String(item));
    return error.errorDict !== undefined ? Object.values(error.errorDict).flat() : error.errorList;
  });
}
