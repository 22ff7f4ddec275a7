// Step 5: a model renamed (Author to Writer; the relations to it follow). The same models as test/db/django/schema_history/step_05.py.
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

export class Tag extends Model.define({
  name: new CharField({ maxLength: 50 }),
}) {}

export class Book extends Model.define({
  heading: new CharField({ maxLength: 200 }),
  pages: new IntegerField({ null: true }),
  in_print: new BooleanField({ default: true }),
  rating: new IntegerField({ default: 3 }),
  author: new ForeignKey(() => Writer, { onDelete: CASCADE, null: true }),
  tags: new ManyToManyField(() => Tag),
}) {}
