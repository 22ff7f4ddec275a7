// The one single-object lookup (SingleObjectMixin, src/views/generic/detail.ts) run as a
// conformance suite against every view that finds an object by the URL: DetailView, UpdateView
// and DeleteView, over real sockets on SQLite and PostgreSQL. The same cases for each: by pk,
// by slug, by both (queryPkAndSlug), renamed URL kwargs and slug field, a queryset that narrows
// the objects, a getObject() override (used by DeleteView's POST too), templateNameField, and
// every error: Django's 404 message, several matches, no pk or slug, no model or queryset.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImproperlyConfigured } from '../../src/core/exceptions.ts';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { withSchemaEditor } from '../../src/db/index.ts';
import type { QuerySet } from '../../src/db/models/index.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { Http404 } from '../../src/http/exceptions.ts';
import type { HttpResponseBase } from '../../src/http/response.ts';
import { RequestFactory } from '../../src/test/index.ts';
import { path, resolve } from '../../src/urls/index.ts';
import { DeleteView, DetailView, UpdateView } from '../../src/views/index.ts';
import { eachBackend } from '../db/helpers.ts';
import { Book, MODELS, Writer } from '../forms/fixtures/library.ts';

const SHOW = '{{ object.title }}/{{ book.title }}/{{ item.title }}';

/** Finds the book by its title instead (`/hook/<title>/`): every view's getObject() is the one hook. */
function byTitle(View: typeof DetailView | typeof UpdateView | typeof DeleteView): typeof DetailView {
  return class extends (View as typeof DetailView) {
    override getObject(queryset: QuerySet<unknown> = this.getQueryset()): Promise<unknown> {
      return queryset.get({ title: String(this.kwargs.title) } as never);
    }
  } as typeof DetailView;
}

const VIEWS = { detail: DetailView, update: UpdateView, delete: DeleteView } as const;

const urlpatterns = Object.entries(VIEWS).flatMap(([kind, View]) => {
  const on = {
    model: Book,
    ...(kind === 'update' ? { fields: ['title'] } : {}),
    ...(kind === 'delete' ? { successUrl: '/gone/{slug}/' } : {}),
  };
  const as = (options: Record<string, unknown> = {}) => (View as typeof DetailView).asView({ ...on, ...options });
  return [
    path(`${kind}/<int:pk>/`, as()),
    path(`${kind}/s/<slug:slug>/`, as()),
    path(`${kind}/pk-and-slug/<int:pk>/<slug:slug>/`, as({ queryPkAndSlug: true })),
    path(`${kind}/pk-only/<int:pk>/<slug:slug>/`, as()),
    path(`${kind}/renamed/<int:number>/`, as({ pkUrlKwarg: 'number' })),
    path(`${kind}/by-title/<str:name>/`, as({ slugUrlKwarg: 'name', slugField: 'title', contextObjectName: 'item' })),
    path(`${kind}/long/<int:pk>/`, as({ queryset: Book.objects.filter({ pages__gt: 100 }) })),
    path(`${kind}/hook/<str:title>/`, byTitle(View).asView(on)),
    path(`${kind}/named/<int:pk>/`, as({ templateNameField: 'summary' })),
    path(`${kind}/nothing/`, as()),
    path(`${kind}/no-model/<int:pk>/`, (View as typeof DetailView).asView({})),
  ];
});

async function callView(url: string): Promise<HttpResponseBase> {
  const request = await new RequestFactory().get(url);
  const match = resolve(request.path);
  return match.func(request, ...(match.args.length ? match.args : [match.kwargs])) as Promise<HttpResponseBase>;
}

eachBackend(
  'the single-object lookup of DetailView, UpdateView and DeleteView',
  () => {
    let server: ServerHandle;
    let base: string;
    let short: Book;
    let long: Book;

    before(async () => {
      await withSchemaEditor(async (editor) => {
        for (const model of MODELS) await editor.createModel(model);
      });
      const ann = await Writer.objects.create({ name: 'Ann' });
      short = await Book.objects.create({
        title: 'Short',
        slug: 'short',
        pages: 50,
        author: ann,
        summary: 'custom.html',
      });
      long = await Book.objects.create({ title: 'Long', slug: 'long', pages: 500, author: ann });
      await Book.objects.create({ title: 'Twin A', slug: 'twin', author: ann });
      await Book.objects.create({ title: 'Twin B', slug: 'twin', status: 'p', author: ann });
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

    for (const kind of Object.keys(VIEWS)) {
      test(`${kind}: by pk, by slug, by both, with renamed kwargs and slug field`, async () => {
        assert.deepEqual(await get(`/${kind}/${short.id}/`), [200, 'Short/Short/']);
        assert.deepEqual(await get(`/${kind}/s/long/`), [200, 'Long/Long/']);
        assert.deepEqual(await get(`/${kind}/pk-and-slug/${short.id}/short/`), [200, 'Short/Short/']);
        assert.equal((await get(`/${kind}/pk-and-slug/${short.id}/long/`))[0], 404);
        // Without queryPkAndSlug the slug is ignored when there is a pk.
        assert.deepEqual(await get(`/${kind}/pk-only/${short.id}/long/`), [200, 'Short/Short/']);
        assert.deepEqual(await get(`/${kind}/renamed/${long.id}/`), [200, 'Long/Long/']);
        assert.deepEqual(await get(`/${kind}/by-title/Long/`), [200, 'Long//Long']);
      });

      test(`${kind}: the queryset narrows the objects; getObject() and templateNameField are honoured`, async () => {
        assert.deepEqual(await get(`/${kind}/long/${long.id}/`), [200, 'Long/Long/']);
        assert.equal((await get(`/${kind}/long/${short.id}/`))[0], 404);
        assert.deepEqual(await get(`/${kind}/hook/Short/`), [200, 'Short/Short/']);
        assert.deepEqual(await get(`/${kind}/named/${short.id}/`), [200, 'custom']);
      });

      test(`${kind}: Django's 404 message, several matches, no pk or slug, no model`, async () => {
        await assert.rejects(callView(`/${kind}/99999/`), (error: Error) => {
          assert.ok(error instanceof Http404);
          assert.equal(error.message, 'No book found matching the query');
          return true;
        });
        assert.equal((await get(`/${kind}/99999/`))[0], 404);
        await assert.rejects(callView(`/${kind}/s/twin/`), { name: 'MultipleObjectsReturned' });
        assert.equal((await get(`/${kind}/s/twin/`))[0], 500);
        const View = VIEWS[kind as keyof typeof VIEWS];
        await assert.rejects(callView(`/${kind}/nothing/`), {
          name: 'TypeError',
          message: `Generic detail view ${View.name} must be called with either an object pk or a slug in the URLconf: capture <int:pk> or <slug:slug> in its path.`,
        });
        await assert.rejects(callView(`/${kind}/no-model/1/`), (error: Error) => {
          assert.ok(error instanceof ImproperlyConfigured);
          assert.equal(
            error.message,
            `${View.name} is missing a QuerySet. Define ${View.name}.model, ${View.name}.queryset, or override ${View.name}.getQueryset().`,
          );
          return true;
        });
      });
    }

    test("DeleteView's POST finds the object with the same lookup, its getObject() included", async () => {
      const gone = await Book.objects.create({ title: 'Gone', slug: 'gone', pages: 500, author: await short.author });
      let response = await fetch(`${base}/delete/long/${short.id}/`, { method: 'POST', redirect: 'manual' });
      assert.equal(response.status, 404);
      response = await fetch(`${base}/delete/hook/Gone/`, { method: 'POST', redirect: 'manual' });
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), '/gone/gone/');
      assert.equal(await Book.objects.filter({ pk: gone.id }).exists(), false);
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
          OPTIONS: {
            loaders: [
              [
                'tsgi.template.loaders.locmem.Loader',
                {
                  'library/book_detail.html': SHOW,
                  'library/book_form.html': SHOW,
                  'library/book_confirm_delete.html': SHOW,
                  'custom.html': 'custom',
                },
              ],
            ],
          },
        },
      ],
    },
  },
);
