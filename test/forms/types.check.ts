// Type-level tests of tsgi/forms, compiled by `npm run typecheck` (never run): a form's
// cleanedData is typed from its declared fields.
import type { Temporal } from 'temporal-polyfill';
import {
  BooleanField,
  CharField,
  DateField,
  DateTimeField,
  DecimalField,
  FileField,
  Form,
  IntegerField,
  JSONField,
  MultipleChoiceField,
  NullBooleanField,
  TypedChoiceField,
  UUIDField,
  type BoundField,
} from '../../src/forms/index.ts';
import type { UploadedFile } from '../../src/core/files/uploadedfile.ts';
import type { Decimal } from '../../src/utils/decimal.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expect<T extends true>(_: T): void {}

class Article extends Form.define({
  title: new CharField({ maxLength: 10 }),
  subtitle: new CharField({ required: false, emptyValue: null }),
  views: new IntegerField(),
  rank: new IntegerField({ required: false }),
  price: new DecimalField({ maxDigits: 5, decimalPlaces: 2 }),
  published: new BooleanField({ required: false }),
  reviewed: new NullBooleanField(),
  day: new DateField(),
  at: new DateTimeField({ required: false }),
  tags: new MultipleChoiceField({ choices: [['a', 'A']] }),
  level: new TypedChoiceField({ coerce: Number, choices: [[1, 'One']] }),
  ref: new UUIDField({ required: false }),
  meta: new JSONField<{ a: number }>(),
  file: new FileField(),
  attachment: new FileField({ required: false }),
}) {}

const form = new Article();
const data = form.cleanedData;
void data;
expect<Equal<typeof data.title, string>>(true);
expect<Equal<typeof data.subtitle, string | null>>(true);
expect<Equal<typeof data.views, number>>(true);
expect<Equal<typeof data.rank, number | null>>(true);
expect<Equal<typeof data.price, Decimal>>(true);
expect<Equal<typeof data.published, boolean>>(true);
expect<Equal<typeof data.day, Temporal.PlainDate>>(true);
expect<Equal<typeof data.at, Temporal.ZonedDateTime | null>>(true);
expect<Equal<typeof data.tags, string[]>>(true);
expect<Equal<typeof data.level, number | ''>>(true);
expect<Equal<typeof data.meta, { a: number }>>(true);
expect<Equal<typeof data.file, UploadedFile>>(true);
expect<Equal<typeof data.attachment, UploadedFile | false | null>>(true);

// Declared fields are BoundFields on the form; the form's own members stay its own.
const bound: BoundField = form.title;
void bound;
// @ts-expect-error no such field
void form.nope;

// A subclass of a defined form keeps the types and adds fields with define().
class Longer extends Article.define({ extra: new IntegerField({ required: false }) }) {
  cleanTitle(value: string): string {
    return value.trim();
  }
}
const longer = new Longer();
expect<Equal<typeof longer.cleanedData.extra, number | null>>(true);
expect<Equal<typeof longer.cleanedData.title, string>>(true);
void longer.cleanTitle('x');
