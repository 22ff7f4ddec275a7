/**
 * The errors of sessions, as Django's `django.contrib.sessions.exceptions` and the two of its
 * `backends.base`, plus tsgi's: a session used before it was loaded, and a store that cannot be
 * reached.
 */
import { BadRequest, SuspiciousOperation } from '../../core/exceptions.ts';

/** Session data that fails its signature or cannot be read (logged under `tsgi.security.SuspiciousSession`). */
export class SuspiciousSession extends SuspiciousOperation {
  override name = 'SuspiciousSession';
}

/** The session was deleted while the request ran (a logout in another tab): a 400 answer, as Django's. */
export class SessionInterrupted extends BadRequest {
  override name = 'SessionInterrupted';
}

/** `save(true)` found the key taken: the engine tries another. */
export class CreateError extends Error {
  override name = 'CreateError';
}

/** `save()` of a session the store no longer has. */
export class UpdateError extends Error {
  override name = 'UpdateError';
}

/**
 * The session store (a cache, a folder, a database) cannot be reached: SessionMiddleware answers
 * 503 Service Unavailable, and nothing is written.
 */
export class SessionStoreUnavailable extends Error {
  override name = 'SessionStoreUnavailable';
}

/** `request.session` was read or written before `await request.session.load()`. */
export class SessionNotLoaded extends Error {
  override name = 'SessionNotLoaded';
}
