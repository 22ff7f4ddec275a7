/** PostgreSQL's catalogue, read from `pg_catalog` (the current schema only). */
import { runStatement } from '../../transaction.ts';
import { BaseIntrospection, type ColumnInfo, type ConstraintInfo } from '../base/introspection.ts';

export class PostgresIntrospection extends BaseIntrospection {
  async #rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    // In the context's transaction, if any: a migration reads the tables it just changed.
    const result = await runStatement(this.wrapper, sql, params, {});
    return result.rows as Record<string, unknown>[];
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.#rows(
      'SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname",
    );
    return rows.map((r) => String(r.name));
  }

  async getTableDescription(table: string): Promise<ColumnInfo[]> {
    const rows = await this.#rows(
      `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
              pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default,
              EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY(i.indkey)) AS pk
         FROM pg_catalog.pg_attribute a
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [this.wrapper.ops.quoteName(table)],
    );
    return rows.map((r) => ({
      name: String(r.name),
      type: String(r.type).toLowerCase(),
      nullable: r.nullable === true,
      default: r.default === null ? null : String(r.default),
      primaryKey: r.pk === true,
    }));
  }

  async getConstraints(table: string): Promise<Record<string, ConstraintInfo>> {
    const out: Record<string, ConstraintInfo> = {};
    const constraints = await this.#rows(
      `SELECT c.conname AS name, c.contype AS kind,
              ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
              fc.relname AS ftable,
              (SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.confrelid AND a.attnum = c.confkey[1]) AS fcolumn
         FROM pg_catalog.pg_constraint c LEFT JOIN pg_catalog.pg_class fc ON fc.oid = c.confrelid
        WHERE c.conrelid = $1::regclass`,
      [this.wrapper.ops.quoteName(table)],
    );
    for (const c of constraints) {
      out[String(c.name)] = {
        columns: (c.columns as string[]) ?? [],
        primaryKey: c.kind === 'p',
        unique: c.kind === 'u' || c.kind === 'p',
        foreignKey: c.kind === 'f' ? [String(c.ftable), String(c.fcolumn)] : null,
        check: c.kind === 'c',
        index: false,
      };
    }
    const indexes = await this.#rows(
      `SELECT ic.relname AS name, i.indisunique AS unique,
              ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) AS columns
         FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = $1::regclass AND NOT i.indisprimary`,
      [this.wrapper.ops.quoteName(table)],
    );
    for (const index of indexes) {
      const name = String(index.name);
      if (out[name] !== undefined) continue;
      out[name] = {
        columns: index.columns as string[],
        primaryKey: false,
        unique: index.unique === true,
        foreignKey: null,
        check: false,
        index: true,
      };
    }
    return out;
  }
}
