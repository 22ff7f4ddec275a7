/** SQLite's catalogue: `sqlite_master` and the table PRAGMAs. */
import { runStatement } from '../../transaction.ts';
import { BaseIntrospection, type ColumnInfo, type ConstraintInfo } from '../base/introspection.ts';

export class SqliteIntrospection extends BaseIntrospection {
  async #rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    // In the context's transaction, if any: a migration reads the tables it just changed.
    const result = await runStatement(this.wrapper, sql, params, {});
    return result.rows as Record<string, unknown>[];
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.#rows(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    );
    return rows.map((r) => String(r.name));
  }

  async getTableDescription(table: string): Promise<ColumnInfo[]> {
    const rows = await this.#rows(`PRAGMA table_info(${this.wrapper.ops.quoteName(table)})`);
    return rows.map((r) => ({
      name: String(r.name),
      type: String(r.type).toLowerCase(),
      nullable: Number(r.notnull) === 0,
      default: r.dflt_value === null ? null : String(r.dflt_value),
      primaryKey: Number(r.pk) > 0,
    }));
  }

  async getConstraints(table: string): Promise<Record<string, ConstraintInfo>> {
    const q = this.wrapper.ops.quoteName(table);
    const out: Record<string, ConstraintInfo> = {};
    const pk = (await this.getTableDescription(table)).filter((c) => c.primaryKey).map((c) => c.name);
    if (pk.length > 0)
      out.__primary__ = { columns: pk, primaryKey: true, unique: false, foreignKey: null, check: false, index: false };
    for (const index of await this.#rows(`PRAGMA index_list(${q})`)) {
      const name = String(index.name);
      const columns = (await this.#rows(`PRAGMA index_info(${this.wrapper.ops.quoteName(name)})`)).map((c) =>
        String(c.name),
      );
      if (index.origin === 'pk') continue;
      out[name] = {
        columns,
        primaryKey: false,
        unique: Number(index.unique) === 1,
        foreignKey: null,
        check: false,
        index: true,
      };
    }
    for (const fk of await this.#rows(`PRAGMA foreign_key_list(${q})`)) {
      out[`fk_${fk.id}`] = {
        columns: [String(fk.from)],
        primaryKey: false,
        unique: false,
        foreignKey: [String(fk.table), String(fk.to)],
        check: false,
        index: false,
      };
    }
    const [master] = await this.#rows("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]);
    const sql = String(master?.sql ?? '');
    for (const match of sql.matchAll(/CONSTRAINT\s+"((?:[^"]|"")+)"\s+CHECK/gi)) {
      out[match[1]!.replace(/""/g, '"')] = {
        columns: [],
        primaryKey: false,
        unique: false,
        foreignKey: null,
        check: true,
        index: false,
      };
    }
    for (const match of sql.matchAll(/CONSTRAINT\s+"((?:[^"]|"")+)"\s+UNIQUE\s*\(([^)]*)\)/gi)) {
      const columns = match[2]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
      out[match[1]!.replace(/""/g, '"')] = {
        columns,
        primaryKey: false,
        unique: true,
        foreignKey: null,
        check: false,
        index: false,
      };
    }
    return out;
  }
}
