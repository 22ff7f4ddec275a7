/**
 * `tsgi/db/migrations`: migrations, as Django's `django.db.migrations`. A migration file's
 * default export is a `Migration` of operations (docs/migrations.md); the loader, the executor
 * and the autodetector are what `makemigrations` and `migrate` run.
 *
 * @example
 * // blog/migrations/0002_post_slug.ts
 * import { AddField, Migration } from 'tsgi/db/migrations';
 * import { SlugField } from 'tsgi/db/models';
 *
 * export default new Migration({
 *   dependencies: [['blog', '0001_initial']],
 *   operations: [new AddField({ modelName: 'post', name: 'slug', field: new SlugField({ default: '' }) })],
 * });
 */
export {
  Migration,
  IrreversibleError,
  SwappableDependency,
  swappable,
  swappableDependency,
  type Dependency,
  type MigrationKey,
  type MigrationSpec,
} from './migration.ts';
export { Operation } from './operations/base.ts';
export {
  CreateModel,
  DeleteModel,
  RenameModel,
  AlterModelTable,
  AlterUniqueTogether,
  AlterModelOptions,
  AddIndex,
  RemoveIndex,
  AddConstraint,
  RemoveConstraint,
  type CreateModelArgs,
} from './operations/models.ts';
export { AddField, RemoveField, AlterField, RenameField } from './operations/fields.ts';
export {
  RunSQL,
  RunCode,
  SeparateDatabaseAndState,
  splitSql,
  type RunCodeFunction,
  type SqlStatements,
} from './operations/special.ts';
export {
  ModelState,
  ProjectState,
  StateApps,
  type HistoricalModel,
  type HistoricalInstance,
  type MigrationApps,
  type StateOptions,
} from './state.ts';
export { preMigrate, postMigrate, type MigrateEvent } from '../models/signals.ts';
export { MigrationAutodetector, type ChangesOptions } from './autodetector.ts';
export { optimize } from './optimizer.ts';
export {
  InteractiveQuestioner,
  NonInteractiveQuestioner,
  QuestionerError,
  NOT_PROVIDED,
  type Questioner,
} from './questioner.ts';
export { writeMigration, SerializationError, type WriteOptions } from './writer.ts';
export { MigrationGraph, NodeNotFoundError, CircularDependencyError } from './graph.ts';
export {
  MigrationLoader,
  BadMigrationError,
  InconsistentMigrationHistory,
  AmbiguityError,
  KeyNotFoundError,
} from './loader.ts';
export { MigrationRecorder, type AppliedMigration } from './recorder.ts';
export {
  MigrationExecutor,
  InvalidMigrationPlan,
  type MigrateOptions,
  type MigrationTarget,
  type PlanStep,
  type ProgressEvent,
} from './executor.ts';
