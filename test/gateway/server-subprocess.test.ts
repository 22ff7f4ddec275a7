/**
 * The conformance suite against a server in another process, as `tsgi serve` runs it: the child
 * loads test/gateway/conformance-apps.ts:application itself and serves it with serve(); what it
 * writes to stderr is the suite's error output. This is the pattern for any out-of-process server.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runConformance } from './conformance.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const script = `
import { serve } from ${JSON.stringify(path.join(repoRoot, 'src/gateway/server.ts'))};
import { application } from ${JSON.stringify(path.join(repoRoot, 'test/gateway/conformance-apps.ts'))};
const handle = await serve(application, { port: 0 });
console.log('listening ' + handle.port);
process.on('SIGTERM', () => handle.close().then(() => process.exit(0)));
`;

runConformance('serve() in a child process', async () => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new Error(`The child server did not start within 20 s; stderr:\n${stderr}`)),
      20_000,
    );
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const match = /listening (\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The child server exited with status ${code}; stderr:\n${stderr}`));
    });
  });
  return {
    port,
    errorOutput: () => stderr,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
});
