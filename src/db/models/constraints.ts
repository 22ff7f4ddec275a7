/**
 * Constraints, as Django's `django.db.models.constraints`: declared in a model's Meta and
 * created by the schema editor with the table.
 *
 * @example
 * constraints: [
 *   new UniqueConstraint({ fields: ['author', 'slug'], name: 'unique_author_slug' }),
 *   new CheckConstraint({ check: '"views" >= 0', name: 'views_positive' }),
 * ]
 */

/** Rows may not share these fields' values. */
export class UniqueConstraint {
  readonly fields: readonly string[];
  readonly name: string;
  /** Only among the rows matching this raw SQL condition (a partial unique index). */
  readonly condition: string | undefined;

  constructor(options: { fields: readonly string[]; name: string; condition?: string }) {
    if (!Array.isArray(options?.fields) || options.fields.length === 0)
      throw new TypeError('UniqueConstraint.fields must be a list of field names.');
    if (typeof options.name !== 'string' || options.name === '')
      throw new TypeError('A unique constraint must be named.');
    this.fields = options.fields;
    this.name = options.name;
    this.condition = options.condition;
  }
}

/** Each row must satisfy a condition, given as SQL over the table's columns. */
export class CheckConstraint {
  readonly check: string;
  readonly name: string;

  constructor(options: { check: string; name: string }) {
    if (typeof options?.check !== 'string' || options.check === '')
      throw new TypeError('CheckConstraint.check must be a SQL condition.');
    if (typeof options.name !== 'string' || options.name === '')
      throw new TypeError('A check constraint must be named.');
    this.check = options.check;
    this.name = options.name;
  }
}

export type Constraint = UniqueConstraint | CheckConstraint;
