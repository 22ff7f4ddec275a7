/** Message levels and their CSS tags, as Django's `django.contrib.messages.constants`. */

export const DEBUG = 10;
export const INFO = 20;
export const SUCCESS = 25;
export const WARNING = 30;
export const ERROR = 40;

/** The tag (CSS class) of each level. */
export const DEFAULT_TAGS: Readonly<Record<number, string>> = Object.freeze({
  [DEBUG]: 'debug',
  [INFO]: 'info',
  [SUCCESS]: 'success',
  [WARNING]: 'warning',
  [ERROR]: 'error',
});

/** The levels by name, for templates (`DEFAULT_MESSAGE_LEVELS.ERROR`). */
export const DEFAULT_LEVELS: Readonly<Record<'DEBUG' | 'INFO' | 'SUCCESS' | 'WARNING' | 'ERROR', number>> =
  Object.freeze({ DEBUG, INFO, SUCCESS, WARNING, ERROR });
