// One reading of a PostgreSQL database's schema (the public schema), used on the database Django
// migrated and on the one tsgi migrated alike: tables, columns (type with its modifier, NOT NULL,
// DEFAULT, identity), constraints (primary key, unique, foreign key with its target, ON DELETE and
// DEFERRABLE, check, each by name as pg_get_constraintdef writes it), indexes (by name, as
// pg_get_indexdef writes them: columns, order, operator class, uniqueness), and the sequences with
// the column that owns each.
import postgres from 'postgres';

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  name: string;
}

export interface PgTableSchema {
  columns: Record<string, { type: string; notNull: boolean; default: string | null; identity: string }>;
  /** The columns in the table's order. */
  order: string[];
  constraints: Record<string, string>;
  indexes: Record<string, string>;
}

export interface PgSchema {
  tables: Record<string, PgTableSchema>;
  sequences: Record<string, string | null>;
}

/** A connection to one database of the server (close it with `end()`). */
export function connect(target: PostgresTarget): postgres.Sql {
  return postgres({
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.name,
    max: 1,
    onnotice: () => {},
  });
}

export async function readPgSchema(sql: postgres.Sql): Promise<PgSchema> {
  const tables: Record<string, PgTableSchema> = {};
  const found = await sql<Array<{ oid: number; name: string }>>`
    SELECT c.oid::int AS oid, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`;
  for (const { oid, name } of found) {
    const columns: PgTableSchema['columns'] = {};
    for (const c of await sql<
      Array<{ name: string; type: string; notnull: boolean; default: string | null; identity: string }>
    >`
      SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
        pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity
      FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = ${oid} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`) {
      columns[c.name] = { type: c.type, notNull: c.notnull, default: c.default, identity: c.identity };
    }
    const order = Object.keys(columns);
    const constraints: Record<string, string> = {};
    for (const c of await sql<Array<{ name: string; definition: string }>>`
      SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = ${oid} ORDER BY conname`) {
      constraints[c.name] = c.definition;
    }
    const indexes: Record<string, string> = {};
    for (const i of await sql<Array<{ name: string; definition: string }>>`
      SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = ${oid} ORDER BY i.relname`) {
      indexes[i.name] = i.definition;
    }
    tables[name] = { columns: sortKeys(columns), order, constraints, indexes };
  }
  const sequences: Record<string, string | null> = {};
  for (const s of await sql<Array<{ name: string; owner: string | null }>>`
    SELECT s.relname AS name, t.relname || '.' || a.attname AS owner
    FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
      LEFT JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
      LEFT JOIN pg_class t ON t.oid = d.refobjid
      LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    WHERE s.relkind = 'S' AND n.nspname = 'public' ORDER BY s.relname`) {
    sequences[s.name] = s.owner;
  }
  return { tables, sequences };
}

/** Every row of every table (but `exclude`), ordered by id. */
export async function readPgRows(
  sql: postgres.Sql,
  exclude: readonly string[] = [],
): Promise<Record<string, Array<Record<string, unknown>>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  const found = await sql<Array<{ name: string }>>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`;
  for (const { name } of found) {
    if (exclude.includes(name)) continue;
    const rows = await sql.unsafe(`SELECT * FROM "${name.replace(/"/g, '""')}" ORDER BY id`);
    out[name] = rows.map((row) => ({ ...row }));
  }
  return out;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
