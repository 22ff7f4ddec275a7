/**
 * Variables and filter expressions, as Django's `Variable` and `FilterExpression`: the
 * `post.title|truncatewords:30|upper` of `{{ ... }}` and of tag arguments, parsed once with the
 * template. The compiler turns them into inline JavaScript; `resolve()` here is the same
 * resolution for tags written by hand (and the reference the compiled code is tested against).
 */
import { markSafe, SafeString } from '../utils/safestring.ts';
import type { BaseContext, Context } from './context.ts';
import { TemplateSyntaxError, VariableDoesNotExist } from './exceptions.ts';
import type { Filter } from './library.ts';
import { callValue, getPart, lookupName, MISSING, partIndex, type PendingCalls, SILENT } from './lookup.ts';
import { templateLocaltime } from '../utils/timezone.ts';
import { isThenable, repr, toFloat, toInt, toText } from './values.ts';

const INT_LITERAL = /^[+-]?\d(?:_?\d)*$/;

/** Django's `unescape_string_literal`: the text of `"..."` or `'...'`, or undefined. */
export function unescapeStringLiteral(text: string): string | undefined {
  const quote = text[0];
  if ((quote !== '"' && quote !== "'") || text.length < 2 || text.at(-1) !== quote) return undefined;
  return text
    .slice(1, -1)
    .replaceAll('\\' + quote, quote)
    .replaceAll('\\\\', '\\');
}

/**
 * A variable (`post.title`) or a literal (`"text"`, `12`, `1.5`), as Django's `Variable`.
 *
 * @example
 * new Variable('article.section').resolve({ article: { section: 'News' } }); // 'News'
 */
export class Variable {
  readonly var: string;
  /** The literal's value (numbers as numbers, strings as SafeString), when it is one. */
  readonly literal: unknown = undefined;
  /** The parts to look up, when it is a variable. */
  readonly lookups: readonly string[] | undefined = undefined;
  /** The list index each part names, when it is a number. */
  readonly indexes: ReadonlyArray<number | undefined> = [];
  /** Marked for translation (`_("text")`); tsgi has no catalogues, so the text is used as it is. */
  readonly translate: boolean = false;

  constructor(text: string) {
    if (typeof text !== 'string') throw new TypeError(`Variable must be a string or number, got ${typeof text}.`);
    this.var = text;
    const number = parseNumber(text);
    if (number !== undefined) {
      this.literal = number;
      return;
    }
    let name = text;
    if (name.startsWith('_(') && name.endsWith(')')) {
      this.translate = true;
      name = name.slice(2, -1);
    }
    const literal = unescapeStringLiteral(name);
    if (literal !== undefined) {
      this.literal = markSafe(literal);
      return;
    }
    if (name.includes('._') || name[0] === '_') {
      throw new TemplateSyntaxError(`Variables and attributes may not begin with underscores: '${name}'`);
    }
    this.lookups = name.split('.');
    this.indexes = this.lookups.map(partIndex);
  }

  /**
   * The value in `context` (a Context or a plain object).
   * @throws VariableDoesNotExist when a part is missing. Returns a promise when one was met.
   */
  resolve(context: BaseContext | Record<string, unknown>): unknown {
    if (this.lookups === undefined) return this.literal;
    return resolveParts(this, context, stringIfInvalidOf(context));
  }

  toString(): string {
    return this.var;
  }
}

/** A numeric literal as Django reads one: a float when it has a `.` or an `e`, else an int. */
function parseNumber(text: string): number | undefined {
  try {
    if (text.includes('.') || text.toLowerCase().includes('e')) {
      if (text.endsWith('.')) return undefined;
      // Python's float() of a name like "e" or "item" fails; so must ours.
      if (!/^[+-]?(?:\d|\.\d)/.test(text)) return undefined;
      return toFloat(text);
    }
    return INT_LITERAL.test(text) ? toInt(text) : undefined;
  } catch {
    return undefined;
  }
}

function stringIfInvalidOf(context: unknown): string {
  const template = (context as Partial<Context>).template as { engine?: { stringIfInvalid?: string } } | undefined;
  return template?.engine?.stringIfInvalid ?? '';
}

function firstPart(context: BaseContext | Record<string, unknown>, name: string): unknown {
  if (Array.isArray((context as BaseContext).dicts)) return lookupName(context as BaseContext, name);
  return getPart(context, name, undefined);
}

/** Looks `variable`'s parts up from `from` (with the value `start` for part `from - 1`). */
function resolveParts(
  variable: Variable,
  context: BaseContext | Record<string, unknown>,
  stringIfInvalid: string,
  from = 0,
  start?: unknown,
): unknown {
  const parts = variable.lookups!;
  let current = start;
  for (let i = from; i < parts.length; i++) {
    const self = current;
    current = i === 0 ? firstPart(context, parts[0]!) : getPart(current, parts[i]!, variable.indexes[i]);
    if (current === MISSING) {
      throw new VariableDoesNotExist(`Failed lookup for key [${parts[i]}] in ${describe(i === 0 ? context : self)}`, [
        parts[i],
        self,
      ]);
    }
    if (current === SILENT) return stringIfInvalid;
    if (isThenable(current)) return settleThen(variable, context, stringIfInvalid, i, self, current);
    if (typeof current === 'function') {
      current = callValue(current, i === 0 ? undefined : self, stringIfInvalid, pendingOf(context));
      if (current === SILENT) return stringIfInvalid;
      if (isThenable(current)) {
        const next = i + 1;
        return Promise.resolve(current).then((value) => resolveParts(variable, context, stringIfInvalid, next, value));
      }
    }
  }
  return current;
}

/** Part `i` was a promise: its value is called when it is a function, then the lookup goes on. */
async function settleThen(
  variable: Variable,
  context: BaseContext | Record<string, unknown>,
  stringIfInvalid: string,
  i: number,
  self: unknown,
  pending: PromiseLike<unknown>,
): Promise<unknown> {
  let current = await pending;
  if (typeof current === 'function') {
    current = await callValue(current, i === 0 ? undefined : self, stringIfInvalid, pendingOf(context));
    if (current === SILENT) return stringIfInvalid;
  }
  return resolveParts(variable, context, stringIfInvalid, i + 1, current);
}

function pendingOf(context: unknown): PendingCalls | undefined {
  return Array.isArray((context as BaseContext).dicts) ? (context as PendingCalls) : undefined;
}

function describe(value: unknown): string {
  if (value !== null && typeof value === 'object' && Array.isArray((value as BaseContext).dicts)) {
    return repr((value as BaseContext).dicts);
  }
  return repr(value);
}

/** A filter applied in an expression: the filter and its argument, if any. */
export interface AppliedFilter {
  readonly filter: Filter;
  /** The argument: a Variable to resolve, or a literal (a SafeString), or none. */
  readonly arg:
    | { readonly lookup: true; readonly value: Variable }
    | { readonly lookup: false; readonly value: unknown }
    | undefined;
}

/** What FilterExpression needs of the parser: the filters it can use. */
export interface FilterFinder {
  findFilter(name: string): Filter;
}

const CONSTANT = String.raw`(?:_\("[^"\\]*(?:\\.[^"\\]*)*"\)|_\('[^'\\]*(?:\\.[^'\\]*)*'\)|"[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*')`;
const NUM = String.raw`[-+.]?\p{Nd}[\p{Nd}.e]*`;
const VAR_CHARS = String.raw`[\p{L}\p{N}_.]+`;
const FILTER_RE = new RegExp(
  `^(?<constant>${CONSTANT})|^(?<var>${VAR_CHARS}|${NUM})|` +
    String.raw`(?:\s*\|\s*(?<filter_name>[\p{L}\p{N}_]+)(?::(?:(?<constant_arg>${CONSTANT})|(?<var_arg>${VAR_CHARS}|${NUM})))?)`,
  'gu',
);

/**
 * A variable or literal with its filters, as Django's `FilterExpression`.
 *
 * @example
 * const expression = parser.compileFilter('post.title|upper');
 * const value = await expression.resolve(context);
 */
export class FilterExpression {
  readonly token: string;
  /** The Variable, or the literal's value. */
  readonly var: Variable | unknown;
  readonly filters: readonly AppliedFilter[];

  constructor(token: string, parser: FilterFinder) {
    this.token = token;
    let variable: Variable | unknown = undefined;
    let seenVar = false;
    const filters: AppliedFilter[] = [];
    let upto = 0;
    FILTER_RE.lastIndex = 0;
    for (let match = FILTER_RE.exec(token); match !== null; match = FILTER_RE.exec(token)) {
      const start = match.index;
      if (upto !== start) {
        throw new TemplateSyntaxError(
          `Could not parse some characters: ${token.slice(0, upto)}|${token.slice(upto, start)}|${token.slice(start)}`,
        );
      }
      const groups = match.groups!;
      if (!seenVar) {
        if (groups['constant'] !== undefined) {
          variable = new Variable(groups['constant']).literal;
        } else if (groups['var'] === undefined) {
          throw new TemplateSyntaxError(`Could not find variable at start of ${token}.`);
        } else {
          variable = new Variable(groups['var']);
        }
        seenVar = true;
      } else {
        const name = groups['filter_name']!;
        let arg: AppliedFilter['arg'];
        if (groups['constant_arg'] !== undefined) {
          arg = { lookup: false, value: new Variable(groups['constant_arg']).literal };
        } else if (groups['var_arg'] !== undefined) {
          arg = { lookup: true, value: new Variable(groups['var_arg']) };
        }
        const filter = parser.findFilter(name);
        checkArguments(filter, arg !== undefined);
        filters.push({ filter, arg });
      }
      upto = FILTER_RE.lastIndex;
    }
    if (upto !== token.length) {
      throw new TemplateSyntaxError(`Could not parse the remainder: '${token.slice(upto)}' from '${token}'`);
    }
    this.var = variable;
    this.filters = filters;
  }

  /** Whether the expression is a literal with no filters: its value is known when parsed. */
  get isConstant(): boolean {
    return !(this.var instanceof Variable && this.var.lookups !== undefined) && this.filters.length === 0;
  }

  /**
   * The value in `context`, filters applied. A missing variable gives the engine's
   * `stringIfInvalid` (filters are then not applied when it is not empty), or `null` with
   * `ignoreFailures`. Returns a promise when a promise was met.
   */
  resolve(context: Context, ignoreFailures = false): unknown {
    const stringIfInvalid = stringIfInvalidOf(context);
    let value: unknown;
    if (this.var instanceof Variable) {
      try {
        value = this.var.resolve(context);
      } catch (error) {
        if (!(error instanceof VariableDoesNotExist)) throw error;
        if (ignoreFailures) value = null;
        else if (stringIfInvalid !== '') return invalidText(stringIfInvalid, this.var);
        else value = stringIfInvalid;
      }
    } else {
      value = this.var;
    }
    if (isThenable(value)) {
      return Promise.resolve(value).then(
        (resolved) => this.#applyFilters(context, resolved, 0),
        (error: unknown) => {
          if (!(error instanceof VariableDoesNotExist)) throw error;
          if (ignoreFailures) return this.#applyFilters(context, null, 0);
          if (stringIfInvalid !== '') return invalidText(stringIfInvalid, this.var as Variable);
          return this.#applyFilters(context, stringIfInvalid, 0);
        },
      );
    }
    return this.#applyFilters(context, value, 0);
  }

  #applyFilters(context: Context, start: unknown, from: number): unknown {
    let value = start;
    for (let i = from; i < this.filters.length; i++) {
      const { filter, arg } = this.filters[i]!;
      let argValue: unknown;
      if (arg !== undefined) argValue = arg.lookup ? arg.value.resolve(context) : arg.value;
      if (isThenable(argValue)) {
        return Promise.resolve(argValue).then((resolved) => {
          const result = callFilter(filter, context, value, resolved);
          return isThenable(result)
            ? Promise.resolve(result).then((v) => this.#applyFilters(context, v, i + 1))
            : this.#applyFilters(context, result, i + 1);
        });
      }
      value = callFilter(filter, context, value, argValue);
      if (isThenable(value)) {
        return Promise.resolve(value).then((resolved) => this.#applyFilters(context, resolved, i + 1));
      }
    }
    return value;
  }

  toString(): string {
    return this.token;
  }
}

/** One filter call with Django's rules: local time first, the autoescape flag, safety kept. */
export function callFilter(filter: Filter, context: Context, value: unknown, arg: unknown): unknown {
  const input = filter.expectsLocaltime ? templateLocaltime(value, context.useTz) : value;
  const result = filter.fn(input, arg, context.autoescape);
  if (filter.isSafe && input instanceof SafeString) return markSafeResult(result);
  return result;
}

/** `markSafe()` of a filter's result, as Django's `mark_safe` (which keeps what is already safe). */
export function markSafeResult(result: unknown): unknown {
  if (result instanceof SafeString || isThenable(result)) return result;
  return markSafe(typeof result === 'string' ? result : toText(result));
}

/** `stringIfInvalid` for a missing variable, `%s` replaced by its name as Django does. */
export function invalidText(stringIfInvalid: string, variable: Variable | string): string {
  return stringIfInvalid.includes('%s') ? stringIfInvalid.replaceAll('%s', String(variable)) : stringIfInvalid;
}

/** Django's check of a filter's argument count, with its message. */
export function checkArguments(filter: Filter, given: boolean): void {
  const provided = given ? 2 : 1;
  if (filter.arg === 'none' && given) {
    throw new TemplateSyntaxError(`${filter.name} requires 1 arguments, ${provided} provided`);
  }
  if (filter.arg === 'required' && !given) {
    throw new TemplateSyntaxError(`${filter.name} requires 2 arguments, ${provided} provided`);
  }
}
