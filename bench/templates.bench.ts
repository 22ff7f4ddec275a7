/**
 * The template engine in process: CPU time per render of a page that extends a base (with a
 * `block.super`) and loops over 100 rows of three escaped values, under tsgi's Django template
 * language, under Nunjucks 3.2 (the same page in its syntax, autoescape on), and under Django
 * 3.2's own engine (bench/templates_django.py, when python3-django is installed). All three
 * render the same bytes (checked). Rounds are interleaved; the best round of each is reported.
 * Prints the figures for "## Templates" in docs/performance.md.
 *
 *   bash bench/run.sh templates          # or: node bench/templates.bench.ts
 *   RENDERS=4000 ROUNDS=7 node bench/templates.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { settings } from '../src/conf/index.ts';
import { Context } from '../src/template/context.ts';
import { Engine } from '../src/template/engine.ts';

const RENDERS = Number(process.env.RENDERS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

// Django's defaults where they matter here (numbers are localized as Django 3.2 does).
settings.configure({ USE_L10N: false, USE_TZ: false });

const rows = Array.from({ length: 100 }, (_, i) => ({ id: i, name: `Row <${i}>`, price: (i * 1.25).toFixed(2) }));
const context = { title: 'Rows & more', rows };
const base =
  '<!doctype html><html><head><title>{% block title %}Site{% endblock %}</title></head><body>{% block content %}{% endblock %}</body></html>\n';
const page = (superCall: string) =>
  `{% extends "base.html" %}{% block title %}{{ title }} | ${superCall}{% endblock %}{% block content %}<table>{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.name }}</td><td>{{ row.price }}</td></tr>{% endfor %}</table>{% endblock %}\n`;

const dtl = new Engine({
  loaders: [
    [
      'tsgi.template.loaders.cached.Loader',
      [['tsgi.template.loaders.locmem.Loader', { 'base.html': base, 'page.html': page('{{ block.super }}') }]],
    ],
  ],
});
const dtlTemplate = dtl.getTemplate('page.html');
const renderDtl = () => dtlTemplate.render(new Context(context)) as string;

const nj = new nunjucks.Environment(
  new (class extends nunjucks.Loader {
    getSource(name: string) {
      const src = name === 'base.html' ? base : page('{{ super() }}');
      return { src, path: name, noCache: false };
    }
  })(),
  { autoescape: true },
);
const njTemplate = nj.getTemplate('page.html', true);
const renderNunjucks = () => njTemplate.render(context);

const expected = renderDtl();
if (renderNunjucks() !== expected) throw new Error(`Nunjucks renders another page:\n${renderNunjucks()}\n${expected}`);

/** CPU time (user + system) per call of `fn`, µs. */
function measure(fn: () => unknown): number {
  const start = process.cpuUsage();
  for (let i = 0; i < RENDERS; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / RENDERS;
}

for (let i = 0; i < 500; i++) {
  renderDtl();
  renderNunjucks();
}
const rounds = { dtl: [] as number[], nunjucks: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  rounds.dtl.push(measure(renderDtl));
  rounds.nunjucks.push(measure(renderNunjucks));
}

let django: number[] | undefined;
const python = spawnSync('/usr/bin/python3', [path.join(import.meta.dirname, 'templates_django.py')], {
  input: JSON.stringify({
    templates: { 'base.html': base, 'page.html': page('{{ block.super }}') },
    context,
    renders: Math.max(100, Math.round(RENDERS / 10)),
    rounds: ROUNDS,
  }),
  encoding: 'utf8',
});
if (python.status === 0) {
  const result = JSON.parse(python.stdout) as { output: string; us_per_render: number[] };
  if (result.output !== expected) throw new Error(`Django renders another page:\n${result.output}\n${expected}`);
  django = result.us_per_render;
} else {
  console.log(`(Django 3.2 not measured: ${python.stderr.trim().split('\n').at(-1)})`);
}

const best = (xs: number[]) => Math.min(...xs);
const fmt = (x: number) => x.toFixed(1);
console.log(`date: ${new Date().toISOString()}`);
console.log(`cpu: ${cpus()[0]?.model.trim()}, ${cpus().length} cores; node ${process.version}; nunjucks 3.2.4`);
console.log(
  `${RENDERS} renders a round (Django: ${Math.max(100, Math.round(RENDERS / 10))}), ${ROUNDS} rounds interleaved, best round; page ${expected.length} bytes`,
);
console.log('');
console.log('| engine | CPU µs/render (best) | every round | × tsgi |');
console.log('|---|---:|---|---:|');
const row = (name: string, xs: number[]) =>
  console.log(
    `| ${name} | ${fmt(best(xs))} | ${xs.map(fmt).join(', ')} | ${(best(xs) / best(rounds.dtl)).toFixed(2)} |`,
  );
row('tsgi, Django template language (compiled)', rounds.dtl);
row('Nunjucks 3.2.4', rounds.nunjucks);
if (django) row('Django 3.2 template engine', django);
