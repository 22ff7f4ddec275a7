/**
 * Tags that produce fixed or generated text, as Django's: `{% comment %}`, `{% templatetag %}`,
 * `{% verbatim %}`, `{% spaceless %}`, `{% lorem %}`, `{% now %}`, `{% debug %}`, and `{% load %}`
 * (which works while parsing and renders nothing).
 */
import { fromSettings, settings } from '../../conf/index.ts';
import type { CodeGen } from '../compiler.ts';
import type { Context } from '../context.ts';
import { TemplateSyntaxError } from '../exceptions.ts';
import type { Token } from '../lexer.ts';
import { type Filter, Library } from '../library.ts';
import { Node, type NodeList, TextNode } from '../nodes.ts';
import type { Parser } from '../parser.ts';
import { escape } from '../output.ts';
import { now as timezoneNow } from '../../utils/timezone.ts';
import { callFilter, type FilterExpression } from '../variable.ts';
import { repr, toInt } from '../values.ts';
import { paragraphs, words } from './lorem-ipsum.ts';

/** A node that outputs nothing (`{% comment %}`, `{% load %}`). */
export class CommentNode extends Node {
  constructor() {
    super();
    this.childNodelists = [];
  }
  override compile(_g: CodeGen): void {}
}

/** `{% load %}`'s node: the loading happened while parsing. */
export class LoadNode extends CommentNode {}

/** Parses `{% comment %}...{% endcomment %}`: everything inside is skipped. */
export function comment(parser: Parser, _token: Token): Node {
  parser.skipPast('endcomment');
  return new CommentNode();
}

/** A node that outputs a fixed text. */
class FixedTextNode extends Node {
  readonly text: string;
  constructor(text: string) {
    super();
    this.text = text;
    this.childNodelists = [];
  }
  override compile(g: CodeGen): void {
    if (this.text !== '') g.write(JSON.stringify(this.text));
  }
}

const TEMPLATE_TAGS: Record<string, string> = {
  openblock: '{%',
  closeblock: '%}',
  openvariable: '{{',
  closevariable: '}}',
  openbrace: '{',
  closebrace: '}',
  opencomment: '{#',
  closecomment: '#}',
};

/** `{% templatetag openblock %}`: one of the template syntax's own characters. */
export class TemplateTagNode extends FixedTextNode {
  readonly tagtype: string;
  constructor(tagtype: string) {
    super(TEMPLATE_TAGS[tagtype] ?? '');
    this.tagtype = tagtype;
  }
}

/** Parses `{% templatetag %}`. */
export function templatetag(_parser: Parser, token: Token): Node {
  const bits = token.contents.split(/\s+/);
  if (bits.length !== 2) throw new TemplateSyntaxError("'templatetag' statement takes one argument");
  const tag = bits[1]!;
  if (!Object.hasOwn(TEMPLATE_TAGS, tag)) {
    throw new TemplateSyntaxError(
      `Invalid templatetag argument: '${tag}'. Must be one of: [${Object.keys(TEMPLATE_TAGS)
        .map((k) => `'${k}'`)
        .join(', ')}]`,
    );
  }
  return new TemplateTagNode(tag);
}

/** `{% verbatim %}...{% endverbatim %}`: the text inside, tags and all, as it is. */
export class VerbatimNode extends FixedTextNode {}

/** Parses `{% verbatim [name] %}`: the lexer already made everything inside text. */
export function verbatim(parser: Parser, _token: Token): Node {
  const nodelist = parser.parse(['endverbatim']);
  parser.deleteFirstToken();
  return new VerbatimNode(nodelist.map((node) => (node instanceof TextNode ? node.s : '')).join(''));
}

/** Django's `strip_spaces_between_tags`. */
function stripSpacesBetweenTags(html: string): string {
  return html.trim().replace(/>\s+</g, '><');
}

/** `{% spaceless %}...{% endspaceless %}`: whitespace between HTML tags removed. */
export class SpacelessNode extends Node {
  readonly nodelist: NodeList;
  constructor(nodelist: NodeList) {
    super();
    this.nodelist = nodelist;
  }
  override compile(g: CodeGen): void {
    const output = g.capture(this.nodelist);
    g.write(`${g.constant(stripSpacesBetweenTags)}(${output})`);
  }
}

/** Parses `{% spaceless %}`. */
export function spaceless(parser: Parser, _token: Token): Node {
  const nodelist = parser.parse(['endspaceless']);
  parser.deleteFirstToken();
  return new SpacelessNode(nodelist);
}

function lorem(count: unknown, method: string, common: boolean): string {
  let n: number;
  try {
    n = toInt(count);
  } catch {
    n = 1;
  }
  if (method === 'w') return words(n, common);
  const paras = paragraphs(n, common);
  return (method === 'p' ? paras.map((p) => `<p>${p}</p>`) : paras).join('\n\n');
}

/** `{% lorem [count] [w|p|b] [random] %}`: placeholder Latin text. */
export class LoremNode extends Node {
  readonly count: FilterExpression;
  readonly method: string;
  readonly common: boolean;
  constructor(count: FilterExpression, method: string, common: boolean) {
    super();
    this.count = count;
    this.method = method;
    this.common = common;
    this.childNodelists = [];
  }
  override compile(g: CodeGen): void {
    const count = g.expression(this.count);
    g.write(`${g.constant(lorem)}(${count}, ${JSON.stringify(this.method)}, ${this.common})`);
  }
}

/** Parses `{% lorem %}`. */
export function doLorem(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  const tagName = bits[0];
  const common = bits.at(-1) !== 'random';
  if (!common) bits.pop();
  let method = 'b';
  if (['w', 'p', 'b'].includes(bits.at(-1)!)) method = bits.pop()!;
  const count = bits.length > 1 ? bits.pop()! : '1';
  if (bits.length !== 1) throw new TemplateSyntaxError(`Incorrect format for '${tagName}' tag`);
  return new LoremNode(parser.compileFilter(count), method, common);
}

function now(context: Context, dateFilter: Filter | undefined, format: string): unknown {
  if (dateFilter === undefined) {
    throw new TemplateSyntaxError("{% now %} needs the 'date' filter of the built-in filters, which is not loaded.");
  }
  // As Django: the current time, aware in the current time zone when USE_TZ (else naive, in
  // TIME_ZONE), formatted by `date`.
  return callFilter(dateFilter, context, timezoneNow(), format);
}

/** `{% now "format" [as name] %}`: the current date and time, formatted as the `date` filter does. */
export class NowNode extends Node {
  readonly formatString: string;
  readonly asvar: string | undefined;
  readonly dateFilter: Filter | undefined;
  constructor(formatString: string, asvar?: string, dateFilter?: Filter) {
    super();
    this.formatString = formatString;
    this.asvar = asvar;
    this.dateFilter = dateFilter;
    this.childNodelists = [];
  }
  override compile(g: CodeGen): void {
    const formatted = g.temp('t');
    g.line(
      `const ${formatted} = ${g.constant(now)}(ctx, ${g.constant(this.dateFilter)}, ${JSON.stringify(this.formatString)});`,
    );
    if (this.asvar !== undefined) g.line(`ctx.set(${JSON.stringify(this.asvar)}, ${formatted});`);
    else g.write(`TX(${formatted})`);
  }
}

/** Parses `{% now %}`. */
export function doNow(parser: Parser, token: Token): Node {
  let bits = token.splitContents();
  let asvar: string | undefined;
  if (bits.length === 4 && bits[2] === 'as') {
    asvar = bits[3];
    bits = bits.slice(0, 2);
  }
  if (bits.length !== 2) throw new TemplateSyntaxError("'now' statement takes one argument");
  // The built-in `date` filter, as Django's NowNode imports it (a {% load %} cannot replace it).
  return new NowNode(bits[1]!.slice(1, -1), asvar, parser.builtinFilters.get('date'));
}

const debugOn = fromSettings(() => Boolean(settings.DEBUG));

function debugOutput(context: Context): string {
  if (!debugOn()) return '';
  const out: string[] = [];
  for (const dict of context) out.push(escape(repr(dict)));
  return out.join('') + '\n\n';
}

/** `{% debug %}`: the context, level by level, when DEBUG is on. */
export class DebugNode extends Node {
  constructor() {
    super();
    this.childNodelists = [];
  }
  override compile(g: CodeGen): void {
    g.write(`${g.constant(debugOutput)}(ctx)`);
  }
}

/** Finds a `{% load %}` library by name, with Django's message listing the registered ones. */
function findLibrary(parser: Parser, name: string): Library {
  const library = parser.libraries.get(name);
  if (library === undefined) {
    throw new TemplateSyntaxError(
      `'${name}' is not a registered tag library. Must be one of:\n${[...parser.libraries.names()].sort().join('\n')}`,
    );
  }
  return library;
}

/** Parses `{% load lib1 lib2 %}` and `{% load tag filter from lib %}`: adds them to the parser. */
export function load(parser: Parser, token: Token): Node {
  const bits = token.contents.split(/\s+/);
  if (bits.length >= 4 && bits.at(-2) === 'from') {
    const name = bits.at(-1)!;
    const library = findLibrary(parser, name);
    const subset = new Library();
    for (const item of bits.slice(1, -2)) {
      let found = false;
      const tag = library.tags.get(item);
      if (tag !== undefined) {
        subset.tags.set(item, tag);
        found = true;
      }
      const filter = library.filters.get(item);
      if (filter !== undefined) {
        subset.filters.set(item, filter);
        found = true;
      }
      if (!found) throw new TemplateSyntaxError(`'${item}' is not a valid tag or filter in tag library '${name}'`);
    }
    parser.addLibrary(subset);
  } else {
    for (const name of bits.slice(1)) parser.addLibrary(findLibrary(parser, name));
  }
  return new LoadNode();
}
