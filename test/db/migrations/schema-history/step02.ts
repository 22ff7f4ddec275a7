// Step 2: fields added with a default (the existing rows get it). The same models as test/db/django/schema_history/step_02.py.
import { BooleanField, CharField, IntegerField, Model } from 'tsgi/db/models';

export class Author extends Model.define({
  name: new CharField({ maxLength: 100 }),
  email: new CharField({ maxLength: 100 }),
  country: new CharField({ maxLength: 2, default: 'FR' }),
}) {}

export class Tag extends Model.define({
  name: new CharField({ maxLength: 50 }),
}) {}

export class Book extends Model.define({
  title: new CharField({ maxLength: 200 }),
  pages: new IntegerField({ null: true }),
  in_print: new BooleanField({ default: true }),
  rating: new IntegerField({ default: 3 }),
}) {}
