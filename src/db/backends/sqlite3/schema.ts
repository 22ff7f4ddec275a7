/**
 * SQLite's DDL, as Django's `django.db.backends.sqlite3.schema`. ALTER TABLE on SQLite can add
 * a nullable column, rename a column or a table, and little else: every other change rebuilds
 * the table the way SQLite's documentation prescribes (a new table with the new definition, the
 * rows copied into it, the old one dropped, the new one renamed, its indexes made again). The
 * foreign keys of other tables are not checked meanwhile (migrations turn the checks off around
 * their transaction, as Django does) and are checked once before the transaction commits.
 */
import { NotSupportedError } from '../../errors.ts';
import type { AnyField } from '../../models/fields/base.ts';
import type { Constraint } from '../../models/constraints.ts';
import type { Index } from '../../models/indexes.ts';
import { detachedModel, type MetaOptions, type Options } from '../../models/options.ts';
import { runStatement } from '../../transaction.ts';
import {
  BaseSchemaEditor,
  hasDbConstraint,
  isForeignKey,
  isManyToMany,
  metaOf,
  type ManyToManyLike,
  type ModelRef,
} from '../base/schema.ts';

/** What a table rebuild changes (at most one field, as one operation does). */
export interface RemakeChanges {
  createField?: AnyField;
  deleteField?: AnyField;
  alterField?: [oldField: AnyField, newField: AnyField];
  /** The table's constraints after the change (the model's own by default). */
  constraints?: readonly Constraint[];
}

/** A fresh copy of a field, pointing at `self` through `owner` when it points at its own model. */
function copyField(field: AnyField, owner: Options, overrides: Record<string, unknown> = {}): AnyField {
  const Ctor = field.constructor as new (...args: unknown[]) => AnyField;
  if (field.isRelation) {
    const relation = field as AnyField & { to: unknown; remote(): Options };
    const to = relation.remote() === owner ? () => owner.model : relation.to;
    return new Ctor(to, { ...field.options, ...overrides });
  }
  return Object.keys(overrides).length === 0 ? field.clone() : new Ctor({ ...field.options, ...overrides });
}

export class SqliteSchemaEditor extends BaseSchemaEditor {
  readonly dataTypes: Readonly<Record<string, string>> = {
    AutoField: 'integer',
    BigAutoField: 'integer',
    SmallAutoField: 'integer',
    BinaryField: 'BLOB',
    BooleanField: 'bool',
    CharField: 'varchar(%(max_length)s)',
    DateField: 'date',
    DateTimeField: 'datetime',
    DecimalField: 'decimal',
    DurationField: 'bigint',
    FileField: 'varchar(%(max_length)s)',
    FloatField: 'real',
    IntegerField: 'integer',
    BigIntegerField: 'bigint',
    JSONField: 'text',
    PositiveBigIntegerField: 'bigint unsigned',
    PositiveIntegerField: 'integer unsigned',
    PositiveSmallIntegerField: 'smallint unsigned',
    SlugField: 'varchar(%(max_length)s)',
    SmallIntegerField: 'smallint',
    TextField: 'text',
    TimeField: 'time',
    UUIDField: 'char(32)',
  };

  readonly dataTypeChecks: Readonly<Record<string, string>> = {
    PositiveBigIntegerField: '"%(column)s" >= 0',
    JSONField: '(JSON_VALID("%(column)s") OR "%(column)s" IS NULL)',
    PositiveIntegerField: '"%(column)s" >= 0',
    PositiveSmallIntegerField: '"%(column)s" >= 0',
  };

  readonly maxNameLength = 200;

  quoteValue(value: unknown): string {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'boolean') return value ? '1' : '0';
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
    if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex')}'`;
    if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
    throw new TypeError(`Cannot write the value ${String(value)} into SQLite's SQL: give a string, a number or bytes.`);
  }

  protected override typeSuffix(field: AnyField): string {
    return field.dbGenerated && field.primaryKey ? 'AUTOINCREMENT' : '';
  }

  protected inlineReference(_meta: Options, field: AnyField): string | undefined {
    if (!hasDbConstraint(field)) return undefined;
    const fk = field as unknown as { remote(): Options; targetField(): AnyField };
    return `REFERENCES ${this.q(fk.remote().dbTable)} (${this.q(fk.targetField().column)}) DEFERRABLE INITIALLY DEFERRED`;
  }

  protected foreignKeySql(): undefined {
    return undefined;
  }

  protected uniqueTogetherSql(meta: Options, columns: readonly string[]): string {
    return `CREATE UNIQUE INDEX ${this.q(this.indexName(meta.dbTable, columns, '_uniq'))} ON ${this.q(meta.dbTable)} (${columns.map((c) => this.q(c)).join(', ')})`;
  }

  protected override dropUniqueSql(_meta: Options, name: string): string {
    return `DROP INDEX ${this.q(name)}`;
  }

  override async addConstraint(model: ModelRef, constraint: Constraint): Promise<void> {
    if (!('check' in constraint) && constraint.condition !== undefined) return super.addConstraint(model, constraint);
    const meta = metaOf(model);
    const others = meta.constraints.filter((c) => c.name !== constraint.name);
    await this.remakeTable(meta, { constraints: [...others, constraint] });
  }

  async removeConstraint(model: ModelRef, constraint: Constraint): Promise<void> {
    // SQLite cannot drop a table constraint: only the partial unique indexes it makes as such.
    if (!('check' in constraint) && constraint.condition !== undefined) {
      await this.execute(`DROP INDEX ${this.q(constraint.name)}`);
      return;
    }
    const meta = metaOf(model);
    await this.remakeTable(meta, { constraints: meta.constraints.filter((c) => c.name !== constraint.name) });
  }

  override async addField(model: ModelRef, field: AnyField): Promise<void> {
    if (isManyToMany(field)) return super.addField(model, field);
    await this.remakeTable(metaOf(model), { createField: field });
  }

  override async removeField(model: ModelRef, field: AnyField): Promise<void> {
    if (isManyToMany(field)) return super.removeField(model, field);
    if (this.dbType(field) === undefined) return;
    await this.remakeTable(metaOf(model), { deleteField: field });
  }

  protected override async alterColumn(
    meta: Options,
    oldField: AnyField,
    newField: AnyField,
    oldType: string,
    newType: string,
  ): Promise<void> {
    // A rename and nothing else (and no foreign key to rewrite): ALTER TABLE can do it.
    const sameDefinition =
      this.columnSql(meta, oldField)?.slice(this.q(oldField.column).length) ===
      this.columnSql(meta, newField)?.slice(this.q(newField.column).length);
    if (
      oldField.column !== newField.column &&
      sameDefinition &&
      !hasDbConstraint(oldField) &&
      !hasDbConstraint(newField)
    ) {
      await this.execute(
        `ALTER TABLE ${this.q(meta.dbTable)} RENAME COLUMN ${this.q(oldField.column)} TO ${this.q(newField.column)}`,
      );
      return;
    }
    await this.remakeTable(meta, { alterField: [oldField, newField] });
    // Tables whose foreign keys point at a key whose type changed are rebuilt too (their
    // columns take the new type): the relations of the model as it will be (the new field's),
    // whose foreign keys already target the new field; the model's own table is done.
    if (newField.unique && oldType !== newType) {
      const related = new Set<Options>();
      const target = (newField as { model?: Options }).model ?? meta;
      for (const rel of target.relatedObjects) {
        if (rel.relatedModel === target || rel.relatedModel.dbTable === meta.dbTable) continue;
        if (!rel.manyToMany && isForeignKey(rel.field) && rel.field.targetField().name === newField.name)
          related.add(rel.relatedModel);
        else if (rel.manyToMany && newField.primaryKey) {
          const through = (rel.field as unknown as ManyToManyLike).through();
          if (through.autoCreated) related.add(through);
        }
      }
      if (newField.primaryKey) {
        for (const m2m of target.manyToMany) {
          const through = (m2m as unknown as ManyToManyLike).through();
          if (m2m.remote() !== target && through.autoCreated) related.add(through);
        }
      }
      for (const model of related) await this.remakeTable(model);
    }
  }

  protected override async alterManyToMany(
    meta: Options,
    oldField: ManyToManyLike,
    newField: ManyToManyLike,
  ): Promise<void> {
    const oldThrough = oldField.through();
    const newThrough = newField.through();
    if (oldThrough.dbTable === newThrough.dbTable) {
      await this.remakeTable(oldThrough, { alterField: [oldField.throughFields()[1], newField.throughFields()[1]] });
      return;
    }
    // A new through table, the links copied into it, the old one dropped.
    await this.createModel(newThrough);
    const [oldSource, oldTarget] = oldField.throughFields();
    const [newSource, newTarget] = newField.throughFields();
    await this.execute(
      `INSERT INTO ${this.q(newThrough.dbTable)} (${['id', newSource.column, newTarget.column].map((c) => this.q(c)).join(', ')}) ` +
        `SELECT ${['id', oldSource.column, oldTarget.column].map((c) => this.q(c)).join(', ')} FROM ${this.q(oldThrough.dbTable)}`,
    );
    await this.deleteModel(oldThrough);
    void meta;
  }

  /**
   * Rebuilds a table with one change, keeping its rows (Django's `_remake_table`): creates
   * `new__<table>` with the new definition, copies the rows (a new column gets its default, a
   * column made NOT NULL gets the default for its NULLs), drops the old table, renames the new
   * one, and makes its indexes again.
   */
  async remakeTable(meta: Options, changes: RemakeChanges = {}): Promise<void> {
    await this.#refuseWithForeignKeyChecks(meta);
    const body = new Map<string, AnyField>();
    const mapping = new Map<string, string>();
    const renamed = new Map<string, string>();
    for (const field of meta.concreteFields) {
      body.set(field.name, field);
      mapping.set(field.column, this.q(field.column));
    }
    const { createField, deleteField, alterField } = changes;
    const overrides = new Map<string, Record<string, unknown>>();
    // A new primary key replaces the old one: an automatic one goes, another stops being the key.
    if (createField?.primaryKey || alterField?.[1].primaryKey) {
      for (const [name, field] of [...body]) {
        if (!field.primaryKey || name === alterField?.[0].name) continue;
        if (field.dbGenerated) {
          body.delete(name);
          mapping.delete(field.column);
        } else overrides.set(name, { primaryKey: false });
      }
    }
    if (createField !== undefined) {
      body.set(createField.name, createField);
      mapping.set(createField.column, this.quoteValue(this.effectiveDefault(createField)));
    }
    if (alterField !== undefined) {
      const [oldField, newField] = alterField;
      body.delete(oldField.name);
      mapping.delete(oldField.column);
      body.set(newField.name, newField);
      mapping.set(
        newField.column,
        oldField.null && !newField.null
          ? `coalesce(${this.q(oldField.column)}, ${this.quoteValue(this.effectiveDefault(newField))})`
          : this.q(oldField.column),
      );
      renamed.set(oldField.name, newField.name);
    }
    if (deleteField !== undefined) {
      body.delete(deleteField.name);
      mapping.delete(deleteField.column);
    }
    const fields: Record<string, AnyField> = {};
    for (const [name, field] of body) fields[name] = copyField(field, meta, overrides.get(name));
    const rename = (names: readonly string[]) => names.map((n) => renamed.get(n) ?? n);
    let indexes: readonly Index[] = meta.indexes.map((index) => ({
      fields: index.fields.map((n) =>
        n.startsWith('-') ? `-${renamed.get(n.slice(1)) ?? n.slice(1)}` : (renamed.get(n) ?? n),
      ),
      // Named after the table it was made on, whatever happens to its fields.
      name: this.indexNameOf(meta, index),
      condition: index.condition,
    }));
    if (deleteField !== undefined) {
      indexes = indexes.filter((index) => !index.fields.some((n) => n.replace(/^-/, '') === deleteField.name));
    }
    const constraints = (changes.constraints ?? meta.constraints).map((c) =>
      'fields' in c
        ? Object.assign(Object.create(Object.getPrototypeOf(c) as object) as Constraint, c, {
            fields: rename(c.fields),
          })
        : c,
    );
    const options: MetaOptions & { appLabel: string; name: string } = {
      appLabel: meta.appLabel,
      name: meta.objectName,
      dbTable: meta.dbTable,
      uniqueTogether: meta.uniqueTogether.map(rename),
      indexes,
      constraints,
      managed: meta.managed,
      autoCreated: meta.autoCreated,
    };
    const rebuilt = detachedModel(class {}, fields, options);
    const temporary = `new__${meta.dbTable}`;
    const pending = this.deferred;
    this.deferred = [];
    try {
      for (const sql of this.tableStatements(rebuilt, temporary)) await this.execute(sql);
      const own = this.deferred;
      this.deferred = [];
      const columns = [...mapping.keys()];
      await this.execute(
        `INSERT INTO ${this.q(temporary)} (${columns.map((c) => this.q(c)).join(', ')}) SELECT ${[...mapping.values()].join(', ')} FROM ${this.q(meta.dbTable)}`,
      );
      await this.execute(`DROP TABLE ${this.q(meta.dbTable)}`);
      await this.execute(`ALTER TABLE ${this.q(temporary)} RENAME TO ${this.q(meta.dbTable)}`);
      for (const statement of own) await this.execute(statement.sql);
    } finally {
      this.deferred = [...pending, ...this.deferred];
    }
  }

  /** A rebuild drops a table other tables point at: only with the foreign key checks off. */
  async #refuseWithForeignKeyChecks(meta: Options): Promise<void> {
    if (this.collectSql) return;
    const result = await runStatement(this.wrapper, 'PRAGMA foreign_keys', [], {});
    const row = result.rows[0] as { foreign_keys?: unknown } | undefined;
    if (Number(row?.foreign_keys) !== 1) return;
    throw new NotSupportedError(
      `SQLite cannot rebuild the table ${meta.dbTable} while foreign key checks are on: run schema changes through withSchemaEditor() or migrate, ` +
        'which turn them off before their transaction (SQLite cannot turn them off inside one), not inside an atomic() block of your own.',
    );
  }
}
