/**
 * `tsgi/contrib/sessions`: sessions, as Django's `django.contrib.sessions`. Add
 * `'tsgi.contrib.sessions'` to INSTALLED_APPS (for `clearsessions`) and
 * `'tsgi.contrib.sessions.middleware.SessionMiddleware'` to MIDDLEWARE; views then have
 * `request.session`, loaded with one await (docs/sessions.md).
 *
 * @example
 * import { loadSession } from 'tsgi/contrib/sessions';
 *
 * export async function visits(request: HttpRequest) {
 *   const session = await request.session.load();
 *   session.set('visits', session.get<number>('visits', 0) + 1);
 *   return new HttpResponse(`Visit ${session.get('visits')}`);
 * }
 */
export { SessionBase, VALID_KEY_CHARS, SESSION_SERIALIZER, hashSessionKey } from './backends/base.ts';
export type { ExpiryOptions, SessionExpiry } from './backends/base.ts';
export {
  CreateError,
  SessionInterrupted,
  SessionNotLoaded,
  SessionStoreUnavailable,
  SuspiciousSession,
  UpdateError,
} from './exceptions.ts';
export { loadSession } from './decorators.ts';
export { sessionEngine } from './middleware.ts';
export type { SessionStoreClass } from './middleware.ts';
