/**
 * The parser, as Django's `Parser`: turns tokens into nodes, calling each tag's compile function
 * with itself and the tag's token. A tag that has a body calls `parser.parse(['endtag'])` and
 * then `parser.deleteFirstToken()`; see library.ts for writing one.
 */
import { closestName } from '../utils/suggest.ts';
import { TemplateSyntaxError } from './exceptions.ts';
import { type Token, TokenType } from './lexer.ts';
import type { Filter, Library, TagCompileFunction } from './library.ts';
import { type Node, NodeList, type Origin, TextNode, VariableNode } from './nodes.ts';
import { FilterExpression } from './variable.ts';

/** The `{% load %}` libraries a parser can find by name. */
export interface LibraryIndex {
  get(name: string): Library | undefined;
  names(): string[];
}

const NO_LIBRARIES: LibraryIndex = { get: () => undefined, names: () => [] };

/** Django's `get_text_list(items, 'or')`: `'a', 'b' or 'c'`. */
function textList(items: readonly string[], last: string): string {
  if (items.length === 0) return '';
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}

/** The error a tag's compile function raised, pinned to the token being parsed (the innermost wins). */
export interface TokenError {
  token?: Token;
}

/**
 * Parses a token list.
 *
 * @example
 * // In a tag's compile function:
 * const nodelist = parser.parse(['endupper']);
 * parser.deleteFirstToken();
 */
export class Parser {
  /** The tokens left, last first (so taking the next one is a pop). */
  readonly tokens: Token[];
  readonly tags = new Map<string, TagCompileFunction>();
  readonly filters = new Map<string, Filter>();
  readonly commandStack: Array<[string, Token]> = [];
  readonly libraries: LibraryIndex;
  readonly origin: Origin | undefined;
  /** Per-template state for tags (named cycles, block names seen), as Django keeps on its parser. */
  readonly state = new Map<string, unknown>();
  /** The filters of the engine's built-in libraries, whatever `{% load %}` adds later. */
  readonly builtinFilters: ReadonlyMap<string, Filter>;

  constructor(
    tokens: readonly Token[],
    libraries: LibraryIndex = NO_LIBRARIES,
    builtins: readonly Library[] = [],
    origin?: Origin,
  ) {
    this.tokens = [...tokens].reverse();
    this.libraries = libraries;
    for (const library of builtins) this.addLibrary(library);
    this.builtinFilters = new Map(this.filters);
    this.origin = origin;
  }

  /**
   * Parses until one of `parseUntil` (tag names) and returns the nodes before it; that tag is
   * left as the next token. Without `parseUntil`, parses to the end.
   */
  parse(parseUntil: readonly string[] = []): NodeList {
    const nodelist = new NodeList();
    while (this.tokens.length > 0) {
      const token = this.nextToken();
      if (token.tokenType === TokenType.TEXT) {
        this.extendNodelist(nodelist, new TextNode(token.contents), token);
      } else if (token.tokenType === TokenType.VAR) {
        if (token.contents === '') throw this.error(token, `Empty variable tag on line ${token.lineno}`);
        let expression: FilterExpression;
        try {
          expression = this.compileFilter(token.contents);
        } catch (error) {
          throw this.error(token, error);
        }
        this.extendNodelist(nodelist, new VariableNode(expression), token);
      } else if (token.tokenType === TokenType.BLOCK) {
        const command = token.contents.split(/\s+/)[0] ?? '';
        if (command === '') throw this.error(token, `Empty block tag on line ${token.lineno}`);
        if (parseUntil.includes(command)) {
          this.prependToken(token);
          return nodelist;
        }
        this.commandStack.push([command, token]);
        const compileFunction = this.tags.get(command);
        if (compileFunction === undefined) this.invalidBlockTag(token, command, parseUntil);
        let node: Node;
        try {
          node = compileFunction(this, token);
        } catch (error) {
          throw this.error(token, error);
        }
        this.extendNodelist(nodelist, node, token);
        this.commandStack.pop();
      }
    }
    if (parseUntil.length > 0) this.unclosedBlockTag(parseUntil);
    return nodelist;
  }

  /** Skips every token up to and including the tag `endTag` (for `{% comment %}`). */
  skipPast(endTag: string): void {
    while (this.tokens.length > 0) {
      const token = this.nextToken();
      if (token.tokenType === TokenType.BLOCK && token.contents === endTag) return;
    }
    this.unclosedBlockTag([endTag]);
  }

  extendNodelist(nodelist: NodeList, node: Node, token: Token): void {
    if (node.mustBeFirst && nodelist.containsNontext) {
      throw this.error(token, `${node} must be the first tag in the template.`);
    }
    if (!(node instanceof TextNode)) nodelist.containsNontext = true;
    node.token = token;
    node.origin = this.origin;
    nodelist.push(node);
  }

  /** `error` (or a TemplateSyntaxError with that message) pinned to `token`, unless already pinned. */
  error(token: Token, error: unknown): Error {
    const e = error instanceof Error ? error : new TemplateSyntaxError(String(error));
    if ((e as TokenError).token === undefined) (e as TokenError).token = token;
    return e;
  }

  invalidBlockTag(token: Token, command: string, parseUntil: readonly string[] = []): never {
    const hint = closestName(command, [...parseUntil, ...this.tags.keys()]);
    const suggestion = hint !== undefined && hint !== command ? ` Did you mean '${hint}'?` : '';
    if (parseUntil.length > 0) {
      throw this.error(
        token,
        new TemplateSyntaxError(
          `Invalid block tag on line ${token.lineno}: '${command}', expected ${textList(
            parseUntil.map((p) => `'${p}'`),
            'or',
          )}. Did you forget to register or load this tag?${suggestion}`,
        ),
      );
    }
    throw this.error(
      token,
      new TemplateSyntaxError(
        `Invalid block tag on line ${token.lineno}: '${command}'. Did you forget to register or load this tag?${suggestion}`,
      ),
    );
  }

  unclosedBlockTag(parseUntil: readonly string[]): never {
    const [command, token] = this.commandStack.pop()!;
    throw this.error(
      token,
      new TemplateSyntaxError(
        `Unclosed tag on line ${token.lineno}: '${command}'. Looking for one of: ${parseUntil.join(', ')}.`,
      ),
    );
  }

  nextToken(): Token {
    return this.tokens.pop()!;
  }

  prependToken(token: Token): void {
    this.tokens.push(token);
  }

  deleteFirstToken(): void {
    this.tokens.pop();
  }

  /** Makes a library's tags and filters available from here on (`{% load %}`). */
  addLibrary(library: Pick<Library, 'tags' | 'filters'>): void {
    for (const [name, fn] of library.tags) this.tags.set(name, fn);
    for (const [name, filter] of library.filters) this.filters.set(name, filter);
  }

  /** Parses a filter expression (`value|filter:arg`) of a tag's arguments. */
  compileFilter(token: string): FilterExpression {
    return new FilterExpression(token, this);
  }

  findFilter(name: string): Filter {
    const filter = this.filters.get(name);
    if (filter !== undefined) return filter;
    const hint = closestName(name, this.filters.keys());
    throw new TemplateSyntaxError(`Invalid filter: '${name}'${hint !== undefined ? `. Did you mean '${hint}'?` : ''}`);
  }
}

const KWARG = /^(?:([\p{L}\p{N}_]+)=)?(.+)$/su;

/**
 * Takes `name=value` arguments off the front of `bits` (Django's `token_kwargs`): parses each
 * value and removes the bits used. With `supportLegacy`, `value as name [and value as name]` too.
 * Stops at the first bit of another form and returns what it has.
 */
export function tokenKwargs(bits: string[], parser: Parser, supportLegacy = false): Map<string, FilterExpression> {
  const kwargs = new Map<string, FilterExpression>();
  if (bits.length === 0) return kwargs;
  const kwargFormat = KWARG.exec(bits[0]!)?.[1] !== undefined;
  if (!kwargFormat) {
    if (!supportLegacy) return kwargs;
    if (bits.length < 3 || bits[1] !== 'as') return kwargs;
  }
  while (bits.length > 0) {
    let key: string;
    let value: string;
    if (kwargFormat) {
      const match = KWARG.exec(bits[0]!);
      if (match === null || match[1] === undefined) return kwargs;
      key = match[1];
      value = match[2]!;
      bits.splice(0, 1);
    } else {
      if (bits.length < 3 || bits[1] !== 'as') return kwargs;
      key = bits[2]!;
      value = bits[0]!;
      bits.splice(0, 3);
    }
    kwargs.set(key, parser.compileFilter(value));
    if (bits.length > 0 && !kwargFormat) {
      if (bits[0] !== 'and') return kwargs;
      bits.splice(0, 1);
    }
  }
  return kwargs;
}
