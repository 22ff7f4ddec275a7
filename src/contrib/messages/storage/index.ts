/** The storage MESSAGE_STORAGE names, as Django's `django.contrib.messages.storage.default_storage`. */
import { settings } from '../../../conf/index.ts';
import { ImproperlyConfigured } from '../../../core/exceptions.ts';
import type { HttpRequest } from '../../../http/request.ts';
import { importString } from '../../../utils/module-loading.ts';
import type { BaseStorage } from './base.ts';

/** The last MESSAGE_STORAGE resolved and its class: importString() on every request costs more than the rest of MessageMiddleware. */
let resolvedFrom: unknown;
let resolved: (new (request: HttpRequest) => BaseStorage) | undefined;

/** The class MESSAGE_STORAGE names (resolved again when the setting changes). */
function storageClass(): new (request: HttpRequest) => BaseStorage {
  const configured = settings.MESSAGE_STORAGE as unknown;
  if (resolved !== undefined && configured === resolvedFrom) return resolved;
  let Storage: unknown = configured;
  if (typeof configured === 'string') {
    const name = configured.replace(/^django\.contrib\.messages\./, 'tsgi.contrib.messages.');
    try {
      Storage = importString(name);
    } catch (error) {
      throw new ImproperlyConfigured(`MESSAGE_STORAGE '${configured}' cannot be loaded: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (typeof Storage !== 'function') {
    throw new ImproperlyConfigured(`MESSAGE_STORAGE must name a storage class, got ${String(configured)}.`);
  }
  resolvedFrom = configured;
  resolved = Storage as new (request: HttpRequest) => BaseStorage;
  return resolved;
}

/** A new storage of the MESSAGE_STORAGE class for this request. */
export function defaultStorage(request: HttpRequest): BaseStorage {
  return new (storageClass())(request);
}
