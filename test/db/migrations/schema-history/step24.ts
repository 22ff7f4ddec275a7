// Step 24: the model with every kind of column deleted, the decimal removed. The same models as test/db/django/schema_history/step_24.py.
import {
  CASCADE,
  CharField,
  ForeignKey,
  Index,
  IntegerField,
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

export class Volume extends Model.define(
  {
    heading: new CharField({ maxLength: 255, dbIndex: true }),
    pages: new IntegerField({ default: 0 }),
    rating: new PositiveIntegerField({ default: 3 }),
    writer: new ForeignKey(() => Writer, { onDelete: CASCADE, default: 1 }),
  },
  {
    indexes: [new Index({ fields: ['rating', '-pages'] })],
    constraints: [new UniqueConstraint({ fields: ['heading', 'writer'], name: 'unique_heading_author' })],
  },
) {}
