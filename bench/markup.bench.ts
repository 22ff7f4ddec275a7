/**
 * The markup project (examples/markup) as `npm start` serves it: `tsgi serve markup.wsgi:application`
 * with DEBUG off and the static files collected first, here with `--workers 1`. Its home page
 * (a Markdown index through the templates), `/hello/` and the hashed stylesheet served by the
 * static files middleware, against bare node:http in the same run (bench/lib); and, when Debian's
 * gunicorn and python3-django are installed, Django's `/hello/` (../shared/reference/django)
 * under gunicorn. Prints the figures for "## The markup project" in docs/performance.md.
 *
 *   bash bench/run.sh markup
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  compareWithBaseline,
  djangoGunicornCases,
  environmentLines,
  markdownTable,
  nodeBin,
  repoRoot,
  tsgiBin,
  type BenchCase,
} from './lib/index.ts';

const project = path.join(repoRoot, 'examples/markup');

// As npm start: collectstatic first, so that the stylesheet has its hashed name and the
// manifest storage finds it with DEBUG off.
execFileSync(nodeBin, ['manage.ts', 'collectstatic', '--noinput', '-v', '0'], {
  cwd: project,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const manifest = JSON.parse(readFileSync(path.join(project, 'staticfiles/staticfiles.json'), 'utf8')) as {
  paths: Record<string, string>;
};
const stylesheet = manifest.paths['css/site.css'];
if (!stylesheet)
  throw new Error('collectstatic wrote no css/site.css in examples/markup/staticfiles/staticfiles.json.');

// The command of npm start (package.json "start"), on the bench's port, with one worker and
// without the info lines of every boot.
const serve = [
  nodeBin,
  tsgiBin,
  'serve',
  'markup.wsgi:application',
  '--env',
  'TSGI_DEBUG=false',
  '--env',
  'TSGI_ALLOWED_HOSTS=127.0.0.1,localhost',
  '--bind',
  '{host}:{port}',
  '--workers',
  '1',
  '--log-level',
  'warning',
];
const markup = (name: string, urlPath: string, expect?: BenchCase['expect']): BenchCase => ({
  name: `markup, tsgi serve --workers 1: ${name}`,
  command: serve,
  cwd: project,
  path: urlPath,
  expect,
});

const cases: BenchCase[] = [
  markup('home page (/)', '/'),
  markup('/hello/', '/hello/', { status: 200, body: 'Hello, world!' }),
  markup(`static ${stylesheet} (1.7 KB)`, `/static/${stylesheet}`),
];

cases.push(...djangoGunicornCases([1]));

const comparison = await compareWithBaseline(cases);

console.log(environmentLines().join('\n'));
console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
console.log(`wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')}`);
console.log('');
console.log(markdownTable(comparison));
