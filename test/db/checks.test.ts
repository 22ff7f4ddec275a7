// The model checks of `manage.ts check`, with Django's ids: each names the model and the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settings } from '../../src/conf/index.ts';
import { checkModels } from '../../src/db/models/checks.ts';
import { CASCADE, CharField, DecimalField, ForeignKey, Index, Model, SET_NULL } from '../../src/db/models/index.ts';

if (!settings.configured) settings.configure({});
const app = { appLabel: 'checked' } as const;

class Target extends Model.define({ name: new CharField({ maxLength: 10 }) }, app) {}
class Broken extends Model.define(
  {
    title: new CharField({} as { maxLength: number }),
    price: new DecimalField({ maxDigits: 3, decimalPlaces: 5 }),
    big: new DecimalField({ maxDigits: 20, decimalPlaces: 2 }),
    lost: new ForeignKey('checked.Nowhere', { onDelete: CASCADE }),
    unset: new ForeignKey(() => Target, { onDelete: SET_NULL, relatedName: 'refs' }),
    other: new ForeignKey(() => Target, { onDelete: CASCADE, relatedName: 'refs' }),
  },
  { ...app, ordering: ['-nope'], indexes: [new Index({ fields: ['missing'], name: 'broken_missing' })] },
) {}

test('model checks name the field, the mistake and the fix, with Django ids', () => {
  void Broken._meta;
  const messages = checkModels(['sqlite']).filter((m) => String(m.obj).startsWith('checked.'));
  const seen = messages.map((m) => `${m.id} ${String(m.obj)}: ${m.msg}`);
  const expected = [
    "fields.E120 checked.Broken.title: CharFields must define a 'maxLength' attribute (a positive integer).",
    "fields.E134 checked.Broken.price: 'maxDigits' must be greater or equal to 'decimalPlaces'.",
    'fields.W340 checked.Broken.big: SQLite keeps 15 significant digits of a decimal, and checked.Broken.big has maxDigits 20.',
    "fields.E300 checked.Broken.lost: Field defines a relation with model 'checked.Nowhere', which is either not installed, or is abstract.",
    'fields.E320 checked.Broken.unset: Field specifies onDelete SET_NULL, but cannot be null.',
    "models.E015 checked.Broken: 'ordering' refers to the nonexistent field, related field, or lookup '-nope'.",
    "models.E012 checked.Broken: 'indexes' refers to the nonexistent field 'missing'.",
    "fields.E304 checked.Broken.other: Reverse accessor 'Target.refs' for 'checked.Broken.other' clashes with reverse accessor for 'checked.Broken.unset'.",
  ];
  for (const line of expected) assert.ok(seen.includes(line), `missing: ${line}\nseen:\n${seen.join('\n')}`);
  assert.equal(messages.length, expected.length, seen.join('\n'));
});
