/**
 * The operations that run code of your own, as Django's `django.db.migrations.operations.special`:
 * RunSQL, RunCode (Django's RunPython) and SeparateDatabaseAndState.
 */
import type { BaseSchemaEditor } from '../../backends/base/schema.ts';
import { atomic } from '../../transaction.ts';
import type { MigrationApps, ProjectState } from '../state.ts';
import { Operation } from './base.ts';

/** SQL for RunSQL: one string (several statements are split), or a list of statements and `[sql, params]` pairs. */
export type SqlStatements = string | ReadonlyArray<string | readonly [string, readonly unknown[]]>;

/**
 * Splits SQL text into statements at the semicolons outside strings, quoted names, comments and
 * PostgreSQL's dollar-quoted bodies (what Django does with sqlparse).
 */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = sql.indexOf(c, i + 1);
      i = end === -1 ? sql.length : end + 1;
      // A doubled quote continues the string.
      while (i < sql.length && sql[i] === c) {
        const next = sql.indexOf(c, i + 1);
        i = next === -1 ? sql.length : next + 1;
      }
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      continue;
    }
    if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
      if (tag !== null) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? sql.length : end + tag[0].length;
        continue;
      }
    }
    if (c === ';') {
      const statement = sql.slice(start, i).trim();
      if (statement !== '' && !/^(--[^\n]*\n?\s*)*$/.test(statement)) out.push(statement);
      start = i + 1;
    }
    i++;
  }
  const rest = sql.slice(start).trim();
  if (rest !== '' && !/^(--[^\n]*(\n|$)\s*)*$/.test(rest)) out.push(rest);
  return out;
}

async function runSql(editor: BaseSchemaEditor, statements: SqlStatements): Promise<void> {
  if (typeof statements === 'string') {
    for (const sql of splitSql(statements)) await editor.execute(sql);
    return;
  }
  for (const item of statements) {
    if (typeof item === 'string') await editor.execute(item);
    else await editor.execute(item[0], item[1]);
  }
}

/** Runs SQL of your own; `stateOperations` tell the state what it changed. */
export class RunSQL extends Operation {
  readonly kind = 'RunSQL';
  /** A reverse that does nothing (the migration stays reversible). */
  static readonly noop = '';
  readonly sql: SqlStatements;
  readonly reverseSql: SqlStatements | undefined;
  readonly stateOperations: readonly Operation[];
  override readonly elidable: boolean;

  constructor(args: {
    sql: SqlStatements;
    reverseSql?: SqlStatements;
    stateOperations?: readonly Operation[];
    elidable?: boolean;
  }) {
    super();
    if (args?.sql === undefined)
      throw new TypeError("RunSQL needs its SQL: new RunSQL({ sql: 'UPDATE ...', reverseSql: '...' }).");
    this.sql = args.sql;
    this.reverseSql = args.reverseSql;
    this.stateOperations = args.stateOperations ?? [];
    this.elidable = args.elidable === true;
  }

  override get reversible(): boolean {
    return this.reverseSql !== undefined;
  }

  args(): Record<string, unknown> {
    return {
      sql: this.sql,
      ...(this.reverseSql !== undefined ? { reverseSql: this.reverseSql } : {}),
      ...(this.stateOperations.length > 0 ? { stateOperations: this.stateOperations } : {}),
      ...(this.elidable ? { elidable: true } : {}),
    };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    for (const operation of this.stateOperations) operation.stateForwards(appLabel, state);
  }

  async databaseForwards(_appLabel: string, editor: BaseSchemaEditor): Promise<void> {
    await runSql(editor, this.sql);
  }

  async databaseBackwards(_appLabel: string, editor: BaseSchemaEditor): Promise<void> {
    if (this.reverseSql === undefined) throw new TypeError('This RunSQL has no reverseSql: it cannot be unapplied.');
    await runSql(editor, this.reverseSql);
  }

  describe(): string {
    return 'Raw SQL operation';
  }
}

/** What RunCode runs: the historical models at that point, and the schema editor. */
export type RunCodeFunction = (apps: MigrationApps, schemaEditor: BaseSchemaEditor) => unknown;

/**
 * Runs a function (Django's RunPython): `code(apps, schemaEditor)` moves data with the models
 * as they were at that point of the history (`apps.getModel('blog', 'Post')`).
 */
export class RunCode extends Operation {
  readonly kind = 'RunCode';
  /** A reverse that does nothing (the migration stays reversible). */
  static readonly noop: RunCodeFunction = async () => {};
  readonly code: RunCodeFunction;
  readonly reverseCode: RunCodeFunction | undefined;
  override readonly reducesToSql = false;
  override readonly atomic: boolean;
  override readonly elidable: boolean;

  constructor(args: { code: RunCodeFunction; reverseCode?: RunCodeFunction; atomic?: boolean; elidable?: boolean }) {
    super();
    if (typeof args?.code !== 'function') {
      throw new TypeError(
        'RunCode needs a function: new RunCode({ code: async (apps, schemaEditor) => { ... }, reverseCode: RunCode.noop }).',
      );
    }
    if (args.reverseCode !== undefined && typeof args.reverseCode !== 'function') {
      throw new TypeError('RunCode reverseCode must be a function (RunCode.noop for nothing to undo).');
    }
    this.code = args.code;
    this.reverseCode = args.reverseCode;
    this.atomic = args.atomic !== false;
    this.elidable = args.elidable === true;
  }

  override get reversible(): boolean {
    return this.reverseCode !== undefined;
  }

  args(): Record<string, unknown> {
    return {
      code: this.code,
      ...(this.reverseCode !== undefined ? { reverseCode: this.reverseCode } : {}),
      ...(this.atomic ? {} : { atomic: false }),
      ...(this.elidable ? { elidable: true } : {}),
    };
  }

  stateForwards(): void {}

  async databaseForwards(_appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    if (editor.collectSql) return;
    await this.code(from.apps, editor);
  }

  async databaseBackwards(_appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    if (this.reverseCode === undefined) throw new TypeError('This RunCode has no reverseCode: it cannot be unapplied.');
    if (editor.collectSql) return;
    await this.reverseCode(from.apps, editor);
  }

  describe(): string {
    return 'Raw code operation';
  }
}

/** Database operations and state operations apart: what the database sees, and what the state records. */
export class SeparateDatabaseAndState extends Operation {
  readonly kind = 'SeparateDatabaseAndState';
  readonly databaseOperations: readonly Operation[];
  readonly stateOperations: readonly Operation[];

  constructor(args: { databaseOperations?: readonly Operation[]; stateOperations?: readonly Operation[] }) {
    super();
    this.databaseOperations = args?.databaseOperations ?? [];
    this.stateOperations = args?.stateOperations ?? [];
  }

  override get reversible(): boolean {
    return this.databaseOperations.every((o) => o.reversible);
  }

  args(): Record<string, unknown> {
    return { databaseOperations: this.databaseOperations, stateOperations: this.stateOperations };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    for (const operation of this.stateOperations) operation.stateForwards(appLabel, state);
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    let state = from;
    for (const operation of this.databaseOperations) {
      const next = state.clone();
      operation.stateForwards(appLabel, next);
      await operation.databaseForwards(appLabel, editor, state, next);
      state = next;
    }
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const steps: Array<[Operation, ProjectState, ProjectState]> = [];
    let state = to;
    for (const operation of this.databaseOperations) {
      const next = state.clone();
      operation.stateForwards(appLabel, next);
      steps.unshift([operation, state, next]);
      state = next;
    }
    for (const [operation, before, after] of steps) await operation.databaseBackwards(appLabel, editor, after, before);
  }

  describe(): string {
    return 'Custom state/database change combination';
  }
}

/** Runs an operation in its own transaction (a RunCode marked atomic inside a non-atomic migration). */
export function inTransaction<R>(using: string, fn: () => Promise<R>): Promise<R> {
  return atomic({ using }, fn);
}
