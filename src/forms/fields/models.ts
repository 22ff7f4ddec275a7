/**
 * Fields whose choices are rows of a QuerySet, as Django's `ModelChoiceField` and
 * `ModelMultipleChoiceField`: the submitted key is looked up in the queryset when the form is
 * cleaned (`clean()` returns a promise), and the options of the `<select>` are the queryset's rows,
 * read by `await form.loadChoices()` before the form is drawn (FormView and the editing views do
 * it; a field drawn before is an error that says so).
 *
 * @example
 * class PostForm extends Form.define({
 *   author: new ModelChoiceField({ queryset: Author.objects.all() }),
 *   tags: new ModelMultipleChoiceField({ queryset: Tag.objects.all(), required: false }),
 * }) {}
 * const form = new PostForm({ data: request.POST });
 * if (await form.isValid()) form.cleanedData.author; // an Author
 */
import { ObjectDoesNotExist, ValidationError } from '../../core/exceptions.ts';
import { DatabaseError } from '../../db/errors.ts';
import type { Manager } from '../../db/models/manager.ts';
import type { AnyField } from '../../db/models/fields/base.ts';
import { getMeta } from '../../db/models/options.ts';
import type { QuerySet } from '../../db/models/query.ts';
import type { LimitChoicesTo } from '../../db/models/fields/related.ts';
import type { LookupObject, QNode } from '../../db/models/q.ts';
import { MultipleHiddenInput, type Choice, type Widget, type WidgetClass } from '../widgets/base.ts';
import { Select, SelectMultiple, type ChoicesSource } from '../widgets/choice.ts';
import { Field, type FieldOptions, type Optional } from './base.ts';

/** What a ModelChoiceField takes its rows from: a QuerySet, or a Manager (its `all()`). */
export type QuerySetSource<M> = QuerySet<M> | Manager<M>;

export interface ModelChoiceFieldOptions<M> extends FieldOptions {
  /** The rows to choose from. */
  queryset: QuerySetSource<M> | null;
  /** The label of the empty option (default `---------`); null for none. */
  emptyLabel?: string | null;
  /** The field of the model the inputs hold (default: the primary key). */
  toFieldName?: string | null;
  /** Offer the empty option even when the field is required (a radio select of a blank model field). */
  blank?: boolean;
  /**
   * The rows a ModelForm narrows the queryset to when it makes its fields (Django's
   * `limit_choices_to`): lookups, a Q, or a function returning either, called per form.
   */
  limitChoicesTo?: LimitChoicesTo;
}

type Row = Record<string, unknown>;

/**
 * A submitted key as the model field's value; throws ValidationError when it is not one. Integer
 * keys must be whole numbers written as such (Python's `int('1.5')` fails too).
 */
function toKey(field: AnyField, value: unknown): unknown {
  if (field.lookupKind === 'number' && typeof value === 'string' && !/^\s*[-+]?\d+\s*$/.test(value))
    throw new ValidationError('', { code: 'invalid' });
  const key = field.toJs(value);
  if (key === null) throw new ValidationError('', { code: 'invalid' });
  return key;
}

function asQuerySet<M>(source: QuerySetSource<M> | null): QuerySet<M> | null {
  if (source === null) return null;
  return (source as { all(): QuerySet<M> }).all();
}

/** Whether `value` is a model instance. */
function isInstance(value: unknown): value is Row {
  if (value === null || typeof value !== 'object') return false;
  try {
    getMeta((value as object).constructor);
    return true;
  } catch {
    return false;
  }
}

/** One row of the queryset, chosen by its key. */
export class ModelChoiceField<M = unknown, R extends boolean = true> extends Field<Optional<R, M>> {
  static override defaultWidget: Widget | WidgetClass = Select;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_choice: 'Select a valid choice. That choice is not one of the available choices.',
  };
  declare emptyLabel: string | null;
  declare toFieldName: string | null;
  declare limitChoicesTo: LimitChoicesTo | undefined;
  private querysetValue: QuerySet<M> | null = null;
  private loadedChoices: Choice[] | undefined;

  constructor(options: ModelChoiceFieldOptions<M> & { required?: R }) {
    super(options);
    const required = options.required ?? true;
    this.emptyLabel =
      required && options.initial !== undefined && options.initial !== null && !options.blank
        ? null
        : options.emptyLabel === undefined
          ? '---------'
          : options.emptyLabel;
    this.toFieldName = options.toFieldName ?? null;
    this.limitChoicesTo = options.limitChoicesTo;
    this.queryset = options.queryset;
  }

  /** `limitChoicesTo`, its function called: lookups or a Q, or undefined when there is none. */
  getLimitChoicesTo(): LookupObject | QNode | undefined {
    const limit = this.limitChoicesTo;
    return typeof limit === 'function' ? limit() : limit;
  }

  /** The rows to choose from (setting it forgets the options read). */
  get queryset(): QuerySet<M> | null {
    return this.querysetValue;
  }

  set queryset(source: QuerySetSource<M> | null) {
    this.querysetValue = asQuerySet(source);
    this.loadedChoices = undefined;
    this.setWidgetChoices();
  }

  /** The label of a row in the options: its `toString()`. Override it for another text. */
  labelFromInstance(instance: M): string {
    return String(instance);
  }

  /** Whether the options were read (`loadChoices()`). */
  get choicesLoaded(): boolean {
    return this.loadedChoices !== undefined;
  }

  /** The options, once read: the empty one, then `[key, label]` per row. */
  get choices(): Choice[] {
    if (this.loadedChoices === undefined) throw this.notLoaded();
    return this.loadedChoices;
  }

  /** Reads the queryset's rows into the widget's options (one query). */
  async loadChoices(): Promise<void> {
    const queryset = this.requireQueryset();
    const rows = (await queryset.all()) as unknown as M[];
    const choices: Choice[] = this.emptyLabel !== null ? [['', this.emptyLabel]] : [];
    for (const row of rows) choices.push([this.prepareValue(row), this.labelFromInstance(row)]);
    this.loadedChoices = choices;
    this.setWidgetChoices();
  }

  private setWidgetChoices(): void {
    (this.widget as { choices?: ChoicesSource }).choices = (): Iterable<Choice> => this.choices;
  }

  private notLoaded(): Error {
    const model = this.querysetValue === null ? 'a model' : getMeta(this.querysetValue.model).objectName;
    return new Error(
      `The choices of a ${this.constructor.name} of ${model} come from a queryset and were not read yet: call \`await form.loadChoices()\` before drawing the form (FormView, CreateView and UpdateView do).`,
    );
  }

  protected requireQueryset(): QuerySet<M> {
    if (this.querysetValue === null) {
      throw new TypeError(`${this.constructor.name} has no queryset: give { queryset } or set field.queryset.`);
    }
    return this.querysetValue;
  }

  /** The model field the inputs hold: toFieldName, or the primary key. */
  protected keyAttname(): string {
    const meta = getMeta(this.requireQueryset().model);
    return this.toFieldName === null ? meta.pk.attname : meta.getField(this.toFieldName).attname;
  }

  override prepareValue(value: unknown): unknown {
    if (isInstance(value)) {
      if (this.toFieldName !== null) return value[getMeta(value.constructor).getField(this.toFieldName).attname];
      return (value as { pk: unknown }).pk;
    }
    return value;
  }

  /** The row of a submitted key; a key of no row (or not a key at all) is `invalid_choice`. */
  protected async lookup(value: unknown): Promise<M> {
    const queryset = this.requireQueryset();
    const meta = getMeta(queryset.model);
    const field = this.toFieldName === null ? meta.pk : meta.getField(this.toFieldName);
    let key = isInstance(value) ? value[field.attname] : value;
    try {
      key = toKey(field, key);
      return (await queryset.get({ [field.attname]: key } as never)) as M;
    } catch (error) {
      if (error instanceof ObjectDoesNotExist || error instanceof ValidationError || error instanceof DatabaseError)
        throw this.error('invalid_choice', { value });
      throw error;
    }
  }

  override toPython(value: unknown): unknown {
    return this.isEmpty(value) ? null : value;
  }

  override clean(value: unknown): Promise<Optional<R, M>> {
    return (async () => {
      const python = this.toPython(value);
      this.validate(python);
      if (python === null) return null as Optional<R, M>;
      const row = await this.lookup(python);
      this.runValidators(row);
      return row as Optional<R, M>;
    })();
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    const before = this.prepareValue(initial ?? '');
    return String(before ?? '') !== String(data ?? '');
  }

  override clone(): this {
    const copy = super.clone();
    // Each form gets its own field: it reads the rows again (a copy of the queryset, not its cache).
    copy.querysetValue = this.querysetValue === null ? null : this.querysetValue.all();
    copy.loadedChoices = undefined;
    copy.setWidgetChoices();
    return copy;
  }
}

/** Several rows of the queryset, chosen by their keys: cleans to a list of instances. */
export class ModelMultipleChoiceField<M = unknown> extends ModelChoiceField<M[]> {
  static override defaultWidget: Widget | WidgetClass = SelectMultiple;
  static override hiddenWidget: WidgetClass = MultipleHiddenInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_list: 'Enter a list of values.',
    invalid_choice: 'Select a valid choice. %(value)s is not one of the available choices.',
    invalid_pk_value: '“%(pk)s” is not a valid value.',
  };

  constructor(
    options: Omit<ModelChoiceFieldOptions<M>, 'queryset' | 'emptyLabel'> & { queryset: QuerySetSource<M> | null },
  ) {
    super({ ...(options as unknown as ModelChoiceFieldOptions<M[]> & { required?: true }), emptyLabel: null });
    this.emptyLabel = null;
  }

  override labelFromInstance(instance: M[] | M): string {
    return String(instance);
  }

  override toPython(value: unknown): unknown {
    if (value === null || value === undefined || value === '') return [];
    return value;
  }

  override clean(value: unknown): Promise<M[]> {
    return (async () => {
      const python = this.toPython(value);
      if (this.required && (python as unknown[]).length === 0) throw this.error('required');
      if (!this.required && (Array.isArray(python) ? python.length === 0 : !python)) {
        return (await this.requireQueryset().none()) as unknown as M[];
      }
      if (!Array.isArray(python)) throw this.error('invalid_list');
      const rows = await this.checkValues(python);
      this.runValidators(python);
      return rows;
    })();
  }

  /** The rows of the keys, in the queryset's order; every key must be valid and match a row. */
  protected async checkValues(values: unknown[]): Promise<M[]> {
    const queryset = this.requireQueryset();
    const meta = getMeta(queryset.model);
    const field = this.toFieldName === null ? meta.pk : meta.getField(this.toFieldName);
    const keys = [...new Set(values.map((v) => (isInstance(v) ? v[field.attname] : v)))];
    const prepared: unknown[] = [];
    for (const key of keys) {
      try {
        prepared.push(toKey(field, key));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        throw this.error('invalid_pk_value', { pk: key });
      }
    }
    let rows: M[];
    try {
      rows = (await queryset.filter({ [`${field.attname}__in`]: prepared } as never)) as unknown as M[];
    } catch (error) {
      if (error instanceof DatabaseError) throw this.error('invalid_choice', { value: keys[0] });
      throw error;
    }
    const found = new Set(rows.map((row) => String((row as Row)[field.attname])));
    for (const key of keys) {
      if (!found.has(String(field.toJs(key)))) throw this.error('invalid_choice', { value: key });
    }
    return rows;
  }

  override prepareValue(value: unknown): unknown {
    if (
      Array.isArray(value) ||
      (value !== null && typeof value === 'object' && Symbol.iterator in value && typeof value !== 'string')
    ) {
      return [...(value as Iterable<unknown>)].map((v) => super.prepareValue(v));
    }
    return super.prepareValue(value);
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    const before = new Set(((this.prepareValue(initial ?? []) as unknown[]) ?? []).map(String));
    const after = new Set(((data ?? []) as unknown[]).map(String));
    return before.size !== after.size || [...before].some((v) => !after.has(v));
  }
}
