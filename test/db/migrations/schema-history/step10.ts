// Step 10: constraints: a unique field, a UniqueConstraint, a CheckConstraint. The same models as test/db/django/schema_history/step_10.py.
import {
  BooleanField,
  CASCADE,
  CharField,
  CheckConstraint,
  ForeignKey,
  Index,
  IntegerField,
  ManyToManyField,
  Model,
  PositiveIntegerField,
  SET_NULL,
  TextField,
  UniqueConstraint,
} from 'tsgi/db/models';

export class Writer extends Model.define({
  full_name: new CharField({ maxLength: 100 }),
  email: new CharField({ maxLength: 100, null: true, unique: true }),
  country: new CharField({ maxLength: 2, default: 'FR' }),
  mentor: new ForeignKey('self', { onDelete: SET_NULL, null: true }),
}) {}

export class Label extends Model.define({
  name: new TextField(),
}) {}

export class Book extends Model.define(
  {
    heading: new CharField({ maxLength: 255, dbIndex: true }),
    pages: new IntegerField({ default: 0 }),
    in_print: new BooleanField({ default: true }),
    rating: new PositiveIntegerField({ default: 3 }),
    author: new ForeignKey(() => Writer, { onDelete: CASCADE, null: true }),
    tags: new ManyToManyField(() => Label),
  },
  {
    indexes: [
      new Index({ fields: ['author', '-heading'], name: 'book_author_heading_idx' }),
      new Index({ fields: ['rating', '-pages'] }),
    ],
    constraints: [
      new UniqueConstraint({ fields: ['heading', 'author'], name: 'unique_heading_author' }),
      new CheckConstraint({ check: '"pages" >= 0', name: 'pages_gte_0' }),
    ],
  },
) {}
