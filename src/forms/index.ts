/**
 * Forms (`tsgi/forms`), as Django's `django.forms`: `Form` with declared fields (its
 * `cleanedData` typed from them), the fields, the widgets, formsets, and the error classes.
 *
 * @example
 * import { Form, CharField, EmailField } from 'tsgi/forms';
 * class ContactForm extends Form.define({ name: new CharField({ maxLength: 100 }), email: new EmailField() }) {}
 */
export { BaseForm, Form } from './forms.ts';
export type { CleanedData, FieldValue, Fields, FieldsOf, FormClass, FormData, FormOptions, FormWith } from './forms.ts';
export { BoundField, BoundWidget } from './boundfield.ts';
export * from './fields/index.ts';
export * from './widgets/index.ts';
export { ErrorDict, ErrorList, flatatt, prettyName, NON_FIELD_ERRORS } from './utils.ts';
export type { Attrs } from './utils.ts';
export { DjangoTemplates, TemplatesSetting, getDefaultRenderer, widgetTemplatesDir } from './renderers.ts';
export type { FormRenderer } from './renderers.ts';
export { ValidationError } from '../core/exceptions.ts';
export {
  BaseFormSet,
  formsetFactory,
  allValid,
  ManagementForm,
  TOTAL_FORM_COUNT,
  INITIAL_FORM_COUNT,
  MIN_NUM_FORM_COUNT,
  MAX_NUM_FORM_COUNT,
  ORDERING_FIELD_NAME,
  DELETION_FIELD_NAME,
} from './formsets.ts';
export type { FormSetClass, FormSetOptions, FormsetFactoryOptions } from './formsets.ts';
export { BaseModelForm, ModelForm, modelformFactory, fieldsForModel, formfieldFor, modelToDict } from './models.ts';
export type { ModelClass, ModelFormClass, ModelFormMeta, ModelFormOptions, ModelFields } from './models.ts';
export {
  BaseModelFormSet,
  BaseInlineFormSet,
  InlineForeignKeyField,
  modelformsetFactory,
  inlineformsetFactory,
} from './model-formsets.ts';
export type {
  InlineFormSetOptions,
  ModelFormSetClass,
  ModelFormSetOptions,
  ModelFormsetFactoryOptions,
} from './model-formsets.ts';
