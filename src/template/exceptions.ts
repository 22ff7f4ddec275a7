/**
 * The template layer's errors, named as Django's `django.template.exceptions`. Both carry enough
 * to point at the fault: the paths tried for a missing template, the file and line of bad syntax.
 */

/** One place a loader looked for a template, and why it was not used. */
export interface TriedOrigin {
  /** The absolute path that was tried. */
  readonly path: string;
  /** Why it did not match: `'Source does not exist'`, `'Outside the template directory'`. */
  readonly reason: string;
}

/**
 * No configured loader found the template. The message lists every path tried, in order.
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
  readonly includedFrom: { file: string; line: number } | undefined;

  constructor(templateName: string, tried: readonly TriedOrigin[], includedFrom?: { file: string; line: number }) {
    super(describeMissing(templateName, tried, includedFrom));
    this.templateName = templateName;
    this.tried = tried;
    this.includedFrom = includedFrom;
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
 * A template could not be parsed. `file`, `line` and `column` point at the faulty tag; `source`
 * shows the lines around it (the DEBUG error page prints it).
 */
export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
  readonly templateName: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The engine's own description of the fault, without the position. */
  readonly reason: string;
  readonly source: string;

  constructor(opts: {
    templateName: string;
    file: string;
    line: number;
    column: number;
    reason: string;
    source?: string;
  }) {
    super(`Invalid template syntax in ${opts.file}, line ${opts.line}, column ${opts.column}: ${opts.reason}.`);
    this.templateName = opts.templateName;
    this.file = opts.file;
    this.line = opts.line;
    this.column = opts.column;
    this.reason = opts.reason;
    this.source = opts.source ?? '';
  }
}
