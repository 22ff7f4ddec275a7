// Step 15: a new model with a OneToOneField, and a many-to-many to it. The same models as test/db/django/schema_history/step_15.py.
import {
  CASCADE,
  CharField,
  CheckConstraint,
  ForeignKey,
  Index,
  IntegerField,
  ManyToManyField,
  Model,
  OneToOneField,
  PositiveIntegerField,
  SET_NULL,
  UniqueConstraint,
} from 'tsgi/db/models';

export class Writer extends Model.define(
  {
    full_name: new CharField({ maxLength: 100 }),
    email: new CharField({ maxLength: 100, null: true, unique: true }),
    country: new CharField({ maxLength: 2, default: 'FR' }),
    mentor: new ForeignKey('self', { onDelete: SET_NULL, null: true }),
  },
  { uniqueTogether: [['full_name', 'country']], dbTable: 'writers' },
) {}

export class Shelf extends Model.define({
  name: new CharField({ maxLength: 30 }),
  owner: new OneToOneField(() => Writer, { onDelete: CASCADE, null: true }),
}) {}

export class Book extends Model.define(
  {
    heading: new CharField({ maxLength: 255, dbIndex: true }),
    pages: new IntegerField({ default: 0 }),
    rating: new PositiveIntegerField({ default: 3 }),
    author: new ForeignKey(() => Writer, { onDelete: CASCADE, null: true }),
    shelves: new ManyToManyField(() => Shelf),
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
