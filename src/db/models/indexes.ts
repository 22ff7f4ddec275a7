/**
 * `Index`, as Django's `django.db.models.Index`: an index of a model's fields, declared in its
 * Meta (`indexes: [new Index({ fields: ['-published', 'title'], name: 'post_pub_idx' })]`),
 * created by the schema editor.
 */
export class Index {
  readonly fields: readonly string[];
  readonly name: string | undefined;
  /** A partial index: only rows matching this raw SQL condition (PostgreSQL and SQLite). */
  readonly condition: string | undefined;

  constructor(options: { fields: readonly string[]; name?: string; condition?: string }) {
    if (!Array.isArray(options?.fields) || options.fields.length === 0) {
      throw new TypeError('An index needs fields: new Index({ fields: [...], name }).');
    }
    if (options.name !== undefined && options.name.length > 30) {
      throw new TypeError(`Index names cannot be longer than 30 characters: '${options.name}'.`);
    }
    this.fields = options.fields;
    this.name = options.name;
    this.condition = options.condition;
  }
}
