/**
 * Messages in the session, as Django's `SessionStorage` (under `_messages`, in Django's JSON form):
 * no size limit, but reading them reads the session. Needs SessionMiddleware before
 * MessageMiddleware.
 */
import { ImproperlyConfigured } from '../../../core/exceptions.ts';
import type { HttpRequest } from '../../../http/request.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import { BaseStorage, Message, MessageSerializer, type Retrieved } from './base.ts';

/**
 * @example
 * MESSAGE_STORAGE = 'tsgi.contrib.messages.storage.session.SessionStorage';
 */
export class SessionStorage extends BaseStorage {
  static sessionKey = '_messages';

  constructor(request: HttpRequest) {
    if (request.session === undefined) {
      throw new ImproperlyConfigured(
        'The session-based temporary message storage requires session middleware to be installed, and come before ' +
          'the message middleware in the MIDDLEWARE list.',
      );
    }
    super(request);
  }

  async loadMessages(): Promise<Retrieved> {
    const session = await this.request.session.load();
    return [this.deserializeMessages(session.get(SessionStorage.sessionKey)), true];
  }

  async storeMessages(messages: Message[], _response?: HttpResponseBase): Promise<Message[]> {
    const session = await this.request.session.load();
    if (messages.length > 0) session.set(SessionStorage.sessionKey, this.serializeMessages(messages));
    else if (session.has(SessionStorage.sessionKey)) session.delete(SessionStorage.sessionKey);
    return [];
  }

  serializeMessages(messages: Message[]): string {
    return MessageSerializer.dumps(messages);
  }

  deserializeMessages(data: unknown): Message[] | null {
    if (typeof data === 'string' && data !== '') {
      try {
        const decoded = MessageSerializer.loads(data);
        return Array.isArray(decoded) ? (decoded.filter((m) => m instanceof Message) as Message[]) : null;
      } catch {
        return null;
      }
    }
    return null;
  }
}
