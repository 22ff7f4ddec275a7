/**
 * Field paths to columns, and the joins they need (Django's `setup_joins`/`trim_joins`): a
 * lookup like `author__profile__city__iexact` walks the relations one part at a time, adding a
 * join per relation (reused within the rules of compiler.ts), and stops at the first part that
 * is not a field: what is left are transforms and the lookup.
 */
import { FieldError } from '../../../core/exceptions.ts';
import type { AnyField } from '../fields/base.ts';
import type { ForeignKey, ManyToManyField } from '../fields/related.ts';
import type { Options, RelatedObject, RelationField } from '../options.ts';

/** One table in the FROM clause. */
export interface Join {
  readonly alias: string;
  readonly table: string;
  readonly meta: Options;
  readonly parent: Join | null;
  /** The column of the parent side, and of this side, of the ON condition. */
  readonly parentColumn: string;
  readonly column: string;
  /** The relation may have no row on this side (a nullable ForeignKey, a reverse relation). */
  readonly nullable: boolean;
  /** Many rows on this side per parent row (reverse ForeignKey, many-to-many). */
  readonly multi: boolean;
  /** Decided by the compiler once every use is known. */
  type: 'INNER JOIN' | 'LEFT OUTER JOIN';
  /** Uses that need the rows of the parent kept when this side has none (OR, negation, isnull). */
  outer: boolean;
  /** Uses that need this side to have a row (a filter on it). */
  inner: boolean;
}

/** Where a path ends. */
export interface ResolvedPath {
  /** The table the final column is in. */
  readonly join: Join;
  /** The final column. */
  readonly column: string;
  /** The field whose values the lookup compares (a ForeignKey compares primary keys). */
  readonly field: AnyField;
  /** The joins the path went through, base excluded. */
  readonly joins: readonly Join[];
  /** Parts after the fields: transforms, then the lookup. */
  readonly rest: readonly string[];
  /** Whether the path crossed a multi-valued relation. */
  readonly multi: boolean;
}

/** One step of a path across a relation. */
interface Edge {
  meta: Options;
  table: string;
  parentColumn: string;
  column: string;
  nullable: boolean;
  multi: boolean;
}

export class Joins {
  readonly base: Join;
  readonly list: Join[] = [];
  readonly #byKey = new Map<string, Join>();
  readonly #anyByBase = new Map<string, Join>();
  readonly #usedAliases = new Set<string>();
  readonly #prefix: string | null;
  #count = 0;

  /** `prefix` names every alias `<prefix><n>` (subqueries, so they never clash with the outer query's). */
  constructor(meta: Options, prefix: string | null = null) {
    this.#prefix = prefix;
    this.base = {
      alias: this.#alias(meta.dbTable),
      table: meta.dbTable,
      meta,
      parent: null,
      parentColumn: '',
      column: '',
      nullable: false,
      multi: false,
      type: 'INNER JOIN',
      outer: false,
      inner: true,
    };
  }

  #alias(table: string): string {
    const n = this.#count++;
    if (this.#prefix !== null) return `${this.#prefix}${n}`;
    if (!this.#usedAliases.has(table)) {
      this.#usedAliases.add(table);
      return table;
    }
    const alias = `T${n + 1}`;
    this.#usedAliases.add(alias);
    return alias;
  }

  #join(parent: Join, edge: Edge, reuse: string | undefined): Join {
    const base = `${parent.alias}|${edge.table}|${edge.parentColumn}|${edge.column}`;
    let key = base;
    if (edge.multi) {
      if (reuse === undefined) {
        // References (F(), values(), ordering) reuse any join of the relation (Django's can_reuse=None).
        const any = this.#anyByBase.get(base);
        if (any !== undefined) return any;
        key = `${base}|*`;
      } else key = `${base}|${reuse}`;
    }
    let join = this.#byKey.get(key);
    if (join === undefined) {
      join = {
        alias: this.#alias(edge.table),
        table: edge.table,
        meta: edge.meta,
        parent,
        parentColumn: edge.parentColumn,
        column: edge.column,
        nullable: edge.nullable || parent.nullable,
        multi: edge.multi,
        type: 'INNER JOIN',
        outer: false,
        inner: false,
      };
      this.#byKey.set(key, join);
      if (!this.#anyByBase.has(base)) this.#anyByBase.set(base, join);
      this.list.push(join);
    }
    return join;
  }

  /**
   * Resolves `parts` from the base (or `from`). `reuse` tags multi-valued joins: within one
   * filter() call they are shared, across calls each gets its own (Django's rule for
   * multi-valued relations); without a tag any existing join of the relation is reused. With `allowTrim`, a path ending on a ForeignKey (or its target's
   * primary key) uses the ForeignKey's own column instead of joining.
   */
  resolve(parts: readonly string[], options: { reuse?: string; from?: Join; allowTrim?: boolean } = {}): ResolvedPath {
    let join = options.from ?? this.base;
    let meta = join.meta;
    const joins: Join[] = [];
    let multi = false;
    const reuse = options.reuse;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      const field = meta.findField(part);
      const related = field === undefined ? meta.findRelatedObject(part) : undefined;
      if (field === undefined && related === undefined) {
        if (i === 0) {
          const choices = [...new Set([...meta.lookupNames(), ...meta.concreteFields.map((f) => f.attname)])].sort();
          throw new FieldError(`Cannot resolve keyword '${part}' into field. Choices are: ${choices.join(', ')}`);
        }
        return this.#finish(join, meta, joins, parts.slice(i), multi, undefined);
      }
      if (field !== undefined && !field.isRelation) {
        return { join, column: field.column, field, joins, rest: parts.slice(i + 1), multi };
      }
      if (field !== undefined && (field as unknown as RelationField).manyToMany) {
        const m2m = field as unknown as ManyToManyField;
        const [source, target] = m2m.throughFields();
        const through = m2m.through();
        const link = this.#join(
          join,
          {
            meta: through,
            table: through.dbTable,
            parentColumn: meta.pk.column,
            column: source.column,
            nullable: true,
            multi: true,
          },
          reuse,
        );
        joins.push(link);
        multi = true;
        const remote = m2m.remote();
        const isField = (name: string | undefined) =>
          name !== undefined && (remote.findField(name) !== undefined || remote.findRelatedObject(name) !== undefined);
        if (options.allowTrim !== false && (last || !isField(parts[i + 1]))) {
          return { join: link, column: target.column, field: target, joins, rest: parts.slice(i + 1), multi };
        }
        if (options.allowTrim !== false && remote.findField(parts[i + 1]!) === remote.pk && !isField(parts[i + 2])) {
          return { join: link, column: target.column, field: target, joins, rest: parts.slice(i + 2), multi };
        }
        join = this.#join(
          link,
          {
            meta: remote,
            table: remote.dbTable,
            parentColumn: target.column,
            column: remote.pk.column,
            nullable: true,
            multi: false,
          },
          reuse,
        );
        joins.push(join);
        meta = remote;
        continue;
      }
      if (field !== undefined) {
        // A forward ForeignKey or OneToOneField.
        const fk = field as unknown as ForeignKey;
        const target = fk.targetField();
        const remote = fk.remote();
        const isField = (name: string | undefined) =>
          name !== undefined && (remote.findField(name) !== undefined || remote.findRelatedObject(name) !== undefined);
        const nextName = last ? undefined : parts[i + 1]!;
        const next = nextName === undefined ? undefined : remote.findField(nextName);
        const nextIsTarget = next !== undefined && next === target;
        if (options.allowTrim !== false && (last || !isField(nextName))) {
          return { join, column: fk.column, field: fk, joins, rest: parts.slice(i + 1), multi };
        }
        if (options.allowTrim !== false && nextIsTarget && !isField(parts[i + 2])) {
          return { join, column: fk.column, field: fk, joins, rest: parts.slice(i + 2), multi };
        }
        join = this.#join(
          join,
          {
            meta: remote,
            table: remote.dbTable,
            parentColumn: fk.column,
            column: target.column,
            nullable: fk.null,
            multi: false,
          },
          reuse,
        );
        joins.push(join);
        meta = remote;
        if (last) return this.#finish(join, meta, joins, [], multi, fk);
        continue;
      }
      // A reverse relation: the other model's rows pointing here.
      const rel = related as RelatedObject;
      if (rel.manyToMany) {
        const m2m = rel.field as unknown as ManyToManyField;
        const [source, target] = m2m.throughFields();
        const through = m2m.through();
        const link = this.#join(
          join,
          {
            meta: through,
            table: through.dbTable,
            parentColumn: meta.pk.column,
            column: target.column,
            nullable: true,
            multi: true,
          },
          reuse,
        );
        joins.push(link);
        multi = true;
        const remote = rel.relatedModel;
        const isField = (name: string | undefined) =>
          name !== undefined && (remote.findField(name) !== undefined || remote.findRelatedObject(name) !== undefined);
        if (options.allowTrim !== false && (last || !isField(parts[i + 1]))) {
          return { join: link, column: source.column, field: source, joins, rest: parts.slice(i + 1), multi };
        }
        join = this.#join(
          link,
          {
            meta: remote,
            table: remote.dbTable,
            parentColumn: source.column,
            column: remote.pk.column,
            nullable: true,
            multi: false,
          },
          reuse,
        );
        joins.push(join);
        meta = remote;
        continue;
      }
      const fk = rel.field as unknown as ForeignKey;
      const remote = rel.relatedModel;
      if (!rel.oneToOne) multi = true;
      join = this.#join(
        join,
        {
          meta: remote,
          table: remote.dbTable,
          parentColumn: fk.targetField().column,
          column: fk.column,
          nullable: true,
          multi: !rel.oneToOne,
        },
        reuse,
      );
      joins.push(join);
      meta = remote;
    }
    return this.#finish(join, meta, joins, [], multi, undefined);
  }

  /** A path that ended on a model (not a column): its primary key. */
  #finish(
    join: Join,
    meta: Options,
    joins: Join[],
    rest: readonly string[],
    multi: boolean,
    via: AnyField | undefined,
  ): ResolvedPath {
    return { join, column: meta.pk.column, field: via ?? meta.pk, joins, rest, multi };
  }
}
