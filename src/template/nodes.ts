/**
 * The nodes a template is parsed into, as Django's `Node`, `NodeList`, `TextNode` and
 * `VariableNode`. Built-in nodes compile themselves to JavaScript (`compile()`); a node written
 * for a custom tag implements `render(context)` and the compiled template calls it.
 *
 * @example
 * class UpperNode extends Node {
 *   constructor(readonly nodelist: NodeList) { super(); }
 *   async render(context: Context) { return (await this.nodelist.render(context)).toUpperCase(); }
 * }
 */
import type { CodeGen } from './compiler.ts';
import type { Context } from './context.ts';
import type { Token } from './lexer.ts';
import type { FilterExpression } from './variable.ts';

/** Where a template came from: its file (or name) and the name it was asked for (Django's `Origin`). */
export class Origin {
  readonly name: string;
  readonly templateName: string | undefined;
  readonly loader: unknown;

  constructor(name: string, templateName?: string, loader?: unknown) {
    this.name = name;
    this.templateName = templateName;
    this.loader = loader;
  }

  /** Same place, same loader (what `{% extends %}` compares to skip a template it came from). */
  equals(other: unknown): boolean {
    return other instanceof Origin && other.name === this.name && other.loader === this.loader;
  }

  toString(): string {
    return this.name;
  }
}

/** The origin of templates made from a string. */
export const UNKNOWN_SOURCE = '<unknown source>';

/** The compiled render functions of a node list: synchronous, and asynchronous for promises. */
export interface RenderFunctions {
  readonly sync: (context: Context) => string;
  readonly async: (context: Context) => Promise<string>;
}

/** Compiles a node list for `NodeList.render()` (set by the compiler module, which imports this one). */
let compileNodeList: ((nodelist: NodeList, context: Context) => RenderFunctions) | undefined;
export function setNodeListCompiler(fn: (nodelist: NodeList, context: Context) => RenderFunctions): void {
  compileNodeList = fn;
}

/** A part of a template. */
export class Node {
  /** The tag's token (set by the parser): where errors point. */
  token: Token | undefined = undefined;
  origin: Origin | undefined = undefined;
  /** The properties holding child node lists (searched by `getNodesByType`). */
  childNodelists: readonly string[] = ['nodelist'];
  /** Only text may come before it (`{% extends %}`). */
  mustBeFirst = false;
  /** A list of this node alone, for `render()` of a built-in node (compiled once). */
  #alone: NodeList | undefined;

  /**
   * Renders the node. Built-in nodes compile instead; this renders them through a one-node list.
   * May return a promise.
   */
  render(context: Context): unknown {
    if (this.#alone === undefined) {
      this.#alone = new NodeList();
      this.#alone.push(this);
    }
    return this.#alone.render(context);
  }

  /** Emits the node's JavaScript. Undefined for custom nodes: the compiled code calls `render()`. */
  compile?(g: CodeGen): void;

  /** This node and every node of the given class inside it. */
  getNodesByType<T extends Node>(type: abstract new (...args: never[]) => T): T[] {
    const found: T[] = [];
    if (this instanceof type) found.push(this as T);
    for (const attribute of this.childNodelists) {
      const child = (this as unknown as Record<string, unknown>)[attribute];
      if (child instanceof NodeList) found.push(...child.getNodesByType(type));
    }
    return found;
  }

  toString(): string {
    return `<${this.constructor.name}>`;
  }
}

/** A list of nodes; `render()` returns their output joined (compiled on first use). */
export class NodeList extends Array<Node> {
  /** Set when a node other than text is added (`{% extends %}` must come first). */
  containsNontext = false;
  #compiled: RenderFunctions | undefined;

  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /**
   * The nodes' output, as a string; a promise when the render is asynchronous (a promise was
   * met in the context: await what this returns in a node's `render()`).
   */
  render(context: Context): string | Promise<string> {
    this.#compiled ??= compileNodeList!(this, context);
    return context.renderContext.async ? this.#compiled.async(context) : this.#compiled.sync(context);
  }

  getNodesByType<T extends Node>(type: abstract new (...args: never[]) => T): T[] {
    const found: T[] = [];
    for (const node of this) found.push(...node.getNodesByType(type));
    return found;
  }
}

/** Text between tags, output as it is. */
export class TextNode extends Node {
  readonly s: string;
  constructor(s: string) {
    super();
    this.s = s;
    this.childNodelists = [];
  }
  override compile(g: CodeGen): void {
    if (this.s !== '') g.write(JSON.stringify(this.s));
  }
  override toString(): string {
    return `<TextNode: ${JSON.stringify(this.s.slice(0, 25))}>`;
  }
}

/** `{{ expression }}`: the value, filtered, escaped when autoescape is on. */
export class VariableNode extends Node {
  readonly filterExpression: FilterExpression;
  constructor(filterExpression: FilterExpression) {
    super();
    this.filterExpression = filterExpression;
    this.childNodelists = [];
  }
  override compile(g: CodeGen): void {
    g.write(g.renderValue(g.expression(this.filterExpression)));
  }
  override toString(): string {
    return `<Variable Node: ${this.filterExpression.token}>`;
  }
}
