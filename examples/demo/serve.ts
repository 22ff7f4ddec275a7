/**
 * `npm start`: serves the demo application (app.ts) with the reference server on
 * 127.0.0.1:8000 (HOST and PORT change it) and stops cleanly on Ctrl-C or TERM.
 */
import { serve } from '../../src/gateway/index.ts';
import { application } from './app.ts';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number (0-65535), not ${JSON.stringify(process.env.PORT)}.`);
  process.exit(2);
}

let handle;
try {
  handle = await serve(application, { host, port });
} catch (error) {
  const code = (error as { code?: string }).code;
  console.error(
    code === 'EADDRINUSE'
      ? `Port ${port} on ${host} is already in use: stop what uses it, or run with another port (PORT=8001 npm start).`
      : `Could not start the demo server: ${(error as Error).message}`,
  );
  process.exit(1);
}
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  handle.close().then(() => {
    console.log('stopped.');
    process.exit(0);
  });
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// Announced once the handlers are in: whoever waits for this line may send INT or TERM at once.
console.log(`tsgi demo serving on ${handle.url}/ (Ctrl-C to stop)`);
