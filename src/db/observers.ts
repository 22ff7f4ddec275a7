/**
 * Who watches the queries: the `tsgi.db` logger and the wrapper's `queries` list when DEBUG is
 * on (Django's `django.db.backends` logger and `connection.queries`), `captureQueries()` (the
 * test helper behind `assertNumQueries`) and the N+1 detector. Nothing is timed or recorded when
 * none of them is on: the wrapper asks `active()` first.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { settings, settingsGeneration } from '../conf/index.ts';
import { getLogger } from '../utils/log.ts';
import type { BaseDatabaseWrapper, PreparedSlot } from './backends/base/wrapper.ts';
import { formatParams } from './backends/base/wrapper.ts';
import { countQueryShape } from './nplusone.ts';

/** One executed query. */
export interface CapturedQuery {
  alias: string;
  sql: string;
  params: readonly unknown[];
  /** Milliseconds. */
  time: number;
  /** The error it raised, if it failed. */
  error?: Error;
}

const logger = getLogger('tsgi.db');
const captures = new AsyncLocalStorage<CapturedQuery[][]>();
let debugSeen = -1;
let debugValue = false;
/** Django keeps the last 9000 queries of a connection in DEBUG. */
const QUERIES_KEPT = 9000;
const recent = new WeakMap<BaseDatabaseWrapper, CapturedQuery[]>();

/** settings.DEBUG, read again only after settings changed (asked on every query). */
function debugOn(): boolean {
  const generation = settingsGeneration();
  if (generation !== debugSeen) {
    debugValue = settings.configured && settings.DEBUG === true;
    debugSeen = settingsGeneration();
  }
  return debugValue;
}

export const queryObservers = {
  /** Whether any observer wants this context's queries. */
  active(): boolean {
    return debugOn() || captures.getStore() !== undefined;
  },

  notify(
    wrapper: BaseDatabaseWrapper,
    sql: string,
    params: readonly unknown[],
    time: number,
    error: Error | undefined,
  ): void {
    const query: CapturedQuery = { alias: wrapper.alias, sql, params, time };
    if (error !== undefined) query.error = error;
    const stores = captures.getStore();
    if (stores !== undefined) for (const list of stores) list.push(query);
    if (!debugOn()) return;
    let kept = recent.get(wrapper);
    if (kept === undefined) recent.set(wrapper, (kept = []));
    kept.push(query);
    if (kept.length > QUERIES_KEPT) kept.splice(0, kept.length - QUERIES_KEPT);
    if (logger.isEnabledFor(10)) {
      logger.debug(`(${(time / 1000).toFixed(3)}) ${sql}; args=${formatParams(params)}; alias=${wrapper.alias}`, {
        duration: time / 1000,
        sql,
        params,
        alias: wrapper.alias,
        ...(error !== undefined ? { error } : {}),
      });
    }
  },

  /** A plan's query is starting (observers are active). */
  starting(prepared: PreparedSlot, sql: string): void {
    if (debugOn()) countQueryShape(prepared, sql);
  },
};

/** The queries recorded for a database while DEBUG is on (the last 9000), as Django's `connection.queries`. */
export function recordedQueries(wrapper: BaseDatabaseWrapper): CapturedQuery[] {
  return recent.get(wrapper) ?? [];
}

/** Forgets the recorded queries (Django's `reset_queries()`). */
export function resetQueries(wrapper?: BaseDatabaseWrapper): void {
  if (wrapper === undefined) return;
  recent.delete(wrapper);
}

/**
 * Runs `fn` and returns what it returned with the queries it ran (in its async context only:
 * queries of concurrent requests are not counted).
 *
 * @example
 * const [posts, queries] = await captureQueries(() => Post.objects.selectRelated('author'));
 * assert.equal(queries.length, 1);
 */
export async function captureQueries<R>(fn: () => R | Promise<R>): Promise<[R, CapturedQuery[]]> {
  const list: CapturedQuery[] = [];
  const outer = captures.getStore() ?? [];
  const result = await captures.run([...outer, list], fn);
  return [result, list];
}

/**
 * Fails unless `fn` runs exactly `count` queries, listing them (Django's `assertNumQueries`).
 *
 * @example
 * await assertNumQueries(2, async () => { for (const p of await Post.objects.prefetchRelated('tags')) await p.tags.all(); });
 */
export async function assertNumQueries<R>(count: number, fn: () => R | Promise<R>, using?: string): Promise<R> {
  const [result, queries] = await captureQueries(fn);
  const counted = using === undefined ? queries : queries.filter((q) => q.alias === using);
  if (counted.length !== count) {
    const list = counted.map((q, i) => `${i + 1}. ${q.sql}`).join('\n');
    throw new Error(`${counted.length} queries executed, ${count} expected.\nCaptured queries were:\n${list}`);
  }
  return result;
}
