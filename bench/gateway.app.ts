/**
 * The gateway benchmark's server: a TSGI hello app through the reference server (serve()),
 * answering the same bytes as bench/lib/node-http-hello.ts. Listens on $HOST:$PORT.
 */
import { serve } from '../src/gateway/server.ts';
import type { Application } from '../src/gateway/types.ts';

const HELLO = new TextEncoder().encode('Hello, world!');

const app: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return [HELLO];
};

const handle = await serve(app, {
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 18081),
  signal: process.env.TSGI_SIGNAL !== '0',
});
console.log(`tsgi hello on ${handle.url}/`);
process.on('SIGTERM', () => void handle.close().then(() => process.exit(0)));
