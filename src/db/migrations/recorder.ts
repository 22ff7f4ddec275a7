/**
 * The recorder, as Django's `MigrationRecorder`: which migrations a database has applied, in the
 * table `django_migrations` (`id`, `app`, `name`, `applied`), the table and columns Django uses,
 * so either framework reads what the other recorded. The table is made on first use.
 */
import type { BaseDatabaseWrapper } from '../backends/base/wrapper.ts';
import { Model } from '../models/base.ts';
import { AutoField, CharField } from '../models/fields/scalar.ts';
import { DateTimeField } from '../models/fields/temporal.ts';
import type { Manager } from '../models/manager.ts';
import { detachedModel, type Options } from '../models/options.ts';
import { now } from '../../utils/timezone.ts';
import { keyName } from './migration.ts';

/** One row of django_migrations. */
export interface AppliedMigration {
  app: string;
  name: string;
  applied: unknown;
}

let recordModel: Options | undefined;

/** The model of django_migrations (not registered: no app owns it, as in Django). */
function recordMeta(): Options {
  return (recordModel ??= (() => {
    const meta = detachedModel(
      class Migration extends Model {},
      {
        id: new AutoField({ primaryKey: true }),
        app: new CharField({ maxLength: 255 }),
        name: new CharField({ maxLength: 255 }),
        applied: new DateTimeField({ default: now as () => never }),
      },
      { appLabel: 'migrations', name: 'Migration', dbTable: 'django_migrations' },
    );
    meta.resolveRelations();
    return meta;
  })());
}

function objects(wrapper: BaseDatabaseWrapper) {
  const manager = (recordMeta().model as unknown as { objects: Manager<AppliedMigration & Model> }).objects;
  return manager.using(wrapper.alias);
}

export class MigrationRecorder {
  readonly wrapper: BaseDatabaseWrapper;
  #exists = false;

  constructor(wrapper: BaseDatabaseWrapper) {
    this.wrapper = wrapper;
  }

  /** The name of the table. */
  static readonly table = 'django_migrations';

  /** Whether the database has the table. */
  async hasTable(): Promise<boolean> {
    if (this.#exists) return true;
    this.#exists = (await this.wrapper.introspection.tableNames()).includes(MigrationRecorder.table);
    return this.#exists;
  }

  /** Creates the table unless it exists. */
  async ensureSchema(): Promise<void> {
    if (await this.hasTable()) return;
    const editor = this.wrapper.schemaEditor();
    await editor.createModel(recordMeta());
    await editor.flush();
    this.#exists = true;
  }

  /** The applied migrations, by `app.name` (none when the table does not exist). */
  async appliedMigrations(): Promise<Map<string, AppliedMigration>> {
    const out = new Map<string, AppliedMigration>();
    if (!(await this.hasTable())) return out;
    for (const row of await objects(this.wrapper).orderBy('id')) {
      out.set(keyName([row.app, row.name]), { app: row.app, name: row.name, applied: row.applied });
    }
    return out;
  }

  async recordApplied(app: string, name: string): Promise<void> {
    await this.ensureSchema();
    await objects(this.wrapper).create({ app, name } as never);
  }

  async recordUnapplied(app: string, name: string): Promise<void> {
    await this.ensureSchema();
    await objects(this.wrapper).filter({ app, name }).delete();
  }

  /** Forgets every applied migration (tests). */
  async flush(): Promise<void> {
    if (await this.hasTable()) await objects(this.wrapper).all().delete();
  }

  /** Forgets what it knows of the table (after the database was recreated). */
  reset(): void {
    this.#exists = false;
  }
}
