// One reading of a SQLite database's schema, used on the file Django migrated and on the file
// tsgi migrated alike, so that the two compare as plain values: tables, columns (type, NOT NULL,
// DEFAULT, primary key, AUTOINCREMENT), indexes (name, columns with their order, unique, partial),
// foreign keys (target, ON UPDATE/DELETE, DEFERRABLE) and the CHECK and named UNIQUE constraints
// of CREATE TABLE. PRAGMAs give most of it; what only the table's SQL says (CHECK, constraint
// names, DEFERRABLE, AUTOINCREMENT) is read from sqlite_master with a small tokenizer.
import { DatabaseSync } from 'node:sqlite';

export interface ColumnSchema {
  type: string;
  notNull: boolean;
  default: string | null;
  /** Position in the primary key (0: not in it). */
  pk: number;
}

export interface IndexSchema {
  /** null for the indexes SQLite makes for UNIQUE and PRIMARY KEY (their names are its own). */
  name: string | null;
  /** Columns, a `-` before a descending one. */
  columns: string[];
  unique: boolean;
  /** c: CREATE INDEX, u: a UNIQUE of CREATE TABLE, pk: the primary key. */
  origin: string;
  partial: boolean;
}

export interface ForeignKeySchema {
  from: string;
  table: string;
  to: string;
  onUpdate: string;
  onDelete: string;
  deferrable: boolean;
}

export interface ConstraintSchema {
  /** null for a column's own unnamed CHECK. */
  name: string | null;
  kind: 'check' | 'unique';
  /** The condition of a CHECK, the columns of a UNIQUE, whitespace collapsed. */
  definition: string;
}

export interface TableSchema {
  columns: Record<string, ColumnSchema>;
  /** The columns in the table's order. */
  order: string[];
  autoincrement: string[];
  indexes: IndexSchema[];
  foreignKeys: ForeignKeySchema[];
  constraints: ConstraintSchema[];
}

export type Schema = Record<string, TableSchema>;

/** The schema of the SQLite file at `file` (opened read-only and closed again). */
export function readSchema(file: string): Schema {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const schema: Schema = {};
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
      name: string;
      sql: string;
    }>;
    for (const { name, sql } of tables) schema[name] = readTable(db, name, sql);
    return schema;
  } finally {
    db.close();
  }
}

/** Every row of every table (but `exclude`), ordered by rowid. */
export function readRows(
  file: string,
  exclude: readonly string[] = [],
): Record<string, Array<Record<string, unknown>>> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const out: Record<string, Array<Record<string, unknown>>> = {};
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as Array<{ name: string }>;
    for (const { name } of names) {
      if (exclude.includes(name)) continue;
      out[name] = db
        .prepare(`SELECT * FROM "${name}" ORDER BY rowid`)
        .all()
        .map((row) => ({ ...row }));
    }
    return out;
  } finally {
    db.close();
  }
}

function pragma<T>(db: DatabaseSync, sql: string): T[] {
  return db.prepare(sql).all() as T[];
}

function readTable(db: DatabaseSync, table: string, sql: string): TableSchema {
  const q = table.replace(/"/g, '""');
  const columns: Record<string, ColumnSchema> = {};
  const order: string[] = [];
  for (const c of pragma<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(
    db,
    `PRAGMA table_info("${q}")`,
  )) {
    columns[c.name] = { type: c.type, notNull: c.notnull === 1, default: c.dflt_value, pk: c.pk };
    order.push(c.name);
  }
  const indexes: IndexSchema[] = [];
  for (const i of pragma<{ name: string; unique: number; origin: string; partial: number }>(
    db,
    `PRAGMA index_list("${q}")`,
  )) {
    const parts = pragma<{ seqno: number; name: string | null; desc: number; key: number }>(
      db,
      `PRAGMA index_xinfo("${i.name.replace(/"/g, '""')}")`,
    )
      .filter((p) => p.key === 1)
      .sort((a, b) => a.seqno - b.seqno)
      .map((p) => `${p.desc === 1 ? '-' : ''}${p.name ?? '<expression>'}`);
    indexes.push({
      name: i.origin === 'c' ? i.name : null,
      columns: parts,
      unique: i.unique === 1,
      origin: i.origin,
      partial: i.partial === 1,
    });
  }
  indexes.sort((a, b) => key(a).localeCompare(key(b)));
  const definitions = splitDefinitions(sql);
  const deferrable = new Set<string>();
  const autoincrement: string[] = [];
  const constraints: ConstraintSchema[] = [];
  for (const definition of definitions) {
    const named = /^CONSTRAINT\s+("(?:[^"]|"")+"|\w+)\s+(CHECK|UNIQUE)\s*(\(.*\))$/is.exec(definition);
    if (named !== null) {
      constraints.push({
        name: unquote(named[1]!),
        kind: named[2]!.toLowerCase() as 'check' | 'unique',
        definition: collapse(named[3]!),
      });
      continue;
    }
    if (/^(CHECK|UNIQUE|PRIMARY\s+KEY|FOREIGN\s+KEY)\b/i.test(definition)) {
      const [, kind, rest] = /^(\w+(?:\s+KEY)?)\s*(.*)$/is.exec(definition)!;
      constraints.push({ name: null, kind: kind!.toLowerCase() as 'check' | 'unique', definition: collapse(rest!) });
      continue;
    }
    const column = unquote(/^("(?:[^"]|"")+"|\S+)/.exec(definition)![1]!);
    if (/\bDEFERRABLE\s+INITIALLY\s+DEFERRED\b/i.test(definition)) deferrable.add(column);
    if (/\bAUTOINCREMENT\b/i.test(definition)) autoincrement.push(column);
    const check = /\bCHECK\s*\(/i.exec(definition);
    if (check !== null) {
      const start = check.index + check[0].length - 1;
      constraints.push({ name: null, kind: 'check', definition: collapse(balanced(definition, start)) });
    }
  }
  constraints.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const foreignKeys = pragma<{ from: string; table: string; to: string; on_update: string; on_delete: string }>(
    db,
    `PRAGMA foreign_key_list("${q}")`,
  )
    .map((f) => ({
      from: f.from,
      table: f.table,
      to: f.to,
      onUpdate: f.on_update,
      onDelete: f.on_delete,
      deferrable: deferrable.has(f.from),
    }))
    .sort((a, b) => a.from.localeCompare(b.from));
  return { columns: sortKeys(columns), order, autoincrement, indexes, foreignKeys, constraints };
}

function key(index: IndexSchema): string {
  return `${index.columns.join(',')}|${index.name ?? ''}|${index.origin}`;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The text from the parenthesis at `start` to its match, both included. */
function balanced(text: string, start: number): string {
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return text.slice(start, i + 1);
  }
  throw new Error(`Unbalanced parentheses in ${text}.`);
}

/** The definitions of a CREATE TABLE (columns and table constraints), split at the top-level commas. */
export function splitDefinitions(sql: string): string[] {
  const open = sql.indexOf('(');
  const body = balanced(sql, open).slice(1, -1);
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const c of body) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}
