/**
 * `{% load static %}`, as Django's `django.templatetags.static`: `{% static 'css/site.css' %}`
 * (the file's URL from the static files storage: hashed with the manifest storage),
 * `{% get_static_prefix %}` and `{% get_media_prefix %}`, each with `as name`.
 */
import { fromSettings, settings } from '../conf/index.ts';
import type * as Storage from '../staticfiles/storage.ts';
import type * as Urls from '../urls/index.ts';
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
const urls = lazyModule<typeof Urls>(import.meta.url, '../urls/index');

/** The URL of the static file `path` (Django's `static()`). */
export function staticUrl(path: unknown): string {
  return storage().staticUrl(String(path));
}

const debugSetting = fromSettings(() => Boolean(settings.DEBUG));
const MEMO_LIMIT = 512;

interface Remembered {
  url: string;
  prefix: string;
  debug: boolean;
  hashed: unknown;
}

const memos = new WeakMap<object, Map<string, Remembered>>();

interface Api {
  staticfilesStorage: typeof Storage.staticfilesStorage;
  StaticFilesStorage: typeof Storage.StaticFilesStorage;
  ManifestStaticFilesStorage: typeof Storage.ManifestStaticFilesStorage;
  getScriptPrefix: typeof Urls.getScriptPrefix;
}
let bound: Api | undefined;
// Taken off the modules' namespaces once: a namespace's properties are slow to read on every tag.
function api(): Api {
  if (bound === undefined) {
    const { staticfilesStorage, StaticFilesStorage, ManifestStaticFilesStorage } = storage();
    bound = {
      staticfilesStorage,
      StaticFilesStorage,
      ManifestStaticFilesStorage,
      getScriptPrefix: urls().getScriptPrefix,
    };
  }
  return bound;
}

/**
 * `{% static %}`'s URL, remembered per storage for tsgi's own storages, whose answer depends only
 * on the name, DEBUG, the script prefix and the manifest (a new map after reload()): building it
 * cost ~2.5 µs a tag (the manifest lookup, the base URL from the settings, the encoding). Another
 * storage class is asked every time, as Django does.
 */
function rememberedStaticUrl(path: unknown): string {
  const name = String(path);
  const { staticfilesStorage, StaticFilesStorage, ManifestStaticFilesStorage, getScriptPrefix } = api();
  const current = staticfilesStorage();
  const kind = current.constructor;
  if (kind !== StaticFilesStorage && kind !== ManifestStaticFilesStorage) return current.url(name);
  const prefix = getScriptPrefix();
  const debug = debugSetting();
  const hashed =
    kind === ManifestStaticFilesStorage
      ? (current as InstanceType<typeof ManifestStaticFilesStorage>).hashedFiles
      : undefined;
  let memo = memos.get(current);
  if (memo === undefined) memos.set(current, (memo = new Map()));
  const known = memo.get(name);
  if (known !== undefined && known.prefix === prefix && known.debug === debug && known.hashed === hashed)
    return known.url;
  const url = current.url(name);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(name, { url, prefix, debug, hashed });
  return url;
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
    g.line(`const ${url} = ${g.constant(rememberedStaticUrl)}(${path});`);
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
