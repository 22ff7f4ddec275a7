/**
 * The date-based archive views, as Django's `django.views.generic.dates`, on Temporal:
 * `ArchiveIndexView` (the latest objects and the years that have some), `YearArchiveView`,
 * `MonthArchiveView`, `WeekArchiveView`, `DayArchiveView`, `TodayArchiveView` and
 * `DateDetailView`. The date is the URL's `year`, `month`, `week` and `day` kwargs (or query
 * parameters), read with `yearFormat` (`%Y`), `monthFormat` (`%b`: `jan`), `weekFormat` (`%U`,
 * `%W`, or `%V` with the ISO year `%G`) and `dayFormat` (`%d`); objects are found by `dateField`, a
 * DateField or a DateTimeField (whose days are the current time zone's when USE_TZ is on).
 * Objects in the future are left out unless `allowFuture`; an empty archive is a 404 unless
 * `allowEmpty`.
 *
 * @example
 * path('archive/', ArchiveIndexView.asView({ model: Post, dateField: 'published' })),
 * path('<int:year>/', YearArchiveView.asView({ model: Post, dateField: 'published', makeObjectList: true })),
 * path('<int:year>/<int:month>/', MonthArchiveView.asView({ model: Post, dateField: 'published', monthFormat: '%m' })),
 * path('<int:year>/week/<int:week>/', WeekArchiveView.asView({ model: Post, dateField: 'published', weekFormat: '%W' })),
 * path('<int:year>/<str:month>/<int:day>/<int:pk>/', DateDetailView.asView({ model: Post, dateField: 'published' })),
 */
import type { Temporal } from 'temporal-polyfill';
import { settings } from '../../conf/index.ts';
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import type { QuerySet } from '../../db/models/index.ts';
import { Http404 } from '../../http/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponse } from '../../http/response.ts';
import { strptime } from '../../utils/strptime.ts';
import { temporal } from '../../utils/temporal.ts';
import { localdate, localtime, makeAware, now } from '../../utils/timezone.ts';
import { DetailView } from './detail.ts';
import { ListView, querysetMeta, type ObjectList } from './list.ts';

type PlainDate = Temporal.PlainDate;
type Period = 'year' | 'month' | 'week' | 'day';

/** What the helpers below read of a date view (both the list views and DateDetailView). */
interface DatedView {
  dateField: string | undefined;
  allowFuture: boolean;
  year: string | number | undefined;
  month: string | number | undefined;
  day: string | number | undefined;
  yearFormat: string;
  monthFormat: string;
  dayFormat: string;
  /** `%U` (weeks from Sunday), `%W` or `%V` (from Monday); only the week archive has one. */
  weekFormat?: string;
  kwargs: Record<string, unknown>;
  request: HttpRequest;
  getQueryset(): ObjectList<unknown> | QuerySet<unknown>;
}

function viewName(view: DatedView): string {
  return (view as object).constructor.name;
}

function dateFieldOf(view: DatedView): string {
  if (view.dateField === undefined) throw new ImproperlyConfigured(`${viewName(view)}.dateField is required.`);
  return view.dateField;
}

/** Whether `dateField` is a DateTimeField (Django's `uses_datetime_field`). */
function usesDatetimeField(view: DatedView, queryset: unknown): boolean {
  const meta = querysetMeta(queryset);
  if (meta === undefined) {
    throw new ImproperlyConfigured(
      `${viewName(view)} needs a QuerySet of a model with the date field '${dateFieldOf(view)}', and its getQueryset() returned an array.`,
    );
  }
  return meta.getField(dateFieldOf(view)).internalType === 'DateTimeField';
}

/** Today in the current time zone when USE_TZ is on (Django's `timezone_today()`). */
function today(): PlainDate {
  return settings.USE_TZ ? localdate() : (now() as Temporal.PlainDateTime).toPlainDate();
}

/** The value a lookup on the date field compares with: the day itself, or its first instant. */
function lookupArg(date: PlainDate, datetime: boolean): unknown {
  if (!datetime) return date;
  const midnight = date.toPlainDateTime();
  return settings.USE_TZ ? makeAware(midnight) : midnight;
}

/** The date of a date field's value (a datetime's, in the current time zone when USE_TZ is on). */
function dateOf(value: unknown, datetime: boolean): PlainDate {
  if (!datetime) return value as PlainDate;
  if (settings.USE_TZ) return localtime(value).toPlainDate();
  return (value as Temporal.PlainDateTime).toPlainDate();
}

/** The one part of the date the URL gives (kwarg, else query parameter), or Http404. */
function datePart(view: DatedView & { week?: string | number | undefined }, part: Period): string {
  const fixed = view[part];
  if (fixed !== undefined) return String(fixed);
  const fromUrl = view.kwargs[part];
  if (fromUrl !== undefined) return String(fromUrl);
  const fromQuery = view.request.GET.get(part);
  if (fromQuery !== null && fromQuery !== undefined) return String(fromQuery);
  throw new Http404(`No ${part} specified`);
}

/** Python's `strptime(year__month__day, format)`, as Django's `_date_from_string`; Http404 when it does not parse. */
function dateFromString(parts: Array<[string, string]>): PlainDate {
  const format = [0, 1, 2].map((i) => parts[i]?.[1] ?? '').join('__');
  const text = [0, 1, 2].map((i) => parts[i]?.[0] ?? '').join('__');
  let parsed: ReturnType<typeof strptime>;
  try {
    parsed = strptime(text, format);
  } catch (error) {
    // Python's strptime raises ValueError for a format it refuses too, which Django answers 404.
    if (!(error instanceof RangeError)) throw error;
  }
  if (parsed === undefined) throw new Http404(`Invalid date string “${text}” given format “${format}”`);
  return temporal().PlainDate.from({ year: parsed.year, month: parsed.month, day: parsed.day });
}

/** The date the URL names, down to `period`. */
function urlDate(view: DatedView, period: Period): PlainDate {
  const parts: Array<[string, string]> = [[datePart(view, 'year'), view.yearFormat]];
  if (period !== 'year') parts.push([datePart(view, 'month'), view.monthFormat]);
  if (period === 'day') parts.push([datePart(view, 'day'), view.dayFormat]);
  return dateFromString(parts);
}

/** The day of the week of `date` counted from the first of the week format's weeks (0 to 6). */
function weekday(view: DatedView, date: PlainDate): number {
  const format = view.weekFormat;
  if (format === '%W' || format === '%V') return date.dayOfWeek - 1;
  if (format === '%U') return date.dayOfWeek % 7;
  throw new TypeError(`unknown week format: ${String(format)}`);
}

/** The first day of the period holding `date`. */
function currentOf(view: DatedView, date: PlainDate, period: Period): PlainDate {
  if (period === 'year') return date.with({ month: 1, day: 1 });
  if (period === 'month') return date.with({ day: 1 });
  if (period === 'week') return date.subtract({ days: weekday(view, date) });
  return date;
}

/** The first day of the period after the one holding `date`. */
function nextOf(view: DatedView, date: PlainDate, period: Period): PlainDate {
  const next =
    period === 'year'
      ? date.with({ month: 1, day: 1 }).add({ years: 1 })
      : period === 'month'
        ? date.with({ day: 1 }).add({ months: 1 })
        : period === 'week'
          ? date.add({ days: 7 - weekday(view, date) })
          : date.add({ days: 1 });
  // Python's date ends at 9999-12-31.
  if (next.year > 9999) throw new Http404('Date out of range');
  return next;
}

/**
 * The first day of the period after (or before) the one of `date`: the naive one when empty
 * periods are allowed, else the nearest one with an object; null when there is none, or it is in
 * the future and `allowFuture` is off (Django's `_get_next_prev`).
 */
async function nextOrPrevious(
  view: DatedView & { getAllowEmpty(): boolean },
  date: PlainDate,
  previous: boolean,
  period: Period,
): Promise<PlainDate | null> {
  const field = dateFieldOf(view);
  const start = currentOf(view, date, period);
  if (view.getAllowEmpty()) {
    const result = previous ? currentOf(view, start.subtract({ days: 1 }), period) : nextOf(view, date, period);
    return view.allowFuture || temporal().PlainDate.compare(result, today()) <= 0 ? result : null;
  }
  const queryset = view.getQueryset() as QuerySet<unknown>;
  const datetime = usesDatetimeField(view, queryset);
  const lookup: Record<string, unknown> = previous
    ? { [`${field}__lt`]: lookupArg(start, datetime) }
    : { [`${field}__gte`]: lookupArg(nextOf(view, date, period), datetime) };
  if (!view.allowFuture) lookup[`${field}__lte`] = datetime ? now() : today();
  const first = await queryset
    .filter(lookup as never)
    .orderBy((previous ? `-${field}` : field) as never)
    .first();
  if (first === null) return null;
  return currentOf(view, dateOf((first as Record<string, unknown>)[field], datetime), period);
}

/**
 * The base of the archive list views (Django's BaseDateListView): `getDatedItems()` gives the
 * objects, `date_list` and the extra context. `allowEmpty` is false by default, as Django's.
 */
export abstract class BaseDateListView<T = unknown> extends ListView<T> implements DatedView {
  override allowEmpty = false;
  /** The model's DateField or DateTimeField the archive is by. */
  dateField: string | undefined = undefined;
  /** Whether objects dated in the future are shown. */
  allowFuture = false;
  /** The period of `date_list`'s dates. */
  dateListPeriod: Period = 'year';
  year: string | number | undefined = undefined;
  month: string | number | undefined = undefined;
  day: string | number | undefined = undefined;
  yearFormat = '%Y';
  monthFormat = '%b';
  dayFormat = '%d';
  /** The dates with objects, set by `get()`. */
  dateList: unknown[] | null = null;

  /** The objects, `date_list`, and the context to add. */
  abstract getDatedItems(): Promise<{
    dateList: unknown[] | null;
    objectList: ObjectList<T>;
    extra: Record<string, unknown>;
  }>;

  /** The newest first, unless `ordering` says otherwise. */
  override getOrdering(): readonly string[] | undefined {
    return this.ordering === undefined ? [`-${dateFieldOf(this)}`] : super.getOrdering();
  }

  /**
   * The objects matching `lookup`, without those in the future unless `allowFuture`. (Not async:
   * awaiting a QuerySet runs it.)
   */
  getDatedQueryset(lookup: Record<string, unknown> = {}): QuerySet<T> {
    const queryset = this.getQueryset();
    const datetime = usesDatetimeField(this, queryset);
    const qs = (queryset as QuerySet<T>).filter(lookup as never);
    return this.allowFuture ? qs : qs.filter({ [`${dateFieldOf(this)}__lte`]: datetime ? now() : today() } as never);
  }

  /** Http404 when `queryset` is empty and `allowEmpty` is off (`No posts available`). */
  async checkNotEmpty(queryset: QuerySet<T>): Promise<void> {
    if (!this.getAllowEmpty() && !(await queryset.exists())) {
      throw new Http404(`No ${queryset.meta.verboseNamePlural} available`);
    }
  }

  /**
   * The distinct dates, truncated to `period`, of the objects of `queryset`: its `dates()`
   * (PlainDates), or for a DateTimeField its `datetimes()` (the first instant of each period in
   * the current time zone); Http404 for none unless `allowEmpty`.
   */
  async getDateList(
    queryset: QuerySet<T>,
    period: Period = this.dateListPeriod,
    ordering: 'ASC' | 'DESC' = 'ASC',
  ): Promise<unknown[]> {
    const field = dateFieldOf(this);
    const dates = usesDatetimeField(this, queryset)
      ? await queryset.datetimes(field, period, ordering)
      : await queryset.dates(field, period, ordering);
    if (dates.length === 0 && !this.getAllowEmpty())
      throw new Http404(`No ${queryset.meta.verboseNamePlural} available`);
    return dates;
  }

  /** Renders the archive: `object_list`, `date_list` and the period's dates in the context. */
  override async get(request: HttpRequest, ..._rest: unknown[]): Promise<HttpResponse> {
    const { dateList, objectList, extra } = await this.getDatedItems();
    this.dateList = dateList;
    this.objectList = objectList;
    const context = await this.getContextData({ object_list: objectList, date_list: dateList, ...extra });
    return this.renderToResponse(context, request);
  }
}

/**
 * The latest objects (`latest` in the context) and the years that have some (`date_list`), in
 * `<app>/<model>_archive.html`.
 */
export class ArchiveIndexView<T = unknown> extends BaseDateListView<T> {
  override contextObjectName: string | undefined = 'latest';
  override templateNameSuffix = '_archive';

  async getDatedItems() {
    const qs = this.getDatedQueryset();
    await this.checkNotEmpty(qs);
    const dateList = await this.getDateList(qs, this.dateListPeriod, 'DESC');
    return { dateList, objectList: dateList.length ? qs : qs.none(), extra: {} };
  }
}

/**
 * A year's months with objects (`date_list`), and its objects when `makeObjectList`, in
 * `<app>/<model>_archive_year.html`; `year`, `next_year` and `previous_year` are dates.
 */
export class YearArchiveView<T = unknown> extends BaseDateListView<T> {
  override dateListPeriod: Period = 'month';
  override templateNameSuffix = '_archive_year';
  /** Whether `object_list` holds the year's objects (else it is empty). */
  makeObjectList = false;

  async getDatedItems() {
    const date = urlDate(this, 'year');
    const field = dateFieldOf(this);
    const datetime = usesDatetimeField(this, this.getQueryset());
    const qs = this.getDatedQueryset({
      [`${field}__gte`]: lookupArg(date, datetime),
      [`${field}__lt`]: lookupArg(nextOf(this, date, 'year'), datetime),
    });
    await this.checkNotEmpty(qs);
    const dateList = await this.getDateList(qs);
    return {
      dateList,
      objectList: this.makeObjectList ? qs : qs.none(),
      extra: {
        year: date,
        next_year: await nextOrPrevious(this, date, false, 'year'),
        previous_year: await nextOrPrevious(this, date, true, 'year'),
      },
    };
  }
}

/** A month's objects and days with objects, in `<app>/<model>_archive_month.html`. */
export class MonthArchiveView<T = unknown> extends BaseDateListView<T> {
  override dateListPeriod: Period = 'day';
  override templateNameSuffix = '_archive_month';

  async getDatedItems() {
    const date = urlDate(this, 'month');
    const field = dateFieldOf(this);
    const datetime = usesDatetimeField(this, this.getQueryset());
    const qs = this.getDatedQueryset({
      [`${field}__gte`]: lookupArg(date, datetime),
      [`${field}__lt`]: lookupArg(nextOf(this, date, 'month'), datetime),
    });
    await this.checkNotEmpty(qs);
    return {
      dateList: await this.getDateList(qs),
      objectList: qs,
      extra: {
        month: date,
        next_month: await nextOrPrevious(this, date, false, 'month'),
        previous_month: await nextOrPrevious(this, date, true, 'month'),
      },
    };
  }
}

/** The weekday that starts a week of each week format, as strptime's `%w`. */
const WEEK_STARTS: Readonly<Record<string, string>> = { '%U': '0', '%V': '1', '%W': '1' };

/**
 * A week's objects, in `<app>/<model>_archive_week.html`, with `week` (its first day) and the
 * nearest weeks with objects (`previous_week`, `next_week`). The week is the URL's `week` read
 * with `weekFormat`: `%U` (the default; weeks from Sunday, week 0 before the first), `%W` (from
 * Monday), or `%V` (ISO 8601 weeks, with the ISO year: `yearFormat: '%G'`).
 *
 * @example
 * path('<int:year>/week/<int:week>/', WeekArchiveView.asView({ model: Post, dateField: 'published', weekFormat: '%W' })),
 */
export class WeekArchiveView<T = unknown> extends BaseDateListView<T> {
  override templateNameSuffix = '_archive_week';
  week: string | number | undefined = undefined;
  weekFormat = '%U';

  async getDatedItems() {
    const weekStart = WEEK_STARTS[this.weekFormat];
    if (weekStart === undefined) {
      throw new TypeError(`Unknown week format '${this.weekFormat}'. Choices are: %U, %V, %W`);
    }
    if (this.weekFormat === '%V' && this.yearFormat !== '%G') {
      throw new TypeError(
        `ISO week directive '%V' is incompatible with the year directive '${this.yearFormat}'. Use the ISO year '%G' instead.`,
      );
    }
    const date = dateFromString([
      [datePart(this, 'year'), this.yearFormat],
      [weekStart, '%w'],
      [datePart(this, 'week'), this.weekFormat],
    ]);
    const field = dateFieldOf(this);
    const datetime = usesDatetimeField(this, this.getQueryset());
    const qs = this.getDatedQueryset({
      [`${field}__gte`]: lookupArg(date, datetime),
      [`${field}__lt`]: lookupArg(nextOf(this, date, 'week'), datetime),
    });
    await this.checkNotEmpty(qs);
    return {
      dateList: null,
      objectList: qs,
      extra: {
        week: date,
        next_week: await nextOrPrevious(this, date, false, 'week'),
        previous_week: await nextOrPrevious(this, date, true, 'week'),
      },
    };
  }
}

/** A day's objects, in `<app>/<model>_archive_day.html`, with the days and months around it. */
export class DayArchiveView<T = unknown> extends BaseDateListView<T> {
  override templateNameSuffix = '_archive_day';

  /** The day shown: the URL's. */
  getDay(): PlainDate {
    return urlDate(this, 'day');
  }

  async getDatedItems() {
    const date = this.getDay();
    const field = dateFieldOf(this);
    const datetime = usesDatetimeField(this, this.getQueryset());
    const lookup = datetime
      ? { [`${field}__gte`]: lookupArg(date, true), [`${field}__lt`]: lookupArg(nextOf(this, date, 'day'), true) }
      : { [field]: date };
    const qs = this.getDatedQueryset(lookup);
    await this.checkNotEmpty(qs);
    return {
      dateList: null,
      objectList: qs,
      extra: {
        day: date,
        previous_day: await nextOrPrevious(this, date, true, 'day'),
        next_day: await nextOrPrevious(this, date, false, 'day'),
        previous_month: await nextOrPrevious(this, date, true, 'month'),
        next_month: await nextOrPrevious(this, date, false, 'month'),
      },
    };
  }
}

/** Today's objects (DayArchiveView for today, in the current time zone). */
export class TodayArchiveView<T = unknown> extends DayArchiveView<T> {
  override getDay(): PlainDate {
    return today();
  }
}

/**
 * One object, by its date in the URL (`year`, `month`, `day`) and its pk or slug: a 404 when
 * its date is another day, or in the future and `allowFuture` is off.
 */
export class DateDetailView<T = unknown> extends DetailView<T> implements DatedView {
  dateField: string | undefined = undefined;
  allowFuture = false;
  year: string | number | undefined = undefined;
  month: string | number | undefined = undefined;
  day: string | number | undefined = undefined;
  yearFormat = '%Y';
  monthFormat = '%b';
  dayFormat = '%d';

  override async getObject(queryset: QuerySet<T> = this.getQueryset()): Promise<T> {
    const date = urlDate(this, 'day');
    if (!this.allowFuture && temporal().PlainDate.compare(date, today()) > 0) {
      throw new Http404(
        `Future ${queryset.meta.verboseNamePlural} not available because ${this.constructor.name}.allowFuture is False.`,
      );
    }
    const field = dateFieldOf(this);
    const lookup = usesDatetimeField(this, queryset)
      ? { [`${field}__gte`]: lookupArg(date, true), [`${field}__lt`]: lookupArg(nextOf(this, date, 'day'), true) }
      : { [field]: date };
    return super.getObject(queryset.filter(lookup as never));
  }
}
