// modelformsetFactory and inlineformsetFactory on SQLite and PostgreSQL: one form per row (its
// key hidden) plus extra forms, drawn once the rows are read; save() updates the changed rows,
// creates the filled extra ones and deletes those marked; unique values checked across the forms
// and against the database; a tampered key is refused; an inline formset edits one parent's rows.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withSchemaEditor } from '../../src/db/index.ts';
import { inlineformsetFactory, modelformsetFactory } from '../../src/forms/index.ts';
import { eachBackend } from '../db/helpers.ts';
import { Book, Chapter, Genre, MODELS, Writer } from './fixtures/library.ts';

/** The submitted data of a formset: its management form, then each form's fields. */
function post(prefix: string, forms: Record<string, string>[], initial: number): Record<string, string> {
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

eachBackend('model formsets', () => {
  before(async () => {
    await withSchemaEditor(async (editor) => {
      for (const model of MODELS) await editor.createModel(model);
    });
  });

  test('modelformsetFactory: a form per row with its key hidden, extra forms; drawing needs the rows read', async () => {
    await Genre.objects.create({ name: 'Crime' });
    await Genre.objects.create({ name: 'Poetry' });
    const GenreFormSet = modelformsetFactory(Genre, { fields: ['name'], extra: 1 });
    const formset = new GenreFormSet();
    assert.throws(() => formset.forms, /The rows of GenreFormSet were not read yet: call `await formset\.isValid\(\)`/);
    await formset.loadChoices();
    assert.equal(formset.forms.length, 3);
    const html = formset.asP().value;
    assert.match(html, /name="form-TOTAL_FORMS" value="3"/);
    assert.match(html, /name="form-INITIAL_FORMS" value="2"/);
    assert.match(html, /<input type="text" name="form-0-name" value="Crime" maxlength="30" id="id_form-0-name">/);
    const crime = await Genre.objects.get({ name: 'Crime' });
    assert.match(html, new RegExp(`<input type="hidden" name="form-0-id" value="${crime.id}" id="id_form-0-id">`));
    assert.match(html, /<input type="hidden" name="form-2-id" id="id_form-2-id">/);
  });

  test('save(): changed rows updated, filled extra forms created, marked ones deleted, unchanged left alone', async () => {
    await Genre.objects.all().delete();
    const a = await Genre.objects.create({ name: 'A' });
    const b = await Genre.objects.create({ name: 'B' });
    const c = await Genre.objects.create({ name: 'C' });
    const GenreFormSet = modelformsetFactory(Genre, { fields: ['name'], extra: 2, canDelete: true });
    const formset = new GenreFormSet({
      data: post(
        'form',
        [
          { id: String(a.id), name: 'A' },
          { id: String(b.id), name: 'B2' },
          { id: String(c.id), name: 'C', DELETE: 'on' },
          { id: '', name: 'D' },
          { id: '', name: '' },
        ],
        3,
      ),
    });
    assert.equal(await formset.isValid(), true, JSON.stringify(formset.errors.map((e) => e.getJsonData())));
    const saved = (await formset.save()) as Genre[];
    assert.deepEqual(
      saved.map((g) => g.name),
      ['B2', 'D'],
    );
    assert.deepEqual(
      formset.changedObjects.map(([g, fields]) => [(g as Genre).name, fields]),
      [['B2', ['name']]],
    );
    assert.deepEqual(
      formset.deletedObjects.map((g) => (g as Genre).name),
      ['C'],
    );
    assert.deepEqual(
      formset.newObjects.map((g) => (g as Genre).name),
      ['D'],
    );
    assert.deepEqual(
      (await Genre.objects.all()).map((g) => g.name),
      ['A', 'B2', 'D'],
    );
  });

  test('a key that is not one of the rows is refused; a missing required value is a form error', async () => {
    const GenreFormSet = modelformsetFactory(Genre, { fields: ['name'], extra: 0 });
    const tampered = new GenreFormSet({
      queryset: Genre.objects.filter({ name: 'A' }),
      data: post('form', [{ id: '999999', name: 'X' }], 1),
    });
    assert.equal(await tampered.isValid(), false);
    assert.deepEqual(
      tampered.errors.map((e) =>
        Object.fromEntries(Object.entries(e.asData()).map(([k, v]) => [k, v.map((x) => x.code)])),
      ),
      [{ id: ['invalid_choice'] }],
    );
    const a = await Genre.objects.get({ name: 'A' });
    const empty = new GenreFormSet({ data: post('form', [{ id: String(a.id), name: '' }], 1) });
    assert.equal(await empty.isValid(), false);
    assert.equal(empty.errors[0]!.get('name')!.at(0), 'This field is required.');
  });

  test('unique values are checked across the forms and against the database', async () => {
    await Writer.objects.create({ name: 'Existing' });
    const WriterFormSet = modelformsetFactory(Writer, { fields: ['name'], extra: 2 });
    const twice = new WriterFormSet({
      queryset: Writer.objects.none(),
      data: post('form', [{ name: 'Same' }, { name: 'Same' }], 0),
    });
    assert.equal(await twice.isValid(), false);
    assert.equal(twice.nonFormErrors().at(0), 'Please correct the duplicate data for name.');
    assert.equal(twice.errors[1]!.get('__all__')!.at(0), 'Please correct the duplicate values below.');
    const clash = new WriterFormSet({ queryset: Writer.objects.none(), data: post('form', [{ name: 'Existing' }], 0) });
    assert.equal(await clash.isValid(), false);
    assert.equal(clash.errors[0]!.get('name')!.at(0), 'Writer with this Full name already exists.');
  });

  test('inlineformsetFactory: the rows of one parent; new rows get the parent; uniqueTogether with the parent is checked', async () => {
    const ann = await Writer.objects.create({ name: 'Ann' });
    const book = await Book.objects.create({ title: 'Chaptered', slug: 'chaptered', author: ann });
    const other = await Book.objects.create({ title: 'Other', slug: 'other', author: ann });
    await Chapter.objects.create({ book: other, number: 1, name: 'Elsewhere' });
    const one = await Chapter.objects.create({ book, number: 1, name: 'One' });
    const ChapterFormSet = inlineformsetFactory(Book, Chapter, { fields: ['number', 'name'], extra: 1 });
    const unbound = new ChapterFormSet({ instance: book });
    assert.equal(unbound.prefix, 'chapters');
    await unbound.loadChoices();
    assert.equal(unbound.forms.length, 2);
    const html = unbound.asP().value;
    assert.match(html, /name="chapters-0-name" value="One"/);
    assert.doesNotMatch(html, /Elsewhere/);
    assert.match(
      html,
      new RegExp(`<input type="hidden" name="chapters-0-book" value="${book.id}" id="id_chapters-0-book">`),
    );
    assert.match(html, /name="chapters-0-DELETE"/);
    // A formset whose forms have a select of rows draws its empty form once loaded.
    const BookFormSet = modelformsetFactory(Book, { fields: ['title', 'author'], extra: 0 });
    const books = new BookFormSet({ queryset: Book.objects.none() });
    await books.loadChoices();
    assert.match(
      books.emptyForm.asP().value,
      new RegExp(`<select name="form-__prefix__-author" id="id_form-__prefix__-author">`),
    );
    assert.match(books.emptyForm.asP().value, new RegExp(`<option value="${ann.id}">Ann</option>`));

    const formset = new ChapterFormSet({
      instance: book,
      data: post(
        'chapters',
        [
          { id: String(one.id), book: String(book.id), number: '1', name: 'One, revised' },
          { id: '', book: String(book.id), number: '2', name: 'Two' },
        ],
        1,
      ),
    });
    assert.equal(await formset.isValid(), true, JSON.stringify(formset.errors.map((e) => e.getJsonData())));
    await formset.save();
    assert.deepEqual(
      (await Chapter.objects.filter({ book }).orderBy('number')).map((c) => [c.number, c.name]),
      [
        [1, 'One, revised'],
        [2, 'Two'],
      ],
    );

    const dup = new ChapterFormSet({
      instance: book,
      data: post('chapters', [{ id: '', book: String(book.id), number: '2', name: 'Again' }], 0),
    });
    assert.equal(await dup.isValid(), false);
    assert.equal(dup.errors[0]!.get('__all__')!.at(0), 'Chapter with this Book and Number already exists.');

    const wrongParent = new ChapterFormSet({
      instance: book,
      data: post('chapters', [{ id: '', book: String(other.id), number: '9', name: 'Moved' }], 0),
    });
    assert.equal(await wrongParent.isValid(), false);
    assert.equal(wrongParent.errors[0]!.get('book')!.at(0), 'The inline value did not match the parent instance.');
  });

  test('an inline formset of a parent not saved yet: no rows; saving after the parent links the new rows', async () => {
    const ann = await Writer.objects.get({ name: 'Ann' });
    const ChapterFormSet = inlineformsetFactory(Book, Chapter, { fields: ['number', 'name'], extra: 2 });
    const book = new Book({ title: 'Fresh', slug: 'fresh', author: ann });
    const formset = new ChapterFormSet({
      instance: book,
      data: post(
        'chapters',
        [
          { number: '1', name: 'Start' },
          { number: '', name: '' },
        ],
        0,
      ),
    });
    assert.equal(await formset.isValid(), true, JSON.stringify(formset.errors.map((e) => e.getJsonData())));
    await book.save();
    await formset.save();
    assert.deepEqual(
      (await Chapter.objects.filter({ book })).map((c) => c.name),
      ['Start'],
    );
  });

  test('factories refuse what Django refuses', () => {
    assert.throws(
      () => modelformsetFactory(Genre, {}),
      /Calling modelformsetFactory without defining 'fields' or 'exclude' explicitly is prohibited\./,
    );
    assert.throws(
      () => inlineformsetFactory(Writer, Genre, { fields: ['name'] }),
      /'library\.Genre' has no ForeignKey to 'library\.Writer'\./,
    );
  });
});
