/** The messages the locmem backend "sent", in order (tests empty it between cases: `outbox.length = 0`). */
import type { EmailMessage } from './message.ts';

export const outbox: EmailMessage[] = [];
