/**
 * The template layer's errors, named as Django's `django.template.exceptions` (and
 * `VariableDoesNotExist` of `django.template.base`). Each carries enough to point at the fault:
 * the places tried for a missing template, the template, line and column of bad syntax, and for
 * an error raised while rendering, the template frame the DEBUG page shows (`templateDebug`).
 */

/** One place a loader looked for a template, and why it was not used. */
export interface TriedOrigin {
  /** The absolute path (or, for the locmem loader, the name) that was tried. */
  readonly path: string;
  /** Why it did not match: `'Source does not exist'`, `'Outside the template directory'`, `'Skipped to avoid recursion'`. */
  readonly reason: string;
}

/**
 * Where in a template an error happened, as Django's `template_debug`: the DEBUG 500 page shows
 * the lines around it with the faulty tag highlighted.
 */
export interface TemplateDebugInfo {
  /** The template's origin: its file, or its name when it has no file. */
  readonly name: string;
  readonly message: string;
  /** 1-based line and column of the tag. */
  readonly line: number;
  readonly column: number;
  /** The lines shown, as `[number, text]`, from `top` to `bottom`. */
  readonly sourceLines: ReadonlyArray<readonly [number, string]>;
  /** The error line split around the tag. */
  readonly before: string;
  readonly during: string;
  readonly after: string;
  readonly top: number;
  readonly bottom: number;
  readonly total: number;
  /** Offsets of the tag in the source. */
  readonly start: number;
  readonly end: number;
}

/**
 * No configured loader found the template. The message lists every place tried, in order.
 *
 * @example
 * try { await renderToString('missing.html'); }
 * catch (error) { if (error instanceof TemplateDoesNotExist) console.log(error.tried); }
 */
export class TemplateDoesNotExist extends Error {
  override name = 'TemplateDoesNotExist';
  readonly templateName: string;
  readonly tried: readonly TriedOrigin[];
  /** The template that asked for this one (`{% include %}`, `{% extends %}`), with its line. */
  includedFrom: { file: string; line: number } | undefined;
  /** The engine that raised it (`TEMPLATES[].NAME`), once the backend has seen it. */
  backend: string | undefined;
  /** Set when it was raised while rendering: where in which template. */
  templateDebug: TemplateDebugInfo | undefined;

  constructor(templateName: string, tried: readonly TriedOrigin[] = [], includedFrom?: { file: string; line: number }) {
    super(describeMissing(templateName, tried, includedFrom));
    this.templateName = templateName;
    this.tried = tried;
    this.includedFrom = includedFrom;
  }

  /** Notes the template and line that asked for the missing one; the message says it. */
  askedFrom(file: string, line: number): void {
    this.includedFrom = { file, line };
    this.message = describeMissing(this.templateName, this.tried, this.includedFrom);
  }
}

function describeMissing(name: string, tried: readonly TriedOrigin[], from?: { file: string; line: number }): string {
  const where = from ? ` (asked for by ${from.file}, line ${from.line})` : '';
  if (tried.length === 0) {
    return (
      `The template "${name}" was not found${where}: no template directory is configured. ` +
      `Add a directory to DIRS in the TEMPLATES setting, or set APP_DIRS to true and put the template in an app's templates/ folder.`
    );
  }
  const list = tried.map((t) => `${t.path} (${t.reason})`).join(', ');
  return (
    `The template "${name}" was not found${where}. Tried: ${list}. ` +
    `Create the file in one of these directories, or correct the name.`
  );
}

/**
 * A template could not be parsed (or a tag found its arguments wrong while rendering). Tags
 * throw it with Django's reason alone; the parser then adds where: `templateName`, `file`,
 * `line`, `column`, and `source`, the lines around the fault.
 *
 * @example
 * throw new TemplateSyntaxError("'greet' takes one argument.");
 */
export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
  /** Django's description of the fault, without the position. */
  readonly reason: string;
  templateName: string | undefined;
  file: string | undefined;
  line: number | undefined;
  column: number | undefined;
  /** The lines around the fault, the faulty one marked (empty until located). */
  source = '';
  templateDebug: TemplateDebugInfo | undefined;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/**
 * A variable could not be resolved (Django's `VariableDoesNotExist`). Raised by a filter
 * argument that names a missing variable; a missing variable printed or tested is not an error.
 */
export class VariableDoesNotExist extends Error {
  override name = 'VariableDoesNotExist';
  readonly params: readonly unknown[];
  constructor(message: string, params: readonly unknown[] = []) {
    super(message);
    this.params = params;
  }
}

/** A `{% load %}` library module that cannot be used (Django's `InvalidTemplateLibrary`). */
export class InvalidTemplateLibrary extends Error {
  override name = 'InvalidTemplateLibrary';
}
