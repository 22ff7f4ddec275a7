// Django JSON fixtures on SQLite and PostgreSQL: a fixture dumped by Django 3.2 (every field kind
// of the blog models: text with quotes and newlines, decimals, datetimes with microseconds, dates,
// JSON, foreign keys, a self relation, many-to-many, one-to-one) loads in tsgi, and tsgi dumps it
// back identical; a bad fixture names the object and changes nothing.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { withSchemaEditor } from '../../../src/db/index.ts';
import { atomic, setRollback } from '../../../src/db/transaction.ts';
import { loadObjects, serializeModel, DeserializationError } from '../../../src/core/serializers/index.ts';
import { getMeta } from '../../../src/db/models/options.ts';
import { eachBackend } from '../helpers.ts';
import { MODELS } from '../fixtures/diff-models.ts';
import { skipUnlessPresent } from '../../prerequisites.ts';

const PYTHON = '/usr/bin/python3';
const script = path.join(import.meta.dirname, '..', 'django', 'dump_fixture.py');
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessPresent(
  hasDjango ? undefined : 'Django 3.2 is not installed (apt-get install -y python3-django)',
);

async function dumpAll(): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const model of Object.values(MODELS)) out.push(...(await serializeModel(getMeta(model))));
  return out;
}

eachBackend(
  'Django JSON fixtures',
  () => {
    let djangoDump: unknown[];

    before(async () => {
      const result = spawnSync(PYTHON, [script], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(result.status, 0, result.stderr);
      djangoDump = JSON.parse(result.stdout) as unknown[];
      await withSchemaEditor(async (editor) => {
        for (const model of Object.values(MODELS)) await editor.createModel(model as never);
      });
    });

    test('a fixture dumped by Django loads, and dumps back the same', async () => {
      const { count } = await loadObjects(djangoDump, { source: 'the Django dump' });
      assert.equal(count, djangoDump.length);
      assert.deepEqual(await dumpAll(), djangoDump);
      const post = await MODELS.Post.objects.get({ pk: 1 } as never);
      assert.equal(String((post as unknown as { rating: unknown }).rating), '4.50');
      assert.equal(await MODELS.Tag.objects.filter({ posts__title: 'First post' } as never).count(), 2);
    });

    test('loading again updates the rows by primary key; new rows get keys after the loaded ones', async () => {
      await loadObjects(djangoDump);
      assert.deepEqual(await dumpAll(), djangoDump);
      const tag = await MODELS.Tag.objects.create({ name: 'new' } as never);
      assert.equal(Number(tag.pk), 3);
      await tag.delete();
    });

    test('inside a transaction of the caller the load joins it (and rolls back with it)', async () => {
      const before = await dumpAll();
      await atomic(async () => {
        await loadObjects([{ model: 'blog.tag', pk: 7, fields: { name: 'inside' } }]);
        assert.equal(await MODELS.Tag.objects.filter({ name: 'inside' } as never).count(), 1);
        setRollback(true);
      });
      assert.deepEqual(await dumpAll(), before);
    });

    test('a bad fixture names the object and leaves the database as it was', async () => {
      const before = await dumpAll();
      const bad = [
        { model: 'blog.tag', pk: 9, fields: { name: 'added' } },
        { model: 'blog.post', pk: 1, fields: { nope: 1 } },
      ];
      await assert.rejects(
        loadObjects(bad, { source: "fixture 'bad.json'" }),
        (error: unknown) =>
          error instanceof DeserializationError &&
          error.message === "blog.post has no field named 'nope' (object 1 of fixture 'bad.json').",
      );
      await assert.rejects(
        loadObjects([{ model: 'blog.nothing', fields: {} }]),
        (error: unknown) =>
          error instanceof DeserializationError && /^Invalid model identifier: 'blog\.nothing'/.test(error.message),
      );
      await assert.rejects(loadObjects({}), /is not a JSON list of objects/);
      await assert.rejects(
        loadObjects([{ model: 'blog.comment', pk: 5, fields: { post: 99, text: 'orphan' } }]),
        (error: unknown) => !(error instanceof DeserializationError),
      );
      assert.deepEqual(await dumpAll(), before);
    });
  },
  { skip },
);
