/**
 * A compiled template, as Django's `django.template.Template`: parsed and compiled to JavaScript
 * once, rendered with a Context any number of times.
 *
 * A render runs the synchronous function and returns a string. When it meets a promise (in the
 * context, from a method, a filter or a tag), it starts again on the asynchronous function and
 * returns a promise; the template then starts asynchronously from its next render on.
 */
import { type CompiledSource, compile, exceptionInfo, locate, NEED_ASYNC } from './compiler.ts';
import type { Context } from './context.ts';
import { TemplateSyntaxError } from './exceptions.ts';
import { tokenize } from './lexer.ts';
import type { Library } from './library.ts';
import type { BlockNode } from './loader-tags.ts';
import { type Node, type NodeList, Origin, type RenderFunctions, UNKNOWN_SOURCE } from './nodes.ts';
import { type LibraryIndex, Parser, type TokenError } from './parser.ts';
import { isThenable } from './values.ts';

/** What a template needs of its engine. */
export interface TemplateEngine {
  readonly debug: boolean;
  readonly autoescape: boolean;
  readonly stringIfInvalid: string;
  readonly templateLibraries: LibraryIndex;
  readonly templateBuiltins: readonly Library[];
  readonly templateContextProcessors: ReadonlyArray<(request: object) => unknown>;
  findTemplate(name: string, skip?: readonly Origin[]): [Template, Origin];
  getTemplate(name: string): Template;
  selectTemplate(names: readonly string[]): Template;
}

let defaultEngine: (() => TemplateEngine) | undefined;

/** Set by the engine module: the engine `new Template(source)` uses without one (Django's `Engine.get_default()`). */
export function setDefaultEngine(find: () => TemplateEngine): void {
  defaultEngine = find;
}

/**
 * A template.
 *
 * @example
 * const template = engine.fromString('Hello {{ name }}!');
 * template.render(new Context({ name: 'world' })); // 'Hello world!'
 */
export class Template implements CompiledSource {
  readonly source: string;
  readonly origin: Origin;
  readonly name: string | undefined;
  readonly engine: TemplateEngine;
  readonly nodelist: NodeList;
  readonly #functions: RenderFunctions;
  #blocks: Map<string, BlockNode> | undefined;
  /**
   * Set when the last render met a promise: the next starts on the asynchronous path rather
   * than start over. Cleared by a render that met none.
   */
  #preferAsync = false;

  constructor(source: string, origin?: Origin, name?: string, engine?: TemplateEngine) {
    if (engine === undefined) {
      if (defaultEngine === undefined) {
        throw new Error(
          'No template engine: make one with new Engine() and use engine.fromString(), or configure TEMPLATES.',
        );
      }
      engine = defaultEngine();
    }
    this.source = String(source);
    this.origin = origin ?? new Origin(UNKNOWN_SOURCE);
    this.name = name;
    this.engine = engine;
    const parser = new Parser(tokenize(this.source), engine.templateLibraries, engine.templateBuiltins, this.origin);
    try {
      this.nodelist = parser.parse();
    } catch (error) {
      throw this.#located(error);
    }
    this.#functions = compile(this.nodelist, { stringIfInvalid: engine.stringIfInvalid, template: this });
  }

  /** Puts the position of a parse error into it (its message names the template, line and column). */
  #located(error: unknown): unknown {
    const token = (error as TokenError | null)?.token;
    if (token === undefined || error === null || typeof error !== 'object') return error;
    const info = exceptionInfo(this, token, error);
    (error as { templateDebug?: unknown }).templateDebug ??= info;
    if (error instanceof TemplateSyntaxError && error.line === undefined) locate(error, info, this);
    return error;
  }

  /** The blocks of this template by name (for `{% extends %}`). */
  get blocks(): ReadonlyMap<string, BlockNode> {
    if (this.#blocks === undefined) {
      const { BlockNode } = blockNodeClass!;
      this.#blocks = new Map(this.nodelist.getNodesByType(BlockNode).map((block) => [block.name, block]));
    }
    return this.#blocks;
  }

  /**
   * Renders with `context`. Returns a string, or a promise when the context (or something the
   * template calls) gave a promise.
   */
  render(context: Context): string | Promise<string> {
    if (context.template !== undefined) return this.renderNested(context);
    const bound = context.bindTemplate(this);
    if (isThenable(bound)) return Promise.resolve(bound).then(() => this.#renderAsync(context));
    context.templateName = this.name ?? 'unknown';
    if (this.#preferAsync) return this.#renderAsync(context);
    const renderContext = context.renderContext;
    const initial = renderContext.pushState(this);
    context.startJournal();
    try {
      const output = this.#functions.sync(context);
      context.stopJournal(false);
      context.unbindTemplate();
      return output;
    } catch (error) {
      context.stopJournal(error === NEED_ASYNC);
      if (error !== NEED_ASYNC) {
        context.unbindTemplate();
        throw error;
      }
      this.#preferAsync = true;
    } finally {
      renderContext.popState(initial);
    }
    return this.#renderAsync(context);
  }

  async #renderAsync(context: Context): Promise<string> {
    context.templateName = this.name ?? 'unknown';
    const renderContext = context.renderContext;
    const wasAsync = renderContext.async;
    renderContext.async = true;
    renderContext.seen = { promise: false };
    const initial = renderContext.pushState(this);
    try {
      return await this.#functions.async(context);
    } finally {
      renderContext.popState(initial);
      renderContext.async = wasAsync;
      // A render that met no promise lets the next one try the synchronous path again.
      this.#preferAsync = renderContext.seen?.promise ?? false;
      context.pendingCalls = undefined;
      context.unbindTemplate();
    }
  }

  /** Renders inside another template's render (`{% include %}`): in its mode, with a fresh render state. */
  renderNested(context: Context): string | Promise<string> {
    const renderContext = context.renderContext;
    const initial = renderContext.pushState(this);
    if (renderContext.async) return this.#functions.async(context).finally(() => renderContext.popState(initial));
    try {
      return this.#functions.sync(context);
    } finally {
      renderContext.popState(initial);
    }
  }

  /** Renders this template's nodes in the current render state (`{% extends %}` renders its parent so). */
  renderInPlace(context: Context): string | Promise<string> {
    return context.renderContext.async ? this.#functions.async(context) : this.#functions.sync(context);
  }

  /** Every node of the template, depth first (Django's `Template.__iter__`). */
  *[Symbol.iterator](): IterableIterator<Node> {
    const walk = function* (list: readonly Node[]): IterableIterator<Node> {
      for (const node of list) {
        yield node;
        for (const attribute of node.childNodelists) {
          const child = (node as unknown as Record<string, unknown>)[attribute];
          if (Array.isArray(child)) yield* walk(child as Node[]);
        }
      }
    };
    yield* walk(this.nodelist);
  }
}

let blockNodeClass: { BlockNode: typeof BlockNode } | undefined;
/** Set by loader-tags.ts, which imports this module. */
export function setBlockNodeClass(classes: { BlockNode: typeof BlockNode }): void {
  blockNodeClass = classes;
}
