/**
 * The compiler: a template's nodes become JavaScript functions, built once per template with
 * `new Function` and kept with it. Each node list is compiled twice from the same nodes: a
 * synchronous function, the fast path, and an `async` one that awaits the promises it meets.
 * A render starts on the synchronous function; when it meets a promise it stops (NEED_ASYNC),
 * and the render starts again on the asynchronous one (template.ts).
 *
 * The generated code is plain: one string accumulator per node list, variables resolved inline
 * (lookup.ts), filters called directly with Django's rules, and `$p` holding the token of the
 * node running, so that an error can be pinned to its line (annotate()).
 */
import { markSafe, SafeString } from '../utils/safestring.ts';
import type { Context } from './context.ts';
import { TemplateDoesNotExist, TemplateSyntaxError } from './exceptions.ts';
import type { TemplateDebugInfo } from './exceptions.ts';
import type { Token } from './lexer.ts';
import { callValue, getPart, lookupName, MISSING, SILENT } from './lookup.ts';
import { type Node, type NodeList, type RenderFunctions, setNodeListCompiler } from './nodes.ts';
import { templateLocaltime } from '../utils/timezone.ts';
import { escape, renderValue } from './output.ts';
import { type FilterExpression, invalidText, markSafeResult, Variable } from './variable.ts';
import { isThenable, toText, truthy } from './values.ts';

/** Thrown by the synchronous code when it meets a promise: the render goes asynchronous. */
export const NEED_ASYNC: unique symbol = Symbol('NEED_ASYNC');

function needAsync(): never {
  throw NEED_ASYNC;
}

/** What a compiled template needs to know of its template: for errors, the source and the name. */
export interface CompiledSource {
  readonly source: string;
  readonly origin: { readonly name: string };
}

/** The helpers every generated function sees, by short name. */
const RUNTIME = {
  L: lookupName,
  P: getPart,
  C: callValue,
  M: MISSING,
  SL: SILENT,
  T: isThenable,
  A: needAsync,
  R: renderValue,
  E: escape,
  SS: SafeString,
  MS: markSafeResult,
  MK: markSafe,
  LT: templateLocaltime,
  TX: toText,
  B: truthy,
  X: annotate,
  NA: NEED_ASYNC,
  W: awaitedValue,
};

/** A promise the asynchronous code awaits: noted, so the template knows promises keep coming. */
function awaitedValue(context: Context, value: unknown): unknown {
  context.renderContext.metPromise();
  return value;
}
const RUNTIME_NAMES = Object.keys(RUNTIME).join(', ');

/** A holder filled with a node list's two functions once the template's code is built. */
export interface FunctionSlot {
  sync: ((context: Context) => string) | undefined;
  async: ((context: Context) => Promise<string>) | undefined;
}

/** Options of one compilation. */
export interface CompileOptions {
  /** The engine's `stringIfInvalid` (Django's `string_if_invalid`). */
  readonly stringIfInvalid: string;
  /** The template compiled, for error positions. */
  readonly template: CompiledSource | undefined;
}

/**
 * Emits the code of one template. Nodes call it from `compile()`: `write()` output, `expression()`
 * for a filter expression's value, `nodes()`/`capture()` for child node lists, `constant()` for a
 * value the code refers to, `check()` after anything that may be a promise.
 */
export class CodeGen {
  readonly stringIfInvalid: string;
  /** Whether the function being emitted is the asynchronous one. */
  async = false;
  /** The variable collecting the current output. */
  out = 'o';
  #lines: string[] = [];
  readonly #constants: unknown[] = [];
  readonly #constantNames = new Map<unknown, string>();
  readonly #units: Array<{ nodelist: NodeList; slot: FunctionSlot; name: string }> = [];
  #counter = 0;

  constructor(options: CompileOptions) {
    this.stringIfInvalid = options.stringIfInvalid;
    this.constant(options.template, 'TPL');
  }

  /** Appends a line of code. */
  line(code: string): void {
    this.#lines.push(code);
  }

  /** Appends `expression` (a JavaScript string expression) to the output. */
  write(expression: string): void {
    this.#lines.push(`${this.out} += ${expression};`);
  }

  /** The name of a constant holding `value` (the same name for the same value). */
  constant(value: unknown, name?: string): string {
    let known = this.#constantNames.get(value);
    if (known === undefined) {
      known = name ?? `_k${this.#constants.length}`;
      this.#constantNames.set(value, known);
      this.#constants.push(value);
    }
    return known;
  }

  /** A fresh local variable name. */
  temp(prefix = 'v'): string {
    return `${prefix}${this.#counter++}`;
  }

  /**
   * The code of a call to a helper that renders (a block, an include): it returns a string on
   * the synchronous path and a promise on the asynchronous one, which is awaited.
   */
  awaited(call: string): string {
    return this.async ? `(await ${call})` : call;
  }

  /** Makes `v` a settled value: awaited in the asynchronous code, NEED_ASYNC in the synchronous. */
  check(v: string): void {
    this.line(this.async ? `if (T(${v})) ${v} = await W(ctx, ${v});` : `if (T(${v})) A();`);
  }

  /** Points errors at `token` from here on. */
  position(token: Token | undefined): void {
    if (token !== undefined) this.line(`$p = ${this.constant(token)};`);
  }

  /** Emits every node of `nodelist` into the current output. */
  nodes(nodelist: readonly Node[]): void {
    for (const node of nodelist) {
      if (node.compile !== undefined) {
        if (node.token !== undefined && node.constructor.name !== 'TextNode') this.position(node.token);
        node.compile(this);
      } else {
        this.position(node.token);
        const v = this.temp();
        this.line(`let ${v} = ${this.constant(node)}.render(ctx);`);
        this.check(v);
        this.write(`(${v} === undefined ? '' : TX(${v}))`);
      }
    }
  }

  /** Emits `nodelist` into a new output variable and returns its name (a string, not yet safe). */
  capture(nodelist: readonly Node[]): string {
    const saved = this.out;
    const out = this.temp('o');
    this.line(`let ${out} = '';`);
    this.out = out;
    this.nodes(nodelist);
    this.out = saved;
    return out;
  }

  /**
   * Compiles `nodelist` as functions of their own (a block's body) and returns the holder of
   * them: `{ sync, async }`, filled once the template's code is built.
   */
  functions(nodelist: NodeList): FunctionSlot {
    const existing = this.#units.find((unit) => unit.nodelist === nodelist);
    if (existing !== undefined) return existing.slot;
    const slot: FunctionSlot = { sync: undefined, async: undefined };
    const name = this.constant(slot);
    this.#units.push({ nodelist, slot, name });
    return slot;
  }

  /** The code of the text a value prints as: escaped when autoescape is on. */
  renderValue(v: string): string {
    return `R(${v}, ctx.autoescape, ctx.useTz, ctx.useL10n)`;
  }

  /**
   * Emits the resolution of a filter expression and returns the variable holding its value. A
   * missing variable gives `stringIfInvalid` (and no filters when that is not empty), or `null`
   * with `ignoreFailures`, as Django's FilterExpression.resolve().
   */
  expression(fe: FilterExpression, options: { ignoreFailures?: boolean } = {}): string {
    const v = this.temp();
    const variable = fe.var;
    if (!(variable instanceof Variable) || variable.lookups === undefined) {
      const literal = variable instanceof Variable ? variable.literal : variable;
      this.line(`let ${v} = ${literalCode(literal, this)};`);
      this.#filters(fe, v);
      return v;
    }
    const label = this.temp('F');
    const self = this.temp('s');
    this.line(`let ${v}, ${self};`);
    this.line(`${label}: {`);
    this.#lookups(variable, v, self);
    this.line(`if (${v} === M) {`);
    if (options.ignoreFailures) this.line(`${v} = null;`);
    else if (this.stringIfInvalid !== '') {
      this.line(`${v} = ${JSON.stringify(invalidText(this.stringIfInvalid, variable))}; break ${label};`);
    } else this.line(`${v} = '';`);
    this.line(`} else if (${v} === SL) ${v} = ${JSON.stringify(this.stringIfInvalid)};`);
    this.#filters(fe, v);
    this.line('}');
    return v;
  }

  #lookups(variable: Variable, v: string, self: string): void {
    const label = this.temp('L');
    const parts = variable.lookups!;
    const sii = JSON.stringify(this.stringIfInvalid);
    this.line(`${label}: {`);
    for (let i = 0; i < parts.length; i++) {
      const name = JSON.stringify(parts[i]);
      if (i === 0) this.line(`${v} = L(ctx, ${name});`);
      else this.line(`${self} = ${v}; ${v} = P(${self}, ${name}, ${variable.indexes[i]});`);
      this.line(`if (${v} === M || ${v} === SL) break ${label};`);
      this.check(v);
      this.line(`if (typeof ${v} === 'function') {`);
      this.line(`${v} = C(${v}, ${i === 0 ? 'undefined' : self}, ${sii}, ctx); if (${v} === SL) break ${label};`);
      this.check(v);
      this.line('}');
    }
    this.line('}');
  }

  #filters(fe: FilterExpression, v: string): void {
    for (const { filter, arg } of fe.filters) {
      let argCode = 'undefined';
      if (arg !== undefined) {
        if (arg.lookup) {
          argCode = this.temp('a');
          this.line(`let ${argCode} = ${this.constant(arg.value)}.resolve(ctx);`);
          this.check(argCode);
        } else {
          argCode = literalCode(arg.value, this);
        }
      }
      const f = this.constant(filter);
      if (filter.expectsLocaltime) this.line(`${v} = LT(${v}, ctx.useTz);`);
      if (filter.isSafe) {
        const safe = this.temp('w');
        this.line(`const ${safe} = ${v} instanceof SS;`);
        this.line(`${v} = ${f}.fn(${v}, ${argCode}, ctx.autoescape);`);
        this.check(v);
        this.line(`if (${safe}) ${v} = MS(${v});`);
      } else {
        this.line(`${v} = ${f}.fn(${v}, ${argCode}, ctx.autoescape);`);
        this.check(v);
      }
    }
  }

  /** Emits the body of one function. */
  #function(name: string, nodelist: readonly Node[], async: boolean): string {
    this.#lines = [];
    this.async = async;
    this.out = 'o';
    this.nodes(nodelist);
    const body = this.#lines.join('\n');
    return `${async ? 'async ' : ''}function ${name}(ctx) {\nlet o = '', $p;\ntry {\n${body}\n} catch (e) { throw X(e, $p, TPL); }\nreturn o;\n}`;
  }

  /** Builds the functions of `nodelist` and of every node list registered with `functions()`. */
  build(nodelist: readonly Node[]): RenderFunctions {
    const sources = [this.#function('u_s', nodelist, false), this.#function('u_a', nodelist, true)];
    const names = ['u_s', 'u_a'];
    for (let i = 0; i < this.#units.length; i++) {
      const unit = this.#units[i]!;
      sources.push(this.#function(`u${i}_s`, unit.nodelist, false), this.#function(`u${i}_a`, unit.nodelist, true));
      names.push(`u${i}_s`, `u${i}_a`);
    }
    const declarations = [...this.#constantNames.values()].map((name, i) => `${name} = K[${i}]`).join(', ');
    const code =
      `'use strict';\nconst { ${RUNTIME_NAMES} } = RT;\n` +
      (declarations ? `const ${declarations};\n` : '') +
      sources.join('\n') +
      `\nreturn [${names.join(', ')}];`;
    const made = new Function('RT', 'K', code)(RUNTIME, this.#constants) as Array<(context: Context) => unknown>;
    for (let i = 0; i < this.#units.length; i++) {
      const slot = this.#units[i]!.slot;
      slot.sync = made[2 + i * 2] as FunctionSlot['sync'];
      slot.async = made[3 + i * 2] as FunctionSlot['async'];
    }
    return {
      sync: made[0] as RenderFunctions['sync'],
      async: made[1] as RenderFunctions['async'],
    };
  }
}

function literalCode(value: unknown, g: CodeGen): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'undefined';
  return g.constant(value);
}

/** Compiles a node list into its two render functions. */
export function compile(nodelist: readonly Node[], options: CompileOptions): RenderFunctions {
  return new CodeGen(options).build(nodelist);
}

// A node list rendered by itself (a custom tag's body) compiles on first use, with the engine
// of the template rendering it.
setNodeListCompiler((nodelist: NodeList, context: Context) => {
  const template = context.renderContext.template as
    (CompiledSource & { engine?: { stringIfInvalid?: string } }) | undefined;
  return compile(nodelist, { stringIfInvalid: template?.engine?.stringIfInvalid ?? '', template });
});

/**
 * Adds where in the template an error happened (Django's `template_debug`), once: the innermost
 * template wins. A TemplateSyntaxError also gets its position in its message.
 */
export function annotate(error: unknown, token: Token | undefined, template: CompiledSource | undefined): unknown {
  if (error === NEED_ASYNC || token === undefined || template === undefined) return error;
  if (error === null || typeof error !== 'object') return error;
  const target = error as { templateDebug?: TemplateDebugInfo };
  if (target.templateDebug !== undefined) return error;
  try {
    const info = exceptionInfo(template, token, error);
    target.templateDebug = info;
    if (error instanceof TemplateSyntaxError) locate(error, info, template);
    else if (error instanceof TemplateDoesNotExist && error.includedFrom === undefined)
      error.askedFrom(info.name, info.line);
  } catch {
    /* an error object that refuses properties keeps its own message */
  }
  return error;
}

const CONTEXT_LINES = 10;

/** The lines around `token` of `template`, as Django's `get_exception_info()`. */
export function exceptionInfo(template: CompiledSource, token: Token, error: unknown): TemplateDebugInfo {
  const [start, end] = token.position;
  const source = template.source;
  const sourceLines: Array<[number, string]> = [];
  let line = 0;
  let before = '';
  let during = '';
  let after = '';
  let upto = 0;
  let num = 0;
  const breaks = [0];
  for (let p = source.indexOf('\n'); p >= 0; p = source.indexOf('\n', p + 1)) breaks.push(p + 1);
  breaks.push(source.length + 1);
  for (const next of breaks) {
    if (start >= upto && end <= next) {
      line = num;
      before = source.slice(upto, start);
      during = source.slice(start, end);
      after = source.slice(end, next);
    }
    sourceLines.push([num, source.slice(upto, next)]);
    upto = next;
    num++;
  }
  const total = sourceLines.length;
  const top = Math.max(1, line - CONTEXT_LINES);
  const bottom = Math.min(total, line + 1 + CONTEXT_LINES);
  const message =
    error instanceof TemplateSyntaxError ? error.reason : error instanceof Error ? error.message : String(error);
  return {
    name: template.origin.name,
    message,
    line,
    column: token.column,
    sourceLines: sourceLines.slice(top, bottom),
    before,
    during,
    after,
    top,
    bottom,
    total,
    start,
    end,
  };
}

/** Puts the template, line and column in a syntax error's message, with the line shown. */
export function locate(error: TemplateSyntaxError, info: TemplateDebugInfo, template: CompiledSource): void {
  error.templateName = (template as { name?: string }).name ?? info.name;
  error.file = info.name;
  error.line = info.line;
  error.column = info.column;
  const lines: string[] = [];
  for (const [n, text] of info.sourceLines) {
    if (n < info.line - 2 || n > info.line + 2) continue;
    const shown = text.replace(/\r?\n$/, '');
    lines.push(`${n === info.line ? '>' : ' '} ${String(n).padStart(4)} | ${shown}`);
    if (n === info.line) {
      const width = Math.max(1, Math.min(info.during.length, shown.length - info.before.length));
      lines.push(`       | ${' '.repeat(info.before.length)}${'^'.repeat(width)}`);
    }
  }
  error.source = lines.join('\n');
  const name = error.templateName === info.name ? info.name : `${error.templateName} (${info.name})`;
  error.message = `${error.reason}\nIn template ${name}, line ${info.line}, column ${info.column}:\n${error.source}`;
}
