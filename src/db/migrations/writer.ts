/**
 * The migration writer, as Django's `MigrationWriter` and serializer: a Migration as the source
 * of a TypeScript module (docs/migrations.md), with the imports it needs, laid out as Prettier
 * lays it out with tsgi's settings (printWidth 120, single quotes, trailing commas), so that
 * `prettier --check` passes on what `makemigrations` writes.
 *
 * Values a migration can hold: text, numbers, bigints, booleans, null, lists and plain objects,
 * `Decimal`, Temporal values, fields, indexes, constraints, `onDelete` handlers, operations, and
 * functions exported by a module (a field's `default`, RunCode's code): the writer imports them
 * from it. Anything else is refused with a sentence naming it.
 */
import path from 'node:path';
import { apps } from '../../apps/registry.ts';
import { resolveModule } from '../../utils/module-loading.ts';
import * as timezone from '../../utils/timezone.ts';
import { Decimal } from '../../utils/decimal.ts';
import type { AnyField } from '../models/fields/base.ts';
import { builtinFieldName, deconstructField } from './deconstruct.ts';
import { SwappableDependency, type Migration } from './migration.ts';
import { Operation } from './operations/base.ts';
import { RunCode } from './operations/special.ts';

const WIDTH = 120;
const MIGRATIONS_MODULE = 'tsgi/db/migrations';
const MODELS_MODULE = 'tsgi/db/models';

/** A value that cannot go in a migration file. */
export class SerializationError extends Error {
  override name = 'SerializationError';
}

/** A piece of source: literal text, an object, an array, or a call (`new X(...)`, `f(...)`). */
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'object'; entries: Array<[key: string, value: Node]>; expanded: boolean }
  | { kind: 'array'; items: Node[] }
  | { kind: 'call'; callee: string; args: Node[] };

const text = (value: string): Node => ({ kind: 'text', text: value });

/** A string literal as Prettier writes it with singleQuote: the quote needing fewer escapes. */
export function quote(value: string): string {
  const singles = (value.match(/'/g) ?? []).length;
  const doubles = (value.match(/"/g) ?? []).length;
  const q = singles > doubles ? '"' : "'";
  let out = '';
  for (const char of value) {
    if (char === '\\') out += '\\\\';
    else if (char === q) out += `\\${q}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\u2028' || char === '\u2029' || (char < ' ' && char !== '\t')) {
      out += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += char;
  }
  return `${q}${out}${q}`;
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name);
}

/** The one-line form of a node, or undefined when it must break (an expanded object inside). */
function flat(node: Node): string | undefined {
  switch (node.kind) {
    case 'text':
      return node.text;
    case 'object': {
      if (node.expanded) return undefined;
      if (node.entries.length === 0) return '{}';
      const parts: string[] = [];
      for (const [k, v] of node.entries) {
        const value = flat(v);
        if (value === undefined) return undefined;
        parts.push(`${key(k)}: ${value}`);
      }
      return `{ ${parts.join(', ')} }`;
    }
    case 'array': {
      if (arrayMustBreak(node)) return undefined;
      const parts: string[] = [];
      for (const item of node.items) {
        const value = flat(item);
        if (value === undefined) return undefined;
        parts.push(value);
      }
      return `[${parts.join(', ')}]`;
    }
    case 'call': {
      const parts: string[] = [];
      for (const arg of node.args) {
        const value = flat(arg);
        if (value === undefined) return undefined;
        parts.push(value);
      }
      return `${node.callee}(${parts.join(', ')})`;
    }
  }
}

/** Prettier breaks an array of several objects (or arrays) that each hold more than one entry. */
function arrayMustBreak(node: Extract<Node, { kind: 'array' }>): boolean {
  if (node.items.length < 2) return false;
  const first = node.items[0]!.kind;
  return node.items.every(
    (item) =>
      item.kind === first &&
      ((item.kind === 'object' && item.entries.length > 1) || (item.kind === 'array' && item.items.length > 1)),
  );
}

/**
 * Prints a node starting at column `column` on a line indented by `indent`, followed on its
 * last line by `rest` characters (a comma, a parenthesis).
 */
function print(node: Node, indent: number, column: number, rest: number): string {
  const one = flat(node);
  if (one !== undefined && column + one.length + rest <= WIDTH) return one;
  const pad = ' '.repeat(indent + 2);
  const end = ' '.repeat(indent);
  switch (node.kind) {
    case 'text':
      return node.text;
    case 'object': {
      if (node.entries.length === 0) return '{}';
      const lines = node.entries.map(([k, v]) => {
        const head = `${key(k)}: `;
        return `${pad}${head}${print(v, indent + 2, indent + 2 + head.length, 1)},`;
      });
      return `{\n${lines.join('\n')}\n${end}}`;
    }
    case 'array': {
      if (node.items.length === 0) return '[]';
      const lines = node.items.map((item) => `${pad}${print(item, indent + 2, indent + 2, 1)},`);
      return `[\n${lines.join('\n')}\n${end}]`;
    }
    case 'call': {
      const last = node.args[node.args.length - 1];
      if (last !== undefined && (last.kind === 'object' || last.kind === 'array')) {
        // The last argument hugs the call when the others fit before it on the first line.
        const others = node.args.slice(0, -1).map(flat);
        if (others.every((o) => o !== undefined)) {
          const head = `${node.callee}(${others.map((o) => `${o}, `).join('')}`;
          if (column + head.length + 1 <= WIDTH && (last.kind !== 'array' || last.items.length > 0)) {
            return `${head}${printBroken(last, indent)})`;
          }
        }
      }
      const lines = node.args.map((arg) => `${pad}${print(arg, indent + 2, indent + 2, 1)},`);
      return `${node.callee}(\n${lines.join('\n')}\n${end})`;
    }
  }
}

/** An object or array printed broken (hugged by a call). */
function printBroken(node: Node, indent: number): string {
  const pad = ' '.repeat(indent + 2);
  const end = ' '.repeat(indent);
  if (node.kind === 'object') {
    if (node.entries.length === 0) return '{}';
    const lines = node.entries.map(([k, v]) => {
      const head = `${key(k)}: `;
      return `${pad}${head}${print(v, indent + 2, indent + 2 + head.length, 1)},`;
    });
    return `{\n${lines.join('\n')}\n${end}}`;
  }
  if (node.kind === 'array') {
    const lines = node.items.map((item) => `${pad}${print(item, indent + 2, indent + 2, 1)},`);
    return `[\n${lines.join('\n')}\n${end}]`;
  }
  return print(node, indent, indent, 0);
}

/** Where the writer finds the functions a migration names. */
interface FunctionRef {
  module: string;
  name: string;
}

/** The functions of tsgi a migration may name, by identity. */
const KNOWN_FUNCTIONS = new Map<unknown, FunctionRef>([[timezone.now, { module: 'tsgi/utils/timezone', name: 'now' }]]);

/** Turns values into source, collecting the imports they need. */
class Serializer {
  readonly imports = new Map<string, Set<string>>();
  readonly #folder: string;

  constructor(folder: string) {
    this.#folder = folder;
  }

  use(module: string, name: string): string {
    const names = this.imports.get(module) ?? new Set<string>();
    names.add(name);
    this.imports.set(module, names);
    return name;
  }

  /** A function exported by a module of an installed app (or a known one of tsgi). */
  functionRef(fn: unknown, what: string): string {
    const known = KNOWN_FUNCTIONS.get(fn);
    if (known !== undefined) return this.use(known.module, known.name);
    if (fn === RunCode.noop) return `${this.use(MIGRATIONS_MODULE, 'RunCode')}.noop`;
    if (apps.appsReady) {
      for (const config of apps.getAppConfigs()) {
        for (const [moduleName, exports] of [
          [`${config.name}.models`, config.modelsModule],
          [config.name, config.module],
        ] as const) {
          if (exports === undefined) continue;
          for (const [name, value] of Object.entries(exports)) {
            if (value !== fn) continue;
            let file: string;
            try {
              file = resolveModule(moduleName);
            } catch {
              continue;
            }
            let relative = path.relative(this.#folder, file).split(path.sep).join('/');
            if (!relative.startsWith('.')) relative = `./${relative}`;
            return this.use(relative, name);
          }
        }
      }
    }
    const name = (fn as { name?: string }).name || 'an anonymous function';
    throw new SerializationError(
      `Cannot write ${what} (${name}) into a migration: a migration can only name a function exported by a module ` +
        `(export function ${/^[A-Za-z_$][\w$]*$/.test(name) ? name : 'makeDefault'}() { ... } from the app's models.ts), as Django needs a module-level function.`,
    );
  }

  value(value: unknown, what: string): Node {
    if (value === null || value === undefined) return text('null');
    if (typeof value === 'string') return text(quote(value));
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return text(Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity');
      return text(Object.is(value, -0) ? '-0' : String(value));
    }
    if (typeof value === 'bigint') return text(`${value}n`);
    if (typeof value === 'boolean') return text(String(value));
    if (typeof value === 'function') {
      const onDelete = (value as { onDeleteName?: string }).onDeleteName;
      if (onDelete === 'SET') {
        return {
          kind: 'call',
          callee: this.use(MODELS_MODULE, 'SET'),
          args: [this.value((value as { setValue?: unknown }).setValue, what)],
        };
      }
      if (onDelete !== undefined) return text(this.use(MODELS_MODULE, onDelete));
      return text(this.functionRef(value, what));
    }
    if (Array.isArray(value)) return { kind: 'array', items: value.map((v) => this.value(v, what)) };
    if (value instanceof SwappableDependency) {
      return {
        kind: 'call',
        callee: this.use(MIGRATIONS_MODULE, 'swappableDependency'),
        args: [text(quote(value.setting))],
      };
    }
    if (value instanceof Operation) return this.operation(value);
    if (value instanceof Decimal)
      return {
        kind: 'call',
        callee: `new ${this.use(MODELS_MODULE, 'Decimal')}`,
        args: [text(quote(value.toString()))],
      };
    if (value instanceof Uint8Array)
      return {
        kind: 'call',
        callee: 'Uint8Array.from',
        args: [{ kind: 'array', items: [...value].map((b) => text(String(b))) }],
      };
    if (typeof value === 'object') {
      const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? '';
      if (isField(value)) return this.field(value);
      if (kind === 'Index' || kind === 'UniqueConstraint' || kind === 'CheckConstraint') {
        return {
          kind: 'call',
          callee: `new ${this.use(MODELS_MODULE, kind)}`,
          args: [this.object(value as Record<string, unknown>, what)],
        };
      }
      const temporalKind = (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
      if (typeof temporalKind === 'string' && temporalKind.startsWith('Temporal.')) {
        return {
          kind: 'call',
          callee: `${this.use('tsgi/utils/temporal', 'temporal')}().${temporalKind.slice('Temporal.'.length)}.from`,
          args: [text(quote(String(value)))],
        };
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto === Object.prototype || proto === null) return this.object(value as Record<string, unknown>, what);
      throw new SerializationError(
        `Cannot write ${what} into a migration: ${kind || 'this object'} is not a value a migration can hold.`,
      );
    }
    throw new SerializationError(`Cannot write ${what} (${String(value)}) into a migration.`);
  }

  object(value: Record<string, unknown>, what: string, expanded = false): Node {
    const entries: Array<[string, Node]> = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) entries.push([k, this.value(v, `${what}.${k}`)]);
    return { kind: 'object', entries, expanded };
  }

  field(field: AnyField): Node {
    const declaration = deconstructField(field);
    const builtin = builtinFieldName(declaration.cls);
    const callee = `new ${builtin !== undefined ? this.use(MODELS_MODULE, builtin) : this.functionRef(declaration.cls, `the field class ${declaration.cls.name}`)}`;
    const args: Node[] = [];
    if (declaration.to !== undefined) {
      args.push(
        declaration.swappableSetting !== undefined
          ? {
              kind: 'call',
              callee: this.use(MIGRATIONS_MODULE, 'swappable'),
              args: [text(quote(declaration.swappableSetting))],
            }
          : text(quote(declaration.to)),
      );
    }
    if (Object.keys(declaration.options).length > 0) {
      args.push(this.object(declaration.options, `the option of ${String(field)}`));
    }
    return { kind: 'call', callee, args };
  }

  operation(operation: Operation): Node {
    const callee = `new ${this.use(MIGRATIONS_MODULE, operation.kind)}`;
    const entries: Array<[string, Node]> = [];
    for (const [k, v] of Object.entries(operation.args())) {
      if (v === undefined) continue;
      if (operation.kind === 'RunSQL' && v === '') {
        entries.push([k, text(`${this.use(MIGRATIONS_MODULE, 'RunSQL')}.noop`)]);
      } else if ((k === 'fields' || k === 'options') && v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const object = this.object(v as Record<string, unknown>, `${operation.kind}.${k}`, true);
        entries.push([k, object]);
      } else entries.push([k, this.value(v, `${operation.kind}.${k}`)]);
    }
    return { kind: 'call', callee, args: [{ kind: 'object', entries, expanded: true }] };
  }
}

function isField(value: object): value is AnyField {
  return typeof (value as { deconstruct?: unknown }).deconstruct === 'function' && 'internalType' in value;
}

/** An import statement, broken over lines when it is too long. */
function importLine(names: readonly string[], module: string): string {
  const one = `import { ${names.join(', ')} } from ${quote(module)};`;
  if (one.length <= WIDTH) return one;
  return `import {\n${names.map((n) => `  ${n},`).join('\n')}\n} from ${quote(module)};`;
}

/** Options of {@link writeMigration}. */
export interface WriteOptions {
  /** The folder the file goes in (imports of the app's modules are relative to it). */
  folder: string;
  /** The first line's comment (Django's "Generated by Django ... on ..."). */
  header?: string;
}

/**
 * The source of a migration file.
 *
 * @example
 * writeFileSync(file, writeMigration(migration, { folder: path.dirname(file) }));
 */
export function writeMigration(migration: Migration, options: WriteOptions): string {
  const serializer = new Serializer(options.folder);
  const spec: Array<[string, Node]> = [];
  if (migration.initial) spec.push(['initial', text('true')]);
  if (migration.replaces.length > 0) spec.push(['replaces', serializer.value(migration.replaces, 'replaces')]);
  if (!migration.atomic) spec.push(['atomic', text('false')]);
  spec.push(['dependencies', serializer.value(migration.dependencies, 'dependencies')]);
  spec.push(['operations', { kind: 'array', items: migration.operations.map((o) => serializer.operation(o)) }]);
  if (migration.runBefore.length > 0) spec.push(['runBefore', serializer.value(migration.runBefore, 'runBefore')]);
  const callee = `new ${serializer.use(MIGRATIONS_MODULE, 'Migration')}`;
  const body = print(
    { kind: 'call', callee, args: [{ kind: 'object', entries: spec, expanded: true }] },
    0,
    'export default '.length,
    1,
  );
  const modules = [...serializer.imports.keys()].sort((a, b) => {
    const local = (m: string) => (m.startsWith('.') ? 1 : 0);
    return local(a) - local(b) || a.localeCompare(b);
  });
  const lines: string[] = [];
  if (options.header !== undefined) lines.push(`// ${options.header}`);
  for (const module of modules) lines.push(importLine([...serializer.imports.get(module)!].sort(), module));
  return `${lines.join('\n')}\n\nexport default ${body};\n`;
}
