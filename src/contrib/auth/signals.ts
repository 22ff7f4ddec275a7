/**
 * The auth signals, as Django's `django.contrib.auth.signals`. Sent with `sendAsync()`: async
 * receivers are awaited, one after the other (the `lastLogin` update is one).
 *
 * @example
 * userLoggedIn.connect(({ request, user }) => audit('login', user, request.META.REMOTE_ADDR));
 */
import { Signal } from '../../dispatch/signal.ts';
import type { HttpRequest } from '../../http/request.ts';

/** After `login()`: sender is the user's class. */
export const userLoggedIn = new Signal<{ request: HttpRequest; user: object }>();

/** Before `logout()` ends the session: `user` is null for a visitor who was not logged in. */
export const userLoggedOut = new Signal<{ request: HttpRequest; user: object | null }>();

/**
 * After `authenticate()` found no user for the credentials: sent with the module's name as
 * sender and the credentials with every secret-looking value (password, token, key...) masked.
 */
export const userLoginFailed = new Signal<{ credentials: Record<string, unknown>; request: HttpRequest | null }>();
