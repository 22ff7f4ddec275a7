// Differential test of tsgi/forms against Django 3.2 itself: every case of diff-cases.ts is
// cleaned by the same form under Django (forms_oracle.py, Debian's python3-django) and under
// tsgi (diff-forms.ts). Validity, the cleaned data, the error codes and messages per field, and
// for some cases asP()/asTable()/asUl() must be identical. Likewise every case of
// diff-formsets.ts for the same formsets: validity, the form counts, each form's errors and
// cleaned data, the non-form errors, the deleted and ordered forms, and the HTML.
//
// Deliberate differences, normalised before comparing:
// - tsgi adds aria-invalid="true" to the inputs of fields with errors (Django 5.0 does; 3.2 not).
// - Python floats and ints are both numbers ('number'); a Decimal is compared by its text.
//
// Skipped when python3-django is missing (apt-get install -y python3-django), except in CI
// (CI=true), where it fails instead.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { settings } from '../../src/conf/index.ts';
import { InMemoryUploadedFile } from '../../src/core/files/uploadedfile.ts';
import type { BaseForm, ErrorList } from '../../src/forms/index.ts';
import { Decimal } from '../../src/utils/decimal.ts';
import { durationToMicroseconds } from '../../src/utils/dateparse.ts';
import { MultiValueDict } from '../../src/utils/datastructures.ts';
import { temporalKind } from '../../src/utils/python.ts';
import { skipUnlessPresent } from '../prerequisites.ts';
import { CASES, type DiffCase } from './diff-cases.ts';
import { FORMS } from './diff-forms.ts';
import { FORMSETS, FORMSET_CASES, type FormsetCase } from './diff-formsets.ts';

const PYTHON = '/usr/bin/python3';
const hasDjango = spawnSync(PYTHON, ['-c', 'import django, pytz'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessPresent(hasDjango ? undefined : 'needs python3-django (apt-get install -y python3-django)');

interface Outcome {
  valid: boolean;
  cleaned: Record<string, unknown>;
  errors: Record<string, string[]>;
  messages: Record<string, string[]>;
  html?: string;
  table?: string;
  ul?: string;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Python's isoformat() of a time part: seconds always, microseconds when not zero. */
function timeIso(t: {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  microsecond: number;
}): string {
  const micro = t.millisecond * 1000 + t.microsecond;
  return `${two(t.hour)}:${two(t.minute)}:${two(t.second)}${micro ? `.${String(micro).padStart(6, '0')}` : ''}`;
}

function tag(value: unknown): unknown {
  if (value === null || value === undefined) return { t: 'none' };
  if (typeof value === 'boolean') return { t: 'bool', v: value };
  if (typeof value === 'number') return { t: 'number', v: value };
  if (value instanceof Decimal) return { t: 'decimal', v: value.toString() };
  if (typeof value === 'string') return { t: 'str', v: value };
  if (Array.isArray(value)) return { t: 'list', v: value.map(tag) };
  const kind = temporalKind(value);
  if (kind === 'Temporal.PlainDate') return { t: 'date', v: String(value) };
  if (kind === 'Temporal.PlainTime') return { t: 'time', v: timeIso(value as never) };
  if (kind === 'Temporal.PlainDateTime') {
    const v = value as { toPlainDate(): unknown };
    return { t: 'datetime', v: `${String(v.toPlainDate())}T${timeIso(value as never)}` };
  }
  if (kind === 'Temporal.ZonedDateTime') {
    const v = value as { toPlainDate(): unknown; offset: string };
    return { t: 'datetime', v: `${String(v.toPlainDate())}T${timeIso(value as never)}${v.offset}` };
  }
  if (kind === 'Temporal.Duration') return { t: 'duration', v: Number(durationToMicroseconds(value as never)) };
  if (value instanceof InMemoryUploadedFile) return { t: 'file', name: value.name, size: value.size };
  if (typeof value === 'object') return { t: 'json', v: sortedJson(value) };
  return { t: 'other', v: String(value) };
}

/** Python's json.dumps(value, sort_keys=True). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${sortedJson(v)}`).join(', ')}}`;
  }
  if (typeof value === 'number' && !Number.isInteger(value)) return String(value);
  return JSON.stringify(value);
}

async function runTsgi(c: DiffCase): Promise<Outcome> {
  const cls = FORMS[c.form as keyof typeof FORMS] as unknown as new (options?: object) => BaseForm;
  const data = new MultiValueDict<unknown>();
  for (const [key, value] of Object.entries(c.data ?? {})) data.setlist(key, Array.isArray(value) ? value : [value]);
  const files = new MultiValueDict<unknown>();
  for (const [key, spec] of Object.entries(c.files ?? {})) {
    files.set(
      key,
      new InMemoryUploadedFile(new TextEncoder().encode(spec.content), {
        name: spec.name,
        fieldName: key,
        contentType: 'text/plain',
      }),
    );
  }
  const prefix = c.prefix ?? null;
  const form = c.unbound ? new cls({ prefix }) : new cls({ data, files, prefix });
  const valid = await form.isValid();
  const out: Outcome = {
    valid,
    cleaned: Object.fromEntries(Object.entries(form.cleanedData).map(([k, v]) => [k, tag(v)])),
    errors: Object.fromEntries(Object.entries(form.errors.asData()).map(([k, v]) => [k, v.map((e) => e.code ?? '')])),
    messages: Object.fromEntries([...form.errors].map(([k, v]) => [k, [...v]])),
  };
  if (c.html) {
    out.html = strip(form.asP().value);
    out.table = strip(form.asTable().value);
    out.ul = strip(form.asUl().value);
  }
  return out;
}

function toData(values: Record<string, string | string[]>): MultiValueDict<unknown> {
  const data = new MultiValueDict<unknown>();
  for (const [key, value] of Object.entries(values)) data.setlist(key, Array.isArray(value) ? value : [value]);
  return data;
}

const strip = (html: string): string => html.replaceAll(' aria-invalid="true"', '');

async function runTsgiFormset(c: FormsetCase): Promise<Record<string, unknown>> {
  const cls = FORMSETS[c.formset];
  const formset = new cls({
    prefix: c.prefix ?? null,
    initial: c.initial ?? null,
    ...(c.data !== undefined ? { data: toData(c.data) } : {}),
  });
  const valid = await formset.isValid();
  const errorsOf = (list: ErrorList) => ({
    codes: list.asData().map((e) => e.code ?? ''),
    messages: [...list],
  });
  const out: Record<string, unknown> = {
    valid,
    total: formset.totalFormCount(),
    initial_count: formset.initialFormCount(),
    forms: formset.forms.map((form) => ({
      errors: Object.fromEntries(Object.entries(form.errors.asData()).map(([k, v]) => [k, v.map((e) => e.code ?? '')])),
      messages: Object.fromEntries([...form.errors].map(([k, v]) => [k, [...v]])),
      cleaned: Object.fromEntries(Object.entries(form.cleanedData).map(([k, v]) => [k, tag(v)])),
      changed: form.hasChanged(),
    })),
    non_form_errors: errorsOf(formset.nonFormErrors()),
    total_error_count: formset.totalErrorCount(),
    deleted: formset.deletedForms.map((f) => formset.forms.indexOf(f)),
    has_changed: formset.hasChanged(),
  };
  if (valid && formset.canOrder) out.ordered = formset.orderedForms.map((f) => formset.forms.indexOf(f));
  if (c.html) {
    out.html = strip(formset.asP().value);
    out.table = strip(formset.asTable().value);
    out.management = formset.managementForm.toString();
    // Django 3.2's empty_form fails with canDeleteExtra false (fixed in 4.1); tsgi's is 4.1's.
    if (formset.canDeleteExtra || !formset.canDelete) out.empty_form = formset.emptyForm.asP().value;
  }
  return out;
}

describe('forms against Django 3.2', { skip }, () => {
  let django: Outcome[] = [];
  let djangoFormsets: Record<string, unknown>[] = [];

  before(() => {
    settings.configure({ USE_TZ: true, TIME_ZONE: 'America/Chicago', USE_L10N: false });
    const result = spawnSync(PYTHON, [path.join(import.meta.dirname, 'forms_oracle.py')], {
      input: JSON.stringify([...CASES, ...FORMSET_CASES]),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(result.status, 0, result.stderr);
    const outcomes = JSON.parse(result.stdout) as unknown[];
    django = outcomes.slice(0, CASES.length) as Outcome[];
    djangoFormsets = outcomes.slice(CASES.length) as Record<string, unknown>[];
  });

  test('the battery covers every field class of tsgi/forms', () => {
    assert.ok(CASES.length > 250, `${CASES.length} cases`);
  });

  test('every case gives what Django gives', async () => {
    const failures: string[] = [];
    for (const [i, c] of CASES.entries()) {
      const expected = django[i]!;
      const actual = await runTsgi(c);
      for (const key of ['valid', 'cleaned', 'errors', 'messages', 'html', 'table', 'ul'] as const) {
        if (JSON.stringify(actual[key]) !== JSON.stringify(expected[key])) {
          failures.push(
            `${c.form} ${JSON.stringify(c.data ?? c.files ?? {})} ${key}\n    django: ${JSON.stringify(expected[key])}\n    tsgi:   ${JSON.stringify(actual[key])}`,
          );
        }
      }
    }
    assert.equal(failures.length, 0, `${failures.length} differences:\n${failures.slice(0, 80).join('\n')}`);
  });

  test('every formset case gives what Django gives', async () => {
    assert.ok(FORMSET_CASES.length >= 40, `${FORMSET_CASES.length} formset cases`);
    const failures: string[] = [];
    for (const [i, c] of FORMSET_CASES.entries()) {
      const expected = djangoFormsets[i]!;
      const actual = await runTsgiFormset(c);
      for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
        if (JSON.stringify(actual[key]) !== JSON.stringify(expected[key])) {
          failures.push(
            `#${i} ${c.formset} ${JSON.stringify(c.data ?? c.initial ?? {})} ${key}\n    django: ${JSON.stringify(expected[key])}\n    tsgi:   ${JSON.stringify(actual[key])}`,
          );
        }
      }
    }
    assert.equal(failures.length, 0, `${failures.length} differences:\n${failures.slice(0, 60).join('\n')}`);
  });
});
