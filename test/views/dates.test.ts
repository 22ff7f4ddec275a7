// The date-based archive views on real models, over real sockets, on SQLite and PostgreSQL: the
// archive index, year, month, week, day and today archives and DateDetailView, by a DateField and by a
// DateTimeField read in the current time zone (Asia/Tokyo here, so that 23:30 UTC is the next
// day); objects in the future left out unless allowFuture; the next and previous periods with
// objects; Django's 404 messages.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { withSchemaEditor } from '../../src/db/index.ts';
import { DateField, DateTimeField, Model, SlugField } from '../../src/db/models/index.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { Http404 } from '../../src/http/exceptions.ts';
import type { HttpResponseBase } from '../../src/http/response.ts';
import { RequestFactory } from '../../src/test/index.ts';
import { path, resolve } from '../../src/urls/index.ts';
import {
  ArchiveIndexView,
  DateDetailView,
  DayArchiveView,
  MonthArchiveView,
  TodayArchiveView,
  WeekArchiveView,
  YearArchiveView,
} from '../../src/views/index.ts';
import { eachBackend } from '../db/helpers.ts';

class Article extends Model.define(
  { slug: new SlugField(), pub: new DateField(), published: new DateTimeField() },
  { appLabel: 'news' },
) {}

const list = '{% for a in object_list %}{{ a.slug }} {% endfor %}';
const dates = (format: string) => `{% for d in date_list %}{{ d|date:"${format}" }} {% endfor %}`;
const templates = {
  'news/article_archive.html': `{% for a in latest %}{{ a.slug }} {% endfor %}|${dates('Y')}`,
  'news/article_archive_year.html': `${list}|${dates('M')}|{{ year|date:"Y" }}|{{ previous_year|date:"Y" }}|{{ next_year|date:"Y" }}`,
  'news/article_archive_month.html': `${list}|${dates('j')}|{{ month|date:"Y-m" }}|{{ previous_month|date:"Y-m" }}|{{ next_month|date:"Y-m" }}`,
  'news/article_archive_day.html': `${list}|{{ day|date:"Y-m-d" }}|{{ previous_day|date:"Y-m-d" }}|{{ next_day|date:"Y-m-d" }}|{{ previous_month|date:"Y-m" }}|{{ next_month|date:"Y-m" }}`,
  'news/article_archive_week.html': `${list}|{{ week|date:"Y-m-d" }}|{{ previous_week|date:"Y-m-d" }}|{{ next_week|date:"Y-m-d" }}|{{ date_list }}`,
  'news/article_detail.html': '{{ article.slug }}',
  'months.html': `${dates('Y-m-d H:i e')}|${list}`,
};

const on = { model: Article, dateField: 'pub' };
const urlpatterns = [
  path('archive/', ArchiveIndexView.asView(on)),
  path('archive/future/', ArchiveIndexView.asView({ ...on, allowFuture: true })),
  path('<int:year>/', YearArchiveView.asView(on)),
  path('<int:year>/all/', YearArchiveView.asView({ ...on, makeObjectList: true, allowEmpty: true })),
  path('<int:year>/<str:month>/', MonthArchiveView.asView(on)),
  path('<int:year>/<str:month>/<int:day>/', DayArchiveView.asView(on)),
  path('<int:year>/<str:month>/<int:day>/<int:pk>/', DateDetailView.asView(on)),
  path('today/', TodayArchiveView.asView({ ...on, allowEmpty: true })),
  path('week/<int:year>/<int:week>/', WeekArchiveView.asView(on)),
  path('week/', WeekArchiveView.asView(on)),
  path('monday-week/<int:year>/<int:week>/', WeekArchiveView.asView({ ...on, weekFormat: '%W' })),
  path('monday-week/<int:year>/<int:week>/any/', WeekArchiveView.asView({ ...on, weekFormat: '%W', allowEmpty: true })),
  path('iso-week/<int:year>/<int:week>/', WeekArchiveView.asView({ ...on, weekFormat: '%V', yearFormat: '%G' })),
  path(
    'iso-week/<int:year>/<int:week>/any/',
    WeekArchiveView.asView({ ...on, weekFormat: '%V', yearFormat: '%G', allowEmpty: true }),
  ),
  path('iso-week-with-%Y/<int:year>/<int:week>/', WeekArchiveView.asView({ ...on, weekFormat: '%V' })),
  path('other-week/<int:year>/<int:week>/', WeekArchiveView.asView({ ...on, weekFormat: '%X' })),
  path(
    'by-time/<int:year>/week/<int:week>/',
    WeekArchiveView.asView({ model: Article, dateField: 'published', weekFormat: '%W' }),
  ),
  path(
    'by-time/<int:year>/<int:month>/',
    MonthArchiveView.asView({ model: Article, dateField: 'published', monthFormat: '%m', templateName: 'months.html' }),
  ),
];

/** Calls the view `url` resolves to, so that what it throws reaches the test. */
async function callView(url: string): Promise<HttpResponseBase> {
  const request = await new RequestFactory().get(url);
  const match = resolve(request.path);
  return match.func(request, ...(match.args.length ? match.args : [match.kwargs])) as Promise<HttpResponseBase>;
}

eachBackend(
  'date-based archive views',
  () => {
    let server: ServerHandle;
    let base: string;
    let ids: Record<string, unknown>;
    before(async () => {
      await withSchemaEditor(async (editor) => {
        await editor.createModel(Article);
      });
      const rows: Array<[string, string, string]> = [
        ['eve', '2023-12-31', '2023-12-31T23:30:00Z'],
        ['mid', '2024-01-15', '2024-01-15T10:00:00Z'],
        ['late', '2024-01-20', '2024-01-20T10:00:00Z'],
        ['spring', '2024-03-02', '2024-03-02T10:00:00Z'],
        ['future', '2999-01-01', '2999-01-01T10:00:00Z'],
      ];
      ids = {};
      for (const [slug, pub, published] of rows) {
        const article = await Article.objects.create({
          slug,
          pub: Temporal.PlainDate.from(pub),
          published: Temporal.Instant.from(published).toZonedDateTimeISO('UTC'),
        });
        ids[slug] = article.pk;
      }
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

    test('ArchiveIndexView: the latest first and the years with objects, the future left out unless allowFuture', async () => {
      assert.deepEqual(await get('/archive/'), [200, 'spring late mid eve |2024 2023 ']);
      assert.deepEqual(await get('/archive/future/'), [200, 'future spring late mid eve |2999 2024 2023 ']);
    });

    test('YearArchiveView: the months with objects, the previous year with objects, no next one in the future', async () => {
      assert.deepEqual(await get('/2024/'), [200, '|Jan Mar |2024|2023|']);
      assert.deepEqual(await get('/2024/all/'), [200, 'spring late mid |Jan Mar |2024|2023|2025']);
    });

    test('MonthArchiveView: the days with objects, the nearest months with objects around it', async () => {
      assert.deepEqual(await get('/2024/jan/'), [200, 'late mid |15 20 |2024-01|2023-12|2024-03']);
      assert.deepEqual(await get('/2024/Mar/'), [200, 'spring |2 |2024-03|2024-01|']);
    });

    test('DayArchiveView and DateDetailView find by the day; TodayArchiveView shows today', async () => {
      assert.deepEqual(await get('/2024/jan/15/'), [200, 'mid |2024-01-15|2023-12-31|2024-01-20|2023-12|2024-03']);
      assert.deepEqual(await get(`/2024/jan/15/${String(ids.mid)}/`), [200, 'mid']);
      assert.equal((await get(`/2024/jan/16/${String(ids.mid)}/`))[0], 404);
      // Nothing today: empty periods are allowed here, so the days around are the naive ones, and
      // tomorrow, in the future, is none.
      const today = Temporal.Now.plainDateISO('Asia/Tokyo');
      const month = (d: Temporal.PlainDate) => d.toPlainYearMonth().toString();
      assert.deepEqual(await get('/today/'), [
        200,
        `|${today.toString()}|${today.subtract({ days: 1 }).toString()}||${month(today.subtract({ months: 1 }))}|`,
      ]);
    });

    test('WeekArchiveView: %U weeks from Sunday (week 0 before the first), the nearest weeks with objects', async () => {
      // 2024-01-01 is a Monday: %U's week 2 is Sunday 14 to Saturday 20 January.
      assert.deepEqual(await get('/week/2024/2/'), [200, 'late mid |2024-01-14|2023-12-31|2024-02-25|None']);
      // Week 0 starts on the Sunday before the year: 31 December 2023.
      assert.deepEqual(await get('/week/2024/0/'), [200, 'eve |2023-12-31||2024-01-14|None']);
      assert.deepEqual(await get('/week/?year=2024&week=2'), [200, 'late mid |2024-01-14|2023-12-31|2024-02-25|None']);
    });

    test('WeekArchiveView: %W weeks from Monday, and %V ISO weeks with the ISO year %G', async () => {
      assert.deepEqual(await get('/monday-week/2024/3/'), [200, 'late mid |2024-01-15|2023-12-25|2024-02-26|None']);
      assert.deepEqual(await get('/iso-week/2023/52/'), [200, 'eve |2023-12-25||2024-01-15|None']);
      // 2025-01-01 is a Wednesday: its ISO week 1 starts on 30 December 2024, its %W week 1 on 6 January.
      assert.deepEqual(await get('/iso-week/2025/1/any/'), [200, '|2024-12-30|2024-12-23|2025-01-06|None']);
      assert.deepEqual(await get('/monday-week/2025/1/any/'), [200, '|2025-01-06|2024-12-30|2025-01-13|None']);
      // A DateTimeField's week is the current time zone's: 2023-12-31 23:30 UTC is Monday 1 January in Tokyo.
      assert.deepEqual(await get('/by-time/2024/week/1/'), [200, 'eve |2024-01-01||2024-01-15|None']);
      assert.equal((await get('/monday-week/2024/1/'))[0], 404);
    });

    test('WeekArchiveView: a week format it does not know, or %V with %Y, is a configuration error', async () => {
      assert.equal((await get('/other-week/2024/2/'))[0], 500);
      await assert.rejects(callView('/other-week/2024/2/'), {
        name: 'TypeError',
        message: "Unknown week format '%X'. Choices are: %U, %V, %W",
      });
      await assert.rejects(callView('/iso-week-with-%Y/2024/2/'), {
        name: 'TypeError',
        message: "ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead.",
      });
    });

    test('a DateTimeField is read by the day of the current time zone', async () => {
      // 2023-12-31 23:30 UTC is 2024-01-01 08:30 in Tokyo: January's, and its first day.
      assert.deepEqual(await get('/by-time/2024/01/'), [
        200,
        '2024-01-01 00:00 JST 2024-01-15 00:00 JST 2024-01-20 00:00 JST |late mid eve ',
      ]);
      assert.equal((await get('/by-time/2023/12/'))[0], 404);
    });

    test("Django's 404 messages", async () => {
      const cases: Array<[string, string]> = [
        ['/2024/feb/', 'No articles available'],
        ['/2024/foo/', 'Invalid date string “2024__foo__” given format “%Y__%b__”'],
        ['/2024/jan/32/', 'Invalid date string “2024__jan__32” given format “%Y__%b__%d”'],
        ['/2022/', 'No articles available'],
        [
          `/2999/jan/1/${String(ids.future)}/`,
          'Future articles not available because DateDetailView.allowFuture is False.',
        ],
        [`/2024/jan/16/${String(ids.mid)}/`, 'No article found matching the query'],
        ['/week/2024/54/', 'Invalid date string “2024__0__54” given format “%Y__%w__%U”'],
        ['/week/?year=2024&week=x1', 'Invalid date string “2024__0__x1” given format “%Y__%w__%U”'],
        ['/week/?year=2024', 'No week specified'],
        ['/week/2024/9/', 'No articles available'],
        ['/week/2999/0/', 'No articles available'],
      ];
      for (const [url, message] of cases) {
        assert.equal((await fetch(base + url)).status, 404, url);
        await assert.rejects(callView(url), (error: Error) => {
          assert.ok(error instanceof Http404, url);
          assert.equal(error.message, message, url);
          return true;
        });
      }
    });
  },
  {
    extraSettings: {
      ALLOWED_HOSTS: ['*'],
      DEBUG: false,
      TIME_ZONE: 'Asia/Tokyo',
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
