/**
 * The ModelForms of the ModelForm differential test, declared as test/forms/modelforms_oracle.py
 * declares them for Django on the same models (test/forms/fixtures/library.ts), and the battery
 * of submissions they get. The database holds, for both: writers Ann (1) and Bob (2, born 1950),
 * genres Crime (1) and Poetry (2), the book Odes (1: slug odes, published, 80 pages, by Ann,
 * Poetry) and its chapter 1 (First).
 */
import { ModelForm } from '../../src/forms/index.ts';
import { Book, Chapter, Writer } from './fixtures/library.ts';

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
};

export interface ModelFormCase {
  form: keyof typeof MODEL_FORMS;
  data?: Record<string, string | string[]>;
  /** The primary key of the instance edited. */
  instance?: number;
  html?: boolean;
}

const book = { title: 'Sonnets', slug: 'sonnets', status: 'd', pages: '50', published: '', author: '1' };

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
  { form: 'Chapter', data: { book: '2', number: '1', name: 'Nowhere' } },
  { form: 'Chapter', data: { book: '', number: '', name: '' } },
  // Defaults, labels, help texts and messages from the Meta.
  { form: 'Summary', data: { title: '', slug: 's', summary: '', status: 'd', pages: '3' }, html: true },
  // (A new Book without an author cannot be saved: the Summary form edits the existing one.)
  { form: 'Summary', instance: 1, data: { title: 'T', slug: 's', summary: 'Short.', status: 'p', pages: '3' } },
  { form: 'Summary', instance: 1, data: { title: 'T', slug: 's', status: 'd' } },
  { form: 'Summary', instance: 1, data: { title: 'T', slug: 's', status: 'd', pages: '7' } },
  { form: 'Summary', instance: 1, data: { title: 'Odes', slug: 'odes', summary: 'Poems.', status: 'p', pages: '80' } },
];
