/**
 * Every subpath of package.json "exports" resolves and loads, from the sources (the
 * `tsgi-source` condition this suite runs under) and from the build a project runs (`default`,
 * in a child process without the condition), so moving a module cannot silently break an import
 * path. A `*` subpath is checked for every module it matches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(import.meta.dirname, '../..');
type Targets = { 'tsgi-source': string; types: string; default: string };
const exportsMap = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | Targets> }
).exports;

/** Each exported subpath (`./utils/*` expanded) with its three targets. */
function subpaths(): Array<[string, Targets]> {
  const out: Array<[string, Targets]> = [];
  for (const [key, value] of Object.entries(exportsMap)) {
    if (typeof value === 'string') continue; // ./package.json
    if (!key.includes('*')) {
      out.push([key, value]);
      continue;
    }
    const [dir, suffix] = value['tsgi-source'].split('*') as [string, string];
    for (const file of readdirSync(path.join(root, dir))) {
      if (!file.endsWith(suffix)) continue;
      const name = file.slice(0, -suffix.length);
      const expand = (target: string) => target.replace('*', name);
      out.push([
        key.replace('*', name),
        { 'tsgi-source': expand(value['tsgi-source']), types: expand(value.types), default: expand(value.default) },
      ]);
    }
  }
  return out;
}

const all = subpaths();

test('each subpath resolves to its source, and its build files exist', () => {
  assert.ok(all.length > 30, `only ${all.length} subpaths found`);
  for (const [subpath, targets] of all) {
    const specifier = 'tsgi' + subpath.slice(1);
    assert.equal(fileURLToPath(import.meta.resolve(specifier)), path.join(root, targets['tsgi-source']), specifier);
    for (const condition of ['tsgi-source', 'types', 'default'] as const) {
      assert.ok(
        existsSync(path.join(root, targets[condition])),
        `${specifier} (${condition}): ${targets[condition]} is missing`,
      );
    }
  }
});

test('each subpath loads from the sources', async () => {
  for (const [subpath] of all) await import('tsgi' + subpath.slice(1));
});

test('each subpath loads from the build, as a project imports it', () => {
  const specifiers = all.map(([subpath]) => 'tsgi' + subpath.slice(1));
  const script = `for (const s of ${JSON.stringify(specifiers)}) { const r = import.meta.resolve(s); if (!r.includes('/dist/')) throw new Error(s + ' resolved to ' + r); await import(s); } console.log('ok');`;
  const env = { ...process.env, NODE_OPTIONS: '' };
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  assert.equal(out.trim(), 'ok');
});
