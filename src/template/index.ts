/**
 * `tsgi/template`: templates, as Django's `django.template` with its shortcuts.
 *
 * @example
 * import { render, TemplateResponse } from 'tsgi/template';
 */
export type {
  BaseEngine,
  Template as BackendTemplate,
  Context as ContextData,
  EngineParams,
  EngineClass,
  RequestLike,
} from './backends/base.ts';
export { DjangoTemplates } from './backends/django.ts';
export { Engine } from './engine.ts';
export type { EngineOptions, LibrarySpec } from './engine.ts';
export { Template } from './template.ts';
export { Context, RequestContext, makeContext } from './context.ts';
export { Library } from './library.ts';
export type { FilterFunction, FilterOptions, TagOptions, TagCompileFunction } from './library.ts';
export { Node, NodeList, Origin } from './nodes.ts';
export { Variable, FilterExpression } from './variable.ts';
export { engines, getEngine, getTemplate, selectTemplate, renderToString, resetEngines } from './engines.ts';
export type { TemplatesSetting } from './engines.ts';
export { TemplateDoesNotExist, TemplateSyntaxError, VariableDoesNotExist } from './exceptions.ts';
export type { TriedOrigin, TemplateDebugInfo } from './exceptions.ts';
export { SafeString, markSafe, escapeHtml } from '../utils/safestring.ts';
export { TemplateResponse, ContentNotRenderedError } from './response.ts';
export type { TemplateResponseOptions, PostRenderCallback } from './response.ts';
export { render } from './shortcuts.ts';
export { renderErrorTemplate } from './error-pages.ts';
export { checkTemplates, registerTemplateChecks } from './checks.ts';
export type { ContextProcessor } from './context-processors.ts';
export * as contextProcessors from './context-processors.ts';
