/**
 * Widgets made of several inputs, as Django's: `MultiWidget` (its value is a list, one item per
 * widget, named `<name>_0`, `<name>_1`...), `SplitDateTimeWidget` (a date and a time input),
 * `SplitHiddenDateTimeWidget`, and `SelectDateWidget` (year, month and day `<select>`s).
 */
import type { Temporal } from 'temporal-polyfill';
import { getFormat } from '../../utils/formats.ts';
import { temporalKind } from '../../utils/python.ts';
import { MONTHS, strftime, strptime } from '../../utils/strptime.ts';
import { temporal } from '../../utils/temporal.ts';
import { toCurrentTimezone, type Attrs } from '../utils.ts';
import { DateInput, TimeInput, Widget, type DataSource, type WidgetClass, type WidgetContext } from './base.ts';
import { Select } from './choice.ts';

/**
 * Several widgets drawn as one; `decompress(value)` splits a value into the list the widgets show.
 * Given an object of widgets, their names are `<name>_<key>` (an empty key gives `<name>`).
 */
export class MultiWidget extends Widget {
  override templateName = 'django/forms/widgets/multiwidget.html';
  widgets: Widget[];
  widgetsNames: string[];

  constructor(widgets: (Widget | WidgetClass)[] | Record<string, Widget | WidgetClass>, attrs?: Attrs) {
    super(attrs);
    const list = Array.isArray(widgets) ? widgets : Object.values(widgets);
    this.widgetsNames = Array.isArray(widgets)
      ? widgets.map((_, i) => `_${i}`)
      : Object.keys(widgets).map((name) => (name ? `_${name}` : ''));
    this.widgets = list.map((w) => (typeof w === 'function' ? new w() : w));
  }

  override get isHidden(): boolean {
    return this.widgets.every((w) => w.isHidden);
  }

  override get needsMultipartForm(): boolean {
    return this.widgets.some((w) => w.needsMultipartForm);
  }

  override clone(): this {
    const copy = super.clone();
    copy.widgets = this.widgets.map((w) => w.clone());
    return copy;
  }

  override getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    if (this.isLocalized) for (const widget of this.widgets) widget.isLocalized = true;
    const values = Array.isArray(value) ? value : this.decompress(value);
    const finalAttrs = context.widget.attrs;
    const { type: inputType, ...rest } = finalAttrs;
    context.widget.attrs = rest;
    const id = rest.id;
    context.widget.subwidgets = this.widgets.map((widget, i) => {
      if (inputType !== undefined) (widget as { inputType?: unknown }).inputType = inputType;
      const widgetAttrs = id ? { ...rest, id: `${String(id)}_${i}` } : rest;
      return widget.getContext(name + this.widgetsNames[i], values[i] ?? null, widgetAttrs).widget;
    });
    return context;
  }

  override idForLabel(id: string): string {
    return id ? `${id}_0` : id;
  }

  override valueFromDatadict(data: DataSource, files: DataSource, name: string): unknown {
    return this.widgets.map((widget, i) => widget.valueFromDatadict(data, files, name + this.widgetsNames[i]));
  }

  override valueOmittedFromData(data: DataSource, files: DataSource, name: string): boolean {
    return this.widgets.every((widget, i) => widget.valueOmittedFromData(data, files, name + this.widgetsNames[i]));
  }

  /** The list of values the widgets show for one value; subclasses must say how. */
  decompress(_value: unknown): unknown[] {
    throw new TypeError(`${this.constructor.name} must implement decompress(value): the list of its widgets' values.`);
  }
}

/** A date input and a time input for one datetime. */
export class SplitDateTimeWidget extends MultiWidget {
  override templateName = 'django/forms/widgets/splitdatetime.html';
  override supportsMicroseconds = false;

  constructor(
    attrs?: Attrs,
    options: { dateFormat?: string; timeFormat?: string; dateAttrs?: Attrs; timeAttrs?: Attrs } = {},
  ) {
    super([
      new DateInput(options.dateAttrs ?? attrs, options.dateFormat),
      new TimeInput(options.timeAttrs ?? attrs, options.timeFormat),
    ]);
  }

  override decompress(value: unknown): unknown[] {
    if (!value) return [null, null];
    const local = toCurrentTimezone(value) as Temporal.PlainDateTime | Temporal.ZonedDateTime;
    return [local.toPlainDate(), local.toPlainTime()];
  }
}

/** SplitDateTimeWidget drawn as two hidden inputs. */
export class SplitHiddenDateTimeWidget extends SplitDateTimeWidget {
  override templateName = 'django/forms/widgets/splithiddendatetime.html';

  constructor(
    attrs?: Attrs,
    options: { dateFormat?: string; timeFormat?: string; dateAttrs?: Attrs; timeAttrs?: Attrs } = {},
  ) {
    super(attrs, options);
    for (const widget of this.widgets) (widget as DateInput).inputType = 'hidden';
  }
}

const DATE_RE = /^(\d{4}|0)-(\d\d?)-(\d\d?)$/;

/** Three `<select>`s (year, month, day) in the order of DATE_FORMAT. */
export class SelectDateWidget extends Widget {
  override templateName = 'django/forms/widgets/select_date.html';
  noneValue: [string, string] = ['', '---'];
  years: number[];
  months: Record<number, string>;
  yearNoneValue: [string, string];
  monthNoneValue: [string, string];
  dayNoneValue: [string, string];

  constructor(
    attrs?: Attrs,
    options: {
      years?: Iterable<number>;
      months?: Record<number, string>;
      emptyLabel?: string | [string, string, string];
    } = {},
  ) {
    super(attrs);
    const thisYear = temporal().Now.plainDateISO().year;
    this.years = options.years ? [...options.years] : Array.from({ length: 10 }, (_, i) => thisYear + i);
    this.months = options.months ?? Object.fromEntries(MONTHS.map((m, i) => [i + 1, m]));
    const empty = options.emptyLabel;
    if (Array.isArray(empty)) {
      if (empty.length !== 3)
        throw new TypeError('emptyLabel must be a string or a list of 3 labels (year, month, day).');
      this.yearNoneValue = ['', empty[0]];
      this.monthNoneValue = ['', empty[1]];
      this.dayNoneValue = ['', empty[2]];
    } else {
      if (empty !== undefined) this.noneValue = ['', empty];
      this.yearNoneValue = this.monthNoneValue = this.dayNoneValue = this.noneValue;
    }
  }

  override getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    const parts = context.widget.value as { year: unknown; month: unknown; day: unknown };
    const select = (
      field: 'year' | 'month' | 'day',
      choices: [unknown, unknown][],
      none: [string, string],
    ): Record<string, unknown> => {
      if (!this.isRequired) choices.unshift(none);
      const widgetName = `${name}_${field}`;
      return new Select(attrs, choices).getContext(widgetName, parts[field], {
        ...context.widget.attrs,
        id: `id_${widgetName}`,
      }).widget;
    };
    const selects = {
      year: select(
        'year',
        this.years.map((y) => [y, String(y)]),
        this.yearNoneValue,
      ),
      month: select(
        'month',
        Object.entries(this.months).map(([k, v]) => [Number(k), v]),
        this.monthNoneValue,
      ),
      day: select(
        'day',
        Array.from({ length: 31 }, (_, i) => [i + 1, i + 1]),
        this.dayNoneValue,
      ),
    };
    context.widget.subwidgets = dateOrder().map((field) => selects[field]);
    return context;
  }

  /** The year, month and day of the value (an invalid date such as February 31 shows as typed). */
  override formatValue(value: unknown): { year: unknown; month: unknown; day: unknown } {
    let year: unknown = null;
    let month: unknown = null;
    let day: unknown = null;
    const kind = temporalKind(value);
    if (kind === 'Temporal.PlainDate' || kind === 'Temporal.PlainDateTime' || kind === 'Temporal.ZonedDateTime') {
      const v = value as Temporal.PlainDate;
      ({ year, month, day } = v);
    } else if (typeof value === 'string') {
      const match = DATE_RE.exec(value);
      if (match !== null) {
        [year, month, day] = match.slice(1).map((v) => Number(v) || '');
      } else {
        const parsed = strptime(value, (getFormat('DATE_INPUT_FORMATS') as string[])[0]!);
        if (parsed !== undefined) ({ year, month, day } = parsed);
      }
    }
    return { year, month, day };
  }

  override idForLabel(id: string): string {
    const first = dateOrder()[0];
    return `${id}_${first ?? 'month'}`;
  }

  override valueFromDatadict(data: DataSource, _files: DataSource, name: string): unknown {
    const y = data.get(`${name}_year`);
    const m = data.get(`${name}_month`);
    const d = data.get(`${name}_day`);
    if (y === '' && m === '' && d === '') return null;
    if (y !== undefined && m !== undefined && d !== undefined) {
      const format = (getFormat('DATE_INPUT_FORMATS') as string[])[0]!;
      const [year, month, day] = [Number(y), Number(m), Number(d)];
      try {
        const date = temporal().PlainDate.from({ year, month, day }, { overflow: 'reject' });
        if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) throw new RangeError();
        return strftime(date, format);
      } catch {
        return `${String(y || 0)}-${String(m || 0)}-${String(d || 0)}`;
      }
    }
    return data.get(name);
  }

  override valueOmittedFromData(data: DataSource, _files: DataSource, name: string): boolean {
    return !['year', 'month', 'day'].some((part) => data.has(`${name}_${part}`));
  }
}

/** The order of year, month and day in DATE_FORMAT. */
function dateOrder(): ('year' | 'month' | 'day')[] {
  const format = String(getFormat('DATE_FORMAT'));
  const order: ('year' | 'month' | 'day')[] = [];
  let escaped = false;
  for (const char of format) {
    if (escaped) escaped = false;
    else if (char === '\\') escaped = true;
    else if ('Yy'.includes(char)) order.push('year');
    else if ('bEFMmNn'.includes(char)) order.push('month');
    else if ('dj'.includes(char)) order.push('day');
  }
  return order;
}
