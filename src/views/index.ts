/**
 * Views (`tsgi/views`), as Django's `django.views`: class-based `View` and `RedirectView`, and
 * the decorators of `django.views.decorators.http`, `.cache`, `.vary` and `.common`.
 *
 * @example
 * import { View, requirePOST } from 'tsgi/views';
 */
export { View, RedirectView, splitViewArguments } from './generic/base.ts';
export type { ClassViewFunction, ViewResult } from './generic/base.ts';
export { TemplateView } from './generic/template.ts';
export { ListView, type ModelClass, type ObjectList, type PaginatorClassOf } from './generic/list.ts';
export { DetailView, SingleObjectMixin } from './generic/detail.ts';
export {
  ArchiveIndexView,
  BaseDateListView,
  DateDetailView,
  DayArchiveView,
  MonthArchiveView,
  WeekArchiveView,
  TodayArchiveView,
  YearArchiveView,
} from './generic/dates.ts';
export { FormView } from './generic/edit.ts';
export type { FormClassOf } from './generic/edit.ts';
export { CreateView, UpdateView, DeleteView, ModelFormView, type EditableModel } from './generic/edit.ts';
export {
  requireHttpMethods,
  requireGET,
  requirePOST,
  requireSafe,
  condition,
  etag,
  lastModified,
  streamRequestBody,
} from './decorators/http.ts';
export type { FunctionView, ConditionFunction, ConditionOptions } from './decorators/http.ts';
export { wrapsView, viewWantsBody, viewAnswersMethod, methodDecorator } from '../utils/decorators.ts';
export type { ViewBodyInfo, ViewDecorator } from '../utils/decorators.ts';
export { cacheControl, neverCache } from './decorators/cache.ts';
export { varyOnHeaders, varyOnCookie } from './decorators/vary.ts';
export { noAppendSlash } from './decorators/common.ts';
