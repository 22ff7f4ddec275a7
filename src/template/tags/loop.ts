/**
 * The loop tags, as Django's: `{% for %}` (with `{% empty %}`, `reversed`, unpacking and the
 * `forloop` variables), `{% cycle %}`/`{% resetcycle %}` and `{% ifchanged %}`.
 */
import type { CodeGen } from '../compiler.ts';
import type { Context } from '../context.ts';
import { TemplateSyntaxError } from '../exceptions.ts';
import type { Token } from '../lexer.ts';
import { Node, NodeList } from '../nodes.ts';
import type { Parser } from '../parser.ts';
import type { FilterExpression } from '../variable.ts';
import { equals, sequenceLength, toList } from '../values.ts';

/** Python's ValueError, for a loop item that does not unpack into the loop's variables. */
export class ValueError extends Error {
  override name = 'ValueError';
}

function unpackError(expected: number, got: number): ValueError {
  return new ValueError(`Need ${expected} values to unpack in for loop; got ${got}. `);
}

/** `forloop.parentloop` of an outermost loop: an empty dict, as Django's. */
const NO_PARENT_LOOP = Object.freeze({});

/** The items of a value for `{% for %}`, as an array. */
function loopItems(value: unknown): readonly unknown[] {
  return toList(value);
}

/** An item's parts for `{% for a, b in pairs %}` (a string's characters, an array's items). */
function unpack(item: unknown, count: number): readonly unknown[] {
  const length = sequenceLength(item);
  if (length !== count) throw unpackError(count, length);
  return typeof item === 'string' ? [...item] : Array.isArray(item) ? item : [...(item as Iterable<unknown>)];
}

/** `{% for x in items %}...{% empty %}...{% endfor %}`. */
export class ForNode extends Node {
  readonly loopvars: readonly string[];
  readonly sequence: FilterExpression;
  readonly isReversed: boolean;
  readonly nodelistLoop: NodeList;
  readonly nodelistEmpty: NodeList;

  constructor(
    loopvars: readonly string[],
    sequence: FilterExpression,
    isReversed: boolean,
    nodelistLoop: NodeList,
    nodelistEmpty?: NodeList,
  ) {
    super();
    this.loopvars = loopvars;
    this.sequence = sequence;
    this.isReversed = isReversed;
    this.nodelistLoop = nodelistLoop;
    this.nodelistEmpty = nodelistEmpty ?? new NodeList();
    this.childNodelists = ['nodelistLoop', 'nodelistEmpty'];
  }

  override compile(g: CodeGen): void {
    const depth = g.temp('d');
    const frame = g.temp('f');
    const items = g.temp('i');
    const n = g.temp('n');
    const loop = g.temp('l');
    const k = g.temp('k');
    g.line(`const ${depth} = ctx.dicts.length;`);
    g.line(`const ${loop} = { parentloop: ctx.get('forloop', ${g.constant(NO_PARENT_LOOP)}) };`);
    g.line(`const ${frame} = ctx.pushDict();`);
    g.line('try {');
    const value = g.expression(this.sequence, { ignoreFailures: true });
    g.line(`let ${items} = ${g.constant(loopItems)}(${value});`);
    g.line(`const ${n} = ${items}.length;`);
    g.line(`if (${n} < 1) {`);
    g.nodes(this.nodelistEmpty);
    g.line('} else {');
    if (this.isReversed) g.line(`${items} = ${items}.slice().reverse();`);
    g.line(`${frame}.forloop = ${loop};`);
    g.line(`for (let ${k} = 0; ${k} < ${n}; ${k}++) {`);
    g.line(
      `${loop}.counter0 = ${k}; ${loop}.counter = ${k} + 1; ${loop}.revcounter = ${n} - ${k}; ` +
        `${loop}.revcounter0 = ${n} - ${k} - 1; ${loop}.first = ${k} === 0; ${loop}.last = ${k} === ${n} - 1;`,
    );
    if (this.loopvars.length === 1) {
      g.line(`${frame}[${JSON.stringify(this.loopvars[0])}] = ${items}[${k}];`);
      g.nodes(this.nodelistLoop);
    } else {
      const parts = g.temp('u');
      const inner = g.temp('f');
      g.line(`const ${parts} = ${g.constant(unpack)}(${items}[${k}], ${this.loopvars.length});`);
      g.line(`const ${inner} = ctx.pushDict();`);
      this.loopvars.forEach((name, i) => g.line(`${inner}[${JSON.stringify(name)}] = ${parts}[${i}];`));
      g.nodes(this.nodelistLoop);
      g.line(`ctx.dicts.length = ${depth} + 1;`);
    }
    g.line('}');
    g.line('}');
    g.line(`} finally { ctx.dicts.length = ${depth}; }`);
  }

  override toString(): string {
    return `<ForNode: for ${this.loopvars.join(', ')} in ${this.sequence.token}, tail_len: ${this.nodelistLoop.length}${this.isReversed ? ' reversed' : ''}>`;
  }
}

const INVALID_LOOPVAR = /[ "'|]/;

/** Parses `{% for %}`. */
export function doFor(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length < 4)
    throw new TemplateSyntaxError(`'for' statements should have at least four words: ${token.contents}`);
  const isReversed = bits.at(-1) === 'reversed';
  const inIndex = bits.length + (isReversed ? -3 : -2);
  if (bits[inIndex] !== 'in') {
    throw new TemplateSyntaxError(`'for' statements should use the format 'for x in y': ${token.contents}`);
  }
  const loopvars = bits.slice(1, inIndex).join(' ').split(/ *, */);
  for (const name of loopvars) {
    if (name === '' || INVALID_LOOPVAR.test(name)) {
      throw new TemplateSyntaxError(`'for' tag received an invalid argument: ${token.contents}`);
    }
  }
  const sequence = parser.compileFilter(bits[inIndex + 1]!);
  const nodelistLoop = parser.parse(['empty', 'endfor']);
  const next = parser.nextToken();
  let nodelistEmpty: NodeList | undefined;
  if (next.contents === 'empty') {
    nodelistEmpty = parser.parse(['endfor']);
    parser.deleteFirstToken();
  }
  return new ForNode(loopvars, sequence, isReversed, nodelistLoop, nodelistEmpty);
}

/** The next position of a cycle in this template's render (kept in the render context). */
function cycleNext(context: Context, node: CycleNode): number {
  const position = (context.renderContext.get(node, 0) as number) % node.cyclevars.length;
  context.renderContext.set(node, position + 1);
  return position;
}

/** `{% cycle 'a' 'b' [as name [silent]] %}` and `{% cycle name %}` (the same node). */
export class CycleNode extends Node {
  readonly cyclevars: readonly FilterExpression[];
  readonly variableName: string | undefined;
  readonly silent: boolean;

  constructor(cyclevars: readonly FilterExpression[], variableName?: string, silent = false) {
    super();
    this.cyclevars = cyclevars;
    this.variableName = variableName;
    this.silent = silent;
    this.childNodelists = [];
  }

  override compile(g: CodeGen): void {
    const value = g.temp('y');
    g.line(`let ${value};`);
    g.line(`switch (${g.constant(cycleNext)}(ctx, ${g.constant(this)})) {`);
    this.cyclevars.forEach((fe, i) => {
      g.line(`case ${i}: {`);
      g.line(`${value} = ${g.expression(fe)};`);
      g.line('break; }');
    });
    g.line('}');
    if (this.variableName !== undefined) g.line(`ctx.setUpward(${JSON.stringify(this.variableName)}, ${value});`);
    if (!this.silent) g.write(g.renderValue(value));
  }

  /** Starts the cycle over (`{% resetcycle %}`). */
  reset(context: Context): void {
    context.renderContext.set(this, 0);
  }
}

const NAMED_CYCLES = 'namedCycleNodes';
const LAST_CYCLE = 'lastCycleNode';

/** Parses `{% cycle %}`. */
export function cycle(parser: Parser, token: Token): Node {
  let args = token.splitContents();
  if (args.length < 2) throw new TemplateSyntaxError("'cycle' tag requires at least two arguments");
  const named = parser.state.get(NAMED_CYCLES) as Map<string, CycleNode> | undefined;
  if (args.length === 2) {
    const name = args[1]!;
    if (named === undefined) throw new TemplateSyntaxError(`No named cycles in template. '${name}' is not defined`);
    const node = named.get(name);
    if (node === undefined) throw new TemplateSyntaxError(`Named cycle '${name}' does not exist`);
    return node;
  }
  let asForm = false;
  let silent = false;
  if (args.length > 4) {
    if (args.at(-3) === 'as') {
      if (args.at(-1) !== 'silent') {
        throw new TemplateSyntaxError(`Only 'silent' flag is allowed after cycle's name, not '${args.at(-1)}'.`);
      }
      asForm = true;
      silent = true;
      args = args.slice(0, -1);
    } else if (args.at(-2) === 'as') {
      asForm = true;
    }
  }
  let node: CycleNode;
  if (asForm) {
    const name = args.at(-1)!;
    node = new CycleNode(
      args.slice(1, -2).map((arg) => parser.compileFilter(arg)),
      name,
      silent,
    );
    const map = named ?? new Map<string, CycleNode>();
    map.set(name, node);
    parser.state.set(NAMED_CYCLES, map);
  } else {
    node = new CycleNode(args.slice(1).map((arg) => parser.compileFilter(arg)));
  }
  parser.state.set(LAST_CYCLE, node);
  return node;
}

/** `{% resetcycle [name] %}`. */
export class ResetCycleNode extends Node {
  readonly node: CycleNode;
  constructor(node: CycleNode) {
    super();
    this.node = node;
    this.childNodelists = [];
  }
  override compile(g: CodeGen): void {
    g.line(`${g.constant(this.node)}.reset(ctx);`);
  }
}

/** Parses `{% resetcycle %}`. */
export function resetcycle(parser: Parser, token: Token): Node {
  const args = token.splitContents();
  if (args.length > 2) throw new TemplateSyntaxError(`'${args[0]}' tag accepts at most one argument.`);
  if (args.length === 2) {
    const node = (parser.state.get(NAMED_CYCLES) as Map<string, CycleNode> | undefined)?.get(args[1]!);
    if (node === undefined) throw new TemplateSyntaxError(`Named cycle '${args[1]}' does not exist.`);
    return new ResetCycleNode(node);
  }
  const last = parser.state.get(LAST_CYCLE) as CycleNode | undefined;
  if (last === undefined) throw new TemplateSyntaxError('No cycles in template.');
  return new ResetCycleNode(last);
}

/**
 * The last value an `{% ifchanged %}` saw: kept in the innermost `forloop` (so a nested loop
 * starts over with each outer iteration), else in the render context, as Django.
 */
function stateFrame(context: Context): { get(key: object): unknown; set(key: object, value: unknown): void } {
  const loop = context.get('forloop');
  if (loop !== undefined && loop !== null && typeof loop === 'object') {
    const states =
      (loop as { [IFCHANGED]?: Map<object, unknown> })[IFCHANGED] ??
      ((loop as { [IFCHANGED]?: Map<object, unknown> })[IFCHANGED] = new Map());
    return states;
  }
  return context.renderContext;
}
const IFCHANGED = Symbol('ifchanged');

/** Compares with the last value and stores the new one; true when it changed. */
function ifchangedChanged(context: Context, node: IfChangedNode, value: unknown): boolean {
  const frame = stateFrame(context);
  const previous = frame.get(node);
  if (previous !== undefined && equals(value, previous)) return false;
  frame.set(node, value);
  return true;
}

/** `{% ifchanged [values] %}...{% else %}...{% endifchanged %}`. */
export class IfChangedNode extends Node {
  readonly nodelistTrue: NodeList;
  readonly nodelistFalse: NodeList;
  readonly varlist: readonly FilterExpression[];

  constructor(nodelistTrue: NodeList, nodelistFalse: NodeList, varlist: readonly FilterExpression[]) {
    super();
    this.nodelistTrue = nodelistTrue;
    this.nodelistFalse = nodelistFalse;
    this.varlist = varlist;
    this.childNodelists = ['nodelistTrue', 'nodelistFalse'];
  }

  override compile(g: CodeGen): void {
    const changed = g.constant(ifchangedChanged);
    const node = g.constant(this);
    if (this.varlist.length > 0) {
      const values = this.varlist.map((fe) => g.expression(fe, { ignoreFailures: true }));
      g.line(`if (${changed}(ctx, ${node}, [${values.join(', ')}])) {`);
      g.nodes(this.nodelistTrue);
    } else {
      const output = g.capture(this.nodelistTrue);
      g.line(`if (${changed}(ctx, ${node}, ${output})) {`);
      g.write(output);
    }
    g.line('} else {');
    g.nodes(this.nodelistFalse);
    g.line('}');
  }
}

/** Parses `{% ifchanged %}`. */
export function ifchanged(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  const nodelistTrue = parser.parse(['else', 'endifchanged']);
  const next = parser.nextToken();
  let nodelistFalse = new NodeList();
  if (next.contents === 'else') {
    nodelistFalse = parser.parse(['endifchanged']);
    parser.deleteFirstToken();
  }
  return new IfChangedNode(
    nodelistTrue,
    nodelistFalse,
    bits.slice(1).map((bit) => parser.compileFilter(bit)),
  );
}
