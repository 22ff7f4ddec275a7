/**
 * The operations on fields, as Django's `django.db.migrations.operations.fields`: AddField,
 * RemoveField, AlterField, RenameField.
 */
import type { BaseSchemaEditor } from '../../backends/base/schema.ts';
import type { AnyField } from '../../models/fields/base.ts';
import type { Options } from '../../models/options.ts';
import { withTarget } from '../deconstruct.ts';
import { modelKey, type ProjectState } from '../state.ts';
import { fieldReferencesModel, lower, Operation } from './base.ts';

/** A field with other options (a relation keeps its target). */
export function fieldWith(field: AnyField, options: Record<string, unknown>, drop: readonly string[] = []): AnyField {
  const merged: Record<string, unknown> = { ...(field.options as Record<string, unknown>), ...options };
  for (const key of drop) delete merged[key];
  const Ctor = field.constructor as new (...args: unknown[]) => AnyField;
  if (field.isRelation) return new Ctor((field as unknown as { to: unknown }).to, merged);
  return new Ctor(merged);
}

/** An operation on one field of one model (Django's FieldOperation). */
export abstract class FieldOperation extends Operation {
  readonly modelName: string;
  readonly name: string;

  constructor(modelName: string, name: string, kind: string) {
    super();
    if (typeof modelName !== 'string' || modelName === '' || typeof name !== 'string' || name === '') {
      throw new TypeError(
        `${kind} needs the model's and the field's names: { modelName: 'post', name: 'title', ... }.`,
      );
    }
    this.modelName = modelName;
    this.name = name;
  }

  get modelNameLower(): string {
    return lower(this.modelName);
  }

  get nameLower(): string {
    return lower(this.name);
  }

  /** The field this operation sets, if any. */
  get declaredField(): AnyField | undefined {
    return undefined;
  }

  override referencesModel(name: string, appLabel: string): boolean {
    if (lower(name) === this.modelNameLower) return true;
    const field = this.declaredField;
    if (field === undefined) return false;
    const label = name.includes('.') ? lower(name) : modelKey(appLabel, name);
    return fieldReferencesModel(field, label);
  }

  override referencesField(modelName: string, name: string, appLabel: string): boolean {
    if (lower(modelName) === this.modelNameLower && lower(name) === this.nameLower) return true;
    const field = this.declaredField;
    if (field === undefined) return false;
    const label = modelName.includes('.') ? lower(modelName) : modelKey(appLabel, modelName);
    if (!fieldReferencesModel(field, label)) return false;
    const toField = (field.options as { toField?: string }).toField;
    return toField === undefined ? true : lower(toField) === lower(name);
  }

  /**
   * Adds the field's column, as the model of `to` declares it (or as `field` makes it from that
   * model), to the table the model of `from` describes: AddField forwards, RemoveField backwards.
   */
  protected async addColumn(
    appLabel: string,
    editor: BaseSchemaEditor,
    change: { from: ProjectState; to: ProjectState; field?: (toModel: Options) => AnyField },
  ): Promise<void> {
    const toModel = change.to.apps.getMeta(appLabel, this.modelName);
    if (!this.allowMigrateModel(toModel)) return;
    const fromModel = change.from.apps.getMeta(appLabel, this.modelName);
    await editor.addField(fromModel, change.field?.(toModel) ?? toModel.getField(this.name));
  }

  /** Drops the field's column from the table the model of `from` describes: RemoveField forwards, AddField backwards. */
  protected async dropColumn(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    const fromModel = from.apps.getMeta(appLabel, this.modelName);
    if (this.allowMigrateModel(fromModel)) await editor.removeField(fromModel, fromModel.getField(this.name));
  }

  /**
   * Alters the column of the field `oldName` of the model of `from` into the field `newName` of
   * the model of `to` (or what `field` makes from that model): AlterField and RenameField, both ways.
   */
  protected async alterColumn(
    appLabel: string,
    editor: BaseSchemaEditor,
    change: {
      from: ProjectState;
      to: ProjectState;
      oldName: string;
      newName: string;
      field?: (toModel: Options) => AnyField;
    },
  ): Promise<void> {
    const toModel = change.to.apps.getMeta(appLabel, this.modelName);
    if (!this.allowMigrateModel(toModel)) return;
    const fromModel = change.from.apps.getMeta(appLabel, this.modelName);
    await editor.alterField(
      fromModel,
      fromModel.getField(change.oldName),
      change.field?.(toModel) ?? toModel.getField(change.newName),
    );
  }

  /** Whether `operation` is on this same field. */
  protected isSameField(operation: Operation): operation is FieldOperation {
    return (
      operation instanceof FieldOperation &&
      operation.modelNameLower === this.modelNameLower &&
      operation.nameLower === this.nameLower
    );
  }

  override reduce(operation: Operation, appLabel: string): Operation[] | boolean {
    return super.reduce(operation, appLabel) || !operation.referencesField(this.modelName, this.name, appLabel);
  }
}

/**
 * An operation that declares a field (AddField, AlterField): the field, and whether its default
 * stays on the model after the migration (`preserveDefault: false` for a one-off default).
 */
abstract class DeclaringFieldOperation extends FieldOperation {
  readonly field: AnyField;
  readonly preserveDefault: boolean;

  constructor(args: { modelName: string; name: string; field: AnyField; preserveDefault?: boolean }, kind: string) {
    super(args?.modelName, args?.name, kind);
    this.field = args.field;
    this.preserveDefault = args.preserveDefault !== false;
  }

  override get declaredField(): AnyField {
    return this.field;
  }

  /** The field of `meta` as the database gets it: with the operation's one-off default when it is not kept. */
  protected fieldForDatabase(meta: Options): AnyField {
    const field = meta.getField(this.name);
    const declared = (this.field.options as { default?: unknown }).default;
    if (this.preserveDefault || declared === undefined) return field;
    const copy = fieldWith(field, { default: declared });
    copy.contribute(meta, this.name);
    return copy;
  }

  args(): Record<string, unknown> {
    return {
      modelName: this.modelName,
      name: this.name,
      field: this.field,
      ...(this.preserveDefault ? {} : { preserveDefault: false }),
    };
  }
}

/** Adds a field (a column, or a many-to-many table). */
export class AddField extends DeclaringFieldOperation {
  readonly kind = 'AddField';

  constructor(args: { modelName: string; name: string; field: AnyField; preserveDefault?: boolean }) {
    super(args, 'AddField');
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    const field = this.preserveDefault ? this.field : fieldWith(this.field, {}, ['default']);
    model.fields.set(this.name, model.normalizeField(field));
    state.reload();
  }

  async databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.addColumn(appLabel, editor, { from, to, field: (toModel) => this.fieldForDatabase(toModel) });
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    await this.dropColumn(appLabel, editor, from);
  }

  describe(): string {
    return `Add field ${this.name} to ${this.modelName}`;
  }

  override get migrationNameFragment(): string {
    return `${this.modelNameLower}_${this.nameLower}`;
  }

  override reduce(operation: Operation, appLabel: string): Operation[] | boolean {
    if (this.isSameField(operation) && !(operation instanceof RenameField)) {
      if (operation instanceof AlterField) {
        return [new AddField({ modelName: this.modelName, name: operation.name, field: operation.field })];
      }
      if (operation instanceof RemoveField) return [];
    }
    if (
      operation instanceof RenameField &&
      operation.modelNameLower === this.modelNameLower &&
      operation.oldNameLower === this.nameLower
    ) {
      return [new AddField({ modelName: this.modelName, name: operation.newName, field: this.field })];
    }
    return super.reduce(operation, appLabel);
  }
}

/** Removes a field. */
export class RemoveField extends FieldOperation {
  readonly kind = 'RemoveField';

  constructor(args: { modelName: string; name: string }) {
    super(args?.modelName, args?.name, 'RemoveField');
  }

  args(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    model.getField(this.name);
    model.fields.delete(this.name);
    state.reload();
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    await this.dropColumn(appLabel, editor, from);
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.addColumn(appLabel, editor, { from, to });
  }

  describe(): string {
    return `Remove field ${this.name} from ${this.modelName}`;
  }

  override get migrationNameFragment(): string {
    return `remove_${this.modelNameLower}_${this.nameLower}`;
  }

  override reduce(operation: Operation, appLabel: string): Operation[] | boolean {
    // A removed field then deleted model: the delete alone.
    if (
      operation.kind === 'DeleteModel' &&
      lower((operation as unknown as { name: string }).name) === this.modelNameLower
    ) {
      return [operation];
    }
    return super.reduce(operation, appLabel);
  }
}

/** Changes a field's declaration (type, null, default, unique, index, relation...). */
export class AlterField extends DeclaringFieldOperation {
  readonly kind = 'AlterField';

  constructor(args: { modelName: string; name: string; field: AnyField; preserveDefault?: boolean }) {
    super(args, 'AlterField');
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    model.getField(this.name);
    const field = this.preserveDefault ? this.field : fieldWith(this.field, {}, ['default']);
    model.fields.set(this.name, model.normalizeField(field));
    state.reload();
  }

  async databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const { name } = this;
    const field = (toModel: Options) => this.fieldForDatabase(toModel);
    await this.alterColumn(appLabel, editor, { from, to, oldName: name, newName: name, field });
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.alterColumn(appLabel, editor, { from, to, oldName: this.name, newName: this.name });
  }

  describe(): string {
    return `Alter field ${this.name} on ${this.modelName}`;
  }

  override get migrationNameFragment(): string {
    return `alter_${this.modelNameLower}_${this.nameLower}`;
  }

  override reduce(operation: Operation, appLabel: string): Operation[] | boolean {
    if (operation instanceof RemoveField && this.isSameField(operation)) return [operation];
    if (operation instanceof AlterField && this.isSameField(operation)) return [operation];
    if (
      operation instanceof RenameField &&
      operation.modelNameLower === this.modelNameLower &&
      operation.oldNameLower === this.nameLower
    ) {
      return [operation, new AlterField({ modelName: this.modelName, name: operation.newName, field: this.field })];
    }
    return super.reduce(operation, appLabel);
  }
}

/** Renames a field (and its column, unless `dbColumn` names it); its data stays. */
export class RenameField extends FieldOperation {
  readonly kind = 'RenameField';
  readonly oldName: string;
  readonly newName: string;

  constructor(args: { modelName: string; oldName: string; newName: string }) {
    super(args?.modelName, args?.oldName, 'RenameField');
    this.oldName = args.oldName;
    this.newName = args.newName;
  }

  get oldNameLower(): string {
    return lower(this.oldName);
  }

  get newNameLower(): string {
    return lower(this.newName);
  }

  args(): Record<string, unknown> {
    return { modelName: this.modelName, oldName: this.oldName, newName: this.newName };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    const found = model.getField(this.oldName);
    // The renamed field goes last, as Django moves it: a later table rebuild orders columns so.
    model.fields.delete(this.oldName);
    model.fields.set(this.newName, found);
    const rename = (n: string) => (n === this.oldName ? this.newName : n);
    if (model.options.uniqueTogether !== undefined) {
      model.options = { ...model.options, uniqueTogether: model.options.uniqueTogether.map((set) => set.map(rename)) };
    }
    // Relations whose toField names the renamed field follow it.
    const label = model.key;
    for (const other of state.models.values()) {
      for (const [name, field] of other.fields) {
        const toField = (field.options as { toField?: string }).toField;
        if (toField === this.oldName && fieldReferencesModel(field, label)) {
          other.fields.set(name, withTarget(field, (field as unknown as { to: string }).to, { toField: this.newName }));
        }
      }
    }
    state.reload();
  }

  async databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.alterColumn(appLabel, editor, { from, to, oldName: this.oldName, newName: this.newName });
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.alterColumn(appLabel, editor, { from, to, oldName: this.newName, newName: this.oldName });
  }

  override referencesField(modelName: string, name: string, appLabel: string): boolean {
    return (
      this.referencesModel(modelName, appLabel) &&
      (lower(name) === this.oldNameLower || lower(name) === this.newNameLower)
    );
  }

  describe(): string {
    return `Rename field ${this.oldName} on ${this.modelName} to ${this.newName}`;
  }

  override get migrationNameFragment(): string {
    return `rename_${this.oldNameLower}_${this.modelNameLower}_${this.newNameLower}`;
  }

  override reduce(operation: Operation, appLabel: string): Operation[] | boolean {
    if (
      operation instanceof RenameField &&
      operation.modelNameLower === this.modelNameLower &&
      operation.oldNameLower === this.newNameLower
    ) {
      return [new RenameField({ modelName: this.modelName, oldName: this.oldName, newName: operation.newName })];
    }
    // Skip FieldOperation's rule: a later operation may name either name.
    return (
      Operation.prototype.reduce.call(this, operation, appLabel) ||
      !(
        operation.referencesField(this.modelName, this.oldName, appLabel) ||
        operation.referencesField(this.modelName, this.newName, appLabel)
      )
    );
  }
}
