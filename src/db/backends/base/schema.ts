/**
 * The schema editor, as Django's `BaseDatabaseSchemaEditor`: the DDL of models, per backend —
 * tables with their columns, primary key, foreign keys (DEFERRABLE INITIALLY DEFERRED, as
 * Django makes them), unique and check constraints, indexes, and the through tables of
 * many-to-many fields. Names of indexes and constraints follow Django's scheme (table, columns,
 * an md5 digest), so the schema matches one Django would make. Migrations (issue 16) build on
 * it; tests use it to create their tables.
 *
 * @example
 * await withSchemaEditor(async (editor) => {
 *   await editor.createModel(Author);
 *   await editor.createModel(Post);
 * });
 */
import { createHash } from 'node:crypto';
import type { AnyField } from '../../models/fields/base.ts';
import type { Index } from '../../models/indexes.ts';
import type { Constraint } from '../../models/constraints.ts';
import { getMeta, type Options, type RelationField } from '../../models/options.ts';
import { runStatement } from '../../transaction.ts';
import type { BaseDatabaseWrapper } from './wrapper.ts';

/** A model class or its metadata. */
export type ModelRef = Options | (abstract new (...args: never[]) => object);

function metaOf(model: ModelRef): Options {
  return typeof model === 'function' ? getMeta(model) : model;
}

/** Django's `names_digest`: the first `length` hex digits of the md5 of the names. */
export function namesDigest(names: readonly string[], length: number): string {
  const hash = createHash('md5');
  for (const name of names) hash.update(name);
  return hash.digest('hex').slice(0, length);
}

/** Fills `%(max_length)s`-style placeholders. */
function interpolate(template: string, values: Record<string, unknown>): string {
  return template.replace(/%\((\w+)\)s/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The column type of a field on a database (its own type, or its target's for a ForeignKey). */
export function columnType(wrapper: BaseDatabaseWrapper, field: AnyField): string | undefined {
  const editor = wrapper.schemaEditor();
  return editor.dbType(field);
}

export abstract class BaseSchemaEditor {
  readonly wrapper: BaseDatabaseWrapper;
  /** Column types by internal type. */
  abstract readonly dataTypes: Readonly<Record<string, string>>;
  /** CHECK constraints some types bring (`"%(column)s" >= 0`). */
  abstract readonly dataTypeChecks: Readonly<Record<string, string>>;
  /** The longest identifier the database keeps. */
  abstract readonly maxNameLength: number;
  /** Statements run at the end (foreign keys and indexes, once every table exists). */
  readonly deferred: string[] = [];
  /** Every statement run, in order (what sqlmigrate will show). */
  readonly executed: string[] = [];

  constructor(wrapper: BaseDatabaseWrapper) {
    this.wrapper = wrapper;
  }

  q(name: string): string {
    return this.wrapper.ops.quoteName(name);
  }

  /** Runs one statement in the current async context (inside the caller's transaction, if any). */
  async execute(sql: string): Promise<void> {
    this.executed.push(sql);
    await runStatement(this.wrapper, sql, [], { write: true });
  }

  /** Runs the deferred statements (call once the tables exist). */
  async flush(): Promise<void> {
    while (this.deferred.length > 0) await this.execute(this.deferred.shift()!);
  }

  /** The column type of a field (undefined: no column). */
  dbType(field: AnyField): string | undefined {
    if (!field.concrete) return undefined;
    if (field.isRelation) {
      const target = (field as unknown as { targetField(): AnyField }).targetField();
      return this.relType(target);
    }
    const template = this.dataTypes[field.internalType];
    return template === undefined ? undefined : interpolate(template, field.dbParameters());
  }

  /** The type of a column pointing at `target` (an AutoField's is integer, not serial). */
  relType(target: AnyField): string | undefined {
    if (target.internalType === 'AutoField') return this.dataTypes.IntegerField;
    if (target.internalType === 'BigAutoField') return this.dataTypes.BigIntegerField;
    if (target.internalType === 'SmallAutoField') return this.dataTypes.SmallIntegerField;
    return this.dbType(target);
  }

  /** Django's `_create_index_name`: `<table>_<columns>_<digest><suffix>`, shortened to fit. */
  indexName(table: string, columns: readonly string[], suffix = ''): string {
    const hashSuffix = `${namesDigest([table, ...columns], 8)}${suffix}`;
    let name = `${table}_${columns.join('_')}_${hashSuffix}`;
    if (name.length > this.maxNameLength) {
      const other = Math.floor((this.maxNameLength - hashSuffix.length) / 2) - 1;
      name = `${table.slice(0, other)}_${columns.join('_').slice(0, other)}_${hashSuffix}`;
    }
    if (name.startsWith('_') || /^\d/.test(name)) name = `D${name.slice(0, this.maxNameLength - 1)}`;
    return name;
  }

  /** The definition of one column: type, NULL, PRIMARY KEY, UNIQUE, CHECK, REFERENCES (inline ones). */
  columnSql(meta: Options, field: AnyField): string | undefined {
    const type = this.dbType(field);
    if (type === undefined) return undefined;
    let sql = `${this.q(field.column)} ${type}`;
    sql += field.null ? ' NULL' : ' NOT NULL';
    if (field.primaryKey) sql += ' PRIMARY KEY';
    else if (field.unique) sql += ' UNIQUE';
    const suffix = this.typeSuffix(field);
    if (suffix !== '') sql += ` ${suffix}`;
    const check = this.dataTypeChecks[field.internalType];
    if (check !== undefined) sql += ` CHECK (${interpolate(check, { column: field.column })})`;
    const reference = field.isRelation ? this.inlineReference(meta, field) : undefined;
    if (reference !== undefined) sql += ` ${reference}`;
    return sql;
  }

  /** After the column's type and constraints: SQLite's AUTOINCREMENT. */
  protected typeSuffix(_field: AnyField): string {
    return '';
  }

  /** A REFERENCES clause in the column (SQLite), or undefined to add the foreign key apart (PostgreSQL). */
  protected abstract inlineReference(meta: Options, field: AnyField): string | undefined;

  /** The statement adding a foreign key apart (PostgreSQL), or undefined. */
  protected abstract foreignKeySql(meta: Options, field: AnyField): string | undefined;

  /** The statements of an index. */
  indexSql(meta: Options, index: Index): string {
    const columns = index.fields.map((name) => {
      const descending = name.startsWith('-');
      const field = meta.getField(descending ? name.slice(1) : name);
      return `${this.q(field.column)}${descending ? ' DESC' : ''}`;
    });
    const name =
      index.name ??
      this.indexName(
        meta.dbTable,
        index.fields.map((n) => meta.getField(n.replace(/^-/, '')).column),
        '_idx',
      );
    return `CREATE INDEX ${this.q(name)} ON ${this.q(meta.dbTable)} (${columns.join(', ')})${index.condition ? ` WHERE ${index.condition}` : ''}`;
  }

  /** A constraint inside CREATE TABLE, or undefined when it needs its own statement. */
  constraintSql(meta: Options, constraint: Constraint): string | undefined {
    if ('check' in constraint) return `CONSTRAINT ${this.q(constraint.name)} CHECK (${constraint.check})`;
    if (constraint.condition !== undefined) return undefined;
    return `CONSTRAINT ${this.q(constraint.name)} UNIQUE (${constraint.fields.map((n) => this.q(meta.getField(n).column)).join(', ')})`;
  }

  /** A constraint as its own statement (a partial unique index). */
  createConstraintSql(meta: Options, constraint: Constraint): string {
    if ('check' in constraint || constraint.condition === undefined) {
      return `ALTER TABLE ${this.q(meta.dbTable)} ADD ${this.constraintSql(meta, constraint)}`;
    }
    const columns = constraint.fields.map((n) => this.q(meta.getField(n).column)).join(', ');
    return `CREATE UNIQUE INDEX ${this.q(constraint.name)} ON ${this.q(meta.dbTable)} (${columns}) WHERE ${constraint.condition}`;
  }

  /** Statements creating the index of a `dbIndex` field (besides unique ones, which have their own). */
  protected fieldIndexSql(meta: Options, field: AnyField): string[] {
    if (!field.dbIndex || field.unique || field.primaryKey) return [];
    return [
      `CREATE INDEX ${this.q(this.indexName(meta.dbTable, [field.column]))} ON ${this.q(meta.dbTable)} (${this.q(field.column)})`,
    ];
  }

  /** `uniqueTogether` as a statement. */
  protected abstract uniqueTogetherSql(meta: Options, columns: readonly string[]): string;

  /** The statements creating a model's table (deferred ones go to `deferred`). */
  tableStatements(meta: Options): string[] {
    const definitions: string[] = [];
    for (const field of meta.concreteFields) {
      const column = this.columnSql(meta, field);
      if (column !== undefined) definitions.push(column);
      const fk = field.isRelation ? this.foreignKeySql(meta, field) : undefined;
      if (fk !== undefined) this.deferred.push(fk);
      this.deferred.push(...this.fieldIndexSql(meta, field));
    }
    for (const constraint of meta.constraints) {
      const inline = this.constraintSql(meta, constraint);
      if (inline !== undefined) definitions.push(inline);
      else this.deferred.push(this.createConstraintSql(meta, constraint));
    }
    for (const names of meta.uniqueTogether) {
      this.deferred.push(
        this.uniqueTogetherSql(
          meta,
          names.map((n) => meta.getField(n).column),
        ),
      );
    }
    for (const index of meta.indexes) this.deferred.push(this.indexSql(meta, index));
    return [`CREATE TABLE ${this.q(meta.dbTable)} (${definitions.join(', ')})`];
  }

  /** Creates a model's table (and its many-to-many tables). Foreign keys and indexes are deferred to flush(). */
  async createModel(model: ModelRef): Promise<void> {
    const meta = metaOf(model);
    for (const sql of this.tableStatements(meta)) await this.execute(sql);
    for (const field of meta.manyToMany) {
      const m2m = field as unknown as RelationField & { through(): Options; options: { through?: unknown } };
      if (m2m.options.through === undefined) await this.createModel(m2m.through());
    }
  }

  /** Drops a model's table (and its automatic many-to-many tables). */
  async deleteModel(model: ModelRef): Promise<void> {
    const meta = metaOf(model);
    for (const field of meta.manyToMany) {
      const m2m = field as unknown as { through(): Options; options: { through?: unknown } };
      if (m2m.options.through === undefined) await this.deleteModel(m2m.through());
    }
    await this.execute(this.dropTableSql(meta));
  }

  protected dropTableSql(meta: Options): string {
    return `DROP TABLE ${this.q(meta.dbTable)}`;
  }

  async addIndex(model: ModelRef, index: Index): Promise<void> {
    await this.execute(this.indexSql(metaOf(model), index));
  }

  async removeIndex(model: ModelRef, index: Index): Promise<void> {
    const meta = metaOf(model);
    const name =
      index.name ??
      this.indexName(
        meta.dbTable,
        index.fields.map((n) => meta.getField(n.replace(/^-/, '')).column),
        '_idx',
      );
    await this.execute(`DROP INDEX ${this.q(name)}`);
  }

  async addConstraint(model: ModelRef, constraint: Constraint): Promise<void> {
    await this.execute(this.createConstraintSql(metaOf(model), constraint));
  }

  abstract removeConstraint(model: ModelRef, constraint: Constraint): Promise<void>;
}
