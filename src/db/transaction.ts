/**
 * `tsgi/db/transaction`: transactions, as Django's `django.db.transaction`, kept in the async
 * context (AsyncLocalStorage): `atomic(fn)` runs `fn` in a transaction that belongs to `fn`'s
 * async context alone. Two requests served at once by one worker never share one; a nested
 * `atomic()` is a savepoint of the enclosing one; `onCommit()` callbacks run once the outermost
 * block commits.
 *
 * Every query goes through `sessionFor()`: the session of the innermost atomic block of the
 * context, or the database's autocommit session.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { getLogger } from '../utils/log.ts';
import type { BaseDatabaseWrapper, QueryResult, RunOptions, Session } from './backends/base/wrapper.ts';
import { connections, DEFAULT_DB_ALIAS } from './connections.ts';
import { DatabaseError, TransactionManagementError } from './errors.ts';

/** One atomic block: the outermost holds the transaction, the others a savepoint (or nothing). */
interface Block {
  readonly frame: Frame;
  readonly parent: Block | undefined;
  readonly savepoint: string | null;
  needsRollback: boolean;
  closed: boolean;
  readonly onCommit: Array<[callback: () => unknown, robust: boolean]>;
  /** Opened by a TestCase for the process (pinTestAtomic). */
  readonly pinned?: boolean;
}

/** One outermost transaction. */
interface Frame {
  readonly wrapper: BaseDatabaseWrapper;
  readonly session: Session;
  /** The innermost open block. */
  top: Block;
  savepoints: number;
  readonly id: number;
}

/** The innermost block of each database in this async context. */
type Store = ReadonlyMap<string, Block>;

const storage = new AsyncLocalStorage<Store>();
let frames = 0;
const logger = getLogger('tsgi.db');
/**
 * The blocks TestCase opened for the process (tsgi/test): the context of code that runs outside
 * any atomic() of its own (a test body, a view called by the test Client) falls back on them, as
 * Django's test and client share one connection. Empty outside tests.
 */
const pinned = new Map<string, Block>();

function innermost(alias: string): Block | undefined {
  return storage.getStore()?.get(alias) ?? (pinned.size === 0 ? undefined : pinned.get(alias));
}

function checkUsable(block: Block): void {
  if (block.closed) {
    throw new TransactionManagementError(
      'A query ran after its atomic() block had ended (a promise started inside the block was still running): await everything you start inside atomic().',
    );
  }
  if (block.frame.top !== block && isAncestor(block, block.frame.top)) {
    throw new TransactionManagementError(
      'A query of an atomic() block ran while a nested atomic() block of the same transaction was open (parallel work in one transaction): ' +
        'run the nested blocks one after the other, or give each parallel task its own outermost atomic().',
    );
  }
  for (let b: Block | undefined = block; b !== undefined; b = b.parent) {
    if (b.needsRollback) {
      throw new TransactionManagementError(
        "An error occurred in the current transaction. You can't execute queries until the end of the 'atomic' block " +
          '(wrap the statement that may fail in its own atomic() to go on after catching its error).',
      );
    }
  }
}

function isAncestor(block: Block, of: Block): boolean {
  for (let b = of.parent; b !== undefined; b = b.parent) if (b === block) return true;
  return false;
}

/** Whether the current async context is inside an atomic block of this database. */
export function inAtomicBlock(using: string = DEFAULT_DB_ALIAS): boolean {
  const block = innermost(using);
  return block !== undefined && !block.closed;
}

/**
 * Runs a statement on the right session: the context's transaction, or autocommit. A database
 * error inside a transaction marks the block for rollback (as PostgreSQL does on its own).
 */
export function runStatement(
  wrapper: BaseDatabaseWrapper,
  sql: string,
  params: readonly unknown[],
  options: RunOptions,
): QueryResult | Promise<QueryResult> {
  const block = innermost(wrapper.alias);
  if (block === undefined) {
    const session = wrapper.autocommitSession();
    if (session instanceof Promise) return session.then((s) => wrapper.run(s, sql, params, options));
    return wrapper.run(session, sql, params, options);
  }
  checkUsable(block);
  try {
    const result = wrapper.run(block.frame.session, sql, params, options);
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        if (error instanceof DatabaseError) block.needsRollback = true;
        throw error;
      });
    }
    return result;
  } catch (error) {
    if (error instanceof DatabaseError) block.needsRollback = true;
    throw error;
  }
}

/** Streams a SELECT in chunks of rows on the right session. */
export function streamStatement(
  wrapper: BaseDatabaseWrapper,
  sql: string,
  params: readonly unknown[],
  options: RunOptions,
  chunkSize: number,
): AsyncIterable<unknown[][]> {
  const block = innermost(wrapper.alias);
  if (block === undefined) return wrapper.autocommitStream(sql, params, options, chunkSize);
  checkUsable(block);
  return block.frame.session.stream(sql, params, options, chunkSize);
}

/** Options of {@link atomic}. */
export interface AtomicOptions {
  /** The database (`default`). */
  using?: string;
  /** Whether a nested block makes a savepoint (default true); without one, its failure fails the whole transaction. */
  savepoint?: boolean;
  /** Refuse to run nested in another block: the block's commit must be final (Django 3.2's `durable`). */
  durable?: boolean;
}

async function runSql(frame: Frame, sql: string): Promise<void> {
  await frame.wrapper.run(frame.session, sql, [], {});
}

async function runOnCommit(callbacks: Block['onCommit']): Promise<void> {
  for (const [callback, robust] of callbacks) {
    try {
      await callback();
    } catch (error) {
      if (!robust) throw error;
      logger.error(
        `Error calling ${callback.name || 'an onCommit callback'} in onCommit() (${(error as Error)?.message ?? String(error)}).`,
        {
          error,
        },
      );
    }
  }
}

async function outermost<R>(
  wrapper: BaseDatabaseWrapper,
  store: Store | undefined,
  fn: () => R | Promise<R>,
): Promise<R> {
  const session = await wrapper.beginTransactionSession();
  const frame = { wrapper, session, savepoints: 0, id: ++frames } as Frame;
  const block: Block = { frame, parent: undefined, savepoint: null, needsRollback: false, closed: false, onCommit: [] };
  frame.top = block;
  let failed = false;
  try {
    await runSql(frame, wrapper.beginSql);
  } catch (error) {
    await wrapper.endTransactionSession(session, true);
    throw error;
  }
  let result: R;
  try {
    result = await storage.run(withBlock(store, wrapper.alias, block), fn);
  } catch (error) {
    failed = true;
    block.closed = true;
    try {
      await runSql(frame, 'ROLLBACK');
    } catch (rollbackError) {
      logger.error(
        `The rollback of a failed transaction on '${wrapper.alias}' failed too: ${(rollbackError as Error).message}`,
        {
          error: rollbackError,
        },
      );
    } finally {
      await wrapper.endTransactionSession(session, true);
    }
    throw error;
  }
  block.closed = true;
  try {
    if (block.needsRollback) {
      failed = true;
      await runSql(frame, 'ROLLBACK');
    } else {
      await runSql(frame, 'COMMIT');
    }
  } catch (error) {
    failed = true;
    await Promise.resolve(runSql(frame, 'ROLLBACK')).catch(() => undefined);
    throw error;
  } finally {
    await wrapper.endTransactionSession(session, failed);
  }
  if (!failed && block.onCommit.length > 0) await runOnCommit(block.onCommit);
  return result;
}

async function nested<R>(
  parent: Block,
  store: Store | undefined,
  options: AtomicOptions,
  fn: () => R | Promise<R>,
): Promise<R> {
  const frame = parent.frame;
  // Inside a TestCase, a durable block may nest in the test's own blocks (as Django's).
  if (options.durable && !(parent.pinned === true && pinned.get(frame.wrapper.alias) === parent)) {
    throw new RuntimeErrorDurable();
  }
  checkUsable(parent);
  const savepoint = options.savepoint === false ? null : `s${frame.id}_x${++frame.savepoints}`;
  if (savepoint !== null) await runSql(frame, frame.wrapper.ops.savepointCreateSql(savepoint));
  const block: Block = { frame, parent, savepoint, needsRollback: false, closed: false, onCommit: [] };
  frame.top = block;
  let result: R;
  try {
    result = await storage.run(withBlock(store, frame.wrapper.alias, block), fn);
  } catch (error) {
    await leaveFailed(block);
    throw error;
  }
  if (block.needsRollback) {
    await leaveFailed(block);
    return result;
  }
  block.closed = true;
  frame.top = parent;
  if (savepoint !== null) await runSql(frame, frame.wrapper.ops.savepointCommitSql(savepoint));
  parent.onCommit.push(...block.onCommit);
  return result;
}

/** Leaves a nested block that failed: back to its savepoint, or the whole transaction marked. */
async function leaveFailed(block: Block): Promise<void> {
  const frame = block.frame;
  block.closed = true;
  frame.top = block.parent!;
  if (block.savepoint === null) {
    block.parent!.needsRollback = true;
    return;
  }
  try {
    await runSql(frame, frame.wrapper.ops.savepointRollbackSql(block.savepoint));
    await runSql(frame, frame.wrapper.ops.savepointCommitSql(block.savepoint));
  } catch (error) {
    // The connection is gone or the transaction broken: the outer block cannot commit.
    block.parent!.needsRollback = true;
    logger.error(`Rolling back to the savepoint ${block.savepoint} failed: ${(error as Error).message}`, { error });
  }
}

class RuntimeErrorDurable extends TransactionManagementError {
  constructor() {
    super(
      'A durable atomic block cannot be nested within another atomic block: move it out, or drop { durable: true }.',
    );
  }
}

function withBlock(store: Store | undefined, alias: string, block: Block): Store {
  const next = new Map(store);
  next.set(alias, block);
  return next;
}

/**
 * Runs `fn` in a transaction: committed when `fn` returns, rolled back when it throws (the error
 * is thrown on). Nested calls make savepoints. Returns what `fn` returned.
 *
 * @example
 * await atomic(async () => {
 *   const post = await Post.objects.create({ title: 'Hello' });
 *   await Comment.objects.create({ post, body: 'First!' });
 * });
 * await atomic({ using: 'other' }, () => Post.objects.using('other').update({ views: 0 }));
 */
export function atomic<R>(fn: () => R | Promise<R>): Promise<R>;
export function atomic<R>(options: AtomicOptions, fn: () => R | Promise<R>): Promise<R>;
export function atomic<R>(
  optionsOrFn: AtomicOptions | (() => R | Promise<R>),
  maybeFn?: () => R | Promise<R>,
): Promise<R> {
  const options = typeof optionsOrFn === 'function' ? {} : optionsOrFn;
  const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
  if (typeof fn !== 'function') {
    return Promise.reject(
      new TypeError('atomic() needs the function to run: atomic(async () => { ... }) or atomic({ using }, fn).'),
    );
  }
  const alias = options.using ?? DEFAULT_DB_ALIAS;
  let wrapper: BaseDatabaseWrapper;
  try {
    wrapper = connections.get(alias);
  } catch (error) {
    return Promise.reject(error);
  }
  const store = storage.getStore();
  const parent = innermost(alias);
  if (parent === undefined || parent.closed) return outermost(wrapper, store, fn);
  try {
    return nested(parent, store, options, fn);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Wraps a function so that each call runs in `atomic()` (Django's `@transaction.atomic`).
 *
 * @example
 * export const transfer = atomicFunction(async (from: Account, to: Account, amount: number) => { ... });
 */
export function atomicFunction<A extends unknown[], R>(
  fn: (...args: A) => R | Promise<R>,
  options: AtomicOptions = {},
): (...args: A) => Promise<R> {
  const wrapped = (...args: A) => atomic(options, () => fn(...args));
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped;
}

function currentBlock(using: string, what: string): Block {
  const block = innermost(using);
  if (block === undefined || block.closed) {
    throw new TransactionManagementError(`${what} is only possible inside an atomic() block (database '${using}').`);
  }
  return block;
}

/**
 * Runs `callback` once the transaction of the current block commits (not at all if it rolls
 * back); at once when there is no transaction. With `robust`, a failing callback is logged and
 * the next ones still run.
 *
 * @example
 * await atomic(async () => {
 *   await order.save();
 *   onCommit(() => sendConfirmation(order));
 * });
 */
export function onCommit(
  callback: () => unknown,
  options: { using?: string; robust?: boolean } = {},
): void | Promise<void> {
  const using = options.using ?? DEFAULT_DB_ALIAS;
  const block = innermost(using);
  if (block === undefined || block.closed) {
    try {
      const result = callback();
      if (result instanceof Promise) {
        return result.then(
          () => undefined,
          (error: unknown) => {
            if (!options.robust) throw error;
            logger.error(
              `Error calling ${callback.name || 'an onCommit callback'} in onCommit() (${(error as Error)?.message}).`,
              { error },
            );
          },
        );
      }
    } catch (error) {
      if (!options.robust) throw error;
      logger.error(
        `Error calling ${callback.name || 'an onCommit callback'} in onCommit() (${(error as Error)?.message}).`,
        { error },
      );
    }
    return;
  }
  block.onCommit.push([callback, options.robust === true]);
}

/** Marks the innermost block to roll back when it ends (or clears the mark), without an error. */
export function setRollback(rollback: boolean, using: string = DEFAULT_DB_ALIAS): void {
  currentBlock(using, 'setRollback()').needsRollback = rollback;
}

/** Whether the innermost block will roll back. */
export function getRollback(using: string = DEFAULT_DB_ALIAS): boolean {
  return currentBlock(using, 'getRollback()').needsRollback;
}

/**
 * Makes a savepoint in the current transaction and returns its id (Django's
 * `transaction.savepoint()`); `savepointRollback(id)` goes back to it, `savepointCommit(id)` keeps it.
 */
export async function savepoint(using: string = DEFAULT_DB_ALIAS): Promise<string> {
  const block = currentBlock(using, 'savepoint()');
  checkUsable(block);
  const id = `s${block.frame.id}_x${++block.frame.savepoints}`;
  await runSql(block.frame, block.frame.wrapper.ops.savepointCreateSql(id));
  return id;
}

/** Rolls back to a savepoint made by `savepoint()`. */
export async function savepointRollback(id: string, using: string = DEFAULT_DB_ALIAS): Promise<void> {
  const block = currentBlock(using, 'savepointRollback()');
  await runSql(block.frame, block.frame.wrapper.ops.savepointRollbackSql(id));
}

/** Releases a savepoint made by `savepoint()`. */
export async function savepointCommit(id: string, using: string = DEFAULT_DB_ALIAS): Promise<void> {
  const block = currentBlock(using, 'savepointCommit()');
  await runSql(block.frame, block.frame.wrapper.ops.savepointCommitSql(id));
}

const NON_ATOMIC = Symbol.for('tsgi.db.nonAtomicRequests');

/**
 * Exempts a view from ATOMIC_REQUESTS (all databases, or the listed ones), as Django's
 * `@transaction.non_atomic_requests`.
 *
 * @example
 * export const upload = nonAtomicRequests(async (request) => { ... });
 */
export function nonAtomicRequests<V extends (...args: never[]) => unknown>(view: V, using?: readonly string[]): V {
  const existing = (view as unknown as Record<symbol, Set<string> | true | undefined>)[NON_ATOMIC];
  const value = using === undefined ? true : new Set([...(existing instanceof Set ? existing : []), ...using]);
  Object.defineProperty(view, NON_ATOMIC, { value, configurable: true });
  return view;
}

/** Whether a view is exempted from ATOMIC_REQUESTS for a database. */
export function isNonAtomic(view: unknown, alias: string): boolean {
  if (typeof view !== 'function') return false;
  const mark = (view as unknown as Record<symbol, Set<string> | true | undefined>)[NON_ATOMIC];
  return mark === true || (mark instanceof Set && mark.has(alias));
}

/**
 * Opens a block for the whole process on a database (TestCase's class-level transaction, then
 * each test's savepoint in it): code running outside any atomic() of its own uses it. Closed,
 * always rolled back, by {@link unpinTestAtomic}. For tsgi/test only.
 */
export async function pinTestAtomic(using: string): Promise<void> {
  const wrapper = connections.get(using);
  const parent = pinned.get(using);
  let block: Block;
  if (parent === undefined) {
    const session = await wrapper.beginTransactionSession();
    const frame = { wrapper, session, savepoints: 0, id: ++frames } as Frame;
    block = {
      frame,
      parent: undefined,
      savepoint: null,
      needsRollback: false,
      closed: false,
      onCommit: [],
      pinned: true,
    };
    frame.top = block;
    try {
      await runSql(frame, wrapper.beginSql);
    } catch (error) {
      await wrapper.endTransactionSession(session, true);
      throw error;
    }
  } else {
    const frame = parent.frame;
    const savepoint = `s${frame.id}_x${++frame.savepoints}`;
    await runSql(frame, wrapper.ops.savepointCreateSql(savepoint));
    block = { frame, parent, savepoint, needsRollback: false, closed: false, onCommit: [], pinned: true };
    frame.top = block;
  }
  pinned.set(using, block);
}

/** Rolls back and closes the innermost block {@link pinTestAtomic} opened on a database. */
export async function unpinTestAtomic(using: string): Promise<void> {
  const block = pinned.get(using);
  if (block === undefined) return;
  const frame = block.frame;
  block.closed = true;
  if (block.parent === undefined) {
    pinned.delete(using);
    try {
      await runSql(frame, 'ROLLBACK');
    } finally {
      await frame.wrapper.endTransactionSession(frame.session, true);
    }
    return;
  }
  frame.top = block.parent;
  pinned.set(using, block.parent);
  await runSql(frame, frame.wrapper.ops.savepointRollbackSql(block.savepoint!));
  await runSql(frame, frame.wrapper.ops.savepointCommitSql(block.savepoint!));
}

/**
 * The onCommit callbacks waiting for the current transaction of a database (the list itself:
 * TestCase's captureOnCommitCallbacks takes the ones added meanwhile). Undefined outside one.
 */
export function pendingOnCommit(
  using: string = DEFAULT_DB_ALIAS,
): Array<[callback: () => unknown, robust: boolean]> | undefined {
  const block = innermost(using);
  return block === undefined || block.closed ? undefined : block.onCommit;
}
