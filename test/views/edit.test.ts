// CreateView, UpdateView and DeleteView over real sockets, behind CsrfViewMiddleware, on SQLite
// and PostgreSQL: the ModelForm drawn with its queryset choices, an invalid POST shown again with
// the errors, a valid one saved (many-to-many included) and redirected, objects found by pk and by
// slug (404 otherwise), deletion confirmed on GET and done on POST, Django's template names.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { withSchemaEditor } from '../../src/db/index.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { HttpResponse } from '../../src/http/response.ts';
import { CsrfViewMiddleware } from '../../src/middleware/csrf.ts';
import { path as route } from '../../src/urls/index.ts';
import { CreateView, DeleteView, UpdateView } from '../../src/views/index.ts';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';
import { eachBackend } from '../db/helpers.ts';
import { Book, Genre, MODELS, Writer } from '../forms/fixtures/library.ts';

const FORM = `<form method="post">{% csrf_token %}{{ form.as_p }}</form>{% if book %}<p id="editing">{{ book.title }}</p>{% endif %}`;
const CONFIRM = `<form method="post">{% csrf_token %}<p>Delete {{ book }}?</p></form>`;

const BOOK_FIELDS = ['title', 'slug', 'status', 'pages', 'author', 'genres'];

eachBackend(
  'editing views over a real socket',
  () => {
    let server: ServerHandle;
    let base: string;
    let ann: Writer;
    let poetry: Genre;

    before(async () => {
      await withSchemaEditor(async (editor) => {
        for (const model of MODELS) await editor.createModel(model);
      });
      ann = await Writer.objects.create({ name: 'Ann' });
      poetry = await Genre.objects.create({ name: 'Poetry' });
      server = await serve(new WSGIHandler().call, { port: 0 });
      base = `http://127.0.0.1:${server.port}`;
    });

    after(() => server.close());

    async function page(url: string): Promise<{ status: number; html: string; token: string; cookie: string }> {
      const response = await fetch(`${base}${url}`);
      const html = await response.text();
      const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html)?.[1] ?? '';
      const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? '';
      return { status: response.status, html, token, cookie };
    }

    async function submit(url: string, fields: Record<string, string | string[]>, token: string, cookie: string) {
      const body = new URLSearchParams();
      body.set('csrfmiddlewaretoken', token);
      for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
      return fetch(`${base}${url}`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' });
    }

    test('CreateView: GET draws the ModelForm with its choices; invalid POST shows errors; valid POST saves and redirects', async () => {
      const { status, html, token, cookie } = await page('/books/new/');
      assert.equal(status, 200);
      assert.match(html, /<input type="text" name="title" maxlength="40" required id="id_title">/);
      assert.match(html, new RegExp(`<option value="${ann.id}">Ann</option>`));
      assert.match(html, new RegExp(`<option value="${poetry.id}">Poetry</option>`));
      assert.doesNotMatch(html, /id="editing"/);

      let response = await submit('/books/new/', { title: '', slug: 'bad slug', pages: '5' }, token, cookie);
      assert.equal(response.status, 200);
      const invalid = await response.text();
      assert.match(invalid, /<ul class="errorlist"><li>This field is required\.<\/li><\/ul>\n?.*name="title"/);
      assert.match(invalid, /Enter a valid “slug” consisting of letters, numbers, underscores or hyphens\./);
      assert.match(invalid, /name="slug" value="bad slug"/);
      // The choices are drawn again for the invalid form.
      assert.match(invalid, new RegExp(`<option value="${ann.id}">Ann</option>`));
      assert.equal(await Book.objects.count(), 0);

      response = await submit(
        '/books/new/',
        { title: 'Odes', slug: 'odes', status: 'p', pages: '80', author: String(ann.id), genres: [String(poetry.id)] },
        token,
        cookie,
      );
      assert.equal(response.status, 302);
      const book = await Book.objects.get({ slug: 'odes' });
      assert.equal(response.headers.get('location'), `/books/${book.id}/`);
      assert.deepEqual(
        (await book.genres.all()).map((g) => g.name),
        ['Poetry'],
      );
    });

    test('UpdateView: the object by pk, its values in the form; a valid POST saves; an unknown pk is 404', async () => {
      const book = await Book.objects.create({ title: 'Draft', slug: 'draft', author: ann });
      const { html, token, cookie } = await page(`/books/${book.id}/edit/`);
      assert.match(html, /name="title" value="Draft"/);
      assert.match(html, /<p id="editing">Draft<\/p>/);
      assert.match(html, new RegExp(`<option value="${ann.id}" selected>Ann</option>`));
      const response = await submit(
        `/books/${book.id}/edit/`,
        { title: 'Final', slug: 'draft', status: 'p', pages: '12', author: String(ann.id) },
        token,
        cookie,
      );
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), '/done/');
      const fresh = await Book.objects.get({ pk: book.id });
      assert.equal(fresh.title, 'Final');
      assert.equal(fresh.pages, 12);
      assert.equal((await page('/books/99999/edit/')).status, 404);
    });

    test('UpdateView by slug; a uniqueness clash is shown on the page', async () => {
      await Book.objects.create({ title: 'Taken', slug: 'taken', author: ann });
      const other = await Book.objects.create({ title: 'Other', slug: 'other', author: ann });
      const { html, token, cookie } = await page('/books/by-slug/other/');
      assert.match(html, /value="Other"/);
      const response = await submit(
        '/books/by-slug/other/',
        { title: 'Taken', slug: 'other', status: 'd', pages: '1', author: String(ann.id) },
        token,
        cookie,
      );
      assert.equal(response.status, 200);
      assert.match(
        await response.text(),
        /<ul class="errorlist nonfield"><li>Book with this Author and Title already exists\.<\/li><\/ul>/,
      );
      assert.equal((await Book.objects.get({ pk: other.id })).title, 'Other');
      assert.equal((await page('/books/by-slug/none/')).status, 404);
    });

    test('DeleteView: GET confirms, POST deletes and redirects; a POST without the CSRF token is refused', async () => {
      const book = await Book.objects.create({ title: 'Doomed', slug: 'doomed', author: ann });
      const { status, html, token, cookie } = await page(`/books/${book.id}/delete/`);
      assert.equal(status, 200);
      assert.match(html, /<p>Delete Doomed\?<\/p>/);
      const refused = await fetch(`${base}/books/${book.id}/delete/`, { method: 'POST', redirect: 'manual' });
      assert.equal(refused.status, 403);
      assert.equal(await Book.objects.filter({ pk: book.id }).exists(), true);
      const response = await submit(`/books/${book.id}/delete/`, {}, token, cookie);
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), '/books/');
      assert.equal(await Book.objects.filter({ pk: book.id }).exists(), false);
      assert.equal((await page(`/books/${book.id}/delete/`)).status, 404);
    });

    test('mistakes in the view are errors naming the fix', () => {
      const both = new UpdateView();
      both.model = Book as never;
      both.fields = ['title'];
      both.formClass = class {} as never;
      assert.throws(() => both.getFormClass(), /Specifying both 'fields' and 'formClass' is not permitted/);
      const none = new CreateView();
      none.model = Book as never;
      assert.throws(() => none.getFormClass(), ImproperlyConfigured);
      assert.throws(() => none.getFormClass(), /without the 'fields' attribute is prohibited/);
      const noUrl = new CreateView();
      assert.throws(() => noUrl.getSuccessUrl(), /No URL to redirect to\. Either provide a url/);
      const deleting = new DeleteView();
      assert.throws(() => deleting.getSuccessUrl(), /No URL to redirect to\. Provide a successUrl on DeleteView\./);
      assert.deepEqual(Object.assign(new DeleteView(), { model: Book }).getTemplateNames(), [
        'library/book_confirm_delete.html',
      ]);
      assert.deepEqual(Object.assign(new CreateView(), { model: Book }).getTemplateNames(), ['library/book_form.html']);
    });
  },
  {
    extraSettings: {
      ALLOWED_HOSTS: ['*'],
      DEBUG: false,
      MIDDLEWARE: [CsrfViewMiddleware],
      TEMPLATES: [
        {
          BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
          OPTIONS: {
            loaders: [
              [
                'tsgi.template.loaders.locmem.Loader',
                { 'library/book_form.html': FORM, 'library/book_confirm_delete.html': CONFIRM },
              ],
            ],
          },
        },
      ],
      ROOT_URLCONF: {
        urlpatterns: [
          route('books/new/', CreateView.asView({ model: Book, fields: BOOK_FIELDS, successUrl: '/books/{id}/' })),
          route('books/<int:pk>/edit/', UpdateView.asView({ model: Book, fields: BOOK_FIELDS, successUrl: '/done/' })),
          route(
            'books/by-slug/<slug:slug>/',
            UpdateView.asView({ model: Book, fields: BOOK_FIELDS, successUrl: '/done/' }),
          ),
          route('books/<int:pk>/delete/', DeleteView.asView({ model: Book, successUrl: '/books/' })),
          route('done/', () => new HttpResponse('done')),
        ],
      },
    },
  },
);
