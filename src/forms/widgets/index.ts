/**
 * Widgets (`tsgi/forms/widgets`), as Django's `django.forms.widgets`: how fields are drawn as
 * HTML (through the form renderer's templates) and read back from the submitted data.
 *
 * @example
 * import { Textarea, Select } from 'tsgi/forms/widgets';
 * new CharField({ widget: new Textarea({ rows: 4 }) });
 */
export {
  Widget,
  Input,
  TextInput,
  NumberInput,
  EmailInput,
  URLInput,
  PasswordInput,
  HiddenInput,
  MultipleHiddenInput,
  FileInput,
  ClearableFileInput,
  FILE_INPUT_CONTRADICTION,
  Textarea,
  DateTimeBaseInput,
  DateInput,
  DateTimeInput,
  TimeInput,
  CheckboxInput,
  localizeInput,
} from './base.ts';
export type { Choice, DataSource, WidgetClass, WidgetContext } from './base.ts';
export {
  ChoiceWidget,
  Select,
  NullBooleanSelect,
  SelectMultiple,
  RadioSelect,
  CheckboxSelectMultiple,
} from './choice.ts';
export type { ChoicesSource } from './choice.ts';
export { MultiWidget, SplitDateTimeWidget, SplitHiddenDateTimeWidget, SelectDateWidget } from './multi.ts';
