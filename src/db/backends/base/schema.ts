/**
 * The schema editor, as Django's `BaseDatabaseSchemaEditor`: the DDL of models, per backend —
 * tables with their columns, primary key, foreign keys (DEFERRABLE INITIALLY DEFERRED, as
 * Django makes them), unique and check constraints, indexes, the through tables of many-to-many
 * fields — and the changes migrations make to them: columns added, removed and altered (type,
 * null, default, unique, index, relation, primary key), tables renamed, unique sets changed.
 * Names of indexes and constraints follow Django's scheme (table, columns, an md5 digest), so
 * the schema matches one Django would make.
 *
 * Methods take the model as it is *before* the change (Django's convention) and the field as it
 * will be. Statements that need every table to exist (foreign keys, indexes) are deferred to
 * `flush()`. With `collectSql`, nothing runs: the statements are only recorded (sqlmigrate).
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
import { getMeta, type Options, type RelatedObject, type RelationField } from '../../models/options.ts';
import { runStatement } from '../../transaction.ts';
import type { ConstraintInfo } from './introspection.ts';
import type { BaseDatabaseWrapper } from './wrapper.ts';

/** A model class or its metadata. */
export type ModelRef = Options | (abstract new (...args: never[]) => object);

export function metaOf(model: ModelRef): Options {
  return typeof model === 'function' ? getMeta(model) : model;
}

/** Django's `names_digest`: the first `length` hex digits of the md5 of the names. */
export function namesDigest(names: readonly string[], length: number): string {
  const hash = createHash('md5');
  for (const name of names) hash.update(name);
  return hash.digest('hex').slice(0, length);
}

/**
 * The name Django gives an unnamed `Index` (its `set_name_with_model`): 11 characters of the
 * table, 7 of the first column, a digest of the table and the columns with their order, `_idx`.
 */
export function defaultIndexName(meta: Options, fields: readonly string[]): string {
  const columns = fields.map((name) => {
    const descending = name.startsWith('-');
    return `${descending ? '-' : ''}${meta.getField(descending ? name.slice(1) : name).column}`;
  });
  const table = meta.dbTable;
  const first = columns[0]!.replace(/^-/, '');
  let name = `${table.slice(0, 11)}_${first.slice(0, 7)}_${namesDigest([table, ...columns, 'idx'], 6)}_idx`;
  if (name.startsWith('_') || /^\d/.test(name)) name = `D${name.slice(1)}`;
  return name;
}

/** Fills `%(max_length)s`-style placeholders. */
export function interpolate(template: string, values: Record<string, unknown>): string {
  return template.replace(/%\((\w+)\)s/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The column type of a field on a database (its own type, or its target's for a ForeignKey). */
export function columnType(wrapper: BaseDatabaseWrapper, field: AnyField): string | undefined {
  const editor = wrapper.schemaEditor();
  return editor.dbType(field);
}

/** A many-to-many field, as the schema editor sees it. */
export interface ManyToManyLike extends RelationField {
  through(): Options;
  throughFields(): [AnyField, AnyField];
}

export function isManyToMany(field: AnyField): field is ManyToManyLike {
  return (field as unknown as Partial<RelationField>).manyToMany === true;
}

/** A relation field with a column (ForeignKey, OneToOneField). */
export interface ForeignKeyLike extends RelationField {
  targetField(): AnyField;
  options: AnyField['options'] & { dbConstraint?: boolean };
}

export function isForeignKey(field: AnyField): field is ForeignKeyLike {
  return field.isRelation && field.concrete && !isManyToMany(field);
}

/** Whether a relation field has a FOREIGN KEY constraint in the database. */
export function hasDbConstraint(field: AnyField): boolean {
  return isForeignKey(field) && field.options.dbConstraint !== false;
}

/** A statement run by flush(), with the table and columns it names (dropped with them). */
export interface DeferredStatement {
  sql: string;
  table: string;
  columns: readonly string[];
}

/** What to look for among a table's constraints (Django's `_constraint_names`). */
export interface ConstraintFilter {
  unique?: boolean;
  primaryKey?: boolean;
  foreignKey?: boolean;
  check?: boolean;
  index?: boolean;
  /** Names to leave out (the model's own named indexes and constraints). */
  exclude?: ReadonlySet<string>;
  /** The name tsgi gives it, returned when statements are collected rather than run. */
  expected?: string;
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
  deferred: DeferredStatement[] = [];
  /** Every statement run (or, collecting, recorded), in order: what sqlmigrate shows. */
  readonly executed: string[] = [];
  /** Record the statements without running them (sqlmigrate). */
  collectSql = false;

  constructor(wrapper: BaseDatabaseWrapper) {
    this.wrapper = wrapper;
  }

  q(name: string): string {
    return this.wrapper.ops.quoteName(name);
  }

  /** A value written into SQL as a literal: DDL takes no parameters (a column's DEFAULT). */
  abstract quoteValue(value: unknown): string;

  /**
   * Runs one statement in the current async context (inside the caller's transaction, if any).
   * Parameters are for the statements that take them (UPDATE), never DDL.
   */
  async execute(sql: string, params: readonly unknown[] = []): Promise<void> {
    this.executed.push(params.length === 0 ? sql : `${sql}; -- params: ${JSON.stringify(params)}`);
    if (this.collectSql) return;
    await runStatement(this.wrapper, sql, params, { write: true });
  }

  protected defer(sql: string, table: string, columns: readonly string[] = []): void {
    this.deferred.push({ sql, table, columns });
  }

  /** Runs the deferred statements (call once the tables exist). */
  async flush(): Promise<void> {
    while (this.deferred.length > 0) await this.execute(this.deferred.shift()!.sql);
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

  /** The CHECK a field's type brings (positive integers, SQLite's JSON), or undefined. */
  checkSql(field: AnyField): string | undefined {
    if (!field.concrete || field.isRelation) return undefined;
    const check = this.dataTypeChecks[field.internalType];
    return check === undefined ? undefined : interpolate(check, { column: field.column });
  }

  /** Django's `_create_index_name`: `<table>_<columns>_<digest><suffix>`, shortened to fit. */
  indexName(table: string, columns: readonly string[], suffix = ''): string {
    let hashSuffix = `${namesDigest([table, ...columns], 8)}${suffix}`;
    let name = `${table}_${columns.join('_')}_${hashSuffix}`;
    if (name.length > this.maxNameLength) {
      if (hashSuffix.length > this.maxNameLength / 3)
        hashSuffix = hashSuffix.slice(0, Math.floor(this.maxNameLength / 3));
      const other = Math.floor((this.maxNameLength - hashSuffix.length) / 2) - 1;
      name = `${table.slice(0, other)}_${columns.join('_').slice(0, other)}_${hashSuffix}`;
    }
    if (name.startsWith('_') || /^\d/.test(name)) name = `D${name.slice(0, this.maxNameLength - 1)}`;
    return name;
  }

  /**
   * The value existing rows get when a column is added or made NOT NULL (Django's
   * `effective_default`), as bound for this database; null when there is none.
   */
  effectiveDefault(field: AnyField): unknown {
    let value: unknown;
    const options = field.options as { autoNow?: boolean; autoNowAdd?: boolean };
    if (field.hasDefault()) value = field.getDefault();
    else if (!field.null && field.blank && field.emptyStringsAllowed) value = '';
    else if (options.autoNow || options.autoNowAdd) value = field.preSave({}, true);
    else return null;
    if (value === null || value === undefined) return null;
    return field.getDbPrepValue(value, this.wrapper);
  }

  /**
   * The definition of one column: type, DEFAULT (with `includeDefault`), NULL, PRIMARY KEY,
   * UNIQUE, CHECK, REFERENCES (inline ones).
   */
  columnSql(meta: Options, field: AnyField, options: { includeDefault?: boolean } = {}): string | undefined {
    const type = this.dbType(field);
    if (type === undefined) return undefined;
    let sql = `${this.q(field.column)} ${type}`;
    if (options.includeDefault) {
      const value = this.effectiveDefault(field);
      if (value !== null) sql += ` DEFAULT ${this.quoteValue(value)}`;
    }
    sql += field.null ? ' NULL' : ' NOT NULL';
    if (field.primaryKey) sql += ' PRIMARY KEY';
    else if (field.unique) sql += ' UNIQUE';
    const suffix = this.typeSuffix(field);
    if (suffix !== '') sql += ` ${suffix}`;
    const check = this.checkSql(field);
    if (check !== undefined) sql += ` CHECK (${check})`;
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
  protected abstract foreignKeySql(meta: Options, field: AnyField, suffix?: string): string | undefined;

  /** The name of an index: its own, or the one Django gives an unnamed index. */
  indexNameOf(meta: Options, index: Index): string {
    return index.name ?? defaultIndexName(meta, index.fields);
  }

  /** The statements of an index. */
  indexSql(meta: Options, index: Index): string {
    const columns = index.fields.map((name) => {
      const descending = name.startsWith('-');
      const field = meta.getField(descending ? name.slice(1) : name);
      return `${this.q(field.column)}${descending ? ' DESC' : ''}`;
    });
    return `CREATE INDEX ${this.q(this.indexNameOf(meta, index))} ON ${this.q(meta.dbTable)} (${columns.join(', ')})${index.condition ? ` WHERE ${index.condition}` : ''}`;
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
    return [this.createIndexSql(meta, field.column, this.indexName(meta.dbTable, [field.column]))];
  }

  protected createIndexSql(meta: Options, column: string, name: string, opclass = ''): string {
    return `CREATE INDEX ${this.q(name)} ON ${this.q(meta.dbTable)} (${this.q(column)}${opclass === '' ? '' : ` ${opclass}`})`;
  }

  /** `uniqueTogether` as a statement. */
  protected abstract uniqueTogetherSql(meta: Options, columns: readonly string[]): string;

  /** The statements creating a model's table (deferred ones go to `deferred`), under `table` (its own by default). */
  tableStatements(meta: Options, table: string = meta.dbTable): string[] {
    const definitions: string[] = [];
    for (const field of meta.concreteFields) {
      const column = this.columnSql(meta, field);
      if (column !== undefined) definitions.push(column);
      const fk = field.isRelation ? this.foreignKeySql(meta, field) : undefined;
      if (fk !== undefined) this.defer(fk, meta.dbTable, [field.column]);
      for (const sql of this.fieldIndexSql(meta, field)) this.defer(sql, meta.dbTable, [field.column]);
    }
    for (const constraint of meta.constraints) {
      const inline = this.constraintSql(meta, constraint);
      if (inline !== undefined) definitions.push(inline);
      else this.defer(this.createConstraintSql(meta, constraint), meta.dbTable, this.#columnsOf(meta, constraint));
    }
    for (const names of meta.uniqueTogether) {
      const columns = names.map((n) => meta.getField(n).column);
      this.defer(this.uniqueTogetherSql(meta, columns), meta.dbTable, columns);
    }
    for (const index of meta.indexes) {
      this.defer(
        this.indexSql(meta, index),
        meta.dbTable,
        index.fields.map((n) => meta.getField(n.replace(/^-/, '')).column),
      );
    }
    return [`CREATE TABLE ${this.q(table)} (${definitions.join(', ')})`];
  }

  #columnsOf(meta: Options, constraint: Constraint): string[] {
    return 'fields' in constraint ? constraint.fields.map((n) => meta.getField(n).column) : [];
  }

  /** Creates a model's table (and its many-to-many tables). Foreign keys and indexes are deferred to flush(). */
  async createModel(model: ModelRef): Promise<void> {
    const meta = metaOf(model);
    for (const sql of this.tableStatements(meta)) await this.execute(sql);
    for (const field of meta.manyToMany) {
      const m2m = field as unknown as ManyToManyLike;
      if (m2m.through().autoCreated) await this.createModel(m2m.through());
    }
  }

  /** Drops a model's table (and its automatic many-to-many tables). */
  async deleteModel(model: ModelRef): Promise<void> {
    const meta = metaOf(model);
    for (const field of meta.manyToMany) {
      const m2m = field as unknown as ManyToManyLike;
      if (m2m.through().autoCreated) await this.deleteModel(m2m.through());
    }
    await this.execute(this.dropTableSql(meta));
    this.deferred = this.deferred.filter((d) => d.table !== meta.dbTable);
  }

  protected dropTableSql(meta: Options): string {
    return `DROP TABLE ${this.q(meta.dbTable)}`;
  }

  async addIndex(model: ModelRef, index: Index): Promise<void> {
    await this.execute(this.indexSql(metaOf(model), index));
  }

  async removeIndex(model: ModelRef, index: Index): Promise<void> {
    await this.execute(this.dropIndexSql(this.indexNameOf(metaOf(model), index)));
  }

  protected dropIndexSql(name: string): string {
    return `DROP INDEX ${this.q(name)}`;
  }

  async addConstraint(model: ModelRef, constraint: Constraint): Promise<void> {
    await this.execute(this.createConstraintSql(metaOf(model), constraint));
  }

  abstract removeConstraint(model: ModelRef, constraint: Constraint): Promise<void>;

  // Changes to existing tables, for migrations.

  /**
   * The names of a table's constraints on exactly these columns matching the filter, as the
   * database reports them (Django's `_constraint_names`). Collecting SQL, the name tsgi would
   * have given it (`filter.expected`) stands in.
   */
  async constraintNames(
    meta: Options,
    columns: readonly string[] | undefined,
    filter: ConstraintFilter,
  ): Promise<string[]> {
    if (this.collectSql) return filter.expected === undefined ? [] : [filter.expected];
    const found = await this.wrapper.introspection.getConstraints(meta.dbTable);
    const names: string[] = [];
    for (const [name, info] of Object.entries(found)) {
      if (columns !== undefined && !sameColumns(info, columns)) continue;
      if (filter.unique !== undefined && info.unique !== filter.unique) continue;
      if (filter.primaryKey !== undefined && info.primaryKey !== filter.primaryKey) continue;
      if (filter.foreignKey !== undefined && (info.foreignKey !== null) !== filter.foreignKey) continue;
      if (filter.check !== undefined && info.check !== filter.check) continue;
      if (filter.index !== undefined && info.index !== filter.index) continue;
      if (filter.exclude?.has(name)) continue;
      names.push(name);
    }
    return names;
  }

  /** The statements dropping a foreign key constraint. */
  protected dropForeignKeySql(meta: Options, name: string): string[] {
    return [`ALTER TABLE ${this.q(meta.dbTable)} DROP CONSTRAINT ${this.q(name)}`];
  }

  /** The statement dropping a unique constraint (a unique index on SQLite). */
  protected dropUniqueSql(meta: Options, name: string): string {
    return `ALTER TABLE ${this.q(meta.dbTable)} DROP CONSTRAINT ${this.q(name)}`;
  }

  /**
   * Adds a field's column (or its many-to-many table). Existing rows get the field's default,
   * which the column keeps only while it is added (Django keeps defaults out of the database).
   */
  async addField(model: ModelRef, field: AnyField): Promise<void> {
    const meta = metaOf(model);
    if (isManyToMany(field)) {
      if (field.through().autoCreated) await this.createModel(field.through());
      return;
    }
    const definition = this.columnSql(meta, field, { includeDefault: true });
    if (definition === undefined) return;
    await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} ADD COLUMN ${definition}`);
    if (this.effectiveDefault(field) !== null) {
      await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} ALTER COLUMN ${this.q(field.column)} DROP DEFAULT`);
    }
    if (hasDbConstraint(field)) {
      const fk = this.foreignKeySql(meta, field);
      if (fk !== undefined) this.defer(fk, meta.dbTable, [field.column]);
    }
    for (const sql of this.fieldIndexSql(meta, field)) this.defer(sql, meta.dbTable, [field.column]);
  }

  /** Drops a field's column (or its automatic many-to-many table). */
  async removeField(model: ModelRef, field: AnyField): Promise<void> {
    const meta = metaOf(model);
    if (isManyToMany(field)) {
      if (field.through().autoCreated) await this.deleteModel(field.through());
      return;
    }
    if (this.dbType(field) === undefined) return;
    if (hasDbConstraint(field)) {
      for (const name of await this.constraintNames(meta, [field.column], { foreignKey: true })) {
        for (const sql of this.dropForeignKeySql(meta, name)) await this.execute(sql);
      }
    }
    await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} DROP COLUMN ${this.q(field.column)} CASCADE`);
    this.deferred = this.deferred.filter((d) => !(d.table === meta.dbTable && d.columns.includes(field.column)));
  }

  /** What of a field the database sees: two fields with the same signature need no change. */
  dbSignature(field: AnyField): string {
    const fk = isForeignKey(field) ? field : undefined;
    return JSON.stringify([
      field.column,
      this.dbType(field) ?? null,
      field.null,
      field.primaryKey,
      field.unique,
      field.dbIndex,
      this.checkSql(field) ?? null,
      fk !== undefined ? [fk.remote().dbTable, fk.targetField().column, hasDbConstraint(field)] : null,
      isManyToMany(field) ? [field.through().dbTable, field.through().autoCreated, field.remote().dbTable] : null,
      this.typeSuffix(field),
    ]);
  }

  /** Whether altering `oldField` into `newField` changes anything in the database. */
  fieldShouldBeAltered(oldField: AnyField, newField: AnyField): boolean {
    if (this.dbSignature(oldField) !== this.dbSignature(newField)) return true;
    // A default matters when the column becomes NOT NULL (not the case here: null is unchanged).
    return false;
  }

  /** Changes a field's column: name, type, null, default, unique, index, relation, primary key. */
  async alterField(model: ModelRef, oldField: AnyField, newField: AnyField): Promise<void> {
    const meta = metaOf(model);
    if (!this.fieldShouldBeAltered(oldField, newField)) return;
    const oldType = this.dbType(oldField);
    const newType = this.dbType(newField);
    if (oldType === undefined && newType === undefined && isManyToMany(oldField) && isManyToMany(newField)) {
      const oldAuto = oldField.through().autoCreated;
      const newAuto = newField.through().autoCreated;
      if (oldAuto && newAuto) return this.alterManyToMany(meta, oldField, newField);
      if (!oldAuto && !newAuto) return;
    }
    if (oldType === undefined || newType === undefined) {
      throw new TypeError(
        `Cannot alter the field ${oldField} into ${newField}: they are not compatible types (a field cannot become or stop being a ManyToManyField, nor gain or lose a through model). Remove the field and add a new one.`,
      );
    }
    await this.alterColumn(meta, oldField, newField, oldType, newType);
  }

  /** A physical (non many-to-many) field change, as Django's `_alter_field`. */
  protected async alterColumn(
    meta: Options,
    oldField: AnyField,
    newField: AnyField,
    oldType: string,
    newType: string,
  ): Promise<void> {
    const table = this.q(meta.dbTable);
    const constraintNames = new Set(meta.constraints.map((c) => c.name));
    const indexNames = new Set(meta.indexes.map((i) => this.indexNameOf(meta, i)));
    // Foreign keys go first; they are made again at the end.
    let fksDropped = false;
    if (hasDbConstraint(oldField)) {
      const expected = this.foreignKeyName(meta, oldField);
      for (const name of await this.constraintNames(meta, [oldField.column], { foreignKey: true, expected })) {
        fksDropped = true;
        for (const sql of this.dropForeignKeySql(meta, name)) await this.execute(sql);
      }
    }
    if (oldField.unique && (!newField.unique || (!oldField.primaryKey && newField.primaryKey))) {
      const names = await this.constraintNames(meta, [oldField.column], {
        unique: true,
        primaryKey: false,
        exclude: constraintNames,
        expected: this.inlineUniqueName(meta, oldField),
      });
      for (const name of names) await this.execute(this.dropUniqueSql(meta, name));
    }
    // Relations pointing at a key whose type changes lose their constraint while it does.
    const dropIncoming =
      ((oldField.primaryKey && newField.primaryKey) || (oldField.unique && newField.unique)) && oldType !== newType;
    const incoming = dropIncoming ? this.incomingRelations(meta, oldField) : [];
    for (const related of incoming) {
      const relatedMeta = related.relatedModel;
      const column = related.field.column;
      for (const name of await this.constraintNames(relatedMeta, [column], { foreignKey: true })) {
        for (const sql of this.dropForeignKeySql(relatedMeta, name)) await this.execute(sql);
      }
    }
    if (oldField.dbIndex && !oldField.unique && (!newField.dbIndex || newField.unique)) {
      const names = await this.constraintNames(meta, [oldField.column], {
        index: true,
        unique: false,
        exclude: indexNames,
        expected: this.indexName(meta.dbTable, [oldField.column]),
      });
      for (const name of names) await this.execute(this.dropIndexSql(name));
    }
    const oldCheck = this.checkSql(oldField);
    const newCheck = this.checkSql(newField);
    if (oldCheck !== newCheck && oldCheck !== undefined) {
      const names = await this.constraintNames(meta, [oldField.column], {
        check: true,
        exclude: constraintNames,
        expected: `${meta.dbTable}_${oldField.column}_check`,
      });
      for (const name of names) await this.execute(`ALTER TABLE ${table} DROP CONSTRAINT ${this.q(name)}`);
    }
    if (oldField.column !== newField.column) {
      await this.execute(`ALTER TABLE ${table} RENAME COLUMN ${this.q(oldField.column)} TO ${this.q(newField.column)}`);
      this.#renameDeferredColumn(meta.dbTable, oldField.column, newField.column);
    }
    const actions: string[] = [];
    const postActions: string[] = [];
    const nullActions: string[] = [];
    if (oldType !== newType) {
      const [fragment, post] = this.alterColumnTypeSql(meta, oldField, newField, newType);
      actions.push(fragment);
      postActions.push(...post);
    }
    const newDefault = this.effectiveDefault(newField);
    let needsDatabaseDefault = false;
    if (
      oldField.null &&
      !newField.null &&
      newDefault !== null &&
      !sameValue(this.effectiveDefault(oldField), newDefault)
    ) {
      needsDatabaseDefault = true;
      actions.push(`ALTER COLUMN ${this.q(newField.column)} SET DEFAULT ${this.quoteValue(newDefault)}`);
    }
    if (oldField.null !== newField.null) {
      nullActions.push(`ALTER COLUMN ${this.q(newField.column)} ${newField.null ? 'DROP NOT NULL' : 'SET NOT NULL'}`);
    }
    // NULL to NOT NULL with a default: add the default, fill the NULLs, forbid them, drop the default.
    const fourWay = newField.hasDefault() && oldField.null && !newField.null;
    const combined = fourWay ? actions : [...actions, ...nullActions];
    if (combined.length > 0) await this.execute(`ALTER TABLE ${table} ${combined.join(', ')}`);
    if (fourWay && nullActions.length > 0) {
      await this.execute(
        `UPDATE ${table} SET ${this.q(newField.column)} = ${this.quoteValue(newDefault)} WHERE ${this.q(newField.column)} IS NULL`,
      );
      await this.execute(`ALTER TABLE ${table} ${nullActions.join(', ')}`);
    }
    for (const sql of postActions) await this.execute(sql);
    if (oldField.primaryKey && !newField.primaryKey) {
      const names = await this.constraintNames(meta, undefined, { primaryKey: true, expected: `${meta.dbTable}_pkey` });
      for (const name of names) await this.execute(`ALTER TABLE ${table} DROP CONSTRAINT ${this.q(name)}`);
    }
    if ((!oldField.unique && newField.unique) || (oldField.primaryKey && !newField.primaryKey && newField.unique)) {
      const name = this.indexName(meta.dbTable, [newField.column], '_uniq');
      await this.execute(`ALTER TABLE ${table} ADD CONSTRAINT ${this.q(name)} UNIQUE (${this.q(newField.column)})`);
    }
    if ((!oldField.dbIndex || oldField.unique) && newField.dbIndex && !newField.unique) {
      await this.execute(this.createIndexSql(meta, newField.column, this.indexName(meta.dbTable, [newField.column])));
    }
    const becamePrimaryKey = !oldField.primaryKey && newField.primaryKey;
    const toUpdate = [...incoming];
    if (becamePrimaryKey) {
      const name = this.indexName(meta.dbTable, [newField.column], '_pk');
      await this.execute(
        `ALTER TABLE ${table} ADD CONSTRAINT ${this.q(name)} PRIMARY KEY (${this.q(newField.column)})`,
      );
      toUpdate.push(...this.incomingRelations(meta, oldField));
    }
    for (const related of toUpdate) {
      const relatedMeta = related.relatedModel;
      const relatedType = this.relType(newField);
      if (relatedType === undefined) continue;
      const [fragment, post] = this.alterColumnTypeSql(
        relatedMeta,
        related.field,
        related.field,
        relatedType,
        newField,
      );
      await this.execute(`ALTER TABLE ${this.q(relatedMeta.dbTable)} ${fragment}`);
      for (const sql of post) await this.execute(sql);
    }
    if (hasDbConstraint(newField) && (fksDropped || !hasDbConstraint(oldField))) {
      const fk = this.foreignKeySql(meta, newField);
      if (fk !== undefined) await this.execute(fk);
    }
    if (dropIncoming) {
      for (const related of incoming) {
        if (!hasDbConstraint(related.field)) continue;
        const fk = this.foreignKeySql(related.relatedModel, related.field, '_fk');
        if (fk !== undefined) await this.execute(fk);
      }
    }
    if (oldCheck !== newCheck && newCheck !== undefined) {
      const name = this.indexName(meta.dbTable, [newField.column], '_check');
      await this.execute(`ALTER TABLE ${table} ADD CONSTRAINT ${this.q(name)} CHECK (${newCheck})`);
    }
    if (needsDatabaseDefault) {
      await this.execute(`ALTER TABLE ${table} ALTER COLUMN ${this.q(newField.column)} DROP DEFAULT`);
    }
  }

  /** The ALTER COLUMN fragment changing a column's type, and statements to run after it. */
  protected alterColumnTypeSql(
    _meta: Options,
    _oldField: AnyField,
    newField: AnyField,
    newType: string,
    _target?: AnyField,
  ): [fragment: string, post: string[]] {
    return [`ALTER COLUMN ${this.q(newField.column)} TYPE ${newType}`, []];
  }

  /** The name Django gives a foreign key constraint. */
  foreignKeyName(meta: Options, field: AnyField, suffix?: string): string {
    const fk = field as ForeignKeyLike;
    return this.indexName(
      meta.dbTable,
      [field.column],
      suffix ?? `_fk_${fk.remote().dbTable}_${fk.targetField().column}`,
    );
  }

  /** The name the database gives a column's inline UNIQUE (PostgreSQL's `<table>_<column>_key`). */
  protected inlineUniqueName(meta: Options, field: AnyField): string {
    return `${meta.dbTable}_${field.column}_key`;
  }

  /** The relations of other models (not many-to-many) that reference this field. */
  protected incomingRelations(meta: Options, field: AnyField): RelatedObject[] {
    return meta.relatedObjects.filter((related) => {
      if (related.manyToMany || !isForeignKey(related.field)) return false;
      return related.field.targetField().name === field.name;
    });
  }

  /** Points a many-to-many field's through table at a new target, or renames it (Django's `_alter_many_to_many`). */
  protected async alterManyToMany(meta: Options, oldField: ManyToManyLike, newField: ManyToManyLike): Promise<void> {
    const oldThrough = oldField.through();
    const newThrough = newField.through();
    if (oldThrough.dbTable !== newThrough.dbTable)
      await this.alterDbTable(oldThrough, oldThrough.dbTable, newThrough.dbTable);
    const [oldSource, oldTarget] = oldField.throughFields();
    const [newSource, newTarget] = newField.throughFields();
    await this.alterField(newThrough, oldTarget, newTarget);
    await this.alterField(newThrough, oldSource, newSource);
    void meta;
  }

  /** Renames a model's table. */
  async alterDbTable(_model: ModelRef, oldTable: string, newTable: string): Promise<void> {
    if (oldTable === newTable) return;
    await this.execute(`ALTER TABLE ${this.q(oldTable)} RENAME TO ${this.q(newTable)}`);
    for (const statement of this.deferred) {
      if (statement.table !== oldTable) continue;
      statement.table = newTable;
      statement.sql = statement.sql.split(this.q(oldTable)).join(this.q(newTable));
    }
  }

  #renameDeferredColumn(table: string, oldColumn: string, newColumn: string): void {
    for (const statement of this.deferred) {
      if (statement.table !== table || !statement.columns.includes(oldColumn)) continue;
      statement.columns = statement.columns.map((c) => (c === oldColumn ? newColumn : c));
      statement.sql = statement.sql.split(this.q(oldColumn)).join(this.q(newColumn));
    }
  }

  /** Changes the sets of fields unique together: drops the sets gone, adds the new ones. */
  async alterUniqueTogether(
    model: ModelRef,
    oldSets: ReadonlyArray<readonly string[]>,
    newSets: ReadonlyArray<readonly string[]>,
  ): Promise<void> {
    const meta = metaOf(model);
    const key = (names: readonly string[]) => JSON.stringify(names);
    const olds = new Set(oldSets.map(key));
    const news = new Set(newSets.map(key));
    const exclude = new Set([
      ...meta.constraints.map((c) => c.name),
      ...meta.indexes.map((i) => this.indexNameOf(meta, i)),
    ]);
    for (const names of oldSets) {
      if (news.has(key(names))) continue;
      const columns = names.map((n) => meta.getField(n).column);
      const found = await this.constraintNames(meta, columns, {
        unique: true,
        primaryKey: false,
        exclude,
        expected: this.indexName(meta.dbTable, columns, '_uniq'),
      });
      if (found.length !== 1) {
        throw new Error(
          `Found ${found.length} unique constraints on ${meta.dbTable}(${columns.join(', ')}) where one was expected: the database does not match the migrations.`,
        );
      }
      await this.execute(this.dropUniqueSql(meta, found[0]!));
    }
    for (const names of newSets) {
      if (olds.has(key(names))) continue;
      await this.execute(
        this.uniqueTogetherSql(
          meta,
          names.map((n) => meta.getField(n).column),
        ),
      );
    }
  }
}

function sameColumns(info: ConstraintInfo, columns: readonly string[]): boolean {
  return info.columns.length === columns.length && info.columns.every((c, i) => c === columns[i]);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
