/**
 * `{% load static %}`, as Django's `django.templatetags.static`: `{% static 'css/site.css' %}`
 * (the file's URL from the static files storage: hashed with the manifest storage),
 * `{% get_static_prefix %}` and `{% get_media_prefix %}`, each with `as name`.
 */
import { fromSettings, settings } from '../conf/index.ts';
import type * as Storage from '../staticfiles/storage.ts';
import type { CodeGen } from '../template/compiler.ts';
import { TemplateSyntaxError } from '../template/exceptions.ts';
import type { Token } from '../template/lexer.ts';
import { Library } from '../template/library.ts';
import { Node } from '../template/nodes.ts';
import type { Parser } from '../template/parser.ts';
import type { FilterExpression } from '../template/variable.ts';
import { lazyModule } from '../utils/module-loading.ts';

// The storage module imports the checks and the settings machinery: loaded on the first use.
const storage = lazyModule<typeof Storage>(import.meta.url, '../staticfiles/storage');

/** The URL of the static file `path` (Django's `static()`). */
export function staticUrl(path: unknown): string {
  return storage().staticUrl(String(path));
}

const prefixes = fromSettings(() => ({
  STATIC_URL: String(settings.STATIC_URL ?? ''),
  MEDIA_URL: String(settings.MEDIA_URL ?? ''),
}));

/** `{% get_static_prefix %}` / `{% get_media_prefix %}`. */
export class PrefixNode extends Node {
  readonly name: 'STATIC_URL' | 'MEDIA_URL';
  readonly varname: string | undefined;

  constructor(name: 'STATIC_URL' | 'MEDIA_URL', varname?: string) {
    super();
    this.name = name;
    this.varname = varname;
    this.childNodelists = [];
  }

  override compile(g: CodeGen): void {
    const prefix = `${g.constant(prefixes)}().${this.name}`;
    if (this.varname !== undefined) g.line(`ctx.set(${JSON.stringify(this.varname)}, ${prefix});`);
    else g.write(`(ctx.autoescape ? E(${prefix}) : ${prefix})`);
  }
}

function prefixTag(name: 'STATIC_URL' | 'MEDIA_URL') {
  return (_parser: Parser, token: Token): Node => {
    const tokens = token.contents.split(/\s+/);
    if (tokens.length > 1 && tokens[1] !== 'as') {
      throw new TemplateSyntaxError(`First argument in '${tokens[0]}' must be 'as'`);
    }
    return new PrefixNode(name, tokens.length > 1 ? tokens[2] : undefined);
  };
}

/** `{% static path [as name] %}`. */
export class StaticNode extends Node {
  readonly path: FilterExpression;
  readonly varname: string | undefined;

  constructor(path: FilterExpression, varname?: string) {
    super();
    this.path = path;
    this.varname = varname;
    this.childNodelists = [];
  }

  override compile(g: CodeGen): void {
    const path = g.expression(this.path);
    const url = g.temp('u');
    g.line(`const ${url} = ${g.constant(staticUrl)}(${path});`);
    if (this.varname !== undefined) g.line(`ctx.set(${JSON.stringify(this.varname)}, ${url});`);
    else g.write(`(ctx.autoescape ? E(${url}) : ${url})`);
  }
}

/** Parses `{% static %}`. */
export function doStatic(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length < 2) throw new TemplateSyntaxError(`'${bits[0]}' takes at least one argument (path to file)`);
  const path = parser.compileFilter(bits[1]!);
  const varname = bits.length >= 2 && bits.at(-2) === 'as' ? bits.at(-1) : undefined;
  return new StaticNode(path, varname);
}

export const register = new Library();
register.tag('static', doStatic);
register.tag('get_static_prefix', prefixTag('STATIC_URL'));
register.tag('get_media_prefix', prefixTag('MEDIA_URL'));
