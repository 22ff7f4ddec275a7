/**
 * `MessageMiddleware`, as Django's: gives each request its message storage (MESSAGE_STORAGE) and,
 * after the view, stores the messages not shown yet. Put it after SessionMiddleware, whose
 * response phase then saves what the session storage wrote.
 */
import { settings } from '../../conf/index.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type { GetResponse } from '../../middleware/index.ts';
import { setStorage, storageOf } from './api.ts';
import { defaultStorage } from './storage/index.ts';

/**
 * @example
 * MIDDLEWARE = [..., 'tsgi.contrib.sessions.middleware.SessionMiddleware', ..., 'tsgi.contrib.messages.middleware.MessageMiddleware'];
 */
export class MessageMiddleware {
  readonly getResponse: GetResponse;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
  }

  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    setStorage(request, defaultStorage(request));
    const response = this.getResponse(request);
    if (response instanceof Promise) return response.then((answer) => this.processResponse(request, answer));
    // Synchronous when there is nothing to store (no message added, none shown): the common page
    // pays no promise for this middleware.
    const storage = storageOf(request);
    if (storage === undefined || (!storage.used && !storage.addedNew)) return response;
    return this.processResponse(request, response);
  }

  /** Stores the messages; in DEBUG, fails when some could not be stored (as Django). */
  async processResponse(request: HttpRequest, response: HttpResponseBase): Promise<HttpResponseBase> {
    const storage = storageOf(request);
    if (storage === undefined) return response;
    const unstored = await storage.update(response);
    if (unstored !== undefined && unstored.length > 0 && settings.DEBUG) {
      throw new Error('Not all temporary messages could be stored.');
    }
    return response;
  }
}
