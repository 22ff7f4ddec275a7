/**
 * `Manager.raw()`, as Django's RawQuerySet: SQL written by hand, its rows made into instances
 * (columns matched to fields by column or attribute name, `translations` renaming the others;
 * columns that are no field become attributes). Awaitable and async-iterable.
 */
import { connections, DEFAULT_DB_ALIAS } from '../connections.ts';
import { runStatement } from '../transaction.ts';
import { FROM_DB, instanceState } from './instance-state.ts';
import { getMeta, type ModelClassLike } from './options.ts';

export class RawQuerySet<T> implements PromiseLike<T[]>, AsyncIterable<T> {
  readonly model: ModelClassLike;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly #translations: Record<string, string>;
  readonly #using: string;
  #result: Promise<T[]> | undefined;

  constructor(
    model: ModelClassLike,
    sql: string,
    params: readonly unknown[],
    options: { translations?: Record<string, string>; using?: string },
  ) {
    this.model = model;
    this.sql = sql;
    this.params = params;
    this.#translations = options.translations ?? {};
    this.#using = options.using ?? DEFAULT_DB_ALIAS;
  }

  async #evaluate(): Promise<T[]> {
    const wrapper = connections.get(this.#using);
    const meta = getMeta(this.model);
    let n = 0;
    const sql = this.sql.replace(/%s/g, () => wrapper.ops.placeholder(++n));
    if (n !== this.params.length)
      throw new TypeError(`raw() got ${this.params.length} parameters for ${n} %s placeholders.`);
    const result = await runStatement(
      wrapper,
      sql,
      this.params.map((p) => wrapper.adaptValue(p)),
      { write: false },
    );
    const rows = result.rows as Array<Record<string, unknown>>;
    const byColumn = new Map(meta.concreteFields.flatMap((f) => [[f.column, f] as const, [f.attname, f] as const]));
    const Model = meta.model as unknown as new (init: typeof FROM_DB) => Record<string, unknown>;
    return rows.map((row) => {
      const instance = new Model(FROM_DB);
      const columns = Object.keys(row).map((c) => this.#translations[c] ?? c);
      if (!columns.some((c) => byColumn.get(c) === meta.pk)) {
        throw new TypeError(`Raw query must include the primary key (${meta.pk.column}).`);
      }
      Object.keys(row).forEach((column, i) => {
        const name = columns[i]!;
        const field = byColumn.get(name);
        const value = row[column];
        if (field === undefined) instance[name] = value;
        else {
          const convert = field.fromDbConverter(wrapper, typeof value === 'bigint');
          instance[field.attname] = convert === undefined || value === null ? value : convert(value);
        }
      });
      instanceState(instance).db = this.#using;
      return instance as unknown as T;
    });
  }

  then<A = T[], B = never>(
    onFulfilled?: ((rows: T[]) => A | PromiseLike<A>) | null,
    onRejected?: ((error: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return (this.#result ??= this.#evaluate()).then(onFulfilled, onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this;
  }

  toString(): string {
    return `<RawQuerySet: ${this.sql}>`;
  }
}
