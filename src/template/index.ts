/**
 * `tsgi/template`: templates, as Django's `django.template` with its shortcuts.
 *
 * @example
 * import { render, TemplateResponse } from 'tsgi/template';
 */
export type { BaseEngine, Template, Context, EngineParams, EngineClass, RequestLike } from './backends/base.ts';
export { LiquidTemplates } from './backends/liquid.ts';
export type { LiquidOptions } from './backends/liquid.ts';
export { engines, getEngine, getTemplate, selectTemplate, renderToString, resetEngines } from './engines.ts';
export type { TemplatesSetting } from './engines.ts';
export { TemplateDoesNotExist, TemplateSyntaxError } from './exceptions.ts';
export type { TriedOrigin } from './exceptions.ts';
export { SafeString, markSafe, escapeHtml } from '../utils/safestring.ts';
export { TemplateResponse, ContentNotRenderedError } from './response.ts';
export type { TemplateResponseOptions, PostRenderCallback } from './response.ts';
export { render } from './shortcuts.ts';
export { renderErrorTemplate } from './error-pages.ts';
export { checkTemplates, registerTemplateChecks } from './checks.ts';
export type { ContextProcessor } from './context-processors.ts';
export * as contextProcessors from './context-processors.ts';
