// URL dispatcher benchmark: a 1,000-pattern URLconf (static and converter routes, nested
// includes, namespaces), timed in-process: resolve() of the first vs the last pattern, and
// reverse() by name, in ns/op. The same URLconf is then timed under Django 3.2 (Debian's
// python3-django, run by /usr/bin/python3) when it is installed; that part is skipped otherwise.
//
//   node bench/urls.ts            (PATH=/work/main/node_modules/.bin:$PATH for Node 24)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { include, path as route, resolve, reverse } from '../src/urls/index.ts';
import type { UrlEntry } from '../src/urls/index.ts';

/** The URLconf, described once so that tsgi and Django build the very same patterns. */
export interface Spec {
  route: string;
  name?: string;
  include?: Spec[];
  appName?: string;
  namespace?: string;
}

function buildSpec(): Spec[] {
  const top: Spec[] = [{ route: 'first/<int:pk>/', name: 'first' }];
  // 400 static routes and 300 converter routes at the top level, interleaved by section.
  for (let i = 0; i < 100; i++) {
    top.push({ route: `section${i}/`, name: `section${i}` });
    top.push({ route: `section${i}/about/`, name: `section${i}-about` });
    top.push({ route: `section${i}/<int:pk>/`, name: `section${i}-detail` });
    top.push({ route: `section${i}/<int:pk>/<slug:slug>/`, name: `section${i}-slug` });
    top.push({ route: `section${i}/archive/<int:year>/`, name: `section${i}-archive` });
    top.push({ route: `section${i}/contact/`, name: `section${i}-contact` });
    top.push({ route: `section${i}/feed/`, name: `section${i}-feed` });
  }
  // 10 namespaced includes of 25 patterns each, one of them with a nested namespaced include.
  for (let k = 0; k < 10; k++) {
    const children: Spec[] = [];
    for (let j = 0; j < 8; j++) {
      children.push({ route: `res${j}/`, name: `res${j}-list` });
      children.push({ route: `res${j}/<int:pk>/`, name: `res${j}-detail` });
      children.push({ route: `res${j}/<uuid:id>/edit/`, name: `res${j}-edit` });
    }
    children.push({ route: 'health/', name: 'health' });
    top.push({ route: `api/v${k}/`, include: children, appName: 'api', namespace: `v${k}` });
  }
  // 48 more patterns under a two-level namespaced include, and the very last top-level pattern.
  const inner: Spec[] = [];
  for (let j = 0; j < 48; j++) inner.push({ route: `page${j}/<slug:slug>/`, name: `page${j}` });
  top.push({
    route: 'shop/',
    appName: 'shop',
    namespace: 'shop',
    include: [{ route: 'catalog/', appName: 'catalog', namespace: 'catalog', include: inner }],
  });
  top.push({ route: 'last/<int:pk>/', name: 'last' });
  return top;
}

function countPatterns(spec: Spec[]): number {
  return spec.reduce((n, s) => n + (s.include ? countPatterns(s.include) : 1), 0);
}

function build(spec: Spec[]): UrlEntry[] {
  const view = () => 'ok';
  return spec.map((s) =>
    s.include
      ? route(s.route, include([build(s.include), s.appName as string], { namespace: s.namespace }))
      : route(s.route, view, { name: s.name }),
  );
}

const ROUNDS = 15;
const ITERATIONS = 50_000;

/** ns/op of one round of `ITERATIONS` calls. */
function round(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) fn();
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

/**
 * The best round of each function (as Python's timeit advises: the minimum is the cost without
 * the machine's noise). Every function is warmed up first, and the rounds are interleaved, so
 * that JIT tiers and a busy machine weigh on all probes alike.
 */
function timeAll(fns: Array<() => unknown>): number[] {
  for (const fn of fns) for (let i = 0; i < ITERATIONS; i++) fn();
  const best = fns.map(() => Infinity);
  for (let r = 0; r < ROUNDS; r++) fns.forEach((fn, k) => (best[k] = Math.min(best[k], round(fn))));
  return best;
}

interface Probe {
  label: string;
  path: string;
  name: string;
  kwargs: Record<string, unknown>;
}

// Pairs of patterns of the same shape, one early and one late in the URLconf: the ratio within
// a pair is what declaration order costs. The first pair is the very first and very last pattern.
const pairs: Array<[Probe, Probe]> = [
  [
    { label: 'first pattern', path: '/first/7/', name: 'first', kwargs: { pk: 7 } },
    { label: 'last pattern', path: '/last/7/', name: 'last', kwargs: { pk: 7 } },
  ],
  [
    { label: 'static, early', path: '/section0/feed/', name: 'section0-feed', kwargs: {} },
    { label: 'static, late', path: '/section99/feed/', name: 'section99-feed', kwargs: {} },
  ],
  [
    { label: 'converter, early', path: '/section0/archive/2024/', name: 'section0-archive', kwargs: { year: 2024 } },
    { label: 'converter, late', path: '/section99/archive/2024/', name: 'section99-archive', kwargs: { year: 2024 } },
  ],
  [
    { label: 'namespaced include, first', path: '/api/v0/res0/', name: 'v0:res0-list', kwargs: {} },
    { label: 'namespaced include, last', path: '/api/v9/health/', name: 'v9:health', kwargs: {} },
  ],
  [
    {
      label: '2-level namespace, first',
      path: '/shop/catalog/page0/x-y/',
      name: 'shop:catalog:page0',
      kwargs: { slug: 'x-y' },
    },
    {
      label: '2-level namespace, last',
      path: '/shop/catalog/page47/x-y/',
      name: 'shop:catalog:page47',
      kwargs: { slug: 'x-y' },
    },
  ],
];
const probes = pairs.flat();

const spec = buildSpec();
const urlconf = { urlpatterns: build(spec) };
const total = countPatterns(spec);
if (total !== 1000) throw new Error(`The bench URLconf has ${total} patterns, not 1000.`);

for (const p of probes) {
  if (resolve(p.path, urlconf).viewName !== p.name) throw new Error(`${p.path} did not resolve to ${p.name}.`);
  if (reverse(p.name, { urlconf, kwargs: p.kwargs }) !== p.path) throw new Error(`reverse(${p.name}) != ${p.path}.`);
}

const resolveNs = timeAll(probes.map((p) => () => resolve(p.path, urlconf)));
const reverseNs = timeAll(probes.map((p) => () => reverse(p.name, { urlconf, kwargs: p.kwargs })));
const results = probes.map((p, i) => ({
  label: p.label,
  path: p.path,
  resolveNs: resolveNs[i],
  reverseNs: reverseNs[i],
}));

// Size independence: the same pattern in a URLconf of 10 patterns and in the one of 1,000.
const small = { urlpatterns: build([...spec.slice(0, 9), { route: 'last/<int:pk>/', name: 'last' }]) };
const [smallResolve, bigResolve, smallReverse, bigReverse] = timeAll([
  () => resolve('/last/7/', small),
  () => resolve('/last/7/', urlconf),
  () => reverse('last', { urlconf: small, kwargs: { pk: 7 } }),
  () => reverse('last', { urlconf, kwargs: { pk: 7 } }),
]);

function runDjango(): Array<{ resolveNs: number; reverseNs: number }> | string {
  const python = '/usr/bin/python3';
  const check = spawnSync(python, ['-c', 'import django; print(django.get_version())'], { encoding: 'utf8' });
  if (check.status !== 0) return 'skipped: /usr/bin/python3 cannot import django (apt-get install -y python3-django)';
  const dir = mkdtempSync(path.join(tmpdir(), 'tsgi-bench-urls-'));
  try {
    const specFile = path.join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({ spec, probes }));
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'urls.py');
    const run = spawnSync(python, [script, specFile], { encoding: 'utf8' });
    if (run.status !== 0) return `failed: ${run.stderr.trim()}`;
    return JSON.parse(run.stdout) as Array<{ resolveNs: number; reverseNs: number }>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const django = runDjango();
const fmt = (n: number) => n.toFixed(0).padStart(8);
const hasDjango = typeof django !== 'string';
console.log(`URL dispatcher, ${total} patterns, node ${process.version}; ns/op, best of ${ROUNDS} interleaved rounds`);
console.log(
  `${'probe'.padEnd(26)} ${'path'.padEnd(27)} ${'resolve'.padStart(8)} ${'reverse'.padStart(8)}` +
    (hasDjango ? ` ${'dj res'.padStart(8)} ${'dj rev'.padStart(8)}` : ''),
);
results.forEach((r, i) => {
  const dj = hasDjango ? ` ${fmt(django[i].resolveNs)} ${fmt(django[i].reverseNs)}` : '';
  console.log(`${r.label.padEnd(26)} ${r.path.padEnd(27)} ${fmt(r.resolveNs)} ${fmt(r.reverseNs)}${dj}`);
});
console.log('late / early resolve ratio per pair (target <= 2):');
pairs.forEach((_pair, k) => {
  const early = results[2 * k];
  const late = results[2 * k + 1];
  const dj = hasDjango ? `   Django 3.2: ${(django[2 * k + 1].resolveNs / django[2 * k].resolveNs).toFixed(2)}` : '';
  console.log(`  ${late.label.padEnd(26)} tsgi: ${(late.resolveNs / early.resolveNs).toFixed(2)}${dj}`);
});
console.log(
  `'last/<int:pk>/' in 10 vs 1,000 patterns: resolve ${smallResolve.toFixed(0)} vs ${bigResolve.toFixed(0)} ns, ` +
    `reverse ${smallReverse.toFixed(0)} vs ${bigReverse.toFixed(0)} ns`,
);
if (!hasDjango) console.log(`Django 3.2: ${django}`);
