// ModelChoiceField, ModelMultipleChoiceField and ModelForm on SQLite and PostgreSQL: choices read
// from querysets when the form is loaded, keys looked up when it is cleaned (Django's messages and
// codes), form fields made from model fields (types, labels, help texts, required, choices,
// widgets and Meta overrides), the model's validation (fields, clean(), unique, uniqueTogether,
// UniqueConstraint) reported on the form, and save() with many-to-many values and commit: false.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withSchemaEditor } from '../../src/db/index.ts';
import {
  CharField,
  Form,
  ModelChoiceField,
  ModelForm,
  ModelMultipleChoiceField,
  Textarea,
  TextInput,
  modelformFactory,
  type BaseForm,
} from '../../src/forms/index.ts';
import { eachBackend } from '../db/helpers.ts';
import { Book, Chapter, Genre, MODELS, mediaRoot, Scan, Writer } from './fixtures/library.ts';
import { InMemoryUploadedFile } from '../../src/core/files/uploadedfile.ts';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

function codes(form: BaseForm): Record<string, (string | undefined)[]> {
  return Object.fromEntries(Object.entries(form.errors.asData()).map(([k, v]) => [k, v.map((e) => e.code)]));
}

class BookForm extends ModelForm.define(Book, { fields: ['title', 'slug', 'status', 'pages', 'author', 'genres'] }) {}

eachBackend('model forms', () => {
  let ann: Writer;
  let bob: Writer;
  let poetry: Genre;
  let crime: Genre;

  before(async () => {
    await withSchemaEditor(async (editor) => {
      for (const model of MODELS) await editor.createModel(model);
    });
    ann = await Writer.objects.create({ name: 'Ann' });
    bob = await Writer.objects.create({ name: 'Bob', born: 1950 });
    poetry = await Genre.objects.create({ name: 'Poetry' });
    crime = await Genre.objects.create({ name: 'Crime' });
  });

  test('ModelChoiceField: options read by loadChoices(), drawing before is an error that says so', async () => {
    class F extends Form.define({ author: new ModelChoiceField({ queryset: Writer.objects }) }) {}
    const form = new F();
    assert.throws(
      () => form.asP(),
      /The choices of a ModelChoiceField of Writer come from a queryset and were not read yet: call `await form.loadChoices\(\)` before drawing the form/,
    );
    await form.loadChoices();
    assert.equal(
      form.author.toString(),
      `<select name="author" required id="id_author">\n  <option value="" selected>---------</option>\n\n  <option value="${ann.id}">Ann</option>\n\n  <option value="${bob.id}">Bob</option>\n\n</select>`,
    );
    // Each form reads the rows anew: a writer added since is offered.
    const carl = await Writer.objects.create({ name: 'Carl' });
    const again = new F({ initial: { author: bob } });
    await again.loadChoices();
    assert.match(again.author.toString(), new RegExp(`<option value="${bob.id}" selected>Bob</option>`));
    assert.match(again.author.toString(), /Carl/);
    await carl.delete();
  });

  test('ModelChoiceField: cleans a key to its row; other keys are invalid_choice with Django’s message', async () => {
    class F extends Form.define({
      author: new ModelChoiceField({ queryset: Writer.objects.filter({ born__isnull: true }) }),
      optional: new ModelChoiceField({ queryset: Writer.objects.all(), required: false }),
    }) {}
    const ok = new F({ data: { author: String(ann.id), optional: '' } });
    assert.equal(await ok.isValid(), true);
    assert.ok(ok.cleanedData.author instanceof Writer);
    assert.equal(ok.cleanedData.author.name, 'Ann');
    assert.equal(ok.cleanedData.optional, null);
    for (const bad of [String(bob.id), '99999', 'abc', '1.5', '99999999999999999999']) {
      const form = new F({ data: { author: bad } });
      assert.equal(await form.isValid(), false, bad);
      assert.deepEqual(codes(form), { author: ['invalid_choice'] }, bad);
      assert.equal(
        form.errors.get('author')!.at(0),
        'Select a valid choice. That choice is not one of the available choices.',
      );
    }
    const empty = new F({ data: {} });
    assert.equal(await empty.isValid(), false);
    assert.deepEqual(codes(empty), { author: ['required'] });
  });

  test('ModelChoiceField: toFieldName keys the options and the lookup by another unique field', async () => {
    class F extends Form.define({ author: new ModelChoiceField({ queryset: Writer.objects, toFieldName: 'name' }) }) {}
    const form = new F({ data: { author: 'Bob' } });
    assert.equal(await form.isValid(), true);
    assert.equal(form.cleanedData.author.id, bob.id);
    await form.loadChoices();
    assert.match(form.author.toString(), /<option value="Bob" selected>Bob<\/option>/);
  });

  test('ModelMultipleChoiceField: a list of rows; Django’s invalid_list, invalid_pk_value and invalid_choice', async () => {
    class F extends Form.define({ genres: new ModelMultipleChoiceField({ queryset: Genre.objects }) }) {}
    const ok = new F({ data: { genres: [String(poetry.id), String(crime.id)] } });
    assert.equal(await ok.isValid(), true);
    assert.deepEqual(ok.cleanedData.genres.map((g) => g.name).sort(), ['Crime', 'Poetry']);
    const cases: [unknown, string, string][] = [
      [['x'], 'invalid_pk_value', '“x” is not a valid value.'],
      [[String(poetry.id), '999'], 'invalid_choice', 'Select a valid choice. 999 is not one of the available choices.'],
      [[], 'required', 'This field is required.'],
    ];
    for (const [value, code, message] of cases) {
      const form = new F({ data: { genres: value } });
      assert.equal(await form.isValid(), false);
      assert.deepEqual(codes(form), { genres: [code] });
      assert.equal(form.errors.get('genres')!.at(0), message);
    }
    // A widget that reads one value (not a list) gives invalid_list.
    class OneInput extends Form.define({
      genres: new ModelMultipleChoiceField({ queryset: Genre.objects, widget: TextInput }),
    }) {}
    const notList = new OneInput({ data: { genres: 'x' } });
    assert.equal(await notList.isValid(), false);
    assert.deepEqual(codes(notList), { genres: ['invalid_list'] });
    assert.equal(notList.errors.get('genres')!.at(0), 'Enter a list of values.');
    class Optional extends Form.define({
      genres: new ModelMultipleChoiceField({ queryset: Genre.objects, required: false }),
    }) {}
    const none = new Optional({ data: {} });
    assert.equal(await none.isValid(), true);
    assert.deepEqual(none.cleanedData.genres, []);
    const drawn = new Optional({ initial: { genres: [poetry] } });
    await drawn.loadChoices();
    assert.match(drawn.genres.toString(), /<select name="genres" id="id_genres" multiple>/);
    assert.match(drawn.genres.toString(), new RegExp(`<option value="${poetry.id}" selected>Poetry</option>`));
    assert.doesNotMatch(drawn.genres.toString(), /---------/);
  });

  test('ModelForm: the form fields of the model fields, in the order of `fields`', async () => {
    const form = new BookForm();
    assert.deepEqual(Object.keys(form.fields), ['title', 'slug', 'status', 'pages', 'author', 'genres']);
    await form.loadChoices();
    const html = form.asP().value;
    assert.match(html, /<input type="text" name="title" maxlength="40" required id="id_title">/);
    assert.match(
      html,
      /<label for="id_slug">Slug:<\/label> <input type="text" name="slug" maxlength="40" required id="id_slug">/,
    );
    assert.match(html, /<select name="status" id="id_status">\n {2}<option value="d" selected>Draft<\/option>/);
    assert.match(html, /<input type="number" name="pages" value="100" min="0" required id="id_pages">/);
    assert.match(html, /<select name="author" required id="id_author">/);
    assert.match(html, /<select name="genres" id="id_genres" multiple>/);
    const writerForm = new (ModelForm.define(Writer, { fields: '__all__' }))();
    assert.match(writerForm.asP().value, /<label for="id_name">Full name:<\/label>/);
    assert.match(
      writerForm.asP().value,
      /<input type="number" name="born" id="id_born"> <span class="helptext">The year.<\/span>/,
    );
    const all = new (ModelForm.define(Book, { exclude: ['genres', 'summary'] }))();
    assert.deepEqual(Object.keys(all.fields), ['title', 'slug', 'status', 'pages', 'published', 'author']);
  });

  test('ModelForm: widgets, labels, help texts, error messages and field classes from the Meta', async () => {
    const F = ModelForm.define(Book, {
      fields: ['title', 'summary'],
      widgets: { title: new TextInput({ class: 'big' }), summary: Textarea },
      labels: { title: 'Name of the book' },
      helpTexts: { summary: 'A line or two.' },
      errorMessages: { title: { required: 'Name it.' } },
    });
    const form = new F();
    const html = form.asP().value;
    assert.match(
      html,
      /<label for="id_title">Name of the book:<\/label> <input type="text" name="title" class="big" maxlength="40" required id="id_title">/,
    );
    assert.match(
      html,
      /<textarea name="summary" cols="40" rows="10" id="id_summary">\n<\/textarea> <span class="helptext">A line or two.<\/span>/,
    );
    const bound = new F({ data: { title: '' } });
    assert.equal(await bound.isValid(), false);
    assert.equal(bound.errors.get('title')!.at(0), 'Name it.');
    const custom = new (modelformFactory(Writer, { fields: ['name'], fieldClasses: { name: CharField } }))();
    assert.ok(custom.fields.name instanceof CharField);
  });

  test('ModelForm: mistakes in the Meta are errors naming the fix', () => {
    assert.throws(
      () => ModelForm.define(Book, {}),
      /Creating a ModelForm without either the 'fields' attribute or the 'exclude' attribute is prohibited; form BookForm needs updating/,
    );
    assert.throws(
      () => ModelForm.define(Book, { fields: ['title', 'nope'] as never }),
      /Unknown field\(s\) \(nope\) specified for Book/,
    );
    assert.throws(
      () => ModelForm.define(Book, { fields: ['title', 'added'] }),
      /'added' cannot be specified for Book model form as it is a non-editable field\./,
    );
  });

  test('ModelForm: create saves a new row with its many-to-many values', async () => {
    const form = new BookForm({
      data: {
        title: 'Odes',
        slug: 'odes',
        status: 'p',
        pages: '80',
        author: String(ann.id),
        genres: [String(poetry.id)],
      },
    });
    assert.equal(await form.isValid(), true, JSON.stringify(form.errors.asData()));
    const book = await form.save();
    assert.equal(typeof book.id, 'number');
    const fresh = await Book.objects.get({ pk: book.id });
    assert.equal(fresh.title, 'Odes');
    assert.equal(fresh.pages, 80);
    assert.equal(fresh.authorId, ann.id);
    assert.deepEqual(
      (await fresh.genres.all()).map((g) => g.name),
      ['Poetry'],
    );
  });

  test('ModelForm: update starts from the instance (many-to-many once loaded) and saves the changes', async () => {
    const book = await Book.objects.create({ title: 'Noir', slug: 'noir', author: bob });
    await book.genres.set([crime]);
    const unbound = new BookForm({ instance: book });
    assert.equal(unbound.adding, false);
    await unbound.loadChoices();
    const html = unbound.asP().value;
    assert.match(html, /name="title" value="Noir"/);
    assert.match(html, new RegExp(`<option value="${bob.id}" selected>Bob</option>`));
    assert.match(html, new RegExp(`<option value="${crime.id}" selected>Crime</option>`));
    const form = new BookForm({
      instance: book,
      data: {
        title: 'Noir II',
        slug: 'noir',
        status: 'd',
        pages: '120',
        author: String(bob.id),
        genres: [String(poetry.id), String(crime.id)],
      },
    });
    assert.equal(await form.isValid(), true, JSON.stringify(form.errors.asData()));
    await form.save();
    const fresh = await Book.objects.get({ pk: book.id });
    assert.equal(fresh.title, 'Noir II');
    assert.equal(fresh.pages, 120);
    assert.deepEqual(
      (await fresh.genres.all()).map((g) => g.name),
      ['Crime', 'Poetry'],
    );
    assert.equal(await Book.objects.filter({ slug: 'noir' }).count(), 1);
  });

  test('ModelForm: unique fields, uniqueTogether and UniqueConstraint are checked against the database', async () => {
    const WriterForm = ModelForm.define(Writer, { fields: ['name'] });
    const dup = new WriterForm({ data: { name: 'Ann' } });
    assert.equal(await dup.isValid(), false);
    assert.deepEqual(codes(dup), { name: ['unique'] });
    assert.equal(dup.errors.get('name')!.at(0), 'Writer with this Full name already exists.');
    // Editing the row itself is no clash.
    assert.equal(await new WriterForm({ instance: ann, data: { name: 'Ann' } }).isValid(), true);

    await Book.objects.create({ title: 'Twice', slug: 'twice', author: ann });
    const base = { slug: 'other', status: 'd', pages: '10', author: String(ann.id) };
    const together = new BookForm({ data: { ...base, title: 'Twice' } });
    assert.equal(await together.isValid(), false);
    assert.deepEqual(codes(together), { __all__: ['unique_together'] });
    assert.equal(together.nonFieldErrors().at(0), 'Book with this Author and Title already exists.');
    // Another author may use the title.
    assert.equal(await new BookForm({ data: { ...base, title: 'Twice', author: String(bob.id) } }).isValid(), true);
    // A set whose fields are not all in the form is not checked (the form could not fix it).
    const noAuthor = ModelForm.define(Book, { fields: ['title', 'slug'] });
    const partial = new noAuthor({
      instance: new Book({ author: ann, status: 'd' }),
      data: { title: 'Twice', slug: 'x' },
    });
    assert.equal(await partial.isValid(), true);
    const constraint = new BookForm({ data: { ...base, title: 'New', slug: 'twice' } });
    assert.equal(await constraint.isValid(), false);
    assert.deepEqual(codes(constraint), { __all__: ['unique_together'] });
    assert.equal(constraint.nonFieldErrors().at(0), 'Book with this Slug and Status already exists.');
  });

  test('ModelForm: the model’s clean() and field validation land on the form', async () => {
    const form = new BookForm({
      data: { title: 'Untitled', slug: 'u', status: 'p', pages: '-1', author: String(ann.id) },
    });
    assert.equal(await form.isValid(), false);
    assert.deepEqual(codes(form), { pages: ['min_value'], __all__: ['untitled'] });
    assert.equal(form.errors.get('pages')!.at(0), 'Ensure this value is greater than or equal to 0.');
    const badChoice = new BookForm({
      data: { title: 'T', slug: 'u', status: 'z', pages: '1', author: String(ann.id) },
    });
    assert.equal(await badChoice.isValid(), false);
    assert.deepEqual(codes(badChoice), { status: ['invalid_choice'] });
    assert.equal(
      badChoice.errors.get('status')!.at(0),
      'Select a valid choice. z is not one of the available choices.',
    );
  });

  test('ModelForm: save({ commit: false }) leaves the saving, then saveM2m(); an invalid form does not save', async () => {
    const form = new BookForm({
      data: {
        title: 'Later',
        slug: 'later',
        status: 'd',
        pages: '5',
        author: String(bob.id),
        genres: [String(crime.id)],
      },
    });
    assert.equal(await form.isValid(), true);
    const book = await form.save({ commit: false });
    assert.equal(book.pk, null);
    book.summary = 'Set by the view.';
    await book.save();
    await form.saveM2m();
    const fresh = await Book.objects.get({ pk: book.id });
    assert.equal(fresh.summary, 'Set by the view.');
    assert.deepEqual(
      (await fresh.genres.all()).map((g) => g.name),
      ['Crime'],
    );

    const bad = new BookForm({ data: { title: '' } });
    assert.equal(await bad.isValid(), false);
    await assert.rejects(bad.save(), { message: "The Book could not be created because the data didn't validate." });
    const early = new BookForm({ data: {} });
    await assert.rejects(early.saveM2m(), /saveM2m\(\) is set by save\(\{ commit: false \}\)/);
  });

  test('a ForeignKey with a default-less required relation, and a form with extra declared fields', async () => {
    class ChapterForm extends ModelForm.define(Chapter, { fields: ['book', 'number', 'name'] }).define({
      note: new CharField({ required: false }),
    }) {}
    const book = await Book.objects.create({ title: 'Chaptered', slug: 'ch', author: ann });
    const form = new ChapterForm({ data: { book: String(book.id), number: '1', name: 'One', note: 'hi' } });
    assert.equal(await form.isValid(), true, JSON.stringify(form.errors.asData()));
    assert.equal(form.cleanedData.note, 'hi');
    const chapter = await form.save();
    assert.equal(chapter.bookId, book.id);
    const again = new ChapterForm({ data: { book: String(book.id), number: '1', name: 'Dup' } });
    assert.equal(await again.isValid(), false);
    assert.equal(again.nonFieldErrors().at(0), 'Chapter with this Book and Number already exists.');
  });

  test('ModelForm with a FileField: an upload is stored when saved, kept when none is sent, emptied when cleared', async () => {
    const ScanForm = ModelForm.define(Scan, { fields: ['label', 'document'] });
    const upload = new InMemoryUploadedFile(new TextEncoder().encode('hello'), {
      name: 'page.txt',
      fieldName: 'document',
      contentType: 'text/plain',
    });
    const form = new ScanForm({ data: { label: 'one' }, files: { document: upload } });
    assert.equal(form.isMultipart(), true);
    assert.equal(await form.isValid(), true, JSON.stringify(form.errors.getJsonData()));
    const scan = await form.save();
    assert.match(scan.document.name, /^scans\/page.*\.txt$/);
    assert.equal(readFileSync(path.join(mediaRoot(), scan.document.name), 'utf8'), 'hello');

    const keep = new ScanForm({ instance: await Scan.objects.get({ pk: scan.id }), data: { label: 'two' }, files: {} });
    assert.equal(await keep.isValid(), true, JSON.stringify(keep.errors.getJsonData()));
    await keep.save();
    const kept = await Scan.objects.get({ pk: scan.id });
    assert.equal(kept.label, 'two');
    assert.equal(kept.document.name, scan.document.name);

    const clear = new ScanForm({ instance: kept, data: { label: 'three', 'document-clear': 'on' }, files: {} });
    assert.equal(await clear.isValid(), true, JSON.stringify(clear.errors.getJsonData()));
    await clear.save();
    assert.equal((await Scan.objects.get({ pk: scan.id })).document.name, '');
  });
});

after(() => rmSync(mediaRoot(), { recursive: true, force: true }));
