/**
 * `startproject` and `startapp`: render a template folder into a new project or app, as Django's
 * `TemplateCommand`. Files ending in `-tpl` have `{{ name }}` placeholders filled and the suffix
 * dropped; a folder named `project_name`/`app_name` takes the new name.
 */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError } from './base.ts';

// The package's root through its own name, so the compiled build (dist/) finds the template folders
// the sources keep beside this file.
const PACKAGE_ROOT = path.dirname(fileURLToPath(import.meta.resolve('tsgi/package.json')));
const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'src/core/management/templates');
const SECRET_KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)';
const RESERVED = new Set(['tsgi', 'test', 'node_modules', 'static', 'templates', 'media']);

/** A fresh development secret key, marked insecure so `check --deploy` flags it (security.W009). */
export function getRandomSecretKey(): string {
  let key = '';
  for (let i = 0; i < 50; i++) key += SECRET_KEY_CHARS[randomInt(SECRET_KEY_CHARS.length)];
  return `tsgi-insecure-${key}`;
}

/** Refuses names that cannot be a module folder or would shadow something, with the reason. */
export function validateName(name: string | undefined, kind: 'project' | 'app'): asserts name is string {
  const article = kind === 'app' ? 'an' : 'a';
  if (!name) throw new CommandError(`You must provide ${article} ${kind} name.`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new CommandError(
      `'${name}' is not a valid ${kind} name. Please make sure the name is a valid identifier: letters, digits and underscores, not starting with a digit.`,
    );
  }
  if (isBuiltin(name) || RESERVED.has(name)) {
    throw new CommandError(
      `'${name}' conflicts with the name of an existing module and cannot be used as ${article} ${kind} name. Please try another name.`,
    );
  }
}

interface PackageJson {
  version: string;
  devDependencies?: Record<string, string>;
}

const packageJson = (): PackageJson =>
  JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;

/** The dependency a new project declares on tsgi: this checkout when run from source, else the version. */
export function tsgiDependency(): string {
  const root = PACKAGE_ROOT;
  return root.split(path.sep).includes('node_modules') ? `^${packageJson().version}` : `file:${root}`;
}

/**
 * The versions of TypeScript and Node's types a new project type-checks with: the ones tsgi itself
 * is checked with (its devDependencies), so that the project's `npm run typecheck` reads tsgi's
 * declarations with the compiler they were written for.
 */
function typingVersions(): Record<string, string> {
  const dev = packageJson().devDependencies ?? {};
  return { typescript_version: dev['typescript'] ?? '^6.0.0', types_node_version: dev['@types/node'] ?? '^24.0.0' };
}

const camelCase = (name: string) =>
  name
    .split('_')
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');

/**
 * Renders the `project` or `app` template for `name` into `target` (default: a new folder
 * `./name`). Returns the files written, relative to the top folder.
 */
export function renderTemplate(
  kind: 'project' | 'app',
  name: string | undefined,
  target?: string,
  extra: Record<string, string> = {},
  overlay?: string,
): { top: string; files: string[] } {
  validateName(name, kind);
  let top: string;
  if (target === undefined) {
    top = path.resolve(name);
    if (existsSync(top))
      throw new CommandError(
        `'${top}' already exists. Choose another ${kind} name, or give an existing empty folder as the destination.`,
      );
    mkdirSync(top);
  } else {
    top = path.resolve(target);
    if (!existsSync(top) || !statSync(top).isDirectory()) {
      throw new CommandError(`Destination directory '${top}' does not exist, please create it first.`);
    }
  }
  const context: Record<string, string> = {
    [`${kind}_name`]: name,
    [`camel_case_${kind}_name`]: camelCase(name),
    secret_key: kind === 'project' ? getRandomSecretKey() : '',
    tsgi_dependency: tsgiDependency(),
    ...(kind === 'project' ? typingVersions() : {}),
    ...extra,
  };
  // The kind's folder, then `overlay`'s (startapp --crud), whose files replace those of the same name.
  const plan: Array<{ from: string; to: string; render: boolean }> = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const outName = entry.name
        .replace(/^project_name$|^app_name$/, name)
        .replace(/^model_name(?=_)/, context.model_name ?? 'model_name')
        .replace(/^(gitignore|npmrc)-tpl$/, '.$1-tpl'); // npm pack would drop (or rename) the dotfiles
      const from = path.join(dir, entry.name);
      const to = path.join(rel, outName);
      if (entry.isDirectory()) walk(from, to);
      else if (entry.name !== '.gitkeep') {
        const item = { from, to: to.replace(/-tpl$/, ''), render: entry.name.endsWith('-tpl') };
        const same = plan.findIndex((p) => p.to === item.to);
        if (same >= 0) plan[same] = item;
        else plan.push(item);
      } else plan.push({ from, to: path.dirname(to), render: false });
    }
  };
  walk(path.join(TEMPLATES_DIR, kind), '');
  if (overlay !== undefined) walk(path.join(TEMPLATES_DIR, overlay), '');
  // Refuse before writing anything, so a failed run leaves no half project behind.
  const clashes = plan.filter((p) => p.from.endsWith('.gitkeep') === false && existsSync(path.join(top, p.to)));
  if (clashes.length) {
    throw new CommandError(
      `${path.join(top, clashes[0].to)} already exists. Overlaying ${kind === 'app' ? 'an app' : 'a project'} into an existing directory won't replace conflicting files; remove them or choose another destination.`,
    );
  }
  const files: string[] = [];
  for (const item of plan) {
    const out = path.join(top, item.to);
    if (item.from.endsWith('.gitkeep')) {
      mkdirSync(out, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(out), { recursive: true });
    const content = readFileSync(item.from, 'utf8');
    writeFileSync(
      out,
      item.render ? content.replace(/\{\{ (\w+) \}\}/g, (m, key: string) => context[key] ?? m) : content,
    );
    if (item.to === 'manage.ts') chmodSync(out, 0o755);
    files.push(item.to);
  }
  return { top, files };
}
