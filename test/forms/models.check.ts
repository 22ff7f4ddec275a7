// Type-level tests of ModelForm and the queryset choice fields, compiled by `npm run typecheck`
// (never run): a ModelForm's cleanedData is typed from the model's fields, a ModelChoiceField's
// from its queryset.
import type { Temporal } from 'temporal-polyfill';
import {
  Form,
  ModelChoiceField,
  ModelForm,
  ModelMultipleChoiceField,
  CharField,
  modelformFactory,
  type BoundField,
} from '../../src/forms/index.ts';
import type { Field } from '../../src/forms/fields/base.ts';
import { Book, Genre, Writer } from './fixtures/library.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expect<T extends true>(_: T): void {}

class BookForm extends ModelForm.define(Book, { fields: ['title', 'pages', 'published', 'author'] }) {}
const form = new BookForm({ instance: new Book() });
expect<Equal<typeof form.cleanedData.title, string>>(true);
expect<Equal<typeof form.cleanedData.pages, number>>(true);
expect<Equal<typeof form.cleanedData.published, Temporal.PlainDate | null>>(true);
expect<Equal<typeof form.cleanedData.author, Writer>>(true);
expect<Equal<typeof form.instance, Book>>(true);
expect<Equal<typeof form.title, BoundField<Field<string>>>>(true);
// @ts-expect-error -- not a field of the form
void form.cleanedData.slug;
// @ts-expect-error -- not a field of Book
void ModelForm.define(Book, { fields: ['title', 'nope'] });

const Extended = ModelForm.define(Writer, { fields: ['name'] }).define({ note: new CharField() });
const extended = new Extended();
expect<Equal<typeof extended.cleanedData.name, string>>(true);
expect<Equal<typeof extended.cleanedData.note, string>>(true);
void extended;

const factory = new (modelformFactory(Genre, { fields: ['name'] }))();
expect<Equal<typeof factory.cleanedData.name, string>>(true);
void factory;

class Choices extends Form.define({
  author: new ModelChoiceField({ queryset: Writer.objects }),
  maybe: new ModelChoiceField({ queryset: Writer.objects.all(), required: false }),
  genres: new ModelMultipleChoiceField({ queryset: Genre.objects }),
}) {}
const choices = new Choices();
expect<Equal<typeof choices.cleanedData.author, Writer>>(true);
expect<Equal<typeof choices.cleanedData.maybe, Writer | null>>(true);
expect<Equal<typeof choices.cleanedData.genres, Genre[]>>(true);
void choices;
