/**
 * Keeps the templates other loaders found, compiled (`tsgi.template.loaders.cached.Loader`,
 * Django's cached loader): the default when DEBUG is off, so a template is read and compiled
 * once per process. Misses are remembered too. `reset()` forgets everything.
 */
import { nodeCrypto } from '../../utils/builtins.ts';
import { TemplateDoesNotExist, type TriedOrigin } from '../exceptions.ts';
import type { Origin } from '../nodes.ts';
import type { Template, TemplateEngine } from '../template.ts';
import { BaseLoader } from './base.ts';

/** What a loader is configured as: its class's dotted name (or the class), with its arguments. */
export type LoaderSpec =
  | string
  | BaseLoader
  | readonly [unknown, ...unknown[]]
  | (new (engine: TemplateEngine, ...args: never[]) => BaseLoader);

/**
 * @example
 * new Engine({ loaders: [['tsgi.template.loaders.cached.Loader', ['tsgi.template.loaders.filesystem.Loader']]] });
 */
export class Loader extends BaseLoader {
  readonly loaders: readonly BaseLoader[];
  readonly #cache = new Map<string, Template | readonly TriedOrigin[]>();

  constructor(
    engine: TemplateEngine & { getTemplateLoaders(specs: readonly LoaderSpec[]): BaseLoader[] },
    loaders: readonly LoaderSpec[] = [],
  ) {
    super(engine);
    this.loaders = engine.getTemplateLoaders(loaders);
  }

  /** The directories of the wrapped loaders that have some. */
  getDirs(): string[] {
    return this.loaders.flatMap((loader) => (loader as { getDirs?: () => readonly string[] }).getDirs?.() ?? []);
  }

  override getTemplate(name: string, skip?: readonly Origin[]): Template {
    const key = cacheKey(name, skip);
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      if (Array.isArray(cached)) throw new TemplateDoesNotExist(name, cached as readonly TriedOrigin[]);
      return cached as Template;
    }
    try {
      const template = super.getTemplate(name, skip);
      this.#cache.set(key, template);
      return template;
    } catch (error) {
      if (error instanceof TemplateDoesNotExist) this.#cache.set(key, error.tried);
      throw error;
    }
  }

  *getTemplateSources(name: string): Iterable<Origin> {
    for (const loader of this.loaders) yield* loader.getTemplateSources(name);
  }

  getContents(origin: Origin): string {
    return (origin.loader as BaseLoader).getContents(origin);
  }

  override reset(): void {
    this.#cache.clear();
    for (const loader of this.loaders) loader.reset();
  }
}

/**
 * The name, and the origins to skip that have this name (Django's `cache_key`): the same
 * template compiled once whichever chain of `{% extends %}` reaches it.
 */
function cacheKey(name: string, skip?: readonly Origin[]): string {
  let matching: string[] | undefined;
  for (const origin of skip ?? []) if (origin.templateName === name) (matching ??= []).push(origin.name);
  if (matching === undefined) return name;
  return `${name}-${nodeCrypto().createHash('sha1').update(matching.join('|')).digest('hex')}`;
}
