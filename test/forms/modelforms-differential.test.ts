// Differential test of ModelForm against Django 3.2 itself: every case of diff-modelforms.ts is
// cleaned, validated against the database and saved by the same ModelForm under Django
// (modelforms_oracle.py, Debian's python3-django, SQLite in memory) and under tsgi (a SQLite
// file), both seeded alike. Validity, the error codes and messages per field, the cleaned values
// (rows by primary key), the saved row and many-to-many values, and the as_p() HTML must be
// identical. Each case runs in a transaction rolled back on both sides.
//
// Deliberate difference, normalised before comparing: tsgi adds aria-invalid="true" to the
// inputs of fields with errors (Django 5.0 does; 3.2 not).
//
// Skipped when python3-django is missing (apt-get install -y python3-django), except in CI
// (CI=true), where it fails instead.
import { after, before, describe, test } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settings } from '../../src/conf/index.ts';
import { withSchemaEditor } from '../../src/db/index.ts';
import { connections } from '../../src/db/connections.ts';
import { getMeta } from '../../src/db/models/options.ts';
import { AutoField } from '../../src/db/models/index.ts';
import { atomic, setRollback } from '../../src/db/transaction.ts';
import type { BaseModelFormSet } from '../../src/forms/index.ts';
import { Decimal } from '../../src/utils/decimal.ts';
import { MultiValueDict } from '../../src/utils/datastructures.ts';
import { temporalKind } from '../../src/utils/python.ts';
import { skipUnlessPresent } from '../prerequisites.ts';
import {
  MODEL_FORMS,
  MODEL_FORM_CASES,
  MODEL_FORMSETS,
  MODEL_FORMSET_CASES,
  type ModelFormCase,
  type ModelFormsetCase,
} from './diff-modelforms.ts';
import { Book, Chapter, Genre, MODELS, Review, Writer } from './fixtures/library.ts';

const PYTHON = '/usr/bin/python3';
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessPresent(hasDjango ? undefined : 'needs python3-django (apt-get install -y python3-django)');

const strip = (html: string): string => html.replaceAll(' aria-invalid="true"', '');

/** A value as modelforms_oracle.py tags it: rows by primary key, dates in ISO form. */
function tag(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(tag);
  if (value instanceof Decimal) return { $decimal: value.toString() };
  if (temporalKind(value) === 'Temporal.PlainDate') return { $date: String(value) };
  if (temporalKind(value) === 'Temporal.ZonedDateTime') {
    // Python's isoformat() of an aware datetime: 2024-03-01T10:00:00+00:00.
    const zoned = value as { toPlainDateTime(): { toString(): string }; offset: string };
    return { $date: `${zoned.toPlainDateTime().toString()}${zoned.offset}` };
  }
  if (value !== null && typeof value === 'object' && 'pk' in value) return { $pk: (value as { pk: unknown }).pk };
  return value;
}

async function savedRow(object: object): Promise<Record<string, unknown>> {
  const meta = getMeta(object.constructor);
  const out: Record<string, unknown> = {};
  for (const field of meta.concreteFields) {
    if (!field.editable || field instanceof AutoField) continue;
    out[field.column] = tag((object as Record<string, unknown>)[field.attname]);
  }
  if (object instanceof Book || object instanceof Review)
    out.genres = (await object.genres.all()).map((g) => g.pk).sort();
  return out;
}

const MODEL_OF = {
  Book,
  Writer,
  Chapter,
  Summary: Book,
  Review,
  ReviewUndated: Review,
  ReviewMessages: Review,
} as const;

async function runTsgi(c: ModelFormCase): Promise<Record<string, unknown>> {
  const model = MODEL_OF[c.form] as unknown as { objects: { get(l: object): Promise<object> } };
  const instance = c.instance !== undefined ? await model.objects.get({ pk: c.instance }) : null;
  const cls = MODEL_FORMS[c.form] as unknown as new (o: object) => {
    isBound: boolean;
    isValid(): Promise<boolean>;
    errors: { asData(): Record<string, { code?: string }[]>; entries(): Iterable<[string, Iterable<string>]> };
    cleanedData: Record<string, unknown>;
    save(): Promise<object>;
    loadChoices(): Promise<void>;
    asP(): { value: string };
  };
  let data: MultiValueDict<unknown> | undefined;
  if (c.data !== undefined) {
    data = new MultiValueDict<unknown>();
    for (const [key, value] of Object.entries(c.data)) data.setlist(key, Array.isArray(value) ? value : [value]);
  }
  const form = new cls({ instance, ...(data !== undefined ? { data } : {}) });
  const out: Record<string, unknown> = {};
  if (form.isBound) {
    out.valid = await form.isValid();
    out.errors = Object.fromEntries(
      Object.entries(form.errors.asData()).map(([k, v]) => [k, v.map((e) => e.code ?? '')]),
    );
    out.messages = Object.fromEntries([...form.errors.entries()].map(([k, v]) => [k, [...v]]));
    out.cleaned = Object.fromEntries(Object.entries(form.cleanedData).map(([k, v]) => [k, tag(v)]));
    if (out.valid) out.saved = await savedRow(await form.save());
  }
  if (c.html) {
    await form.loadChoices();
    out.html = strip(form.asP().value);
  }
  return out;
}

/** The rows the formsets edit, as modelforms_oracle.py's state() lists them. */
async function state(): Promise<Record<string, unknown>> {
  return {
    genres: (await Genre.objects.orderBy('pk')).map((g) => [g.pk, g.name]),
    writers: (await Writer.objects.orderBy('pk')).map((w) => [w.pk, w.name]),
    chapters: (await Chapter.objects.orderBy('pk')).map((c) => [c.pk, c.bookId, c.number, c.name]),
  };
}

async function runTsgiFormset(c: ModelFormsetCase): Promise<Record<string, unknown>> {
  let data: MultiValueDict<unknown> | undefined;
  if (c.data !== undefined) {
    data = new MultiValueDict<unknown>();
    for (const [key, value] of Object.entries(c.data)) data.setlist(key, Array.isArray(value) ? value : [value]);
  }
  const options: Record<string, unknown> = data !== undefined ? { data } : {};
  if (c.formset === 'Chapters')
    options.instance = c.instance !== undefined ? await Book.objects.get({ pk: c.instance }) : new Book();
  const formset = new (MODEL_FORMSETS[c.formset] as unknown as new (o: object) => BaseModelFormSet)(options);
  const out: Record<string, unknown> = {};
  if (formset.isBound) {
    out.valid = await formset.isValid();
    out.forms = formset.forms.map((form) =>
      Object.fromEntries(Object.entries(form.errors.asData()).map(([k, v]) => [k, v.map((e) => e.code ?? '')])),
    );
    out.nonform = formset
      .nonFormErrors()
      .asData()
      .map((e) => e.code ?? '');
    out.nonform_messages = [...formset.nonFormErrors()];
    if (out.valid) {
      await formset.save();
      out.state = await state();
    }
  } else if (c.html) {
    await formset.loadChoices();
  }
  if (c.html) out.html = strip(formset.asP().value);
  return out;
}

describe('ModelForm against Django 3.2', { skip }, () => {
  let django: Record<string, unknown>[] = [];
  let djangoFormsets: Record<string, unknown>[] = [];
  let folder: string;

  before(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'tsgi-modelforms-'));
    settings.configure({
      USE_TZ: true,
      TIME_ZONE: 'UTC',
      USE_L10N: false,
      DATABASES: { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: path.join(folder, 'db.sqlite3') } },
    });
    await withSchemaEditor(async (editor) => {
      for (const model of MODELS) await editor.createModel(model);
    });
    const ann = await Writer.objects.create({ name: 'Ann' });
    await Writer.objects.create({ name: 'Bob', born: 1950 });
    await Genre.objects.create({ name: 'Crime' });
    const poetry = await Genre.objects.create({ name: 'Poetry' });
    const odes = await Book.objects.create({ title: 'Odes', slug: 'odes', status: 'p', pages: 80, author: ann });
    await odes.genres.set([poetry]);
    await Chapter.objects.create({ book: odes, number: 1, name: 'First' });
    const bob = await Writer.objects.get({ name: 'Bob' });
    await Book.objects.create({ title: 'Drafty', slug: 'drafty', status: 'd', author: bob });
    const elegies = await Book.objects.create({ title: 'Elegies', slug: 'elegies', status: 'p', author: bob });
    await elegies.genres.set([poetry]);
    await Review.objects.create({
      book: odes,
      reviewer: bob,
      slug: 'first',
      title: 'Great',
      code: 'X1',
      posted: Temporal.PlainDate.from('2024-01-15'),
      stamped: Temporal.Instant.from('2024-03-01T10:00:00Z').toZonedDateTimeISO('UTC'),
    });

    const result = spawnSync(PYTHON, [path.join(import.meta.dirname, 'modelforms_oracle.py')], {
      input: JSON.stringify([...MODEL_FORM_CASES, ...MODEL_FORMSET_CASES]),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(result.status, 0, result.stderr);
    django = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.equal(django.length, MODEL_FORM_CASES.length + MODEL_FORMSET_CASES.length);
    djangoFormsets = django.slice(MODEL_FORM_CASES.length);
    django = django.slice(0, MODEL_FORM_CASES.length);
  });

  after(async () => {
    await connections.closeAll();
    rmSync(folder, { recursive: true, force: true });
  });

  test('every case gives what Django gives', async () => {
    const failures: string[] = [];
    for (const [i, c] of MODEL_FORM_CASES.entries()) {
      const ours = await atomic(async () => {
        const out = await runTsgi(c);
        setRollback(true);
        return out;
      });
      try {
        assert.deepEqual(ours, django[i]);
      } catch (error) {
        failures.push(`case ${i} ${JSON.stringify(c)}:\n${(error as Error).message}`);
      }
    }
    assert.equal(
      failures.length,
      0,
      `${failures.length} of ${MODEL_FORM_CASES.length} cases differ:\n${failures.join('\n\n')}`,
    );
  });

  test('every model formset case gives what Django gives', async () => {
    const failures: string[] = [];
    for (const [i, c] of MODEL_FORMSET_CASES.entries()) {
      const ours = await atomic(async () => {
        const out = await runTsgiFormset(c);
        setRollback(true);
        return out;
      });
      try {
        assert.deepEqual(ours, djangoFormsets[i]);
      } catch (error) {
        failures.push(`case ${i} ${JSON.stringify(c)}:\n${(error as Error).message}`);
      }
    }
    const saved = djangoFormsets.filter((d) => d.state !== undefined).length;
    const invalid = djangoFormsets.filter((d) => d.valid === false).length;
    assert.ok(saved >= 5 && invalid >= 5, `saved ${saved}, invalid ${invalid}`);
    assert.equal(
      failures.length,
      0,
      `${failures.length} of ${MODEL_FORMSET_CASES.length} cases differ:\n${failures.join('\n\n')}`,
    );
  });
});
