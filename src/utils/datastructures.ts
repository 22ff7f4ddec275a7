/**
 * `MultiValueDict`, as Django's `django.utils.datastructures.MultiValueDict`: a map whose keys
 * may hold several values (form fields, query parameters, uploaded files). `get` answers the
 * last value, `getlist` all of them.
 */

/**
 * A map from a key to a list of values.
 *
 * Iteration yields `[key, lastValue]` pairs, as a JavaScript `Map` does (Django iterates keys).
 *
 * @example
 * const d = new MultiValueDict([['a', '1'], ['a', '2']]);
 * d.get('a');     // '2'
 * d.getlist('a'); // ['1', '2']
 */
export class MultiValueDict<V> implements Iterable<[string, V]> {
  protected store = new Map<string, V[]>();

  constructor(entries?: Iterable<readonly [string, V]> | Record<string, V | V[]>) {
    if (entries === undefined) return;
    if (Symbol.iterator in entries) {
      for (const [key, value] of entries as Iterable<readonly [string, V]>) this.#append(key, value);
    } else {
      for (const [key, value] of Object.entries(entries))
        this.store.set(key, Array.isArray(value) ? [...value] : [value]);
    }
  }

  #append(key: string, value: V): void {
    const list = this.store.get(key);
    if (list) list.push(value);
    else this.store.set(key, [value]);
  }

  /** Called before every change; QueryDict refuses changes when immutable. */
  protected assertMutable(): void {}

  /** The last value for the key, or `fallback` when the key is absent or has no values. */
  get(key: string): V | undefined;
  get<D>(key: string, fallback: D): V | D;
  get<D>(key: string, fallback?: D): V | D | undefined {
    const list = this.store.get(key);
    return list !== undefined && list.length > 0 ? list[list.length - 1]! : fallback;
  }

  /** Every value for the key (a copy), or `fallback` (an empty list) when absent. */
  getlist(key: string, fallback: V[] = []): V[] {
    const list = this.store.get(key);
    return list !== undefined ? [...list] : fallback;
  }

  has(key: string): boolean {
    return this.store.has(key);
  }

  /** Replaces the key's values with one value. */
  set(key: string, value: V): void {
    this.assertMutable();
    this.store.set(key, [value]);
  }

  setlist(key: string, values: Iterable<V>): void {
    this.assertMutable();
    this.store.set(key, [...values]);
  }

  appendlist(key: string, value: V): void {
    this.assertMutable();
    this.#append(key, value);
  }

  /** Sets the key to `value` unless present; returns the (last) value. */
  setdefault(key: string, value: V): V {
    if (!this.has(key)) this.set(key, value);
    return this.get(key) as V;
  }

  delete(key: string): boolean {
    this.assertMutable();
    return this.store.delete(key);
  }

  /** Removes the key and returns its values. */
  pop(key: string): V[] | undefined {
    this.assertMutable();
    const list = this.store.get(key);
    this.store.delete(key);
    return list;
  }

  clear(): void {
    this.assertMutable();
    this.store.clear();
  }

  /** Adds the values of another dict or of pairs (appending, as Django's `update`). */
  update(other: MultiValueDict<V> | Iterable<readonly [string, V]> | Record<string, V>): void {
    this.assertMutable();
    if (other instanceof MultiValueDict) {
      for (const [key, values] of other.store) for (const value of values) this.#append(key, value);
    } else if (Symbol.iterator in other) {
      for (const [key, value] of other as Iterable<readonly [string, V]>) this.#append(key, value);
    } else {
      for (const [key, value] of Object.entries(other)) this.#append(key, value);
    }
  }

  get size(): number {
    return this.store.size;
  }

  keys(): string[] {
    return [...this.store.keys()];
  }

  /** `[key, lastValue]` pairs. */
  items(): Array<[string, V]> {
    return [...this.store].map(([key, list]) => [key, list[list.length - 1]!]);
  }

  /** `[key, values]` pairs. */
  lists(): Array<[string, V[]]> {
    return [...this.store].map(([key, list]) => [key, [...list]]);
  }

  values(): V[] {
    return this.items().map(([, value]) => value);
  }

  /** A plain object of the last values (Django's `dict()`). */
  dict(): Record<string, V> {
    return Object.fromEntries(this.items());
  }

  [Symbol.iterator](): Iterator<[string, V]> {
    return this.items()[Symbol.iterator]();
  }
}
