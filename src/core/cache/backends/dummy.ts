/**
 * The dummy cache, as Django's `DummyCache`: implements the API and keeps nothing, for
 * development with caching turned off. `add()` says it stored, reads miss, `incr()` finds no
 * key. Keys are still made and checked, so key warnings show here too.
 */
import { BaseCache } from './base.ts';

/**
 * @example
 * CACHES = { default: { BACKEND: 'tsgi.core.cache.backends.dummy.DummyCache' } };
 */
export class DummyCache extends BaseCache {
  protected load(keys: readonly string[]): Promise<Array<string | undefined>> {
    return Promise.resolve(keys.map(() => undefined));
  }

  protected store(): Promise<boolean> {
    return Promise.resolve(true);
  }

  protected retime(): Promise<boolean> {
    return Promise.resolve(false);
  }

  protected remove(): Promise<number> {
    return Promise.resolve(0);
  }

  protected increment(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  protected removeAll(): Promise<void> {
    return Promise.resolve();
  }
}
