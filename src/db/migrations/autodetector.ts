/**
 * The autodetector, as Django's `MigrationAutodetector`: compares the state the migrations
 * build with the state of the current models and writes the operations between them, one new
 * migration per app that changed, with the dependencies the graph needs (the app's latest
 * migration, the migrations of other apps whose models it points at, `swappableDependency` for a
 * swappable model). It asks the questioner before taking a removal and an addition for a rename.
 */
import type { AnyField } from '../models/fields/base.ts';
import { canonical, deconstructField, fieldSignature, swappableSettingFor } from './deconstruct.ts';
import type { MigrationGraph } from './graph.ts';
import { Migration, swappableDependency, type Dependency } from './migration.ts';
import type { Operation } from './operations/base.ts';
import { fieldWith } from './operations/fields.ts';
import { AddField, AlterField, RemoveField, RenameField } from './operations/fields.ts';
import {
  AddConstraint,
  AddIndex,
  AlterModelOptions,
  AlterModelTable,
  AlterUniqueTogether,
  CreateModel,
  DeleteModel,
  RemoveConstraint,
  RemoveIndex,
  RenameModel,
} from './operations/models.ts';
import { optimize } from './optimizer.ts';
import { NOT_PROVIDED, type Questioner } from './questioner.ts';
import { ALTER_OPTION_NAMES, modelKey, type ModelState, type ProjectState, type StateOptions } from './state.ts';

/** An operation with the models of other apps it needs. */
interface Planned {
  operation: Operation;
  /** Labels of models (of any app) the operation points at. */
  refs: string[];
}

/** Options of {@link MigrationAutodetector.changes}. */
export interface ChangesOptions {
  graph: MigrationGraph;
  /** Only these apps' migrations (and those they need). */
  trimToApps?: ReadonlySet<string>;
  /** Apps without migrations to give an initial one. */
  convertApps?: ReadonlySet<string>;
  /** The name of the new migrations (`--name`). */
  migrationName?: string;
}

/** The target labels a state field points at (relation target, through model). */
function fieldRefs(field: AnyField): string[] {
  if (!field.isRelation) return [];
  const out = [(field as unknown as { to: string }).to];
  const through = (field.options as { through?: string }).through;
  if (typeof through === 'string') out.push(through);
  return out;
}

function needsDefault(field: AnyField): boolean {
  const options = field.options as { autoNow?: boolean; autoNowAdd?: boolean };
  const manyToMany = (field as unknown as { manyToMany?: boolean }).manyToMany === true;
  return !(
    field.null ||
    field.hasDefault() ||
    manyToMany ||
    (field.blank && field.emptyStringsAllowed) ||
    options.autoNow ||
    options.autoNowAdd
  );
}

/** The number at the start of a migration's name (`0002_x` is 2), or undefined. */
export function migrationNumber(name: string): number | undefined {
  const match = /^\d+/.exec(name);
  return match === null ? undefined : Number(match[0]);
}

function timestamp(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}_${pad(now.getHours())}${pad(now.getMinutes())}`;
}

export class MigrationAutodetector {
  readonly fromState: ProjectState;
  readonly toState: ProjectState;
  readonly questioner: Questioner;
  /** New key -> old key of the models taken as renamed. */
  readonly #renamed = new Map<string, string>();
  readonly #planned = new Map<string, Planned[][]>();

  constructor(fromState: ProjectState, toState: ProjectState, questioner: Questioner) {
    this.fromState = fromState;
    this.toState = toState;
    this.questioner = questioner;
  }

  /** Adds an operation to an app's plan, in a phase (phases keep Django's order of kinds). */
  #add(app: string, phase: number, operation: Operation, refs: string[] = []): void {
    const phases = this.#planned.get(app) ?? [];
    (phases[phase] ??= []).push({ operation, refs });
    this.#planned.set(app, phases);
  }

  /** An old field's signature with relation targets renamed as the models were. */
  #oldSignature(field: AnyField): string {
    const declaration = deconstructField(field);
    if (declaration.to !== undefined) declaration.to = this.#newLabel(declaration.to);
    const through = declaration.options.through;
    if (typeof through === 'string') declaration.options = { ...declaration.options, through: this.#newLabel(through) };
    return fieldSignature(declaration);
  }

  #newSignature(field: AnyField): string {
    return fieldSignature(deconstructField(field));
  }

  #newLabel(oldLabel: string): string {
    for (const [newKey, oldKey] of this.#renamed) if (oldKey === oldLabel) return newKey;
    return oldLabel;
  }

  /**
   * The fields of a model without their relation targets, to recognise a renamed model: their
   * declarations in the order of their names, the names left out (Django's
   * `only_relation_agnostic_fields`). The order of the fields is not compared: a RenameField
   * moves its field last in the state, where the model declares it in place.
   */
  #agnostic(model: ModelState): string {
    return canonical(
      [...model.fields]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, field]) => {
          const declaration = deconstructField(field);
          return [declaration.cls.name, declaration.options];
        }),
    );
  }

  /** The new migrations, by app. */
  async changes(options: ChangesOptions): Promise<Map<string, Migration[]>> {
    const real = this.fromState.realApps;
    const convert = options.convertApps ?? new Set<string>();
    const oldKeys = [...this.fromState.models.keys()].filter((k) => !real.has(this.fromState.models.get(k)!.appLabel));
    const newKeys = [...this.toState.models.keys()].filter((k) => {
      const app = this.toState.models.get(k)!.appLabel;
      return !real.has(app) || convert.has(app);
    });
    const oldSet = new Set(oldKeys);
    const newSet = new Set(newKeys);
    // Renamed models: a removed and an added model of one app with the same fields.
    for (const key of newKeys) {
      if (oldSet.has(key)) continue;
      const model = this.toState.models.get(key)!;
      for (const oldKey of oldKeys) {
        if (newSet.has(oldKey) || [...this.#renamed.values()].includes(oldKey)) continue;
        const old = this.fromState.models.get(oldKey)!;
        if (old.appLabel !== model.appLabel || this.#agnostic(old) !== this.#agnostic(model)) continue;
        if (await this.questioner.askRenameModel(model.appLabel, old.name, model.name)) {
          this.#renamed.set(key, oldKey);
          this.#add(model.appLabel, 0, new RenameModel({ oldName: old.name, newName: model.name }));
          break;
        }
      }
    }
    const renamedOld = new Set(this.#renamed.values());
    const created = newKeys.filter((k) => !oldSet.has(k) && !this.#renamed.has(k));
    const deleted = oldKeys.filter((k) => !newSet.has(k) && !renamedOld.has(k));
    const kept = newKeys.filter((k) => oldSet.has(k) || this.#renamed.has(k));
    this.#createdModels(created.map((k) => this.toState.models.get(k)!));
    for (const key of kept)
      await this.#changedModel(
        this.fromState.models.get(this.#renamed.get(key) ?? key)!,
        this.toState.models.get(key)!,
      );
    this.#deletedModels(deleted.map((k) => this.fromState.models.get(k)!));
    return this.#arrange(options);
  }

  #createdModels(models: ModelState[]): void {
    const byApp = new Map<string, ModelState[]>();
    for (const model of models) byApp.set(model.appLabel, [...(byApp.get(model.appLabel) ?? []), model]);
    for (const [app, list] of byApp) {
      // Create each model after the new models of its app it points at; a circle is broken by
      // adding one of its relations once both models exist.
      const pending = new Map(list.map((m) => [m.key, m]));
      const order: ModelState[] = [];
      const later: Array<[ModelState, string, AnyField]> = [];
      const visiting = new Set<string>();
      const visit = (model: ModelState) => {
        if (!pending.has(model.key)) return;
        visiting.add(model.key);
        for (const [name, field] of model.fields) {
          for (const ref of fieldRefs(field)) {
            if (ref === model.key || !pending.has(ref)) continue;
            if (visiting.has(ref)) later.push([model, name, field]);
            else visit(pending.get(ref)!);
          }
        }
        visiting.delete(model.key);
        pending.delete(model.key);
        order.push(model);
      };
      for (const model of list) visit(model);
      const deferred = new Set(later.map(([m, n]) => `${m.key}.${n}`));
      for (const model of order) {
        const fields: Record<string, AnyField> = {};
        const refs: string[] = [];
        for (const [name, field] of model.fields) {
          if (deferred.has(`${model.key}.${name}`)) continue;
          fields[name] = field;
          refs.push(...fieldRefs(field));
        }
        this.#add(app, 1, new CreateModel({ name: model.name, fields, options: model.options }), refs);
      }
      for (const [model, name, field] of later) {
        this.#add(app, 1, new AddField({ modelName: model.nameLower, name, field }), fieldRefs(field));
      }
    }
  }

  #deletedModels(models: ModelState[]): void {
    // Models pointing at other deleted models go first.
    const keys = new Set(models.map((m) => m.key));
    const done = new Set<string>();
    const visit = (model: ModelState, stack: Set<string>) => {
      if (done.has(model.key) || stack.has(model.key)) return;
      stack.add(model.key);
      for (const other of models) {
        if (other === model || done.has(other.key)) continue;
        if ([...other.fields.values()].some((f) => fieldRefs(f).includes(model.key))) visit(other, stack);
      }
      done.add(model.key);
      this.#add(model.appLabel, 11, new DeleteModel({ name: model.name }));
    };
    for (const model of models) if (keys.has(model.key)) visit(model, new Set());
  }

  async #changedModel(old: ModelState, model: ModelState): Promise<void> {
    const app = model.appLabel;
    const modelName = model.nameLower;
    // Options with no effect on the database.
    const alterOptions: Record<string, unknown> = {};
    let optionsChanged = false;
    for (const name of ALTER_OPTION_NAMES) {
      const value = model.options[name];
      if (canonical(value) !== canonical(old.options[name])) optionsChanged = true;
      if (value !== undefined) alterOptions[name] = value;
    }
    if (optionsChanged)
      this.#add(app, 2, new AlterModelOptions({ name: model.name, options: alterOptions as StateOptions }));
    // Indexes and constraints, by name: removed ones before the fields change, added ones after.
    const byName = <T extends { name?: string }>(list: readonly T[] | undefined) =>
      new Map((list ?? []).map((i) => [i.name ?? '', i]));
    const oldIndexes = byName(old.options.indexes);
    const newIndexes = byName(model.options.indexes);
    for (const [name, index] of oldIndexes) {
      const now = newIndexes.get(name);
      if (now === undefined || canonical(now) !== canonical(index))
        this.#add(app, 3, new RemoveIndex({ modelName, name }));
    }
    for (const [name, index] of newIndexes) {
      const before = oldIndexes.get(name);
      if (before === undefined || canonical(before) !== canonical(index))
        this.#add(app, 9, new AddIndex({ modelName, index }));
    }
    const oldConstraints = byName(old.options.constraints);
    const newConstraints = byName(model.options.constraints);
    for (const [name, constraint] of oldConstraints) {
      const now = newConstraints.get(name);
      if (now === undefined || canonical(now) !== canonical(constraint))
        this.#add(app, 3, new RemoveConstraint({ modelName, name }));
    }
    for (const [name, constraint] of newConstraints) {
      const before = oldConstraints.get(name);
      if (before === undefined || canonical(before) !== canonical(constraint)) {
        this.#add(app, 10, new AddConstraint({ modelName, constraint }));
      }
    }
    // Fields: renames first (asked), then removals, additions, changes.
    const oldFields = new Map(old.fields);
    const added = [...model.fields.keys()].filter((n) => !oldFields.has(n));
    const removed = new Set([...oldFields.keys()].filter((n) => !model.fields.has(n)));
    const renames = new Map<string, string>();
    for (const name of added) {
      const field = model.fields.get(name)!;
      for (const oldName of removed) {
        const oldField = oldFields.get(oldName)!;
        const same = this.#oldSignature(oldField) === this.#newSignature(field);
        const keptColumn =
          (field.options as { dbColumn?: string }).dbColumn ===
            ((oldField.options as { dbColumn?: string }).dbColumn ?? oldName) &&
          this.#oldSignature(fieldWith(oldField, { dbColumn: (field.options as { dbColumn?: string }).dbColumn })) ===
            this.#newSignature(field);
        if (!same && !keptColumn) continue;
        if (await this.questioner.askRename(modelName, oldName, name, field)) {
          this.#add(app, 4, new RenameField({ modelName, oldName, newName: name }));
          renames.set(name, oldName);
          removed.delete(oldName);
          break;
        }
      }
    }
    const uniqueOld = canonical(
      old.options.uniqueTogether?.map((s) => s.map((n) => [...renames].find(([, o]) => o === n)?.[0] ?? n)) ?? [],
    );
    const uniqueNew = canonical(model.options.uniqueTogether ?? []);
    const uniqueChanged = uniqueOld !== uniqueNew;
    const uniqueTouchesRemoved = (old.options.uniqueTogether ?? []).some((set) => set.some((n) => removed.has(n)));
    if (uniqueChanged && uniqueTouchesRemoved) {
      this.#add(
        app,
        4,
        new AlterUniqueTogether({ name: model.name, uniqueTogether: model.options.uniqueTogether ?? [] }),
      );
    }
    for (const name of removed) this.#add(app, 5, new RemoveField({ modelName, name }));
    for (const name of added) {
      if (renames.has(name)) continue;
      let field = model.fields.get(name)!;
      let preserveDefault = true;
      if (needsDefault(field)) {
        const value = await this.questioner.askNotNullAddition(name, modelName);
        field = fieldWith(field, { default: value });
        preserveDefault = false;
      }
      this.#add(app, 6, new AddField({ modelName, name, field, preserveDefault }), fieldRefs(field));
    }
    for (const [name, field] of model.fields) {
      const oldName = renames.get(name) ?? name;
      const oldField = oldFields.get(oldName);
      if (oldField === undefined || (added.includes(name) && !renames.has(name))) continue;
      if (this.#oldSignature(oldField) === this.#newSignature(field)) continue;
      const oldM2M = (oldField as unknown as { manyToMany?: boolean }).manyToMany === true;
      const newM2M = (field as unknown as { manyToMany?: boolean }).manyToMany === true;
      if (oldM2M !== newM2M) {
        this.#add(app, 5, new RemoveField({ modelName, name }));
        this.#add(app, 6, new AddField({ modelName, name, field }), fieldRefs(field));
        continue;
      }
      let altered = field;
      let preserveDefault = true;
      if (oldField.null && !field.null && !field.hasDefault() && needsDefault(field)) {
        const value = await this.questioner.askNotNullAlteration(name, modelName);
        if (value !== NOT_PROVIDED) {
          altered = fieldWith(field, { default: value });
          preserveDefault = false;
        }
      }
      this.#add(app, 7, new AlterField({ modelName, name, field: altered, preserveDefault }), fieldRefs(field));
    }
    if (uniqueChanged && !uniqueTouchesRemoved) {
      this.#add(
        app,
        8,
        new AlterUniqueTogether({ name: model.name, uniqueTogether: model.options.uniqueTogether ?? [] }),
      );
    }
    if ((old.options.dbTable ?? null) !== (model.options.dbTable ?? null)) {
      this.#add(app, 10, new AlterModelTable({ name: model.name, table: model.options.dbTable ?? null }));
    }
  }

  /** Turns the planned operations into numbered, named migrations with their dependencies. */
  #arrange(options: ChangesOptions): Map<string, Migration[]> {
    const graph = options.graph;
    // Apps without migrations get an initial one only when the questioner says so.
    for (const app of [...this.#planned.keys()]) {
      if (graph.leafNodes(app).length === 0 && !this.questioner.askInitial(app)) this.#planned.delete(app);
    }
    // Trim to the apps asked for and the apps they need.
    if (options.trimToApps !== undefined) {
      const required = new Set(options.trimToApps);
      let grew = true;
      while (grew) {
        grew = false;
        for (const app of required) {
          for (const phase of this.#planned.get(app) ?? []) {
            for (const planned of phase ?? []) {
              for (const ref of planned.refs) {
                const other = ref.slice(0, ref.indexOf('.'));
                if (this.#planned.has(other) && !required.has(other) && this.#createsModel(other, ref)) {
                  required.add(other);
                  grew = true;
                }
              }
            }
          }
        }
      }
      for (const app of [...this.#planned.keys()]) if (!required.has(app)) this.#planned.delete(app);
    }
    const names = new Map<string, string>();
    const migrations = new Map<string, Migration>();
    for (const [app, phases] of this.#planned) {
      const planned = phases.flat().filter((p): p is Planned => p !== undefined);
      const leaf = graph.leafNodes(app)[0];
      const number = leaf === undefined ? 1 : (migrationNumber(leaf[1]) ?? 0) + 1;
      const operations = optimize(
        planned.map((p) => p.operation),
        app,
      );
      const migration = new Migration({ operations, initial: leaf === undefined ? true : undefined });
      migration.appLabel = app;
      const suggested = options.migrationName ?? (leaf === undefined ? 'initial' : migration.suggestName());
      const name = `${String(number).padStart(4, '0')}_${suggested === 'auto' ? `auto_${timestamp()}` : suggested}`;
      migration.name = name;
      names.set(app, name);
      migrations.set(app, migration);
    }
    const out = new Map<string, Migration[]>();
    for (const [app, migration] of migrations) {
      const dependencies: Dependency[] = [];
      const seen = new Set<string>();
      const add = (dependency: Dependency, id: string) => {
        if (seen.has(id)) return;
        seen.add(id);
        dependencies.push(dependency);
      };
      const leaf = graph.leafNodes(app)[0];
      if (leaf !== undefined) add(leaf, `${leaf[0]}.${leaf[1]}`);
      const refs = this.#planned
        .get(app)!
        .flat()
        .flatMap((p) => p?.refs ?? []);
      for (const ref of refs.sort()) {
        const other = ref.slice(0, ref.indexOf('.'));
        if (other === app) continue;
        const setting = swappableSettingFor(ref);
        if (setting !== undefined) {
          add(swappableDependency(setting), `swappable:${setting}`);
          continue;
        }
        const newName = names.get(other);
        if (newName !== undefined) add([other, newName], `${other}.${newName}`);
        else {
          const otherLeaf = graph.leafNodes(other)[0];
          if (otherLeaf !== undefined) add(otherLeaf, `${otherLeaf[0]}.${otherLeaf[1]}`);
          else add([other, '__first__'], `${other}.__first__`);
        }
      }
      const final = new Migration({
        dependencies,
        operations: migration.operations,
        initial: migration.initial,
      });
      final.appLabel = app;
      final.name = migration.name;
      out.set(app, [final]);
    }
    this.#checkCircularApps(out);
    return out;
  }

  #createsModel(app: string, label: string): boolean {
    return (this.#planned.get(app) ?? []).some((phase) =>
      (phase ?? []).some((p) => p.operation instanceof CreateModel && modelKey(app, p.operation.name) === label),
    );
  }

  /** New migrations of two apps needing each other cannot be ordered: say so. */
  #checkCircularApps(changes: Map<string, Migration[]>): void {
    const edges = new Map<string, string[]>();
    for (const [app, [migration]] of changes) {
      edges.set(
        app,
        migration!
          .resolvedDependencies()
          .filter(([other, name]) => other !== app && changes.get(other)?.[0]?.name === name)
          .map(([other]) => other),
      );
    }
    for (const [app, targets] of edges) {
      for (const other of targets) {
        if ((edges.get(other) ?? []).includes(app)) {
          throw new Error(
            `The new migrations of '${app}' and '${other}' would depend on each other (each points at a model the other creates): ` +
              `make the migrations in two steps (first one app's models without the relation to the other, then the relation).`,
          );
        }
      }
    }
  }
}
