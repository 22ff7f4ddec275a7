/**
 * The forms of the differential test, declared as test/forms/forms_oracle.py declares them for
 * Django (field for field, the same names).
 */
import {
  BooleanField,
  CharField,
  CheckboxSelectMultiple,
  ChoiceField,
  DateField,
  DateTimeField,
  DecimalField,
  DurationField,
  EmailField,
  FileField,
  FloatField,
  Form,
  GenericIPAddressField,
  HiddenInput,
  IntegerField,
  JSONField,
  MultipleChoiceField,
  NullBooleanField,
  PasswordInput,
  RadioSelect,
  RegexField,
  SlugField,
  SplitDateTimeField,
  Textarea,
  TimeField,
  TypedChoiceField,
  TypedMultipleChoiceField,
  URLField,
  UUIDField,
  ValidationError,
} from '../../src/forms/index.ts';
import { regexValidator } from '../../src/core/validators.ts';
import { Decimal } from '../../src/utils/decimal.ts';
import { Temporal } from 'temporal-polyfill';

const CHOICES = [
  ['r', 'Red'],
  ['g', 'Green'],
  [
    'Dark',
    [
      ['k', 'Black'],
      ['n', 'Navy'],
    ],
  ],
  [1, 'One'],
] as const;

const toInt = (value: string): number => {
  if (!/^\s*[-+]?\d+\s*$/.test(value)) throw new TypeError(`invalid literal for int(): ${value}`);
  return Number(value);
};

export class TextForm extends Form.define({
  name: new CharField({ maxLength: 10, minLength: 2 }),
  nick: new CharField({ required: false, strip: false }),
  empty_null: new CharField({ required: false, emptyValue: null }),
  email: new EmailField({ required: false }),
  url: new URLField({ required: false }),
  slug: new SlugField({ required: false }),
  uslug: new SlugField({ required: false, allowUnicode: true }),
  code: new RegexField(/^[A-Z]{3}\d*$/, { required: false }),
  ip: new GenericIPAddressField({ required: false }),
  ip4: new GenericIPAddressField({ required: false, protocol: 'ipv4' }),
  ip_unpack: new GenericIPAddressField({ required: false, unpackIpv4: true }),
  uid: new UUIDField({ required: false }),
  meta: new JSONField({ required: false }),
  digits: new CharField({
    required: false,
    validators: [regexValidator(/^\d+$/, { code: 'digits' })],
    errorMessages: { max_length: 'Too long: %(limit_value)d max, got %(show_value)d.' },
    maxLength: 4,
  }),
}) {}

export class NumberForm extends Form.define({
  count: new IntegerField({ minValue: 0, maxValue: 100 }),
  opt: new IntegerField({ required: false }),
  ratio: new FloatField({ required: false, minValue: -1.5 }),
  price: new DecimalField({ required: false, maxDigits: 5, decimalPlaces: 2 }),
  amount: new DecimalField({ required: false, minValue: new Decimal('0.1') }),
  agree: new BooleanField({ required: false }),
  must: new BooleanField({ required: false }),
  maybe: new NullBooleanField({ required: false }),
}) {}

export class DateForm extends Form.define({
  day: new DateField({ required: false }),
  at: new TimeField({ required: false }),
  when: new DateTimeField({ required: false }),
  custom: new DateField({ required: false, inputFormats: ['%d.%m.%Y', '%Y%m%d'] }),
  took: new DurationField({ required: false }),
  split: new SplitDateTimeField({ required: false }),
  needed: new DateField(),
}) {}

export class ChoiceForm extends Form.define({
  color: new ChoiceField({ choices: CHOICES }),
  opt_color: new ChoiceField({ choices: CHOICES, required: false }),
  number: new TypedChoiceField({
    choices: [
      [1, 'One'],
      [2, 'Two'],
      ['x', 'Bad'],
    ],
    coerce: toInt,
    required: false,
  }),
  number_none: new TypedChoiceField({ choices: [[1, 'One']], coerce: toInt, required: false, emptyValue: null }),
  colors: new MultipleChoiceField({ choices: CHOICES, required: false }),
  needed: new MultipleChoiceField({ choices: CHOICES }),
  numbers: new TypedMultipleChoiceField({
    choices: [
      [1, 'One'],
      [2, 'Two'],
      ['x', 'Bad'],
    ],
    coerce: toInt,
    required: false,
  }),
}) {}

export class FileForm extends Form.define({
  doc: new FileField({ maxLength: 12 }),
  extra: new FileField({ required: false, allowEmptyFile: true }),
}) {}

export class HookForm extends Form.define({
  password: new CharField(),
  confirm: new CharField(),
  age: new IntegerField({ required: false }),
}) {
  cleanAge(age: number | null): number | null {
    if (age !== null && age < 18)
      throw new ValidationError('Too young: %(age)s.', { code: 'too_young', params: { age } });
    return age;
  }

  override clean() {
    const data = this.cleanedData;
    if (data.password && data.password !== data.confirm) {
      this.addError('confirm', new ValidationError('No match.', { code: 'mismatch' }));
      throw new ValidationError('Check the passwords.', { code: 'passwords' });
    }
    return data;
  }
}

export class PrefixForm extends Form.define({
  title: new CharField({ helpText: 'A <b>short</b> title', label: 'Title of it' }),
  hidden: new CharField({ widget: HiddenInput, required: false }),
  notes: new CharField({ widget: Textarea, required: false }),
  kind: new ChoiceField({
    widget: RadioSelect,
    choices: [
      ['a', 'A'],
      ['b', 'B'],
    ],
    required: false,
  }),
  tags: new MultipleChoiceField({
    widget: CheckboxSelectMultiple,
    choices: [
      ['x', 'X'],
      ['y', 'Y'],
    ],
    required: false,
  }),
  secret: new CharField({ widget: PasswordInput, required: false }),
  when: new DateTimeField({ required: false, initial: Temporal.PlainDateTime.from('2020-01-02T03:04:05') }),
}) {}

export const FORMS = { TextForm, NumberForm, DateForm, ChoiceForm, FileForm, HookForm, PrefixForm };
