/**
 * The N+1 warning (beyond Django): with DEBUG on, a request that runs the same SELECT shape many
 * times (what a loop over posts reading `await post.author` without `selectRelated('author')`
 * does) logs one warning on the `tsgi.db` logger when it finishes, naming the model, the count
 * and the line of the project's code that ran the first query past the threshold.
 */
import path from 'node:path';
import { currentRequestScope } from '../core/request-scope.ts';
import { getLogger } from '../utils/log.ts';
import type { PreparedSlot } from './backends/base/wrapper.ts';

/** Runs of one shape in one request before it counts as N+1. */
export const N_PLUS_ONE_THRESHOLD = 10;

interface ShapeCount {
  count: number;
  label: string | undefined;
  sql: string;
  where: string | undefined;
}

const KEY = Symbol('tsgi.db.nplusone');
// The framework's own files (src/ or dist/src/): frames there are not "the line of the view".
const FRAMEWORK_ROOT = path.resolve(import.meta.dirname, '..');

/** Counts one run of a plan's SQL in the current request (called by the observers when DEBUG is on). */
export function countQueryShape(prepared: PreparedSlot, sql: string): void {
  if (!sql.startsWith('SELECT')) return;
  const scope = currentRequestScope();
  if (scope === undefined) return;
  let shapes = scope.state.get(KEY) as Map<string, ShapeCount> | undefined;
  if (shapes === undefined) {
    shapes = new Map();
    scope.state.set(KEY, shapes);
    scope.finishers.push(report.bind(undefined, shapes));
  }
  let entry = shapes.get(prepared.name);
  if (entry === undefined) {
    entry = { count: 0, label: prepared.label, sql, where: undefined };
    shapes.set(prepared.name, entry);
  }
  if (++entry.count === N_PLUS_ONE_THRESHOLD + 1) entry.where = callerLine(new Error().stack ?? '');
}

/** The first stack frame outside the framework and Node: `blog/views.ts:14:22`. */
export function callerLine(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    // "at fn (file:///app/views.ts:12:5)" or "at /app/views.ts:12:5"; node: frames are skipped.
    const match = /(?:\(|at (?:async )?)((?:file:\/\/)?\/[^()\s][^()]*?):(\d+):(\d+)\)?$/.exec(line.trim());
    if (match === null) continue;
    const file = decodeURIComponent(match[1]!.replace(/^file:\/\//, ''));
    if (file.startsWith(FRAMEWORK_ROOT + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return `${path.relative(process.cwd(), file) || file}:${match[2]}:${match[3]}`;
  }
  return undefined;
}

function report(shapes: Map<string, ShapeCount>): void {
  const logger = getLogger('tsgi.db');
  for (const shape of shapes.values()) {
    if (shape.count <= N_PLUS_ONE_THRESHOLD) continue;
    const model = shape.label ?? 'a model';
    logger.warning(
      `Possible N+1 queries: one request ran the same query on ${model} ${shape.count} times` +
        (shape.where !== undefined ? `, from ${shape.where}` : '') +
        `. Load the related objects with the query that found the others: selectRelated() for a ForeignKey, ` +
        `prefetchRelated() for a reverse or many-to-many relation. The query: ${shape.sql}`,
      { model, count: shape.count, line: shape.where, sql: shape.sql },
    );
  }
}
