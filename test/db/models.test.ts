// Models and QuerySet basics on both backends: create, get, filter, save, delete, ordering,
// slicing, count/exists/first/last, values, errors as Django raises them.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withSchemaEditor } from '../../src/db/index.ts';
import { Q } from '../../src/db/models/index.ts';
import { eachBackend } from './helpers.ts';
import { Author, Category, MODELS, Post, Tag } from './fixtures/blog.ts';

eachBackend('models', () => {
  before(async () => {
    await withSchemaEditor(async (editor) => {
      for (const model of MODELS) await editor.createModel(model);
    });
  });

  test('create, get by primary key and by lookups, field values typed as declared', async () => {
    const ann = await Author.objects.create({ name: 'Ann', email: 'ann@example.com' });
    assert.equal(typeof ann.id, 'number');
    const post = await Post.objects.create({ title: 'Hello ORM', author: ann, views: 3 });
    assert.equal(post.authorId, ann.id);
    const fetched = await Post.objects.get({ pk: post.id });
    assert.equal(fetched.title, 'Hello ORM');
    assert.equal(fetched.shout, 'HELLO ORM');
    assert.equal(fetched.views, 3);
    assert.equal(fetched.published, false);
    assert.equal(fetched.body, '');
    assert.equal((await fetched.author).name, 'Ann');
    const byLookup = await Post.objects.get({ title__icontains: 'orm', author__name: 'Ann' });
    assert.equal(byLookup.id, post.id);
  });

  test('DoesNotExist and MultipleObjectsReturned, per model', async () => {
    await assert.rejects(Post.objects.get({ title: 'nothing' }), Post.DoesNotExist);
    await assert.rejects(Post.objects.get({ title: 'nothing' }), { message: 'Post matching query does not exist.' });
    const bob = await Author.objects.create({ name: 'Bob', email: 'bob@example.com' });
    await Post.objects.create({ title: 'twin', author: bob });
    await Post.objects.create({ title: 'twin', author: bob });
    await assert.rejects(Post.objects.get({ title: 'twin' }), {
      name: 'MultipleObjectsReturned',
      message: 'get() returned more than one Post -- it returned 2!',
    });
  });

  test('filter, exclude, Q, ordering, slicing, count, exists, first, last', async () => {
    const carl = await Author.objects.create({ name: 'Carl', email: 'carl@example.com', age: 40 });
    for (let i = 0; i < 5; i++) await Post.objects.create({ title: `p${i}`, author: carl, views: i * 10 });
    const qs = Post.objects.filter({ author: carl });
    assert.equal(await qs.count(), 5);
    assert.equal(await qs.filter({ views__gte: 20 }).count(), 3);
    assert.deepEqual(
      (await qs.exclude({ views__gte: 20 }).orderBy('title')).map((p) => p.title),
      ['p0', 'p1'],
    );
    assert.deepEqual(
      (await qs.filter(Q({ views: 0 }).or({ views: 40 })).orderBy('-views')).map((p) => p.views),
      [40, 0],
    );
    assert.deepEqual(
      (await qs.orderBy('-views').slice(1, 3)).map((p) => p.title),
      ['p3', 'p2'],
    );
    assert.equal((await qs.orderBy('views').first())!.title, 'p0');
    assert.equal((await qs.orderBy('views').last())!.title, 'p4');
    assert.equal(await qs.filter({ title: 'nope' }).exists(), false);
    assert.equal(await qs.exists(), true);
    assert.deepEqual(await qs.filter({ views__in: [] }), []);
    assert.deepEqual(
      (await Author.objects.filter({ email__endswith: '@example.com' })).map((a) => a.name),
      ['Ann', 'Bob', 'Carl'],
    );
  });

  test('save() updates, delete() removes, refreshFromDb() reloads', async () => {
    const dora = await Author.objects.create({ name: 'Dora', email: 'dora@example.com' });
    const post = new Post({ title: 'draft', author: dora });
    await post.save();
    post.title = 'final';
    await post.save();
    assert.equal((await Post.objects.get({ pk: post.id })).title, 'final');
    await Post.objects.filter({ pk: post.id }).update({ views: 99 });
    assert.equal(post.views, 0);
    await post.refreshFromDb();
    assert.equal(post.views, 99);
    const [count, perModel] = await post.delete();
    assert.equal(count, 1);
    assert.deepEqual(perModel, { 'blog.Post': 1 });
    assert.equal(await Post.objects.filter({ title: 'final' }).exists(), false);
  });

  test('values and valuesList, flat and named', async () => {
    const rows = await Author.objects.filter({ name__in: ['Ann', 'Bob'] }).values('name', 'email');
    assert.deepEqual(rows, [
      { name: 'Ann', email: 'ann@example.com' },
      { name: 'Bob', email: 'bob@example.com' },
    ]);
    const names = await Author.objects.valuesList('name', { flat: true });
    assert.deepEqual(names, ['Ann', 'Bob', 'Carl', 'Dora']);
    const pairs = await Post.objects.filter({ title: 'Hello ORM' }).valuesList('title', 'author__name');
    assert.deepEqual(pairs, [['Hello ORM', 'Ann']]);
  });

  test('many-to-many add, all, filter across it, remove', async () => {
    const post = await Post.objects.get({ title: 'Hello ORM' });
    const [a, b] = [await Tag.objects.create({ name: 'a' }), await Tag.objects.create({ name: 'b' })];
    await post.tags.add(a, b);
    assert.deepEqual(
      (await post.tags.all()).map((t) => t.name),
      ['a', 'b'],
    );
    assert.equal(await Post.objects.filter({ tags__name: 'a' }).count(), 1);
    await post.tags.remove(a);
    assert.deepEqual(
      (await post.tags.all()).map((t) => t.name),
      ['b'],
    );
    assert.deepEqual(
      (await b.posts.all()).map((p) => p.title),
      ['Hello ORM'],
    );
  });

  test('self-referential ForeignKey and reverse managers', async () => {
    const root = await Category.objects.create({ name: 'root' });
    await Category.objects.create({ name: 'child', parent: root });
    const children = await (root as unknown as { children: { all(): PromiseLike<Category[]> } }).children.all();
    assert.deepEqual(
      children.map((c) => c.name),
      ['child'],
    );
    const ann = await Author.objects.get({ name: 'Ann' });
    assert.deepEqual(
      (await ann.posts.all()).map((p) => p.title),
      ['Hello ORM'],
    );
  });
});
