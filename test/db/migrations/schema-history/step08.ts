// Step 8: types: a longer varchar, a positive integer (with its CHECK), varchar to text. The same models as test/db/django/schema_history/step_08.py.
import {
  BooleanField,
  CASCADE,
  CharField,
  ForeignKey,
  IntegerField,
  ManyToManyField,
  Model,
  PositiveIntegerField,
  SET_NULL,
  TextField,
} from 'tsgi/db/models';

export class Writer extends Model.define({
  full_name: new CharField({ maxLength: 100 }),
  email: new CharField({ maxLength: 100, null: true }),
  country: new CharField({ maxLength: 2, default: 'FR' }),
  mentor: new ForeignKey('self', { onDelete: SET_NULL, null: true }),
}) {}

export class Label extends Model.define({
  name: new TextField(),
}) {}

export class Book extends Model.define({
  heading: new CharField({ maxLength: 255 }),
  pages: new IntegerField({ default: 0 }),
  in_print: new BooleanField({ default: true }),
  rating: new PositiveIntegerField({ default: 3 }),
  author: new ForeignKey(() => Writer, { onDelete: CASCADE, null: true }),
  tags: new ManyToManyField(() => Label),
}) {}
