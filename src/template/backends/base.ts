/**
 * The contract every template backend meets, as Django's `BaseEngine`: the rest of the framework
 * (render, TemplateResponse, error pages) talks to this interface only, so an engine can be swapped
 * by naming another BACKEND in the TEMPLATES setting.
 */

/** What a template is rendered with. Values may be promises; engines wait for them. */
export type Context = Record<string, unknown>;

/** The request a template is rendered for; the request context processors read it. */
export type RequestLike = object;

/** A compiled template, ready to render. */
export interface Template {
  /** The name it was asked for (`'blog/post.html'`), or `'<string>'` for one built from a string. */
  readonly name: string;
  /** The file it came from, when it came from one. */
  readonly origin: string | undefined;
  /**
   * Renders with `context`; with a `request`, the engine's context processors add their values
   * too. A string, or a promise of one when something in the context was a promise.
   */
  render(context?: Context, request?: RequestLike): string | Promise<string>;
}

/** One entry of the TEMPLATES setting, normalised. */
export interface EngineParams {
  /** The alias (`NAME`, else the backend's last dotted part). */
  name: string;
  /** Directories searched first, in order. */
  dirs: string[];
  /** Whether each installed app's `templates/` folder is searched after `dirs`. */
  appDirs: boolean;
  /** Backend-specific options (`contextProcessors`, `loaders`, ...). */
  options: Record<string, unknown>;
}

/** A template backend. */
export interface BaseEngine {
  readonly name: string;
  /** The directories searched by the filesystem loaders, in order (DIRS, then apps' templates/ when APP_DIRS). */
  readonly templateDirs: readonly string[];
  /** Loads and compiles a template by name; throws TemplateDoesNotExist or TemplateSyntaxError. */
  getTemplate(name: string): Template;
  /** Compiles a template from source. */
  fromString(source: string): Template;
}

/** A backend class as named in TEMPLATES[].BACKEND. */
export interface EngineClass {
  new (params: EngineParams): BaseEngine;
}
