// Step 23: a partial index and a partial unique constraint (their conditions in SQL, where Django's are Q objects). The same models as test/db/django/schema_history/step_23.py.
import {
  BigAutoField,
  BigIntegerField,
  BinaryField,
  CASCADE,
  CharField,
  DateField,
  DateTimeField,
  Decimal,
  DecimalField,
  DurationField,
  EmailField,
  FloatField,
  ForeignKey,
  Index,
  IntegerField,
  JSONField,
  Model,
  PositiveIntegerField,
  SET_NULL,
  SlugField,
  TimeField,
  URLField,
  UUIDField,
  UniqueConstraint,
} from 'tsgi/db/models';

export class Writer extends Model.define({
  full_name: new CharField({ maxLength: 100 }),
  email: new CharField({ maxLength: 100, null: true, unique: true }),
  nation: new CharField({ maxLength: 2, default: 'FR' }),
  mentor: new ForeignKey('self', { onDelete: SET_NULL, null: true }),
  score: new DecimalField({ maxDigits: 5, decimalPlaces: 1, default: new Decimal('2.5') }),
}) {}

export class Stamp extends Model.define(
  {
    id: new BigAutoField({ primaryKey: true }),
    code: new CharField({ maxLength: 20, unique: true, dbColumn: 'the_code' }),
    token: new UUIDField({ null: true }),
    amount: new DecimalField({ maxDigits: 8, decimalPlaces: 3, default: 0 }),
    payload: new JSONField({ null: true }),
    created: new DateTimeField({ null: true }),
    day: new DateField({ null: true }),
    at: new TimeField({ null: true }),
    span: new DurationField({ null: true }),
    blob: new BinaryField({ null: true }),
    ratio: new FloatField({ default: 1.5 }),
    big: new BigIntegerField({ default: 0n }),
    small: new PositiveIntegerField({ default: 1 }),
    slug: new SlugField({ maxLength: 40, null: true }),
    mail: new EmailField({ null: true }),
    url: new URLField({ null: true }),
  },
  {
    indexes: [new Index({ fields: ['created'], name: 'stamp_created_idx', condition: '"created" IS NOT NULL' })],
    constraints: [new UniqueConstraint({ fields: ['slug'], condition: '"big" > 0', name: 'slug_if_big' })],
  },
) {}

export class Volume extends Model.define(
  {
    heading: new CharField({ maxLength: 255, dbIndex: true }),
    pages: new IntegerField({ default: 0 }),
    rating: new PositiveIntegerField({ default: 3 }),
    writer: new ForeignKey(() => Writer, { onDelete: CASCADE, default: 1 }),
    stamp: new ForeignKey(() => Stamp, { onDelete: SET_NULL, null: true, toField: 'code' }),
  },
  {
    indexes: [new Index({ fields: ['rating', '-pages'] })],
    constraints: [new UniqueConstraint({ fields: ['heading', 'writer'], name: 'unique_heading_author' })],
  },
) {}
