/**
 * A runtime (Bun, Deno, workerd) as a child process serving on 127.0.0.1 port 0: started, its
 * port read from what it prints, stopped. For test/gateway/runtimes*.test.ts.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

const START_TIMEOUT = 60_000;

export interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
}

/** Resolves with the first match of `pattern` in the stream's text, or rejects after `ms`. */
function waitFor(
  stream: Readable,
  pattern: RegExp,
  child: ChildProcess,
  output: () => string,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (data: Buffer): void => {
      seen += data.toString();
      const match = pattern.exec(seen);
      if (match) {
        done();
        resolve(match);
      }
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`The runtime exited (code ${code}) before it listened. Its output:\n${output()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`The runtime did not listen within ${START_TIMEOUT} ms. Its output:\n${output()}`));
    }, START_TIMEOUT);
    const done = (): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      child.off('exit', onExit);
    };
    stream.on('data', onData);
    child.on('exit', onExit);
  });
}

export async function start(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; portFrom: 'stdout' | 'control-fd' },
): Promise<Started> {
  const stdio: Array<'ignore' | 'pipe'> = ['ignore', 'pipe', 'pipe'];
  if (options.portFrom === 'control-fd') stdio.push('pipe');
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio });
  let log = '';
  child.stdout!.on('data', (data: Buffer) => (log += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (log += data.toString()));
  const output = (): string => log;
  const port =
    options.portFrom === 'stdout'
      ? Number((await waitFor(child.stdout!, /listening on (\d+)/, child, output))[1])
      : Number((await waitFor(child.stdio[3] as Readable, /"port":(\d+)/, child, output))[1]);
  return { child, port, output };
}

export async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null || started.child.signalCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
