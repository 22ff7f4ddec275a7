/**
 * Form fields, as Django's `django.forms.fields`: each cleans what its widget read into a typed
 * value, or throws a ValidationError with Django's code and message.
 */
export { Field, valuesEqual } from './base.ts';
export type { FieldOptions, Optional } from './base.ts';
export {
  CharField,
  RegexField,
  EmailField,
  URLField,
  SlugField,
  GenericIPAddressField,
  UUIDField,
  JSONField,
  InvalidJSONInput,
  JSONString,
} from './text.ts';
export type { CharFieldOptions, SlugFieldOptions, GenericIPAddressFieldOptions, JSONFieldOptions } from './text.ts';
export { IntegerField, FloatField, DecimalField, sanitizeSeparators } from './numbers.ts';
export type { IntegerFieldOptions, DecimalFieldOptions } from './numbers.ts';
export { DateField, TimeField, DateTimeField, DurationField } from './temporal.ts';
export type { Register, DateTimeValue, TemporalFieldOptions } from './temporal.ts';
export {
  BooleanField,
  NullBooleanField,
  ChoiceField,
  TypedChoiceField,
  MultipleChoiceField,
  TypedMultipleChoiceField,
} from './choice.ts';
export type { ChoiceFieldOptions, TypedChoiceFieldOptions, TypedMultipleChoiceFieldOptions } from './choice.ts';
export { FileField, ImageField } from './files.ts';
export type { FileFieldOptions, FileValue, ImageFieldOptions, ImageInfo, UploadedImage } from './files.ts';
export { ComboField, MultiValueField, SplitDateTimeField } from './combine.ts';
export type { MultiValueFieldOptions, SplitDateTimeFieldOptions } from './combine.ts';
export { ModelChoiceField, ModelMultipleChoiceField } from './models.ts';
export type { ModelChoiceFieldOptions, QuerySetSource } from './models.ts';
