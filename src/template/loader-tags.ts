/**
 * Template inheritance and inclusion, as Django's `django.template.loader_tags`: `{% block %}`,
 * `{% extends %}` (with `{{ block.super }}` and any depth of parents) and `{% include %}`.
 *
 * A child template's blocks go into a block context (one queue per block name, the most derived
 * last); the root template renders, and each of its blocks renders the most derived version,
 * whose `block.super` renders the next one up.
 */
import path from 'node:path';
import { markSafe, SafeString } from '../utils/safestring.ts';
import { type CodeGen, type FunctionSlot, NEED_ASYNC } from './compiler.ts';
import type { Context } from './context.ts';
import { TemplateSyntaxError } from './exceptions.ts';
import type { Token } from './lexer.ts';
import { Library } from './library.ts';
import { Node, type NodeList, type Origin, TextNode } from './nodes.ts';
import { type Parser, tokenKwargs } from './parser.ts';
import { setBlockNodeClass, Template } from './template.ts';
import { type FilterExpression, Variable } from './variable.ts';
import { isThenable, repr } from './values.ts';

const BLOCK_CONTEXT_KEY = 'block_context';
const EXTENDS_CONTEXT_KEY = 'extends_context';

/** The block versions of a chain of templates, by name, the most derived last (Django's `BlockContext`). */
export class BlockContext {
  readonly blocks = new Map<string, BlockNode[]>();

  addBlocks(blocks: ReadonlyMap<string, BlockNode>): void {
    for (const [name, block] of blocks) {
      const list = this.blocks.get(name);
      if (list === undefined) this.blocks.set(name, [block]);
      else list.unshift(block);
    }
  }

  pop(name: string): BlockNode | undefined {
    return this.blocks.get(name)?.pop();
  }

  push(name: string, block: BlockNode): void {
    const list = this.blocks.get(name);
    if (list === undefined) this.blocks.set(name, [block]);
    else list.push(block);
  }

  getBlock(name: string): BlockNode | undefined {
    return this.blocks.get(name)?.at(-1);
  }
}

/** Continues with `value`, or with what it resolves to (only on the asynchronous path). */
function settle<T, R>(context: Context, value: T, next: (resolved: Awaited<T>) => R): R | Promise<Awaited<R>> {
  if (isThenable(value)) {
    if (!context.renderContext.async) throw NEED_ASYNC;
    context.renderContext.metPromise();
    return Promise.resolve(value).then(next as (v: unknown) => R) as Promise<Awaited<R>>;
  }
  return next(value as Awaited<T>);
}

/** `{% block name %}...{% endblock %}`. In the context as `block`, with `block.super`. */
export class BlockNode extends Node {
  readonly name: string;
  readonly nodelist: NodeList;
  /** The compiled body (set when its template is compiled). */
  functions: FunctionSlot | undefined = undefined;

  constructor(name: string, nodelist: NodeList) {
    super();
    this.name = name;
    this.nodelist = nodelist;
  }

  override compile(g: CodeGen): void {
    this.functions ??= g.functions(this.nodelist);
    g.write(g.awaited(`${g.constant(renderBlock)}(ctx, ${g.constant(this)})`));
  }

  /** `{{ block.super }}` outside of inheritance: Django's error. */
  super(): unknown {
    throw new TemplateSyntaxError(
      "'BlockNode' object has no attribute 'context'. Did you use {{ block.super }} in a base template?",
    );
  }

  override toString(): string {
    return `<Block Node: ${this.name}. Contents: ${this.nodelist.length} nodes>`;
  }
}

/** What `{{ block }}` is while a block renders in a chain of templates: its name, and `super`. */
export class BlockReference {
  readonly node: BlockNode;
  readonly context: Context;

  constructor(node: BlockNode, context: Context) {
    this.node = node;
    this.context = context;
  }

  get name(): string {
    return this.node.name;
  }

  get nodelist(): NodeList {
    return this.node.nodelist;
  }

  /** The parent template's version of this block (`{{ block.super }}`), safe. */
  super(): unknown {
    const blockContext = this.context.renderContext.get(BLOCK_CONTEXT_KEY) as BlockContext | undefined;
    if (blockContext === undefined || blockContext.getBlock(this.node.name) === undefined) return '';
    const output = renderBlock(this.context, this.node);
    return isThenable(output) ? Promise.resolve(output).then(markSafe) : markSafe(output);
  }
}

/** Renders `node`'s most derived version (Django's `BlockNode.render`). */
function renderBlock(context: Context, node: BlockNode): string | Promise<string> {
  const blockContext = context.renderContext.get(BLOCK_CONTEXT_KEY) as BlockContext | undefined;
  const depth = context.dicts.length;
  const frame = context.pushDict();
  let block = node;
  let pushBack: BlockNode | undefined;
  if (blockContext === undefined) {
    frame['block'] = node;
  } else {
    pushBack = blockContext.pop(node.name);
    if (pushBack !== undefined) block = pushBack;
    // A reference per render holds the context, so that renders never share state.
    frame['block'] = new BlockReference(block, context);
  }
  const functions = block.functions;
  if (functions === undefined || functions.sync === undefined || functions.async === undefined) {
    throw new Error(`The block '${block.name}' was rendered before its template was compiled.`);
  }
  if (context.renderContext.async) {
    return functions
      .async(context)
      .then((output) => {
        if (pushBack !== undefined) blockContext!.push(node.name, pushBack);
        return output;
      })
      .finally(() => {
        context.dicts.length = depth;
      });
  }
  try {
    const output = functions.sync(context);
    if (pushBack !== undefined) blockContext!.push(node.name, pushBack);
    return output;
  } finally {
    context.dicts.length = depth;
  }
}

/** Parses `{% block name %}`. */
export function doBlock(parser: Parser, token: Token): Node {
  const bits = token.contents.split(/\s+/);
  if (bits.length !== 2) throw new TemplateSyntaxError(`'${bits[0]}' tag takes only one argument`);
  const name = bits[1]!;
  const loaded = (parser.state.get('loadedBlocks') as string[] | undefined) ?? [];
  if (loaded.includes(name))
    throw new TemplateSyntaxError(`'${bits[0]}' tag with name '${name}' appears more than once`);
  loaded.push(name);
  parser.state.set('loadedBlocks', loaded);
  const nodelist = parser.parse(['endblock']);
  const endblock = parser.nextToken();
  const acceptable = ['endblock', `endblock ${name}`];
  if (!acceptable.includes(endblock.contents)) parser.invalidBlockTag(endblock, 'endblock', acceptable);
  return new BlockNode(name, nodelist);
}

/** `{% extends "base.html" %}`: renders the parent with this template's blocks. */
export class ExtendsNode extends Node {
  override mustBeFirst = true;
  readonly nodelist: NodeList;
  readonly parentName: FilterExpression;
  readonly blocks: ReadonlyMap<string, BlockNode>;

  constructor(nodelist: NodeList, parentName: FilterExpression) {
    super();
    this.nodelist = nodelist;
    this.parentName = parentName;
    this.blocks = new Map(nodelist.getNodesByType(BlockNode).map((block) => [block.name, block]));
  }

  override compile(g: CodeGen): void {
    // Only the blocks are rendered (by the parent); everything else of a child is ignored.
    for (const block of this.blocks.values()) block.functions ??= g.functions(block.nodelist);
    g.write(g.awaited(`${g.constant(renderExtends)}(ctx, ${g.constant(this)})`));
  }

  /** The parent template: named by the expression, or a template object it gives. */
  getParent(context: Context): Template | Promise<Template> {
    const value = this.parentName.resolve(context);
    if (isThenable(value)) return settle(context, value, (parent: unknown) => this.#parent(parent, context));
    return this.#parent(value, context);
  }

  #parent(parent: unknown, context: Context): Template {
    if (parent === undefined || parent === null || parent === '' || parent === false) {
      let message = `Invalid template name in 'extends' tag: ${repr(parent)}.`;
      if (this.parentName.filters.length > 0 || this.parentName.var instanceof Variable) {
        message += ` Got this from the '${this.parentName.token}' variable.`;
      }
      throw new TemplateSyntaxError(message);
    }
    if (parent instanceof Template) return parent;
    const inner = (parent as { template?: unknown }).template;
    if (inner instanceof Template) return inner;
    return this.findTemplate(String(parent), context);
  }

  /** Finds the parent, skipping the templates of the chain so far (a template may extend its namesake). */
  findTemplate(templateName: string, context: Context): Template {
    let history = context.renderContext.get(EXTENDS_CONTEXT_KEY) as Origin[] | undefined;
    if (history === undefined) context.renderContext.set(EXTENDS_CONTEXT_KEY, (history = [this.origin!]));
    const engine = (context.template as unknown as Template).engine;
    const [template, origin] = engine.findTemplate(templateName, history);
    history.push(origin);
    return template;
  }

  override toString(): string {
    return `<ExtendsNode: extends ${this.parentName.token}>`;
  }
}

function renderExtends(context: Context, node: ExtendsNode): string | Promise<string> {
  const parent = node.getParent(context);
  if (isThenable(parent)) return settle(context, parent, (found: Template) => extendWith(context, node, found));
  return extendWith(context, node, parent);
}

/** Adds `node`'s blocks (and the root's) to the block context and renders `parent` in place. */
function extendWith(context: Context, node: ExtendsNode, parent: Template): string | Promise<string> {
  const renderContext = context.renderContext;
  let blockContext = renderContext.get(BLOCK_CONTEXT_KEY) as BlockContext | undefined;
  if (blockContext === undefined) {
    blockContext = new BlockContext();
    renderContext.set(BLOCK_CONTEXT_KEY, blockContext);
  }
  blockContext.addBlocks(node.blocks);
  // A parent that extends nothing is the root: its own blocks are the last resort.
  for (const child of parent.nodelist) {
    if (child instanceof TextNode) continue;
    if (!(child instanceof ExtendsNode)) blockContext.addBlocks(parent.blocks);
    break;
  }
  const initial = renderContext.pushState(parent, false);
  if (renderContext.async) {
    return (parent.renderInPlace(context) as Promise<string>).finally(() => renderContext.popState(initial, false));
  }
  try {
    return parent.renderInPlace(context) as string;
  } finally {
    renderContext.popState(initial, false);
  }
}

/**
 * A name relative to the current template (`./x.html`, `../x.html`) made absolute, as Django's
 * `construct_relative_path`; other names unchanged.
 */
export function constructRelativePath(current: string | undefined, relative: string): string {
  const quoted =
    (relative.startsWith('"') && relative.endsWith('"')) || (relative.startsWith("'") && relative.endsWith("'"));
  const name = relative.replace(/^['"]+|['"]+$/g, '');
  if (!name.startsWith('./') && !name.startsWith('../')) return relative;
  if (current === undefined) {
    throw new TemplateSyntaxError(
      `The relative path '${relative}' cannot be used in a template that has no name (made from a string).`,
    );
  }
  const base = current.replace(/^\/+/, '');
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(base), name));
  if (joined.startsWith('../')) {
    throw new TemplateSyntaxError(
      `The relative path '${relative}' points outside the file hierarchy that template '${current}' is in.`,
    );
  }
  if (base === joined) {
    throw new TemplateSyntaxError(
      `The relative path '${relative}' was translated to template name '${joined}', the same template in which the tag appears.`,
    );
  }
  return quoted ? `"${joined}"` : joined;
}

/** Parses `{% extends %}`: the rest of the template is its body. */
export function doExtends(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length !== 2) throw new TemplateSyntaxError(`'${bits[0]}' takes one argument`);
  const parentName = parser.compileFilter(constructRelativePath(parser.origin?.templateName, bits[1]!));
  const nodelist = parser.parse();
  if (nodelist.getNodesByType(ExtendsNode).length > 0) {
    throw new TemplateSyntaxError(`'${bits[0]}' cannot appear more than once in the same template`);
  }
  return new ExtendsNode(nodelist, parentName);
}

/** What `{% include %}` can render: our Template, or an object that renders a Context. */
interface Renderable {
  render(context: Context): unknown;
}

/** `{% include "name" [with a=b] [only] %}`. */
export class IncludeNode extends Node {
  readonly template: FilterExpression;
  readonly extraContext: ReadonlyMap<string, FilterExpression>;
  readonly isolatedContext: boolean;

  constructor(
    template: FilterExpression,
    extraContext: ReadonlyMap<string, FilterExpression>,
    isolatedContext: boolean,
  ) {
    super();
    this.template = template;
    this.extraContext = extraContext;
    this.isolatedContext = isolatedContext;
    this.childNodelists = [];
  }

  override compile(g: CodeGen): void {
    g.write(g.awaited(`${g.constant(renderInclude)}(ctx, ${g.constant(this)})`));
  }
}

function includedTemplate(context: Context, node: IncludeNode, value: unknown): Renderable {
  if (typeof (value as Renderable | null)?.render === 'function') {
    const inner = (value as { template?: unknown }).template;
    return inner instanceof Template ? inner : (value as Renderable);
  }
  let names: string[];
  if (value instanceof SafeString) value = value.value;
  if (typeof value === 'string' || value === undefined || value === null || value === false) {
    names = value ? [constructRelativePath(node.origin?.templateName, value)] : [];
  } else {
    names = [...(value as Iterable<unknown>)].map(String);
  }
  // Loaded once per render and node, for includes in loops.
  const root = context.renderContext.root;
  let cache = root.get(node) as Map<string, Renderable> | undefined;
  if (cache === undefined) root.set(node, (cache = new Map()));
  const key = names.join('\0');
  let template = cache.get(key);
  if (template === undefined) {
    template = (context.template as unknown as Template).engine.selectTemplate(names);
    cache.set(key, template);
  }
  return template;
}

function renderInclude(context: Context, node: IncludeNode): string | Promise<string> {
  return settle(context, node.template.resolve(context), (value: unknown) => {
    const template = includedTemplate(context, node, value);
    const names = [...node.extraContext.keys()];
    const pending = [...node.extraContext.values()].map((fe) => fe.resolve(context));
    const values = pending.some(isThenable) ? Promise.all(pending) : pending;
    return settle(context, values, (resolved: unknown[]) => {
      const extra = Object.create(null) as Record<string, unknown>;
      names.forEach((name, i) => (extra[name] = resolved[i]));
      if (node.isolatedContext) return toOutput(template.render(context.new(extra)));
      const depth = context.dicts.length;
      Object.assign(context.pushDict(), extra);
      let output: unknown;
      try {
        output = template.render(context);
      } catch (error) {
        context.dicts.length = depth;
        throw error;
      }
      if (isThenable(output))
        return Promise.resolve(output)
          .then(String)
          .finally(() => (context.dicts.length = depth));
      context.dicts.length = depth;
      return String(output);
    });
  }) as string | Promise<string>;
}

function toOutput(output: unknown): string | Promise<string> {
  return isThenable(output) ? Promise.resolve(output).then(String) : String(output);
}

/** Parses `{% include %}`. */
export function doInclude(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length < 2) {
    throw new TemplateSyntaxError(
      `'${bits[0]}' tag takes at least one argument: the name of the template to be included.`,
    );
  }
  const options = new Map<string, unknown>();
  const remaining = bits.slice(2);
  while (remaining.length > 0) {
    const option = remaining.shift()!;
    if (options.has(option)) throw new TemplateSyntaxError(`The '${option}' option was specified more than once.`);
    let value: unknown;
    if (option === 'with') {
      value = tokenKwargs(remaining, parser, false);
      if ((value as Map<string, unknown>).size === 0) {
        throw new TemplateSyntaxError(`"with" in '${bits[0]}' tag needs at least one keyword argument.`);
      }
    } else if (option === 'only') {
      value = true;
    } else {
      throw new TemplateSyntaxError(`Unknown argument for '${bits[0]}' tag: '${option}'.`);
    }
    options.set(option, value);
  }
  const name = constructRelativePath(parser.origin?.templateName, bits[1]!);
  return new IncludeNode(
    parser.compileFilter(name),
    (options.get('with') as Map<string, FilterExpression> | undefined) ?? new Map(),
    options.get('only') === true,
  );
}

/** The library of `{% block %}`, `{% extends %}` and `{% include %}`, built into every engine. */
export const register = new Library();
register.tag('block', doBlock);
register.tag('extends', doExtends);
register.tag('include', doInclude);

setBlockNodeClass({ BlockNode });
