/**
 * Loads templates from an object of names and sources (`tsgi.template.loaders.locmem.Loader`,
 * Django's locmem loader): for tests and for templates built in code.
 */
import { Origin } from '../nodes.ts';
import type { TemplateEngine } from '../template.ts';
import { BaseLoader, SourceNotFound } from './base.ts';

/**
 * @example
 * new Engine({ loaders: [['tsgi.template.loaders.locmem.Loader', { 'index.html': 'Hello {{ name }}' }]] });
 */
export class Loader extends BaseLoader {
  readonly templates: Readonly<Record<string, string>>;

  constructor(engine: TemplateEngine, templates: Readonly<Record<string, string>> = {}) {
    super(engine);
    this.templates = templates;
  }

  *getTemplateSources(name: string): Iterable<Origin> {
    yield new Origin(name, name, this);
  }

  getContents(origin: Origin): string {
    if (!Object.hasOwn(this.templates, origin.name)) throw new SourceNotFound();
    return this.templates[origin.name]!;
  }
}
