/**
 * A field bound to a form, as Django's `django.forms.boundfield`: what `form.title` (in code) and
 * `{{ form.title }}` (in a template) give. It renders the widget with the form's data or initial
 * value, and knows the field's errors, label, help text and ids.
 *
 * Templates read Django's names: `{{ field.label_tag }}`, `{{ field.help_text }}`,
 * `{{ field.errors }}`, `{{ field.id_for_label }}`, `{{ field.html_name }}`, `{{ field.value }}`,
 * `{{ field.is_hidden }}`, `{{ field.css_classes }}`, `{{ field.widget_type }}`; code uses the
 * camelCase ones.
 */
import { conditionalEscape, formatHtml } from '../utils/html.ts';
import type { SafeString } from '../utils/safestring.ts';
import { markSafe } from '../utils/safestring.ts';
import { temporalKind } from '../utils/python.ts';
import type { Field } from './fields/base.ts';
import type { BaseForm } from './forms.ts';
import type { FormRenderer } from './renderers.ts';
import { flatatt, prettyName, type Attrs, type ErrorList } from './utils.ts';
import { Textarea, TextInput, type Widget } from './widgets/base.ts';

/** Getters with Django's names, for templates, that call the camelCase methods without arguments. */
export function templateAliases(cls: { prototype: object }, aliases: Record<string, string>): void {
  for (const [alias, method] of Object.entries(aliases)) {
    Object.defineProperty(cls.prototype, alias, {
      get(this: Record<string, unknown>) {
        const member = this[method];
        return typeof member === 'function' ? (member as () => unknown).call(this) : member;
      },
      configurable: true,
    });
  }
}

/** One option of a choice widget (`{% for radio in form.beatles %}`), or the widget itself. */
export class BoundWidget {
  readonly parentWidget: Widget;
  readonly data: Record<string, unknown>;
  readonly renderer: FormRenderer;

  constructor(parentWidget: Widget, data: Record<string, unknown>, renderer: FormRenderer) {
    this.parentWidget = parentWidget;
    this.data = data;
    this.renderer = renderer;
  }

  /** The option's input (wrapped in its label with `wrapLabel`). */
  tag(wrapLabel = false): SafeString {
    const context = { widget: { ...this.data, wrap_label: wrapLabel } };
    return this.parentWidget.renderTemplate(this.templateName, context, this.renderer);
  }

  get templateName(): string {
    return typeof this.data.template_name === 'string' ? this.data.template_name : this.parentWidget.templateName;
  }

  get idForLabel(): string {
    return `id_${String(this.data.name)}_${String(this.data.index)}`;
  }

  get choiceLabel(): unknown {
    return this.data.label;
  }

  toString(): string {
    return this.tag(true).value;
  }

  __html__(): string {
    return this.toString();
  }
}

templateAliases(BoundWidget, {
  id_for_label: 'idForLabel',
  choice_label: 'choiceLabel',
  template_name: 'templateName',
});

/** A field of a form, with the form's data. */
export class BoundField<F extends Field = Field> {
  readonly form: BaseForm;
  readonly field: F;
  readonly name: string;
  /** The name in the HTML (with the form's prefix). */
  readonly htmlName: string;
  readonly htmlInitialName: string;
  readonly htmlInitialId: string;
  label: string;
  helpText: string;
  #subwidgets: BoundWidget[] | undefined;
  #initial: { value: unknown } | undefined;

  constructor(form: BaseForm, field: F, name: string) {
    this.form = form;
    this.field = field;
    this.name = name;
    this.htmlName = form.addPrefix(name);
    this.htmlInitialName = form.addInitialPrefix(name);
    this.htmlInitialId = form.addInitialPrefix(this.autoId);
    this.label = field.label ?? prettyName(name);
    this.helpText = field.helpText || '';
  }

  /** The widget (and a hidden input of the initial value with `showHiddenInitial`). */
  toString(): string {
    if (this.field.showHiddenInitial) return this.asWidget().value + this.asHidden({}, true).value;
    return this.asWidget().value;
  }

  __html__(): string {
    return this.toString();
  }

  /** The parts of the widget: one, or one per choice of a radio or checkbox list. */
  get subwidgets(): BoundWidget[] {
    if (this.#subwidgets === undefined) {
      const id = (this.field.widget.attrs.id as string | undefined) || this.autoId;
      const attrs = this.buildWidgetAttrs(id ? { id } : {});
      this.#subwidgets = this.field.widget
        .subwidgets(this.htmlName, this.value(), attrs)
        .map((data) => new BoundWidget(this.field.widget, data, this.form.renderer));
    }
    return this.#subwidgets;
  }

  [Symbol.iterator](): Iterator<BoundWidget> {
    return this.subwidgets[Symbol.iterator]();
  }

  get length(): number {
    return this.subwidgets.length;
  }

  /** The field's errors (an empty ErrorList when it has none). */
  get errors(): ErrorList {
    return this.form.errors.get(this.name) ?? new this.form.errorClass();
  }

  /** The field drawn with `widget` (default: its own) and extra `attrs`. */
  asWidget(widget?: Widget, attrs: Attrs = {}, onlyInitial = false): SafeString {
    const chosen = widget ?? this.field.widget;
    if (this.field.localize) chosen.isLocalized = true;
    const built = this.buildWidgetAttrs(attrs, chosen);
    if (this.autoId && !('id' in chosen.attrs) && !('id' in built)) {
      built.id = onlyInitial ? this.htmlInitialId : this.autoId;
    }
    return chosen.render(onlyInitial ? this.htmlInitialName : this.htmlName, this.value(), built, this.form.renderer);
  }

  asText(attrs: Attrs = {}, onlyInitial = false): SafeString {
    return this.asWidget(new TextInput(), attrs, onlyInitial);
  }

  asTextarea(attrs: Attrs = {}, onlyInitial = false): SafeString {
    return this.asWidget(new Textarea(), attrs, onlyInitial);
  }

  asHidden(attrs: Attrs = {}, onlyInitial = false): SafeString {
    return this.asWidget(new this.field.hiddenWidget(), attrs, onlyInitial);
  }

  /** What the widget read from the submitted data (undefined when absent). */
  get data(): unknown {
    return this.field.widget.valueFromDatadict(this.form.data, this.form.files, this.htmlName);
  }

  /** The value drawn: the submitted data when bound, else the initial value. */
  value(): unknown {
    let data = this.initial;
    if (this.form.isBound) data = this.field.boundData(this.data, data);
    return this.field.prepareValue(data);
  }

  /**
   * `<label for="id_title">Title:</label>` (the label text escaped unless safe; the suffix added
   * unless the label ends in punctuation; the form's `requiredCssClass` on required fields).
   */
  labelTag(contents?: unknown, attrs?: Attrs, labelSuffix?: string | null): SafeString {
    let text: unknown = contents || this.label;
    const suffix = labelSuffix ?? (this.field.labelSuffix !== null ? this.field.labelSuffix : this.form.labelSuffix);
    const last = String(text).at(-1);
    if (suffix && text && last !== undefined && !':?.!'.includes(last)) text = formatHtml('{}{}', text, suffix);
    const id = (this.field.widget.attrs.id as string | undefined) || this.autoId;
    if (id) {
      let labelAttrs: Attrs | undefined = attrs;
      const forId = this.field.widget.idForLabel(id);
      if (forId) labelAttrs = { ...(labelAttrs ?? {}), for: forId };
      const requiredClass = this.form.requiredCssClass;
      if (this.field.required && requiredClass) {
        labelAttrs = { ...(labelAttrs ?? {}) };
        labelAttrs.class = labelAttrs.class ? `${String(labelAttrs.class)} ${requiredClass}` : requiredClass;
      }
      return formatHtml('<label{}>{}</label>', labelAttrs ? flatatt(labelAttrs) : '', text);
    }
    return conditionalEscape(text);
  }

  /** The CSS classes of the field's row: `extraClasses`, the form's error and required classes. */
  cssClasses(extraClasses?: string | Iterable<string>): string {
    const classes = new Set(
      typeof extraClasses === 'string' ? extraClasses.split(/\s+/).filter(Boolean) : (extraClasses ?? []),
    );
    if (this.form.errorCssClass && this.form.isCleaned && this.errors.length) classes.add(this.form.errorCssClass);
    if (this.field.required && this.form.requiredCssClass) classes.add(this.form.requiredCssClass);
    return [...classes].join(' ');
  }

  get isHidden(): boolean {
    return this.field.widget.isHidden;
  }

  /** The id of the field's input (`id_title`), or '' when the form has no `autoId`. */
  get autoId(): string {
    const autoId = this.form.autoId;
    if (typeof autoId === 'string' && autoId.includes('%s')) return autoId.replace('%s', this.htmlName);
    if (autoId) return this.htmlName;
    return '';
  }

  /** The id a label points at (the first input of a MultiWidget). */
  get idForLabel(): string {
    const id = (this.field.widget.attrs.id as string | undefined) || this.autoId;
    return this.field.widget.idForLabel(id);
  }

  /** The initial value (the form's, else the field's); datetimes lose microseconds when the widget shows none. */
  get initial(): unknown {
    if (this.#initial === undefined) {
      let data = this.form.getInitialForField(this.field, this.name);
      const kind = temporalKind(data);
      if (
        (kind === 'Temporal.PlainDateTime' || kind === 'Temporal.ZonedDateTime' || kind === 'Temporal.PlainTime') &&
        !this.field.widget.supportsMicroseconds
      ) {
        data = (data as { with(fields: object): unknown }).with({ millisecond: 0, microsecond: 0, nanosecond: 0 });
      }
      this.#initial = { value: data };
    }
    return this.#initial.value;
  }

  /**
   * The widget's attributes: `required` (when the widget, the field and the form want it),
   * `disabled`, and `aria-invalid="true"` on a field with errors.
   */
  buildWidgetAttrs(attrs: Attrs, widget: Widget = this.field.widget): Attrs {
    const built = { ...attrs };
    if (widget.useRequiredAttribute(this.initial) && this.field.required && this.form.useRequiredAttribute) {
      built.required = true;
    }
    if (this.field.disabled) built.disabled = true;
    if (!widget.isHidden && this.form.isCleaned && this.errors.length) built['aria-invalid'] = 'true';
    return built;
  }

  /** The widget's class name, lower case, without `widget` or `input` (`text`, `select`, `checkbox`). */
  get widgetType(): string {
    return this.field.widget.constructor.name.toLowerCase().replace(/widget$|input$/, '');
  }
}

templateAliases(BoundField, {
  label_tag: 'labelTag',
  help_text: 'helpText',
  html_name: 'htmlName',
  html_initial_name: 'htmlInitialName',
  html_initial_id: 'htmlInitialId',
  auto_id: 'autoId',
  id_for_label: 'idForLabel',
  is_hidden: 'isHidden',
  css_classes: 'cssClasses',
  widget_type: 'widgetType',
  as_widget: 'asWidget',
  as_hidden: 'asHidden',
  as_text: 'asText',
  as_textarea: 'asTextarea',
});

export { markSafe };
