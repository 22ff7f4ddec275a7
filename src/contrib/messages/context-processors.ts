/**
 * The `messages` context processor, as Django's: templates get `messages` (loaded, so a plain
 * `{% for message in messages %}` works; the loop marks them shown) and `DEFAULT_MESSAGE_LEVELS`.
 * With the default FallbackStorage, the session is read only when the messages cookie says some
 * messages did not fit in it.
 */
import type { HttpRequest } from '../../http/request.ts';
import { getMessages } from './api.ts';
import { DEFAULT_LEVELS } from './constants.ts';

/**
 * @example
 * TEMPLATES = [{ ..., OPTIONS: { contextProcessors: [..., 'tsgi.contrib.messages.context-processors.messages'] } }];
 */
export async function messages(request: object): Promise<Record<string, unknown>> {
  const storage = getMessages(request as HttpRequest);
  if (!Array.isArray(storage)) await (storage as { load(): Promise<unknown> }).load();
  return { messages: storage, DEFAULT_MESSAGE_LEVELS: DEFAULT_LEVELS };
}
