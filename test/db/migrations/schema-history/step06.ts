// Step 6: the target of a many-to-many renamed (Tag to Label: the through table's column follows). The same models as test/db/django/schema_history/step_06.py.
import {
  BooleanField,
  CASCADE,
  CharField,
  ForeignKey,
  IntegerField,
  ManyToManyField,
  Model,
  SET_NULL,
} from 'tsgi/db/models';

export class Writer extends Model.define({
  full_name: new CharField({ maxLength: 100 }),
  email: new CharField({ maxLength: 100 }),
  country: new CharField({ maxLength: 2, default: 'FR' }),
  mentor: new ForeignKey('self', { onDelete: SET_NULL, null: true }),
}) {}

export class Label extends Model.define({
  name: new CharField({ maxLength: 50 }),
}) {}

export class Book extends Model.define({
  heading: new CharField({ maxLength: 200 }),
  pages: new IntegerField({ null: true }),
  in_print: new BooleanField({ default: true }),
  rating: new IntegerField({ default: 3 }),
  author: new ForeignKey(() => Writer, { onDelete: CASCADE, null: true }),
  tags: new ManyToManyField(() => Label),
}) {}
