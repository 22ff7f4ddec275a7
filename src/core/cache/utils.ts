/**
 * Cache helpers, as Django's `django.core.cache.utils`.
 */
import { createHash } from 'node:crypto';
import { pyStr } from '../../utils/python.ts';

const TEMPLATE_FRAGMENT_KEY_TEMPLATE = 'template.cache.%s.%s';

/**
 * The cache key of a `{% cache %}` fragment: its name and an MD5 of the vary-on values, as
 * Django's `make_template_fragment_key`, so `cache.delete(makeTemplateFragmentKey('sidebar',
 * [user.id]))` invalidates one fragment. Each value counts as Python's `str()` of it, as the
 * template prints it (`1`, `None`, `True`, `1.5`), so the key is Django's for the same values.
 *
 * @example
 * await cache.delete(makeTemplateFragmentKey('sidebar', ['ada']));
 */
export function makeTemplateFragmentKey(fragmentName: string, varyOn: readonly unknown[] = []): string {
  const hash = createHash('md5');
  for (const value of varyOn) {
    hash.update(pyStr(value));
    hash.update(':');
  }
  return TEMPLATE_FRAGMENT_KEY_TEMPLATE.replace('%s', fragmentName).replace('%s', hash.digest('hex'));
}
