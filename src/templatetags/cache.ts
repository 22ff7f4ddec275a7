/**
 * `{% load cache %}`, as Django's `django.templatetags.cache`: the template fragment cache.
 *
 *   {% cache 500 sidebar request.user.username using="local" %} ... {% endcache %}
 *
 * The body is rendered once and kept in a cache (the `using` alias, else `template_fragments`
 * when CACHES has it, else `default`) for the timeout (seconds; `None` for the cache's forever),
 * under `makeTemplateFragmentKey(name, varyOn)`, Django's key: the same vary-on values make the
 * same key, so `cache.delete(makeTemplateFragmentKey('sidebar', [username]))` invalidates it.
 *
 * The cache API is asynchronous, so a template using the tag renders on the engine's
 * asynchronous path (its render returns a promise): the tag stops the synchronous attempt before
 * reading anything, so the cache is read once per render. A cache that cannot be reached reads as
 * a miss (the body is rendered) and a failed write is ignored (both logged on `tsgi.cache`): a
 * fragment cache never takes a page down.
 */
import { settings } from '../conf/index.ts';
import {
  caches,
  CacheUnavailable,
  InvalidCacheBackendError,
  makeTemplateFragmentKey,
  type BaseCache,
} from '../core/cache/index.ts';
import type { CodeGen } from '../template/compiler.ts';
import { TemplateSyntaxError } from '../template/exceptions.ts';
import type { Token } from '../template/lexer.ts';
import { Library } from '../template/library.ts';
import { Node, type NodeList } from '../template/nodes.ts';
import type { Parser } from '../template/parser.ts';
import type { FilterExpression } from '../template/variable.ts';
import { isDecimal, pyRepr } from '../utils/python.ts';
import { SafeString } from '../utils/safestring.ts';

/** The alias used when CACHES has it and the tag names no cache (Django's). */
export const FRAGMENT_CACHE_ALIAS = 'template_fragments';

/** A fragment's place in its cache, and what the cache held there. */
interface Fragment {
  cache: BaseCache;
  key: string;
  timeout: number | null;
  value: unknown;
}

/** Python's `int()` of a timeout value, or undefined when Python would raise. */
function pythonInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'bigint') return Number(value);
  const text = value instanceof SafeString ? value.value : typeof value === 'string' ? value : undefined;
  if (text !== undefined) {
    return /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text) ? Number(text.replaceAll('_', '')) : undefined;
  }
  if (isDecimal(value)) {
    const number = Number(String(value));
    return Number.isFinite(number) ? Math.trunc(number) : undefined;
  }
  return undefined;
}

/** `{% cache timeout name [varyOn...] [using="alias"] %}...{% endcache %}`. */
export class CacheNode extends Node {
  readonly nodelist: NodeList;
  readonly expireTime: FilterExpression;
  readonly fragmentName: string;
  readonly varyOn: readonly FilterExpression[];
  readonly cacheName: FilterExpression | undefined;

  constructor(
    nodelist: NodeList,
    expireTime: FilterExpression,
    fragmentName: string,
    varyOn: readonly FilterExpression[],
    cacheName?: FilterExpression,
  ) {
    super();
    this.nodelist = nodelist;
    this.expireTime = expireTime;
    this.fragmentName = fragmentName;
    this.varyOn = varyOn;
    this.cacheName = cacheName;
  }

  /** The cache, key and timeout of the resolved arguments, and the cached value (undefined on a miss). */
  async fetch(expireTime: unknown, cacheName: unknown, varyOn: readonly unknown[]): Promise<Fragment> {
    let timeout: number | null = null;
    if (expireTime !== null && expireTime !== undefined) {
      const seconds = pythonInt(expireTime);
      if (seconds === undefined) {
        throw new TemplateSyntaxError(
          `"cache" tag got a non-integer timeout value: ${pyRepr(expireTime)}. Give a number of seconds, or None for no expiry.`,
        );
      }
      timeout = seconds;
    }
    const cache = this.#cache(cacheName);
    const key = makeTemplateFragmentKey(this.fragmentName, varyOn);
    const value = await cache.get(key);
    return { cache, key, timeout, value };
  }

  #cache(cacheName: unknown): BaseCache {
    if (this.cacheName === undefined) {
      const configured = settings.CACHES as Record<string, unknown> | undefined;
      return caches.get(
        configured !== undefined && Object.hasOwn(configured, FRAGMENT_CACHE_ALIAS) ? FRAGMENT_CACHE_ALIAS : 'default',
      );
    }
    const alias = cacheName instanceof SafeString ? cacheName.value : String(cacheName);
    try {
      return caches.get(alias);
    } catch (error) {
      if (!(error instanceof InvalidCacheBackendError)) throw error;
      throw new TemplateSyntaxError(
        `Invalid cache name specified for cache tag: ${pyRepr(cacheName)}. ${error.message}`,
      );
    }
  }

  /** Keeps a rendered fragment; a cache that cannot be reached is logged by the cache and ignored here. */
  async store(fragment: Fragment, output: string): Promise<void> {
    try {
      await fragment.cache.set(fragment.key, output, fragment.timeout);
    } catch (error) {
      if (!(error instanceof CacheUnavailable)) throw error;
    }
  }

  override compile(g: CodeGen): void {
    if (!g.async) {
      // The cache answers with a promise: go asynchronous before reading anything, so that the
      // cache is read once (not by a synchronous attempt and again by the asynchronous one).
      g.line('A();');
      return;
    }
    const self = g.constant(this);
    const timeout = g.expression(this.expireTime);
    const alias = this.cacheName === undefined ? 'undefined' : g.expression(this.cacheName);
    const vary = this.varyOn.map((fe) => g.expression(fe));
    const fragment = g.temp('f');
    g.position(this.token);
    g.line(`const ${fragment} = await W(ctx, ${self}.fetch(${timeout}, ${alias}, [${vary.join(', ')}]));`);
    const output = g.temp('c');
    g.line(`let ${output} = ${fragment}.value;`);
    g.line(`if (${output} === undefined || ${output} === null) {`);
    const body = g.capture(this.nodelist);
    g.position(this.token);
    g.line(`${output} = ${body}; await ${self}.store(${fragment}, ${body});`);
    g.line('}');
    g.write(`TX(${output})`);
  }
}

/** Parses `{% cache %}` (Django's `do_cache`). */
export function doCache(parser: Parser, token: Token): Node {
  const nodelist = parser.parse(['endcache']);
  parser.deleteFirstToken();
  let bits = token.splitContents();
  if (bits.length < 3) {
    throw new TemplateSyntaxError(
      `'${bits[0]}' tag requires at least 2 arguments: {% ${bits[0]} timeout fragment_name [vary_on ...] [using="alias"] %}.`,
    );
  }
  let cacheName: FilterExpression | undefined;
  if (bits.length > 3 && bits.at(-1)!.startsWith('using=')) {
    cacheName = parser.compileFilter(bits.at(-1)!.slice('using='.length));
    bits = bits.slice(0, -1);
  }
  return new CacheNode(
    nodelist,
    parser.compileFilter(bits[1]!),
    // The fragment's name is a word, never a variable (as Django's).
    bits[2]!,
    bits.slice(3).map((bit) => parser.compileFilter(bit)),
    cacheName,
  );
}

export const register = new Library();
register.tag('cache', doCache);
