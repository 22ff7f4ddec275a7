// ListView, DetailView, getObjectOr404() and getListOr404() on real models, over real sockets,
// on SQLite and on PostgreSQL: Django's template names and context names, pagination with the
// `page` query parameter (and `last`), Django's 404 messages for a missing object, an empty
// list, a page out of range and one that is not a number, and MultipleObjectsReturned passing
// through.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { withSchemaEditor } from '../../src/db/index.ts';
import { CharField, IntegerField, Model, MultipleObjectsReturned, SlugField } from '../../src/db/models/index.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { Http404 } from '../../src/http/exceptions.ts';
import { HttpResponse, type HttpResponseBase } from '../../src/http/response.ts';
import { getListOr404, getObjectOr404 } from '../../src/shortcuts.ts';
import { RequestFactory } from '../../src/test/index.ts';
import { path, resolve } from '../../src/urls/index.ts';
import { DetailView, ListView } from '../../src/views/index.ts';
import { eachBackend } from '../db/helpers.ts';

class Book extends Model.define(
  {
    title: new CharField({ maxLength: 50 }),
    slug: new SlugField(),
    pages: new IntegerField(),
  },
  { appLabel: 'library', ordering: ['title'] },
) {
  override toString(): string {
    return this.title;
  }
}

class BookList extends ListView<Book> {
  override model = Book;
  override paginateBy = 3;
  override ordering = '-pages';
}

class Shelf extends ListView<Book> {
  override templateName = 'shelf.html';
  override contextObjectName = 'books';
  override allowEmpty = false;
  override getQueryset() {
    return Book.objects.filter({ pages__gt: Number(this.kwargs.min) });
  }
}

const templates = {
  'library/book_list.html':
    '{% for book in book_list %}[{{ book.title }}]{% endfor %}|{{ object_list|length }}|{{ is_paginated }}|' +
    '{{ page_obj.number }}/{{ paginator.num_pages }}|{% if page_obj.has_next %}next={{ page_obj.next_page_number }}{% endif %}',
  'library/book_detail.html': '{{ object.title }}={{ book.title }}={{ view.constructor.name }}',
  'shelf.html': '{% for b in books %}{{ b.slug }} {% endfor %}',
  'custom.html': 'custom:{{ volume.pages }}',
  'letters.html': '{% for letter in object_list %}{{ letter }} {% endfor %}{{ page_obj }}',
};

async function shortcutView(_request: unknown, { slug }: { slug: string }): Promise<HttpResponse> {
  const book = await getObjectOr404(Book, { slug });
  return new HttpResponse(`${book.title} (${book.pages})`);
}

async function listShortcutView(_request: unknown, { pages }: { pages: number }): Promise<HttpResponse> {
  const books = await getListOr404(Book.objects.orderBy('slug'), { pages__gte: pages });
  return new HttpResponse(books.map((b) => b.slug).join(','));
}

const urlpatterns = [
  path('books/', BookList.asView()),
  path('books/all/', ListView.asView({ model: Book })),
  path('books/page<str:page>/', BookList.asView({ paginateOrphans: 2 })),
  path('books/array/', ListView.asView({ queryset: ['x', 'y'], templateName: 'letters.html', paginateBy: 1 })),
  path('shelf/<int:min>/', Shelf.asView()),
  path('book/<int:pk>/', DetailView.asView({ model: Book })),
  path('book/<slug:slug>/', DetailView.asView({ model: Book })),
  path(
    'custom/<slug:slug>/',
    DetailView.asView({
      queryset: Book.objects.filter({ pages__lt: 300 }),
      templateName: 'custom.html',
      contextObjectName: 'volume',
    }),
  ),
  path('nokwargs/', DetailView.asView({ model: Book })),
  path('shortcut/<slug:slug>/', shortcutView),
  path('list-shortcut/<int:pages>/', listShortcutView),
];

/** Calls the view `url` resolves to, as the handler would, so that what it throws reaches the test. */
async function callView(url: string): Promise<HttpResponseBase> {
  const request = await new RequestFactory().get(url);
  const match = resolve(request.path);
  return match.func(request, ...(match.args.length ? match.args : [match.kwargs])) as Promise<HttpResponseBase>;
}

eachBackend(
  'generic display views',
  () => {
    let server: ServerHandle;
    let base: string;
    before(async () => {
      await withSchemaEditor(async (editor) => {
        await editor.createModel(Book);
      });
      const rows: Array<[string, string, number]> = [
        ['Emma', 'emma', 474],
        ['Dracula', 'dracula', 418],
        ['Ulysses', 'ulysses', 730],
        ['Candide', 'candide', 144],
        ['Beowulf', 'beowulf', 96],
        ['Middlemarch', 'middlemarch', 880],
        ['Twin A', 'twin', 200],
        ['Twin B', 'twin', 201],
      ];
      for (const [title, slug, pages] of rows) await Book.objects.create({ title, slug, pages });
      const handler = new WSGIHandler();
      handler.loadMiddleware([]);
      server = await serve(handler.call, { port: 0 });
      base = `http://127.0.0.1:${server.port}`;
    });
    after(() => server.close());

    async function get(url: string): Promise<[number, string]> {
      const response = await fetch(base + url);
      return [response.status, await response.text()];
    }

    test('ListView pages a model with its ordering, in <app>/<model>_list.html', async () => {
      assert.deepEqual(await get('/books/'), [200, '[Middlemarch][Ulysses][Emma]|3|True|1/3|next=2']);
      assert.deepEqual(await get('/books/?page=2'), [200, '[Dracula][Twin B][Twin A]|3|True|2/3|next=3']);
      assert.deepEqual(await get('/books/?page=last'), [200, '[Candide][Beowulf]|2|True|3/3|']);
      assert.deepEqual(await get('/books/?page=%203%20'), [200, '[Candide][Beowulf]|2|True|3/3|']);
    });

    test('ListView reads the page from the URL kwarg first; orphans join the page before', async () => {
      assert.deepEqual(await get('/books/page2/?page=1'), [
        200,
        '[Dracula][Twin B][Twin A][Candide][Beowulf]|5|True|2/2|',
      ]);
      assert.deepEqual(await get('/books/pagelast/'), [200, '[Dracula][Twin B][Twin A][Candide][Beowulf]|5|True|2/2|']);
      assert.equal((await fetch(`${base}/books/page3/`)).status, 404);
    });

    test("ListView without paginateBy lists everything in the model's Meta.ordering", async () => {
      const [status, body] = await get('/books/all/');
      assert.equal(status, 200);
      assert.equal(body.split('|')[0], '[Beowulf][Candide][Dracula][Emma][Middlemarch][Twin A][Twin B][Ulysses]');
      assert.equal(body.split('|').slice(1).join('|'), '8|False|/|');
    });

    test("ListView answers Django's 404s for a page out of range, not a number, and an empty list", async () => {
      const cases: Array<[string, string]> = [
        ['/books/?page=4', 'Invalid page (4): That page contains no results'],
        ['/books/?page=0', 'Invalid page (0): That page number is less than 1'],
        ['/books/?page=-1', 'Invalid page (-1): That page number is less than 1'],
        ['/books/?page=2.0', 'Page is not “last”, nor can it be converted to an int.'],
        ['/books/?page=first', 'Page is not “last”, nor can it be converted to an int.'],
        ['/shelf/10000/', 'Empty list and “Shelf.allowEmpty” is False.'],
      ];
      for (const [url] of cases) assert.equal((await fetch(base + url)).status, 404, url);
      for (const [url, message] of cases) {
        await assert.rejects(callView(url), (error: Error) => {
          assert.ok(error instanceof Http404, url);
          assert.equal(error.message, message);
          return true;
        });
      }
    });

    test('ListView: a queryset, contextObjectName and templateName; an array with paginateBy', async () => {
      assert.deepEqual(await get('/shelf/700/'), [200, 'middlemarch ulysses ']);
      assert.deepEqual(await get('/books/array/?page=2'), [200, 'y &lt;Page 2 of 2&gt;']);
    });

    test('DetailView finds the object by pk or slug, in <app>/<model>_detail.html', async () => {
      const emma = await Book.objects.get({ slug: 'emma' });
      assert.deepEqual(await get(`/book/${String(emma.pk)}/`), [200, 'Emma=Emma=DetailView']);
      assert.deepEqual(await get('/book/dracula/'), [200, 'Dracula=Dracula=DetailView']);
      assert.deepEqual(await get('/custom/candide/'), [200, 'custom:144']);
    });

    test("DetailView answers 404 with Django's message; several matches and no pk or slug are errors", async () => {
      assert.equal((await fetch(`${base}/book/99999/`)).status, 404);
      assert.equal((await fetch(`${base}/custom/ulysses/`)).status, 404, 'outside the view queryset');
      await assert.rejects(callView('/book/nosuch/'), new Http404('No book found matching the query'));
      await assert.rejects(callView('/book/twin/'), (error: Error) => error instanceof MultipleObjectsReturned);
      await assert.rejects(callView('/nokwargs/'), {
        name: 'TypeError',
        message:
          'Generic detail view DetailView must be called with either an object pk or a slug in the URLconf: capture <int:pk> or <slug:slug> in its path.',
      });
      assert.equal((await fetch(`${base}/book/twin/`)).status, 500);
    });

    test('getObjectOr404() from a model, a manager or a queryset; Http404 with Django’s message', async () => {
      assert.deepEqual(await get('/shortcut/emma/'), [200, 'Emma (474)']);
      assert.equal((await fetch(`${base}/shortcut/nosuch/`)).status, 404);
      assert.equal((await getObjectOr404(Book.objects, { slug: 'emma' })).pages, 474);
      assert.equal((await getObjectOr404(Book.objects.filter({ pages__gt: 400 }), { slug: 'emma' })).pages, 474);
      await assert.rejects(
        getObjectOr404(Book.objects.filter({ pages__lt: 400 }), { slug: 'emma' }),
        new Http404('No Book matches the given query.'),
      );
      await assert.rejects(getObjectOr404(Book, { slug: 'twin' }), (error: Error) => {
        assert.ok(error instanceof Book.MultipleObjectsReturned);
        assert.equal(error.message, 'get() returned more than one Book -- it returned 2!');
        return true;
      });
      await assert.rejects(getObjectOr404('Book' as never, { pk: 1 }), {
        name: 'TypeError',
        message: "First argument to getObjectOr404() must be a Model, Manager, or QuerySet, not 'String'.",
      });
    });

    test('getListOr404() gives an array, or Http404 when nothing matches', async () => {
      assert.deepEqual(await get('/list-shortcut/700/'), [200, 'middlemarch,ulysses']);
      assert.equal((await fetch(`${base}/list-shortcut/5000/`)).status, 404);
      assert.deepEqual(
        (await getListOr404(Book, { pages__lt: 150 })).map((b) => b.title),
        ['Beowulf', 'Candide'],
      );
      await assert.rejects(
        getListOr404(Book.objects, { pages__gt: 5000 }),
        new Http404('No Book matches the given query.'),
      );
      await assert.rejects(getListOr404(class NotAModel {} as never), {
        message: "First argument to getListOr404() must be a Model, Manager, or QuerySet, not 'NotAModel'.",
      });
    });
  },
  {
    extraSettings: {
      ALLOWED_HOSTS: ['*'],
      DEBUG: false,
      ROOT_URLCONF: { urlpatterns },
      TEMPLATES: [
        {
          BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
          OPTIONS: { loaders: [['tsgi.template.loaders.locmem.Loader', templates]] },
        },
      ],
    },
  },
);
