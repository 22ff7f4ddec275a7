/**
 * `Q`: filters combined with `&` (and), `|` (or) and `~` (not), as Django's `Q` objects.
 * JavaScript has no operator overloading: the operators are methods (`and`, `or`, `not`), and
 * `Q.and()` / `Q.or()` combine lists.
 *
 * @example
 * Post.objects.filter(Q({ title__icontains: 'orm' }).or({ body__icontains: 'orm' }));
 * Post.objects.filter(Q({ published: true }).and(Q({ author__name: 'Ann' }).not()));
 */

/** A filter object: lookups (`title__icontains`) to values. */
export type LookupObject = Readonly<Record<string, unknown>>;

export type QChild = QNode | readonly [lookup: string, value: unknown];

/** A filter tree node (what `Q()` makes). */
export class QNode {
  readonly connector: 'AND' | 'OR';
  readonly negated: boolean;
  readonly children: readonly QChild[];

  constructor(
    lookups: LookupObject | QNode = {},
    options: { connector?: 'AND' | 'OR'; negated?: boolean; children?: readonly QChild[] } = {},
  ) {
    this.connector = options.connector ?? 'AND';
    this.negated = options.negated ?? false;
    if (options.children !== undefined) this.children = options.children;
    else if (lookups instanceof QNode) this.children = [lookups];
    else this.children = lookupEntries(lookups);
  }

  #combine(other: QNode | LookupObject, connector: 'AND' | 'OR'): QNode {
    const right = other instanceof QNode ? other : new QNode(other);
    if (right.children.length === 0 && !right.negated) return this;
    if (this.children.length === 0 && !this.negated) return right;
    return new QNode({}, { connector, children: [this, right] });
  }

  /** Both this and `other` (Django's `&`). */
  and(other: QNode | LookupObject): QNode {
    return this.#combine(other, 'AND');
  }

  /** This or `other` (Django's `|`). */
  or(other: QNode | LookupObject): QNode {
    return this.#combine(other, 'OR');
  }

  /** The negation (Django's `~`). */
  not(): QNode {
    return new QNode({}, { connector: this.connector, negated: !this.negated, children: this.children });
  }

  toString(): string {
    const inner = this.children
      .map((c) => (c instanceof QNode ? c.toString() : `(${c[0]}, ${JSON.stringify(c[1]) ?? String(c[1])})`))
      .join(', ');
    return `<Q: (${this.negated ? 'NOT (' : ''}${this.connector}: ${inner}${this.negated ? ')' : ''})>`;
  }
}

/** The entries of a filter object, sorted by key as Django sorts keyword arguments (one shape per set of keys). */
export function lookupEntries(lookups: LookupObject): Array<readonly [string, unknown]> {
  const keys = Object.keys(lookups);
  if (keys.length > 1) keys.sort();
  return keys.map((key) => [key, lookups[key]] as const);
}

/** A filter tree: what `Q()` returns. */
export type Q = QNode;

/**
 * Builds a filter tree from lookups (Django's `Q(title='x')`); `Q.and(...)` and `Q.or(...)`
 * combine several.
 *
 * @example
 * Q({ title: 'x' }).or(Q({ title: 'y' }))
 * Q.or({ title: 'x' }, { title: 'y' })
 */
export const Q = Object.assign(
  (lookups: LookupObject | QNode = {}): QNode => (lookups instanceof QNode ? lookups : new QNode(lookups)),
  {
    /** All of `qs` (an empty list matches everything). */
    and: (...qs: Array<QNode | LookupObject>): QNode => qs.reduce<QNode>((acc, q) => acc.and(q), new QNode()),
    /** Any of `qs`. */
    or: (...qs: Array<QNode | LookupObject>): QNode => qs.reduce<QNode>((acc, q) => acc.or(q), new QNode()),
  },
);
