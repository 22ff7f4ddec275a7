/**
 * The in-process loop behind "## The markup project" (docs/performance.md): one markup URL
 * through the project's application (its middleware, DEBUG off, static files collected), no
 * socket, so that a CPU profile shows only the framework. Prints µs per request.
 *
 *   node bench/markup.profile.ts /                          # N=20000 requests
 *   node bench/markup.profile.ts /static/css/site.<hash>.css
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/markup.profile.ts /
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
// By the package name, as the project's own imports: the compiled build, or the sources under
// --conditions=tsgi-source; a relative import would load a second framework beside the project's.
import { setProjectRoot, importModule } from 'tsgi/utils/module-loading';
import { fileWrapper } from '../src/gateway/file-wrapper.ts';
import type { Application, StartResponse } from '../src/gateway/types.ts';
import { wrkEnviron } from './lib/environ.ts';

const project = path.resolve(import.meta.dirname, '../examples/markup');
// As npm start: collectstatic first, so that {% static %} finds the manifest with DEBUG off.
execFileSync(process.execPath, ['manage.ts', 'collectstatic', '--noinput', '-v', '0'], {
  cwd: project,
  stdio: ['ignore', 'ignore', 'inherit'],
});
setProjectRoot(project);
process.chdir(project);
process.env.TSGI_SETTINGS_MODULE = 'markup.settings';
process.env.TSGI_DEBUG = 'false';
process.env.TSGI_ALLOWED_HOSTS = '127.0.0.1,localhost';
const { application } = importModule('markup.wsgi') as { application: Application };
await application.ready;

const urlPath = process.argv[2] ?? '/';
let status = '';
let bytes = 0;
const startResponse: StartResponse = ((s: string) => {
  status = s;
  return () => {};
}) as unknown as StartResponse;

const n = Number(process.env.N ?? 20_000);
async function run(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const body = (await application(
      wrkEnviron(urlPath, '127.0.0.1:8000', { 'wsgi.file_wrapper': fileWrapper }),
      startResponse,
    )) as AsyncIterable<Uint8Array> & { close?: () => unknown };
    for await (const chunk of body) bytes += chunk.length;
    await body.close?.();
  }
}
await run(Math.min(n, 5_000));
if (!status.startsWith('200')) throw new Error(`${urlPath} answered ${status}`);
bytes = 0;
const start = process.hrtime.bigint();
const cpu = process.cpuUsage();
await run(n);
const elapsed = Number(process.hrtime.bigint() - start) / 1000;
const used = process.cpuUsage(cpu);
console.log(
  `${urlPath}: ${(elapsed / n).toFixed(2)} µs/request wall, ${((used.user + used.system) / n).toFixed(2)} µs CPU (${n} requests, ${bytes / n} bytes each)`,
);
