/**
 * The formsets of the differential test, declared as test/forms/forms_oracle.py declares them
 * for Django, and the battery of submissions they get: management forms missing or tampered
 * with, deletion, ordering, the minimum and the maximum, absoluteMax, initial forms, prefixes and
 * the formset-wide clean().
 */
import { BaseFormSet, CharField, DateField, Form, formsetFactory, ValidationError } from '../../src/forms/index.ts';

export class ArticleForm extends Form.define({
  title: new CharField({ maxLength: 20 }),
  pub_date: new DateField({ required: false }),
}) {}

class UniqueTitles extends BaseFormSet {
  override clean(): void {
    if (this.errors.some((errors) => errors.size > 0)) return;
    const titles: unknown[] = [];
    for (const form of this.forms) {
      if (this.canDelete && this.shouldDeleteForm(form)) continue;
      const title = (form.cleanedData as Record<string, unknown>).title;
      if (titles.includes(title))
        throw new ValidationError('Articles in a set must have distinct titles.', { code: 'duplicate' });
      titles.push(title);
    }
  }
}

export const FORMSETS = {
  Basic: formsetFactory(ArticleForm),
  Full: formsetFactory(ArticleForm, {
    extra: 2,
    canDelete: true,
    canOrder: true,
    maxNum: 3,
    validateMax: true,
    minNum: 1,
    validateMin: true,
  }),
  DeleteInitialOnly: formsetFactory(ArticleForm, { canDelete: true, canDeleteExtra: false, extra: 2 }),
  Capped: formsetFactory(ArticleForm, { extra: 5, maxNum: 2, absoluteMax: 3 }),
  Unique: formsetFactory(ArticleForm, { formset: UniqueTitles, extra: 0, canDelete: true }),
  MinOnly: formsetFactory(ArticleForm, { extra: 0, minNum: 2, validateMin: true }),
};

export interface FormsetCase {
  formset: keyof typeof FORMSETS;
  data?: Record<string, string | string[]>;
  initial?: Record<string, string>[];
  prefix?: string;
  /** Also compare asP(), asTable(), the management form and the empty form. */
  html?: boolean;
}

/** The management form's four fields under `prefix`. */
function management(total: number | string, initial: number | string, prefix = 'form'): Record<string, string> {
  return {
    [`${prefix}-TOTAL_FORMS`]: String(total),
    [`${prefix}-INITIAL_FORMS`]: String(initial),
    [`${prefix}-MIN_NUM_FORMS`]: '0',
    [`${prefix}-MAX_NUM_FORMS`]: '1000',
  };
}

/** Form `i`'s fields, `form-<i>-<name>`. */
function row(i: number, values: Record<string, string>, prefix = 'form'): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}-${i}-${k}`, v]));
}

const INITIAL = [
  { title: 'First', pub_date: '2020-01-01' },
  { title: 'Second', pub_date: '2020-02-02' },
];

export const FORMSET_CASES: FormsetCase[] = [
  // Unbound: the counts from initial, extra, minNum and maxNum; the HTML.
  { formset: 'Basic', html: true },
  { formset: 'Basic', initial: INITIAL, html: true },
  { formset: 'Full', html: true },
  { formset: 'Full', initial: INITIAL, html: true },
  { formset: 'DeleteInitialOnly', initial: INITIAL, html: true },
  { formset: 'Capped', html: true },
  { formset: 'Capped', initial: [...INITIAL, { title: 'Third', pub_date: '' }] },
  { formset: 'Basic', prefix: 'articles', initial: INITIAL, html: true },

  // The management form, missing or tampered with.
  { formset: 'Basic', data: {}, html: true },
  { formset: 'Basic', data: { 'form-TOTAL_FORMS': '1' } },
  { formset: 'Basic', data: { 'form-TOTAL_FORMS': 'x', 'form-INITIAL_FORMS': '0', ...row(0, { title: 'A' }) } },
  { formset: 'Basic', data: { ...management(1, 0, 'other'), ...row(0, { title: 'A' }) } },
  { formset: 'Basic', data: { ...management(-1, 0) } },

  // Basic: valid, invalid, an empty extra form, changes to initial forms.
  { formset: 'Basic', data: { ...management(1, 0), ...row(0, { title: 'A', pub_date: '2020-03-04' }) } },
  { formset: 'Basic', data: { ...management(1, 0), ...row(0, { title: '', pub_date: '' }) } },
  { formset: 'Basic', data: { ...management(1, 0), ...row(0, { title: '', pub_date: 'x' }) }, html: true },
  {
    formset: 'Basic',
    data: { ...management(2, 0), ...row(0, { title: 'A' }), ...row(1, { title: 'x'.repeat(21) }) },
    html: true,
  },
  {
    formset: 'Basic',
    initial: INITIAL,
    data: {
      ...management(3, 2),
      ...row(0, { title: 'First', pub_date: '2020-01-01' }),
      ...row(1, { title: 'Changed', pub_date: '2020-02-02' }),
      ...row(2, { title: '', pub_date: '' }),
    },
  },
  {
    formset: 'Basic',
    initial: INITIAL,
    data: { ...management(2, 2), ...row(0, { title: '', pub_date: '' }), ...row(1, { title: 'B' }) },
  },
  {
    formset: 'Basic',
    prefix: 'articles',
    data: { ...management(1, 0, 'articles'), ...row(0, { title: 'P' }, 'articles') },
    html: true,
  },

  // Deletion and ordering.
  {
    formset: 'Full',
    initial: INITIAL,
    data: {
      ...management(3, 2),
      ...row(0, { title: 'First', pub_date: '2020-01-01', ORDER: '2' }),
      ...row(1, { title: 'Second', pub_date: '2020-02-02', ORDER: '1', DELETE: 'on' }),
      ...row(2, { title: 'New', ORDER: '' }),
    },
  },
  {
    formset: 'Full',
    initial: INITIAL,
    data: {
      ...management(4, 2),
      ...row(0, { title: 'First', ORDER: '3' }),
      ...row(1, { title: 'Second', ORDER: '1' }),
      ...row(2, { title: 'Third', ORDER: '2' }),
      ...row(3, { title: '', ORDER: '' }),
    },
  },
  {
    formset: 'Full',
    data: { ...management(2, 0), ...row(0, { title: 'A', ORDER: 'x' }), ...row(1, { title: 'B', ORDER: '-1' }) },
    html: true,
  },
  {
    formset: 'Full',
    initial: INITIAL,
    data: {
      ...management(2, 2),
      ...row(0, { title: '', DELETE: 'on' }),
      ...row(1, { title: 'Second', ORDER: '1' }),
    },
  },
  {
    formset: 'Full',
    data: { ...management(1, 0), ...row(0, { title: '', DELETE: 'on' }) },
  },
  {
    formset: 'DeleteInitialOnly',
    initial: INITIAL,
    data: {
      ...management(3, 2),
      ...row(0, { title: 'First', DELETE: 'on' }),
      ...row(1, { title: 'Second' }),
      ...row(2, { title: 'New', DELETE: 'on' }),
    },
  },

  // Minimum and maximum.
  { formset: 'Full', data: { ...management(1, 0), ...row(0, { title: '' }) } },
  { formset: 'Full', data: { ...management(3, 0), ...row(0, { title: '' }) } },
  {
    formset: 'Full',
    data: {
      ...management(4, 0),
      ...row(0, { title: 'A' }),
      ...row(1, { title: 'B' }),
      ...row(2, { title: 'C' }),
      ...row(3, { title: 'D' }),
    },
  },
  {
    formset: 'Full',
    data: {
      ...management(4, 0),
      ...row(0, { title: 'A' }),
      ...row(1, { title: 'B' }),
      ...row(2, { title: 'C' }),
      ...row(3, { title: 'D', DELETE: 'on' }),
    },
  },
  {
    formset: 'Full',
    data: {
      ...management(4, 0),
      ...row(0, { title: 'A' }),
      ...row(1, { title: '' }),
      ...row(2, { title: 'C' }),
      ...row(3, { title: 'D', DELETE: 'on' }),
    },
  },
  { formset: 'MinOnly', data: { ...management(2, 0), ...row(0, { title: 'A' }), ...row(1, { title: '' }) } },
  { formset: 'MinOnly', data: { ...management(2, 0), ...row(0, { title: 'A' }), ...row(1, { title: 'B' }) } },
  { formset: 'MinOnly', data: { ...management(1, 0), ...row(0, { title: 'A' }) } },
  { formset: 'MinOnly', html: true },

  // absoluteMax: no more forms are made than it allows, and more submitted is an error.
  {
    formset: 'Capped',
    data: {
      ...management(3, 0),
      ...row(0, { title: 'A' }),
      ...row(1, { title: 'B' }),
      ...row(2, { title: 'C' }),
    },
  },
  {
    formset: 'Capped',
    data: {
      ...management(5, 0),
      ...row(0, { title: 'A' }),
      ...row(1, { title: 'B' }),
      ...row(2, { title: 'C' }),
      ...row(3, { title: 'D' }),
      ...row(4, { title: 'E' }),
    },
  },
  { formset: 'Capped', data: { ...management(1000000, 0), ...row(0, { title: 'A' }) } },

  // The formset's own clean().
  {
    formset: 'Unique',
    initial: INITIAL,
    data: { ...management(2, 2), ...row(0, { title: 'Same' }), ...row(1, { title: 'Same' }) },
    html: true,
  },
  {
    formset: 'Unique',
    initial: INITIAL,
    data: { ...management(2, 2), ...row(0, { title: 'Same' }), ...row(1, { title: 'Same', DELETE: 'on' }) },
  },
  {
    formset: 'Unique',
    initial: INITIAL,
    data: { ...management(2, 2), ...row(0, { title: 'Same' }), ...row(1, { title: '' }) },
  },
];
