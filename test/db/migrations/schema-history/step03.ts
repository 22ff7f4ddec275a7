// Step 3: relations: a foreign key, a foreign key to its own model, a many-to-many. The same models as test/db/django/schema_history/step_03.py.
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

export class Author extends Model.define({
  name: new CharField({ maxLength: 100 }),
  email: new CharField({ maxLength: 100 }),
  country: new CharField({ maxLength: 2, default: 'FR' }),
  mentor: new ForeignKey('self', { onDelete: SET_NULL, null: true }),
}) {}

export class Tag extends Model.define({
  name: new CharField({ maxLength: 50 }),
}) {}

export class Book extends Model.define({
  title: new CharField({ maxLength: 200 }),
  pages: new IntegerField({ null: true }),
  in_print: new BooleanField({ default: true }),
  rating: new IntegerField({ default: 3 }),
  author: new ForeignKey(() => Author, { onDelete: CASCADE, null: true }),
  tags: new ManyToManyField(() => Tag),
}) {}
