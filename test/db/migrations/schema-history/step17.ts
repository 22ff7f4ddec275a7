// Step 17: the model that owns a many-to-many renamed (its through table and column follow). The same models as test/db/django/schema_history/step_17.py.
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
    nation: new CharField({ maxLength: 2, default: 'FR' }),
    mentor: new ForeignKey('self', { onDelete: SET_NULL, null: true }),
  },
  { uniqueTogether: [['full_name', 'nation']], dbTable: 'writers' },
) {}

export class Shelf extends Model.define({
  name: new CharField({ maxLength: 30 }),
  owner: new OneToOneField(() => Writer, { onDelete: CASCADE, null: true }),
}) {}

export class Volume extends Model.define(
  {
    heading: new CharField({ maxLength: 255, dbIndex: true }),
    pages: new IntegerField({ default: 0 }),
    rating: new PositiveIntegerField({ default: 3 }),
    writer: new ForeignKey(() => Writer, { onDelete: CASCADE, null: true }),
    shelves: new ManyToManyField(() => Shelf),
  },
  {
    indexes: [
      new Index({ fields: ['writer', '-heading'], name: 'book_author_heading_idx' }),
      new Index({ fields: ['rating', '-pages'] }),
    ],
    constraints: [
      new UniqueConstraint({ fields: ['heading', 'writer'], name: 'unique_heading_author' }),
      new CheckConstraint({ check: '"pages" >= 0', name: 'pages_gte_0' }),
    ],
  },
) {}
