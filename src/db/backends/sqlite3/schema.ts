/** SQLite's DDL, as Django's `django.db.backends.sqlite3.schema`. */
import type { AnyField } from '../../models/fields/base.ts';
import type { Constraint } from '../../models/constraints.ts';
import type { Options } from '../../models/options.ts';
import { BaseSchemaEditor, type ModelRef } from '../base/schema.ts';
import { getMeta } from '../../models/options.ts';

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

  protected override typeSuffix(field: AnyField): string {
    return field.dbGenerated && field.primaryKey ? 'AUTOINCREMENT' : '';
  }

  protected inlineReference(_meta: Options, field: AnyField): string | undefined {
    if ((field.options as { dbConstraint?: boolean }).dbConstraint === false) return undefined;
    const fk = field as unknown as { remote(): Options; targetField(): AnyField };
    return `REFERENCES ${this.q(fk.remote().dbTable)} (${this.q(fk.targetField().column)}) DEFERRABLE INITIALLY DEFERRED`;
  }

  protected foreignKeySql(): undefined {
    return undefined;
  }

  protected uniqueTogetherSql(meta: Options, columns: readonly string[]): string {
    return `CREATE UNIQUE INDEX ${this.q(this.indexName(meta.dbTable, columns, '_uniq'))} ON ${this.q(meta.dbTable)} (${columns.map((c) => this.q(c)).join(', ')})`;
  }

  async removeConstraint(model: ModelRef, constraint: Constraint): Promise<void> {
    // SQLite cannot drop a table constraint: only the partial unique indexes it makes as such.
    if (!('check' in constraint) && constraint.condition !== undefined) {
      await this.execute(`DROP INDEX ${this.q(constraint.name)}`);
      return;
    }
    const meta = typeof model === 'function' ? getMeta(model) : model;
    throw new TypeError(
      `SQLite cannot drop the constraint ${constraint.name} of ${meta.dbTable} in place: the table must be rebuilt (migrations do it).`,
    );
  }
}
