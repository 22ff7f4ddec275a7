/**
 * The loader contract, as Django's `django.template.loaders.base.Loader`: a loader lists the
 * places a name may be (`getTemplateSources`) and reads one (`getContents`); `getTemplate`
 * tries them in order and compiles the first that exists.
 */
import { TemplateDoesNotExist, type TriedOrigin } from '../exceptions.ts';
import type { Origin } from '../nodes.ts';
import { Template, type TemplateEngine } from '../template.ts';

/** A place that does not hold the template, with why (thrown by `getContents`). */
export class SourceNotFound extends Error {
  override name = 'SourceNotFound';
  readonly reason: string;
  constructor(reason = 'Source does not exist') {
    super(reason);
    this.reason = reason;
  }
}

/**
 * A template loader. Subclass it and implement `getTemplateSources` and `getContents`; name the
 * class in TEMPLATES[].OPTIONS.loaders.
 *
 * @example
 * export class Loader extends BaseLoader {
 *   *getTemplateSources(name: string) { yield new Origin(`db:${name}`, name, this); }
 *   getContents(origin: Origin) { return db.get(origin.templateName) ?? throw new SourceNotFound(); }
 * }
 */
export abstract class BaseLoader {
  readonly engine: TemplateEngine;

  constructor(engine: TemplateEngine) {
    this.engine = engine;
  }

  /**
   * The first template found for `name`, compiled. Origins in `skip` are passed over (so that
   * `{% extends %}` can reach a template of the same name in a later directory).
   * @throws TemplateDoesNotExist listing each place tried and why.
   */
  getTemplate(name: string, skip?: readonly Origin[]): Template {
    const tried: TriedOrigin[] = [];
    for (const origin of this.getTemplateSources(name)) {
      if (skip !== undefined && skip.some((s) => s.equals(origin))) {
        tried.push({ path: origin.name, reason: 'Skipped to avoid recursion' });
        continue;
      }
      let contents: string;
      try {
        contents = this.getContents(origin);
      } catch (error) {
        if (error instanceof SourceNotFound) {
          tried.push({ path: origin.name, reason: error.reason });
          continue;
        }
        throw error;
      }
      return new Template(contents, origin, origin.templateName, this.engine);
    }
    throw new TemplateDoesNotExist(name, tried);
  }

  /** The places `name` may be, in order. */
  abstract getTemplateSources(name: string): Iterable<Origin>;

  /** The source at `origin`; throws SourceNotFound when there is none. */
  abstract getContents(origin: Origin): string;

  /** Forgets any state (the cached loader's templates). */
  reset(): void {}
}
