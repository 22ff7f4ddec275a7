/**
 * The application measured by bench/framework.bench.ts: the reference project's hello view
 * through the whole framework (getWsgiApplication(), the default middleware Security, Common,
 * Csrf, XFrameOptions, the URLconf) on the gateway reference server (`serve`), listening on
 * $HOST:$PORT.
 *
 * The framework is imported by its package name, as a project does: the compiled build (dist/)
 * by default, the .ts sources under `node --conditions=tsgi-source`.
 *
 * With STARTUP=1 it instead prints, as JSON, the milliseconds from process start to the end of
 * the first response (one GET /hello/ called in-process, as a server would call it) and exits.
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { setProjectRoot, importModule } from 'tsgi/utils/module-loading';
import type { Application, StartResponse } from 'tsgi/gateway';
import { wrkEnviron } from './lib/environ.ts';

setProjectRoot(path.resolve(import.meta.dirname, '../test/fixtures/reference-app'));
process.env.TSGI_SETTINGS_MODULE = 'markup.settings';
const { application } = importModule('markup.wsgi') as { application: Application };

if (process.env.STARTUP === '1') {
  await application.ready;
  const booted = performance.now();
  const environ = wrkEnviron('/hello/', 'localhost');
  let status = '';
  const startResponse = ((s: string) => {
    status = s;
    return () => {};
  }) as unknown as StartResponse;
  const body = (await application(environ, startResponse)) as Iterable<Uint8Array> & { close?: () => unknown };
  let text = '';
  for (const chunk of body) text += Buffer.from(chunk).toString();
  await body.close?.();
  const answered = performance.now();
  if (text !== 'Hello, world!') throw new Error(`Unexpected first response: ${status} ${text.slice(0, 200)}`);
  process.stdout.write(JSON.stringify({ booted, answered }) + '\n');
} else {
  const { serve } = await import('tsgi/gateway');
  const handle = await serve(application, {
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 8000),
  });
  const stop = () => void handle.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
