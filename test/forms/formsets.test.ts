// Formsets (tsgi/forms' formsetFactory): the management form and what happens when it is missing
// or tampered with, extra and initial forms, minNum/maxNum with and without validation,
// absoluteMax, canOrder, canDelete (and canDeleteExtra), per-form and formset-wide errors, the
// empty form, prefixes and the guards on reading results before validation.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settings } from '../../src/conf/index.ts';
import {
  BaseFormSet,
  CharField,
  Form,
  IntegerField,
  ValidationError,
  allValid,
  formsetFactory,
} from '../../src/forms/index.ts';

class ItemForm extends Form.define({
  name: new CharField({ maxLength: 10 }),
  qty: new IntegerField({ required: false, minValue: 1 }),
}) {}

/** The submitted data of a formset: the management form's counts, then each form's fields. */
function post(
  forms: Record<string, string>[],
  { prefix = 'form', initial = 0, total = forms.length }: { prefix?: string; initial?: number; total?: number } = {},
): Record<string, string> {
  const data: Record<string, string> = {
    [`${prefix}-TOTAL_FORMS`]: String(total),
    [`${prefix}-INITIAL_FORMS`]: String(initial),
    [`${prefix}-MIN_NUM_FORMS`]: '0',
    [`${prefix}-MAX_NUM_FORMS`]: '1000',
  };
  forms.forEach((form, i) => {
    for (const [k, v] of Object.entries(form)) data[`${prefix}-${i}-${k}`] = v;
  });
  return data;
}

before(() => settings.configure({ USE_TZ: false }));

describe('the management form', () => {
  test('an unbound formset draws its counts as hidden inputs', () => {
    const FormSet = formsetFactory(ItemForm, { extra: 2, minNum: 1, maxNum: 5 });
    const html = new FormSet().managementForm.toString();
    assert.match(html, /<input type="hidden" name="form-TOTAL_FORMS" value="3" id="id_form-TOTAL_FORMS">/);
    assert.match(html, /name="form-INITIAL_FORMS" value="0"/);
    assert.match(html, /name="form-MIN_NUM_FORMS" value="1"/);
    assert.match(html, /name="form-MAX_NUM_FORMS" value="5"/);
  });

  test('missing: the formset is invalid with a non-form error naming the missing fields, and has no forms', async () => {
    const FormSet = formsetFactory(ItemForm);
    const formset = new FormSet({ data: { 'form-0-name': 'a' } });
    assert.equal(await formset.isValid(), false);
    assert.equal(formset.forms.length, 0);
    assert.deepEqual(
      formset
        .nonFormErrors()
        .asData()
        .map((e) => e.code),
      ['missing_management_form'],
    );
    assert.equal(
      formset.nonFormErrors().at(0)!,
      'ManagementForm data is missing or has been tampered with. Missing fields: form-TOTAL_FORMS, form-INITIAL_FORMS. You may need to file a bug report if the issue persists.',
    );
    assert.equal(formset.totalErrorCount(), 1);
  });

  test('tampered with (not a number): invalid, the bad field named', async () => {
    const FormSet = formsetFactory(ItemForm);
    const formset = new FormSet({ data: { ...post([{ name: 'a' }]), 'form-TOTAL_FORMS': 'lots' } });
    assert.equal(await formset.isValid(), false);
    assert.match(formset.nonFormErrors().at(0)!, /Missing fields: form-TOTAL_FORMS\./);
  });

  test('a raised TOTAL_FORMS makes no more than absoluteMax forms and is refused', async () => {
    const FormSet = formsetFactory(ItemForm, { maxNum: 2, absoluteMax: 3 });
    const formset = new FormSet({ data: post([{ name: 'a' }], { total: 1_000_000 }) });
    assert.equal(formset.totalFormCount(), 3);
    assert.equal(formset.forms.length, 3);
    assert.equal(await formset.isValid(), false);
    assert.deepEqual(
      formset
        .nonFormErrors()
        .asData()
        .map((e) => e.code),
      ['too_many_forms'],
    );
    assert.equal(formset.nonFormErrors().at(0)!, 'Please submit at most 2 forms.');
  });

  test('absoluteMax below maxNum is refused at the factory', () => {
    assert.throws(
      () => formsetFactory(ItemForm, { maxNum: 10, absoluteMax: 5 }),
      /absoluteMax \(5\) must be greater than or equal to maxNum \(10\)\./,
    );
  });
});

describe('extra and initial forms', () => {
  test('unbound: initial forms first, then extra ones, within maxNum', () => {
    const FormSet = formsetFactory(ItemForm, { extra: 3, maxNum: 4 });
    const formset = new FormSet({ initial: [{ name: 'x', qty: 2 }, { name: 'y' }] });
    assert.equal(formset.totalFormCount(), 4);
    assert.equal(formset.initialForms.length, 2);
    assert.equal(formset.extraForms.length, 2);
    assert.match(formset.forms[0]!.asP().value, /name="form-0-name" value="x"/);
    assert.match(formset.forms[0]!.asP().value, /name="form-0-qty" value="2"/);
    // No required attribute in formsets: extra forms may stay empty.
    assert.doesNotMatch(formset.asP().value, / required/);
  });

  test('more initial forms than maxNum: all of them, no extra', () => {
    const FormSet = formsetFactory(ItemForm, { extra: 2, maxNum: 1 });
    assert.equal(new FormSet({ initial: [{ name: 'a' }, { name: 'b' }] }).totalFormCount(), 2);
  });

  test('minNum adds forms to the extra ones', () => {
    const FormSet = formsetFactory(ItemForm, { extra: 1, minNum: 2 });
    assert.equal(new FormSet().totalFormCount(), 3);
  });

  test('an untouched extra form is valid and left out of the cleaned data’s content', async () => {
    const FormSet = formsetFactory(ItemForm, { extra: 2 });
    const formset = new FormSet({
      data: post([
        { name: 'a', qty: '3' },
        { name: '', qty: '' },
      ]),
    });
    assert.equal(await formset.isValid(), true);
    assert.deepEqual(formset.cleanedData, [{ name: 'a', qty: 3 }, {}]);
    assert.equal(formset.hasChanged(), true);
  });

  test('an initial form must validate even unchanged', async () => {
    const FormSet = formsetFactory(ItemForm, { extra: 0 });
    const formset = new FormSet({ data: post([{ name: '' }], { initial: 1 }) });
    assert.equal(await formset.isValid(), false);
    assert.deepEqual(
      formset.errors[0]!.asData().name!.map((e) => e.code),
      ['required'],
    );
  });

  test('a prefix names every input and the management form', async () => {
    const FormSet = formsetFactory(ItemForm);
    const unbound = new FormSet({ prefix: 'items' });
    assert.match(unbound.asP().value, /name="items-TOTAL_FORMS"/);
    assert.match(unbound.asP().value, /name="items-0-name"/);
    const bound = new FormSet({ prefix: 'items', data: post([{ name: 'a' }], { prefix: 'items' }) });
    assert.equal(await bound.isValid(), true);
    assert.deepEqual(bound.cleanedData, [{ name: 'a', qty: null }]);
  });

  test('the empty form has __prefix__ in its names', () => {
    const FormSet = formsetFactory(ItemForm, { canDelete: true });
    const html = new FormSet().emptyForm.asP().value;
    assert.match(html, /name="form-__prefix__-name"/);
    assert.match(html, /name="form-__prefix__-DELETE"/);
  });
});

describe('errors', () => {
  test('per form, in order, with their codes; totalErrorCount counts them all', async () => {
    const FormSet = formsetFactory(ItemForm);
    const formset = new FormSet({
      data: post([{ name: 'ok' }, { name: 'much too long', qty: '0' }, { name: '', qty: '2' }]),
    });
    assert.equal(await formset.isValid(), false);
    assert.deepEqual(
      formset.errors.map((e) =>
        Object.fromEntries(Object.entries(e.asData()).map(([k, v]) => [k, v.map((x) => x.code)])),
      ),
      [{}, { name: ['max_length'], qty: ['min_value'] }, { name: ['required'] }],
    );
    assert.equal(formset.totalErrorCount(), 3);
    assert.throws(() => formset.cleanedData, /has no cleanedData: the formset is not valid\./);
  });

  test('reading the results before isValid() names the fix', () => {
    const FormSet = formsetFactory(ItemForm);
    const formset = new FormSet({ data: post([{ name: 'a' }]) });
    assert.throws(
      () => formset.cleanedData,
      /was read before the formset was validated: call `await formset\.isValid\(\)` first\./,
    );
    assert.throws(() => formset.errors, /validated/);
  });

  test('an unbound formset is not valid and has no errors', async () => {
    const formset = new (formsetFactory(ItemForm))();
    assert.equal(await formset.isValid(), false);
    assert.deepEqual(formset.errors, []);
    assert.equal(formset.nonFormErrors().length, 0);
  });

  test('clean() may throw a ValidationError: a non-form error, drawn in the nonform list', async () => {
    class NoDuplicates extends BaseFormSet {
      override async clean(): Promise<void> {
        const names = this.forms.map((f) => (f.cleanedData as { name?: string }).name);
        if (new Set(names).size !== names.length)
          throw new ValidationError('Names must differ.', { code: 'duplicate' });
      }
    }
    const FormSet = formsetFactory(ItemForm, { formset: NoDuplicates });
    const formset = new FormSet({ data: post([{ name: 'a' }, { name: 'a' }]) });
    assert.equal(await formset.isValid(), false);
    assert.deepEqual(
      formset
        .nonFormErrors()
        .asData()
        .map((e) => e.code),
      ['duplicate'],
    );
    assert.equal(formset.nonFormErrors().toString(), '<ul class="errorlist nonform"><li>Names must differ.</li></ul>');
  });

  test('allValid() validates every formset, not stopping at the first invalid one', async () => {
    const FormSet = formsetFactory(ItemForm);
    const bad = new FormSet({ data: post([{ name: '' }], { initial: 1 }) });
    const good = new FormSet({ prefix: 'g', data: post([{ name: 'a' }], { prefix: 'g' }) });
    assert.equal(await allValid([bad, good]), false);
    assert.deepEqual(good.cleanedData, [{ name: 'a', qty: null }]);
  });
});

describe('minNum and maxNum', () => {
  test('validateMin counts the filled forms, not the empty extra ones', async () => {
    const FormSet = formsetFactory(ItemForm, { minNum: 2, validateMin: true, extra: 0 });
    const formset = new FormSet({ data: post([{ name: 'a' }, { name: '' }]) });
    assert.equal(await formset.isValid(), false);
    assert.equal(formset.nonFormErrors().at(0)!, 'Please submit at least 2 forms.');
    assert.deepEqual(
      formset
        .nonFormErrors()
        .asData()
        .map((e) => e.code),
      ['too_few_forms'],
    );
    const enough = new FormSet({ data: post([{ name: 'a' }, { name: 'b' }]) });
    assert.equal(await enough.isValid(), true);
  });

  test('minNum 1 says "form"', async () => {
    const FormSet = formsetFactory(ItemForm, { minNum: 1, validateMin: true, extra: 0 });
    const formset = new FormSet({ data: post([]) });
    assert.equal(await formset.isValid(), false);
    assert.equal(formset.nonFormErrors().at(0)!, 'Please submit at least 1 form.');
  });

  test('validateMax refuses more forms than maxNum, minus the deleted ones', async () => {
    const FormSet = formsetFactory(ItemForm, { maxNum: 1, validateMax: true, canDelete: true });
    const over = new FormSet({ data: post([{ name: 'a' }, { name: 'b' }]) });
    assert.equal(await over.isValid(), false);
    assert.equal(over.nonFormErrors().at(0)!, 'Please submit at most 1 form.');
    const deleting = new FormSet({ data: post([{ name: 'a' }, { name: 'b', DELETE: 'on' }]) });
    assert.equal(await deleting.isValid(), true);
  });

  test('without validateMax, maxNum only bounds the unbound forms', async () => {
    const FormSet = formsetFactory(ItemForm, { maxNum: 1 });
    const formset = new FormSet({ data: post([{ name: 'a' }, { name: 'b' }]) });
    assert.equal(await formset.isValid(), true);
    assert.equal(formset.cleanedData.length, 2);
  });
});

describe('canOrder and canDelete', () => {
  test('ORDER fields: initial forms numbered; orderedForms sorts by ORDER, empty ones last, skipping deleted ones', async () => {
    const FormSet = formsetFactory(ItemForm, { canOrder: true, canDelete: true, extra: 1 });
    const unbound = new FormSet({ initial: [{ name: 'a' }, { name: 'b' }] });
    assert.match(unbound.forms[1]!.asP().value, /<input type="number" name="form-1-ORDER" value="2"/);
    assert.match(unbound.forms[2]!.asP().value, /<input type="number" name="form-2-ORDER" id="id_form-2-ORDER">/);
    const formset = new FormSet({
      data: post(
        [
          { name: 'a', ORDER: '3' },
          { name: 'b', ORDER: '' },
          { name: 'c', ORDER: '1' },
          { name: 'd', ORDER: '2', DELETE: 'on' },
          { name: '', ORDER: '' },
        ],
        { initial: 2 },
      ),
    });
    assert.equal(await formset.isValid(), true);
    assert.deepEqual(
      formset.orderedForms.map((f) => (f.cleanedData as { name: string }).name),
      ['c', 'a', 'b'],
    );
    assert.deepEqual(
      formset.deletedForms.map((f) => (f.cleanedData as { name: string }).name),
      ['d'],
    );
  });

  test('a form marked for deletion is not validated into the errors', async () => {
    const FormSet = formsetFactory(ItemForm, { canDelete: true, extra: 0 });
    const formset = new FormSet({ data: post([{ name: 'far too long a name', DELETE: 'on' }], { initial: 1 }) });
    assert.equal(await formset.isValid(), true);
    assert.deepEqual(formset.errors, []);
    assert.equal(formset.deletedForms.length, 1);
  });

  test('canDeleteExtra off: DELETE only on the initial forms', () => {
    const FormSet = formsetFactory(ItemForm, { canDelete: true, canDeleteExtra: false, extra: 1 });
    const formset = new FormSet({ initial: [{ name: 'a' }] });
    assert.match(formset.forms[0]!.asP().value, /name="form-0-DELETE"/);
    assert.doesNotMatch(formset.forms[1]!.asP().value, /DELETE/);
  });

  test('orderedForms without canOrder is an error; deletedForms without canDelete is empty', async () => {
    const FormSet = formsetFactory(ItemForm);
    const formset = new FormSet({ data: post([{ name: 'a' }]) });
    assert.equal(await formset.isValid(), true);
    assert.throws(() => formset.orderedForms, /has no orderedForms: canOrder is off\./);
    assert.deepEqual(formset.deletedForms, []);
  });

  test('an invalid formset has no ordered and no deleted forms', async () => {
    const FormSet = formsetFactory(ItemForm, { canOrder: true, canDelete: true });
    const formset = new FormSet({
      data: post(
        [
          { name: '', ORDER: '1' },
          { name: 'b', DELETE: 'on' },
        ],
        { initial: 1 },
      ),
    });
    assert.equal(await formset.isValid(), false);
    assert.deepEqual(formset.deletedForms, []);
    assert.throws(() => formset.orderedForms, /the formset is not valid/);
  });
});

describe('rendering', () => {
  test('asP/asUl/asTable: the management form then each form; iteration and length', () => {
    const FormSet = formsetFactory(ItemForm, { extra: 2 });
    const formset = new FormSet();
    assert.equal(formset.length, 2);
    assert.equal([...formset].length, 2);
    for (const html of [formset.asP().value, formset.asUl().value, formset.asTable().value]) {
      assert.ok(html.indexOf('form-TOTAL_FORMS') < html.indexOf('form-0-name'));
      assert.ok(html.indexOf('form-0-name') < html.indexOf('form-1-name'));
    }
    assert.equal(formset.isMultipart(), false);
  });
});
