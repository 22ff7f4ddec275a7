/**
 * The import rules of docs/architecture.md, checked on every import of src/: the gateway imports
 * nothing of ours, the server only the gateway, the framework never the server (but for the
 * `serve` command's dynamic load), utils/ nothing of the framework, and each unit only the units
 * test/architecture/layers.ts allows it, all of them below it, so the units import in one
 * direction and never in a circle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importGraph, sourceFiles, type ModuleReference } from './import-graph.ts';
import { ARCHITECTURE_DOC, SERVE_IMPORT, UNITS, withImportTable } from './layers.ts';

const { references, computed } = importGraph();
const unitNames = UNITS.map((u) => u.name);

/** The unit a module (relative to src/, with or without extension) belongs to: the longest that contains it. */
function unitOf(module: string): string | undefined {
  const bare = module.replace(/\.(ts|mts)$/, '');
  let best: string | undefined;
  for (const name of unitNames) {
    if ((bare === name || bare.startsWith(name + '/')) && name.length > (best?.length ?? -1)) best = name;
  }
  return best;
}

const where = (r: ModuleReference) =>
  `src/${r.from}:${r.line} ${r.kind === 'static' ? 'imports' : `imports (${r.kind})`} '${r.specifier}'`;
const FIX =
  'Move the code to the unit it belongs to; if the layering itself changes, change test/architecture/layers.ts ' +
  'and run `npm run docs:architecture`.';

/** The references of ours (relative specifiers) that cross from one unit to another. */
const crossings = references
  .filter((r) => r.target !== undefined)
  .map((r) => ({ ...r, fromUnit: unitOf(r.from), toUnit: unitOf(r.target!) }))
  .filter((r) => r.fromUnit !== r.toUnit);

const FRAMEWORK = unitNames.filter((u) => u !== 'gateway' && u !== 'server');

test('every module of src/ belongs to a unit of test/architecture/layers.ts', () => {
  const orphans = sourceFiles().filter((file) => unitOf(file) === undefined);
  assert.deepEqual(orphans, [], `add a unit for these modules to test/architecture/layers.ts: ${orphans.join(', ')}`);
  const unknownTargets = references.filter((r) => r.target !== undefined && unitOf(r.target) === undefined);
  assert.deepEqual(unknownTargets.map(where), [], 'these imports name no module of src/');
});

test('src/gateway imports nothing of ours and no npm package', () => {
  const bad = references.filter(
    (r) =>
      unitOf(r.from) === 'gateway' &&
      (r.target !== undefined ? unitOf(r.target) !== 'gateway' : !r.specifier.startsWith('node:')),
  );
  assert.deepEqual(bad.map(where), [], 'the gateway is what the server and the framework share: it depends on neither');
});

test('src/server imports only src/gateway and no npm package', () => {
  const bad = references.filter(
    (r) =>
      unitOf(r.from) === 'server' &&
      (r.target !== undefined
        ? !['server', 'gateway'].includes(unitOf(r.target)!)
        : !/^node:|^tsgi\/package\.json$/.test(r.specifier)),
  );
  assert.deepEqual(bad.map(where), [], 'the server runs any application through the gateway: it knows no framework');
});

test("the framework never imports src/server, but for the serve command's dynamic load", () => {
  const intoServer = crossings.filter((r) => r.toUnit === 'server' && FRAMEWORK.includes(r.fromUnit!));
  assert.deepEqual(
    intoServer.map((r) => `${r.from} -> ${r.target} (${r.kind})`),
    [`${SERVE_IMPORT.from} -> ${SERVE_IMPORT.to} (dynamic)`],
    'the framework talks to servers through the gateway only; `manage.ts serve` loads the server when it runs',
  );
});

test('src/utils imports nothing of the framework', () => {
  const bad = crossings.filter((r) => r.fromUnit === 'utils');
  assert.deepEqual(
    bad.map(where),
    [],
    'utils/ is a leaf: a helper that needs settings, requests or responses belongs above it',
  );
});

test('src/ imports its own modules by path, never by the package name', () => {
  // A source module importing 'tsgi/...' gets the compiled copy (dist/) next to the sources: two frameworks.
  const bad = references.filter((r) => r.specifier.startsWith('tsgi/') && r.specifier !== 'tsgi/package.json');
  assert.deepEqual(bad.map(where), []);
});

test('every import between units is one that test/architecture/layers.ts allows', () => {
  const byName = new Map(UNITS.map((u) => [u.name, u]));
  const violations = crossings
    .filter((r) => {
      const unit = byName.get(r.fromUnit!)!;
      if (unit.imports.includes(r.toUnit!)) return false;
      if (r.kind === 'type' && unit.typeImports?.includes(r.toUnit!)) return false;
      return !(r.from === SERVE_IMPORT.from && r.target === SERVE_IMPORT.to && r.kind === 'dynamic');
    })
    .map((r) => `${where(r)}: ${r.fromUnit} may not import ${r.toUnit}.`);
  assert.deepEqual(violations, [], FIX);
});

test('the units are listed from the bottom up: each imports only units listed before it', () => {
  const seen = new Set<string>();
  const upward: string[] = [];
  for (const unit of UNITS) {
    for (const name of unit.imports) {
      if (!unitNames.includes(name)) upward.push(`${unit.name} allows '${name}', which is not a unit`);
      else if (!seen.has(name)) upward.push(`${unit.name} may import ${name}, listed after it`);
    }
    for (const name of unit.typeImports ?? []) {
      if (seen.has(name))
        upward.push(`${unit.name} lists ${name} under typeImports, but it is below: move it to imports`);
    }
    seen.add(unit.name);
  }
  assert.deepEqual(upward, [], 'an import up the list would close a circle');
});

test('every import the list allows is made: the list and its table say what the code does', () => {
  const used = new Set(crossings.map((r) => `${r.fromUnit} -> ${r.toUnit}${r.kind === 'type' ? ' (type)' : ''}`));
  const usedAtAll = new Set(crossings.map((r) => `${r.fromUnit} -> ${r.toUnit}`));
  const stale: string[] = [];
  for (const unit of UNITS) {
    for (const name of unit.imports)
      if (!usedAtAll.has(`${unit.name} -> ${name}`)) stale.push(`${unit.name} -> ${name}`);
    for (const name of unit.typeImports ?? []) {
      if (!used.has(`${unit.name} -> ${name} (type)`)) stale.push(`${unit.name} -> ${name} (types)`);
    }
  }
  assert.deepEqual(stale, [], 'remove these from test/architecture/layers.ts and run `npm run docs:architecture`');
});

test('the imports the parser cannot read are the known ones: modules of the user, by path', () => {
  // A computed import() or require() could name anything; these load a user's file.
  const known = [
    'core/management/index.ts', // an installed app's command module
    'db/migrations/loader.ts', // an installed app's migration files
    'server/config.ts', // the config file (tsgi.config.ts)
    'server/loader.ts', // the application module, and gateway/fetch named by new URL() above it
    'utils/module-loading.ts', // lazyModule() itself: the specifiers of its calls are read
  ];
  assert.deepEqual(
    [...new Set(computed.map((c) => c.from))].sort(),
    known,
    `computed imports: ${computed.map((c) => `src/${c.from}:${c.line} ${c.text}`).join('; ')}`,
  );
});

test("docs/architecture.md's import table is generated from the list", () => {
  const doc = readFileSync(ARCHITECTURE_DOC, 'utf8');
  assert.equal(doc, withImportTable(doc), 'docs/architecture.md is stale: run `npm run docs:architecture`');
});
