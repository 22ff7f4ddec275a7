// Step 19: uniqueTogether emptied, dbTable back to the default, an index and a check constraint removed. The same models as test/db/django/schema_history/step_19.py.
import {
  CASCADE,
  CharField,
  ForeignKey,
  Index,
  IntegerField,
  ManyToManyField,
  Model,
  PositiveIntegerField,
  SET_NULL,
  UniqueConstraint,
} from 'tsgi/db/models';

export class Writer extends Model.define({
  full_name: new CharField({ maxLength: 100 }),
  email: new CharField({ maxLength: 100, null: true, unique: true }),
  nation: new CharField({ maxLength: 2, default: 'FR' }),
  mentor: new ForeignKey('self', { onDelete: SET_NULL, null: true }),
}) {}

export class Shelf extends Model.define({
  name: new CharField({ maxLength: 30, unique: true }),
  owner: new ForeignKey(() => Writer, { onDelete: CASCADE, null: true }),
}) {}

export class Volume extends Model.define(
  {
    heading: new CharField({ maxLength: 255, dbIndex: true }),
    pages: new IntegerField({ default: 0 }),
    rating: new PositiveIntegerField({ default: 3 }),
    writer: new ForeignKey(() => Writer, { onDelete: CASCADE, default: 1 }),
    shelves: new ManyToManyField(() => Shelf),
  },
  {
    indexes: [new Index({ fields: ['rating', '-pages'] })],
    constraints: [new UniqueConstraint({ fields: ['heading', 'writer'], name: 'unique_heading_author' })],
  },
) {}
