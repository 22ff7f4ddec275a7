/**
 * Adding and reading messages, as Django's `django.contrib.messages.api`: `success(request,
 * 'Saved.')` and friends queue a message for the next page the user sees.
 */
import type { HttpRequest } from '../../http/request.ts';
import type { SafeString } from '../../utils/safestring.ts';
import { DEBUG, ERROR, INFO, SUCCESS, WARNING } from './constants.ts';
import type { BaseStorage } from './storage/base.ts';
import { defaultStorage } from './storage/index.ts';

/** Where MessageMiddleware keeps the request's storage (Django's `request._messages`). */
const STORAGE = Symbol.for('tsgi.contrib.messages.storage');
type WithStorage = HttpRequest & { [STORAGE]?: BaseStorage };

/** A message could not be added: MessageMiddleware is not installed. */
export class MessageFailure extends Error {
  override name = 'MessageFailure';
}

/** Options of addMessage() and the level functions. */
export interface MessageOptions {
  /** More CSS classes, before the level's. */
  extraTags?: string;
  /** Do nothing (instead of MessageFailure) when MessageMiddleware is not installed. */
  failSilently?: boolean;
}

/** Gives a request its storage (MessageMiddleware does). */
export function setStorage(request: HttpRequest, storage: BaseStorage): void {
  (request as WithStorage)[STORAGE] = storage;
}

/** The request's storage, if MessageMiddleware gave it one. */
export function storageOf(request: HttpRequest): BaseStorage | undefined {
  return (request as WithStorage)[STORAGE];
}

/**
 * Queues a message for the user.
 * @throws MessageFailure when MessageMiddleware is not installed (unless `failSilently`).
 * @example addMessage(request, INFO, 'Over 9000!', { extraTags: 'dragonball' });
 */
export function addMessage(
  request: HttpRequest,
  level: number,
  message: string | SafeString,
  options: MessageOptions = {},
): void {
  const storage = storageOf(request);
  if (storage !== undefined) {
    storage.add(level, message, options.extraTags ?? '');
    return;
  }
  if (request === null || typeof request !== 'object' || !('META' in request)) {
    const name = (request as { constructor?: { name?: string } } | null)?.constructor?.name ?? String(request);
    throw new TypeError(`addMessage() argument must be an HttpRequest object, not '${name}'.`);
  }
  if (!options.failSilently) {
    throw new MessageFailure(
      'You cannot add messages without installing tsgi.contrib.messages.middleware.MessageMiddleware',
    );
  }
}

/**
 * The request's messages (the storage), or an empty list without MessageMiddleware. Load before
 * iterating: `for await (const message of getMessages(request))`.
 */
export function getMessages(request: HttpRequest): BaseStorage | readonly never[] {
  return storageOf(request) ?? [];
}

/** The lowest level recorded for this request (MESSAGE_LEVEL unless set). */
export function getLevel(request: HttpRequest): number {
  return (storageOf(request) ?? defaultStorage(request)).level;
}

/** Sets the lowest level recorded for this request; false without MessageMiddleware. */
export function setLevel(request: HttpRequest, level: number | null): boolean {
  const storage = storageOf(request);
  if (storage === undefined) return false;
  storage.level = level;
  return true;
}

/** A DEBUG message (recorded only if MESSAGE_LEVEL or setLevel() allows it). */
export function debug(request: HttpRequest, message: string | SafeString, options?: MessageOptions): void {
  addMessage(request, DEBUG, message, options);
}

/** An INFO message. */
export function info(request: HttpRequest, message: string | SafeString, options?: MessageOptions): void {
  addMessage(request, INFO, message, options);
}

/** A SUCCESS message. @example success(request, 'Profile details updated.'); */
export function success(request: HttpRequest, message: string | SafeString, options?: MessageOptions): void {
  addMessage(request, SUCCESS, message, options);
}

/** A WARNING message. */
export function warning(request: HttpRequest, message: string | SafeString, options?: MessageOptions): void {
  addMessage(request, WARNING, message, options);
}

/** An ERROR message. */
export function error(request: HttpRequest, message: string | SafeString, options?: MessageOptions): void {
  addMessage(request, ERROR, message, options);
}
