/**
 * The base widgets, as Django's `django.forms.widgets`: how a field is drawn as HTML and read back from
 * the submitted data. Each renders a template of the form renderer (`django/forms/widgets/*.html`,
 * Django's names, so a project overrides one by name) with Django's context (`widget.name`,
 * `widget.value`, `widget.attrs`, `widget.optgroups`, `widget.subwidgets`...).
 *
 * A subclass changes what a widget draws with `templateName` (and `optionTemplateName`), what it
 * reads with `valueFromDatadict()`, what it shows with `formatValue()` and `getContext()`.
 *
 * @example
 * new TextInput({ class: 'wide', placeholder: 'Title' }).render('title', 'Hello');
 * // '<input type="text" name="title" value="Hello" class="wide" placeholder="Title">'
 */
import { pyStr, temporalKind } from '../../utils/python.ts';
import { markSafe, type SafeString } from '../../utils/safestring.ts';
import { strftime, type FormattableDateTime } from '../../utils/strptime.ts';
import { getFormat, numberFormat } from '../../utils/formats.ts';
import { getDefaultRenderer, type FormRenderer } from '../renderers.ts';
import type { Attrs } from '../utils.ts';

/** What `valueFromDatadict()` reads: the submitted data or files (a QueryDict, a MultiValueDict). */
export interface DataSource {
  get(key: string): unknown;
  getlist?(key: string): unknown[];
  has(key: string): boolean;
}

/** A choice: `[value, label]`, or `[groupName, [[value, label], ...]]` for an `<optgroup>`. */
export type Choice = readonly [unknown, unknown];

/** What a widget's template sees as `widget`. */
export type WidgetContext = Record<string, unknown> & {
  name: string;
  is_hidden: boolean;
  required: boolean;
  value: unknown;
  attrs: Attrs;
  template_name: string;
};

/** A widget class, for fields that take a class or an instance. */
export type WidgetClass = new () => Widget;

/**
 * A value as text in the active locale's input format (Django's `localize_input`): dates and
 * times with the first input format (or `format`), numbers with the number format.
 */
export function localizeInput(value: unknown, format?: string): unknown {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    (temporalKind(value) === undefined && isDecimalLike(value))
  ) {
    return numberFormat(value);
  }
  const kind = temporalKind(value);
  const first = (name: string): string => (getFormat(name) as string[])[0]!;
  if (kind === 'Temporal.PlainDateTime' || kind === 'Temporal.ZonedDateTime') {
    return strftime(withMicroseconds(value), format ?? first('DATETIME_INPUT_FORMATS'));
  }
  if (kind === 'Temporal.PlainDate') return strftime(withMicroseconds(value), format ?? first('DATE_INPUT_FORMATS'));
  if (kind === 'Temporal.PlainTime') return strftime(withMicroseconds(value), format ?? first('TIME_INPUT_FORMATS'));
  return value;
}

function isDecimalLike(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as object)[Symbol.toStringTag as keyof object] === 'Decimal'
  );
}

/** Temporal fields as strftime reads them (Python's microsecond from milli + micro). */
function withMicroseconds(value: unknown): FormattableDateTime {
  const v = value as FormattableDateTime;
  return {
    ...(v.year !== undefined
      ? { year: v.year, month: v.month!, day: v.day!, dayOfWeek: v.dayOfWeek!, dayOfYear: v.dayOfYear! }
      : {}),
    hour: v.hour ?? 0,
    minute: v.minute ?? 0,
    second: v.second ?? 0,
    microsecond: (v.millisecond ?? 0) * 1000 + (v.microsecond ?? 0),
  };
}

/** The base widget. */
export class Widget {
  attrs: Attrs;
  /** The template that draws it. */
  templateName = '';
  /** Values are shown and read in the locale's formats. */
  isLocalized = false;
  /** Set by the field: whether to draw `required`. */
  isRequired = false;
  /** Whether a datetime value keeps its microseconds when shown. */
  supportsMicroseconds = true;

  constructor(attrs: Attrs = {}) {
    this.attrs = { ...attrs };
  }

  /** Whether it needs `enctype="multipart/form-data"` (file inputs). */
  get needsMultipartForm(): boolean {
    return false;
  }

  /** A hidden widget draws nothing visible (no label row). */
  get isHidden(): boolean {
    return false;
  }

  /** A copy that shares nothing mutable (Django's `__deepcopy__`): each form gets its own. */
  clone(): this {
    const copy = Object.assign(Object.create(Object.getPrototypeOf(this) as object) as this, this);
    copy.attrs = { ...this.attrs };
    return copy;
  }

  /** The contexts of the parts a template may iterate (`{% for radio in form.choice %}`). */
  subwidgets(name: string, value: unknown, attrs?: Attrs): Record<string, unknown>[] {
    return [this.getContext(name, value, attrs).widget];
  }

  /** The value as the template shows it: null for empty, text otherwise. */
  formatValue(value: unknown): unknown {
    if (value === '' || value === null || value === undefined) return null;
    if (this.isLocalized) return localizeInput(value);
    return pyStr(value);
  }

  getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    return {
      widget: {
        name,
        is_hidden: this.isHidden,
        required: this.isRequired,
        value: this.formatValue(value),
        attrs: this.buildAttrs(this.attrs, attrs),
        template_name: this.templateName,
      },
    };
  }

  /** The widget as HTML. */
  render(name: string, value: unknown, attrs?: Attrs, renderer?: FormRenderer): SafeString {
    return this.renderTemplate(this.templateName, this.getContext(name, value, attrs), renderer);
  }

  /** Renders `templateName` with `context` (Django's `_render`). */
  renderTemplate(templateName: string, context: Record<string, unknown>, renderer?: FormRenderer): SafeString {
    return markSafe((renderer ?? getDefaultRenderer()).render(templateName, context));
  }

  buildAttrs(base: Attrs, extra?: Attrs): Attrs {
    return { ...base, ...(extra ?? {}) };
  }

  /** This widget's value in the submitted data, or undefined when it is not there. */
  valueFromDatadict(data: DataSource, _files: DataSource, name: string): unknown {
    return data.get(name);
  }

  /** Whether the data lacks this widget's value altogether (a ModelForm then keeps the model's). */
  valueOmittedFromData(data: DataSource, _files: DataSource, name: string): boolean {
    return !data.has(name);
  }

  /** The id a `<label for>` points at, given the field's id. */
  idForLabel(id: string): string {
    return id;
  }

  /** Whether to draw `required` (not on hidden inputs). */
  useRequiredAttribute(_initial: unknown): boolean {
    return !this.isHidden;
  }
}

/** An `<input>` of `inputType`; `attrs.type` changes the type. */
export class Input extends Widget {
  inputType: string;
  override templateName = 'django/forms/widgets/input.html';

  constructor(attrs?: Attrs, defaults: { inputType?: string } = {}) {
    const { type, ...rest } = attrs ?? {};
    super(rest);
    this.inputType = typeof type === 'string' ? type : (defaults.inputType ?? 'text');
  }

  override get isHidden(): boolean {
    return this.inputType === 'hidden';
  }

  override getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    context.widget.type = this.inputType;
    return context;
  }
}

export class TextInput extends Input {
  override templateName = 'django/forms/widgets/text.html';
  constructor(attrs?: Attrs) {
    super(attrs, { inputType: 'text' });
  }
}

export class NumberInput extends Input {
  override templateName = 'django/forms/widgets/number.html';
  constructor(attrs?: Attrs) {
    super(attrs, { inputType: 'number' });
  }
}

export class EmailInput extends Input {
  override templateName = 'django/forms/widgets/email.html';
  constructor(attrs?: Attrs) {
    super(attrs, { inputType: 'email' });
  }
}

export class URLInput extends Input {
  override templateName = 'django/forms/widgets/url.html';
  constructor(attrs?: Attrs) {
    super(attrs, { inputType: 'url' });
  }
}

/** A password input; the value is not drawn back unless `renderValue`. */
export class PasswordInput extends Input {
  override templateName = 'django/forms/widgets/password.html';
  renderValue: boolean;
  constructor(attrs?: Attrs, renderValue = false) {
    super(attrs, { inputType: 'password' });
    this.renderValue = renderValue;
  }
  override getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    return super.getContext(name, this.renderValue ? value : null, attrs);
  }
}

export class HiddenInput extends Input {
  override templateName = 'django/forms/widgets/hidden.html';
  constructor(attrs?: Attrs) {
    super(attrs, { inputType: 'hidden' });
  }
}

/** One hidden input per value of a list (a MultipleChoiceField drawn hidden). */
export class MultipleHiddenInput extends HiddenInput {
  override templateName = 'django/forms/widgets/multiple_hidden.html';

  override getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    const finalAttrs = context.widget.attrs;
    const id = finalAttrs.id;
    const values = (context.widget.value as unknown[]) ?? [];
    context.widget.subwidgets = values.map((item, index) => {
      const widget = new HiddenInput();
      widget.isRequired = this.isRequired;
      return widget.getContext(name, item, id ? { ...finalAttrs, id: `${String(id)}_${index}` } : { ...finalAttrs })
        .widget;
    });
    return context;
  }

  override valueFromDatadict(data: DataSource, _files: DataSource, name: string): unknown {
    return data.getlist ? data.getlist(name) : data.get(name);
  }

  override formatValue(value: unknown): unknown {
    return value === null || value === undefined ? [] : value;
  }
}

/** A file input: reads `files`, never draws a value. */
export class FileInput extends Input {
  override templateName = 'django/forms/widgets/file.html';
  override get needsMultipartForm(): boolean {
    return true;
  }

  constructor(attrs?: Attrs) {
    if (attrs?.multiple) {
      throw new TypeError(`${new.target.name} doesn't support uploading multiple files.`);
    }
    super(attrs, { inputType: 'file' });
  }

  override formatValue(_value: unknown): unknown {
    return null;
  }

  override valueFromDatadict(_data: DataSource, files: DataSource, name: string): unknown {
    return files.get(name);
  }

  override valueOmittedFromData(_data: DataSource, files: DataSource, name: string): boolean {
    return !files.has(name);
  }

  override useRequiredAttribute(initial: unknown): boolean {
    return super.useRequiredAttribute(initial) && !initial;
  }
}

/** What ClearableFileInput reads when a file is uploaded and "clear" is ticked too. */
export const FILE_INPUT_CONTRADICTION: unique symbol = Symbol('FILE_INPUT_CONTRADICTION');

/** A file input that shows the current file (with a link) and a "Clear" checkbox. */
export class ClearableFileInput extends FileInput {
  override templateName = 'django/forms/widgets/clearable_file_input.html';
  clearCheckboxLabel = 'Clear';
  initialText = 'Currently';
  inputText = 'Change';

  clearCheckboxName(name: string): string {
    return `${name}-clear`;
  }

  clearCheckboxId(name: string): string {
    return `${name}_id`;
  }

  /** Whether `value` is a stored file (it has a `url`). */
  isInitial(value: unknown): boolean {
    return Boolean(value) && Boolean((value as { url?: unknown }).url);
  }

  override formatValue(value: unknown): unknown {
    return this.isInitial(value) ? value : null;
  }

  override getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    const checkboxName = this.clearCheckboxName(name);
    Object.assign(context.widget, {
      checkbox_name: checkboxName,
      checkbox_id: this.clearCheckboxId(checkboxName),
      is_initial: this.isInitial(value),
      input_text: this.inputText,
      initial_text: this.initialText,
      clear_checkbox_label: this.clearCheckboxLabel,
    });
    return context;
  }

  override valueFromDatadict(data: DataSource, files: DataSource, name: string): unknown {
    const upload = super.valueFromDatadict(data, files, name);
    if (!this.isRequired && new CheckboxInput().valueFromDatadict(data, files, this.clearCheckboxName(name))) {
      // A new file and "clear": the field reports the contradiction. Clear alone is false.
      return upload ? FILE_INPUT_CONTRADICTION : false;
    }
    return upload;
  }

  override valueOmittedFromData(data: DataSource, files: DataSource, name: string): boolean {
    return super.valueOmittedFromData(data, files, name) && !data.has(this.clearCheckboxName(name));
  }
}

/** A `<textarea>`, 40 columns by 10 rows unless `attrs` say otherwise. */
export class Textarea extends Widget {
  override templateName = 'django/forms/widgets/textarea.html';
  constructor(attrs?: Attrs) {
    super({ cols: '40', rows: '10', ...(attrs ?? {}) });
  }
}

/** A text input for a date or time, shown in `format` or the first input format. */
export class DateTimeBaseInput extends TextInput {
  /** The input formats setting whose first format shows the value. */
  formatKey = '';
  format: string | null;
  override supportsMicroseconds = false;

  constructor(attrs?: Attrs, format?: string | null) {
    super(attrs);
    this.format = format || null;
  }

  override formatValue(value: unknown): unknown {
    return localizeInput(value, this.format ?? (getFormat(this.formatKey) as string[])[0]);
  }
}

export class DateInput extends DateTimeBaseInput {
  override formatKey = 'DATE_INPUT_FORMATS';
  override templateName = 'django/forms/widgets/date.html';
}

export class DateTimeInput extends DateTimeBaseInput {
  override formatKey = 'DATETIME_INPUT_FORMATS';
  override templateName = 'django/forms/widgets/datetime.html';
}

export class TimeInput extends DateTimeBaseInput {
  override formatKey = 'TIME_INPUT_FORMATS';
  override templateName = 'django/forms/widgets/time.html';
}

function booleanCheck(value: unknown): boolean {
  return !(value === false || value === null || value === undefined || value === '');
}

/** A checkbox; `checkTest(value)` says whether it is ticked. Absent from the data is false. */
export class CheckboxInput extends Input {
  override templateName = 'django/forms/widgets/checkbox.html';
  checkTest: (value: unknown) => boolean;

  constructor(attrs?: Attrs, checkTest?: (value: unknown) => boolean) {
    super(attrs, { inputType: 'checkbox' });
    this.checkTest = checkTest ?? booleanCheck;
  }

  override formatValue(value: unknown): unknown {
    if (value === true || value === false || value === null || value === undefined || value === '') return null;
    return pyStr(value);
  }

  override getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    return super.getContext(name, value, this.checkTest(value) ? { ...(attrs ?? {}), checked: true } : attrs);
  }

  override valueFromDatadict(data: DataSource, _files: DataSource, name: string): unknown {
    if (!data.has(name)) return false;
    let value = data.get(name);
    if (typeof value === 'string') {
      const lower = value.toLowerCase();
      if (lower === 'true') value = true;
      else if (lower === 'false') value = false;
    }
    return Boolean(value);
  }

  override valueOmittedFromData(): boolean {
    // An unticked checkbox is not in the data: absent never means omitted.
    return false;
  }
}
