// The rest of the QuerySet and model API on both backends: bulk operations, getOrCreate and
// updateOrCreate, inBulk, iterator(), raw(), explain(), union, selectForUpdate, signals,
// related managers, every onDelete, abstract models and custom managers.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  captureQueries,
  execute,
  IntegrityError,
  TransactionManagementError,
  withSchemaEditor,
} from '../../src/db/index.ts';
import {
  CASCADE,
  CharField,
  Count,
  DO_NOTHING,
  ForeignKey,
  IntegerField,
  Manager,
  ManyToManyField,
  Model,
  PROTECT,
  ProtectedError,
  RESTRICT,
  RestrictedError,
  SET,
  SET_DEFAULT,
  SET_NULL,
  m2mChanged,
  postDelete,
  postSave,
  preSave,
  type ManyRelated,
  type RelatedSet,
} from '../../src/db/models/index.ts';
import { atomic } from '../../src/db/transaction.ts';
import { eachBackend } from './helpers.ts';

const app = { appLabel: 'qs' } as const;

const Stamped = Model.define(
  { label: new CharField({ maxLength: 30, default: '' }) },
  { abstract: true, ordering: ['id'] },
);

class Owner extends Stamped.define({ name: new CharField({ maxLength: 30, unique: true }) }, app) {
  static override objects = new Manager(this);
  declare things: RelatedSet<Thing>;
}

class BigOnes extends Manager<Thing> {
  override getQueryset() {
    return super.getQueryset().filter({ size__gte: 10 });
  }
}

class Thing extends Stamped.define(
  {
    name: new CharField({ maxLength: 30 }),
    size: new IntegerField({ default: 0 }),
    owner: new ForeignKey(() => Owner, { onDelete: CASCADE, null: true, relatedName: 'things' }),
  },
  app,
) {
  static override objects = new Manager(this);
  static big = new BigOnes(this);
}

class Person extends Model.define(
  {
    name: new CharField({ maxLength: 30 }),
    friends: new ManyToManyField('self'),
  },
  app,
) {
  static override objects = new Manager(this);
  declare friends: ManyRelated<Person>;
}

class Parent extends Model.define({ name: new CharField({ maxLength: 30 }) }, app) {}
class Protected extends Model.define({ parent: new ForeignKey(() => Parent, { onDelete: PROTECT }) }, app) {}
class Restricted extends Model.define({ parent: new ForeignKey(() => Parent, { onDelete: RESTRICT }) }, app) {}
class Nulled extends Model.define({ parent: new ForeignKey(() => Parent, { onDelete: SET_NULL, null: true }) }, app) {}
class Defaulted extends Model.define(
  { parent: new ForeignKey(() => Parent, { onDelete: SET_DEFAULT, null: true, default: null }) },
  app,
) {}
class Setted extends Model.define({ parent: new ForeignKey(() => Parent, { onDelete: SET(null), null: true }) }, app) {}
class Dangling extends Model.define({ parent: new ForeignKey(() => Parent, { onDelete: DO_NOTHING }) }, app) {}

const MODELS = [Owner, Thing, Person, Parent, Protected, Restricted, Nulled, Defaulted, Setted, Dangling];

eachBackend('queryset', (backend) => {
  before(async () => {
    await withSchemaEditor(async (editor) => {
      for (const model of MODELS) await editor.createModel(model);
    });
  });

  test('bulkCreate sets primary keys and runs one INSERT per batch; bulkUpdate writes in batches', async () => {
    const owner = await Owner.objects.create({ name: 'bulk' });
    const things = Array.from({ length: 25 }, (_, i) => new Thing({ name: `t${i}`, size: i, owner }));
    const [, queries] = await captureQueries(() => Thing.objects.bulkCreate(things, { batchSize: 10 }));
    assert.equal(queries.filter((q) => q.sql.startsWith('INSERT')).length, 3);
    assert.ok(things.every((t) => typeof t.id === 'number'));
    assert.equal(await owner.things.count(), 25);
    for (const t of things) t.size += 100;
    assert.equal(await Thing.objects.bulkUpdate(things, ['size'], { batchSize: 10 }), 25);
    assert.equal(await Thing.objects.filter({ size__gte: 100 }).count(), 25);
    assert.equal(await Thing.big.count(), 25);
  });

  test('get() with one scalar lookup, repeated (its plan is remembered): values, misses, several, other values and models', async () => {
    const owner = await Owner.objects.create({ name: 'repeat' });
    const made = await Thing.objects.bulkCreate([
      new Thing({ name: 'twin', size: 1, owner }),
      new Thing({ name: 'twin', size: 2, owner }),
      new Thing({ name: 'solo', size: 3, owner }),
    ]);
    for (let round = 0; round < 3; round++) {
      const [found, queries] = await captureQueries(() => Thing.objects.get({ pk: made[2]!.id }));
      assert.equal(found.name, 'solo');
      assert.equal(queries.length, 1);
      assert.equal((await Thing.objects.get({ pk: String(made[0]!.id) as never })).size, 1);
      assert.equal((await Owner.objects.get({ name: 'repeat' })).id, owner.id);
      await assert.rejects(Thing.objects.get({ pk: 999999 }), Thing.DoesNotExist);
      await assert.rejects(Thing.objects.get({ name: 'twin' }), Thing.MultipleObjectsReturned);
      assert.equal((await Thing.objects.get({ name: 'solo' })).size, 3);
      // Not a scalar: the general path (a model instance, null, a list).
      await assert.rejects(Thing.objects.get({ owner }), Thing.MultipleObjectsReturned);
      await assert.rejects(Thing.objects.get({ name: null as never }), Thing.DoesNotExist);
      assert.equal((await Thing.objects.get({ size__in: [3] })).name, 'solo');
      // A filtered queryset does not take it.
      await assert.rejects(Thing.objects.filter({ size: 1 }).get({ pk: made[2]!.id }), Thing.DoesNotExist);
    }
  });

  test('getOrCreate and updateOrCreate', async () => {
    const [a, created] = await Owner.objects.getOrCreate({ name: 'goc' }, { defaults: { label: 'first' } });
    assert.equal(created, true);
    assert.equal(a.label, 'first');
    const [b, again] = await Owner.objects.getOrCreate({ name: 'goc' }, { defaults: { label: 'second' } });
    assert.equal(again, false);
    assert.equal(b.id, a.id);
    const [c, made] = await Owner.objects.updateOrCreate({ name: 'goc' }, { defaults: { label: 'updated' } });
    assert.equal(made, false);
    assert.equal((await Owner.objects.get({ pk: c.id })).label, 'updated');
    const [, fresh] = await Owner.objects.updateOrCreate({ name: 'uoc' }, { defaults: { label: 'new' } });
    assert.equal(fresh, true);
  });

  test('inBulk, iterator() streaming in chunks, raw(), explain(), union', async () => {
    const owner = await Owner.objects.get({ name: 'bulk' });
    const ids = (await owner.things.all()).slice(0, 3).map((t) => t.id);
    const map = await Thing.objects.inBulk([...ids, 999999]);
    assert.deepEqual([...map.keys()].sort(), [...ids].sort());
    let seen = 0;
    for await (const thing of Thing.objects.filter({ owner }).iterator({ chunkSize: 7 })) {
      assert.ok(thing instanceof Thing);
      seen++;
    }
    assert.equal(seen, 25);
    const raw = await Thing.objects.raw('SELECT * FROM qs_thing WHERE size >= %s ORDER BY id', [120]);
    assert.equal(raw.length, 5);
    assert.ok(raw[0] instanceof Thing);
    assert.equal(raw[0]!.size, 120);
    const plan = await Thing.objects.filter({ size: 1 }).explain();
    assert.match(plan, backend.name === 'sqlite' ? /SCAN|SEARCH/ : /Scan/);
    const both = await Thing.objects
      .filter({ size: 100 })
      .union(Thing.objects.filter({ size: 124 }))
      .orderBy('size');
    assert.deepEqual(
      both.map((t) => t.size),
      [100, 124],
    );
  });

  test('selectForUpdate() needs a transaction (PostgreSQL) and locks in it', async () => {
    if (backend.name === 'postgresql') {
      await assert.rejects(Thing.objects.selectForUpdate().first(), TransactionManagementError);
    }
    const [, queries] = await captureQueries(() =>
      atomic(() => Thing.objects.selectForUpdate({ skipLocked: true }).filter({ size: 100 }).first()),
    );
    if (backend.name === 'postgresql')
      assert.match(queries.find((q) => q.sql.startsWith('SELECT'))!.sql, /FOR UPDATE SKIP LOCKED$/);
  });

  test('save and delete signals, with the created flag and the update fields', async () => {
    const events: string[] = [];
    const off = [
      preSave.connect(({ updateFields }) => void events.push(`pre:${updateFields?.join(',') ?? 'all'}`), {
        sender: Owner,
      }),
      postSave.connect(({ created }) => void events.push(`post:${created}`), { sender: Owner }),
      postDelete.connect(({ instance }) => void events.push(`deleted:${(instance as Owner).name}`), { sender: Owner }),
    ];
    try {
      const owner = await Owner.objects.create({ name: 'signals' });
      owner.label = 'x';
      await owner.save({ updateFields: ['label'] });
      await owner.delete();
      assert.deepEqual(events, ['pre:all', 'post:true', 'pre:label', 'post:false', 'deleted:signals']);
      assert.equal(owner.id, null);
    } finally {
      for (const disconnect of off) disconnect();
    }
  });

  test('related managers: create, add, remove, clear, set', async () => {
    const owner = await Owner.objects.create({ name: 'rel' });
    const made = await owner.things.create({ name: 'made' });
    assert.equal(made.ownerId, owner.id);
    const loose = await Thing.objects.create({ name: 'loose' });
    await owner.things.add(loose);
    assert.deepEqual((await owner.things.all()).map((t) => t.name).sort(), ['loose', 'made']);
    await owner.things.remove(made);
    assert.equal((await Thing.objects.get({ pk: made.id })).ownerId, null);
    await owner.things.set([made]);
    assert.deepEqual(
      (await owner.things.all()).map((t) => t.name),
      ['made'],
    );
    await owner.things.clear();
    assert.equal(await owner.things.count(), 0);
  });

  test('a symmetrical many-to-many to self links both ways and sends m2mChanged', async () => {
    const actions: string[] = [];
    const off = m2mChanged.connect(({ action, pkSet }) => void actions.push(`${action}:${pkSet?.size ?? '-'}`));
    try {
      const [ann, bob, cid] = [
        await Person.objects.create({ name: 'ann' }),
        await Person.objects.create({ name: 'bob' }),
        await Person.objects.create({ name: 'cid' }),
      ];
      await ann.friends.add(bob, cid);
      assert.deepEqual(
        (await bob.friends.all()).map((p) => p.name),
        ['ann'],
      );
      await ann.friends.remove(bob);
      assert.equal(await bob.friends.count(), 0);
      await ann.friends.set([cid, bob]);
      assert.deepEqual(
        (await ann.friends.orderBy('name')).map((p) => p.name),
        ['bob', 'cid'],
      );
      assert.ok(actions.includes('pre_add:2') && actions.includes('post_remove:1'));
    } finally {
      off();
    }
  });

  test('onDelete: PROTECT and RESTRICT refuse, SET_NULL/SET_DEFAULT/SET update, DO_NOTHING leaves it to the database', async () => {
    const guarded = await Parent.objects.create({ name: 'guarded' });
    const keeper = await Protected.objects.create({ parent: guarded });
    const error = await guarded.delete().catch((e: unknown) => e);
    assert.ok(error instanceof ProtectedError && error instanceof IntegrityError);
    assert.deepEqual(
      [...error.protectedObjects].map((o) => (o as Protected).id),
      [keeper.id],
    );
    assert.equal(
      error.message,
      "Cannot delete some instances of model 'Parent' because they are referenced through a protected foreign key: 'Protected.parent'",
    );
    const strict = await Parent.objects.create({ name: 'strict' });
    await Restricted.objects.create({ parent: strict });
    await assert.rejects(strict.delete(), RestrictedError);

    const soft = await Parent.objects.create({ name: 'soft' });
    const [n, d, s] = [
      await Nulled.objects.create({ parent: soft }),
      await Defaulted.objects.create({ parent: soft }),
      await Setted.objects.create({ parent: soft }),
    ];
    const [total, counts] = await soft.delete();
    assert.equal(total, 1);
    assert.deepEqual(counts, { 'qs.Parent': 1 });
    for (const row of [n, d, s]) {
      await row.refreshFromDb();
      assert.equal(row.parentId, null);
    }

    const gone = await Parent.objects.create({ name: 'gone' });
    await Dangling.objects.create({ parent: gone });
    await assert.rejects(
      atomic(() => gone.delete()),
      IntegrityError,
    );
    assert.equal(await Parent.objects.filter({ name: 'gone' }).count(), 1);
  });

  test('an unsaved related object refuses to be saved through, as Django', async () => {
    const unsaved = new Owner({ name: 'unsaved' });
    await assert.rejects(Thing.objects.create({ name: 'x', owner: unsaved }), {
      message: "save() prohibited to prevent data loss due to unsaved related object 'owner'.",
    });
    await assert.rejects(Owner.objects.create({ name: 'bulk' }), IntegrityError);
  });

  test('abstract models give their fields and ordering; annotations on managers', async () => {
    assert.deepEqual(
      Owner._meta.fields.map((f) => f.name),
      ['id', 'label', 'name'],
    );
    assert.deepEqual(Owner._meta.ordering, ['id']);
    assert.equal(Owner._meta.dbTable, 'qs_owner');
    const rows = await Owner.objects.annotate({ n: Count('things') }).filter({ name: 'bulk' });
    assert.equal(rows[0]!.n, 25);
    const { rows: raw } = await execute('SELECT COUNT(*) AS c FROM qs_thing');
    assert.ok(Number((raw[0] as { c: unknown }).c) > 25);
  });
});
