/**
 * The operations on models, as Django's `django.db.migrations.operations.models`: CreateModel,
 * DeleteModel, RenameModel, AlterModelTable, AlterUniqueTogether, AlterModelOptions, and the
 * indexes and constraints of a model (AddIndex, RemoveIndex, AddConstraint, RemoveConstraint).
 */
import type { BaseSchemaEditor, ManyToManyLike } from '../../backends/base/schema.ts';
import type { Constraint } from '../../models/constraints.ts';
import type { AnyField } from '../../models/fields/base.ts';
import type { Index } from '../../models/indexes.ts';
import { withTarget } from '../deconstruct.ts';
import { ALTER_OPTION_NAMES, ModelState, modelKey, type ProjectState, type StateOptions } from '../state.ts';
import { fieldReferencesModel, lower, Operation } from './base.ts';
import { AddField, AlterField, FieldOperation, RemoveField, RenameField } from './fields.ts';

/** An operation on one model, named `name` (Django's ModelOperation). */
abstract class ModelOperation extends Operation {
  readonly name: string;

  constructor(name: string) {
    super();
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(`${new.target.name} needs the model's name: { name: 'Post' }.`);
    }
    this.name = name;
  }

  get nameLower(): string {
    return lower(this.name);
  }

  override referencesModel(name: string, appLabel: string): boolean {
    void appLabel;
    return lower(name) === this.nameLower;
  }

  override reduce(operation: Operation, appLabel: string): Operation[] | boolean {
    return super.reduce(operation, appLabel) || !operation.referencesModel(this.name, appLabel);
  }
}

/** The fields of a new model, and its meta options. */
export interface CreateModelArgs {
  name: string;
  fields: Record<string, AnyField>;
  options?: StateOptions;
}

/** Creates a model's table. */
export class CreateModel extends ModelOperation {
  readonly kind = 'CreateModel';
  readonly fields: Record<string, AnyField>;
  readonly options: StateOptions;

  constructor(args: CreateModelArgs) {
    super(args?.name);
    if (args.fields === null || typeof args.fields !== 'object') {
      throw new TypeError(
        `CreateModel({ name: '${args.name}' }) needs its fields: { fields: { id: new AutoField({ primaryKey: true }), ... } }.`,
      );
    }
    this.fields = args.fields;
    this.options = args.options ?? {};
  }

  args(): Record<string, unknown> {
    return {
      name: this.name,
      fields: this.fields,
      ...(Object.keys(this.options).length > 0 ? { options: this.options } : {}),
    };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    state.addModel(new ModelState(appLabel, this.name, this.fields, this.options));
  }

  async databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const meta = to.apps.getMeta(appLabel, this.name);
    if (this.allowMigrateModel(meta)) await editor.createModel(meta);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    const meta = from.apps.getMeta(appLabel, this.name);
    if (this.allowMigrateModel(meta)) await editor.deleteModel(meta);
  }

  describe(): string {
    return `Create model ${this.name}`;
  }

  override get migrationNameFragment(): string {
    return this.nameLower;
  }

  override referencesModel(name: string, appLabel: string): boolean {
    if (super.referencesModel(name, appLabel)) return true;
    const label = name.includes('.') ? name.toLowerCase() : modelKey(appLabel, name);
    return Object.values(this.fields).some(
      (field) => fieldReferencesModel(field, label) || fieldReferencesModel(field, lower(name)),
    );
  }

  override reduce(operation: Operation, appLabel: string): Operation[] | boolean {
    if (operation instanceof DeleteModel && operation.nameLower === this.nameLower) return [];
    if (operation instanceof RenameModel && operation.oldNameLower === this.nameLower) {
      return [new CreateModel({ name: operation.newName, fields: this.fields, options: this.options })];
    }
    if (operation instanceof AlterModelOptions && operation.nameLower === this.nameLower) {
      const options: Record<string, unknown> = { ...this.options, ...operation.options };
      for (const key of ALTER_OPTION_NAMES) if (!(key in operation.options)) delete options[key];
      return [new CreateModel({ name: this.name, fields: this.fields, options })];
    }
    if (operation instanceof AlterUniqueTogether && operation.nameLower === this.nameLower) {
      return [
        new CreateModel({
          name: this.name,
          fields: this.fields,
          options: { ...this.options, uniqueTogether: operation.uniqueTogether },
        }),
      ];
    }
    if (operation instanceof AlterModelTable && operation.nameLower === this.nameLower) {
      return [
        new CreateModel({
          name: this.name,
          fields: this.fields,
          options: { ...this.options, dbTable: operation.table ?? undefined },
        }),
      ];
    }
    if (operation instanceof FieldOperation && operation.modelNameLower === this.nameLower) {
      return this.#reduceField(operation) ?? super.reduce(operation, appLabel);
    }
    return super.reduce(operation, appLabel);
  }

  #reduceField(operation: FieldOperation): Operation[] | undefined {
    const entries = Object.entries(this.fields);
    const make = (fields: Array<[string, AnyField]>, options: StateOptions = this.options) => [
      new CreateModel({ name: this.name, fields: Object.fromEntries(fields), options }),
    ];
    if (operation instanceof AddField) return make([...entries, [operation.name, operation.field]]);
    if (operation instanceof AlterField) {
      return make(entries.map(([n, f]) => [n, lower(n) === operation.nameLower ? operation.field : f]));
    }
    if (operation instanceof RemoveField) {
      const options = { ...this.options };
      if (options.uniqueTogether !== undefined) {
        options.uniqueTogether = options.uniqueTogether
          .map((set) => set.filter((n) => lower(n) !== operation.nameLower))
          .filter((set) => set.length > 1);
      }
      return make(
        entries.filter(([n]) => lower(n) !== operation.nameLower),
        options,
      );
    }
    if (operation instanceof RenameField) {
      const options = { ...this.options };
      if (options.uniqueTogether !== undefined) {
        options.uniqueTogether = options.uniqueTogether.map((set) =>
          set.map((n) => (n === operation.oldName ? operation.newName : n)),
        );
      }
      return make(
        entries.map(([n, f]) => [lower(n) === operation.oldNameLower ? operation.newName : n, f]),
        options,
      );
    }
    return undefined;
  }
}

/** Drops a model's table. */
export class DeleteModel extends ModelOperation {
  readonly kind = 'DeleteModel';

  constructor(args: { name: string }) {
    super(args?.name);
  }

  args(): Record<string, unknown> {
    return { name: this.name };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    state.removeModel(appLabel, this.name);
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    const meta = from.apps.getMeta(appLabel, this.name);
    if (this.allowMigrateModel(meta)) await editor.deleteModel(meta);
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const meta = to.apps.getMeta(appLabel, this.name);
    if (this.allowMigrateModel(meta)) await editor.createModel(meta);
  }

  // The deleted model may point at any other.
  override referencesModel(): boolean {
    return true;
  }

  describe(): string {
    return `Delete model ${this.name}`;
  }

  override get migrationNameFragment(): string {
    return `delete_${this.nameLower}`;
  }
}

/** Renames a model: its table (unless `dbTable` names it) and the relations pointing at it. */
export class RenameModel extends ModelOperation {
  readonly kind = 'RenameModel';
  readonly oldName: string;
  readonly newName: string;

  constructor(args: { oldName: string; newName: string }) {
    super(args?.oldName);
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
    return { oldName: this.oldName, newName: this.newName };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const renamed = state.getModel(appLabel, this.oldName);
    const oldLabel = modelKey(appLabel, this.oldName);
    const newLabel = modelKey(appLabel, this.newName);
    state.removeModel(appLabel, this.oldName);
    state.addModel(new ModelState(appLabel, this.newName, renamed.fields, renamed.options));
    // Relations pointing at the old name point at the new one.
    for (const model of state.models.values()) {
      for (const [name, field] of model.fields) {
        if (!fieldReferencesModel(field, oldLabel)) continue;
        const to = (field as unknown as { to: string }).to;
        const through = (field.options as { through?: string }).through;
        model.fields.set(
          name,
          withTarget(
            field,
            to === oldLabel ? newLabel : to,
            through !== undefined && through === oldLabel ? { through: newLabel } : {},
          ),
        );
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
    await this.#rename(appLabel, editor, from, to, this.oldName, this.newName);
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.#rename(appLabel, editor, from, to, this.newName, this.oldName);
  }

  async #rename(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
    oldName: string,
    newName: string,
  ): Promise<void> {
    const newModel = to.apps.getMeta(appLabel, newName);
    if (!this.allowMigrateModel(newModel)) return;
    const oldModel = from.apps.getMeta(appLabel, oldName);
    await editor.alterDbTable(newModel, oldModel.dbTable, newModel.dbTable);
    for (const related of oldModel.relatedObjects) {
      // Automatic through tables are handled with the many-to-many fields below and by their own field.
      if (related.relatedModel.autoCreated) continue;
      const self = related.relatedModel === oldModel;
      const model = self ? newModel : related.relatedModel;
      const target = self ? newModel : to.apps.getMeta(related.relatedModel.appLabel, related.relatedModel.objectName);
      await editor.alterField(model, related.field, target.getField(related.field.name));
    }
    // Automatic many-to-many tables named after the model follow it, with their column.
    for (let i = 0; i < oldModel.manyToMany.length; i++) {
      const oldField = oldModel.manyToMany[i] as unknown as ManyToManyLike;
      const newField = newModel.manyToMany[i] as unknown as ManyToManyLike | undefined;
      if (newField === undefined || newField.remote() === newModel || !newField.through().autoCreated) continue;
      const oldThrough = oldField.through();
      const newThrough = newField.through();
      await editor.alterDbTable(newThrough, oldThrough.dbTable, newThrough.dbTable);
      await editor.alterField(
        newThrough,
        oldThrough.getField(oldModel.modelName),
        newThrough.getField(newModel.modelName),
      );
    }
  }

  override referencesModel(name: string): boolean {
    return lower(name) === this.oldNameLower || lower(name) === this.newNameLower;
  }

  describe(): string {
    return `Rename model ${this.oldName} to ${this.newName}`;
  }

  override get migrationNameFragment(): string {
    return `rename_${this.oldNameLower}_${this.newNameLower}`;
  }

  override reduce(operation: Operation, appLabel: string): Operation[] | boolean {
    if (operation instanceof RenameModel && this.newNameLower === operation.oldNameLower) {
      return [new RenameModel({ oldName: this.oldName, newName: operation.newName })];
    }
    // Skip the ModelOperation rule: a later operation may name either name.
    return (
      Operation.prototype.reduce.call(this, operation, appLabel) || !operation.referencesModel(this.newName, appLabel)
    );
  }
}

/** An option change that replaces the previous one of its kind. */
abstract class ModelOptionOperation extends ModelOperation {
  override reduce(operation: Operation, appLabel: string): Operation[] | boolean {
    if (operation.kind === this.kind && (operation as ModelOptionOperation).nameLower === this.nameLower)
      return [operation];
    if (operation instanceof DeleteModel && operation.nameLower === this.nameLower) return [operation];
    return super.reduce(operation, appLabel);
  }
}

/** Renames a model's table (`table: null` for the default name). */
export class AlterModelTable extends ModelOptionOperation {
  readonly kind = 'AlterModelTable';
  readonly table: string | null;

  constructor(args: { name: string; table: string | null }) {
    super(args?.name);
    this.table = args.table ?? null;
  }

  args(): Record<string, unknown> {
    return { name: this.name, table: this.table };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.name);
    model.options = { ...model.options, dbTable: this.table ?? undefined };
    if (this.table === null) delete model.options.dbTable;
    state.reload();
  }

  async databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const newModel = to.apps.getMeta(appLabel, this.name);
    if (!this.allowMigrateModel(newModel)) return;
    const oldModel = from.apps.getMeta(appLabel, this.name);
    await editor.alterDbTable(newModel, oldModel.dbTable, newModel.dbTable);
    for (let i = 0; i < oldModel.manyToMany.length; i++) {
      const oldThrough = (oldModel.manyToMany[i] as unknown as ManyToManyLike).through();
      const newThrough = (newModel.manyToMany[i] as unknown as ManyToManyLike).through();
      if (newThrough.autoCreated) await editor.alterDbTable(newThrough, oldThrough.dbTable, newThrough.dbTable);
    }
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.databaseForwards(appLabel, editor, from, to);
  }

  describe(): string {
    return `Rename table for ${this.name} to ${this.table ?? '(default)'}`;
  }

  override get migrationNameFragment(): string {
    return `alter_${this.nameLower}_table`;
  }
}

/** Sets the sets of fields unique together. */
export class AlterUniqueTogether extends ModelOptionOperation {
  readonly kind = 'AlterUniqueTogether';
  readonly uniqueTogether: ReadonlyArray<readonly string[]>;

  constructor(args: { name: string; uniqueTogether: ReadonlyArray<readonly string[]> }) {
    super(args?.name);
    this.uniqueTogether = args.uniqueTogether ?? [];
  }

  args(): Record<string, unknown> {
    return { name: this.name, uniqueTogether: this.uniqueTogether };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.name);
    model.options = { ...model.options, uniqueTogether: this.uniqueTogether };
    if (this.uniqueTogether.length === 0) delete model.options.uniqueTogether;
    state.reload();
  }

  async databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const newModel = to.apps.getMeta(appLabel, this.name);
    if (!this.allowMigrateModel(newModel)) return;
    const oldModel = from.apps.getMeta(appLabel, this.name);
    await editor.alterUniqueTogether(newModel, oldModel.uniqueTogether, newModel.uniqueTogether);
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.databaseForwards(appLabel, editor, from, to);
  }

  override referencesField(modelName: string, name: string, appLabel: string): boolean {
    return (
      this.referencesModel(modelName, appLabel) &&
      this.uniqueTogether.some((set) => set.some((n) => lower(n) === lower(name)))
    );
  }

  describe(): string {
    return `Alter unique_together for ${this.name} (${this.uniqueTogether.length} constraint(s))`;
  }

  override get migrationNameFragment(): string {
    return `alter_${this.nameLower}_unique_together`;
  }
}

/** Changes options that do not reach the database (ordering, verbose names, ...). */
export class AlterModelOptions extends ModelOptionOperation {
  readonly kind = 'AlterModelOptions';
  readonly options: StateOptions;

  constructor(args: { name: string; options: StateOptions }) {
    super(args?.name);
    this.options = args.options ?? {};
  }

  args(): Record<string, unknown> {
    return { name: this.name, options: this.options };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.name);
    const options: Record<string, unknown> = { ...model.options, ...this.options };
    for (const key of ALTER_OPTION_NAMES) if (!(key in this.options)) delete options[key];
    model.options = options as StateOptions;
    state.reload();
  }

  async databaseForwards(): Promise<void> {}

  async databaseBackwards(): Promise<void> {}

  describe(): string {
    return `Change Meta options on ${this.name}`;
  }

  override get migrationNameFragment(): string {
    return `alter_${this.nameLower}_options`;
  }
}

/** An operation on an index or a constraint of one model. */
abstract class ModelPartOperation extends Operation {
  readonly modelName: string;

  constructor(modelName: string) {
    super();
    if (typeof modelName !== 'string' || modelName === '') {
      throw new TypeError(`${new.target.name} needs the model's name: { modelName: 'post', ... }.`);
    }
    this.modelName = modelName;
  }

  get modelNameLower(): string {
    return lower(this.modelName);
  }

  override referencesModel(name: string): boolean {
    return lower(name) === this.modelNameLower;
  }
}

/** Adds an index (named, as every index in a migration). */
export class AddIndex extends ModelPartOperation {
  readonly kind = 'AddIndex';
  readonly index: Index;

  constructor(args: { modelName: string; index: Index }) {
    super(args?.modelName);
    if (args.index?.name === undefined) {
      throw new TypeError(
        `Indexes passed to AddIndex operations require a name argument: new Index({ fields: [...], name: '...' }).`,
      );
    }
    this.index = args.index;
  }

  args(): Record<string, unknown> {
    return { modelName: this.modelName, index: this.index };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    model.options = { ...model.options, indexes: [...(model.options.indexes ?? []), this.index] };
    state.reload();
  }

  async databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const meta = to.apps.getMeta(appLabel, this.modelName);
    if (this.allowMigrateModel(meta)) await editor.addIndex(meta, this.index);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    const meta = from.apps.getMeta(appLabel, this.modelName);
    if (this.allowMigrateModel(meta)) await editor.removeIndex(meta, this.index);
  }

  describe(): string {
    return `Create index ${this.index.name} on field(s) ${this.index.fields.join(', ')} of model ${this.modelName}`;
  }

  override get migrationNameFragment(): string {
    return lower(this.index.name!);
  }
}

/** Removes an index by name. */
export class RemoveIndex extends ModelPartOperation {
  readonly kind = 'RemoveIndex';
  readonly name: string;

  constructor(args: { modelName: string; name: string }) {
    super(args?.modelName);
    this.name = args.name;
  }

  args(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    model.options = { ...model.options, indexes: (model.options.indexes ?? []).filter((i) => i.name !== this.name) };
    state.reload();
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    const meta = from.apps.getMeta(appLabel, this.modelName);
    if (this.allowMigrateModel(meta)) {
      await editor.removeIndex(meta, from.getModel(appLabel, this.modelName).getIndexByName(this.name));
    }
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const meta = to.apps.getMeta(appLabel, this.modelName);
    if (this.allowMigrateModel(meta))
      await editor.addIndex(meta, to.getModel(appLabel, this.modelName).getIndexByName(this.name));
  }

  describe(): string {
    return `Remove index ${this.name} from ${this.modelName}`;
  }

  override get migrationNameFragment(): string {
    return `remove_${this.modelNameLower}_${lower(this.name)}`;
  }
}

/** Adds a UniqueConstraint or CheckConstraint. */
export class AddConstraint extends ModelPartOperation {
  readonly kind = 'AddConstraint';
  readonly constraint: Constraint;

  constructor(args: { modelName: string; constraint: Constraint }) {
    super(args?.modelName);
    this.constraint = args.constraint;
  }

  args(): Record<string, unknown> {
    return { modelName: this.modelName, constraint: this.constraint };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    model.options = { ...model.options, constraints: [...(model.options.constraints ?? []), this.constraint] };
    state.reload();
  }

  async databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const meta = to.apps.getMeta(appLabel, this.modelName);
    if (this.allowMigrateModel(meta)) await editor.addConstraint(meta, this.constraint);
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const meta = to.apps.getMeta(appLabel, this.modelName);
    if (this.allowMigrateModel(meta)) await editor.removeConstraint(meta, this.constraint);
  }

  describe(): string {
    return `Create constraint ${this.constraint.name} on model ${this.modelName}`;
  }

  override get migrationNameFragment(): string {
    return lower(this.constraint.name);
  }
}

/** Removes a constraint by name. */
export class RemoveConstraint extends ModelPartOperation {
  readonly kind = 'RemoveConstraint';
  readonly name: string;

  constructor(args: { modelName: string; name: string }) {
    super(args?.modelName);
    this.name = args.name;
  }

  args(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name };
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    model.options = {
      ...model.options,
      constraints: (model.options.constraints ?? []).filter((c) => c.name !== this.name),
    };
    state.reload();
  }

  async databaseForwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const meta = to.apps.getMeta(appLabel, this.modelName);
    if (this.allowMigrateModel(meta)) {
      await editor.removeConstraint(meta, from.getModel(appLabel, this.modelName).getConstraintByName(this.name));
    }
  }

  async databaseBackwards(
    appLabel: string,
    editor: BaseSchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const meta = to.apps.getMeta(appLabel, this.modelName);
    if (this.allowMigrateModel(meta)) {
      await editor.addConstraint(meta, to.getModel(appLabel, this.modelName).getConstraintByName(this.name));
    }
  }

  describe(): string {
    return `Remove constraint ${this.name} from model ${this.modelName}`;
  }

  override get migrationNameFragment(): string {
    return `remove_${this.modelNameLower}_${lower(this.name)}`;
  }
}
