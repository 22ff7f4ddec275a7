// Step 1: three models. The same models as test/db/django/schema_history/step_01.py.
import { CharField, IntegerField, Model } from 'tsgi/db/models';

export class Author extends Model.define({
  name: new CharField({ maxLength: 100 }),
  email: new CharField({ maxLength: 100 }),
}) {}

export class Tag extends Model.define({
  name: new CharField({ maxLength: 50 }),
}) {}

export class Book extends Model.define({
  title: new CharField({ maxLength: 200 }),
  pages: new IntegerField({ null: true }),
}) {}
