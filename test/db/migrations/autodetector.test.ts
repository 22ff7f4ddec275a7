// The autodetector, the optimizer, the questioners and the writer, without a database: a state
// the migrations built against the state of the models gives the operations between them; the
// optimizer folds what cancels; the writer's file loads back into the same operations and passes
// `prettier --check`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { settings } from '../../../src/conf/index.ts';
import {
  AddField,
  AlterField,
  CreateModel,
  DeleteModel,
  InteractiveQuestioner,
  Migration,
  MigrationAutodetector,
  MigrationGraph,
  NonInteractiveQuestioner,
  NOT_PROVIDED,
  optimize,
  ProjectState,
  QuestionerError,
  RemoveField,
  RenameField,
  RunCode,
  RunSQL,
  SerializationError,
  writeMigration,
  type Operation,
  type Questioner,
} from '../../../src/db/migrations/index.ts';
import {
  AutoField,
  CASCADE,
  CharField,
  CheckConstraint,
  DecimalField,
  ForeignKey,
  Index,
  IntegerField,
  TextField,
  UniqueConstraint,
} from '../../../src/db/models/index.ts';
import { Decimal } from '../../../src/utils/decimal.ts';

if (!settings.configured) settings.configure({ USE_TZ: true, TIME_ZONE: 'UTC' });

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const id = () => new AutoField({ primaryKey: true });

/** The state after these operations of one app. */
function stateOf(app: string, ...operations: Operation[]): ProjectState {
  const migration = new Migration({ operations });
  migration.appLabel = app;
  migration.name = '0001_initial';
  return migration.mutateState(new ProjectState());
}

/** A graph holding one applied-looking migration of the app (so the next one is 0002). */
function graphWith(app: string): MigrationGraph {
  const graph = new MigrationGraph();
  const migration = new Migration({ initial: true });
  migration.appLabel = app;
  migration.name = '0001_initial';
  graph.addNode(migration);
  return graph;
}

/** The answers of a test: renames as given, a fixed one-off default. */
class Answers extends NonInteractiveQuestioner implements Questioner {
  readonly asked: string[] = [];
  readonly renames: boolean;
  readonly oneOff: unknown;
  constructor(renames: boolean, oneOff: unknown = 0) {
    super({ specifiedApps: ['shop'] });
    this.renames = renames;
    this.oneOff = oneOff;
  }
  override async askRename(modelName: string, oldName: string, newName: string): Promise<boolean> {
    this.asked.push(`rename ${modelName}.${oldName} -> ${newName}`);
    return this.renames;
  }
  override async askRenameModel(app: string, oldName: string, newName: string): Promise<boolean> {
    this.asked.push(`rename model ${app}.${oldName} -> ${newName}`);
    return this.renames;
  }
  override async askNotNullAddition(fieldName: string, modelName: string): Promise<unknown> {
    this.asked.push(`default for ${modelName}.${fieldName}`);
    return this.oneOff;
  }
}

async function detect(from: ProjectState, to: ProjectState, questioner: Questioner, graph = graphWith('shop')) {
  const changes = await new MigrationAutodetector(from, to, questioner).changes({ graph });
  return changes.get('shop')?.[0];
}

const product = (fields: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
  new CreateModel({
    name: 'Product',
    fields: { id: id(), name: new CharField({ maxLength: 50 }), ...fields } as never,
    options: options as never,
  });

test('a new app gets 0001_initial with its models, the model it points at created first', async () => {
  const to = stateOf(
    'shop',
    new CreateModel({
      name: 'Item',
      fields: { id: id(), product: new ForeignKey('shop.Product', { onDelete: CASCADE }) },
    }),
    product(),
  );
  const migration = await detect(
    new ProjectState(),
    to,
    new NonInteractiveQuestioner({ specifiedApps: ['shop'] }),
    new MigrationGraph(),
  );
  assert.ok(migration);
  assert.equal(migration.name, '0001_initial');
  assert.equal(migration.initial, true);
  assert.deepEqual(
    migration.operations.map((o) => o.describe()),
    ['Create model Product', 'Create model Item'],
  );
  assert.deepEqual(migration.dependencies, []);
});

test('an app without migrations gets none unless it is named (or has an empty migrations folder)', async () => {
  const to = stateOf('shop', product());
  const changes = await new MigrationAutodetector(new ProjectState(), to, new NonInteractiveQuestioner()).changes({
    graph: new MigrationGraph(),
  });
  assert.equal(changes.size, 0);
  const folder = await new MigrationAutodetector(
    new ProjectState(),
    to,
    new NonInteractiveQuestioner({ emptyMigrationFolders: ['shop'] }),
  ).changes({ graph: new MigrationGraph() });
  assert.equal(folder.get('shop')?.[0]?.name, '0001_initial');
});

test('no change, no migration', async () => {
  const changes = await new MigrationAutodetector(
    stateOf('shop', product()),
    stateOf('shop', product()),
    new Answers(false),
  ).changes({
    graph: graphWith('shop'),
  });
  assert.equal(changes.size, 0);
});

test('a field with a default is added, named after it, depending on the latest migration', async () => {
  const migration = await detect(
    stateOf('shop', product()),
    stateOf('shop', product({ stock: new IntegerField({ default: 3 }) })),
    new Answers(false),
  );
  assert.ok(migration);
  assert.equal(migration.name, '0002_product_stock');
  assert.deepEqual(migration.dependencies, [['shop', '0001_initial']]);
  assert.equal(migration.operations.length, 1);
  const add = migration.operations[0] as AddField;
  assert.ok(add instanceof AddField);
  assert.equal(add.name, 'stock');
  assert.equal(add.preserveDefault, true);
});

test('a NOT NULL field without default: the questioner gives a one-off default, --noinput stops with exit status 3', async () => {
  const answers = new Answers(false, 42);
  const migration = await detect(
    stateOf('shop', product()),
    stateOf('shop', product({ stock: new IntegerField() })),
    answers,
  );
  assert.deepEqual(answers.asked, ['default for product.stock']);
  const add = migration!.operations[0] as AddField;
  assert.equal(add.preserveDefault, false);
  assert.equal(add.field.getDefault(), 42);
  const error = await detect(
    stateOf('shop', product()),
    stateOf('shop', product({ stock: new IntegerField() })),
    new NonInteractiveQuestioner(),
  ).then(
    () => assert.fail('expected a QuestionerError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof QuestionerError);
  assert.equal(error.exitCode, 3);
  assert.equal(
    error.message,
    "It is impossible to add a non-nullable field 'stock' to product without a default: the database needs something to populate existing rows. " +
      'Give the field a default, or { null: true }, or run makemigrations on a terminal (without --noinput) to give a one-off default.',
  );
});

test('a model renamed after one of its fields was: asked about, although the state lists that field last', async () => {
  const from = stateOf(
    'shop',
    new CreateModel({ name: 'Old', fields: { id: id(), note: new TextField(), size: new IntegerField() } }),
    new RenameField({ modelName: 'old', oldName: 'note', newName: 'text' }),
  );
  assert.deepEqual([...from.models.get('shop.old')!.fields.keys()], ['id', 'size', 'text']);
  const to = stateOf(
    'shop',
    new CreateModel({ name: 'New', fields: { id: id(), text: new TextField(), size: new IntegerField() } }),
  );
  const yes = new Answers(true);
  const renamed = await detect(from, to, yes);
  assert.deepEqual(yes.asked, ['rename model shop.Old -> New']);
  assert.deepEqual(
    renamed!.operations.map((o) => o.describe()),
    ['Rename model Old to New'],
  );
});

test('a removed and an added field of the same kind: a rename when the questioner says so, else remove + add', async () => {
  const from = stateOf('shop', product({ price: new IntegerField({ default: 0 }) }));
  const to = stateOf('shop', product({ cost: new IntegerField({ default: 0 }) }));
  const yes = new Answers(true);
  const renamed = await detect(from, to, yes);
  assert.deepEqual(yes.asked, ['rename product.price -> cost']);
  assert.equal(renamed!.operations.length, 1);
  assert.ok(renamed!.operations[0] instanceof RenameField);
  assert.equal(renamed!.name, '0002_rename_price_product_cost');
  const no = await detect(from, to, new Answers(false));
  assert.deepEqual(
    no!.operations.map((o) => o.constructor.name),
    ['RemoveField', 'AddField'],
  );
});

test('a renamed model is asked about; a changed field is altered; a removed model is deleted', async () => {
  const from = stateOf(
    'shop',
    product(),
    new CreateModel({ name: 'Old', fields: { id: id(), note: new TextField() } }),
  );
  const to = stateOf(
    'shop',
    product({}, {}),
    new CreateModel({ name: 'Gone', fields: { id: id(), note: new TextField() } }),
  );
  const yes = new Answers(true);
  const renamed = await detect(from, to, yes);
  assert.deepEqual(yes.asked, ['rename model shop.Old -> Gone']);
  assert.deepEqual(
    renamed!.operations.map((o) => o.describe()),
    ['Rename model Old to Gone'],
  );
  const altered = await detect(
    stateOf('shop', product()),
    stateOf(
      'shop',
      new CreateModel({ name: 'Product', fields: { id: id(), name: new CharField({ maxLength: 80, null: true }) } }),
    ),
    new Answers(false),
  );
  assert.ok(altered!.operations[0] instanceof AlterField);
  assert.equal(altered!.name, '0002_alter_product_name');
  const deleted = await detect(from, stateOf('shop', product()), new Answers(false));
  assert.ok(deleted!.operations[0] instanceof DeleteModel);
  assert.equal(deleted!.name, '0002_delete_old');
});

test('indexes and constraints are added and removed by name', async () => {
  const index = new Index({ fields: ['name'], name: 'shop_name_idx' });
  const unique = new UniqueConstraint({ fields: ['name'], name: 'shop_unique_name' });
  const check = new CheckConstraint({ check: '"stock" >= 0', name: 'shop_stock_gte_0' });
  const from = stateOf('shop', product({ stock: new IntegerField({ default: 0 }) }));
  const to = stateOf(
    'shop',
    product({ stock: new IntegerField({ default: 0 }) }, { indexes: [index], constraints: [unique, check] }),
  );
  const added = await detect(from, to, new Answers(false));
  assert.deepEqual(
    added!.operations.map((o) => o.constructor.name),
    ['AddIndex', 'AddConstraint', 'AddConstraint'],
  );
  const removed = await detect(to, from, new Answers(false));
  assert.deepEqual(
    removed!.operations.map((o) => o.constructor.name),
    ['RemoveIndex', 'RemoveConstraint', 'RemoveConstraint'],
  );
});

test('a foreign key to another app depends on that app’s latest migration', async () => {
  const graph = graphWith('shop');
  const other = new Migration({ initial: true });
  other.appLabel = 'catalog';
  other.name = '0003_last';
  graph.addNode(other);
  const base = stateOf('catalog', new CreateModel({ name: 'Brand', fields: { id: id() } }));
  const from = base.clone();
  for (const [k, v] of stateOf('shop', product()).models) from.models.set(k, v);
  const to = base.clone();
  for (const [k, v] of stateOf(
    'shop',
    product({ brand: new ForeignKey('catalog.Brand', { onDelete: CASCADE, null: true }) }),
  ).models) {
    to.models.set(k, v);
  }
  const migration = await detect(from, to, new Answers(false), graph);
  assert.deepEqual(migration!.dependencies, [
    ['shop', '0001_initial'],
    ['catalog', '0003_last'],
  ]);
});

test('the optimizer folds an AddField into its CreateModel, and an added then removed field into nothing', () => {
  const create = new CreateModel({ name: 'Pony', fields: { id: id() } });
  const folded = optimize(
    [create, new AddField({ modelName: 'pony', name: 'age', field: new IntegerField({ default: 1 }) })],
    'app',
  );
  assert.equal(folded.length, 1);
  assert.ok(folded[0] instanceof CreateModel);
  assert.deepEqual(Object.keys((folded[0] as CreateModel).fields), ['id', 'age']);
  const gone = optimize(
    [
      new AddField({ modelName: 'horse', name: 'age', field: new IntegerField({ default: 1 }) }),
      new RemoveField({ modelName: 'horse', name: 'age' }),
    ],
    'app',
  );
  assert.deepEqual(gone, []);
  assert.equal(optimize([create, new DeleteModel({ name: 'Pony' })], 'app').length, 0);
});

test('the interactive questioner asks on the terminal, and re-asks until it understands', async () => {
  const answers = ['maybe', 'y', '9', '1', '', 'nope(', '"draft"'];
  const written: string[] = [];
  const prompts: string[] = [];
  const questioner = new InteractiveQuestioner(
    async (q) => {
      prompts.push(q);
      return answers.shift()!;
    },
    (t) => written.push(t),
  );
  assert.equal(await questioner.askRename('post', 'title', 'headline', new CharField({ maxLength: 10 })), true);
  assert.equal(prompts[0], 'Did you rename post.title to post.headline (a CharField)? [y/N] ');
  assert.ok(written.includes('Please answer yes or no: '));
  assert.equal(await questioner.askNotNullAddition('status', 'post'), 'draft');
  assert.ok(written.some((t) => t.startsWith('Invalid input: ')));
  assert.ok(written.some((t) => t.startsWith('Please select a valid option')));
  const leave = new InteractiveQuestioner(
    async () => '2',
    () => {},
  );
  assert.equal(await leave.askNotNullAlteration('status', 'post'), NOT_PROVIDED);
  const quit = new InteractiveQuestioner(
    async () => '3',
    () => {},
  );
  await assert.rejects(quit.askNotNullAlteration('status', 'post'), QuestionerError);
  const exit = ['1', 'exit'];
  const exitAtValue = new InteractiveQuestioner(
    async () => exit.shift()!,
    () => {},
  );
  await assert.rejects(exitAtValue.askNotNullAddition('status', 'post'), QuestionerError);
});

test('the writer: the file loads back into the same operations, and prettier finds nothing to change', async () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-writer-'));
  try {
    const migration = new Migration({
      initial: true,
      dependencies: [['catalog', '0001_initial']],
      operations: [
        new CreateModel({
          name: 'Product',
          fields: {
            id: id(),
            name: new CharField({ maxLength: 50, helpText: 'It\'s the name, "quoted"' }),
            price: new DecimalField({ maxDigits: 8, decimalPlaces: 2, default: new Decimal('9.99') }),
            brand: new ForeignKey('catalog.Brand', { onDelete: CASCADE, relatedName: 'products' }),
          },
          options: {
            ordering: ['-price'],
            indexes: [new Index({ fields: ['name'], name: 'shop_name_idx' })],
            constraints: [new CheckConstraint({ check: '"price" >= 0', name: 'shop_price_gte_0' })],
          },
        }),
        new RunSQL({ sql: 'SELECT 1', reverseSql: RunSQL.noop }),
      ],
    });
    migration.appLabel = 'shop';
    migration.name = '0001_initial';
    const source = writeMigration(migration, { folder, header: 'Generated by tsgi' });
    assert.match(source, /^\/\/ Generated by tsgi\nimport \{[^}]*\} from 'tsgi\/db\/migrations';\n/);
    const file = path.join(folder, '0001_initial.ts');
    // The file imports from the package as a project would; here the package is this checkout.
    writeFileSync(
      file,
      source
        .replaceAll(
          "'tsgi/db/migrations'",
          `'${pathToFileURL(path.join(REPO_ROOT, 'src/db/migrations/index.ts')).href}'`,
        )
        .replaceAll("'tsgi/db/models'", `'${pathToFileURL(path.join(REPO_ROOT, 'src/db/models/index.ts')).href}'`),
    );
    const loaded = ((await import(pathToFileURL(file).href)) as { default: Migration }).default;
    assert.deepEqual(
      loaded.operations.map((o) => o.toString()),
      migration.operations.map((o) => o.toString()),
    );
    assert.deepEqual(loaded.dependencies, [['catalog', '0001_initial']]);
    assert.equal(
      writeMigration(loaded, { folder, header: 'Generated by tsgi' }),
      source,
      'written again, the same text',
    );
    loaded.appLabel = 'shop';
    const state = loaded.mutateState(stateOf('catalog', new CreateModel({ name: 'Brand', fields: { id: id() } })));
    assert.equal(state.getModel('shop', 'Product').fields.get('price')!.getDefault()?.toString(), '9.99');
    writeFileSync(file, source);
    const prettier = spawnSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'node_modules/prettier/bin/prettier.cjs'),
        '--config',
        path.join(REPO_ROOT, '.prettierrc.json'),
        '--check',
        file,
      ],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    );
    assert.equal(prettier.status, 0, `${prettier.stdout}${prettier.stderr}\n${source}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the writer refuses a function no module exports, naming it and the fix', () => {
  const migration = new Migration({ operations: [new RunCode({ code: async function fill() {} })] });
  migration.appLabel = 'shop';
  migration.name = '0002_fill';
  assert.throws(
    () => writeMigration(migration, { folder: os.tmpdir() }),
    (error: unknown) =>
      error instanceof SerializationError &&
      error.message ===
        "Cannot write RunCode.code (fill) into a migration: a migration can only name a function exported by a module (export function fill() { ... } from the app's models.ts), as Django needs a module-level function.",
  );
});
