/**
 * Keeps the messages in `outbox` (tsgi/core/mail), for tests, as Django's locmem backend.
 *
 * @example
 * import { outbox } from 'tsgi/core/mail';
 * assert.equal(outbox.length, 1); assert.match(outbox[0].body, /reset/);
 */
import type { EmailMessage } from '../message.ts';
import { outbox } from '../outbox.ts';
import { BaseEmailBackend } from './base.ts';

export class EmailBackend extends BaseEmailBackend {
  override async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    let sent = 0;
    for (const message of messages) {
      // The bytes are built as they would be for a real send, so a message that cannot be built fails here too.
      await message.message();
      outbox.push(message);
      sent += 1;
    }
    return sent;
  }
}
