/**
 * Static files and templates (docs/performance.md, "## Templates and static files"):
 *   - a 100 KB static file through StaticFilesMiddleware and through staticFilesHandler on tsgi
 *     serve, and from nginx, in the same run;
 *   - a template page (inheritance, a loop of 100 rows) from a view vs the hello view.
 * All against bare node:http in the same run (bench/lib).
 *
 *   bash bench/run.sh static
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  compareWithBaseline,
  environmentLines,
  markdownTable,
  nodeBin,
  ratio,
  repoRoot,
  tsgiBin,
} from './lib/index.ts';

if (spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status !== 0) {
  const install = spawnSync('sh', ['-c', 'apt-get install -y nginx || (apt-get update && apt-get install -y nginx)'], {
    stdio: 'inherit',
  });
  if (install.status !== 0) throw new Error('nginx is needed for this benchmark: apt-get install -y nginx failed.');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-bench-static-'));
spawnSync('chmod', ['755', dir]);
mkdirSync(path.join(dir, 'staticfiles/css'), { recursive: true });
const file = Buffer.alloc(100 * 1024, 'body { margin: 0 } /* padding */\n');
const staticPath = '/static/css/big.0123456789ab.css';
writeFileSync(path.join(dir, 'staticfiles/css/big.0123456789ab.css'), file);
mkdirSync(path.join(dir, 'templates'));
writeFileSync(
  path.join(dir, 'templates/base.html'),
  '<!doctype html><html><head><title>{% block title %}Site{% endblock %}</title></head><body>{% block content %}{% endblock %}</body></html>\n',
);
writeFileSync(
  path.join(dir, 'templates/page.html'),
  '{% extends "base.html" %}{% block title %}{{ title }} | {{ block.super }}{% endblock %}{% block content %}<table>{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.name }}</td><td>{{ row.price }}</td></tr>{% endfor %}</table>{% endblock %}\n',
);
// tsgi serve loads a dotted module under --chdir: point one at bench/static.app.ts.
writeFileSync(
  path.join(dir, 'benchapp.ts'),
  `export { application } from ${JSON.stringify(path.join(repoRoot, 'bench/static.app.ts'))};\n`,
);

const serveCommand = [
  nodeBin,
  tsgiBin,
  'serve',
  'benchapp:application',
  '--bind',
  '{host}:{port}',
  '--workers',
  '1',
  '--chdir',
  dir,
];
const env = { BENCH_DIR: dir };

try {
  const comparison = await compareWithBaseline([
    {
      name: 'view: hello',
      command: serveCommand,
      env: { ...env, BENCH_APP: 'view-hello' },
      path: '/',
      expect: { status: 200, body: 'Hello, world!' },
    },
    {
      name: 'view: template page (extends, 100 rows)',
      command: serveCommand,
      env: { ...env, BENCH_APP: 'view-template' },
      path: '/page/',
      expect: { status: 200 },
    },
    {
      name: '100 KB static: StaticFilesMiddleware',
      command: serveCommand,
      env: { ...env, BENCH_APP: 'middleware' },
      path: staticPath,
      expect: { status: 200 },
    },
    {
      name: '100 KB static: staticFilesHandler',
      command: serveCommand,
      env: { ...env, BENCH_APP: 'static' },
      path: staticPath,
      expect: { status: 200 },
    },
    {
      name: '100 KB static: nginx',
      command: [nodeBin, path.join(repoRoot, 'bench/static.nginx.ts')],
      env,
      path: staticPath,
      expect: { status: 200 },
    },
  ]);
  console.log(environmentLines().join('\n'));
  console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
  console.log(`wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')}`);
  console.log('');
  console.log(markdownTable(comparison));
  const [hello, page, middleware, handler, nginx] = comparison.results;
  const rel = (a: typeof hello, b: typeof hello) =>
    (ratio(a!, comparison.baseline) / ratio(b!, comparison.baseline)).toFixed(2);
  console.log(`\ntemplate page / hello view = ${rel(page, hello)}`);
  console.log(`static: middleware / nginx = ${rel(middleware, nginx)}; handler / nginx = ${rel(handler, nginx)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
