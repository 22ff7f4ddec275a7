/**
 * The optimizer, as Django's `MigrationOptimizer`: combines operations of one list where a later
 * one cancels or folds into an earlier one (a CreateModel and an AddField on it become one
 * CreateModel; an AddField then RemoveField, nothing), through the operations in between that
 * do not involve them. Used by makemigrations and squashmigrations.
 */
import type { Operation } from './operations/base.ts';

/** One pass: the first reduction found, or the list as it was. */
function optimizeInner(operations: readonly Operation[], appLabel: string): Operation[] {
  const out: Operation[] = [];
  for (let i = 0; i < operations.length; i++) {
    const operation = operations[i]!;
    let right = true;
    let reduced = false;
    for (let j = i + 1; j < operations.length; j++) {
      const other = operations[j]!;
      const result = operation.reduce(other, appLabel);
      if (Array.isArray(result)) {
        const between = operations.slice(i + 1, j);
        if (right) {
          out.push(...between, ...result);
        } else if (between.every((op) => op.reduce(other, appLabel) === true)) {
          // A left reduction: everything in between can move across `other`.
          out.push(...result, ...between);
        } else {
          out.push(operation);
          reduced = true;
          break;
        }
        out.push(...operations.slice(j + 1));
        return out;
      }
      if (!result) right = false;
    }
    if (!reduced) out.push(operation);
  }
  return out;
}

/** The operations with every possible reduction made (applied until nothing changes). */
export function optimize(operations: readonly Operation[], appLabel: string): Operation[] {
  let current = [...operations];
  for (;;) {
    const next = optimizeInner(current, appLabel);
    if (next.length === current.length && next.every((op, i) => op === current[i])) return next;
    current = next;
  }
}
