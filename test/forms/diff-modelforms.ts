/**
 * The ModelForms of the ModelForm differential test, declared as test/forms/modelforms_oracle.py
 * declares them for Django on the same models (test/forms/fixtures/library.ts), and the battery
 * of submissions they get. The database holds, for both: writers Ann (1) and Bob (2, born 1950),
 * genres Crime (1) and Poetry (2), the book Odes (1: slug odes, published, 80 pages, by Ann,
 * Poetry) and its chapter 1 (First), the books Drafty (2: a draft by Bob) and Elegies (3:
 * published, by Bob, Poetry), and the review 1 of Odes by Bob (slug first, title Great, code X1,
 * posted 2024-01-15, stamped 2024-03-01 10:00 UTC). Then the model formsets of the same models and their
 * submissions, compared on validity, each form's error codes, the non-form errors, the rows
 * after save() and the HTML.
 */
import { ModelForm, inlineformsetFactory, modelformsetFactory } from '../../src/forms/index.ts';
import { Book, Chapter, Genre, Review, Writer } from './fixtures/library.ts';

export const MODEL_FORMS = {
  Book: ModelForm.define(Book, { fields: ['title', 'slug', 'status', 'pages', 'published', 'author', 'genres'] }),
  Writer: ModelForm.define(Writer, { fields: '__all__' }),
  Chapter: ModelForm.define(Chapter, { fields: ['book', 'number', 'name'] }),
  Summary: ModelForm.define(Book, {
    exclude: ['genres', 'author', 'published'],
    labels: { title: 'Name of the book' },
    helpTexts: { summary: 'A line or two.' },
    errorMessages: { title: { required: 'Name it.' } },
  }),
  Review: ModelForm.define(Review, {
    fields: ['book', 'reviewer', 'genres', 'slug', 'title', 'code', 'posted', 'stamped'],
  }),
  ReviewUndated: ModelForm.define(Review, { fields: ['book', 'reviewer', 'slug', 'title', 'code'] }),
  ReviewMessages: ModelForm.define(Review, {
    fields: ['book', 'reviewer', 'slug', 'title', 'posted'],
    errorMessages: { slug: { unique_for_date: 'Taken that day.' }, reviewer: { invalid_choice: 'Not a reviewer.' } },
  }),
};

export interface ModelFormCase {
  form: keyof typeof MODEL_FORMS;
  data?: Record<string, string | string[]>;
  /** The primary key of the instance edited. */
  instance?: number;
  html?: boolean;
}

const book = { title: 'Sonnets', slug: 'sonnets', status: 'd', pages: '50', published: '', author: '1' };

const review = {
  book: '1',
  reviewer: '2',
  slug: 'second',
  title: 'Fine',
  code: 'Y',
  posted: '2024-01-15',
  stamped: '',
};

export const MODEL_FORM_CASES: ModelFormCase[] = [
  // Unbound: the fields drawn from the model, choices from the tables, the instance's values.
  { form: 'Book', html: true },
  { form: 'Book', instance: 1, html: true },
  { form: 'Writer', html: true },
  { form: 'Writer', instance: 2, html: true },
  { form: 'Chapter', html: true },
  { form: 'Summary', html: true },
  { form: 'Summary', instance: 1, html: true },
  // Creating.
  { form: 'Book', data: book, html: true },
  { form: 'Book', data: { ...book, genres: ['1', '2'] } },
  { form: 'Book', data: { ...book, published: '2020-02-29', status: 'p' } },
  { form: 'Book', data: { ...book, pages: '0' } },
  { form: 'Book', data: { ...book, pages: '-1' }, html: true },
  { form: 'Book', data: { ...book, pages: 'many' } },
  { form: 'Book', data: { ...book, pages: '' } },
  { form: 'Book', data: { ...book, title: '' } },
  { form: 'Book', data: { ...book, title: 'x'.repeat(41) } },
  { form: 'Book', data: { ...book, slug: 'not a slug' } },
  { form: 'Book', data: { ...book, status: 'z' } },
  { form: 'Book', data: { ...book, status: '' } },
  { form: 'Book', data: { ...book, published: '2021-02-30' } },
  { form: 'Book', data: { ...book, author: '' } },
  { form: 'Book', data: { ...book, author: '3' } },
  { form: 'Book', data: { ...book, author: 'ann' } },
  { form: 'Book', data: { ...book, author: '1.0' } },
  { form: 'Book', data: { ...book, genres: ['3'] } },
  { form: 'Book', data: { ...book, genres: ['x'] } },
  { form: 'Book', data: { ...book, genres: ['2', '2'] } },
  { form: 'Book', data: { ...book, genres: ['1', '9'] }, html: true },
  // The model's validation: clean(), unique together, the unique constraint.
  { form: 'Book', data: { ...book, title: 'Untitled', status: 'p' }, html: true },
  { form: 'Book', data: { ...book, title: 'Untitled', status: 'd' } },
  { form: 'Book', data: { ...book, title: 'Odes' }, html: true },
  { form: 'Book', data: { ...book, title: 'Odes', author: '2' } },
  { form: 'Book', data: { ...book, slug: 'odes', status: 'p' } },
  { form: 'Book', data: { ...book, slug: 'odes', status: 'd' } },
  { form: 'Book', data: { ...book, title: 'Odes', slug: 'odes', status: 'p' } },
  { form: 'Book', data: { ...book, title: 'Odes', pages: '-5' } },
  // Editing: the row itself is no clash.
  { form: 'Book', instance: 1, data: { ...book, title: 'Odes', slug: 'odes', status: 'p' } },
  { form: 'Book', instance: 1, data: { ...book, title: 'Odes II', slug: 'odes', status: 'p', genres: [] } },
  { form: 'Book', instance: 1, data: { ...book, title: '' } },
  // Unique fields and optional values.
  { form: 'Writer', data: { name: 'Ann' }, html: true },
  { form: 'Writer', data: { name: 'ann' } },
  { form: 'Writer', instance: 1, data: { name: 'Ann', born: '1900' } },
  { form: 'Writer', instance: 1, data: { name: 'Bob' } },
  { form: 'Writer', data: { name: 'Cleo', born: '' } },
  { form: 'Writer', data: { name: 'Cleo', born: '19x' } },
  { form: 'Writer', data: { name: '' } },
  { form: 'Writer', data: {} },
  // A ForeignKey and uniqueTogether over it.
  { form: 'Chapter', data: { book: '1', number: '1', name: 'Again' }, html: true },
  { form: 'Chapter', data: { book: '1', number: '2', name: 'Second' } },
  { form: 'Chapter', data: { book: '9', number: '1', name: 'Nowhere' } },
  { form: 'Chapter', data: { book: '', number: '', name: '' } },
  // Defaults, labels, help texts and messages from the Meta.
  { form: 'Summary', data: { title: '', slug: 's', summary: '', status: 'd', pages: '3' }, html: true },
  // (A new Book without an author cannot be saved: the Summary form edits the existing one.)
  { form: 'Summary', instance: 1, data: { title: 'T', slug: 's', summary: 'Short.', status: 'p', pages: '3' } },
  { form: 'Summary', instance: 1, data: { title: 'T', slug: 's', status: 'd' } },
  { form: 'Summary', instance: 1, data: { title: 'T', slug: 's', status: 'd', pages: '7' } },
  { form: 'Summary', instance: 1, data: { title: 'Odes', slug: 'odes', summary: 'Poems.', status: 'p', pages: '80' } },
  // limitChoicesTo: lookups (published books), a Q (writers with a birth year), a function across
  // a many-to-many relation (genres of published books, each once), in the options and the cleaning.
  { form: 'Review', html: true },
  { form: 'Review', instance: 1, html: true },
  { form: 'Review', data: { ...review, genres: ['2'] }, html: true },
  { form: 'Review', data: { ...review, book: '2' } },
  { form: 'Review', data: { ...review, book: '3' } },
  { form: 'Review', data: { ...review, reviewer: '1' } },
  { form: 'Review', data: { ...review, genres: ['1'] } },
  { form: 'Review', data: { ...review, genres: ['1', '2'] } },
  { form: 'ReviewMessages', data: { ...review, reviewer: '1' } },
  // uniqueForDate, uniqueForMonth, uniqueForYear: the same value on the same day, month, year.
  { form: 'Review', data: { ...review, slug: 'first' }, html: true },
  { form: 'Review', data: { ...review, slug: 'first', posted: '2024-01-16' } },
  { form: 'Review', data: { ...review, slug: 'first', posted: '2023-01-15' } },
  { form: 'Review', data: { ...review, title: 'Great', posted: '2024-01-31' } },
  { form: 'Review', data: { ...review, title: 'Great', posted: '2024-02-01' } },
  { form: 'Review', data: { ...review, title: 'Great', slug: 'first' } },
  { form: 'Review', data: { ...review, code: 'X1', stamped: '2024-12-31 23:00' } },
  { form: 'Review', data: { ...review, code: 'X1', stamped: '2025-01-01 00:00' } },
  { form: 'Review', data: { ...review, code: 'X1', stamped: '' } },
  { form: 'Review', data: { ...review, code: '', stamped: '2024-05-05 05:05' } },
  // The date invalid: no date checks. Editing the row itself: no clash.
  { form: 'Review', data: { ...review, slug: 'first', posted: '' } },
  { form: 'Review', data: { ...review, slug: 'first', posted: 'soon' } },
  {
    form: 'Review',
    instance: 1,
    data: { ...review, slug: 'first', title: 'Great', code: 'X1', stamped: '2024-03-01 10:00' },
  },
  // The date field not in the form: not checked (the default date is saved).
  { form: 'ReviewUndated', data: { book: '1', reviewer: '2', slug: 'first', title: 'Great', code: 'X1' } },
  { form: 'ReviewMessages', data: { ...review, slug: 'first' } },
];

export const MODEL_FORMSETS = {
  Genres: modelformsetFactory(Genre, { fields: ['name'], extra: 1, canDelete: true }),
  Writers: modelformsetFactory(Writer, { fields: ['name'], extra: 2 }),
  Chapters: inlineformsetFactory(Book, Chapter, { fields: ['number', 'name'], extra: 1 }),
};

export interface ModelFormsetCase {
  formset: keyof typeof MODEL_FORMSETS;
  data?: Record<string, string | string[]>;
  /** The parent book of the Chapters formset (none: a new book). */
  instance?: number;
  html?: boolean;
}

/** A formset's submission: its management form, then each form's fields. */
function submitted(prefix: string, initial: number, forms: Record<string, string>[]): Record<string, string> {
  const data: Record<string, string> = {
    [`${prefix}-TOTAL_FORMS`]: String(forms.length),
    [`${prefix}-INITIAL_FORMS`]: String(initial),
    [`${prefix}-MIN_NUM_FORMS`]: '0',
    [`${prefix}-MAX_NUM_FORMS`]: '1000',
  };
  forms.forEach((form, i) => {
    for (const [k, v] of Object.entries(form)) data[`${prefix}-${i}-${k}`] = v;
  });
  return data;
}

const crime = { id: '1', name: 'Crime' };
const poetry = { id: '2', name: 'Poetry' };
const ann = { id: '1', name: 'Ann' };
const bob = { id: '2', name: 'Bob' };
const first = { id: '1', book: '1', number: '1', name: 'First' };

export const MODEL_FORMSET_CASES: ModelFormsetCase[] = [
  { formset: 'Genres', html: true },
  { formset: 'Genres', data: submitted('form', 2, [crime, poetry, { id: '', name: '' }]) },
  { formset: 'Genres', data: submitted('form', 2, [crime, { id: '2', name: 'Verse' }, { id: '', name: 'Horror' }]) },
  { formset: 'Genres', data: submitted('form', 2, [{ ...crime, DELETE: 'on' }, poetry, { id: '', name: '' }]) },
  { formset: 'Genres', data: submitted('form', 2, [{ ...crime, name: '' }, poetry]), html: true },
  { formset: 'Genres', data: submitted('form', 2, [{ id: '99', name: 'Ghost' }, poetry]) },
  { formset: 'Genres', data: submitted('form', 2, [{ id: 'x', name: 'Ghost' }, poetry]) },
  { formset: 'Genres', data: submitted('form', 1, [{ id: '', name: 'No key' }]) },
  { formset: 'Genres', data: { 'form-0-name': 'Lost' } },
  { formset: 'Genres', data: submitted('form', 2, [crime, poetry, { id: '', name: 'New', DELETE: 'on' }]) },
  { formset: 'Writers', html: true },
  { formset: 'Writers', data: submitted('form', 2, [ann, bob, { id: '', name: 'Cleo' }, { id: '', name: 'Cleo' }]) },
  { formset: 'Writers', data: submitted('form', 2, [ann, bob, { id: '', name: 'Ann' }]) },
  { formset: 'Writers', data: submitted('form', 2, [{ ...ann, name: 'Bob' }, bob]) },
  { formset: 'Writers', data: submitted('form', 2, [{ ...ann, name: 'Ann Marie' }, bob, { id: '', name: 'Dee' }]) },
  { formset: 'Chapters', instance: 1, html: true },
  { formset: 'Chapters', html: true },
  {
    formset: 'Chapters',
    instance: 1,
    data: submitted('chapters', 1, [first, { id: '', book: '1', number: '2', name: 'Second' }]),
  },
  {
    formset: 'Chapters',
    instance: 1,
    data: submitted('chapters', 1, [first, { id: '', book: '1', number: '1', name: 'Again' }]),
  },
  {
    formset: 'Chapters',
    instance: 1,
    data: submitted('chapters', 1, [
      first,
      { id: '', book: '1', number: '3', name: 'Three' },
      { id: '', book: '1', number: '3', name: 'Tres' },
    ]),
  },
  { formset: 'Chapters', instance: 1, data: submitted('chapters', 1, [{ ...first, DELETE: 'on' }]) },
  { formset: 'Chapters', instance: 1, data: submitted('chapters', 1, [{ ...first, book: '2' }]) },
  { formset: 'Chapters', instance: 1, data: submitted('chapters', 1, [{ ...first, number: '-1' }]), html: true },
];
