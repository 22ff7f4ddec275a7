/**
 * Every module reference of src/, read with the TypeScript parser: static imports and re-exports
 * (`import type` and `export type` marked as types only), `import('...')` (a template literal
 * counts by its text up to the first `${`, as in `import(\`../server/cli${OWN_EXTENSION}\`)`),
 * `typeof import('...')` types, `require('...')` (also `createRequire(url)('...')`),
 * `lazyModule(import.meta.url, '...')`, and `new URL('./x.ts', import.meta.url)` (a module
 * started or imported by its URL).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export type ImportKind = 'static' | 'type' | 'dynamic' | 'require' | 'lazy' | 'url';

export interface ModuleReference {
  /** The importing file, relative to src/ (`http/request.ts`). */
  from: string;
  line: number;
  kind: ImportKind;
  /** The specifier as written (up to the first `${` of a template literal). */
  specifier: string;
  /** For a relative specifier: the module it names, relative to src/ and without extension. */
  target?: string;
}

/** An `import()` or `require()` whose specifier is not written in the source (a user's module). */
export interface ComputedReference {
  from: string;
  line: number;
  text: string;
}

export const SRC = path.resolve(import.meta.dirname, '../../src');

/** The TypeScript files under `dir`, relative to it, sorted. */
export function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.posix.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** The module a relative specifier names, relative to `root`, without extension (`index` for a folder). */
function resolveTarget(root: string, fromFile: string, specifier: string): string {
  const absolute = path.resolve(path.dirname(path.join(root, fromFile)), specifier);
  let target = path.relative(root, absolute).split(path.sep).join('/');
  target = target.replace(/\.(ts|mts|js|mjs)$/, '');
  try {
    if (statSync(path.join(root, target)).isDirectory()) target += '/index';
  } catch {
    // Not a folder: a module named without its extension.
  }
  return target;
}

/** The literal text of a specifier argument, or undefined when it is computed. */
function literalText(node: ts.Node | undefined): string[] | undefined {
  if (node === undefined) return undefined;
  if (ts.isStringLiteralLike(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return node.head.text === '' ? undefined : [node.head.text];
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression);
  if (ts.isConditionalExpression(node)) {
    const a = literalText(node.whenTrue);
    const b = literalText(node.whenFalse);
    return a && b ? [...a, ...b] : undefined;
  }
  return undefined;
}

function isImportMetaUrl(node: ts.Node | undefined): boolean {
  return (
    node !== undefined &&
    ts.isPropertyAccessExpression(node) &&
    ts.isMetaProperty(node.expression) &&
    node.expression.keywordToken === ts.SyntaxKind.ImportKeyword &&
    node.name.text === 'url'
  );
}

function isRequire(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  return (
    ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'createRequire'
  );
}

/** The module references of one file (relative to `root`), and the imports it computes. */
export function referencesOf(
  file: string,
  root = SRC,
): { references: ModuleReference[]; computed: ComputedReference[] } {
  const text = readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const references: ModuleReference[] = [];
  const computed: ComputedReference[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const add = (node: ts.Node, kind: ImportKind, specifiers: string[]) => {
    for (const specifier of specifiers) {
      const reference: ModuleReference = { from: file, line: lineOf(node), kind, specifier };
      if (specifier.startsWith('.')) reference.target = resolveTarget(root, file, specifier);
      references.push(reference);
    }
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
      add(node, typeOnly ? 'type' : 'static', literalText(node.moduleSpecifier) ?? []);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(node, 'type', literalText(argument.literal) ?? []);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      let kind: ImportKind | undefined;
      let argument: ts.Node | undefined;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) [kind, argument] = ['dynamic', node.arguments[0]];
      else if (isRequire(callee)) [kind, argument] = ['require', node.arguments[0]];
      else if (ts.isIdentifier(callee) && callee.text === 'lazyModule') [kind, argument] = ['lazy', node.arguments[1]];
      if (kind !== undefined) {
        const specifiers = literalText(argument);
        if (specifiers === undefined) {
          computed.push({ from: file, line: lineOf(node), text: node.getText(source).replace(/\s+/g, ' ') });
        } else {
          add(node, kind, specifiers);
        }
      }
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [first, second] = node.arguments ?? [];
      const specifiers = literalText(first);
      if (
        specifiers !== undefined &&
        isImportMetaUrl(second) &&
        specifiers.every((s) => /^\.\.?\/.*\.(ts|js)$/.test(s))
      ) {
        add(node, 'url', specifiers);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { references, computed };
}

/** Every module reference of every file under `root`. */
export function importGraph(root = SRC): { references: ModuleReference[]; computed: ComputedReference[] } {
  const references: ModuleReference[] = [];
  const computed: ComputedReference[] = [];
  for (const file of sourceFiles(root)) {
    const found = referencesOf(file, root);
    references.push(...found.references);
    computed.push(...found.computed);
  }
  return { references, computed };
}
