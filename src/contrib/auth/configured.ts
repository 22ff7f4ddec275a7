/**
 * The parts of auth that settings name: the model of AUTH_USER_MODEL and the backends of
 * AUTHENTICATION_BACKENDS (Django's `get_user_model()` and `get_backends()`), loaded when first
 * asked and again after the setting changes.
 */
import { fromSettings, settings } from '../../conf/index.ts';
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import { getModel, LookupError, type Options } from '../../db/models/index.ts';
import { importString } from '../../utils/module-loading.ts';
import type { BaseBackend } from './backends.ts';

/** The session keys of a logged-in user, as Django names them. */
export const SESSION_KEY = '_auth_user_id';
export const BACKEND_SESSION_KEY = '_auth_user_backend';
export const HASH_SESSION_KEY = '_auth_user_hash';
/** The query parameter carrying where to go after logging in. */
export const REDIRECT_FIELD_NAME = 'next';

const DJANGO_BACKENDS = 'django.contrib.auth.backends.';

/** A backend's dotted path as tsgi loads it: Django's names are understood. */
export function backendPath(path: string): string {
  return path.startsWith(DJANGO_BACKENDS) ? `tsgi.contrib.auth.backends.${path.slice(DJANGO_BACKENDS.length)}` : path;
}

/** An authentication backend by dotted path (a new instance, as Django's `load_backend`). */
export function loadBackend(path: string): BaseBackend {
  let Backend: unknown;
  try {
    Backend = importString(backendPath(path));
  } catch (error) {
    throw new ImproperlyConfigured(
      `The authentication backend '${path}' cannot be loaded: ${(error as Error).message} Check AUTHENTICATION_BACKENDS.`,
      { cause: error },
    );
  }
  if (typeof Backend !== 'function') {
    throw new ImproperlyConfigured(
      `The authentication backend '${path}' is not a class. Check AUTHENTICATION_BACKENDS.`,
    );
  }
  return new (Backend as new () => BaseBackend)();
}

const backends = fromSettings(() => {
  const paths = settings.AUTHENTICATION_BACKENDS as readonly string[];
  if (paths.length === 0) {
    throw new ImproperlyConfigured(
      'No authentication backends have been defined. Does AUTHENTICATION_BACKENDS contain anything?',
    );
  }
  return paths.map((path) => ({ path, backend: loadBackend(path) }));
});

/** The backends of AUTHENTICATION_BACKENDS with their paths, in order. */
export function getBackendsWithPaths(): ReadonlyArray<{ path: string; backend: BaseBackend }> {
  return backends();
}

/** The backends of AUTHENTICATION_BACKENDS, in order. */
export function getBackends(): BaseBackend[] {
  return backends().map((b) => b.backend);
}

/** The user model's metadata (AUTH_USER_MODEL). */
export function getUserModelOptions(): Options {
  const label = String(settings.AUTH_USER_MODEL);
  if (!/^[^.]+\.[^.]+$/.test(label)) {
    throw new ImproperlyConfigured(`AUTH_USER_MODEL must be of the form 'app_label.ModelName', got '${label}'.`);
  }
  try {
    return getModel(label);
  } catch (error) {
    if (!(error instanceof LookupError)) throw error;
    throw new ImproperlyConfigured(
      `AUTH_USER_MODEL refers to model '${label}' that has not been installed: ${error.message} ` +
        'Add its app to INSTALLED_APPS (its models module must export it), or give the model { appLabel }.',
      { cause: error },
    );
  }
}

/**
 * The user model: AUTH_USER_MODEL's class (auth's `User` unless the project swapped it).
 *
 * @example
 * const User = getUserModel<typeof User>();
 * await User.objects.createUser({ username: 'ada', password: 's3cret' });
 */
export function getUserModel<T = UserModelClass>(): T {
  return getUserModelOptions().model as unknown as T;
}

/** What auth needs of a user model class. */
export type UserModelClass = (new (init?: Record<string, unknown>) => object) & {
  readonly _meta: Options;
  readonly USERNAME_FIELD: string;
  readonly objects: { getByNaturalKey(username: string): Promise<object>; get(lookups: object): Promise<object> };
  readonly DoesNotExist: new (...args: never[]) => Error;
};
