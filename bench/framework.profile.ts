/**
 * The in-process loop behind the "## Framework" profile (docs/performance.md): the hello view
 * through the framework's application with the default middleware, no socket, so that a CPU
 * profile shows only the framework. Prints µs per request.
 *
 *   node bench/framework.profile.ts                       # N=200000 requests
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/framework.profile.ts
 */
import path from 'node:path';
// By the package name, as the project's own imports: the compiled build, or the sources under
// --conditions=tsgi-source; a relative import would load a second framework beside the project's.
import { setProjectRoot, importModule } from 'tsgi/utils/module-loading';
import type { Application, StartResponse } from '../src/gateway/types.ts';
import { wrkEnviron } from './lib/environ.ts';

setProjectRoot(path.resolve(import.meta.dirname, '../test/fixtures/reference-app'));
process.env.TSGI_SETTINGS_MODULE = 'markup.settings';
const { application } = importModule('markup.wsgi') as { application: Application };
await application.ready;

let headerCount = 0;
const startResponse: StartResponse = ((_status: string, headers: Array<[string, string]>) => {
  headerCount += headers.length;
  return () => {};
}) as unknown as StartResponse;

const n = Number(process.env.N ?? 200_000);
async function run(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const body = (await application(wrkEnviron('/hello/'), startResponse)) as Iterable<Uint8Array> & {
      close?: () => unknown;
    };
    for (const _ of body) void _;
    await body.close?.();
  }
}
await run(20_000);
const start = process.hrtime.bigint();
await run(n);
const elapsed = Number(process.hrtime.bigint() - start) / 1000;
console.log(`${(elapsed / n).toFixed(2)} µs/request (${n} requests, ${headerCount} headers)`);
