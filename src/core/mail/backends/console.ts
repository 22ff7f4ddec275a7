/**
 * Writes each message to the standard output (or `stream`), followed by a line of 79 dashes, as
 * Django's console backend: the development setting, to read the password reset mail in the
 * runserver terminal.
 */
import type { EmailMessage } from '../message.ts';
import { BaseEmailBackend, type EmailBackendOptions } from './base.ts';

export type Writable = { write(chunk: string): unknown };

export class EmailBackend extends BaseEmailBackend {
  stream: Writable;

  constructor(options: EmailBackendOptions & { stream?: Writable } = {}) {
    super(options);
    this.stream = options.stream ?? process.stdout;
  }

  /** One message as written (its bytes as text, LF line ends). */
  protected async format(message: EmailMessage): Promise<string> {
    return `${(await message.message()).toString('utf8').replaceAll('\r\n', '\n')}\n${'-'.repeat(79)}\n`;
  }

  async write(text: string): Promise<void> {
    this.stream.write(text);
  }

  override async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    let sent = 0;
    try {
      for (const message of messages) {
        if (message.recipients().length === 0) continue;
        await this.write(await this.format(message));
        sent += 1;
      }
    } catch (error) {
      if (!this.failSilently) throw error;
    }
    return sent;
  }
}
