/** Sends nothing and says every message went (Django's dummy backend). */
import type { EmailMessage } from '../message.ts';
import { BaseEmailBackend } from './base.ts';

export class EmailBackend extends BaseEmailBackend {
  override async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    return messages.length;
  }
}
