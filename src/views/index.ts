/**
 * Views (`tsgi/views`), as Django's `django.views`: class-based `View` and `RedirectView`, and
 * the decorators of `django.views.decorators.http` / `.common`.
 *
 * @example
 * import { View, requirePOST } from 'tsgi/views';
 */
export { View, RedirectView, splitViewArguments } from './generic/base.ts';
export type { ClassViewFunction, ViewResult } from './generic/base.ts';
export { requireHttpMethods, requireGET, requirePOST, requireSafe, wrapsView } from './decorators/http.ts';
export type { FunctionView } from './decorators/http.ts';
export { noAppendSlash } from './decorators/common.ts';
