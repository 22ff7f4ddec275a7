/**
 * `Field`, as Django's `django.db.models.Field`: one column of a model, declared once with its
 * options (`new CharField({ maxLength: 200, null: true })`). The declaration carries the types
 * the models are inferred from (the value read, the values accepted, the options), and at run
 * time the conversions between JavaScript values and each database's column values, the column
 * type, and validation.
 */
import { ValidationError } from '../../../core/exceptions.ts';
import { choicesValidator, type Validator } from '../../../core/validators.ts';
import type { BaseDatabaseWrapper } from '../../backends/base/wrapper.ts';
import type { Options } from '../options.ts';

/** Phantom keys: type-level only, never set on a field object. */
export const VALUE: unique symbol = Symbol('tsgi.db.value');
export const INPUT: unique symbol = Symbol('tsgi.db.input');
export const OPTIONS: unique symbol = Symbol('tsgi.db.options');
export const KIND: unique symbol = Symbol('tsgi.db.kind');

/** What a field's lookups look like: decides which lookups and transforms its filters accept. */
export type LookupKind =
  'text' | 'number' | 'bool' | 'date' | 'datetime' | 'time' | 'duration' | 'json' | 'binary' | 'uuid' | 'file';

/** A choice: `[value, label]`, or a group `[label, [[value, label], ...]]`. */
export type Choice<V> = readonly [V, string] | readonly [string, ReadonlyArray<readonly [V, string]>];

/** The options every field takes (Django's Field arguments, camelCased). */
export interface FieldOptions<V = unknown> {
  /** NULL allowed in the column (the value type gets `| null`). */
  null?: boolean;
  /** An empty value passes validation (forms, fullClean). */
  blank?: boolean;
  /** The value (or a function making it) of a new instance. */
  default?: V | (() => V) | null;
  primaryKey?: boolean;
  unique?: boolean;
  /** An index on the column. */
  dbIndex?: boolean;
  /** The column's name (the field's name by default). */
  dbColumn?: string;
  /** Shown in forms (false: left out of model forms and fullClean). */
  editable?: boolean;
  /** Allowed values and their labels. */
  choices?: ReadonlyArray<Choice<V>>;
  verboseName?: string;
  helpText?: string;
  validators?: readonly Validator[];
  /** Messages by code replacing the defaults (`{ unique: 'Taken.' }`). */
  errorMessages?: Readonly<Record<string, string>>;
  /** No two rows have this value on the same day of the named DateField or DateTimeField (model validation, ModelForms). */
  uniqueForDate?: string;
  /** ... in the same month of the named date field. */
  uniqueForMonth?: string;
  /** ... in the same year of the named date field. */
  uniqueForYear?: string;
}

/** The value type a field gives its instances: `V`, or `V | null` with `null: true`. */
export type Nullable<O, V> = O extends { null: true } ? V | null : V;

const DEFAULT_ERRORS: Record<string, string> = {
  invalid_choice: 'Value %(value)s is not a valid choice.',
  null: 'This field cannot be null.',
  blank: 'This field cannot be blank.',
  unique: '%(model_name)s with this %(field_label)s already exists.',
};

/** A value as Python's repr() shows it in Django's messages (`'m'`, `3`). */
export function pythonRepr(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  return value.includes("'") && !value.includes('"')
    ? `"${value}"`
    : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Values that `blank` is about (Django's `EMPTY_VALUES`). */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).length === 0
  );
}

/**
 * A model field. `V` is the value instances hold, `O` the options as declared (their literal
 * types, for `null`), `In` what assignments and filters accept (a JS Date for a DateTimeField...).
 */
export abstract class Field<V = unknown, O extends FieldOptions = FieldOptions, In = V> {
  declare readonly [VALUE]: V;
  declare readonly [INPUT]: In;
  declare readonly [OPTIONS]: O;
  declare readonly [KIND]: LookupKind;

  /** Django's class name of the field (`CharField`), what column types and lookups are keyed by. */
  abstract readonly internalType: string;
  /** Which lookups apply (see LookupKind). */
  abstract readonly lookupKind: LookupKind;
  readonly options: O;
  /** The attribute name, set when the model is prepared. */
  name = '';
  /** The attribute holding the column's value (`authorId` for a ForeignKey `author`). */
  attname = '';
  /** The column. */
  column = '';
  /** The model's options, set when the model is prepared. */
  model!: Options;
  readonly null: boolean;
  readonly blank: boolean;
  primaryKey: boolean;
  readonly unique: boolean;
  readonly dbIndex: boolean;
  readonly editable: boolean;
  readonly verboseName: string | undefined;
  readonly helpText: string;
  readonly choices: ReadonlyArray<Choice<V>> | undefined;
  readonly validators: Validator[];
  /** Whether the field has a column (a ManyToManyField has none). */
  readonly concrete: boolean = true;
  /** Whether the field points at another model. */
  readonly isRelation: boolean = false;
  /** Whether the database makes the value (AutoField): INSERT leaves it out and reads it back. */
  readonly dbGenerated: boolean = false;
  constructor(options: O = {} as O) {
    this.options = options;
    this.null = options.null === true;
    this.primaryKey = options.primaryKey === true;
    this.blank = options.blank === true || this.primaryKey;
    this.unique = options.unique === true || this.primaryKey;
    this.dbIndex = options.dbIndex === true;
    this.editable = options.editable !== false;
    this.verboseName = options.verboseName;
    this.helpText = options.helpText ?? '';
    this.choices = options.choices as ReadonlyArray<Choice<V>> | undefined;
    this.validators = [...(options.validators ?? [])];
  }

  /** A fresh copy with the same declaration (each model gets its own field objects). */
  clone(): this {
    const Ctor = this.constructor as new (options: O) => this;
    return new Ctor(this.options);
  }

  /** Attaches the field to a model under a name. */
  contribute(model: Options, name: string): void {
    this.model = model;
    this.name = name;
    this.attname = this.attnameFor(name);
    this.column = this.options.dbColumn ?? this.columnFor(name);
  }

  protected attnameFor(name: string): string {
    return name;
  }

  protected columnFor(name: string): string {
    return name;
  }

  /** The label for messages: the verbose name, or the name with spaces. */
  get label(): string {
    return (
      this.verboseName ??
      this.name
        .replace(/_/g, ' ')
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .toLowerCase()
    );
  }

  hasDefault(): boolean {
    return this.options.default !== undefined;
  }

  /** The value a new instance starts with. */
  getDefault(): V | null {
    const value = this.options.default;
    if (value !== undefined) return typeof value === 'function' ? (value as () => V)() : (value as V | null);
    if (!this.emptyStringsAllowed || this.null) return null;
    return '' as V;
  }

  /** Whether '' is a value of this field (text fields): then the default default is '' rather than null. */
  get emptyStringsAllowed(): boolean {
    return false;
  }

  /** The JavaScript value of an input (`'12'` for an IntegerField is 12); throws ValidationError. */
  toJs(value: unknown): V | null {
    return value as V | null;
  }

  /** The value prepared for a query, before the database's own conversion (Django's get_prep_value). */
  getPrepValue(value: unknown): unknown {
    return value;
  }

  /**
   * The parameter bound for a value of this field on this database (Django's get_db_prep_value).
   * `null` stays null.
   */
  getDbPrepValue(value: unknown, _wrapper: BaseDatabaseWrapper): unknown {
    return value === null || value === undefined ? null : this.getPrepValue(value);
  }

  /**
   * A converter from the database's value to the field's, or undefined when they are the same.
   * `bigints`: the statement reads integers as bigint (SQLite, when a 64-bit column is selected);
   * `expression`: the value is an expression's (an aggregate, an annotation), not a column's.
   */
  fromDbConverter(
    _wrapper: BaseDatabaseWrapper,
    _bigints = false,
    _expression = false,
  ): ((value: unknown) => unknown) | undefined {
    return undefined;
  }

  /** Whether reading this column on SQLite needs 64-bit integers (bigint). */
  get readsBigInts(): boolean {
    return false;
  }

  /** The values `dbType` substitutes in the backend's column type (`varchar(%(max_length)s)`). */
  dbParameters(): Record<string, unknown> {
    return {};
  }

  /** The value to save: the attribute's, or what the field computes (auto_now). */
  preSave(instance: Record<string, unknown>, _add: boolean): unknown {
    return instance[this.attname];
  }

  /** Throws ValidationError for a value outside choices, a null where not allowed, an empty value where not blank. */
  validate(value: unknown, _instance: unknown): void {
    if (!this.editable) return;
    if (this.choices !== undefined && value !== null && value !== undefined && !isEmpty(value)) {
      const values = this.choices.flatMap((choice) =>
        Array.isArray(choice[1]) ? (choice[1] as ReadonlyArray<readonly [V, string]>).map((c) => c[0]) : [choice[0]],
      );
      try {
        choicesValidator(values)(value);
      } catch {
        throw new ValidationError(this.errorMessage('invalid_choice'), {
          code: 'invalid_choice',
          params: { value: pythonRepr(value) },
        });
      }
    }
    if ((value === null || value === undefined) && !this.null) {
      throw new ValidationError(this.errorMessage('null'), { code: 'null' });
    }
    if (!this.blank && isEmpty(value)) throw new ValidationError(this.errorMessage('blank'), { code: 'blank' });
  }

  /** The message of an error code: the field's own (errorMessages) or Django's. */
  errorMessage(code: string): string {
    return this.options.errorMessages?.[code] ?? this.defaultErrors()[code] ?? DEFAULT_ERRORS[code] ?? code;
  }

  protected defaultErrors(): Record<string, string> {
    return {};
  }

  /** Runs the validators; throws one ValidationError with all their messages. */
  runValidators(value: unknown): void {
    if (value === null || value === undefined || isEmpty(value)) return;
    const errors: ValidationError[] = [];
    for (const validator of this.validators) {
      try {
        validator(value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const custom = error.code !== undefined ? this.options.errorMessages?.[error.code] : undefined;
        errors.push(
          custom !== undefined ? new ValidationError(custom, { code: error.code, params: error.params }) : error,
        );
      }
    }
    if (errors.length > 0) throw new ValidationError(errors);
  }

  /** Converts, validates and runs the validators (Django's Field.clean); returns the clean value. */
  clean(value: unknown, instance: unknown): V | null {
    const converted = this.toJs(value);
    this.validate(converted, instance);
    this.runValidators(converted);
    return converted;
  }

  /** The field as a declaration: its class and options (for migrations). */
  deconstruct(): { name: string; type: string; options: Record<string, unknown> } {
    return { name: this.name, type: this.internalType, options: { ...(this.options as Record<string, unknown>) } };
  }

  toString(): string {
    return this.model !== undefined ? `${this.model.label}.${this.name}` : `<${this.internalType}>`;
  }
}

/** A field of any type. */
export type AnyField = Field<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
