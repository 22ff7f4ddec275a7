// Every migration operation, forwards and backwards, on SQLite and PostgreSQL, with the rows of
// the tables read after each step: nothing is lost, renamed columns keep their data, a new
// NOT NULL column gets its default, constraints hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connections, execute, IntegrityError } from '../../../src/db/index.ts';
import {
  AddConstraint,
  AddField,
  AddIndex,
  AlterField,
  AlterModelOptions,
  AlterModelTable,
  AlterUniqueTogether,
  CreateModel,
  DeleteModel,
  RemoveConstraint,
  RemoveField,
  RemoveIndex,
  RenameField,
  RenameModel,
  RunCode,
  RunSQL,
  SeparateDatabaseAndState,
  type MigrationApps,
} from '../../../src/db/migrations/index.ts';
import {
  AutoField,
  BigIntegerField,
  CASCADE,
  CharField,
  CheckConstraint,
  FloatField,
  ForeignKey,
  Index,
  IntegerField,
  ManyToManyField,
  PositiveIntegerField,
  SET_NULL,
  TextField,
  UniqueConstraint,
} from '../../../src/db/models/index.ts';
import { eachBackend } from '../helpers.ts';
import { columns, constraintsOn, failure, History, nullable, rows, tables } from './helpers.ts';

const id = () => new AutoField({ primaryKey: true });

eachBackend('migration operations', (backend) => {
  test('CreateModel and DeleteModel: the table comes and goes, and comes back empty of nothing it had', async () => {
    const h = new History('create');
    await h.forwards(new CreateModel({ name: 'Pony', fields: { id: id(), name: new CharField({ maxLength: 20 }) } }));
    assert.ok((await tables()).includes('create_pony'));
    await execute("INSERT INTO create_pony (name) VALUES ('Twilight'), ('Rarity')");
    await h.forwards(new DeleteModel({ name: 'Pony' }));
    assert.ok(!(await tables()).includes('create_pony'));
    await h.backwards();
    assert.deepEqual(await columns('create_pony'), ['id', 'name']);
    await h.backwards();
    assert.ok(!(await tables()).includes('create_pony'));
  });

  test('AddField with a default fills existing rows; backwards drops the column and keeps the rows', async () => {
    const h = new History('addf');
    await h.forwards(new CreateModel({ name: 'Pony', fields: { id: id(), name: new CharField({ maxLength: 20 }) } }));
    await execute("INSERT INTO addf_pony (name) VALUES ('a'), ('b')");
    await h.forwards(new AddField({ modelName: 'pony', name: 'weight', field: new IntegerField({ default: 7 }) }));
    assert.deepEqual(await rows('SELECT name, weight FROM addf_pony ORDER BY id'), [
      { name: 'a', weight: 7 },
      { name: 'b', weight: 7 },
    ]);
    // The default was for the existing rows only: the column has none (Django keeps defaults out of the database).
    assert.equal(
      (await failure(() => execute("INSERT INTO addf_pony (name) VALUES ('c')"))).constructor,
      IntegrityError,
    );
    await h.forwards(new AddField({ modelName: 'pony', name: 'note', field: new TextField({ null: true }) }));
    assert.deepEqual(await rows('SELECT note FROM addf_pony ORDER BY id'), [{ note: null }, { note: null }]);
    await h.backwards();
    await h.backwards();
    assert.deepEqual(await columns('addf_pony'), ['id', 'name']);
    assert.deepEqual(await rows('SELECT id, name FROM addf_pony ORDER BY id'), [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
  });

  test('AddField with a one-off default (preserveDefault: false) fills the rows and is not kept in the state', async () => {
    const h = new History('oneoff');
    await h.forwards(new CreateModel({ name: 'Pony', fields: { id: id() } }));
    await execute('INSERT INTO oneoff_pony DEFAULT VALUES');
    await h.forwards(
      new AddField({
        modelName: 'pony',
        name: 'name',
        field: new CharField({ maxLength: 10, default: 'x' }),
        preserveDefault: false,
      }),
    );
    assert.deepEqual(await rows('SELECT name FROM oneoff_pony'), [{ name: 'x' }]);
    assert.equal(h.state.getModel('oneoff', 'pony').getField('name').hasDefault(), false);
  });

  test('RemoveField drops the column, keeps the other data; backwards brings the column back with its default', async () => {
    const h = new History('remf');
    await h.forwards(
      new CreateModel({
        name: 'Pony',
        fields: { id: id(), name: new CharField({ maxLength: 20 }), weight: new IntegerField({ default: 1 }) },
      }),
    );
    await execute("INSERT INTO remf_pony (name, weight) VALUES ('a', 5), ('b', 6)");
    await h.forwards(new RemoveField({ modelName: 'pony', name: 'weight' }));
    assert.deepEqual(await columns('remf_pony'), ['id', 'name']);
    assert.deepEqual(await rows('SELECT name FROM remf_pony ORDER BY id'), [{ name: 'a' }, { name: 'b' }]);
    await h.backwards();
    assert.deepEqual(await rows('SELECT name, weight FROM remf_pony ORDER BY id'), [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
    ]);
  });

  test('AlterField: null to NOT NULL fills the NULLs with the default; type, length and back, data kept', async () => {
    const h = new History('altf');
    await h.forwards(
      new CreateModel({
        name: 'Pony',
        fields: { id: id(), name: new CharField({ maxLength: 20, null: true }), weight: new IntegerField() },
      }),
    );
    await execute("INSERT INTO altf_pony (name, weight) VALUES ('a', 5), (NULL, 6)");
    await h.forwards(
      new AlterField({ modelName: 'pony', name: 'name', field: new CharField({ maxLength: 20, default: 'nameless' }) }),
    );
    assert.equal(await nullable('altf_pony', 'name'), false);
    assert.deepEqual(await rows('SELECT name, CAST(weight AS integer) AS weight FROM altf_pony ORDER BY id'), [
      { name: 'a', weight: 5 },
      { name: 'nameless', weight: 6 },
    ]);
    await h.forwards(new AlterField({ modelName: 'pony', name: 'weight', field: new BigIntegerField() }));
    await h.forwards(
      new AlterField({
        modelName: 'pony',
        name: 'name',
        field: new CharField({ maxLength: 200, default: 'nameless' }),
      }),
    );
    assert.deepEqual(await rows('SELECT name, CAST(weight AS integer) AS weight FROM altf_pony ORDER BY id'), [
      { name: 'a', weight: 5 },
      { name: 'nameless', weight: 6 },
    ]);
    if (backend.name === 'postgresql') {
      const description = await (
        await import('../../../src/db/index.ts')
      ).connections
        .get()
        .introspection.getTableDescription('altf_pony');
      assert.deepEqual(
        description.map((c) => c.type),
        ['integer', 'character varying(200)', 'bigint'],
      );
    }
    await h.backwards();
    await h.backwards();
    await h.backwards();
    assert.equal(await nullable('altf_pony', 'name'), true);
    assert.deepEqual(await rows('SELECT name, CAST(weight AS integer) AS weight FROM altf_pony ORDER BY id'), [
      { name: 'a', weight: 5 },
      { name: 'nameless', weight: 6 },
    ]);
  });

  test('AlterField: unique and dbIndex come and go as constraints and indexes', async () => {
    const h = new History('uniq');
    await h.forwards(new CreateModel({ name: 'Pony', fields: { id: id(), code: new CharField({ maxLength: 20 }) } }));
    await execute("INSERT INTO uniq_pony (code) VALUES ('a'), ('b')");
    await h.forwards(
      new AlterField({ modelName: 'pony', name: 'code', field: new CharField({ maxLength: 20, unique: true }) }),
    );
    assert.ok((await constraintsOn('uniq_pony', ['code'])).some((c) => c.unique));
    assert.ok((await failure(() => execute("INSERT INTO uniq_pony (code) VALUES ('a')"))) instanceof IntegrityError);
    await h.forwards(
      new AlterField({ modelName: 'pony', name: 'code', field: new CharField({ maxLength: 20, dbIndex: true }) }),
    );
    const indexed = await constraintsOn('uniq_pony', ['code']);
    assert.ok(!indexed.some((c) => c.unique), JSON.stringify(indexed));
    assert.ok(indexed.some((c) => c.index));
    await execute("INSERT INTO uniq_pony (code) VALUES ('a')");
    await execute('DELETE FROM uniq_pony WHERE id > 2');
    await h.backwards();
    assert.ok((await constraintsOn('uniq_pony', ['code'])).some((c) => c.unique));
    await h.backwards();
    assert.deepEqual(await constraintsOn('uniq_pony', ['code']), []);
    assert.deepEqual(await rows('SELECT code FROM uniq_pony ORDER BY id'), [{ code: 'a' }, { code: 'b' }]);
  });

  test('RenameField: the column is renamed and keeps its data, both ways', async () => {
    const h = new History('renf');
    await h.forwards(
      new CreateModel({
        name: 'Pony',
        fields: { id: id(), pink: new IntegerField(), weight: new FloatField({ null: true }) },
      }),
    );
    await execute('INSERT INTO renf_pony (pink, weight) VALUES (1, 2.5), (2, NULL)');
    await h.forwards(new RenameField({ modelName: 'pony', oldName: 'pink', newName: 'blue' }));
    assert.deepEqual(await rows('SELECT id, blue, weight FROM renf_pony ORDER BY id'), [
      { id: 1, blue: 1, weight: 2.5 },
      { id: 2, blue: 2, weight: null },
    ]);
    // Django moves a renamed field last in the state: a later rebuild orders the columns so.
    assert.deepEqual([...h.state.getModel('renf', 'pony').fields.keys()], ['id', 'weight', 'blue']);
    await h.backwards();
    assert.deepEqual(await rows('SELECT id, pink FROM renf_pony ORDER BY id'), [
      { id: 1, pink: 1 },
      { id: 2, pink: 2 },
    ]);
  });

  test('RenameField of a ForeignKey renames its column; the reference holds', async () => {
    const h = new History('renfk');
    await h.forwards(
      new CreateModel({ name: 'Stable', fields: { id: id() } }),
      new CreateModel({
        name: 'Pony',
        fields: { id: id(), stable: new ForeignKey('renfk.stable', { onDelete: CASCADE }) },
      }),
    );
    await execute('INSERT INTO renfk_stable DEFAULT VALUES');
    await execute('INSERT INTO renfk_pony (stable_id) VALUES (1)');
    await h.forwards(new RenameField({ modelName: 'pony', oldName: 'stable', newName: 'home' }));
    assert.deepEqual(await rows('SELECT id, home_id FROM renfk_pony'), [{ id: 1, home_id: 1 }]);
    assert.ok((await constraintsOn('renfk_pony', ['home_id'])).some((c) => c.foreignKey?.[0] === 'renfk_stable'));
    await h.backwards();
    assert.deepEqual(await rows('SELECT id, stable_id FROM renfk_pony'), [{ id: 1, stable_id: 1 }]);
  });

  test('RenameModel: the table and the relations pointing at it follow; rows kept', async () => {
    const h = new History('renm');
    await h.forwards(
      new CreateModel({ name: 'Pony', fields: { id: id(), name: new CharField({ maxLength: 20 }) } }),
      new CreateModel({
        name: 'Rider',
        fields: { id: id(), pony: new ForeignKey('renm.pony', { onDelete: CASCADE }) },
      }),
      new CreateModel({ name: 'Show', fields: { id: id(), ponies: new ManyToManyField('renm.pony') } }),
    );
    await execute("INSERT INTO renm_pony (name) VALUES ('a'), ('b')");
    await execute('INSERT INTO renm_rider (pony_id) VALUES (2)');
    await execute('INSERT INTO renm_show DEFAULT VALUES');
    await execute('INSERT INTO renm_show_ponies (show_id, pony_id) VALUES (1, 1), (1, 2)');
    await h.forwards(new RenameModel({ oldName: 'Pony', newName: 'Horse' }));
    assert.ok((await tables()).includes('renm_horse'));
    assert.ok(!(await tables()).includes('renm_pony'));
    assert.deepEqual(await rows('SELECT r.id, h.name FROM renm_rider r JOIN renm_horse h ON h.id = r.pony_id'), [
      { id: 1, name: 'b' },
    ]);
    assert.deepEqual(await rows('SELECT show_id, horse_id FROM renm_show_ponies ORDER BY horse_id'), [
      { show_id: 1, horse_id: 1 },
      { show_id: 1, horse_id: 2 },
    ]);
    assert.ok((await constraintsOn('renm_rider', ['pony_id'])).some((c) => c.foreignKey?.[0] === 'renm_horse'));
    // The historical models query the renamed table.
    const Horse = h.state.apps.getModel('renm', 'Horse');
    assert.deepEqual(await Horse.objects.orderBy('id').valuesList('name', { flat: true }), ['a', 'b']);
    await h.backwards();
    assert.deepEqual(await rows('SELECT name FROM renm_pony ORDER BY id'), [{ name: 'a' }, { name: 'b' }]);
    assert.deepEqual(await rows('SELECT show_id, pony_id FROM renm_show_ponies ORDER BY pony_id'), [
      { show_id: 1, pony_id: 1 },
      { show_id: 1, pony_id: 2 },
    ]);
    assert.ok((await constraintsOn('renm_rider', ['pony_id'])).some((c) => c.foreignKey?.[0] === 'renm_pony'));
  });

  test('AlterModelTable renames the table (and its many-to-many table); AlterModelOptions touches nothing', async () => {
    const h = new History('amt');
    await h.forwards(new CreateModel({ name: 'Pony', fields: { id: id(), name: new CharField({ maxLength: 20 }) } }));
    await execute("INSERT INTO amt_pony (name) VALUES ('a')");
    await h.forwards(new AlterModelTable({ name: 'Pony', table: 'ponies' }));
    assert.deepEqual(await rows('SELECT name FROM ponies'), [{ name: 'a' }]);
    await h.forwards(
      new AlterModelOptions({ name: 'Pony', options: { ordering: ['-name'], verboseName: 'small horse' } }),
    );
    assert.equal(h.lastSql.length, 0);
    assert.deepEqual(h.state.getModel('amt', 'pony').options, {
      dbTable: 'ponies',
      ordering: ['-name'],
      verboseName: 'small horse',
    });
    await h.backwards();
    await h.backwards();
    assert.deepEqual(await rows('SELECT name FROM amt_pony'), [{ name: 'a' }]);
  });

  test('AddIndex and RemoveIndex', async () => {
    const h = new History('idx');
    await h.forwards(
      new CreateModel({
        name: 'Pony',
        fields: { id: id(), name: new CharField({ maxLength: 20 }), weight: new IntegerField() },
      }),
    );
    await h.forwards(
      new AddIndex({ modelName: 'pony', index: new Index({ fields: ['name', '-weight'], name: 'pony_name_idx' }) }),
    );
    assert.ok((await constraintsOn('idx_pony', ['name', 'weight'])).some((c) => c.name === 'pony_name_idx' && c.index));
    await h.forwards(new RemoveIndex({ modelName: 'pony', name: 'pony_name_idx' }));
    assert.deepEqual(await constraintsOn('idx_pony', ['name', 'weight']), []);
    await h.backwards();
    assert.ok((await constraintsOn('idx_pony', ['name', 'weight'])).some((c) => c.name === 'pony_name_idx'));
    await h.backwards();
    assert.deepEqual(await constraintsOn('idx_pony', ['name', 'weight']), []);
  });

  test('AddConstraint and RemoveConstraint: checks and unique sets enforced, rows kept through rebuilds', async () => {
    const h = new History('cons');
    await h.forwards(
      new CreateModel({
        name: 'Pony',
        fields: { id: id(), name: new CharField({ maxLength: 20 }), weight: new IntegerField() },
      }),
    );
    await execute("INSERT INTO cons_pony (name, weight) VALUES ('a', 1), ('b', 2)");
    await h.forwards(
      new AddConstraint({
        modelName: 'pony',
        constraint: new CheckConstraint({ check: '"weight" > 0', name: 'weight_positive' }),
      }),
    );
    await h.forwards(
      new AddConstraint({
        modelName: 'pony',
        constraint: new UniqueConstraint({ fields: ['name', 'weight'], name: 'name_weight_unique' }),
      }),
    );
    await h.forwards(
      new AddConstraint({
        modelName: 'pony',
        constraint: new UniqueConstraint({ fields: ['name'], name: 'heavy_name_unique', condition: '"weight" > 10' }),
      }),
    );
    assert.ok(
      (await failure(() => execute("INSERT INTO cons_pony (name, weight) VALUES ('c', -1)"))) instanceof IntegrityError,
    );
    assert.ok(
      (await failure(() => execute("INSERT INTO cons_pony (name, weight) VALUES ('a', 1)"))) instanceof IntegrityError,
    );
    await execute("INSERT INTO cons_pony (name, weight) VALUES ('h', 11)");
    assert.ok(
      (await failure(() => execute("INSERT INTO cons_pony (name, weight) VALUES ('h', 12)"))) instanceof IntegrityError,
    );
    await execute("DELETE FROM cons_pony WHERE name = 'h'");
    await h.forwards(new RemoveConstraint({ modelName: 'pony', name: 'weight_positive' }));
    await execute("INSERT INTO cons_pony (name, weight) VALUES ('c', -1)");
    // The check cannot come back while a row breaks it.
    assert.ok((await failure(() => h.backwards())) instanceof IntegrityError);
    await execute('DELETE FROM cons_pony WHERE weight < 0');
    await h.backwards();
    assert.ok(
      (await failure(() => execute("INSERT INTO cons_pony (name, weight) VALUES ('c', -1)"))) instanceof IntegrityError,
    );
    await h.backwards();
    await h.backwards();
    await h.backwards();
    await execute("INSERT INTO cons_pony (name, weight) VALUES ('a', -1)");
    assert.deepEqual(await rows('SELECT name, weight FROM cons_pony ORDER BY id'), [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 2 },
      { name: 'a', weight: -1 },
    ]);
  });

  test('AlterUniqueTogether adds and drops the unique set', async () => {
    const h = new History('ut');
    await h.forwards(
      new CreateModel({ name: 'Pony', fields: { id: id(), a: new IntegerField(), b: new IntegerField() } }),
    );
    await execute('INSERT INTO ut_pony (a, b) VALUES (1, 1), (1, 2)');
    await h.forwards(new AlterUniqueTogether({ name: 'Pony', uniqueTogether: [['a', 'b']] }));
    assert.ok((await failure(() => execute('INSERT INTO ut_pony (a, b) VALUES (1, 2)'))) instanceof IntegrityError);
    await h.forwards(new AlterUniqueTogether({ name: 'Pony', uniqueTogether: [] }));
    await execute('INSERT INTO ut_pony (a, b) VALUES (1, 2)');
    await execute('DELETE FROM ut_pony WHERE id > 2');
    await h.backwards();
    assert.ok((await failure(() => execute('INSERT INTO ut_pony (a, b) VALUES (1, 2)'))) instanceof IntegrityError);
    await h.backwards();
    assert.deepEqual(await constraintsOn('ut_pony', ['a', 'b']), []);
  });

  test('ForeignKey: added nullable, made NOT NULL, on a rebuilt target; references still checked', async () => {
    const h = new History('fk');
    await h.forwards(
      new CreateModel({ name: 'Stable', fields: { id: id(), name: new CharField({ maxLength: 20 }) } }),
      new CreateModel({ name: 'Pony', fields: { id: id() } }),
    );
    await execute("INSERT INTO fk_stable (name) VALUES ('s')");
    await execute('INSERT INTO fk_pony DEFAULT VALUES');
    await h.forwards(
      new AddField({
        modelName: 'pony',
        name: 'stable',
        field: new ForeignKey('fk.stable', { onDelete: SET_NULL, null: true }),
      }),
    );
    await execute('UPDATE fk_pony SET stable_id = 1');
    await h.forwards(
      new AlterField({ modelName: 'pony', name: 'stable', field: new ForeignKey('fk.stable', { onDelete: CASCADE }) }),
    );
    assert.equal(await nullable('fk_pony', 'stable_id'), false);
    // Rebuilding the target (SQLite) keeps the rows that point at it valid.
    await h.forwards(
      new AddField({ modelName: 'stable', name: 'size', field: new PositiveIntegerField({ default: 3 }) }),
    );
    assert.deepEqual(await rows('SELECT p.id, s.name, s.size FROM fk_pony p JOIN fk_stable s ON s.id = p.stable_id'), [
      { id: 1, name: 's', size: 3 },
    ]);
    const broken = await failure(() => execute('UPDATE fk_pony SET stable_id = 99'));
    assert.ok(broken instanceof IntegrityError, String(broken));
    await h.backwards();
    await h.backwards();
    await h.backwards();
    assert.deepEqual(await columns('fk_pony'), ['id']);
  });

  test("AlterField of a unique key a ForeignKey targets (toField): the ForeignKey's column takes the new type, both ways", async () => {
    const h = new History('tofield');
    await h.forwards(
      new CreateModel({
        name: 'Stable',
        fields: { id: id(), code: new CharField({ maxLength: 10, unique: true }) },
      }),
      new CreateModel({
        name: 'Pony',
        fields: {
          id: id(),
          stable: new ForeignKey('tofield.stable', { onDelete: CASCADE, null: true, toField: 'code' }),
        },
      }),
    );
    await execute("INSERT INTO tofield_stable (code) VALUES ('north')");
    await execute("INSERT INTO tofield_pony (stable_id) VALUES ('north')");
    const type = async (table: string, column: string) =>
      (await connections.get().introspection.getTableDescription(table)).find((c) => c.name === column)?.type;
    assert.match(String(await type('tofield_pony', 'stable_id')), /^(varchar\(10\)|character varying\(10\))$/);
    await h.forwards(
      new AlterField({ modelName: 'stable', name: 'code', field: new CharField({ maxLength: 20, unique: true }) }),
    );
    assert.match(String(await type('tofield_stable', 'code')), /^(varchar\(20\)|character varying\(20\))$/);
    assert.match(String(await type('tofield_pony', 'stable_id')), /^(varchar\(20\)|character varying\(20\))$/);
    assert.deepEqual(
      await rows('SELECT p.id, s.code FROM tofield_pony p JOIN tofield_stable s ON s.code = p.stable_id'),
      [{ id: 1, code: 'north' }],
    );
    await h.backwards();
    assert.match(String(await type('tofield_pony', 'stable_id')), /^(varchar\(10\)|character varying\(10\))$/);
  });

  test('a many-to-many field added and removed makes and drops its table', async () => {
    const h = new History('m2m');
    await h.forwards(
      new CreateModel({ name: 'Tag', fields: { id: id() } }),
      new CreateModel({ name: 'Post', fields: { id: id() } }),
    );
    await h.forwards(new AddField({ modelName: 'post', name: 'tags', field: new ManyToManyField('m2m.tag') }));
    assert.deepEqual(await columns('m2m_post_tags'), ['id', 'post_id', 'tag_id']);
    await h.forwards(new RemoveField({ modelName: 'post', name: 'tags' }));
    assert.ok(!(await tables()).includes('m2m_post_tags'));
    await h.backwards();
    await h.backwards();
    assert.ok(!(await tables()).includes('m2m_post_tags'));
  });

  test('RunSQL runs its statements (several in one string) and its reverse', async () => {
    const h = new History('rsql');
    await h.forwards(
      new RunSQL({
        sql: "CREATE TABLE rsql_note (id integer PRIMARY KEY, body text); INSERT INTO rsql_note VALUES (1, 'semi;colon');",
        reverseSql: 'DROP TABLE rsql_note',
      }),
    );
    assert.deepEqual(await rows('SELECT * FROM rsql_note'), [{ id: 1, body: 'semi;colon' }]);
    await h.backwards();
    assert.ok(!(await tables()).includes('rsql_note'));
  });

  test('RunCode moves data with the historical models, and its reverse undoes it', async () => {
    const h = new History('rcode');
    await h.forwards(
      new CreateModel({
        name: 'Pony',
        fields: {
          id: id(),
          name: new CharField({ maxLength: 20 }),
          slug: new CharField({ maxLength: 20, default: '' }),
        },
      }),
    );
    await execute("INSERT INTO rcode_pony (name, slug) VALUES ('Twilight Sparkle', ''), ('Rarity', '')");
    const fill = async (apps: MigrationApps) => {
      const Pony = apps.getModel('rcode', 'Pony');
      for (const pony of await Pony.objects.all()) {
        pony.slug = String(pony.name).toLowerCase().replace(/\W+/g, '-');
        await pony.save();
      }
    };
    const clear = async (apps: MigrationApps) => {
      await apps.getModel('rcode', 'Pony').objects.update({ slug: '' });
    };
    await h.forwards(new RunCode({ code: fill, reverseCode: clear }));
    assert.deepEqual(await rows('SELECT slug FROM rcode_pony ORDER BY id'), [
      { slug: 'twilight-sparkle' },
      { slug: 'rarity' },
    ]);
    await h.backwards();
    assert.deepEqual(await rows('SELECT slug FROM rcode_pony ORDER BY id'), [{ slug: '' }, { slug: '' }]);
    // Without a reverse, the migration cannot be unapplied.
    await h.forwards(new RunCode({ code: fill }));
    assert.match((await failure(() => h.backwards())).message, /not reversible/);
  });

  test('SeparateDatabaseAndState: the state records what the SQL did', async () => {
    const h = new History('sep');
    await h.forwards(
      new SeparateDatabaseAndState({
        databaseOperations: [
          new RunSQL({ sql: 'CREATE TABLE sep_pony (id integer PRIMARY KEY)', reverseSql: 'DROP TABLE sep_pony' }),
        ],
        stateOperations: [new CreateModel({ name: 'Pony', fields: { id: id() } })],
      }),
    );
    assert.ok(h.state.models.has('sep.pony'));
    assert.ok((await tables()).includes('sep_pony'));
    await h.backwards();
    assert.ok(!(await tables()).includes('sep_pony'));
  });

  test('a failing step leaves nothing behind: its transaction rolls back', async () => {
    const h = new History('fail');
    await h.forwards(new CreateModel({ name: 'Pony', fields: { id: id(), name: new CharField({ maxLength: 20 }) } }));
    await execute("INSERT INTO fail_pony (name) VALUES ('a')");
    const error = await failure(() =>
      h.forwards(
        new AddField({ modelName: 'pony', name: 'weight', field: new IntegerField({ default: 1 }) }),
        new RunSQL({ sql: 'SELECT * FROM no_such_table' }),
      ),
    );
    assert.match(error.message, /no_such_table/);
    assert.deepEqual(await columns('fail_pony'), ['id', 'name']);
    assert.deepEqual(await rows('SELECT name FROM fail_pony'), [{ name: 'a' }]);
  });
});
