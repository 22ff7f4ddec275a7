/**
 * Widgets of choices, as Django's: `Select`, `SelectMultiple`, `NullBooleanSelect`,
 * `RadioSelect`, `CheckboxSelectMultiple`. Their template gets `widget.optgroups`:
 * `[groupName, options, index]` triples, each option a context of its own (`value`, `label`,
 * `selected`, `attrs`, `template_name`), so `{% for radio in form.beatles %}` draws one option.
 */
import { Widget, type Choice, type DataSource, type WidgetContext } from './base.ts';
import type { Attrs } from '../utils.ts';
import { pyStr } from '../../utils/python.ts';

/** Choices as a widget holds them: a list, or a function giving one (read at each render). */
export type ChoicesSource = Iterable<Choice> | (() => Iterable<Choice>);

/** The base of the choice widgets. */
export class ChoiceWidget extends Widget {
  allowMultipleSelected = false;
  inputType: string | null = null;
  optionTemplateName = '';
  /** Option ids get `_<index>` (not for `<select>`). */
  addIdIndex = true;
  /** The attribute a chosen option gets. */
  checkedAttribute: Attrs = { checked: true };
  /** Options carry the widget's attributes (radios and checkboxes do, `<option>`s do not). */
  optionInheritsAttrs = true;
  /** The choices as given (a list, or a function read each time). */
  protected choicesSource: ChoicesSource;

  constructor(attrs?: Attrs, choices: ChoicesSource = []) {
    super(attrs);
    this.choicesSource = typeof choices === 'function' ? choices : [...choices];
  }

  /** The choices, read now. */
  get choices(): Choice[] {
    const source = this.choicesSource;
    return [...(typeof source === 'function' ? source() : source)];
  }

  set choices(value: ChoicesSource) {
    this.choicesSource = typeof value === 'function' ? value : [...value];
  }

  override clone(): this {
    const copy = super.clone();
    copy.choices = this.choicesSource;
    return copy;
  }

  override subwidgets(name: string, value: unknown, attrs?: Attrs): Record<string, unknown>[] {
    return this.options(name, this.formatValue(value) as string[], attrs);
  }

  /** Every option, groups flattened. */
  options(name: string, value: string[], attrs?: Attrs): Record<string, unknown>[] {
    return this.optgroups(name, value, attrs).flatMap(([, options]) => options);
  }

  /** `[groupName, options, index]` for each choice (groupName null outside an `<optgroup>`). */
  optgroups(name: string, value: string[], attrs?: Attrs): [unknown, Record<string, unknown>[], number][] {
    const groups: [unknown, Record<string, unknown>[], number][] = [];
    let hasSelected = false;
    this.choices.forEach(([optionValue, optionLabel], index) => {
      const subgroup: Record<string, unknown>[] = [];
      const isGroup = Array.isArray(optionLabel);
      const groupName = isGroup ? optionValue : null;
      const entries: Choice[] = isGroup ? (optionLabel as Choice[]) : [[optionValue ?? '', optionLabel]];
      groups.push([groupName, subgroup, index]);
      entries.forEach(([subvalue, sublabel], subindex) => {
        const selected = value.includes(stringOf(subvalue)) && (!hasSelected || this.allowMultipleSelected);
        hasSelected ||= selected;
        subgroup.push(
          this.createOption(name, subvalue, sublabel, selected, index, isGroup ? subindex : undefined, attrs),
        );
      });
    });
    return groups;
  }

  createOption(
    name: string,
    value: unknown,
    label: unknown,
    selected: boolean,
    index: number,
    subindex?: number,
    attrs?: Attrs,
  ): Record<string, unknown> {
    const position = subindex === undefined ? String(index) : `${index}_${subindex}`;
    const optionAttrs: Attrs = this.optionInheritsAttrs ? this.buildAttrs(this.attrs, attrs) : {};
    if (selected) Object.assign(optionAttrs, this.checkedAttribute);
    if ('id' in optionAttrs) optionAttrs.id = this.idForLabel(String(optionAttrs.id), position);
    return {
      name,
      value,
      label,
      selected,
      index: position,
      attrs: optionAttrs,
      type: this.inputType,
      template_name: this.optionTemplateName,
      wrap_label: true,
    };
  }

  override getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    context.widget.optgroups = this.optgroups(name, context.widget.value as string[], attrs);
    return context;
  }

  override idForLabel(id: string, index = '0'): string {
    return id && this.addIdIndex ? `${id}_${index}` : id;
  }

  override valueFromDatadict(data: DataSource, _files: DataSource, name: string): unknown {
    if (this.allowMultipleSelected && data.getlist) return data.getlist(name);
    return data.get(name);
  }

  /** The chosen values as a list of text. */
  override formatValue(value: unknown): unknown {
    if ((value === null || value === undefined) && this.allowMultipleSelected) return [];
    const values = Array.isArray(value) ? value : [value];
    return values.map(stringOf);
  }
}

/** Python's str() of a choice value, '' for None. */
function stringOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : pyStr(value);
}

/** A `<select>`. `required` is drawn only when the first option is empty (valid HTML). */
export class Select extends ChoiceWidget {
  override inputType = 'select';
  override templateName = 'django/forms/widgets/select.html';
  override optionTemplateName = 'django/forms/widgets/select_option.html';
  override addIdIndex = false;
  override checkedAttribute: Attrs = { selected: true };
  override optionInheritsAttrs = false;

  override getContext(name: string, value: unknown, attrs?: Attrs): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    if (this.allowMultipleSelected) context.widget.attrs.multiple = true;
    return context;
  }

  override useRequiredAttribute(initial: unknown): boolean {
    const use = super.useRequiredAttribute(initial);
    if (this.allowMultipleSelected) return use;
    const first = this.choices[0];
    return use && first !== undefined && (first[0] === null || first[0] === undefined || first[0] === '');
  }
}

/** Unknown / Yes / No, for a NullBooleanField. */
export class NullBooleanSelect extends Select {
  constructor(attrs?: Attrs) {
    super(attrs, [
      ['unknown', 'Unknown'],
      ['true', 'Yes'],
      ['false', 'No'],
    ]);
  }

  override formatValue(value: unknown): unknown {
    if (value === true || value === 'true' || value === '2') return 'true';
    if (value === false || value === 'false' || value === '3') return 'false';
    return 'unknown';
  }

  override valueFromDatadict(data: DataSource, _files: DataSource, name: string): unknown {
    const value = data.get(name);
    if (value === true || value === 'True' || value === 'true' || value === '2') return true;
    if (value === false || value === 'False' || value === 'false' || value === '3') return false;
    return null;
  }
}

/** A `<select multiple>`. */
export class SelectMultiple extends Select {
  override allowMultipleSelected = true;

  override valueFromDatadict(data: DataSource, _files: DataSource, name: string): unknown {
    return data.getlist ? data.getlist(name) : data.get(name);
  }

  override valueOmittedFromData(): boolean {
    // Nothing selected sends nothing: absent never means omitted.
    return false;
  }
}

/** Radio buttons in a `<ul>`. */
export class RadioSelect extends ChoiceWidget {
  override inputType = 'radio';
  override templateName = 'django/forms/widgets/radio.html';
  override optionTemplateName = 'django/forms/widgets/radio_option.html';
}

/** Checkboxes in a `<ul>`; never `required` (the browser would want every box ticked). */
export class CheckboxSelectMultiple extends ChoiceWidget {
  override allowMultipleSelected = true;
  override inputType = 'checkbox';
  override templateName = 'django/forms/widgets/checkbox_select.html';
  override optionTemplateName = 'django/forms/widgets/checkbox_option.html';

  override useRequiredAttribute(): boolean {
    return false;
  }

  override valueOmittedFromData(): boolean {
    return false;
  }

  /** No `for` on the group's label: clicking it would tick the first box. */
  override idForLabel(id: string, index?: string): string {
    return index === undefined ? '' : super.idForLabel(id, index);
  }
}
