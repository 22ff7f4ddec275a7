/**
 * The type of `request.user`. A project with its own user model tells TypeScript so once:
 *
 * @example
 * // accounts/models.ts
 * declare module 'tsgi/contrib/auth' {
 *   interface Register { user: Customer }
 * }
 */
import type { AnonymousUser, User } from './models.ts';

/** Declares the project's user model (`user`); auth's User when left empty. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the project's declaration merging
export interface Register {}

/** The project's user model: Register's `user`, or auth's User. */
export type AuthUser = Register extends { user: infer U } ? U : User;

/** What `request.user` is: a user, or AnonymousUser (`isAuthenticated` tells them apart). */
export type RequestUser = AuthUser | AnonymousUser;
