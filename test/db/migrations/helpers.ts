// Running operations one migration at a time on the test database, forwards and back, and
// reading the tables they leave: rows (as plain objects), columns and constraints.
import { connections, execute, withSchemaEditor } from '../../../src/db/index.ts';
import { Migration, ProjectState, type Operation } from '../../../src/db/migrations/index.ts';

/** A migration history built step by step: `forwards(...)` applies, `backwards()` undoes the last. */
export class History {
  readonly appLabel: string;
  state = new ProjectState();
  readonly #done: Array<{ migration: Migration; before: ProjectState }> = [];
  /** The SQL each step ran. */
  lastSql: string[] = [];

  constructor(appLabel: string) {
    this.appLabel = appLabel;
  }

  async forwards(...operations: Operation[]): Promise<void> {
    const migration = new Migration({ operations });
    migration.appLabel = this.appLabel;
    migration.name = `${String(this.#done.length + 1).padStart(4, '0')}_step`;
    const before = this.state;
    this.state = await withSchemaEditor(async (editor) => {
      const after = await migration.apply(before, editor);
      await editor.flush();
      this.lastSql = editor.executed;
      return after;
    });
    this.#done.push({ migration, before });
  }

  async backwards(): Promise<void> {
    const step = this.#done.at(-1);
    if (step === undefined) throw new Error('Nothing to undo.');
    await withSchemaEditor(async (editor) => {
      await step.migration.unapply(step.before, editor);
      this.lastSql = editor.executed;
    });
    this.#done.pop();
    this.state = step.before;
  }
}

/** The rows of a query as plain objects, numbers as numbers. */
export async function rows(sql: string): Promise<Array<Record<string, unknown>>> {
  const result = await execute(sql);
  return result.rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row as object)) {
      out[key] = typeof value === 'bigint' ? Number(value) : value;
    }
    return out;
  });
}

/** The column names of a table, in order. */
export async function columns(table: string): Promise<string[]> {
  return (await connections.get().introspection.getTableDescription(table)).map((c) => c.name);
}

/** Whether a column accepts NULL. */
export async function nullable(table: string, column: string): Promise<boolean> {
  const found = (await connections.get().introspection.getTableDescription(table)).find((c) => c.name === column);
  if (found === undefined) throw new Error(`No column ${table}.${column}.`);
  return found.nullable;
}

/** The tables of the database. */
export async function tables(): Promise<string[]> {
  return connections.get().introspection.tableNames();
}

/** The constraints and indexes of a table on these columns. */
export async function constraintsOn(table: string, columnList: string[]) {
  const all = await connections.get().introspection.getConstraints(table);
  return Object.entries(all)
    .filter(([, c]) => c.columns.length === columnList.length && c.columns.every((col, i) => col === columnList[i]))
    .map(([name, c]) => ({ name, ...c }));
}

/** Runs `fn` and returns its error (failing when there is none). */
export async function failure(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('Expected an error, there was none.');
}
