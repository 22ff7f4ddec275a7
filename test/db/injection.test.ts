// SQL injection through the QuerySet API, on both backends: values are bound parameters (quotes,
// comment markers and LIKE wildcards in them match literally), lookup names, ordering, values()
// fields, F() references and JSON keys that name no field are FieldErrors before any SQL runs,
// and identifiers with quotes in them (tables, columns, annotations) are quoted.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { captureQueries, withSchemaEditor } from '../../src/db/index.ts';
import { FieldError } from '../../src/core/exceptions.ts';
import { CharField, F, IntegerField, JSONField, Manager, Model, Value } from '../../src/db/models/index.ts';
import { eachBackend } from './helpers.ts';

const app = { appLabel: 'inj' } as const;

class Note extends Model.define(
  {
    title: new CharField({ maxLength: 100 }),
    rank: new IntegerField({ default: 0 }),
    data: new JSONField({ null: true }),
  },
  { ...app, ordering: ['id'] },
) {
  static override objects = new Manager(this);
}

/** Quotes, a semicolon and a comment marker in the table's and a column's names. */
class Odd extends Model.define(
  { label: new CharField({ maxLength: 50, dbColumn: 'se"lect; --' }) },
  { ...app, dbTable: 'odd "table"; drop' },
) {
  static override objects = new Manager(this);
}

const HOSTILE = [
  "x' OR '1'='1",
  "'; DROP TABLE inj_note; --",
  'x" OR "1"="1',
  "\\'; SELECT 1; --",
  '%',
  '_',
  '\\',
  '$1',
  '?',
  '\u0000',
];

eachBackend('SQL injection', (backend) => {
  before(async () => {
    await withSchemaEditor(async (editor) => {
      await editor.createModel(Note);
      await editor.createModel(Odd);
    });
    await Note.objects.bulkCreate([
      new Note({ title: 'plain', rank: 1, data: { owner: 'ann' } }),
      new Note({ title: '100% sure', rank: 2, data: { owner: "o'brien" } }),
      new Note({ title: 'under_score', rank: 3, data: { "we'ird": 'key' } }),
    ]);
  });

  test('values with quotes, comments, placeholders and LIKE wildcards match literally', async () => {
    for (const value of HOSTILE.filter((v) => v !== '\u0000')) {
      assert.equal(await Note.objects.filter({ title: value }).count(), 0, value);
      assert.equal(await Note.objects.filter({ title__iexact: value }).count(), 0, value);
      assert.equal(await Note.objects.filter({ title__in: [value, `${value}2`] }).count(), 0, value);
    }
    assert.deepEqual(await Note.objects.filter({ title__contains: '%' }).valuesList('title', { flat: true }), [
      '100% sure',
    ]);
    assert.deepEqual(await Note.objects.filter({ title__icontains: '_' }).valuesList('title', { flat: true }), [
      'under_score',
    ]);
    assert.equal(await Note.objects.filter({ title__startswith: '\\' }).count(), 0);
    assert.equal(await Note.objects.filter({ title__endswith: "' OR 1=1 --" }).count(), 0);
    // A stored hostile value comes back as it was.
    for (const value of HOSTILE.filter((v) => v !== '\u0000')) {
      const note = await Note.objects.create({ title: value });
      assert.equal((await Note.objects.get({ pk: note.id })).title, value);
      assert.equal((await Note.objects.get({ title: value })).id, note.id);
      await note.delete();
    }
    assert.equal(await Note.objects.count(), 3);
  });

  test('JSON keys are bound or quoted: a quote in a key is part of the key', async () => {
    assert.equal(await Note.objects.filter({ data__owner: "o'brien" }).count(), 1);
    assert.equal(await Note.objects.filter({ "data__we'ird": 'key' }).count(), 1);
    assert.equal(await Note.objects.filter({ "data__x') OR 1=1 --": 'key' }).count(), 0);
    assert.equal(await Note.objects.filter({ data__has_key: "we'ird" }).count(), 1);
    assert.equal(await Note.objects.filter({ data__has_key: "x' OR '1'='1" }).count(), 0);
  });

  test('names of no field are FieldErrors, raised before any SQL', async () => {
    const attempts: Array<[string, () => PromiseLike<unknown>]> = [
      ['filter key', () => Note.objects.filter({ 'title = title OR 1=1 --': 'x' } as never).count()],
      ['lookup', () => Note.objects.filter({ 'title__exact) OR (1=1': 'x' } as never).count()],
      ['exclude key', () => Note.objects.exclude({ 'id; DROP TABLE inj_note': 1 } as never).count()],
      ['orderBy', () => Note.objects.orderBy('title; DROP TABLE inj_note' as never)],
      ['orderBy direction', () => Note.objects.orderBy('title DESC' as never)],
      ['values', () => Note.objects.values('title FROM inj_note --' as never)],
      ['valuesList', () => Note.objects.valuesList('rank" FROM x --' as never)],
      ['F()', () => Note.objects.filter({ rank: F('rank) OR (1=1') }).count()],
      ['update F()', () => Note.objects.update({ rank: F('rank = 0; --') })],
    ];
    // DISTINCT ON is PostgreSQL's; SQLite refuses it whatever the names.
    if (backend.name === 'postgresql')
      attempts.push(['distinct', () => Note.objects.orderBy('title').distinct('title, (SELECT 1)' as never)]);
    for (const [what, attempt] of attempts) {
      const [, queries] = await captureQueries(async () => {
        await assert.rejects(async () => await attempt(), FieldError, what);
      });
      assert.equal(queries.length, 0, what);
    }
    assert.equal(await Note.objects.count(), 3);
  });

  test('identifiers are quoted: quotes in table, column and annotation names', async () => {
    const odd = await Odd.objects.create({ label: "it's" });
    assert.equal((await Odd.objects.get({ label: "it's" })).id, odd.id);
    assert.deepEqual(await Odd.objects.orderBy('-label').valuesList('label', { flat: true }), ["it's"]);
    await Odd.objects.filter({ pk: odd.id }).update({ label: 'x"; --' });
    assert.equal((await Odd.objects.get({ pk: odd.id })).label, 'x"; --');
    const name: string = 'a"b; --';
    const [row] = await Note.objects
      .annotate({ [name]: new Value(1) })
      .orderBy('id')
      .values('title', name);
    assert.deepEqual(row, { title: 'plain', 'a"b; --': 1 });
    await odd.delete();
    assert.equal(await Odd.objects.count(), 0);
  });
});
