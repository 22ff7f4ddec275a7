/** PostgreSQL's DDL, as Django's `django.db.backends.postgresql.schema`. */
import type { AnyField } from '../../models/fields/base.ts';
import type { Constraint } from '../../models/constraints.ts';
import type { Options } from '../../models/options.ts';
import { BaseSchemaEditor, type ModelRef } from '../base/schema.ts';
import { getMeta } from '../../models/options.ts';

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

  protected inlineReference(): undefined {
    return undefined;
  }

  protected foreignKeySql(meta: Options, field: AnyField): string | undefined {
    if ((field.options as { dbConstraint?: boolean }).dbConstraint === false) return undefined;
    const fk = field as unknown as { remote(): Options; targetField(): AnyField };
    const target = fk.remote();
    const column = fk.targetField().column;
    const name = this.indexName(meta.dbTable, [field.column], `_fk_${target.dbTable}_${column}`);
    return (
      `ALTER TABLE ${this.q(meta.dbTable)} ADD CONSTRAINT ${this.q(name)} FOREIGN KEY (${this.q(field.column)}) ` +
      `REFERENCES ${this.q(target.dbTable)} (${this.q(column)}) DEFERRABLE INITIALLY DEFERRED`
    );
  }

  protected override fieldIndexSql(meta: Options, field: AnyField): string[] {
    const out = super.fieldIndexSql(meta, field);
    // LIKE 'abc%' on a varchar or text column uses an index only with the pattern operators.
    const type = this.dbType(field) ?? '';
    if ((field.dbIndex || field.unique) && !field.primaryKey && (type.startsWith('varchar') || type === 'text')) {
      const ops = type === 'text' ? 'text_pattern_ops' : 'varchar_pattern_ops';
      out.push(
        `CREATE INDEX ${this.q(this.indexName(meta.dbTable, [field.column], '_like'))} ON ${this.q(meta.dbTable)} (${this.q(field.column)} ${ops})`,
      );
    }
    return out;
  }

  protected uniqueTogetherSql(meta: Options, columns: readonly string[]): string {
    return `ALTER TABLE ${this.q(meta.dbTable)} ADD CONSTRAINT ${this.q(this.indexName(meta.dbTable, columns, '_uniq'))} UNIQUE (${columns.map((c) => this.q(c)).join(', ')})`;
  }

  protected override dropTableSql(meta: Options): string {
    return `DROP TABLE ${this.q(meta.dbTable)} CASCADE`;
  }

  async removeConstraint(model: ModelRef, constraint: Constraint): Promise<void> {
    const meta = typeof model === 'function' ? getMeta(model) : model;
    if (!('check' in constraint) && constraint.condition !== undefined) {
      await this.execute(`DROP INDEX ${this.q(constraint.name)}`);
      return;
    }
    await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} DROP CONSTRAINT ${this.q(constraint.name)}`);
  }
}
