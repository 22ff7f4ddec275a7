/**
 * `{% if %}` and the deprecated `{% ifequal %}`/`{% ifnotequal %}`, as Django's `IfNode` and its
 * "smart if" parser (`django.template.smartif`): a top-down operator precedence parser with
 * Python's precedence, `or` < `and` < `not` < `in`, `not in` < `is`, `is not`, `==`, `!=`, `<`,
 * `>`, `<=`, `>=`. An operator whose operands fail (a comparison of a number with a string) is
 * false, as in Django.
 */
import type { CodeGen } from '../compiler.ts';
import { TemplateSyntaxError, VariableDoesNotExist } from '../exceptions.ts';
import type { Token } from '../lexer.ts';
import { Node, NodeList } from '../nodes.ts';
import type { Parser } from '../parser.ts';
import type { FilterExpression } from '../variable.ts';
import { compare, contains, equals } from '../values.ts';

/** A parsed condition: an operand, or an operator with its operands. */
export type Condition =
  | { readonly kind: 'literal'; readonly value: FilterExpression; readonly text: string }
  | { readonly kind: 'prefix'; readonly op: 'not'; readonly first: Condition }
  | { readonly kind: 'infix'; readonly op: InfixOperator; readonly first: Condition; readonly second: Condition };

type InfixOperator = 'or' | 'and' | 'in' | 'not in' | 'is' | 'is not' | '==' | '!=' | '>' | '>=' | '<' | '<=';

const BINDING_POWER: Record<string, number> = {
  or: 6,
  and: 7,
  not: 8,
  in: 9,
  'not in': 9,
  is: 10,
  'is not': 10,
  '==': 10,
  '!=': 10,
  '>': 10,
  '>=': 10,
  '<': 10,
  '<=': 10,
};

type ParseToken =
  | { readonly type: 'operator'; readonly id: string; readonly lbp: number }
  | { readonly type: 'literal'; readonly text: string; readonly lbp: 0 }
  | { readonly type: 'end'; readonly lbp: 0 };

const END: ParseToken = { type: 'end', lbp: 0 };

/** Parses the words of an `if` into a Condition (Django's `IfParser`). */
export class IfParser {
  readonly #tokens: ParseToken[];
  readonly #parser: Parser;
  #pos = 0;
  #current: ParseToken;

  constructor(parser: Parser, words: readonly string[]) {
    this.#parser = parser;
    const tokens: ParseToken[] = [];
    for (let i = 0; i < words.length; i++) {
      let word = words[i]!;
      if (word === 'is' && words[i + 1] === 'not') {
        word = 'is not';
        i++;
      } else if (word === 'not' && words[i + 1] === 'in') {
        word = 'not in';
        i++;
      }
      const lbp = BINDING_POWER[word];
      tokens.push(
        lbp !== undefined && Object.hasOwn(BINDING_POWER, word)
          ? { type: 'operator', id: word, lbp }
          : { type: 'literal', text: word, lbp: 0 },
      );
    }
    this.#tokens = tokens;
    this.#current = this.#next();
  }

  #next(): ParseToken {
    return this.#pos >= this.#tokens.length ? END : this.#tokens[this.#pos++]!;
  }

  parse(): Condition {
    const condition = this.#expression(0);
    if (this.#current !== END) {
      throw new TemplateSyntaxError(`Unused '${display(this.#current)}' at end of if expression.`);
    }
    return condition;
  }

  #expression(rbp: number): Condition {
    const token = this.#current;
    this.#current = this.#next();
    let left = this.#nud(token);
    while (rbp < this.#current.lbp) {
      const operator = this.#current;
      this.#current = this.#next();
      left = this.#led(operator, left);
    }
    return left;
  }

  #nud(token: ParseToken): Condition {
    if (token.type === 'literal') {
      return { kind: 'literal', value: this.#parser.compileFilter(token.text), text: token.text };
    }
    if (token.type === 'end') throw new TemplateSyntaxError('Unexpected end of expression in if tag.');
    if (token.id === 'not') return { kind: 'prefix', op: 'not', first: this.#expression(token.lbp) };
    throw new TemplateSyntaxError(`Not expecting '${token.id}' in this position in if tag.`);
  }

  #led(token: ParseToken, left: Condition): Condition {
    if (token.type !== 'operator' || token.id === 'not') {
      throw new TemplateSyntaxError(`Not expecting '${display(token)}' as infix operator in if tag.`);
    }
    return { kind: 'infix', op: token.id as InfixOperator, first: left, second: this.#expression(token.lbp) };
  }
}

function display(token: ParseToken): string {
  if (token.type === 'operator') return token.id;
  if (token.type === 'literal') return token.text;
  return 'None';
}

/** Runtime helpers of the comparisons (constants of the generated code). */
const OPERATIONS = {
  in: (x: unknown, y: unknown) => contains(y, x),
  'not in': (x: unknown, y: unknown) => !contains(y, x),
  is: (x: unknown, y: unknown) => x === y || (x === undefined && y === null),
  'is not': (x: unknown, y: unknown) => !(x === y || (x === undefined && y === null)),
  '==': equals,
  '!=': (x: unknown, y: unknown) => !equals(x, y),
  '>': (x: unknown, y: unknown) => compare(x, y) > 0,
  '>=': (x: unknown, y: unknown) => compare(x, y) >= 0,
  '<': (x: unknown, y: unknown) => compare(x, y) < 0,
  '<=': (x: unknown, y: unknown) => compare(x, y) <= 0,
} as const;

/** Emits the evaluation of `condition` and returns the variable holding its (Python) value. */
export function emitCondition(g: CodeGen, condition: Condition): string {
  if (condition.kind === 'literal') return g.expression(condition.value, { ignoreFailures: true });
  const result = g.temp('c');
  g.line(`let ${result};`);
  g.line('try {');
  if (condition.kind === 'prefix') {
    const x = emitCondition(g, condition.first);
    g.line(`${result} = !B(${x});`);
  } else if (condition.op === 'or' || condition.op === 'and') {
    const x = emitCondition(g, condition.first);
    g.line(`if (${condition.op === 'or' ? '' : '!'}B(${x})) ${result} = ${x}; else {`);
    const y = emitCondition(g, condition.second);
    g.line(`${result} = ${y}; }`);
  } else {
    const x = emitCondition(g, condition.first);
    const y = emitCondition(g, condition.second);
    g.line(`${result} = ${g.constant(OPERATIONS[condition.op])}(${x}, ${y});`);
  }
  // Django's operators turn any exception into False; the switch to asynchronous rendering is not one.
  g.line(`} catch (e) { if (e === NA) throw e; ${result} = false; }`);
  return result;
}

/** `{% if %}...{% elif %}...{% else %}...{% endif %}`. */
export class IfNode extends Node {
  readonly conditionsNodelists: ReadonlyArray<readonly [Condition | undefined, NodeList]>;

  constructor(conditionsNodelists: ReadonlyArray<readonly [Condition | undefined, NodeList]>) {
    super();
    this.conditionsNodelists = conditionsNodelists;
    this.childNodelists = [];
  }

  override getNodesByType<T extends Node>(type: abstract new (...args: never[]) => T): T[] {
    const found: T[] = this instanceof type ? [this as T] : [];
    for (const [, nodelist] of this.conditionsNodelists) found.push(...nodelist.getNodesByType(type));
    return found;
  }

  override compile(g: CodeGen): void {
    const vde = g.constant(VariableDoesNotExist);
    let opened = 0;
    for (const [condition, nodelist] of this.conditionsNodelists) {
      if (condition === undefined) {
        g.nodes(nodelist);
        break;
      }
      const match = g.temp('m');
      g.line(`let ${match};`);
      if (condition.kind === 'literal') {
        // A missing filter argument is no match, as Django's IfNode.
        g.line('try {');
        const value = emitCondition(g, condition);
        g.line(`${match} = B(${value});`);
        g.line(`} catch (e) { if (e === NA || !(e instanceof ${vde})) throw e; ${match} = false; }`);
      } else {
        g.line(`${match} = B(${emitCondition(g, condition)});`);
      }
      g.line(`if (${match}) {`);
      g.nodes(nodelist);
      g.line('} else {');
      opened++;
    }
    for (let i = 0; i < opened; i++) g.line('}');
  }
}

/** Parses `{% if %}` with its `elif` and `else` clauses. */
export function doIf(parser: Parser, token: Token): Node {
  let condition = new IfParser(parser, token.splitContents().slice(1)).parse();
  let nodelist = parser.parse(['elif', 'else', 'endif']);
  const clauses: Array<readonly [Condition | undefined, NodeList]> = [[condition, nodelist]];
  let next = parser.nextToken();
  while (next.contents.startsWith('elif')) {
    condition = new IfParser(parser, next.splitContents().slice(1)).parse();
    nodelist = parser.parse(['elif', 'else', 'endif']);
    clauses.push([condition, nodelist]);
    next = parser.nextToken();
  }
  if (next.contents === 'else') {
    nodelist = parser.parse(['endif']);
    clauses.push([undefined, nodelist]);
    next = parser.nextToken();
  }
  if (next.contents !== 'endif') {
    throw new TemplateSyntaxError(`Malformed template tag at line ${next.lineno}: "${next.contents}"`);
  }
  return new IfNode(clauses);
}

/** `{% ifequal a b %}` / `{% ifnotequal a b %}` (deprecated in Django 3.1, still built in 3.2). */
export class IfEqualNode extends Node {
  readonly var1: FilterExpression;
  readonly var2: FilterExpression;
  readonly nodelistTrue: NodeList;
  readonly nodelistFalse: NodeList;
  readonly negate: boolean;

  constructor(
    var1: FilterExpression,
    var2: FilterExpression,
    nodelistTrue: NodeList,
    nodelistFalse: NodeList,
    negate: boolean,
  ) {
    super();
    this.var1 = var1;
    this.var2 = var2;
    this.nodelistTrue = nodelistTrue;
    this.nodelistFalse = nodelistFalse;
    this.negate = negate;
    this.childNodelists = ['nodelistTrue', 'nodelistFalse'];
  }

  override compile(g: CodeGen): void {
    const a = g.expression(this.var1, { ignoreFailures: true });
    const b = g.expression(this.var2, { ignoreFailures: true });
    g.line(`if (${this.negate ? '!' : ''}${g.constant(equals)}(${a}, ${b})) {`);
    g.nodes(this.nodelistTrue);
    g.line('} else {');
    g.nodes(this.nodelistFalse);
    g.line('}');
  }
}

/** Parses `{% ifequal %}` (negate false) and `{% ifnotequal %}` (negate true). */
export function doIfEqual(negate: boolean): (parser: Parser, token: Token) => Node {
  return (parser, token) => {
    const bits = token.splitContents();
    if (bits.length !== 3) throw new TemplateSyntaxError(`'${bits[0]}' takes two arguments`);
    const endTag = 'end' + bits[0];
    const nodelistTrue = parser.parse(['else', endTag]);
    const next = parser.nextToken();
    let nodelistFalse: NodeList;
    if (next.contents === 'else') {
      nodelistFalse = parser.parse([endTag]);
      parser.deleteFirstToken();
    } else {
      nodelistFalse = new NodeList();
    }
    return new IfEqualNode(
      parser.compileFilter(bits[1]!),
      parser.compileFilter(bits[2]!),
      nodelistTrue,
      nodelistFalse,
      negate,
    );
  };
}
