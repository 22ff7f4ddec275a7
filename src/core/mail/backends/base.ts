/**
 * What every EMAIL_BACKEND is (Django's `BaseEmailBackend`): `sendMessages()` delivers a batch
 * and returns how many went; `open()` and `close()` frame a batch sent over one connection.
 * With `failSilently`, delivery errors are swallowed.
 */
import type { EmailMessage } from '../message.ts';

export type EmailBackendOptions = { failSilently?: boolean } & Record<string, unknown>;

export abstract class BaseEmailBackend {
  failSilently: boolean;

  constructor(options: EmailBackendOptions = {}) {
    this.failSilently = options.failSilently ?? false;
  }

  /** Opens the connection (nothing to do for most backends); true when a new one was opened. */
  async open(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}

  /** Sends the messages; the number sent. */
  abstract sendMessages(messages: readonly EmailMessage[]): Promise<number>;
}
