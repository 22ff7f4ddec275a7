/**
 * `tsgi/contrib/messages`: one-time messages for the next page, as Django's
 * `django.contrib.messages`. Install MessageMiddleware (after SessionMiddleware) and the
 * `messages` context processor; then, in a view:
 *
 * @example
 * import * as messages from 'tsgi/contrib/messages';
 *
 * export async function save(request: HttpRequest) {
 *   messages.success(request, 'Profile details updated.');
 *   return redirect('profile');
 * }
 */
export {
  addMessage,
  getMessages,
  getLevel,
  setLevel,
  debug,
  info,
  success,
  warning,
  error,
  MessageFailure,
} from './api.ts';
export type { MessageOptions } from './api.ts';
export { DEBUG, INFO, SUCCESS, WARNING, ERROR, DEFAULT_TAGS, DEFAULT_LEVELS } from './constants.ts';
export { Message, BaseStorage, MessagesNotLoaded } from './storage/base.ts';
export { defaultStorage } from './storage/index.ts';
export { getLevelTags } from './utils.ts';
