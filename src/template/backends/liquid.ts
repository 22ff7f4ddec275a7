/**
 * The default template backend, on LiquidJS (https://liquidjs.com): maintained, async rendering,
 * `{% block %}` inheritance, includes, filters, and output escaping that we switch on for every
 * value. docs/templates.md says why this engine, and what differs from Django's language.
 *
 * Django names are added so a Django template needs few changes: `{% extends %}` (Liquid's
 * `layout`), `{% load %}` (accepted, does nothing), `{% static %}`, `{% csrf_token %}`, `{% url %}`,
 * and the filters `safe`, `escape` (marks safe, so never escaped twice), `force_escape`, `length`,
 * `upper`, `lower`, `title`, `linebreaksbr`, `yesno`.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  Liquid,
  Tag,
  Value,
  type Context as LiquidContext,
  type Emitter,
  type TagToken,
  type TopLevelToken,
  type Template as LiquidTemplate,
  type FS,
  type LiquidOptions as LiquidJsOptions,
} from 'liquidjs';
import type { BaseEngine, Context, EngineParams, RequestLike, Template } from './base.ts';
import { TemplateDoesNotExist, TemplateSyntaxError, type TriedOrigin } from '../exceptions.ts';
import { SafeString, escapeHtml, markSafe } from '../../utils/safestring.ts';
import { lazyModule } from '../../utils/module-loading.ts';
import { resolveContextProcessors, type ContextProcessor } from '../context-processors.ts';
import type * as StaticStorage from '../../staticfiles/storage.ts';
import type * as Urls from '../../urls/index.ts';

// The {% static %} and {% url %} tags' modules, loaded by the first template that uses them: a
// project that renders neither does not load the static files storage.
const storage = lazyModule<typeof StaticStorage>(import.meta.url, '../../staticfiles/storage');
const urls = lazyModule<typeof Urls>(import.meta.url, '../../urls/index');
const staticUrl = (name: string): string => storage().staticUrl(name);
const reverse = (view: string, opts?: { args?: unknown[]; kwargs?: Record<string, unknown> }): string =>
  urls().reverse(view, opts);

/** Options read from TEMPLATES[].OPTIONS for this backend. */
export interface LiquidOptions {
  /** Context processors: dotted names or functions `(request) => object`. */
  contextProcessors?: Array<string | ContextProcessor>;
  /** Keep parsed templates (default: on unless DEBUG, so edits show up while developing). */
  cache?: boolean;
  /** Throw on undefined variables instead of printing nothing (default false, as Django). */
  strictVariables?: boolean;
  /** Extra filters: name → function. */
  filters?: Record<string, (value: unknown, ...args: unknown[]) => unknown>;
  /** Values every template sees. */
  globals?: Record<string, unknown>;
  /**
   * `'auto'` (default): a context whose plain objects and arrays hold no promise renders
   * synchronously (about 1.5× faster); one that does is rendered asynchronously, each promise
   * awaited where it is used. `'always'`: always asynchronously (for objects whose getters
   * return promises).
   */
  asyncRendering?: 'auto' | 'always';
}

/**
 * LiquidJS's template cache, safe for sync and async rendering of the same template: an async
 * parse stores a promise, which a later sync render could not use, so only results are kept.
 */
class SyncSafeCache {
  readonly #map = new Map<string, unknown>();
  write(key: string, value: unknown): void {
    if (value !== null && typeof (value as { then?: unknown }).then === 'function') {
      (value as Promise<unknown>).then(
        (resolved) => this.#map.set(key, resolved),
        () => {},
      );
    } else {
      this.#map.set(key, value);
    }
  }
  read(key: string): unknown {
    return this.#map.get(key);
  }
  remove(key: string): void {
    this.#map.delete(key);
  }
  clear(): void {
    this.#map.clear();
  }
}

const MAX_SCAN = 20_000;

/** Whether plain objects and arrays under `value` hold a promise (or too much to scan: then assume so). */
function holdsPromise(value: unknown): boolean {
  let budget = MAX_SCAN;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (--budget < 0) return true;
    if (typeof (v as { then?: unknown }).then === 'function') return true;
    if (Array.isArray(v)) {
      for (const item of v) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) continue; // class instances are used as they are
    const descriptors = Object.getOwnPropertyDescriptors(v);
    for (const key in descriptors) {
      const d = descriptors[key]!;
      if (d.get !== undefined) return true; // a getter may return a promise; don't call it twice
      if (d.value !== null && typeof d.value === 'object') stack.push(d.value);
    }
  }
  return false;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where a name resolves: the first directory holding it, with the list of misses before it. */
function locate(dirs: readonly string[], name: string): { file: string | undefined; tried: TriedOrigin[] } {
  const tried: TriedOrigin[] = [];
  for (const dir of dirs) {
    const candidate = path.resolve(dir, name);
    if (!isInside(dir, candidate)) {
      tried.push({ path: candidate, reason: 'Outside the template directory' });
      continue;
    }
    if (isFile(candidate)) {
      // A symlink inside DIRS that points elsewhere is refused, as Django's safe_join refuses `..`.
      try {
        if (!isInside(realpathSync(dir), realpathSync(candidate))) {
          tried.push({ path: candidate, reason: 'Outside the template directory' });
          continue;
        }
      } catch {
        /* raced with a delete: treat as missing below */
      }
      return { file: candidate, tried };
    }
    tried.push({ path: candidate, reason: 'Source does not exist' });
  }
  return { file: undefined, tried };
}

interface LiquidErrorLike extends Error {
  token?: { file?: string; getPosition(): [number, number] };
  originalError?: Error;
}

function positionOf(error: LiquidErrorLike): { file: string; line: number; column: number } | undefined {
  const token = error.token;
  if (!token || typeof token.getPosition !== 'function') return undefined;
  const [line, column] = token.getPosition();
  return { file: token.file ?? '<string>', line, column };
}

function reasonOf(error: LiquidErrorLike): string {
  const base = error.originalError?.message ?? error.message;
  return base
    .replace(/, file:.*?, line:\d+, col:\d+$/s, '')
    .replace(/, line:\d+, col:\d+$/, '')
    .replace(/\.$/, '');
}

/** The lines around `line` of `file`, marked as Liquid prints them; for the DEBUG page. */
function excerpt(file: string, line: number, sourceText?: string): string {
  let text = sourceText;
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  }
  const lines = text.split('\n');
  const from = Math.max(1, line - 2);
  const to = Math.min(lines.length, line + 2);
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${n === line ? '>>' : '  '} ${String(n).padStart(3)}| ${lines[n - 1]}`);
  return out.join('\n');
}

const CONDITION_TAG = /\{%-?\s*(if|elsif|unless)\b((?:[^%'"]|'[^']*'|"[^"]*"|%(?!\}))*)-?%\}/g;

/**
 * Liquid has no `not`: `{% if not x %}` would read `not` as a variable and be silently false.
 * Django templates use it all the time, so it is a syntax error with the fix, not a surprise.
 */
function checkedSource(source: string, file: string): string {
  if (!source.includes('not')) return source;
  for (const match of source.matchAll(CONDITION_TAG)) {
    const args = (match[2] ?? '').replace(/'[^']*'|"[^"]*"/g, '""');
    if (!/(^|[\s(])not\s/.test(args)) continue;
    const before = source.slice(0, match.index);
    const line = before.split('\n').length;
    const column = match.index - before.lastIndexOf('\n');
    throw new TemplateSyntaxError({
      templateName: file,
      file,
      line,
      column,
      reason: `${match[0]} uses 'not', which Liquid does not have: write {% unless x %} instead of {% if not x %}, nesting tags for compound conditions`,
      source: excerpt(file, line, source),
    });
  }
  return source;
}

const MISSING_PARTIAL = /^ENOENT: Failed to lookup "(.*)" in "/s;

/**
 * The LiquidJS backend. Name it in TEMPLATES as `'tsgi.template.backends.liquid.LiquidTemplates'`.
 *
 * @example
 * TEMPLATES = [{
 *   BACKEND: 'tsgi.template.backends.liquid.LiquidTemplates',
 *   DIRS: [path.join(BASE_DIR, 'templates')],
 *   APP_DIRS: true,
 *   OPTIONS: { contextProcessors: ['tsgi.template.context-processors.request'] },
 * }];
 */
export class LiquidTemplates implements BaseEngine {
  readonly name: string;
  readonly templateDirs: readonly string[];
  readonly liquid: Liquid;
  readonly #options: LiquidOptions;
  #processors: ContextProcessor[] | undefined;
  readonly #cache: Map<string, LiquidTemplateWrapper> | undefined;
  readonly #memo = new Map<string, boolean>();
  readonly #parsedCache = new SyncSafeCache();
  /** `'auto'`: render synchronously unless the context holds promises; `'always'`: always async. */
  readonly asyncRendering: 'auto' | 'always';

  constructor(params: EngineParams) {
    this.name = params.name;
    this.templateDirs = params.dirs.map((d) => path.resolve(d));
    this.#options = params.options as LiquidOptions;
    const cache = this.#options.cache ?? true;
    this.asyncRendering = this.#options.asyncRendering ?? 'auto';
    this.#cache = cache ? new Map() : undefined;
    const dirs = this.templateDirs;
    // LiquidJS looks a layout or include up on every render before its cache: with the cache on,
    // remember the answers so a render costs no stat/realpath calls.
    const memo = this.#memo;
    const remember = (key: string, compute: () => boolean): boolean => {
      if (!cache) return compute();
      let known = memo.get(key);
      if (known === undefined) memo.set(key, (known = compute()));
      return known;
    };
    const fs: FS = {
      exists: async (file) => remember('e\0' + file, () => isFile(file)),
      existsSync: (file) => remember('e\0' + file, () => isFile(file)),
      readFile: async (file) => checkedSource(readFileSync(file, 'utf8'), file),
      readFileSync: (file) => checkedSource(readFileSync(file, 'utf8'), file),
      resolve: (dir, file) => path.resolve(dir, file),
      // Includes and layouts stay inside the template directories, symlinks resolved.
      contains: async (root, file) => remember(`c\0${root}\0${file}`, () => containsReal(root, file)),
      containsSync: (root, file) => remember(`c\0${root}\0${file}`, () => containsReal(root, file)),
      dirname: (file) => path.dirname(file),
      sep: path.sep,
    };
    this.liquid = new Liquid({
      root: dirs.length > 0 ? [...dirs] : [],
      fs,
      cache: cache ? (this.#parsedCache as unknown as LiquidJsOptions['cache']) : false,
      outputEscape: escapeHtml,
      strictFilters: true,
      strictVariables: this.#options.strictVariables ?? false,
      ownPropertyOnly: true,
      globals: this.#options.globals ?? {},
    });
    registerDjangoNames(this.liquid);
    for (const [filterName, fn] of Object.entries(this.#options.filters ?? {}))
      this.liquid.registerFilter(filterName, fn);
  }

  /** The context processors, resolved on first use (their modules may import this one). */
  get contextProcessors(): ContextProcessor[] {
    this.#processors ??= resolveContextProcessors(this.#options.contextProcessors ?? []);
    return this.#processors;
  }

  getTemplate(name: string): Template {
    const cached = this.#cache?.get(name);
    if (cached) return cached;
    const { file, tried } = locate(this.templateDirs, name);
    if (file === undefined) throw new TemplateDoesNotExist(name, tried);
    let parsed: LiquidTemplate[];
    try {
      parsed = this.liquid.parseFileSync(file);
    } catch (error) {
      throw this.translate(error, name);
    }
    const template = new LiquidTemplateWrapper(this, name, file, parsed);
    this.#cache?.set(name, template);
    return template;
  }

  fromString(source: string): Template {
    let parsed: LiquidTemplate[];
    try {
      checkedSource(source, '<string>');
      parsed = this.liquid.parse(source);
    } catch (error) {
      throw this.translate(error, '<string>', source);
    }
    return new LiquidTemplateWrapper(this, '<string>', undefined, parsed);
  }

  /** Forgets parsed templates, so edited files are read again. */
  clearCache(): void {
    this.#cache?.clear();
    this.#memo.clear();
    this.#parsedCache.clear();
  }

  /** Turns a LiquidJS error into ours: missing includes and layouts, syntax errors with their line. */
  translate(error: unknown, templateName: string, sourceText?: string): unknown {
    if (!(error instanceof Error)) return error;
    const err = error as LiquidErrorLike;
    const pos = positionOf(err);
    const reason = reasonOf(err);
    const missing = MISSING_PARTIAL.exec(reason);
    if (missing) {
      const wanted = missing[1] as string;
      const { tried } = locate(this.templateDirs, wanted);
      return new TemplateDoesNotExist(wanted, tried, pos ? { file: pos.file, line: pos.line } : undefined);
    }
    if (err.name === 'ParseError' || err.name === 'TokenizationError') {
      if (err.originalError instanceof TemplateDoesNotExist || err.originalError instanceof TemplateSyntaxError)
        return err.originalError;
      const file = pos?.file ?? templateName;
      return new TemplateSyntaxError({
        templateName,
        file,
        line: pos?.line ?? 0,
        column: pos?.column ?? 0,
        reason,
        source: pos ? excerpt(file, pos.line, file === '<string>' ? sourceText : undefined) : '',
      });
    }
    if (err.name === 'RenderError' || err.name === 'UndefinedVariableError') {
      const original = err.originalError;
      if (original instanceof TemplateDoesNotExist || original instanceof TemplateSyntaxError) return original;
      const cause = original ?? err;
      if (pos)
        Object.assign(cause, { template: { name: templateName, file: pos.file, line: pos.line, column: pos.column } });
      return cause;
    }
    return error;
  }
}

function containsReal(root: string, file: string): boolean {
  if (!existsSync(file)) return isInside(path.resolve(root), path.resolve(file));
  try {
    return isInside(realpathSync(root), realpathSync(file));
  } catch {
    return false;
  }
}

class LiquidTemplateWrapper implements Template {
  readonly name: string;
  readonly origin: string | undefined;
  readonly #engine: LiquidTemplates;
  readonly #parsed: LiquidTemplate[];

  constructor(engine: LiquidTemplates, name: string, origin: string | undefined, parsed: LiquidTemplate[]) {
    this.#engine = engine;
    this.name = name;
    this.origin = origin;
    this.#parsed = parsed;
  }

  async render(context: Context = {}, request?: RequestLike): Promise<string> {
    let scope: Context = context;
    if (request !== undefined) {
      scope = {};
      for (const processor of this.#engine.contextProcessors) {
        // Awaited only when it is a promise: the built-in processors answer synchronously.
        const values = processor(request);
        Object.assign(scope, values instanceof Promise ? await values : values);
      }
      Object.assign(scope, context);
    }
    try {
      const liquid = this.#engine.liquid;
      if (this.#engine.asyncRendering === 'auto' && !holdsPromise(scope))
        return liquid.renderSync(this.#parsed, scope) as string;
      return (await liquid.render(this.#parsed, scope)) as string;
    } catch (error) {
      throw this.#engine.translate(error, this.name);
    }
  }
}

/** Tags and filters under Django's names. */
function registerDjangoNames(liquid: Liquid): void {
  const tags = liquid.tags as Record<string, unknown>;
  liquid.registerTag('extends', tags['layout'] as never);
  // Tag classes, not `{ parse, render }` objects: LiquidJS tokenizes an object tag's arguments
  // into a Hash on every render (a new Tokenizer each time), which we never read.
  liquid.registerTag('load', LoadTag);
  liquid.registerTag('csrf_token', CsrfTokenTag);
  liquid.registerTag('static', StaticTag);
  liquid.registerTag('url', UrlTag);

  liquid.registerFilter('safe', {
    raw: true,
    handler: (v: unknown) => (v instanceof SafeString ? v : markSafe(v === null || v === undefined ? '' : String(v))),
  });
  // Escaped once is enough: the result of |escape is safe, as in Django.
  liquid.registerFilter('escape', { raw: true, handler: (v: unknown) => markSafe(escapeHtml(v)) });
  liquid.registerFilter('force_escape', {
    raw: true,
    handler: (v: unknown) => markSafe(escapeHtml(v instanceof SafeString ? v.value : v)),
  });
  liquid.registerFilter('length', (v: unknown) =>
    v === null || v === undefined
      ? 0
      : ((v as { length?: number }).length ?? (v instanceof Map || v instanceof Set ? v.size : 0)),
  );
  liquid.registerFilter('upper', (v: unknown) => String(v ?? '').toUpperCase());
  liquid.registerFilter('lower', (v: unknown) => String(v ?? '').toLowerCase());
  liquid.registerFilter('title', (v: unknown) =>
    String(v ?? '')
      .toLowerCase()
      .replace(/(^|[^\p{L}'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  );
  liquid.registerFilter('linebreaksbr', {
    raw: true,
    handler: (v: unknown) => markSafe(escapeHtml(v).replace(/\r?\n/g, '<br>')),
  });
  liquid.registerFilter('yesno', (v: unknown, choices: unknown = 'yes,no,maybe') => {
    const [yes, no, maybe] = String(choices).split(',');
    if (v === null || v === undefined) return maybe ?? no;
    return v ? yes : no;
  });
}

/** `{% load static %}`: accepted, does nothing (our tags are always there). */
class LoadTag extends Tag {
  render(): void {}
}

/** `{% csrf_token %}`: the hidden form field with the token of the `csrf` context processor. */
class CsrfTokenTag extends Tag {
  render(ctx: LiquidContext, emitter: Emitter): void {
    const found = ctx.getSync(['csrfToken']);
    // The csrf context processor gives a lazy token: reading it here is what sets the cookie.
    const token = found === undefined || found === null ? '' : String(found);
    if (token === '' || token === 'NOTPROVIDED') return;
    emitter.write(`<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(token)}">`);
  }
}

/** `{% static 'css/site.css' %}`: the file's URL from the staticfiles storage (hashed with the manifest). */
class StaticTag extends Tag {
  readonly #args: ValueArgs;
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    this.#args = new ValueArgs(token, liquid);
  }
  *render(ctx: LiquidContext, emitter: Emitter): Generator<unknown, void, unknown> {
    emitter.write(escapeHtml(staticUrl(String(yield argValue(this.#args.positional[0]!, ctx)))));
  }
}

/** `{% url 'name' arg key=value %}`: `reverse()`. */
class UrlTag extends Tag {
  readonly #args: ValueArgs;
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    this.#args = new ValueArgs(token, liquid);
  }
  *render(ctx: LiquidContext, emitter: Emitter): Generator<unknown, void, unknown> {
    const { positional, keywords } = this.#args;
    const name = String(yield argValue(positional[0]!, ctx));
    // Keyword arguments win over positional ones; with neither, reverse() gets no options.
    let opts: { args?: unknown[]; kwargs?: Record<string, unknown> } | undefined;
    if (keywords.length > 0) {
      const kwargs: Record<string, unknown> = {};
      for (const [key, arg] of keywords) kwargs[key] = yield argValue(arg, ctx);
      opts = { kwargs };
    } else if (positional.length > 1) {
      const args: unknown[] = [];
      for (let i = 1; i < positional.length; i++) args.push(yield argValue(positional[i]!, ctx));
      opts = { args };
    }
    emitter.write(escapeHtml(reverse(name, opts)));
  }
}

/** A quoted string without escapes: its value is known when the template is parsed. */
const PLAIN_LITERAL = /^(?:'([^'\\]*)'|"([^"\\]*)")$/;

/** One argument: a Liquid value evaluated per render, or a plain string literal, evaluated once. */
type Arg = Value | { readonly literal: string };

function parseArg(text: string, liquid: Liquid): Arg {
  const m = PLAIN_LITERAL.exec(text);
  return m ? { literal: m[1] ?? m[2] ?? '' } : new Value(text, liquid);
}

/**
 * What a tag yields for an argument: the literal itself, or the value's generator, which LiquidJS
 * runs synchronously or awaiting promises depending on the render mode.
 */
function argValue(arg: Arg, ctx: LiquidContext): unknown {
  return arg instanceof Value ? arg.value(ctx) : arg.literal;
}

/**
 * The arguments of `{% static 'a' %}` / `{% url 'name' a b key=value %}`: parsed once with the
 * template and evaluated at render time. (Parsing them per render, as
 * `liquid.evalValueSync(text)` does, was most of the cost of a `{% url %}`.)
 */
class ValueArgs {
  readonly positional: Arg[] = [];
  readonly keywords: Array<[string, Arg]> = [];

  constructor(token: TagToken, liquid: Liquid) {
    // Split on spaces outside quotes.
    const parts = token.args.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
    for (const part of parts) {
      const eq = /^([A-Za-z_]\w*)=(.+)$/s.exec(part);
      if (eq) this.keywords.push([eq[1] as string, parseArg(eq[2] as string, liquid)]);
      else this.positional.push(parseArg(part, liquid));
    }
    if (this.positional.length === 0)
      throw new Error(`tag {% ${token.name} %} needs an argument, as {% ${token.name} "name" %}`);
  }
}
