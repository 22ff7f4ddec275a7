/**
 * Messages in a cookie, and what does not fit in the session, as Django's `FallbackStorage` (the
 * default MESSAGE_STORAGE): the session is read only when the cookie says not everything fit.
 */
import type { HttpRequest } from '../../../http/request.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import type { Message } from './base.ts';
import { BaseStorage, type Retrieved } from './base.ts';
import { CookieStorage } from './cookie.ts';
import { SessionStorage } from './session.ts';

/**
 * @example
 * MESSAGE_STORAGE = 'tsgi.contrib.messages.storage.fallback.FallbackStorage';
 */
export class FallbackStorage extends BaseStorage {
  static storageClasses: Array<new (request: HttpRequest) => BaseStorage> = [CookieStorage, SessionStorage];
  readonly storages: BaseStorage[];
  #usedStorages = new Set<BaseStorage>();

  constructor(request: HttpRequest) {
    super(request);
    this.storages = (this.constructor as typeof FallbackStorage).storageClasses.map((Storage) => new Storage(request));
  }

  async loadMessages(): Promise<Retrieved> {
    const all: Message[] = [];
    let allRetrieved = true;
    for (const storage of this.storages) {
      const [messages, complete] = await storage.loadMessages();
      allRetrieved = complete;
      // A storage that was never used: nothing further either.
      if (messages === null) break;
      if (messages.length > 0) this.#usedStorages.add(storage);
      all.push(...messages);
      if (complete) break;
    }
    return [all, allRetrieved];
  }

  async storeMessages(messages: Message[], response: HttpResponseBase): Promise<Message[]> {
    let left = messages;
    for (const storage of this.storages) {
      if (left.length > 0) {
        left = await storage.storeMessages(left, response, false);
      } else if (this.#usedStorages.has(storage)) {
        // Empty the storages that held messages, even when nothing is left to store.
        await storage.storeMessages([], response);
        this.#usedStorages.delete(storage);
      }
    }
    return left;
  }
}
