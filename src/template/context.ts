/**
 * The context a template renders with, as Django's `django.template.context`: a stack of dicts
 * searched from the top (tags like `{% for %}` and `{% with %}` push one and pop it after),
 * the autoescape flag, and a render context, private to each template, where tags keep state.
 * `RequestContext` adds the values of the engine's context processors.
 */
import { isThenable } from './values.ts';

/** One level of the stack: names to values. */
export type ContextDict = Record<string, unknown>;

/** What a template is bound to while it renders: enough for tags to reach their engine. */
export interface BoundTemplate {
  readonly name: string | undefined;
  readonly engine: {
    readonly templateContextProcessors: ReadonlyArray<(request: object) => unknown>;
  };
}

/** `pop()` was called more often than `push()` (Django's `ContextPopException`). */
export class ContextPopException extends Error {
  override name = 'ContextPopException';
}

/**
 * The bottom level of every context: `True`, `False`, `None`. One object shared by all (a context
 * made of nothing else gets a level of its own before anything is set in it).
 */
const BUILTINS: ContextDict = Object.freeze(
  Object.assign(Object.create(null) as ContextDict, { True: true, False: false, None: null }),
);

/** A pushed level that pops itself with `using` (Django's `with context.push(...)`). */
export interface PushedDict extends Disposable {
  readonly dict: ContextDict;
}

/** The stack of dicts shared by Context and RequestContext. */
export class BaseContext {
  dicts: ContextDict[];
  /** Writes into levels that existed when the journal started, to undo them (see Template.render). */
  #journal: Array<[ContextDict, string, boolean, unknown]> | undefined;
  /** The levels the journal watches (0: not journaling). */
  #journalDepth = 0;

  constructor(dict?: ContextDict) {
    this.dicts = dict !== undefined && dict !== null ? [BUILTINS, dict] : [BUILTINS];
  }

  protected resetDicts(value?: ContextDict): void {
    this.dicts = value !== undefined && value !== null ? [BUILTINS, value] : [BUILTINS];
  }

  /** The top level, for writing: never the shared builtins. */
  #top(): ContextDict {
    const top = this.dicts[this.dicts.length - 1]!;
    return top === BUILTINS ? this.pushDict() : top;
  }

  /**
   * Pushes a new level holding a copy of `dicts` (a Context's own levels are taken without its
   * builtins). Pop it with `pop()`, or let `using` do it.
   *
   * @example
   * { using _pushed = context.push({ item }); out += nodelist.render(context); }
   */
  push(...dicts: Array<ContextDict | BaseContext>): PushedDict {
    const dict = Object.create(null) as ContextDict;
    for (const d of dicts) {
      if (d instanceof BaseContext) for (const level of d.dicts.slice(1)) Object.assign(dict, level);
      else Object.assign(dict, d);
    }
    this.dicts.push(dict);
    return this.disposer(dict);
  }

  /** Pushes an empty level and returns it (for tags that fill it as they go). */
  pushDict(): ContextDict {
    const dict = Object.create(null) as ContextDict;
    this.dicts.push(dict);
    return dict;
  }

  protected disposer(dict: ContextDict): PushedDict {
    return {
      dict,
      [Symbol.dispose]: () => {
        if (this.dicts.at(-1) === dict) this.pop();
      },
    };
  }

  /** Removes the top level and returns it. */
  pop(): ContextDict {
    if (this.dicts.length === 1) throw new ContextPopException('pop() has been called more times than push().');
    return this.dicts.pop()!;
  }

  /** Pushes a copy of `values` as a new level, without the disposer of `push()`. */
  pushValues(values: ContextDict): void {
    this.dicts.push(Object.assign(Object.create(null) as ContextDict, values));
  }

  /** Sets `key` in the top level (Django's `context[key] = value`). */
  set(key: string, value: unknown): void {
    const top = this.#top();
    if (this.dicts.length <= this.#journalDepth) this.#record(top, key);
    top[key] = value;
  }

  /** Sets `key` in the nearest level that has it, else in the top one. */
  setUpward(key: string, value: unknown): void {
    let index = this.dicts.length - 1;
    for (let i = this.dicts.length - 1; i >= 0; i--) {
      if (Object.hasOwn(this.dicts[i]!, key)) {
        index = i;
        break;
      }
    }
    const target = this.dicts[index] === BUILTINS ? this.#top() : this.dicts[index]!;
    if (index < this.#journalDepth) this.#record(target, key);
    target[key] = value;
  }

  #record(dict: ContextDict, key: string): void {
    (this.#journal ??= []).push([dict, key, Object.hasOwn(dict, key), dict[key]]);
  }

  /**
   * Starts noting what tags write into the levels there are now: a render that has to start
   * over (on the asynchronous path) undoes them first, so that it sees the context it started with.
   */
  startJournal(): void {
    this.#journal = undefined;
    this.#journalDepth = this.dicts.length;
  }

  /** Stops noting writes; with `rollback`, undoes them. */
  stopJournal(rollback: boolean): void {
    const journal = this.#journal;
    const depth = this.#journalDepth;
    this.#journal = undefined;
    this.#journalDepth = 0;
    if (!rollback) return;
    this.dicts.length = Math.min(this.dicts.length, depth);
    if (journal === undefined) return;
    for (let i = journal.length - 1; i >= 0; i--) {
      const [dict, key, had, value] = journal[i]!;
      if (had) dict[key] = value;
      else delete dict[key];
    }
  }

  /** The value of `key` from the nearest level that has it, else `otherwise`. */
  get(key: string, otherwise?: unknown): unknown {
    for (let i = this.dicts.length - 1; i >= 0; i--) {
      const d = this.dicts[i]!;
      if (Object.hasOwn(d, key)) return d[key];
    }
    return otherwise;
  }

  /** Whether some level has `key`. */
  has(key: string): boolean {
    return this.dicts.some((d) => Object.hasOwn(d, key));
  }

  /** Deletes `key` from the top level. */
  delete(key: string): void {
    const top = this.#top();
    if (this.dicts.length <= this.#journalDepth) this.#record(top, key);
    delete top[key];
  }

  /** The value of `key`, set to `value` in the top level first when no level has it. */
  setdefault(key: string, value: unknown = null): unknown {
    if (this.has(key)) return this.get(key);
    this.set(key, value);
    return value;
  }

  /** All levels merged into one object, the top winning. */
  flatten(): ContextDict {
    const flat: ContextDict = {};
    for (const d of this.dicts) Object.assign(flat, d);
    return flat;
  }

  /** The levels, top first. */
  *[Symbol.iterator](): IterableIterator<ContextDict> {
    for (let i = this.dicts.length - 1; i >= 0; i--) yield this.dicts[i]!;
  }
}

/**
 * Template state kept per template while it renders (Django's `RenderContext`): `{% cycle %}`
 * positions, `{% include %}`'s loaded templates, the blocks of `{% extends %}`. Keys may be
 * objects (the tag's node). Only the top level is visible, so an included template starts
 * fresh.
 */
export class RenderContext {
  /** The levels; a level's map is made when something is stored in it. */
  levels: Array<Map<unknown, unknown> | undefined> = [undefined];
  /** The template rendering now (the innermost, for included and extended ones). */
  template: unknown = undefined;
  /** Whether this render is on the asynchronous path (a promise was met). */
  async = false;
  /** Whether the asynchronous path met a promise (shared with the copies of `Context.new()`). */
  seen: { promise: boolean } | undefined = undefined;

  #top(): Map<unknown, unknown> {
    const index = this.levels.length - 1;
    return (this.levels[index] ??= new Map());
  }

  get(key: unknown, otherwise?: unknown): unknown {
    const top = this.levels[this.levels.length - 1];
    return top !== undefined && top.has(key) ? top.get(key) : otherwise;
  }

  has(key: unknown): boolean {
    return this.levels[this.levels.length - 1]?.has(key) ?? false;
  }

  set(key: unknown, value: unknown): void {
    this.#top().set(key, value);
  }

  /** The value of `key` in the top level, `value` stored first when absent. */
  setdefault<T>(key: unknown, value: T): T {
    const top = this.#top();
    if (top.has(key)) return top.get(key) as T;
    top.set(key, value);
    return value;
  }

  /** The bottom level, shared by every template of one render (the include cache lives there). */
  get root(): Map<unknown, unknown> {
    return (this.levels[0] ??= new Map());
  }

  /** Notes that the asynchronous path met a promise. */
  metPromise(): void {
    (this.seen ??= { promise: false }).promise = true;
  }

  /**
   * Makes `template` the current one; `isolated` (the default) gives it a fresh level. Returns
   * what `popState()` needs.
   */
  pushState(template: unknown, isolated = true): unknown {
    const initial = this.template;
    this.template = template;
    if (isolated) this.levels.push(undefined);
    return initial;
  }

  popState(initial: unknown, isolated = true): void {
    this.template = initial;
    if (isolated) this.levels.pop();
  }

  /** A copy sharing the levels' maps, as Django's `copy(render_context)`. */
  copy(): RenderContext {
    const copy = new RenderContext();
    this.levels[0] ??= new Map(); // made now, so that both share it
    copy.levels = this.levels.slice();
    copy.template = this.template;
    copy.async = this.async;
    copy.seen = this.seen ??= { promise: false };
    return copy;
  }
}

/** The options of `new Context()`. */
export interface ContextOptions {
  /** Escape every printed value (default true); `{% autoescape off %}` turns it off inside. */
  autoescape?: boolean;
  /** Localize numbers and dates (Django's `use_l10n`; default: the USE_L10N setting). */
  useL10n?: boolean;
  /** Convert aware datetimes to the current time zone (default: the USE_TZ setting). */
  useTz?: boolean;
}

/**
 * The values a template renders with.
 *
 * @example
 * const html = await engine.fromString('Hello {{ name }}!').render(new Context({ name: 'world' }));
 */
export class Context extends BaseContext {
  autoescape: boolean;
  useL10n: boolean | undefined;
  useTz: boolean | undefined;
  templateName = 'unknown';
  renderContext = new RenderContext();
  /** The outermost template while one renders (not the included or extended ones). */
  template: BoundTemplate | undefined = undefined;
  /** The request, for a RequestContext (and contexts made from one with `new()`). */
  request: object | undefined = undefined;
  /** Promises from the synchronous attempt of a render that went asynchronous (lookup.ts). */
  pendingCalls: Map<unknown, Map<unknown, unknown>> | undefined = undefined;

  constructor(dict?: ContextDict, options: ContextOptions = {}) {
    super(checkedDict(dict));
    this.autoescape = options.autoescape ?? true;
    this.useL10n = options.useL10n;
    this.useTz = options.useTz;
  }

  /**
   * Binds the outermost template for the time of a render (Django's `bind_template`). A
   * RequestContext runs the context processors here; a promise back means one of them is async.
   */
  bindTemplate(template: BoundTemplate): void | Promise<void> {
    if (this.template !== undefined) throw new Error('Context is already bound to a template.');
    this.template = template;
  }

  unbindTemplate(): void {
    this.template = undefined;
  }

  /** Pushes `other` itself (not a copy) as a new level. */
  update(other: ContextDict | BaseContext): PushedDict {
    let dict: ContextDict;
    if (other instanceof BaseContext) dict = other.dicts.at(-1)!;
    else if (other !== null && typeof other === 'object') dict = other;
    else throw new TypeError('other_dict must be a mapping (dictionary-like) object.');
    this.dicts.push(dict);
    return this.disposer(dict);
  }

  /** A context with the same options and only `values` (for `{% include ... only %}` and inclusion tags). */
  new(values?: ContextDict): Context {
    const copy = new Context(values, { autoescape: this.autoescape, useL10n: this.useL10n, useTz: this.useTz });
    copy.templateName = this.templateName;
    copy.template = this.template;
    copy.request = this.request;
    copy.renderContext = this.renderContext.copy();
    return copy;
  }
}

function checkedDict(dict: unknown): ContextDict | undefined {
  if (dict === undefined || dict === null) return undefined;
  if (typeof dict !== 'object' || Array.isArray(dict) || dict instanceof Map) {
    const type = Array.isArray(dict) ? 'Array' : ((dict as object).constructor?.name ?? typeof dict);
    throw new TypeError(`context must be a dict rather than ${type}. Pass a plain object, as { name: 'value' }.`);
  }
  return dict as ContextDict;
}

/**
 * A context that also holds the values of the engine's context processors, computed when a
 * template binds it (Django's `RequestContext`). The values given here win over the processors'.
 *
 * @example
 * template.render(new RequestContext(request, { posts }));
 */
export class RequestContext extends Context {
  readonly #processors: ReadonlyArray<(request: object) => unknown>;
  readonly #processorsIndex: number;

  constructor(
    request: object,
    dict?: ContextDict,
    options: ContextOptions & { processors?: ReadonlyArray<(request: object) => unknown> } = {},
  ) {
    super(dict, options);
    this.request = request;
    this.#processors = options.processors ?? [];
    this.#processorsIndex = this.dicts.length;
    // One level for the processors' values, one above it for changes made while rendering.
    this.dicts.push(Object.create(null) as ContextDict, Object.create(null) as ContextDict);
  }

  override bindTemplate(template: BoundTemplate): void | Promise<void> {
    super.bindTemplate(template);
    const engineProcessors = template.engine.templateContextProcessors;
    const processors = this.#processors.length > 0 ? [...engineProcessors, ...this.#processors] : engineProcessors;
    const updates = Object.create(null) as ContextDict;
    for (let i = 0; i < processors.length; i++) {
      const values = processors[i]!(this.request!);
      if (isThenable(values)) return this.#finishAsync(values, processors, i + 1, updates);
      assignValues(updates, values, processors[i]!);
    }
    this.dicts[this.#processorsIndex] = updates;
  }

  async #finishAsync(
    pending: PromiseLike<unknown>,
    processors: ReadonlyArray<(request: object) => unknown>,
    next: number,
    updates: ContextDict,
  ): Promise<void> {
    try {
      assignValues(updates, await pending, processors[next - 1]!);
      for (let i = next; i < processors.length; i++)
        assignValues(updates, await processors[i]!(this.request!), processors[i]!);
    } catch (error) {
      this.unbindTemplate();
      throw error;
    }
    this.dicts[this.#processorsIndex] = updates;
  }

  override unbindTemplate(): void {
    super.unbindTemplate();
    if (this.dicts.length > this.#processorsIndex)
      this.dicts[this.#processorsIndex] = Object.create(null) as ContextDict;
  }
}

function assignValues(updates: ContextDict, values: unknown, processor: { name: string }): void {
  if (values === undefined || values === null) return;
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw new TypeError(
      `The context processor ${processor.name || '(anonymous)'} returned ${Array.isArray(values) ? 'an array' : typeof values}; it must return an object of names and values.`,
    );
  }
  Object.assign(updates, values);
}

/**
 * A Context for a plain object and an optional request (Django's `make_context`): with a request,
 * a RequestContext whose processors' values the given ones override.
 */
export function makeContext(
  values: ContextDict | undefined,
  request?: object,
  options: ContextOptions & { processors?: ReadonlyArray<(request: object) => unknown> } = {},
): Context {
  if (values !== undefined && values !== null && typeof values !== 'object') {
    throw new TypeError(`context must be a dict rather than ${typeof values}.`);
  }
  if (request === undefined || request === null) return new Context(values, options);
  const context = new RequestContext(request, undefined, options);
  // A copy, as Django's push(): what the template sets does not land in the caller's object.
  if (values !== undefined && values !== null) context.pushValues(values);
  return context;
}
