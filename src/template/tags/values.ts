/**
 * Tags that compute values, as Django's: `{% with %}`, `{% firstof %}`, `{% widthratio %}`,
 * `{% regroup %}`, `{% url %}`, `{% autoescape %}` and `{% filter %}`.
 */
import { lazyModule } from '../../utils/module-loading.ts';
import { markSafe, SafeString } from '../../utils/safestring.ts';
import type * as Urls from '../../urls/index.ts';
import type { CodeGen } from '../compiler.ts';
import type { Context } from '../context.ts';
import { TemplateSyntaxError } from '../exceptions.ts';
import type { Token } from '../lexer.ts';
import { Node, type NodeList } from '../nodes.ts';
import { type Parser, tokenKwargs } from '../parser.ts';
import { conditionalEscape, renderValue } from '../output.ts';
import { type FilterExpression, Variable } from '../variable.ts';
import { equals, roundHalfEven, toFloat, toInt, toList } from '../values.ts';

// The URL resolver imports the template layer (through the views); it is loaded on first use.
const urlsModule = lazyModule<typeof Urls>(import.meta.url, '../../urls/index');
type UrlFunctions = Pick<typeof Urls, 'reverse' | 'getResolver' | 'getUrlconf' | 'getScriptPrefix' | 'NoReverseMatch'>;
let urlFunctions: UrlFunctions | undefined;
// Taken off the module namespace once: reading a namespace's properties on every tag cost more
// than the memo lookup they serve.
function urls(): UrlFunctions {
  if (urlFunctions === undefined) {
    const { reverse, getResolver, getUrlconf, getScriptPrefix, NoReverseMatch } = urlsModule();
    urlFunctions = { reverse, getResolver, getUrlconf, getScriptPrefix, NoReverseMatch };
  }
  return urlFunctions;
}

/** `{% with name=value ... %}...{% endwith %}` (and the legacy `value as name`). */
export class WithNode extends Node {
  readonly extraContext: ReadonlyMap<string, FilterExpression>;
  readonly nodelist: NodeList;

  constructor(extraContext: ReadonlyMap<string, FilterExpression>, nodelist: NodeList) {
    super();
    this.extraContext = extraContext;
    this.nodelist = nodelist;
  }

  override compile(g: CodeGen): void {
    const values = [...this.extraContext].map(([name, fe]) => [name, g.expression(fe)] as const);
    const depth = g.temp('d');
    const frame = g.temp('f');
    g.line(`const ${depth} = ctx.dicts.length;`);
    g.line(`const ${frame} = ctx.pushDict();`);
    for (const [name, value] of values) g.line(`${frame}[${JSON.stringify(name)}] = ${value};`);
    g.line('try {');
    g.nodes(this.nodelist);
    g.line(`} finally { ctx.dicts.length = ${depth}; }`);
  }
}

/** Parses `{% with %}`. */
export function doWith(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  const remaining = bits.slice(1);
  const extraContext = tokenKwargs(remaining, parser, true);
  if (extraContext.size === 0) throw new TemplateSyntaxError(`'${bits[0]}' expected at least one variable assignment`);
  if (remaining.length > 0) throw new TemplateSyntaxError(`'${bits[0]}' received an invalid token: '${remaining[0]}'`);
  const nodelist = parser.parse(['endwith']);
  parser.deleteFirstToken();
  return new WithNode(extraContext, nodelist);
}

/** A value as a template prints it, kept safe (what Django's `render_value_in_context` returns). */
function renderedValue(value: unknown, context: Context): unknown {
  const text = renderValue(value, context.autoescape, context.useTz, context.useL10n);
  return context.autoescape ? markSafe(text) : text;
}

/** `{% firstof a b "fallback" [as name] %}`: the first true value. */
export class FirstOfNode extends Node {
  readonly vars: readonly FilterExpression[];
  readonly asvar: string | undefined;

  constructor(vars: readonly FilterExpression[], asvar?: string) {
    super();
    this.vars = vars;
    this.asvar = asvar;
    this.childNodelists = [];
  }

  override compile(g: CodeGen): void {
    const first = g.temp('r');
    const label = g.temp('FO');
    g.line(`let ${first} = '';`);
    g.line(`${label}: {`);
    for (const fe of this.vars) {
      const value = g.expression(fe, { ignoreFailures: true });
      g.line(`if (B(${value})) { ${first} = ${g.constant(renderedValue)}(${value}, ctx); break ${label}; }`);
    }
    g.line('}');
    if (this.asvar !== undefined) g.line(`ctx.set(${JSON.stringify(this.asvar)}, ${first});`);
    else g.write(`TX(${first})`);
  }
}

/** Parses `{% firstof %}`. */
export function firstof(parser: Parser, token: Token): Node {
  let bits = token.splitContents().slice(1);
  let asvar: string | undefined;
  if (bits.length === 0) throw new TemplateSyntaxError("'firstof' statement requires at least one argument");
  if (bits.length >= 2 && bits.at(-2) === 'as') {
    asvar = bits.at(-1);
    bits = bits.slice(0, -2);
  }
  return new FirstOfNode(
    bits.map((bit) => parser.compileFilter(bit)),
    asvar,
  );
}

/** The ratio `value / maxValue * maxWidth`, rounded as Python rounds; '' when not numbers. */
function widthratio(value: unknown, maxValue: unknown, maxWidth: unknown): string {
  let width: number;
  try {
    width = toInt(maxWidth);
  } catch {
    throw new TemplateSyntaxError('widthratio final argument must be a number');
  }
  try {
    const v = toFloat(value);
    const max = toFloat(maxValue);
    if (max === 0) return '0';
    const ratio = (v / max) * width;
    if (!Number.isFinite(ratio)) return '';
    return String(roundHalfEven(ratio));
  } catch {
    return '';
  }
}

/** `{% widthratio value max width [as name] %}`. */
export class WidthRatioNode extends Node {
  readonly valExpr: FilterExpression;
  readonly maxExpr: FilterExpression;
  readonly maxWidth: FilterExpression;
  readonly asvar: string | undefined;

  constructor(valExpr: FilterExpression, maxExpr: FilterExpression, maxWidth: FilterExpression, asvar?: string) {
    super();
    this.valExpr = valExpr;
    this.maxExpr = maxExpr;
    this.maxWidth = maxWidth;
    this.asvar = asvar;
    this.childNodelists = [];
  }

  override compile(g: CodeGen): void {
    const value = g.expression(this.valExpr);
    const max = g.expression(this.maxExpr);
    const width = g.expression(this.maxWidth);
    const result = g.temp('r');
    g.line(`const ${result} = ${g.constant(widthratio)}(${value}, ${max}, ${width});`);
    if (this.asvar !== undefined) g.line(`ctx.set(${JSON.stringify(this.asvar)}, ${result});`);
    else g.write(result);
  }
}

/** Parses `{% widthratio %}`. */
export function doWidthratio(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  let asvar: string | undefined;
  if (bits.length === 6) {
    if (bits[4] !== 'as') throw new TemplateSyntaxError("Invalid syntax in widthratio tag. Expecting 'as' keyword");
    asvar = bits[5];
  } else if (bits.length !== 4) {
    throw new TemplateSyntaxError('widthratio takes at least three arguments');
  }
  return new WidthRatioNode(
    parser.compileFilter(bits[1]!),
    parser.compileFilter(bits[2]!),
    parser.compileFilter(bits[3]!),
    asvar,
  );
}

/** What `{% regroup %}` makes of each group: `grouper` and `list`, and a pair for unpacking. */
export type GroupedResult = [unknown, unknown[]] & { readonly grouper: unknown; readonly list: unknown[] };

function groupedResult(grouper: unknown, list: unknown[]): GroupedResult {
  const pair = [grouper, list] as [unknown, unknown[]];
  Object.defineProperties(pair, {
    grouper: { value: grouper, enumerable: false },
    list: { value: list, enumerable: false },
  });
  return pair as GroupedResult;
}

/** Collects consecutive items with equal keys (Python's `itertools.groupby`). */
function regroup(items: readonly unknown[], keys: readonly unknown[]): GroupedResult[] {
  const groups: GroupedResult[] = [];
  for (let i = 0; i < items.length; i++) {
    const last = groups.at(-1);
    if (last !== undefined && equals(last.grouper, keys[i])) last.list.push(items[i]);
    else groups.push(groupedResult(keys[i], [items[i]]));
  }
  return groups;
}

/** `{% regroup list by attribute as name %}`. */
export class RegroupNode extends Node {
  readonly target: FilterExpression;
  readonly expression: FilterExpression;
  readonly varName: string;

  constructor(target: FilterExpression, expression: FilterExpression, varName: string) {
    super();
    this.target = target;
    this.expression = expression;
    this.varName = varName;
    this.childNodelists = [];
  }

  override compile(g: CodeGen): void {
    const name = JSON.stringify(this.varName);
    const target = g.expression(this.target, { ignoreFailures: true });
    const items = g.temp('i');
    const keys = g.temp('k');
    const item = g.temp('e');
    g.line(`if (${target} === null) ctx.set(${name}, []); else {`);
    g.line(`const ${items} = ${g.constant(toList)}(${target}); const ${keys} = [];`);
    // Each item is put in the context under the result's name and the expression read from it.
    g.line(`for (const ${item} of ${items}) {`);
    g.line(`ctx.set(${name}, ${item});`);
    g.line(`${keys}.push(${g.expression(this.expression, { ignoreFailures: true })});`);
    g.line('}');
    g.line(`ctx.set(${name}, ${g.constant(regroup)}(${items}, ${keys}));`);
    g.line('}');
  }
}

/** Parses `{% regroup %}`. */
export function doRegroup(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length !== 6) throw new TemplateSyntaxError("'regroup' tag takes five arguments");
  const target = parser.compileFilter(bits[1]!);
  if (bits[2] !== 'by') throw new TemplateSyntaxError("second argument to 'regroup' tag must be 'by'");
  if (bits[4] !== 'as') throw new TemplateSyntaxError("next-to-last argument to 'regroup' tag must be 'as'");
  const varName = bits[5]!;
  return new RegroupNode(target, parser.compileFilter(`${varName}.${bits[3]}`), varName);
}

/** The namespace of the current request's view, for `{% url %}` in namespaced apps. */
function currentApp(context: Context): string | undefined {
  const request = context.request as { currentApp?: unknown; resolverMatch?: { namespace?: unknown } } | undefined;
  if (request === undefined) return undefined;
  if (typeof request.currentApp === 'string') return request.currentApp;
  const match = request.resolverMatch;
  if (match === undefined || match === null) return undefined;
  // The match's namespace is joined on each read: read once per match.
  let namespace = namespaces.get(match);
  if (namespace === undefined) namespaces.set(match, (namespace = match.namespace));
  return typeof namespace === 'string' ? namespace : undefined;
}
const namespaces = new WeakMap<object, unknown>();

/** A tag argument as part of a cache key, when it is a plain value (else undefined: not cached). */
function keyPart(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return 's' + value;
    case 'number':
      return 'n' + value;
    case 'boolean':
      return 'b' + value;
    default:
      return value instanceof SafeString ? 's' + value.value : undefined;
  }
}

const URL_MEMO_LIMIT = 512;
const NO_ARGS: readonly unknown[] = Object.freeze([]);
const NO_KWARGS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Reverses for `{% url %}`. The answers are kept per tag, resolver, script prefix and current
 * namespace, for plain-valued arguments: reverse() is the main cost of a page's links, and its
 * answer for the same resolver never changes (clearUrlCaches() makes new resolvers). A tag whose
 * arguments vary without end (an id per row) has its memo cleared past 512 answers.
 */
function reverseUrl(
  context: Context,
  node: URLNode,
  viewName: unknown,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): string {
  const { reverse, getResolver, getUrlconf, getScriptPrefix, NoReverseMatch } = urls();
  const app = currentApp(context);
  // The memo is a tree of maps keyed by strings that are the same objects render after render
  // (the prefix, the namespace, a constant tag's key): no string is built or hashed for them.
  const key = node.constantKey ?? argumentsKey(viewName, args, kwargs);
  let memo: Map<string, string> | undefined;
  if (key !== undefined) {
    const resolver = getResolver(getUrlconf());
    const prefix = getScriptPrefix();
    // The same answer as the last time, found by identity (a page's links, request after request).
    const last = node.last;
    if (
      last !== undefined &&
      last.key === key &&
      last.resolver === resolver &&
      last.prefix === prefix &&
      last.app === app
    ) {
      return last.url;
    }
    let byPrefix = node.memo.get(resolver);
    if (byPrefix === undefined) node.memo.set(resolver, (byPrefix = new Map()));
    let byApp = byPrefix.get(prefix);
    if (byApp === undefined) byPrefix.set(prefix, (byApp = new Map()));
    memo = byApp.get(app ?? '');
    if (memo === undefined) byApp.set(app ?? '', (memo = new Map()));
    const known = memo.get(key);
    if (known !== undefined) {
      node.last = { key, resolver, prefix, app, url: known };
      return known;
    }
  }
  let url: string;
  try {
    url = reverse(String(viewName), { args, kwargs, ...(app !== undefined ? { currentApp: app } : {}) });
  } catch (error) {
    if (node.asvar !== undefined && error instanceof NoReverseMatch) return '';
    throw error;
  }
  if (memo !== undefined) {
    if (memo.size >= URL_MEMO_LIMIT) memo.clear();
    memo.set(key!, url);
  }
  return url;
}

/** The value of a literal expression (`"name"`, `12`). */
function literalOf(fe: FilterExpression): unknown {
  return fe.var instanceof Variable ? fe.var.literal : fe.var;
}

/** The memo key of a tag's resolved arguments, or undefined when one is not a plain value. */
function argumentsKey(
  viewName: unknown,
  args: readonly unknown[],
  kwargs: Record<string, unknown>,
): string | undefined {
  let key = keyPart(viewName);
  for (let i = 0; i < args.length && key !== undefined; i++) {
    const part = keyPart(args[i]);
    key = part === undefined ? undefined : `${key}\0${part}`;
  }
  for (const name in kwargs) {
    if (key === undefined) break;
    const part = keyPart(kwargs[name]);
    key = part === undefined ? undefined : `${key}\0${name}=${part}`;
  }
  return key;
}

/** `{% url 'name' arg key=value [as var] %}`: the path of a named URL pattern (`reverse()`). */
export class URLNode extends Node {
  readonly viewName: FilterExpression;
  readonly args: readonly FilterExpression[];
  readonly kwargs: ReadonlyMap<string, FilterExpression>;
  readonly asvar: string | undefined;
  /** reverse()'s answers by resolver, script prefix and namespace (see reverseUrl). */
  readonly memo = new WeakMap<object, Map<string, Map<string, Map<string, string>>>>();
  /** The memo key when every argument is a literal: computed once. */
  readonly constantKey: string | undefined;
  /** The last answer the memo gave, with what it was for. */
  last: { key: string; resolver: object; prefix: string; app: string | undefined; url: string } | undefined = undefined;

  constructor(
    viewName: FilterExpression,
    args: readonly FilterExpression[],
    kwargs: ReadonlyMap<string, FilterExpression>,
    asvar?: string,
  ) {
    super();
    this.viewName = viewName;
    this.args = args;
    this.kwargs = kwargs;
    this.asvar = asvar;
    this.childNodelists = [];
    const all = [viewName, ...args, ...kwargs.values()];
    this.constantKey = all.every((fe) => fe.isConstant)
      ? argumentsKey(
          literalOf(viewName),
          args.map(literalOf),
          Object.fromEntries([...kwargs].map(([name, fe]) => [name, literalOf(fe)])),
        )
      : undefined;
  }

  override compile(g: CodeGen): void {
    const args = this.args.map((fe) => g.expression(fe));
    const kwargs = [...this.kwargs].map(([name, fe]) => `${JSON.stringify(name)}: ${g.expression(fe)}`);
    const view = g.expression(this.viewName);
    const url = g.temp('u');
    g.line(
      `const ${url} = ${g.constant(reverseUrl)}(ctx, ${g.constant(this)}, ${view}, ${args.length > 0 ? `[${args.join(', ')}]` : g.constant(NO_ARGS)}, ${kwargs.length > 0 ? `{ ${kwargs.join(', ')} }` : g.constant(NO_KWARGS)});`,
    );
    if (this.asvar !== undefined) g.line(`ctx.set(${JSON.stringify(this.asvar)}, ${url});`);
    else g.write(`(ctx.autoescape ? E(${url}) : ${url})`);
  }
}

const KWARG = /^(?:([\p{L}\p{N}_]+)=)?(.+)$/su;

/** Parses `{% url %}`. */
export function url(parser: Parser, token: Token): Node {
  let bits = token.splitContents();
  if (bits.length < 2) throw new TemplateSyntaxError(`'${bits[0]}' takes at least one argument, a URL pattern name.`);
  const viewName = parser.compileFilter(bits[1]!);
  const args: FilterExpression[] = [];
  const kwargs = new Map<string, FilterExpression>();
  let asvar: string | undefined;
  bits = bits.slice(2);
  if (bits.length >= 2 && bits.at(-2) === 'as') {
    asvar = bits.at(-1);
    bits = bits.slice(0, -2);
  }
  for (const bit of bits) {
    const match = KWARG.exec(bit);
    if (match === null) throw new TemplateSyntaxError('Malformed arguments to url tag');
    if (match[1] !== undefined) kwargs.set(match[1], parser.compileFilter(match[2]!));
    else args.push(parser.compileFilter(match[2]!));
  }
  return new URLNode(viewName, args, kwargs, asvar);
}

/** `{% autoescape on|off %}...{% endautoescape %}`. */
export class AutoEscapeControlNode extends Node {
  readonly setting: boolean;
  readonly nodelist: NodeList;

  constructor(setting: boolean, nodelist: NodeList) {
    super();
    this.setting = setting;
    this.nodelist = nodelist;
  }

  override compile(g: CodeGen): void {
    const saved = g.temp('ae');
    g.line(`const ${saved} = ctx.autoescape; ctx.autoescape = ${this.setting};`);
    g.line('try {');
    g.nodes(this.nodelist);
    g.line(`} finally { ctx.autoescape = ${saved}; }`);
  }
}

/** Parses `{% autoescape %}`. */
export function autoescape(parser: Parser, token: Token): Node {
  const args = token.contents.split(/\s+/);
  if (args.length !== 2) throw new TemplateSyntaxError("'autoescape' tag requires exactly one argument.");
  const arg = args[1];
  if (arg !== 'on' && arg !== 'off') throw new TemplateSyntaxError("'autoescape' argument should be 'on' or 'off'");
  const nodelist = parser.parse(['endautoescape']);
  parser.deleteFirstToken();
  return new AutoEscapeControlNode(arg === 'on', nodelist);
}

/** `{% filter upper|escape... %}...{% endfilter %}`: the body's output through filters. */
export class FilterNode extends Node {
  readonly filterExpr: FilterExpression;
  readonly nodelist: NodeList;

  constructor(filterExpr: FilterExpression, nodelist: NodeList) {
    super();
    this.filterExpr = filterExpr;
    this.nodelist = nodelist;
  }

  override compile(g: CodeGen): void {
    const output = g.capture(this.nodelist);
    const depth = g.temp('d');
    g.line(`const ${depth} = ctx.dicts.length;`);
    g.line(`ctx.pushDict().var = MK(${output});`);
    g.line('try {');
    const value = g.expression(this.filterExpr);
    g.write(`TX(${value})`);
    g.line(`} finally { ctx.dicts.length = ${depth}; }`);
  }
}

/** Parses `{% filter %}`; `escape` and `safe` are refused there, as in Django. */
export function doFilter(parser: Parser, token: Token): Node {
  const rest = token.contents.replace(/^\S+\s*/, '');
  const filterExpr = parser.compileFilter(`var|${rest}`);
  for (const { filter } of filterExpr.filters) {
    if (filter.name === 'escape' || filter.name === 'safe') {
      throw new TemplateSyntaxError(`"filter ${filter.name}" is not permitted.  Use the "autoescape" tag instead.`);
    }
  }
  const nodelist = parser.parse(['endfilter']);
  parser.deleteFirstToken();
  return new FilterNode(filterExpr, nodelist);
}

/** Escapes a CSRF token for its hidden field (kept here: csrf_token is a value tag too). */
export function csrfField(token: unknown): string {
  if (token === undefined || token === null || token === '' || token === false) return '';
  const text = String(token);
  if (text === '') return '';
  if (text === 'NOTPROVIDED') return '';
  return `<input type="hidden" name="csrfmiddlewaretoken" value="${conditionalEscape(text)}">`;
}

/** `{% csrf_token %}`: the hidden form field with the token of the `csrf` context processor. */
export class CsrfTokenNode extends Node {
  constructor() {
    super();
    this.childNodelists = [];
  }
  override compile(g: CodeGen): void {
    const token = g.temp('t');
    g.line(`let ${token} = L(ctx, 'csrf_token');`);
    g.check(token);
    g.write(`${g.constant(csrfField)}(${token} === M ? undefined : ${token})`);
  }
}
