/**
 * The configured template engines, built once from the TEMPLATES setting (Django's
 * `django.template.engines`), and the loader functions that search them in order
 * (`django.template.loader`).
 */
import path from 'node:path';
import { settings } from '../conf/index.ts';
import { settingChanged } from '../conf/signals.ts';
import { importString } from '../utils/module-loading.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import type { BaseEngine, Context, EngineClass, RequestLike, Template } from './backends/base.ts';
import { TemplateDoesNotExist, type TriedOrigin } from './exceptions.ts';

/** One entry of the TEMPLATES setting, as written by the user. */
export interface TemplatesSetting {
  BACKEND: string | EngineClass;
  NAME?: string;
  DIRS?: string[];
  APP_DIRS?: boolean;
  OPTIONS?: Record<string, unknown>;
}

let built: Map<string, BaseEngine> | undefined;

/** The backend class a BACKEND names: resolved like every dotted setting, no list of known ones. */
function backendClass(backend: string | EngineClass): EngineClass {
  if (typeof backend === 'function') return backend;
  if (typeof backend !== 'string' || !backend.includes('.')) {
    throw new ImproperlyConfigured(
      `Invalid BACKEND for a template engine: ${JSON.stringify(backend)}. Check your TEMPLATES setting: name a backend class, as '${DEFAULT_BACKEND}'.`,
    );
  }
  const cls = importString(backend);
  if (typeof cls !== 'function') {
    throw new ImproperlyConfigured(
      `TEMPLATES BACKEND ${JSON.stringify(backend)} is not a class. Name a template backend class, as '${DEFAULT_BACKEND}'.`,
    );
  }
  return cls as EngineClass;
}

const DEFAULT_BACKEND = 'tsgi.template.backends.django.DjangoTemplates';

function build(): Map<string, BaseEngine> {
  const configured = (settings as unknown as { TEMPLATES?: TemplatesSetting[] }).TEMPLATES ?? [];
  if (!Array.isArray(configured)) {
    throw new ImproperlyConfigured(
      'The TEMPLATES setting must be a list of engine definitions, as [{ BACKEND: ..., DIRS: [...] }].',
    );
  }
  const result = new Map<string, BaseEngine>();
  for (const [index, entry] of configured.entries()) {
    if (entry === null || typeof entry !== 'object' || entry.BACKEND === undefined) {
      throw new ImproperlyConfigured(`TEMPLATES[${index}] has no BACKEND. Set BACKEND: '${DEFAULT_BACKEND}'.`);
    }
    const cls = backendClass(entry.BACKEND);
    const name =
      entry.NAME ?? (typeof entry.BACKEND === 'string' ? (entry.BACKEND.split('.').at(-2) ?? entry.BACKEND) : cls.name);
    if (result.has(name)) {
      throw new ImproperlyConfigured(
        `Template engine aliases aren't unique, duplicates: ${name}. Set a unique NAME for each engine in settings.TEMPLATES.`,
      );
    }
    const options = { ...(entry.OPTIONS ?? {}) };
    const dirs = (entry.DIRS ?? []).map((d) => path.resolve(String(d)));
    result.set(name, new cls({ name, dirs, appDirs: entry.APP_DIRS ?? false, options }));
  }
  return result;
}

/** The engines, by alias, in the order of TEMPLATES. */
export function engines(): ReadonlyMap<string, BaseEngine> {
  built ??= build();
  return built;
}

/** One engine by alias (`using`), or the only one; throws when none or an unknown alias. */
export function getEngine(using?: string): BaseEngine {
  const all = engines();
  if (using !== undefined) {
    const engine = all.get(using);
    if (!engine)
      throw new ImproperlyConfigured(
        `No template engine named ${JSON.stringify(using)}. Configured: ${[...all.keys()].join(', ') || 'none'}.`,
      );
    return engine;
  }
  const first = all.values().next();
  if (first.done) {
    throw new ImproperlyConfigured(
      `No template engine is configured. Add one to the TEMPLATES setting, as [{ BACKEND: '${DEFAULT_BACKEND}', DIRS: [...], APP_DIRS: true }].`,
    );
  }
  return first.value;
}

/** Forgets the engines (tests, setting changes). */
export function resetEngines(): void {
  built = undefined;
}

settingChanged.connect((payload: unknown) => {
  const setting = (payload as { setting?: string } | undefined)?.setting;
  if (setting === undefined || ['TEMPLATES', 'DEBUG', 'INSTALLED_APPS'].includes(setting)) resetEngines();
});

function searched(using: string | undefined): BaseEngine[] {
  return using !== undefined ? [getEngine(using)] : engines().size === 0 ? [getEngine()] : [...engines().values()];
}

/**
 * Loads a template by name from the first engine that has it.
 * @throws TemplateDoesNotExist listing every path tried in every engine; TemplateSyntaxError.
 * @example
 * const template = getTemplate('blog/post.html');
 * const html = await template.render({ post }, request);
 */
export function getTemplate(name: string, using?: string): Template {
  const tried: TriedOrigin[] = [];
  for (const engine of searched(using)) {
    try {
      return engine.getTemplate(name);
    } catch (error) {
      if (error instanceof TemplateDoesNotExist && error.templateName === name && error.includedFrom === undefined)
        tried.push(...error.tried);
      else throw error;
    }
  }
  throw new TemplateDoesNotExist(name, tried);
}

/** Loads the first of `names` that exists (Django's `select_template`). */
export function selectTemplate(names: string | readonly string[], using?: string): Template {
  const list = typeof names === 'string' ? [names] : names;
  if (list.length === 0) throw new TemplateDoesNotExist('', []);
  const tried: TriedOrigin[] = [];
  for (const name of list) {
    try {
      return getTemplate(name, using);
    } catch (error) {
      if (error instanceof TemplateDoesNotExist && error.templateName === name && error.includedFrom === undefined)
        tried.push(...error.tried);
      else throw error;
    }
  }
  throw new TemplateDoesNotExist(list.join(', '), tried);
}

/**
 * Renders a template (or the first existing of a list) to a string; a promise of it when the
 * context held a promise.
 * @example
 * const body = await renderToString('emails/welcome.txt', { user });
 */
export function renderToString(
  names: string | readonly string[],
  context?: Context,
  request?: RequestLike,
  using?: string,
): string | Promise<string> {
  const template = typeof names === 'string' ? getTemplate(names, using) : selectTemplate(names, using);
  return template.render(context, request);
}
