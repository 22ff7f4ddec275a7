/**
 * The application measured by bench/framework.bench.ts: the reference project's hello view
 * through the whole framework (getWsgiApplication(), the default middleware Security, Common,
 * Csrf, XFrameOptions, the URLconf) on the gateway reference server (`serve`), listening on
 * $HOST:$PORT.
 *
 * With STARTUP=1 it instead prints, as JSON, the milliseconds from process start to the end of
 * the first response (one request through the gateway, in-process) and exits.
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { setProjectRoot, importModule } from '../src/utils/module-loading.ts';
import type { Application } from '../src/gateway/types.ts';

setProjectRoot(path.resolve(import.meta.dirname, '../test/fixtures/reference-app'));
process.env.TSGI_SETTINGS_MODULE = 'markup.settings';
const { application } = importModule('markup.wsgi') as { application: Application };

if (process.env.STARTUP === '1') {
  const { callApplication } = await import('../src/gateway/testing.ts');
  await application.ready;
  const booted = performance.now();
  const response = await callApplication(application, { path: '/hello/', host: 'localhost' });
  const answered = performance.now();
  if (response.text !== 'Hello, world!') throw new Error(`Unexpected first response: ${response.status} ${response.text.slice(0, 200)}`);
  process.stdout.write(JSON.stringify({ booted, answered }) + '\n');
} else {
  const { serve } = await import('../src/gateway/server.ts');
  const handle = await serve(application, { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 8000) });
  const stop = () => void handle.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
