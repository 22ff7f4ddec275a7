// limitChoicesTo and uniqueForDate/Month/Year on SQLite and PostgreSQL, in ModelForms and in the
// model's own validation (fullClean): the choices offered and accepted (lookups, a Q, a function
// read per form, across a many-to-many relation without duplicates), a ForeignKey's target that
// does not exist or is outside the limit, the date checks with Django's messages and codes, and
// what excludes them. Their answers are compared with Django 3.2's on SQLite by
// test/forms/modelforms-differential.test.ts (the Review cases).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { ValidationError } from '../../src/core/exceptions.ts';
import { withSchemaEditor } from '../../src/db/index.ts';
import { CASCADE, ForeignKey, Manager, Model } from '../../src/db/models/index.ts';
import type { ModelChoiceField } from '../../src/forms/index.ts';
import { ModelForm } from '../../src/forms/index.ts';
import { eachBackend } from '../db/helpers.ts';
import { Book, Genre, MODELS, Review, Writer } from './fixtures/library.ts';

let minimumPages = 0;

/** A limit read each time a form is made. */
class Loan extends Model.define(
  {
    book: new ForeignKey(() => Book, { onDelete: CASCADE, limitChoicesTo: () => ({ pages__gte: minimumPages }) }),
  },
  { appLabel: 'library' },
) {
  static override objects = new Manager(this);
}

const ReviewForm = ModelForm.define(Review, {
  fields: ['book', 'reviewer', 'genres', 'slug', 'title', 'code', 'posted', 'stamped'],
});
const LoanForm = ModelForm.define(Loan, { fields: ['book'] });

const date = (text: string) => Temporal.PlainDate.from(text);

function messages(error: unknown): Record<string, string[]> {
  assert.ok(error instanceof ValidationError, String(error));
  return error.messageDict;
}

function codes(error: unknown): Record<string, Array<string | undefined>> {
  assert.ok(error instanceof ValidationError, String(error));
  return Object.fromEntries(Object.entries(error.errorDict ?? {}).map(([k, v]) => [k, v.map((e) => e.code)]));
}

eachBackend('limitChoicesTo and uniqueForDate/Month/Year', () => {
  let ann: Writer;
  let bob: Writer;
  let odes: Book;
  let drafty: Book;
  let elegies: Book;
  let crime: Genre;
  let poetry: Genre;

  before(async () => {
    await withSchemaEditor(async (editor) => {
      for (const model of [...MODELS, Loan]) await editor.createModel(model);
    });
    ann = await Writer.objects.create({ name: 'Ann' });
    bob = await Writer.objects.create({ name: 'Bob', born: 1950 });
    crime = await Genre.objects.create({ name: 'Crime' });
    poetry = await Genre.objects.create({ name: 'Poetry' });
    odes = await Book.objects.create({ title: 'Odes', slug: 'odes', status: 'p', pages: 80, author: ann });
    drafty = await Book.objects.create({ title: 'Drafty', slug: 'drafty', status: 'd', pages: 300, author: bob });
    elegies = await Book.objects.create({ title: 'Elegies', slug: 'elegies', status: 'p', pages: 200, author: bob });
    await odes.genres.set([poetry]);
    await elegies.genres.set([poetry, crime]);
    await drafty.genres.set([crime]);
    await Review.objects.create({
      book: odes,
      reviewer: bob,
      slug: 'first',
      title: 'Great',
      code: 'X1',
      posted: date('2024-01-15'),
      stamped: Temporal.Instant.from('2024-03-01T10:00:00Z').toZonedDateTimeISO('UTC'),
    });
  });

  test('a ModelForm offers and accepts only the rows the limits allow, each once', async () => {
    const form = new ReviewForm();
    await form.loadChoices();
    const options = (name: string) =>
      (form.fields[name as keyof typeof form.fields] as unknown as ModelChoiceField).choices.map((c) => c[1]);
    assert.deepEqual(options('book'), ['---------', 'Elegies', 'Odes']);
    assert.deepEqual(options('reviewer'), ['---------', 'Bob']);
    // Crime is a genre of the published Elegies (and of the draft); Poetry of two published books.
    assert.deepEqual(options('genres'), ['Crime', 'Poetry']);

    const data = { book: String(drafty.id), reviewer: String(ann.id), slug: 's', title: 'T', posted: '2024-02-02' };
    const bound = new ReviewForm({ data });
    assert.equal(await bound.isValid(), false);
    assert.deepEqual(
      bound.errors.asData().book!.map((e) => e.code),
      ['invalid_choice'],
    );
    assert.deepEqual(
      bound.errors.asData().reviewer!.map((e) => e.code),
      ['invalid_choice'],
    );
    const good = new ReviewForm({ data: { ...data, book: String(elegies.id), reviewer: String(bob.id) } });
    assert.equal(await good.isValid(), true, JSON.stringify(good.errors.getJsonData()));
  });

  test('a function limit is read for each form, not once', async () => {
    minimumPages = 100;
    let form = new LoanForm();
    await form.loadChoices();
    assert.deepEqual(
      (form.fields.book as unknown as ModelChoiceField).choices.map((c) => c[1]),
      ['---------', 'Drafty', 'Elegies'],
    );
    minimumPages = 250;
    form = new LoanForm({ data: { book: String(elegies.id) } });
    assert.equal(await form.isValid(), false);
    form = new LoanForm({ data: { book: String(drafty.id) } });
    assert.equal(await form.isValid(), true);
    minimumPages = 0;
  });

  test("fullClean(): a ForeignKey's target must exist within its limit (Django's ForeignKey.validate)", async () => {
    const review = new Review({ book: drafty, reviewer: bob, slug: 'x', title: 'X', posted: date('2024-05-05') });
    let error: unknown;
    await review.fullClean().catch((e: unknown) => (error = e));
    assert.deepEqual(messages(error), { book: [`book instance with id ${drafty.id} does not exist.`] });
    assert.deepEqual(codes(error), { book: ['invalid'] });

    const missing = new Review({ bookId: 999, reviewerId: ann.id, slug: 'x', title: 'X', posted: date('2024-05-05') });
    error = undefined;
    await missing.fullClean().catch((e: unknown) => (error = e));
    assert.deepEqual(messages(error), {
      book: ['book instance with id 999 does not exist.'],
      reviewer: [`writer instance with id ${ann.id} does not exist.`],
    });
    // Excluded fields are not checked; a valid review passes.
    await missing.fullClean({ exclude: ['book', 'reviewer'] });
    await new Review({ book: odes, reviewer: bob, slug: 'y', title: 'Y', posted: date('2024-05-05') }).fullClean();
  });

  test('fullClean(): uniqueForDate, uniqueForMonth and uniqueForYear, with Django’s messages', async () => {
    const clash = new Review({
      book: odes,
      reviewer: bob,
      slug: 'first',
      title: 'Great',
      code: 'X1',
      posted: date('2024-01-31'),
      stamped: Temporal.Instant.from('2024-12-31T23:00:00Z').toZonedDateTimeISO('UTC'),
    });
    let error: unknown;
    await clash.fullClean().catch((e: unknown) => (error = e));
    // Another day of the same month: the slug may repeat, the title may not.
    assert.deepEqual(messages(error), {
      title: ['Title must be unique for Posted month.'],
      code: ['Code must be unique for Stamped year.'],
    });
    assert.deepEqual(codes(error), { title: ['unique_for_date'], code: ['unique_for_date'] });

    clash.posted = date('2024-01-15');
    error = undefined;
    await clash.fullClean().catch((e: unknown) => (error = e));
    assert.deepEqual(Object.keys(messages(error)), ['slug', 'title', 'code']);
    assert.deepEqual(messages(error).slug, ['Slug must be unique for Posted date.']);

    // Excluding the date field (or the field) leaves its checks out; no date, no check.
    await clash.validateUnique(['posted', 'stamped']);
    await clash.validateUnique(['slug', 'title', 'code']);
    clash.stamped = null;
    error = undefined;
    await clash.validateUnique(['posted']).catch((e: unknown) => (error = e));
    assert.equal(error, undefined);

    // An aware datetime's year is taken where the lookups compare, TIME_ZONE (UTC here): New
    // Year's 00:30 in Paris is still 2024 there.
    clash.stamped = Temporal.ZonedDateTime.from('2025-01-01T00:30:00+01:00[Europe/Paris]');
    error = undefined;
    await clash.validateUnique(['posted']).catch((e: unknown) => (error = e));
    assert.deepEqual(messages(error), { code: ['Code must be unique for Stamped year.'] });
    clash.stamped = Temporal.ZonedDateTime.from('2024-12-31T23:30:00-05:00[America/New_York]');
    await clash.validateUnique(['posted']);

    // The row itself is no clash.
    const saved = await Review.objects.get({ slug: 'first' });
    await saved.fullClean();
  });
});
