/** PostgreSQL's DDL, as Django's `django.db.backends.postgresql.schema`. */
import type { AnyField } from '../../models/fields/base.ts';
import type { Constraint } from '../../models/constraints.ts';
import type { Options } from '../../models/options.ts';
import { BaseSchemaEditor, hasDbConstraint, metaOf, type ModelRef } from '../base/schema.ts';

const SERIAL_TYPES: Readonly<Record<string, string>> = {
  serial: 'integer',
  bigserial: 'bigint',
  smallserial: 'smallint',
};

export class PostgresSchemaEditor extends BaseSchemaEditor {
  readonly dataTypes: Readonly<Record<string, string>> = {
    AutoField: 'serial',
    BigAutoField: 'bigserial',
    SmallAutoField: 'smallserial',
    BinaryField: 'bytea',
    BooleanField: 'boolean',
    CharField: 'varchar(%(max_length)s)',
    DateField: 'date',
    DateTimeField: 'timestamp with time zone',
    DecimalField: 'numeric(%(max_digits)s, %(decimal_places)s)',
    DurationField: 'interval',
    FileField: 'varchar(%(max_length)s)',
    FloatField: 'double precision',
    IntegerField: 'integer',
    BigIntegerField: 'bigint',
    JSONField: 'jsonb',
    PositiveBigIntegerField: 'bigint',
    PositiveIntegerField: 'integer',
    PositiveSmallIntegerField: 'smallint',
    SlugField: 'varchar(%(max_length)s)',
    SmallIntegerField: 'smallint',
    TextField: 'text',
    TimeField: 'time',
    UUIDField: 'uuid',
  };

  readonly dataTypeChecks: Readonly<Record<string, string>> = {
    PositiveBigIntegerField: '"%(column)s" >= 0',
    PositiveIntegerField: '"%(column)s" >= 0',
    PositiveSmallIntegerField: '"%(column)s" >= 0',
  };

  readonly maxNameLength = 63;

  quoteValue(value: unknown): string {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
    if (value instanceof Uint8Array) return `'\\x${Buffer.from(value).toString('hex')}'::bytea`;
    // Standard strings (standard_conforming_strings is on since PostgreSQL 9.1): only ' is doubled.
    if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
    throw new TypeError(
      `Cannot write the value ${String(value)} into PostgreSQL's SQL: give a string, a number or bytes.`,
    );
  }

  protected inlineReference(): undefined {
    return undefined;
  }

  protected foreignKeySql(meta: Options, field: AnyField, suffix?: string): string | undefined {
    if (!hasDbConstraint(field)) return undefined;
    const fk = field as unknown as { remote(): Options; targetField(): AnyField };
    const target = fk.remote();
    const column = fk.targetField().column;
    return (
      `ALTER TABLE ${this.q(meta.dbTable)} ADD CONSTRAINT ${this.q(this.foreignKeyName(meta, field, suffix))} FOREIGN KEY (${this.q(field.column)}) ` +
      `REFERENCES ${this.q(target.dbTable)} (${this.q(column)}) DEFERRABLE INITIALLY DEFERRED`
    );
  }

  /** Deferred checks of rows changed earlier in the transaction run first: a constraint with pending checks cannot be dropped. */
  protected override dropForeignKeySql(meta: Options, name: string): string[] {
    return [
      `SET CONSTRAINTS ${this.q(name)} IMMEDIATE`,
      `ALTER TABLE ${this.q(meta.dbTable)} DROP CONSTRAINT ${this.q(name)}`,
    ];
  }

  protected override dropIndexSql(name: string): string {
    return `DROP INDEX IF EXISTS ${this.q(name)}`;
  }

  /** The `varchar_pattern_ops` index LIKE 'abc%' needs on a varchar or text column, or undefined. */
  #likeIndexSql(meta: Options, field: AnyField): string | undefined {
    const type = this.dbType(field) ?? '';
    if (!(field.dbIndex || field.unique) || field.primaryKey) return undefined;
    if (!type.startsWith('varchar') && !type.startsWith('text')) return undefined;
    const ops = type.startsWith('text') ? 'text_pattern_ops' : 'varchar_pattern_ops';
    return this.createIndexSql(meta, field.column, this.indexName(meta.dbTable, [field.column], '_like'), ops);
  }

  protected override fieldIndexSql(meta: Options, field: AnyField): string[] {
    const out = super.fieldIndexSql(meta, field);
    const like = this.#likeIndexSql(meta, field);
    if (like !== undefined) out.push(like);
    return out;
  }

  protected uniqueTogetherSql(meta: Options, columns: readonly string[]): string {
    return `ALTER TABLE ${this.q(meta.dbTable)} ADD CONSTRAINT ${this.q(this.indexName(meta.dbTable, columns, '_uniq'))} UNIQUE (${columns.map((c) => this.q(c)).join(', ')})`;
  }

  protected override dropTableSql(meta: Options): string {
    return `DROP TABLE ${this.q(meta.dbTable)} CASCADE`;
  }

  /** A new column's foreign key goes in its ADD COLUMN and is checked at once, as Django adds it. */
  override async addField(model: ModelRef, field: AnyField): Promise<void> {
    if (!hasDbConstraint(field)) return super.addField(model, field);
    const meta = metaOf(model);
    const definition = this.columnSql(meta, field, { includeDefault: true });
    if (definition === undefined) return;
    const fk = field as unknown as { remote(): Options; targetField(): AnyField };
    const name = this.foreignKeyName(meta, field);
    await this.execute(
      `ALTER TABLE ${this.q(meta.dbTable)} ADD COLUMN ${definition} CONSTRAINT ${this.q(name)} ` +
        `REFERENCES ${this.q(fk.remote().dbTable)}(${this.q(fk.targetField().column)}) DEFERRABLE INITIALLY DEFERRED`,
    );
    await this.execute(`SET CONSTRAINTS ${this.q(name)} IMMEDIATE`);
    if (this.effectiveDefault(field) !== null) {
      await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} ALTER COLUMN ${this.q(field.column)} DROP DEFAULT`);
    }
    for (const sql of this.fieldIndexSql(meta, field)) this.defer(sql, meta.dbTable, [field.column]);
  }

  /** A type change casts the values (`USING "col"::type`), and an AutoField's sequence follows it. */
  protected override alterColumnTypeSql(
    meta: Options,
    oldField: AnyField,
    newField: AnyField,
    newType: string,
  ): [fragment: string, post: string[]] {
    const column = newField.column;
    const template = (field: AnyField) =>
      field.isRelation ? this.dbType(field) : (this.dataTypes[field.internalType] ?? this.dbType(field));
    const using = template(oldField) !== template(newField) ? ` USING ${this.q(column)}::${newType}` : '';
    const serial = SERIAL_TYPES[newType.toLowerCase()];
    const sequence = this.q(`${meta.dbTable}_${column}_seq`);
    if (serial !== undefined) {
      const table = this.q(meta.dbTable);
      return [
        `ALTER COLUMN ${this.q(column)} TYPE ${serial}${using === '' ? '' : ` USING ${this.q(column)}::${serial}`}`,
        [
          `DROP SEQUENCE IF EXISTS ${sequence} CASCADE`,
          `CREATE SEQUENCE ${sequence}`,
          `ALTER TABLE ${table} ALTER COLUMN ${this.q(column)} SET DEFAULT nextval('${sequence}')`,
          `SELECT setval('${sequence}', MAX(${this.q(column)})) FROM ${table}`,
          `ALTER SEQUENCE ${sequence} OWNED BY ${table}.${this.q(column)}`,
        ],
      ];
    }
    const oldType = this.dbType(oldField)?.toLowerCase() ?? '';
    if (SERIAL_TYPES[oldType] !== undefined && !oldField.isRelation) {
      return [
        `ALTER COLUMN ${this.q(column)} TYPE ${newType}${using}`,
        [`DROP SEQUENCE IF EXISTS ${sequence} CASCADE`],
      ];
    }
    return [`ALTER COLUMN ${this.q(column)} TYPE ${newType}${using}`, []];
  }

  protected override async alterColumn(
    meta: Options,
    oldField: AnyField,
    newField: AnyField,
    oldType: string,
    newType: string,
  ): Promise<void> {
    const textual = (type: string, prefix: string) => type.startsWith(prefix);
    if (
      (oldField.dbIndex || oldField.unique) &&
      ((textual(oldType, 'varchar') && !textual(newType, 'varchar')) ||
        (textual(oldType, 'text') && !textual(newType, 'text')))
    ) {
      await this.execute(this.dropIndexSql(this.indexName(meta.dbTable, [oldField.column], '_like')));
    }
    await super.alterColumn(meta, oldField, newField, oldType, newType);
    if ((!(oldField.dbIndex || oldField.unique) && newField.dbIndex) || (!oldField.unique && newField.unique)) {
      const like = this.#likeIndexSql(meta, newField);
      if (like !== undefined) await this.execute(like);
    }
    if (oldField.unique && !(newField.dbIndex || newField.unique)) {
      await this.execute(this.dropIndexSql(this.indexName(meta.dbTable, [oldField.column], '_like')));
    }
  }

  async removeConstraint(model: ModelRef, constraint: Constraint): Promise<void> {
    const meta = metaOf(model);
    if (!('check' in constraint) && constraint.condition !== undefined) {
      await this.execute(`DROP INDEX ${this.q(constraint.name)}`);
      return;
    }
    await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} DROP CONSTRAINT ${this.q(constraint.name)}`);
  }
}
