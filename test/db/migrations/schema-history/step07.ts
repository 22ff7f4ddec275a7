// Step 7: nullability: pages becomes NOT NULL (its NULLs take the default), email nullable. The same models as test/db/django/schema_history/step_07.py.
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
  email: new CharField({ maxLength: 100, null: true }),
  country: new CharField({ maxLength: 2, default: 'FR' }),
  mentor: new ForeignKey('self', { onDelete: SET_NULL, null: true }),
}) {}

export class Label extends Model.define({
  name: new CharField({ maxLength: 50 }),
}) {}

export class Book extends Model.define({
  heading: new CharField({ maxLength: 200 }),
  pages: new IntegerField({ default: 0 }),
  in_print: new BooleanField({ default: true }),
  rating: new IntegerField({ default: 3 }),
  author: new ForeignKey(() => Writer, { onDelete: CASCADE, null: true }),
  tags: new ManyToManyField(() => Label),
}) {}
