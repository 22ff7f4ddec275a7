/**
 * Messages in a signed cookie, as Django's `CookieStorage`: nothing to read server-side; the
 * cookie (`messages`) holds at most 2048 bytes, and what does not fit is left to the next storage
 * (FallbackStorage) with a "not finished" marker. A cookie whose signature fails is dropped.
 */
import { settings } from '../../../conf/index.ts';
import { getCookieSigner, type Signer } from '../../../core/signing.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import type { Message } from './base.ts';
import { BaseStorage, MessageSerializer, type Retrieved } from './base.ts';

/**
 * @example
 * MESSAGE_STORAGE = 'tsgi.contrib.messages.storage.cookie.CookieStorage';
 */
export class CookieStorage extends BaseStorage {
  static cookieName = 'messages';
  /** Half of the 4 KB many servers allow for all headers (Django #18781). */
  static maxCookieSize = 2048;
  static readonly notFinished = '__messagesnotfinished__';
  static keySalt = 'tsgi.contrib.messages';
  #signer: Signer | undefined;

  get #class(): typeof CookieStorage {
    return this.constructor as typeof CookieStorage;
  }

  get signer(): Signer {
    return (this.#signer ??= getCookieSigner(this.#class.keySalt));
  }

  loadMessages(): Promise<Retrieved> {
    const messages = this.decode(this.request.COOKIES[this.#class.cookieName]);
    const last = messages?.at(-1);
    const allRetrieved = !(messages && messages.length > 0 && last === CookieStorage.notFinished);
    if (messages && !allRetrieved) messages.pop();
    return Promise.resolve([messages as Message[] | null, allRetrieved]);
  }

  #updateCookie(encoded: string | undefined, response: HttpResponseBase): void {
    const samesite = settings.SESSION_COOKIE_SAMESITE || null;
    if (encoded) {
      response.setCookie(this.#class.cookieName, encoded, {
        domain: settings.SESSION_COOKIE_DOMAIN,
        secure: Boolean(settings.SESSION_COOKIE_SECURE),
        httponly: Boolean(settings.SESSION_COOKIE_HTTPONLY),
        samesite,
      });
    } else if (this.request.COOKIES[this.#class.cookieName] !== undefined) {
      response.deleteCookie(this.#class.cookieName, { domain: settings.SESSION_COOKIE_DOMAIN, samesite });
    }
  }

  storeMessages(messages: Message[], response: HttpResponseBase, removeOldest = true): Promise<Message[]> {
    const unstored: Message[] = [];
    const kept = [...messages];
    let encoded = this.encode(kept);
    const max = this.#class.maxCookieSize;
    if (max) {
      while (encoded && encoded.length > max) {
        if (removeOldest) unstored.push(kept.shift()!);
        else unstored.unshift(kept.pop()!);
        encoded = this.encode([...kept, CookieStorage.notFinished], unstored.length > 0);
      }
    }
    this.#updateCookie(encoded, response);
    return Promise.resolve(unstored);
  }

  /** The signed text of the messages (undefined for none, unless `encodeEmpty`). */
  encode(messages: Array<Message | string>, encodeEmpty = false): string | undefined {
    if (messages.length === 0 && !encodeEmpty) return undefined;
    return this.signer.signObject(messages, { serializer: MessageSerializer, compress: true });
  }

  /** The messages of a cookie, or null (a bad one marks the storage used, so the cookie goes). */
  decode(data: string | undefined): Array<Message | string> | null {
    if (!data) return null;
    try {
      const decoded = this.signer.unsignObjectWith(data, MessageSerializer);
      if (Array.isArray(decoded)) return decoded as Array<Message | string>;
    } catch {
      // A bad signature or bad data: dropped below.
    }
    this.used = true;
    return null;
  }
}
