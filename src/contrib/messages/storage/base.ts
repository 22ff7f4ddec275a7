/**
 * Messages and what every message storage is, as Django's `django.contrib.messages.storage.base`:
 * messages added during a request are queued, and stored (in a cookie, the session, or both) by
 * MessageMiddleware at the end of the request, to be shown on a later page. Iterating the
 * messages marks them used: they are not stored again.
 *
 * Reading stored messages may take an await (the session is a store), so a storage is loaded
 * before it is iterated: `for await (const message of getMessages(request))`, or
 * `await getMessages(request).load()` then a plain `for`; the `messages` context processor loads
 * them for templates. Adding a message never reads anything.
 */
import { settings } from '../../../conf/index.ts';
import type { HttpRequest } from '../../../http/request.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import { escapeHtml, SafeString } from '../../../utils/safestring.ts';
import { INFO } from '../constants.ts';
import { getLevelTags } from '../utils.ts';

/** One message: a level, a text (a SafeString is shown unescaped), extra tags. */
export class Message {
  level: number;
  message: string | SafeString;
  extraTags: string | null;
  /** The extra tags and the level's tag, space-separated: CSS classes. */
  declare readonly tags: string;
  /** The level's tag (`success`), from MESSAGE_TAGS over the defaults. */
  declare readonly levelTag: string;

  constructor(level: number, message: string | SafeString, extraTags: string | null = null) {
    this.level = Math.trunc(Number(level));
    this.message = message;
    this.extraTags = extraTags;
    // Own accessors rather than prototype getters: code that reads only own properties sees
    // them too.
    Object.defineProperties(this, {
      levelTag: { get: () => getLevelTags()[this.level] ?? '' },
      tags: { get: () => [this.extraTags, this.levelTag].filter((tag) => tag).join(' ') },
    });
  }

  /** Same level and text (Django's `__eq__`). */
  equals(other: unknown): boolean {
    return other instanceof Message && other.level === this.level && String(other.message) === String(this.message);
  }

  toString(): string {
    return String(this.message);
  }

  /** The message as HTML: a SafeString as it is, text escaped (the `__html__` convention of Django's templates). */
  __html__(): string {
    return escapeHtml(this.message);
  }

  toJSON(): unknown {
    return { level: this.level, message: String(this.message), tags: this.tags };
  }
}

/** Messages were iterated before they were loaded. */
export class MessagesNotLoaded extends Error {
  override name = 'MessagesNotLoaded';
}

/** What a storage's `loadMessages()` answers: the messages (null if it was never used) and whether that was all of them. */
export type Retrieved = [messages: Message[] | null, allRetrieved: boolean];

/**
 * The base of message storages. A storage implements `loadMessages()` and `storeMessages()`
 * (Django's `_get` and `_store`).
 */
export abstract class BaseStorage implements Iterable<Message>, AsyncIterable<Message> {
  readonly request: HttpRequest;
  /** Whether the messages were iterated (shown): they are not stored again. */
  used = false;
  /** Whether a message was added in this request. */
  addedNew = false;
  #queued: Message[] = [];
  #loaded: Message[] | undefined;
  #level: number | undefined;

  constructor(request: HttpRequest) {
    this.request = request;
  }

  /** Reads the stored messages (Django's `_get`). */
  abstract loadMessages(): Promise<Retrieved>;
  /** Stores messages and answers those it could not store (Django's `_store`). */
  abstract storeMessages(messages: Message[], response: HttpResponseBase, removeOldest?: boolean): Promise<Message[]>;

  /** Reads the stored messages, once; resolves to the storage. */
  async load(): Promise<this> {
    if (this.#loaded === undefined) {
      const [messages] = await this.loadMessages();
      this.#loaded ??= messages ?? [];
    }
    return this;
  }

  /** Whether the stored messages have been read. */
  get loaded(): boolean {
    return this.#loaded !== undefined;
  }

  #loadedMessages(): Message[] {
    if (this.#loaded !== undefined) return this.#loaded;
    throw new MessagesNotLoaded(
      'The messages were read before they were loaded: they may be in the session, which takes an await to read. ' +
        'Use `for await (const message of getMessages(request))`, or `await getMessages(request).load()` first; ' +
        'templates get them loaded from the tsgi.contrib.messages.context-processors.messages context processor.',
    );
  }

  /** How many messages there are, stored and new. */
  get length(): number {
    return this.#loadedMessages().length + this.#queued.length;
  }

  /** The messages, stored then new; iterating marks them used. */
  [Symbol.iterator](): Iterator<Message> {
    const loaded = this.#loadedMessages();
    this.used = true;
    if (this.#queued.length > 0) {
      loaded.push(...this.#queued);
      this.#queued = [];
    }
    return loaded[Symbol.iterator]();
  }

  /** Loads, then iterates (marking the messages used). */
  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    await this.load();
    const iterator = this[Symbol.iterator]();
    for (let step = iterator.next(); step.done !== true; step = iterator.next()) yield step.value;
  }

  /** Whether a message with the same level and text is here. */
  has(message: Message): boolean {
    return [...this.#loadedMessages(), ...this.#queued].some((m) => m.equals(message));
  }

  /**
   * Queues a message, unless it is empty or below `level`. Nothing is read or written until the
   * end of the request.
   */
  add(level: number, message: string | SafeString, extraTags: string | null = ''): void {
    if (message === '' || message === null || message === undefined) return;
    if (message instanceof SafeString && message.value === '') return;
    const number = Math.trunc(Number(level));
    if (number < this.level) return;
    this.addedNew = true;
    this.#queued.push(new Message(number, message, extraTags));
  }

  /**
   * Stores the messages not shown yet: only the new ones if the storage was iterated, else the
   * stored ones again with the new ones. Resolves to those that could not be stored.
   */
  async update(response: HttpResponseBase): Promise<Message[] | undefined> {
    for (const message of this.#queued) {
      if (!(message.message instanceof SafeString)) message.message = String(message.message);
      if (message.extraTags !== null) message.extraTags = String(message.extraTags);
    }
    if (this.used) return this.storeMessages(this.#queued, response);
    if (this.addedNew) {
      await this.load();
      return this.storeMessages([...this.#loaded!, ...this.#queued], response);
    }
    return undefined;
  }

  /** The lowest level recorded: MESSAGE_LEVEL unless set for this request. */
  get level(): number {
    return this.#level ?? Number(settings.MESSAGE_LEVEL ?? INFO);
  }

  /** Sets the lowest level recorded for this request; null goes back to MESSAGE_LEVEL. */
  set level(value: number | null) {
    this.#level = value === null || value === undefined ? undefined : Math.trunc(Number(value));
  }
}

/** The JSON form of messages, Django's MessageEncoder: `["__json_message", isSafe, level, text, extraTags?]`. */
export const MESSAGE_KEY = '__json_message';

function encodeValue(value: unknown): unknown {
  if (value instanceof Message) {
    const safe = value.message instanceof SafeString ? 1 : 0;
    const out: unknown[] = [MESSAGE_KEY, safe, value.level, String(value.message)];
    if (value.extraTags) out.push(value.extraTags);
    return out;
  }
  if (Array.isArray(value)) return value.map(encodeValue);
  return value;
}

function decodeValue(value: unknown): unknown {
  if (Array.isArray(value) && value.length > 0) {
    if (value[0] === MESSAGE_KEY) {
      const [, safe, level, text, extraTags] = value as [string, number, number, string, string | undefined];
      return new Message(level, safe ? new SafeString(text) : text, extraTags ?? null);
    }
    return value.map(decodeValue);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeValue(v)]));
  }
  return value;
}

/** Messages to and from Django's JSON form (Django's MessageSerializer). */
export const MessageSerializer = {
  dumps(value: unknown): string {
    return JSON.stringify(encodeValue(value));
  },
  loads(text: string): unknown {
    return decodeValue(JSON.parse(text));
  },
};
