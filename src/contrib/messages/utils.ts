/** Message helpers, as Django's `django.contrib.messages.utils`. */
import { fromSettings, settings } from '../../conf/index.ts';
import { DEFAULT_TAGS } from './constants.ts';

const levelTags = fromSettings((): Readonly<Record<number, string>> => ({
  ...DEFAULT_TAGS,
  ...((settings.MESSAGE_TAGS ?? {}) as Record<number, string>),
}));

/** The tag of each level: the defaults, then MESSAGE_TAGS. */
export function getLevelTags(): Readonly<Record<number, string>> {
  return levelTags();
}
