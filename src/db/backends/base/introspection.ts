/**
 * What the database says about its own tables, as Django's `BaseDatabaseIntrospection`: the
 * schema editor's tests read it, and migrations (issue 16) will compare against it.
 */
import type { BaseDatabaseWrapper } from './wrapper.ts';

/** One column of a table. */
export interface ColumnInfo {
  name: string;
  /** The declared type, lower-cased (`varchar(200)`, `integer`, `timestamp with time zone`). */
  type: string;
  nullable: boolean;
  /** The DEFAULT expression, if any. */
  default: string | null;
  primaryKey: boolean;
}

/** One constraint or index of a table. */
export interface ConstraintInfo {
  columns: string[];
  primaryKey: boolean;
  unique: boolean;
  /** `[table, column]` of a foreign key. */
  foreignKey: [string, string] | null;
  check: boolean;
  index: boolean;
}

export abstract class BaseIntrospection {
  readonly wrapper: BaseDatabaseWrapper;

  constructor(wrapper: BaseDatabaseWrapper) {
    this.wrapper = wrapper;
  }

  /** The tables (not views) of the database, sorted. */
  abstract tableNames(): Promise<string[]>;

  /** The columns of a table, in order. */
  abstract getTableDescription(table: string): Promise<ColumnInfo[]>;

  /** The constraints and indexes of a table, by name. */
  abstract getConstraints(table: string): Promise<Record<string, ConstraintInfo>>;
}
