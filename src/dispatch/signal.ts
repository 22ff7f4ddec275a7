/**
 * Signals, as Django's `django.dispatch.Signal`: a sender announces something (a request started,
 * a setting changed) and every connected receiver is called with it.
 *
 * Differences from Django, on purpose:
 * - A receiver gets ONE object: the payload plus `sender` and `signal` (Django passes
 *   `sender` and `**kwargs`). `({ sender, setting }) => ...` reads as the Python original does.
 * - References are strong: JavaScript functions are rarely collected while still wanted, and a
 *   receiver that vanishes silently is worse than one that must be disconnected.
 * - `send()` is synchronous and does not wait for a receiver's promise; `sendAsync()` calls the
 *   receivers in connection order and awaits each one before the next, so async receivers run
 *   one after the other and their failures are never lost.
 */

import { getLogger } from '../utils/log.ts';

/** Logs a receiver's failure caught by sendRobust, as Django does under `django.dispatch`. */
function logFailure(receiver: { name: string }, error: Error): Error {
  getLogger('tsgi.dispatch').error(
    `Error calling ${receiver.name || 'an anonymous receiver'} in Signal.sendRobust() (${error.message})`,
    { error },
  );
  return error;
}

/** What a receiver is called with: the payload, the sender and the signal. */
export type SignalEvent<T extends object> = T & { sender: unknown; signal: Signal<T> };

/** A function connected to a signal. Its return value is collected by `send()`. */
export type Receiver<T extends object> = (event: SignalEvent<T>) => unknown;

/** Options of `connect()` / `disconnect()`. */
export interface ConnectOptions {
  /** Only receive sends from this sender (compared with `===`). */
  sender?: unknown;
  /** A unique id: connecting twice with the same id keeps one receiver (Django's `dispatch_uid`). */
  dispatchUid?: string;
}

/** The payload argument: optional when every field of `T` is. */
type PayloadArgs<T extends object> = Partial<T> extends T ? [payload?: T] : [payload: T];

interface Connection<T extends object> {
  receiver: Receiver<T>;
  key: unknown;
  senderFilter: boolean;
  sender: unknown;
}

/**
 * A signal that receivers connect to.
 *
 * @example
 * const pizzaDone = new Signal<{ toppings: string[] }>();
 * pizzaDone.connect(({ sender, toppings }) => console.log(sender, toppings));
 * pizzaDone.send(kitchen, { toppings: ['basil'] });
 */
export class Signal<T extends object = Record<string, unknown>> {
  #connections: Connection<T>[] = [];

  /**
   * Connects a receiver. Connecting the same receiver (or `dispatchUid`) for the same sender
   * twice keeps one connection. Returns a function that disconnects it.
   */
  connect(receiver: Receiver<T>, options: ConnectOptions = {}): () => boolean {
    if (typeof receiver !== 'function') {
      throw new TypeError(`Signal receivers must be functions, got ${receiver === null ? 'null' : typeof receiver}.`);
    }
    const senderFilter = 'sender' in options && options.sender !== undefined;
    const key = options.dispatchUid ?? receiver;
    const exists = this.#connections.some(
      (c) => c.key === key && c.senderFilter === senderFilter && c.sender === options.sender,
    );
    if (!exists) this.#connections.push({ receiver, key, senderFilter, sender: options.sender });
    return () => this.disconnect(receiver, options);
  }

  /**
   * Disconnects a receiver (or the one connected with `dispatchUid`) for the given sender.
   * Returns whether something was disconnected.
   */
  disconnect(receiver?: Receiver<T>, options: ConnectOptions = {}): boolean {
    const key = options.dispatchUid ?? receiver;
    const senderFilter = 'sender' in options && options.sender !== undefined;
    const index = this.#connections.findIndex(
      (c) => c.key === key && c.senderFilter === senderFilter && c.sender === options.sender,
    );
    if (index === -1) return false;
    this.#connections.splice(index, 1);
    return true;
  }

  /** Whether any receiver would be called for this sender (any sender when omitted). */
  hasListeners(sender?: unknown): boolean {
    // Asked on every request by the handler: no arrays built to answer it.
    const any = arguments.length === 0;
    for (const c of this.#connections) if (any || !c.senderFilter || c.sender === sender) return true;
    return false;
  }

  #live(sender: unknown, any = false): Receiver<T>[] {
    return this.#connections.filter((c) => any || !c.senderFilter || c.sender === sender).map((c) => c.receiver);
  }

  #event(sender: unknown, payload: T | undefined): SignalEvent<T> {
    return { ...(payload as T), sender, signal: this };
  }

  /**
   * Calls every receiver for this sender in connection order and returns `[receiver, result]`
   * pairs. A receiver that throws stops the send (use `sendRobust` to go on). Promises returned
   * by receivers are returned as they are, not awaited: use `sendAsync` for async receivers.
   */
  send(sender: unknown, ...payload: PayloadArgs<T>): Array<[Receiver<T>, unknown]> {
    const event = this.#event(sender, payload[0]);
    return this.#live(sender).map((receiver) => [receiver, receiver(event)]);
  }

  /** As `send`, but awaits each receiver's result before calling the next one. */
  async sendAsync(sender: unknown, ...payload: PayloadArgs<T>): Promise<Array<[Receiver<T>, unknown]>> {
    const event = this.#event(sender, payload[0]);
    const results: Array<[Receiver<T>, unknown]> = [];
    for (const receiver of this.#live(sender)) results.push([receiver, await receiver(event)]);
    return results;
  }

  /**
   * As `send`, but an error thrown by a receiver is caught and returned as its result, and the
   * other receivers are still called.
   */
  sendRobust(sender: unknown, ...payload: PayloadArgs<T>): Array<[Receiver<T>, unknown]> {
    const event = this.#event(sender, payload[0]);
    return this.#live(sender).map((receiver) => {
      try {
        return [receiver, receiver(event)];
      } catch (error) {
        return [
          receiver,
          logFailure(receiver, error instanceof Error ? error : new Error(String(error), { cause: error })),
        ];
      }
    });
  }

  /** As `sendAsync`, catching errors (and rejections) as `sendRobust` does. */
  async sendRobustAsync(sender: unknown, ...payload: PayloadArgs<T>): Promise<Array<[Receiver<T>, unknown]>> {
    const event = this.#event(sender, payload[0]);
    const results: Array<[Receiver<T>, unknown]> = [];
    for (const receiver of this.#live(sender)) {
      try {
        results.push([receiver, await receiver(event)]);
      } catch (error) {
        results.push([
          receiver,
          logFailure(receiver, error instanceof Error ? error : new Error(String(error), { cause: error })),
        ]);
      }
    }
    return results;
  }
}

/**
 * Connects the decorated function to a signal, as Django's `@receiver`.
 *
 * @example
 * const onChange = receiver(settingChanged)(({ setting }) => { if (setting === 'DEBUG') reset(); });
 */
export function receiver<T extends object>(signal: Signal<T>, options: ConnectOptions = {}) {
  return <F extends Receiver<T>>(fn: F): F => {
    signal.connect(fn, options);
    return fn;
  };
}
