/**
 * A library of template filters and tags, as Django's `django.template.Library`: the built-in
 * filters and tags are libraries, and a project's `templatetags/` modules export one named
 * `register` for `{% load %}`.
 *
 * Filters: a function of the value and the argument, with Django's flags. Tags: a compile
 * function of the parser and the token returning a node (`tag()`), or the two helpers Django
 * has for the common cases, `simpleTag()` and `inclusionTag()`.
 */
import type { Context } from './context.ts';
import { TemplateSyntaxError } from './exceptions.ts';
import type { Token } from './lexer.ts';
import { Node } from './nodes.ts';
import { type Parser, tokenKwargs } from './parser.ts';
import { conditionalEscape } from './output.ts';
import type { FilterExpression } from './variable.ts';
import { isThenable } from './values.ts';

/**
 * How a filter treats safety and time, as the keyword arguments of Django's `@register.filter`:
 * - `isSafe`: the filter adds no unsafe characters, so a safe input stays safe (Django's `is_safe`).
 * - `needsAutoescape`: the filter escapes what it adds itself and is told whether autoescaping is on.
 * - `expectsLocaltime`: an aware datetime is converted to the current time zone before the call.
 */
export interface FilterFlags {
  isSafe?: boolean;
  needsAutoescape?: boolean;
  expectsLocaltime?: boolean;
}

/** Whether a filter takes the `:arg` after its name: never, always, or when given. */
export type FilterArgument = 'none' | 'required' | 'optional';

/**
 * A filter's function: the value, the resolved argument (`undefined` when none was given), and
 * whether autoescaping is on where the filter is used (meaningful with `needsAutoescape`).
 */
export type FilterFunction = (value: unknown, arg: unknown, autoescape: boolean) => unknown;

/** A registered filter. */
export interface Filter {
  readonly name: string;
  readonly fn: FilterFunction;
  readonly arg: FilterArgument;
  readonly isSafe: boolean;
  readonly needsAutoescape: boolean;
  readonly expectsLocaltime: boolean;
}

/** The options of `Library.filter()`. */
export interface FilterOptions extends FilterFlags {
  /** Defaults to `'required'` when the function declares two or more parameters, else `'none'`. */
  arg?: FilterArgument;
}

/** A tag's compile function: reads the token (and, for a tag with a body, more of the template) and returns a node. */
export type TagCompileFunction = (parser: Parser, token: Token) => Node;

/** A function behind `simpleTag()` or `inclusionTag()`. */
export type TagFunction = (...args: never[]) => unknown;

/** How a simple or inclusion tag takes its arguments. */
export interface TagOptions {
  /** The function's first argument is the Context (Django's `takes_context`). */
  takesContext?: boolean;
  /**
   * The parameter names, in order, as the function declares them; a name ending in `?` may be
   * left out. With them, the tag's arguments are checked when the template is parsed, as in
   * Django, and `name=value` arguments fill the parameter of that name. Without them, the
   * positional arguments are passed in order, and keyword arguments, if any, as one last object.
   */
  params?: readonly string[];
  /** More positional arguments than `params` are passed on (a rest parameter). */
  varargs?: boolean;
  /** Keyword arguments not in `params` are accepted, passed as one last object. */
  varkw?: boolean;
}

const TAG_NAME = /^[^\s]+$/;

/**
 * A set of filters and tags a template can use.
 *
 * @example
 * export const register = new Library();
 * register.filter('cut', (value, arg) => String(value).replaceAll(String(arg), ''), { isSafe: false });
 * register.simpleTag('greet', (name) => `Hello, ${name}!`, { params: ['name'] });
 * register.inclusionTag('comments', 'blog/comments.html', (post) => ({ comments: post.comments }), { params: ['post'] });
 */
export class Library {
  readonly filters = new Map<string, Filter>();
  readonly tags = new Map<string, TagCompileFunction>();

  /** Registers `fn` as the filter `name`; returns `fn` so that it can be exported too. */
  filter<F extends FilterFunction>(name: string, fn: F, options: FilterOptions = {}): F {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TypeError(
        `The filter name ${JSON.stringify(name)} is not valid; use letters, digits and underscores, not starting with a digit.`,
      );
    }
    this.filters.set(name, {
      name,
      fn,
      arg: options.arg ?? (fn.length >= 2 ? 'required' : 'none'),
      isSafe: options.isSafe ?? false,
      needsAutoescape: options.needsAutoescape ?? false,
      expectsLocaltime: options.expectsLocaltime ?? false,
    });
    return fn;
  }

  /**
   * Registers a tag by its compile function (Django's `register.tag`).
   *
   * @example
   * register.tag('upper', (parser, token) => {
   *   const nodelist = parser.parse(['endupper']);
   *   parser.deleteFirstToken();
   *   return new UpperNode(nodelist);
   * });
   */
  tag<F extends TagCompileFunction>(name: string, compileFunction: F): F {
    if (!TAG_NAME.test(name))
      throw new TypeError(`The tag name ${JSON.stringify(name)} is not valid; it must be one word.`);
    this.tags.set(name, compileFunction);
    return compileFunction;
  }

  /**
   * Registers a function as a tag whose output is its result, escaped when autoescape is on
   * (Django's `simple_tag`); `{% tag args as name %}` stores the result instead. The function
   * may return a promise.
   *
   * @example
   * register.simpleTag('currentTime', (format) => formatDate(new Date(), String(format)), { params: ['format'] });
   * // {% currentTime "Y-m-d" %}  {% currentTime "H:i" as time %}
   */
  simpleTag<F extends TagFunction>(name: string, fn: F, options: TagOptions = {}): F {
    this.tag(name, (parser, token) => {
      let bits = token.splitContents().slice(1);
      let target: string | undefined;
      if (bits.length >= 2 && bits.at(-2) === 'as') {
        target = bits.at(-1);
        bits = bits.slice(0, -2);
      }
      return new SimpleNode(fn, options, parseBits(parser, bits, options, name), target);
    });
    return fn;
  }

  /**
   * Registers a function as a tag that renders `template` with the object the function returns
   * (Django's `inclusion_tag`). `template` is a name, a list of names (the first that exists), or
   * a compiled template.
   *
   * @example
   * register.inclusionTag('showResults', 'results.html', (poll) => ({ choices: poll.choices }), { params: ['poll'] });
   */
  inclusionTag<F extends TagFunction>(name: string, template: unknown, fn: F, options: TagOptions = {}): F {
    this.tag(name, (parser, token) => {
      const bits = token.splitContents().slice(1);
      return new InclusionNode(fn, options, parseBits(parser, bits, options, name), template);
    });
    return fn;
  }
}

/** A tag's arguments as parsed: positional ones, then `name=value` ones. */
export interface TagArguments {
  readonly args: readonly FilterExpression[];
  readonly kwargs: ReadonlyMap<string, FilterExpression>;
}

/**
 * Checks and parses a simple or inclusion tag's arguments against its parameters, with Django's
 * messages (Django's `parse_bits`).
 */
export function parseBits(parser: Parser, bits: readonly string[], options: TagOptions, name: string): TagArguments {
  const args: FilterExpression[] = [];
  const kwargs = new Map<string, FilterExpression>();
  const declared = options.params?.map((p) => p.replace(/\?$/, ''));
  const optional = options.params?.filter((p) => p.endsWith('?')).length ?? 0;
  const unhandled = declared ? [...declared] : [];
  const varargs = declared === undefined || options.varargs === true;
  const varkw = declared === undefined || options.varkw === true;
  for (const bit of bits) {
    const kwarg = tokenKwargs([bit], parser);
    if (kwarg.size > 0) {
      const [param, value] = [...kwarg][0]!;
      if (!(declared?.includes(param) ?? false) && !varkw) {
        throw new TemplateSyntaxError(`'${name}' received unexpected keyword argument '${param}'`);
      }
      if (kwargs.has(param)) {
        throw new TemplateSyntaxError(`'${name}' received multiple values for keyword argument '${param}'`);
      }
      kwargs.set(param, value);
      const at = unhandled.indexOf(param);
      if (at !== -1) unhandled.splice(at, 1);
    } else {
      if (kwargs.size > 0) {
        throw new TemplateSyntaxError(`'${name}' received some positional argument(s) after some keyword argument(s)`);
      }
      args.push(parser.compileFilter(bit));
      if (unhandled.length > 0) unhandled.shift();
      else if (!varargs) throw new TemplateSyntaxError(`'${name}' received too many positional arguments`);
    }
  }
  const missing = optional > 0 ? unhandled.slice(0, -optional) : unhandled;
  if (missing.length > 0) {
    throw new TemplateSyntaxError(
      `'${name}' did not receive value(s) for the argument(s): ${missing.map((p) => `'${p}'`).join(', ')}`,
    );
  }
  return { args, kwargs };
}

/** Resolves a tag's arguments into the call's argument list (a promise when one was a promise). */
function callArguments(context: Context, options: TagOptions, parsed: TagArguments): unknown[] | Promise<unknown[]> {
  const positional = parsed.args.map((fe) => fe.resolve(context));
  const keywords = [...parsed.kwargs].map(([key, fe]) => [key, fe.resolve(context)] as const);
  const assemble = (values: unknown[], named: ReadonlyArray<readonly [string, unknown]>): unknown[] => {
    const call: unknown[] = options.takesContext ? [context] : [];
    const declared = options.params?.map((p) => p.replace(/\?$/, ''));
    if (declared === undefined) {
      call.push(...values);
      if (named.length > 0) call.push(Object.fromEntries(named));
      return call;
    }
    const byName = new Map(named);
    for (let i = 0; i < declared.length; i++) {
      call.push(i < values.length ? values[i] : byName.get(declared[i]!));
      byName.delete(declared[i]!);
    }
    call.push(...values.slice(declared.length));
    if (options.varkw) call.push(Object.fromEntries(byName));
    return call;
  };
  if (positional.some(isThenable) || keywords.some(([, v]) => isThenable(v))) {
    return Promise.all([
      Promise.all(positional),
      Promise.all(keywords.map(async ([k, v]) => [k, await v] as const)),
    ]).then(([values, named]) => assemble(values, named));
  }
  return assemble(positional, keywords);
}

/** The node of a `simpleTag()`. */
export class SimpleNode extends Node {
  readonly fn: TagFunction;
  readonly options: TagOptions;
  readonly arguments: TagArguments;
  readonly targetVar: string | undefined;

  constructor(fn: TagFunction, options: TagOptions, parsed: TagArguments, targetVar: string | undefined) {
    super();
    this.fn = fn;
    this.options = options;
    this.arguments = parsed;
    this.targetVar = targetVar;
    this.childNodelists = [];
  }

  override render(context: Context): unknown {
    const call = callArguments(context, this.options, this.arguments);
    if (isThenable(call))
      return call.then((values) => this.#finish(context, (this.fn as (...a: unknown[]) => unknown)(...values)));
    return this.#finish(context, (this.fn as (...a: unknown[]) => unknown)(...call));
  }

  #finish(context: Context, output: unknown): unknown {
    if (isThenable(output)) return Promise.resolve(output).then((value) => this.#finish(context, value));
    if (this.targetVar !== undefined) {
      context.set(this.targetVar, output);
      return '';
    }
    return context.autoescape ? conditionalEscape(output) : output;
  }
}

/** What InclusionNode needs of a template: a Template, or something holding one (a backend's). */
interface Renderable {
  render(context: Context): unknown;
}

/** The node of an `inclusionTag()`. */
export class InclusionNode extends Node {
  readonly fn: TagFunction;
  readonly options: TagOptions;
  readonly arguments: TagArguments;
  readonly filename: unknown;

  constructor(fn: TagFunction, options: TagOptions, parsed: TagArguments, filename: unknown) {
    super();
    this.fn = fn;
    this.options = options;
    this.arguments = parsed;
    this.filename = filename;
    this.childNodelists = [];
  }

  override render(context: Context): unknown {
    const call = callArguments(context, this.options, this.arguments);
    if (isThenable(call))
      return call.then((values) => this.#include(context, (this.fn as (...a: unknown[]) => unknown)(...values)));
    return this.#include(context, (this.fn as (...a: unknown[]) => unknown)(...call));
  }

  #include(context: Context, values: unknown): unknown {
    if (isThenable(values)) return Promise.resolve(values).then((v) => this.#include(context, v));
    let template = context.renderContext.get(this) as Renderable | undefined;
    if (template === undefined) {
      const engine = (
        context.template as unknown as {
          engine: { getTemplate(n: string): Renderable; selectTemplate(n: readonly string[]): Renderable };
        }
      ).engine;
      const f = this.filename as Renderable & { template?: Renderable };
      if (typeof f?.render === 'function' && f.template === undefined) template = f;
      else if (f?.template !== undefined && typeof f.template.render === 'function') template = f.template;
      else if (Array.isArray(this.filename)) template = engine.selectTemplate(this.filename as string[]);
      else template = engine.getTemplate(String(this.filename));
      context.renderContext.set(this, template);
    }
    const inner = context.new((values ?? {}) as Record<string, unknown>);
    // Inclusion tags often render forms: the CSRF token goes along, as in Django.
    const csrfToken = context.get('csrf_token');
    if (csrfToken !== undefined && csrfToken !== null) inner.set('csrf_token', csrfToken);
    return template.render(inner);
  }
}
